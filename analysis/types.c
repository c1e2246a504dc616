/*
** types.c — type terms: constructors, the per-check store, unification with
** occurs check and level updates, generalisation and instantiation (see
** types.h for the model). Freezing lives in types_frozen.c, printing in
** types_print.c.
**
** Thread-safety: a ty_store and its terms belong to one thread. ty_con
** objects and the built-in table are immutable once published.
**
** Every traversal is iterative over an explicit stack. Traversals that may
** meet a node twice (types are DAGs) stamp nodes with the store's epoch, so
** each node is visited once per traversal and no clean-up pass is needed.
** (The epoch is 32 bits: a store would need 4 billion traversals to wrap;
** stores live for one check.)
*/
#include "types.h"
#include "types_impl.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* Abbreviation expansions per ty_expand_head / unification step. */
#define TY__EXPAND_BUDGET 1000

/* ------------------------------------------------------------------------
** Built-in constructors
*/

static const ty_con ty__builtins[TY_B_COUNT] = {
  [TY_B_INT] = { (char *)"int", 0, 1, NULL, NULL },
  [TY_B_BOOL] = { (char *)"bool", 0, 2, NULL, NULL },
  [TY_B_UNIT] = { (char *)"unit", 0, 3, NULL, NULL },
  [TY_B_REAL] = { (char *)"real", 0, 4, NULL, NULL },
  [TY_B_STRING] = { (char *)"string", 0, 5, NULL, NULL },
  [TY_B_CHAR] = { (char *)"char", 0, 6, NULL, NULL },
  [TY_B_FLOAT] = { (char *)"float", 0, 7, NULL, NULL },
  [TY_B_LIST] = { (char *)"list", 1, 8, NULL, NULL },
  [TY_B_OPTION] = { (char *)"option", 1, 9, NULL, NULL },
  [TY_B_RESULT] = { (char *)"result", 2, 10, NULL, NULL },
};

const ty_con *ty_builtin_con(ty_builtin b) {
  assert(b >= 0 && b < TY_B_COUNT);
  return &ty__builtins[b];
}

/* 64-bit FNV-1a of a string, continuing from h. */
static uint64_t ty__fnv(uint64_t h, const char *str) {
  for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
    h ^= *p;
    h *= 0x100000001b3ull;
  }
  return h;
}

uint64_t ty_con_stable_id(const char *origin, const char *path) {
  uint64_t h = 0xcbf29ce484222325ull;
  h = ty__fnv(h, origin ? origin : "");
  h ^= 0xff; /* separator: ("ab","c") != ("a","bc") */
  h *= 0x100000001b3ull;
  h = ty__fnv(h, path ? path : "");
  /* Built-ins use 1..TY_B_COUNT: user ids always have the top bit set. */
  return h | (1ull << 63);
}

ty_con *ty_con_create(const char *path, uint32_t arity, uint64_t id) {
  ty_con *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  size_t n = strlen(path) + 1;
  c->path = malloc(n);
  if (!c->path) {
    free(c);
    return NULL;
  }
  memcpy(c->path, path, n);
  c->arity = arity;
  c->id = id;
  return c;
}

/* Is `c` one of the static built-ins? (Compares with the table entry its
** id would name, not pointer ranges.) */
static bool ty__is_builtin(const ty_con *c) {
  return c->id >= 1 && c->id <= TY_B_COUNT && c == &ty__builtins[c->id - 1];
}

void ty_con_destroy(ty_con *c) {
  if (!c) return;
  assert(!ty__is_builtin(c));
  ty_frozen_destroy(c->manifest);
  free(c->path);
  free(c);
}

void ty_con_set_manifest(ty_con *c, ty_frozen *manifest) {
  assert(!c->manifest);
  c->manifest = manifest;
}

void ty_con_set_user(ty_con *c, void *user) { c->user = user; }
const char *ty_con_path(const ty_con *c) { return c->path; }
uint32_t ty_con_arity(const ty_con *c) { return c->arity; }
uint64_t ty_con_id(const ty_con *c) { return c->id; }
const ty_frozen *ty_con_manifest(const ty_con *c) { return c->manifest; }
void *ty_con_user(const ty_con *c) { return c->user; }
bool ty_con_same(const ty_con *a, const ty_con *b) { return a == b || a->id == b->id; }

/* ------------------------------------------------------------------------
** Store and arena
*/

ty_store *ty_store_create(void) {
  ty_store *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->error.kind = TY_ERROR;
  s->error.level = TY_LEVEL_GROUND;
  s->epoch = 1;
  return s;
}

void ty_store_destroy(ty_store *s) {
  if (!s) return;
  for (ty__chunk *c = s->chunks, *next; c; c = next) {
    next = c->next;
    free(c);
  }
  free(s->stack.items);
  free(s->stack2.items);
  free(s);
}

bool ty_store_failed(const ty_store *s) { return s->failed; }
size_t ty_store_nodes(const ty_store *s) { return s->nodes; }

void *ty__alloc(ty_store *s, size_t size) {
  size = (size + 15) & ~(size_t)15;
  ty__chunk *c = s->chunks;
  if (!c || c->cap - c->used < size) {
    size_t cap = c ? c->cap * 2 : 16384;
    if (cap > (1u << 20)) cap = 1u << 20;
    if (cap < size) cap = size;
    ty__chunk *nc = malloc(sizeof *nc + cap);
    if (!nc) {
      s->failed = true;
      return NULL;
    }
    nc->used = 0;
    nc->cap = cap;
    /* A big one-off block goes behind the current chunk so the current
    ** chunk keeps serving small allocations. */
    if (c && cap == size && c->cap - c->used > 1024) {
      nc->next = c->next;
      c->next = nc;
    } else {
      nc->next = c;
      s->chunks = nc;
    }
    c = nc;
  }
  void *p = c->data + c->used;
  c->used += size;
  return p;
}

const char *ty__strdup(ty_store *s, const char *str) {
  if (!str) return NULL;
  size_t n = strlen(str) + 1;
  char *p = ty__alloc(s, n);
  if (!p) return "?";
  memcpy(p, str, n);
  return p;
}

/* A zeroed node of kind k, or the store's ERROR node on OOM (callers must
** return it untouched). */
ty *ty__node(ty_store *s, ty_kind k) {
  ty *t = ty__alloc(s, sizeof *t);
  if (!t) return &s->error;
  memset(t, 0, sizeof *t);
  t->kind = (uint8_t)k;
  s->nodes++;
  return t;
}

uint32_t ty__new_epoch(ty_store *s) {
  if (++s->epoch == 0) s->epoch = 1;
  return s->epoch;
}

int ty__push(ty__vec *v, ty *t) {
  if (v->n == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 256;
    ty **items = realloc(v->items, cap * sizeof *items);
    if (!items) return -1;
    v->items = items;
    v->cap = cap;
  }
  v->items[v->n++] = t;
  return 0;
}

/* ------------------------------------------------------------------------
** Terms
*/

const ty *ty__crepr(const ty *t) {
  while (t->kind == TY_VAR && t->u.var.link) t = t->u.var.link;
  return t;
}

ty *ty_repr(ty *t) {
  ty *r = t;
  while (r->kind == TY_VAR && r->u.var.link) r = r->u.var.link;
  /* Path compression: point every link of the chain at the root. */
  while (t != r) {
    ty *next = t->u.var.link;
    t->u.var.link = r;
    t = next;
  }
  return r;
}

static uint32_t ty__lvl(ty *t) { return ty_repr(t)->level; }

ty *ty__var(ty_store *s, uint32_t level, const char *name) {
  ty *t = ty__node(s, TY_VAR);
  if (t == &s->error) return t;
  t->level = level;
  t->id = ++s->next_var;
  t->u.var.name = name && *name ? ty__strdup(s, name) : NULL;
  return t;
}

ty *ty_new_var(ty_store *s, uint32_t level) {
  assert(level >= TY_LEVEL_TOP && level < TY_LEVEL_GENERIC);
  return ty__var(s, level, NULL);
}

ty *ty_new_named_var(ty_store *s, uint32_t level, const char *name) {
  assert(level >= TY_LEVEL_TOP && level < TY_LEVEL_GENERIC);
  return ty__var(s, level, name);
}

/* An APP over `args`, an array already in the arena (not copied). */
ty *ty__app_raw(ty_store *s, const ty_con *con, ty **args, uint32_t n) {
  ty *t = ty__node(s, TY_APP);
  if (t == &s->error) return t;
  uint32_t level = TY_LEVEL_GROUND;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t l = ty__lvl(args[i]);
    if (l > level) level = l;
  }
  t->level = level;
  t->u.app.con = con;
  t->u.app.args = args;
  t->u.app.n = n;
  return t;
}

static ty **ty__copy_arr(ty_store *s, ty *const *a, uint32_t n) {
  if (n == 0) return NULL;
  ty **r = ty__alloc(s, (size_t)n * sizeof *r);
  if (r) memcpy(r, a, (size_t)n * sizeof *r);
  return r;
}

ty *ty_app(ty_store *s, const ty_con *con, ty *const *args, uint32_t n) {
  assert(n == con->arity);
  if (n == 0 && ty__is_builtin(con)) return ty_prim(s, (ty_builtin)(con->id - 1));
  ty **a = ty__copy_arr(s, args, n);
  if (n && !a) return &s->error;
  return ty__app_raw(s, con, a, n);
}

ty *ty_prim(ty_store *s, ty_builtin b) {
  assert(b >= 0 && b < TY_B_COUNT && ty__builtins[b].arity == 0);
  if (!s->prims[b]) {
    ty *t = ty__app_raw(s, &ty__builtins[b], NULL, 0);
    if (t == &s->error) return t;
    s->prims[b] = t;
  }
  return s->prims[b];
}

ty *ty_list(ty_store *s, ty *elem) { return ty_app(s, &ty__builtins[TY_B_LIST], &elem, 1); }
ty *ty_option(ty_store *s, ty *elem) { return ty_app(s, &ty__builtins[TY_B_OPTION], &elem, 1); }

/* `label` already in the arena (or NULL). */
ty *ty__arrow_raw(ty_store *s, ty_label_kind lk, const char *label, ty *dom, ty *cod) {
  ty *t = ty__node(s, TY_ARROW);
  if (t == &s->error) return t;
  uint32_t a = ty__lvl(dom), b = ty__lvl(cod);
  t->level = a > b ? a : b;
  t->lk = (uint8_t)lk;
  t->u.arrow.label = label;
  t->u.arrow.dom = dom;
  t->u.arrow.cod = cod;
  return t;
}

ty *ty_arrow(ty_store *s, ty_label_kind lk, const char *label, ty *dom, ty *cod) {
  assert(lk == TY_LBL_NONE ? label == NULL : (label && *label));
  return ty__arrow_raw(s, lk, lk == TY_LBL_NONE ? NULL : ty__strdup(s, label), dom, cod);
}

ty *ty_fun(ty_store *s, ty *dom, ty *cod) { return ty__arrow_raw(s, TY_LBL_NONE, NULL, dom, cod); }

ty *ty__tuple_raw(ty_store *s, ty **elems, uint32_t n) {
  ty *t = ty__node(s, TY_TUPLE);
  if (t == &s->error) return t;
  uint32_t level = TY_LEVEL_GROUND;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t l = ty__lvl(elems[i]);
    if (l > level) level = l;
  }
  t->level = level;
  t->u.tuple.elems = elems;
  t->u.tuple.n = n;
  return t;
}

ty *ty_tuple(ty_store *s, ty *const *elems, uint32_t n) {
  assert(n >= 2);
  ty **a = ty__copy_arr(s, elems, n);
  if (!a) return &s->error;
  return ty__tuple_raw(s, a, n);
}

ty *ty_error(ty_store *s) { return &s->error; }

ty_kind ty_kind_of(const ty *t) { return (ty_kind)ty__crepr(t)->kind; }
uint32_t ty_level(const ty *t) { return ty__crepr(t)->level; }
bool ty_is_generic(const ty *t) { return ty__crepr(t)->level == TY_LEVEL_GENERIC; }

uint32_t ty_var_id(const ty *t) {
  t = ty__crepr(t);
  assert(t->kind == TY_VAR);
  return t->id;
}
const char *ty_var_name(const ty *t) {
  t = ty__crepr(t);
  assert(t->kind == TY_VAR);
  return t->u.var.name;
}
const ty_con *ty_app_con(const ty *t) {
  t = ty__crepr(t);
  assert(t->kind == TY_APP);
  return t->u.app.con;
}
uint32_t ty_app_nargs(const ty *t) {
  t = ty__crepr(t);
  assert(t->kind == TY_APP);
  return t->u.app.n;
}
ty *ty_app_arg(const ty *t, uint32_t i) {
  t = ty__crepr(t);
  assert(t->kind == TY_APP && i < t->u.app.n);
  return t->u.app.args[i];
}
ty_label_kind ty_arrow_label_kind(const ty *t) {
  t = ty__crepr(t);
  assert(t->kind == TY_ARROW);
  return (ty_label_kind)t->lk;
}
const char *ty_arrow_label(const ty *t) {
  t = ty__crepr(t);
  assert(t->kind == TY_ARROW);
  return t->u.arrow.label;
}
ty *ty_arrow_dom(const ty *t) {
  t = ty__crepr(t);
  assert(t->kind == TY_ARROW);
  return t->u.arrow.dom;
}
ty *ty_arrow_cod(const ty *t) {
  t = ty__crepr(t);
  assert(t->kind == TY_ARROW);
  return t->u.arrow.cod;
}
uint32_t ty_tuple_len(const ty *t) {
  t = ty__crepr(t);
  assert(t->kind == TY_TUPLE);
  return t->u.tuple.n;
}
ty *ty_tuple_elem(const ty *t, uint32_t i) {
  t = ty__crepr(t);
  assert(t->kind == TY_TUPLE && i < t->u.tuple.n);
  return t->u.tuple.elems[i];
}

/* Push the children of `x` (a representative) in reverse order, so that the
** leftmost is popped first. -1 on OOM. */
int ty__push_children(ty__vec *v, ty *x) {
  switch (x->kind) {
  case TY_APP:
    for (uint32_t i = x->u.app.n; i-- > 0;)
      if (ty__push(v, x->u.app.args[i])) return -1;
    return 0;
  case TY_ARROW:
    if (ty__push(v, x->u.arrow.cod) || ty__push(v, x->u.arrow.dom)) return -1;
    return 0;
  case TY_TUPLE:
    for (uint32_t i = x->u.tuple.n; i-- > 0;)
      if (ty__push(v, x->u.tuple.elems[i])) return -1;
    return 0;
  default:
    return 0;
  }
}

bool ty_contains_error(ty_store *s, ty *t) {
  uint32_t ep = ty__new_epoch(s);
  ty__vec *st = &s->stack;
  st->n = 0;
  bool found = false;
  if (ty__push(st, t)) return false;
  while (st->n && !found) {
    ty *x = ty_repr(st->items[--st->n]);
    if (x->mark == ep) continue;
    x->mark = ep;
    if (x->kind == TY_ERROR) found = true;
    else if (ty__push_children(st, x)) s->failed = true, st->n = 0;
  }
  return found;
}

/* ------------------------------------------------------------------------
** Abbreviations
*/

static bool ty__is_abbrev(const ty *x) { return x->kind == TY_APP && x->u.app.con->manifest; }

/* One expansion of the abbreviation `x` (a representative). */
static ty *ty__expand_once(ty_store *s, ty *x) {
  uint32_t level = x->level == TY_LEVEL_GROUND ? TY_LEVEL_TOP : x->level;
  return ty_thaw(s, x->u.app.con->manifest, level, x->u.app.args, x->u.app.n);
}

ty *ty_expand_head(ty_store *s, ty *t) {
  ty *x = ty_repr(t);
  for (int budget = TY__EXPAND_BUDGET; budget > 0 && ty__is_abbrev(x); budget--)
    x = ty_repr(ty__expand_once(s, x));
  return x;
}

/* ------------------------------------------------------------------------
** Unification
*/

/* Prepare binding variable `v` to `t` (both representatives, t != v): lower
** the levels in `t` above v's level, and check that v does not occur in t.
** Returns TY_UERR_NONE, TY_UERR_OCCURS or TY_UERR_OOM. */
static ty_uerr_kind ty__occur_and_lower(ty_store *s, ty *v, ty *t) {
  uint32_t ep = ty__new_epoch(s), lv = v->level;
  ty__vec *st = &s->stack2;
  st->n = 0;
  bool found = false;
  if (ty__push(st, t)) return TY_UERR_OOM;
  while (st->n) {
    ty *x = ty_repr(st->items[--st->n]);
    if (x == v) {
      found = true;
      continue;
    }
    if (x->mark == ep) continue;
    x->mark = ep;
    /* child level <= parent level: nothing below x can be v or need lowering */
    if (x->level < lv || x->kind == TY_ERROR) continue;
    if (x->level != TY_LEVEL_GENERIC) x->level = lv;
    if (ty__push_children(st, x)) return TY_UERR_OOM;
  }
  return found ? TY_UERR_OCCURS : TY_UERR_NONE;
}

static void ty__link(ty *v, ty *t) {
  assert(v->kind == TY_VAR && !v->u.var.link);
  assert(v->level != TY_LEVEL_GENERIC && "generic variables must not be unified");
  v->u.var.link = t;
}

/* Unify two distinct unbound variables: the one with the higher level
** points at the other, which inherits a user name if it has none. */
static void ty__link_vars(ty *a, ty *b) {
  if (a->level < b->level) {
    ty *tmp = a;
    a = b;
    b = tmp;
  }
  assert(b->level != TY_LEVEL_GENERIC);
  if (!b->u.var.name) b->u.var.name = a->u.var.name;
  ty__link(a, b);
}

static bool ty__fail(ty_unify_error *err, ty_uerr_kind k, ty *l, ty *r, bool top) {
  if (err) {
    err->kind = k;
    err->left = l;
    err->right = r;
    err->at_top = top;
  }
  return false;
}

bool ty_unify(ty_store *s, ty *a, ty *b, ty_unify_error *err) {
  if (err) memset(err, 0, sizeof *err);
  ty__vec *st = &s->stack;
  st->n = 0;
  if (ty__push(st, a) || ty__push(st, b)) return ty__fail(err, TY_UERR_OOM, a, b, true);
  bool top = true; /* the pair on top of the stack is the root pair */
  while (st->n) {
    ty *y = ty_repr(st->items[--st->n]);
    ty *x = ty_repr(st->items[--st->n]);
    bool at_top = top;
    top = false;
    if (x == y) continue;
    if (x->kind == TY_ERROR || y->kind == TY_ERROR) {
      /* Silent: a variable meeting ERROR becomes ERROR, so later uses of
      ** it stay silent too. */
      if (x->kind == TY_VAR) ty__link(x, &s->error);
      if (y->kind == TY_VAR) ty__link(y, &s->error);
      continue;
    }
    if (x->kind == TY_VAR && y->kind == TY_VAR) {
      ty__link_vars(x, y);
      continue;
    }
    if (x->kind == TY_VAR || y->kind == TY_VAR) {
      ty *v = x->kind == TY_VAR ? x : y, *t = v == x ? y : x;
      ty_uerr_kind k = ty__occur_and_lower(s, v, t);
      if (k == TY_UERR_OCCURS && ty__is_abbrev(t)) {
        /* As OCaml: `'a` against `'a t` where `type 'a t = int` is fine:
        ** retry with the expansion. (A variable hidden in a phantom
        ** parameter deeper down is still reported: no cyclic terms.) */
        ty *e = ty_expand_head(s, t);
        if (!ty__is_abbrev(e)) {
          ty *l = v == x ? v : e, *r = v == x ? e : v; /* keep the sides */
          if (ty__push(st, l) || ty__push(st, r)) return ty__fail(err, TY_UERR_OOM, x, y, at_top);
          top = at_top;
          continue;
        }
      }
      if (k != TY_UERR_NONE) return ty__fail(err, k, v, t, at_top);
      ty__link(v, t);
      continue;
    }
    if (ty__is_abbrev(x) || ty__is_abbrev(y)) {
      /* As OCaml: compare abbreviations by their expansions (a phantom
      ** parameter makes `int t` equal to `bool t`). */
      ty *ex = ty_expand_head(s, x), *ey = ty_expand_head(s, y);
      if (ty__is_abbrev(ex) || ty__is_abbrev(ey)) /* cyclic abbreviation */
        return ty__fail(err, TY_UERR_CLASH, x, y, at_top);
      if (ty__push(st, ex) || ty__push(st, ey)) return ty__fail(err, TY_UERR_OOM, x, y, at_top);
      top = at_top;
      continue;
    }
    if (x->kind != y->kind) return ty__fail(err, TY_UERR_CLASH, x, y, at_top);
    switch (x->kind) {
    case TY_APP:
      if (!ty_con_same(x->u.app.con, y->u.app.con) || x->u.app.n != y->u.app.n)
        return ty__fail(err, TY_UERR_CLASH, x, y, at_top);
      for (uint32_t i = x->u.app.n; i-- > 0;)
        if (ty__push(st, x->u.app.args[i]) || ty__push(st, y->u.app.args[i]))
          return ty__fail(err, TY_UERR_OOM, x, y, at_top);
      break;
    case TY_ARROW: {
      const char *lx = x->u.arrow.label, *ly = y->u.arrow.label;
      if (x->lk != y->lk || (lx && ly && strcmp(lx, ly) != 0) || (!lx != !ly))
        return ty__fail(err, TY_UERR_LABEL, x, y, at_top);
      if (ty__push(st, x->u.arrow.cod) || ty__push(st, y->u.arrow.cod) ||
          ty__push(st, x->u.arrow.dom) || ty__push(st, y->u.arrow.dom))
        return ty__fail(err, TY_UERR_OOM, x, y, at_top);
      break;
    }
    case TY_TUPLE:
      if (x->u.tuple.n != y->u.tuple.n) return ty__fail(err, TY_UERR_CLASH, x, y, at_top);
      for (uint32_t i = x->u.tuple.n; i-- > 0;)
        if (ty__push(st, x->u.tuple.elems[i]) || ty__push(st, y->u.tuple.elems[i]))
          return ty__fail(err, TY_UERR_OOM, x, y, at_top);
      break;
    default:
      assert(0 && "unreachable");
    }
  }
  if (s->failed) return ty__fail(err, TY_UERR_OOM, a, b, true);
  return true;
}

/* ------------------------------------------------------------------------
** Generalisation and instantiation
*/

void ty_generalize(ty_store *s, ty *t, uint32_t level) {
  ty__vec *st = &s->stack;
  st->n = 0;
  if (ty__push(st, t)) {
    s->failed = true;
    return;
  }
  while (st->n) {
    ty *x = ty_repr(st->items[--st->n]);
    /* Generic nodes were generalised already; nodes at or below `level`
    ** (and so all of their children) stay. */
    if (x->level == TY_LEVEL_GENERIC || x->level <= level) continue;
    x->level = TY_LEVEL_GENERIC;
    if (ty__push_children(st, x)) {
      s->failed = true;
      return;
    }
  }
}

/* The image of child `c` during instantiation. */
static ty *ty__image(ty *c) {
  c = ty_repr(c);
  return c->level == TY_LEVEL_GENERIC ? c->aux.copy : c;
}

/* Copy the generic node `x` (a representative) whose children are done. */
static ty *ty__copy_node(ty_store *s, ty *x) {
  switch (x->kind) {
  case TY_APP: {
    ty **a = NULL;
    if (x->u.app.n) {
      a = ty__alloc(s, (size_t)x->u.app.n * sizeof *a);
      if (!a) return &s->error;
      for (uint32_t i = 0; i < x->u.app.n; i++) a[i] = ty__image(x->u.app.args[i]);
    }
    return ty__app_raw(s, x->u.app.con, a, x->u.app.n);
  }
  case TY_ARROW:
    return ty__arrow_raw(s, (ty_label_kind)x->lk, x->u.arrow.label, ty__image(x->u.arrow.dom),
                         ty__image(x->u.arrow.cod));
  case TY_TUPLE: {
    ty **a = ty__alloc(s, (size_t)x->u.tuple.n * sizeof *a);
    if (!a) return &s->error;
    for (uint32_t i = 0; i < x->u.tuple.n; i++) a[i] = ty__image(x->u.tuple.elems[i]);
    return ty__tuple_raw(s, a, x->u.tuple.n);
  }
  default:
    assert(0 && "unreachable");
    return &s->error;
  }
}

ty *ty_instantiate(ty_store *s, ty *t, uint32_t level) {
  assert(level >= TY_LEVEL_TOP && level < TY_LEVEL_GENERIC);
  ty *root = ty_repr(t);
  if (root->level != TY_LEVEL_GENERIC) return root;
  uint32_t ep = ty__new_epoch(s);
  ty__vec *st = &s->stack;
  st->n = 0;
  if (ty__push(st, root)) {
    s->failed = true;
    return &s->error;
  }
  /* Post-order: a node is marked with copy == NULL when first met (its
  ** generic children are pushed above it), and copied when met again. */
  while (st->n) {
    ty *x = ty_repr(st->items[st->n - 1]);
    if (x->mark == ep && x->aux.copy) {
      st->n--;
      continue;
    }
    if (x->mark != ep) {
      x->mark = ep;
      x->aux.copy = NULL;
      if (x->kind == TY_VAR) {
        x->aux.copy = ty__var(s, level, NULL);
        if (x->aux.copy != &s->error) x->aux.copy->u.var.name = x->u.var.name;
        st->n--;
        continue;
      }
      size_t before = st->n;
      if (ty__push_children(st, x)) {
        s->failed = true;
        return &s->error;
      }
      /* Keep only the generic children not yet visited. */
      size_t w = before;
      for (size_t i = before; i < st->n; i++) {
        ty *c = ty_repr(st->items[i]);
        if (c->level == TY_LEVEL_GENERIC && c->mark != ep) st->items[w++] = c;
      }
      st->n = w;
      continue;
    }
    x->aux.copy = ty__copy_node(s, x);
    st->n--;
  }
  return root->aux.copy;
}
