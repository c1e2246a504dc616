/*
** lower_item.c — structure items, modules, imports, IML's keywords, program
** mode and doc comments (see lower.h; internals in lower_int.h).
**
** DESIGN
**  - Items are collected on a context stack (nested structures push above
**    their parent's entries) and copied into the arena when their list is
**    complete.
**  - Keywords: the tree was parsed from the keyword view, so a `theorem` is
**    a `let` token whose user text is not "let", and a `verify` a `;;`
**    token; the keyword is read back from the user's text at that token in
**    O(1) (as outline.c does).
**  - Program mode: `c->section_program` follows [@@@program]/[@@@logic] in
**    item order (saved and restored around nested structures, so a section
**    opened inside `struct … end` ends with it); an item is in program mode
**    when its section is, or when one of its bindings carries [@@program]
**    (a module binding with [@@program] puts its whole body in program
**    mode). While an item is lowered, c->program silences the non-logic
**    diagnostics.
**  - Items inside ERROR nodes (tree-sitter's recovery) are lowered too, after
**    an AST_I_ERROR item for the outermost ERROR, so that names defined in
**    the unbroken parts of a file being edited stay known.
**  - Doc comments: the `(** … *)` comment right before an item (no blank
**    line between) is recorded as the item's doc span, for hover.
*/
#include "lower_int.h"

#include <string.h>

/* ------------------------------------------------------------------------ */
/* Keywords */

static bool lower__is_ident_char(unsigned char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
         ch == '\'' || ch >= 0x80;
}

/* The IML keyword behind a view token ("let" or ";;") at `tok`, or NULL
** when the user wrote the token itself. */
static const char *lower__view_keyword(lower__ctx *c, TSNode tok) {
  static const char *const kws[] = {"theorem", "lemma", "axiom", "verify", "instance", "eval", "test", "qcheck"};
  if (ts_node_is_null(tok)) return NULL;
  uint32_t s = ts_node_start_byte(tok);
  const char *t = ts_node_type(tok);
  size_t tl = strlen(t);
  if (s + tl > c->len || !memcmp(c->text + s, t, tl)) return NULL;
  size_t e = s;
  while (e < c->len && lower__is_ident_char((unsigned char)c->text[e])) e++;
  for (size_t i = 0; i < sizeof kws / sizeof *kws; i++)
    if (strlen(kws[i]) == e - s && !memcmp(c->text + s, kws[i], e - s)) return kws[i];
  return NULL;
}

static ast_stmt_kw lower__stmt_kw(const char *kw) {
  if (!kw) return AST_KW_NONE;
  if (!strcmp(kw, "verify")) return AST_KW_VERIFY;
  if (!strcmp(kw, "instance")) return AST_KW_INSTANCE;
  if (!strcmp(kw, "eval")) return AST_KW_EVAL;
  if (!strcmp(kw, "test")) return AST_KW_TEST;
  if (!strcmp(kw, "qcheck")) return AST_KW_QCHECK;
  return AST_KW_NONE;
}

static ast_let_kw lower__let_kw(const char *kw) {
  if (!kw) return AST_KW_LET;
  if (!strcmp(kw, "theorem")) return AST_KW_THEOREM;
  if (!strcmp(kw, "lemma")) return AST_KW_LEMMA;
  if (!strcmp(kw, "axiom")) return AST_KW_AXIOM;
  return AST_KW_LET;
}

/* ------------------------------------------------------------------------ */
/* Modules */

static ast_module *lower__module(lower__ctx *c, TSNode n, unsigned depth);

static ast_module *lower__module_new(lower__ctx *c, ast_module_kind k, text_span span) {
  ast_module *m = lower__alloc(c, sizeof *m);
  m->kind = k;
  m->span = span;
  return m;
}

static ast_functor_param lower__functor_param(lower__ctx *c, TSNode n) {
  ast_functor_param p = {.span = lower__span(c, n)};
  size_t base = lower__kids_push(c, n, 0);
  for (size_t i = base; i < c->nkids; i++) {
    if (c->kids[i].kind == K_MODULE_NAME) p.name = lower__name(c, c->kids[i].node);
    else if (c->kids[i].field == c->F->f_module_type) p.type_span = lower__span(c, c->kids[i].node);
  }
  lower__kids_pop(c, base);
  if (p.type_span.end == 0) p.type_span = (text_span){p.span.end, p.span.end};
  return p;
}

static ast_functor_param *lower__functor_params(lower__ctx *c, size_t base, uint32_t *n) {
  size_t cnt = 0;
  for (size_t i = base; i < c->nkids; i++)
    if (c->kids[i].kind == K_MODULE_PARAMETER) cnt++;
  *n = (uint32_t)cnt;
  if (!cnt) return NULL;
  ast_functor_param *v = lower__alloc(c, cnt * sizeof *v);
  size_t w = 0;
  for (size_t i = base; i < c->nkids && w < cnt; i++)
    if (c->kids[i].kind == K_MODULE_PARAMETER) {
      TSNode node = c->kids[i].node;
      v[w++] = lower__functor_param(c, node);
    }
  return v;
}

static ast_module *lower__module(lower__ctx *c, TSNode n, unsigned depth) {
  text_span span = lower__span(c, n);
  if (ts_node_is_null(n)) return lower__module_new(c, AST_M_ERROR, span);
  if (lower__too_deep(c, depth, span)) return lower__module_new(c, AST_M_ERROR, span);
  bool widened = false;
  /* Parentheses: the inner module with the outer span (iteratively). */
  while (lower__kind(c, n) == K_PARENTHESIZED_MODULE_EXPRESSION) {
    size_t base = lower__kids_push(c, n, 0);
    TSNode inner = {0};
    for (size_t i = base; i < c->nkids; i++)
      if (ts_node_is_named(c->kids[i].node)) {
        inner = c->kids[i].node;
        break;
      }
    lower__kids_pop(c, base);
    if (ts_node_is_null(inner)) return lower__module_new(c, AST_M_ERROR, span);
    n = inner;
    widened = true;
  }
  if (!widened) span = lower__span(c, n);
  int k = lower__kind(c, n);
  ast_module *m;
  switch (k) {
  case K_STRUCTURE:
    m = lower__module_new(c, AST_M_STRUCT, span);
    m->u.structure.items = lower__items(c, n, depth + 1, &m->u.structure.n);
    return m;
  case K_MODULE_PATH:
  case K_EXTENDED_MODULE_PATH:
  case K_MODULE_NAME:
    m = lower__module_new(c, AST_M_PATH, span);
    m->u.path = lower__mpath(c, n);
    return m;
  case K_MODULE_APPLICATION: {
    m = lower__module_new(c, AST_M_APPLY, span);
    TSNode fn = lower__field(c, n, c->F->f_functor);
    TSNode arg = lower__field(c, n, c->F->f_argument);
    m->u.apply.fn = lower__module(c, fn, depth + 1);
    if (!ts_node_is_null(arg)) m->u.apply.arg = lower__module(c, arg, depth + 1);
    return m;
  }
  case K_FUNCTOR: {
    m = lower__module_new(c, AST_M_FUNCTOR, span);
    size_t base = lower__kids_push(c, n, 0);
    m->u.functor.params = lower__functor_params(c, base, &m->u.functor.nparams);
    size_t b = lower__kid_field(c, base, c->F->f_body);
    TSNode body = b == (size_t)-1 ? (TSNode){0} : c->kids[b].node;
    lower__kids_pop(c, base);
    m->u.functor.body = lower__module(c, body, depth + 1);
    return m;
  }
  case K_TYPED_MODULE_EXPRESSION: {
    m = lower__module_new(c, AST_M_CONSTRAINT, span);
    TSNode inner = lower__field(c, n, c->F->f_module);
    TSNode ty = lower__field(c, n, c->F->f_module_type);
    m->u.constraint.type_span = ts_node_is_null(ty) ? (text_span){span.end, span.end} : lower__span(c, ty);
    m->u.constraint.mod = lower__module(c, inner, depth + 1);
    return m;
  }
  case K_PACKED_MODULE:
    lower__report(c, span, LOWER_CODE_FIRST_CLASS_MODULE,
                  "first-class modules are not part of IML's logic; use them only in program mode");
    return lower__module_new(c, AST_M_UNSUPPORTED, span);
  case K_ERROR:
    c->has_errors = true;
    return lower__module_new(c, AST_M_ERROR, span);
  default:
    return lower__module_new(c, AST_M_UNSUPPORTED, span);
  }
}

static ast_module_binding lower__module_binding(lower__ctx *c, TSNode n, unsigned depth) {
  ast_module_binding mb = {.span = lower__span(c, n)};
  size_t base = lower__kids_push(c, n, 0);
  size_t nm = lower__kid_kind(c, base, K_MODULE_NAME);
  if (nm != (size_t)-1) mb.name = lower__name(c, c->kids[nm].node);
  else mb.name = (ast_name){lower__str(c, (text_span){0, 0}), {mb.span.start, mb.span.start}};
  size_t mt = lower__kid_field(c, base, c->F->f_module_type);
  mb.type_span = mt == (size_t)-1 ? (text_span){mb.span.end, mb.span.end} : lower__span(c, c->kids[mt].node);
  uint32_t nparams = 0;
  ast_functor_param *params = lower__functor_params(c, base, &nparams);
  size_t b = lower__kid_field(c, base, c->F->f_body);
  TSNode body = b == (size_t)-1 ? (TSNode){0} : c->kids[b].node;
  mb.attrs = lower__attrs(c, base, &mb.nattrs, depth);
  lower__kids_pop(c, base);
  bool saved = c->section_program, saved_prog = c->program;
  if (c->program) c->section_program = true; /* [@@program] on the module: its body too */
  ast_module *m = lower__module(c, body, depth + 1);
  c->section_program = saved;
  c->program = saved_prog;
  if (nparams) {
    ast_module *f = lower__module_new(c, AST_M_FUNCTOR, lower__span_to(params[0].span, m->span));
    f->u.functor.params = params;
    f->u.functor.nparams = nparams;
    f->u.functor.body = m;
    m = f;
  }
  mb.body = m;
  return mb;
}

/* ------------------------------------------------------------------------ */
/* Imports */

/* Decode an OCaml string literal's contents (s[0..n), without the quotes)
** into the arena: the common escapes; unknown escapes stay verbatim. */
static const char *lower__unescape(lower__ctx *c, const char *s, size_t n) {
  char *out = lower__alloc(c, n + 1);
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '\\' || i + 1 >= n) {
      out[o++] = s[i];
      continue;
    }
    char e = s[++i];
    switch (e) {
    case 'n': out[o++] = '\n'; break;
    case 't': out[o++] = '\t'; break;
    case 'r': out[o++] = '\r'; break;
    case 'b': out[o++] = '\b'; break;
    case ' ': out[o++] = ' '; break;
    case '\\': case '"': case '\'': out[o++] = e; break;
    case '\n': /* line continuation: skip leading blanks of the next line */
      while (i + 1 < n && (s[i + 1] == ' ' || s[i + 1] == '\t')) i++;
      break;
    default:
      if (e >= '0' && e <= '9' && i + 2 < n && s[i + 1] >= '0' && s[i + 1] <= '9' && s[i + 2] >= '0' &&
          s[i + 2] <= '9') {
        int v = (e - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
        out[o++] = (char)(v & 0xFF);
        i += 2;
      } else {
        out[o++] = '\\';
        out[o++] = e;
      }
    }
  }
  out[o] = '\0';
  return out;
}

/* Path of a string / quoted_string node. */
static const char *lower__string_value(lower__ctx *c, TSNode n) {
  text_span s = lower__span(c, n);
  int k = lower__kind(c, n);
  if (k == K_STRING) {
    if (s.end - s.start < 2) return NULL;
    return lower__unescape(c, c->text + s.start + 1, s.end - s.start - 2);
  }
  if (k == K_QUOTED_STRING) {
    /* {id|…|id}: contents between the first '|' and the last '|'. */
    const char *t = c->text + s.start;
    size_t len = s.end - s.start;
    const char *a = memchr(t, '|', len);
    size_t b = len;
    while (b > 0 && t[b - 1] != '|') b--;
    if (!a || b == 0 || (size_t)(a - t) + 1 > b - 1) return NULL;
    return lower__str(c, (text_span){s.start + (uint32_t)(a - t) + 1, s.start + (uint32_t)b - 1});
  }
  return NULL;
}

static void lower__import(lower__ctx *c, TSNode attr, ast_item *it) {
  it->kind = AST_I_IMPORT;
  TSNode pl = {0};
  size_t base = lower__kids_push(c, attr, 0);
  size_t i = lower__kid_kind(c, base, K_ATTRIBUTE_PAYLOAD);
  if (i != (size_t)-1) pl = c->kids[i].node;
  lower__kids_pop(c, base);
  it->u.import.path_span = ts_node_is_null(pl) ? it->span : lower__span(c, pl);
  TSNode e = ts_node_is_null(pl) ? pl : lower__payload_expr(c, pl);
  /* Strip parentheses: [@@@import (M, "p")]. */
  for (int guard = 0; guard < 8 && lower__kind(c, e) == K_PARENTHESIZED_EXPRESSION; guard++)
    e = lower__field(c, e, c->F->f_expression);
  int k = lower__kind(c, e);
  TSNode str = {0}, mod = {0};
  if (k == K_STRING || k == K_QUOTED_STRING) {
    str = e;
  } else if (k == K_TUPLE_EXPRESSION) {
    size_t b2 = lower__kids_push(c, e, 0);
    size_t named = 0;
    for (size_t j = b2; j < c->nkids; j++) {
      if (!ts_node_is_named(c->kids[j].node)) continue;
      if (named == 0 && c->kids[j].kind == K_CONSTRUCTOR_PATH) mod = c->kids[j].node;
      else if (named == 1 && (c->kids[j].kind == K_STRING || c->kids[j].kind == K_QUOTED_STRING))
        str = c->kids[j].node;
      named++;
    }
    lower__kids_pop(c, b2);
    if (named != 2) str = mod = (TSNode){0};
  }
  if (ts_node_is_null(str)) return;
  it->u.import.path = lower__string_value(c, str);
  it->u.import.path_span = lower__span(c, str);
  if (!ts_node_is_null(mod)) {
    ast_lid l = lower__lid(c, mod);
    if (l.path.n == 0) it->u.import.module = l.name;
    else it->u.import.path = NULL; /* M.N is not a module name */
  }
}

/* ------------------------------------------------------------------------ */
/* Items */

static void lower__push_item(lower__ctx *c, const ast_item *it) {
  c->items = lower__grow(c, c->items, &c->capitems, c->nitems + 1, sizeof *c->items);
  c->items[c->nitems++] = *it;
}

/* A floating attribute (also one recovered as a plain `attribute`). */
static void lower__floating(lower__ctx *c, TSNode n, unsigned depth) {
  ast_item it = {.kind = AST_I_ATTRIBUTE, .span = lower__span(c, n)};
  TSNode id = lower__attr_id(c, n);
  if (lower__node_text_is(c, id, "import")) {
    lower__import(c, n, &it);
  } else {
    if (lower__node_text_is(c, id, "program")) c->section_program = true;
    else if (lower__node_text_is(c, id, "logic")) c->section_program = false;
    c->program = c->section_program;
    it.u.attr = lower__attr(c, n, depth);
  }
  it.program = c->section_program;
  lower__push_item(c, &it);
}

static void lower__item_unsupported(lower__ctx *c, TSNode n, ast_item_unsupported what, int name_kind,
                                    unsigned depth) {
  ast_item it = {.kind = AST_I_UNSUPPORTED, .span = lower__span(c, n), .program = c->program};
  it.u.unsupported.what = what;
  size_t base = lower__kids_push(c, n, 0);
  if (name_kind) {
    size_t i = lower__kid_kind(c, base, name_kind);
    if (i == (size_t)-1 && name_kind == K_VALUE_NAME) i = lower__kid_kind(c, base, K_PARENTHESIZED_OPERATOR);
    if (i != (size_t)-1) {
      it.u.unsupported.name = lower__ident(c, c->kids[i].node);
      /* external x : t = "…": keep t (the prelude declares its builtins so). */
      for (size_t k = i + 1; what == AST_IU_EXTERNAL && k < c->nkids; k++) {
        lower__kid kid = c->kids[k];
        if (!ts_node_is_named(kid.node) || kid.kind == K_STRING || kid.kind == K_ATTRIBUTE) continue;
        it.u.unsupported.type = lower__type(c, kid.node, depth + 1);
        break;
      }
    }
  }
  it.attrs = lower__attrs(c, base, &it.nattrs, depth);
  lower__kids_pop(c, base);
  lower__push_item(c, &it);
}

static void lower__item(lower__ctx *c, TSNode n, int k, const char *stmt_kw, text_span kw_span, unsigned depth);

/* A documentation comment `(** … *)` (not `(**)` nor a `(*** …` banner). */
static bool lower__is_doc(const lower__ctx *c, text_span s) {
  const char *t = c->text + s.start;
  size_t n = s.end - s.start;
  return n >= 5 && !memcmp(t, "(**", 3) && t[3] != '*' && t[3] != ')';
}

/* Only blanks between a and b, and at most one line break (a docstring
** separated from its item by a blank line documents nothing). */
static bool lower__adjacent(const lower__ctx *c, uint32_t a, uint32_t b) {
  int nl = 0;
  for (uint32_t i = a; i < b && i < c->len; i++) {
    char ch = c->text[i];
    if (ch == '\n' && ++nl > 1) return false;
    if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n') return false;
  }
  return true;
}

static void lower__items_into(lower__ctx *c, TSNode container, unsigned depth) {
  size_t base = lower__kids_push(c, container, LOWER__KEEP_ATTRS | LOWER__KEEP_COMMENTS);
  size_t cnt = c->nkids - base;
  const char *pending = NULL;
  text_span pending_span = {0, 0};
  text_span doc = {0, 0};
  uint32_t item_start = 0;
  for (size_t i = 0; i < cnt; i++) {
    lower__kid kid = c->kids[base + i]; /* copy: lowering pushes kids */
    text_span ks = lower__span(c, kid.node);
    if (kid.kind == K_COMMENT) {
      if (lower__is_doc(c, ks)) doc = ks;
      continue;
    }
    const char *kw = pending;
    text_span kws = pending_span;
    pending = NULL;
    if (!kw) item_start = ks.start;
    if (kid.kind == T_SEMISEMI) {
      pending = lower__view_keyword(c, kid.node);
      pending_span = ks;
      if (pending) pending_span.end = pending_span.start + (uint32_t)strlen(pending);
      continue;
    }
    size_t before = c->nitems;
    lower__item(c, kid.node, kid.kind, kw, kws, depth);
    if (doc.end > doc.start && c->nitems > before && doc.end <= item_start && lower__adjacent(c, doc.end, item_start))
      c->items[before].doc = doc;
    doc = (text_span){0, 0};
  }
  lower__kids_pop(c, base);
}

static void lower__item(lower__ctx *c, TSNode n, int k, const char *stmt_kw, text_span kw_span, unsigned depth) {
  text_span span = lower__span(c, n);
  c->program = c->section_program;
  switch (k) {
  case K_VALUE_DEFINITION: {
    if (lower__def_has_attr(c, n, K_LET_BINDING, "program")) c->program = true;
    ast_item it = {.kind = AST_I_LET, .span = span, .program = c->program};
    TSNode first = ts_node_child(n, 0);
    const char *kw = lower__view_keyword(c, first);
    it.u.let.kw = lower__let_kw(kw);
    text_span fs = lower__span(c, first);
    it.u.let.kw_span = (text_span){fs.start, fs.start + (uint32_t)strlen(kw ? kw : "let")};
    if (it.u.let.kw_span.end > span.end) it.u.let.kw_span.end = span.end;
    bool has_op = false;
    it.u.let.binds = lower__bindings(c, n, depth, &it.u.let.nbinds, &it.u.let.rec, &has_op);
    if (has_op) {
      it = (ast_item){.kind = AST_I_UNSUPPORTED, .span = span, .program = c->program};
      it.u.unsupported.what = AST_IU_LET_OPERATOR;
    }
    lower__push_item(c, &it);
    return;
  }
  case K_EXPRESSION_ITEM: {
    ast_item it = {.kind = AST_I_EVAL, .span = span};
    it.u.eval.kw = lower__stmt_kw(stmt_kw);
    if (stmt_kw) {
      it.u.eval.kw_span = kw_span;
      it.span.start = kw_span.start;
    } else {
      it.u.eval.kw_span = (text_span){span.start, span.start};
    }
    size_t base = lower__kids_push(c, n, 0);
    for (size_t i = base; i < c->nkids; i++)
      if (c->kids[i].kind == K_ITEM_ATTRIBUTE) {
        if (lower__node_text_is(c, lower__attr_id(c, c->kids[i].node), "program")) c->program = true;
      }
    it.program = c->program;
    TSNode e = {0};
    for (size_t i = base; i < c->nkids; i++)
      if (ts_node_is_named(c->kids[i].node) && c->kids[i].kind != K_ITEM_ATTRIBUTE) {
        e = c->kids[i].node;
        break;
      }
    it.attrs = lower__attrs(c, base, &it.nattrs, depth);
    lower__kids_pop(c, base);
    it.u.eval.expr = ts_node_is_null(e) ? lower__error_expr(c, (text_span){span.end, span.end})
                                        : lower__expr(c, e, depth + 1);
    lower__push_item(c, &it);
    return;
  }
  case K_TYPE_DEFINITION: {
    if (lower__def_has_attr(c, n, K_TYPE_BINDING, "program")) c->program = true;
    ast_item it = {.kind = AST_I_TYPE, .span = span, .program = c->program};
    it.u.type.decls = lower__type_decls(c, n, depth, &it.u.type.ndecls, &it.u.type.nonrec);
    lower__push_item(c, &it);
    return;
  }
  case K_MODULE_DEFINITION: {
    if (lower__def_has_attr(c, n, K_MODULE_BINDING, "program")) c->program = true;
    ast_item it = {.kind = AST_I_MODULE, .span = span, .program = c->program};
    size_t base = lower__kids_push(c, n, 0);
    size_t cnt = 0;
    for (size_t i = base; i < c->nkids; i++) {
      if (c->kids[i].kind == K_MODULE_BINDING) cnt++;
      if (c->kids[i].kind == T_REC) it.u.module.rec = true;
    }
    it.u.module.binds = cnt ? lower__alloc(c, cnt * sizeof *it.u.module.binds) : NULL;
    size_t w = 0;
    for (size_t i = base; i < c->nkids && w < cnt; i++)
      if (c->kids[i].kind == K_MODULE_BINDING) {
        TSNode b = c->kids[i].node;
        it.u.module.binds[w++] = lower__module_binding(c, b, depth);
      }
    it.u.module.nbinds = (uint32_t)w;
    lower__kids_pop(c, base);
    lower__push_item(c, &it);
    return;
  }
  case K_OPEN_MODULE:
  case K_INCLUDE_MODULE: {
    ast_item it = {.kind = k == K_OPEN_MODULE ? AST_I_OPEN : AST_I_INCLUDE, .span = span};
    size_t base = lower__kids_push(c, n, 0);
    for (size_t i = base; i < c->nkids; i++)
      if (c->kids[i].kind == K_ITEM_ATTRIBUTE && lower__node_text_is(c, lower__attr_id(c, c->kids[i].node), "program"))
        c->program = true;
    it.program = c->program;
    size_t m = lower__kid_field(c, base, c->F->f_module);
    TSNode mod = m == (size_t)-1 ? (TSNode){0} : c->kids[m].node;
    it.u.open.bang = lower__kid_kind(c, base, T_BANG) != (size_t)-1;
    it.attrs = lower__attrs(c, base, &it.nattrs, depth);
    lower__kids_pop(c, base);
    it.u.open.mod = lower__module(c, mod, depth + 1);
    lower__push_item(c, &it);
    return;
  }
  case K_FLOATING_ATTRIBUTE:
    lower__floating(c, n, depth);
    return;
  case K_ATTRIBUTE:
    /* An attribute extra at item level: a recovered [@@@…] counts as floating. */
    if (span.end - span.start >= 4 && !memcmp(c->text + span.start, "[@@@", 4)) lower__floating(c, n, depth);
    return;
  case K_EXCEPTION_DEFINITION:
    lower__report(c, span, LOWER_CODE_EXCEPTION, "exceptions are not part of IML's logic; use them only in program mode");
    lower__item_unsupported(c, n, AST_IU_EXCEPTION, 0, depth);
    return;
  case K_EXTERNAL:
    lower__report(c, span, LOWER_CODE_EXTERNAL,
                  "`external` declarations are not part of IML's logic; use them only in program mode");
    lower__item_unsupported(c, n, AST_IU_EXTERNAL, K_VALUE_NAME, depth);
    return;
  case K_CLASS_DEFINITION:
  case K_CLASS_TYPE_DEFINITION:
    lower__report(c, lower__first_token(c, n), LOWER_CODE_OBJECT,
                  "objects and classes are not part of IML's logic; use them only in program mode");
    lower__item_unsupported(c, n, k == K_CLASS_DEFINITION ? AST_IU_CLASS : AST_IU_CLASS_TYPE, 0, depth);
    return;
  case K_MODULE_TYPE_DEFINITION:
    lower__item_unsupported(c, n, AST_IU_MODULE_TYPE, K_MODULE_TYPE_NAME, depth);
    return;
  case K_ITEM_EXTENSION:
  case K_QUOTED_ITEM_EXTENSION:
    lower__item_unsupported(c, n, AST_IU_EXTENSION, 0, depth);
    return;
  case K_TOPLEVEL_DIRECTIVE:
    lower__item_unsupported(c, n, AST_IU_DIRECTIVE, 0, depth);
    return;
  case K_ERROR: {
    c->has_errors = true;
    ast_item it = {.kind = AST_I_ERROR, .span = span, .program = c->program};
    if (!c->in_error) lower__push_item(c, &it); /* one per outermost ERROR */
    if (!lower__too_deep(c, depth + 1, span)) {
      c->in_error++;
      lower__items_into(c, n, depth + 1);
      c->in_error--;
    }
    return;
  }
  default:
    return; /* shebang, stray tokens, expressions left over by error recovery */
  }
}

ast_item *lower__items(lower__ctx *c, TSNode container, unsigned depth, uint32_t *n) {
  *n = 0;
  if (lower__too_deep(c, depth, lower__span(c, container))) return NULL;
  size_t base = c->nitems;
  bool saved = c->section_program;
  lower__items_into(c, container, depth);
  c->section_program = saved;
  size_t cnt = c->nitems - base;
  ast_item *v = NULL;
  if (cnt) {
    v = lower__alloc(c, cnt * sizeof *v);
    memcpy(v, c->items + base, cnt * sizeof *v);
  }
  c->nitems = base;
  *n = (uint32_t)cnt;
  return v;
}

