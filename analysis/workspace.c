/*
** workspace.c — see workspace.h. Single-threaded: every function runs on
** the thread that owns the workspace (the server's loop thread).
*/
#include "workspace.h"
#include "typeck.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ws {
  ws_file **slots;    /* open addressing, power-of-two capacity */
  size_t cap, count;
  ws_file **all;      /* insertion order, for ws_each */
  size_t nall, capall;
  unsigned epoch;     /* traversal marks: file->mark == epoch means visited */
};

static uint64_t ws__hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

ws *ws_create(void) {
  ws *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  w->cap = 256;
  w->slots = calloc(w->cap, sizeof *w->slots);
  if (!w->slots) { free(w); return NULL; }
  return w;
}

void ws_destroy(ws *w) {
  if (!w) return;
  for (size_t i = 0; i < w->nall; i++) {
    ws_file *f = w->all[i];
    graph_file_clear(&f->info);
    sw_release(f->sw);
    free(f->importers);
    sig_release(f->sig);
    tc_ctx_release(f->ctx);
    diag_list_clear(&f->type_diags);
    if (f->check_sw) { sw_turn_off(f->check_sw); sw_release(f->check_sw); }
    free(f);
  }
  free(w->all);
  free(w->slots);
  free(w);
}

ws_file *ws_find(ws *w, const char *path) {
  for (size_t i = ws__hash(path) & (w->cap - 1);; i = (i + 1) & (w->cap - 1)) {
    ws_file *f = w->slots[i];
    if (!f) return NULL;
    if (strcmp(f->info.path, path) == 0) return f;
  }
}

static int ws__grow(ws *w) {
  size_t cap = w->cap * 2;
  ws_file **slots = calloc(cap, sizeof *slots);
  if (!slots) return -1;
  for (size_t i = 0; i < w->nall; i++) {
    size_t j = ws__hash(w->all[i]->info.path) & (cap - 1);
    while (slots[j]) j = (j + 1) & (cap - 1);
    slots[j] = w->all[i];
  }
  free(w->slots);
  w->slots = slots;
  w->cap = cap;
  return 0;
}

ws_file *ws_intern(ws *w, const char *path) {
  ws_file *f = ws_find(w, path);
  if (f) return f;
  if ((w->count + 1) * 2 > w->cap && ws__grow(w) < 0) return NULL;
  if (w->nall == w->capall) {
    size_t cap = w->capall ? w->capall * 2 : 64;
    ws_file **all = realloc(w->all, cap * sizeof *all);
    if (!all) return NULL;
    w->all = all;
    w->capall = cap;
  }
  f = calloc(1, sizeof *f);
  if (!f || !(f->info.path = strdup(path))) { free(f); return NULL; }
  size_t i = ws__hash(path) & (w->cap - 1);
  while (w->slots[i]) i = (i + 1) & (w->cap - 1);
  w->slots[i] = f;
  w->count++;
  w->all[w->nall++] = f;
  return f;
}

/* Edges: f is in t->importers for each distinct READY target t of f. */
static void ws__unlink(ws *w, ws_file *f) {
  for (size_t k = 0; f->info.targets && k < f->info.nimports; k++) {
    ws_file *t = f->info.targets[k] ? ws_find(w, f->info.targets[k]) : NULL;
    for (size_t i = 0; t && i < t->nimporters; i++) {
      if (t->importers[i] == f) {
        t->importers[i] = t->importers[--t->nimporters];
        break;
      }
    }
  }
}

static void ws__link(ws *w, ws_file *f) {
  for (size_t k = 0; f->info.targets && k < f->info.nimports; k++) {
    ws_file *t = f->info.targets[k] ? ws_intern(w, f->info.targets[k]) : NULL;
    if (!t) continue;
    bool present = false;
    for (size_t i = 0; i < t->nimporters && !present; i++) present = t->importers[i] == f;
    if (present) continue;
    if (t->nimporters == t->capimporters) {
      size_t cap = t->capimporters ? t->capimporters * 2 : 4;
      ws_file **n = realloc(t->importers, cap * sizeof *n);
      if (!n) continue; /* OOM: this edge is missing; the next re-check restores it */
      t->importers = n;
      t->capimporters = cap;
    }
    t->importers[t->nimporters++] = f;
  }
}

static uint64_t ws__shape(const graph_file *g) {
  uint64_t h = 1469598103934665603ull ^ g->nimports;
  for (size_t k = 0; k < g->nimports; k++) {
    const char *t = g->targets && g->targets[k] ? g->targets[k] : "";
    h = (h ^ ws__hash(t)) * 1099511628211ull;
    h = (h ^ g->imports[k].string_span.start) * 1099511628211ull;
    h = (h ^ g->imports[k].string_span.end) * 1099511628211ull;
  }
  return h;
}

bool ws_set(ws *w, ws_file *f, graph_file *a, sw_switch *sw) {
  uint64_t old = f->state == WS_READY ? f->shape : 0;
  bool had = f->state == WS_READY;
  ws__unlink(w, f);
  char *path = f->info.path;
  f->info.path = NULL;
  graph_file_clear(&f->info);
  free(a->path);
  a->path = NULL;
  f->info = *a;
  f->info.path = path;
  *a = (graph_file){0};
  sw_release(f->sw);
  f->sw = sw_retain(sw);
  f->state = WS_READY;
  f->gen++;
  f->shape = ws__shape(&f->info);
  ws__link(w, f);
  ws_mark_dirty(f);
  return !had || old != f->shape;
}

bool ws_invalidate(ws *w, ws_file *f) {
  bool had = f->state == WS_READY;
  ws__unlink(w, f);
  char *path = f->info.path;
  f->info.path = NULL;
  graph_file_clear(&f->info);
  f->info.path = path;
  sw_release(f->sw);
  f->sw = NULL;
  f->state = WS_UNLOADED;
  f->gen++;
  f->shape = 0;
  ws_mark_dirty(f);
  return had;
}

unsigned ws_begin_load(ws_file *f) {
  assert(f->state == WS_UNLOADED);
  f->state = WS_LOADING;
  return ++f->gen;
}

/* A FIFO of files for breadth-first walks. */
typedef struct {
  ws_file **items;
  size_t head, tail, cap;
  bool oom;
} ws__queue;

static void ws__push(ws__queue *q, ws_file *f) {
  if (q->tail == q->cap) {
    size_t cap = q->cap ? q->cap * 2 : 64;
    ws_file **n = realloc(q->items, cap * sizeof *n);
    if (!n) { q->oom = true; return; }
    q->items = n;
    q->cap = cap;
  }
  q->items[q->tail++] = f;
}

bool ws_closure(ws *w, ws_file *root, void (*missing)(ws_file *f, void *data), void *data) {
  unsigned epoch = ++w->epoch;
  ws__queue q = {0};
  bool complete = true;
  root->mark = epoch;
  ws__push(&q, root);
  while (q.head < q.tail) {
    ws_file *f = q.items[q.head++];
    if (f->state != WS_READY) {
      complete = false;
      if (f->state == WS_UNLOADED && missing) missing(f, data);
      continue;
    }
    for (size_t k = 0; f->info.targets && k < f->info.nimports; k++) {
      ws_file *t = f->info.targets[k] ? ws_intern(w, f->info.targets[k]) : NULL;
      if (!t || t->mark == epoch) continue;
      t->mark = epoch;
      ws__push(&q, t);
    }
  }
  free(q.items);
  return complete && !q.oom;
}

void ws_importers(ws *w, ws_file *f, void (*fn)(ws_file *f, void *data), void *data) {
  unsigned epoch = ++w->epoch;
  ws__queue q = {0};
  ws__push(&q, f);
  while (q.head < q.tail) {
    ws_file *x = q.items[q.head++];
    for (size_t i = 0; i < x->nimporters; i++) {
      ws_file *y = x->importers[i];
      if (y->mark == epoch) continue;
      y->mark = epoch;
      fn(y, data);
      ws__push(&q, y);
    }
  }
  free(q.items);
}

static const char *ws__base(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

/* Breadth-first from `from` over READY files looking for an import of `to`.
** On success every file on the way (but `from`) has `via` (predecessor) and
** `via_import` (the predecessor's import that leads to it) set, *last is
** the file whose import *last_k names `to`, and true is returned. */
static bool ws__path(ws *w, ws_file *from, ws_file *to, ws_file **last, size_t *last_k) {
  unsigned epoch = ++w->epoch;
  ws__queue q = {0};
  bool found = false;
  from->mark = epoch;
  from->via = NULL;
  ws__push(&q, from);
  while (q.head < q.tail && !found) {
    ws_file *x = q.items[q.head++];
    if (x->state != WS_READY || !x->info.targets) continue;
    for (size_t k = 0; k < x->info.nimports && !found; k++) {
      ws_file *t = x->info.targets[k] ? ws_find(w, x->info.targets[k]) : NULL;
      if (t == to) {
        *last = x;
        *last_k = k;
        found = true;
      } else if (t && t->mark != epoch) {
        t->mark = epoch;
        t->via = x;
        t->via_import = k;
        ws__push(&q, t);
      }
    }
  }
  free(q.items);
  return found;
}

int ws_cycles(ws *w, ws_file *f, diag_list *out) {
  if (f->state != WS_READY || !f->info.targets) return 0;
  for (size_t k = 0; k < f->info.nimports; k++) {
    ws_file *t = f->info.targets[k] ? ws_find(w, f->info.targets[k]) : NULL;
    ws_file *last = NULL;
    size_t closing = 0;
    if (!t || t == f || !ws__path(w, t, f, &last, &closing)) continue;
    /* The cycle: f -> t -> … -> last -> f. Collect it backwards from last. */
    size_t n = 0, cap = 8;
    ws_file **chain = malloc(cap * sizeof *chain);
    size_t *imps = malloc(cap * sizeof *imps);
    if (!chain || !imps) { free(chain); free(imps); return -1; }
    for (ws_file *x = last; x; x = x == t ? NULL : x->via) {
      if (n == cap) {
        cap *= 2;
        ws_file **nc = realloc(chain, cap * sizeof *nc);
        if (nc) chain = nc;
        size_t *ni = realloc(imps, cap * sizeof *ni);
        if (ni) imps = ni;
        if (!nc || !ni) { free(chain); free(imps); return -1; }
      }
      chain[n++] = x;
    }
    /* chain is t..last reversed; imps[i] = the import of chain[i] that leads on. */
    for (size_t i = 0; i < n / 2; i++) {
      ws_file *x = chain[i];
      chain[i] = chain[n - 1 - i];
      chain[n - 1 - i] = x;
    }
    for (size_t i = 0; i + 1 < n; i++) imps[i] = chain[i + 1]->via_import;
    imps[n - 1] = closing;
    size_t len = strlen(ws__base(f->info.path)) * 2 + 32;
    for (size_t i = 0; i < n; i++) len += strlen(ws__base(chain[i]->info.path)) + 8;
    char *msg = malloc(len);
    if (!msg) { free(chain); free(imps); return -1; }
    size_t m = (size_t)snprintf(msg, len, "import cycle: %s", ws__base(f->info.path));
    for (size_t i = 0; i < n; i++) m += (size_t)snprintf(msg + m, len - m, " → %s", ws__base(chain[i]->info.path));
    snprintf(msg + m, len - m, " → %s", ws__base(f->info.path));
    int rc = diag_list_push(out, f->info.imports[k].string_span, DIAG_ERROR, GRAPH_CODE_CYCLE, msg);
    if (rc == 0 && t->info.sn) {
      const char *next = n > 1 ? chain[1]->info.path : f->info.path;
      char note[512];
      snprintf(note, sizeof note, "`%s` imports `%s` here", ws__base(t->info.path), ws__base(next));
      rc = diag_add_related(&out->items[out->count - 1], t->info.path, t->info.imports[imps[0]].string_span,
                            snap_lines(t->info.sn), snap_text(t->info.sn), note);
    }
    free(chain);
    free(imps);
    if (rc < 0) return -1;
  }
  return 0;
}

void ws_each(ws *w, void (*fn)(ws_file *f, void *data), void *data) {
  for (size_t i = 0; i < w->nall; i++) fn(w->all[i], data);
}

size_t ws_count(const ws *w) { return w->count; }

void ws_mark_dirty(ws_file *f) {
  f->dirty = true;
  f->check_gen++;
  if (f->check_sw) {
    sw_turn_off(f->check_sw);
    sw_release(f->check_sw);
    f->check_sw = NULL;
  }
}

bool ws_same_component(const ws_file *a, const ws_file *b) { return a->scc == b->scc; }

/* Tarjan's components over the READY files reachable from the roots
** (iterative). Files get scc = component number; `order` receives them. */
typedef struct {
  ws_file *f;
  size_t k;
} ws__frame;

static bool ws__tarjan(ws *w, ws_file *const *roots, size_t n, ws_file ***order, size_t *norder) {
  unsigned epoch = ++w->epoch;
  size_t cap = 64, sp = 0, fcap = 64, nfr = 0, next = 0, comp = 0;
  ws_file **stack = malloc(cap * sizeof *stack);
  ws__frame *frames = malloc(fcap * sizeof *frames);
  ws_file **out = malloc(cap * sizeof *out);
  size_t nout = 0, outcap = cap;
  bool ok = stack && frames && out;
  for (size_t r = 0; ok && r < n; r++) {
    if (roots[r]->mark == epoch) continue;
    ws_file *v0 = roots[r];
    v0->mark = epoch;
    v0->index = v0->low = next++;
    v0->on_stack = true;
    stack[sp++] = v0;
    frames[nfr++] = (ws__frame){v0, 0};
    while (ok && nfr) {
      ws__frame *fr = &frames[nfr - 1];
      ws_file *v = fr->f;
      if (v->state == WS_READY && v->info.targets && fr->k < v->info.nimports) {
        size_t k = fr->k++;
        ws_file *t = v->info.targets[k] ? ws_find(w, v->info.targets[k]) : NULL;
        if (!t) continue;
        if (t->mark != epoch) {
          t->mark = epoch;
          t->index = t->low = next++;
          t->on_stack = true;
          if (sp == cap || nfr == fcap) {
            size_t ncap = cap * 2;
            ws_file **ns = realloc(stack, ncap * sizeof *ns);
            if (ns) stack = ns;
            ws__frame *nf = realloc(frames, ncap * sizeof *nf);
            if (nf) frames = nf;
            if (!ns || !nf) { ok = false; break; }
            cap = fcap = ncap;
          }
          stack[sp++] = t;
          frames[nfr++] = (ws__frame){t, 0};
        } else if (t->on_stack && t->index < v->low) {
          v->low = t->index;
        }
        continue;
      }
      if (v->low == v->index) {
        ws_file *x;
        do {
          x = stack[--sp];
          x->on_stack = false;
          x->scc = comp;
          if (nout == outcap) {
            ws_file **no = realloc(out, (outcap *= 2) * sizeof *no);
            if (!no) { ok = false; break; }
            out = no;
          }
          out[nout++] = x;
        } while (x != v);
        comp++;
      }
      nfr--;
      if (nfr && v->low < frames[nfr - 1].f->low) frames[nfr - 1].f->low = v->low;
    }
  }
  free(stack);
  free(frames);
  if (!ok) { free(out); return false; }
  *order = out;
  *norder = nout;
  return true;
}

void ws_check_ready(ws *w, ws_file *const *roots, size_t n, void (*ready)(ws_file *f, void *data), void *data) {
  ws_file **order = NULL;
  size_t norder = 0;
  if (!ws__tarjan(w, roots, n, &order, &norder)) return;
  /* Tarjan emits components in reverse topological order: dependencies
  ** first, which is the order checks should start in. */
  for (size_t i = 0; i < norder; i++) {
    ws_file *f = order[i];
    if (!f->dirty || f->check_sw || f->state != WS_READY || !f->info.sn) continue;
    bool waiting = false;
    for (size_t k = 0; !waiting && f->info.targets && k < f->info.nimports; k++) {
      ws_file *t = f->info.targets[k] ? ws_find(w, f->info.targets[k]) : NULL;
      if (!t || t->scc == f->scc) continue;
      waiting = t->state != WS_READY || (t->info.sn && (t->dirty || t->check_sw));
    }
    if (!waiting) ready(f, data);
  }
  free(order);
}
