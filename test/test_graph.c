/*
** test_graph.c — parallel import-graph discovery: each file parsed once
** (diamonds, races), closure equal to a sequential reference on random
** graphs, cycles of every shape, missing files, cancellation.
*/
#include <criterion/criterion.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graph.h"
#include "testutil.h"

typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool done;
  int calls;
} waiter;

static void on_done(void *data) {
  waiter *w = data;
  pthread_mutex_lock(&w->mu);
  w->done = true;
  w->calls++;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
}

static char dir[PATH_MAX];

static void make_dir(void) { cr_assert(tu_make_dir("iml-graph", dir) == 0); }

static void write_file(const char *name, const char *text) { cr_assert(tu_write_file(dir, name, text) == 0, "%s", name); }

/* Discover from `names` (relative to dir) with `threads` workers. */
static graph *discover(const char *const *names, size_t n, int threads, pool **out_pool) {
  pool *p = pool_create("test-bg", threads, 0);
  cr_assert(p);
  graph *g = graph_create(p, NULL, 0);
  cr_assert(g);
  char **paths = calloc(n, sizeof *paths);
  for (size_t i = 0; i < n; i++) {
    paths[i] = malloc(PATH_MAX + 64);
    snprintf(paths[i], PATH_MAX + 64, "%s/%s", dir, names[i]);
  }
  waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0};
  cr_assert_eq(graph_discover(g, (const char *const *)paths, n, NULL, on_done, &w), 0);
  pthread_mutex_lock(&w.mu);
  while (!w.done) pthread_cond_wait(&w.cv, &w.mu);
  pthread_mutex_unlock(&w.mu);
  pool_destroy(p); /* joins: the callback count is final */
  cr_assert_eq(w.calls, 1, "done called %d times", w.calls);
  graph_finish(g);
  for (size_t i = 0; i < n; i++) free(paths[i]);
  free(paths);
  *out_pool = NULL;
  return g;
}

static const graph_file *file_named(graph *g, const char *name) {
  char p[PATH_MAX + 64];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return graph_find(g, p);
}

static int count_code(const graph_file *f, const char *code) {
  int n = 0;
  for (size_t i = 0; i < f->import_diags.count; i++) n += !strcmp(f->import_diags.items[i].code, code);
  return n;
}

Test(graph, diamond_is_parsed_once) {
  make_dir();
  write_file("top.iml", "[@@@import \"l.iml\"]\n[@@@import \"r.iml\"]\nlet t = 0\n");
  write_file("l.iml", "[@@@import \"base.iml\"]\nlet l = 1\n");
  write_file("r.iml", "[@@@import \"base.iml\"]\nlet r = 2\n");
  write_file("base.iml", "let b = 3\n");
  const char *roots[] = {"top.iml", "l.iml", "top.iml"};
  pool *p;
  graph *g = discover(roots, 3, 4, &p);
  cr_assert_eq(graph_count(g), 4);
  for (size_t i = 0; i < graph_count(g); i++) {
    cr_assert_eq(graph_get(g, i)->parses, 1, "%s parsed %d times", graph_get(g, i)->path, graph_get(g, i)->parses);
    cr_assert_eq(graph_get(g, i)->import_diags.count, 0);
  }
  cr_assert(file_named(g, "base.iml"));
  graph_destroy(g);
}

Test(graph, cycles_are_reported_on_every_import) {
  make_dir();
  write_file("a.iml", "[@@@import \"b.iml\"]\n");                         /* 2-cycle a <-> b */
  write_file("b.iml", "[@@@import \"a.iml\"]\n");
  write_file("x.iml", "[@@@import \"y.iml\"]\n");                         /* 3-cycle x -> y -> z -> x */
  write_file("y.iml", "[@@@import \"z.iml\"]\n");
  write_file("z.iml", "[@@@import \"x.iml\"]\n");
  /* A cycle at the end of a long chain: c0 -> c1 -> … -> c9 -> c8. */
  for (int i = 0; i < 10; i++) {
    char name[32], text[64];
    snprintf(name, sizeof name, "c%d.iml", i);
    snprintf(text, sizeof text, "[@@@import \"c%d.iml\"]\n", i < 9 ? i + 1 : 8);
    write_file(name, text);
  }
  const char *roots[] = {"a.iml", "x.iml", "c0.iml"};
  pool *p;
  graph *g = discover(roots, 3, 2, &p);
  cr_assert_eq(count_code(file_named(g, "a.iml"), GRAPH_CODE_CYCLE), 1);
  cr_assert_eq(count_code(file_named(g, "b.iml"), GRAPH_CODE_CYCLE), 1);
  const graph_file *y = file_named(g, "y.iml");
  cr_assert_eq(count_code(y, GRAPH_CODE_CYCLE), 1);
  cr_assert_str_eq(y->import_diags.items[0].message, "import cycle: x.iml → y.iml → z.iml → x.iml");
  /* Related information points into the next file of the cycle. */
  cr_assert_eq(y->import_diags.items[0].nrelated, 1);
  const diag_related *rel = &y->import_diags.items[0].related[0];
  cr_assert_str_eq(rel->path, file_named(g, "z.iml")->path);
  cr_assert_eq(rel->line, 1);
  cr_assert_eq(rel->col, 12);
  cr_assert_str_eq(rel->message, "`z.iml` imports `x.iml` here");
  for (int i = 0; i < 10; i++) {
    char name[32];
    snprintf(name, sizeof name, "c%d.iml", i);
    cr_assert_eq(count_code(file_named(g, name), GRAPH_CODE_CYCLE), i >= 8 ? 1 : 0, "%s", name);
  }
  graph_destroy(g);
}

Test(graph, missing_files_and_roots) {
  make_dir();
  write_file("a.iml", "[@@@import \"gone.iml\"]\nlet a = 1\n");
  const char *roots[] = {"a.iml", "no-such-root.iml"};
  pool *p;
  graph *g = discover(roots, 2, 2, &p);
  cr_assert_eq(graph_count(g), 2);
  const graph_file *a = file_named(g, "a.iml");
  cr_assert_eq(count_code(a, IMP_CODE_NOT_FOUND), 1);
  bool root_error = false;
  for (size_t i = 0; i < graph_count(g); i++) root_error |= graph_get(g, i)->io_error != NULL;
  cr_assert(root_error, "the missing root is not reported");
  graph_destroy(g);
}

/* Random DAG-or-not graphs: the parallel closure equals a sequential BFS
** over the same edges, and every file is parsed once. */
Test(graph, random_graphs_match_sequential_reference, .timeout = 120) {
  tu_rng rng;
  tu_rng_seed(&rng, 99);
  for (int round = 0; round < 20; round++) {
    make_dir();
    int n = 5 + (int)tu_rng_below(&rng, 60);
    bool edge[64][64] = {{false}};
    for (int i = 0; i < n; i++) {
      char text[4096] = "", name[32];
      size_t w = 0;
      int k = (int)tu_rng_below(&rng, 5);
      for (int e = 0; e < k; e++) {
        int t = (int)tu_rng_below(&rng, (uint64_t)n);
        if (t == i || edge[i][t]) continue;
        edge[i][t] = true;
        w += (size_t)snprintf(text + w, sizeof text - w, "[@@@import \"f%d.iml\"]\n", t);
      }
      snprintf(text + w, sizeof text - w, "let v%d = %d\n", i, i);
      snprintf(name, sizeof name, "f%d.iml", i);
      write_file(name, text);
    }
    int start = (int)tu_rng_below(&rng, (uint64_t)n);
    bool seen[64] = {false};
    int queue[64], qh = 0, qt = 0, reach = 0;
    queue[qt++] = start;
    seen[start] = true;
    while (qh < qt) {
      int u = queue[qh++];
      reach++;
      for (int v = 0; v < n; v++)
        if (edge[u][v] && !seen[v]) { seen[v] = true; queue[qt++] = v; }
    }
    char root[32];
    snprintf(root, sizeof root, "f%d.iml", start);
    const char *roots[] = {root};
    pool *p;
    graph *g = discover(roots, 1, 1 + (int)tu_rng_below(&rng, 4), &p);
    cr_assert_eq((int)graph_count(g), reach, "round %d: %zu files, expected %d", round, graph_count(g), reach);
    for (int v = 0; v < n; v++) {
      char name[32];
      snprintf(name, sizeof name, "f%d.iml", v);
      const graph_file *f = file_named(g, name);
      cr_assert_eq(f != NULL, seen[v], "round %d: f%d", round, v);
      if (f) cr_assert_eq(f->parses, 1);
    }
    graph_destroy(g);
  }
}

Test(graph, off_switch_cancels_discovery) {
  make_dir();
  write_file("a.iml", "[@@@import \"b.iml\"]\n");
  write_file("b.iml", "let b = 1\n");
  pool *p = pool_create("test-bg", 2, 0);
  graph *g = graph_create(p, NULL, 0);
  sw_switch *sw = sw_create(NULL);
  sw_turn_off(sw);
  char path[PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/a.iml", dir);
  const char *paths[] = {path};
  waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0};
  cr_assert_eq(graph_discover(g, paths, 1, sw, on_done, &w), 0);
  pthread_mutex_lock(&w.mu);
  while (!w.done) pthread_cond_wait(&w.cv, &w.mu);
  pthread_mutex_unlock(&w.mu);
  pool_destroy(p);
  cr_assert_eq(w.calls, 1);
  graph_finish(g);
  cr_assert_eq(graph_count(g), 1); /* b.iml was never reached */
  cr_assert(graph_get(g, 0)->io_error);
  graph_destroy(g);
  sw_release(sw);
}
