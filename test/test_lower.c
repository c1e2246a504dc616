/* test_lower.c — the AST and the lowering (analysis/arena.c, ast.c,
** lower*.c): expressions, patterns, types, items and IML's spec forms as
** S-expressions; `==>` re-association; program mode and the non-logic
** diagnostics with their ranges; name spans; broken and random input
** lowered totally; 100,000-long chains and deep nesting without stack
** overflow; a realistic file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ast.h"
#include "iml_grammar.h"
#include "lower.h"
#include "testutil.h"

/* ------------------------------------------------------------------------ */
/* Helpers */

typedef struct {
  char *src;
  size_t len;
  TSTree *tree;
  ast_file *f;
  diag_list d;
} lowered;

static TSTree *parse(const char *src, size_t len) {
  TSParser *p = ts_parser_new();
  cr_assert(ts_parser_set_language(p, imlg_language()));
  TSTree *t = imlg_parse(p, NULL, src, NULL, len);
  ts_parser_delete(p);
  cr_assert_not_null(t);
  return t;
}

static lowered lower_n(const char *src, size_t len) {
  lowered r = {0};
  r.src = malloc(len + 1);
  cr_assert_not_null(r.src);
  memcpy(r.src, src, len);
  r.src[len] = '\0';
  r.len = len;
  r.tree = parse(r.src, len);
  cr_assert_eq(lower_file(r.tree, r.src, len, &r.f, &r.d), 0);
  cr_assert_not_null(r.f);
  return r;
}

static lowered lower_src(const char *src) { return lower_n(src, strlen(src)); }

static void lowered_free(lowered *r) {
  ast_file_destroy(r->f);
  diag_list_clear(&r->d);
  ts_tree_delete(r->tree);
  free(r->src);
}

/* The printed items of src (one line per item, trailing newline removed). */
static char *print_src(const char *src, size_t *ndiags) {
  lowered r = lower_src(src);
  char *s = ast_print(r.f);
  cr_assert_not_null(s);
  size_t n = strlen(s);
  if (n && s[n - 1] == '\n') s[n - 1] = '\0';
  if (ndiags) *ndiags = r.d.count;
  lowered_free(&r);
  return s;
}

/* Offset of the first occurrence of needle in src. */
static uint32_t off(const char *src, const char *needle) {
  const char *p = strstr(src, needle);
  cr_assert_not_null(p, "needle `%s` not in `%s`", needle, src);
  return (uint32_t)(p - src);
}

static void expect_span(text_span got, const char *src, const char *needle, const char *what) {
  uint32_t s = off(src, needle);
  cr_expect(got.start == s && got.end == s + strlen(needle), "%s: got [%u,%u) `%.*s`, want `%s`", what, got.start,
            got.end, (int)(got.end >= got.start ? got.end - got.start : 0), src + got.start, needle);
}

/* The span starts at the first occurrence of `needle` and is `len` long. */
static void expect_at(text_span got, const char *src, const char *needle, uint32_t len, const char *what) {
  uint32_t s = off(src, needle);
  cr_expect(got.start == s && got.end == s + len, "%s: got [%u,%u), want [%u,%u)", what, got.start, got.end, s, s + len);
}

/* Iterative walks over chains (the AST may be 100,000 deep). */
static size_t left_spine(const ast_expr *e, const char *op) {
  size_t n = 0;
  while (e->kind == AST_E_APP && e->u.app.nargs == 2 && e->u.app.fn->kind == AST_E_ID &&
         !strcmp(e->u.app.fn->u.id.name.text, op)) {
    n++;
    e = e->u.app.args[0].expr;
  }
  return n;
}

static size_t right_spine(const ast_expr *e, const char *op) {
  size_t n = 0;
  while (e->kind == AST_E_APP && e->u.app.nargs == 2 && e->u.app.fn->kind == AST_E_ID &&
         !strcmp(e->u.app.fn->u.id.name.text, op)) {
    n++;
    e = e->u.app.args[1].expr;
  }
  return n;
}

static size_t count_code(const diag_list *d, const char *code) {
  size_t n = 0;
  for (size_t i = 0; i < d->count; i++)
    if (!strcmp(d->items[i].code, code)) n++;
  return n;
}

/* ------------------------------------------------------------------------ */
/* A structural validator: every node reachable, non-optional pointers set,
** spans inside the text. Recursive: only for small inputs. */

typedef struct {
  size_t len;
  size_t nodes;
} vctx;

static void v_span(vctx *v, text_span s, const char *what) {
  cr_assert_leq(s.start, s.end, "%s: [%u,%u)", what, s.start, s.end);
  cr_assert_leq(s.end, v->len, "%s: [%u,%u) past %zu", what, s.start, s.end, v->len);
}

static void v_name(vctx *v, ast_name n, const char *what) {
  cr_assert_not_null(n.text, "%s", what);
  v_span(v, n.span, what);
}

static void v_lid(vctx *v, const ast_lid *l) {
  for (uint32_t i = 0; i < l->path.n; i++) v_name(v, l->path.comps[i], "path component");
  v_name(v, l->name, "lid name");
  v_span(v, l->span, "lid");
}

static void v_expr(vctx *v, const ast_expr *e);
static void v_pat(vctx *v, const ast_pat *p);
static void v_type(vctx *v, const ast_type *t);
static void v_items(vctx *v, const ast_item *it, uint32_t n);

static void v_type(vctx *v, const ast_type *t) {
  cr_assert_not_null(t);
  v->nodes++;
  v_span(v, t->span, "type");
  switch (t->kind) {
  case AST_T_VAR: v_name(v, t->u.var, "type var"); break;
  case AST_T_CONSTR:
    v_lid(v, &t->u.constr.name);
    for (uint32_t i = 0; i < t->u.constr.nargs; i++) v_type(v, t->u.constr.args[i]);
    break;
  case AST_T_ARROW: v_type(v, t->u.arrow.dom); v_type(v, t->u.arrow.cod); break;
  case AST_T_TUPLE: for (uint32_t i = 0; i < t->u.tuple.n; i++) v_type(v, t->u.tuple.items[i]); break;
  case AST_T_POLY: v_type(v, t->u.poly.body); break;
  case AST_T_ALIAS: v_type(v, t->u.alias.type); break;
  default: break;
  }
}

static void v_pat(vctx *v, const ast_pat *p) {
  cr_assert_not_null(p);
  v->nodes++;
  v_span(v, p->span, "pattern");
  switch (p->kind) {
  case AST_P_VAR: v_name(v, p->u.var, "pattern var"); break;
  case AST_P_CONST: cr_assert_not_null(p->u.c.text); break;
  case AST_P_CTOR: v_lid(v, &p->u.ctor.name); if (p->u.ctor.arg) v_pat(v, p->u.ctor.arg); break;
  case AST_P_TUPLE: case AST_P_LIST: case AST_P_OR:
    for (uint32_t i = 0; i < p->u.list.n; i++) v_pat(v, p->u.list.items[i]);
    break;
  case AST_P_CONS: v_pat(v, p->u.cons.head); v_pat(v, p->u.cons.tail); break;
  case AST_P_RECORD:
    for (uint32_t i = 0; i < p->u.record.n; i++) {
      v_lid(v, &p->u.record.fields[i].field);
      v_pat(v, p->u.record.fields[i].pat);
      if (p->u.record.fields[i].type) v_type(v, p->u.record.fields[i].type);
    }
    break;
  case AST_P_ALIAS: v_pat(v, p->u.alias.pat); v_name(v, p->u.alias.name, "alias"); break;
  case AST_P_CONSTRAINT: v_pat(v, p->u.constraint.pat); v_type(v, p->u.constraint.type); break;
  case AST_P_OPEN: v_pat(v, p->u.open.pat); break;
  case AST_P_UNSUPPORTED: for (uint32_t i = 0; i < p->u.unsupported.n; i++) v_pat(v, p->u.unsupported.kids[i]); break;
  default: break;
  }
}

static void v_param(vctx *v, const ast_param *p) {
  v_span(v, p->span, "param");
  if (p->kind == AST_PARAM_TYPE) return;
  v_pat(v, p->pat);
  if (p->label != AST_LABEL_NONE) v_name(v, p->lname, "label");
  if (p->def) v_expr(v, p->def);
}

static void v_attrs(vctx *v, const ast_attr *a, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    v_name(v, a[i].name, "attribute");
    v_span(v, a[i].payload, "payload");
    if (a[i].expr) v_expr(v, a[i].expr);
  }
}

static void v_binding(vctx *v, const ast_binding *b) {
  v_span(v, b->span, "binding");
  v_pat(v, b->pat);
  for (uint32_t i = 0; i < b->nparams; i++) v_param(v, &b->params[i]);
  if (b->type) v_type(v, b->type);
  v_expr(v, b->body);
  v_attrs(v, b->attrs, b->nattrs);
}

static void v_cases(vctx *v, const ast_case *c, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    v_pat(v, c[i].pat);
    if (c[i].guard) v_expr(v, c[i].guard);
    v_expr(v, c[i].body);
  }
}

static void v_expr(vctx *v, const ast_expr *e) {
  cr_assert_not_null(e);
  v->nodes++;
  v_span(v, e->span, "expression");
  switch (e->kind) {
  case AST_E_CONST: cr_assert_not_null(e->u.c.text); break;
  case AST_E_ID: v_lid(v, &e->u.id); break;
  case AST_E_CTOR: v_lid(v, &e->u.ctor.name); if (e->u.ctor.arg) v_expr(v, e->u.ctor.arg); break;
  case AST_E_APP:
    v_expr(v, e->u.app.fn);
    cr_assert_geq(e->u.app.nargs, 1);
    for (uint32_t i = 0; i < e->u.app.nargs; i++) v_expr(v, e->u.app.args[i].expr);
    break;
  case AST_E_FUN:
    for (uint32_t i = 0; i < e->u.fun.nparams; i++) v_param(v, &e->u.fun.params[i]);
    if (e->u.fun.ret) v_type(v, e->u.fun.ret);
    v_expr(v, e->u.fun.body);
    break;
  case AST_E_FUNCTION: v_cases(v, e->u.function.cases, e->u.function.ncases); break;
  case AST_E_LET: case AST_E_LETOP:
    for (uint32_t i = 0; i < e->u.let.nbinds; i++) v_binding(v, &e->u.let.binds[i]);
    v_expr(v, e->u.let.body);
    break;
  case AST_E_OPEN: v_expr(v, e->u.open.body); break;
  case AST_E_MATCH: v_expr(v, e->u.match.scrut); v_cases(v, e->u.match.cases, e->u.match.ncases); break;
  case AST_E_IF:
    v_expr(v, e->u.if_.cond);
    v_expr(v, e->u.if_.then_e);
    if (e->u.if_.else_e) v_expr(v, e->u.if_.else_e);
    break;
  case AST_E_TUPLE: case AST_E_LIST: case AST_E_SEQ:
    for (uint32_t i = 0; i < e->u.list.n; i++) v_expr(v, e->u.list.items[i]);
    break;
  case AST_E_CONS: v_expr(v, e->u.cons.head); v_expr(v, e->u.cons.tail); break;
  case AST_E_RECORD:
    if (e->u.record.base) v_expr(v, e->u.record.base);
    for (uint32_t i = 0; i < e->u.record.n; i++) {
      v_lid(v, &e->u.record.fields[i].field);
      v_expr(v, e->u.record.fields[i].expr);
    }
    break;
  case AST_E_FIELD: v_expr(v, e->u.field.rec); v_lid(v, &e->u.field.field); break;
  case AST_E_CONSTRAINT: v_expr(v, e->u.constraint.expr); v_type(v, e->u.constraint.type); break;
  case AST_E_ASSERT: v_expr(v, e->u.assert_.expr); break;
  case AST_E_UNSUPPORTED:
    if (e->u.unsupported.pat) v_pat(v, e->u.unsupported.pat);
    for (uint32_t i = 0; i < e->u.unsupported.n; i++) v_expr(v, e->u.unsupported.kids[i]);
    v_cases(v, e->u.unsupported.cases, e->u.unsupported.ncases);
    break;
  default: break;
  }
}

static void v_module(vctx *v, const ast_module *m) {
  cr_assert_not_null(m);
  v_span(v, m->span, "module");
  switch (m->kind) {
  case AST_M_STRUCT: v_items(v, m->u.structure.items, m->u.structure.n); break;
  case AST_M_APPLY: v_module(v, m->u.apply.fn); if (m->u.apply.arg) v_module(v, m->u.apply.arg); break;
  case AST_M_FUNCTOR: v_module(v, m->u.functor.body); break;
  case AST_M_CONSTRAINT: v_module(v, m->u.constraint.mod); break;
  default: break;
  }
}

static void v_items(vctx *v, const ast_item *it, uint32_t n) {
  for (uint32_t i = 0; i < n; i++, it++) {
    v_span(v, it->span, "item");
    v_span(v, it->doc, "doc");
    v_attrs(v, it->attrs, it->nattrs);
    switch (it->kind) {
    case AST_I_LET:
      v_span(v, it->u.let.kw_span, "keyword");
      for (uint32_t b = 0; b < it->u.let.nbinds; b++) v_binding(v, &it->u.let.binds[b]);
      break;
    case AST_I_EVAL: v_expr(v, it->u.eval.expr); break;
    case AST_I_TYPE:
      for (uint32_t d = 0; d < it->u.type.ndecls; d++) {
        const ast_type_decl *td = &it->u.type.decls[d];
        v_name(v, td->name, "type name");
        if (td->manifest) v_type(v, td->manifest);
        for (uint32_t k = 0; k < td->nctors; k++) {
          v_name(v, td->ctors[k].name, "constructor");
          for (uint32_t a = 0; a < td->ctors[k].nargs; a++) v_type(v, td->ctors[k].args[a]);
          for (uint32_t a = 0; a < td->ctors[k].nfields; a++) v_type(v, td->ctors[k].fields[a].type);
          if (td->ctors[k].ret) v_type(v, td->ctors[k].ret);
        }
        for (uint32_t k = 0; k < td->nfields; k++) {
          v_name(v, td->fields[k].name, "field");
          v_type(v, td->fields[k].type);
        }
        v_attrs(v, td->attrs, td->nattrs);
      }
      break;
    case AST_I_MODULE:
      for (uint32_t b = 0; b < it->u.module.nbinds; b++) {
        v_name(v, it->u.module.binds[b].name, "module name");
        v_module(v, it->u.module.binds[b].body);
      }
      break;
    case AST_I_OPEN: case AST_I_INCLUDE: v_module(v, it->u.open.mod); break;
    case AST_I_IMPORT: v_span(v, it->u.import.path_span, "import path"); break;
    case AST_I_ATTRIBUTE: v_name(v, it->u.attr.name, "floating attribute"); break;
    default: break;
    }
  }
}

static size_t validate(const lowered *r) {
  vctx v = {.len = r->len};
  v_items(&v, r->f->items, r->f->nitems);
  for (size_t k = 0; k < r->d.count; k++) {
    v_span(&v, r->d.items[k].span, "diagnostic");
    if (k) cr_assert_leq(r->d.items[k - 1].span.start, r->d.items[k].span.start, "diagnostics not sorted");
  }
  return v.nodes;
}

/* ------------------------------------------------------------------------ */
/* Arena */

Test(arena, alignment_zeroing_and_big_requests) {
  arena *a = arena_create(256);
  cr_assert_not_null(a);
  for (int i = 1; i < 200; i++) {
    unsigned char *p = arena_alloc(a, (size_t)i);
    cr_assert_not_null(p);
    cr_assert_eq((uintptr_t)p % _Alignof(max_align_t), 0);
    for (int j = 0; j < i; j++) cr_assert_eq(p[j], 0);
    memset(p, 0xAB, (size_t)i);
  }
  char *big = arena_alloc(a, 100000); /* dedicated chunk */
  cr_assert_not_null(big);
  memset(big, 1, 100000);
  char *small = arena_alloc(a, 8);
  cr_assert_not_null(small);
  cr_assert_eq(small[0], 0);
  char *s = arena_strndup(a, "hello world", 5);
  cr_assert_str_eq(s, "hello");
  int v[3] = {1, 2, 3};
  int *d = arena_memdup(a, v, sizeof v);
  cr_assert_eq(d[2], 3);
  cr_assert_geq(arena_used(a), 100000u);
  cr_assert_geq(arena_reserved(a), arena_used(a));
  cr_assert_not_null(arena_alloc(a, 0));
  arena_destroy(a);
  arena_destroy(NULL);
  ast_file_destroy(NULL);
}

/* ------------------------------------------------------------------------ */
/* Expressions: `let _ = SRC`, printed body */

typedef struct {
  const char *src, *want;
} excase;

static const excase expr_cases[] = {
    /* constants */
    {"1", "(int 1)"},
    {"1.5", "(real 1.5)"},
    {"1.", "(real 1.)"},
    {"1e3", "(real 1e3)"},
    {"0x1F", "(int 0x1F)"},
    {"1_000", "(int 1_000)"},
    {"\"a\\n\"", "(string \"a\\n\")"},
    {"{| raw |}", "(string {| raw |})"},
    {"'c'", "(char 'c')"},
    {"()", "(unit)"},
    {"true", "(bool true)"},
    {"false", "(bool false)"},
    {"-1", "(int -1)"},
    {"-1.5", "(real -1.5)"},
    {"- x", "(app (id ~-) (id x))"},
    {"-. x", "(app (id ~-.) (id x))"},
    {"~- x", "(app (id ~-) (id x))"},
    /* identifiers and constructors */
    {"x", "(id x)"},
    {"M.N.x", "(id M.N.x)"},
    {"( + )", "(id +)"},
    {"M.( + )", "(id M.+)"},
    {"( mod )", "(id mod)"},
    {"None", "(ctor None)"},
    {"Some 1", "(ctor Some (int 1))"},
    {"M.A (1, 2)", "(ctor M.A (tuple (int 1) (int 2)))"},
    {"( :: ) (1, [])", "(ctor :: (tuple (int 1) (list)))"},
    /* application */
    {"f x y", "(app (id f) (id x) (id y))"},
    {"f ~x ~y:1 ?z ?w:(g 2)", "(app (id f) ~x:(id x) ~y:(int 1) ?z:(id z) ?w:(app (id g) (int 2)))"},
    {"f ~x:(a : int)", "(app (id f) ~x:(: (id a) (tc int)))"},
    {"f (g x)", "(app (id f) (app (id g) (id x)))"},
    {"not x", "(app (id not) (id x))"},
    /* binary operators with OCaml's precedence */
    {"1 + 2", "(app (id +) (int 1) (int 2))"},
    {"1 + 2 * 3", "(app (id +) (int 1) (app (id *) (int 2) (int 3)))"},
    {"(1 + 2) * 3", "(app (id *) (app (id +) (int 1) (int 2)) (int 3))"},
    {"1 - 2 - 3", "(app (id -) (app (id -) (int 1) (int 2)) (int 3))"},
    {"a && b || c", "(app (id ||) (app (id &&) (id a) (id b)) (id c))"},
    {"a || b && c", "(app (id ||) (id a) (app (id &&) (id b) (id c)))"},
    {"a = b && c < d", "(app (id &&) (app (id =) (id a) (id b)) (app (id <) (id c) (id d)))"},
    {"x +. 1.5 *. y", "(app (id +.) (id x) (app (id *.) (real 1.5) (id y)))"},
    {"a @ b @ c", "(app (id @) (id a) (app (id @) (id b) (id c)))"},
    {"a ** b ** c", "(app (id **) (id a) (app (id **) (id b) (id c)))"},
    {"s ^ t", "(app (id ^) (id s) (id t))"},
    {"x mod 2", "(app (id mod) (id x) (int 2))"},
    {"a :: b @ c", "(app (id @) (cons (id a) (id b)) (id c))"},
    {"x |> f |> g", "(app (id |>) (app (id |>) (id x) (id f)) (id g))"},
    {"f @@ g @@ x", "(app (id @@) (id f) (app (id @@) (id g) (id x)))"},
    {"f x |> g @@ h", "(app (id |>) (app (id f) (id x)) (app (id @@) (id g) (id h)))"},
    {"1 - -1", "(app (id -) (int 1) (int -1))"},
    /* IML's implications: lowest precedence, right-associative */
    {"a && b ==> c", "(app (id ==>) (app (id &&) (id a) (id b)) (id c))"},
    {"a ==> b ==> c", "(app (id ==>) (id a) (app (id ==>) (id b) (id c)))"},
    {"a = b ==> c = d", "(app (id ==>) (app (id =) (id a) (id b)) (app (id =) (id c) (id d)))"},
    {"a <==> b ==> c", "(app (id <==>) (id a) (app (id ==>) (id b) (id c)))"},
    {"a ==> b <==> c", "(app (id ==>) (id a) (app (id <==>) (id b) (id c)))"},
    {"(a ==> b) ==> c", "(app (id ==>) (app (id ==>) (id a) (id b)) (id c))"},
    {"a || b ==> c && d", "(app (id ==>) (app (id ||) (id a) (id b)) (app (id &&) (id c) (id d)))"},
    {"a && b ==> c || d ==> e",
     "(app (id ==>) (app (id &&) (id a) (id b)) (app (id ==>) (app (id ||) (id c) (id d)) (id e)))"},
    {"a <== b || c", "(app (id <==) (id a) (app (id ||) (id b) (id c)))"},
    {"x > 0 && y > 0 ==> x + y > 0",
     "(app (id ==>) (app (id &&) (app (id >) (id x) (int 0)) (app (id >) (id y) (int 0))) "
     "(app (id >) (app (id +) (id x) (id y)) (int 0)))"},
    {"a ==> (b = c)", "(app (id ==>) (id a) (app (id =) (id b) (id c)))"},
    {"a ==> b = c ==> d", "(app (id ==>) (id a) (app (id ==>) (app (id =) (id b) (id c)) (id d)))"},
    {"f (a ==> b) c", "(app (id f) (app (id ==>) (id a) (id b)) (id c))"},
    {"not (a ==> b) || c", "(app (id ||) (app (id not) (app (id ==>) (id a) (id b))) (id c))"},
    {"a :: b ==> c", "(app (id ==>) (cons (id a) (id b)) (id c))"},
    {"a ==> b, c", "(tuple (app (id ==>) (id a) (id b)) (id c))"},
    {"if a then b ==> c else d", "(if (id a) (app (id ==>) (id b) (id c)) (id d))"},
    {"List.mem x l ==> List.length l > 0",
     "(app (id ==>) (app (id List.mem) (id x) (id l)) (app (id >) (app (id List.length) (id l)) (int 0)))"},
    {"a ==> (b ==> c) = d", "(app (id ==>) (id a) (app (id =) (app (id ==>) (id b) (id c)) (id d)))"},
    /* fun / function */
    {"fun x -> x", "(fun ((pvar x)) (id x))"},
    {"fun x y -> x + y", "(fun ((pvar x) (pvar y)) (app (id +) (id x) (id y)))"},
    {"fun ~x ?(y = 1) ~z:(p : int) -> x", "(fun ((~x (pvar x)) (?y (pvar y) (int 1)) (~z (p: (pvar p) (tc int)))) (id x))"},
    {"fun ?x:(y : int = 3) ~(z:int) -> y",
     "(fun ((?x (p: (pvar y) (tc int)) (int 3)) (~z (p: (pvar z) (tc int)))) (id y))"},
    {"fun (x, y) -> x", "(fun ((ptuple (pvar x) (pvar y))) (id x))"},
    {"fun x : int -> x", "(fun ((pvar x)) (: (tc int)) (id x))"},
    {"fun (type a) (x : a) -> x", "(fun ((type a) (p: (pvar x) (tc a))) (id x))"},
    {"function 0 -> 1 | n -> n", "(function (case (int 0) (int 1)) (case (pvar n) (id n)))"},
    /* let */
    {"let x = 1 in x", "(let (bind (pvar x) (int 1)) (id x))"},
    {"let rec f x = f x and g y = y in f",
     "(let rec (bind (pvar f) (params (pvar x)) (app (id f) (id x))) (bind (pvar g) (params (pvar y)) (id y)) (id f))"},
    {"let (a, b) = p in a", "(let (bind (ptuple (pvar a) (pvar b)) (id p)) (id a))"},
    {"let x : int = 1 in x", "(let (bind (pvar x) (: (tc int)) (int 1)) (id x))"},
    {"let open M in x", "(open M (id x))"},
    {"let open! M.N in x", "(open! M.N (id x))"},
    {"M.(x + y)", "(open M (app (id +) (id x) (id y)))"},
    {"M.[1]", "(open M (list (int 1)))"},
    {"M.{ a = 1 }", "(open M (record (a (int 1))))"},
    {"let* x = f in g x", "(letop (bind let* (pvar x) (id f)) (app (id g) (id x)))"},
    {"let+ x = a and+ y = b in x + y", "(letop (bind let+ (pvar x) (id a)) (bind and+ (pvar y) (id b)) (app (id +) (id x) (id y)))"},
    /* match and patterns */
    {"match x with Some y when y > 0 -> y | _ -> 0",
     "(match (id x) (case (pctor Some (pvar y)) (when (app (id >) (id y) (int 0))) (id y)) (case (pany) (int 0)))"},
    {"match l with [] -> 0 | [x] -> 1 | x :: y :: _ -> 2",
     "(match (id l) (case (plist) (int 0)) (case (plist (pvar x)) (int 1)) (case (pcons (pvar x) (pcons (pvar y) (pany))) (int 2)))"},
    {"match x with A | B -> 1 | C (a, _) as c -> 2",
     "(match (id x) (case (por (pctor A) (pctor B)) (int 1)) (case (pas (pctor C (ptuple (pvar a) (pany))) c) (int 2)))"},
    {"match p with { a; M.b = 1; _ } -> a", "(match (id p) (case (precord (a (pvar a)) (M.b (int 1)) _) (id a)))"},
    {"match c with 'a'..'z' -> 1 | _ -> 0", "(match (id c) (case (prange (char 'a') (char 'z')) (int 1)) (case (pany) (int 0)))"},
    {"match x with (y : int) -> y", "(match (id x) (case (p: (pvar y) (tc int)) (id y)))"},
    {"match x with -1 -> 0 | 1.5 -> 1 | \"s\" -> 2 | true -> 3 | () -> 4",
     "(match (id x) (case (int -1) (int 0)) (case (real 1.5) (int 1)) (case (string \"s\") (int 2)) (case (bool true) (int 3)) (case (unit) (int 4)))"},
    {"match x with M.A y -> y", "(match (id x) (case (pctor M.A (pvar y)) (id y)))"},
    {"match x with M.(A y) -> y", "(match (id x) (case (popen M (pctor A (pvar y))) (id y)))"},
    {"match x with (::) (a, _) -> a", "(match (id x) (case (pctor :: (ptuple (pvar a) (pany))) (id a)))"},
    {"match x with lazy y -> y", "(match (id x) (case (punsupported lazy (pvar y)) (id y)))"},
    {"match x with `A -> 1", "(match (id x) (case (punsupported poly_variant) (int 1)))"},
    {"match x with | A -> 1 | B -> .", "(match (id x) (case (pctor A) (int 1)) (case (pctor B) (error)))"},
    /* if, tuples, lists, records, fields, constraints, sequences */
    {"if a then b else c", "(if (id a) (id b) (id c))"},
    {"if a then b", "(if (id a) (id b))"},
    {"if a then b else if c then d else e", "(if (id a) (id b) (if (id c) (id d) (id e)))"},
    {"(1, 2, 3)", "(tuple (int 1) (int 2) (int 3))"},
    {"[1; 2; 3]", "(list (int 1) (int 2) (int 3))"},
    {"[]", "(list)"},
    {"1 :: 2 :: []", "(cons (int 1) (cons (int 2) (list)))"},
    {"Some 1 :: []", "(cons (ctor Some (int 1)) (list))"},
    {"{ a = 1; b }", "(record (a (int 1)) (b (id b)))"},
    {"{ r with a = 2 }", "(record (with (id r)) (a (int 2)))"},
    {"{ M.a = 1; M.b }", "(record (M.a (int 1)) (M.b (id b)))"},
    {"{ a : int = 1 }", "(record (a : (tc int) (int 1)))"},
    {"r.a", "(field (id r) a)"},
    {"r.M.a.b", "(field (field (id r) M.a) b)"},
    {"M.x.f", "(field (id M.x) f)"},
    {"{ r with a = 2 }.a", "(field (record (with (id r)) (a (int 2))) a)"},
    {"(x : int)", "(: (id x) (tc int))"},
    {"(f : int -> int)", "(: (id f) (-> (tc int) (tc int)))"},
    {"a; b; c", "(seq (id a) (id b) (id c))"},
    {"begin a; b end", "(seq (id a) (id b))"},
    {"begin end", "(unit)"},
    {"a; let x = 1 in b; c", "(seq (id a) (let (bind (pvar x) (int 1)) (seq (id b) (id c))))"},
    {"assert (x > 0)", "(assert (app (id >) (id x) (int 0)))"},
    /* not supported (no diagnostic: the checker treats them as opaque) */
    {"lazy x", "(unsupported lazy (id x))"},
    {"`A", "(unsupported poly_variant)"},
    {"`A 1", "(unsupported poly_variant (int 1))"},
    {"[%e x]", "(unsupported extension)"},
    {"x.[0]", "(unsupported string_get (id x) (int 0))"},
    {"let module M = N in x", "(unsupported let_module (id x))"},
    {"(x :> t)", "(unsupported coerce (id x))"},
};

Test(lower, expressions) {
  size_t n = sizeof expr_cases / sizeof *expr_cases;
  cr_assert_geq(n, 100);
  for (size_t i = 0; i < n; i++) {
    char src[512];
    snprintf(src, sizeof src, "let _ = %s", expr_cases[i].src);
    lowered r = lower_src(src);
    cr_assert_eq(r.f->nitems, 1, "%s: %u items", src, r.f->nitems);
    cr_assert_eq(r.f->items[0].kind, AST_I_LET, "%s", src);
    cr_assert_eq(r.f->items[0].u.let.nbinds, 1, "%s", src);
    validate(&r);
    char *got = ast_print_expr(r.f->items[0].u.let.binds[0].body);
    cr_expect_str_eq(got, expr_cases[i].want, "%s", src);
    cr_expect_eq(r.d.count, 0, "%s: %zu diagnostics", src, r.d.count);
    cr_expect(!r.f->has_syntax_errors, "%s: syntax errors", src);
    free(got);
    lowered_free(&r);
  }
}

/* ------------------------------------------------------------------------ */
/* Types: `let x : SRC = y`, printed annotation */

static const excase type_cases[] = {
    {"int", "(tc int)"},
    {"'a", "(tv 'a)"},
    {"int list", "(tc list (tc int))"},
    {"int list list", "(tc list (tc list (tc int)))"},
    {"(int, string) result", "(tc result (tc int) (tc string))"},
    {"M.N.t option", "(tc option (tc M.N.t))"},
    {"int -> bool", "(-> (tc int) (tc bool))"},
    {"int -> int -> int", "(-> (tc int) (-> (tc int) (tc int)))"},
    {"(int -> int) -> int", "(-> (-> (tc int) (tc int)) (tc int))"},
    {"?x:int -> y:bool -> int", "(-> ?x:(tc int) (-> ~y:(tc bool) (tc int)))"},
    {"int * bool", "(* (tc int) (tc bool))"},
    {"(int * bool) list", "(tc list (* (tc int) (tc bool)))"},
    {"_", "(tany)"},
    {"_ list", "(tc list (tany))"},
    {"'a. 'a -> 'a", "(tpoly ('a) (-> (tv 'a) (tv 'a)))"},
    {"type a. a -> a", "(tpoly ('a) (-> (tc a) (tc a)))"},
    {"< x : int >", "(tunsupported)"},
    {"[ `A ]", "(tunsupported)"},
};

Test(lower, types) {
  size_t n = sizeof type_cases / sizeof *type_cases;
  for (size_t i = 0; i < n; i++) {
    char src[512];
    snprintf(src, sizeof src, "let x : %s = y", type_cases[i].src);
    lowered r = lower_src(src);
    cr_assert_eq(r.f->nitems, 1, "%s", src);
    const ast_binding *b = &r.f->items[0].u.let.binds[0];
    cr_assert_not_null(b->type, "%s", src);
    char *got = ast_print_type(b->type);
    /* (type a. …) names abstract types, printed like variables */
    cr_expect_str_eq(got, type_cases[i].want, "%s", src);
    cr_expect_eq(r.d.count, 0, "%s", src);
    free(got);
    lowered_free(&r);
  }
}

/* ------------------------------------------------------------------------ */
/* Items (whole-file prints) */

static const excase item_cases[] = {
    {"let x = 1", "(let (bind (pvar x) (int 1)))"},
    {"let x = 1 + 2", "(let (bind (pvar x) (app (id +) (int 1) (int 2))))"},
    {"let f x y = x", "(let (bind (pvar f) (params (pvar x) (pvar y)) (id x)))"},
    {"let f (x : int) : int = x", "(let (bind (pvar f) (params (p: (pvar x) (tc int))) (: (tc int)) (id x)))"},
    {"let rec f x = f x and g = 1",
     "(let rec (bind (pvar f) (params (pvar x)) (app (id f) (id x))) (bind (pvar g) (int 1)))"},
    {"let ( +! ) a b = a", "(let (bind (pvar +!) (params (pvar a) (pvar b)) (id a)))"},
    {"let () = f ()", "(let (bind (unit) (app (id f) (unit))))"},
    {"let x = 1 let y = 2", "(let (bind (pvar x) (int 1)))\n(let (bind (pvar y) (int 2)))"},
    {"let x = 1;; x", "(let (bind (pvar x) (int 1)))\n(expr (id x))"},
    /* IML spec forms */
    {"theorem t x = x = x", "(theorem (bind (pvar t) (params (pvar x)) (app (id =) (id x) (id x))))"},
    {"lemma l (x : int) = x >= 0 ==> x + 1 > 0 [@@by auto]",
     "(lemma (bind (pvar l) (params (p: (pvar x) (tc int))) (app (id ==>) (app (id >=) (id x) (int 0)) "
     "(app (id >) (app (id +) (id x) (int 1)) (int 0))) (@@ by)))"},
    {"axiom a = true", "(axiom (bind (pvar a) (bool true)))"},
    {"verify (fun x -> x = x)", "(verify (fun ((pvar x)) (app (id =) (id x) (id x))))"},
    {"instance (fun x -> x > 3) [@@timeout 10]", "(instance (fun ((pvar x)) (app (id >) (id x) (int 3))) (@@ timeout))"},
    {"eval (f 1)", "(eval (app (id f) (int 1)))"},
    {"test (f 1)", "(test (app (id f) (int 1)))"},
    {"qcheck (fun x -> x)", "(qcheck (fun ((pvar x)) (id x)))"},
    {"let x = 1\nverify (x = 1)\neval x",
     "(let (bind (pvar x) (int 1)))\n(verify (app (id =) (id x) (int 1)))\n(eval (id x))"},
    {"let f x = x [@@measure Ordinal.of_int x] [@@by auto]",
     "(let (bind (pvar f) (params (pvar x)) (id x) (@@ measure (app (id Ordinal.of_int) (id x))) (@@ by)))"},
    {"let rec len l = match l with [] -> 0 | _ :: t -> 1 + len t [@@measure Ordinal.of_int (List.length l)]",
     "(let rec (bind (pvar len) (params (pvar l)) (match (id l) (case (plist) (int 0)) (case (pcons (pany) (pvar t)) "
     "(app (id +) (int 1) (app (id len) (id t))))) (@@ measure (app (id Ordinal.of_int) (app (id List.length) (id l))))))"},
    {"theorem th = true [@@rw] [@@fc]", "(theorem (bind (pvar th) (bool true) (@@ rw) (@@ fc)))"},
    /* types */
    {"type t = A | B of int * string | C of { x : int; y : bool }",
     "(type (t (| (A) (B (tc int) (tc string)) (C (rec (x (tc int)) (y (tc bool)))))))"},
    {"type 'a tree = Leaf | Node of 'a tree * 'a * 'a tree",
     "(type (tree (params 'a) (| (Leaf) (Node (tc tree (tv 'a)) (tv 'a) (tc tree (tv 'a))))))"},
    {"type ('a, 'b) pair = { fst : 'a; snd : 'b }", "(type (pair (params 'a 'b) (rec (fst (tv 'a)) (snd (tv 'b)))))"},
    {"type t = int", "(type (t (= (tc int))))"},
    {"type t", "(type (t))"},
    {"type t = private A", "(type (t private (| (A))))"},
    {"type nonrec t = t list", "(type nonrec (t (= (tc list (tc t)))))"},
    {"type a = A of b and b = B of a", "(type (a (| (A (tc b)))) (b (| (B (tc a)))))"},
    {"type 'a t = 'a option = None | Some of 'a", "(type (t (params 'a) (= (tc option (tv 'a))) (| (None) (Some (tv 'a)))))"},
    {"type t = A of (int -> int)", "(type (t (| (A (-> (tc int) (tc int))))))"},
    {"type t = A : int -> t", "(type (t (| (A (tc int) : (tc t)))))"},
    {"type 'a list = [] | (::) of 'a * 'a list", "(type (list (params 'a) (| ([]) (:: (tv 'a) (tc list (tv 'a))))))"},
    {"type nonrec unit = unit = ()", "(type nonrec (unit (= (tc unit)) (| (()))))"},
    {"type bool = false | true", "(type (bool (| (false) (true))))"},
    {"type t = A [@@deriving show]", "(type (t (| (A)) (@@ deriving)))"},
    {"type t = ..", "(type (t ..))"},
    {"type t += C", "(type (t += t (| (C))))"},
    {"type 'a t = 'a list as 'b", "(type (t (params 'a) (= (tas (tc list (tv 'a)) 'b))))"},
    /* modules */
    {"module L = List", "(module (L (path List)))"},
    {"module M = struct let x = 1 end", "(module (M (struct (let (bind (pvar x) (int 1))))))"},
    {"module M = struct module N = struct type t end end", "(module (M (struct (module (N (struct (type (t))))))))"},
    {"module F = G(H)", "(module (F (apply (path G) (path H))))"},
    {"module F (X : S) = struct end", "(module (F (functor (X) (struct))))"},
    {"module M : S = struct end", "(module (M (struct)))"},
    {"module M = (struct end : S)", "(module (M (constraint (struct))))"},
    {"module rec A : S = struct end and B : S = struct end", "(module rec (A (struct)) (B (struct)))"},
    {"open M", "(open (path M))"},
    {"open! M.N", "(open! (path M.N))"},
    {"include M", "(include (path M))"},
    /* attributes and imports */
    {"[@@@import \"foo.iml\"]", "(import \"foo.iml\")"},
    {"[@@@import M, \"dir/foo.iml\"]", "(import M \"dir/foo.iml\")"},
    {"[@@@import (M, \"a.iml\")]", "(import M \"a.iml\")"},
    {"[@@@import {|a b.iml|}]", "(import \"a b.iml\")"},
    {"[@@@import \"a\\\\b.iml\"]", "(import \"a\\\\b.iml\")"},
    {"[@@@import 42]", "(import (malformed))"},
    {"[@@@foo]", "(@@@ foo)"},
    {"[@@@program]\nlet x = 1\n[@@@logic]\nlet y = 2",
     "(program (@@@ program))\n(program (let (bind (pvar x) (int 1))))\n(@@@ logic)\n(let (bind (pvar y) (int 2)))"},
    {"let x = 1 [@@program]\nlet y = 2", "(program (let (bind (pvar x) (int 1) (@@ program))))\n(let (bind (pvar y) (int 2)))"},
    {"module M = struct let x = 1 end [@@program]\nlet y = 2",
     "(program (module (M (struct (program (let (bind (pvar x) (int 1))))) (@@ program))))\n(let (bind (pvar y) (int 2)))"},
    {"module M = struct [@@@program] let x = 1 end\nlet y = 2",
     "(module (M (struct (program (@@@ program)) (program (let (bind (pvar x) (int 1)))))))\n(let (bind (pvar y) (int 2)))"},
    /* unsupported items */
    {"module type S = sig end", "(unsupported module_type S)"},
    {"[%%ext let x = 1]", "(unsupported extension)"},
    {"#require \"foo\"", "(unsupported directive)"},
};

Test(lower, items) {
  size_t n = sizeof item_cases / sizeof *item_cases;
  for (size_t i = 0; i < n; i++) {
    size_t nd;
    char *got = print_src(item_cases[i].src, &nd);
    cr_expect_str_eq(got, item_cases[i].want, "%s", item_cases[i].src);
    cr_expect_eq(nd, 0, "%s: %zu diagnostics", item_cases[i].src, nd);
    free(got);
  }
}

Test(lower, case_count) {
  size_t total = sizeof expr_cases / sizeof *expr_cases + sizeof type_cases / sizeof *type_cases +
                 sizeof item_cases / sizeof *item_cases;
  cr_assert_geq(total, 120, "only %zu input/expectation cases", total);
}

/* ------------------------------------------------------------------------ */
/* Keywords, spans and names */

Test(lower, keyword_spans_and_statement_spans) {
  const char *src = "theorem foo x = x = x\n"
                    "module M = struct\n  lemma bar = true\n  verify (fun y -> y)\nend\n"
                    "instance (fun z -> z > 0)\n";
  lowered r = lower_src(src);
  cr_assert_eq(r.f->nitems, 3);
  const ast_item *th = &r.f->items[0];
  cr_assert_eq(th->kind, AST_I_LET);
  cr_expect_eq(th->u.let.kw, AST_KW_THEOREM);
  expect_span(th->u.let.kw_span, src, "theorem", "theorem keyword");
  expect_span(th->u.let.binds[0].pat->u.var.span, src, "foo", "theorem name");
  const ast_item *m = &r.f->items[1];
  cr_assert_eq(m->kind, AST_I_MODULE);
  const ast_module *body = m->u.module.binds[0].body;
  cr_assert_eq(body->kind, AST_M_STRUCT);
  cr_assert_eq(body->u.structure.n, 2);
  cr_expect_eq(body->u.structure.items[0].u.let.kw, AST_KW_LEMMA);
  expect_span(body->u.structure.items[0].u.let.kw_span, src, "lemma", "lemma keyword");
  const ast_item *v = &body->u.structure.items[1];
  cr_assert_eq(v->kind, AST_I_EVAL);
  cr_expect_eq(v->u.eval.kw, AST_KW_VERIFY);
  expect_span(v->u.eval.kw_span, src, "verify", "verify keyword");
  expect_span(v->span, src, "verify (fun y -> y)", "verify item");
  expect_span(m->u.module.binds[0].name.span, src, "M", "module name");
  const ast_item *in = &r.f->items[2];
  cr_expect_eq(in->u.eval.kw, AST_KW_INSTANCE);
  expect_span(in->span, src, "instance (fun z -> z > 0)", "instance item");
  cr_expect_str_eq(ast_stmt_kw_name(in->u.eval.kw), "instance");
  cr_expect_str_eq(ast_let_kw_name(th->u.let.kw), "theorem");
  lowered_free(&r);
}

Test(lower, keywords_are_not_read_from_ordinary_words) {
  /* `theorem` as an ordinary identifier inside an expression stays a name. */
  size_t nd;
  char *got = print_src("let theorem_count = 1\nlet x = eval_me 2", &nd);
  cr_expect_str_eq(got, "(let (bind (pvar theorem_count) (int 1)))\n(let (bind (pvar x) (app (id eval_me) (int 2))))");
  free(got);
}

Test(lower, name_and_node_spans) {
  const char *src = "let foo ~lbl (a, b) = M.N.bar (a + b) r.M.fld\n"
                    "type t = Ctor of int | Rec of { fld2 : int }\n";
  lowered r = lower_src(src);
  const ast_binding *b = &r.f->items[0].u.let.binds[0];
  expect_span(b->pat->u.var.span, src, "foo", "binding name");
  cr_assert_eq(b->nparams, 2);
  expect_span(b->params[0].lname.span, src, "lbl", "label");
  expect_span(b->params[1].pat->span, src, "(a, b)", "tuple param (with parentheses)");
  const ast_expr *app = b->body;
  cr_assert_eq(app->kind, AST_E_APP);
  expect_span(app->span, src, "M.N.bar (a + b) r.M.fld", "application");
  const ast_lid *fn = &app->u.app.fn->u.id;
  cr_assert_eq(fn->path.n, 2);
  expect_at(fn->path.comps[0].span, src, "M.N.bar", 1, "M");
  expect_at(fn->path.comps[1].span, src, "N.bar", 1, "N");
  expect_span(fn->name.span, src, "bar", "value name");
  expect_span(fn->span, src, "M.N.bar", "lid");
  const ast_expr *sum = app->u.app.args[0].expr;
  expect_span(sum->span, src, "(a + b)", "parenthesised sum");
  expect_span(sum->u.app.fn->span, src, "+", "operator identifier");
  const ast_expr *fld = app->u.app.args[1].expr;
  cr_assert_eq(fld->kind, AST_E_FIELD);
  expect_span(fld->u.field.field.name.span, src, "fld", "field name");
  expect_at(fld->u.field.field.path.comps[0].span, src, "M.fld", 1, "field module");
  const ast_type_decl *td = &r.f->items[1].u.type.decls[0];
  expect_at(td->name.span, src, "t =", 1, "type name");
  expect_span(td->ctors[0].name.span, src, "Ctor", "constructor name");
  expect_span(td->ctors[1].fields[0].name.span, src, "fld2", "inline record field");
  cr_expect(td->ctors[1].inline_record);
  lowered_free(&r);
}

Test(lower, doc_comments_of_items) {
  const char *src = "(** Doc of f. *)\nlet f x = x\n\n"
                    "(** Detached. *)\n\nlet g = 1\n"
                    "(** Doc of t *)\ntype t = A\n"
                    "(* plain *)\nlet h = 2\n"
                    "(** doc of the theorem *)\ntheorem th = true\n"
                    "(** doc of verify *) verify (fun x -> x)\n"
                    "module M = struct\n  (** inner *)\n  let i = 1\nend\n"
                    "(**)\nlet j = 1\n";
  lowered r = lower_src(src);
  cr_assert_eq(r.f->nitems, 8);
  expect_span(r.f->items[0].doc, src, "(** Doc of f. *)", "f");
  cr_expect_eq(r.f->items[1].doc.end, r.f->items[1].doc.start, "g: detached by a blank line");
  expect_span(r.f->items[2].doc, src, "(** Doc of t *)", "t");
  cr_expect_eq(r.f->items[3].doc.end, r.f->items[3].doc.start, "h: plain comment");
  expect_span(r.f->items[4].doc, src, "(** doc of the theorem *)", "theorem");
  expect_span(r.f->items[5].doc, src, "(** doc of verify *)", "verify");
  const ast_module *m = r.f->items[6].u.module.binds[0].body;
  cr_assert_eq(m->u.structure.n, 1);
  expect_span(m->u.structure.items[0].doc, src, "(** inner *)", "inner");
  cr_expect_eq(r.f->items[7].doc.end, r.f->items[7].doc.start, "(**) is not a doc comment");
  lowered_free(&r);
}

Test(lower, implication_spans_cover_their_operands) {
  const char *src = "let _ = a && b ==> c";
  lowered r = lower_src(src);
  const ast_expr *e = r.f->items[0].u.let.binds[0].body;
  expect_span(e->span, src, "a && b ==> c", "whole");
  expect_span(e->u.app.fn->span, src, "==>", "operator");
  expect_span(e->u.app.args[0].expr->span, src, "a && b", "left operand (re-associated)");
  expect_span(e->u.app.args[1].expr->span, src, "c", "right operand");
  lowered_free(&r);
}

/* ------------------------------------------------------------------------ */
/* Non-logic constructs */

typedef struct {
  const char *src;
  const char *code;
  const char *at; /* text of the diagnostic's span */
} dcase;

static const dcase diag_cases[] = {
    {"let r = ref 0", LOWER_CODE_REFERENCE, "ref"},
    {"let x = !r", LOWER_CODE_REFERENCE, "!r"},
    {"let _ = r := 1", LOWER_CODE_REFERENCE, ":="},
    {"type t = { mutable x : int }", LOWER_CODE_MUTABLE, "mutable"},
    {"let _ = r.x <- 1", LOWER_CODE_MUTABLE, "r.x <-"},
    {"let _ = [|1; 2|]", LOWER_CODE_MUTABLE, "[|1; 2|]"},
    {"let _ = a.(0)", LOWER_CODE_MUTABLE, "a.(0)"},
    {"let _ = a.(0) <- 1", LOWER_CODE_MUTABLE, "a.(0) <-"},
    {"let f = function [| x |] -> x", LOWER_CODE_MUTABLE, "[| x |]"},
    {"let _ = while true do () done", LOWER_CODE_LOOP, "while"},
    {"let _ = for i = 1 to 2 do () done", LOWER_CODE_LOOP, "for"},
    {"let _ = try f x with _ -> 0", LOWER_CODE_EXCEPTION, "try"},
    {"exception E", LOWER_CODE_EXCEPTION, "exception E"},
    {"let _ = match x with exception E -> 0 | y -> y", LOWER_CODE_EXCEPTION, "exception E"},
    {"let _ = let exception E in 1", LOWER_CODE_EXCEPTION, "exception E"},
    {"let _ = object end", LOWER_CODE_OBJECT, "object"},
    {"class c = object end", LOWER_CODE_OBJECT, "class"},
    {"let _ = o#m", LOWER_CODE_OBJECT, "o#m"},
    {"let _ = new c", LOWER_CODE_OBJECT, "new c"},
    {"external f : int -> int = \"f\"", LOWER_CODE_EXTERNAL, "external f : int -> int = \"f\""},
    {"let _ = x == y", LOWER_CODE_PHYSICAL_EQ, "=="},
    {"let _ = x != y", LOWER_CODE_PHYSICAL_EQ, "!="},
    {"let _ = (module M : S)", LOWER_CODE_FIRST_CLASS_MODULE, "(module M : S)"},
    {"let f (module M : S) = 1", LOWER_CODE_FIRST_CLASS_MODULE, "(module M : S)"},
    {"type t = (module S)", LOWER_CODE_FIRST_CLASS_MODULE, "(module S)"},
    {"module M = (val m)", LOWER_CODE_FIRST_CLASS_MODULE, "(val m)"},
};

Test(lower, non_logic_diagnostics) {
  size_t n = sizeof diag_cases / sizeof *diag_cases;
  for (size_t i = 0; i < n; i++) {
    const dcase *dc = &diag_cases[i];
    lowered r = lower_src(dc->src);
    cr_expect_eq(r.d.count, 1, "%s: %zu diagnostics", dc->src, r.d.count);
    if (r.d.count >= 1) {
      const diag *d = &r.d.items[0];
      cr_expect_str_eq(d->code, dc->code, "%s", dc->src);
      cr_expect_eq(d->severity, DIAG_ERROR, "%s", dc->src);
      expect_span(d->span, dc->src, dc->at, dc->src);
      cr_expect(strstr(d->message, "IML's logic") != NULL, "%s: %s", dc->src, d->message);
    }
    lowered_free(&r);
    /* The same item in program mode: accepted silently, same AST. */
    char prog[512];
    snprintf(prog, sizeof prog, "[@@@program]\n%s", dc->src);
    r = lower_src(prog);
    cr_expect_eq(r.d.count, 0, "program mode: %s", dc->src);
    cr_expect(r.f->nitems >= 2 && r.f->items[1].program, "%s", dc->src);
    lowered_free(&r);
  }
}

Test(lower, reference_message_and_several_constructs) {
  const char *src = "let f r = r := !r + 1";
  lowered r = lower_src(src);
  cr_assert_eq(r.d.count, 2);
  cr_expect_str_eq(r.d.items[0].message, "references are not part of IML's logic; use them only in program mode");
  expect_span(r.d.items[0].span, src, ":=", "first (sorted)");
  expect_span(r.d.items[1].span, src, "!r", "second");
  lowered_free(&r);
}

Test(lower, program_mode_sections_and_tags) {
  const char *src = "let a = ref 0 [@@program]\n"                   /* tagged: silent */
                    "let b = ref 1\n"                              /* logic: error */
                    "[@@@program]\nlet c = ref 2\nlet d = x == y\n" /* section: silent */
                    "[@@@logic]\nlet e = x == y\n"                 /* error */
                    "module M = struct [@@@program] let f = ref 3 end\n"
                    "let g = ref 4\n"; /* the section inside M ended with it: error */
  lowered r = lower_src(src);
  cr_assert_eq(r.d.count, 3, "%zu", r.d.count);
  expect_at(r.d.items[0].span, src, "ref 1", 3, "b");
  cr_expect_eq(r.d.items[1].span.start, off(src, "x == y\nmodule") + 2);
  cr_expect_eq(r.d.items[2].span.start, off(src, "ref 4"));
  /* flags */
  cr_expect(r.f->items[0].program);
  cr_expect(!r.f->items[1].program);
  cr_expect(r.f->items[3].program); /* c */
  cr_expect(r.f->items[4].program); /* d */
  cr_expect(!r.f->items[6].program); /* e */
  lowered_free(&r);
}

Test(lower, measure_payload_is_checked_in_the_items_mode) {
  lowered r = lower_src("let rec f x = f (x - 1) [@@measure Ordinal.of_int !x]");
  cr_expect_eq(count_code(&r.d, LOWER_CODE_REFERENCE), 1);
  const ast_binding *b = &r.f->items[0].u.let.binds[0];
  cr_assert_eq(b->nattrs, 1);
  cr_assert_not_null(b->attrs[0].expr);
  cr_expect_str_eq(b->attrs[0].name.text, "measure");
  cr_expect_eq(b->attrs[0].payload.end - b->attrs[0].payload.start, strlen("Ordinal.of_int !x"));
  lowered_free(&r);
  /* [@@by …] payloads are kept as spans only. */
  const char *src = "theorem t = true [@@by [%use foo] @> auto]";
  r = lower_src(src);
  cr_expect_eq(r.d.count, 0);
  const ast_attr *a = &r.f->items[0].u.let.binds[0].attrs[0];
  cr_expect_null(a->expr);
  expect_span(a->payload, src, "[%use foo] @> auto", "by payload");
  expect_span(a->span, src, "[@@by [%use foo] @> auto]", "attribute");
  lowered_free(&r);
}

/* ------------------------------------------------------------------------ */
/* Broken and random input */

static const char *const broken[] = {
    "let x = ",
    "let = 1",
    "let x = 1 +",
    "match x with",
    "match x with | -> 1",
    "type t = |",
    "type t = { x : }",
    "let f (x = ",
    "module M = struct",
    "module M = struct let x = end",
    "fun -> ",
    "let _ = if then else",
    "[@@@import",
    "[@@@import M,]",
    "((((",
    "))))",
    "let x = (1 + 2",
    "let x = [1; 2",
    "let x = { a = 1; b = }",
    "theorem = ",
    "verify",
    "eval (",
    "let rec f x = match x with Some -> | None ->",
    "type 'a t = A of 'a * | B",
    "let x = a ==> ==> b",
    "let x = ==> b",
    "let x = a <==> ",
    "let _ = f ~x: ~y",
    "let _ = M.",
    "let _ = M.(",
    "open",
    "include",
    "let x = 1 in",
    "let _ = r.M.",
    "let _ = function | A (x, -> 1",
    "lemma l x = x >= 0 ==> [@@by auto]",
    "let f x = x [@@measure]",
    "let _ = 'a' .. 'z'",
    "\xff\xfe garbage \x01\x02",
    "let _ = \"unterminated",
    "(* unterminated comment",
};

Test(lower, broken_input_is_lowered_totally) {
  for (size_t i = 0; i < sizeof broken / sizeof *broken; i++) {
    lowered r = lower_src(broken[i]);
    validate(&r);
    char *s = ast_print(r.f);
    cr_assert_not_null(s, "%s", broken[i]);
    /* No non-logic diagnostics are invented for syntax errors. */
    for (size_t k = 0; k < r.d.count; k++)
      cr_expect_fail("%s: unexpected %s %s", broken[i], r.d.items[k].code, r.d.items[k].message);
    /* Every node span lies inside the text (spot check on items). */
    for (uint32_t k = 0; k < r.f->nitems; k++) cr_expect_leq(r.f->items[k].span.end, r.len, "%s", broken[i]);
    free(s);
    lowered_free(&r);
  }
}

Test(lower, syntax_errors_become_error_nodes) {
  lowered r = lower_src("let x = 1 +\nlet y = x");
  cr_expect(r.f->has_syntax_errors);
  lowered_free(&r);
  size_t nd;
  char *got = print_src("let a = 1\nlet b = (1 +) 2\nlet c = 3", &nd);
  /* the good items survive around the broken one */
  cr_expect(strstr(got, "(let (bind (pvar a) (int 1)))") == got, "%s", got);
  cr_expect(strstr(got, "(let (bind (pvar c) (int 3)))") != NULL, "%s", got);
  cr_expect_eq(nd, 0);
  free(got);
  r = lower_src("let a = 1");
  cr_expect(!r.f->has_syntax_errors);
  lowered_free(&r);
}

Test(lower, items_recovered_inside_errors) {
  /* tree-sitter recovers `let y = 2` inside the ERROR that follows the
  ** broken `fun`: it is lowered, after one AST_I_ERROR. */
  size_t nd;
  char *got = print_src("let f = fun x ->\nlet y = 2\n", &nd);
  cr_expect_str_eq(got, "(let (bind (pvar f) (error)))\n(error)\n(let (bind (pvar y) (int 2)))");
  cr_expect_eq(nd, 0);
  free(got);
}

Test(lower, random_token_soup) {
  static const char *const toks[] = {
      "let", "rec", "in", "=", "fun", "->", "function", "|", "match", "with", "if", "then", "else", "(", ")",
      "[", "]", "{", "}", ";", ";;", ",", "::", "+", "==>", "<==>", "&&", "||", "x", "M.y", "Some", "1", "1.5",
      "\"s\"", "'c'", "type", "of", "*", "'a", "module", "struct", "end", "open", "theorem", "verify", "eval",
      "lemma", "[@@by auto]", "[@@@program]", "[@@@logic]", "ref", "!", ":=", "<-", "==", "while", "do", "done",
      "try", "exception", "mutable", "object", "#", "~x", "?y", ":", "_", "as", "when", "and", "begin", ".",
      "..", "[|", "|]", "lazy", "assert", "(module", "external", "\n", "let*", "and*", "{|q|}", "`T", "%",
  };
  tu_rng rng;
  uint64_t seed = 0xC0FFEEull;
  tu_rng_seed(&rng, seed);
  char *buf = malloc(4096);
  cr_assert_not_null(buf);
  for (int round = 0; round < 300; round++) {
    size_t n = 0;
    int ntok = 1 + (int)tu_rng_below(&rng, 60);
    for (int t = 0; t < ntok; t++) {
      const char *tok = toks[tu_rng_below(&rng, sizeof toks / sizeof *toks)];
      size_t l = strlen(tok);
      if (n + l + 2 >= 4096) break;
      memcpy(buf + n, tok, l);
      n += l;
      buf[n++] = ' ';
    }
    lowered r = lower_n(buf, n);
    validate(&r);
    char *s = ast_print(r.f);
    cr_assert_not_null(s, "seed %llu round %d", (unsigned long long)seed, round);
    free(s);
    lowered_free(&r);
  }
  /* random bytes */
  for (int round = 0; round < 100; round++) {
    size_t n = tu_rng_below(&rng, 400);
    for (size_t k = 0; k < n; k++) buf[k] = (char)tu_rng_below(&rng, 256);
    lowered r = lower_n(buf, n);
    validate(&r);
    char *s = ast_print(r.f);
    cr_assert_not_null(s);
    free(s);
    lowered_free(&r);
  }
  free(buf);
}

Test(lower, null_tree_and_null_diags) {
  ast_file *f = NULL;
  cr_assert_eq(lower_file(NULL, "", 0, &f, NULL), 0);
  cr_assert_not_null(f);
  cr_expect_eq(f->nitems, 0);
  ast_file_destroy(f);
  const char *src = "let r = ref 0";
  TSTree *t = parse(src, strlen(src));
  cr_assert_eq(lower_file(t, src, strlen(src), &f, NULL), 0);
  cr_expect_eq(f->nitems, 1);
  ast_file_destroy(f);
  ts_tree_delete(t);
}

/* ------------------------------------------------------------------------ */
/* Long chains and deep nesting */

#define BIG 100000

/* prefix + BIG × unit + suffix, malloc'd. */
static char *repeat(const char *prefix, const char *unit, size_t times, const char *suffix, size_t *len) {
  size_t pl = strlen(prefix), ul = strlen(unit), sl = strlen(suffix);
  char *s = malloc(pl + ul * times + sl + 1);
  cr_assert_not_null(s);
  memcpy(s, prefix, pl);
  for (size_t i = 0; i < times; i++) memcpy(s + pl + i * ul, unit, ul);
  memcpy(s + pl + ul * times, suffix, sl + 1);
  *len = pl + ul * times + sl;
  return s;
}

Test(lower_deep, long_left_chain_of_additions) {
  size_t len;
  char *s = repeat("let x = a", " + a", BIG, "", &len);
  lowered r = lower_n(s, len);
  cr_expect_eq(r.d.count, 0);
  const ast_expr *e = r.f->items[0].u.let.binds[0].body;
  cr_expect_eq(left_spine(e, "+"), BIG);
  cr_expect_eq(e->span.end, len);
  char *p = ast_print(r.f); /* bounded printer: no overflow */
  cr_assert_not_null(p);
  cr_expect(strstr(p, "\xE2\x80\xA6") != NULL);
  free(p);
  lowered_free(&r);
  free(s);
}

Test(lower_deep, long_cons_list) {
  size_t len;
  char *s = repeat("let x = ", "1 :: ", BIG, "[]", &len);
  lowered r = lower_n(s, len);
  cr_expect_eq(r.d.count, 0);
  const ast_expr *e = r.f->items[0].u.let.binds[0].body;
  size_t n = 0;
  while (e->kind == AST_E_CONS) {
    n++;
    e = e->u.cons.tail;
  }
  cr_expect_eq(n, BIG);
  cr_expect_eq(e->kind, AST_E_LIST);
  lowered_free(&r);
  free(s);
}

Test(lower_deep, long_implication_chain_is_right_nested) {
  size_t len;
  char *s = repeat("let x = a", " ==> a", BIG, "", &len);
  lowered r = lower_n(s, len);
  cr_expect_eq(r.d.count, 0);
  const ast_expr *e = r.f->items[0].u.let.binds[0].body;
  cr_expect_eq(right_spine(e, "==>"), BIG);
  cr_expect_eq(left_spine(e, "==>"), 1);
  lowered_free(&r);
  free(s);
}

Test(lower_deep, long_mixed_chain) {
  /* a && a ==> a && a ==> … : right-nested implications of conjunctions */
  size_t len;
  char *s = repeat("let x = a", " && a ==> a", BIG / 2, "", &len);
  lowered r = lower_n(s, len);
  cr_expect_eq(r.d.count, 0);
  const ast_expr *e = r.f->items[0].u.let.binds[0].body;
  cr_expect_eq(right_spine(e, "==>"), BIG / 2);
  cr_expect_eq(left_spine(e->u.app.args[0].expr, "&&"), 1);
  lowered_free(&r);
  free(s);
}

Test(lower_deep, parentheses_are_transparent) {
  size_t len;
  char *open = repeat("let x = ", "(", BIG, "1", &len);
  char *s = repeat(open, ")", BIG, "", &len);
  lowered r = lower_n(s, len);
  cr_expect_eq(r.d.count, 0);
  const ast_expr *e = r.f->items[0].u.let.binds[0].body;
  cr_expect_eq(e->kind, AST_E_CONST);
  cr_expect_eq(e->span.start, 8);
  cr_expect_eq(e->span.end, len); /* widened to the outermost parentheses */
  lowered_free(&r);
  free(open);
  free(s);
}

Test(lower_deep, real_nesting_is_cut_with_one_diagnostic) {
  size_t len;
  char *open = repeat("let x = ", "(1 + ", BIG, "1", &len);
  char *s = repeat(open, ")", BIG, "\nlet y = ", &len);
  char *s1 = repeat(s, "[", BIG, "1", &len);
  char *s2 = repeat(s1, "]", BIG, "", &len);
  lowered r = lower_n(s2, len);
  cr_assert_eq(r.d.count, 1, "%zu", r.d.count);
  cr_expect_str_eq(r.d.items[0].code, LOWER_CODE_TOO_DEEP);
  cr_expect(strstr(r.d.items[0].message, "nested too deeply") != NULL);
  cr_expect_eq(r.f->nitems, 2);
  /* The cut is at the limit: the right spine has ~LOWER_MAX_DEPTH additions. */
  const ast_expr *e = r.f->items[0].u.let.binds[0].body;
  size_t n = right_spine(e, "+");
  cr_expect(n >= LOWER_MAX_DEPTH - 2 && n <= LOWER_MAX_DEPTH + 1, "%zu", n);
  char *p = ast_print(r.f);
  cr_assert_not_null(p);
  free(p);
  lowered_free(&r);
  free(open);
  free(s);
  free(s1);
  free(s2);
}

Test(lower_deep, long_flat_lists_sequences_and_matches) {
  enum { N = 20000 }; /* tree-sitter 0.20.7 limits a node to 65,535 children */
  size_t len;
  char *s = repeat("let l = [0", "; 0", N - 1, "]\nlet s = ", &len);
  char *s2 = repeat(s, "a; ", N - 1, "a\nlet m = match x with 0 -> 0", &len);
  char *s3 = repeat(s2, " | 0 -> 0", N - 1, "\n", &len);
  lowered r = lower_n(s3, len);
  cr_expect_eq(r.d.count, 0);
  cr_assert_eq(r.f->nitems, 3);
  cr_expect_eq(r.f->items[0].u.let.binds[0].body->u.list.n, N);
  cr_expect_eq(r.f->items[1].u.let.binds[0].body->kind, AST_E_SEQ);
  cr_expect_eq(r.f->items[1].u.let.binds[0].body->u.list.n, N);
  cr_expect_eq(r.f->items[2].u.let.binds[0].body->u.match.ncases, N);
  lowered_free(&r);
  free(s);
  free(s2);
  free(s3);
}

Test(lower_deep, long_let_and_if_chains_are_tail_positions) {
  enum { N = 20000 };
  size_t len;
  char *s = repeat("let x = ", "let y = 1 in ", N, "y\nlet z = ", &len);
  char *s2 = repeat(s, "if a then b else ", N, "c\nlet t : ", &len);
  char *s3 = repeat(s2, "int -> ", N, "int = f\nlet ", &len);
  char *s4 = repeat(s3, "x :: ", N, "[] = l\n", &len);
  lowered r = lower_n(s4, len);
  cr_expect_eq(r.d.count, 0, "%zu", r.d.count);
  cr_assert_eq(r.f->nitems, 4);
  const ast_expr *e = r.f->items[0].u.let.binds[0].body;
  size_t n = 0;
  while (e->kind == AST_E_LET) {
    n++;
    e = e->u.let.body;
  }
  cr_expect_eq(n, N);
  e = r.f->items[1].u.let.binds[0].body;
  n = 0;
  while (e->kind == AST_E_IF) {
    n++;
    e = e->u.if_.else_e;
  }
  cr_expect_eq(n, N);
  const ast_type *t = r.f->items[2].u.let.binds[0].type;
  n = 0;
  while (t->kind == AST_T_ARROW) {
    n++;
    t = t->u.arrow.cod;
  }
  cr_expect_eq(n, N);
  const ast_pat *p = r.f->items[3].u.let.binds[0].pat;
  n = 0;
  while (p->kind == AST_P_CONS) {
    n++;
    p = p->u.cons.tail;
  }
  cr_expect_eq(n, N);
  lowered_free(&r);
  free(s);
  free(s2);
  free(s3);
  free(s4);
}

Test(lower_deep, nested_modules_are_bounded) {
  enum { N = 3000 };
  size_t len;
  char *s = repeat("", "module M = struct ", N, "let x = 1", &len);
  char *s2 = repeat(s, " end", N, "\nlet after = 1\n", &len);
  lowered r = lower_n(s2, len);
  cr_expect_eq(count_code(&r.d, LOWER_CODE_TOO_DEEP), 1);
  cr_expect_eq(r.f->nitems, 2);
  cr_expect_eq(r.f->items[1].kind, AST_I_LET);
  lowered_free(&r);
  free(s);
  free(s2);
}

/* ------------------------------------------------------------------------ */
/* A realistic file */

Test(lower, realistic_model) {
  size_t len;
  char *path = tu_source_path("test/data/lower/model.iml");
  char *src = tu_read_file(path, &len);
  free(path);
  cr_assert_not_null(src);
  lowered r = lower_n(src, len);
  size_t nodes = validate(&r);
  cr_expect_gt(nodes, 200, "%zu nodes", nodes);
  cr_expect(!r.f->has_syntax_errors);
  /* Only the program-mode section uses refs and loops: no diagnostics. */
  for (size_t i = 0; i < r.d.count; i++)
    cr_expect_fail("unexpected %s at %u: %s", r.d.items[i].code, r.d.items[i].span.start, r.d.items[i].message);
  size_t lets = 0, theorems = 0, lemmas = 0, verifies = 0, evals = 0, types = 0, imports = 0, modules = 0,
         program = 0, measures = 0;
  for (uint32_t i = 0; i < r.f->nitems; i++) {
    const ast_item *it = &r.f->items[i];
    if (it->program) program++;
    switch (it->kind) {
    case AST_I_LET:
      if (it->u.let.kw == AST_KW_THEOREM) theorems++;
      else if (it->u.let.kw == AST_KW_LEMMA) lemmas++;
      else lets++;
      for (uint32_t b = 0; b < it->u.let.nbinds; b++)
        for (uint32_t a = 0; a < it->u.let.binds[b].nattrs; a++)
          if (it->u.let.binds[b].attrs[a].expr) measures++;
      break;
    case AST_I_EVAL:
      if (it->u.eval.kw == AST_KW_VERIFY) verifies++;
      if (it->u.eval.kw == AST_KW_EVAL) evals++;
      break;
    case AST_I_TYPE: types++; break;
    case AST_I_IMPORT: imports++; break;
    case AST_I_MODULE: modules++; break;
    default: break;
    }
  }
  cr_expect_eq(imports, 2);
  cr_expect_eq(types, 3);
  cr_expect_eq(theorems, 2);
  cr_expect_eq(lemmas, 1);
  cr_expect_eq(verifies, 2);
  cr_expect_eq(evals, 1);
  cr_expect_eq(modules, 1);
  cr_expect_eq(measures, 1);
  cr_expect_eq(lets, 7);
  cr_expect_eq(program, 3); /* [@@@program] and its two items ([@@@logic] ends the section) */
  char *p = ast_print(r.f);
  cr_assert_not_null(p);
  cr_expect(strstr(p, "(theorem (bind (pvar deposit_then_withdraw)") != NULL, "%s", p);
  free(p);
  lowered_free(&r);

  /* Mutations of the model (deleted, duplicated and swapped byte ranges) are
  ** lowered totally: the structure stays valid whatever the recovery. */
  tu_rng rng;
  tu_rng_seed(&rng, 0x5EEDull);
  char *m = malloc(len * 2 + 1);
  cr_assert_not_null(m);
  for (int round = 0; round < 150; round++) {
    memcpy(m, src, len);
    size_t ml = len;
    int edits = 1 + (int)tu_rng_below(&rng, 4);
    for (int k = 0; k < edits; k++) {
      size_t a = tu_rng_below(&rng, ml), b = a + tu_rng_below(&rng, 40);
      if (b > ml) b = ml;
      switch (tu_rng_below(&rng, 3)) {
      case 0: memmove(m + a, m + b, ml - b); ml -= b - a; break;                    /* delete */
      case 1: if (ml + (b - a) <= len * 2) { memmove(m + b + (b - a), m + b, ml - b); ml += b - a; } break; /* duplicate */
      default: if (b > a) m[a] = m[b - 1]; break;                                  /* overwrite a byte */
      }
    }
    lowered mr = lower_n(m, ml);
    validate(&mr);
    char *q = ast_print(mr.f);
    cr_assert_not_null(q, "round %d", round);
    free(q);
    lowered_free(&mr);
  }
  free(m);
  free(src);
}
