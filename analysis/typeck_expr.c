/*
** typeck_expr.c — expressions, patterns, applications (labels, optional
** arguments), functions, let-bindings with generalisation, records, spec
** forms' statements and measures. See typeck_int.h.
**
** Checking is bidirectional where it helps: the expected type flows into
** sub-expressions (so constructors and fields are disambiguated by type, and
** a mistake is reported on the smallest expression), and each expression's
** own type is then unified with it.
*/
#include "typeck_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ty *tc__fresh(tc *c) { return ty_new_var(c->st, c->level); }
static ty *tc__prim(tc *c, ty_builtin b) { return ty_prim(c->st, b); }

static ty *tc__const_type(tc *c, const ast_const *k) {
  switch (k->kind) {
  case AST_C_INT: return tc__prim(c, TY_B_INT);
  case AST_C_REAL: return tc__prim(c, TY_B_REAL);
  case AST_C_STRING: return tc__prim(c, TY_B_STRING);
  case AST_C_CHAR: return tc__prim(c, TY_B_CHAR);
  case AST_C_BOOL: return tc__prim(c, TY_B_BOOL);
  case AST_C_UNIT: return tc__prim(c, TY_B_UNIT);
  }
  return ty_error(c->st);
}

/* Unify a pattern's type with what it must match. */
static void tc__pat_expect(tc *c, text_span span, ty *actual, ty *expected) {
  ty_unify_error err = {0};
  if (ty_unify(c->st, actual, expected, &err)) return;
  if (err.kind == TY_UERR_OOM) { c->oom = true; return; }
  tc__mismatch(c, span, actual, expected, &err, "pattern");
}

/* ------------------------------------------------------------------------ */
/* Patterns */

static void tc__bind_pat_var(tc *c, const ast_name *name, ty *t, tc_bound **bound) {
  if (!name->text) return;
  for (tc_bound *b = *bound; b; b = b->next)
    if (strcmp(b->name->text, name->text) == 0) {
      tc__error(c, name->span, TC_CODE_PATTERN, "Variable %s is bound several times in this matching", name->text);
      return;
    }
  tc_bound *b = arena_alloc(c->ar, sizeof *b);
  if (!b) { c->oom = true; return; }
  b->name = name;
  b->t = t;
  b->next = *bound;
  *bound = b;
  if (tc__wants(c)) {
    sig_loc loc = tc__loc(c, name->span);
    tc__probe_set(c, TC_PROBE_PATTERN, name->span, name->text, t, &loc, NULL);
  }
}

static void tc__ctor_pat(tc *c, const ast_pat *p, ty *expected, tc_bound **bound) {
  bool silent;
  const sig_ctor *k = tc__lookup_ctor(c, &p->u.ctor.name, expected, &silent);
  if (!k) {
    if (p->u.ctor.arg) tc__pat(c, p->u.ctor.arg, ty_error(c->st), bound);
    return;
  }
  if (tc__wants(c))
    tc__probe_set(c, TC_PROBE_CTOR, p->u.ctor.name.span, k->name, NULL, &k->loc, k->doc);
  ty *result;
  ty **args = tc__ctor_args(c, k, &result);
  tc__pat_expect(c, p->span, result, expected);
  if (!args) return;
  const ast_pat *arg = p->u.ctor.arg;
  if (k->nargs == 0) {
    if (arg) {
      tc__error(c, p->span, TC_CODE_CTOR_ARITY, "The constructor %s expects 0 argument(s), but is applied here to 1 argument(s)",
                k->name);
      tc__pat(c, arg, ty_error(c->st), bound);
    }
    return;
  }
  if (!arg) {
    tc__error(c, p->span, TC_CODE_CTOR_ARITY, "The constructor %s expects %u argument(s), but is applied here to 0 argument(s)",
              k->name, k->nargs);
    return;
  }
  if (k->nargs == 1) { tc__pat(c, arg, args[0], bound); return; }
  if (arg->kind == AST_P_ANY) return; /* C _ matches every argument */
  if (arg->kind == AST_P_TUPLE && arg->u.list.n == k->nargs) {
    for (uint32_t i = 0; i < k->nargs; i++) tc__pat(c, arg->u.list.items[i], args[i], bound);
    return;
  }
  tc__error(c, p->span, TC_CODE_CTOR_ARITY, "The constructor %s expects %u argument(s), but is applied here to %u argument(s)",
            k->name, k->nargs, arg->kind == AST_P_TUPLE ? arg->u.list.n : 1);
  tc__pat(c, arg, ty_error(c->st), bound);
}

static void tc__record_pat(tc *c, const ast_pat *p, ty *expected, tc_bound **bound) {
  ty *rec = NULL;
  const sig_type *owner = NULL;
  for (uint32_t i = 0; i < p->u.record.n; i++) {
    const ast_field_pat *fp = &p->u.record.fields[i];
    bool silent;
    const sig_field *f = tc__lookup_field(c, &fp->field, rec ? rec : expected, &silent);
    if (!f) { tc__pat(c, fp->pat, ty_error(c->st), bound); continue; }

    if (owner && f->owner != owner) {
      tc__error(c, fp->field.span, TC_CODE_RECORD, "The record field %s belongs to the type %s but is mixed here with fields of type %s",
                f->name, f->owner->name, owner->name);
      tc__pat(c, fp->pat, ty_error(c->st), bound);
      continue;
    }
    ty *r;
    ty *ft = tc__field_type(c, f, &r);
    if (!owner) {
      owner = f->owner;
      rec = r;
      tc__pat_expect(c, p->span, rec, expected);
    } else {
      ty_unify(c->st, r, rec, NULL);
    }
    if (tc__wants(c)) tc__probe_set(c, TC_PROBE_FIELD, fp->field.span, f->name, ft, &f->loc, f->doc);
    if (fp->type) tc__pat_expect(c, fp->span, ft, tc__type(c, fp->type, NULL));
    tc__pat(c, fp->pat, ft, bound);
  }
}

void tc__pat(tc *c, const ast_pat *p, ty *expected, tc_bound **bound) {
  if (++c->depth > TC_MAX_DEPTH) { c->depth--; return; }
  switch (p->kind) {
  case AST_P_ANY:
  case AST_P_ERROR:
  case AST_P_UNSUPPORTED:
    break;
  case AST_P_VAR:
    tc__bind_pat_var(c, &p->u.var, expected, bound);
    break;
  case AST_P_CONST:
    tc__pat_expect(c, p->span, tc__const_type(c, &p->u.c), expected);
    break;
  case AST_P_RANGE:
    tc__pat_expect(c, p->span, tc__prim(c, TY_B_CHAR), expected);
    break;
  case AST_P_CTOR:
    tc__ctor_pat(c, p, expected, bound);
    break;
  case AST_P_TUPLE: {
    uint32_t n = p->u.list.n;
    ty **items = arena_alloc(c->ar, (n ? n : 1) * sizeof *items);
    if (!items) { c->oom = true; break; }
    for (uint32_t i = 0; i < n; i++) items[i] = tc__fresh(c);
    if (n >= 2) tc__pat_expect(c, p->span, ty_tuple(c->st, items, n), expected);
    for (uint32_t i = 0; i < n; i++) tc__pat(c, p->u.list.items[i], items[i], bound);
    break;
  }
  case AST_P_LIST: {
    ty *elem = tc__fresh(c);
    tc__pat_expect(c, p->span, ty_list(c->st, elem), expected);
    for (uint32_t i = 0; i < p->u.list.n; i++) tc__pat(c, p->u.list.items[i], elem, bound);
    break;
  }
  case AST_P_CONS: {
    /* h :: t :: rest — walk the spine iteratively. */
    ty *elem = tc__fresh(c), *lt = ty_list(c->st, elem);
    tc__pat_expect(c, p->span, lt, expected);
    const ast_pat *q = p;
    while (q->kind == AST_P_CONS) {
      tc__pat(c, q->u.cons.head, elem, bound);
      q = q->u.cons.tail;
    }
    tc__pat(c, q, lt, bound);
    break;
  }
  case AST_P_RECORD:
    tc__record_pat(c, p, expected, bound);
    break;
  case AST_P_OR: {
    tc_bound *first = NULL;
    for (uint32_t i = 0; i < p->u.list.n; i++) {
      tc_bound *alt = NULL;
      tc__pat(c, p->u.list.items[i], expected, &alt);
      if (i == 0) { first = alt; continue; }
      /* Same variables, same types (the left side's variables named first). */
      for (tc_bound *f = first; f; f = f->next) {
        tc_bound *a = alt;
        while (a && strcmp(f->name->text, a->name->text) != 0) a = a->next;
        if (!a)
          tc__error(c, p->span, TC_CODE_PATTERN, "Variable %s must occur on both sides of this | pattern", f->name->text);
        else
          tc__pat_expect(c, a->name->span, a->t, f->t);
      }
      for (tc_bound *a = alt; a; a = a->next) {
        tc_bound *f = first;
        while (f && strcmp(f->name->text, a->name->text) != 0) f = f->next;
        if (!f)
          tc__error(c, p->span, TC_CODE_PATTERN, "Variable %s must occur on both sides of this | pattern", a->name->text);
      }
    }
    for (tc_bound *f = first; f;) {
      tc_bound *next = f->next;
      tc__bind_pat_var(c, f->name, f->t, bound);
      f = next;
    }
    break;
  }
  case AST_P_ALIAS:
    tc__pat(c, p->u.alias.pat, expected, bound);
    tc__bind_pat_var(c, &p->u.alias.name, expected, bound);
    break;
  case AST_P_CONSTRAINT: {
    ty *t = tc__type(c, p->u.constraint.type, NULL);
    tc__pat_expect(c, p->span, t, expected);
    tc__pat(c, p->u.constraint.pat, t, bound);
    break;
  }
  case AST_P_OPEN: {
    const tc_env *saved = c->env;
    tc_mod m;
    if (tc__resolve_mpath(c, &p->u.open.mod, &m, true)) {
      tc_env *e = tc__entry(c, TC_E_OPEN, NULL);
      if (e) { e->u.mod = m; tc__push(c, e); }
    }
    tc__pat(c, p->u.open.pat, expected, bound);
    c->env = saved;
    break;
  }
  }
  c->depth--;
}

/* The variables bound by a group of bindings, in order of appearance. */
typedef struct {
  tc_bound **v;
  uint32_t n, cap;
} tc__vars;

/* Append a pattern's variables (the list is in reverse order of appearance). */
static void tc__vars_add(tc *c, tc__vars *vs, tc_bound *rev) {
  uint32_t k = 0;
  for (tc_bound *b = rev; b; b = b->next) k++;
  if (vs->n + k > vs->cap) {
    uint32_t cap = (vs->n + k) * 2 + 4;
    tc_bound **nv = arena_alloc(c->ar, cap * sizeof *nv);
    if (!nv) { c->oom = true; return; }
    if (vs->n) memcpy(nv, vs->v, vs->n * sizeof *nv);
    vs->v = nv;
    vs->cap = cap;
  }
  uint32_t i = vs->n + k;
  for (tc_bound *b = rev; b; b = b->next) vs->v[--i] = b;
  vs->n += k;
}

/* Put the variables in scope (generalised above `level` when `gen`) and,
** at top level, in the interface. */
static void tc__enter_bound(tc *c, const tc__vars *vs, bool gen, uint32_t level, bool toplevel, ast_let_kw kw,
                            const char *doc) {
  for (uint32_t i = 0; i < vs->n; i++) {
    tc_bound *b = vs->v[i];
    if (gen) ty_generalize(c->st, b->t, level);
    sig_loc loc = tc__loc(c, b->name->span);
    tc__bind_value(c, b->name->text, b->t, loc, toplevel ? doc : NULL);
    if (toplevel) {
      ty_frozen *f = ty_freeze(c->st, b->t);
      if (!f) c->oom = true;
      else sig_add_value(c->sb, b->name->text, f, kw == AST_KW_LET ? SIG_V_VALUE : SIG_V_THEOREM, loc, doc);
    }
  }
}

/* ------------------------------------------------------------------------ */
/* Functions */

typedef struct {
  const ast_expr *measure;   /* [@@measure e] of the binding, checked with the parameters in scope */
  ast_let_kw kw;             /* theorem/lemma/axiom: the body is a statement */
  text_span name_span;
} tc__fn_extra;

static ty *tc__ordinal_t(tc *c) {
  const sig_type *t = c->ordinal ? sig_find_type(c->ordinal, "t") : NULL;
  return t && t->nparams == 0 ? ty_app(c->st, t->con, NULL, 0) : NULL;
}

/* The body of a theorem/lemma/axiom must be bool. */
static void tc__statement(tc *c, const ast_expr *body, ast_let_kw kw) {
  ty *t = tc__expr(c, body, tc__fresh(c));
  ty_unify_error err = {0};
  if (ty_unify(c->st, t, tc__prim(c, TY_B_BOOL), &err) || ty_contains_error(c->st, t)) return;
  char *ts = tc__print(c, NULL, t);
  const char *k = ast_let_kw_name(kw);
  bool vowel = k[0] == 'a' || k[0] == 'e' || k[0] == 'i' || k[0] == 'o' || k[0] == 'u';
  tc__error(c, body->span, TC_CODE_SPEC_NOT_BOOL, "This %s statement has type %s but %s %s statement must be of type bool",
            k, ts ? ts : "?", vowel ? "an" : "a", k);
  free(ts);
}

/* fun params : ret -> body, with `expected` the function's expected type
** (used to push types into the parameters and the body). */
static ty *tc__function(tc *c, const ast_param *params, uint32_t np, const ast_type *ret, const ast_expr *body,
                        ty *expected, const tc__fn_extra *x) {
  const tc_env *saved = c->env;
  ty **doms = arena_alloc(c->ar, (np ? np : 1) * sizeof *doms);
  ty_label_kind *lks = arena_alloc(c->ar, (np ? np : 1) * sizeof *lks);
  if (!doms || !lks) { c->oom = true; return ty_error(c->st); }
  ty *exp = expected;
  for (uint32_t i = 0; i < np; i++) {
    const ast_param *p = &params[i];
    if (p->kind == AST_PARAM_TYPE) {
      for (uint32_t k = 0; k < p->ntypes; k++) {
        tc_tvar *v = arena_alloc(c->ar, sizeof *v);
        if (!v || !p->types[k].text) continue;
        v->name = p->types[k].text;
        v->t = tc__fresh(c);
        v->abstract_type = true;
        v->next = c->tvars;
        c->tvars = v;
      }
      doms[i] = NULL;
      continue;
    }
    ty_label_kind lk = p->label == AST_LABEL_LABELLED ? TY_LBL_LABELLED
                       : p->label == AST_LABEL_OPTIONAL ? TY_LBL_OPTIONAL : TY_LBL_NONE;
    /* The expected arrow, when it has this shape. */
    ty *dom = NULL;
    ty *ex = exp ? ty_expand_head(c->st, exp) : NULL;
    if (ex && ty_kind_of(ex) == TY_ARROW && ty_arrow_label_kind(ex) == lk &&
        (lk == TY_LBL_NONE || (p->lname.text && strcmp(ty_arrow_label(ex), p->lname.text) == 0))) {
      dom = ty_arrow_dom(ex);
      exp = ty_arrow_cod(ex);
    } else {
      dom = tc__fresh(c);
      exp = NULL;
    }
    doms[i] = dom;
    lks[i] = lk;
    /* Each parameter is in scope from the next one on (a default value may
    ** use the earlier parameters); parameters are monomorphic. */
    tc_bound *bound = NULL;
    if (lk == TY_LBL_OPTIONAL && !p->def) {
      tc__pat(c, p->pat, ty_option(c->st, dom), &bound);
    } else {
      if (p->def) tc__expr(c, p->def, dom);
      tc__pat(c, p->pat, dom, &bound);
    }
    for (tc_bound *b = bound; b; b = b->next) tc__bind_value(c, b->name->text, b->t, tc__loc(c, b->name->span), NULL);
  }
  ty *res;
  if (ret) {
    res = tc__type(c, ret, NULL);
    if (exp) tc__expect(c, ret->span, res, exp);
  } else {
    res = exp ? exp : tc__fresh(c);
  }
  if (x && x->kw != AST_KW_LET) {
    tc__statement(c, body, x->kw);
    tc__expect(c, body->span, tc__prim(c, TY_B_BOOL), res);
    res = tc__prim(c, TY_B_BOOL);
  } else if (ret) {
    tc__expr(c, body, res); /* the annotation is the result type */
  } else {
    res = tc__expr(c, body, res);
  }
  /* The measure, after the body has given the parameters their types. */
  if (x && x->measure) {
    ty *ord = tc__ordinal_t(c);
    ty *mt = tc__expr(c, x->measure, tc__fresh(c));
    ty_unify_error err = {0};
    if (ord && !ty_unify(c->st, mt, ord, &err) && !ty_contains_error(c->st, mt)) {
      char *ts = tc__print(c, NULL, mt);
      tc__error(c, x->measure->span, TC_CODE_MEASURE,
                "This measure has type %s but a measure must be of type Ordinal.t (e.g. Ordinal.of_int n)", ts ? ts : "?");
      free(ts);
    }
  }
  c->env = saved;
  ty *t = res;
  for (uint32_t i = np; i-- > 0;) {
    if (!doms[i]) continue;
    t = lks[i] == TY_LBL_NONE || !params[i].lname.text ? ty_fun(c->st, doms[i], t)
                                                        : ty_arrow(c->st, lks[i], params[i].lname.text, doms[i], t);
  }
  return t;
}

/* ------------------------------------------------------------------------ */
/* Bindings */

static const ast_expr *tc__measure_of(const ast_binding *b) {
  for (uint32_t i = 0; i < b->nattrs; i++)
    if (b->attrs[i].name.text && strcmp(b->attrs[i].name.text, "measure") == 0 && b->attrs[i].expr) return b->attrs[i].expr;
  return NULL;
}

/* The value of one binding (its parameters, annotation, body). */
static ty *tc__binding_value(tc *c, const ast_binding *b, ty *expected, ast_let_kw kw) {
  tc__fn_extra x = {tc__measure_of(b), kw, b->pat->span};
  if (b->nparams || kw != AST_KW_LET || x.measure) {
    ty *t = tc__function(c, b->params, b->nparams, b->type, b->body, expected, &x);
    tc__expect(c, b->span, t, expected);
    return t;
  }
  if (b->type) {
    /* The annotation is the binding's type (abbreviations kept). */
    ty *t = tc__type(c, b->type, NULL);
    tc__expect(c, b->type->span, t, expected);
    tc__expr(c, b->body, t);
    return t;
  }
  return tc__expr(c, b->body, expected);
}

static ty_label_kind tc__lk(ast_label_kind k);

/* The function shape of a binding: one arrow per value parameter (with
** its label), through a `fun` body too; fresh types elsewhere. */
static ty *tc__approx(tc *c, const ast_binding *b) {
  const ast_param *ps = b->params;
  uint32_t np = b->nparams;
  const ast_expr *body = b->body;
  if (!np && body->kind == AST_E_FUN) {
    ps = body->u.fun.params;
    np = body->u.fun.nparams;
  }
  ty *t = tc__fresh(c);
  for (uint32_t i = np; i-- > 0;) {
    if (ps[i].kind != AST_PARAM_VALUE) continue;
    ty_label_kind lk = tc__lk(ps[i].label);
    t = lk == TY_LBL_NONE || !ps[i].lname.text ? ty_fun(c->st, tc__fresh(c), t)
                                               : ty_arrow(c->st, lk, ps[i].lname.text, tc__fresh(c), t);
  }
  return t;
}

void tc__bindings(tc *c, bool rec, const ast_binding *b, uint32_t n, ast_let_kw kw, bool toplevel, const char *doc) {
  uint32_t level = c->level;
  c->level = level + 1;
  tc__vars vs = {0};
  ty **types = arena_alloc(c->ar, (n ? n : 1) * sizeof *types);
  if (!types) { c->oom = true; c->level = level; return; }
  const tc_env *saved = c->env;
  if (rec) {
    /* The names are in scope (monomorphic) in every body of the group, with
    ** the shape their parameters give (labels, optional arguments), as
    ** OCaml's approximation does: a recursive call with ~x then matches. */
    for (uint32_t i = 0; i < n; i++) {
      types[i] = tc__approx(c, &b[i]);
      tc_bound *mine = NULL;
      tc__pat(c, b[i].pat, types[i], &mine);
      for (tc_bound *m = mine; m; m = m->next)
        tc__bind_value(c, m->name->text, m->t, tc__loc(c, m->name->span), NULL);
      tc__vars_add(c, &vs, mine);
    }
    for (uint32_t i = 0; i < n; i++) tc__binding_value(c, &b[i], types[i], kw);
  } else {
    for (uint32_t i = 0; i < n; i++) {
      types[i] = tc__fresh(c);
      const char *outer = c->defining;
      uint32_t outer_at = c->defining_at;
      if (b[i].pat->kind == AST_P_VAR && b[i].nparams) {
        c->defining = b[i].pat->u.var.text;
        c->defining_at = b[i].pat->span.start; /* its line is counted only for the hint */
      }
      ty *v = tc__binding_value(c, &b[i], types[i], kw);
      c->defining = outer;
      c->defining_at = outer_at;
      tc_bound *mine = NULL;
      tc__pat(c, b[i].pat, v, &mine);
      tc__vars_add(c, &vs, mine);
    }
  }
  c->env = saved;
  c->level = level;
  /* No value restriction: IML's logic is pure, so every binding is
  ** generalised (program mode included: being silent rather than wrong,
  ** we never report what OCaml's value restriction would). */
  tc__enter_bound(c, &vs, true, level, toplevel, kw, doc);
}

/* ------------------------------------------------------------------------ */
/* Applications */

typedef struct {
  ty_label_kind lk;
  const char *label;
  ty *dom;
  bool used;
} tc__param;

static ty_label_kind tc__lk(ast_label_kind k) {
  return k == AST_LABEL_LABELLED ? TY_LBL_LABELLED : k == AST_LABEL_OPTIONAL ? TY_LBL_OPTIONAL : TY_LBL_NONE;
}

static bool tc__label_used(const tc__param *ps, uint32_t np, const char *label) {
  for (uint32_t k = 0; label && k < np; k++)
    if (ps[k].used && ps[k].label && strcmp(ps[k].label, label) == 0) return true;
  return false;
}

/* Check argument i against `dom`: normally by checking its expression; in
** a chain, argument 0 may come already typed (pre0) and argument 1 may be
** deferred (its expected type goes to *defer1, the caller checks it). */
typedef struct {
  ty *pre0;
  ty **defer1;
} tc__argmode;

static void tc__arg(tc *c, const ast_arg *a, uint32_t i, ty *dom, const tc__argmode *m) {
  if (m && i == 0 && m->pre0) { tc__expect(c, a->expr->span, m->pre0, dom); return; }
  if (m && i == 1 && m->defer1) { *m->defer1 = dom; return; }
  tc__expr(c, a->expr, dom);
}

static ty *tc__app_ex(tc *c, const ast_expr *e, ty *expected, const tc__argmode *mode);

static ty *tc__app(tc *c, const ast_expr *e, ty *expected) { return tc__app_ex(c, e, expected, NULL); }

/* A binary application of a named function (`a + b`, `f x y`): the links
** of operator chains, which can be 100,000 long. */
static bool tc__binary(const ast_expr *e) {
  return e->kind == AST_E_APP && e->u.app.nargs == 2 && e->u.app.fn->kind == AST_E_ID &&
         e->u.app.args[0].label == AST_LABEL_NONE && e->u.app.args[1].label == AST_LABEL_NONE;
}

#define TC__CHAIN_MIN 32

/* Long left-nested (`a + b + c …`) or right-nested (`a ==> b ==> …`, `x @@ …`)
** chains are checked in a loop instead of recursing once per link. */
static ty *tc__app_chain(tc *c, const ast_expr *e, ty *expected) {
  size_t nl = 0, nr = 0;
  for (const ast_expr *x = e; tc__binary(x) && nl < TC__CHAIN_MIN; x = x->u.app.args[0].expr) nl++;
  for (const ast_expr *x = e; tc__binary(x) && nr < TC__CHAIN_MIN; x = x->u.app.args[1].expr) nr++;
  if (nl < TC__CHAIN_MIN && nr < TC__CHAIN_MIN) return tc__app(c, e, expected);
  bool left = nl >= TC__CHAIN_MIN;
  size_t n = 0, cap = 64;
  const ast_expr **spine = malloc(cap * sizeof *spine);
  if (!spine) { c->oom = true; return ty_error(c->st); }
  const ast_expr *x = e;
  for (; tc__binary(x); x = x->u.app.args[left ? 0 : 1].expr) {
    if (n == cap) {
      const ast_expr **ns = realloc(spine, (cap *= 2) * sizeof *ns);
      if (!ns) { free(spine); c->oom = true; return ty_error(c->st); }
      spine = ns;
    }
    spine[n++] = x;
  }
  ty *r;
  if (left) {
    /* Innermost operand first, then each link with its left operand typed. */
    ty *t = tc__expr(c, x, tc__fresh(c));
    for (size_t i = n; i-- > 0;) {
      tc__argmode m = {t, NULL};
      t = tc__app_ex(c, spine[i], i == 0 ? expected : tc__fresh(c), &m);
      if (c->probing && tc__probe_hit(c, spine[i]->span)) tc__probe_set(c, TC_PROBE_EXPR, spine[i]->span, NULL, t, NULL, NULL);
    }
    r = t;
  } else {
    /* Outermost link first; each link's right operand is the next link,
    ** checked against the type the link expects for it. */
    ty *exp = expected;
    r = NULL;
    for (size_t i = 0; i < n; i++) {
      ty *next = NULL;
      tc__argmode m = {NULL, &next};
      ty *t = tc__app_ex(c, spine[i], exp, &m);
      if (!r) r = t;
      if (c->probing && tc__probe_hit(c, spine[i]->span)) tc__probe_set(c, TC_PROBE_EXPR, spine[i]->span, NULL, t, NULL, NULL);
      exp = next ? next : tc__fresh(c);
    }
    tc__expr(c, x, exp);
  }
  free(spine);
  return r;
}

/* Append the parameters of *cur's arrows to ps (growing it) and leave in
** *cur what follows them. Abbreviations are expanded only to see arrows:
** a result type keeps its name (`Set.t`, not its expansion). false on OOM. */
static bool tc__spine(tc *c, ty **cur, tc__param **ps, uint32_t *np, uint32_t *cap) {
  for (ty *ex = ty_expand_head(c->st, *cur); ty_kind_of(ex) == TY_ARROW; ex = ty_expand_head(c->st, *cur)) {
    if (*np == *cap) {
      tc__param *n2 = realloc(*ps, (*cap *= 2) * sizeof **ps);
      if (!n2) { c->oom = true; return false; }
      *ps = n2;
    }
    (*ps)[(*np)++] = (tc__param){ty_arrow_label_kind(ex), ty_arrow_label(ex), ty_arrow_dom(ex), false};
    *cur = ty_arrow_cod(ex);
  }
  return true;
}

static ty *tc__app_ex(tc *c, const ast_expr *e, ty *expected, const tc__argmode *mode) {
  const ast_expr *fn = e->u.app.fn;
  ty *ft = tc__expr(c, fn, tc__fresh(c));
  uint32_t na = e->u.app.nargs;
  const ast_arg *args = e->u.app.args;
  /* The known parameters of the function type. */
  uint32_t cap = 8, np = 0;
  tc__param *ps = malloc(cap * sizeof *ps);
  if (!ps) { c->oom = true; return ty_error(c->st); }
  ty *cur = ft;
  if (!tc__spine(c, &cur, &ps, &np, &cap)) { free(ps); return ty_error(c->st); }
  bool fn_error = ty_kind_of(ft) == TY_ERROR;
  /* Labels omitted: a total application of a function with labels, all
  ** arguments positional, one per non-optional parameter (OCaml's rule). */
  bool all_positional = true, has_labels = false;
  uint32_t nonopt = 0;
  for (uint32_t i = 0; i < na; i++) all_positional &= args[i].label == AST_LABEL_NONE;
  for (uint32_t i = 0; i < np; i++) {
    has_labels |= ps[i].lk == TY_LBL_LABELLED;
    nonopt += ps[i].lk != TY_LBL_OPTIONAL;
  }
  bool ignore_labels = all_positional && has_labels && na == nonopt && ty_kind_of(cur) != TY_VAR;
  bool failed = false, arg_mismatch = false;
  for (uint32_t i = 0; i < na && !failed; i++) {
    const ast_arg *a = &args[i];
    size_t before = c->diags->count;
    long match = -1;
    if (a->label != AST_LABEL_NONE && a->lname.text) {
      for (uint32_t k = 0; k < np && match < 0; k++)
        if (!ps[k].used && ps[k].lk != TY_LBL_NONE && strcmp(ps[k].label, a->lname.text) == 0) match = k;
    } else if (ignore_labels) {
      for (uint32_t k = 0; k < np && match < 0; k++)
        if (!ps[k].used && ps[k].lk != TY_LBL_OPTIONAL) match = k;
    } else {
      for (uint32_t k = 0; k < np && match < 0; k++)
        if (!ps[k].used && ps[k].lk == TY_LBL_NONE) match = k;
      /* Optional parameters before it are omitted (defaulted). */
      for (uint32_t k = 0; match >= 0 && k < (uint32_t)match; k++)
        if (!ps[k].used && ps[k].lk == TY_LBL_OPTIONAL) ps[k].used = true;
    }
    if (match < 0) {
      /* The result may have become a function meanwhile (a recursive call
      ** inside an argument fixed it): take its parameters and look again. */
      size_t before_np = np;
      tc__spine(c, &cur, &ps, &np, &cap);
      if (np > before_np) { i--; continue; } /* retry this argument */
    }
    if (match < 0) {
      /* Not among the known parameters: a result that is a type variable
      ** may still be a function taking it (OCaml's rule). */
      if (ty_kind_of(ty_expand_head(c->st, cur)) == TY_VAR) {
        cur = ty_expand_head(c->st, cur);
        ty *dom = tc__fresh(c), *cod = tc__fresh(c);
        ty_label_kind lk = tc__lk(a->label);
        ty *arrow = lk == TY_LBL_NONE || !a->lname.text ? ty_fun(c->st, dom, cod) : ty_arrow(c->st, lk, a->lname.text, dom, cod);
        ty_unify(c->st, cur, arrow, NULL);
        if (np == cap) {
          tc__param *n2 = realloc(ps, (cap *= 2) * sizeof *ps);
          if (!n2) { c->oom = true; break; }
          ps = n2;
        }
        ps[np] = (tc__param){lk, lk == TY_LBL_NONE ? NULL : a->lname.text, dom, false};
        match = np++;
        cur = cod;
      } else if (ty_kind_of(ty_expand_head(c->st, cur)) == TY_ERROR || fn_error) {
        tc__arg(c, a, i, tc__fresh(c), mode);
        continue;
      } else {
        /* Report once, then check the remaining arguments on their own. */
        char *fts = tc__print(c, NULL, ft);
        if (np == 0)
          tc__error(c, fn->span, TC_CODE_NOT_A_FUNCTION, "This expression has type %s\nThis is not a function; it cannot be applied.",
                    fts ? fts : "?");
        else if (a->label != AST_LABEL_NONE && tc__label_used(ps, np, a->lname.text))
          tc__error(c, fn->span, TC_CODE_NOT_A_FUNCTION,
                    "This function has type %s\nIt is applied to too many arguments; maybe you forgot a `;'.", fts ? fts : "?");
        else if (a->label != AST_LABEL_NONE)
          tc__error(c, a->expr->span, TC_CODE_LABEL, "The function applied to this argument has type %s\nThis argument cannot be applied with label %c%s",
                    fts ? fts : "?", a->label == AST_LABEL_OPTIONAL ? '?' : '~', a->lname.text ? a->lname.text : "");
        else {
          bool only_labels = false;
          for (uint32_t k = 0; k < np; k++) only_labels |= !ps[k].used && ps[k].lk == TY_LBL_LABELLED;
          if (only_labels)
            tc__error(c, a->expr->span, TC_CODE_LABEL, "The function applied to this argument has type %s\nThis argument cannot be applied without label",
                      fts ? fts : "?");
          else
            tc__error(c, fn->span, TC_CODE_NOT_A_FUNCTION,
                      "This function has type %s\nIt is applied to too many arguments; maybe you forgot a `;'.", fts ? fts : "?");
        }
        free(fts);
        for (uint32_t k = i; k < na; k++) tc__arg(c, &args[k], k, tc__fresh(c), mode);
        failed = true;
        break;
      }
    }
    tc__param *p = &ps[match];
    p->used = true;
    if (p->lk == TY_LBL_OPTIONAL && a->label == AST_LABEL_OPTIONAL) tc__arg(c, a, i, ty_option(c->st, p->dom), mode);
    else if (p->lk == TY_LBL_LABELLED && a->label == AST_LABEL_OPTIONAL) {
      tc__error(c, a->span, TC_CODE_LABEL, "This argument is passed with ?%s but the function's parameter is ~%s", p->label, p->label);
      tc__arg(c, a, i, tc__fresh(c), mode);
    } else tc__arg(c, a, i, p->dom, mode);
    /* One root error per application: `1.5 < 2.0` is one mistake (the
    ** operator), not two; a second argument of the wrong type is not
    ** reported again. */
    bool direct = c->diags->count > before && c->diags->items[c->diags->count - 1].span.start == a->expr->span.start &&
                  c->diags->items[c->diags->count - 1].span.end == a->expr->span.end &&
                  strcmp(c->diags->items[c->diags->count - 1].code, TC_CODE_MISMATCH) == 0;
    if (direct && arg_mismatch) {
      diag *d = &c->diags->items[--c->diags->count];
      free(d->message);
    }
    arg_mismatch |= direct;
  }
  ty *result;
  if (failed || fn_error) {
    result = ty_error(c->st);
  } else {
    /* What is left: the unused parameters, in order, then the rest. */
    result = cur;
    for (uint32_t k = np; k-- > 0;) {
      if (ps[k].used) continue;
      result = ps[k].lk == TY_LBL_NONE ? ty_fun(c->st, ps[k].dom, result)
                                       : ty_arrow(c->st, ps[k].lk, ps[k].label, ps[k].dom, result);
    }
  }
  free(ps);
  if (!failed && !fn_error) tc__expect(c, e->span, result, expected);
  return failed || fn_error ? expected : result;
}

/* ------------------------------------------------------------------------ */
/* Records */

/* Fresh parameters for a record type; its type applied to them. */
static ty *tc__rec_inst(tc *c, const sig_type *owner, ty ***vars) {
  *vars = arena_alloc(c->ar, (owner->nparams ? owner->nparams : 1) * sizeof **vars);
  if (!*vars) { c->oom = true; return ty_error(c->st); }
  for (uint32_t i = 0; i < owner->nparams; i++) (*vars)[i] = tc__fresh(c);
  return ty_app(c->st, owner->con, *vars, owner->nparams);
}

static ty *tc__rec_field(tc *c, const sig_field *f, ty **vars) {
  return f->type ? ty_thaw(c->st, f->type, c->level, vars, f->owner->nparams) : ty_error(c->st);
}

/* { f = …; g = … } without a known expected type: the last defined
** record type that has every one of these (unqualified) fields, as OCaml
** chooses; NULL to fall back to the first field's lookup. */
static const sig_type *tc__record_by_fields(tc *c, const ast_field_init *fs, uint32_t n, ty *expected) {
  if (!n || fs[0].field.path.n || !fs[0].field.name.text) return NULL;
  ty *ex = ty_expand_head(c->st, expected);
  if (ty_kind_of(ex) == TY_APP) return NULL; /* type-directed lookup decides */
  const char *first = fs[0].field.name.text;
  uint32_t h = tc__hash(first);
  for (const tc_env *e = c->env; e; e = e->next) {
    const sig_type *cand = NULL;
    if (e->kind == TC_E_FIELD && e->hash == h && strcmp(e->name, first) == 0) cand = e->u.field->owner;
    else if (e->kind == TC_E_OPEN && e->u.mod.s) {
      const sig_field *f = sig_find_field(e->u.mod.s, first);
      cand = f ? f->owner : NULL;
    }
    if (!cand) continue;
    bool all = true;
    for (uint32_t i = 1; i < n && all; i++)
      all = fs[i].field.name.text && !fs[i].field.path.n && sig_type_field(cand, fs[i].field.name.text);
    if (all) return cand;
  }
  return NULL;
}

static ty *tc__record(tc *c, const ast_expr *e, ty *expected) {
  uint32_t n = e->u.record.n;
  const ast_field_init *fs = e->u.record.fields;
  const ast_expr *base = e->u.record.base;
  const sig_type *owner = NULL;
  bool bad = false;
  const sig_field **seen = arena_alloc(c->ar, (n ? n : 1) * sizeof *seen);
  if (!seen) { c->oom = true; return ty_error(c->st); }
  /* The base's type guides the field lookup (type-directed), without
  ** fixing the result's parameters: { r with f = … } may change them. */
  ty *base_t = base ? tc__expr(c, base, tc__fresh(c)) : NULL;
  if (!base) owner = tc__record_by_fields(c, fs, n, expected);
  for (uint32_t i = 0; i < n; i++) {
    bool silent;
    ty *hint = owner ? NULL : base_t ? base_t : expected;
    const sig_field *f = owner ? sig_type_field(owner, fs[i].field.name.text ? fs[i].field.name.text : "") : NULL;
    if (!f) f = tc__lookup_field(c, &fs[i].field, hint, &silent);
    seen[i] = f;
    if (!f) { bad = true; continue; }
    if (owner && f->owner != owner) {
      tc__error(c, fs[i].field.span, TC_CODE_RECORD, "The record field %s belongs to the type %s but is mixed here with fields of type %s",
                f->name, f->owner->name, owner->name);
      bad = true;
      seen[i] = NULL;
      continue;
    }
    for (uint32_t k = 0; k < i; k++)
      if (seen[k] == f) {
        tc__error(c, e->span, TC_CODE_RECORD, "The record field label %s is defined several times", f->name);
        bad = true;
      }
    owner = f->owner;
  }
  if (!owner) {
    for (uint32_t i = 0; i < n; i++) tc__expr(c, fs[i].expr, tc__fresh(c));
    return bad ? ty_error(c->st) : expected;
  }
  ty **vr;
  ty *rec = tc__rec_inst(c, owner, &vr);
  if (base) {
    /* Fields not given keep the base's types; the others may differ. */
    ty **vb;
    ty *recb = tc__rec_inst(c, owner, &vb);
    tc__expect(c, base->span, base_t, recb);
    for (uint32_t k = 0; k < owner->nfields; k++) {
      bool given = false;
      for (uint32_t i = 0; i < n && !given; i++) given = seen[i] == owner->fields[k];
      if (!given) ty_unify(c->st, tc__rec_field(c, owner->fields[k], vb), tc__rec_field(c, owner->fields[k], vr), NULL);
    }
  }
  /* The expected type fixes the parameters before the fields are checked. */
  ty_unify(c->st, rec, expected, NULL);
  for (uint32_t i = 0; i < n; i++) {
    if (!seen[i]) { tc__expr(c, fs[i].expr, tc__fresh(c)); continue; }
    ty *ft = tc__rec_field(c, seen[i], vr);
    if (tc__wants(c))
      tc__probe_set(c, TC_PROBE_FIELD, fs[i].field.span, seen[i]->name, ft, &seen[i]->loc, seen[i]->doc);
    if (fs[i].type) tc__expect(c, fs[i].span, ft, tc__type(c, fs[i].type, NULL));
    tc__expr(c, fs[i].expr, ft);
  }
  if (!base && !bad) {
    char missing[1024];
    size_t w = 0;
    for (uint32_t k = 0; k < owner->nfields; k++) {
      bool given = false;
      for (uint32_t i = 0; i < n && !given; i++) given = seen[i] == owner->fields[k];
      if (!given && w < sizeof missing)
        w += (size_t)snprintf(missing + w, sizeof missing - w, "%s%s", w ? " " : "", owner->fields[k]->name);
    }
    if (w) tc__error(c, e->span, TC_CODE_RECORD, "Some record fields are undefined: %s", missing);
  }
  tc__expect(c, e->span, rec, expected);
  return rec;
}

static ty *tc__field_access(tc *c, const ast_expr *e, ty *expected) {
  ty *rt = tc__expr(c, e->u.field.rec, tc__fresh(c));
  bool silent;
  const sig_field *f = tc__lookup_field(c, &e->u.field.field, rt, &silent);
  if (!f) return expected;
  ty *r;
  ty *ft = tc__field_type(c, f, &r);
  if (tc__wants(c)) tc__probe_set(c, TC_PROBE_FIELD, e->u.field.field.span, f->name, ft, &f->loc, f->doc);
  if (!tc__expect(c, e->u.field.rec->span, rt, r)) return expected;
  tc__expect(c, e->span, ft, expected);
  return ft;
}

/* ------------------------------------------------------------------------ */
/* Constructors */

static ty *tc__ctor(tc *c, const ast_expr *e, ty *expected) {
  bool silent;
  const sig_ctor *k = tc__lookup_ctor(c, &e->u.ctor.name, expected, &silent);
  const ast_expr *arg = e->u.ctor.arg;
  if (!k) {
    if (arg) tc__expr(c, arg, tc__fresh(c));
    return silent ? expected : ty_error(c->st);
  }
  ty *result;
  ty **args = tc__ctor_args(c, k, &result);
  if (tc__wants(c))
    tc__probe_set(c, TC_PROBE_CTOR, e->u.ctor.name.span, k->name, result, &k->loc, k->doc);
  if (!args) return ty_error(c->st);
  /* The expected type fixes the parameters first, so a wrong argument is
  ** reported on itself. */
  ty_unify(c->st, result, expected, NULL);
  uint32_t given = !arg ? 0 : (k->nargs >= 2 && arg->kind == AST_E_TUPLE) ? arg->u.list.n : 1;
  if (given != k->nargs) {
    tc__error(c, e->span, TC_CODE_CTOR_ARITY, "The constructor %s expects %u argument(s), but is applied here to %u argument(s)",
              k->name, k->nargs, given);
    if (arg) tc__expr(c, arg, tc__fresh(c));
    return expected;
  }
  if (k->nargs == 1) tc__expr(c, arg, args[0]);
  else
    for (uint32_t i = 0; i < k->nargs; i++) tc__expr(c, arg->u.list.items[i], args[i]);
  tc__expect(c, e->span, result, expected);
  return result;
}

/* ------------------------------------------------------------------------ */
/* Expressions */

static void tc__cases(tc *c, const ast_case *cases, uint32_t n, ty *scrut, ty *result) {
  for (uint32_t i = 0; i < n; i++) {
    const tc_env *saved = c->env;
    tc_bound *bound = NULL;
    tc__pat(c, cases[i].pat, scrut, &bound);
    for (tc_bound *b = bound; b; b = b->next) tc__bind_value(c, b->name->text, b->t, tc__loc(c, b->name->span), NULL);
    if (cases[i].guard) tc__expr(c, cases[i].guard, tc__prim(c, TY_B_BOOL));
    tc__expr(c, cases[i].body, result);
    c->env = saved;
  }
}

static ty *tc__letop(tc *c, const ast_expr *e, ty *expected) {
  const ast_binding *b = e->u.let.binds;
  uint32_t n = e->u.let.nbinds;
  if (!n || !b[0].op.text) return ty_error(c->st);
  /* acc = e1, then acc = (and* acc ei) for each and*; the pattern is the tuple. */
  ty *acc = tc__expr(c, b[0].body, tc__fresh(c));
  const tc_env *saved = c->env;
  tc_bound *bound = NULL;
  ty **pts = arena_alloc(c->ar, n * sizeof *pts);
  if (!pts) { c->oom = true; return ty_error(c->st); }
  pts[0] = tc__fresh(c);
  ty *acc_pat = pts[0];
  for (uint32_t i = 1; i < n; i++) {
    ast_lid op = {{NULL, 0, {0, 0}}, b[i].op, b[i].op.span};
    ty *opt = tc__lookup_value(c, &op);
    ty *ei = tc__expr(c, b[i].body, tc__fresh(c));
    ty *res = tc__fresh(c);
    tc__expect(c, b[i].op.span, opt, ty_fun(c->st, acc, ty_fun(c->st, ei, res)));
    acc = res;
    pts[i] = tc__fresh(c);
    ty *pair[2] = {acc_pat, pts[i]};
    acc_pat = ty_tuple(c->st, pair, 2);
  }
  ast_lid op = {{NULL, 0, {0, 0}}, b[0].op, b[0].op.span};
  ty *opt = tc__lookup_value(c, &op);
  ty *res = tc__fresh(c);
  /* The patterns: the value passed to the continuation is acc_pat-shaped. */
  for (uint32_t i = 0; i < n; i++) tc__pat(c, b[i].pat, pts[i], &bound);
  for (tc_bound *x = bound; x; x = x->next) tc__bind_value(c, x->name->text, x->t, tc__loc(c, x->name->span), NULL);
  ty *body_t = tc__expr(c, e->u.let.body, tc__fresh(c));
  c->env = saved;
  tc__expect(c, b[0].op.span, opt, ty_fun(c->st, acc, ty_fun(c->st, ty_fun(c->st, acc_pat, body_t), res)));
  tc__expect(c, e->span, res, expected);
  return res;
}

ty *tc__expr(tc *c, const ast_expr *e, ty *expected) {
  if (++c->depth > TC_MAX_DEPTH) {
    if (!c->deep_reported) {
      c->deep_reported = true;
      tc__error(c, e->span, TC_CODE_OTHER, "This expression is nested too deeply to be type-checked");
    }
    c->depth--;
    return ty_error(c->st);
  }
  ty *r = expected;
  switch (e->kind) {
  case AST_E_ERROR:
    r = ty_error(c->st);
    break;
  case AST_E_CONST:
    r = tc__const_type(c, &e->u.c);
    tc__expect(c, e->span, r, expected);
    break;
  case AST_E_ID:
    r = tc__lookup_value(c, &e->u.id);
    tc__expect(c, e->span, r, expected);
    break;
  case AST_E_CTOR:
    r = tc__ctor(c, e, expected);
    break;
  case AST_E_APP:
    r = tc__app_chain(c, e, expected);
    break;
  case AST_E_FUN:
    r = tc__function(c, e->u.fun.params, e->u.fun.nparams, e->u.fun.ret, e->u.fun.body, expected, NULL);
    tc__expect(c, e->span, r, expected);
    break;
  case AST_E_FUNCTION: {
    ty *arg = tc__fresh(c), *res = tc__fresh(c);
    ty *ex = ty_expand_head(c->st, expected);
    if (ty_kind_of(ex) == TY_ARROW && ty_arrow_label_kind(ex) == TY_LBL_NONE) {
      arg = ty_arrow_dom(ex);
      res = ty_arrow_cod(ex);
    }
    tc__cases(c, e->u.function.cases, e->u.function.ncases, arg, res);
    r = ty_fun(c->st, arg, res);
    tc__expect(c, e->span, r, expected);
    break;
  }
  case AST_E_LET: {
    /* let … in let … in body: iterate along the chain of bodies. */
    const tc_env *saved = c->env;
    const ast_expr *x = e;
    while (x->kind == AST_E_LET) {
      tc__bindings(c, x->u.let.rec, x->u.let.binds, x->u.let.nbinds, AST_KW_LET, false, NULL);
      x = x->u.let.body;
    }
    r = tc__expr(c, x, expected);
    c->env = saved;
    break;
  }
  case AST_E_LETOP:
    r = tc__letop(c, e, expected);
    break;
  case AST_E_OPEN: {
    const tc_env *saved = c->env;
    tc_mod m;
    if (tc__resolve_mpath(c, &e->u.open.mod, &m, true)) {
      tc_env *en = tc__entry(c, TC_E_OPEN, NULL);
      if (en) { en->u.mod = m; tc__push(c, en); }
    }
    r = tc__expr(c, e->u.open.body, expected);
    c->env = saved;
    break;
  }
  case AST_E_MATCH: {
    ty *st = tc__expr(c, e->u.match.scrut, tc__fresh(c));
    tc__cases(c, e->u.match.cases, e->u.match.ncases, st, expected);
    r = expected;
    break;
  }
  case AST_E_IF:
    c->why = "because it is in the condition of an if-statement";
    c->why_span = e->u.if_.cond->span;
    tc__expr(c, e->u.if_.cond, tc__prim(c, TY_B_BOOL));
    c->why = NULL;
    if (e->u.if_.else_e) {
      tc__expr(c, e->u.if_.then_e, expected);
      tc__expr(c, e->u.if_.else_e, expected);
      r = expected;
    } else {
      c->why = "because it is in the result of a conditional with no else branch";
      c->why_span = e->u.if_.then_e->span;
      r = tc__expr(c, e->u.if_.then_e, tc__prim(c, TY_B_UNIT));
      c->why = NULL;
      tc__expect(c, e->span, tc__prim(c, TY_B_UNIT), expected);
    }
    break;
  case AST_E_TUPLE: {
    uint32_t n = e->u.list.n;
    ty **items = arena_alloc(c->ar, (n ? n : 1) * sizeof *items);
    if (!items) { c->oom = true; r = ty_error(c->st); break; }
    ty *ex = ty_expand_head(c->st, expected);
    bool shaped = ty_kind_of(ex) == TY_TUPLE && ty_tuple_len(ex) == n;
    for (uint32_t i = 0; i < n; i++) items[i] = tc__expr(c, e->u.list.items[i], shaped ? ty_tuple_elem(ex, i) : tc__fresh(c));
    r = n >= 2 ? ty_tuple(c->st, items, n) : n ? items[0] : ty_error(c->st);
    if (!shaped) tc__expect(c, e->span, r, expected);
    break;
  }
  case AST_E_LIST: {
    ty *elem = tc__fresh(c);
    ty *ex = ty_expand_head(c->st, expected);
    if (ty_kind_of(ex) == TY_VAR && ty_unify(c->st, ex, ty_list(c->st, elem), NULL)) ex = ty_expand_head(c->st, expected);
    if (ty_kind_of(ex) == TY_APP && ty_con_id(ty_app_con(ex)) == ty_con_id(ty_builtin_con(TY_B_LIST))) elem = ty_app_arg(ex, 0);
    for (uint32_t i = 0; i < e->u.list.n; i++) tc__expr(c, e->u.list.items[i], elem);
    r = ty_list(c->st, elem);
    tc__expect(c, e->span, r, expected);
    break;
  }
  case AST_E_CONS: {
    ty *elem = tc__fresh(c);
    ty *ex = ty_expand_head(c->st, expected);
    if (ty_kind_of(ex) == TY_VAR && ty_unify(c->st, ex, ty_list(c->st, elem), NULL)) ex = ty_expand_head(c->st, expected);
    if (ty_kind_of(ex) == TY_APP && ty_con_id(ty_app_con(ex)) == ty_con_id(ty_builtin_con(TY_B_LIST))) elem = ty_app_arg(ex, 0);
    r = ty_list(c->st, elem);
    const ast_expr *x = e;
    while (x->kind == AST_E_CONS) {
      tc__expr(c, x->u.cons.head, elem);
      x = x->u.cons.tail;
    }
    tc__expr(c, x, r);
    tc__expect(c, e->span, r, expected);
    break;
  }
  case AST_E_RECORD:
    r = tc__record(c, e, expected);
    break;
  case AST_E_FIELD:
    r = tc__field_access(c, e, expected);
    break;
  case AST_E_CONSTRAINT: {
    ty *t = tc__type(c, e->u.constraint.type, NULL);
    tc__expr(c, e->u.constraint.expr, t);
    tc__expect(c, e->span, t, expected);
    r = t;
    break;
  }
  case AST_E_SEQ: {
    uint32_t n = e->u.list.n;
    for (uint32_t i = 0; i + 1 < n; i++) tc__expr(c, e->u.list.items[i], tc__fresh(c));
    r = n ? tc__expr(c, e->u.list.items[n - 1], expected) : expected;
    break;
  }
  case AST_E_ASSERT: {
    const ast_expr *a = e->u.assert_.expr;
    if (a->kind == AST_E_CONST && a->u.c.kind == AST_C_BOOL && !a->u.c.bval) {
      r = expected; /* assert false: any type */
    } else {
      tc__expr(c, a, tc__prim(c, TY_B_BOOL));
      r = tc__prim(c, TY_B_UNIT);
      tc__expect(c, e->span, r, expected);
    }
    break;
  }
  case AST_E_UNSUPPORTED:
    /* Not IML logic (reported by the lowering outside program mode): its
    ** type is unknown, never an error. */
    r = ty_error(c->st);
    break;
  }
  if (c->probing && tc__probe_hit(c, e->span)) tc__probe_set(c, TC_PROBE_EXPR, e->span, NULL, r, NULL, NULL);
  c->depth--;
  return r;
}
