/* testutil.c — see testutil.h. */
#include "testutil.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef IML_SOURCE_DIR
#define IML_SOURCE_DIR "."
#endif

char *tu_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  for (;;) {
    if (!buf) break;
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (n < cap) break;
    cap *= 2;
    char *nb = realloc(buf, cap + 1);
    if (!nb) { free(buf); buf = NULL; break; }
    buf = nb;
  }
  fclose(f);
  if (!buf) return NULL;
  buf[n] = 0;
  if (len) *len = n;
  return buf;
}

void tu_rng_seed(tu_rng *r, uint64_t seed) { r->s = seed ? seed : 0x9E3779B97F4A7C15ull; }

uint64_t tu_rng_next(tu_rng *r) {
  uint64_t x = r->s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return r->s = x;
}

uint64_t tu_rng_below(tu_rng *r, uint64_t n) { return tu_rng_next(r) % n; }

char *tu_source_path(const char *rel) {
  size_t n = strlen(IML_SOURCE_DIR) + strlen(rel) + 2;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/%s", IML_SOURCE_DIR, rel);
  return p;
}

/* TSan + Criterion (Criterion issue #274): Criterion's BoxFort maps its
** inheritable arena at an address drawn with rand_r() from a range that
** gcc's TSan reserves for its shadow memory, so every TSan test binary
** aborts at start ("Could not initialize inheritable arena"). Under TSan
** only, this definition (linked into every test binary) steers the draw into
** TSan's "mid app" range (0x5500..0x5680 << 32, here 0x566.. upwards), which
** is free since PIE binaries load below 0x5656 << 32. */
#if defined(__SANITIZE_THREAD__)
#define IML_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define IML_UNDER_TSAN 1
#endif
#endif
#ifdef IML_UNDER_TSAN
int rand_r(unsigned int *seed) {
  *seed += 1;
  return (int)(0x366000u + ((*seed * 16u) & 0x1fffu));
}
#endif

int tu_make_dir(const char *prefix, char *out) {
  char tmpl[256];
  snprintf(tmpl, sizeof tmpl, "/tmp/%s-XXXXXX", prefix);
  return mkdtemp(tmpl) && realpath(tmpl, out) ? 0 : -1;
}

int tu_write_file(const char *dir, const char *name, const char *text) {
  char p[PATH_MAX + 256];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  if (!f) return -1;
  int rc = fputs(text, f) < 0 ? -1 : 0;
  return fclose(f) != 0 ? -1 : rc;
}
