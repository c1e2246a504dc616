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

bool lj_position_of(const cJSON *obj, const char *name, text_pos *out, lj_err *err) {
  if (!cJSON_IsObject(obj)) return lj__fail(err, name, "must be a Position {line, character}");
  int64_t v[2];
  static const char *keys[2] = {"line", "character"};
  for (int i = 0; i < 2; i++) {
    char sub[160];
    snprintf(sub, sizeof sub, "%s.%s", name, keys[i]);
    if (!lj_get_int(obj, keys[i], true, &v[i], err)) {
      /* Re-word with the full path of the field. */
      const cJSON *f = cJSON_GetObjectItemCaseSensitive(obj, keys[i]);
      return lj__fail(err, sub, f && !cJSON_IsNull(f) ? "must be an integer" : "is required (an integer)");
    }
    if (v[i] < 0 || v[i] > UINT32_MAX) return lj__fail(err, sub, "must be a non-negative integer");
  }
  out->line = (uint32_t)v[0];
  out->character = (uint32_t)v[1];
  return true;
}

bool lj_get_position(const cJSON *root, const char *path, bool required, text_pos *out, lj_err *err) {
  const cJSON *obj = NULL;
  if (!lj_get_object(root, path, required, &obj, err)) return false;
  if (!obj) return true;
  return lj_position_of(obj, path, out, err);
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

/* A growable output buffer for lj_print. */
typedef struct { char *p; size_t len, cap; bool oom; } lj__buf;

static void lj__reserve(lj__buf *b, size_t n) {
  if (b->oom || b->len + n <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + n) cap *= 2;
  char *np = realloc(b->p, cap);
  if (!np) { b->oom = true; return; }
  b->p = np;
  b->cap = cap;
}

static void lj__put(lj__buf *b, const char *s, size_t n) {
  lj__reserve(b, n);
  if (b->oom) return;
  memcpy(b->p + b->len, s, n);
  b->len += n;
}

static void lj__number(lj__buf *b, double v) {
  char tmp[64];
  int n;
  /* Integers (all LSP positions, ids, kinds) take the fast exact path;
  ** others use the shortest of %.15g / %.17g that round-trips. */
  if (v == (double)(long long)v && v > -9.0e15 && v < 9.0e15) {
    n = snprintf(tmp, sizeof tmp, "%lld", (long long)v);
  } else if (v != v || v - v != 0) {
    n = snprintf(tmp, sizeof tmp, "null"); /* NaN / inf are not JSON */
  } else {
    n = snprintf(tmp, sizeof tmp, "%.15g", v);
    if (strtod(tmp, NULL) != v) n = snprintf(tmp, sizeof tmp, "%.17g", v);
  }
  lj__put(b, tmp, (size_t)n);
}

/* JSON string with escapes; invalid UTF-8 becomes U+FFFD so the output is
** always valid UTF-8 whatever bytes user text contained. */
static void lj__string(lj__buf *b, const char *s) {
  static const char hex[] = "0123456789abcdef";
  lj__put(b, "\"", 1);
  const unsigned char *u = (const unsigned char *)s;
  size_t len = strlen(s), run = 0;
  for (size_t i = 0; i < len;) {
    unsigned char c = u[i];
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) { run++; i++; continue; }
    lj__put(b, s + i - run, run);
    run = 0;
    if (c < 0x80) {
      char esc[6] = {'\\', 0};
      switch (c) {
      case '"': esc[1] = '"'; lj__put(b, esc, 2); break;
      case '\\': esc[1] = '\\'; lj__put(b, esc, 2); break;
      case '\n': esc[1] = 'n'; lj__put(b, esc, 2); break;
      case '\r': esc[1] = 'r'; lj__put(b, esc, 2); break;
      case '\t': esc[1] = 't'; lj__put(b, esc, 2); break;
      case '\b': esc[1] = 'b'; lj__put(b, esc, 2); break;
      case '\f': esc[1] = 'f'; lj__put(b, esc, 2); break;
      default: {
        char u6[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        lj__put(b, u6, 6);
      }
      }
      i++;
      continue;
    }
    uint32_t cp;
    size_t n = text_utf8_decode(u + i, len - i, &cp);
    if (n == 1) lj__put(b, "\xEF\xBF\xBD", 3);
    else lj__put(b, s + i, n);
    i += n;
  }
  lj__put(b, s + len - run, run);
  lj__put(b, "\"", 1);
}

/* Iterative over arrays/objects with an explicit stack of parents, so deep
** JSON built from user input cannot overflow the C stack. */
static void lj__value(lj__buf *b, const cJSON *root) {
  const cJSON *stack[256];
  size_t depth = 0;
  const cJSON *v = root;
  for (;;) {
    if (v->string && depth > 0 && cJSON_IsObject(stack[depth - 1])) {
      lj__string(b, v->string);
      lj__put(b, ":", 1);
    }
    bool container = cJSON_IsArray(v) || cJSON_IsObject(v);
    if (container) {
      lj__put(b, cJSON_IsArray(v) ? "[" : "{", 1);
      if (v->child && depth < sizeof stack / sizeof *stack) {
        stack[depth++] = v;
        v = v->child;
        continue;
      }
      lj__put(b, cJSON_IsArray(v) ? "]" : "}", 1);
    } else if (cJSON_IsString(v)) {
      lj__string(b, v->valuestring ? v->valuestring : "");
    } else if (cJSON_IsNumber(v)) {
      lj__number(b, v->valuedouble);
    } else if (cJSON_IsTrue(v)) {
      lj__put(b, "true", 4);
    } else if (cJSON_IsFalse(v)) {
      lj__put(b, "false", 5);
    } else if (cJSON_IsRaw(v) && v->valuestring) {
      lj__put(b, v->valuestring, strlen(v->valuestring));
    } else {
      lj__put(b, "null", 4);
    }
    /* Move to the next sibling, closing finished containers. */
    while (depth > 0 && !v->next) {
      v = stack[--depth];
      lj__put(b, cJSON_IsArray(v) ? "]" : "}", 1);
    }
    if (depth == 0) return;
    lj__put(b, ",", 1);
    v = v->next;
  }
}

char *lj_print(const cJSON *json) {
  lj__buf b = {0};
  lj__value(&b, json);
  lj__put(&b, "", 1);
  if (b.oom) { free(b.p); return NULL; }
  return b.p;
}
