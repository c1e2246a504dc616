/*
** typeck_type.c — type expressions and type declarations (variants, inline
** records, records, aliases, parameters, mutual recursion, nonrec), and
** instantiation of constructors and fields. See typeck_int.h.
*/
#include "typeck_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ty *tc__tvar(tc *c, const ast_name *name, const tc_params *params) {
  if (params) {
    for (uint32_t i = 0; i < params->n; i++)
      if (params->names[i].text && strcmp(params->names[i].text, name->text) == 0) return params->vars[i];
    tc__error(c, name->span, TC_CODE_OTHER, "The type variable '%s is unbound in this type declaration.", name->text);
    return ty_error(c->st);
  }
  for (tc_tvar *v = c->tvars; v; v = v->next)
    if (!v->abstract_type && strcmp(v->name, name->text) == 0) return v->t;
  tc_tvar *v = arena_alloc(c->ar, sizeof *v);
  if (!v) { c->oom = true; return ty_error(c->st); }
  v->name = name->text;
  /* As in OCaml, 'a is shared by the whole top-level item: it lives at the
  ** item's binding level, so an inner `let` never generalises it. */
  v->t = ty_new_named_var(c->st, TY_LEVEL_TOP + 1, name->text);
  v->next = c->tvars;
  c->tvars = v;
  return v->t;
}

ty *tc__type(tc *c, const ast_type *t, const tc_params *params) {
  if (++c->depth > TC_MAX_DEPTH) {
    c->depth--;
    return ty_error(c->st);
  }
  ty *r;
  switch (t->kind) {
  case AST_T_VAR:
    r = t->u.var.text ? tc__tvar(c, &t->u.var, params) : ty_new_var(c->st, c->level);
    break;
  case AST_T_ANY:
  case AST_T_UNSUPPORTED:
    r = ty_new_var(c->st, c->level);
    break;
  case AST_T_CONSTR: {
    uint32_t n = t->u.constr.nargs;
    ty **args = n ? arena_alloc(c->ar, n * sizeof *args) : NULL;
    if (n && !args) { c->oom = true; r = ty_error(c->st); break; }
    for (uint32_t i = 0; i < n; i++) args[i] = tc__type(c, t->u.constr.args[i], params);
    if (n == 0 && !t->u.constr.name.path.n && t->u.constr.name.name.text) {
      /* (type a): a locally abstract type behaves as a type variable here. */
      for (tc_tvar *v = c->tvars; v; v = v->next)
        if (v->abstract_type && strcmp(v->name, t->u.constr.name.name.text) == 0) { r = v->t; goto done; }
    }
    bool silent = false;
    const sig_type *d = tc__lookup_type(c, &t->u.constr.name, &silent);
    if (!d) { r = ty_error(c->st); break; }
    if (tc__wants(c))
      tc__probe_set(c, TC_PROBE_TYPE, t->u.constr.name.span, t->u.constr.name.name.text, NULL, &d->loc, d->doc);
    if (d->nparams != n) {
      tc__error(c, t->span, TC_CODE_TYPE_ARITY,
                "The type constructor %s expects %u argument(s), but is here applied to %u argument(s)",
                t->u.constr.name.name.text, d->nparams, n);
      r = ty_error(c->st);
      break;
    }
    r = ty_app(c->st, d->con, args, n);
    break;
  }
  case AST_T_ARROW: {
    ty *dom = tc__type(c, t->u.arrow.dom, params), *cod = tc__type(c, t->u.arrow.cod, params);
    ty_label_kind lk = t->u.arrow.label == AST_LABEL_LABELLED ? TY_LBL_LABELLED
                       : t->u.arrow.label == AST_LABEL_OPTIONAL ? TY_LBL_OPTIONAL : TY_LBL_NONE;
    r = lk != TY_LBL_NONE && t->u.arrow.lname.text ? ty_arrow(c->st, lk, t->u.arrow.lname.text, dom, cod)
                                                   : ty_fun(c->st, dom, cod);
    break;
  }
  case AST_T_TUPLE: {
    uint32_t n = t->u.tuple.n;
    ty **items = arena_alloc(c->ar, (n ? n : 1) * sizeof *items);
    if (!items) { c->oom = true; r = ty_error(c->st); break; }
    for (uint32_t i = 0; i < n; i++) items[i] = tc__type(c, t->u.tuple.items[i], params);
    r = n >= 2 ? ty_tuple(c->st, items, n) : n == 1 ? items[0] : ty_error(c->st);
    break;
  }
  case AST_T_POLY:
    /* 'a. t: the variables are ordinary annotation variables here. */
    r = tc__type(c, t->u.poly.body, params);
    break;
  case AST_T_ALIAS: {
    r = tc__type(c, t->u.alias.type, params);
    if (t->u.alias.var.text) tc__expect(c, t->span, tc__tvar(c, &t->u.alias.var, params), r);
    break;
  }
  default:
    r = ty_error(c->st);
    break;
  }
done:
  c->depth--;
  return r;
}

/* ------------------------------------------------------------------------ */
/* Declarations */

static const char *const tc__builtin_names[TY_B_COUNT] = {"int", "bool", "unit", "real", "string", "char",
                                                           "float", "list", "option", "result"};

/* The constructor object of a new type: a built-in when the prelude
** declares one at its top level, else a new one owned by the sig. */
static const ty_con *tc__new_con(tc *c, const ast_type_decl *d, int *builtin) {
  *builtin = -1;
  if (c->opt->is_prelude && c->path_prefix[0] == 0) {
    for (int b = 0; b < TY_B_COUNT; b++)
      if (strcmp(d->name.text, tc__builtin_names[b]) == 0) {
        *builtin = b;
        return ty_builtin_con((ty_builtin)b);
      }
  }
  const char *m = c->opt->modname ? c->opt->modname : "";
  size_t n = strlen(m) + strlen(c->path_prefix) + strlen(d->name.text) + 2;
  char *path = malloc(n), *local = malloc(n);
  if (!path || !local) { free(path); free(local); c->oom = true; return NULL; }
  snprintf(path, n, "%s%s%s%s", m, *m ? "." : "", c->path_prefix, d->name.text);
  snprintf(local, n, "%s%s", c->path_prefix, d->name.text);
  ty_con *con = ty_con_create(path, d->nparams, ty_con_stable_id(c->opt->path ? c->opt->path : "", local));
  free(path);
  free(local);
  if (!con) { c->oom = true; return NULL; }
  if (sig_own_con(c->sb, con) < 0) { c->oom = true; return NULL; }
  return con;
}

static sig_tkind tc__tkind(const ast_type_decl *d) {
  switch (d->kind) {
  case AST_TD_ALIAS: return SIG_T_ALIAS;
  case AST_TD_VARIANT: return SIG_T_VARIANT;
  case AST_TD_RECORD: return SIG_T_RECORD;
  default: return SIG_T_ABSTRACT;
  }
}

static void tc__push_type(tc *c, const char *name, const sig_type *t) {
  tc_env *e = tc__entry(c, TC_E_TYPE, name);
  if (e) {
    e->u.type = t;
    tc__push(c, e);
  }
}

/* Does `t` mention one of the constructors cons[0..n)? (iterative) */
static bool tc__mentions(tc *c, ty *t, const ty_con *const *cons, uint32_t n) {
  ty *stack[256];
  uint32_t sp = 0;
  stack[sp++] = t;
  while (sp) {
    ty *x = ty_repr(stack[--sp]);
    switch (ty_kind_of(x)) {
    case TY_APP:
      for (uint32_t i = 0; i < n; i++)
        if (cons[i] && ty_con_same(ty_app_con(x), cons[i])) return true;
      for (uint32_t i = 0; i < ty_app_nargs(x) && sp < 256; i++) stack[sp++] = ty_app_arg(x, i);
      break;
    case TY_ARROW:
      if (sp + 2 <= 256) { stack[sp++] = ty_arrow_dom(x); stack[sp++] = ty_arrow_cod(x); }
      break;
    case TY_TUPLE:
      for (uint32_t i = 0; i < ty_tuple_len(x) && sp < 256; i++) stack[sp++] = ty_tuple_elem(x, i);
      break;
    default:
      break;
    }
  }
  (void)c;
  return false;
}

static ty_frozen *tc__freeze_over(tc *c, ty *t, ty **params, uint32_t n) {
  ty_frozen *f = ty_freeze_params(c->st, t, params, n);
  if (!f) c->oom = true;
  return f;
}

/* Fields of a record (or inline record) `owner` with parameters `pv`. */
static void tc__fields(tc *c, sig_type *owner, const ast_field_decl *fields, uint32_t n, const tc_params *pv,
                       bool push) {
  for (uint32_t k = 0; k < n; k++) {
    const ast_field_decl *fd = &fields[k];
    if (!fd->name.text) continue;
    ty *ft = tc__type(c, fd->type, pv);
    const char *doc = tc__doc_before(c, fd->span.start);
    sig_field *f = sig_add_field(c->sb, owner, fd->name.text, tc__freeze_over(c, ft, pv->vars, pv->n), fd->is_mutable,
                                 tc__loc(c, fd->name.span), doc);
    if (!f) { c->oom = true; continue; }
    if (tc__wants(c)) tc__probe_set(c, TC_PROBE_FIELD, fd->name.span, f->name, NULL, &f->loc, f->doc);
    if (push) {
      tc_env *e = tc__entry(c, TC_E_FIELD, f->name);
      if (e) { e->u.field = f; tc__push(c, e); }
    }
  }
}

void tc__type_decls(tc *c, bool nonrec, const ast_type_decl *decls, uint32_t n) {
  sig_type **types = arena_alloc(c->ar, (n ? n : 1) * sizeof *types);
  const ty_con **cons = arena_alloc(c->ar, (n ? n : 1) * sizeof *cons);
  if (!types || !cons) { c->oom = true; return; }
  /* 1. Every type of the group exists before any body is read. */
  for (uint32_t i = 0; i < n; i++) {
    const ast_type_decl *d = &decls[i];
    types[i] = NULL;
    cons[i] = NULL;
    if (!d->name.text || d->kind == AST_TD_EXTENSION) continue;
    int builtin;
    /* `type t = M.u = A | B` re-exports u: same type. */
    const ty_con *con = NULL;
    bool fresh = false;
    if (d->manifest && (d->kind == AST_TD_VARIANT || d->kind == AST_TD_RECORD) && d->manifest->kind == AST_T_CONSTR) {
      bool silent;
      const sig_type *m = tc__lookup_type(c, &d->manifest->u.constr.name, &silent);
      if (m && m->nparams == d->nparams) con = m->con;
    }
    builtin = -1;
    if (!con) {
      con = tc__new_con(c, d, &builtin);
      fresh = builtin < 0;
    }
    if (!con) return;
    cons[i] = con;
    const char *doc = tc__doc_before(c, d->span.start);
    types[i] = sig_add_type(c->sb, d->name.text, con, d->nparams, tc__tkind(d), false, tc__loc(c, d->name.span), doc);
    if (!types[i]) { c->oom = true; return; }
    if (tc__wants(c)) tc__probe_set(c, TC_PROBE_TYPE, d->name.span, d->name.text, NULL, &types[i]->loc, doc);
    if (builtin >= 0) c->builtin_types[builtin] = types[i];
    else if (fresh) ty_con_set_user((ty_con *)con, types[i]);
    if (!nonrec) tc__push_type(c, d->name.text, types[i]);
  }
  /* 2. Bodies. */
  for (uint32_t i = 0; i < n; i++) {
    const ast_type_decl *d = &decls[i];
    sig_type *t = types[i];
    if (!t) continue;
    ty **vars = arena_alloc(c->ar, (d->nparams ? d->nparams : 1) * sizeof *vars);
    if (!vars) { c->oom = true; return; }
    for (uint32_t k = 0; k < d->nparams; k++) vars[k] = ty_new_var(c->st, c->level);
    tc_params pv = {d->params, vars, d->nparams};
    switch (d->kind) {
    case AST_TD_ALIAS: {
      if (!d->manifest) break;
      ty *body = tc__type(c, d->manifest, &pv);
      if (tc__mentions(c, body, cons, n)) {
        tc__error(c, d->span, TC_CODE_OTHER, "The type abbreviation %s is cyclic", d->name.text);
        t->kind = SIG_T_ABSTRACT;
        break;
      }
      ty_frozen *m = tc__freeze_over(c, body, vars, d->nparams);
      if (m && ty_con_id(t->con) > TY_B_COUNT && !ty_con_manifest(t->con)) ty_con_set_manifest((ty_con *)t->con, m);
      else ty_frozen_destroy(m);
      break;
    }
    case AST_TD_VARIANT:
      for (uint32_t k = 0; k < d->nctors; k++) {
        const ast_ctor_decl *cd = &d->ctors[k];
        if (!cd->name.text) continue;
        sig_type *inline_rec = NULL;
        uint32_t na = cd->inline_record ? 1 : cd->nargs;
        ty_frozen **args = arena_alloc(c->ar, (na ? na : 1) * sizeof *args);
        if (!args) { c->oom = true; return; }
        if (cd->inline_record) {
          /* C of { … }: a hidden record type with the same parameters. */
          char hname[256];
          snprintf(hname, sizeof hname, "%s.%s", d->name.text, cd->name.text);
          ast_type_decl hd = *d;
          hd.name.text = hname;
          int b;
          const ty_con *hcon = tc__new_con(c, &hd, &b);
          if (!hcon) return;
          inline_rec = sig_add_type(c->sb, hname, hcon, d->nparams, SIG_T_RECORD, true, tc__loc(c, cd->name.span), NULL);
          if (!inline_rec) { c->oom = true; return; }
          ty_con_set_user((ty_con *)hcon, inline_rec);
          tc__fields(c, inline_rec, cd->fields, cd->nfields, &pv, false);
          args[0] = tc__freeze_over(c, ty_app(c->st, hcon, vars, d->nparams), vars, d->nparams);
        } else {
          for (uint32_t a = 0; a < cd->nargs; a++) args[a] = tc__freeze_over(c, tc__type(c, cd->args[a], &pv), vars, d->nparams);
        }
        const char *doc = tc__doc_before(c, cd->span.start);
        sig_ctor *sc = sig_add_ctor(c->sb, t, cd->name.text, args, na, inline_rec, tc__loc(c, cd->name.span), doc);
        if (!sc) { c->oom = true; return; }
        if (tc__wants(c)) tc__probe_set(c, TC_PROBE_CTOR, cd->name.span, sc->name, NULL, &sc->loc, sc->doc);
        tc_env *e = tc__entry(c, TC_E_CTOR, sc->name);
        if (e) { e->u.ctor = sc; tc__push(c, e); }
      }
      break;
    case AST_TD_RECORD:
      tc__fields(c, t, d->fields, d->nfields, &pv, true);
      break;
    default:
      break;
    }
  }
  if (nonrec)
    for (uint32_t i = 0; i < n; i++)
      if (types[i]) tc__push_type(c, decls[i].name.text, types[i]);
}

ty **tc__ctor_args(tc *c, const sig_ctor *k, ty **result) {
  const sig_type *o = k->owner;
  ty **vars = arena_alloc(c->ar, (o->nparams ? o->nparams : 1) * sizeof *vars);
  ty **args = arena_alloc(c->ar, (k->nargs ? k->nargs : 1) * sizeof *args);
  if (!vars || !args) { c->oom = true; *result = ty_error(c->st); return NULL; }
  for (uint32_t i = 0; i < o->nparams; i++) vars[i] = ty_new_var(c->st, c->level);
  *result = ty_app(c->st, o->con, vars, o->nparams);
  for (uint32_t i = 0; i < k->nargs; i++)
    args[i] = k->args[i] ? ty_thaw(c->st, k->args[i], c->level, vars, o->nparams) : ty_error(c->st);
  return args;
}

ty *tc__field_type(tc *c, const sig_field *f, ty **record) {
  const sig_type *o = f->owner;
  ty **vars = arena_alloc(c->ar, (o->nparams ? o->nparams : 1) * sizeof *vars);
  if (!vars) { c->oom = true; *record = ty_error(c->st); return ty_error(c->st); }
  for (uint32_t i = 0; i < o->nparams; i++) vars[i] = ty_new_var(c->st, c->level);
  *record = ty_app(c->st, o->con, vars, o->nparams);
  return f->type ? ty_thaw(c->st, f->type, c->level, vars, o->nparams) : ty_error(c->st);
}
