/*
** lower_pat.c — constants, patterns, type expressions and type declarations
** (see lower.h; internals in lower_int.h).
**
** Patterns and types are lowered like expressions (lower_expr.c): a loop
** over tail positions (`p :: tail`, `C p`, `p as x`, `(p : t)`, the
** codomain of `a -> b`, …) so long chains cost no C stack, and depth + 1 for
** every other child. Parentheses disappear, widening the inner node's span.
*/
#include "lower_int.h"

#include <string.h>

/* ------------------------------------------------------------------------ */
/* Constants */

bool lower__is_const_kind(int k) {
  return k == K_NUMBER || k == K_SIGNED_NUMBER || k == K_STRING || k == K_QUOTED_STRING || k == K_CHARACTER ||
         k == K_BOOLEAN || k == K_UNIT;
}

/* Is the number literal s[0..n) (sign excluded) a real? Decimal literals
** with a '.' or an exponent; hexadecimal ones with a '.' or a 'p'. */
static bool lower__is_real(const char *s, size_t n) {
  bool hex = n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  bool other_base = n >= 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O' || s[1] == 'b' || s[1] == 'B');
  if (other_base) return false;
  for (size_t i = hex ? 2 : 0; i < n; i++) {
    char ch = s[i];
    if (ch == '.') return true;
    if (!hex && (ch == 'e' || ch == 'E')) return true;
    if (hex && (ch == 'p' || ch == 'P')) return true;
  }
  return false;
}

ast_const lower__const(lower__ctx *c, TSNode n) {
  text_span s = lower__span(c, n);
  ast_const k = {.text = lower__str(c, s)};
  switch (lower__kind(c, n)) {
  case K_NUMBER:
  case K_SIGNED_NUMBER: {
    const char *t = c->text + s.start;
    size_t len = s.end - s.start;
    while (len && (*t == '-' || *t == '+' || *t == ' ' || *t == '\t')) t++, len--;
    k.kind = lower__is_real(t, len) ? AST_C_REAL : AST_C_INT;
    if (k.kind == AST_C_INT && len && (t[len - 1] == 'l' || t[len - 1] == 'L' || t[len - 1] == 'n'))
      k.suffix = t[len - 1];
    if (lower__kind(c, n) == K_SIGNED_NUMBER && s.end > s.start && c->text[s.start] == '+') {
      k.text = lower__str(c, (text_span){s.end - (uint32_t)len, s.end}); /* +1 is 1 */
    }
    break;
  }
  case K_STRING:
  case K_QUOTED_STRING: k.kind = AST_C_STRING; break;
  case K_CHARACTER: k.kind = AST_C_CHAR; break;
  case K_BOOLEAN:
    k.kind = AST_C_BOOL;
    k.bval = s.end - s.start == 4 && !memcmp(c->text + s.start, "true", 4);
    break;
  default:
    k.kind = AST_C_UNIT;
    k.text = "()";
    break;
  }
  return k;
}

/* ------------------------------------------------------------------------ */
/* Patterns */

static ast_pat *lower__pnew(lower__ctx *c, ast_pat_kind k, text_span span) {
  ast_pat *p = lower__alloc(c, sizeof *p);
  p->kind = k;
  p->span = span;
  return p;
}

static ast_pat *lower__pat_or(lower__ctx *c, TSNode n, unsigned depth, uint32_t at) {
  if (ts_node_is_null(n)) return lower__pnew(c, AST_P_ERROR, (text_span){at, at});
  return lower__pat(c, n, depth);
}

static ast_pat *lower__punsupported(lower__ctx *c, ast_pat_unsupported what, text_span span, uint32_t n) {
  ast_pat *p = lower__pnew(c, AST_P_UNSUPPORTED, span);
  p->u.unsupported.what = what;
  p->u.unsupported.n = n;
  if (n) p->u.unsupported.kids = lower__alloc(c, n * sizeof *p->u.unsupported.kids);
  return p;
}

/* Named pattern children of n (skipping attribute ids) as an arena array. */
static ast_pat **lower__pat_list(lower__ctx *c, TSNode n, unsigned depth, uint32_t *count) {
  size_t base = lower__kids_push(c, n, 0);
  size_t cnt = 0;
  for (size_t i = base; i < c->nkids; i++)
    if (ts_node_is_named(c->kids[i].node) && c->kids[i].kind != K_ATTRIBUTE_ID) cnt++;
  *count = (uint32_t)cnt;
  ast_pat **v = cnt ? lower__alloc(c, cnt * sizeof *v) : NULL;
  size_t w = 0;
  for (size_t i = base; i < c->nkids && w < cnt; i++) {
    if (!ts_node_is_named(c->kids[i].node) || c->kids[i].kind == K_ATTRIBUTE_ID) continue;
    TSNode x = c->kids[i].node;
    if (c->kids[i].kind == K_LABELED_TUPLE_ELEMENT) v[w++] = lower__punsupported(c, AST_PU_OTHER, lower__span(c, x), 0);
    else v[w++] = lower__pat(c, x, depth + 1);
  }
  lower__kids_pop(c, base);
  return v;
}

static ast_field_pat lower__field_pat(lower__ctx *c, TSNode n, unsigned depth) {
  ast_field_pat f = {.span = lower__span(c, n)};
  size_t base = lower__kids_push(c, n, 0);
  TSNode path = {0}, type = {0}, pat = {0};
  for (size_t i = base; i < c->nkids; i++) {
    if (c->kids[i].kind == K_FIELD_PATH && ts_node_is_null(path)) path = c->kids[i].node;
    else if (c->kids[i].field == c->F->f_type) type = c->kids[i].node;
    else if (c->kids[i].field == c->F->f_pattern) pat = c->kids[i].node;
  }
  lower__kids_pop(c, base);
  f.field = lower__lid(c, path);
  if (!ts_node_is_null(type)) f.type = lower__type(c, type, depth);
  if (!ts_node_is_null(pat)) {
    f.pat = lower__pat(c, pat, depth);
  } else {
    f.punned = true; /* { M.f } binds f */
    f.pat = lower__pnew(c, AST_P_VAR, f.field.name.span);
    f.pat->u.var = f.field.name;
  }
  return f;
}

ast_pat *lower__pat(lower__ctx *c, TSNode n, unsigned depth) {
  if (ts_node_is_null(n)) return lower__pnew(c, AST_P_ERROR, (text_span){0, 0});
  if (lower__too_deep(c, depth, lower__span(c, n))) return lower__pnew(c, AST_P_ERROR, lower__span(c, n));
  ast_pat *root = NULL, **slot = &root;
  bool widened = false;
  text_span outer = {0, 0};
  uint32_t at = lower__span(c, n).start;
  for (;;) {
    if (ts_node_is_null(n)) {
      *slot = lower__pnew(c, AST_P_ERROR, widened ? outer : (text_span){at, at});
      return root;
    }
    text_span span = widened ? outer : lower__span(c, n);
    widened = false;
    at = span.end;
    ast_pat *p;
    int k = lower__kind(c, n);
    switch (k) {
    case K_PARENTHESIZED_PATTERN: {
      TSNode inner = lower__first_named(c, n);
      outer = span;
      widened = true;
      at = span.start + 1;
      n = inner;
      continue;
    }
    case K_VALUE_PATTERN:
    case K_VALUE_NAME:
    case K_PARENTHESIZED_OPERATOR: {
      ast_name nm = lower__ident(c, n);
      if (k != K_PARENTHESIZED_OPERATOR && !strcmp(nm.text, "_")) {
        *slot = lower__pnew(c, AST_P_ANY, span);
      } else {
        p = lower__pnew(c, AST_P_VAR, span);
        p->u.var = nm;
        *slot = p;
      }
      return root;
    }
    case K_NUMBER:
    case K_SIGNED_NUMBER:
    case K_STRING:
    case K_QUOTED_STRING:
    case K_CHARACTER:
    case K_BOOLEAN:
    case K_UNIT:
      p = lower__pnew(c, AST_P_CONST, span);
      p->u.c = lower__const(c, n);
      *slot = p;
      return root;
    case K_RANGE_PATTERN: {
      size_t base = lower__kids_push(c, n, 0);
      size_t l = lower__kid_field(c, base, c->F->f_left), r = lower__kid_field(c, base, c->F->f_right);
      TSNode ln = l == (size_t)-1 ? (TSNode){0} : c->kids[l].node;
      TSNode rn = r == (size_t)-1 ? (TSNode){0} : c->kids[r].node;
      lower__kids_pop(c, base);
      if (!lower__is_const_kind(lower__kind(c, ln)) || !lower__is_const_kind(lower__kind(c, rn))) {
        *slot = lower__pnew(c, AST_P_ERROR, span);
        return root;
      }
      p = lower__pnew(c, AST_P_RANGE, span);
      p->u.range.lo = lower__const(c, ln);
      p->u.range.hi = lower__const(c, rn);
      *slot = p;
      return root;
    }
    case K_CONSTRUCTOR_PATH:
      p = lower__pnew(c, AST_P_CTOR, span);
      p->u.ctor.name = lower__lid(c, n);
      *slot = p;
      return root;
    case K_CONSTRUCTOR_PATTERN: {
      size_t base = lower__kids_push(c, n, 0);
      size_t ci = lower__kid_kind(c, base, K_CONSTRUCTOR_PATH);
      size_t pi = lower__kid_field(c, base, c->F->f_pattern);
      TSNode cn = ci == (size_t)-1 ? (TSNode){0} : c->kids[ci].node;
      TSNode pn = pi == (size_t)-1 ? (TSNode){0} : c->kids[pi].node;
      lower__kids_pop(c, base);
      p = lower__pnew(c, AST_P_CTOR, span);
      p->u.ctor.name = lower__lid(c, cn);
      *slot = p;
      if (ts_node_is_null(pn)) return root;
      slot = &p->u.ctor.arg;
      n = pn;
      continue;
    }
    case K_TUPLE_PATTERN:
    case K_LIST_PATTERN:
    case K_OR_PATTERN:
      p = lower__pnew(c, k == K_TUPLE_PATTERN ? AST_P_TUPLE : k == K_LIST_PATTERN ? AST_P_LIST : AST_P_OR, span);
      p->u.list.items = lower__pat_list(c, n, depth, &p->u.list.n);
      *slot = p;
      return root;
    case K_CONS_PATTERN: {
      size_t base = lower__kids_push(c, n, 0);
      size_t l = lower__kid_field(c, base, c->F->f_left), r = lower__kid_field(c, base, c->F->f_right);
      TSNode ln = l == (size_t)-1 ? (TSNode){0} : c->kids[l].node;
      TSNode rn = r == (size_t)-1 ? (TSNode){0} : c->kids[r].node;
      lower__kids_pop(c, base);
      p = lower__pnew(c, AST_P_CONS, span);
      p->u.cons.head = lower__pat_or(c, ln, depth + 1, span.start);
      *slot = p;
      slot = &p->u.cons.tail;
      at = p->u.cons.head->span.end;
      n = rn;
      continue;
    }
    case K_RECORD_PATTERN: {
      p = lower__pnew(c, AST_P_RECORD, span);
      size_t base = lower__kids_push(c, n, 0);
      size_t cnt = 0;
      for (size_t i = base; i < c->nkids; i++) {
        if (c->kids[i].kind == K_FIELD_PATTERN) cnt++;
        if (c->kids[i].kind == T_UNDERSCORE) p->u.record.open = true;
      }
      if (cnt) p->u.record.fields = lower__alloc(c, cnt * sizeof *p->u.record.fields);
      for (size_t i = base; i < c->nkids && p->u.record.n < cnt; i++)
        if (c->kids[i].kind == K_FIELD_PATTERN) {
          TSNode f = c->kids[i].node;
          p->u.record.fields[p->u.record.n++] = lower__field_pat(c, f, depth + 1);
        }
      lower__kids_pop(c, base);
      *slot = p;
      return root;
    }
    case K_ALIAS_PATTERN:
    case K_TYPED_PATTERN: {
      size_t base = lower__kids_push(c, n, 0);
      size_t pi = lower__kid_field(c, base, c->F->f_pattern);
      size_t xi = lower__kid_field(c, base, k == K_ALIAS_PATTERN ? c->F->f_alias : c->F->f_type);
      TSNode pn = pi == (size_t)-1 ? (TSNode){0} : c->kids[pi].node;
      TSNode xn = xi == (size_t)-1 ? (TSNode){0} : c->kids[xi].node;
      lower__kids_pop(c, base);
      if (k == K_ALIAS_PATTERN) {
        p = lower__pnew(c, AST_P_ALIAS, span);
        if (ts_node_is_null(xn)) p->u.alias.name = (ast_name){lower__str(c, (text_span){0, 0}), {span.end, span.end}};
        else p->u.alias.name = lower__ident(c, xn);
        *slot = p;
        slot = &p->u.alias.pat;
      } else {
        p = lower__pnew(c, AST_P_CONSTRAINT, span);
        if (ts_node_is_null(xn)) {
          p->u.constraint.type = lower__alloc(c, sizeof(ast_type));
          p->u.constraint.type->kind = AST_T_ERROR;
          p->u.constraint.type->span = (text_span){span.end, span.end};
        } else {
          p->u.constraint.type = lower__type(c, xn, depth + 1);
        }
        *slot = p;
        slot = &p->u.constraint.pat;
      }
      at = span.start;
      n = pn;
      continue;
    }
    case K_LOCAL_OPEN_PATTERN: {
      size_t base = lower__kids_push(c, n, 0);
      size_t mi = lower__kid_kind(c, base, K_MODULE_PATH);
      size_t pi = lower__kid_field(c, base, c->F->f_pattern);
      TSNode mn = mi == (size_t)-1 ? (TSNode){0} : c->kids[mi].node;
      TSNode pn = pi == (size_t)-1 ? (TSNode){0} : c->kids[pi].node;
      lower__kids_pop(c, base);
      p = lower__pnew(c, AST_P_OPEN, span);
      p->u.open.mod = lower__mpath(c, mn);
      *slot = p;
      if (ts_node_is_null(pn)) { /* M.() */
        p->u.open.pat = lower__pnew(c, AST_P_CONST, (text_span){p->u.open.mod.span.end, span.end});
        p->u.open.pat->u.c = (ast_const){.kind = AST_C_UNIT, .text = "()"};
        return root;
      }
      slot = &p->u.open.pat;
      n = pn;
      continue;
    }
    case K_LAZY_PATTERN:
    case K_EXCEPTION_PATTERN:
    case K_TAG_PATTERN: {
      TSNode pn = lower__field(c, n, c->F->f_pattern);
      if (k == K_EXCEPTION_PATTERN)
        lower__report(c, span, LOWER_CODE_EXCEPTION,
                      "exception patterns are not part of IML's logic; use them only in program mode");
      p = lower__punsupported(c, k == K_LAZY_PATTERN ? AST_PU_LAZY : k == K_TAG_PATTERN ? AST_PU_POLY_VARIANT
                                                                                          : AST_PU_EXCEPTION,
                              span, 1);
      *slot = p;
      slot = &p->u.unsupported.kids[0];
      at = span.end;
      n = pn;
      continue;
    }
    case K_ARRAY_PATTERN: {
      lower__report(c, span, LOWER_CODE_MUTABLE,
                    "mutable state (mutable fields, arrays) is not part of IML's logic; use it only in program mode");
      uint32_t cnt;
      ast_pat **items = lower__pat_list(c, n, depth, &cnt);
      p = lower__punsupported(c, AST_PU_ARRAY, span, 0);
      p->u.unsupported.kids = items;
      p->u.unsupported.n = cnt;
      *slot = p;
      return root;
    }
    case K_PACKAGE_PATTERN:
      lower__report(c, span, LOWER_CODE_FIRST_CLASS_MODULE,
                    "first-class modules are not part of IML's logic; use them only in program mode");
      *slot = lower__punsupported(c, AST_PU_PACKAGE, span, 0);
      return root;
    case K_TAG:
    case K_POLYMORPHIC_VARIANT_PATTERN:
      *slot = lower__punsupported(c, AST_PU_POLY_VARIANT, span, 0);
      return root;
    case K_EXTENSION:
    case K_QUOTED_EXTENSION:
      *slot = lower__punsupported(c, AST_PU_EXTENSION, span, 0);
      return root;
    case K_ERROR:
      c->has_errors = true;
      *slot = lower__pnew(c, AST_P_ERROR, span);
      return root;
    default:
      *slot = lower__punsupported(c, AST_PU_OTHER, span, 0);
      return root;
    }
  }
}

/* ------------------------------------------------------------------------ */
/* Type expressions */

static ast_type *lower__tnew(lower__ctx *c, ast_type_kind k, text_span span) {
  ast_type *t = lower__alloc(c, sizeof *t);
  t->kind = k;
  t->span = span;
  return t;
}

static ast_type *lower__type_or(lower__ctx *c, TSNode n, unsigned depth, uint32_t at) {
  if (ts_node_is_null(n)) return lower__tnew(c, AST_T_ERROR, (text_span){at, at});
  return lower__type(c, n, depth);
}

/* 'a -> name "a" (span includes the quote). */
static ast_name lower__tvar_name(lower__ctx *c, TSNode n) {
  text_span s = lower__span(c, n);
  text_span inner = s;
  if (inner.start < inner.end && c->text[inner.start] == '\'') inner.start++;
  while (inner.start < inner.end && (c->text[inner.start] == ' ' || c->text[inner.start] == '\t')) inner.start++;
  return (ast_name){lower__str(c, inner), s};
}

static bool lower__is_type_kind(int k) {
  return k == K_TYPE_VARIABLE || k == K_TYPE_CONSTRUCTOR_PATH || k == K_CONSTRUCTED_TYPE || k == K_FUNCTION_TYPE ||
         k == K_TUPLE_TYPE || k == K_PARENTHESIZED_TYPE || k == K_ALIASED_TYPE || k == K_POLYMORPHIC_TYPE ||
         k == K_PACKAGE_TYPE || k == K_LABELED_ARGUMENT_TYPE || k == K_ERROR || k == K_EXTENSION ||
         k == K_QUOTED_EXTENSION || k == K_OTHER;
}

ast_type *lower__type(lower__ctx *c, TSNode n, unsigned depth) {
  if (ts_node_is_null(n)) return lower__tnew(c, AST_T_ERROR, (text_span){0, 0});
  if (lower__too_deep(c, depth, lower__span(c, n))) return lower__tnew(c, AST_T_ERROR, lower__span(c, n));
  ast_type *root = NULL, **slot = &root;
  bool widened = false;
  text_span outer = {0, 0};
  uint32_t at = lower__span(c, n).start;
  for (;;) {
    if (ts_node_is_null(n)) {
      *slot = lower__tnew(c, AST_T_ERROR, widened ? outer : (text_span){at, at});
      return root;
    }
    text_span span = widened ? outer : lower__span(c, n);
    widened = false;
    at = span.end;
    ast_type *t;
    int k = lower__kind(c, n);
    switch (k) {
    case K_PARENTHESIZED_TYPE: {
      TSNode inner = lower__first_named(c, n);
      outer = span;
      widened = true;
      at = span.start + 1;
      n = inner;
      continue;
    }
    case K_TYPE_VARIABLE: {
      ast_name nm = lower__tvar_name(c, n);
      if (!strcmp(nm.text, "_")) {
        *slot = lower__tnew(c, AST_T_ANY, span);
      } else {
        t = lower__tnew(c, AST_T_VAR, span);
        t->u.var = nm;
        *slot = t;
      }
      return root;
    }
    case K_TYPE_CONSTRUCTOR_PATH:
    case K_CONSTRUCTED_TYPE: {
      TSNode path = n;
      t = lower__tnew(c, AST_T_CONSTR, span);
      *slot = t;
      if (k == K_CONSTRUCTED_TYPE) {
        /* (a, b) M.t: the arguments, then the constructor's path (last). */
        size_t base = lower__kids_push(c, n, 0);
        size_t cnt = 0, last = (size_t)-1;
        for (size_t i = base; i < c->nkids; i++)
          if (ts_node_is_named(c->kids[i].node)) {
            cnt++;
            last = i;
          }
        path = last == (size_t)-1 ? (TSNode){0} : c->kids[last].node;
        if (cnt > 1) {
          t->u.constr.args = lower__alloc(c, (cnt - 1) * sizeof *t->u.constr.args);
          for (size_t i = base; i < c->nkids && t->u.constr.nargs < cnt - 1; i++)
            if (ts_node_is_named(c->kids[i].node)) {
              TSNode a = c->kids[i].node;
              t->u.constr.args[t->u.constr.nargs++] = lower__type(c, a, depth + 1);
            }
        }
        lower__kids_pop(c, base);
      }
      t->u.constr.name = lower__lid(c, path);
      if (k == K_TYPE_CONSTRUCTOR_PATH && t->u.constr.name.path.n == 0 && !strcmp(t->u.constr.name.name.text, "_"))
        t->kind = AST_T_ANY;
      return root;
    }
    case K_FUNCTION_TYPE: {
      size_t base = lower__kids_push(c, n, 0);
      size_t di = lower__kid_field(c, base, c->F->f_domain), ci = lower__kid_field(c, base, c->F->f_codomain);
      TSNode dn = di == (size_t)-1 ? (TSNode){0} : c->kids[di].node;
      TSNode cn = ci == (size_t)-1 ? (TSNode){0} : c->kids[ci].node;
      lower__kids_pop(c, base);
      t = lower__tnew(c, AST_T_ARROW, span);
      if (lower__kind(c, dn) == K_LABELED_ARGUMENT_TYPE) {
        /* x:t (labelled) or ?x:t (optional). */
        size_t b2 = lower__kids_push(c, dn, 0);
        t->u.arrow.label = lower__kid_kind(c, b2, T_QUESTION) != (size_t)-1 ? AST_LABEL_OPTIONAL : AST_LABEL_LABELLED;
        size_t li = lower__kid_kind(c, b2, K_LABEL_NAME), ti = lower__kid_field(c, b2, c->F->f_type);
        TSNode ln = li == (size_t)-1 ? (TSNode){0} : c->kids[li].node;
        TSNode tn = ti == (size_t)-1 ? (TSNode){0} : c->kids[ti].node;
        lower__kids_pop(c, b2);
        text_span ds = lower__span(c, dn);
        t->u.arrow.lname = ts_node_is_null(ln) ? (ast_name){lower__str(c, (text_span){0, 0}), {ds.start, ds.start}}
                                               : lower__name(c, ln);
        t->u.arrow.dom = lower__type_or(c, tn, depth + 1, ds.end);
      } else {
        t->u.arrow.dom = lower__type_or(c, dn, depth + 1, span.start);
      }
      *slot = t;
      slot = &t->u.arrow.cod;
      n = cn;
      continue;
    }
    case K_TUPLE_TYPE: {
      t = lower__tnew(c, AST_T_TUPLE, span);
      size_t base = lower__kids_push(c, n, 0);
      size_t cnt = 0;
      for (size_t i = base; i < c->nkids; i++)
        if (ts_node_is_named(c->kids[i].node)) cnt++;
      if (cnt) t->u.tuple.items = lower__alloc(c, cnt * sizeof *t->u.tuple.items);
      for (size_t i = base; i < c->nkids && t->u.tuple.n < cnt; i++)
        if (ts_node_is_named(c->kids[i].node)) {
          TSNode x = c->kids[i].node;
          t->u.tuple.items[t->u.tuple.n++] = lower__type(c, x, depth + 1);
        }
      lower__kids_pop(c, base);
      *slot = t;
      return root;
    }
    case K_ALIASED_TYPE: {
      size_t base = lower__kids_push(c, n, 0);
      size_t ti = lower__kid_field(c, base, c->F->f_type), ai = lower__kid_field(c, base, c->F->f_alias);
      TSNode tn = ti == (size_t)-1 ? (TSNode){0} : c->kids[ti].node;
      TSNode an = ai == (size_t)-1 ? (TSNode){0} : c->kids[ai].node;
      lower__kids_pop(c, base);
      t = lower__tnew(c, AST_T_ALIAS, span);
      t->u.alias.var = ts_node_is_null(an) ? (ast_name){lower__str(c, (text_span){0, 0}), {span.end, span.end}}
                                           : lower__tvar_name(c, an);
      *slot = t;
      slot = &t->u.alias.type;
      at = span.start;
      n = tn;
      continue;
    }
    case K_POLYMORPHIC_TYPE: {
      /* 'a 'b. t, or type a b. t (locally abstract: same shape here). */
      t = lower__tnew(c, AST_T_POLY, span);
      size_t base = lower__kids_push(c, n, 0);
      size_t cnt = 0;
      for (size_t i = base; i < c->nkids; i++) {
        if (c->kids[i].kind == K_TYPE_VARIABLE) cnt++;
        else if (c->kids[i].kind == K_ABSTRACT_TYPE) cnt += ts_node_named_child_count(c->kids[i].node);
      }
      if (cnt) t->u.poly.vars = lower__alloc(c, cnt * sizeof *t->u.poly.vars);
      TSNode body = {0};
      size_t nk = c->nkids;
      for (size_t i = base; i < nk; i++) {
        lower__kid kid = c->kids[i];
        if (kid.field == c->F->f_type) {
          body = kid.node;
        } else if (kid.kind == K_TYPE_VARIABLE && t->u.poly.nvars < cnt) {
          t->u.poly.vars[t->u.poly.nvars++] = lower__tvar_name(c, kid.node);
        } else if (kid.kind == K_ABSTRACT_TYPE) {
          size_t b2 = lower__kids_push(c, kid.node, 0);
          for (size_t j = b2; j < c->nkids; j++)
            if (c->kids[j].kind == K_TYPE_CONSTRUCTOR && t->u.poly.nvars < cnt)
              t->u.poly.vars[t->u.poly.nvars++] = lower__name(c, c->kids[j].node);
          lower__kids_pop(c, b2);
        }
      }
      lower__kids_pop(c, base);
      *slot = t;
      slot = &t->u.poly.body;
      at = span.end;
      n = body;
      continue;
    }
    case K_PACKAGE_TYPE:
      lower__report(c, span, LOWER_CODE_FIRST_CLASS_MODULE,
                    "first-class modules are not part of IML's logic; use them only in program mode");
      *slot = lower__tnew(c, AST_T_UNSUPPORTED, span);
      return root;
    case K_ERROR:
      c->has_errors = true;
      *slot = lower__tnew(c, AST_T_ERROR, span);
      return root;
    default: /* objects, #c, polymorphic variants, M.(t), extensions */
      *slot = lower__tnew(c, AST_T_UNSUPPORTED, span);
      return root;
    }
  }
}

/* ------------------------------------------------------------------------ */
/* Type declarations */

static ast_field_decl lower__field_decl(lower__ctx *c, TSNode n, unsigned depth) {
  ast_field_decl f = {.span = lower__span(c, n)};
  size_t base = lower__kids_push(c, n, 0);
  size_t m = lower__kid_kind(c, base, T_MUTABLE);
  size_t nm = lower__kid_kind(c, base, K_FIELD_NAME);
  size_t ti = lower__kid_field(c, base, c->F->f_type);
  TSNode mn = m == (size_t)-1 ? (TSNode){0} : c->kids[m].node;
  TSNode nn = nm == (size_t)-1 ? (TSNode){0} : c->kids[nm].node;
  TSNode tn = ti == (size_t)-1 ? (TSNode){0} : c->kids[ti].node;
  lower__kids_pop(c, base);
  if (!ts_node_is_null(mn)) {
    f.is_mutable = true;
    lower__report(c, lower__span(c, mn), LOWER_CODE_MUTABLE,
                  "mutable record fields are not part of IML's logic; use them only in program mode");
  }
  f.name = ts_node_is_null(nn) ? (ast_name){lower__str(c, (text_span){0, 0}), {f.span.start, f.span.start}}
                               : lower__name(c, nn);
  f.type = lower__type_or(c, tn, depth + 1, f.span.end);
  return f;
}

static ast_field_decl *lower__field_decls(lower__ctx *c, TSNode rec, unsigned depth, uint32_t *n) {
  size_t base = lower__kids_push(c, rec, 0);
  size_t cnt = 0;
  for (size_t i = base; i < c->nkids; i++)
    if (c->kids[i].kind == K_FIELD_DECLARATION) cnt++;
  ast_field_decl *v = cnt ? lower__alloc(c, cnt * sizeof *v) : NULL;
  size_t w = 0;
  for (size_t i = base; i < c->nkids && w < cnt; i++)
    if (c->kids[i].kind == K_FIELD_DECLARATION) {
      TSNode f = c->kids[i].node;
      v[w++] = lower__field_decl(c, f, depth);
    }
  lower__kids_pop(c, base);
  *n = (uint32_t)w;
  return v;
}

static ast_ctor_decl lower__ctor_decl(lower__ctx *c, TSNode n, unsigned depth) {
  ast_ctor_decl d = {.span = lower__span(c, n)};
  size_t base = lower__kids_push(c, n, 0);
  /* Name: one constructor_name, or `[` `]` / `(` `)` as two. */
  TSNode first = {0}, last = {0};
  bool after_colon = false, quantified = false;
  size_t ntypes = 0;
  ptrdiff_t last_arrow = -1;
  for (size_t i = base; i < c->nkids; i++) {
    lower__kid kid = c->kids[i];
    if (kid.kind == K_CONSTRUCTOR_NAME && !after_colon && ntypes == 0) {
      if (ts_node_is_null(first)) first = kid.node;
      last = kid.node;
    } else if (kid.kind == T_COLON) {
      after_colon = true;
    } else if (kid.kind == T_ARROW) {
      last_arrow = (ptrdiff_t)(i - base);
    } else if (!ts_node_is_named(kid.node) && !strcmp(ts_node_type(kid.node), ".")) {
      quantified = true;
    } else if (ts_node_is_named(kid.node) && kid.kind != K_CONSTRUCTOR_NAME && kid.kind != K_CONSTRUCTOR_PATH &&
               kid.kind != K_ATTRIBUTE_ID) {
      ntypes++;
    }
  }
  if (ts_node_is_null(first)) {
    d.name = (ast_name){lower__str(c, (text_span){0, 0}), {d.span.start, d.span.start}};
  } else if (ts_node_eq(first, last)) {
    d.name = lower__ident(c, first);
  } else {
    text_span a = lower__span(c, first), b = lower__span(c, last);
    char buf[3] = {a.end > a.start ? c->text[a.start] : '?', b.end > b.start ? c->text[b.start] : '?', 0};
    char *s = arena_strndup(c->ar, buf, 2);
    if (!s) lower__oom(c);
    d.name = (ast_name){s, lower__span_to(a, b)};
  }
  if (ntypes) d.args = lower__alloc(c, ntypes * sizeof *d.args);
  /* Walk again: quantifiers (before '.'), arguments, result (after the last '->'). */
  bool seen_dot = !quantified;
  size_t nk = c->nkids;
  for (size_t i = base; i < nk; i++) {
    lower__kid kid = c->kids[i];
    if (!ts_node_is_named(kid.node)) {
      if (!strcmp(ts_node_type(kid.node), ".")) seen_dot = true;
      continue;
    }
    if (kid.kind == K_CONSTRUCTOR_NAME || kid.kind == K_CONSTRUCTOR_PATH || kid.kind == K_ATTRIBUTE_ID) continue;
    if (after_colon && !seen_dot && kid.kind == K_TYPE_VARIABLE) continue; /* 'a. */
    bool is_ret = after_colon && (ptrdiff_t)(i - base) > last_arrow;
    if (kid.kind == K_RECORD_DECLARATION && !is_ret) {
      d.inline_record = true;
      d.fields = lower__field_decls(c, kid.node, depth, &d.nfields);
    } else if (is_ret) {
      d.ret = lower__type(c, kid.node, depth + 1);
    } else if (lower__is_type_kind(kid.kind)) {
      d.args[d.nargs++] = lower__type(c, kid.node, depth + 1);
    }
  }
  lower__kids_pop(c, base);
  return d;
}

static ast_type_decl lower__type_decl(lower__ctx *c, TSNode n, unsigned depth) {
  ast_type_decl d = {.span = lower__span(c, n), .kind = AST_TD_ABSTRACT};
  size_t base = lower__kids_push(c, n, 0);
  size_t nparams = 0;
  for (size_t i = base; i < c->nkids; i++)
    if (c->kids[i].kind == K_TYPE_VARIABLE && c->kids[i].field == 0) nparams++;
  if (nparams) d.params = lower__alloc(c, nparams * sizeof *d.params);
  TSNode name = {0}, eq = {0}, body = {0};
  bool ext = false, dotdot = false;
  for (size_t i = base; i < c->nkids; i++) {
    lower__kid kid = c->kids[i];
    if (kid.kind == K_TYPE_VARIABLE && kid.field == 0) d.params[d.nparams++] = lower__tvar_name(c, kid.node);
    else if (kid.field == c->F->f_name) name = kid.node;
    else if (kid.field == c->F->f_equation) eq = kid.node;
    else if (kid.field == c->F->f_body && kid.kind == T_DOTDOT) dotdot = true;
    else if (kid.field == c->F->f_body) body = kid.node;
    else if (kid.kind == T_PRIVATE) d.is_private = true;
    else if (kid.kind == T_PLUSEQ) ext = true;
  }
  d.attrs = lower__attrs(c, base, &d.nattrs, depth);
  lower__kids_pop(c, base);
  if (lower__kind(c, name) == K_TYPE_CONSTRUCTOR_PATH) {
    d.ext_name = lower__lid(c, name);
    d.name = d.ext_name.name;
  } else if (!ts_node_is_null(name)) {
    d.name = lower__name(c, name);
    d.ext_name = lower__lid_of_name(d.name);
  } else {
    d.name = (ast_name){lower__str(c, (text_span){0, 0}), {d.span.start, d.span.start}};
    d.ext_name = lower__lid_of_name(d.name);
  }
  if (!ts_node_is_null(eq)) {
    d.manifest = lower__type(c, eq, depth + 1);
    d.kind = AST_TD_ALIAS;
  }
  int bk = lower__kind(c, body);
  if (bk == K_VARIANT_DECLARATION) {
    d.kind = ext ? AST_TD_EXTENSION : AST_TD_VARIANT;
    size_t b2 = lower__kids_push(c, body, 0);
    size_t cnt = 0;
    for (size_t i = b2; i < c->nkids; i++)
      if (c->kids[i].kind == K_CONSTRUCTOR_DECLARATION) cnt++;
    if (cnt) d.ctors = lower__alloc(c, cnt * sizeof *d.ctors);
    for (size_t i = b2; i < c->nkids && d.nctors < cnt; i++)
      if (c->kids[i].kind == K_CONSTRUCTOR_DECLARATION) {
        TSNode cd = c->kids[i].node;
        d.ctors[d.nctors++] = lower__ctor_decl(c, cd, depth + 1);
      }
    lower__kids_pop(c, b2);
  } else if (bk == K_RECORD_DECLARATION) {
    d.kind = AST_TD_RECORD;
    d.fields = lower__field_decls(c, body, depth + 1, &d.nfields);
  } else if (dotdot) {
    d.kind = AST_TD_OPEN;
  } else if (ext) {
    d.kind = AST_TD_EXTENSION;
  }
  return d;
}

ast_type_decl *lower__type_decls(lower__ctx *c, TSNode def, unsigned depth, uint32_t *n, bool *nonrec) {
  *n = 0;
  *nonrec = false;
  size_t base = lower__kids_push(c, def, 0);
  size_t cnt = 0;
  for (size_t i = base; i < c->nkids; i++) {
    if (c->kids[i].kind == K_TYPE_BINDING) cnt++;
    if (c->kids[i].kind == T_NONREC) *nonrec = true;
  }
  ast_type_decl *v = cnt ? lower__alloc(c, cnt * sizeof *v) : NULL;
  size_t w = 0;
  for (size_t i = base; i < c->nkids && w < cnt; i++)
    if (c->kids[i].kind == K_TYPE_BINDING) {
      TSNode b = c->kids[i].node;
      v[w++] = lower__type_decl(c, b, depth + 1);
    }
  lower__kids_pop(c, base);
  *n = (uint32_t)w;
  return v;
}
