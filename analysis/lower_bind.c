/*
** lower_bind.c — parameters, let-bindings (also theorems and let-operators)
** and match cases (see lower.h; internals in lower_int.h).
**
** Shapes: `fun ~x ?(y = 1) ~z:(p : t) (type a) -> …` and `let f … = …`
** share ast_param: the label kind and name (for `~x` the pattern's name),
** the pattern (a `: t` inside the parentheses becomes a constraint on it)
** and the optional default. A binding keeps its parameters rather than
** being desugared to `fun`, so theorems keep their parameters in sight.
*/
#include "lower_int.h"

#include <string.h>

ast_label_kind lower__label_kind(const lower__ctx *c, size_t base) {
  for (size_t i = base; i < c->nkids; i++) {
    if (c->kids[i].kind == T_TILDE) return AST_LABEL_LABELLED;
    if (c->kids[i].kind == T_QUESTION) return AST_LABEL_OPTIONAL;
  }
  return AST_LABEL_NONE;
}

ast_param lower__param(lower__ctx *c, TSNode n, unsigned depth) {
  ast_param p = {.span = lower__span(c, n)};
  size_t base = lower__kids_push(c, n, 0);
  if (lower__kind(c, n) == K_ABSTRACT_TYPE) {
    p.kind = AST_PARAM_TYPE;
    size_t cnt = 0;
    for (size_t i = base; i < c->nkids; i++)
      if (c->kids[i].kind == K_TYPE_CONSTRUCTOR) cnt++;
    if (cnt) p.types = lower__alloc(c, cnt * sizeof *p.types);
    for (size_t i = base; i < c->nkids; i++)
      if (c->kids[i].kind == K_TYPE_CONSTRUCTOR) p.types[p.ntypes++] = lower__name(c, c->kids[i].node);
    lower__kids_pop(c, base);
    return p;
  }
  p.kind = AST_PARAM_VALUE;
  p.label = lower__label_kind(c, base);
  TSNode label = lower__kid_node(c, lower__kid_kind(c, base, K_LABEL_NAME));
  TSNode pat = lower__kid_node(c, lower__kid_field(c, base, c->F->f_pattern));
  TSNode type = lower__kid_node(c, lower__kid_field(c, base, c->F->f_type));
  TSNode def = lower__kid_node(c, lower__kid_field(c, base, c->F->f_default));
  lower__kids_pop(c, base);
  if (p.label != AST_LABEL_NONE) {
    if (!ts_node_is_null(label)) p.lname = lower__name(c, label);
    else if (!ts_node_is_null(pat)) p.lname = lower__ident(c, pat); /* ~x, ?(x = 1): punned */
  }
  if (ts_node_is_null(pat)) {
    ast_pat *e = lower__alloc(c, sizeof *e);
    e->kind = AST_P_ERROR;
    e->span = (text_span){p.span.end, p.span.end};
    p.pat = e;
  } else {
    p.pat = lower__pat(c, pat, depth + 1);
  }
  if (!ts_node_is_null(type)) {
    /* ~(x : t) / ?(x : t = d): a constraint on the pattern. */
    ast_pat *cp = lower__alloc(c, sizeof *cp);
    cp->kind = AST_P_CONSTRAINT;
    cp->span = lower__span_to(p.pat->span, lower__span(c, type));
    cp->u.constraint.pat = p.pat;
    cp->u.constraint.type = lower__type(c, type, depth + 1);
    p.pat = cp;
  }
  if (!ts_node_is_null(def)) p.def = lower__expr(c, def, depth + 1);
  return p;
}

/* Parameters among gathered children [base, nkids) (parameter / abstract_type). */
ast_param *lower__params(lower__ctx *c, size_t base, unsigned depth, uint32_t *n) {
  size_t cnt = 0;
  for (size_t i = base; i < c->nkids; i++)
    if (c->kids[i].kind == K_PARAMETER || c->kids[i].kind == K_ABSTRACT_TYPE) cnt++;
  *n = (uint32_t)cnt;
  if (!cnt) return NULL;
  ast_param *v = lower__alloc(c, cnt * sizeof *v);
  size_t w = 0;
  for (size_t i = base; i < c->nkids && w < cnt; i++)
    if (c->kids[i].kind == K_PARAMETER || c->kids[i].kind == K_ABSTRACT_TYPE) {
      TSNode node = c->kids[i].node;
      v[w++] = lower__param(c, node, depth);
    }
  return v;
}

ast_binding lower__binding(lower__ctx *c, TSNode n, unsigned depth) {
  ast_binding b = {.span = lower__span(c, n)};
  size_t base = lower__kids_push(c, n, 0);
  TSNode pat = lower__kid_node(c, lower__kid_field(c, base, c->F->f_pattern));
  TSNode type = lower__kid_node(c, lower__kid_field(c, base, c->F->f_type));
  TSNode body = lower__kid_node(c, lower__kid_field(c, base, c->F->f_body));
  b.params = lower__params(c, base, depth, &b.nparams);
  b.attrs = lower__attrs(c, base, &b.nattrs, depth);
  lower__kids_pop(c, base);
  if (ts_node_is_null(pat)) {
    ast_pat *e = lower__alloc(c, sizeof *e);
    e->kind = AST_P_ERROR;
    e->span = (text_span){b.span.start, b.span.start};
    b.pat = e;
  } else {
    b.pat = lower__pat(c, pat, depth + 1);
  }
  if (!ts_node_is_null(type)) b.type = lower__type(c, type, depth + 1);
  b.body = lower__expr_or(c, body, depth + 1, b.span.end);
  return b;
}

ast_binding *lower__bindings(lower__ctx *c, TSNode def, unsigned depth, uint32_t *n, bool *rec, bool *has_op) {
  *n = 0;
  *rec = false;
  *has_op = false;
  if (ts_node_is_null(def)) return NULL;
  size_t base = lower__kids_push(c, def, 0);
  size_t cnt = 0;
  for (size_t i = base; i < c->nkids; i++) {
    int k = c->kids[i].kind;
    if (k == K_LET_BINDING) cnt++;
    else if (k == T_REC) *rec = true;
    else if (k == K_LET_OPERATOR || k == K_LET_AND_OPERATOR) *has_op = true;
  }
  ast_binding *v = cnt ? lower__alloc(c, cnt * sizeof *v) : NULL;
  size_t w = 0;
  TSNode op = {0};
  for (size_t i = base; i < c->nkids && w < cnt; i++) {
    lower__kid kid = c->kids[i];
    if (kid.kind == K_LET_OPERATOR || kid.kind == K_LET_AND_OPERATOR) {
      op = kid.node;
    } else if (kid.kind == K_LET_BINDING) {
      v[w] = lower__binding(c, kid.node, depth);
      if (!ts_node_is_null(op)) v[w].op = lower__name(c, op);
      op = (TSNode){0};
      w++;
    }
  }
  lower__kids_pop(c, base);
  *n = (uint32_t)w;
  return v;
}

/* A match_case, with its body lowered unless `body_out` is non-NULL (then
** the body node is returned there for the caller's tail loop). */
static ast_case lower__case(lower__ctx *c, TSNode n, unsigned depth, TSNode *body_out) {
  ast_case k = {.span = lower__span(c, n)};
  size_t base = lower__kids_push(c, n, 0);
  TSNode pat = lower__kid_node(c, lower__kid_field(c, base, c->F->f_pattern));
  TSNode guard = lower__kid_node(c, lower__kid_kind(c, base, K_GUARD));
  TSNode body = lower__kid_node(c, lower__kid_field(c, base, c->F->f_body));
  lower__kids_pop(c, base);
  if (ts_node_is_null(pat)) {
    ast_pat *e = lower__alloc(c, sizeof *e);
    e->kind = AST_P_ERROR;
    e->span = (text_span){k.span.start, k.span.start};
    k.pat = e;
  } else {
    k.pat = lower__pat(c, pat, depth + 1);
  }
  if (!ts_node_is_null(guard)) {
    TSNode ge = lower__first_named(c, guard);
    k.guard = lower__expr_or(c, ge, depth + 1, lower__span(c, guard).end);
  }
  if (lower__kind(c, body) == K_REFUTATION_CASE) {
    k.body = lower__error_expr(c, lower__span(c, body));
    body = (TSNode){0};
  } else if (ts_node_is_null(body)) {
    k.body = lower__error_expr(c, (text_span){k.span.end, k.span.end});
  } else if (body_out) {
    *body_out = body;
  } else {
    k.body = lower__expr(c, body, depth + 1);
  }
  if (body_out && ts_node_is_null(body)) *body_out = (TSNode){0};
  return k;
}

/* The match_case children among [base, nkids) as an arena array; the last
** case's body is left for the caller (*last_body, NULL when lowered). */
ast_case *lower__cases(lower__ctx *c, size_t base, unsigned depth, uint32_t *n, TSNode *last_body) {
  size_t cnt = 0;
  for (size_t i = base; i < c->nkids; i++)
    if (c->kids[i].kind == K_MATCH_CASE) cnt++;
  *n = (uint32_t)cnt;
  *last_body = (TSNode){0};
  if (!cnt) return NULL;
  ast_case *v = lower__alloc(c, cnt * sizeof *v);
  size_t w = 0;
  for (size_t i = base; i < c->nkids && w < cnt; i++)
    if (c->kids[i].kind == K_MATCH_CASE) {
      TSNode node = c->kids[i].node;
      bool last = w + 1 == cnt;
      v[w] = lower__case(c, node, depth, last ? last_body : NULL);
      w++;
    }
  return v;
}

