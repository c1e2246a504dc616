/* uri.c — see uri.h. */
#include "uri.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int uri__hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char *uri_to_path(const char *uri) {
  if (!uri || strncasecmp(uri, "file://", 7) != 0) return NULL;
  const char *p = uri + 7;
  if (strncasecmp(p, "localhost/", 10) == 0) p += 9; /* file://localhost/abs */
  if (*p != '/') return NULL;                       /* another host, or relative */
  size_t n = strlen(p);
  char *out = malloc(n + 1), *w = out;
  if (!out) return NULL;
  for (; *p && *p != '?' && *p != '#'; p++) {
    if (*p == '%') {
      int hi = uri__hex(p[1]), lo = hi < 0 ? -1 : uri__hex(p[2]);
      if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) { free(out); return NULL; }
      *w++ = (char)(hi * 16 + lo);
      p += 2;
    } else {
      *w++ = *p;
    }
  }
  *w = 0;
  return out;
}

char *uri_encode_path(const char *path) {
  char *out = malloc(strlen(path) * 3 + 1), *w = out;
  if (!out) return NULL;
  for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("/-._~", *p))
      *w++ = (char)*p;
    else
      w += sprintf(w, "%%%02X", *p);
  }
  *w = 0;
  return out;
}

char *uri_from_path(const char *path) {
  char *enc = uri_encode_path(path);
  if (!enc) return NULL;
  char *out = malloc(strlen(enc) + 8);
  if (out) snprintf(out, strlen(enc) + 8, "file://%s", enc);
  free(enc);
  return out;
}
