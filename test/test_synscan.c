/* test_synscan.c — the lexical scan of syntax.c (analysis/synscan.c) on its
** own: which spots it lists for typical mistakes, that clean code and the
** insides of strings/comments/quoted strings give none, and invariants
** (sorted, inside the text, bounded state) on deep nesting and random bytes.
** The diagnostics built from the spots are tested in test_syntax.c. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "synscan.h"
#include "testutil.h"

/* Spots of src, checked against the expected (pos, kind) pairs. */
static void expect(const char *src, const synscan_spot *want, size_t nwant) {
  synscan_list l = {0};
  cr_assert_eq(synscan_run(src, strlen(src), &l), 0);
  cr_assert_not(l.oom);
  cr_assert_eq(l.count, nwant, "%s: %zu spots, want %zu", src, l.count, nwant);
  for (size_t i = 0; i < nwant; i++) {
    cr_assert_eq(l.items[i].pos, want[i].pos, "%s: spot %zu at %u, want %u", src, i, l.items[i].pos, want[i].pos);
    cr_assert_eq(l.items[i].kind, want[i].kind, "%s: spot %zu kind %d, want %d", src, i, l.items[i].kind,
                 want[i].kind);
  }
  synscan_list_clear(&l);
  cr_assert_null(l.items);
  cr_assert_eq(l.count, 0);
}

#define EXPECT(src, ...)                                              \
  do {                                                                \
    const synscan_spot w_[] = {__VA_ARGS__};                          \
    expect(src, w_, sizeof w_ / sizeof *w_);                          \
  } while (0)

Test(synscan, reserved_word_after_operator) {
  /* `in` right after `=` cannot continue anything: tree-sitter may have
  ** taken it for a variable. */
  EXPECT("let x = in 3", {8, SYNSCAN_KW}, {11, SYNSCAN_EOF});
  /* `end` with nothing to close. */
  EXPECT("let x = f end", {10, SYNSCAN_KW}, {12, SYNSCAN_EOF});
}

Test(synscan, clean_code_only_eof) {
  EXPECT("let f x = if x then 1 else 2", {27, SYNSCAN_EOF});
  EXPECT("module M = struct\n  let a = 1\nend", {32, SYNSCAN_EOF});
  EXPECT("let y = match x with\n  | A when b -> 1\n  | _ -> 2", {48, SYNSCAN_EOF});
  EXPECT("theorem t x = x > 0", {18, SYNSCAN_EOF});
  EXPECT("verify (fun x -> x)", {18, SYNSCAN_EOF});
  /* A keyword used as a name where the view does not substitute it. */
  EXPECT("let verify = 1", {13, SYNSCAN_EOF});
}

Test(synscan, keywords_inside_literals_and_comments_ignored) {
  EXPECT("let s = \"let in\" (* in *)\nlet t = {|end|}", {40, SYNSCAN_EOF});
  /* An unterminated comment runs to the end: only the EOF spot. */
  EXPECT("(* open", {6, SYNSCAN_EOF});
}

Test(synscan, binding_head_without_equals) {
  /* The head of `let x` meets the next item before any `=`; the second
  ** `let` is then suspicious too (after a suspicious spot). */
  EXPECT("let x\nlet y = 2", {0, SYNSCAN_BIND}, {6, SYNSCAN_KW}, {14, SYNSCAN_EOF});
  EXPECT("lemma l x\nlet z = 1", {0, SYNSCAN_BIND}, {10, SYNSCAN_KW}, {18, SYNSCAN_EOF});
}

Test(synscan, statement_without_expression) {
  EXPECT("verify\ntype t = int", {0, SYNSCAN_STMT}, {18, SYNSCAN_EOF});
  EXPECT("let x = 1\n\nverify\n\nlet y = 2", {11, SYNSCAN_STMT}, {27, SYNSCAN_EOF});
  EXPECT("eval 1", {5, SYNSCAN_EOF});
}

Test(synscan, empty_and_clear) {
  synscan_list l = {0};
  cr_assert_eq(synscan_run("", 0, &l), 0);
  cr_assert_eq(l.count, 0);
  synscan_list_clear(&l);
  synscan_list_clear(&l);
  synscan_list_clear(NULL);
  /* Only len bytes are read: "let x = in" cut from "let x = inx" (whole,
  ** `inx` would be a name). */
  const char buf[] = "let x = inx";
  cr_assert_eq(synscan_run(buf, sizeof buf - 2, &l), 0);
  cr_assert_eq(l.count, 2);
  cr_assert_eq(l.items[0].kind, SYNSCAN_KW);
  cr_assert_eq(l.items[0].pos, 8);
  cr_assert_eq(l.items[1].kind, SYNSCAN_EOF);
  cr_assert_eq(l.items[1].pos, 9);
  synscan_list_clear(&l);
}

/* Sorted by (pos, kind), inside the text, ends with the EOF spot. */
static void check_invariants(const synscan_list *l, size_t len) {
  cr_assert_gt(l->count, 0);
  for (size_t i = 0; i < l->count; i++) {
    cr_assert_lt(l->items[i].pos, len);
    cr_assert_leq(l->items[i].kind, SYNSCAN_EOF);
    if (i > 0)
      cr_assert(l->items[i - 1].pos < l->items[i].pos ||
                    (l->items[i - 1].pos == l->items[i].pos && l->items[i - 1].kind <= l->items[i].kind),
                "not sorted at %zu", i);
  }
}

Test(synscan, deep_nesting_bounded) {
  /* Deeper than the remembered bracket kinds and binding heads. */
  size_t n = 20000;
  char *s = malloc(5 * n);
  cr_assert_not_null(s);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) memcpy(s + k, "(let", 4), k += 4;
  for (size_t i = 0; i < n; i++) s[k++] = ')';
  synscan_list l = {0};
  cr_assert_eq(synscan_run(s, k, &l), 0);
  check_invariants(&l, k);
  cr_assert_eq(l.items[l.count - 1].kind, SYNSCAN_EOF);
  synscan_list_clear(&l);
  free(s);
}

Test(synscan, random_bytes_invariants) {
  static const char *const pieces[] = {"let ", "in ", "= ", "(", ")", "end ", "begin ", "struct ", "sig ",
                                       "verify ", "theorem ", "\n", ";;", ";", "(*", "*)", "\"", "'", "{|",
                                       "|}", "[@@by ", "]", "x ", "1 ", "match ", "with ", "| ", "-> "};
  tu_rng r;
  tu_rng_seed(&r, 42);
  for (int round = 0; round < 300; round++) {
    char buf[600];
    size_t k = 0;
    while (k < 500) {
      if (tu_rng_next(&r) % 4 == 0) {
        buf[k++] = (char)(tu_rng_next(&r) & 0xFF);
      } else {
        const char *p = pieces[tu_rng_next(&r) % (sizeof pieces / sizeof *pieces)];
        size_t pl = strlen(p);
        memcpy(buf + k, p, pl);
        k += pl;
      }
    }
    synscan_list l = {0};
    cr_assert_eq(synscan_run(buf, k, &l), 0);
    check_invariants(&l, k);
    synscan_list_clear(&l);
  }
}
