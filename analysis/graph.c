/*
** graph.c — see graph.h.
**
** DESIGN
** Threads: graph_discover runs on the caller's thread; one task per file runs
** on the background pool (`bg`); `done` runs on whichever thread finishes the
** last task (or on the caller when nothing was queued). graph_finish and the
** readers run on one thread after `done`.
** Lock: `mu` protects the hash table (`buckets`), the `files` array and
** `pending`. A graph_file is allocated once and never moves; after its
** insertion only its own task writes its fields, without the lock; the
** lock/unlock around `pending--` (and the caller's wait for `done`)
** publishes them to the reader. No other lock is ever taken while `mu` is
** held; tasks are submitted and `done` is called with `mu` released.
** De-duplication: a file is inserted under `mu` before its task is queued,
** so two importers racing on the same target queue one task only.
** Completion: `pending` counts files inserted but not finished, plus one for
** graph_discover itself while it inserts the roots; a task inserts its
** imports' targets (pending++) before it finishes (pending--), so `pending`
** reaches 0 only when the whole closure is done.
*/
#include "graph.h"
#include "trace.h"
#include "typeck.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GRAPH__BUCKETS 4096

typedef struct graph__entry {
  graph_file *file;
  struct graph__entry *next;
} graph__entry;

struct graph {
  pool *bg;
  char **roots;
  size_t nroots;
  pthread_mutex_t mu;
  graph__entry *buckets[GRAPH__BUCKETS]; /* guarded by mu */
  graph_file **files;                    /* guarded by mu while discovering */
  size_t nfiles, cap;
  size_t pending;                        /* guarded by mu */
  sw_switch *sw;                         /* owned reference during a discovery */
  void (*done)(void *);
  void *done_data;
  /* Type checking (graph_typecheck): indices into the sorted files. */
  const sig *prelude;
  size_t *scc;                           /* strongly connected component of each file */
  size_t *waiting;                       /* imported interfaces not ready yet; guarded by mu */
  size_t **dependents;                   /* files waiting for this one (owned arrays) */
  size_t *ndependents;
  size_t tc_pending;                     /* checks not finished; guarded by mu */
};

typedef struct {
  graph *g;
  graph_file *f;
} graph__job;

static size_t graph__hash(const char *s) {
  size_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h % GRAPH__BUCKETS;
}

graph *graph_create(pool *bg, const char *const *roots, size_t nroots) {
  graph *g = calloc(1, sizeof *g);
  if (!g) return NULL;
  g->bg = bg;
  pthread_mutex_init(&g->mu, NULL);
  g->roots = calloc(nroots ? nroots : 1, sizeof *g->roots);
  if (!g->roots) { free(g); return NULL; }
  for (size_t i = 0; i < nroots; i++) {
    g->roots[i] = strdup(roots[i]);
    if (!g->roots[i]) { g->nroots = i; graph_destroy(g); return NULL; }
  }
  g->nroots = nroots;
  return g;
}

void graph_file_clear(graph_file *f) {
  if (!f) return;
  free(f->path);
  snap_release(f->sn);
  free(f->io_error);
  for (size_t i = 0; f->targets && i < f->nimports; i++) free(f->targets[i]);
  free(f->targets);
  imp_free(f->imports, f->nimports);
  diag_list_clear(&f->import_diags);
  diag_list_clear(&f->type_diags);
  sig_release(f->sig);
  *f = (graph_file){0};
}

static void graph__free_file(graph_file *f) {
  graph_file_clear(f);
  free(f);
}

void graph_destroy(graph *g) {
  if (!g) return;
  for (size_t i = 0; i < GRAPH__BUCKETS; i++) {
    for (graph__entry *e = g->buckets[i]; e;) {
      graph__entry *next = e->next;
      free(e);
      e = next;
    }
  }
  for (size_t i = 0; i < g->nfiles; i++) graph__free_file(g->files[i]);
  free(g->files);
  for (size_t i = 0; g->dependents && i < g->nfiles; i++) free(g->dependents[i]);
  free(g->dependents);
  free(g->ndependents);
  free(g->waiting);
  free(g->scc);
  for (size_t i = 0; i < g->nroots; i++) free(g->roots[i]);
  free(g->roots);
  sw_release(g->sw);
  pthread_mutex_destroy(&g->mu);
  free(g);
}

/* Called with mu held. Inserts `path` (borrowed) unless present; returns the
** new file (the caller queues its task) or NULL (present, or OOM). */
static graph_file *graph__insert_locked(graph *g, const char *path, bool *oom) {
  size_t h = graph__hash(path);
  for (graph__entry *e = g->buckets[h]; e; e = e->next)
    if (strcmp(e->file->path, path) == 0) return NULL;
  graph_file *f = calloc(1, sizeof *f);
  graph__entry *e = malloc(sizeof *e);
  if (f) f->path = strdup(path);
  if (g->nfiles == g->cap) {
    size_t cap = g->cap ? g->cap * 2 : 64;
    graph_file **nf = realloc(g->files, cap * sizeof *nf);
    if (nf) { g->files = nf; g->cap = cap; }
  }
  if (!f || !f->path || !e || g->nfiles == g->cap) {
    if (f) free(f->path);
    free(f);
    free(e);
    *oom = true;
    return NULL;
  }
  e->file = f;
  e->next = g->buckets[h];
  g->buckets[h] = e;
  g->files[g->nfiles++] = f;
  g->pending++;
  return f;
}

/* Any thread, mu not held: one fewer pending; the last one calls done. */
static void graph__release_pending(graph *g) {
  pthread_mutex_lock(&g->mu);
  bool last = --g->pending == 0;
  void (*done)(void *) = g->done;
  void *data = g->done_data;
  pthread_mutex_unlock(&g->mu);
  if (last && done) done(data);
}

static void graph__task(void *arg, bool cancelled);

/* Any thread, mu not held: make sure `path` (canonical, borrowed) is or will
** be parsed. */
static void graph__visit(graph *g, const char *path) {
  bool oom = false;
  pthread_mutex_lock(&g->mu);
  graph_file *f = graph__insert_locked(g, path, &oom);
  pthread_mutex_unlock(&g->mu);
  if (!f) return; /* already known (or OOM: the import stays unresolved) */
  graph__job *j = malloc(sizeof *j);
  if (!j) {
    f->io_error = strdup("out of memory");
    graph__release_pending(g);
    return;
  }
  *j = (graph__job){g, f};
  pool_submit(g->bg, graph__task, j, g->sw); /* on failure the task runs cancelled */
}

static char *graph__read(const char *path, size_t *len, char **error) {
  FILE *fp = fopen(path, "rb");
  if (!fp) goto fail;
  size_t cap = 65536, n = 0;
  char *buf = malloc(cap + 1);
  while (buf) {
    size_t got = fread(buf + n, 1, cap - n, fp);
    n += got;
    if (got == 0) break;
    if (n == cap) {
      char *nb = realloc(buf, cap * 2 + 1);
      if (!nb) { free(buf); buf = NULL; break; }
      buf = nb;
      cap *= 2;
    }
  }
  bool bad = ferror(fp);
  fclose(fp);
  if (!buf || bad) { free(buf); goto fail; }
  buf[n] = 0;
  *len = n;
  return buf;
fail: {
  const char *why = strerror(errno ? errno : EIO);
  size_t m = strlen(path) + strlen(why) + 3;
  *error = malloc(m);
  if (*error) snprintf(*error, m, "%s: %s", path, why);
  return NULL;
}
}

void graph_file_analyse(graph_file *f, const char *const *roots, size_t nroots, sw_switch *sw) {
  uint64_t t1 = trace_now_us();
  if (!f->sn && !f->io_error) {
    size_t len = 0;
    char *text = graph__read(f->path, &len, &f->io_error);
    uint64_t t0 = t1;
    t1 = trace_now_us();
    trace_span("read", f->path, t0, t1);
    TSParser *parser = snap_thread_parser();
    if (text && parser) {
      f->sn = snap_build(f->path, 0, text, len, NULL, parser, sw);
      f->parses++;
    } else {
      free(text);
    }
    uint64_t t2 = trace_now_us();
    trace_span("parse", f->path, t1, t2);
    t1 = t2;
  }
  if (!f->sn) {
    if (!f->io_error) f->io_error = strdup(sw_is_on(sw) ? "out of memory" : "cancelled");
    return;
  }
  TSTree *tree = snap_tree_copy(f->sn);
  if (tree && imp_extract(tree, snap_text(f->sn), snap_len(f->sn), &f->imports, &f->nimports) == 0 && f->nimports) {
    f->targets = calloc(f->nimports, sizeof *f->targets);
    if (f->targets && imp_check(f->path, f->imports, f->nimports, roots, nroots, f->targets, &f->import_diags) < 0) {
      free(f->targets); /* imp_check left every slot NULL */
      f->targets = NULL;
    }
  }
  if (tree) ts_tree_delete(tree);
  trace_span("imports", f->path, t1, trace_now_us());
}

static void graph__task(void *arg, bool cancelled) {
  graph__job *j = arg;
  graph *g = j->g;
  graph_file *f = j->f;
  free(j);
  if (cancelled || !sw_is_on(g->sw)) {
    if (!f->io_error) f->io_error = strdup("cancelled");
    graph__release_pending(g);
    return;
  }
  graph_file_analyse(f, (const char *const *)g->roots, g->nroots, g->sw);
  for (size_t i = 0; f->targets && i < f->nimports; i++)
    if (f->targets[i]) graph__visit(g, f->targets[i]);
  graph__release_pending(g);
}

int graph_discover(graph *g, const char *const *paths, size_t n, sw_switch *sw,
                   void (*done)(void *data), void *data) {
  pthread_mutex_lock(&g->mu);
  sw_release(g->sw);
  g->sw = sw_retain(sw);
  g->done = done;
  g->done_data = data;
  g->pending++; /* held while the roots are inserted */
  pthread_mutex_unlock(&g->mu);
  for (size_t i = 0; i < n; i++) {
    char real[PATH_MAX];
    if (realpath(paths[i], real)) {
      graph__visit(g, real);
      continue;
    }
    /* Record the unreadable root under the name the caller gave. */
    int err = errno;
    bool oom = false;
    pthread_mutex_lock(&g->mu);
    graph_file *f = graph__insert_locked(g, paths[i], &oom);
    pthread_mutex_unlock(&g->mu);
    if (f) {
      size_t m = strlen(paths[i]) + 64;
      f->io_error = malloc(m);
      if (f->io_error) snprintf(f->io_error, m, "%s: %s", paths[i], strerror(err));
      graph__release_pending(g);
    }
  }
  graph__release_pending(g);
  return 0;
}

static int graph__cmp(const void *a, const void *b) {
  return strcmp((*(graph_file *const *)a)->path, (*(graph_file *const *)b)->path);
}

static const char *graph__base(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

/* Index of `path` in the sorted files, or -1. */
static long graph__index(const graph *g, const char *path) {
  size_t lo = 0, hi = g->nfiles;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(g->files[mid]->path, path);
    if (c == 0) return (long)mid;
    if (c < 0) lo = mid + 1; else hi = mid;
  }
  return -1;
}

/* One E0108 on import `k` of file `from`, naming the cycle made by the DFS
** stack entries [at, top] (each entry: file index, import index). */
static void graph__report_cycle(graph *g, const size_t (*stack)[2], size_t at, size_t top) {
  size_t cap = 64;
  for (size_t i = at; i <= top; i++) cap += strlen(graph__base(g->files[stack[i][0]]->path)) + 8;
  char *names = malloc(cap);
  if (!names) return;
  size_t w = 0;
  for (size_t i = at; i <= top; i++)
    w += (size_t)snprintf(names + w, cap - w, "%s → ", graph__base(g->files[stack[i][0]]->path));
  snprintf(names + w, cap - w, "%s", graph__base(g->files[stack[at][0]]->path));
  for (size_t i = at; i <= top; i++) {
    graph_file *f = g->files[stack[i][0]];
    size_t k = stack[i][1];
    bool already = false;
    for (size_t d = 0; d < f->import_diags.count; d++)
      already |= f->import_diags.items[d].span.start == f->imports[k].string_span.start &&
                 strcmp(f->import_diags.items[d].code, GRAPH_CODE_CYCLE) == 0;
    if (already) continue;
    size_t m = strlen(names) + 32;
    char *msg = malloc(m);
    if (!msg) continue;
    snprintf(msg, m, "import cycle: %s", names);
    if (diag_list_push(&f->import_diags, f->imports[k].string_span, DIAG_ERROR, GRAPH_CODE_CYCLE, msg) < 0) continue;
    /* Related information: where the next file of the cycle goes on. */
    size_t next = i == top ? at : i + 1;
    graph_file *nf = g->files[stack[next][0]];
    const imp_import *ni = &nf->imports[stack[next][1]];
    char note[512];
    snprintf(note, sizeof note, "`%s` imports `%s` here", graph__base(nf->path),
             graph__base(g->files[stack[next == top ? at : next + 1][0]]->path));
    if (nf->sn)
      diag_add_related(&f->import_diags.items[f->import_diags.count - 1], nf->path, ni->string_span,
                       snap_lines(nf->sn), snap_text(nf->sn), note);
  }
  free(names);
}

static int graph__diag_cmp(const void *a, const void *b) {
  const diag *x = a, *y = b;
  return x->span.start < y->span.start ? -1 : x->span.start > y->span.start;
}

void graph_finish(graph *g) {
  if (g->nfiles > 1) qsort(g->files, g->nfiles, sizeof *g->files, graph__cmp);
  size_t n = g->nfiles;
  /* Iterative DFS: 0 white, 1 on the stack, 2 done. stack[i] = {file, next import}. */
  unsigned char *color = calloc(n ? n : 1, 1);
  size_t (*stack)[2] = malloc((n ? n : 1) * sizeof *stack);
  if (!color || !stack) { free(color); free(stack); return; }
  for (size_t root = 0; root < n; root++) {
    if (color[root]) continue;
    size_t top = 0;
    stack[0][0] = root;
    stack[0][1] = 0;
    color[root] = 1;
    for (;;) {
      graph_file *f = g->files[stack[top][0]];
      size_t k = stack[top][1];
      if (k >= f->nimports || !f->targets) {
        color[stack[top][0]] = 2;
        if (top == 0) break;
        top--;
        stack[top][1]++;
        continue;
      }
      long t = f->targets[k] ? graph__index(g, f->targets[k]) : -1;
      if (t < 0 || color[t] == 2) { stack[top][1]++; continue; }
      if (color[t] == 1) { /* back edge: the cycle is the stack from t to top */
        size_t at = 0;
        while (stack[at][0] != (size_t)t) at++;
        graph__report_cycle(g, (const size_t(*)[2])stack, at, top);
        stack[top][1]++;
        continue;
      }
      color[t] = 1;
      top++;
      stack[top][0] = (size_t)t;
      stack[top][1] = 0;
    }
  }
  free(color);
  free(stack);
  for (size_t i = 0; i < n; i++)
    if (g->files[i]->import_diags.count > 1)
      qsort(g->files[i]->import_diags.items, g->files[i]->import_diags.count, sizeof(diag), graph__diag_cmp);
}

void graph_progress(graph *g, size_t *finished, size_t *known) {
  pthread_mutex_lock(&g->mu);
  *known = g->nfiles;
  *finished = g->nfiles - (g->pending > g->nfiles ? g->nfiles : g->pending);
  pthread_mutex_unlock(&g->mu);
}

size_t graph_count(const graph *g) { return g->nfiles; }
const graph_file *graph_get(const graph *g, size_t i) { return i < g->nfiles ? g->files[i] : NULL; }
const graph_file *graph_find(const graph *g, const char *path) {
  long i = graph__index(g, path);
  return i < 0 ? NULL : g->files[i];
}

/* ------------------------------------------------------------------------ */
/* Type checking in dependency order */

/* Tarjan's strongly connected components, iteratively. */
static int graph__sccs(graph *g) {
  size_t n = g->nfiles;
  size_t *index = malloc((n ? n : 1) * sizeof *index), *low = malloc((n ? n : 1) * sizeof *low);
  size_t *stack = malloc((n ? n : 1) * sizeof *stack), (*call)[2] = malloc((n ? n : 1) * sizeof *call);
  bool *on = calloc(n ? n : 1, 1);
  g->scc = malloc((n ? n : 1) * sizeof *g->scc);
  if (!index || !low || !stack || !call || !on || !g->scc) {
    free(index); free(low); free(stack); free(call); free(on);
    return -1;
  }
  const size_t none = (size_t)-1;
  for (size_t i = 0; i < n; i++) index[i] = none;
  size_t next = 0, sp = 0, ncomp = 0;
  for (size_t root = 0; root < n; root++) {
    if (index[root] != none) continue;
    size_t top = 0;
    call[0][0] = root;
    call[0][1] = 0;
    index[root] = low[root] = next++;
    stack[sp++] = root;
    on[root] = true;
    for (;;) {
      size_t v = call[top][0], k = call[top][1];
      graph_file *f = g->files[v];
      if (f->targets && k < f->nimports) {
        call[top][1]++;
        long w = f->targets[k] ? graph__index(g, f->targets[k]) : -1;
        if (w < 0) continue;
        if (index[w] == none) {
          index[w] = low[w] = next++;
          stack[sp++] = (size_t)w;
          on[w] = true;
          top++;
          call[top][0] = (size_t)w;
          call[top][1] = 0;
        } else if (on[w] && index[w] < low[v]) {
          low[v] = index[w];
        }
        continue;
      }
      if (low[v] == index[v]) {
        size_t w;
        do {
          w = stack[--sp];
          on[w] = false;
          g->scc[w] = ncomp;
        } while (w != v);
        ncomp++;
      }
      if (top == 0) break;
      top--;
      size_t u = call[top][0];
      if (low[v] < low[u]) low[u] = low[v];
    }
  }
  free(index); free(low); free(stack); free(call); free(on);
  return 0;
}

typedef struct {
  graph *g;
  size_t i;
} graph__tjob;

static void graph__check_task(void *arg, bool cancelled);
static void graph__check_finished(graph *g, size_t i);

static void graph__submit_check(graph *g, size_t i) {
  graph__tjob *j = malloc(sizeof *j);
  if (!j) { graph__check_finished(g, i); return; } /* OOM: unchecked, but the rest goes on */
  *j = (graph__tjob){g, i};
  pool_submit(g->bg, graph__check_task, j, g->sw);
}

static void graph__check_file(graph *g, size_t i) {
  graph_file *f = g->files[i];
  const ast_file *ast = snap_ast(f->sn);
  if (!ast) return;
  tc_import *ims = calloc(f->nimports ? f->nimports : 1, sizeof *ims);
  if (!ims) return;
  for (size_t k = 0; k < f->nimports; k++) {
    const imp_import *im = &f->imports[k];
    long t = f->targets && f->targets[k] ? graph__index(g, f->targets[k]) : -1;
    const graph_file *tf = t >= 0 ? g->files[t] : NULL;
    bool usable = tf && g->scc[t] != g->scc[i] && tf->sig;
    ims[k] = (tc_import){im->module, usable ? tf->sig : NULL, !usable, im->string_span, tf ? tf->path : NULL};
  }
  char *modname = imp_module_name(f->path);
  tc_options opt = {.path = f->path, .text = snap_text(f->sn), .len = snap_len(f->sn),
                    .modname = modname ? modname : "", .prelude = g->prelude, .imports = ims,
                    .nimports = f->nimports, .sw = g->sw, .syntax = snap_diagnostics(f->sn)};
  tc_result res;
  uint64_t t0 = trace_now_us();
  if (tc_check(ast, &opt, &res) == 0 || res.sig) {
    f->type_diags = res.diags;
    f->sig = res.sig;
    res.diags = (diag_list){0};
    res.sig = NULL;
  }
  tc_result_clear(&res);
  trace_span("typecheck", f->path, t0, trace_now_us());
  free(modname);
  free(ims);
}

static void graph__check_task(void *arg, bool cancelled) {
  graph__tjob *j = arg;
  graph *g = j->g;
  size_t i = j->i;
  free(j);
  if (!cancelled && sw_is_on(g->sw)) graph__check_file(g, i);
  graph__check_finished(g, i);
}

/* Any thread, mu not held: file i is done; wake the files that were
** waiting for its interface. */
static void graph__check_finished(graph *g, size_t i) {
  size_t ready[64], nready = 0;
  pthread_mutex_lock(&g->mu);
  bool last = --g->tc_pending == 0;
  for (size_t k = 0; k < g->ndependents[i]; k++) {
    size_t d = g->dependents[i][k];
    if (--g->waiting[d] == 0) {
      if (nready == 64) { /* rare: submit outside the lock in batches */
        pthread_mutex_unlock(&g->mu);
        for (size_t r = 0; r < nready; r++) graph__submit_check(g, ready[r]);
        nready = 0;
        pthread_mutex_lock(&g->mu);
      }
      ready[nready++] = d;
    }
  }
  void (*done)(void *) = g->done;
  void *data = g->done_data;
  pthread_mutex_unlock(&g->mu);
  for (size_t r = 0; r < nready; r++) graph__submit_check(g, ready[r]);
  if (last && done) done(data);
}

int graph_typecheck(graph *g, const sig *prelude, sw_switch *sw, void (*done)(void *data), void *data) {
  size_t n = g->nfiles;
  g->prelude = prelude;
  if (graph__sccs(g) < 0) return -1;
  g->waiting = calloc(n ? n : 1, sizeof *g->waiting);
  g->dependents = calloc(n ? n : 1, sizeof *g->dependents);
  g->ndependents = calloc(n ? n : 1, sizeof *g->ndependents);
  size_t *cap = calloc(n ? n : 1, sizeof *cap);
  if (!g->waiting || !g->dependents || !g->ndependents || !cap) { free(cap); return -1; }
  for (size_t i = 0; i < n; i++) {
    graph_file *f = g->files[i];
    for (size_t k = 0; f->targets && k < f->nimports; k++) {
      long t = f->targets[k] ? graph__index(g, f->targets[k]) : -1;
      if (t < 0 || g->scc[t] == g->scc[i]) continue;
      bool dup = false;
      for (size_t d = 0; d < g->ndependents[t] && !dup; d++) dup = g->dependents[t][d] == i;
      if (dup) continue;
      if (g->ndependents[t] == cap[t]) {
        size_t nc = cap[t] ? cap[t] * 2 : 4;
        size_t *nd = realloc(g->dependents[t], nc * sizeof *nd);
        if (!nd) { free(cap); return -1; }
        g->dependents[t] = nd;
        cap[t] = nc;
      }
      g->dependents[t][g->ndependents[t]++] = i;
      g->waiting[i]++;
    }
  }
  free(cap);
  pthread_mutex_lock(&g->mu);
  sw_release(g->sw);
  g->sw = sw_retain(sw);
  g->done = done;
  g->done_data = data;
  g->tc_pending = n + 1; /* +1 while the first tasks are submitted */
  pthread_mutex_unlock(&g->mu);
  /* The files that wait for nothing, listed before any task can run (a
  ** task's completion makes others ready and submits them itself). */
  size_t *roots = malloc((n ? n : 1) * sizeof *roots), nroots = 0;
  if (!roots) return -1;
  for (size_t i = 0; i < n; i++)
    if (g->waiting[i] == 0) roots[nroots++] = i;
  for (size_t r = 0; r < nroots; r++) graph__submit_check(g, roots[r]);
  free(roots);
  pthread_mutex_lock(&g->mu);
  bool last = --g->tc_pending == 0;
  pthread_mutex_unlock(&g->mu);
  if (last && done) done(data);
  return 0;
}
