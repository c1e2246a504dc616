/* test_syntax.c — syntax diagnostics (analysis/syntax.c): golden messages and
** spans for common mistakes, a clean realistic file, robustness on deep
** nesting and random bytes, ordering/limit invariants. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iml_grammar.h"
#include "syntax.h"
#include "testutil.h"

static TSTree *parse(const char *src, size_t len) {
  TSParser *p = ts_parser_new();
  cr_assert(ts_parser_set_language(p, imlg_language()));
  TSTree *t = imlg_parse(p, NULL, src, NULL, len);
  ts_parser_delete(p);
  cr_assert_not_null(t);
  return t;
}

/* Diagnostics of src[0..len) with limit `max`. */
static void diags_n(const char *src, size_t len, size_t max, diag_list *out) {
  TSTree *t = parse(src, len);
  cr_assert_eq(syn_diagnostics(t, src, len, out, max), 0);
  ts_tree_delete(t);
}

static void diags(const char *src, diag_list *out) { diags_n(src, strlen(src), 0, out); }

/* Valid UTF-8, sorted by position, inside the text. */
static void check_invariants(const diag_list *l, size_t len) {
  for (size_t i = 0; i < l->count; i++) {
    const diag *d = &l->items[i];
    cr_assert_leq(d->span.start, d->span.end);
    cr_assert_leq(d->span.end, len);
    cr_assert_not_null(d->message);
    cr_assert_not_null(d->code);
    cr_assert_eq(d->severity, DIAG_ERROR);
    const unsigned char *m = (const unsigned char *)d->message;
    size_t ml = strlen(d->message);
    for (size_t k = 0; k < ml;) {
      /* Cheap UTF-8 well-formedness: lead byte + continuation count. */
      unsigned char ch = m[k];
      size_t n = ch < 0x80 ? 1 : ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : ch >= 0xC2 ? 2 : 0;
      cr_assert(n > 0 && k + n <= ml, "bad UTF-8 in message %s", d->message);
      for (size_t j = 1; j < n; j++) cr_assert_eq(m[k + j] & 0xC0, 0x80);
      k += n;
    }
    if (i > 0) cr_assert_leq(l->items[i - 1].span.start, d->span.start, "not sorted");
  }
}

typedef struct {
  const char *name;
  const char *src;
  uint32_t start, end;
  const char *code;
  const char *message;
} golden;

static const golden goldens[] = {
    {"unclosed paren at EOF", "let f x = (x + 1", 10, 11, "E0002", "missing `)` to close this `(`"},
    {"unclosed paren before next item", "let f x = (x + 1\nlet y = 2", 10, 11, "E0002",
     "missing `)` to close this `(`"},
    {"unclosed tuple paren", "let x = (1, 2", 8, 9, "E0002", "missing `)` to close this `(`"},
    {"begin without end", "let f x = begin x + 1", 10, 15, "E0002", "missing `end` to close this `begin`"},
    {"struct without end", "module M = struct let x = 1\nlet y = 2", 11, 17, "E0002",
     "missing `end` to close this `struct`"},
    {"let x = in", "let x = in 3", 8, 10, "E0001", "syntax error: unexpected `in`"},
    {"stray close paren", "let x = 1)", 9, 10, "E0001", "syntax error: unexpected `)`"},
    {"stray close paren mid-expression", "let x = ) 3", 8, 9, "E0001", "syntax error: unexpected `)`"},
    {"missing then", "let g x = if x 1 else 2", 17, 21, "E0001", "syntax error: unexpected `else`"},
    {"if then at EOF", "let f x = if x then", 15, 19, "E0001", "syntax error: unexpected end of input after `then`"},
    {"match without arms at EOF", "let f x = match x with", 18, 22, "E0001",
     "syntax error: unexpected end of input after `with`"},
    {"match without arms before next item", "let f x = match x with\nlet y = 2", 23, 26, "E0001",
     "syntax error: unexpected `let`"},
    {"match arm without body", "let f x = match x with\n  | A -> 1\n  | B ->\nlet g = 3", 43, 46, "E0001",
     "syntax error: unexpected `let`"},
    {"fun without body", "let f = fun x ->", 14, 16, "E0001", "syntax error: unexpected end of input after `->`"},
    {"fun without body before next item", "let f = fun x ->\nlet y = 2", 17, 20, "E0001",
     "syntax error: unexpected `let`"},
    {"local let without in", "let f x =\n  let y = x + 1\n  y * 2\nlet z = 3", 34, 37, "E0001",
     "syntax error: unexpected `let`"},
    {"missing operand", "let x = 3 +", 10, 11, "E0002", "missing expression after `+`"},
    {"unterminated string", "let s = \"abc", 8, 9, "E0002", "unterminated string literal"},
    {"unterminated string before next item", "let s = \"abc\nlet y = 2", 8, 9, "E0002",
     "unterminated string literal"},
    {"unterminated comment", "let x = 1 (* abc\ndef", 10, 12, "E0002", "unterminated comment"},
    {"unterminated nested comment", "(* a (* b *) c\nlet x = 1", 0, 2, "E0002", "unterminated comment"},
    {"unterminated quoted string", "let x = {|abc", 8, 10, "E0002", "unterminated quoted string"},
    {"unterminated quoted string with id", "let x = {id|abc\nlet y = 2", 8, 12, "E0002", "unterminated quoted string"},
    {"unterminated char", "let x = 'a", 8, 9, "E0002", "unterminated character literal"},
    {"variant without type", "type t = A | B of", 15, 17, "E0001", "syntax error: unexpected end of input after `of`"},
    {"unexpected character", "let x = $ 3", 8, 9, "E0001", "syntax error: unexpected `$`"},
    {"verify without expression", "let x = 1\nverify", 10, 16, "E0002", "missing expression after `verify`"},
    {"verify without expression mid-file", "let x = 1\nverify\nlet y = 2", 10, 16, "E0002",
     "missing expression after `verify`"},
    {"top-level in", "let x = 1 in\nlet y = 2", 13, 16, "E0001", "syntax error: unexpected `let`"},
    /* A complete (wrong) arm is reported where it goes wrong, not at the next
    ** item: `=>` is lexed as `=` `>` inside the ERROR, then `n` is skipped. */
    {"match arm with => instead of ->", "let f x =\n  match x with\n  | A -> 0\n  | B n => n\n\nlet g = 1\n", 47, 48,
     "E0001", "syntax error: unexpected `n`"},
    {"theorem without statement", "theorem foo x = [@@by auto]", 16, 27, "E0001",
     "syntax error: unexpected `[@@by auto]`"},
    {"in inside a lemma", "lemma replay_nil acc = replay acc [] = in acc", 39, 41, "E0001",
     "syntax error: unexpected `in`"},
    {"theorem alone", "theorem", 0, 7, "E0001", "syntax error: unexpected end of input after `theorem`"},
    {"theorem without =", "theorem foo", 8, 11, "E0002", "missing `=` after `foo`"},
    {"local let without =", "let x = let y in 3", 12, 13, "E0002", "missing `=` after `y`"},
    {"verify with unclosed paren", "verify (", 7, 8, "E0001", "syntax error: unexpected end of input after `(`"},
    {"keyword after a broken item is not a second error",
     "let fee = )\nlet ok = 1\nmodule Audit = struct\n  let check acc = if acc < 0 Overdrawn else Ok_\nend\n", 10, 11,
     "E0001", "syntax error: unexpected `)`"},
};

Test(syntax, golden_messages_and_spans) {
  for (size_t i = 0; i < sizeof goldens / sizeof *goldens; i++) {
    const golden *g = &goldens[i];
    diag_list l = {0};
    diags(g->src, &l);
    cr_assert_eq(l.count, 1, "%s: expected 1 diagnostic, got %zu (first: %s)", g->name, l.count,
                 l.count ? l.items[0].message : "-");
    cr_expect_str_eq(l.items[0].message, g->message, "%s", g->name);
    cr_expect_str_eq(l.items[0].code, g->code, "%s", g->name);
    cr_expect_eq(l.items[0].span.start, g->start, "%s: start %u", g->name, l.items[0].span.start);
    cr_expect_eq(l.items[0].span.end, g->end, "%s: end %u", g->name, l.items[0].span.end);
    check_invariants(&l, strlen(g->src));
    diag_list_clear(&l);
  }
}

Test(syntax, clean_realistic_file_has_no_diagnostics) {
  char *path = tu_source_path("test/data/outline/realistic.iml");
  size_t len;
  char *src = tu_read_file(path, &len);
  cr_assert_not_null(src, "cannot read %s", path);
  diag_list l = {0};
  diags_n(src, len, 0, &l);
  cr_expect_eq(l.count, 0, "first: %s at %u", l.count ? l.items[0].message : "", l.count ? l.items[0].span.start : 0);
  diag_list_clear(&l);
  free(src);
  free(path);
}

/* The realistic file with `text` replaced by `by` (first occurrence). */
static char *realistic_with(size_t *len, const char *text, const char *by, const char *text2, const char *by2) {
  char *path = tu_source_path("test/data/outline/realistic.iml");
  char *src = tu_read_file(path, NULL);
  free(path);
  cr_assert_not_null(src);
  for (int k = 0; k < 2; k++) {
    const char *t = k ? text2 : text, *b = k ? by2 : by;
    char *p = strstr(src, t);
    cr_assert_not_null(p, "%s", t);
    size_t pre = (size_t)(p - src), tl = strlen(t), bl = strlen(b), sl = strlen(src);
    char *n = malloc(sl - tl + bl + 1);
    memcpy(n, src, pre);
    memcpy(n + pre, b, bl);
    memcpy(n + pre + bl, p + tl, sl - pre - tl + 1);
    free(src);
    src = n;
  }
  *len = strlen(src);
  return src;
}

Test(syntax, errors_in_separate_items_are_reported_separately) {
  size_t len;
  char *src = realistic_with(&len, "let fee = 2", "let fee = )", "then Overdrawn", "Overdrawn");
  diag_list l = {0};
  diags_n(src, len, 0, &l);
  check_invariants(&l, len);
  cr_assert_eq(l.count, 2, "got %zu", l.count);
  uint32_t p1 = (uint32_t)(strstr(src, "let fee = )") - src) + 10;
  uint32_t p2 = (uint32_t)(strstr(src, "Overdrawn acc.id else") - src) + 17;
  cr_expect(l.items[0].span.start == p1 && l.items[0].span.end == p1 + 1);
  cr_expect_str_eq(l.items[0].message, "syntax error: unexpected `)`");
  cr_expect(l.items[1].span.start == p2 && l.items[1].span.end == p2 + 4, "%u vs %u", l.items[1].span.start, p2);
  cr_expect_str_eq(l.items[1].message, "syntax error: unexpected `else`");
  diag_list_clear(&l);
  free(src);
}

Test(syntax, clean_iml_forms_and_tactic_payloads) {
  static const char *const srcs[] = {
      "type t = A | B of int\nlet f x = x + 1\n",
      "theorem foo x = f x > x [@@by auto]\n",
      "lemma l x = x = x [@@by auto] [@@rw]\naxiom a = true\n",
      "verify (fun x -> x + 1 > x)\ninstance (fun x -> x > 3)\neval (f 3)\n",
      "theorem t x = f x > x\n[@@by [%rewrite or_false [? at (false || _) in asm index(1)]] @> auto]\n",
      "theorem t2 x = f x > x [@@by intros @> [%cases x > 0] @>| [auto; auto]]\n",
      "let g x = match x with\n  | [] -> 0\n  | y :: _ when y > 0 -> y\n  | _ -> 1\n",
      "[@@@import \"a.iml\"]\n[@@@import M, \"b.iml\"]\nopen M\n",
      "module M = struct\n  let x = 1\nend\nlet y = M.(x + 1)\n",
      "let s = \"a (* not a comment\"\n(* comment with \"string *)\" inside *)\nlet c = '\\''\n",
      "",
      "(* only a comment *)",
      "let ( let* ) = Option.bind\nlet g o = let* y = o in let* y in Some y\n",
      "let test = 3\nlet v = test + 1\n",
  };
  for (size_t i = 0; i < sizeof srcs / sizeof *srcs; i++) {
    diag_list l = {0};
    diags(srcs[i], &l);
    cr_expect_eq(l.count, 0, "src %zu: %s", i, l.count ? l.items[0].message : "");
    diag_list_clear(&l);
  }
}

Test(syntax, invalid_utf8_and_nul_bytes) {
  /* One E0003 per run of invalid bytes, on those bytes. */
  const char src[] = "let s = \"a\xff\xfe\" \n(* \xc3\x28 *)\nlet t = \"\xc3\xa9\"\n";
  size_t len = sizeof src - 1;
  diag_list l = {0};
  diags_n(src, len, 0, &l);
  check_invariants(&l, len);
  size_t n3 = 0;
  for (size_t i = 0; i < l.count; i++) {
    if (strcmp(l.items[i].code, SYN_CODE_UNSUPPORTED_TEXT)) continue;
    cr_expect_str_eq(l.items[i].message, "invalid UTF-8 byte sequence");
    if (n3 == 0) cr_expect(l.items[i].span.start == 10 && l.items[i].span.end == 12);
    if (n3 == 1) cr_expect(l.items[i].span.start == 18 && l.items[i].span.end == 19, "%u", l.items[i].span.start);
    n3++;
  }
  cr_expect_eq(n3, 2);
  diag_list_clear(&l);

  const char nul[] = "let x = 1\0\0\nlet y = 2\n";
  len = sizeof nul - 1;
  diags_n(nul, len, 0, &l);
  check_invariants(&l, len);
  bool found = false;
  for (size_t i = 0; i < l.count; i++)
    if (!strcmp(l.items[i].message, "NUL byte in text")) {
      cr_expect_str_eq(l.items[i].code, "E0003");
      cr_expect(l.items[i].span.start == 9 && l.items[i].span.end == 11);
      found = true;
    }
  cr_expect(found);
  diag_list_clear(&l);
}

Test(syntax, long_tokens_are_truncated) {
  /* 33 characters: the message shows 20 and "…", the span the whole token. */
  const char *src = "let f x = match x with | A -> 1 | Bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  diag_list l = {0};
  diags(src, &l);
  cr_assert_eq(l.count, 1);
  cr_expect_str_eq(l.items[0].message, "syntax error: unexpected end of input after `Bbbbbbbbbbbbbbbbbbbb\xE2\x80\xA6`");
  cr_expect_eq(l.items[0].span.start, 34);
  cr_expect_eq(l.items[0].span.end, 67);
  diag_list_clear(&l);
  /* Multi-byte characters are never cut in the middle. */
  const char *src2 = "let f x = match x with | A -> 1 | B\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                     "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                     "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9";
  diags(src2, &l);
  check_invariants(&l, strlen(src2));
  cr_assert_eq(l.count, 1);
  cr_expect_str_eq(l.items[0].message, "syntax error: unexpected end of input after `B\xC3\xA9\xC3\xA9\xC3\xA9"
                   "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                   "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xE2\x80\xA6`");
  diag_list_clear(&l);
}

Test(syntax, limit_keeps_the_first_by_position) {
  char *src = malloc(64 * 20 + 1);
  size_t o = 0;
  for (int i = 0; i < 64; i++) o += (size_t)sprintf(src + o, "let x%d = 1)\n", i);
  diag_list all = {0}, some = {0};
  diags_n(src, o, 0, &all);
  check_invariants(&all, o);
  cr_assert_eq(all.count, 64);
  diags_n(src, o, 5, &some);
  cr_assert_eq(some.count, 5);
  for (size_t i = 0; i < 5; i++) {
    cr_expect_eq(some.items[i].span.start, all.items[i].span.start);
    cr_expect_str_eq(some.items[i].message, "syntax error: unexpected `)`");
  }
  diag_list_clear(&all);
  diag_list_clear(&some);
  free(src);
}

Test(syntax, appends_after_existing_items) {
  diag_list l = {0};
  cr_assert_eq(diag_list_push(&l, (text_span){0, 1}, DIAG_WARNING, "W9999", strdup("before")), 0);
  diags("let x = 1)", &l);
  cr_assert_eq(l.count, 2);
  cr_expect_str_eq(l.items[0].message, "before");
  cr_expect_str_eq(l.items[1].message, "syntax error: unexpected `)`");
  diag_list_clear(&l);
  cr_expect_eq(l.count, 0);
  cr_expect_null(l.items);
  diag_list_clear(&l);
  diag_list_clear(NULL);
}

Test(syntax, null_tree_reports_only_bytes) {
  diag_list l = {0};
  const char src[] = "ok \xff";
  cr_assert_eq(syn_diagnostics(NULL, src, sizeof src - 1, &l, 0), 0);
  cr_assert_eq(l.count, 1);
  cr_expect_str_eq(l.items[0].code, "E0003");
  diag_list_clear(&l);
}

static char *nested(const char *open, const char *mid, const char *close, size_t depth, size_t *len) {
  size_t lo = strlen(open), lm = strlen(mid), lc = strlen(close);
  char *s = malloc(8 + depth * (lo + lc) + lm + 1);
  size_t o = 0;
  memcpy(s, "let x = ", 8);
  o = 8;
  for (size_t i = 0; i < depth; i++) memcpy(s + o, open, lo), o += lo;
  memcpy(s + o, mid, lm), o += lm;
  for (size_t i = 0; i < depth; i++) memcpy(s + o, close, lc), o += lc;
  s[o] = '\0';
  *len = o;
  return s;
}

Test(syntax, deep_nesting_does_not_crash) {
  size_t len;
  char *s = nested("(", "1", ")", 10000, &len);
  diag_list l = {0};
  diags_n(s, len, 0, &l);
  cr_expect_eq(l.count, 0, "%s", l.count ? l.items[0].message : "");
  diag_list_clear(&l);
  free(s);

  /* Unclosed: every level is missing its `)`. */
  s = nested("(", "1", "", 10000, &len);
  diags_n(s, len, 100, &l);
  check_invariants(&l, len);
  cr_expect_geq(l.count, 1);
  cr_expect_leq(l.count, 100);
  diag_list_clear(&l);
  free(s);

  s = nested("begin ", "1 +", "", 10000, &len);
  diags_n(s, len, 0, &l);
  check_invariants(&l, len);
  cr_expect_geq(l.count, 1);
  diag_list_clear(&l);
  free(s);
}

Test(syntax, random_bytes_do_not_crash) {
  tu_rng r;
  tu_rng_seed(&r, 0x5eed1234);
  for (int round = 0; round < 30; round++) {
    size_t len = 1 + (size_t)tu_rng_below(&r, 3000);
    char *s = malloc(len);
    for (size_t i = 0; i < len; i++) s[i] = (char)tu_rng_below(&r, 256);
    diag_list l = {0};
    diags_n(s, len, 0, &l);
    check_invariants(&l, len);
    cr_expect_geq(l.count, 1, "round %d", round);
    diag_list_clear(&l);
    free(s);
  }
}

Test(syntax, random_token_soup_keeps_invariants) {
  static const char *const toks[] = {
      "let ", "in ", "theorem ", "verify ", "type ", "module ", "struct ", "end ", "match ", "with ",
      "| ", "-> ", "fun ", "( ", ") ", "[ ", "] ", "{ ", "} ", "= ", "+ ", "x ", "A ", "1 ", "\"s\" ",
      "(* c *) ", "(* ", "\"", "if ", "then ", "else ", ";; ", "; ", ":: ", "[@@by auto] ", "\n", "begin ",
      "'a ", "of ", "and ", "rec ", "eval ", "[@@@import \"f.iml\"] ", "{| ", "|} ", ", ",
  };
  tu_rng r;
  tu_rng_seed(&r, 42);
  for (int round = 0; round < 40; round++) {
    char buf[4096];
    size_t o = 0;
    size_t n = tu_rng_below(&r, 200);
    for (size_t i = 0; i < n; i++) {
      const char *t = toks[tu_rng_below(&r, sizeof toks / sizeof *toks)];
      size_t tl = strlen(t);
      if (o + tl >= sizeof buf) break;
      memcpy(buf + o, t, tl);
      o += tl;
    }
    buf[o] = '\0';
    diag_list l = {0};
    diags_n(buf, o, 0, &l);
    check_invariants(&l, o);
    diag_list_clear(&l);
  }
}

/* The heuristics that fire without any ERROR/MISSING node are found by the
** text scan + tree check (syn_diagnostics no longer walks every node):
** reserved words parsed as identifiers in many positions, bindings without
** `=`, statements without expression, in clean files and next to errors. */
static const golden scan_goldens[] = {
    {"stray end", "let x = 1\nend\n", 10, 13, "E0001", "syntax error: unexpected `end`"},
    {"end as a name", "let end = 3\n", 4, 7, "E0001", "syntax error: unexpected `end`"},
    {"then without operand", "let g c = if c then else 2\n", 20, 24, "E0001", "syntax error: unexpected `else`"},
    {"local let without in", "let f x =\n  let y = x + 1\n  let z = 2 in\n  y + z\n", 28, 31, "E0001",
     "syntax error: unexpected `let`"},
    {"field named end", "let r = x.end\n", 10, 13, "E0001", "syntax error: unexpected `end`"},
    {"theorem without = in a struct", "module M = struct\n  let a = 1\n  theorem t\n  let b = 2\nend\n", 40, 41,
     "E0002", "missing `=` after `t`"},
    {"verify without expression in a struct", "module M = struct\n  verify\nend\n", 20, 26, "E0002",
     "missing expression after `verify`"},
    {"verify between comments", "let a = 1\n(* c *)\nverify\n(* d *)\n", 18, 24, "E0002",
     "missing expression after `verify`"},
    {"in as a match arm body", "let f x = match x with A -> 1 | B -> in\n", 37, 39, "E0001",
     "syntax error: unexpected `in`"},
    {"type in a tuple", "let x = f (a, type)\n", 14, 18, "E0001", "syntax error: unexpected `type`"},
    {"then as a parameter", "let f = fun then -> 1\n", 12, 16, "E0001", "syntax error: unexpected `then`"},
    {"val as a field", "type t = { val : int }\n", 11, 14, "E0001", "syntax error: unexpected `val`"},
    {"in in a list", "let x = [1; 2; in]\n", 15, 17, "E0001", "syntax error: unexpected `in`"},
    {"new as a name", "let (new, old) = p\n", 5, 8, "E0001", "syntax error: unexpected `new`"},
    {"let without = after ;;", "let x = 1 ;; let y in 2\n", 17, 18, "E0002", "missing `=` after `y`"},
    {"one per item in a struct", "module M = struct\n  theorem a\n  theorem b\nend\n", 28, 29, "E0002",
     "missing `=` after `a`"},
    {"keywords in tactics are not reported", "let f x = x\n[@@by let in]\nlet end = 1\n", 30, 33, "E0001",
     "syntax error: unexpected `end`"},
};

Test(syntax, scan_finds_problems_without_error_nodes) {
  for (size_t i = 0; i < sizeof scan_goldens / sizeof *scan_goldens; i++) {
    const golden *g = &scan_goldens[i];
    diag_list l = {0};
    diags(g->src, &l);
    cr_assert_eq(l.count, 1, "%s: expected 1 diagnostic, got %zu (first: %s)", g->name, l.count,
                 l.count ? l.items[0].message : "-");
    cr_expect_str_eq(l.items[0].message, g->message, "%s", g->name);
    cr_expect_str_eq(l.items[0].code, g->code, "%s", g->name);
    cr_expect_eq(l.items[0].span.start, g->start, "%s: start %u", g->name, l.items[0].span.start);
    cr_expect_eq(l.items[0].span.end, g->end, "%s: end %u", g->name, l.items[0].span.end);
    check_invariants(&l, strlen(g->src));
    diag_list_clear(&l);
  }
}

Test(syntax, clean_subtrees_next_to_errors) {
  /* The walk descends only where errors are; the other items still get
  ** their checks, each item its own diagnostic. */
  static const struct {
    const char *src;
    size_t n;
    uint32_t starts[3];
  } cases[] = {
      {"let a = 1)\nlet b = 2\nlet c = x.end\nlet d = (\n", 3, {9, 31, 43}},
      {"module M = struct\n  let a = 1\n  let end = 2\nend\nlet b = )\n", 2, {36, 56}},
      {"verify\nlet a = 1)\n", 2, {0, 16}},
      {"let a = 1)\nverify\n", 2, {9, 11}},
      {"let a = 1)\ntheorem foo\nlet b = 2\n", 2, {9, 19}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    diag_list l = {0};
    diags(cases[i].src, &l);
    check_invariants(&l, strlen(cases[i].src));
    cr_assert_eq(l.count, cases[i].n, "case %zu: %zu diagnostics", i, l.count);
    for (size_t k = 0; k < cases[i].n; k++)
      cr_expect_eq(l.items[k].span.start, cases[i].starts[k], "case %zu #%zu: %u", i, k, l.items[k].span.start);
    diag_list_clear(&l);
  }
}

Test(syntax, big_clean_file_with_one_mistake_deep_inside) {
  /* 30 copies of the realistic file (valid), then the same with one
  ** reserved word used as a name inside a nested module in copy 17. */
  char *path = tu_source_path("test/data/outline/realistic.iml");
  size_t one;
  char *unit = tu_read_file(path, &one);
  free(path);
  cr_assert_not_null(unit);
  size_t copies = 30, len = one * copies;
  char *big = malloc(len + 64);
  for (size_t i = 0; i < copies; i++) memcpy(big + i * one, unit, one);
  big[len] = '\0';
  diag_list l = {0};
  diags_n(big, len, 0, &l);
  cr_expect_eq(l.count, 0, "first: %s", l.count ? l.items[0].message : "");
  diag_list_clear(&l);

  const char *needle = "module Audit = struct\n";
  char *at = strstr(big + 17 * one, needle);
  cr_assert_not_null(at);
  const char *ins = "  let done = 1\n";
  size_t pos = (size_t)(at - big) + strlen(needle), il = strlen(ins);
  memmove(big + pos + il, big + pos, len - pos + 1);
  memcpy(big + pos, ins, il);
  len += il;
  diags_n(big, len, 0, &l);
  check_invariants(&l, len);
  cr_assert_eq(l.count, 1, "got %zu, first: %s", l.count, l.count ? l.items[0].message : "");
  cr_expect_str_eq(l.items[0].message, "syntax error: unexpected `done`");
  cr_expect_eq(l.items[0].span.start, pos + 6);
  diag_list_clear(&l);
  free(big);
  free(unit);
}
