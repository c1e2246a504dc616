/*
** test_workspace.c — the workspace file table: interning, importer edges
** (who imports me) as imports change, closure walks that report what is
** missing, early-cutoff shapes, invalidation, and import cycles through a
** file (2-cycle, 3-cycle, a cycle at the end of a long chain, the shortest
** way back, related information).
*/
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "workspace.h"

static char dir[PATH_MAX];

static void make_dir(void) { cr_assert(tu_make_dir("iml-ws", dir) == 0); }

static const char *path_of(const char *name) {
  static char p[8][PATH_MAX + 64];
  static int next;
  char *buf = p[next++ % 8];
  snprintf(buf, PATH_MAX + 64, "%s/%s", dir, name);
  return buf;
}

static void write_file(const char *name, const char *text) { cr_assert(tu_write_file(dir, name, text) == 0, "%s", name); }

/* Read, parse and analyse `name` from disk and install it; returns the
** file and whether its shape changed. */
static ws_file *load(ws *w, const char *name, bool *changed) {
  graph_file g = {0};
  g.path = strdup(path_of(name));
  graph_file_analyse(&g, NULL, 0, NULL);
  cr_assert(g.sn, "%s: %s", name, g.io_error ? g.io_error : "?");
  ws_file *f = ws_intern(w, path_of(name));
  cr_assert(f);
  bool c = ws_set(w, f, &g, NULL);
  if (changed) *changed = c;
  cr_assert_null(g.path, "ws_set takes what the analysis owns");
  graph_file_clear(&g);
  return f;
}

static void count_cb(ws_file *f, void *data) { (*(size_t *)data)++; }

typedef struct {
  const char *names[16];
  size_t n;
} names;

static void collect_cb(ws_file *f, void *data) {
  names *ns = data;
  const char *base = strrchr(f->info.path, '/');
  if (ns->n < 16) ns->names[ns->n++] = base ? base + 1 : f->info.path;
}

static bool has_name(const names *ns, const char *name) {
  for (size_t i = 0; i < ns->n; i++)
    if (strcmp(ns->names[i], name) == 0) return true;
  return false;
}

Test(workspace, intern_and_find_many) {
  ws *w = ws_create();
  char p[64];
  for (int i = 0; i < 5000; i++) {
    snprintf(p, sizeof p, "/x/f%d.iml", i);
    ws_file *f = ws_intern(w, p);
    cr_assert(f);
    cr_assert_eq(f->state, WS_UNLOADED);
    cr_assert_eq(ws_intern(w, p), f, "interning twice gives the same file");
  }
  cr_assert_eq(ws_count(w), 5000);
  for (int i = 0; i < 5000; i++) {
    snprintf(p, sizeof p, "/x/f%d.iml", i);
    cr_assert(ws_find(w, p) && strcmp(ws_find(w, p)->info.path, p) == 0);
  }
  cr_assert_null(ws_find(w, "/x/none.iml"));
  size_t n = 0;
  ws_each(w, count_cb, &n);
  cr_assert_eq(n, 5000);
  ws_destroy(w);
  ws_destroy(NULL);
}

Test(workspace, importer_edges_follow_the_imports) {
  make_dir();
  write_file("a.iml", "[@@@import \"b.iml\"]\n");
  write_file("b.iml", "[@@@import \"c.iml\"]\nlet x = 1\n");
  write_file("c.iml", "let y = 2\n");
  write_file("d.iml", "[@@@import \"c.iml\"]\n[@@@import \"b.iml\"]\n");
  ws *w = ws_create();
  load(w, "a.iml", NULL);
  ws_file *b = load(w, "b.iml", NULL);
  ws_file *c = load(w, "c.iml", NULL);
  load(w, "d.iml", NULL);
  cr_assert_eq(c->nimporters, 2, "b and d import c");
  names ns = {0};
  ws_importers(w, c, collect_cb, &ns);
  cr_assert_eq(ns.n, 3, "a, b, d (transitively), each once");
  cr_assert(has_name(&ns, "a.iml") && has_name(&ns, "b.iml") && has_name(&ns, "d.iml"));

  /* b no longer imports c: c loses b (and a with it) as importers. */
  write_file("b.iml", "let x = 1\n");
  bool changed = false;
  load(w, "b.iml", &changed);
  cr_assert(changed, "new targets: a new shape");
  ns.n = 0;
  ws_importers(w, c, collect_cb, &ns);
  cr_assert_eq(ns.n, 1);
  cr_assert(has_name(&ns, "d.iml"));
  ns.n = 0;
  ws_importers(w, b, collect_cb, &ns);
  cr_assert(ns.n == 2 && has_name(&ns, "a.iml") && has_name(&ns, "d.iml"));

  /* The same imports again, with a different body: same shape (early cutoff). */
  write_file("b.iml", "let x = 2\nlet z = x\n");
  load(w, "b.iml", &changed);
  cr_assert_not(changed, "a body-only change keeps the shape");
  /* An import moved (other span): a new shape. */
  write_file("b.iml", "let x = 2\n[@@@import \"c.iml\"]\n");
  load(w, "b.iml", &changed);
  cr_assert(changed);

  /* Invalidation drops the analysis and the edges. */
  unsigned gen = b->gen;
  cr_assert(ws_invalidate(w, b));
  cr_assert_eq(b->state, WS_UNLOADED);
  cr_assert_gt(b->gen, gen);
  cr_assert_null(b->info.sn);
  cr_assert_eq(c->nimporters, 1);
  cr_assert_not(ws_invalidate(w, b), "already unloaded");
  cr_assert_gt(ws_begin_load(b), gen);
  cr_assert_eq(b->state, WS_LOADING);
  ws_destroy(w);
}

static void missing_cb(ws_file *f, void *data) { collect_cb(f, data); }

Test(workspace, closure_reports_what_is_missing) {
  make_dir();
  write_file("a.iml", "[@@@import \"b.iml\"]\n[@@@import \"c.iml\"]\n");
  write_file("b.iml", "[@@@import \"c.iml\"]\n");
  write_file("c.iml", "[@@@import \"gone.iml\"]\nlet y = 2\n");
  ws *w = ws_create();
  ws_file *a = load(w, "a.iml", NULL);
  names ns = {0};
  cr_assert_not(ws_closure(w, a, missing_cb, &ns));
  cr_assert(ns.n == 2 && has_name(&ns, "b.iml") && has_name(&ns, "c.iml"), "each missing file once");
  load(w, "b.iml", NULL);
  ns.n = 0;
  cr_assert_not(ws_closure(w, a, missing_cb, &ns));
  cr_assert(ns.n == 1 && has_name(&ns, "c.iml"));
  /* A LOADING file is not reported again, but the closure is not complete. */
  ws_begin_load(ws_find(w, path_of("c.iml")));
  ns.n = 0;
  cr_assert_not(ws_closure(w, a, missing_cb, &ns));
  cr_assert_eq(ns.n, 0);
  load(w, "c.iml", NULL);
  ns.n = 0;
  cr_assert(ws_closure(w, a, missing_cb, &ns), "an unresolved import does not keep the closure open");
  cr_assert_eq(ns.n, 0);
  ws_destroy(w);
}

/* The cycle diagnostics of `f` as "message|related path base|related message" lines. */
static char *cycles_of(ws *w, ws_file *f, size_t *count) {
  diag_list l = {0};
  cr_assert_eq(ws_cycles(w, f, &l), 0);
  char *out = calloc(1, 8192);
  for (size_t i = 0; i < l.count; i++) {
    cr_assert_str_eq(l.items[i].code, GRAPH_CODE_CYCLE);
    cr_assert_eq(l.items[i].nrelated, 1);
    const diag_related *r = &l.items[i].related[0];
    size_t m = strlen(out);
    snprintf(out + m, 8192 - m, "%s|%s|%s|%u:%u\n", l.items[i].message, strrchr(r->path, '/') + 1, r->message,
             r->range16.start.line, r->range16.start.character);
  }
  *count = l.count;
  diag_list_clear(&l);
  return out;
}

Test(workspace, two_and_three_cycles) {
  make_dir();
  write_file("a.iml", "[@@@import \"b.iml\"]\n");
  write_file("b.iml", "let x = 1\n[@@@import \"a.iml\"]\n");
  ws *w = ws_create();
  ws_file *a = load(w, "a.iml", NULL);
  size_t n;
  char *s = cycles_of(w, a, &n);
  cr_assert_eq(n, 0, "b not loaded yet: no cycle known");
  free(s);
  ws_file *b = load(w, "b.iml", NULL);
  s = cycles_of(w, a, &n);
  cr_assert_eq(n, 1);
  cr_assert_str_eq(s, "import cycle: a.iml → b.iml → a.iml|b.iml|`b.iml` imports `a.iml` here|1:11\n");
  free(s);
  s = cycles_of(w, b, &n);
  cr_assert_str_eq(s, "import cycle: b.iml → a.iml → b.iml|a.iml|`a.iml` imports `b.iml` here|0:11\n");
  free(s);

  write_file("a.iml", "[@@@import \"b.iml\"]\n");
  write_file("b.iml", "[@@@import \"c.iml\"]\n");
  write_file("c.iml", "[@@@import \"a.iml\"]\n");
  load(w, "b.iml", NULL);
  ws_file *c = load(w, "c.iml", NULL);
  s = cycles_of(w, a, &n);
  cr_assert_str_eq(s, "import cycle: a.iml → b.iml → c.iml → a.iml|b.iml|`b.iml` imports `c.iml` here|0:11\n");
  free(s);
  s = cycles_of(w, c, &n);
  cr_assert_str_eq(s, "import cycle: c.iml → a.iml → b.iml → c.iml|a.iml|`a.iml` imports `b.iml` here|0:11\n");
  free(s);
  ws_destroy(w);
}

Test(workspace, cycle_at_the_end_of_a_long_chain) {
  make_dir();
  char name[32], text[64];
  for (int i = 0; i < 10; i++) {
    snprintf(name, sizeof name, "f%d.iml", i);
    snprintf(text, sizeof text, "[@@@import \"f%d.iml\"]\n", i < 9 ? i + 1 : 7);
    write_file(name, text);
  }
  ws *w = ws_create();
  ws_file *f[10];
  for (int i = 0; i < 10; i++) {
    snprintf(name, sizeof name, "f%d.iml", i);
    f[i] = load(w, name, NULL);
  }
  size_t n;
  for (int i = 0; i < 7; i++) {
    char *s = cycles_of(w, f[i], &n);
    cr_assert_eq(n, 0, "f%d leads into the cycle but is not on it", i);
    free(s);
  }
  char *s = cycles_of(w, f[8], &n);
  cr_assert_str_eq(s, "import cycle: f8.iml → f9.iml → f7.iml → f8.iml|f9.iml|`f9.iml` imports `f7.iml` here|0:11\n");
  free(s);
  cr_assert(ws_closure(w, f[0], NULL, NULL), "a cycle does not stop the closure walk");
  ws_destroy(w);
}

Test(workspace, shortest_way_back_for_each_import) {
  make_dir();
  write_file("a.iml", "[@@@import \"b.iml\"]\n[@@@import \"c.iml\"]\n[@@@import \"e.iml\"]\n");
  write_file("b.iml", "[@@@import \"c.iml\"]\n[@@@import \"a.iml\"]\n");
  write_file("c.iml", "[@@@import \"d.iml\"]\n");
  write_file("d.iml", "[@@@import \"a.iml\"]\n");
  write_file("e.iml", "let e = 0\n");
  ws *w = ws_create();
  ws_file *a = load(w, "a.iml", NULL);
  load(w, "b.iml", NULL);
  load(w, "c.iml", NULL);
  load(w, "d.iml", NULL);
  load(w, "e.iml", NULL);
  size_t n;
  char *s = cycles_of(w, a, &n);
  cr_assert_eq(n, 2, "one diagnostic per import on a cycle; e.iml is not");
  cr_assert_str_eq(s,
                   "import cycle: a.iml → b.iml → a.iml|b.iml|`b.iml` imports `a.iml` here|1:11\n"
                   "import cycle: a.iml → c.iml → d.iml → a.iml|c.iml|`c.iml` imports `d.iml` here|0:11\n");
  free(s);
  ws_destroy(w);
}
