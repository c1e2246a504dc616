/*
** lower_expr.c — expressions: the tail-position loop, operator chains,
** applications, records (see lower.h for what the lowering guarantees and
** lower_int.h for its internals).
**
** DESIGN
**  - lower__expr is a loop over tail positions: a node whose last child is
**    an expression (`let … in e`, `else e`, `h :: e`, `fun … -> e`, the last
**    element of `a; e`, the last case of a match, `e.f`, `(e : t)`, prefix
**    operators …) is created, linked into the slot of its parent, and the
**    loop continues with that child at the same depth. Long chains of such
**    nodes therefore cost neither C stack nor depth.
**  - Binary operators: the maximal subtree of infix_expression nodes (up to
**    parentheses and other node kinds) is flattened in source order with an
**    explicit stack, its operands lowered one by one, and the tree rebuilt
**    by operator precedence (shunting-yard) with OCaml's levels by operator
**    class — which reproduces tree-sitter's nesting — except that `==>`,
**    `<==` and `<==>` get the lowest level and associate to the right, as
**    IML wants. A 100,000-term `a + a + …` is thus lowered without
**    recursion (the resulting AST is deep: see ast.h).
**  - Parentheses and `begin … end` disappear; the inner node's span is
**    widened to include them (as OCaml's locations).
*/
#include "lower_int.h"

#include <string.h>

static ast_expr *lower__new(lower__ctx *c, ast_expr_kind k, text_span span) {
  ast_expr *e = lower__alloc(c, sizeof *e);
  e->kind = k;
  e->span = span;
  return e;
}

ast_expr *lower__error_expr(lower__ctx *c, text_span span) { return lower__new(c, AST_E_ERROR, span); }

/* Lower `n`, or an error node at `at` when n is null (a missing child). */
ast_expr *lower__expr_or(lower__ctx *c, TSNode n, unsigned depth, uint32_t at) {
  if (ts_node_is_null(n)) return lower__error_expr(c, (text_span){at, at});
  return lower__expr(c, n, depth);
}

ast_expr *lower__id(lower__ctx *c, ast_name name) {
  ast_expr *e = lower__new(c, AST_E_ID, name.span);
  e->u.id = lower__lid_of_name(name);
  return e;
}

static ast_expr *lower__unsupported(lower__ctx *c, ast_expr_unsupported what, text_span span, uint32_t nkids) {
  ast_expr *e = lower__new(c, AST_E_UNSUPPORTED, span);
  e->u.unsupported.what = what;
  e->u.unsupported.n = nkids;
  if (nkids) e->u.unsupported.kids = lower__alloc(c, nkids * sizeof *e->u.unsupported.kids);
  return e;
}

static bool lower__text_is(const lower__ctx *c, text_span s, const char *t) {
  size_t l = strlen(t);
  return s.end - s.start == l && !memcmp(c->text + s.start, t, l);
}

/* ------------------------------------------------------------------------ */
/* Binary operator chains */

static bool lower__is_op_kind(int k) {
  return k == K_ADD_OPERATOR || k == K_MULT_OPERATOR || k == K_POW_OPERATOR || k == K_CONCAT_OPERATOR ||
         k == K_REL_OPERATOR || k == K_AND_OPERATOR || k == K_OR_OPERATOR || k == K_ASSIGN_OPERATOR;
}

static bool lower__is_implication(const lower__ctx *c, text_span s) {
  return lower__text_is(c, s, "==>") || lower__text_is(c, s, "<==") || lower__text_is(c, s, "<==>");
}

/* OCaml's precedence level of an infix operator class (higher binds
** tighter), with IML's implications below everything; *right when the
** level associates to the right. */
static int lower__prec(lower__ctx *c, TSNode op, bool *right) {
  int k = lower__kind(c, op);
  *right = true;
  switch (k) {
  case K_ASSIGN_OPERATOR: return 1;
  case K_OR_OPERATOR: return 2;
  case K_AND_OPERATOR: return 3;
  case K_CONCAT_OPERATOR: return 5; /* (`::` would be 5.5: not part of chains) */
  case K_POW_OPERATOR: return 8;
  default: break;
  }
  *right = false;
  switch (k) {
  case K_ADD_OPERATOR: return 6;
  case K_MULT_OPERATOR: return 7;
  case K_REL_OPERATOR:
    if (lower__is_implication(c, lower__span(c, op))) {
      *right = true;
      return 0;
    }
    return 4;
  default: return 4;
  }
}

static void lower__push_link(lower__ctx *c, TSNode n, bool is_op) {
  c->links = lower__grow(c, c->links, &c->caplinks, c->nlinks + 1, sizeof *c->links);
  c->links[c->nlinks++] = (lower__link){.node = n, .is_op = is_op};
}

static void lower__push_work(lower__ctx *c, TSNode n) {
  c->work = lower__grow(c, c->work, &c->capwork, c->nwork + 1, sizeof *c->work);
  c->work[c->nwork++] = n;
}

static void lower__push_u32(lower__ctx *c, uint32_t **v, size_t *n, size_t *cap, uint32_t x) {
  *v = lower__grow(c, *v, cap, *n + 1, sizeof **v);
  (*v)[(*n)++] = x;
}

/* Pop an operator and two operands; push their application. */
static void lower__reduce(lower__ctx *c) {
  uint32_t op = c->ops[--c->nops];
  uint32_t b = c->outs[--c->nouts];
  uint32_t a = c->outs[--c->nouts];
  text_span span = lower__span_to(c->links[a].span, c->links[b].span);
  ast_expr *app = lower__new(c, AST_E_APP, span);
  app->u.app.fn = lower__id(c, lower__name(c, c->links[op].node));
  app->u.app.nargs = 2;
  app->u.app.args = lower__alloc(c, 2 * sizeof *app->u.app.args);
  app->u.app.args[0] = (ast_arg){.expr = c->links[a].e, .span = c->links[a].span};
  app->u.app.args[1] = (ast_arg){.expr = c->links[b].e, .span = c->links[b].span};
  c->links[a].e = app;
  c->links[a].span = span;
  c->outs[c->nouts++] = a;
}

/* The parts of an infix_expression with an operator; false for anything
** else (which is then an operand). */
static bool lower__infix_parts(lower__ctx *c, TSNode n, TSNode *l, TSNode *o, TSNode *r) {
  if (ts_node_is_null(n) || lower__kind(c, n) != K_INFIX_EXPRESSION) return false;
  size_t base = lower__kids_push(c, n, 0);
  *l = lower__kid_node(c, lower__kid_field(c, base, c->F->f_left));
  *o = lower__kid_node(c, lower__kid_field(c, base, c->F->f_operator));
  *r = lower__kid_node(c, lower__kid_field(c, base, c->F->f_right));
  lower__kids_pop(c, base);
  return !ts_node_is_null(*o) && lower__is_op_kind(lower__kind(c, *o));
}

static ast_expr *lower__infix(lower__ctx *c, TSNode root, unsigned depth, text_span root_span) {
  size_t lbase = c->nlinks, wbase = c->nwork;
  {
    TSNode l, o, r;
    if (!lower__infix_parts(c, root, &l, &o, &r)) { /* no operator: error recovery */
      c->has_errors = true;
      return lower__error_expr(c, root_span);
    }
  }
  /* 1. Flatten in source order (iterative in-order walk: c->work holds the
  ** infix nodes whose left operand is being visited). */
  TSNode cur = root;
  for (;;) {
    TSNode l, o, r;
    while (lower__infix_parts(c, cur, &l, &o, &r)) {
      lower__push_work(c, cur);
      cur = l;
    }
    lower__push_link(c, cur, false); /* may be null: an error operand */
    if (c->nwork == wbase) break;
    TSNode x = c->work[--c->nwork];
    lower__infix_parts(c, x, &l, &o, &r);
    lower__push_link(c, o, true);
    cur = r;
  }
  /* 2. Lower the operands (recursion may push more links: index, don't point). */
  uint32_t prev_end = root_span.start;
  for (size_t i = lbase; i < c->nlinks; i++) {
    TSNode x = c->links[i].node;
    if (c->links[i].is_op) {
      text_span os = lower__span(c, x);
      prev_end = os.end;
      if (lower__text_is(c, os, "==") || lower__text_is(c, os, "!="))
        lower__report(c, os, LOWER_CODE_PHYSICAL_EQ,
                      "physical equality (`==`, `!=`) is not part of IML's logic (its meaning is unspecified "
                      "for immutable values); use structural equality `=` / `<>`, or program mode");
      else if (lower__kind(c, x) == K_ASSIGN_OPERATOR)
        lower__report(c, os, LOWER_CODE_REFERENCE, "references are not part of IML's logic; use them only in program mode");
      continue;
    }
    text_span s = ts_node_is_null(x) ? (text_span){prev_end, prev_end} : lower__span(c, x);
    ast_expr *e = c->links[i].e;
    if (!e) e = lower__expr_or(c, x, depth + 1, prev_end);
    c->links[i].e = e;
    c->links[i].span = s;
    prev_end = s.end;
  }
  /* 3. Rebuild by precedence (shunting-yard). */
  size_t obase = c->nops, ubase = c->nouts;
  lower__push_u32(c, &c->outs, &c->nouts, &c->capouts, (uint32_t)lbase);
  for (size_t i = lbase + 1; i + 1 < c->nlinks; i += 2) {
    bool right;
    int p = lower__prec(c, c->links[i].node, &right);
    while (c->nops > obase) {
      bool tr;
      int tp = lower__prec(c, c->links[c->ops[c->nops - 1]].node, &tr);
      if (tp > p || (tp == p && !right)) lower__reduce(c);
      else break;
    }
    lower__push_u32(c, &c->ops, &c->nops, &c->capops, (uint32_t)i);
    lower__push_u32(c, &c->outs, &c->nouts, &c->capouts, (uint32_t)(i + 1));
  }
  while (c->nops > obase) lower__reduce(c);
  ast_expr *result = c->links[c->outs[ubase]].e;
  c->nouts = ubase;
  c->nlinks = lbase;
  result->span = root_span;
  return result;
}

/* ------------------------------------------------------------------------ */
/* Application */

static ast_arg lower__arg(lower__ctx *c, TSNode n, unsigned depth) {
  ast_arg a = {.span = lower__span(c, n)};
  if (lower__kind(c, n) != K_LABELED_ARGUMENT) {
    a.expr = lower__expr(c, n, depth);
    return a;
  }
  size_t base = lower__kids_push(c, n, 0);
  a.label = lower__label_kind(c, base);
  if (a.label == AST_LABEL_NONE) a.label = AST_LABEL_LABELLED;
  TSNode label = lower__kid_node(c, lower__kid_kind(c, base, K_LABEL_NAME));
  TSNode expr = lower__kid_node(c, lower__kid_field(c, base, c->F->f_expression));
  TSNode type = lower__kid_node(c, lower__kid_field(c, base, c->F->f_type));
  lower__kids_pop(c, base);
  if (!ts_node_is_null(label)) a.lname = lower__name(c, label);
  else a.lname = (ast_name){lower__str(c, (text_span){a.span.start, a.span.start}), {a.span.start, a.span.start}};
  if (!ts_node_is_null(expr)) a.expr = lower__expr(c, expr, depth);
  else a.expr = lower__id(c, a.lname); /* ~x / ?x: punned */
  if (!ts_node_is_null(type)) {
    ast_expr *ce = lower__new(c, AST_E_CONSTRAINT, a.span);
    ce->u.constraint.expr = a.expr;
    ce->u.constraint.type = lower__type(c, type, depth);
    a.expr = ce;
  }
  return a;
}

static ast_expr *lower__app(lower__ctx *c, TSNode n, unsigned depth, text_span span) {
  size_t base = lower__kids_push(c, n, 0);
  TSNode fn = lower__kid_node(c, lower__kid_field(c, base, c->F->f_function));
  size_t nargs = 0;
  for (size_t i = base; i < c->nkids; i++)
    if (c->kids[i].field == c->F->f_argument) nargs++;
  int fk = lower__kind(c, fn);
  ast_expr *f;
  size_t skip = 0; /* arguments consumed by a constructor */
  if (fk == K_CONSTRUCTOR_PATH) {
    f = lower__new(c, AST_E_CTOR, lower__span(c, fn));
    f->u.ctor.name = lower__lid(c, fn);
    size_t first = lower__kid_field(c, base, c->F->f_argument);
    if (first != (size_t)-1 && c->kids[first].kind != K_LABELED_ARGUMENT) {
      TSNode a = c->kids[first].node;
      f->u.ctor.arg = lower__expr(c, a, depth + 1);
      f->span = lower__span_to(f->span, lower__span(c, a));
      skip = 1;
    }
  } else if (fk == K_TAG) {
    ast_expr *u = lower__unsupported(c, AST_EU_POLY_VARIANT, span, (uint32_t)nargs);
    size_t w = 0;
    for (size_t i = base; i < c->nkids && w < nargs; i++)
      if (c->kids[i].field == c->F->f_argument) {
        TSNode a = c->kids[i].node;
        u->u.unsupported.kids[w++] = lower__expr(c, a, depth + 1);
      }
    lower__kids_pop(c, base);
    return u;
  } else {
    f = lower__expr_or(c, fn, depth + 1, span.start);
    if (f->kind == AST_E_ID && f->u.id.path.n == 0 && !strcmp(f->u.id.name.text, "ref"))
      lower__report(c, f->span, LOWER_CODE_REFERENCE, "references are not part of IML's logic; use them only in program mode");
  }
  if (nargs <= skip) {
    lower__kids_pop(c, base);
    f->span = span;
    return f;
  }
  ast_expr *e = lower__new(c, AST_E_APP, span);
  e->u.app.fn = f;
  e->u.app.nargs = (uint32_t)(nargs - skip);
  e->u.app.args = lower__alloc(c, e->u.app.nargs * sizeof *e->u.app.args);
  size_t seen = 0, w = 0;
  for (size_t i = base; i < c->nkids; i++) {
    if (c->kids[i].field != c->F->f_argument) continue;
    if (seen++ < skip) continue;
    TSNode a = c->kids[i].node;
    e->u.app.args[w++] = lower__arg(c, a, depth + 1);
  }
  lower__kids_pop(c, base);
  return e;
}

/* ------------------------------------------------------------------------ */
/* Records */

static ast_field_init lower__field_init(lower__ctx *c, TSNode n, unsigned depth) {
  ast_field_init f = {.span = lower__span(c, n)};
  size_t base = lower__kids_push(c, n, 0);
  TSNode path = lower__kid_node(c, lower__kid_kind(c, base, K_FIELD_PATH));
  TSNode type = lower__kid_node(c, lower__kid_field(c, base, c->F->f_type));
  TSNode body = lower__kid_node(c, lower__kid_field(c, base, c->F->f_body));
  lower__kids_pop(c, base);
  f.field = lower__lid(c, path);
  if (!ts_node_is_null(type)) f.type = lower__type(c, type, depth);
  if (!ts_node_is_null(body)) {
    f.expr = lower__expr(c, body, depth);
  } else {
    f.punned = true; /* { M.f } means { M.f = f } */
    f.expr = lower__id(c, f.field.name);
  }
  return f;
}

static ast_expr *lower__record(lower__ctx *c, TSNode n, unsigned depth, text_span span) {
  ast_expr *e = lower__new(c, AST_E_RECORD, span);
  size_t base = lower__kids_push(c, n, 0);
  TSNode rec = lower__kid_node(c, lower__kid_field(c, base, c->F->f_record));
  size_t cnt = 0;
  for (size_t i = base; i < c->nkids; i++)
    if (c->kids[i].kind == K_FIELD_EXPRESSION) cnt++;
  if (cnt) e->u.record.fields = lower__alloc(c, cnt * sizeof *e->u.record.fields);
  for (size_t i = base; i < c->nkids && e->u.record.n < cnt; i++)
    if (c->kids[i].kind == K_FIELD_EXPRESSION) {
      TSNode f = c->kids[i].node;
      e->u.record.fields[e->u.record.n++] = lower__field_init(c, f, depth + 1);
    }
  lower__kids_pop(c, base);
  if (!ts_node_is_null(rec)) e->u.record.base = lower__expr(c, rec, depth + 1);
  return e;
}

/* ------------------------------------------------------------------------ */
/* Lists of expressions (tuple, list, array, sequence) */

static bool lower__is_expr_child(const lower__kid *k) {
  return ts_node_is_named(k->node) && k->kind != K_ATTRIBUTE_ID && k->kind != K_ATTRIBUTE;
}

/* The expression children of n as an arena array; when `tail` is non-NULL
** the last one is not lowered but returned there (its slot left NULL). */
static ast_expr **lower__expr_list(lower__ctx *c, TSNode n, unsigned depth, uint32_t *count, TSNode *tail) {
  size_t base = lower__kids_push(c, n, 0);
  size_t cnt = 0;
  for (size_t i = base; i < c->nkids; i++)
    if (lower__is_expr_child(&c->kids[i])) cnt++;
  *count = (uint32_t)cnt;
  ast_expr **v = cnt ? lower__alloc(c, cnt * sizeof *v) : NULL;
  size_t w = 0;
  for (size_t i = base; i < c->nkids && w < cnt; i++) {
    if (!lower__is_expr_child(&c->kids[i])) continue;
    TSNode x = c->kids[i].node;
    if (tail && w + 1 == cnt) {
      *tail = x;
      w++;
      break;
    }
    if (c->kids[i].kind == K_LABELED_TUPLE_ELEMENT) v[w++] = lower__unsupported(c, AST_EU_OTHER, lower__span(c, x), 0);
    else v[w++] = lower__expr(c, x, depth + 1);
  }
  lower__kids_pop(c, base);
  return v;
}

/* ------------------------------------------------------------------------ */
/* Constants with a sign */

static ast_expr *lower__signed(lower__ctx *c, TSNode op, TSNode num, text_span span) {
  text_span os = lower__span(c, op), ns = lower__span(c, num);
  ast_expr *e = lower__new(c, AST_E_CONST, span);
  e->u.c = lower__const(c, num);
  if (os.end > os.start && c->text[os.start] == '-') {
    size_t l = ns.end - ns.start;
    char *t = lower__alloc(c, l + 2);
    t[0] = '-';
    memcpy(t + 1, c->text + ns.start, l);
    t[l + 1] = '\0';
    e->u.c.text = t;
  }
  return e;
}

/* ------------------------------------------------------------------------ */
/* Expressions */

/* Report a non-logic construct at `span` and return an unsupported node. */
static ast_expr *lower__nonlogic(lower__ctx *c, ast_expr_unsupported what, text_span span, uint32_t nkids,
                                 text_span where, const char *code, const char *msg) {
  lower__report(c, where, code, msg);
  return lower__unsupported(c, what, span, nkids);
}

static const char *const lower__msg_mutable =
    "mutable state (mutable fields, arrays) is not part of IML's logic; use it only in program mode";
static const char *const lower__msg_object =
    "objects and classes are not part of IML's logic; use them only in program mode";

ast_expr *lower__expr(lower__ctx *c, TSNode n, unsigned depth) {
  if (ts_node_is_null(n)) return lower__error_expr(c, (text_span){0, 0});
  if (lower__too_deep(c, depth, lower__span(c, n))) return lower__error_expr(c, lower__span(c, n));
  ast_expr *root = NULL, **slot = &root;
  bool widened = false;
  text_span outer = {0, 0};
  uint32_t at = lower__span(c, n).start; /* where a missing node would be */
  for (;;) {
    if (ts_node_is_null(n)) {
      *slot = lower__error_expr(c, widened ? outer : (text_span){at, at});
      return root;
    }
    text_span span = widened ? outer : lower__span(c, n);
    widened = false;
    at = span.end;
    ast_expr *e;
    int k = lower__kind(c, n);
    switch (k) {
    case K_PARENTHESIZED_EXPRESSION: {
      TSNode inner = lower__field(c, n, c->F->f_expression);
      if (ts_node_is_null(inner)) {
        inner = lower__first_named(c, n);
        if (!ts_node_is_null(inner) && lower__kind(c, inner) == K_ATTRIBUTE) inner = (TSNode){0};
      }
      if (ts_node_is_null(inner)) { /* begin end */
        e = lower__new(c, AST_E_CONST, span);
        e->u.c = (ast_const){.kind = AST_C_UNIT, .text = "()"};
        *slot = e;
        return root;
      }
      outer = span;
      widened = true;
      n = inner;
      continue;
    }
    case K_VALUE_PATH:
      e = lower__new(c, AST_E_ID, span);
      e->u.id = lower__lid(c, n);
      *slot = e;
      return root;
    case K_CONSTRUCTOR_PATH:
      e = lower__new(c, AST_E_CTOR, span);
      e->u.ctor.name = lower__lid(c, n);
      *slot = e;
      return root;
    case K_NUMBER:
    case K_STRING:
    case K_QUOTED_STRING:
    case K_CHARACTER:
    case K_BOOLEAN:
    case K_UNIT:
    case K_SIGNED_NUMBER:
      e = lower__new(c, AST_E_CONST, span);
      e->u.c = lower__const(c, n);
      *slot = e;
      return root;
    case K_APPLICATION_EXPRESSION:
      *slot = lower__app(c, n, depth, span);
      return root;
    case K_INFIX_EXPRESSION:
      *slot = lower__infix(c, n, depth, span);
      return root;
    case K_PREFIX_EXPRESSION:
    case K_SIGN_EXPRESSION: {
      size_t base = lower__kids_push(c, n, 0);
      TSNode op = lower__kid_node(c, lower__kid_field(c, base, c->F->f_operator));
      TSNode arg = lower__kid_node(c, lower__kid_field(c, base, c->F->f_expression));
      lower__kids_pop(c, base);
      if (ts_node_is_null(op)) {
        *slot = lower__error_expr(c, span);
        return root;
      }
      text_span os = lower__span(c, op);
      if (k == K_SIGN_EXPRESSION && lower__kind(c, arg) == K_NUMBER) {
        /* -1, -1.5, -.1.5: constants, as OCaml reads them (but `-. 1` on an int is ~-. 1). */
        ast_const nc = lower__const(c, arg);
        bool dotted = os.end - os.start == 2;
        if (!dotted || nc.kind == AST_C_REAL) {
          *slot = lower__signed(c, op, arg, span);
          return root;
        }
      }
      ast_name fname;
      if (k == K_SIGN_EXPRESSION) {
        /* Unary minus/plus: OCaml's ~- / ~+ / ~-. / ~+. */
        size_t l = os.end - os.start;
        char *t = lower__alloc(c, l + 2);
        t[0] = '~';
        memcpy(t + 1, c->text + os.start, l);
        fname = (ast_name){t, os};
      } else {
        fname = lower__name(c, op);
        if (!strcmp(fname.text, "!"))
          lower__report(c, span, LOWER_CODE_REFERENCE, "references are not part of IML's logic; use them only in program mode");
      }
      e = lower__new(c, AST_E_APP, span);
      e->u.app.fn = lower__id(c, fname);
      e->u.app.nargs = 1;
      e->u.app.args = lower__alloc(c, sizeof *e->u.app.args);
      e->u.app.args[0].span = ts_node_is_null(arg) ? (text_span){os.end, os.end} : lower__span(c, arg);
      *slot = e;
      slot = &e->u.app.args[0].expr;
      at = os.end;
      n = arg;
      continue;
    }
    case K_CONS_EXPRESSION: {
      size_t base = lower__kids_push(c, n, 0);
      TSNode l = lower__kid_node(c, lower__kid_field(c, base, c->F->f_left));
      TSNode r = lower__kid_node(c, lower__kid_field(c, base, c->F->f_right));
      lower__kids_pop(c, base);
      e = lower__new(c, AST_E_CONS, span);
      e->u.cons.head = lower__expr_or(c, l, depth + 1, span.start);
      *slot = e;
      slot = &e->u.cons.tail;
      at = e->u.cons.head->span.end;
      n = r;
      continue;
    }
    case K_TUPLE_EXPRESSION:
    case K_LIST_EXPRESSION:
      e = lower__new(c, k == K_TUPLE_EXPRESSION ? AST_E_TUPLE : AST_E_LIST, span);
      e->u.list.items = lower__expr_list(c, n, depth, &e->u.list.n, NULL);
      *slot = e;
      return root;
    case K_SEQUENCE_EXPRESSION: {
      TSNode last = {0};
      e = lower__new(c, AST_E_SEQ, span);
      e->u.list.items = lower__expr_list(c, n, depth, &e->u.list.n, &last);
      *slot = e;
      if (!e->u.list.n) {
        *slot = lower__error_expr(c, span);
        return root;
      }
      slot = &e->u.list.items[e->u.list.n - 1];
      n = last;
      continue;
    }
    case K_ARRAY_EXPRESSION: {
      uint32_t cnt;
      ast_expr **items = lower__expr_list(c, n, depth, &cnt, NULL);
      e = lower__nonlogic(c, AST_EU_ARRAY, span, 0, span, LOWER_CODE_MUTABLE, lower__msg_mutable);
      e->u.unsupported.kids = items;
      e->u.unsupported.n = cnt;
      *slot = e;
      return root;
    }
    case K_RECORD_EXPRESSION:
      *slot = lower__record(c, n, depth, span);
      return root;
    case K_FIELD_GET_EXPRESSION: {
      size_t base = lower__kids_push(c, n, 0);
      TSNode rec = lower__kid_node(c, lower__kid_field(c, base, c->F->f_record));
      TSNode fld = lower__kid_node(c, lower__kid_field(c, base, c->F->f_field));
      lower__kids_pop(c, base);
      e = lower__new(c, AST_E_FIELD, span);
      e->u.field.field = lower__lid(c, fld);
      if (ts_node_is_null(fld)) e->u.field.field.name.span = e->u.field.field.span = (text_span){span.end, span.end};
      *slot = e;
      slot = &e->u.field.rec;
      at = span.start;
      n = rec;
      continue;
    }
    case K_ARRAY_GET_EXPRESSION:
    case K_STRING_GET_EXPRESSION:
    case K_BIGARRAY_GET_EXPRESSION: {
      size_t base = lower__kids_push(c, n, 0);
      TSNode a = lower__kid_node(c, lower__kid_field(c, base, k == K_STRING_GET_EXPRESSION ? c->F->f_string : c->F->f_array));
      TSNode i = lower__kid_node(c, lower__kid_field(c, base, c->F->f_index));
      lower__kids_pop(c, base);
      if (k == K_STRING_GET_EXPRESSION) e = lower__unsupported(c, AST_EU_STRING_GET, span, 2);
      else e = lower__nonlogic(c, k == K_ARRAY_GET_EXPRESSION ? AST_EU_ARRAY_GET : AST_EU_OTHER, span, 2, span,
                               LOWER_CODE_MUTABLE, lower__msg_mutable);
      e->u.unsupported.kids[0] = lower__expr_or(c, a, depth + 1, span.start);
      e->u.unsupported.kids[1] = lower__expr_or(c, i, depth + 1, span.end);
      *slot = e;
      return root;
    }
    case K_SET_EXPRESSION: {
      size_t base = lower__kids_push(c, n, 0);
      TSNode body = lower__kid_node(c, lower__kid_field(c, base, c->F->f_body));
      TSNode lhs = {0};
      text_span arrow = span;
      for (size_t i = base; i < c->nkids; i++) {
        if (c->kids[i].kind == T_LARROW) arrow = lower__span(c, c->kids[i].node);
        else if (ts_node_is_named(c->kids[i].node) && c->kids[i].field != c->F->f_body && ts_node_is_null(lhs))
          lhs = c->kids[i].node;
      }
      lower__kids_pop(c, base);
      text_span where = lower__span_to(span, arrow); /* `a.(i) <-`: the assignment, not its value */
      int lk = lower__kind(c, lhs);
      size_t lb = lower__kids_push(c, lhs, 0);
      TSNode l1 = {0}, l2 = {0};
      if (lk == K_FIELD_GET_EXPRESSION) {
        l1 = lower__kid_node(c, lower__kid_field(c, lb, c->F->f_record));
      } else if (lk == K_ARRAY_GET_EXPRESSION || lk == K_BIGARRAY_GET_EXPRESSION || lk == K_STRING_GET_EXPRESSION) {
        l1 = lower__kid_node(c, lower__kid_field(c, lb, lk == K_STRING_GET_EXPRESSION ? c->F->f_string : c->F->f_array));
        l2 = lower__kid_node(c, lower__kid_field(c, lb, c->F->f_index));
      }
      lower__kids_pop(c, lb);
      if (lk == K_FIELD_GET_EXPRESSION) {
        e = lower__nonlogic(c, AST_EU_SET_FIELD, span, 2, where, LOWER_CODE_MUTABLE, lower__msg_mutable);
        e->u.unsupported.kids[0] = lower__expr_or(c, l1, depth + 1, span.start);
      } else if (lk == K_ARRAY_GET_EXPRESSION || lk == K_BIGARRAY_GET_EXPRESSION || lk == K_STRING_GET_EXPRESSION) {
        e = lower__nonlogic(c, lk == K_STRING_GET_EXPRESSION ? AST_EU_OTHER : AST_EU_SET_ARRAY, span, 3, where,
                            LOWER_CODE_MUTABLE, lower__msg_mutable);
        e->u.unsupported.kids[0] = lower__expr_or(c, l1, depth + 1, span.start);
        e->u.unsupported.kids[1] = lower__expr_or(c, l2, depth + 1, span.start);
      } else { /* instance variable <- v */
        e = lower__nonlogic(c, AST_EU_OBJECT, span, 1, where, LOWER_CODE_OBJECT, lower__msg_object);
      }
      *slot = e;
      slot = &e->u.unsupported.kids[e->u.unsupported.n - 1];
      at = arrow.end;
      n = body;
      continue;
    }
    case K_IF_EXPRESSION: {
      size_t base = lower__kids_push(c, n, 0);
      TSNode cond = lower__kid_node(c, lower__kid_field(c, base, c->F->f_condition));
      TSNode thn = lower__kid_node(c, lower__kid_kind(c, base, K_THEN_CLAUSE));
      TSNode els = lower__kid_node(c, lower__kid_kind(c, base, K_ELSE_CLAUSE));
      lower__kids_pop(c, base);
      e = lower__new(c, AST_E_IF, span);
      e->u.if_.cond = lower__expr_or(c, cond, depth + 1, span.start);
      TSNode te = ts_node_is_null(thn) ? thn : lower__first_named(c, thn);
      e->u.if_.then_e = lower__expr_or(c, te, depth + 1,
                                       ts_node_is_null(thn) ? e->u.if_.cond->span.end : lower__span(c, thn).end);
      *slot = e;
      if (ts_node_is_null(els)) return root;
      slot = &e->u.if_.else_e;
      at = lower__span(c, els).end;
      n = lower__first_named(c, els);
      continue;
    }
    case K_WHILE_EXPRESSION:
    case K_FOR_EXPRESSION: {
      size_t base = lower__kids_push(c, n, 0);
      TSNode dc = lower__kid_node(c, lower__kid_kind(c, base, K_DO_CLAUSE));
      TSNode a = lower__kid_node(c, lower__kid_field(c, base, k == K_WHILE_EXPRESSION ? c->F->f_condition : c->F->f_from));
      TSNode b = lower__kid_node(c, lower__kid_field(c, base, c->F->f_to));
      TSNode p = lower__kid_node(c, lower__kid_field(c, base, c->F->f_name));
      lower__kids_pop(c, base);
      bool w = k == K_WHILE_EXPRESSION;
      e = lower__nonlogic(c, w ? AST_EU_WHILE : AST_EU_FOR, span, w ? 2 : 3, lower__first_token(c, n),
                          LOWER_CODE_LOOP,
                          "loops (`while`, `for`) are not part of IML's logic; use recursion, or use them only in "
                          "program mode");
      if (!w && !ts_node_is_null(p)) e->u.unsupported.pat = lower__pat(c, p, depth + 1);
      e->u.unsupported.kids[0] = lower__expr_or(c, a, depth + 1, span.start);
      if (!w) e->u.unsupported.kids[1] = lower__expr_or(c, b, depth + 1, span.start);
      TSNode body = ts_node_is_null(dc) ? dc : lower__first_named(c, dc);
      if (ts_node_is_null(body)) {
        e->u.unsupported.kids[w ? 1 : 2] = lower__new(c, AST_E_CONST, (text_span){span.end, span.end});
        e->u.unsupported.kids[w ? 1 : 2]->u.c = (ast_const){.kind = AST_C_UNIT, .text = "()"};
      } else {
        e->u.unsupported.kids[w ? 1 : 2] = lower__expr(c, body, depth + 1);
      }
      *slot = e;
      return root;
    }
    case K_MATCH_EXPRESSION:
    case K_FUNCTION_EXPRESSION:
    case K_TRY_EXPRESSION: {
      size_t base = lower__kids_push(c, n, 0);
      TSNode scrut = lower__kid_node(c, lower__kid_field(c, base, c->F->f_expression));
      TSNode last = {0};
      uint32_t ncases;
      /* The scrutinee first (source order of diagnostics does not matter: they are sorted). */
      ast_case *cases = lower__cases(c, base, depth + 1, &ncases, &last);
      lower__kids_pop(c, base);
      if (k == K_TRY_EXPRESSION) {
        e = lower__nonlogic(c, AST_EU_TRY, span, 1, lower__first_token(c, n), LOWER_CODE_EXCEPTION,
                            "exception handlers (`try … with`) are not part of IML's logic; use them only in program mode");
        e->u.unsupported.kids[0] = lower__expr_or(c, scrut, depth + 1, span.start);
        e->u.unsupported.cases = cases;
        e->u.unsupported.ncases = ncases;
      } else if (k == K_MATCH_EXPRESSION) {
        e = lower__new(c, AST_E_MATCH, span);
        e->u.match.scrut = lower__expr_or(c, scrut, depth + 1, span.start);
        e->u.match.cases = cases;
        e->u.match.ncases = ncases;
      } else {
        e = lower__new(c, AST_E_FUNCTION, span);
        e->u.function.cases = cases;
        e->u.function.ncases = ncases;
      }
      *slot = e;
      if (!ncases || ts_node_is_null(last)) return root;
      slot = &cases[ncases - 1].body;
      at = cases[ncases - 1].span.end;
      n = last;
      continue;
    }
    case K_FUN_EXPRESSION: {
      size_t base = lower__kids_push(c, n, 0);
      e = lower__new(c, AST_E_FUN, span);
      e->u.fun.params = lower__params(c, base, depth + 1, &e->u.fun.nparams);
      TSNode type = lower__kid_node(c, lower__kid_field(c, base, c->F->f_type));
      TSNode body = lower__kid_node(c, lower__kid_field(c, base, c->F->f_body));
      lower__kids_pop(c, base);
      if (!ts_node_is_null(type)) e->u.fun.ret = lower__type(c, type, depth + 1);
      *slot = e;
      slot = &e->u.fun.body;
      n = body;
      continue;
    }
    case K_LET_EXPRESSION: {
      size_t base = lower__kids_push(c, n, 0);
      TSNode def = lower__kid_node(c, lower__kid_kind(c, base, K_VALUE_DEFINITION));
      TSNode body = lower__kid_node(c, lower__kid_field(c, base, c->F->f_body));
      lower__kids_pop(c, base);
      e = lower__new(c, AST_E_LET, span);
      bool has_op;
      e->u.let.binds = lower__bindings(c, def, depth + 1, &e->u.let.nbinds, &e->u.let.rec, &has_op);
      if (has_op) e->kind = AST_E_LETOP;
      *slot = e;
      slot = &e->u.let.body;
      n = body;
      continue;
    }
    case K_LET_OPEN_EXPRESSION:
    case K_LOCAL_OPEN_EXPRESSION: {
      size_t base = lower__kids_push(c, n, 0);
      TSNode body, mod = {0};
      bool bang = false;
      if (k == K_LET_OPEN_EXPRESSION) {
        body = lower__kid_node(c, lower__kid_field(c, base, c->F->f_body));
        TSNode om = lower__kid_node(c, lower__kid_kind(c, base, K_OPEN_MODULE));
        lower__kids_pop(c, base);
        size_t b2 = lower__kids_push(c, om, 0);
        mod = lower__kid_node(c, lower__kid_field(c, b2, c->F->f_module));
        bang = lower__kid_kind(c, b2, T_BANG) != (size_t)-1;
        lower__kids_pop(c, b2);
      } else {
        body = lower__kid_node(c, lower__kid_field(c, base, c->F->f_expression));
        mod = lower__kid_node(c, lower__kid_kind(c, base, K_MODULE_PATH));
        lower__kids_pop(c, base);
      }
      e = lower__new(c, AST_E_OPEN, span);
      e->u.open.bang = bang;
      int mk = lower__kind(c, mod);
      if (mk == K_MODULE_PATH || mk == K_EXTENDED_MODULE_PATH || mk == K_MODULE_NAME) e->u.open.mod = lower__mpath(c, mod);
      else e->u.open.mod.span = ts_node_is_null(mod) ? (text_span){span.start, span.start} : lower__span(c, mod);
      *slot = e;
      if (ts_node_is_null(body) && k == K_LOCAL_OPEN_EXPRESSION) { /* M.() */
        e->u.open.body = lower__new(c, AST_E_CONST, (text_span){e->u.open.mod.span.end, span.end});
        e->u.open.body->u.c = (ast_const){.kind = AST_C_UNIT, .text = "()"};
        return root;
      }
      slot = &e->u.open.body;
      n = body;
      continue;
    }
    case K_TYPED_EXPRESSION: {
      size_t base = lower__kids_push(c, n, 0);
      TSNode x = lower__kid_node(c, lower__kid_field(c, base, c->F->f_expression));
      TSNode t = lower__kid_node(c, lower__kid_field(c, base, c->F->f_type));
      lower__kids_pop(c, base);
      e = lower__new(c, AST_E_CONSTRAINT, span);
      e->u.constraint.type = ts_node_is_null(t) ? NULL : lower__type(c, t, depth + 1);
      if (!e->u.constraint.type) {
        e->u.constraint.type = lower__alloc(c, sizeof(ast_type));
        e->u.constraint.type->kind = AST_T_ERROR;
        e->u.constraint.type->span = (text_span){span.end, span.end};
      }
      *slot = e;
      slot = &e->u.constraint.expr;
      n = x;
      continue;
    }
    case K_ASSERT_EXPRESSION:
    case K_LAZY_EXPRESSION:
    case K_COERCION_EXPRESSION:
    case K_LET_MODULE_EXPRESSION:
    case K_LET_EXCEPTION_EXPRESSION: {
      size_t base = lower__kids_push(c, n, 0);
      bool has_body = k == K_LET_MODULE_EXPRESSION || k == K_LET_EXCEPTION_EXPRESSION;
      TSNode x = lower__kid_node(c, lower__kid_field(c, base, has_body ? c->F->f_body : c->F->f_expression));
      TSNode exn = lower__kid_node(c, lower__kid_kind(c, base, K_EXCEPTION_DEFINITION));
      lower__kids_pop(c, base);
      if (k == K_ASSERT_EXPRESSION) {
        e = lower__new(c, AST_E_ASSERT, span);
        *slot = e;
        slot = &e->u.assert_.expr;
      } else {
        ast_expr_unsupported what = k == K_LAZY_EXPRESSION       ? AST_EU_LAZY
                                    : k == K_COERCION_EXPRESSION ? AST_EU_COERCE
                                    : k == K_LET_MODULE_EXPRESSION ? AST_EU_LET_MODULE
                                                                   : AST_EU_LET_EXCEPTION;
        if (k == K_LET_EXCEPTION_EXPRESSION)
          e = lower__nonlogic(c, what, span, 1, ts_node_is_null(exn) ? span : lower__span(c, exn), LOWER_CODE_EXCEPTION,
                              "exceptions are not part of IML's logic; use them only in program mode");
        else
          e = lower__unsupported(c, what, span, 1);
        *slot = e;
        slot = &e->u.unsupported.kids[0];
      }
      n = x;
      continue;
    }
    case K_PACKAGE_EXPRESSION:
      *slot = lower__nonlogic(c, AST_EU_PACKAGE, span, 0, span, LOWER_CODE_FIRST_CLASS_MODULE,
                              "first-class modules are not part of IML's logic; use them only in program mode");
      return root;
    case K_OBJECT_EXPRESSION:
      *slot = lower__nonlogic(c, AST_EU_OBJECT, span, 0, lower__first_token(c, n), LOWER_CODE_OBJECT, lower__msg_object);
      return root;
    case K_METHOD_INVOCATION: {
      TSNode obj = lower__field(c, n, c->F->f_object);
      e = lower__nonlogic(c, AST_EU_OBJECT, span, 1, span, LOWER_CODE_OBJECT, lower__msg_object);
      *slot = e;
      slot = &e->u.unsupported.kids[0];
      n = obj;
      continue;
    }
    case K_NEW_EXPRESSION:
    case K_OBJECT_COPY_EXPRESSION:
    case K_INSTANCE_VARIABLE_EXPRESSION:
      *slot = lower__nonlogic(c, AST_EU_OBJECT, span, 0, span, LOWER_CODE_OBJECT, lower__msg_object);
      return root;
    case K_TAG:
      *slot = lower__unsupported(c, AST_EU_POLY_VARIANT, span, 0);
      return root;
    case K_EXTENSION:
    case K_QUOTED_EXTENSION:
      *slot = lower__unsupported(c, AST_EU_EXTENSION, span, 0);
      return root;
    case K_HASH_EXPRESSION: {
      size_t base = lower__kids_push(c, n, 0);
      TSNode l = lower__kid_node(c, lower__kid_field(c, base, c->F->f_left));
      TSNode r = lower__kid_node(c, lower__kid_field(c, base, c->F->f_right));
      lower__kids_pop(c, base);
      e = lower__unsupported(c, AST_EU_OTHER, span, 2);
      e->u.unsupported.kids[0] = lower__expr_or(c, l, depth + 1, span.start);
      e->u.unsupported.kids[1] = lower__expr_or(c, r, depth + 1, span.end);
      *slot = e;
      return root;
    }
    case K_ERROR:
      c->has_errors = true;
      *slot = lower__error_expr(c, span);
      return root;
    default:
      *slot = lower__unsupported(c, AST_EU_OTHER, span, 0);
      return root;
    }
  }
}
