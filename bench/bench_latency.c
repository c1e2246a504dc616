/*
** bench_latency.c — round-trip latency of requests to the real server, over
** pipes, measured by a C client (so the figures are the server's, not a
** scripting language's JSON parser). Prints figures; not a test.
**
** usage: iml-bench-latency FILE [REQUESTS] [--under-edits]
** Opens FILE, waits for its diagnostics, then sends REQUESTS documentSymbol
** (and as many foldingRange) requests one after the other and prints
** p50/p99/max. With --under-edits every request follows an edit (a re-parse
** runs on the background pool; documentSymbol is then answered on the new
** version).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lspclient.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static bool is_diag(const cJSON *m, void *data) {
  const cJSON *method = cJSON_GetObjectItemCaseSensitive(m, "method");
  return cJSON_IsString(method) && strcmp(method->valuestring, "textDocument/publishDiagnostics") == 0;
}

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *len = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  char *t = malloc(*len + 1);
  if (fread(t, 1, *len, f) != *len) { fclose(f); free(t); return NULL; }
  t[*len] = 0;
  fclose(f);
  return t;
}

static void run(lc_client *c, const char *method, int n, int *next_id, bool edits, int *version) {
  double *lat = malloc(sizeof(double) * (size_t)n);
  int errors = 0;
  for (int i = 0; i < n; i++) {
    if (edits) {
      ++*version;
      lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\",\"params\":{\"textDocument\":{\"uri\":\"file:///bench.iml\",\"version\":%d},\"contentChanges\":[{\"range\":{\"start\":{\"line\":%d,\"character\":0},\"end\":{\"line\":%d,\"character\":0}},\"text\":\" \"}]}}",
               *version, (i * 7) % 1000, (i * 7) % 1000);
    }
    int id = (*next_id)++;
    double t0 = now_s();
    lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"%s\",\"params\":{\"textDocument\":{\"uri\":\"file:///bench.iml\"}}}", id, method);
    cJSON *r = lc_wait_response(c, id, 60000);
    lat[i] = now_s() - t0;
    if (!r) { fprintf(stderr, "no response\n"); exit(1); }
    if (cJSON_GetObjectItemCaseSensitive(r, "error")) errors++;
    cJSON_Delete(r);
  }
  qsort(lat, (size_t)n, sizeof *lat, cmp_double);
  printf("%-28s %s: p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d requests (%d errors)\n", method,
         edits ? "under edits" : "idle       ", lat[n / 2] * 1e3, lat[(n * 99) / 100] * 1e3, lat[n - 1] * 1e3, n, errors);
  free(lat);
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: %s FILE [REQUESTS] [--under-edits]\n", argv[0]); return 2; }
  int n = argc > 2 && argv[2][0] != '-' ? atoi(argv[2]) : 1000;
  bool edits = argc > 2 && strcmp(argv[argc - 1], "--under-edits") == 0;
  size_t len;
  char *text = read_all(argv[1], &len);
  if (!text) { perror(argv[1]); return 2; }
  lc_client *c = lc_spawn(NULL, NULL);
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"capabilities\":{}}}");
  cJSON_Delete(lc_wait_response(c, 0, 10000));
  cJSON *open = cJSON_CreateObject();
  cJSON_AddStringToObject(open, "jsonrpc", "2.0");
  cJSON_AddStringToObject(open, "method", "textDocument/didOpen");
  cJSON *td = cJSON_AddObjectToObject(cJSON_AddObjectToObject(open, "params"), "textDocument");
  cJSON_AddStringToObject(td, "uri", "file:///bench.iml");
  cJSON_AddStringToObject(td, "languageId", "iml");
  cJSON_AddNumberToObject(td, "version", 1);
  cJSON_AddStringToObject(td, "text", text);
  lc_send(c, open);
  cJSON_Delete(open);
  cJSON_Delete(lc_wait(c, 60000, is_diag, NULL));
  printf("file: %s (%zu bytes)\n", argv[1], len);
  int id = 1, version = 1;
  run(c, "textDocument/documentSymbol", n, &id, edits, &version);
  run(c, "textDocument/foldingRange", n, &id, edits, &version);
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"shutdown\"}", id);
  cJSON_Delete(lc_wait_response(c, id, 10000));
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}");
  int st = lc_wait_exit(c, 10000);
  lc_destroy(c);
  free(text);
  return st == 0 ? 0 : 1;
}
