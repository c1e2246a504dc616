/*
** test_typeck.c — the type checker (analysis/typeck.h) against two golden
** tables under test/data/typeck/:
**
**  - infer.txt: small programs and the `val name : type` lines their
**    interface prints (tc_signature_text, ocamlc -i style); a case passes
**    when the program gets no diagnostic at all (syntax, lowering, types)
**    and the printed interface is exactly the expected text;
**  - errors.txt: programs and every diagnostic they get (syntax, lowering
**    and type diagnostics merged, in position order), one per line as
**    `LINE:COL-LINE:COL CODE message` (1-based lines, 1-based byte columns,
**    end exclusive, newlines of the message written as \n).
**
** Each table is one Test that reports every failing case (description,
** expected, actual) in a single assertion message, so one run shows all the
** disagreements. The expectations follow OCaml (types and wording checked
** with ocamlc where OCaml can judge: test/data/typeck/tools/verify_ocaml.py),
** not the checker's current output.
**
** Table format (both files): a case starts with a line `== description`
** (`== [iml] …` marks cases OCaml cannot judge), then the program, a line
** `--`, then the expected lines up to the next blank line. Lines starting
** with `#` between cases are comments.
*/
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prelude.h"
#include "snapshot.h"
#include "text.h"
#include "typeck.h"
#include "testutil.h"

/* ------------------------------------------------------------------------
** Growable string.
*/

typedef struct {
  char *s;
  size_t n, cap;
} buf;

static void buf_addn(buf *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (b->n + n + 1 > cap) cap *= 2;
    char *p = realloc(b->s, cap);
    cr_assert_not_null(p);
    b->s = p;
    b->cap = cap;
  }
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = 0;
}

static void buf_add(buf *b, const char *s) { buf_addn(b, s, strlen(s)); }

static void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(buf *b, const char *fmt, ...) {
  char small[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  cr_assert_geq(n, 0);
  if ((size_t)n < sizeof small) {
    buf_addn(b, small, (size_t)n);
    return;
  }
  char *big = malloc((size_t)n + 1);
  cr_assert_not_null(big);
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  buf_addn(b, big, (size_t)n);
  free(big);
}

/* Add `s` with every line indented by `ind` (for readable reports). */
static void buf_add_indented(buf *b, const char *s, const char *ind) {
  if (!*s) {
    buf_add(b, ind);
    buf_add(b, "(nothing)\n");
    return;
  }
  while (*s) {
    const char *nl = strchr(s, '\n');
    size_t n = nl ? (size_t)(nl - s) : strlen(s);
    buf_add(b, ind);
    buf_addn(b, s, n);
    buf_add(b, "\n");
    s += n + (nl ? 1 : 0);
  }
}

/* ------------------------------------------------------------------------
** Tables.
*/

typedef struct {
  char *desc;        /* after "== " */
  char *prog;        /* the program, each line ending with \n */
  char *expected;    /* expected lines joined with \n, no trailing \n */
  int line;          /* line of the `==` in the table */
} tcase;

typedef struct {
  tcase *v;
  size_t n, cap;
} tcases;

static void cases_free(tcases *cs) {
  for (size_t i = 0; i < cs->n; i++) {
    free(cs->v[i].desc);
    free(cs->v[i].prog);
    free(cs->v[i].expected);
  }
  free(cs->v);
}

/* Parse a table (see the banner). A malformed table fails the test. */
static tcases load_table(const char *rel) {
  char *path = tu_source_path(rel);
  cr_assert_not_null(path);
  size_t len = 0;
  char *text = tu_read_file(path, &len);
  cr_assert_not_null(text, "cannot read %s", path);
  free(path);
  tcases cs = {0};
  enum { OUT, PROG, EXP } st = OUT;
  buf prog = {0}, exp = {0};
  tcase cur = {0};
  int lineno = 0;
  char *p = text;
  for (;;) {
    char *end = p + strcspn(p, "\n");
    bool eof = *p == 0;
    lineno++;
    size_t n = (size_t)(end - p);
    bool blank = eof || n == 0;
    bool header = n >= 3 && strncmp(p, "== ", 3) == 0;
    if ((st == EXP && (blank || header)) || (eof && st != OUT)) {
      cr_assert(st == EXP, "%s:%d: case `%s` has no `--` line", rel, cur.line, cur.desc);
      cur.prog = prog.s ? prog.s : strdup("");
      cur.expected = exp.s ? exp.s : strdup("");
      prog = (buf){0};
      exp = (buf){0};
      if (cs.n == cs.cap) {
        cs.cap = cs.cap ? cs.cap * 2 : 64;
        cs.v = realloc(cs.v, cs.cap * sizeof *cs.v);
        cr_assert_not_null(cs.v);
      }
      cs.v[cs.n++] = cur;
      cur = (tcase){0};
      st = OUT;
    }
    if (eof) break;
    if (st == OUT) {
      if (header) {
        cur.desc = strndup(p + 3, n - 3);
        cur.line = lineno;
        st = PROG;
      } else {
        cr_assert(blank || *p == '#', "%s:%d: text outside a case: %.*s", rel, lineno, (int)n, p);
      }
    } else if (st == PROG) {
      cr_assert(!header, "%s:%d: case `%s` has no `--` line", rel, cur.line, cur.desc);
      if (n == 2 && strncmp(p, "--", 2) == 0) st = EXP;
      else {
        buf_addn(&prog, p, n);
        buf_add(&prog, "\n");
      }
    } else {
      if (exp.n) buf_add(&exp, "\n");
      buf_addn(&exp, p, n);
    }
    p = *end ? end + 1 : end;
  }
  free(text);
  return cs;
}

/* ------------------------------------------------------------------------
** Running one program.
*/

typedef struct {
  snap *sn;
  tc_result res;
  diag **all;        /* snapshot + checker diagnostics, in position order (borrowed items) */
  size_t nall;
} run;

static int diag_cmp(const void *a, const void *b) {
  const diag *x = *(const diag *const *)a, *y = *(const diag *const *)b;
  if (x->span.start != y->span.start) return x->span.start < y->span.start ? -1 : 1;
  if (x->span.end != y->span.end) return x->span.end < y->span.end ? -1 : 1;
  int c = strcmp(x->code, y->code);
  return c ? c : strcmp(x->message, y->message);
}

static void run_program(const char *prog, run *r) {
  memset(r, 0, sizeof *r);
  size_t len = strlen(prog);
  r->sn = snap_build("file:///virtual/case.iml", 1, strdup(prog), len, NULL, snap_thread_parser(), NULL);
  cr_assert_not_null(r->sn);
  const sig *prelude = prelude_sig();
  cr_assert_not_null(prelude);
  tc_options opt = {.path = "/virtual/case.iml", .text = snap_text(r->sn), .len = snap_len(r->sn),
                    .modname = "Case", .prelude = prelude};
  int rc = tc_check(snap_ast(r->sn), &opt, &r->res);
  cr_assert_eq(rc, 0, "tc_check failed (out of memory?)");
  const diag_list *syn = snap_diagnostics(r->sn);
  size_t n = syn->count + r->res.diags.count;
  r->all = calloc(n ? n : 1, sizeof *r->all);
  cr_assert_not_null(r->all);
  for (size_t i = 0; i < syn->count; i++) r->all[r->nall++] = &syn->items[i];
  for (size_t i = 0; i < r->res.diags.count; i++) r->all[r->nall++] = &r->res.diags.items[i];
  qsort(r->all, r->nall, sizeof *r->all, diag_cmp);
}

static void run_clear(run *r) {
  free(r->all);
  tc_result_clear(&r->res);
  snap_release(r->sn);
}

/* The diagnostics as table lines (see the banner), joined with \n. */
static char *render_diags(const run *r) {
  buf b = {0};
  const text_lines *tl = snap_lines(r->sn);
  for (size_t i = 0; i < r->nall; i++) {
    const diag *d = r->all[i];
    text_pos s = text_position(tl, d->span.start, TEXT_UTF8);
    text_pos e = text_position(tl, d->span.end, TEXT_UTF8);
    if (i) buf_add(&b, "\n");
    buf_printf(&b, "%u:%u-%u:%u %s ", s.line + 1, s.character + 1, e.line + 1, e.character + 1, d->code);
    for (const char *m = d->message; *m; m++) {
      if (*m == '\n') buf_add(&b, "\\n");
      else buf_addn(&b, m, 1);
    }
  }
  return b.s ? b.s : strdup("");
}

/* Drop trailing newlines in place. */
static char *chomp(char *s) {
  size_t n = strlen(s);
  while (n && s[n - 1] == '\n') s[--n] = 0;
  return s;
}

static void report_case(buf *rep, const char *rel, const tcase *c, const char *what, const char *actual) {
  buf_printf(rep, "\n--- %s:%d: %s\n  program:\n", rel, c->line, c->desc);
  char *prog = strdup(c->prog);
  cr_assert_not_null(prog);
  buf_add_indented(rep, chomp(prog), "    | ");
  free(prog);
  buf_add(rep, "  expected:\n");
  buf_add_indented(rep, c->expected, "    ");
  buf_printf(rep, "  %s:\n", what);
  buf_add_indented(rep, actual, "    ");
}

/* One assertion with every failing case. */
static void finish(const char *rel, size_t nfail, size_t ncases, buf *rep) {
  cr_expect_eq(nfail, 0, "%s: %zu of %zu cases fail:%s", rel, nfail, ncases, rep->s ? rep->s : "");
  free(rep->s);
}

/* ------------------------------------------------------------------------
** Tests.
*/

Test(typeck, prelude_checks_cleanly) {
  const sig *s = prelude_sig();
  cr_assert_not_null(s);
  const diag_list *dl = prelude_diagnostics();
  cr_assert_not_null(dl);
  buf b = {0};
  size_t n;
  const char *text = prelude_text(&n);
  text_lines *tl = text_lines_create(text, n);
  cr_assert_not_null(tl);
  for (size_t i = 0; i < dl->count; i++) {
    text_pos p = text_position(tl, dl->items[i].span.start, TEXT_UTF8);
    buf_printf(&b, "\n  prelude.iml:%u:%u %s %s", p.line + 1, p.character + 1, dl->items[i].code,
               dl->items[i].message);
  }
  text_lines_destroy(tl);
  cr_expect_eq(dl->count, 0, "the prelude has %zu diagnostics:%s", dl->count, b.s ? b.s : "");
  free(b.s);
}

Test(typeck, inference_table) {
  const char *rel = "test/data/typeck/infer.txt";
  tcases cs = load_table(rel);
  cr_assert_geq(cs.n, 220, "%s has %zu cases, expected at least 220", rel, cs.n);
  buf rep = {0};
  size_t nfail = 0;
  for (size_t i = 0; i < cs.n; i++) {
    run r;
    run_program(cs.v[i].prog, &r);
    if (r.nall) {
      char *d = render_diags(&r);
      report_case(&rep, rel, &cs.v[i], "got diagnostics", d);
      free(d);
      nfail++;
    } else {
      char *sigtext = tc_signature_text(r.res.sig);
      cr_assert_not_null(sigtext);
      chomp(sigtext);
      if (strcmp(sigtext, cs.v[i].expected) != 0) {
        report_case(&rep, rel, &cs.v[i], "actual", sigtext);
        nfail++;
      }
      free(sigtext);
    }
    run_clear(&r);
  }
  finish(rel, nfail, cs.n, &rep);
  cases_free(&cs);
}

/* The code a case of errors.txt is about: the first word of its
** description after an optional "[iml] ". */
static const char *case_code(const tcase *c, char out[8]) {
  const char *d = c->desc;
  if (strncmp(d, "[iml] ", 6) == 0) d += 6;
  size_t n = strcspn(d, " ");
  if (n != 5 || d[0] != 'E') return NULL;
  memcpy(out, d, 5);
  out[5] = 0;
  return out;
}

Test(typeck, error_table) {
  const char *rel = "test/data/typeck/errors.txt";
  tcases cs = load_table(rel);
  buf rep = {0};
  size_t nfail = 0;
  for (size_t i = 0; i < cs.n; i++) {
    char code[8];
    cr_assert_not_null(case_code(&cs.v[i], code), "%s:%d: the description must start with a code", rel,
                       cs.v[i].line);
    cr_assert(strstr(cs.v[i].expected, code), "%s:%d: no %s diagnostic is expected in case `%s`", rel,
              cs.v[i].line, code, cs.v[i].desc);
    run r;
    run_program(cs.v[i].prog, &r);
    char *actual = render_diags(&r);
    if (strcmp(actual, cs.v[i].expected) != 0) {
      report_case(&rep, rel, &cs.v[i], "actual", actual);
      nfail++;
    }
    free(actual);
    run_clear(&r);
  }
  finish(rel, nfail, cs.n, &rep);
  cases_free(&cs);
}

/* Every code of the checker and of the lowering has a golden case. */
Test(typeck, every_code_has_a_case) {
  const char *rel = "test/data/typeck/errors.txt";
  tcases cs = load_table(rel);
  buf missing = {0};
  char want[8];
  for (int k = 0; k < 26; k++) {
    int num = k < 17 ? 301 + k : 201 + (k - 17);
    snprintf(want, sizeof want, "E0%d", num);
    bool found = false;
    for (size_t i = 0; i < cs.n && !found; i++) {
      char code[8];
      found = case_code(&cs.v[i], code) && strcmp(code, want) == 0;
    }
    if (!found) buf_printf(&missing, " %s", want);
  }
  cr_expect_null(missing.s, "%s has no case for:%s", rel, missing.s ? missing.s : "");
  free(missing.s);
  cases_free(&cs);
}

/* Operator chains 100,000 long (left-nested +, right-nested ==> and @@,
** ::) are checked without deep recursion and without a false "nested too
** deeply"; a mistake at the end of one is still found. */
Test(typeck, long_chains, .timeout = 120) {
  static const struct { const char *first, *sep, *last, *expect; } chains[] = {
    {"let x = 1", " + 1", "", "val x : int\n"},
    {"let b = true", " ==> true", "", "val b : bool\n"},
    {"let l = 1", " :: 1", " :: []", "val l : int list\n"},
    {"let f = fun x -> x\nlet y = f", " @@ f", " @@ 3", "val f : 'a -> 'a\nval y : int\n"},
  };
  for (size_t k = 0; k < sizeof chains / sizeof chains[0]; k++) {
    buf b = {0};
    buf_add(&b, chains[k].first);
    for (int i = 0; i < 100000; i++) buf_add(&b, chains[k].sep);
    buf_add(&b, chains[k].last);
    buf_add(&b, "\n");
    run r;
    run_program(b.s, &r);
    cr_assert_eq(r.nall, 0, "chain %zu: %zu diagnostics, first: %s", k, r.nall, r.nall ? r.all[0]->message : "");
    char *sigtext = tc_signature_text(r.res.sig);
    cr_assert_str_eq(sigtext, chains[k].expect, "chain %zu", k);
    free(sigtext);
    run_clear(&r);
    free(b.s);
  }
  buf b = {0};
  buf_add(&b, "let x = 1");
  for (int i = 0; i < 100000; i++) buf_add(&b, " + 1");
  buf_add(&b, " + true\n");
  run r;
  run_program(b.s, &r);
  cr_assert_eq(r.nall, 1, "one mistake, one diagnostic (got %zu)", r.nall);
  cr_assert_str_eq(r.all[0]->code, TC_CODE_MISMATCH);
  run_clear(&r);
  free(b.s);
}
