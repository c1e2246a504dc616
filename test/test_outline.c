/* test_outline.c — document symbols, folding and selection ranges
** (analysis/outline.c): exact outputs on small inputs, IML keyword forms, a
** realistic file, and deep nesting. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iml_grammar.h"
#include "outline.h"
#include "testutil.h"

static TSTree *parse(const char *src, size_t len) {
  TSParser *p = ts_parser_new();
  cr_assert(ts_parser_set_language(p, imlg_language()));
  TSTree *t = imlg_parse(p, NULL, src, NULL, len);
  ts_parser_delete(p);
  cr_assert_not_null(t);
  return t;
}

typedef struct {
  TSTree *tree;
  osym *syms;
  size_t n;
} symres;

static symres symbols_of(const char *src, size_t len) {
  symres r = {.tree = parse(src, len)};
  cr_assert_eq(outline_symbols(r.tree, src, len, &r.syms, &r.n), 0);
  return r;
}

static void symres_free(symres *r) {
  outline_symbols_free(r->syms, r->n);
  ts_tree_delete(r->tree);
}

/* Offset of the first occurrence of `needle` in `src` (must exist). */
static uint32_t off(const char *src, const char *needle) {
  const char *p = strstr(src, needle);
  cr_assert_not_null(p, "needle %s", needle);
  return (uint32_t)(p - src);
}

static void expect_sym(const osym *s, const char *name, osym_kind kind, const char *detail) {
  cr_expect_str_eq(s->name, name);
  cr_expect_eq(s->kind, kind, "%s: kind %d", name, s->kind);
  if (detail) {
    cr_expect_not_null(s->detail, "%s: no detail", name);
    if (s->detail) cr_expect_str_eq(s->detail, detail, "%s", name);
  } else {
    cr_expect_null(s->detail, "%s: detail %s", name, s->detail ? s->detail : "");
  }
}

static void expect_span(text_span got, uint32_t start, uint32_t end, const char *what) {
  cr_expect(got.start == start && got.end == end, "%s: got [%u,%u) want [%u,%u)", what, got.start, got.end, start,
            end);
}

/* Selection inside range, children inside their parent, everything inside
** the text; iterative (symbols may nest up to the outline's depth limit). */
static size_t check_tree(const osym *syms, size_t n, size_t len) {
  struct frame {
    const osym *s;
    size_t n;
    text_span parent;
    size_t depth;
  } stack[256];
  size_t sp = 0, maxdepth = 0;
  stack[sp++] = (struct frame){syms, n, {0, (uint32_t)len}, 1};
  while (sp) {
    struct frame f = stack[--sp];
    if (f.depth > maxdepth) maxdepth = f.depth;
    for (size_t i = 0; i < f.n; i++) {
      const osym *s = &f.s[i];
      cr_assert_not_null(s->name);
      cr_assert(s->name[0] != '\0');
      cr_assert_leq(s->range.start, s->range.end);
      cr_assert(s->selection.start >= s->range.start && s->selection.end <= s->range.end, "%s: selection outside range",
                s->name);
      cr_assert(s->range.start >= f.parent.start && s->range.end <= f.parent.end, "%s outside its parent", s->name);
      if (s->nchildren) {
        cr_assert_lt(sp, 256);
        stack[sp++] = (struct frame){s->children, s->nchildren, s->range, f.depth + 1};
      }
    }
  }
  return maxdepth;
}

static const char small[] =
    "[@@@import \"a.iml\"]\n"
    "[@@@import M, \"lib/b.iml\"]\n"
    "open M\n"
    "type t = A | B of int\n"
    "and r = { x : int; y : bool }\n"
    "type al = int list\n"
    "type abs\n"
    "let f x = x + 1\n"
    "let c = 3\n"
    "let g = fun y -> y\n"
    "let rec h a = a and k = function _ -> 0\n"
    "let ( +! ) a b = a + b\n"
    "module N = struct\n"
    "  let z = 1\n"
    "  module L = List\n"
    "end\n";

Test(outline, symbols_of_ocaml_items) {
  const char *src = small;
  symres r = symbols_of(src, strlen(src));
  check_tree(r.syms, r.n, strlen(src));
  cr_assert_eq(r.n, 13);
  const osym *s = r.syms;

  expect_sym(&s[0], "a.iml", OSYM_MODULE, "import");
  expect_span(s[0].range, 0, off(src, "\n["), "import range");
  expect_span(s[0].selection, off(src, "\"a.iml\""), off(src, "\"a.iml\"") + 7, "import selection");
  expect_sym(&s[1], "lib/b.iml", OSYM_MODULE, "import");

  expect_sym(&s[2], "t", OSYM_ENUM, "type");
  expect_span(s[2].range, off(src, "type t"), off(src, "\nand"), "t range");
  expect_span(s[2].selection, off(src, "t = A"), off(src, "t = A") + 1, "t selection");
  cr_assert_eq(s[2].nchildren, 2);
  expect_sym(&s[2].children[0], "A", OSYM_ENUM_MEMBER, NULL);
  expect_sym(&s[2].children[1], "B", OSYM_ENUM_MEMBER, "of int");
  expect_span(s[2].children[1].range, off(src, "B of"), off(src, "B of") + 8, "B range");
  expect_span(s[2].children[1].selection, off(src, "B of"), off(src, "B of") + 1, "B selection");

  expect_sym(&s[3], "r", OSYM_STRUCT, "type");
  expect_span(s[3].range, off(src, "and r"), off(src, "}\n") + 1, "r range (from `and`)");
  cr_assert_eq(s[3].nchildren, 2);
  expect_sym(&s[3].children[0], "x", OSYM_FIELD, "int");
  expect_sym(&s[3].children[1], "y", OSYM_FIELD, "bool");
  expect_span(s[3].children[1].selection, off(src, "y : bool"), off(src, "y : bool") + 1, "y selection");

  expect_sym(&s[4], "al", OSYM_TYPE_PARAMETER, "= int list");
  expect_sym(&s[5], "abs", OSYM_TYPE_PARAMETER, "type");
  expect_sym(&s[6], "f", OSYM_FUNCTION, NULL);
  expect_span(s[6].range, off(src, "let f"), off(src, "let f") + 15, "f range");
  expect_span(s[6].selection, off(src, "f x ="), off(src, "f x =") + 1, "f selection");
  expect_sym(&s[7], "c", OSYM_VARIABLE, NULL);
  expect_sym(&s[8], "g", OSYM_FUNCTION, NULL);
  expect_sym(&s[9], "h", OSYM_FUNCTION, NULL);
  expect_span(s[9].range, off(src, "let rec"), off(src, " and k"), "h range");
  expect_sym(&s[10], "k", OSYM_FUNCTION, NULL);
  expect_span(s[10].range, off(src, "and k"), off(src, "-> 0") + 4, "k range");
  expect_sym(&s[11], "( +! )", OSYM_FUNCTION, NULL);
  expect_span(s[11].selection, off(src, "( +! )"), off(src, "( +! )") + 6, "operator selection");

  expect_sym(&s[12], "N", OSYM_MODULE, NULL);
  expect_span(s[12].range, off(src, "module N"), (uint32_t)strlen(src) - 1, "N range");
  cr_assert_eq(s[12].nchildren, 2);
  expect_sym(&s[12].children[0], "z", OSYM_VARIABLE, NULL);
  expect_sym(&s[12].children[1], "L", OSYM_MODULE, "= List");
  cr_expect_eq(s[12].children[1].nchildren, 0);
  symres_free(&r);
}

static const char iml_forms[] =
    "theorem th x = f x > x [@@by auto]\n"
    "lemma le x =\n  x = x\n"
    "axiom ax = true\n"
    "verify (fun x -> x + 1 > x)\n"
    "instance (fun x -> x > 3) [@@timeout 3]\n"
    "eval (f 3)\n"
    "test (fun x -> x = x)\n"
    "qcheck (fun x -> x = x)\n"
    "verify (fun really_long_variable_name -> really_long_variable_name = really_long_variable_name)\n"
    "verify (fun x ->\n  x = x)\n";

Test(outline, symbols_of_iml_keyword_forms) {
  const char *src = iml_forms;
  symres r = symbols_of(src, strlen(src));
  check_tree(r.syms, r.n, strlen(src));
  cr_assert_eq(r.n, 10);
  const osym *s = r.syms;
  expect_sym(&s[0], "th", OSYM_BOOLEAN, "theorem");
  expect_span(s[0].range, 0, off(src, "\nlemma"), "theorem range (attribute included)");
  expect_span(s[0].selection, off(src, "th x"), off(src, "th x") + 2, "theorem selection");
  expect_sym(&s[1], "le", OSYM_BOOLEAN, "lemma");
  expect_span(s[1].range, off(src, "lemma"), off(src, "\naxiom"), "lemma range");
  expect_sym(&s[2], "ax", OSYM_BOOLEAN, "axiom");

  expect_sym(&s[3], "verify (fun x -> x + 1 > x)", OSYM_EVENT, "verify");
  expect_span(s[3].range, off(src, "verify"), off(src, "\ninstance"), "verify range");
  expect_span(s[3].selection, off(src, "verify"), off(src, "verify") + 6, "verify selection");
  /* The name leaves the item attribute out; the range keeps it. */
  expect_sym(&s[4], "instance (fun x -> x > 3)", OSYM_EVENT, "instance");
  expect_span(s[4].range, off(src, "instance"), off(src, "\neval"), "instance range");
  expect_sym(&s[5], "eval (f 3)", OSYM_EVENT, "eval");
  expect_sym(&s[6], "test (fun x -> x = x)", OSYM_EVENT, "test");
  expect_sym(&s[7], "qcheck (fun x -> x = x)", OSYM_EVENT, "qcheck");
  /* 40 characters then "…"; a multi-line statement shows its first line. */
  expect_sym(&s[8], "verify (fun really_long_variable_name ->\xE2\x80\xA6", OSYM_EVENT, "verify");
  expect_sym(&s[9], "verify (fun x ->\xE2\x80\xA6", OSYM_EVENT, "verify");
  symres_free(&r);
}

Test(outline, identifiers_named_like_keywords_are_values) {
  /* `test` after `=` is an ordinary identifier for the grammar layer. */
  const char *src = "let test = 3\nlet v = test\n";
  symres r = symbols_of(src, strlen(src));
  cr_assert_eq(r.n, 2);
  expect_sym(&r.syms[0], "test", OSYM_VARIABLE, NULL);
  expect_sym(&r.syms[1], "v", OSYM_VARIABLE, NULL);
  symres_free(&r);
}

Test(outline, realistic_file) {
  char *path = tu_source_path("test/data/outline/realistic.iml");
  size_t len;
  char *src = tu_read_file(path, &len);
  cr_assert_not_null(src);
  symres r = symbols_of(src, len);
  check_tree(r.syms, r.n, len);
  static const struct {
    const char *name;
    osym_kind kind;
    const char *detail;
    size_t nchildren;
  } want[] = {
      {"list_utils.iml", OSYM_MODULE, "import", 0},
      {"ordering.iml", OSYM_MODULE, "import", 0},
      {"currency", OSYM_ENUM, "type", 3},
      {"account", OSYM_STRUCT, "type", 4},
      {"event", OSYM_ENUM, "type", 4},
      {"log", OSYM_TYPE_PARAMETER, "= event list", 0},
      {"result_", OSYM_TYPE_PARAMETER, "= ('a, string) result", 0},
      {"fee", OSYM_VARIABLE, NULL, 0},
      {"( +! )", OSYM_FUNCTION, NULL, 0},
      {"apply", OSYM_FUNCTION, NULL, 0},
      {"replay", OSYM_FUNCTION, NULL, 0},
      {"replay_all", OSYM_FUNCTION, NULL, 0},
      {"total", OSYM_VARIABLE, NULL, 0},
      {"deposit_increases", OSYM_BOOLEAN, "theorem", 0},
      {"replay_nil", OSYM_BOOLEAN, "lemma", 0},
      {"fee_pos", OSYM_BOOLEAN, "axiom", 0},
      {"close_noop", OSYM_BOOLEAN, "theorem", 0},
      {"verify (fun acc n -> n > 0 ==> (apply ac\xE2\x80\xA6", OSYM_EVENT, "verify", 0},
      {"instance (fun acc -> acc.balance > 100 &\xE2\x80\xA6", OSYM_EVENT, "instance", 0},
      {"eval (replay { id = 1; owner = \"ann\"; ba\xE2\x80\xA6", OSYM_EVENT, "eval", 0},
      {"Audit", OSYM_MODULE, NULL, 3},
      {"L", OSYM_MODULE, "= List", 0},
  };
  cr_assert_eq(r.n, sizeof want / sizeof *want, "got %zu symbols", r.n);
  for (size_t i = 0; i < r.n; i++) {
    expect_sym(&r.syms[i], want[i].name, want[i].kind, want[i].detail);
    cr_expect_eq(r.syms[i].nchildren, want[i].nchildren, "%s children", want[i].name);
  }
  /* Inline record fields of a constructor. */
  const osym *transfer = &r.syms[4].children[2];
  expect_sym(transfer, "Transfer", OSYM_ENUM_MEMBER, "of { to_ : int; amount : int }");
  cr_assert_eq(transfer->nchildren, 2);
  expect_sym(&transfer->children[1], "amount", OSYM_FIELD, "int");
  /* Nested modules. */
  const osym *audit = &r.syms[20];
  expect_sym(&audit->children[0], "finding", OSYM_ENUM, "type");
  expect_sym(&audit->children[1], "check", OSYM_FUNCTION, NULL);
  expect_sym(&audit->children[2], "Report", OSYM_MODULE, NULL);
  cr_assert_eq(audit->children[2].nchildren, 1);
  expect_sym(&audit->children[2].children[0], "summary", OSYM_FUNCTION, NULL);
  /* Theorem range covers its attribute on the next line. */
  const osym *dep = &r.syms[13];
  cr_expect(strstr(src + dep->range.start, "[@@by auto]") == src + dep->range.end - strlen("[@@by auto]"));
  symres_free(&r);

  /* Folding on the same file: comment, imports, multi-line items. */
  TSTree *t = parse(src, len);
  ofold *f;
  size_t nf;
  cr_assert_eq(outline_folding(t, src, len, NULL, &f, &nf), 0);
  cr_assert_geq(nf, 3);
  cr_expect(f[0].start_line == 0 && f[0].end_line == 1 && f[0].kind == OFOLD_COMMENT);
  cr_expect(f[1].start_line == 2 && f[1].end_line == 5 && f[1].kind == OFOLD_IMPORTS);
  cr_expect(f[2].start_line == 9 && f[2].end_line == 14 && f[2].kind == OFOLD_REGION);
  for (size_t i = 0; i < nf; i++) {
    cr_expect_lt(f[i].start_line, f[i].end_line);
    if (i) cr_expect_lt(f[i - 1].start_line, f[i].start_line);
  }
  free(f);
  ts_tree_delete(t);
  free(src);
  free(path);
}

Test(outline, symbols_from_broken_code) {
  /* Items recovered inside ERROR nodes are still listed. */
  const char *src = "let f = fun x ->\nlet y = 2\n";
  symres r = symbols_of(src, strlen(src));
  check_tree(r.syms, r.n, strlen(src));
  cr_assert_eq(r.n, 2);
  expect_sym(&r.syms[0], "f", OSYM_VARIABLE, NULL);
  expect_sym(&r.syms[1], "y", OSYM_VARIABLE, NULL);
  expect_span(r.syms[1].range, off(src, "let y"), off(src, "let y") + 9, "y range");
  symres_free(&r);

  symres e = symbols_of("", 0);
  cr_expect_eq(e.n, 0);
  symres_free(&e);
  outline_symbols_free(NULL, 0);
}

Test(outline, folding_exact) {
  const char *src =
      "(* multi\n"
      "   line *)\n"
      "[@@@import \"a.iml\"]\n"
      "[@@@import \"b.iml\"]\n"
      "let f x =\n"
      "  match x with\n"
      "  | A ->\n"
      "    1\n"
      "  | B -> 2\n"
      "module M = struct\n"
      "  let y = 1\n"
      "end\n"
      "let one = 1\n";
  size_t len = strlen(src);
  TSTree *t = parse(src, len);
  ofold *f;
  size_t n;
  cr_assert_eq(outline_folding(t, src, len, NULL, &f, &n), 0);
  static const ofold want[] = {
      {0, 1, OFOLD_COMMENT}, {2, 3, OFOLD_IMPORTS}, {4, 8, OFOLD_REGION}, {6, 7, OFOLD_REGION}, {9, 11, OFOLD_REGION},
  };
  cr_assert_eq(n, sizeof want / sizeof *want, "got %zu ranges", n);
  for (size_t i = 0; i < n; i++)
    cr_expect(f[i].start_line == want[i].start_line && f[i].end_line == want[i].end_line && f[i].kind == want[i].kind,
              "range %zu: %u-%u kind %d", i, f[i].start_line, f[i].end_line, f[i].kind);
  free(f);
  ts_tree_delete(t);
}

Test(outline, selection_exact) {
  const char *src = "let f x = x + 1\n";
  size_t len = strlen(src);
  TSTree *t = parse(src, len);
  text_span *s;
  size_t n;
  cr_assert_eq(outline_selection(t, src, len, 10, &s, &n), 0);
  static const text_span want[] = {{10, 11}, {10, 15}, {4, 15}, {0, 15}, {0, 16}};
  cr_assert_eq(n, 5);
  for (size_t i = 0; i < n; i++) expect_span(s[i], want[i].start, want[i].end, "selection");
  free(s);
  /* Just after a token: that token is the innermost range. */
  cr_assert_eq(outline_selection(t, src, len, 15, &s, &n), 0);
  cr_assert_geq(n, 2);
  expect_span(s[0], 14, 15, "token before the cursor");
  expect_span(s[n - 1], 0, 16, "document");
  free(s);
  /* In blank space and past the end: still ends with the document. */
  cr_assert_eq(outline_selection(t, src, len, 1000, &s, &n), 0);
  cr_assert_geq(n, 1);
  expect_span(s[n - 1], 0, 16, "document");
  free(s);
  ts_tree_delete(t);
}

static void check_chain(const text_span *s, size_t n, size_t len) {
  cr_assert_geq(n, 1);
  for (size_t i = 1; i < n; i++) {
    cr_assert(s[i].start <= s[i - 1].start && s[i].end >= s[i - 1].end, "not nested at %zu", i);
    cr_assert(s[i].start != s[i - 1].start || s[i].end != s[i - 1].end, "duplicate at %zu", i);
  }
  cr_assert(s[n - 1].start == 0 && s[n - 1].end == len);
}

Test(outline, deep_nesting) {
  /* 10,000 nested parentheses. */
  size_t depth = 10000, len = 8 + 2 * depth + 1;
  char *src = malloc(len + 1);
  memcpy(src, "let x = ", 8);
  memset(src + 8, '(', depth);
  src[8 + depth] = '1';
  memset(src + 9 + depth, ')', depth);
  src[len] = '\0';
  symres r = symbols_of(src, len);
  cr_assert_eq(r.n, 1);
  expect_sym(&r.syms[0], "x", OSYM_VARIABLE, NULL);
  ofold *f;
  size_t nf;
  cr_assert_eq(outline_folding(r.tree, src, len, NULL, &f, &nf), 0);
  cr_expect_eq(nf, 0);
  free(f);
  text_span *s;
  size_t ns;
  cr_assert_eq(outline_selection(r.tree, src, len, (uint32_t)(8 + depth), &s, &ns), 0);
  check_chain(s, ns, len);
  cr_expect_geq(ns, depth);
  expect_span(s[0], (uint32_t)(8 + depth), (uint32_t)(9 + depth), "innermost");
  free(s);
  symres_free(&r);
  free(src);

  /* 300 nested modules, one per line: symbols stop at a bounded depth. */
  size_t m = 300;
  char *mods = malloc(m * 40 + 64);
  size_t o = 0;
  for (size_t i = 0; i < m; i++) o += (size_t)sprintf(mods + o, "module M%zu = struct\n", i);
  o += (size_t)sprintf(mods + o, "let v = 1\n");
  for (size_t i = 0; i < m; i++) o += (size_t)sprintf(mods + o, "end\n");
  r = symbols_of(mods, o);
  size_t d = check_tree(r.syms, r.n, o);
  cr_expect_geq(d, 32);
  cr_expect_leq(d, 66);
  cr_assert_eq(outline_folding(r.tree, mods, o, NULL, &f, &nf), 0);
  cr_expect_eq(nf, m); /* one per module (struct shares its start line) */
  for (size_t i = 1; i < nf; i++) cr_expect_lt(f[i - 1].start_line, f[i].start_line);
  free(f);
  symres_free(&r);
  free(mods);
}

Test(outline, random_inputs_keep_invariants) {
  static const char *const toks[] = {
      "let ", "in ", "theorem ", "verify ", "type ", "module ", "struct ", "end ", "match ", "with ", "| ",
      "-> ", "fun ", "( ", ") ", "{ ", "} ", "= ", "x ", "A ", "1 ", "(* c *) ", "\n", "of ", "and ",
      "[@@@import \"f.iml\"] ", "; ", ": ", "int ", "eval ", "lemma ",
  };
  tu_rng r;
  tu_rng_seed(&r, 7);
  for (int round = 0; round < 40; round++) {
    char buf[4096];
    size_t o = 0, n = tu_rng_below(&r, 300);
    for (size_t i = 0; i < n; i++) {
      const char *t = toks[tu_rng_below(&r, sizeof toks / sizeof *toks)];
      size_t tl = strlen(t);
      if (o + tl >= sizeof buf) break;
      memcpy(buf + o, t, tl);
      o += tl;
    }
    buf[o] = '\0';
    symres sr = symbols_of(buf, o);
    check_tree(sr.syms, sr.n, o);
    ofold *f;
    size_t nf;
    cr_assert_eq(outline_folding(sr.tree, buf, o, NULL, &f, &nf), 0);
    for (size_t i = 0; i < nf; i++) {
      cr_assert_lt(f[i].start_line, f[i].end_line);
      if (i) cr_assert_lt(f[i - 1].start_line, f[i].start_line);
    }
    free(f);
    text_span *s;
    size_t ns;
    cr_assert_eq(outline_selection(sr.tree, buf, o, (uint32_t)tu_rng_below(&r, o + 1), &s, &ns), 0);
    check_chain(s, ns, o);
    free(s);
    symres_free(&sr);
  }
}

Test(outline, folding_inside_expressions_and_one_line_items) {
  /* The folding walk skips one-line subtrees: a match case and a comment
  ** deep inside a multi-line expression still fold, one-line items still
  ** form an import run, a one-line struct folds nothing. */
  const char *src =
      "let g xs = List.map (fun x -> match x with\n"
      "  | A ->\n"
      "    (* deep\n"
      "       comment *)\n"
      "    1\n"
      "  | B -> 2) xs\n"
      "module N = struct open A open B end\n"
      "open C\n"
      "open D\n"
      "[@@@import \"e.iml\"]\n"
      "let h = [ (fun y ->\n"
      "  y) ]\n"
      "type t = A | B\n";
  size_t len = strlen(src);
  TSTree *t = parse(src, len);
  ofold *f;
  size_t n;
  cr_assert_eq(outline_folding(t, src, len, NULL, &f, &n), 0);
  static const ofold want[] = {
      {0, 5, OFOLD_REGION}, {1, 4, OFOLD_REGION}, {2, 3, OFOLD_COMMENT}, {7, 9, OFOLD_IMPORTS}, {10, 11, OFOLD_REGION},
  };
  cr_assert_eq(n, sizeof want / sizeof *want, "got %zu ranges", n);
  for (size_t i = 0; i < n; i++)
    cr_expect(f[i].start_line == want[i].start_line && f[i].end_line == want[i].end_line && f[i].kind == want[i].kind,
              "range %zu: %u-%u kind %d", i, f[i].start_line, f[i].end_line, f[i].kind);
  free(f);
  ts_tree_delete(t);
}
