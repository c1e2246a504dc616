/*
** test_grammar.c — tests for the IML syntax layer (grammar/iml_grammar.c):
** the corpus in test/data/grammar parses without ERROR nodes (tactic payloads
** excepted, where errors must stay inside the attribute), exact views,
** offsets mapping 1:1 to the user's text, the extra view edits, and a
** randomized incremental-vs-fresh parse comparison (seed printed on failure).
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iml_grammar.h"
#include "testutil.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

static const char *const corpus_files[] = {
    "imports.iml", "types.iml",    "lets.iml", "specs.iml",        "statements.iml",
    "modules.iml", "patterns.iml", "exprs.iml", "tactics.iml",     "repl.iml",
    "ocaml_idents.iml",
};
#define N_CORPUS (sizeof corpus_files / sizeof corpus_files[0])

static char *read_corpus(const char *name, size_t *len) {
  char rel[256];
  snprintf(rel, sizeof rel, "test/data/grammar/%s", name);
  char *path = tu_source_path(rel);
  cr_assert_not_null(path);
  char *t = tu_read_file(path, len);
  cr_assert_not_null(t, "cannot read %s", path);
  free(path);
  return t;
}

static char *view_of(const char *s) {
  char *v = imlg_view_dup(s, strlen(s));
  cr_assert_not_null(v);
  return v;
}

/* The view of s must be exactly `want`. */
static void expect_view(const char *s, const char *want) {
  cr_assert_eq(strlen(s), strlen(want), "bad test: lengths differ for %s", s);
  char *v = view_of(s);
  cr_expect_str_eq(v, want, "view of [%s]\n  got  [%s]\n  want [%s]", s, v, want);
  free(v);
}

static void expect_unchanged(const char *s) { expect_view(s, s); }

static TSTree *parse(TSParser *p, const char *text, size_t len) {
  TSTree *t = imlg_parse(p, NULL, text, NULL, len);
  cr_assert_not_null(t);
  return t;
}

static TSParser *new_parser(void) {
  TSParser *p = ts_parser_new();
  cr_assert_not_null(p);
  cr_assert(ts_parser_set_language(p, imlg_language()));
  return p;
}

/* Counts ERROR/MISSING nodes; those inside attribute payloads separately.
** Iterative walk with a cursor (trees can be deep). */
static void count_errors(TSNode root, int *user, int *in_attr, const char *text, const char *file,
                         bool log) {
  TSTreeCursor c = ts_tree_cursor_new(root);
  *user = *in_attr = 0;
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&c);
    bool err = strcmp(ts_node_type(n), "ERROR") == 0 || ts_node_is_missing(n);
    if (err) {
      if (imlg_in_attribute_payload(n)) {
        (*in_attr)++;
      } else {
        TSPoint pt = ts_node_start_point(n);
        uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
        if (log)
          cr_log_error("%s:%u:%u: %s [%.*s]", file, pt.row + 1, pt.column + 1, ts_node_type(n),
                     (int)(e - s > 60 ? 60 : e - s), text + s);
        (*user)++;
      }
    }
    if (!err && ts_tree_cursor_goto_first_child(&c)) continue;
    while (!ts_tree_cursor_goto_next_sibling(&c)) {
      if (!ts_tree_cursor_goto_parent(&c)) {
        ts_tree_cursor_delete(&c);
        return;
      }
    }
  }
}

/* ------------------------------------------------------------------------ */
/* Corpus                                                                    */

Test(grammar, corpus_parses_without_errors) {
  TSParser *p = new_parser();
  for (size_t i = 0; i < N_CORPUS; i++) {
    size_t len;
    char *t = read_corpus(corpus_files[i], &len);
    TSTree *tree = parse(p, t, len);
    int user, in_attr;
    count_errors(ts_tree_root_node(tree), &user, &in_attr, t, corpus_files[i], true);
    cr_expect_eq(user, 0, "%s: %d syntax errors outside attribute payloads", corpus_files[i], user);
    if (strcmp(corpus_files[i], "tactics.iml") == 0)
      cr_expect_gt(in_attr, 0, "tactics.iml should exercise non-OCaml tactic syntax");
    else
      cr_expect_eq(in_attr, 0, "%s: unexpected errors in payloads", corpus_files[i]);
    ts_tree_delete(tree);
    free(t);
  }
  ts_parser_delete(p);
}

/* The bundled examples: valid files parse cleanly, the broken ones have
** syntax errors outside attribute payloads. */
Test(grammar, examples_parse) {
  static const char *const good[] = {"list_utils.iml", "geometry.iml", "bank.iml",
                                     "traffic_light.iml", "main.iml"};
  static const char *const bad[] = {"broken/missing_paren.iml", "broken/bad_match.iml"};
  TSParser *p = new_parser();
  for (size_t i = 0; i < sizeof good / sizeof good[0] + sizeof bad / sizeof bad[0]; i++) {
    bool is_good = i < sizeof good / sizeof good[0];
    const char *name = is_good ? good[i] : bad[i - sizeof good / sizeof good[0]];
    char rel[256];
    snprintf(rel, sizeof rel, "examples/%s", name);
    char *path = tu_source_path(rel);
    size_t len;
    char *t = tu_read_file(path, &len);
    cr_assert_not_null(t, "cannot read %s", path);
    TSTree *tree = parse(p, t, len);
    int user, in_attr;
    count_errors(ts_tree_root_node(tree), &user, &in_attr, t, name, is_good);
    if (is_good)
      cr_expect_eq(user + in_attr, 0, "%s should parse cleanly", name);
    else
      cr_expect_gt(user, 0, "%s should have syntax errors", name);
    ts_tree_delete(tree);
    free(t);
    free(path);
  }
  ts_parser_delete(p);
}

/* Every item of tactics.iml stays a separate item despite the tactic
** errors: the errors never swallow the following theorem. */
Test(grammar, tactic_errors_stay_in_their_item) {
  size_t len;
  char *t = read_corpus("tactics.iml", &len);
  TSParser *p = new_parser();
  TSTree *tree = parse(p, t, len);
  TSNode root = ts_tree_root_node(tree);
  int defs = 0, exprs = 0;
  for (uint32_t i = 0; i < ts_node_named_child_count(root); i++) {
    TSNode c = ts_node_named_child(root, i);
    const char *ty = ts_node_type(c);
    if (strcmp(ty, "value_definition") == 0) {
      defs++;
      /* Each definition starts at a keyword or at "let". */
      uint32_t s = ts_node_start_byte(c);
      cr_expect(imlg_keyword_at(t, len, s) || strncmp(t + s, "let", 3) == 0);
    } else if (strcmp(ty, "expression_item") == 0) {
      exprs++;
    } else {
      cr_expect(strcmp(ty, "comment") == 0, "unexpected top-level %s", ty);
    }
  }
  cr_expect_eq(defs, 12); /* f, t1..t9, t10, after */
  cr_expect_eq(exprs, 1); /* verify */
  ts_tree_delete(tree);
  ts_parser_delete(p);
  free(t);
}

Test(grammar, ordinary_ocaml_identifiers_untouched) {
  size_t len;
  char *t = read_corpus("ocaml_idents.iml", &len);
  char *v = imlg_view_dup(t, len);
  cr_assert_not_null(v);
  for (size_t i = 0; i < len; i++)
    cr_assert_eq(v[i], t[i], "view changed byte %zu of ocaml_idents.iml", i);
  free(v);
  free(t);
}

Test(grammar, view_invariants_on_corpus) {
  for (size_t f = 0; f < N_CORPUS; f++) {
    size_t len;
    char *t = read_corpus(corpus_files[f], &len);
    char *v = imlg_view_dup(t, len);
    cr_assert_not_null(v);
    cr_assert_eq(v[len], '\0');
    for (size_t i = 0; i < len; i++) {
      if (t[i] == '\n' || t[i] == '\r') cr_assert_eq(v[i], t[i]);
      if (v[i] != t[i]) cr_assert(v[i] == ' ' || v[i] == ';' || v[i] == 'l' || v[i] == 'e' || v[i] == 't');
      /* keyword_at and keyword_at_view agree on every offset */
      const char *a = imlg_keyword_at_view(t, v, len, i);
      if (a || (i == 0 || t[i - 1] == '\n' || t[i - 1] == ' ')) {
        const char *b = imlg_keyword_at(t, len, i);
        cr_assert_eq(a, b, "%s:%zu: keyword_at %s vs keyword_at_view %s", corpus_files[f], i,
                     b ? b : "NULL", a ? a : "NULL");
      }
    }
    free(v);
    free(t);
  }
}

/* ------------------------------------------------------------------------ */
/* Exact views                                                               */

Test(grammar, view_keywords) {
  expect_view("theorem foo x = x > 0\n", "let     foo x = x > 0\n");
  expect_view("lemma foo = true", "let   foo = true");
  expect_view("axiom foo = true", "let   foo = true");
  expect_view("verify (fun x -> x)", ";;     (fun x -> x)");
  expect_view("instance (fun x -> x)", ";;       (fun x -> x)");
  expect_view("eval (f 1)", ";;   (f 1)");
  expect_view("test (fun () -> true)", ";;   (fun () -> true)");
  expect_view("qcheck f", ";;     f");
  expect_view("let a = 1\ntheorem t = a = 1\n", "let a = 1\nlet     t = a = 1\n");
  expect_view("  verify f\n", "  ;;     f\n");
  expect_view("let a = 1;; eval a", "let a = 1;; ;;   a");
  expect_view("let a = 2.\ntheorem t = a = 2.", "let a = 2.\nlet     t = a = 2.");
  expect_view("let a = 1e-3\neval a", "let a = 1e-3\n;;   a");
  expect_view("module M = struct theorem t = true end", "module M = struct let     t = true end");
  expect_view("let a = \"s\"\nverify a", "let a = \"s\"\n;;     a");
  expect_view("x [@@by auto]\nverify a", "x [@@by auto]\n;;     a");
  expect_view("(* c *) verify a", "(* c *) ;;     a");
  expect_view("let x = 1 (* c\n *) verify a", "let x = 1 (* c\n *) ;;     a");
  expect_view("verify", ";;    ");
  expect_view("eval\n", ";;  \n");
  expect_view("type t = A\r\ntheorem t = true\r\n", "type t = A\r\nlet     t = true\r\n");
  expect_view("let é = 1\nverify é", "let é = 1\n;;     é");
  /* Column 0 starts an item even after an unfinished expression. */
  expect_view("theorem t = a >\nverify f", "let     t = a >\n;;     f");
  expect_view("let x = a in\ntheorem t = true", "let x = a in\nlet     t = true");
  expect_view("let x = (\n(* c *)\neval f", "let x = (\n(* c *)\n;;   f");
}

Test(grammar, view_not_whole_words) {
  expect_unchanged("theorems x = 1");
  expect_unchanged("lemma' x = 1");
  expect_unchanged("evaluate x");
  expect_unchanged("test_x 1");
  expect_unchanged("x_test 1");
  expect_unchanged("testé 1");
  expect_unchanged("M.eval x");
  expect_unchanged("f ~test:1");
  expect_unchanged("f ?eval x");
  expect_unchanged("r.test");
  expect_unchanged("`test");
  expect_unchanged("type 'test t");
  expect_unchanged("o#eval");
}

Test(grammar, view_identifier_positions) {
  expect_unchanged("let x = test y");
  expect_unchanged("let x =\n  test y");
  expect_unchanged("let f test =\n  test\n  + 1");
  expect_unchanged("let r = {\n  test = 1;\n  eval = 2 }");
  expect_unchanged("type r = {\n  test : int }");
  expect_unchanged("type r =\n  { eval : int\n  ; test : int }");
  expect_unchanged("match x with\n| A ->\n  eval e");
  expect_unchanged("if c then\n  test\nelse\n  eval");
  expect_unchanged("let a = b in\n  test");
  expect_unchanged("f (\ntest)");
  expect_unchanged("[\ntest;\neval]");
  expect_unchanged("a;\n  test");
  expect_unchanged("x |>\n  test");
  expect_unchanged("fun\ninstance -> instance");
  expect_unchanged("let f eval =\n  eval x");
  expect_unchanged("let f x = x +\n  test");
  expect_unchanged("let x = 1\ntest.field");
  expect_unchanged("let x = 1\ntest := 2");
  expect_unchanged("let x = 1\neval -> 2");
  expect_unchanged("let x = 1\neval != 2");
  expect_unchanged("let x = 1\ntest, y");
  expect_unchanged("let x = 1\ntest\n  |> f");
  expect_unchanged("let x =\n  (* comment *)\n  eval y");
  expect_unchanged("let\ntheorem = 1");
}

Test(grammar, view_comments_strings_chars) {
  expect_unchanged("(* theorem t = true *)");
  expect_unchanged("(* (* nested *) theorem *) ");
  expect_unchanged("(* \"*)\" theorem *)");
  expect_unchanged("(* {|*)|} theorem *)");
  expect_unchanged("(* {id|*)|id} theorem *)");
  expect_unchanged("(* {%ext id|*)|id} theorem *)");
  expect_unchanged("(* don't theorem *)");
  expect_unchanged("(* unterminated\ntheorem t = true");
  expect_view("(* '\"' *)\ntheorem t = true", "(* '\"' *)\nlet     t = true");
  expect_view("(* a *)(* b *)\nverify f", "(* a *)(* b *)\n;;     f");
  expect_unchanged("let s = \"\ntheorem t = true\"");
  expect_unchanged("let s = \"\\\"\ntheorem t = true\"");
  expect_view("let s = \"\\\\\"\ntheorem t = true", "let s = \"\\\\\"\nlet     t = true");
  expect_unchanged("let s = {|\ntheorem t|}");
  expect_unchanged("let s = {id|\n|}\ntheorem t|id}");
  expect_view("let s = {id|x|id}\ntheorem t = 1", "let s = {id|x|id}\nlet     t = 1");
  expect_unchanged("let s = {%ext|\ntheorem t|}");
  expect_unchanged("let s = {%ext.sub id|\nverify t|id}");
  /* Character literals: a '"' must not open a string, '(' must not open
  ** a comment; 'a is a type variable. */
  expect_view("let c = '\"'\ntheorem t = true", "let c = '\"'\nlet     t = true");
  expect_view("let c = '\\''\ntheorem t = true", "let c = '\\''\nlet     t = true");
  expect_view("let c = '\\\\'\nverify f", "let c = '\\\\'\n;;     f");
  expect_view("let c = '('\nverify f", "let c = '('\n;;     f");
  expect_view("let c = '\\065'\nverify f", "let c = '\\065'\n;;     f");
  expect_view("let c = '\\x41'\nverify f", "let c = '\\x41'\n;;     f");
  expect_view("let c = 'é'\nverify f", "let c = 'é'\n;;     f");
  expect_view("type 'a t = 'a list\ntheorem t = true", "type 'a t = 'a list\nlet     t = true");
  expect_view("let f (x : 'a) = \"\"\nverify f", "let f (x : 'a) = \"\"\n;;     f");
  expect_view("let x' = 1\nverify f", "let x' = 1\n;;     f");
}

Test(grammar, view_directives) {
  expect_view(":redef on\nlet x = 1", "         \nlet x = 1");
  expect_view(":redef on\r\nlet x = 1", "         \r\nlet x = 1");
  expect_view("  :program\ntheorem t = true", "          \nlet     t = true");
  expect_view(":disable f (* x\nverify y", "               \n;;     y");
  expect_view("let x = 1\n:redef", "let x = 1\n      ");
  expect_unchanged("x\n:: xs");
  expect_unchanged("x\n  :: xs");
  expect_unchanged("let w = (x\n  : int)");
  expect_unchanged("x :redef");
  expect_unchanged("(*\n:redef on\n*)");
  expect_unchanged("let s = \"\n:redef on\n\"");
  expect_unchanged("let s = {|\n:redef on\n|}");
}

Test(grammar, view_edge_cases) {
  char out[1] = {'z'};
  imlg_view("", 0, out);
  cr_expect_eq(out[0], 'z');
  char *v = imlg_view_dup("", 0);
  cr_assert_not_null(v);
  cr_expect_eq(v[0], '\0');
  free(v);
  /* Lone or unterminated lexemes at the end of the text. */
  expect_unchanged("'");
  expect_unchanged("'\\");
  expect_unchanged("\"");
  expect_unchanged("\"\\");
  expect_unchanged("(*");
  expect_unchanged("{|");
  expect_unchanged("{%");
  expect_unchanged(":");
  expect_unchanged("1.");
  expect_unchanged("1e");
  /* Embedded NUL bytes are just bytes. */
  const char s[] = "let x = 1\0\nverify x";
  char o[sizeof s - 1];
  imlg_view(s, sizeof s - 1, o);
  cr_expect_eq(memcmp(o, "let x = 1\0\n;;     x", sizeof s - 1), 0);
}

/* ------------------------------------------------------------------------ */
/* Offsets and keywords                                                      */

Test(grammar, offsets_map_to_user_text) {
  const char *t =
      "let a = 1\n"
      "theorem t1 x = x + a > x [@@by auto]\n"
      "verify (fun x -> x = x)\n"
      "lemma l1 = true\n";
  size_t len = strlen(t);
  TSParser *p = new_parser();
  TSTree *tree = parse(p, t, len);
  TSNode root = ts_tree_root_node(tree);
  cr_assert_not(ts_node_has_error(root));

  TSNode thm = ts_node_named_child(root, 1);
  cr_assert_str_eq(ts_node_type(thm), "value_definition");
  size_t thm_at = (size_t)(strstr(t, "theorem") - t);
  cr_expect_eq(ts_node_start_byte(thm), thm_at);
  cr_expect_str_eq(imlg_keyword_at(t, len, thm_at), "theorem");
  TSNode lb = ts_node_named_child(thm, 0);
  cr_assert_str_eq(ts_node_type(lb), "let_binding");
  cr_expect_eq(ts_node_start_byte(lb), (uint32_t)(strstr(t, "t1 x") - t));
  TSNode name = ts_node_child_by_field_name(lb, "pattern", 7);
  cr_assert_not(ts_node_is_null(name));
  cr_expect_eq(strncmp(t + ts_node_start_byte(name), "t1", 2), 0);
  cr_expect_eq(ts_node_start_point(lb).row, 1);
  cr_expect_eq(ts_node_start_point(lb).column, 8);

  /* `verify` became ";;": the anonymous ";;" token sits on the keyword. */
  size_t ver_at = (size_t)(strstr(t, "verify") - t);
  TSNode semi = ts_node_descendant_for_byte_range(root, (uint32_t)ver_at, (uint32_t)ver_at + 1);
  cr_expect_str_eq(ts_node_type(semi), ";;");
  cr_expect_eq(ts_node_start_byte(semi), ver_at);
  cr_expect_str_eq(imlg_keyword_at(t, len, ver_at), "verify");
  TSNode item = ts_node_next_named_sibling(semi);
  cr_expect_str_eq(ts_node_type(item), "expression_item");
  cr_expect_eq(t[ts_node_start_byte(item)], '(');

  size_t lem_at = (size_t)(strstr(t, "lemma") - t);
  cr_expect_str_eq(imlg_keyword_at(t, len, lem_at), "lemma");
  cr_expect_null(imlg_keyword_at(t, len, 0));     /* "let" */
  cr_expect_null(imlg_keyword_at(t, len, thm_at + 1));
  cr_expect_null(imlg_keyword_at(t, len, len));
  ts_tree_delete(tree);
  ts_parser_delete(p);
}

Test(grammar, keyword_at_only_where_substituted) {
  const char *t = "(* theorem *) let x = test y\nlet f test =\n  test\ntest 1\n";
  size_t len = strlen(t);
  char *v = view_of(t);
  for (size_t i = 0; i < len; i++) {
    const char *k = imlg_keyword_at(t, len, i);
    cr_expect_eq(k, imlg_keyword_at_view(t, v, len, i));
    bool last = i == (size_t)(strstr(t, "\ntest 1") - t) + 1;
    if (last) cr_expect_str_eq(k, "test");
    else cr_expect_null(k, "offset %zu", i);
  }
  free(v);
  /* A blanked directive line is no substitution. */
  t = ":disable test\n:x ~test:1\ntest 1";
  len = strlen(t);
  v = view_of(t);
  for (size_t i = 0; i < len; i++)
    cr_expect_eq(imlg_keyword_at(t, len, i), imlg_keyword_at_view(t, v, len, i), "offset %zu", i);
  cr_expect_null(imlg_keyword_at_view(t, v, len, 9));
  cr_expect_str_eq(imlg_keyword_at_view(t, v, len, len - 6), "test");
  free(v);
}

Test(grammar, attribute_payload_detection) {
  const char *t = "theorem t x = f x [@@by [%use foo x] @> auto]\nlet g = (x [@trigger])\n";
  size_t len = strlen(t);
  TSParser *p = new_parser();
  TSTree *tree = parse(p, t, len);
  TSNode root = ts_tree_root_node(tree);
  uint32_t use = (uint32_t)(strstr(t, "foo") - t);
  cr_expect(imlg_in_attribute_payload(ts_node_descendant_for_byte_range(root, use, use + 3)));
  uint32_t aut = (uint32_t)(strstr(t, "auto") - t);
  cr_expect(imlg_in_attribute_payload(ts_node_descendant_for_byte_range(root, aut, aut + 4)));
  uint32_t trig = (uint32_t)(strstr(t, "trigger") - t);
  cr_expect(imlg_in_attribute_payload(ts_node_descendant_for_byte_range(root, trig, trig + 3)));
  uint32_t fx = (uint32_t)(strstr(t, "f x") - t);
  cr_expect_not(imlg_in_attribute_payload(ts_node_descendant_for_byte_range(root, fx, fx + 1)));
  cr_expect_not(imlg_in_attribute_payload(root));
  cr_expect_not(imlg_in_attribute_payload(ts_node_parent(root))); /* null node */
  ts_tree_delete(tree);
  ts_parser_delete(p);
}

/* ------------------------------------------------------------------------ */
/* Edits and incremental parsing                                             */

static TSPoint point_at(const char *t, size_t off) {
  TSPoint pt = {0, 0};
  for (size_t i = 0; i < off; i++) {
    if (t[i] == '\n') {
      pt.row++;
      pt.column = 0;
    } else {
      pt.column++;
    }
  }
  return pt;
}

static bool pt_eq(TSPoint a, TSPoint b) { return a.row == b.row && a.column == b.column; }

/* Checks the edits' shape and points against a naive recomputation. */
static void check_edits(const char *ot, size_t ol, const char *nt, size_t nl, const TSInputEdit *e,
                        int n, uint64_t seed) {
  cr_assert_gt(n, 0);
  cr_assert_leq(e[0].start_byte, e[0].old_end_byte, "seed %llu", (unsigned long long)seed);
  cr_assert_leq(e[0].start_byte, e[0].new_end_byte);
  cr_assert_leq(e[0].old_end_byte, ol);
  cr_assert_leq(e[0].new_end_byte, nl);
  cr_assert(pt_eq(e[0].start_point, point_at(ot, e[0].start_byte)), "seed %llu", (unsigned long long)seed);
  cr_assert(pt_eq(e[0].start_point, point_at(nt, e[0].start_byte)));
  cr_assert(pt_eq(e[0].old_end_point, point_at(ot, e[0].old_end_byte)), "seed %llu", (unsigned long long)seed);
  cr_assert(pt_eq(e[0].new_end_point, point_at(nt, e[0].new_end_byte)), "seed %llu", (unsigned long long)seed);
  uint32_t last_end = 0;
  for (int i = 1; i < n; i++) {
    cr_assert_eq(e[i].old_end_byte, e[i].new_end_byte);
    cr_assert_lt(e[i].start_byte, e[i].old_end_byte);
    cr_assert_leq(e[i].new_end_byte, nl);
    cr_assert_geq(e[i].start_byte, last_end);
    cr_assert(e[i].old_end_byte <= e[0].start_byte || e[i].start_byte >= e[0].new_end_byte);
    last_end = e[i].old_end_byte;
    cr_assert(pt_eq(e[i].start_point, point_at(nt, e[i].start_byte)), "seed %llu", (unsigned long long)seed);
    cr_assert(pt_eq(e[i].new_end_point, point_at(nt, e[i].new_end_byte)));
    cr_assert(pt_eq(e[i].old_end_point, e[i].new_end_point));
  }
}

/* Same shape AND same byte ranges (ts_node_string shows no positions, and
** a stale 3-byte "let" token re-read as an identifier prints the same as
** the 7-byte "theorem" identifier of a fresh parse). */
static bool same_tree(TSNode a, TSNode b) {
  TSTreeCursor ca = ts_tree_cursor_new(a), cb = ts_tree_cursor_new(b);
  bool same = true;
  for (;;) {
    TSNode x = ts_tree_cursor_current_node(&ca), y = ts_tree_cursor_current_node(&cb);
    if (ts_node_symbol(x) != ts_node_symbol(y) || ts_node_start_byte(x) != ts_node_start_byte(y) ||
        ts_node_end_byte(x) != ts_node_end_byte(y) || ts_node_is_missing(x) != ts_node_is_missing(y) ||
        !pt_eq(ts_node_start_point(x), ts_node_start_point(y)) ||
        !pt_eq(ts_node_end_point(x), ts_node_end_point(y))) {
      same = false;
      break;
    }
    bool dx = ts_tree_cursor_goto_first_child(&ca), dy = ts_tree_cursor_goto_first_child(&cb);
    if (dx != dy) {
      same = false;
      break;
    }
    if (dx) continue;
    bool done = false;
    for (;;) {
      bool sx = ts_tree_cursor_goto_next_sibling(&ca), sy = ts_tree_cursor_goto_next_sibling(&cb);
      if (sx != sy) {
        same = false;
        done = true;
        break;
      }
      if (sx) break;
      bool px = ts_tree_cursor_goto_parent(&ca), py = ts_tree_cursor_goto_parent(&cb);
      if (!px || !py) {
        done = true;
        break;
      }
    }
    if (done) break;
  }
  ts_tree_cursor_delete(&ca);
  ts_tree_cursor_delete(&cb);
  return same;
}

typedef struct {
  TSParser *p;
  TSTree *tree;
  char *text;
  char *view;
  size_t len;
} doc;

static void doc_open(doc *d, TSParser *p, const char *text, size_t len) {
  d->p = p;
  d->len = len;
  d->text = malloc(len + 1);
  cr_assert_not_null(d->text);
  memcpy(d->text, text, len);
  d->text[len] = '\0';
  d->view = imlg_view_dup(d->text, len);
  cr_assert_not_null(d->view);
  d->tree = imlg_parse(p, NULL, d->text, d->view, len);
  cr_assert_not_null(d->tree);
}

static void doc_close(doc *d) {
  ts_tree_delete(d->tree);
  free(d->text);
  free(d->view);
}

/* Every token of `tree` must match the bytes of `view` it covers: an
** anonymous token (`let`, `;;`, `(`, …) spells its own type, an identifier
** leaf covers identifier bytes. A subtree reused over a stale view (a "let"
** token over "theorem", an identifier over ";;    ") breaks this even where
** error recovery makes whole trees incomparable. Returns the first bad
** leaf's start, or -1. */
static long stale_leaf(TSNode root, const char *view) {
  TSTreeCursor c = ts_tree_cursor_new(root);
  long bad = -1;
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&c);
    if (ts_tree_cursor_goto_first_child(&c)) continue;
    uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
    const char *ty = ts_node_type(n);
    if (!ts_node_is_missing(n) && e > s) {
      if (!ts_node_is_named(n)) {
        bool word = true; /* only keyword/punctuation literals */
        for (const char *q = ty; *q; q++)
          if ((unsigned char)*q < 0x21 || (unsigned char)*q > 0x7e) word = false;
        if (word && (strlen(ty) != e - s || memcmp(view + s, ty, e - s) != 0)) bad = s;
      } else if (strcmp(ty, "value_name") == 0 || strcmp(ty, "value_pattern") == 0 ||
                 strcmp(ty, "field_name") == 0 || strcmp(ty, "label_name") == 0 ||
                 strcmp(ty, "type_constructor") == 0) {
        for (uint32_t k = s; k < e; k++) {
          unsigned char b = (unsigned char)view[k];
          if (!((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
                b == '_' || b == '\'' || b >= 0x80 || b == '#' || b == '\\'))
            bad = s;
        }
      }
      if (bad >= 0) break;
    }
    bool up = false;
    while (!ts_tree_cursor_goto_next_sibling(&c)) {
      if (!ts_tree_cursor_goto_parent(&c)) {
        up = true;
        break;
      }
    }
    if (up) break;
  }
  ts_tree_cursor_delete(&c);
  return bad;
}

typedef struct {
  bool sexp_equal;  /* ts_node_string of incremental == fresh */
  bool pos_equal;   /* ... and every node has the same byte/point range */
  bool fresh_error; /* the fresh tree has syntax errors */
  long stale;       /* stale_leaf() of the incremental tree */
} edit_outcome;

/* Incremental equals fresh in the sense tree-sitter can promise: exactly,
** when the text is syntactically valid; when it is not, tree-sitter
** 0.20.7's error recovery depends on the edit history (it does so with an
** identity view too, i.e. without IML keywords), so there we only require
** that no token is stale. */
static bool outcome_ok(edit_outcome o) {
  return o.stale < 0 && (o.fresh_error || (o.sexp_equal && o.pos_equal));
}

/* Replaces text[at, at+del) by ins; reparses incrementally. With
** `extra` false only the user's edit is applied (to show why the extra
** edits are needed). */
static edit_outcome doc_edit_outcome(doc *d, size_t at, size_t del, const char *ins,
                                     size_t ins_len, bool extra, uint64_t seed) {
  size_t nl = d->len - del + ins_len;
  char *nt = malloc(nl + 1);
  cr_assert_not_null(nt);
  memcpy(nt, d->text, at);
  memcpy(nt + at, ins, ins_len);
  memcpy(nt + at + ins_len, d->text + at + del, d->len - at - del);
  nt[nl] = '\0';
  char *nv = imlg_view_dup(nt, nl);
  cr_assert_not_null(nv);

  /* The view is same-length with untouched newlines. */
  for (size_t i = 0; i < nl; i++)
    if (nt[i] == '\n') cr_assert_eq(nv[i], '\n', "seed %llu", (unsigned long long)seed);

  TSInputEdit *edits = NULL;
  int n = imlg_compute_edits(d->text, d->view, d->len, nt, nv, nl, &edits);
  cr_assert_geq(n, 0);
  if (n == 0) {
    cr_assert(d->len == nl && memcmp(d->view, nv, nl) == 0, "seed %llu", (unsigned long long)seed);
  } else {
    check_edits(d->text, d->len, nt, nl, edits, n, seed);
    for (int i = 0; i < (extra ? n : 1); i++) ts_tree_edit(d->tree, &edits[i]);
  }
  free(edits);

  TSTree *inc = imlg_parse(d->p, d->tree, nt, nv, nl);
  cr_assert_not_null(inc);
  TSTree *fresh = imlg_parse(d->p, NULL, nt, nv, nl);
  cr_assert_not_null(fresh);
  char *a = ts_node_string(ts_tree_root_node(inc));
  char *b = ts_node_string(ts_tree_root_node(fresh));
  edit_outcome o;
  o.sexp_equal = strcmp(a, b) == 0;
  o.pos_equal = o.sexp_equal && same_tree(ts_tree_root_node(inc), ts_tree_root_node(fresh));
  o.fresh_error = ts_node_has_error(ts_tree_root_node(fresh));
  o.stale = stale_leaf(ts_tree_root_node(inc), nv);
  /* The fresh tree itself never has stale leaves. */
  cr_assert_eq(stale_leaf(ts_tree_root_node(fresh), nv), -1, "seed %llu", (unsigned long long)seed);
  free(a);
  free(b);
  ts_tree_delete(fresh);
  ts_tree_delete(d->tree);
  d->tree = inc;
  free(d->text);
  free(d->view);
  d->text = nt;
  d->view = nv;
  d->len = nl;
  return o;
}

static bool doc_edit(doc *d, size_t at, size_t del, const char *ins, size_t ins_len, bool extra,
                     uint64_t seed) {
  return outcome_ok(doc_edit_outcome(d, at, del, ins, ins_len, extra, seed));
}

Test(grammar, compute_edits_simple) {
  const char *o = "let a = 1\nlet b = 2\n";
  const char *n = "let a = 1\nlet bc = 2\n";
  char *ov = view_of(o), *nv = view_of(n);
  TSInputEdit *e = NULL;
  int k = imlg_compute_edits(o, ov, strlen(o), n, nv, strlen(n), &e);
  cr_assert_eq(k, 1);
  cr_expect_eq(e[0].start_byte, 15);
  cr_expect_eq(e[0].old_end_byte, 15);
  cr_expect_eq(e[0].new_end_byte, 16);
  cr_expect(pt_eq(e[0].start_point, (TSPoint){1, 5}));
  cr_expect(pt_eq(e[0].new_end_point, (TSPoint){1, 6}));
  free(e);
  free(ov);
  free(nv);

  /* Identical views: nothing to do (a directive line changed in place). */
  o = ":redef on\nlet a = 1";
  n = ":redef no\nlet a = 1";
  ov = view_of(o);
  nv = view_of(n);
  e = NULL;
  cr_expect_eq(imlg_compute_edits(o, ov, strlen(o), n, nv, strlen(n), &e), 0);
  free(e);
  free(ov);
  free(nv);

  /* Typing "(*" before a keyword: an extra edit covers the keyword. */
  o = "let a = 1\ntheorem t = a = 1\n";
  n = "let a = 1\n(*theorem t = a = 1\n";
  ov = view_of(o);
  nv = view_of(n);
  k = imlg_compute_edits(o, ov, strlen(o), n, nv, strlen(n), &e);
  cr_assert_eq(k, 2);
  cr_expect_eq(e[0].start_byte, 10);
  cr_expect_eq(e[0].old_end_byte, 10);
  cr_expect_eq(e[0].new_end_byte, 12);
  cr_expect_eq(e[1].start_byte, 12);
  cr_expect_eq(e[1].new_end_byte, 19);
  cr_expect(pt_eq(e[1].start_point, (TSPoint){1, 2}));
  cr_expect(pt_eq(e[1].new_end_point, (TSPoint){1, 9}));
  free(e);
  free(ov);
  free(nv);
}

/* The case from the brief: a "(*" typed before a keyword, then removed.
** With the extra edits the incremental tree always equals a fresh parse. */
Test(grammar, comment_open_before_keyword_roundtrip) {
  const char *base =
      "let a = 1\n"
      "theorem t x = x + a > x\n"
      "verify (fun x -> x = x)\n"
      "let b = a *)\n"
      "lemma l = true\n";
  size_t at = (size_t)(strstr(base, "theorem") - base);
  size_t at2 = (size_t)(strstr(base, "verify") - base);
  TSParser *p = new_parser();
  doc d;
  doc_open(&d, p, base, strlen(base));
  cr_expect(doc_edit(&d, at, 0, "(*", 2, true, 0));
  cr_expect(doc_edit(&d, at, 2, "", 0, true, 0));
  cr_expect(doc_edit(&d, at2, 0, "(*", 2, true, 0));
  cr_expect(doc_edit(&d, at2, 2, "", 0, true, 0));
  cr_expect_str_eq(d.text, base);
  doc_close(&d);
  ts_parser_delete(p);
}

/* Without the extra view edits, incremental parsing reuses stale subtrees:
** a keyword's view changed although its bytes did not, and tree-sitter
** keeps the old token wherever it is still valid in the new parse state. */
Test(grammar, extra_edits_are_necessary) {
  TSParser *p = new_parser();
  struct {
    const char *text, *find, *ins;
    size_t del;
  } cases[] = {
      /* "(*" typed inside a keyword, then removed: "ins" was an identifier
      ** before the comment, and becomes part of ";;" again. */
      {"verify (fun (x : int) -> double x = x + x) [@@by auto]\n"
       "ins(*tance (fun (a : int) (b : int) -> a > b && b > 3)",
       "(*tance", "", 2},
      /* Deleting "=" after `verify`: the identifier becomes a keyword. */
      {"let a = x\nverify = 1\n", "= 1", "", 1},
  };
  int differed = 0;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t at = (size_t)(strstr(cases[i].text, cases[i].find) - cases[i].text);
    doc with, without;
    doc_open(&with, p, cases[i].text, strlen(cases[i].text));
    doc_open(&without, p, cases[i].text, strlen(cases[i].text));
    cr_expect(doc_edit(&with, at, cases[i].del, cases[i].ins, strlen(cases[i].ins), true, i),
              "case %zu: incremental parse differs from fresh", i);
    if (!doc_edit(&without, at, cases[i].del, cases[i].ins, strlen(cases[i].ins), false, i)) {
      differed++;
      cr_log_info("case %zu: stale without the extra edits (as expected)", i);
    }
    doc_close(&with);
    doc_close(&without);
  }
  /* If tree-sitter ever stops reusing here, this test proves nothing. */
  cr_expect_eq(differed, 2, "only %d of 2 cases show why the extra edits are needed", differed);
  ts_parser_delete(p);
}

static const char *const snippets[] = {
    "(*", "*)", "\"", "{|", "|}", "{id|", "|id}", "'", "'a'", "'\\''", "\n", " ", ";;", "\\",
    "theorem ", "lemma", "axiom x = ", "verify ", "instance", "eval", "test", "qcheck",
    "\ntheorem t x = x > 0\n", "\nverify (fun x -> x)\n", ":redef on\n", "\n:redef on\n",
    "let ", "let x = 1 in ", "=", "+", "->", "(", ")", "[", "]", "[@@by auto]", "[@@by [? at _]]",
    "match x with | A -> 1 | B -> 2", "{ r with x = 1 }", "M.(x)", "==>", "1.5 +. 2.",
    "é", "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80\xF0\x9F\x98\x80", "x", "foo", "end", "struct",
    "module M = struct\n", "\nend\n", "\r\n", "~test:", ".", ":",
};
#define N_SNIPPETS (sizeof snippets / sizeof snippets[0])

static uint64_t seed_from_env(uint64_t dflt) {
  const char *env = getenv("IML_GRAMMAR_SEED");
  return env ? strtoull(env, NULL, 0) : dflt;
}

/* Chaotic random edits on corpus texts (insert/delete/replace of lexically
** nasty snippets). After each edit: the edits' offsets and points are
** checked, no token of the incremental tree is stale, and the incremental
** tree equals a fresh parse (shape and positions) whenever the text is
** syntactically valid. IML_GRAMMAR_SEED=<n> replays a run. */
Test(grammar, randomized_incremental_equals_fresh, .timeout = 120) {
  uint64_t seed = seed_from_env(0x1234567ull);
  tu_rng rng;
  tu_rng_seed(&rng, seed);
  TSParser *p = new_parser();
  const char *files[] = {"specs.iml", "tactics.iml", "exprs.iml", "repl.iml", "statements.iml"};
  int steps = 0, exact = 0, diverged_in_errors = 0;
  for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
    size_t len;
    char *t = read_corpus(files[f], &len);
    doc d;
    doc_open(&d, p, t, len);
    /* The previous edit, to undo it now and then (the "type then remove"
    ** pattern, e.g. a "(*" typed and deleted again). */
    size_t prev_at = 0, prev_ins_len = 0, prev_del_len = 0;
    char prev_del[16];
    bool can_undo = false;
    for (int k = 0; k < 300; k++, steps++) {
      uint64_t step_seed = tu_rng_next(&rng);
      tu_rng r2;
      tu_rng_seed(&r2, step_seed);
      size_t at = d.len ? (size_t)tu_rng_below(&r2, d.len + 1) : 0;
      size_t del = 0;
      const char *ins = "";
      size_t ins_len = 0;
      char buf[64];
      switch (tu_rng_below(&r2, 4)) {
        case 0: /* insert */
          ins = snippets[tu_rng_below(&r2, N_SNIPPETS)];
          ins_len = strlen(ins);
          break;
        case 1: /* delete */
          del = (size_t)tu_rng_below(&r2, 12);
          break;
        case 2: /* replace */
          del = (size_t)tu_rng_below(&r2, 8);
          ins = snippets[tu_rng_below(&r2, N_SNIPPETS)];
          ins_len = strlen(ins);
          break;
        default: { /* random bytes from a lexically interesting alphabet */
          static const char alpha[] = "(*)\"'{|}:; \n\\abtexyz%";
          ins_len = (size_t)tu_rng_below(&r2, 6) + 1;
          for (size_t i = 0; i < ins_len; i++) buf[i] = alpha[tu_rng_below(&r2, sizeof alpha - 1)];
          ins = buf;
        }
      }
      if (at + del > d.len) del = d.len - at;
      if (can_undo && tu_rng_below(&r2, 6) == 0) {
        memcpy(buf, prev_del, prev_del_len);
        at = prev_at;
        del = prev_ins_len;
        ins = buf;
        ins_len = prev_del_len;
        can_undo = false;
      } else {
        can_undo = del <= sizeof prev_del;
        if (can_undo) {
          prev_at = at;
          prev_ins_len = ins_len;
          prev_del_len = del;
          memcpy(prev_del, d.text + at, del);
        }
      }
      edit_outcome o = doc_edit_outcome(&d, at, del, ins, ins_len, true, step_seed);
      cr_assert(outcome_ok(o),
                "incremental != fresh (stale token at %ld, valid text %d): file %s step %d "
                "(run seed %llu, step seed %llu): at %zu del %zu ins [%.*s]",
                o.stale, !o.fresh_error, files[f], k, (unsigned long long)seed,
                (unsigned long long)step_seed, at, del, (int)ins_len, ins);
      if (!o.fresh_error) exact++;
      else if (!o.sexp_equal) diverged_in_errors++;
      /* Spot-check keyword_at against the O(1) variant. */
      if (d.len) {
        size_t q = (size_t)tu_rng_below(&r2, d.len);
        cr_assert_eq(imlg_keyword_at(d.text, d.len, q), imlg_keyword_at_view(d.text, d.view, d.len, q),
                     "seed %llu", (unsigned long long)step_seed);
      }
      if (d.len > 16384 || tu_rng_below(&r2, 40) == 0) {
        /* Keep texts small, and come back to valid text now and then so
        ** that exact comparisons keep happening. */
        doc_close(&d);
        doc_open(&d, p, t, len);
        can_undo = false;
      }
    }
    doc_close(&d);
    free(t);
  }
  cr_log_info("randomized: %d edits, %d exact comparisons on valid text, %d error-recovery "
              "divergences (tree-sitter)", steps, exact, diverged_in_errors);
  cr_expect_geq(steps, 1000);
  cr_expect_geq(exact, 50, "too few edits left the text valid: the test lost its teeth");
  ts_parser_delete(p);
}

/* Structured random edits that keep the text valid most of the time, so
** that nearly every step is an exact comparison. The document is a list of
** complete items ("blocks"); each step edits one block: insert or delete a
** block, open a comment at a block's start ("(*", which comments out the
** whole rest of the file until closed), close it at the block's end, remove
** either again, type/remove "=" after an item keyword, toggle directives.
** Most of these flip keywords far away from the edit. */
static const char *const blocks_pool[] = {
    "let a = 1\n",
    "theorem t1 x = x + a > x [@@by auto]\n",
    "verify (fun x -> x = x)\n",
    "lemma l1 (xs : int list) =\n  List.length xs >= 0\n[@@by induct ()]\n",
    "eval (f 1)\n",
    "instance (fun x -> x > 3)\n",
    "axiom ax x = x = x\n",
    "test (fun () -> true)\n",
    "qcheck (fun x -> x = x)\n",
    ":redef on\n",
    "let rec eval env = function\n  | [] -> env\n  | x :: xs ->\n    eval (env + x) xs\n",
    "let s = \"verify \\\" *) (*\"\n",
    "let c = '\"'\n",
    "let q = {|(* theorem|}\n",
    "(* theorem in a comment *)\n",
    "module M = struct\n  let z = 1\n  theorem zz = z = 1\n  verify (z = 1)\nend\n",
    "type r = {\n  test : int;\n  eval : bool;\n}\n",
    "let f test =\n  test\n  + 1\n",
    "let g ~test ?eval () = test\n",
    "theorem chain a b =\n  a ==> b ==> a\n",
};
#define N_POOL (sizeof blocks_pool / sizeof blocks_pool[0])
#define MAX_BLOCKS 48

static char *block_splice(const char *b, size_t at, size_t del, const char *ins) {
  size_t bl = strlen(b), il = strlen(ins);
  char *r = malloc(bl - del + il + 1);
  cr_assert_not_null(r);
  memcpy(r, b, at);
  memcpy(r + at, ins, il);
  memcpy(r + at + il, b + at + del, bl - at - del + 1);
  return r;
}

Test(grammar, randomized_structured_edits_exact, .timeout = 120) {
  uint64_t seed = seed_from_env(0xC0FFEEull);
  tu_rng rng;
  tu_rng_seed(&rng, seed);
  TSParser *p = new_parser();
  int steps = 0, exact = 0;
  for (int round = 0; round < 4; round++) {
    char *blocks[MAX_BLOCKS];
    size_t nb = 0;
    while (nb < 24) blocks[nb++] = strdup(blocks_pool[tu_rng_below(&rng, N_POOL)]);
    size_t total = 0;
    for (size_t i = 0; i < nb; i++) total += strlen(blocks[i]);
    char *text = malloc(total + 1);
    cr_assert_not_null(text);
    text[0] = '\0';
    for (size_t i = 0; i < nb; i++) strcat(text, blocks[i]);
    doc d;
    doc_open(&d, p, text, total);
    free(text);

    for (int k = 0; k < 300; k++, steps++) {
      uint64_t step_seed = tu_rng_next(&rng);
      tu_rng r2;
      tu_rng_seed(&r2, step_seed);
      size_t b = (size_t)tu_rng_below(&r2, nb);
      size_t off = 0;
      for (size_t i = 0; i < b; i++) off += strlen(blocks[i]);
      char *blk = blocks[b];
      size_t bl = strlen(blk);
      size_t at = 0, del = 0; /* within the block */
      const char *ins = "";
      int op = (int)tu_rng_below(&r2, 8);
      if (op == 0 && nb < MAX_BLOCKS) { /* insert a block before b */
        const char *nw = blocks_pool[tu_rng_below(&r2, N_POOL)];
        memmove(blocks + b + 1, blocks + b, (nb - b) * sizeof *blocks);
        blocks[b] = strdup(nw);
        nb++;
        ins = nw;
        blk = NULL;
      } else if (op == 1 && nb > 4) { /* delete block b */
        del = bl;
        memmove(blocks + b, blocks + b + 1, (nb - b - 1) * sizeof *blocks);
        nb--;
        free(blk);
        blk = NULL;
      } else if (op <= 3) { /* comment: open, or close if open */
        if (strncmp(blk, "(*", 2) != 0) {
          ins = "(*";
        } else if (bl < 3 || strcmp(blk + bl - 3, "*)\n") != 0) {
          at = bl - 1;
          ins = "*)";
        } else { /* closed: reopen (an unterminated comment is valid) */
          at = bl - 3;
          del = 2;
        }
      } else if (op == 4) { /* uncomment: "*)" first, then "(*" */
        if (bl >= 3 && strcmp(blk + bl - 3, "*)\n") == 0 && strncmp(blk, "(*", 2) == 0) {
          at = bl - 3;
          del = 2;
        } else if (strncmp(blk, "(*", 2) == 0) {
          del = 2;
        }
      } else if (op == 5) { /* "=" after a leading keyword, or remove it */
        size_t w = 0;
        while (w < bl && ((blk[w] >= 'a' && blk[w] <= 'z') || blk[w] == '_')) w++;
        if (w < bl && blk[w] == '=') {
          at = w;
          del = 1;
        } else if (w > 0 && imlg_keyword_at(blk, bl, 0)) {
          at = w;
          ins = "=";
        }
      } else if (op == 6) { /* directive toggle at the block start */
        if (strncmp(blk, ":", 1) == 0) {
          del = 1; /* ":redef on" -> "redef on": an expression, still valid */
        } else if (strncmp(blk, "redef on", 8) == 0) {
          ins = ":";
        } else {
          ins = ":redef on\n";
        }
      } else { /* retype a keyword in place: "verify" -> "verifx" and back */
        char *kw = strstr(blk, "verify");
        char *kx = strstr(blk, "verifx");
        if (kw) {
          at = (size_t)(kw - blk) + 5;
          del = 1;
          ins = "x";
        } else if (kx) {
          at = (size_t)(kx - blk) + 5;
          del = 1;
          ins = "y";
        }
      }
      if (blk) {
        blocks[b] = block_splice(blk, at, del, ins);
        free(blk);
      }
      edit_outcome o = doc_edit_outcome(&d, off + at, del, ins, strlen(ins), true, step_seed);
      cr_assert(outcome_ok(o),
                "incremental != fresh (stale token at %ld, valid text %d): round %d step %d "
                "(run seed %llu, step seed %llu): at %zu del %zu ins [%s]",
                o.stale, !o.fresh_error, round, k, (unsigned long long)seed,
                (unsigned long long)step_seed, off + at, del, ins);
      if (!o.fresh_error) exact++;
      /* The block list and the document agree. */
      size_t sum = 0;
      for (size_t i = 0; i < nb; i++) {
        size_t l = strlen(blocks[i]);
        cr_assert_eq(memcmp(d.text + sum, blocks[i], l), 0, "step seed %llu", (unsigned long long)step_seed);
        sum += l;
      }
      cr_assert_eq(sum, d.len);
    }
    doc_close(&d);
    for (size_t i = 0; i < nb; i++) free(blocks[i]);
  }
  cr_log_info("structured: %d edits, %d exact comparisons", steps, exact);
  cr_expect_geq(steps, 1000);
  cr_expect_geq(exact, steps / 2, "only %d of %d states were valid text", exact, steps);
  ts_parser_delete(p);
}

/* ------------------------------------------------------------------------ */
/* Parsing API                                                               */

Test(grammar, parse_cancel_and_view_null) {
  size_t len;
  char *one = read_corpus("specs.iml", &len);
  size_t big_len = len * 200;
  char *big = malloc(big_len + 1);
  cr_assert_not_null(big);
  for (size_t i = 0; i < 200; i++) memcpy(big + i * len, one, len);
  big[big_len] = '\0';

  TSParser *p = ts_parser_new(); /* language set by imlg_parse */
  size_t flag = 1;
  ts_parser_set_cancellation_flag(p, &flag);
  cr_expect_null(imlg_parse(p, NULL, big, NULL, big_len));
  flag = 0;
  /* A different text after a cancelled parse: nothing stale is resumed. */
  TSTree *a = imlg_parse(p, NULL, one, NULL, len);
  cr_assert_not_null(a);
  char *v = imlg_view_dup(one, len);
  TSTree *b = imlg_parse(p, NULL, one, v, len);
  cr_assert_not_null(b);
  char *sa = ts_node_string(ts_tree_root_node(a)), *sb = ts_node_string(ts_tree_root_node(b));
  cr_expect_str_eq(sa, sb);
  cr_expect_not(ts_node_has_error(ts_tree_root_node(a)));
  cr_expect_eq(ts_node_end_byte(ts_tree_root_node(a)), len);
  free(sa);
  free(sb);
  free(v);
  ts_tree_delete(a);
  ts_tree_delete(b);
  TSTree *e = imlg_parse(p, NULL, "", NULL, 0);
  cr_assert_not_null(e);
  ts_tree_delete(e);
  ts_parser_delete(p);
  free(big);
  free(one);
}

/* A multi-megabyte file: the view is one pass (no timing assertion; a
** quadratic scan would blow the test timeout). */
Test(grammar, big_file_view, .timeout = 60) {
  size_t len;
  char *one = read_corpus("statements.iml", &len);
  size_t reps = (4u << 20) / len + 1, big_len = reps * len;
  char *big = malloc(big_len);
  char *out = malloc(big_len);
  cr_assert(big && out);
  for (size_t i = 0; i < reps; i++) memcpy(big + i * len, one, len);
  imlg_view(big, big_len, out);
  char *v1 = imlg_view_dup(one, len);
  for (size_t i = 0; i < reps; i += reps / 7 + 1)
    cr_assert_eq(memcmp(out + i * len, v1, len), 0, "repetition %zu", i);
  /* Pathological inputs stay linear too. */
  memset(big, '\'', big_len);
  imlg_view(big, big_len, out);
  for (size_t i = 0; i + 4 <= big_len; i += 4) memcpy(big + i, "{a|(", 4);
  imlg_view(big, big_len, out);
  for (size_t i = 0; i + 5 <= big_len; i += 5) memcpy(big + i, "eval\n", 5);
  imlg_view(big, big_len, out);
  cr_expect_eq(memcmp(out, ";;  \n", 5), 0);
  cr_expect_eq(memcmp(out + 5, ";;  \n", 5), 0); /* column 0: always an item */
  for (size_t i = 0; i + 7 <= big_len; i += 7) memcpy(big + i, "  eval\n", 7);
  imlg_view(big, big_len, out);
  cr_expect_eq(memcmp(out, "  ;;  \n", 7), 0);
  cr_expect_eq(memcmp(out + 7, "  eval\n", 7), 0); /* indented, after a keyword: an operand */
  free(v1);
  free(big);
  free(out);
  free(one);
}
