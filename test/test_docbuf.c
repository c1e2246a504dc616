/*
** test_docbuf.c — mutable document text (server/docbuf.h).
**
** The model tests simulate the client: the UTF-16 client keeps its document
** as an array of UTF-16 code units (the UTF-8 client as bytes), applies each
** random change there, and the docbuf's text must equal the client's text
** converted to UTF-8 after every change. Some changes are out of range or
** reversed; the model clamps them independently and predicts the flag.
*/
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "docbuf.h"
#include "testutil.h"

static text_pos P(uint32_t l, uint32_t c) {
  text_pos p = { l, c };
  return p;
}

static void expect_text(const docbuf *d, const char *want, size_t n) {
  cr_assert_eq(docbuf_len(d), n, "len %zu, want %zu", docbuf_len(d), n);
  cr_assert(memcmp(docbuf_text(d), want, n) == 0, "text '%.*s', want '%.*s'",
            (int)docbuf_len(d), docbuf_text(d), (int)n, want);
  cr_assert_eq(docbuf_text(d)[n], 0, "NUL-terminated");
}
#define EXPECT(d, lit) expect_text(d, lit, sizeof(lit) - 1)

Test(docbuf, basics) {
  docbuf *d = docbuf_create(NULL, 0);
  cr_assert_not_null(d);
  EXPECT(d, "");
  cr_assert(!docbuf_last_edit(d, NULL));
  bool c = true;
  cr_assert_eq(docbuf_apply(d, P(0, 0), P(0, 0), TEXT_UTF16, "hello\n", 6, &c), 0);
  cr_assert(!c);
  EXPECT(d, "hello\n");
  cr_assert_eq(docbuf_apply(d, P(1, 0), P(1, 0), TEXT_UTF16, "w\xc3\xa9rld", 6, &c), 0);
  EXPECT(d, "hello\nw\xc3\xa9rld");
  cr_assert_eq(docbuf_apply(d, P(0, 1), P(1, 2), TEXT_UTF16, NULL, 0, &c), 0); /* delete */
  cr_assert(!c);
  EXPECT(d, "hrld");
  cr_assert_eq(docbuf_replace_all(d, "x\r\ny", 4), 0);
  EXPECT(d, "x\r\ny");
  docbuf_edit e;
  cr_assert(docbuf_last_edit(d, &e));
  cr_assert_eq(e.start_byte, 0);
  cr_assert_eq(e.old_end_byte, 4);
  cr_assert_eq(e.new_end_byte, 4);
  cr_assert_eq(e.old_end_row, 0);
  cr_assert_eq(e.old_end_col, 4);
  cr_assert_eq(e.new_end_row, 1);
  cr_assert_eq(e.new_end_col, 1);
  /* Position at the end of a CRLF line is before the "\r". */
  cr_assert_eq(docbuf_apply(d, P(0, 1), P(0, 1), TEXT_UTF16, "!", 1, &c), 0);
  EXPECT(d, "x!\r\ny");
  cr_assert_eq(docbuf_replace_all(d, NULL, 0), 0);
  EXPECT(d, "");
  docbuf_destroy(d);
  docbuf_destroy(NULL);

  d = docbuf_create("abc", 3);
  EXPECT(d, "abc");
  cr_assert_eq(docbuf_offset(d, P(0, 2), TEXT_UTF8, &c), 2);
  cr_assert(!c);
  cr_assert_eq(docbuf_offset(d, P(5, 0), TEXT_UTF8, &c), 3);
  cr_assert(c);
  docbuf_destroy(d);
}

Test(docbuf, utf16_units) {
  /* 😀 is 2 UTF-16 units, 4 bytes; é is 1 unit, 2 bytes. */
  docbuf *d = docbuf_create("a\xf0\x9f\x98\x80" "b\xc3\xa9" "c", 9);
  bool c = true;
  cr_assert_eq(docbuf_apply(d, P(0, 3), P(0, 5), TEXT_UTF16, "X", 1, &c), 0); /* "b\xc3\xa9" */
  cr_assert(!c);
  EXPECT(d, "a\xf0\x9f\x98\x80" "Xc");
  /* Middle of the surrogate pair: start of the character, not flagged. */
  cr_assert_eq(docbuf_apply(d, P(0, 2), P(0, 2), TEXT_UTF16, "Y", 1, &c), 0);
  cr_assert(!c);
  EXPECT(d, "aY\xf0\x9f\x98\x80" "Xc");
  /* UTF-8 mode: byte columns. */
  cr_assert_eq(docbuf_apply(d, P(0, 2), P(0, 6), TEXT_UTF8, NULL, 0, &c), 0);
  EXPECT(d, "aYXc");
  docbuf_destroy(d);
}

Test(docbuf, out_of_range_clamped) {
  docbuf *d = docbuf_create("ab\ncd", 5);
  bool c = false;
  /* Line beyond the end: end of the text. */
  cr_assert_eq(docbuf_apply(d, P(7, 0), P(9, 3), TEXT_UTF16, "!", 1, &c), 0);
  cr_assert(c);
  EXPECT(d, "ab\ncd!");
  /* Character beyond the line end: line end. */
  c = false;
  cr_assert_eq(docbuf_apply(d, P(0, 50), P(0, 60), TEXT_UTF16, "?", 1, &c), 0);
  cr_assert(c);
  EXPECT(d, "ab?\ncd!");
  /* End before start: swapped. */
  c = false;
  cr_assert_eq(docbuf_apply(d, P(1, 2), P(0, 1), TEXT_UTF16, "-", 1, &c), 0);
  cr_assert(c);
  EXPECT(d, "a-!");
  /* Everything at once, extreme values. */
  c = false;
  cr_assert_eq(docbuf_apply(d, P(UINT32_MAX, UINT32_MAX), P(0, 1), TEXT_UTF8, "", 0, &c),
               0);
  cr_assert(c);
  EXPECT(d, "a");
  /* NULL flag pointer. */
  cr_assert_eq(docbuf_apply(d, P(3, 3), P(3, 3), TEXT_UTF16, "z", 1, NULL), 0);
  EXPECT(d, "az");
  docbuf_destroy(d);
}

Test(docbuf, aliasing_new_text) {
  docbuf *d = docbuf_create("0123456789", 10);
  /* Insert a slice of the document into itself (realloc may move it). */
  for (int i = 0; i < 8; i++) {
    size_t n = docbuf_len(d);
    cr_assert_eq(docbuf_apply(d, P(0, 0), P(0, 0), TEXT_UTF8, docbuf_text(d), n, NULL), 0);
    cr_assert_eq(docbuf_len(d), 2 * n);
  }
  const char *t = docbuf_text(d);
  for (size_t i = 0; i < docbuf_len(d); i++) cr_assert_eq(t[i], '0' + (char)(i % 10));
  cr_assert_eq(docbuf_replace_all(d, docbuf_text(d) + 3, 4), 0);
  EXPECT(d, "3456");
  docbuf_destroy(d);
}

Test(docbuf, last_edit_points) {
  docbuf *d = docbuf_create("ab\ncd\r\nef", 9);
  docbuf_edit e;
  /* Replace "b\ncd\r\ne" (rows 0..2) with "X\nYZ". */
  cr_assert_eq(docbuf_apply(d, P(0, 1), P(2, 1), TEXT_UTF16, "X\nYZ", 4, NULL), 0);
  EXPECT(d, "aX\nYZf");
  cr_assert(docbuf_last_edit(d, &e));
  cr_assert_eq(e.start_byte, 1);
  cr_assert_eq(e.old_end_byte, 8);
  cr_assert_eq(e.new_end_byte, 5);
  cr_assert_eq(e.start_row, 0);
  cr_assert_eq(e.start_col, 1);
  cr_assert_eq(e.old_end_row, 2);
  cr_assert_eq(e.old_end_col, 1);
  cr_assert_eq(e.new_end_row, 1);
  cr_assert_eq(e.new_end_col, 2);
  /* Clamped past the end: the last row. */
  cr_assert_eq(docbuf_apply(d, P(9, 9), P(9, 9), TEXT_UTF16, "!", 1, NULL), 0);
  cr_assert(docbuf_last_edit(d, &e));
  cr_assert_eq(e.start_byte, 6);
  cr_assert_eq(e.start_row, 1);
  cr_assert_eq(e.start_col, 3);
  cr_assert_eq(e.new_end_col, 4);
  docbuf_destroy(d);
}

/* ------------------------------------------------------------------------ */
/* The client model */

typedef struct {
  uint16_t *u; /* UTF-16 units (UTF-16 client) or bytes (UTF-8 client) */
  size_t n, cap;
} model;

static void m_reserve(model *m, size_t n) {
  if (n <= m->cap) return;
  m->cap = n * 2;
  m->u = realloc(m->u, m->cap * sizeof *m->u);
  cr_assert_not_null(m->u);
}

static bool is_hi(uint16_t x) { return x >= 0xD800 && x <= 0xDBFF; }
static bool is_lo(uint16_t x) { return x >= 0xDC00 && x <= 0xDFFF; }
static bool is_cont(uint16_t x) { return (x & 0xC0) == 0x80; }

/* UTF-16 -> UTF-8, independent of the code under test. */
static size_t to_utf8(const uint16_t *u, size_t n, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t c = u[i];
    if (is_hi(u[i]) && i + 1 < n && is_lo(u[i + 1])) {
      c = 0x10000 + (((uint32_t)u[i] - 0xD800) << 10) + ((uint32_t)u[i + 1] - 0xDC00);
      i++;
    }
    if (c < 0x80) out[o++] = (char)c;
    else if (c < 0x800) {
      out[o++] = (char)(0xC0 | c >> 6);
      out[o++] = (char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out[o++] = (char)(0xE0 | c >> 12);
      out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
      out[o++] = (char)(0x80 | (c & 0x3F));
    } else {
      out[o++] = (char)(0xF0 | c >> 18);
      out[o++] = (char)(0x80 | ((c >> 12) & 0x3F));
      out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
      out[o++] = (char)(0x80 | (c & 0x3F));
    }
  }
  return o;
}

/* Random text as code points, written both as units of the model's
** encoding (`utf8` picks bytes vs UTF-16) and as UTF-8. */
static size_t random_insert(tu_rng *r, bool utf8, uint16_t *u, char *b, size_t *blen) {
  size_t k = 0;
  size_t nchars = tu_rng_below(r, 4) == 0 ? tu_rng_below(r, 30) : tu_rng_below(r, 4);
  uint16_t tmp[2];
  for (size_t i = 0; i < nchars; i++) {
    uint32_t c;
    switch (tu_rng_below(r, 14)) {
    case 0: c = '\n'; break;
    case 1: c = '\r'; break;
    case 2: c = 0xE9; break;    /* é: 2 bytes */
    case 3: c = 0x20AC; break;  /* €: 3 bytes */
    case 4: c = 0x1F600; break; /* 😀: 4 bytes, surrogate pair */
    case 5: c = 0x10000 + (uint32_t)tu_rng_below(r, 0x100000); break;
    case 6: c = 0x800 + (uint32_t)tu_rng_below(r, 0xD000); break;
    default: c = 'a' + (uint32_t)tu_rng_below(r, 26); break;
    }
    size_t nu;
    if (c >= 0x10000) {
      tmp[0] = (uint16_t)(0xD800 + ((c - 0x10000) >> 10));
      tmp[1] = (uint16_t)(0xDC00 + ((c - 0x10000) & 0x3FF));
      nu = 2;
    } else {
      tmp[0] = (uint16_t)c;
      nu = 1;
    }
    char enc[4];
    size_t nb = to_utf8(tmp, nu, enc);
    memcpy(b + *blen, enc, nb);
    *blen += nb;
    if (utf8) {
      for (size_t j = 0; j < nb; j++) u[k++] = (unsigned char)enc[j];
    } else {
      for (size_t j = 0; j < nu; j++) u[k++] = tmp[j];
    }
  }
  return k;
}

/* Line structure of the model: line starts and content ends (before "\n" or
** "\r\n"). Returns the number of lines. */
static size_t m_lines(const model *m, size_t *starts, size_t *ends) {
  size_t nl = 0, st = 0;
  for (size_t i = 0; i < m->n; i++) {
    if (m->u[i] == '\n') {
      starts[nl] = st;
      ends[nl] = (i > st && m->u[i - 1] == '\r') ? i - 1 : i;
      nl++;
      st = i + 1;
    }
  }
  starts[nl] = st;
  ends[nl] = m->n;
  return nl + 1;
}

/* Model's conversion of a (possibly invalid) position to a unit index,
** following text.h's rules; *clamped set like docbuf's. */
static size_t m_index(const model *m, bool utf8, const size_t *starts, const size_t *ends,
                      size_t nl, text_pos p, bool *clamped) {
  if (p.line >= nl) {
    *clamped = true;
    return m->n;
  }
  size_t len = ends[p.line] - starts[p.line];
  if (p.character > len) {
    *clamped = true;
    return ends[p.line];
  }
  size_t i = starts[p.line] + p.character;
  /* Inside a character: back to its start. */
  if (utf8) {
    while (i > starts[p.line] && i < m->n && is_cont(m->u[i])) i--;
  } else if (i > starts[p.line] && i < m->n && is_lo(m->u[i]) && is_hi(m->u[i - 1])) {
    i--;
  }
  return i;
}

/* UTF-8 byte length of model units [0, i). */
static size_t m_bytes(const model *m, bool utf8, size_t a, size_t b, char *scratch) {
  if (utf8) return b - a;
  return to_utf8(m->u + a, b - a, scratch);
}

static void run_model(uint64_t seed, bool utf8, int nedits) {
  text_encoding enc = utf8 ? TEXT_UTF8 : TEXT_UTF16;
  tu_rng r;
  tu_rng_seed(&r, seed);
  model m = { 0 };
  m_reserve(&m, 64);
  char *bytes = malloc(1 << 20), *scratch = malloc(1 << 20), *ins8 = malloc(1024);
  uint16_t *insu = malloc(1024 * sizeof *insu);
  size_t *starts = malloc((1 << 18) * sizeof *starts), *ends = malloc((1 << 18) * sizeof *ends);

  /* Initial text: one big insertion. */
  for (int i = 0; i < 40; i++) {
    size_t blen = 0;
    size_t k = random_insert(&r, utf8, insu, ins8, &blen);
    m_reserve(&m, m.n + k);
    memcpy(m.u + m.n, insu, k * sizeof *insu);
    m.n += k;
  }
  size_t n8 = utf8 ? m.n : to_utf8(m.u, m.n, bytes);
  if (utf8)
    for (size_t i = 0; i < m.n; i++) bytes[i] = (char)m.u[i];
  docbuf *d = docbuf_create(bytes, n8);
  cr_assert_not_null(d);

  int nclamped = 0;
  for (int step = 0; step < nedits; step++) {
    size_t nl = m_lines(&m, starts, ends);
    /* Pick positions: mostly valid, sometimes out of range or reversed. */
    text_pos ps, pe;
    uint64_t mode = tu_rng_below(&r, 10);
    size_t l0 = tu_rng_below(&r, nl);
    size_t w0 = ends[l0] - starts[l0];
    ps = P((uint32_t)l0, (uint32_t)tu_rng_below(&r, w0 + 1));
    size_t l1 = l0 + (tu_rng_below(&r, 3) == 0 ? tu_rng_below(&r, 3) : 0);
    if (l1 >= nl) l1 = nl - 1;
    size_t w1 = ends[l1] - starts[l1];
    pe = P((uint32_t)l1, (uint32_t)tu_rng_below(&r, w1 + 1));
    if (pe.line == ps.line && pe.character < ps.character) {
      text_pos t = ps; ps = pe; pe = t;
    }
    if (mode == 0) pe.line += (uint32_t)(nl + tu_rng_below(&r, 3));      /* line past the end */
    else if (mode == 1) ps.character += 1 + (uint32_t)tu_rng_below(&r, 50); /* past line end */
    else if (mode == 2) { text_pos t = ps; ps = pe; pe = t; }             /* reversed (maybe equal) */
    else if (mode == 3) ps = P(UINT32_MAX, (uint32_t)tu_rng_below(&r, 5));

    /* The client's side. */
    bool want_clamped = pe.line < ps.line || (pe.line == ps.line && pe.character < ps.character);
    text_pos qs = ps, qe = pe;
    if (want_clamped) { qs = pe; qe = ps; }
    size_t s = m_index(&m, utf8, starts, ends, nl, qs, &want_clamped);
    size_t e = m_index(&m, utf8, starts, ends, nl, qe, &want_clamped);
    cr_assert_leq(s, e);
    size_t ins_b = 0;
    size_t k = random_insert(&r, utf8, insu, ins8, &ins_b);
    if (m.n > 3000) k = 0, ins_b = 0; /* keep the document small */

    /* Expected edit record. */
    size_t sb = m_bytes(&m, utf8, 0, s, scratch), eb = sb + m_bytes(&m, utf8, s, e, scratch);
    size_t sline = 0;
    while (sline + 1 < nl && starts[sline + 1] <= s) sline++;
    size_t eline = sline;
    while (eline + 1 < nl && starts[eline + 1] <= e) eline++;
    size_t scol = m_bytes(&m, utf8, starts[sline], s, scratch);
    size_t ecol = m_bytes(&m, utf8, starts[eline], e, scratch);

    m_reserve(&m, m.n - (e - s) + k);
    memmove(m.u + s + k, m.u + e, (m.n - e) * sizeof *m.u);
    memcpy(m.u + s, insu, k * sizeof *insu);
    m.n = m.n - (e - s) + k;

    /* The server's side. */
    bool got_clamped = !want_clamped;
    int rc = docbuf_apply(d, ps, pe, enc, ins8, ins_b, &got_clamped);
    cr_assert_eq(rc, 0);
    cr_assert_eq(got_clamped, want_clamped,
                 "seed %llu step %d: clamped %d, want %d ((%u,%u)-(%u,%u))",
                 (unsigned long long)seed, step, got_clamped, want_clamped, ps.line,
                 ps.character, pe.line, pe.character);
    nclamped += want_clamped;

    n8 = utf8 ? m.n : to_utf8(m.u, m.n, bytes);
    if (utf8)
      for (size_t i = 0; i < m.n; i++) bytes[i] = (char)m.u[i];
    cr_assert_eq(docbuf_len(d), n8, "seed %llu step %d: len %zu want %zu",
                 (unsigned long long)seed, step, docbuf_len(d), n8);
    cr_assert(memcmp(docbuf_text(d), bytes, n8) == 0, "seed %llu step %d: text differs",
              (unsigned long long)seed, step);
    cr_assert_eq(docbuf_text(d)[n8], 0);

    docbuf_edit ed;
    cr_assert(docbuf_last_edit(d, &ed));
    cr_assert_eq(ed.start_byte, sb, "seed %llu step %d", (unsigned long long)seed, step);
    cr_assert_eq(ed.old_end_byte, eb);
    cr_assert_eq(ed.new_end_byte, sb + ins_b);
    cr_assert_eq(ed.start_row, sline);
    cr_assert_eq(ed.start_col, scol);
    cr_assert_eq(ed.old_end_row, eline);
    cr_assert_eq(ed.old_end_col, ecol);

    /* Now and then, docbuf_offset of a random position agrees with the model. */
    if (step % 16 == 0) {
      nl = m_lines(&m, starts, ends);
      text_pos p = P((uint32_t)tu_rng_below(&r, nl + 1), (uint32_t)tu_rng_below(&r, 40));
      bool wc = false, gc = !wc;
      size_t wi = m_index(&m, utf8, starts, ends, nl, p, &wc);
      size_t got = docbuf_offset(d, p, enc, &gc);
      cr_assert_eq(got, m_bytes(&m, utf8, 0, wi, scratch));
      cr_assert_eq(gc, wc);
    }
  }
  cr_assert_gt(nclamped, nedits / 10); /* the out-of-range paths were exercised */

  docbuf_destroy(d);
  free(m.u); free(bytes); free(scratch); free(ins8); free(insu); free(starts); free(ends);
}

Test(docbuf, model_utf16) {
  for (uint64_t seed = 1; seed <= 3; seed++) run_model(seed * 31337, false, 2500);
}

Test(docbuf, model_utf8) {
  for (uint64_t seed = 1; seed <= 3; seed++) run_model(seed * 7777, true, 2500);
}

/* ------------------------------------------------------------------------ */
/* Cost of typing in a 2 MB document (reported, not asserted). */

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

Test(docbuf, typing_in_2mb) {
  const size_t line_len = 63; /* + "\n" = 64 bytes per line */
  const size_t nlines = 2 * 1024 * 1024 / 64;
  size_t n = nlines * 64;
  char *t = malloc(n);
  for (size_t i = 0; i < nlines; i++) {
    memset(t + i * 64, 'a' + (char)(i % 26), line_len);
    t[i * 64 + line_len] = '\n';
  }
  docbuf *d = docbuf_create(t, n);
  /* Typing at the end (the last line is empty). */
  double t0 = now_ms();
  for (uint32_t i = 0; i < 1000; i++)
    cr_assert_eq(docbuf_apply(d, P((uint32_t)nlines, i), P((uint32_t)nlines, i), TEXT_UTF16, "x",
                              1, NULL), 0);
  double t_end = now_ms() - t0;
  cr_assert_eq(docbuf_len(d), n + 1000);
  cr_assert_eq(docbuf_text(d)[n + 999], 'x');
  cr_assert_eq(docbuf_text(d)[n - 1], '\n');
  /* Typing in the middle. */
  uint32_t mid = (uint32_t)(nlines / 2);
  t0 = now_ms();
  for (uint32_t i = 0; i < 1000; i++)
    cr_assert_eq(docbuf_apply(d, P(mid, 10 + i), P(mid, 10 + i), TEXT_UTF16, "y", 1, NULL), 0);
  double t_mid = now_ms() - t0;
  cr_assert_eq(docbuf_text(d)[mid * 64 + 10], 'y');
  cr_assert_eq(docbuf_text(d)[mid * 64 + 1009], 'y');
  /* Alternating top and bottom (worst case for the line cache). */
  t0 = now_ms();
  for (uint32_t i = 0; i < 1000; i++) {
    uint32_t line = (i & 1) ? (uint32_t)nlines : 0;
    cr_assert_eq(docbuf_apply(d, P(line, 0), P(line, 0), TEXT_UTF16, "z", 1, NULL), 0);
  }
  double t_alt = now_ms() - t0;
  cr_assert_eq(docbuf_len(d), n + 3000);
  cr_log_info("2 MB doc, 1000 single-char edits: at end %.2f ms, middle %.2f ms, "
              "alternating top/bottom %.2f ms\n", t_end, t_mid, t_alt);
  fprintf(stderr, "docbuf: 2 MB doc, 1000 single-char edits: at end %.2f ms, middle %.2f ms, "
                  "alternating top/bottom %.2f ms\n", t_end, t_mid, t_alt);
  docbuf_destroy(d);
  free(t);
}
