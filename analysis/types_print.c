/*
** types_print.c — printing types as OCaml does (see types.h, PRINTING).
**
** Precedence, loosest to tightest: arrows (right-associative), tuples,
** constructor application. A domain that is an arrow is parenthesised; a
** tuple element or the single argument of a constructor is parenthesised
** when it is an arrow or a tuple; the arguments of a multi-argument
** constructor sit between commas and need no parentheses.
**
** Variable names live in the printer so that several types printed for
** one message agree. Variables named by annotations are reserved before a
** type is printed (a prescan), so a generated name never takes a user's
** name that appears later in the same type.
**
** Thread-safety: a printer belongs to one thread; it only reads terms.
*/
#include "types.h"
#include "types_impl.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TY__PREC_TOP 0   /* anything goes */
#define TY__PREC_DOM 1   /* arrow domain: arrows need parentheses */
#define TY__PREC_ATOM 2  /* tuple element, constructor argument */
#define TY__MAX_DEPTH 1000
#define TY__PRESCAN_BUDGET 20000

struct ty_printer {
  unsigned max_depth;
  size_t max_chars;
  const char *(*namer)(void *data, const ty_con *con);
  void *namer_data;
  /* Variable names: keys[i] (a representative) is printed 'names[i]. */
  const ty **keys;
  char **names;
  size_t nnames, cap;
  size_t *table;          /* open addressing over keys: index + 1, 0 = empty */
  size_t tcap;            /* power of two */
  unsigned next_gen;      /* next generated name to try */
  /* Output of the current print. */
  strbuf out;             /* reused by every print */
  bool full, oom;
};

ty_printer *ty_printer_create(void) {
  ty_printer *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->max_depth = TY_PRINT_DEFAULT_DEPTH;
  p->max_chars = TY_PRINT_DEFAULT_CHARS;
  return p;
}

void ty_printer_destroy(ty_printer *p) {
  if (!p) return;
  for (size_t i = 0; i < p->nnames; i++) free(p->names[i]);
  free(p->keys);
  free(p->names);
  free(p->table);
  free(p->out.s);
  free(p);
}

void ty_printer_set_limits(ty_printer *p, unsigned max_depth, size_t max_chars) {
  if (max_depth) p->max_depth = max_depth > TY__MAX_DEPTH ? TY__MAX_DEPTH : max_depth;
  if (max_chars) p->max_chars = max_chars;
}

void ty_printer_set_namer(ty_printer *p, const char *(*name)(void *data, const ty_con *con),
                          void *data) {
  p->namer = name;
  p->namer_data = data;
}

/* ------------------------------------------------------------------------
** Variable names
*/

static size_t ty__ptr_hash(const ty *t) {
  uint64_t h = (uint64_t)(uintptr_t)t;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return (size_t)h;
}

static const char *ty__lookup(const ty_printer *p, const ty *key) {
  if (!p->tcap) return NULL;
  for (size_t j = ty__ptr_hash(key) & (p->tcap - 1); p->table[j]; j = (j + 1) & (p->tcap - 1))
    if (p->keys[p->table[j] - 1] == key) return p->names[p->table[j] - 1];
  return NULL;
}

static bool ty__taken(const ty_printer *p, const char *name) {
  for (size_t i = 0; i < p->nnames; i++)
    if (strcmp(p->names[i], name) == 0) return true;
  return false;
}

/* Record `name` (takes ownership) for `key`. Returns the name or NULL. */
static const char *ty__bind_name(ty_printer *p, const ty *key, char *name) {
  if (!name) goto oom;
  if (p->nnames == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 16;
    const ty **k = realloc(p->keys, cap * sizeof *k);
    if (!k) goto oom;
    p->keys = k;
    char **n = realloc(p->names, cap * sizeof *n);
    if (!n) goto oom;
    p->names = n;
    p->cap = cap;
  }
  if ((p->nnames + 1) * 2 > p->tcap) {
    size_t tcap = p->tcap ? p->tcap * 2 : 32;
    size_t *t = calloc(tcap, sizeof *t);
    if (!t) goto oom;
    for (size_t i = 0; i < p->nnames; i++) {
      size_t j = ty__ptr_hash(p->keys[i]) & (tcap - 1);
      while (t[j]) j = (j + 1) & (tcap - 1);
      t[j] = i + 1;
    }
    free(p->table);
    p->table = t;
    p->tcap = tcap;
  }
  p->keys[p->nnames] = key;
  p->names[p->nnames] = name;
  size_t j = ty__ptr_hash(key) & (p->tcap - 1);
  while (p->table[j]) j = (j + 1) & (p->tcap - 1);
  p->table[j] = ++p->nnames;
  return name;
oom:
  free(name);
  p->oom = true;
  return NULL;
}

static char *ty__fmt(const char *base, unsigned n) {
  size_t len = strlen(base) + 12;
  char *r = malloc(len);
  if (!r) return NULL;
  if (n) snprintf(r, len, "%s%u", base, n);
  else snprintf(r, len, "%s", base);
  return r;
}

/* The name of variable `v` (a representative), assigning one if needed:
** its user name (made unique with a number), else the next free of a..z,
** a1..z1, … */
static const char *ty__var_name(ty_printer *p, const ty *v) {
  const char *known = ty__lookup(p, v);
  if (known) return known;
  if (v->u.var.name) {
    for (unsigned i = 0;; i++) {
      char *cand = ty__fmt(v->u.var.name, i);
      if (!cand) break;
      if (!ty__taken(p, cand)) return ty__bind_name(p, v, cand);
      free(cand);
    }
  } else {
    for (;; p->next_gen++) {
      char letter[2] = { (char)('a' + p->next_gen % 26), 0 };
      char *cand = ty__fmt(letter, p->next_gen / 26);
      if (!cand) break;
      if (!ty__taken(p, cand)) {
        p->next_gen++;
        return ty__bind_name(p, v, cand);
      }
      free(cand);
    }
  }
  p->oom = true;
  return NULL;
}

/* Reserve the user names of the named variables of `t` (bounded walk). */
static void ty__prescan(ty_printer *p, const ty *t) {
  const ty *small[64];
  const ty **st = small;
  size_t n = 0, cap = 64;
  long budget = TY__PRESCAN_BUDGET;
  st[n++] = t;
  while (n && budget-- > 0) {
    const ty *x = ty__crepr(st[--n]);
    uint32_t cnt = 0;
    ty *const *ch = NULL;
    ty *pair[2];
    switch (x->kind) {
    case TY_VAR:
      if (x->u.var.name) ty__var_name(p, x);
      continue;
    case TY_APP:
      cnt = x->u.app.n, ch = x->u.app.args;
      break;
    case TY_TUPLE:
      cnt = x->u.tuple.n, ch = x->u.tuple.elems;
      break;
    case TY_ARROW:
      pair[0] = x->u.arrow.dom, pair[1] = x->u.arrow.cod;
      cnt = 2, ch = pair;
      break;
    default:
      continue;
    }
    if (n + cnt > cap) {
      size_t ncap = (n + cnt) * 2;
      const ty **ns = malloc(ncap * sizeof *ns);
      if (!ns) break; /* reservation is best effort */
      memcpy(ns, st, n * sizeof *ns);
      if (st != small) free(st);
      st = ns, cap = ncap;
    }
    for (uint32_t i = cnt; i-- > 0;) st[n++] = ch[i];
  }
  if (st != small) free(st);
}

/* ------------------------------------------------------------------------
** Output
*/

static void ty__emit(ty_printer *p, const char *str) {
  if (p->full || p->oom) return;
  strbuf_puts(&p->out, str);
  if (p->out.oom) p->oom = true;
  if (p->out.len > p->max_chars) p->full = true;
}

static const char *ty__con_name(ty_printer *p, const ty_con *c) {
  const char *n = p->namer ? p->namer(p->namer_data, c) : NULL;
  return n ? n : c->path;
}

static void ty__pr(ty_printer *p, const ty *t, unsigned depth, int prec) {
  if (p->full || p->oom) return;
  t = ty__crepr(t);
  if (depth > p->max_depth) {
    ty__emit(p, "...");
    return;
  }
  switch (t->kind) {
  case TY_VAR: {
    const char *n = ty__var_name(p, t);
    ty__emit(p, "'");
    ty__emit(p, n ? n : "?");
    return;
  }
  case TY_ERROR:
    ty__emit(p, "_");
    return;
  case TY_APP:
    if (t->u.app.n == 1) {
      ty__pr(p, t->u.app.args[0], depth + 1, TY__PREC_ATOM);
      ty__emit(p, " ");
    } else if (t->u.app.n > 1) {
      ty__emit(p, "(");
      for (uint32_t i = 0; i < t->u.app.n; i++) {
        if (i) ty__emit(p, ", ");
        ty__pr(p, t->u.app.args[i], depth + 1, TY__PREC_TOP);
      }
      ty__emit(p, ") ");
    }
    ty__emit(p, ty__con_name(p, t->u.app.con));
    return;
  case TY_TUPLE:
    if (prec >= TY__PREC_ATOM) ty__emit(p, "(");
    for (uint32_t i = 0; i < t->u.tuple.n; i++) {
      if (i) ty__emit(p, " * ");
      ty__pr(p, t->u.tuple.elems[i], depth + 1, TY__PREC_ATOM);
    }
    if (prec >= TY__PREC_ATOM) ty__emit(p, ")");
    return;
  case TY_ARROW:
    if (prec >= TY__PREC_DOM) ty__emit(p, "(");
    /* The chain of codomains is printed by this loop, not by recursion. */
    while (t->kind == TY_ARROW && !p->full && !p->oom) {
      if (t->lk != TY_LBL_NONE) {
        ty__emit(p, t->lk == TY_LBL_OPTIONAL ? "?" : "");
        ty__emit(p, t->u.arrow.label);
        ty__emit(p, ":");
      }
      ty__pr(p, t->u.arrow.dom, depth + 1, TY__PREC_DOM);
      ty__emit(p, " -> ");
      t = ty__crepr(t->u.arrow.cod);
    }
    if (t->kind != TY_ARROW) ty__pr(p, t, depth + 1, TY__PREC_TOP);
    if (prec >= TY__PREC_DOM) ty__emit(p, ")");
    return;
  default:
    ty__emit(p, "?");
  }
}

char *ty_printer_print(ty_printer *p, const ty *t) {
  p->out.len = 0;
  p->out.oom = false;
  p->full = p->oom = false;
  ty__prescan(p, t);
  ty__pr(p, t, 0, TY__PREC_TOP);
  if (p->full) {
    p->full = false;
    p->out.len = p->max_chars;
    ty__emit(p, "...");
  } else {
    ty__emit(p, ""); /* a NUL-terminated buffer even for empty output */
  }
  if (p->oom) return NULL;
  char *r = malloc(p->out.len + 1);
  if (r) memcpy(r, p->out.s, p->out.len + 1);
  return r;
}

static char *ty__join(const char *a, const char *b, const char *c, const char *d) {
  if (!b || !d) return NULL;
  size_t n = strlen(a) + strlen(b) + strlen(c) + strlen(d) + 1;
  char *r = malloc(n);
  if (r) snprintf(r, n, "%s%s%s%s", a, b, c, d);
  return r;
}

char *ty_printer_explain(ty_printer *p, const ty_unify_error *err) {
  const char *a, *b;
  switch (err->kind) {
  case TY_UERR_CLASH:
  case TY_UERR_LABEL:
    if (err->at_top) return NULL;
    a = "Type ", b = " is not compatible with type ";
    break;
  case TY_UERR_OCCURS:
    a = "The type variable ", b = " occurs inside ";
    break;
  default:
    return NULL;
  }
  char *l = ty_printer_print(p, err->left);
  char *r = ty_printer_print(p, err->right);
  char *msg = ty__join(a, l, b, r);
  free(l);
  free(r);
  return msg;
}

char *ty_to_string(const ty *t) {
  ty_printer *p = ty_printer_create();
  if (!p) return NULL;
  char *r = ty_printer_print(p, t);
  ty_printer_destroy(p);
  return r;
}
