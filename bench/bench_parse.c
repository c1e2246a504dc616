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

#include "handlers.h"
#include "lspjson.h"
#include "outline.h"
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
  double p50 = times[n / 2], p99 = times[(n * 99) / 100];
  /* documentSymbol as the query pool computes it (tree walk + JSON). */
  int q = 200;
  double *qt = malloc(sizeof(double) * (size_t)q), *st = malloc(sizeof(double) * (size_t)q);
  double *ft = malloc(sizeof(double) * (size_t)q);
  size_t nfolds = 0;
  size_t out_len = 0;
  for (int i = 0; i < q; i++) {
    double t0 = now_s();
    TSTree *tree = snap_tree_copy(base);
    osym *syms = NULL;
    size_t nsyms = 0;
    outline_symbols(tree, snap_text(base), snap_len(base), &syms, &nsyms);
    st[i] = now_s() - t0;
    outline_symbols_free(syms, nsyms);
    /* foldingRange as the query pool computes it (tree walk only). */
    t0 = now_s();
    ofold *folds = NULL;
    outline_folding(tree, snap_text(base), snap_len(base), snap_lines(base), &folds, &nfolds);
    ft[i] = now_s() - t0;
    free(folds);
    ts_tree_delete(tree);
    t0 = now_s();
    hd_error err = {0};
    hd_ctx ctx = {TEXT_UTF16, NULL, 0};
    hd_doc hdoc = {base, NULL, NULL, 0};
    cJSON *res = hd_document_symbol(&ctx, &hdoc, NULL, NULL, &err);
    char *json = lj_print(res);
    qt[i] = now_s() - t0;
    out_len = strlen(json);
    free(json);
    cJSON_Delete(res);
  }
  qsort(qt, (size_t)q, sizeof *qt, cmp_double);
  qsort(st, (size_t)q, sizeof *st, cmp_double);
  qsort(ft, (size_t)q, sizeof *ft, cmp_double);
  printf("documentSymbol in-process: outline p50 %.3f ms; outline + JSON p50 %.3f ms, p99 %.3f ms (%zu bytes of JSON)\n",
         st[q / 2] * 1e3, qt[q / 2] * 1e3, qt[(q * 99) / 100] * 1e3, out_len);
  printf("foldingRange in-process: outline_folding p50 %.3f ms, p99 %.3f ms (%zu ranges)\n", ft[q / 2] * 1e3,
         ft[(q * 99) / 100] * 1e3, nfolds);
  free(ft);
  free(qt);
  free(st);
  printf("incremental re-parse after a 1-char edit (view diff + parse + diagnostics): p50 %.3f ms, p99 %.3f ms over %d edits\n",
         p50 * 1e3, p99 * 1e3, n);
  free(times);
  snap_release(base);
  free(text);
  return 0;
}
