/* test_imports.c — the import layer (analysis/imports.c): extraction of both
** forms with exact spans, string escapes, nested modules, recovery inside
** broken code, module names, resolution order and canonical paths
** (fixtures in test/data/imports/, symlinks made at runtime), and every
** diagnostic code with its exact message and span. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iml_grammar.h"
#include "imports.h"
#include "testutil.h"

/* ------------------------------------------------------------------------ */
/* Helpers */

typedef struct {
  imp_import *items;
  size_t n;
} imps;

static imps extract_len(const char *src, size_t len) {
  TSParser *p = ts_parser_new();
  cr_assert(ts_parser_set_language(p, imlg_language()));
  TSTree *t = imlg_parse(p, NULL, src, NULL, len);
  ts_parser_delete(p);
  cr_assert_not_null(t);
  imps r = {0};
  cr_assert_eq(imp_extract(t, src, len, &r.items, &r.n), 0);
  ts_tree_delete(t);
  return r;
}

static imps extract(const char *src) { return extract_len(src, strlen(src)); }

/* Byte offset of the first occurrence of `needle` in src (must exist). */
static uint32_t off(const char *src, const char *needle) {
  const char *p = strstr(src, needle);
  cr_assert_not_null(p, "`%s` not in source", needle);
  return (uint32_t)(p - src);
}

static void assert_span(text_span s, uint32_t a, uint32_t b) {
  cr_assert_eq(s.start, a, "span start %u != %u", s.start, a);
  cr_assert_eq(s.end, b, "span end %u != %u", s.end, b);
}

/* Span of the first occurrence of `needle` in src. */
static void assert_span_of(text_span s, const char *src, const char *needle) {
  uint32_t a = off(src, needle);
  assert_span(s, a, a + (uint32_t)strlen(needle));
}

static void assert_str(const char *got, const char *want) {
  if (!want) {
    cr_assert_null(got, "expected NULL, got `%s`", got ? got : "");
    return;
  }
  cr_assert_not_null(got, "expected `%s`, got NULL", want);
  cr_assert_str_eq(got, want);
}

static char *src_path(const char *rel) {
  char *p = tu_source_path(rel);
  cr_assert_not_null(p);
  char *r = realpath(p, NULL);
  cr_assert_not_null(r, "fixture %s missing", p);
  free(p);
  return r;
}

/* ------------------------------------------------------------------------ */
/* Extraction */

Test(extract, plain_and_explicit_forms_with_exact_spans) {
  const char *src = "[@@@import \"p.iml\"]\n"
                    "let x = 1\n"
                    "[@@@import Lu, \"dir/list_utils.iml\"]\n";
  imps r = extract(src);
  cr_assert_eq(r.n, 2);
  imp_import *a = &r.items[0], *b = &r.items[1];
  cr_assert_eq(a->kind, IMP_FILE);
  assert_str(a->path, "p.iml");
  assert_str(a->module, "P");
  cr_assert(!a->explicit_module);
  assert_span(a->string_span, 11, 18);
  assert_span(a->item_span, 0, 19);
  cr_assert_eq(a->line, 0);

  cr_assert_eq(b->kind, IMP_FILE);
  assert_str(b->path, "dir/list_utils.iml");
  assert_str(b->module, "Lu");
  cr_assert(b->explicit_module);
  assert_span_of(b->string_span, src, "\"dir/list_utils.iml\"");
  assert_span_of(b->item_span, src, "[@@@import Lu, \"dir/list_utils.iml\"]");
  cr_assert_eq(b->line, 2);
  imp_free(r.items, r.n);
}

Test(extract, derived_module_name_and_parenthesised_tuple) {
  const char *src = "[@@@import \"sub/list_utils.iml\"]\n[@@@import (M, \"q.iml\")]\n";
  imps r = extract(src);
  cr_assert_eq(r.n, 2);
  assert_str(r.items[0].module, "List_utils");
  assert_str(r.items[1].module, "M");
  cr_assert(r.items[1].explicit_module);
  assert_span_of(r.items[1].string_span, src, "\"q.iml\"");
  imp_free(r.items, r.n);
}

Test(extract, ocaml_escapes_are_decoded) {
  const char *src = "[@@@import \"a\\\"b\\\\c\\n\\t\\065\\x42\\o103\\u{e9}\\ .iml\"]\n"
                    "[@@@import \"bad\\q.iml\"]\n";
  imps r = extract(src);
  cr_assert_eq(r.n, 2);
  cr_assert_eq(r.items[0].kind, IMP_FILE);
  /* \065 = 'A', \x42 = 'B', \o103 = 'C', \u{e9} = é (UTF-8), "\ " = ' '. */
  assert_str(r.items[0].path, "a\"b\\c\n\tABC\xc3\xa9 .iml");
  assert_span(r.items[0].string_span, 11, off(src, "\n[@@@") - 1);
  /* An illegal escape is a lexical error: malformed, not guessed. */
  cr_assert_eq(r.items[1].kind, IMP_MALFORMED);
  imp_free(r.items, r.n);
}

Test(extract, unlexable_payload_inside_error_node_is_malformed) {
  /* The illegal escape makes tree-sitter give up on the attribute: its
  ** pieces end up as children of an ERROR node. Still one MALFORMED import. */
  const char *src = "[@@@import \"ok.iml\"]\n[@@@import \"bad\\q.iml\"]\nlet x = 1\n";
  imps r = extract(src);
  cr_assert_eq(r.n, 2);
  assert_str(r.items[0].path, "ok.iml");
  cr_assert_eq(r.items[1].kind, IMP_MALFORMED);
  assert_span_of(r.items[1].string_span, src, "\"bad\\q.iml\"");
  cr_assert_eq(r.items[1].item_span.start, off(src, "[@@@import \"bad"));
  cr_assert_eq(r.items[1].line, 1);
  imp_free(r.items, r.n);

  const char *src2 = "[@@@import M, \"bad\\q.iml\"]\nlet x = 1\n";
  r = extract(src2);
  cr_assert_eq(r.n, 1);
  cr_assert_eq(r.items[0].kind, IMP_MALFORMED);
  assert_span_of(r.items[0].string_span, src2, "M, \"bad\\q.iml\"");
  imp_free(r.items, r.n);
}

Test(extract, line_continuation_escape) {
  const char *src = "[@@@import \"dir/\\\n     x.iml\"]\n";
  imps r = extract(src);
  cr_assert_eq(r.n, 1);
  assert_str(r.items[0].path, "dir/x.iml");
  assert_str(r.items[0].module, "X");
  imp_free(r.items, r.n);
}

Test(extract, quoted_strings_are_verbatim) {
  const char *src = "[@@@import {|a\\n.iml|}]\n[@@@import {id|b|c.iml|id}]\n[@@@import {||}]\n";
  imps r = extract(src);
  cr_assert_eq(r.n, 3);
  assert_str(r.items[0].path, "a\\n.iml");
  assert_span_of(r.items[0].string_span, src, "{|a\\n.iml|}");
  assert_str(r.items[1].path, "b|c.iml");
  assert_str(r.items[2].path, "");
  imp_free(r.items, r.n);
}

Test(extract, ocaml_library_imports) {
  const char *src = "[@@@import Yojson, \"dune:yojson\"]\n[@@@import \"findlib:zarith\"]\n";
  imps r = extract(src);
  cr_assert_eq(r.n, 2);
  cr_assert_eq(r.items[0].kind, IMP_OCAML_LIB);
  assert_str(r.items[0].path, "dune:yojson");
  assert_str(r.items[0].module, "Yojson");
  cr_assert(r.items[0].explicit_module);
  cr_assert_eq(r.items[1].kind, IMP_OCAML_LIB);
  assert_str(r.items[1].path, "findlib:zarith");
  assert_str(r.items[1].module, NULL);
  imp_free(r.items, r.n);
}

Test(extract, malformed_payloads) {
  const char *src = "[@@@import 42]\n"
                    "[@@@import]\n"
                    "[@@@import M.N, \"x.iml\"]\n"
                    "[@@@import m, \"x.iml\"]\n"
                    "[@@@import \"a.iml\" \"b\"]\n"
                    "[@@@import M, \"a.iml\", \"b.iml\"]\n"
                    "[@@@import \"nul\\000.iml\"]\n";
  imps r = extract(src);
  cr_assert_eq(r.n, 7);
  for (size_t i = 0; i < r.n; i++) {
    cr_assert_eq(r.items[i].kind, IMP_MALFORMED, "item %zu", i);
    cr_assert_null(r.items[i].path);
    cr_assert_null(r.items[i].module);
  }
  assert_span_of(r.items[0].string_span, src, "42");
  assert_span_of(r.items[1].string_span, src, "[@@@import]"); /* no payload: the item */
  assert_span_of(r.items[2].string_span, src, "M.N, \"x.iml\"");
  assert_span_of(r.items[4].item_span, src, "[@@@import \"a.iml\" \"b\"]");
  imp_free(r.items, r.n);
}

Test(extract, other_attributes_and_strings_are_ignored) {
  const char *src = "[@@@program]\n"
                    "let s = \"[@@@import \\\"no.iml\\\"]\"\n"
                    "(* [@@@import \"comment.iml\"] *)\n"
                    "let f x = x [@@by auto]\n"
                    "[@@@importer \"no.iml\"]\n"
                    "[@@@logic]\n";
  imps r = extract(src);
  cr_assert_eq(r.n, 0);
  cr_assert_null(r.items);
  imp_free(r.items, r.n);
}

Test(extract, next_to_theorems_and_verify) {
  const char *src = "[@@@import \"a.iml\"]\n"
                    "theorem foo x = x + 0 = x [@@by auto]\n"
                    "[@@@import \"b.iml\"]\n"
                    "verify (fun x -> x >= x)\n"
                    "[@@@import \"c.iml\"]\n"
                    "lemma l = true\n"
                    "instance (fun x -> x > 3)\n"
                    "[@@@import \"d.iml\"]\n"
                    "eval (1 + 1)\n"
                    "[@@@import \"e.iml\"]\n";
  imps r = extract(src);
  cr_assert_eq(r.n, 5);
  const char *want[] = {"a.iml", "b.iml", "c.iml", "d.iml", "e.iml"};
  const uint32_t lines[] = {0, 2, 4, 7, 9};
  for (size_t i = 0; i < 5; i++) {
    cr_assert_eq(r.items[i].kind, IMP_FILE);
    assert_str(r.items[i].path, want[i]);
    cr_assert_eq(r.items[i].line, lines[i]);
  }
  assert_span_of(r.items[3].item_span, src, "[@@@import \"d.iml\"]");
  imp_free(r.items, r.n);
}

Test(extract, nested_modules_in_source_order) {
  const char *src = "[@@@import \"top.iml\"]\n"
                    "module N = struct\n"
                    "  [@@@import \"nested.iml\"]\n"
                    "  module O = struct [@@@import \"deep.iml\"] end\n"
                    "  let x = 1\n"
                    "end\n"
                    "module F (X : sig end) = struct [@@@import \"functor.iml\"] end\n"
                    "module S = (struct [@@@import \"typed.iml\"] end : sig end)\n"
                    "module rec A : sig end = struct end\n"
                    "and B : sig end = struct [@@@import \"rec.iml\"] end\n"
                    "[@@@import \"last.iml\"]\n";
  imps r = extract(src);
  const char *want[] = {"top.iml", "nested.iml", "deep.iml", "functor.iml",
                        "typed.iml", "rec.iml", "last.iml"};
  cr_assert_eq(r.n, 7, "got %zu", r.n);
  for (size_t i = 0; i < r.n; i++) assert_str(r.items[i].path, want[i]);
  assert_span_of(r.items[2].string_span, src, "\"deep.iml\"");
  cr_assert_eq(r.items[2].line, 3);
  imp_free(r.items, r.n);
}

Test(extract, imports_survive_syntax_errors) {
  /* An unclosed `(` before the second import: tree-sitter recovers it as an
  ** ordinary attribute inside an ERROR node; it is still an import. */
  const char *src = "[@@@import \"a.iml\"]\nlet x = (\n[@@@import B, \"b.iml\"]\nlet y = 2\n";
  imps r = extract(src);
  cr_assert_eq(r.n, 2);
  assert_str(r.items[1].path, "b.iml");
  assert_str(r.items[1].module, "B");
  assert_span_of(r.items[1].string_span, src, "\"b.iml\"");
  assert_span_of(r.items[1].item_span, src, "[@@@import B, \"b.iml\"]");
  cr_assert_eq(r.items[1].line, 2);
  imp_free(r.items, r.n);

  const char *src2 = "let f x =\n[@@@import \"c.iml\"]\n";
  r = extract(src2);
  cr_assert_eq(r.n, 1);
  assert_str(r.items[0].path, "c.iml");
  imp_free(r.items, r.n);
}

Test(extract, deep_nesting_is_bounded) {
  /* 3000 nested modules: the walk is iterative (no stack overflow). */
  enum { D = 3000 };
  size_t cap = D * 40 + 64, n = 0;
  char *src = malloc(cap);
  cr_assert_not_null(src);
  for (int i = 0; i < D; i++) n += (size_t)snprintf(src + n, cap - n, "module M = struct\n");
  n += (size_t)snprintf(src + n, cap - n, "[@@@import \"x.iml\"]\n");
  for (int i = 0; i < D; i++) n += (size_t)snprintf(src + n, cap - n, "end\n");
  imps r = extract_len(src, n);
  cr_assert_eq(r.n, 1);
  assert_str(r.items[0].path, "x.iml");
  imp_free(r.items, r.n);
  free(src);
}

Test(extract, random_bytes_never_crash) {
  tu_rng g;
  tu_rng_seed(&g, 42);
  const char *frags[] = {"[@@@import ", "\"a.iml\"", "M, ", "(", ")", "]", "\\", "\"",
                         "{|", "|}", "module M = struct ", "end ", "let x = ", "\n", "42"};
  for (int iter = 0; iter < 200; iter++) {
    char buf[512];
    size_t n = 0;
    int k = (int)tu_rng_below(&g, 30);
    for (int j = 0; j < k; j++) {
      const char *f = frags[tu_rng_below(&g, sizeof frags / sizeof *frags)];
      size_t fl = strlen(f);
      if (n + fl >= sizeof buf) break;
      memcpy(buf + n, f, fl);
      n += fl;
    }
    imps r = extract_len(buf, n);
    for (size_t i = 0; i < r.n; i++) {
      const imp_import *im = &r.items[i];
      cr_assert_leq(im->string_span.end, n);
      cr_assert_leq(im->item_span.start, im->string_span.start);
      cr_assert_leq(im->string_span.end, im->item_span.end);
      cr_assert_eq(im->kind == IMP_MALFORMED, im->path == NULL);
    }
    imp_free(r.items, r.n);
  }
}

Test(extract, free_null_is_noop) { imp_free(NULL, 0); }

/* ------------------------------------------------------------------------ */
/* Module names */

Test(module_name, derived_names) {
  char *s;
  assert_str(s = imp_module_name("list_utils.iml"), "List_utils"); free(s);
  assert_str(s = imp_module_name("dir/sub/foo.iml"), "Foo"); free(s);
  assert_str(s = imp_module_name("Already.iml"), "Already"); free(s);
  assert_str(s = imp_module_name("x'2.iml"), "X'2"); free(s);
  assert_str(s = imp_module_name("/abs/a.b.iml"), NULL); free(s);
  assert_str(s = imp_module_name("dir/x-y.iml"), NULL); free(s);
  assert_str(s = imp_module_name("_x.iml"), NULL); free(s);
  assert_str(s = imp_module_name("1x.iml"), NULL); free(s);
  assert_str(s = imp_module_name(".iml"), NULL); free(s);
  assert_str(s = imp_module_name("dir/"), NULL); free(s);
  assert_str(s = imp_module_name("caf\xc3\xa9.iml"), NULL); free(s);
}

/* ------------------------------------------------------------------------ */
/* Resolution */

Test(resolve, relative_dir_before_roots_and_first_root_wins) {
  char *main_ = src_path("test/data/imports/proj/main.iml");
  char *inc1 = src_path("test/data/imports/inc1");
  char *inc2 = src_path("test/data/imports/inc2");
  const char *roots[] = {inc1, inc2};

  /* a.iml exists next to main.iml and in inc1: the relative one wins. */
  char *r = imp_resolve(main_, "a.iml", roots, 2, NULL);
  char *want = src_path("test/data/imports/proj/a.iml");
  assert_str(r, want);
  free(r); free(want);

  /* both.iml is in inc1 and inc2: the first root wins. */
  r = imp_resolve(main_, "both.iml", roots, 2, NULL);
  want = src_path("test/data/imports/inc1/both.iml");
  assert_str(r, want);
  free(r); free(want);
  const char *rev[] = {inc2, inc1};
  r = imp_resolve(main_, "both.iml", rev, 2, NULL);
  want = src_path("test/data/imports/inc2/both.iml");
  assert_str(r, want);
  free(r); free(want);

  /* only2.iml: only in the second root. */
  r = imp_resolve(main_, "only2.iml", roots, 2, NULL);
  want = src_path("test/data/imports/inc2/only2.iml");
  assert_str(r, want);
  free(r); free(want);

  /* Not found: the candidates in order. */
  char *looked = NULL;
  r = imp_resolve(main_, "nope.iml", roots, 2, &looked);
  cr_assert_null(r);
  cr_assert_not_null(looked);
  char *dir = strdup(main_);
  *strrchr(dir, '/') = 0;
  char expect[3 * PATH_MAX];
  snprintf(expect, sizeof expect, "%s/nope.iml, %s/nope.iml, %s/nope.iml", dir, inc1, inc2);
  assert_str(looked, expect);
  free(looked);

  /* A root that is the importer's directory (a workspace folder) is listed once. */
  const char *same[] = {dir, inc1};
  r = imp_resolve(main_, "nope.iml", same, 2, &looked);
  cr_assert_null(r);
  snprintf(expect, sizeof expect, "%s/nope.iml, %s/nope.iml", dir, inc1);
  assert_str(looked, expect);
  free(looked);
  free(dir);

  /* A directory is not a file. */
  r = imp_resolve(main_, "sub", roots, 2, NULL);
  cr_assert_null(r);

  /* No importer path (unsaved buffer): roots only. */
  looked = NULL;
  r = imp_resolve(NULL, "a.iml", roots, 2, &looked);
  want = src_path("test/data/imports/inc1/a.iml");
  assert_str(r, want);
  cr_assert_null(looked);
  free(r); free(want);

  free(main_); free(inc1); free(inc2);
}

Test(resolve, absolute_and_dotdot_paths_are_canonical) {
  char *c = src_path("test/data/imports/proj/sub/c.iml");
  char *a = src_path("test/data/imports/proj/a.iml");
  char *r = imp_resolve(c, "../a.iml", NULL, 0, NULL);
  assert_str(r, a);
  free(r);
  r = imp_resolve(c, "./../sub/../a.iml", NULL, 0, NULL);
  assert_str(r, a);
  free(r);

  /* Absolute: used as is (roots and the importer's dir are not consulted). */
  char *raw = tu_source_path("test/data/imports/proj/sub/../a.iml");
  r = imp_resolve(c, raw, NULL, 0, NULL);
  assert_str(r, a);
  free(r);
  char *looked = NULL;
  r = imp_resolve(c, "/nonexistent/dir/x.iml", NULL, 0, &looked);
  cr_assert_null(r);
  assert_str(looked, "/nonexistent/dir/x.iml");
  free(looked);
  free(raw); free(a); free(c);
}

/* A temporary directory with symlinks: /T/real/f.iml, /T/link -> real,
** /T/alias.iml -> real/f.iml. */
static char tmpdir[64];

static void rm_tmp(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  cr_assert_eq(system(cmd), 0);
}

Test(resolve, symlinks_canonicalise_to_one_path, .fini = rm_tmp) {
  strcpy(tmpdir, "/tmp/imp_test_XXXXXX");
  cr_assert_not_null(mkdtemp(tmpdir));
  char p[PATH_MAX], q[PATH_MAX];
  snprintf(p, sizeof p, "%s/real", tmpdir);
  cr_assert_eq(mkdir(p, 0700), 0);
  snprintf(p, sizeof p, "%s/real/f.iml", tmpdir);
  FILE *f = fopen(p, "w");
  cr_assert_not_null(f);
  fputs("let f = 1\n", f);
  fclose(f);
  snprintf(q, sizeof q, "%s/link", tmpdir);
  cr_assert_eq(symlink("real", q), 0);
  snprintf(q, sizeof q, "%s/alias.iml", tmpdir);
  cr_assert_eq(symlink("real/f.iml", q), 0);
  snprintf(q, sizeof q, "%s/dangling.iml", tmpdir);
  cr_assert_eq(symlink("real/none.iml", q), 0);

  char *canon = realpath(p, NULL);
  cr_assert_not_null(canon);
  char importer[PATH_MAX];
  snprintf(importer, sizeof importer, "%s/main.iml", tmpdir);
  const char *via[] = {"real/f.iml", "link/f.iml", "alias.iml", "link/../real/f.iml"};
  for (size_t i = 0; i < 4; i++) {
    char *r = imp_resolve(importer, via[i], NULL, 0, NULL);
    assert_str(r, canon);
    free(r);
  }
  /* Through a symlinked include root too. */
  char root[PATH_MAX];
  snprintf(root, sizeof root, "%s/link", tmpdir);
  const char *roots[] = {root};
  char *r = imp_resolve(NULL, "f.iml", roots, 1, NULL);
  assert_str(r, canon);
  free(r);
  /* A dangling symlink is not a file. */
  cr_assert_null(imp_resolve(importer, "dangling.iml", NULL, 0, NULL));
  free(canon);
}

/* ------------------------------------------------------------------------ */
/* Diagnostics */

typedef struct {
  char *src;
  imps im;
  char **resolved;
  diag_list d;
} checked;

static checked check_file(const char *rel, const char *const *roots, size_t nroots) {
  checked c = {0};
  char *path = src_path(rel);
  size_t len;
  c.src = tu_read_file(path, &len);
  cr_assert_not_null(c.src);
  c.im = extract_len(c.src, len);
  c.resolved = calloc(c.im.n + 1, sizeof *c.resolved);
  cr_assert_not_null(c.resolved);
  cr_assert_eq(imp_check(path, c.im.items, c.im.n, roots, nroots, c.resolved, &c.d), 0);
  free(path);
  return c;
}

static void checked_free(checked *c) {
  for (size_t i = 0; i < c->im.n; i++) free(c->resolved[i]);
  free(c->resolved);
  imp_free(c->im.items, c->im.n);
  diag_list_clear(&c->d);
  free(c->src);
}

static void assert_diag(const diag *d, const char *code, diag_severity sev, const char *msg) {
  cr_assert_str_eq(d->code, code);
  cr_assert_eq(d->severity, sev, "%s: severity %d", code, (int)d->severity);
  cr_assert_str_eq(d->message, msg);
}

Test(check, every_code_with_message_and_span) {
  char *inc1 = src_path("test/data/imports/inc1");
  const char *roots[] = {inc1};
  checked c = check_file("test/data/imports/proj/main.iml", roots, 1);
  char *dir = src_path("test/data/imports/proj");
  /* main.iml:
     0 [@@@import "a.iml"]                  ok
     1 [@@@import "missing.iml"]            E0101
     2 [@@@import "main.iml"]               E0102
     3 [@@@import A, "sub/b.iml"]           E0103 (A from line 1)
     4 [@@@import "b.ml"]                   E0104
     5 [@@@import Yojson, "dune:yojson"]    W0105
     6 [@@@import 42]                       E0106
     7 [@@@import "only1.iml"]              ok (include root) */
  cr_assert_eq(c.im.n, 8);
  cr_assert_eq(c.d.count, 6, "got %zu diagnostics", c.d.count);
  char msg[3 * PATH_MAX];

  snprintf(msg, sizeof msg, "cannot find `missing.iml` (looked in %s/missing.iml, %s/missing.iml)",
           dir, inc1);
  assert_diag(&c.d.items[0], IMP_CODE_NOT_FOUND, DIAG_ERROR, msg);
  assert_span_of(c.d.items[0].span, c.src, "\"missing.iml\"");

  assert_diag(&c.d.items[1], IMP_CODE_SELF_IMPORT, DIAG_ERROR, "`main.iml` imports itself");
  assert_span_of(c.d.items[1].span, c.src, "\"main.iml\"");

  assert_diag(&c.d.items[2], IMP_CODE_DUP_MODULE, DIAG_ERROR,
              "module `A` is already imported on line 1");
  assert_span_of(c.d.items[2].span, c.src, "\"sub/b.iml\"");

  assert_diag(&c.d.items[3], IMP_CODE_NOT_IML, DIAG_ERROR,
              "import path `b.ml` does not end in `.iml`");
  assert_span_of(c.d.items[3].span, c.src, "\"b.ml\"");

  assert_diag(&c.d.items[4], IMP_CODE_OCAML_LIB, DIAG_WARNING,
              "OCaml library imports (`dune:yojson`) are not supported; names from `Yojson` are "
              "treated as unknown");
  assert_span_of(c.d.items[4].span, c.src, "\"dune:yojson\"");

  assert_diag(&c.d.items[5], IMP_CODE_MALFORMED, DIAG_ERROR,
              "malformed import: expected [@@@import \"file.iml\"] or [@@@import M, \"file.iml\"]");
  assert_span_of(c.d.items[5].span, c.src, "42");

  /* Resolved targets for the graph. */
  char *a = src_path("test/data/imports/proj/a.iml");
  char *b = src_path("test/data/imports/proj/sub/b.iml");
  char *o = src_path("test/data/imports/inc1/only1.iml");
  assert_str(c.resolved[0], a);
  assert_str(c.resolved[1], NULL);
  assert_str(c.resolved[2], NULL); /* self-import: no self edge */
  assert_str(c.resolved[3], b);   /* duplicate name, but the file exists */
  assert_str(c.resolved[4], NULL);
  assert_str(c.resolved[5], NULL);
  assert_str(c.resolved[6], NULL);
  assert_str(c.resolved[7], o);
  free(a); free(b); free(o); free(dir); free(inc1);
  checked_free(&c);
}

Test(check, dotdot_import_is_clean) {
  checked c = check_file("test/data/imports/proj/sub/c.iml", NULL, 0);
  cr_assert_eq(c.im.n, 1);
  cr_assert_eq(c.d.count, 0);
  char *a = src_path("test/data/imports/proj/a.iml");
  assert_str(c.resolved[0], a);
  free(a);
  checked_free(&c);
}

/* Diagnostics for an in-memory source "imported" from proj/main.iml. */
static checked check_src(const char *src) {
  checked c = {0};
  c.src = strdup(src);
  c.im = extract(src);
  c.resolved = calloc(c.im.n + 1, sizeof *c.resolved);
  char *importer = src_path("test/data/imports/proj/main.iml");
  cr_assert_eq(imp_check(importer, c.im.items, c.im.n, NULL, 0, c.resolved, &c.d), 0);
  free(importer);
  return c;
}

Test(check, duplicate_names_explicit_and_derived) {
  const char *src = "[@@@import \"a.iml\"]\n"
                    "\n"
                    "[@@@import \"sub/../a.iml\"]\n"
                    "[@@@import B, \"sub/b.iml\"]\n"
                    "[@@@import B, \"dune:b\"]\n";
  checked c = check_src(src);
  cr_assert_eq(c.d.count, 3, "got %zu", c.d.count);
  assert_diag(&c.d.items[0], IMP_CODE_DUP_MODULE, DIAG_ERROR,
              "module `A` is already imported on line 1");
  assert_span_of(c.d.items[0].span, src, "\"sub/../a.iml\"");
  cr_assert_str_eq(c.d.items[1].code, IMP_CODE_OCAML_LIB);
  assert_diag(&c.d.items[2], IMP_CODE_DUP_MODULE, DIAG_ERROR,
              "module `B` is already imported on line 4");
  assert_span_of(c.d.items[2].span, src, "\"dune:b\"");
  /* Both a.iml imports resolve to the same canonical path. */
  cr_assert_not_null(c.resolved[0]);
  assert_str(c.resolved[1], c.resolved[0]);
  checked_free(&c);
}

Test(check, malformed_without_payload_and_library_without_name) {
  const char *src = "[@@@import]\n[@@@import \"findlib:zarith\"]\n";
  checked c = check_src(src);
  cr_assert_eq(c.d.count, 2);
  cr_assert_str_eq(c.d.items[0].code, IMP_CODE_MALFORMED);
  assert_span_of(c.d.items[0].span, src, "[@@@import]");
  assert_diag(&c.d.items[1], IMP_CODE_OCAML_LIB, DIAG_WARNING,
              "OCaml library imports (`findlib:zarith`) are not supported");
  checked_free(&c);
}

Test(check, underivable_module_name_warns) {
  char tmpl[] = "/tmp/imp_w_XXXXXX";
  cr_assert_not_null(mkdtemp(tmpl));
  char p[PATH_MAX], imp[PATH_MAX];
  snprintf(p, sizeof p, "%s/x-y.iml", tmpl);
  FILE *f = fopen(p, "w");
  cr_assert_not_null(f);
  fclose(f);
  snprintf(imp, sizeof imp, "%s/main.iml", tmpl);
  char *canon_imp = NULL;
  {
    char *d = realpath(tmpl, NULL);
    cr_assert_not_null(d);
    cr_assert(asprintf(&canon_imp, "%s/main.iml", d) > 0);
    free(d);
  }
  const char *src = "[@@@import \"x-y.iml\"]\n[@@@import Xy, \"x-y.iml\"]\n";
  imps im = extract(src);
  char *res[2];
  diag_list d = {0};
  cr_assert_eq(imp_check(canon_imp, im.items, im.n, NULL, 0, res, &d), 0);
  cr_assert_eq(d.count, 1);
  assert_diag(&d.items[0], IMP_CODE_NO_MODULE_NAME, DIAG_WARNING,
              "`x-y.iml` is not a valid module name; use [@@@import M, \"x-y.iml\"] to name it");
  assert_span_of(d.items[0].span, src, "\"x-y.iml\"");
  cr_assert_not_null(res[0]);
  cr_assert_not_null(res[1]);
  free(res[0]);
  free(res[1]);
  diag_list_clear(&d);
  imp_free(im.items, im.n);
  free(canon_imp);
  unlink(p);
  cr_assert_eq(rmdir(tmpl), 0);
}

Test(check, no_importer_and_no_roots) {
  const char *src = "[@@@import \"a.iml\"]\n";
  imps im = extract(src);
  char *res[1];
  diag_list d = {0};
  cr_assert_eq(imp_check(NULL, im.items, im.n, NULL, 0, res, &d), 0);
  cr_assert_eq(d.count, 1);
  assert_diag(&d.items[0], IMP_CODE_NOT_FOUND, DIAG_ERROR,
              "cannot find `a.iml` (no directory to look in)");
  cr_assert_null(res[0]);
  diag_list_clear(&d);
  imp_free(im.items, im.n);
}
