/* testutil.h — small helpers shared by the Criterion tests. */
#ifndef IML_TESTUTIL_H
#define IML_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Read a whole file; caller frees. NULL on error. *len may be NULL. */
char *tu_read_file(const char *path, size_t *len);

/* Deterministic xorshift PRNG for randomized tests (seed printed on failure
** by the caller). */
typedef struct { uint64_t s; } tu_rng;
void tu_rng_seed(tu_rng *r, uint64_t seed);
uint64_t tu_rng_next(tu_rng *r);
/* Uniform in [0, n) (n > 0). */
uint64_t tu_rng_below(tu_rng *r, uint64_t n);

/* Path under the source tree (static buffer per call site is not thread-safe:
** caller frees). */
char *tu_source_path(const char *rel);

/* Create a fresh directory /tmp/<prefix>-XXXXXX; its canonical path goes to
** `out` (PATH_MAX bytes). 0 or -1. */
int tu_make_dir(const char *prefix, char *out);
/* Write `text` to <dir>/<name> (all borrowed). 0 or -1. */
int tu_write_file(const char *dir, const char *name, const char *text);

#endif
