/*
** ast.c — ast_file_destroy and the S-expression printer (see ast.h).
**
** The printer is for tests and debugging: one deterministic line per item.
** Forms (P pattern, E expression, T type):
**   items   (let [rec] B…) (theorem B…) (verify E @…) (expr E) (type [nonrec] D…)
**           (module [rec] (M MOD)…) (open[!] MOD) (include MOD) (import [M] "p")
**           (@@@ name [E]) (unsupported what [name]) (error); program-mode
**           items are wrapped: (program ITEM)
**   binding (bind P [(params PARAM…)] [(: T)] E [(@@ name [E])…]); let-ops
**           (bind let* P E)
**   params  P | (~l P) | (?l P [E]) | (type a b)
**   exprs   (int 1) (real 1.5) (string "s") (char 'c') (bool true) (unit)
**           (id M.x) (ctor C [E]) (app E ARG…) ARG = E | ~l:E | ?l:E
**           (fun (PARAM…) [(: T)] E) (function C…) C = (case P [(when E)] E)
**           (let [rec] B… E) (letop B… E) (open[!] M E) (match E C…)
**           (if E E [E]) (tuple E…) (list E…) (cons E E)
**           (record [(with E)] (f [: T] E)…) (field E M.f) (: E T) (seq E…)
**           (assert E) (unsupported what [P] E… [C…]) (error)
**   pats    (pany) (pvar x) (int 1)… (prange C C) (pctor C [P]) (ptuple P…)
**           (plist P…) (pcons P P) (precord (f [: T] P)… [_]) (por P…)
**           (pas P x) (p: P T) (popen M P) (punsupported what P…) (perror)
**   types   (tany) (tv 'a) (tc M.t T…) (-> [~l:|?l:]T T) (* T…)
**           (tpoly ('a…) T) (tas T 'a) (tunsupported) (terror)
**   decls   (D (params 'a…) [private] [(= T)] [..] [(| CTOR…)] [(rec FIELD…)] [+= M.t])
**           CTOR = (A T… [: T]) | (A (rec FIELD…)); FIELD = ([mutable] f T)
**   modules (struct ITEM…) (path M.N) (apply MOD [MOD]) (functor (X…) MOD)
**           (constraint MOD) (unsupported) (error)
**
** Thread-safety: reads an immutable AST; allocates only its result.
*/
#include "ast.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ast_file_destroy(ast_file *f) {
  if (!f) return;
  arena *a = f->arena;
  free(f);
  arena_destroy(a);
}

const char *ast_stmt_kw_name(ast_stmt_kw kw) {
  switch (kw) {
  case AST_KW_VERIFY: return "verify";
  case AST_KW_INSTANCE: return "instance";
  case AST_KW_EVAL: return "eval";
  case AST_KW_TEST: return "test";
  case AST_KW_QCHECK: return "qcheck";
  case AST_KW_NONE: break;
  }
  return "";
}

const char *ast_let_kw_name(ast_let_kw kw) {
  switch (kw) {
  case AST_KW_THEOREM: return "theorem";
  case AST_KW_LEMMA: return "lemma";
  case AST_KW_AXIOM: return "axiom";
  case AST_KW_LET: break;
  }
  return "let";
}

/* ------------------------------------------------------------------------ */
/* Output buffer */

static void ast__name(strbuf *b, ast_name n) { strbuf_puts(b, n.text ? n.text : "?"); }

static void ast__mpath(strbuf *b, const ast_mpath *p) {
  for (uint32_t i = 0; i < p->n; i++) {
    if (i) strbuf_puts(b, ".");
    ast__name(b, p->comps[i]);
  }
}

static void ast__lid(strbuf *b, const ast_lid *l) {
  if (l->path.n) {
    ast__mpath(b, &l->path);
    strbuf_puts(b, ".");
  }
  ast__name(b, l->name);
}

static void ast__const(strbuf *b, const ast_const *c) {
  static const char *const kinds[] = {"int", "real", "string", "char", "bool", "unit"};
  if (c->kind == AST_C_UNIT) {
    strbuf_puts(b, "(unit)");
    return;
  }
  strbuf_printf(b, "(%s %s)", kinds[c->kind], c->text ? c->text : "?");
}

/* ------------------------------------------------------------------------ */
/* Printers (mutually recursive, depth-bounded) */

static void ast__expr(strbuf *b, const ast_expr *e, unsigned d);
static void ast__pat(strbuf *b, const ast_pat *p, unsigned d);
static void ast__type(strbuf *b, const ast_type *t, unsigned d);
static void ast__module(strbuf *b, const ast_module *m, unsigned d);
static void ast__item(strbuf *b, const ast_item *it, unsigned d);

static bool ast__too_deep(strbuf *b, unsigned d) {
  if (d < AST_PRINT_MAX_DEPTH) return false;
  strbuf_puts(b, "\xE2\x80\xA6");
  return true;
}

static void ast__label(strbuf *b, ast_label_kind k, ast_name n) {
  if (k == AST_LABEL_LABELLED) strbuf_puts(b, "~");
  else if (k == AST_LABEL_OPTIONAL) strbuf_puts(b, "?");
  else return;
  ast__name(b, n);
  strbuf_puts(b, ":");
}

static void ast__type(strbuf *b, const ast_type *t, unsigned d) {
  if (ast__too_deep(b, d)) return;
  switch (t->kind) {
  case AST_T_ERROR: strbuf_puts(b, "(terror)"); return;
  case AST_T_ANY: strbuf_puts(b, "(tany)"); return;
  case AST_T_VAR: strbuf_puts(b, "(tv '"); ast__name(b, t->u.var); strbuf_puts(b, ")"); return;
  case AST_T_CONSTR:
    strbuf_puts(b, "(tc ");
    ast__lid(b, &t->u.constr.name);
    for (uint32_t i = 0; i < t->u.constr.nargs; i++) {
      strbuf_puts(b, " ");
      ast__type(b, t->u.constr.args[i], d + 1);
    }
    strbuf_puts(b, ")");
    return;
  case AST_T_ARROW:
    strbuf_puts(b, "(-> ");
    ast__label(b, t->u.arrow.label, t->u.arrow.lname);
    ast__type(b, t->u.arrow.dom, d + 1);
    strbuf_puts(b, " ");
    ast__type(b, t->u.arrow.cod, d + 1);
    strbuf_puts(b, ")");
    return;
  case AST_T_TUPLE:
    strbuf_puts(b, "(*");
    for (uint32_t i = 0; i < t->u.tuple.n; i++) {
      strbuf_puts(b, " ");
      ast__type(b, t->u.tuple.items[i], d + 1);
    }
    strbuf_puts(b, ")");
    return;
  case AST_T_POLY:
    strbuf_puts(b, "(tpoly (");
    for (uint32_t i = 0; i < t->u.poly.nvars; i++) {
      if (i) strbuf_puts(b, " ");
      strbuf_puts(b, "'");
      ast__name(b, t->u.poly.vars[i]);
    }
    strbuf_puts(b, ") ");
    ast__type(b, t->u.poly.body, d + 1);
    strbuf_puts(b, ")");
    return;
  case AST_T_ALIAS:
    strbuf_puts(b, "(tas ");
    ast__type(b, t->u.alias.type, d + 1);
    strbuf_puts(b, " '");
    ast__name(b, t->u.alias.var);
    strbuf_puts(b, ")");
    return;
  case AST_T_UNSUPPORTED: strbuf_puts(b, "(tunsupported)"); return;
  }
}

static void ast__attrs(strbuf *b, const ast_attr *a, uint32_t n, unsigned d) {
  for (uint32_t i = 0; i < n; i++) {
    strbuf_puts(b, " (@@ ");
    ast__name(b, a[i].name);
    if (a[i].expr) {
      strbuf_puts(b, " ");
      ast__expr(b, a[i].expr, d + 1);
    }
    strbuf_puts(b, ")");
  }
}

static void ast__param(strbuf *b, const ast_param *p, unsigned d) {
  if (p->kind == AST_PARAM_TYPE) {
    strbuf_puts(b, "(type");
    for (uint32_t i = 0; i < p->ntypes; i++) {
      strbuf_puts(b, " ");
      ast__name(b, p->types[i]);
    }
    strbuf_puts(b, ")");
    return;
  }
  if (p->label == AST_LABEL_NONE) {
    ast__pat(b, p->pat, d + 1);
    return;
  }
  strbuf_puts(b, p->label == AST_LABEL_LABELLED ? "(~" : "(?");
  ast__name(b, p->lname);
  strbuf_puts(b, " ");
  ast__pat(b, p->pat, d + 1);
  if (p->def) {
    strbuf_puts(b, " ");
    ast__expr(b, p->def, d + 1);
  }
  strbuf_puts(b, ")");
}

static void ast__binding(strbuf *b, const ast_binding *bd, unsigned d) {
  strbuf_puts(b, "(bind ");
  if (bd->op.text) {
    ast__name(b, bd->op);
    strbuf_puts(b, " ");
  }
  ast__pat(b, bd->pat, d + 1);
  if (bd->nparams) {
    strbuf_puts(b, " (params");
    for (uint32_t i = 0; i < bd->nparams; i++) {
      strbuf_puts(b, " ");
      ast__param(b, &bd->params[i], d + 1);
    }
    strbuf_puts(b, ")");
  }
  if (bd->type) {
    strbuf_puts(b, " (: ");
    ast__type(b, bd->type, d + 1);
    strbuf_puts(b, ")");
  }
  strbuf_puts(b, " ");
  ast__expr(b, bd->body, d + 1);
  ast__attrs(b, bd->attrs, bd->nattrs, d);
  strbuf_puts(b, ")");
}

static void ast__case(strbuf *b, const ast_case *c, unsigned d) {
  strbuf_puts(b, " (case ");
  ast__pat(b, c->pat, d + 1);
  if (c->guard) {
    strbuf_puts(b, " (when ");
    ast__expr(b, c->guard, d + 1);
    strbuf_puts(b, ")");
  }
  strbuf_puts(b, " ");
  ast__expr(b, c->body, d + 1);
  strbuf_puts(b, ")");
}

static void ast__exprs(strbuf *b, const char *head, ast_expr *const *v, uint32_t n, unsigned d) {
  strbuf_printf(b, "(%s", head);
  for (uint32_t i = 0; i < n; i++) {
    strbuf_puts(b, " ");
    ast__expr(b, v[i], d + 1);
  }
  strbuf_puts(b, ")");
}

static const char *const ast__expr_unsupported_names[] = {
    [AST_EU_ARRAY] = "array", [AST_EU_ARRAY_GET] = "array_get", [AST_EU_STRING_GET] = "string_get",
    [AST_EU_SET_FIELD] = "set_field", [AST_EU_SET_ARRAY] = "set_array", [AST_EU_WHILE] = "while",
    [AST_EU_FOR] = "for", [AST_EU_TRY] = "try", [AST_EU_LAZY] = "lazy", [AST_EU_LET_MODULE] = "let_module",
    [AST_EU_LET_EXCEPTION] = "let_exception", [AST_EU_OBJECT] = "object", [AST_EU_PACKAGE] = "package",
    [AST_EU_POLY_VARIANT] = "poly_variant", [AST_EU_EXTENSION] = "extension", [AST_EU_COERCE] = "coerce",
    [AST_EU_OTHER] = "other",
};

static void ast__expr(strbuf *b, const ast_expr *e, unsigned d) {
  if (ast__too_deep(b, d)) return;
  switch (e->kind) {
  case AST_E_ERROR: strbuf_puts(b, "(error)"); return;
  case AST_E_CONST: ast__const(b, &e->u.c); return;
  case AST_E_ID: strbuf_puts(b, "(id "); ast__lid(b, &e->u.id); strbuf_puts(b, ")"); return;
  case AST_E_CTOR:
    strbuf_puts(b, "(ctor ");
    ast__lid(b, &e->u.ctor.name);
    if (e->u.ctor.arg) {
      strbuf_puts(b, " ");
      ast__expr(b, e->u.ctor.arg, d + 1);
    }
    strbuf_puts(b, ")");
    return;
  case AST_E_APP:
    strbuf_puts(b, "(app ");
    ast__expr(b, e->u.app.fn, d + 1);
    for (uint32_t i = 0; i < e->u.app.nargs; i++) {
      strbuf_puts(b, " ");
      ast__label(b, e->u.app.args[i].label, e->u.app.args[i].lname);
      ast__expr(b, e->u.app.args[i].expr, d + 1);
    }
    strbuf_puts(b, ")");
    return;
  case AST_E_FUN:
    strbuf_puts(b, "(fun (");
    for (uint32_t i = 0; i < e->u.fun.nparams; i++) {
      if (i) strbuf_puts(b, " ");
      ast__param(b, &e->u.fun.params[i], d + 1);
    }
    strbuf_puts(b, ")");
    if (e->u.fun.ret) {
      strbuf_puts(b, " (: ");
      ast__type(b, e->u.fun.ret, d + 1);
      strbuf_puts(b, ")");
    }
    strbuf_puts(b, " ");
    ast__expr(b, e->u.fun.body, d + 1);
    strbuf_puts(b, ")");
    return;
  case AST_E_FUNCTION:
    strbuf_puts(b, "(function");
    for (uint32_t i = 0; i < e->u.function.ncases; i++) ast__case(b, &e->u.function.cases[i], d + 1);
    strbuf_puts(b, ")");
    return;
  case AST_E_LET:
  case AST_E_LETOP:
    strbuf_puts(b, e->kind == AST_E_LET ? "(let" : "(letop");
    if (e->u.let.rec) strbuf_puts(b, " rec");
    for (uint32_t i = 0; i < e->u.let.nbinds; i++) {
      strbuf_puts(b, " ");
      ast__binding(b, &e->u.let.binds[i], d + 1);
    }
    strbuf_puts(b, " ");
    ast__expr(b, e->u.let.body, d + 1);
    strbuf_puts(b, ")");
    return;
  case AST_E_OPEN:
    strbuf_puts(b, e->u.open.bang ? "(open! " : "(open ");
    ast__mpath(b, &e->u.open.mod);
    strbuf_puts(b, " ");
    ast__expr(b, e->u.open.body, d + 1);
    strbuf_puts(b, ")");
    return;
  case AST_E_MATCH:
    strbuf_puts(b, "(match ");
    ast__expr(b, e->u.match.scrut, d + 1);
    for (uint32_t i = 0; i < e->u.match.ncases; i++) ast__case(b, &e->u.match.cases[i], d + 1);
    strbuf_puts(b, ")");
    return;
  case AST_E_IF:
    strbuf_puts(b, "(if ");
    ast__expr(b, e->u.if_.cond, d + 1);
    strbuf_puts(b, " ");
    ast__expr(b, e->u.if_.then_e, d + 1);
    if (e->u.if_.else_e) {
      strbuf_puts(b, " ");
      ast__expr(b, e->u.if_.else_e, d + 1);
    }
    strbuf_puts(b, ")");
    return;
  case AST_E_TUPLE: ast__exprs(b, "tuple", e->u.list.items, e->u.list.n, d); return;
  case AST_E_LIST: ast__exprs(b, "list", e->u.list.items, e->u.list.n, d); return;
  case AST_E_SEQ: ast__exprs(b, "seq", e->u.list.items, e->u.list.n, d); return;
  case AST_E_CONS:
    strbuf_puts(b, "(cons ");
    ast__expr(b, e->u.cons.head, d + 1);
    strbuf_puts(b, " ");
    ast__expr(b, e->u.cons.tail, d + 1);
    strbuf_puts(b, ")");
    return;
  case AST_E_RECORD:
    strbuf_puts(b, "(record");
    if (e->u.record.base) {
      strbuf_puts(b, " (with ");
      ast__expr(b, e->u.record.base, d + 1);
      strbuf_puts(b, ")");
    }
    for (uint32_t i = 0; i < e->u.record.n; i++) {
      const ast_field_init *f = &e->u.record.fields[i];
      strbuf_puts(b, " (");
      ast__lid(b, &f->field);
      if (f->type) {
        strbuf_puts(b, " : ");
        ast__type(b, f->type, d + 1);
      }
      strbuf_puts(b, " ");
      ast__expr(b, f->expr, d + 1);
      strbuf_puts(b, ")");
    }
    strbuf_puts(b, ")");
    return;
  case AST_E_FIELD:
    strbuf_puts(b, "(field ");
    ast__expr(b, e->u.field.rec, d + 1);
    strbuf_puts(b, " ");
    ast__lid(b, &e->u.field.field);
    strbuf_puts(b, ")");
    return;
  case AST_E_CONSTRAINT:
    strbuf_puts(b, "(: ");
    ast__expr(b, e->u.constraint.expr, d + 1);
    strbuf_puts(b, " ");
    ast__type(b, e->u.constraint.type, d + 1);
    strbuf_puts(b, ")");
    return;
  case AST_E_ASSERT:
    strbuf_puts(b, "(assert ");
    ast__expr(b, e->u.assert_.expr, d + 1);
    strbuf_puts(b, ")");
    return;
  case AST_E_UNSUPPORTED:
    strbuf_printf(b, "(unsupported %s", ast__expr_unsupported_names[e->u.unsupported.what]);
    if (e->u.unsupported.pat) {
      strbuf_puts(b, " ");
      ast__pat(b, e->u.unsupported.pat, d + 1);
    }
    for (uint32_t i = 0; i < e->u.unsupported.n; i++) {
      strbuf_puts(b, " ");
      ast__expr(b, e->u.unsupported.kids[i], d + 1);
    }
    for (uint32_t i = 0; i < e->u.unsupported.ncases; i++) ast__case(b, &e->u.unsupported.cases[i], d + 1);
    strbuf_puts(b, ")");
    return;
  }
}

static const char *const ast__pat_unsupported_names[] = {
    [AST_PU_LAZY] = "lazy", [AST_PU_EXCEPTION] = "exception", [AST_PU_ARRAY] = "array",
    [AST_PU_POLY_VARIANT] = "poly_variant", [AST_PU_PACKAGE] = "package", [AST_PU_EXTENSION] = "extension",
    [AST_PU_OTHER] = "other",
};

static void ast__pats(strbuf *b, const char *head, ast_pat *const *v, uint32_t n, unsigned d) {
  strbuf_printf(b, "(%s", head);
  for (uint32_t i = 0; i < n; i++) {
    strbuf_puts(b, " ");
    ast__pat(b, v[i], d + 1);
  }
  strbuf_puts(b, ")");
}

static void ast__pat(strbuf *b, const ast_pat *p, unsigned d) {
  if (ast__too_deep(b, d)) return;
  switch (p->kind) {
  case AST_P_ERROR: strbuf_puts(b, "(perror)"); return;
  case AST_P_ANY: strbuf_puts(b, "(pany)"); return;
  case AST_P_VAR: strbuf_puts(b, "(pvar "); ast__name(b, p->u.var); strbuf_puts(b, ")"); return;
  case AST_P_CONST: ast__const(b, &p->u.c); return;
  case AST_P_RANGE:
    strbuf_puts(b, "(prange ");
    ast__const(b, &p->u.range.lo);
    strbuf_puts(b, " ");
    ast__const(b, &p->u.range.hi);
    strbuf_puts(b, ")");
    return;
  case AST_P_CTOR:
    strbuf_puts(b, "(pctor ");
    ast__lid(b, &p->u.ctor.name);
    if (p->u.ctor.arg) {
      strbuf_puts(b, " ");
      ast__pat(b, p->u.ctor.arg, d + 1);
    }
    strbuf_puts(b, ")");
    return;
  case AST_P_TUPLE: ast__pats(b, "ptuple", p->u.list.items, p->u.list.n, d); return;
  case AST_P_LIST: ast__pats(b, "plist", p->u.list.items, p->u.list.n, d); return;
  case AST_P_OR: ast__pats(b, "por", p->u.list.items, p->u.list.n, d); return;
  case AST_P_CONS:
    strbuf_puts(b, "(pcons ");
    ast__pat(b, p->u.cons.head, d + 1);
    strbuf_puts(b, " ");
    ast__pat(b, p->u.cons.tail, d + 1);
    strbuf_puts(b, ")");
    return;
  case AST_P_RECORD:
    strbuf_puts(b, "(precord");
    for (uint32_t i = 0; i < p->u.record.n; i++) {
      const ast_field_pat *f = &p->u.record.fields[i];
      strbuf_puts(b, " (");
      ast__lid(b, &f->field);
      if (f->type) {
        strbuf_puts(b, " : ");
        ast__type(b, f->type, d + 1);
      }
      strbuf_puts(b, " ");
      ast__pat(b, f->pat, d + 1);
      strbuf_puts(b, ")");
    }
    if (p->u.record.open) strbuf_puts(b, " _");
    strbuf_puts(b, ")");
    return;
  case AST_P_ALIAS:
    strbuf_puts(b, "(pas ");
    ast__pat(b, p->u.alias.pat, d + 1);
    strbuf_puts(b, " ");
    ast__name(b, p->u.alias.name);
    strbuf_puts(b, ")");
    return;
  case AST_P_CONSTRAINT:
    strbuf_puts(b, "(p: ");
    ast__pat(b, p->u.constraint.pat, d + 1);
    strbuf_puts(b, " ");
    ast__type(b, p->u.constraint.type, d + 1);
    strbuf_puts(b, ")");
    return;
  case AST_P_OPEN:
    strbuf_puts(b, "(popen ");
    ast__mpath(b, &p->u.open.mod);
    strbuf_puts(b, " ");
    ast__pat(b, p->u.open.pat, d + 1);
    strbuf_puts(b, ")");
    return;
  case AST_P_UNSUPPORTED: {
    char head[64];
    snprintf(head, sizeof head, "punsupported %s", ast__pat_unsupported_names[p->u.unsupported.what]);
    ast__pats(b, head, p->u.unsupported.kids, p->u.unsupported.n, d);
    return;
  }
  }
}

static void ast__field_decls(strbuf *b, const ast_field_decl *f, uint32_t n, unsigned d) {
  strbuf_puts(b, "(rec");
  for (uint32_t i = 0; i < n; i++) {
    strbuf_puts(b, f[i].is_mutable ? " (mutable " : " (");
    ast__name(b, f[i].name);
    strbuf_puts(b, " ");
    ast__type(b, f[i].type, d + 1);
    strbuf_puts(b, ")");
  }
  strbuf_puts(b, ")");
}

static void ast__ctor_decls(strbuf *b, const ast_ctor_decl *c, uint32_t n, unsigned d) {
  strbuf_puts(b, "(|");
  for (uint32_t i = 0; i < n; i++) {
    strbuf_puts(b, " (");
    ast__name(b, c[i].name);
    if (c[i].inline_record) {
      strbuf_puts(b, " ");
      ast__field_decls(b, c[i].fields, c[i].nfields, d);
    }
    for (uint32_t j = 0; j < c[i].nargs; j++) {
      strbuf_puts(b, " ");
      ast__type(b, c[i].args[j], d + 1);
    }
    if (c[i].ret) {
      strbuf_puts(b, " : ");
      ast__type(b, c[i].ret, d + 1);
    }
    strbuf_puts(b, ")");
  }
  strbuf_puts(b, ")");
}

static void ast__type_decl(strbuf *b, const ast_type_decl *t, unsigned d) {
  strbuf_puts(b, "(");
  ast__name(b, t->name);
  if (t->nparams) {
    strbuf_puts(b, " (params");
    for (uint32_t i = 0; i < t->nparams; i++) {
      strbuf_puts(b, strcmp(t->params[i].text ? t->params[i].text : "", "_") ? " '" : " ");
      ast__name(b, t->params[i]);
    }
    strbuf_puts(b, ")");
  }
  if (t->is_private) strbuf_puts(b, " private");
  if (t->kind == AST_TD_EXTENSION) {
    strbuf_puts(b, " += ");
    ast__lid(b, &t->ext_name);
  }
  if (t->manifest) {
    strbuf_puts(b, " (= ");
    ast__type(b, t->manifest, d + 1);
    strbuf_puts(b, ")");
  }
  if (t->kind == AST_TD_OPEN) strbuf_puts(b, " ..");
  if (t->kind == AST_TD_VARIANT || t->kind == AST_TD_EXTENSION) {
    strbuf_puts(b, " ");
    ast__ctor_decls(b, t->ctors, t->nctors, d);
  }
  if (t->kind == AST_TD_RECORD) {
    strbuf_puts(b, " ");
    ast__field_decls(b, t->fields, t->nfields, d);
  }
  ast__attrs(b, t->attrs, t->nattrs, d);
  strbuf_puts(b, ")");
}

static void ast__module(strbuf *b, const ast_module *m, unsigned d) {
  if (ast__too_deep(b, d)) return;
  switch (m->kind) {
  case AST_M_ERROR: strbuf_puts(b, "(error)"); return;
  case AST_M_STRUCT:
    strbuf_puts(b, "(struct");
    for (uint32_t i = 0; i < m->u.structure.n; i++) {
      strbuf_puts(b, " ");
      ast__item(b, &m->u.structure.items[i], d + 1);
    }
    strbuf_puts(b, ")");
    return;
  case AST_M_PATH: strbuf_puts(b, "(path "); ast__mpath(b, &m->u.path); strbuf_puts(b, ")"); return;
  case AST_M_APPLY:
    strbuf_puts(b, "(apply ");
    ast__module(b, m->u.apply.fn, d + 1);
    if (m->u.apply.arg) {
      strbuf_puts(b, " ");
      ast__module(b, m->u.apply.arg, d + 1);
    }
    strbuf_puts(b, ")");
    return;
  case AST_M_FUNCTOR:
    strbuf_puts(b, "(functor (");
    for (uint32_t i = 0; i < m->u.functor.nparams; i++) {
      if (i) strbuf_puts(b, " ");
      strbuf_puts(b, m->u.functor.params[i].name.text ? m->u.functor.params[i].name.text : "()");
    }
    strbuf_puts(b, ") ");
    ast__module(b, m->u.functor.body, d + 1);
    strbuf_puts(b, ")");
    return;
  case AST_M_CONSTRAINT:
    strbuf_puts(b, "(constraint ");
    ast__module(b, m->u.constraint.mod, d + 1);
    strbuf_puts(b, ")");
    return;
  case AST_M_UNSUPPORTED: strbuf_puts(b, "(unsupported)"); return;
  }
}

static const char *const ast__item_unsupported_names[] = {
    [AST_IU_EXCEPTION] = "exception", [AST_IU_EXTERNAL] = "external", [AST_IU_CLASS] = "class",
    [AST_IU_CLASS_TYPE] = "class_type", [AST_IU_MODULE_TYPE] = "module_type", [AST_IU_EXTENSION] = "extension",
    [AST_IU_DIRECTIVE] = "directive", [AST_IU_LET_OPERATOR] = "let_operator", [AST_IU_OTHER] = "other",
};

static void ast__quoted(strbuf *b, const char *s) {
  strbuf_puts(b, "\"");
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') strbuf_puts(b, "\\");
    strbuf_put(b, s, 1);
  }
  strbuf_puts(b, "\"");
}

static void ast__item(strbuf *b, const ast_item *it, unsigned d) {
  if (ast__too_deep(b, d)) return;
  if (it->program) strbuf_puts(b, "(program ");
  switch (it->kind) {
  case AST_I_ERROR: strbuf_puts(b, "(error)"); break;
  case AST_I_LET:
    strbuf_printf(b, "(%s", ast_let_kw_name(it->u.let.kw));
    if (it->u.let.rec) strbuf_puts(b, " rec");
    for (uint32_t i = 0; i < it->u.let.nbinds; i++) {
      strbuf_puts(b, " ");
      ast__binding(b, &it->u.let.binds[i], d + 1);
    }
    strbuf_puts(b, ")");
    break;
  case AST_I_EVAL:
    strbuf_printf(b, "(%s ", it->u.eval.kw == AST_KW_NONE ? "expr" : ast_stmt_kw_name(it->u.eval.kw));
    ast__expr(b, it->u.eval.expr, d + 1);
    ast__attrs(b, it->attrs, it->nattrs, d);
    strbuf_puts(b, ")");
    break;
  case AST_I_TYPE:
    strbuf_puts(b, "(type");
    if (it->u.type.nonrec) strbuf_puts(b, " nonrec");
    for (uint32_t i = 0; i < it->u.type.ndecls; i++) {
      strbuf_puts(b, " ");
      ast__type_decl(b, &it->u.type.decls[i], d + 1);
    }
    strbuf_puts(b, ")");
    break;
  case AST_I_MODULE:
    strbuf_puts(b, "(module");
    if (it->u.module.rec) strbuf_puts(b, " rec");
    for (uint32_t i = 0; i < it->u.module.nbinds; i++) {
      const ast_module_binding *mb = &it->u.module.binds[i];
      strbuf_puts(b, " (");
      ast__name(b, mb->name);
      strbuf_puts(b, " ");
      ast__module(b, mb->body, d + 1);
      ast__attrs(b, mb->attrs, mb->nattrs, d);
      strbuf_puts(b, ")");
    }
    strbuf_puts(b, ")");
    break;
  case AST_I_OPEN:
  case AST_I_INCLUDE:
    strbuf_puts(b, it->kind == AST_I_INCLUDE ? "(include " : it->u.open.bang ? "(open! " : "(open ");
    ast__module(b, it->u.open.mod, d + 1);
    ast__attrs(b, it->attrs, it->nattrs, d);
    strbuf_puts(b, ")");
    break;
  case AST_I_IMPORT:
    strbuf_puts(b, "(import ");
    if (it->u.import.module.text) {
      ast__name(b, it->u.import.module);
      strbuf_puts(b, " ");
    }
    if (it->u.import.path) ast__quoted(b, it->u.import.path);
    else strbuf_puts(b, "(malformed)");
    strbuf_puts(b, ")");
    break;
  case AST_I_ATTRIBUTE:
    strbuf_puts(b, "(@@@ ");
    ast__name(b, it->u.attr.name);
    if (it->u.attr.expr) {
      strbuf_puts(b, " ");
      ast__expr(b, it->u.attr.expr, d + 1);
    }
    strbuf_puts(b, ")");
    break;
  case AST_I_UNSUPPORTED:
    strbuf_printf(b, "(unsupported %s", ast__item_unsupported_names[it->u.unsupported.what]);
    if (it->u.unsupported.name.text) {
      strbuf_puts(b, " ");
      ast__name(b, it->u.unsupported.name);
    }
    strbuf_puts(b, ")");
    break;
  }
  if (it->program) strbuf_puts(b, ")");
}

char *ast_print(const ast_file *f) {
  strbuf b = {0};
  for (uint32_t i = 0; f && i < f->nitems; i++) {
    ast__item(&b, &f->items[i], 0);
    strbuf_puts(&b, "\n");
  }
  return strbuf_take(&b);
}

char *ast_print_item(const ast_item *it) {
  strbuf b = {0};
  ast__item(&b, it, 0);
  return strbuf_take(&b);
}

char *ast_print_expr(const ast_expr *e) {
  strbuf b = {0};
  ast__expr(&b, e, 0);
  return strbuf_take(&b);
}

char *ast_print_pat(const ast_pat *p) {
  strbuf b = {0};
  ast__pat(&b, p, 0);
  return strbuf_take(&b);
}

char *ast_print_type(const ast_type *t) {
  strbuf b = {0};
  ast__type(&b, t, 0);
  return strbuf_take(&b);
}
