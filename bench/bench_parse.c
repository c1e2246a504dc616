/*
** bench_parse.c — parse throughput and incremental re-parse time of the IML
** syntax layer (the same snap_build the server uses). Prints figures; not a
** test.
**
** usage: iml-bench-parse FILE [ROUNDS]
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "snapshot.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: %s FILE [ROUNDS]\n", argv[0]); return 2; }
  int rounds = argc > 2 ? atoi(argv[2]) : 20;
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 2; }
  fseek(f, 0, SEEK_END);
  size_t len = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc(len + 1);
  if (fread(text, 1, len, f) != len) { perror("read"); return 2; }
  text[len] = 0;
  fclose(f);
  TSParser *parser = snap_thread_parser();

  /* Full parses (view + parse + line index + syntax diagnostics). */
  double best = 1e9, total = 0;
  snap *base = NULL;
  for (int i = 0; i < rounds; i++) {
    char *copy = malloc(len + 1);
    memcpy(copy, text, len + 1);
    double t0 = now_s();
    snap *s = snap_build("bench", i, copy, len, NULL, parser, NULL);
    double dt = now_s() - t0;
    if (!s) { fprintf(stderr, "parse failed\n"); return 1; }
    total += dt;
    if (dt < best) best = dt;
    snap_release(base);
    base = s;
  }
  printf("file: %s, %zu bytes, %zu lines, %zu syntax diagnostics\n", argv[1], len,
         text_lines_count(snap_lines(base)), snap_diagnostics(base)->count);
  printf("full parse: best %.2f ms, mean %.2f ms, %.1f MB/s (best)\n", best * 1e3, total / rounds * 1e3,
         (double)len / best / 1e6);

  /* Incremental: insert one character in the middle, then delete it again. */
  int n = rounds * 10;
  double *times = malloc(sizeof(double) * (size_t)n);
  size_t mid = len / 2;
  while (mid < len && text[mid] != ' ') mid++;
  for (int i = 0; i < n; i++) {
    size_t nlen = (i % 2 == 0) ? len + 1 : len;
    char *copy = malloc(nlen + 1);
    if (i % 2 == 0) {
      memcpy(copy, text, mid);
      copy[mid] = 'x';
      memcpy(copy + mid + 1, text + mid, len - mid + 1);
    } else {
      memcpy(copy, text, len + 1);
    }
    double t0 = now_s();
    snap *s = snap_build("bench", 1000 + i, copy, nlen, base, parser, NULL);
    times[i] = now_s() - t0;
    if (!s || !snap_was_incremental(s)) { fprintf(stderr, "incremental parse failed\n"); return 1; }
    snap_release(base);
    base = s;
  }
  qsort(times, (size_t)n, sizeof *times, cmp_double);
  printf("incremental re-parse after a 1-char edit (view diff + parse + diagnostics): p50 %.3f ms, p99 %.3f ms over %d edits\n",
         times[n / 2] * 1e3, times[(n * 99) / 100] * 1e3, n);
  free(times);
  snap_release(base);
  free(text);
  return 0;
}
