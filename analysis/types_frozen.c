/*
** types_frozen.c — frozen schemes: immutable, store-independent types for
** cross-file interfaces (see types.h).
**
** A frozen scheme is one malloc'd block: a header, the nodes (children
** before parents), the child index lists of APP and TUPLE nodes, and the
** strings (labels, user names of variables). Freezing is canonical:
** variables are numbered by first occurrence in a left-to-right depth-first
** walk (after the explicit parameters), and structurally equal subterms are
** merged (hash-consing), so two types equal up to renaming of variables
** give identical node arrays whatever their sharing was in the store. The
** hash and equality then compare arrays, ignoring user variable names.
**
** Thread-safety: freezing and thawing use the store (one thread); a frozen
** scheme is never written after ty_freeze returns, so any number of threads
** may thaw, hash, compare or print it concurrently.
*/
#include "types.h"
#include "types_impl.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define TY__NONE UINT32_MAX        /* no string / node in progress */

/* The frozen scheme being built. */
typedef struct {
  ty__fnode *nodes;
  uint32_t nn, cn;
  uint32_t *kids;
  uint32_t nk, ck;
  char *strs;
  uint32_t ns, cs;
  uint32_t *table;   /* open addressing: node index + 1, 0 = empty */
  uint32_t tcap;     /* power of two */
  uint32_t nvars;
  bool oom;
} ty__fb;

static uint64_t ty__mix(uint64_t h, uint64_t x) {
  h ^= x;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

static uint64_t ty__mix_str(uint64_t h, const char *str) {
  uint64_t f = 0xcbf29ce484222325ull;
  for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
    f ^= *p;
    f *= 0x100000001b3ull;
  }
  return ty__mix(h, f);
}

/* Hash of a node's content: kind, label, constructor id, variable number
** and child indices; never offsets, names or pointers. */
static uint64_t ty__fnode_hash(const ty__fnode *n, const uint32_t *kids, const char *strs) {
  uint64_t h = ty__mix(0x6a09e667f3bcc909ull, (uint64_t)n->kind << 8 | n->lk);
  switch (n->kind) {
  case TY_VAR:
    h = ty__mix(h, n->a);
    break;
  case TY_APP:
    h = ty__mix(h, n->con->id);
    /* fall through */
  case TY_TUPLE:
    h = ty__mix(h, n->a);
    for (uint32_t i = 0; i < n->a; i++) h = ty__mix(h, kids[n->b + i]);
    break;
  case TY_ARROW:
    h = ty__mix(ty__mix(h, n->a), n->b);
    if (n->label != TY__NONE) h = ty__mix_str(h, strs + n->label);
    break;
  default:
    break;
  }
  return h;
}

/* Same content (variables are never merged). */
static bool ty__fnode_eq(const ty__fnode *x, const uint32_t *kx, const char *sx,
                         const ty__fnode *y, const uint32_t *ky, const char *sy, bool vars) {
  if (x->kind != y->kind || x->lk != y->lk) return false;
  switch (x->kind) {
  case TY_VAR:
    return vars && x->a == y->a;
  case TY_APP:
    if (x->con->id != y->con->id) return false;
    /* fall through */
  case TY_TUPLE:
    return x->a == y->a &&
           (x->a == 0 || memcmp(kx + x->b, ky + y->b, (size_t)x->a * sizeof *kx) == 0);
  case TY_ARROW:
    if (x->a != y->a || x->b != y->b) return false;
    if ((x->label == TY__NONE) != (y->label == TY__NONE)) return false;
    return x->label == TY__NONE || strcmp(sx + x->label, sy + y->label) == 0;
  default:
    return true;
  }
}

static void *ty__grow(void *p, uint32_t *cap, uint32_t need, size_t elem) {
  if (need <= *cap) return p;
  uint32_t c = *cap ? *cap : 16;
  while (c < need) {
    if (c > UINT32_MAX / 2) return NULL;
    c *= 2;
  }
  void *q = realloc(p, (size_t)c * elem);
  if (q) *cap = c;
  return q;
}

static bool ty__fb_kids(ty__fb *fb, uint32_t extra) {
  if (fb->nk > UINT32_MAX - extra) return false;
  if (fb->nk + extra <= fb->ck) return true;
  uint32_t *k = ty__grow(fb->kids, &fb->ck, fb->nk + extra, sizeof *k);
  if (!k) return false;
  fb->kids = k;
  return true;
}

static uint32_t ty__fb_str(ty__fb *fb, const char *str) {
  size_t len = strlen(str) + 1;
  if (len > UINT32_MAX - fb->ns) {
    fb->oom = true;
    return TY__NONE;
  }
  char *p = ty__grow(fb->strs, &fb->cs, fb->ns + (uint32_t)len, 1);
  if (!p) {
    fb->oom = true;
    return TY__NONE;
  }
  fb->strs = p;
  memcpy(p + fb->ns, str, len);
  uint32_t off = fb->ns;
  fb->ns += (uint32_t)len;
  return off;
}

static bool ty__fb_rehash(ty__fb *fb) {
  uint32_t cap = fb->tcap ? fb->tcap * 2 : 64;
  uint32_t *t = calloc(cap, sizeof *t);
  if (!t) return false;
  for (uint32_t i = 0; i < fb->nn; i++) {
    if (fb->nodes[i].kind == TY_VAR) continue;
    uint32_t j = (uint32_t)ty__fnode_hash(&fb->nodes[i], fb->kids, fb->strs) & (cap - 1);
    while (t[j]) j = (j + 1) & (cap - 1);
    t[j] = i + 1;
  }
  free(fb->table);
  fb->table = t;
  fb->tcap = cap;
  return true;
}

/* Add node `n` (its kids/label already appended at the ends of the arrays,
** from kids_mark / strs_mark on) or find an equal one, rolling the
** appended data back. Returns the index, TY__NONE on OOM. */
static uint32_t ty__fb_emit(ty__fb *fb, ty__fnode n, uint32_t kids_mark, uint32_t strs_mark) {
  if (fb->oom) return TY__NONE;
  uint64_t h = 0;
  if (n.kind != TY_VAR) {
    if ((fb->nn + 1) * 2 > fb->tcap && !ty__fb_rehash(fb)) {
      fb->oom = true;
      return TY__NONE;
    }
    h = ty__fnode_hash(&n, fb->kids, fb->strs);
    for (uint32_t j = (uint32_t)h & (fb->tcap - 1); fb->table[j]; j = (j + 1) & (fb->tcap - 1)) {
      uint32_t i = fb->table[j] - 1;
      if (ty__fnode_eq(&fb->nodes[i], fb->kids, fb->strs, &n, fb->kids, fb->strs, false)) {
        fb->nk = kids_mark;
        fb->ns = strs_mark;
        return i;
      }
    }
  }
  ty__fnode *nodes = ty__grow(fb->nodes, &fb->cn, fb->nn + 1, sizeof *nodes);
  if (!nodes || fb->nn == TY__NONE - 1) {
    fb->oom = true;
    return TY__NONE;
  }
  fb->nodes = nodes;
  uint32_t idx = fb->nn++;
  nodes[idx] = n;
  if (n.kind != TY_VAR) {
    uint32_t j = (uint32_t)h & (fb->tcap - 1);
    while (fb->table[j]) j = (j + 1) & (fb->tcap - 1);
    fb->table[j] = idx + 1;
  }
  return idx;
}

static uint32_t ty__fb_var(ty__fb *fb, const ty *x) {
  ty__fnode n = { .kind = TY_VAR, .a = fb->nvars++, .b = TY__NONE, .label = TY__NONE };
  if (x->u.var.name) n.b = ty__fb_str(fb, x->u.var.name);
  return ty__fb_emit(fb, n, fb->nk, fb->ns);
}

/* Index of the frozen image of child `c` (already emitted). */
static uint32_t ty__idx(ty *c) { return ty_repr(c)->aux.idx; }

static uint32_t ty__fb_composite(ty__fb *fb, ty *x) {
  uint32_t km = fb->nk, sm = fb->ns;
  ty__fnode n = { .kind = x->kind, .lk = x->lk, .label = TY__NONE };
  switch (x->kind) {
  case TY_ERROR:
    break;
  case TY_APP:
  case TY_TUPLE: {
    uint32_t cnt = x->kind == TY_APP ? x->u.app.n : x->u.tuple.n;
    ty **ch = x->kind == TY_APP ? x->u.app.args : x->u.tuple.elems;
    if (!ty__fb_kids(fb, cnt)) {
      fb->oom = true;
      return TY__NONE;
    }
    n.a = cnt;
    n.b = fb->nk;
    n.con = x->kind == TY_APP ? x->u.app.con : NULL;
    for (uint32_t i = 0; i < cnt; i++) fb->kids[fb->nk++] = ty__idx(ch[i]);
    break;
  }
  case TY_ARROW:
    n.a = ty__idx(x->u.arrow.dom);
    n.b = ty__idx(x->u.arrow.cod);
    if (x->u.arrow.label) n.label = ty__fb_str(fb, x->u.arrow.label);
    break;
  default:
    assert(0 && "unreachable");
  }
  return ty__fb_emit(fb, n, km, sm);
}

static void ty__fb_free(ty__fb *fb) {
  free(fb->nodes);
  free(fb->kids);
  free(fb->strs);
  free(fb->table);
}

static ty_frozen *ty__fb_pack(ty__fb *fb, uint32_t root) {
  size_t head = (sizeof(ty_frozen) + 15) & ~(size_t)15;
  size_t nodes = (size_t)fb->nn * sizeof(ty__fnode);
  size_t kids = (size_t)fb->nk * sizeof(uint32_t);
  ty_frozen *f = malloc(head + nodes + kids + fb->ns + 1);
  if (!f) return NULL;
  f->nnodes = fb->nn;
  f->nkids = fb->nk;
  f->nstrs = fb->ns;
  f->nvars = fb->nvars;
  f->root = root;
  f->nodes = (ty__fnode *)((char *)f + head);
  f->kids = (uint32_t *)((char *)f->nodes + nodes);
  f->strs = (char *)f->kids + kids;
  if (nodes) memcpy(f->nodes, fb->nodes, nodes);
  if (kids) memcpy(f->kids, fb->kids, kids);
  if (fb->ns) memcpy(f->strs, fb->strs, fb->ns);
  f->strs[fb->ns] = '\0';
  uint64_t h = ty__mix(ty__mix(ty__mix(0x3c6ef372fe94f82bull, f->nnodes), f->nvars), f->root);
  for (uint32_t i = 0; i < f->nnodes; i++)
    h = ty__mix(h, ty__fnode_hash(&f->nodes[i], f->kids, f->strs));
  f->hash = h;
  return f;
}

ty_frozen *ty_freeze_params(ty_store *s, ty *t, ty *const *params, uint32_t n) {
  ty__fb fb = { 0 };
  uint32_t ep = ty__new_epoch(s);
  ty_frozen *result = NULL;
  for (uint32_t i = 0; i < n; i++) {
    ty *p = ty_repr(params[i]);
    if (p->kind != TY_VAR || p->mark == ep) goto done;
    p->mark = ep;
    p->aux.idx = ty__fb_var(&fb, p);
  }
  ty *root = ty_repr(t);
  ty__vec *st = &s->stack;
  st->n = 0;
  if (ty__push(st, root)) goto done;
  /* Post-order as in ty_instantiate: idx == TY__NONE while in progress. */
  while (st->n && !fb.oom) {
    ty *x = ty_repr(st->items[st->n - 1]);
    if (x->mark == ep) {
      if (x->aux.idx == TY__NONE) x->aux.idx = ty__fb_composite(&fb, x);
      st->n--;
      continue;
    }
    x->mark = ep;
    x->aux.idx = TY__NONE;
    if (x->kind == TY_VAR || x->kind == TY_ERROR) {
      x->aux.idx = x->kind == TY_VAR ? ty__fb_var(&fb, x) : ty__fb_composite(&fb, x);
      st->n--;
      continue;
    }
    size_t before = st->n;
    if (ty__push_children(st, x)) goto done;
    size_t w = before;
    for (size_t i = before; i < st->n; i++) {
      ty *c = ty_repr(st->items[i]);
      if (c->mark != ep) st->items[w++] = c;
    }
    st->n = w;
  }
  if (!fb.oom) result = ty__fb_pack(&fb, root->aux.idx);
done:
  ty__fb_free(&fb);
  return result;
}

ty_frozen *ty_freeze(ty_store *s, ty *t) { return ty_freeze_params(s, t, NULL, 0); }

void ty_frozen_destroy(ty_frozen *f) { free(f); }
uint32_t ty_frozen_nvars(const ty_frozen *f) { return f->nvars; }
uint32_t ty_frozen_nodes(const ty_frozen *f) { return f->nnodes; }
uint64_t ty_frozen_hash(const ty_frozen *f) { return f->hash; }

bool ty_frozen_equal(const ty_frozen *a, const ty_frozen *b) {
  if (a == b) return true;
  if (a->hash != b->hash || a->nnodes != b->nnodes || a->nvars != b->nvars || a->root != b->root ||
      a->nkids != b->nkids)
    return false;
  for (uint32_t i = 0; i < a->nnodes; i++)
    if (!ty__fnode_eq(&a->nodes[i], a->kids, a->strs, &b->nodes[i], b->kids, b->strs, true))
      return false;
  return true;
}

ty *ty_thaw(ty_store *s, const ty_frozen *f, uint32_t level, ty *const *args, uint32_t nargs) {
  assert(level >= TY_LEVEL_TOP);
  ty *small[32];
  ty **map = f->nnodes <= 32 ? small : malloc((size_t)f->nnodes * sizeof *map);
  if (!map) {
    s->failed = true;
    return ty_error(s);
  }
  for (uint32_t i = 0; i < f->nnodes; i++) {
    const ty__fnode *n = &f->nodes[i];
    ty *t = ty_error(s);
    switch (n->kind) {
    case TY_VAR:
      t = n->a < nargs ? args[n->a]
                       : ty__var(s, level, n->b == TY__NONE ? NULL : f->strs + n->b);
      break;
    case TY_APP:
    case TY_TUPLE: {
      ty **a = NULL;
      if (n->a) {
        a = ty__alloc(s, (size_t)n->a * sizeof *a);
        if (!a) break;
        for (uint32_t k = 0; k < n->a; k++) a[k] = map[f->kids[n->b + k]];
      }
      if (n->kind == TY_TUPLE) t = ty__tuple_raw(s, a, n->a);
      else t = n->a ? ty__app_raw(s, n->con, a, n->a) : ty_app(s, n->con, NULL, 0);
      break;
    }
    case TY_ARROW:
      t = ty__arrow_raw(s, (ty_label_kind)n->lk,
                        n->label == TY__NONE ? NULL : ty__strdup(s, f->strs + n->label),
                        map[n->a], map[n->b]);
      break;
    default:
      break;
    }
    map[i] = t;
  }
  ty *r = f->nnodes ? map[f->root] : ty_error(s);
  if (map != small) free(map);
  return r;
}

char *ty_frozen_to_string(const ty_frozen *f) {
  ty_store *s = ty_store_create();
  if (!s) return NULL;
  char *r = ty_to_string(ty_thaw(s, f, TY_LEVEL_TOP, NULL, 0));
  if (ty_store_failed(s)) {
    free(r);
    r = NULL;
  }
  ty_store_destroy(s);
  return r;
}
