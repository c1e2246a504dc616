/*
** test_types.c — type terms (analysis/types.h): unification and its error
** sub-terms, occurs check, levels and generalisation (through a tiny
** lambda-calculus inferencer written here), instantiation, frozen schemes
** (round trip, hash and equality up to renaming, concurrent readers),
** abbreviations, the ERROR type, OCaml-style printing (a corpus of types
** parsed by a small type parser below and printed back) and types nested
** 100,000 deep.
*/
#include <criterion/criterion.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types.h"

/* ------------------------------------------------------------------------
** Fixture: a store and a few user constructors.
*/

typedef struct {
  ty_store *s;
  ty_con *t0;    /* t        (arity 0) */
  ty_con *mt;    /* 'a M.t   (arity 1) */
  ty_con *pair;  /* ('a, 'b) pair */
  ty_con *tree;  /* 'a tree */
} tctx;

static tctx *ctx_new(void) {
  tctx *c = calloc(1, sizeof *c);
  cr_assert_not_null(c);
  c->s = ty_store_create();
  cr_assert_not_null(c->s);
  c->t0 = ty_con_create("t", 0, ty_con_stable_id("test.iml", "t"));
  c->mt = ty_con_create("M.t", 1, ty_con_stable_id("test.iml", "M.t"));
  c->pair = ty_con_create("pair", 2, ty_con_stable_id("test.iml", "pair"));
  c->tree = ty_con_create("tree", 1, ty_con_stable_id("test.iml", "tree"));
  cr_assert(c->t0 && c->mt && c->pair && c->tree);
  return c;
}

static void ctx_free(tctx *c) {
  cr_assert_not(ty_store_failed(c->s));
  ty_store_destroy(c->s);
  ty_con_destroy(c->t0);
  ty_con_destroy(c->mt);
  ty_con_destroy(c->pair);
  ty_con_destroy(c->tree);
  free(c);
}

/* ------------------------------------------------------------------------
** A small parser of OCaml type syntax, to write test types as text.
** Variables `'x` are the same variable within one parser; anonymous unless
** `named` (then `'x` gets the user name "x").
*/

typedef struct {
  tctx *c;
  const char *src, *p;
  bool named;
  uint32_t level;
  struct {
    char name[16];
    ty *v;
  } vars[64];
  int nvars;
} tparse;

static void tp_ws(tparse *tp) {
  while (*tp->p == ' ') tp->p++;
}

static bool tp_idchar(char ch) { return isalnum((unsigned char)ch) || ch == '_' || ch == '.'; }

/* Reads an identifier into buf; returns its length (0 if none). */
static size_t tp_ident(tparse *tp, char *buf, size_t cap) {
  size_t n = 0;
  while (tp_idchar(tp->p[n])) n++;
  cr_assert(n < cap, "identifier too long in %s", tp->src);
  memcpy(buf, tp->p, n);
  buf[n] = 0;
  return n;
}

static const ty_con *tp_con(tparse *tp, const char *name) {
  static const struct {
    const char *n;
    ty_builtin b;
  } bs[] = { { "int", TY_B_INT },       { "bool", TY_B_BOOL },     { "unit", TY_B_UNIT },
             { "real", TY_B_REAL },     { "string", TY_B_STRING }, { "char", TY_B_CHAR },
             { "float", TY_B_FLOAT },   { "list", TY_B_LIST },     { "option", TY_B_OPTION },
             { "result", TY_B_RESULT } };
  for (size_t i = 0; i < sizeof bs / sizeof bs[0]; i++)
    if (strcmp(bs[i].n, name) == 0) return ty_builtin_con(bs[i].b);
  if (strcmp(name, "t") == 0) return tp->c->t0;
  if (strcmp(name, "M.t") == 0) return tp->c->mt;
  if (strcmp(name, "pair") == 0) return tp->c->pair;
  if (strcmp(name, "tree") == 0) return tp->c->tree;
  cr_assert_fail("unknown constructor %s in %s", name, tp->src);
  return NULL;
}

static ty *tp_type(tparse *tp);

static ty *tp_var(tparse *tp, const char *name) {
  for (int i = 0; i < tp->nvars; i++)
    if (strcmp(tp->vars[i].name, name) == 0) return tp->vars[i].v;
  cr_assert(tp->nvars < 64);
  strcpy(tp->vars[tp->nvars].name, name);
  ty *v = tp->named ? ty_new_named_var(tp->c->s, tp->level, name)
                     : ty_new_var(tp->c->s, tp->level);
  tp->vars[tp->nvars++].v = v;
  return v;
}

/* atom con* */
static ty *tp_app(tparse *tp) {
  char id[64];
  ty *args[8];
  uint32_t nargs = 0;
  ty *t = NULL;
  tp_ws(tp);
  if (*tp->p == '(') {
    tp->p++;
    do {
      cr_assert(nargs < 8);
      args[nargs++] = tp_type(tp);
      tp_ws(tp);
    } while (*tp->p == ',' && tp->p++);
    cr_assert_eq(*tp->p, ')', "expected ) at '%s' in %s", tp->p, tp->src);
    tp->p++;
    if (nargs == 1) t = args[0];
  } else if (*tp->p == '\'') {
    tp->p++;
    size_t n = tp_ident(tp, id, sizeof id);
    cr_assert(n > 0);
    tp->p += n;
    t = tp_var(tp, id);
  } else if (*tp->p == '_' && !tp_idchar(tp->p[1])) {
    tp->p++;
    t = ty_error(tp->c->s);
  } else {
    size_t n = tp_ident(tp, id, sizeof id);
    cr_assert(n > 0, "expected a type at '%s' in %s", tp->p, tp->src);
    tp->p += n;
    t = ty_app(tp->c->s, tp_con(tp, id), NULL, 0);
  }
  for (;;) {
    tp_ws(tp);
    size_t n = tp_ident(tp, id, sizeof id);
    if (n == 0 || tp->p[n] == ':') break;
    tp->p += n;
    const ty_con *con = tp_con(tp, id);
    if (t) {
      args[0] = t;
      nargs = 1;
    }
    cr_assert_eq(ty_con_arity(con), nargs, "arity of %s in %s", id, tp->src);
    t = ty_app(tp->c->s, con, args, nargs);
  }
  cr_assert_not_null(t, "dangling (a, b) in %s", tp->src);
  return t;
}

static ty *tp_tuple(tparse *tp) {
  ty *el[16];
  uint32_t n = 0;
  el[n++] = tp_app(tp);
  for (;;) {
    tp_ws(tp);
    if (*tp->p != '*') break;
    tp->p++;
    cr_assert(n < 16);
    el[n++] = tp_app(tp);
  }
  return n == 1 ? el[0] : ty_tuple(tp->c->s, el, n);
}

static ty *tp_type(tparse *tp) {
  char label[64] = "";
  ty_label_kind lk = TY_LBL_NONE;
  tp_ws(tp);
  if (*tp->p == '?') {
    tp->p++;
    lk = TY_LBL_OPTIONAL;
  }
  size_t n = tp_ident(tp, label, sizeof label);
  if (n > 0 && tp->p[n] == ':') {
    tp->p += n + 1;
    if (lk == TY_LBL_NONE) lk = TY_LBL_LABELLED;
  } else {
    cr_assert_eq(lk, TY_LBL_NONE, "? without label in %s", tp->src);
  }
  ty *dom = tp_tuple(tp);
  tp_ws(tp);
  if (tp->p[0] == '-' && tp->p[1] == '>') {
    tp->p += 2;
    ty *cod = tp_type(tp);
    return ty_arrow(tp->c->s, lk, lk ? label : NULL, dom, cod);
  }
  cr_assert_eq(lk, TY_LBL_NONE, "label without arrow in %s", tp->src);
  return dom;
}

static void tp_init(tparse *tp, tctx *c, bool named, uint32_t level) {
  memset(tp, 0, sizeof *tp);
  tp->c = c;
  tp->named = named;
  tp->level = level;
}

/* Parse `src` with the parser's variables (shared across calls). */
static ty *tp_more(tparse *tp, const char *src) {
  tp->src = tp->p = src;
  ty *t = tp_type(tp);
  tp_ws(tp);
  cr_assert_eq(*tp->p, 0, "trailing '%s' in %s", tp->p, src);
  return t;
}

/* Parse with fresh anonymous variables at level 1. */
static ty *T(tctx *c, const char *src) {
  tparse tp;
  tp_init(&tp, c, false, TY_LEVEL_TOP);
  return tp_more(&tp, src);
}

static void assert_prints(const ty *t, const char *want) {
  char *got = ty_to_string(t);
  cr_assert_not_null(got);
  cr_assert_str_eq(got, want);
  free(got);
}

/* Print with printer p and compare. */
static void assert_pprints(ty_printer *p, const ty *t, const char *want) {
  char *got = ty_printer_print(p, t);
  cr_assert_not_null(got);
  cr_assert_str_eq(got, want);
  free(got);
}

/* ------------------------------------------------------------------------
** Printing
*/

/* Types that print back exactly as written (variables in order of first
** appearance, so generated names match). */
static const char *const print_corpus[] = {
  "int",
  "'a",
  "int list",
  "int list list",
  "'a list",
  "int option list",
  "'a option option",
  "(int, string) result",
  "(int list, 'a option) result",
  "(int, string) result list",
  "(int -> int, string) result",
  "(int * int, bool) result",
  "(('a, 'b) result, 'c) result",
  "'a -> 'a",
  "'a -> 'b -> 'a",
  "int -> int -> int",
  "(int -> int) -> int",
  "int -> (int -> int) -> int",
  "((int -> int) -> int) -> int",
  "(int * int -> int) -> int",
  "int -> (int * int -> int) -> int",
  "int * bool",
  "int * bool -> unit",
  "int -> int * bool",
  "'a * 'b -> 'b * 'a",
  "(int * int) list",
  "(int -> int) list",
  "(int * int) * int",
  "int * (int * int)",
  "(int -> int) * int",
  "int * (int -> bool)",
  "(int * bool * string) list",
  "int * bool * string",
  "(int * bool) * string",
  "int * (bool * string)",
  "x:int -> int",
  "x:int -> ?y:int -> int -> int",
  "?x:int -> unit -> int",
  "f:(int -> int) -> int list -> int list",
  "?f:(int -> int) -> unit",
  "x:int * int -> int",
  "x:(int * int) list -> int",
  "(x:int -> int) -> int",
  "(?x:int -> int) list",
  "x:int -> y:int -> z:int -> int",
  "?a:int -> ?b:bool -> unit -> int",
  "x:'a -> 'a",
  "int -> x:int -> int",
  "'a list -> ('a -> 'b) -> 'b list",
  "('a -> 'b -> 'a) -> 'a -> 'b list -> 'a",
  "('a -> 'b) -> ('b -> 'c) -> 'a -> 'c",
  "(('a -> 'b) -> 'c) -> 'd",
  "('a * 'b) list -> 'a list * 'b list",
  "'a list list -> 'a list",
  "('a, 'b) pair -> ('b, 'a) pair",
  "('a, 'a) pair",
  "'a list * 'a list",
  "'a * 'b * 'c * 'd",
  "'a -> 'b -> 'c -> 'd",
  "int M.t",
  "int M.t M.t",
  "(int, bool) pair M.t",
  "(int -> int) M.t",
  "t",
  "t list",
  "t -> t",
  "'a tree -> int",
  "'a tree tree list",
  "unit -> unit",
  "real -> real -> bool",
  "char -> string",
  "float list",
  "(int -> int) option",
  "((int -> int) -> int) option",
  "(int * int) option list",
  "_",
  "_ list",
  "int * _ -> _",
  "(int * int) * (int * int) -> int * int",
  "((int * int) * int) list",
  "(int list -> int) -> (int -> int list) -> int",
  "(int, (int -> int) -> int) result",
  "(int * (int -> int)) list",
};

Test(types_print, corpus_round_trip) {
  tctx *c = ctx_new();
  size_t n = sizeof print_corpus / sizeof print_corpus[0];
  cr_assert_geq(n, 60);
  for (size_t i = 0; i < n; i++) assert_prints(T(c, print_corpus[i]), print_corpus[i]);
  ctx_free(c);
}

/* Types written with redundant parentheses or other variable names print
** in OCaml's canonical form. */
Test(types_print, canonical_forms) {
  tctx *c = ctx_new();
  static const char *const pairs[][2] = {
    { "(int)", "int" },
    { "((int list))", "int list" },
    { "int -> (int -> int)", "int -> int -> int" },
    { "(int * int) -> int", "int * int -> int" },
    { "int -> (int * int)", "int -> int * int" },
    { "'b -> 'a", "'a -> 'b" },
    { "'x -> 'y -> 'x", "'a -> 'b -> 'a" },
    { "x:(int) -> (int)", "x:int -> int" },
    { "(int, (int * int)) result", "(int, int * int) result" },
    { "('z, 'y) pair * 'z", "('a, 'b) pair * 'a" },
  };
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
    assert_prints(T(c, pairs[i][0]), pairs[i][1]);
  ctx_free(c);
}

/* Built by the API rather than the parser. */
Test(types_print, constructed) {
  tctx *c = ctx_new();
  ty_store *s = c->s;
  ty *i = ty_prim(s, TY_B_INT), *b = ty_prim(s, TY_B_BOOL);
  assert_prints(ty_list(s, ty_option(s, i)), "int option list");
  ty *args[2] = { i, ty_prim(s, TY_B_STRING) };
  assert_prints(ty_app(s, ty_builtin_con(TY_B_RESULT), args, 2), "(int, string) result");
  ty *opt = ty_arrow(s, TY_LBL_OPTIONAL, "y", i, i);
  ty *f = ty_arrow(s, TY_LBL_LABELLED, "x", i, opt);
  assert_prints(f, "x:int -> ?y:int -> int");
  /* The optional domain is the type as written, never `int option`. */
  assert_prints(ty_arrow_dom(opt), "int");
  cr_assert_eq(ty_arrow_label_kind(opt), TY_LBL_OPTIONAL);
  cr_assert_str_eq(ty_arrow_label(opt), "y");
  cr_assert_null(ty_arrow_label(ty_fun(s, i, b)));
  ty *el[3] = { i, ty_fun(s, i, b), b };
  assert_prints(ty_tuple(s, el, 3), "int * (int -> bool) * bool");
  assert_prints(ty_prim(s, TY_B_REAL), "real");
  assert_prints(ty_error(s), "_");
  ctx_free(c);
}

Test(types_print, generated_names_past_z) {
  tctx *c = ctx_new();
  ty *el[28];
  for (int k = 0; k < 28; k++) el[k] = ty_new_var(c->s, 1);
  char *got = ty_to_string(ty_tuple(c->s, el, 28));
  cr_assert_str_eq(got, "'a * 'b * 'c * 'd * 'e * 'f * 'g * 'h * 'i * 'j * 'k * 'l * 'm * 'n * "
                        "'o * 'p * 'q * 'r * 's * 't * 'u * 'v * 'w * 'x * 'y * 'z * 'a1 * 'b1");
  free(got);
  ctx_free(c);
}

Test(types_print, user_names) {
  tctx *c = ctx_new();
  tparse tp;
  tp_init(&tp, c, true, 1);
  assert_prints(tp_more(&tp, "'elt list -> 'elt"), "'elt list -> 'elt");
  /* An anonymous variable before a named 'a does not steal its name. */
  ty *anon = ty_new_var(c->s, 1);
  ty *named_a = ty_new_named_var(c->s, 1, "a");
  assert_prints(ty_fun(c->s, anon, named_a), "'b -> 'a");
  /* Two distinct variables both named 'k. */
  ty *k2 = ty_new_named_var(c->s, 1, "k");
  ty *k1 = ty_new_named_var(c->s, 1, "k");
  char *got = ty_to_string(ty_fun(c->s, k1, k2));
  cr_assert(strcmp(got, "'k -> 'k1") == 0 || strcmp(got, "'k1 -> 'k") == 0, "%s", got);
  free(got);
  /* Unifying a named variable with an anonymous one keeps the name. */
  ty *v = ty_new_var(c->s, 1), *w = ty_new_named_var(c->s, 2, "key");
  cr_assert(ty_unify(c->s, v, w, NULL));
  assert_prints(v, "'key");
  ctx_free(c);
}

Test(types_print, shared_names_across_types) {
  tctx *c = ctx_new();
  tparse tp;
  tp_init(&tp, c, false, 1);
  ty *t1 = tp_more(&tp, "'x list");
  ty *t2 = tp_more(&tp, "'y -> 'x");
  ty_printer *p = ty_printer_create();
  assert_pprints(p, t1, "'a list");
  assert_pprints(p, t2, "'b -> 'a");
  /* A later user name that the printer already gave away gets a suffix. */
  ty *named = ty_new_named_var(c->s, 1, "a");
  assert_pprints(p, ty_list(c->s, named), "'a1 list");
  assert_pprints(p, t1, "'a list"); /* stable */
  ty_printer_destroy(p);
  /* A fresh printer starts again. */
  assert_prints(t2, "'a -> 'b");
  ctx_free(c);
}

static const char *namer(void *data, const ty_con *con) {
  return strcmp(ty_con_path(con), "M.t") == 0 ? (const char *)data : NULL;
}

Test(types_print, namer) {
  tctx *c = ctx_new();
  ty_printer *p = ty_printer_create();
  ty_printer_set_namer(p, namer, "t");
  assert_pprints(p, T(c, "int M.t list"), "int t list");
  ty_printer_destroy(p);
  ctx_free(c);
}

Test(types_print, limits) {
  tctx *c = ctx_new();
  ty *t = ty_prim(c->s, TY_B_INT);
  for (int i = 0; i < 100; i++) t = ty_list(c->s, t);
  char *got = ty_to_string(t);
  cr_assert(strncmp(got, "... list", 8) == 0, "%s", got);
  /* 64 levels print, the rest is "..." */
  cr_assert_eq(strlen(got), strlen("...") + 65 * strlen(" list"), "%zu", strlen(got));
  free(got);
  ty_printer *p = ty_printer_create();
  ty_printer_set_limits(p, 1000, 20);
  got = ty_printer_print(p, t);
  cr_assert_leq(strlen(got), 20 + 1 + 3);
  cr_assert(strlen(got) > 3 && strcmp(got + strlen(got) - 3, "...") == 0, "%s", got);
  free(got);
  ty_printer_destroy(p);
  ctx_free(c);
}

/* ------------------------------------------------------------------------
** Unification
*/

static void assert_unify_ok(tctx *c, ty *a, ty *b) {
  ty_unify_error e;
  bool ok = ty_unify(c->s, a, b, &e);
  cr_assert(ok, "unify failed (kind %d)", e.kind);
  cr_assert_eq(e.kind, TY_UERR_NONE);
}

/* Unify two types written in one parser scope, expect failure of `kind`
** with the given printed clash sub-terms (NULL: don't check) and explain
** line (NULL: none). */
static void expect_fail(const char *a, const char *b, ty_uerr_kind kind, const char *left,
                        const char *right, const char *explain) {
  tctx *c = ctx_new();
  tparse tp;
  tp_init(&tp, c, false, 1);
  ty *ta = tp_more(&tp, a), *tb = tp_more(&tp, b);
  ty_unify_error e;
  cr_assert_not(ty_unify(c->s, ta, tb, &e), "%s ~ %s should fail", a, b);
  cr_assert_eq(e.kind, kind, "%s ~ %s: kind %d", a, b, e.kind);
  ty_printer *p = ty_printer_create();
  char *ps = ty_printer_print(p, ta);
  char *qs = ty_printer_print(p, tb);
  if (left) assert_pprints(p, e.left, left);
  if (right) assert_pprints(p, e.right, right);
  char *ex = ty_printer_explain(p, &e);
  if (explain)
    cr_assert_str_eq(ex ? ex : "(null)", explain, "%s ~ %s (printed %s / %s)", a, b, ps, qs);
  else
    cr_assert_null(ex, "unexpected explanation %s", ex);
  free(ex);
  free(ps);
  free(qs);
  ty_printer_destroy(p);
  ctx_free(c);
}

Test(types_unify, successes) {
  tctx *c = ctx_new();
  tparse tp;
  tp_init(&tp, c, false, 1);
  ty *a = tp_more(&tp, "'a list");
  assert_unify_ok(c, a, T(c, "int list"));
  assert_prints(tp_more(&tp, "'a"), "int");
  ty *f = tp_more(&tp, "'f -> 'g");
  assert_unify_ok(c, f, T(c, "int -> bool"));
  assert_prints(f, "int -> bool");
  /* Variables on both sides. */
  ty *l = tp_more(&tp, "'p * 'q * int"), *r = tp_more(&tp, "bool * 'r * 'r");
  assert_unify_ok(c, l, r);
  assert_prints(l, "bool * int * int");
  assert_prints(r, "bool * int * int");
  /* Chains of variables. */
  ty *v1 = ty_new_var(c->s, 1), *v2 = ty_new_var(c->s, 1), *v3 = ty_new_var(c->s, 1);
  assert_unify_ok(c, v1, v2);
  assert_unify_ok(c, v2, v3);
  assert_unify_ok(c, v3, ty_prim(c->s, TY_B_STRING));
  assert_prints(v1, "string");
  cr_assert_eq(ty_kind_of(v1), TY_APP);
  cr_assert_eq(ty_repr(v1), ty_prim(c->s, TY_B_STRING));
  /* Same labels unify. */
  assert_unify_ok(c, T(c, "x:'a -> ?y:int -> 'a"), T(c, "x:bool -> ?y:'b -> bool"));
  /* A type with itself, and structurally equal types. */
  ty *big = T(c, "(int * 'a) list -> ('b, 'c) result");
  assert_unify_ok(c, big, big);
  assert_unify_ok(c, T(c, "(int, bool) pair M.t"), T(c, "(int, bool) pair M.t"));
  ctx_free(c);
}

Test(types_unify, clashes) {
  expect_fail("int list", "bool list", TY_UERR_CLASH, "int", "bool",
              "Type int is not compatible with type bool");
  expect_fail("int", "bool", TY_UERR_CLASH, "int", "bool", NULL);
  expect_fail("bool list", "int list", TY_UERR_CLASH, "bool", "int",
              "Type bool is not compatible with type int");
  expect_fail("int -> int", "int -> bool", TY_UERR_CLASH, "int", "bool",
              "Type int is not compatible with type bool");
  expect_fail("int -> int", "int list", TY_UERR_CLASH, NULL, NULL, NULL);
  expect_fail("int * int", "int * int * int", TY_UERR_CLASH, "int * int", "int * int * int", NULL);
  expect_fail("(int * int) list", "(int * int * int) list", TY_UERR_CLASH, "int * int",
              "int * int * int", "Type int * int is not compatible with type int * int * int");
  expect_fail("int option", "int list", TY_UERR_CLASH, NULL, NULL, NULL);
  expect_fail("t", "int", TY_UERR_CLASH, "t", "int", NULL);
  /* Partial unification shows in the clash: 'a became int first. */
  expect_fail("'a * 'a", "int * bool", TY_UERR_CLASH, "int", "bool",
              "Type int is not compatible with type bool");
  expect_fail("('a, string) result", "(int, bool) result", TY_UERR_CLASH, "string", "bool",
              "Type string is not compatible with type bool");
  /* Left to right: the domain clashes first. */
  expect_fail("int -> int", "bool -> string", TY_UERR_CLASH, "int", "bool",
              "Type int is not compatible with type bool");
}

Test(types_unify, labels) {
  expect_fail("x:int -> int", "y:int -> int", TY_UERR_LABEL, "x:int -> int", "y:int -> int", NULL);
  expect_fail("x:int -> int", "int -> int", TY_UERR_LABEL, NULL, NULL, NULL);
  expect_fail("?x:int -> int", "x:int -> int", TY_UERR_LABEL, NULL, NULL, NULL);
  expect_fail("(x:int -> int) list", "(y:int -> int) list", TY_UERR_LABEL, "x:int -> int",
              "y:int -> int", "Type x:int -> int is not compatible with type y:int -> int");
  expect_fail("int -> ?x:int -> int", "int -> ?y:int -> int", TY_UERR_LABEL, "?x:int -> int",
              "?y:int -> int", "Type ?x:int -> int is not compatible with type ?y:int -> int");
}

Test(types_unify, constructor_identity_is_the_id) {
  tctx *c = ctx_new();
  ty_con *t_again = ty_con_create("t", 0, ty_con_id(c->t0));      /* same type, new object */
  ty_con *t_other = ty_con_create("t", 0, ty_con_stable_id("other.iml", "t"));
  cr_assert(ty_con_same(c->t0, t_again));
  cr_assert_not(ty_con_same(c->t0, t_other));
  assert_unify_ok(c, ty_app(c->s, c->t0, NULL, 0), ty_app(c->s, t_again, NULL, 0));
  ty_unify_error e;
  cr_assert_not(ty_unify(c->s, ty_app(c->s, c->t0, NULL, 0), ty_app(c->s, t_other, NULL, 0), &e));
  cr_assert_eq(e.kind, TY_UERR_CLASH);
  cr_assert(e.at_top);
  /* Stable ids: deterministic, distinct, never a built-in id. */
  cr_assert_eq(ty_con_stable_id("a.iml", "t"), ty_con_stable_id("a.iml", "t"));
  cr_assert_neq(ty_con_stable_id("a.iml", "t"), ty_con_stable_id("b.iml", "t"));
  cr_assert_neq(ty_con_stable_id("ab", "c"), ty_con_stable_id("a", "bc"));
  for (int b = 0; b < TY_B_COUNT; b++) {
    cr_assert_neq(ty_con_id(ty_builtin_con((ty_builtin)b)), ty_con_stable_id("", "int"));
    cr_assert_eq(ty_con_id(ty_builtin_con((ty_builtin)b)), (uint64_t)b + 1);
  }
  cr_assert_str_eq(ty_con_path(ty_builtin_con(TY_B_RESULT)), "result");
  cr_assert_eq(ty_con_arity(ty_builtin_con(TY_B_RESULT)), 2);
  ty_con_destroy(t_again);
  ty_con_destroy(t_other);
  ty_con_destroy(NULL);
  ctx_free(c);
}

Test(types_unify, occurs_check) {
  expect_fail("'a", "'a list", TY_UERR_OCCURS, "'a", "'a list",
              "The type variable 'a occurs inside 'a list");
  expect_fail("'a list", "'a", TY_UERR_OCCURS, "'a", "'a list",
              "The type variable 'a occurs inside 'a list");
  expect_fail("'a -> 'b", "'a", TY_UERR_OCCURS, "'a", "'a -> 'b",
              "The type variable 'a occurs inside 'a -> 'b");
  expect_fail("'a list * int", "'a * int", TY_UERR_OCCURS, "'a", "'a list",
              "The type variable 'a occurs inside 'a list");
  /* Through links: 'a = 'b list, then 'b = 'a. */
  tctx *c = ctx_new();
  ty *a = ty_new_var(c->s, 1), *b = ty_new_var(c->s, 1);
  assert_unify_ok(c, a, ty_list(c->s, b));
  ty_unify_error e;
  cr_assert_not(ty_unify(c->s, b, a, &e));
  cr_assert_eq(e.kind, TY_UERR_OCCURS);
  /* A variable with itself is fine. */
  assert_unify_ok(c, b, b);
  assert_unify_ok(c, ty_list(c->s, b), a);
  ctx_free(c);
}

/* ------------------------------------------------------------------------
** The ERROR type
*/

Test(types_error, absorbs) {
  tctx *c = ctx_new();
  ty_store *s = c->s;
  ty *err = ty_error(s);
  cr_assert_eq(ty_kind_of(err), TY_ERROR);
  cr_assert_eq(ty_error(s), err);
  assert_unify_ok(c, err, T(c, "int list -> bool"));
  assert_unify_ok(c, T(c, "'a * int"), err);
  /* A variable meeting ERROR becomes ERROR and stays silent afterwards. */
  ty *v = ty_new_var(s, 1);
  assert_unify_ok(c, v, err);
  cr_assert_eq(ty_kind_of(v), TY_ERROR);
  assert_unify_ok(c, v, ty_prim(s, TY_B_INT));
  assert_unify_ok(c, v, ty_prim(s, TY_B_BOOL));
  /* Inside a structure only the real clash is reported. */
  tparse tp;
  tp_init(&tp, c, false, 1);
  ty *l = tp_more(&tp, "_ * int"), *r = tp_more(&tp, "bool * bool");
  ty_unify_error e;
  cr_assert_not(ty_unify(s, l, r, &e));
  cr_assert_eq(e.kind, TY_UERR_CLASH);
  assert_prints(e.left, "int");
  assert_prints(e.right, "bool");
  cr_assert(ty_contains_error(s, l));
  cr_assert_not(ty_contains_error(s, r));
  cr_assert(ty_contains_error(s, ty_list(s, ty_fun(s, ty_prim(s, TY_B_INT), v))));
  /* ERROR survives freezing. */
  ty_frozen *f = ty_freeze(s, T(c, "_ list -> 'a"));
  cr_assert_not_null(f);
  char *str = ty_frozen_to_string(f);
  cr_assert_str_eq(str, "_ list -> 'a");
  free(str);
  ty_frozen_destroy(f);
  ctx_free(c);
}

/* ------------------------------------------------------------------------
** Levels, generalisation, instantiation
*/

Test(types_levels, binding_lowers_levels) {
  tctx *c = ctx_new();
  ty_store *s = c->s;
  ty *outer = ty_new_var(s, 1), *inner = ty_new_var(s, 3);
  ty *li = ty_list(s, inner);
  cr_assert_eq(ty_level(li), 3);
  cr_assert_eq(ty_level(ty_list(s, ty_prim(s, TY_B_INT))), TY_LEVEL_GROUND);
  assert_unify_ok(c, outer, li);
  cr_assert_eq(ty_level(inner), 1);
  cr_assert_eq(ty_level(li), 1);
  /* Generalising at level 1 keeps it. */
  ty_generalize(s, li, 1);
  cr_assert_not(ty_is_generic(inner));
  /* Variable-variable: the representative has the lower level. */
  ty *a = ty_new_var(s, 5), *b = ty_new_var(s, 2);
  assert_unify_ok(c, a, b);
  cr_assert_eq(ty_level(a), 2);
  cr_assert_eq(ty_level(b), 2);
  ctx_free(c);
}

Test(types_levels, generalize_and_instantiate) {
  tctx *c = ctx_new();
  ty_store *s = c->s;
  ty *mono = ty_new_var(s, 1), *poly = ty_new_var(s, 2);
  ty *ground = T(c, "int list");
  ty *el[3] = { mono, poly, ground };
  ty *t = ty_fun(s, ty_tuple(s, el, 3), ty_list(s, poly)); /* 'm * 'p * int list -> 'p list */
  ty_generalize(s, t, 1);
  cr_assert(ty_is_generic(t));
  cr_assert(ty_is_generic(poly));
  cr_assert_not(ty_is_generic(mono));
  cr_assert_not(ty_is_generic(ground));
  ty *i1 = ty_instantiate(s, t, 1), *i2 = ty_instantiate(s, t, 1);
  cr_assert_neq(i1, t);
  cr_assert_neq(i1, i2);
  cr_assert_not(ty_is_generic(i1));
  ty *d1 = ty_arrow_dom(i1), *d2 = ty_arrow_dom(i2);
  /* Non-generic parts are shared, generic ones fresh and distinct. */
  cr_assert_eq(ty_repr(ty_tuple_elem(d1, 0)), ty_repr(mono));
  cr_assert_eq(ty_tuple_elem(d1, 2), ground);
  ty *p1 = ty_repr(ty_tuple_elem(d1, 1)), *p2 = ty_repr(ty_tuple_elem(d2, 1));
  cr_assert_neq(p1, ty_repr(poly));
  cr_assert_neq(p1, p2);
  cr_assert_eq(ty_level(p1), 1);
  /* Sharing inside one instance is preserved. */
  cr_assert_eq(ty_repr(ty_app_arg(ty_arrow_cod(i1), 0)), p1);
  /* Instances are independent. */
  assert_unify_ok(c, p1, ty_prim(s, TY_B_INT));
  assert_unify_ok(c, p2, ty_prim(s, TY_B_BOOL));
  assert_prints(i1, "'a * int * int list -> int list");
  assert_prints(i2, "'a * bool * int list -> bool list");
  /* The mono variable is shared: binding it shows in both. */
  assert_unify_ok(c, mono, ty_prim(s, TY_B_UNIT));
  assert_prints(i2, "unit * bool * int list -> bool list");
  /* The scheme itself is untouched. */
  assert_prints(t, "unit * 'a * int list -> 'a list");
  ctx_free(c);
}

Test(types_levels, instantiate_without_generic_nodes_copies_nothing) {
  tctx *c = ctx_new();
  ty *t = T(c, "int list -> (int * bool) option");
  ty_generalize(c->s, t, 0);
  cr_assert_not(ty_is_generic(t)); /* ground: level 0 */
  size_t before = ty_store_nodes(c->s);
  cr_assert_eq(ty_instantiate(c->s, t, 1), t);
  cr_assert_eq(ty_store_nodes(c->s), before);
  /* A scheme with one generic variable copies only the spine above it. */
  ty *u = T(c, "(int * bool) option -> 'a");
  ty_generalize(c->s, u, 0);
  before = ty_store_nodes(c->s);
  ty *iu = ty_instantiate(c->s, u, 1);
  cr_assert_eq(ty_store_nodes(c->s) - before, 2); /* the arrow and the variable */
  cr_assert_eq(ty_arrow_dom(iu), ty_arrow_dom(u));
  ctx_free(c);
}

/* A tiny inferencer (algorithm W with levels) for the classic examples. */
typedef enum { E_VAR, E_INT, E_BOOL, E_LAM, E_APP, E_LET, E_PAIR } ekind;
typedef struct ex {
  ekind k;
  const char *x;
  const struct ex *a, *b;
} ex;
typedef struct env {
  const char *x;
  ty *t;
  const struct env *next;
} env;

static ex *mk(ekind k, const char *x, const ex *a, const ex *b) {
  static ex pool[256];
  static int n;
  cr_assert(n < 256);
  pool[n] = (ex){ k, x, a, b };
  return &pool[n++];
}
#define V(x) mk(E_VAR, x, NULL, NULL)
#define I mk(E_INT, NULL, NULL, NULL)
#define B mk(E_BOOL, NULL, NULL, NULL)
#define LAM(x, e) mk(E_LAM, x, e, NULL)
#define APP(f, a) mk(E_APP, NULL, f, a)
#define LET(x, e1, e2) mk(E_LET, x, e1, e2)
#define PAIR(a, b) mk(E_PAIR, NULL, a, b)

static ty *infer(ty_store *s, const env *g, const ex *e, uint32_t level, ty_unify_error *err) {
  switch (e->k) {
  case E_VAR:
    for (; g; g = g->next)
      if (strcmp(g->x, e->x) == 0) return ty_instantiate(s, g->t, level);
    cr_assert_fail("unbound %s", e->x);
    return NULL;
  case E_INT:
    return ty_prim(s, TY_B_INT);
  case E_BOOL:
    return ty_prim(s, TY_B_BOOL);
  case E_LAM: {
    ty *v = ty_new_var(s, level);
    env g2 = { e->x, v, g };
    ty *body = infer(s, &g2, e->a, level, err);
    return body ? ty_fun(s, v, body) : NULL;
  }
  case E_APP: {
    ty *f = infer(s, g, e->a, level, err);
    ty *a = f ? infer(s, g, e->b, level, err) : NULL;
    if (!a) return NULL;
    ty *r = ty_new_var(s, level);
    return ty_unify(s, f, ty_fun(s, a, r), err) ? r : NULL;
  }
  case E_LET: {
    ty *t1 = infer(s, g, e->a, level + 1, err);
    if (!t1) return NULL;
    ty_generalize(s, t1, level);
    env g2 = { e->x, t1, g };
    return infer(s, &g2, e->b, level, err);
  }
  case E_PAIR: {
    ty *el[2] = { infer(s, g, e->a, level, err), NULL };
    el[1] = el[0] ? infer(s, g, e->b, level, err) : NULL;
    return el[1] ? ty_tuple(s, el, 2) : NULL;
  }
  }
  return NULL;
}

/* Infer a top-level expression (level 1, generalised at 0) and print it;
** or return the explanation of the failure prefixed with "error: ". */
static char *infer_top(const ex *e) {
  ty_store *s = ty_store_create();
  ty_unify_error err;
  ty *t = infer(s, NULL, e, 1, &err);
  char *r;
  if (t) {
    ty_generalize(s, t, 0);
    cr_assert(ty_is_generic(t) || ty_level(t) == TY_LEVEL_GROUND);
    r = ty_to_string(t);
  } else {
    ty_printer *p = ty_printer_create();
    char *x = ty_printer_explain(p, &err);
    char *l = ty_printer_print(p, err.left), *rr = ty_printer_print(p, err.right);
    size_t n = 64 + (x ? strlen(x) : 0) + strlen(l) + strlen(rr);
    r = malloc(n);
    snprintf(r, n, "error %d: %s / %s%s%s", err.kind, l, rr, x ? " / " : "", x ? x : "");
    free(x);
    free(l);
    free(rr);
    ty_printer_destroy(p);
  }
  ty_store_destroy(s);
  return r;
}

static void assert_infers(const ex *e, const char *want) {
  char *got = infer_top(e);
  cr_assert_str_eq(got, want);
  free(got);
}

Test(types_levels, classic_let_polymorphism) {
  /* fun x -> let y = x in y : x's type stays monomorphic inside. */
  assert_infers(LAM("x", LET("y", V("x"), V("y"))), "'a -> 'a");
  assert_infers(LAM("x", LET("y", V("x"), PAIR(APP(V("y"), I), APP(V("y"), B)))),
                "error 1: int / bool / Type int is not compatible with type bool");
  /* let id = fun x -> x in (id 1, id true) generalises. */
  assert_infers(LET("id", LAM("x", V("x")), PAIR(APP(V("id"), I), APP(V("id"), B))), "int * bool");
  /* A lambda-bound function is monomorphic. */
  assert_infers(LAM("f", PAIR(APP(V("f"), I), APP(V("f"), B))),
                "error 1: int / bool / Type int is not compatible with type bool");
  assert_infers(LET("k", LAM("x", LAM("y", V("x"))), V("k")), "'a -> 'b -> 'a");
  /* f is polymorphic in y but not in x. */
  assert_infers(LAM("x", LET("f", LAM("y", V("x")), PAIR(APP(V("f"), I), APP(V("f"), B)))),
                "'a -> 'a * 'a");
  assert_infers(LET("compose", LAM("f", LAM("g", LAM("x", APP(V("f"), APP(V("g"), V("x")))))),
                    V("compose")),
                "('a -> 'b) -> ('c -> 'a) -> 'c -> 'b");
  /* Self-application is a recursive type. */
  assert_infers(LAM("x", APP(V("x"), V("x"))),
                "error 3: 'a / 'a -> 'b / The type variable 'a occurs inside 'a -> 'b");
  /* Nested lets: the inner generalisation does not capture the outer x. */
  assert_infers(LAM("x", LET("p", PAIR(V("x"), V("x")), LET("q", V("p"), V("q")))),
                "'a -> 'a * 'a");
  assert_infers(LET("pair", LAM("a", LAM("b", PAIR(V("a"), V("b")))),
                    PAIR(APP(APP(V("pair"), I), B), APP(APP(V("pair"), B), I))),
                "(int * bool) * (bool * int)");
}

/* ------------------------------------------------------------------------
** Frozen schemes
*/

/* Parse `src` in a temporary store (the constructors of `c`), generalise,
** freeze, and destroy the store: the scheme must not depend on it. */
static ty_frozen *freeze_src(tctx *c, const char *src, bool named) {
  ty_store *keep = c->s;
  c->s = ty_store_create();
  tparse tp;
  tp_init(&tp, c, named, 1);
  ty *t = tp_more(&tp, src);
  ty_generalize(c->s, t, 0);
  ty_frozen *f = ty_freeze(c->s, t);
  cr_assert_not_null(f);
  ty_store_destroy(c->s);
  c->s = keep;
  return f;
}

Test(types_frozen, round_trip) {
  tctx *c = ctx_new();
  size_t n = sizeof print_corpus / sizeof print_corpus[0];
  for (size_t i = 0; i < n; i++) {
    ty *t = T(c, print_corpus[i]);
    ty_generalize(c->s, t, 0);
    ty_frozen *f = ty_freeze(c->s, t);
    cr_assert_not_null(f);
    ty *back = ty_thaw(c->s, f, 1, NULL, 0);
    assert_prints(back, print_corpus[i]);
    cr_assert_not(ty_is_generic(back));
    char *str = ty_frozen_to_string(f);
    cr_assert_str_eq(str, print_corpus[i]);
    free(str);
    /* Re-freezing the thawed type gives an equal scheme. */
    ty_frozen *g = ty_freeze(c->s, back);
    cr_assert(ty_frozen_equal(f, g), "%s", print_corpus[i]);
    cr_assert_eq(ty_frozen_hash(f), ty_frozen_hash(g));
    ty_frozen_destroy(g);
    ty_frozen_destroy(f);
  }
  ctx_free(c);
}

Test(types_frozen, thaw_generic_then_instantiate_and_names) {
  tctx *c = ctx_new();
  tparse tp;
  tp_init(&tp, c, true, 1);
  ty *t = tp_more(&tp, "'key -> 'v list -> ('key * 'v) list");
  ty_frozen *f = ty_freeze(c->s, t);
  cr_assert_eq(ty_frozen_nvars(f), 2);
  ty *g = ty_thaw(c->s, f, TY_LEVEL_GENERIC, NULL, 0);
  cr_assert(ty_is_generic(g));
  ty *i1 = ty_instantiate(c->s, g, 1), *i2 = ty_instantiate(c->s, g, 1);
  cr_assert_neq(ty_repr(ty_arrow_dom(i1)), ty_repr(ty_arrow_dom(i2)));
  assert_prints(i1, "'key -> 'v list -> ('key * 'v) list");
  cr_assert_str_eq(ty_var_name(ty_arrow_dom(i1)), "key");
  /* Thawing twice at a level gives independent fresh variables. */
  ty *a = ty_thaw(c->s, f, 1, NULL, 0), *b = ty_thaw(c->s, f, 1, NULL, 0);
  assert_unify_ok(c, ty_arrow_dom(a), ty_prim(c->s, TY_B_INT));
  assert_prints(b, "'key -> 'v list -> ('key * 'v) list");
  assert_prints(a, "int -> 'v list -> (int * 'v) list");
  ty_frozen_destroy(f);
  ctx_free(c);
}

Test(types_frozen, params_and_args) {
  tctx *c = ctx_new();
  ty_store *s = c->s;
  ty *a = ty_new_var(s, 1), *b = ty_new_var(s, 1), *ph = ty_new_var(s, 1);
  ty *body = ty_tuple(s, (ty *[]){ b, a }, 2);
  ty_frozen *f = ty_freeze_params(s, body, (ty *[]){ a, b, ph }, 3);
  cr_assert_not_null(f);
  cr_assert_eq(ty_frozen_nvars(f), 3); /* the phantom parameter counts */
  ty *t = ty_thaw(s, f, 1, (ty *[]){ ty_prim(s, TY_B_INT), ty_prim(s, TY_B_BOOL) }, 2);
  assert_prints(t, "bool * int");
  /* Order of parameters matters to the scheme. */
  ty_frozen *g = ty_freeze_params(s, body, (ty *[]){ b, a, ph }, 3);
  cr_assert_not(ty_frozen_equal(f, g));
  cr_assert_neq(ty_frozen_hash(f), ty_frozen_hash(g));
  /* Bad parameters. */
  cr_assert_null(ty_freeze_params(s, body, (ty *[]){ a, a }, 2));
  cr_assert_null(ty_freeze_params(s, body, (ty *[]){ ty_prim(s, TY_B_INT) }, 1));
  ty_frozen_destroy(f);
  ty_frozen_destroy(g);
  ty_frozen_destroy(NULL);
  ctx_free(c);
}

/* Each line: types equal up to renaming. Different lines: different types. */
static const char *const hash_classes[][3] = {
  { "'a -> 'b -> 'a", "'x -> 'y -> 'x", "'b -> 'a -> 'b" },
  { "'a -> 'b -> 'b", "'q -> 'p -> 'p", NULL },
  { "'a -> 'a -> 'a", "'z -> 'z -> 'z", NULL },
  { "'a -> 'b -> 'c", NULL, NULL },
  { "int", NULL, NULL },
  { "bool", NULL, NULL },
  { "t", NULL, NULL },
  { "int list", NULL, NULL },
  { "int option", NULL, NULL },
  { "'a list", "'b list", NULL },
  { "'a list * 'a list", "'b list * 'b list", NULL },
  { "'a list * 'b list", NULL, NULL },
  { "x:int -> int", NULL, NULL },
  { "y:int -> int", NULL, NULL },
  { "?x:int -> int", NULL, NULL },
  { "int -> int", NULL, NULL },
  { "int * bool", NULL, NULL },
  { "bool * int", NULL, NULL },
  { "int * bool * int", NULL, NULL },
  { "(int * bool) * int", NULL, NULL },
  { "int * (bool * int)", NULL, NULL },
  { "('a, 'b) result", "('c, 'd) result", NULL },
  { "('a, 'a) result", NULL, NULL },
  { "('a, 'b) pair", NULL, NULL },
  { "'a M.t", NULL, NULL },
  { "'a tree", NULL, NULL },
  { "_", NULL, NULL },
  { "_ list", NULL, NULL },
  { "('a -> 'b) -> 'a list -> 'b list", "('e -> 'f) -> 'e list -> 'f list", NULL },
  { "('a -> 'b) -> 'b list -> 'a list", NULL, NULL },
};

Test(types_frozen, hash_and_equality_up_to_renaming) {
  tctx *c = ctx_new();
  size_t n = sizeof hash_classes / sizeof hash_classes[0];
  ty_frozen *rep[64];
  for (size_t i = 0; i < n; i++) {
    rep[i] = freeze_src(c, hash_classes[i][0], false);
    for (int j = 0; j < 3 && hash_classes[i][j]; j++) {
      for (int named = 0; named < 2; named++) {
        ty_frozen *f = freeze_src(c, hash_classes[i][j], named);
        cr_assert(ty_frozen_equal(rep[i], f), "%s vs %s", hash_classes[i][0], hash_classes[i][j]);
        cr_assert_eq(ty_frozen_hash(rep[i]), ty_frozen_hash(f), "%s", hash_classes[i][j]);
        ty_frozen_destroy(f);
      }
    }
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++) {
      cr_assert_not(ty_frozen_equal(rep[i], rep[j]), "%s vs %s", hash_classes[i][0],
                    hash_classes[j][0]);
      cr_assert_neq(ty_frozen_hash(rep[i]), ty_frozen_hash(rep[j]), "%s vs %s",
                    hash_classes[i][0], hash_classes[j][0]);
    }
  for (size_t i = 0; i < n; i++) ty_frozen_destroy(rep[i]);
  ctx_free(c);
}

Test(types_frozen, hash_ignores_sharing_and_pointers) {
  /* The same scheme built with and without shared nodes, in stores with
  ** different allocation histories. */
  ty_store *s1 = ty_store_create(), *s2 = ty_store_create();
  for (int i = 0; i < 1000; i++) ty_new_var(s2, 1); /* shift s2's addresses */
  ty *a = ty_new_var(s1, 1);
  ty *la = ty_list(s1, a);
  ty *shared = ty_fun(s1, ty_tuple(s1, (ty *[]){ la, la }, 2), la);
  ty *b = ty_new_named_var(s2, 1, "elt");
  ty *unshared = ty_fun(s2, ty_tuple(s2, (ty *[]){ ty_list(s2, b), ty_list(s2, b) }, 2),
                        ty_list(s2, b));
  ty_frozen *f1 = ty_freeze(s1, shared), *f2 = ty_freeze(s2, unshared);
  cr_assert(ty_frozen_equal(f1, f2));
  cr_assert_eq(ty_frozen_hash(f1), ty_frozen_hash(f2));
  cr_assert_eq(ty_frozen_nodes(f1), ty_frozen_nodes(f2));
  cr_assert_eq(ty_frozen_nodes(f1), 4); /* 'a, 'a list, the tuple, the arrow */
  /* Freezing does not depend on the store: destroy both, the schemes stay. */
  ty_store_destroy(s1);
  ty_store_destroy(s2);
  char *p1 = ty_frozen_to_string(f1), *p2 = ty_frozen_to_string(f2);
  cr_assert_str_eq(p1, "'a list * 'a list -> 'a list");
  cr_assert_str_eq(p2, "'elt list * 'elt list -> 'elt list");
  free(p1);
  free(p2);
  ty_frozen_destroy(f1);
  ty_frozen_destroy(f2);
}

typedef struct {
  const ty_frozen *f;
  uint64_t hash;
  bool ok;
} reader_arg;

static void *reader(void *p) {
  reader_arg *r = p;
  r->ok = true;
  for (int i = 0; i < 200; i++) {
    ty_store *s = ty_store_create();
    ty *t = ty_thaw(s, r->f, 1, NULL, 0);
    ty_frozen *g = ty_freeze(s, t);
    if (!g || !ty_frozen_equal(r->f, g) || ty_frozen_hash(g) != r->hash) r->ok = false;
    char *str = ty_frozen_to_string(r->f);
    if (!str || strcmp(str, "('a -> 'b) -> 'a list -> 'b list") != 0) r->ok = false;
    free(str);
    ty_frozen_destroy(g);
    ty_store_destroy(s);
  }
  return NULL;
}

Test(types_frozen, concurrent_readers) {
  tctx *c = ctx_new();
  ty_frozen *f = freeze_src(c, "('a -> 'b) -> 'a list -> 'b list", false);
  reader_arg args[4];
  pthread_t th[4];
  for (int i = 0; i < 4; i++) {
    args[i] = (reader_arg){ f, ty_frozen_hash(f), false };
    cr_assert_eq(pthread_create(&th[i], NULL, reader, &args[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(th[i], NULL);
    cr_assert(args[i].ok, "reader %d", i);
  }
  ty_frozen_destroy(f);
  ctx_free(c);
}

/* ------------------------------------------------------------------------
** Abbreviations
*/

Test(types_abbrev, expansion_in_unification) {
  tctx *c = ctx_new();
  ty_store *s = c->s;
  /* type ilist = int list */
  ty_con *ilist = ty_con_create("ilist", 0, ty_con_stable_id("t.iml", "ilist"));
  ty_con_set_manifest(ilist, ty_freeze(s, T(c, "int list")));
  /* type 'a seq = 'a list */
  ty_con *seq = ty_con_create("seq", 1, ty_con_stable_id("t.iml", "seq"));
  ty *p = ty_new_var(s, 1);
  ty_con_set_manifest(seq, ty_freeze_params(s, ty_list(s, p), &p, 1));
  /* type 'a ph = int (phantom) */
  ty_con *ph = ty_con_create("ph", 1, ty_con_stable_id("t.iml", "ph"));
  ty *q = ty_new_var(s, 1);
  ty_con_set_manifest(ph, ty_freeze_params(s, ty_prim(s, TY_B_INT), &q, 1));
  cr_assert_not_null(ty_con_manifest(ph));

  ty *il = ty_app(s, ilist, NULL, 0);
  assert_prints(il, "ilist");
  assert_unify_ok(c, il, T(c, "int list"));
  assert_unify_ok(c, T(c, "'a list"), il);
  ty_unify_error e;
  cr_assert_not(ty_unify(s, il, T(c, "bool list"), &e));
  cr_assert_eq(e.kind, TY_UERR_CLASH);
  assert_prints(e.left, "int");
  assert_prints(e.right, "bool");

  ty *v = ty_new_var(s, 1);
  ty *iseq = ty_app(s, seq, (ty *[]){ ty_prim(s, TY_B_INT) }, 1);
  assert_prints(iseq, "int seq");
  assert_unify_ok(c, iseq, ty_list(s, v));
  assert_prints(v, "int");
  assert_prints(ty_expand_head(s, iseq), "int list");
  assert_unify_ok(c, iseq, il);

  /* Phantom parameter: int ph = bool ph, and 'a ~ 'a ph is no recursion. */
  ty *iph = ty_app(s, ph, (ty *[]){ ty_prim(s, TY_B_INT) }, 1);
  ty *bph = ty_app(s, ph, (ty *[]){ ty_prim(s, TY_B_BOOL) }, 1);
  assert_unify_ok(c, iph, bph);
  ty *w = ty_new_var(s, 1);
  assert_unify_ok(c, w, ty_app(s, ph, &w, 1));
  assert_prints(w, "int");
  /* But 'a ~ 'a seq is. */
  ty *z = ty_new_var(s, 1);
  cr_assert_not(ty_unify(s, z, ty_app(s, seq, &z, 1), &e));
  cr_assert_eq(e.kind, TY_UERR_OCCURS);

  /* A cyclic abbreviation does not hang. */
  ty_con *cyc = ty_con_create("cyc", 0, ty_con_stable_id("t.iml", "cyc"));
  ty_con_set_manifest(cyc, ty_freeze(s, ty_app(s, cyc, NULL, 0)));
  cr_assert_not(ty_unify(s, ty_app(s, cyc, NULL, 0), ty_prim(s, TY_B_INT), &e));
  cr_assert_eq(e.kind, TY_UERR_CLASH);
  cr_assert_eq(ty_kind_of(ty_expand_head(s, ty_app(s, cyc, NULL, 0))), TY_APP);

  ctx_free(c);
  ty_con_destroy(ilist);
  ty_con_destroy(seq);
  ty_con_destroy(ph);
  ty_con_destroy(cyc);
}

/* ------------------------------------------------------------------------
** Deep types: nothing recursive on the C stack.
*/

#define DEEP 100000

static ty *deep_list(ty_store *s, ty *leaf) {
  for (int i = 0; i < DEEP; i++) leaf = ty_list(s, leaf);
  return leaf;
}

Test(types_deep, lists) {
  ty_store *s = ty_store_create();
  ty *v = ty_new_var(s, 2);
  ty *a = deep_list(s, v), *b = deep_list(s, ty_prim(s, TY_B_INT));
  ty_unify_error e;
  /* Occurs check at depth. */
  cr_assert_not(ty_unify(s, v, a, &e));
  cr_assert_eq(e.kind, TY_UERR_OCCURS);
  /* Freeze / thaw / hash of two separately built deep types. */
  ty *w = ty_new_var(s, 2);
  ty *a2 = deep_list(s, w);
  ty_frozen *f1 = ty_freeze(s, a), *f2 = ty_freeze(s, a2);
  cr_assert_not_null(f1);
  cr_assert(ty_frozen_equal(f1, f2));
  cr_assert_eq(ty_frozen_hash(f1), ty_frozen_hash(f2));
  cr_assert_eq(ty_frozen_nodes(f1), DEEP + 1);
  ty *back = ty_thaw(s, f1, 1, NULL, 0);
  /* Generalise and instantiate at depth. */
  ty_generalize(s, a2, 1);
  cr_assert(ty_is_generic(a2));
  ty *inst = ty_instantiate(s, a2, 1);
  cr_assert_not(ty_is_generic(inst));
  /* Unification at depth, level updates included. */
  cr_assert(ty_unify(s, a, b, &e));
  cr_assert_eq(ty_repr(v), ty_prim(s, TY_B_INT));
  cr_assert(ty_unify(s, back, inst, &e));
  cr_assert(ty_unify(s, inst, b, &e));
  cr_assert_not(ty_contains_error(s, inst));
  /* Printing is bounded. */
  char *str = ty_to_string(b);
  cr_assert_leq(strlen(str), TY_PRINT_DEFAULT_CHARS + 8);
  cr_assert(strncmp(str, "... list list", 13) == 0, "%.40s", str);
  free(str);
  ty_printer *p = ty_printer_create();
  ty_printer_set_limits(p, 100000, 100);
  str = ty_printer_print(p, b);
  cr_assert_leq(strlen(str), 104);
  cr_assert_str_eq(str + strlen(str) - 3, "...");
  free(str);
  ty_printer_destroy(p);
  ty_frozen_destroy(f1);
  ty_frozen_destroy(f2);
  cr_assert_not(ty_store_failed(s));
  ty_store_destroy(s);
}

Test(types_deep, arrows_and_tuples) {
  ty_store *s = ty_store_create();
  ty *i = ty_prim(s, TY_B_INT);
  ty *v = ty_new_var(s, 1);
  ty *arr = v, *arr2 = i, *tup = v, *tup2 = i;
  for (int k = 0; k < DEEP; k++) {
    arr = ty_fun(s, i, arr);
    arr2 = ty_fun(s, i, arr2);
    tup = ty_tuple(s, (ty *[]){ tup, i }, 2);
    tup2 = ty_tuple(s, (ty *[]){ tup2, i }, 2);
  }
  ty *e = ty_error(s);
  ty *witherr = ty_fun(s, i, e);
  for (int k = 0; k < DEEP; k++) witherr = ty_list(s, witherr);
  cr_assert(ty_contains_error(s, witherr));
  char *str = ty_to_string(arr);
  cr_assert(strncmp(str, "int -> int -> ", 14) == 0);
  cr_assert_leq(strlen(str), TY_PRINT_DEFAULT_CHARS + 8);
  free(str);
  str = ty_to_string(tup);
  cr_assert_leq(strlen(str), TY_PRINT_DEFAULT_CHARS + 8);
  free(str);
  ty_unify_error err;
  cr_assert(ty_unify(s, arr, arr2, &err));
  cr_assert(ty_unify(s, tup, tup2, &err));
  ty_generalize(s, arr, 0);
  ty_frozen *f = ty_freeze(s, tup);
  cr_assert_not_null(f);
  ty_frozen_destroy(f);
  cr_assert_not(ty_store_failed(s));
  ty_store_destroy(s);
}
