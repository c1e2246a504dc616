/* lspjson.c — see lspjson.h. */
#include "lspjson.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cJSON *lj_path(const cJSON *root, const char *path) {
  const cJSON *cur = root;
  const char *p = path;
  char key[128];
  while (cur && *p) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    if (n >= sizeof key) return NULL;
    memcpy(key, p, n);
    key[n] = 0;
    if (!cJSON_IsObject(cur)) return NULL;
    cur = cJSON_GetObjectItemCaseSensitive(cur, key);
    p += n + (dot ? 1 : 0);
  }
  return cur;
}

static bool lj__fail(lj_err *err, const char *path, const char *what) {
  if (err) snprintf(err->msg, sizeof err->msg, "invalid params: %s %s", path, what);
  return false;
}

bool lj_get_string(const cJSON *root, const char *path, bool required, const char **out, lj_err *err) {
  const cJSON *v = lj_path(root, path);
  if (!v || cJSON_IsNull(v)) return required ? lj__fail(err, path, "is required (a string)") : true;
  if (!cJSON_IsString(v) || !v->valuestring) return lj__fail(err, path, "must be a string");
  *out = v->valuestring;
  return true;
}

bool lj_get_int(const cJSON *root, const char *path, bool required, int64_t *out, lj_err *err) {
  const cJSON *v = lj_path(root, path);
  if (!v || cJSON_IsNull(v)) return required ? lj__fail(err, path, "is required (an integer)") : true;
  if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || fabs(v->valuedouble) > 9007199254740991.0)
    return lj__fail(err, path, "must be an integer");
  *out = (int64_t)v->valuedouble;
  return true;
}

bool lj_get_object(const cJSON *root, const char *path, bool required, const cJSON **out, lj_err *err) {
  const cJSON *v = lj_path(root, path);
  if (!v || cJSON_IsNull(v)) return required ? lj__fail(err, path, "is required (an object)") : true;
  if (!cJSON_IsObject(v)) return lj__fail(err, path, "must be an object");
  *out = v;
  return true;
}

bool lj_get_array(const cJSON *root, const char *path, bool required, const cJSON **out, lj_err *err) {
  const cJSON *v = lj_path(root, path);
  if (!v || cJSON_IsNull(v)) return required ? lj__fail(err, path, "is required (an array)") : true;
  if (!cJSON_IsArray(v)) return lj__fail(err, path, "must be an array");
  *out = v;
  return true;
}

bool lj_get_position(const cJSON *root, const char *path, bool required, text_pos *out, lj_err *err) {
  const cJSON *obj = NULL;
  if (!lj_get_object(root, path, required, &obj, err)) return false;
  if (!obj) return true;
  int64_t line = -1, ch = -1;
  char sub[160];
  snprintf(sub, sizeof sub, "%s.line", path);
  if (!lj_get_int(root, sub, true, &line, err)) return false;
  if (line < 0 || line > UINT32_MAX) return lj__fail(err, sub, "must be a non-negative integer");
  snprintf(sub, sizeof sub, "%s.character", path);
  if (!lj_get_int(root, sub, true, &ch, err)) return false;
  if (ch < 0 || ch > UINT32_MAX) return lj__fail(err, sub, "must be a non-negative integer");
  out->line = (uint32_t)line;
  out->character = (uint32_t)ch;
  return true;
}

cJSON *lj_position(text_pos p) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "line", p.line);
  cJSON_AddNumberToObject(o, "character", p.character);
  return o;
}

cJSON *lj_range(text_range r) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddItemToObject(o, "start", lj_position(r.start));
  cJSON_AddItemToObject(o, "end", lj_position(r.end));
  return o;
}

cJSON *lj_span(const text_lines *lines, text_span span, text_encoding enc) {
  return lj_range(text_range_of(lines, span, enc));
}

char *lj_sanitize_utf8(const char *s, size_t len) {
  /* Worst case: every byte becomes the 3-byte U+FFFD. */
  char *out = malloc(len * 3 + 1);
  if (!out) return NULL;
  size_t o = 0;
  for (size_t i = 0; i < len;) {
    uint32_t cp;
    size_t n = text_utf8_decode((const unsigned char *)s + i, len - i, &cp);
    if (n == 1 && (unsigned char)s[i] >= 0x80) {
      memcpy(out + o, "\xEF\xBF\xBD", 3);
      o += 3;
    } else {
      memcpy(out + o, s + i, n);
      o += n;
    }
    i += n;
  }
  out[o] = 0;
  return out;
}

char *lj_print(const cJSON *json) {
  char *s = cJSON_PrintUnformatted(json);
  if (!s) return NULL;
  size_t len = strlen(s);
  if (text_utf8_valid(s, len)) return s;
  char *clean = lj_sanitize_utf8(s, len);
  cJSON_free(s);
  if (!clean) return NULL;
  return clean;
}
