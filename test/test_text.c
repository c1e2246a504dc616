/*
** test_text.c — LSP position <-> byte offset conversion (analysis/text.h).
**
** Hand-written cases pin the rules (CRLF, lone "\r" as an ordinary character,
** astral characters, invalid UTF-8, clamping); randomized tests compare the
** indexed and scanning conversions with a reference built independently
** while generating the text from known characters.
*/
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "text.h"

static text_pos P(uint32_t l, uint32_t c) {
  text_pos p = { l, c };
  return p;
}

#define ASSERT_POS(got, l, c)                                                          \
  do {                                                                                 \
    text_pos g_ = (got);                                                               \
    cr_assert(g_.line == (l) && g_.character == (c), "got (%u,%u), expected (%u,%u)", \
              g_.line, g_.character, (unsigned)(l), (unsigned)(c));                    \
  } while (0)

/* Checks text_offset (indexed) and text_offset_scan agree with `want`. */
static void check_off(const char *t, size_t len, text_pos p, text_encoding enc, size_t want,
                      bool want_clamped) {
  text_lines *tl = text_lines_create(t, len);
  cr_assert_not_null(tl);
  bool c1 = !want_clamped, c2 = !want_clamped;
  size_t o1 = text_offset(tl, p, enc, &c1);
  size_t o2 = text_offset_scan(t, len, p, enc, &c2);
  cr_assert_eq(o1, want, "indexed (%u,%u) enc %d: got %zu want %zu", p.line, p.character, enc,
               o1, want);
  cr_assert_eq(o2, want, "scan (%u,%u) enc %d: got %zu want %zu", p.line, p.character, enc, o2,
               want);
  cr_assert_eq(c1, want_clamped, "indexed clamped flag for (%u,%u)", p.line, p.character);
  cr_assert_eq(c2, want_clamped, "scan clamped flag for (%u,%u)", p.line, p.character);
  /* NULL flag pointer is accepted. */
  cr_assert_eq(text_offset(tl, p, enc, NULL), want);
  cr_assert_eq(text_offset_scan(t, len, p, enc, NULL), want);
  text_lines_destroy(tl);
}

Test(text, ascii) {
  const char *t = "abc\ndef\n\nxy";
  size_t n = strlen(t);
  text_lines *tl = text_lines_create(t, n);
  cr_assert_eq(text_lines_count(tl), 4);
  cr_assert_eq(text_lines_start(tl, 0), 0);
  cr_assert_eq(text_lines_start(tl, 1), 4);
  cr_assert_eq(text_lines_start(tl, 2), 8);
  cr_assert_eq(text_lines_start(tl, 3), 9);
  cr_assert_eq(text_lines_end(tl, 0), 3);
  cr_assert_eq(text_lines_end(tl, 2), 8);
  cr_assert_eq(text_lines_end(tl, 3), 11);
  /* Out-of-range lines clamp to the last line. */
  cr_assert_eq(text_lines_start(tl, 99), 9);
  cr_assert_eq(text_lines_end(tl, 99), 11);
  for (int e = 0; e < 2; e++) {
    ASSERT_POS(text_position(tl, 0, e), 0, 0);
    ASSERT_POS(text_position(tl, 3, e), 0, 3);
    ASSERT_POS(text_position(tl, 4, e), 1, 0);
    ASSERT_POS(text_position(tl, 8, e), 2, 0);
    ASSERT_POS(text_position(tl, 11, e), 3, 2);
    ASSERT_POS(text_position(tl, 1000, e), 3, 2); /* clamped to len */
    check_off(t, n, P(1, 2), e, 6, false);
    check_off(t, n, P(0, 3), e, 3, false);
    check_off(t, n, P(3, 2), e, 11, false);
  }
  text_range r = text_range_of(tl, (text_span){ 1, 6 }, TEXT_UTF16);
  ASSERT_POS(r.start, 0, 1);
  ASSERT_POS(r.end, 1, 2);
  text_lines_destroy(tl);
}

Test(text, multibyte) {
  /* a é € 😀 b : 1, 2, 3, 4, 1 bytes; 1, 1, 1, 2, 1 UTF-16 units */
  const char *t = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" "b";
  size_t n = strlen(t);
  cr_assert_eq(n, 11);
  text_lines *tl = text_lines_create(t, n);
  size_t off16[] = { 0, 1, 3, 6, 10, 11 };
  uint32_t col16[] = { 0, 1, 2, 3, 5, 6 };
  for (int i = 0; i < 6; i++) {
    check_off(t, n, P(0, col16[i]), TEXT_UTF16, off16[i], false);
    ASSERT_POS(text_position(tl, off16[i], TEXT_UTF16), 0, col16[i]);
    check_off(t, n, P(0, (uint32_t)off16[i]), TEXT_UTF8, off16[i], false);
    ASSERT_POS(text_position(tl, off16[i], TEXT_UTF8), 0, off16[i]);
  }
  /* Middle of the surrogate pair: start of 😀, not flagged. */
  check_off(t, n, P(0, 4), TEXT_UTF16, 6, false);
  /* Middle of UTF-8 sequences: start of the character. */
  check_off(t, n, P(0, 2), TEXT_UTF8, 1, false);
  check_off(t, n, P(0, 5), TEXT_UTF8, 3, false);
  check_off(t, n, P(0, 8), TEXT_UTF8, 6, false);
  check_off(t, n, P(0, 9), TEXT_UTF8, 6, false);
  /* Offsets inside a character map to its start. */
  ASSERT_POS(text_position(tl, 2, TEXT_UTF16), 0, 1);
  ASSERT_POS(text_position(tl, 8, TEXT_UTF16), 0, 3);
  ASSERT_POS(text_position(tl, 9, TEXT_UTF8), 0, 6);
  /* Past the line end. */
  check_off(t, n, P(0, 7), TEXT_UTF16, 11, true);
  check_off(t, n, P(0, 12), TEXT_UTF8, 11, true);
  text_lines_destroy(tl);
}

Test(text, crlf) {
  const char *t = "ab\r\ncd\r\n";
  size_t n = strlen(t);
  text_lines *tl = text_lines_create(t, n);
  cr_assert_eq(text_lines_count(tl), 3);
  cr_assert_eq(text_lines_end(tl, 0), 2);
  cr_assert_eq(text_lines_end(tl, 1), 6);
  cr_assert_eq(text_lines_start(tl, 2), 8);
  cr_assert_eq(text_lines_end(tl, 2), 8);
  check_off(t, n, P(0, 2), TEXT_UTF16, 2, false);
  check_off(t, n, P(0, 3), TEXT_UTF16, 2, true); /* the "\r" is not a position */
  check_off(t, n, P(1, 0), TEXT_UTF16, 4, false);
  check_off(t, n, P(1, 9), TEXT_UTF8, 6, true);
  check_off(t, n, P(2, 0), TEXT_UTF16, 8, false);
  check_off(t, n, P(3, 0), TEXT_UTF16, 8, true);
  ASSERT_POS(text_position(tl, 2, TEXT_UTF16), 0, 2); /* on "\r" */
  ASSERT_POS(text_position(tl, 3, TEXT_UTF16), 0, 2); /* on "\n" of the pair */
  ASSERT_POS(text_position(tl, 4, TEXT_UTF16), 1, 0);
  ASSERT_POS(text_position(tl, 7, TEXT_UTF8), 1, 2);
  ASSERT_POS(text_position(tl, 8, TEXT_UTF8), 2, 0);
  text_lines_destroy(tl);

  /* "\r\r\n": the first "\r" is content, the pair is the line end. */
  check_off("\r\r\nx", 4, P(0, 1), TEXT_UTF16, 1, false);
  check_off("\r\r\nx", 4, P(0, 2), TEXT_UTF16, 1, true);
  check_off("\r\r\nx", 4, P(1, 1), TEXT_UTF16, 4, false);
  /* An empty CRLF line. */
  check_off("\r\n", 2, P(0, 1), TEXT_UTF16, 0, true);
  check_off("\r\n", 2, P(1, 0), TEXT_UTF16, 2, false);
}

/* A lone "\r" (not followed by "\n") is an ordinary one-unit character, not a
** line end — the same rule tree-sitter uses for rows. */
Test(text, lone_cr) {
  const char *t = "a\rb\nc\r";
  size_t n = strlen(t);
  text_lines *tl = text_lines_create(t, n);
  cr_assert_eq(text_lines_count(tl), 2);
  cr_assert_eq(text_lines_end(tl, 0), 3);
  cr_assert_eq(text_lines_end(tl, 1), 6); /* trailing "\r" is content */
  check_off(t, n, P(0, 2), TEXT_UTF16, 2, false);
  check_off(t, n, P(0, 3), TEXT_UTF16, 3, false);
  check_off(t, n, P(1, 2), TEXT_UTF16, 6, false);
  check_off(t, n, P(1, 3), TEXT_UTF16, 6, true);
  ASSERT_POS(text_position(tl, 2, TEXT_UTF16), 0, 2);
  ASSERT_POS(text_position(tl, 6, TEXT_UTF16), 1, 2);
  text_lines_destroy(tl);
}

Test(text, empty) {
  text_lines *tl = text_lines_create("", 0);
  cr_assert_eq(text_lines_count(tl), 1);
  cr_assert_eq(text_lines_start(tl, 0), 0);
  cr_assert_eq(text_lines_end(tl, 0), 0);
  ASSERT_POS(text_position(tl, 0, TEXT_UTF16), 0, 0);
  ASSERT_POS(text_position(tl, 5, TEXT_UTF8), 0, 0);
  text_lines_destroy(tl);
  check_off("", 0, P(0, 0), TEXT_UTF16, 0, false);
  check_off("", 0, P(0, 1), TEXT_UTF16, 0, true);
  check_off("", 0, P(1, 0), TEXT_UTF8, 0, true);
  /* NULL text with len 0 is allowed. */
  tl = text_lines_create(NULL, 0);
  cr_assert_not_null(tl);
  cr_assert_eq(text_offset(tl, P(3, 3), TEXT_UTF16, NULL), 0);
  text_lines_destroy(tl);
  cr_assert_eq(text_offset_scan(NULL, 0, P(0, 0), TEXT_UTF16, NULL), 0);
}

Test(text, past_end) {
  const char *t = "abc\nde";
  size_t n = strlen(t);
  check_off(t, n, P(0, 4), TEXT_UTF16, 3, true);
  check_off(t, n, P(0, UINT32_MAX), TEXT_UTF16, 3, true);
  check_off(t, n, P(1, 2), TEXT_UTF16, 6, false);
  check_off(t, n, P(1, 3), TEXT_UTF8, 6, true);
  check_off(t, n, P(2, 0), TEXT_UTF16, 6, true);
  check_off(t, n, P(UINT32_MAX, UINT32_MAX), TEXT_UTF8, 6, true);
  /* Text ending with "\n": the empty last line exists. */
  check_off("abc\n", 4, P(1, 0), TEXT_UTF16, 4, false);
  check_off("abc\n", 4, P(1, 1), TEXT_UTF16, 4, true);
  check_off("abc\n", 4, P(2, 0), TEXT_UTF16, 4, true);
}

Test(text, invalid_utf8) {
  /* a, FF, b, truncated C3: each invalid byte is one unit in both encodings. */
  const char *t = "a\xff" "b\xc3";
  for (int e = 0; e < 2; e++)
    for (uint32_t c = 0; c <= 4; c++) check_off(t, 4, P(0, c), e, c, false);
  check_off(t, 4, P(0, 5), TEXT_UTF16, 4, true);
  /* Truncated 3-byte, overlong, encoded surrogate, > U+10FFFF, stray
  ** continuation: all byte-per-unit. */
  const char *bad[] = { "\xe2\x82", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80\x80",
                        "\xf8\x88\x80\x80\x80" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    size_t n = strlen(bad[i]);
    cr_assert(!text_utf8_valid(bad[i], n), "case %zu", i);
    text_lines *tl = text_lines_create(bad[i], n);
    for (size_t k = 0; k <= n; k++) {
      check_off(bad[i], n, P(0, (uint32_t)k), TEXT_UTF16, k, false);
      ASSERT_POS(text_position(tl, k, TEXT_UTF16), 0, k);
    }
    text_lines_destroy(tl);
  }
  /* An invalid lead byte followed by a valid character. */
  check_off("\xc3\xe2\x82\xac", 4, P(0, 1), TEXT_UTF16, 1, false);
  check_off("\xc3\xe2\x82\xac", 4, P(0, 2), TEXT_UTF16, 4, false);
}

Test(text, decode) {
  struct { const char *s; size_t n; uint32_t cp; } ok[] = {
    { "A", 1, 'A' },
    { "\x7f", 1, 0x7f },
    { "\xc2\x80", 2, 0x80 },
    { "\xdf\xbf", 2, 0x7ff },
    { "\xe0\xa0\x80", 3, 0x800 },
    { "\xed\x9f\xbf", 3, 0xd7ff },
    { "\xee\x80\x80", 3, 0xe000 },
    { "\xef\xbf\xbd", 3, 0xfffd },
    { "\xf0\x90\x80\x80", 4, 0x10000 },
    { "\xf0\x9f\x98\x80", 4, 0x1f600 },
    { "\xf4\x8f\xbf\xbf", 4, 0x10ffff },
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    uint32_t cp = 0;
    size_t n = strlen(ok[i].s);
    cr_assert_eq(text_utf8_decode((const unsigned char *)ok[i].s, n, &cp), ok[i].n, "ok %zu", i);
    cr_assert_eq(cp, ok[i].cp, "ok %zu: %x", i, cp);
    cr_assert(text_utf8_valid(ok[i].s, n));
  }
  const char *bad[] = { "\x80", "\xbf", "\xc0\xaf", "\xc1\xbf", "\xc2", "\xc2\x41",
                        "\xe0\x9f\xbf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xe1\x80",
                        "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
                        "\xff", "\xfe", "\xf0\x9f\x98" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint32_t cp = 0;
    size_t n = strlen(bad[i]);
    cr_assert_eq(text_utf8_decode((const unsigned char *)bad[i], n, &cp), 1, "bad %zu", i);
    cr_assert_eq(cp, 0xfffd, "bad %zu", i);
    cr_assert(!text_utf8_valid(bad[i], n), "bad %zu", i);
  }
  /* Truncation by `avail`, not by content. */
  cr_assert_eq(text_utf8_decode((const unsigned char *)"\xe2\x82\xac", 2, NULL), 1);
  cr_assert(text_utf8_valid("", 0));
  cr_assert(text_utf8_valid("a\0b", 3));
}

/* ------------------------------------------------------------------------ */
/* Randomized: valid UTF-8 texts built from known characters. */

typedef struct {
  char *text;
  size_t len;
  size_t nlines;
  /* For each byte offset 0..len: the expected position in each encoding. */
  text_pos *pos16, *pos8;
  /* Per line: boundaries (offset, col16, col8), content end included. */
  size_t *bstart;  /* index into the boundary arrays where line l begins; nlines+1 entries */
  size_t *boff;
  uint32_t *bc16, *bc8;
  size_t nb;
} ref_text;

static size_t put_utf8(char *o, uint32_t cp) {
  if (cp < 0x80) { o[0] = (char)cp; return 1; }
  if (cp < 0x800) { o[0] = (char)(0xC0 | cp >> 6); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | cp >> 12); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | cp >> 18); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

static uint32_t random_cp(tu_rng *r) {
  switch (tu_rng_below(r, 10)) {
  case 0: return 0x80 + (uint32_t)tu_rng_below(r, 0x780);                    /* 2 bytes */
  case 1: { uint32_t c = 0x800 + (uint32_t)tu_rng_below(r, 0xF800);           /* 3 bytes */
            return (c >= 0xD800 && c <= 0xDFFF) ? 0x20AC : c; }
  case 2: return 0x10000 + (uint32_t)tu_rng_below(r, 0x100000);              /* 4 bytes */
  default: return 'a' + (uint32_t)tu_rng_below(r, 26);
  }
}

/* Kinds of atoms: 0 char, 1 "\n", 2 "\r\n", 3 lone "\r". */
static void ref_build(ref_text *rt, tu_rng *r, size_t natoms) {
  memset(rt, 0, sizeof *rt);
  size_t cap = natoms * 4 + 1;
  rt->text = malloc(cap);
  rt->pos16 = malloc((cap + 1) * sizeof(text_pos));
  rt->pos8 = malloc((cap + 1) * sizeof(text_pos));
  rt->boff = malloc((cap + 1) * sizeof(size_t));
  rt->bc16 = malloc((cap + 1) * sizeof(uint32_t));
  rt->bc8 = malloc((cap + 1) * sizeof(uint32_t));
  rt->bstart = malloc((natoms + 2) * sizeof(size_t));
  size_t len = 0, nb = 0, line = 0;
  uint32_t c16 = 0, c8 = 0;
  int prev = -1;
  rt->bstart[0] = 0;
  for (size_t a = 0; a < natoms; a++) {
    int kind = 0;
    uint64_t k = tu_rng_below(r, 20);
    if (k == 0) kind = 1;
    else if (k == 1) kind = 2;
    else if (k == 2) kind = 3;
    if (kind == 1 && prev == 3) kind = 0; /* "\r" + "\n" would be a CRLF */
    /* A boundary at the start of every atom. */
    rt->boff[nb] = len; rt->bc16[nb] = c16; rt->bc8[nb] = c8; nb++;
    if (kind == 0 || kind == 3) {
      uint32_t cp = kind == 3 ? '\r' : random_cp(r);
      size_t n = put_utf8(rt->text + len, cp);
      for (size_t i = 0; i < n; i++) { /* inside the char: its start */
        rt->pos16[len + i] = (text_pos){ (uint32_t)line, c16 };
        rt->pos8[len + i] = (text_pos){ (uint32_t)line, c8 };
      }
      len += n;
      c16 += n == 4 ? 2 : 1;
      c8 += (uint32_t)n;
    } else {
      size_t n = kind == 1 ? 1 : 2;
      memcpy(rt->text + len, kind == 1 ? "\n" : "\r\n", n);
      for (size_t i = 0; i < n; i++) { /* the line end */
        rt->pos16[len + i] = (text_pos){ (uint32_t)line, c16 };
        rt->pos8[len + i] = (text_pos){ (uint32_t)line, c8 };
      }
      len += n;
      line++;
      c16 = c8 = 0;
      rt->bstart[line] = nb;
    }
    prev = kind;
  }
  rt->boff[nb] = len; rt->bc16[nb] = c16; rt->bc8[nb] = c8; nb++;
  rt->pos16[len] = (text_pos){ (uint32_t)line, c16 };
  rt->pos8[len] = (text_pos){ (uint32_t)line, c8 };
  rt->nlines = line + 1;
  rt->bstart[rt->nlines] = nb;
  rt->nb = nb;
  rt->len = len;
  rt->text[len] = 0;
}

static void ref_free(ref_text *rt) {
  free(rt->text); free(rt->pos16); free(rt->pos8); free(rt->boff);
  free(rt->bc16); free(rt->bc8); free(rt->bstart);
}

/* Expected text_offset for an arbitrary position, from the boundaries. */
static size_t ref_offset(const ref_text *rt, text_pos p, text_encoding enc, bool *clamped) {
  *clamped = false;
  if (p.line >= rt->nlines) { *clamped = true; return rt->len; }
  size_t a = rt->bstart[p.line], b = rt->bstart[p.line + 1];
  /* Line l's boundaries are [a, b): the last one is the content end, except
  ** for the last line whose range ends at nb. */
  const uint32_t *col = enc == TEXT_UTF16 ? rt->bc16 : rt->bc8;
  size_t best = a;
  for (size_t i = a; i < b; i++) {
    if (col[i] <= p.character) best = i;
  }
  if (col[b - 1] < p.character) *clamped = true;
  return rt->boff[best];
}

Test(text, random_reference) {
  for (uint64_t seed = 1; seed <= 60; seed++) {
    tu_rng r;
    tu_rng_seed(&r, seed * 7919);
    ref_text rt;
    ref_build(&rt, &r, 1 + tu_rng_below(&r, 400));
    cr_assert(text_utf8_valid(rt.text, rt.len));
    text_lines *tl = text_lines_create(rt.text, rt.len);
    cr_assert_eq(text_lines_count(tl), rt.nlines, "seed %llu", (unsigned long long)seed);
    for (int e = 0; e < 2; e++) {
      const text_pos *want = e == TEXT_UTF16 ? rt.pos16 : rt.pos8;
      for (size_t off = 0; off <= rt.len + 2; off++) {
        size_t o = off > rt.len ? rt.len : off;
        text_pos got = text_position(tl, off, e);
        cr_assert(got.line == want[o].line && got.character == want[o].character,
                  "seed %llu enc %d off %zu: got (%u,%u) want (%u,%u)",
                  (unsigned long long)seed, e, off, got.line, got.character, want[o].line,
                  want[o].character);
      }
      /* Every boundary: pos -> off -> pos round trip, unclamped. */
      const uint32_t *col = e == TEXT_UTF16 ? rt.bc16 : rt.bc8;
      for (size_t l = 0; l < rt.nlines; l++) {
        for (size_t i = rt.bstart[l]; i < rt.bstart[l + 1]; i++) {
          text_pos p = { (uint32_t)l, col[i] };
          bool c1 = true, c2 = true;
          size_t o1 = text_offset(tl, p, e, &c1);
          size_t o2 = text_offset_scan(rt.text, rt.len, p, e, &c2);
          cr_assert_eq(o1, rt.boff[i], "seed %llu", (unsigned long long)seed);
          cr_assert_eq(o2, rt.boff[i]);
          cr_assert(!c1 && !c2);
          text_pos back = text_position(tl, o1, e);
          cr_assert(back.line == p.line && back.character == p.character,
                    "round trip seed %llu (%u,%u) -> %zu -> (%u,%u)",
                    (unsigned long long)seed, p.line, p.character, o1, back.line,
                    back.character);
        }
      }
      /* Random positions, in range or not: indexed == scan == reference. */
      for (int k = 0; k < 300; k++) {
        text_pos p = { (uint32_t)tu_rng_below(&r, rt.nlines + 2),
                       (uint32_t)tu_rng_below(&r, 40) };
        bool cw, c1, c2;
        size_t w = ref_offset(&rt, p, e, &cw);
        size_t o1 = text_offset(tl, p, e, &c1);
        size_t o2 = text_offset_scan(rt.text, rt.len, p, e, &c2);
        cr_assert(o1 == w && o2 == w && c1 == cw && c2 == cw,
                  "seed %llu enc %d (%u,%u): idx %zu/%d scan %zu/%d want %zu/%d",
                  (unsigned long long)seed, e, p.line, p.character, o1, c1, o2, c2, w, cw);
      }
    }
    text_lines_destroy(tl);
    ref_free(&rt);
  }
}

/* Arbitrary bytes (invalid UTF-8, lone and paired "\r"): indexed and scan
** versions agree, and offset -> position -> offset is the identity on
** character boundaries outside "\r\n" pairs. */
Test(text, random_bytes_agree) {
  static const unsigned char alphabet[] = { 'a', '\n', '\r', 0x80, 0xBF, 0xC3, 0xA9, 0xE2,
                                            0x82, 0xAC, 0xF0, 0x9F, 0x98, 0xED, 0xA0, 0xFF };
  for (uint64_t seed = 1; seed <= 80; seed++) {
    tu_rng r;
    tu_rng_seed(&r, seed);
    size_t n = tu_rng_below(&r, 300);
    char *t = malloc(n + 1);
    for (size_t i = 0; i < n; i++) t[i] = (char)alphabet[tu_rng_below(&r, sizeof alphabet)];
    text_lines *tl = text_lines_create(t, n);
    for (int e = 0; e < 2; e++) {
      for (size_t off = 0; off <= n;) {
        text_pos p = text_position(tl, off, e);
        bool c = true;
        size_t back = text_offset(tl, p, e, &c);
        cr_assert(!c);
        cr_assert_eq(back, off, "seed %llu enc %d off %zu -> (%u,%u) -> %zu",
                     (unsigned long long)seed, e, off, p.line, p.character, back);
        if (off == n) break;
        size_t step = text_utf8_decode((const unsigned char *)t + off, n - off, NULL);
        if (t[off] == '\r' && off + 1 < n && t[off + 1] == '\n') step = 2; /* skip the pair */
        off += step;
      }
      for (int k = 0; k < 200; k++) {
        text_pos p = { (uint32_t)tu_rng_below(&r, text_lines_count(tl) + 2),
                       (uint32_t)tu_rng_below(&r, 30) };
        bool c1, c2;
        size_t o1 = text_offset(tl, p, e, &c1);
        size_t o2 = text_offset_scan(t, n, p, e, &c2);
        cr_assert(o1 == o2 && c1 == c2, "seed %llu", (unsigned long long)seed);
        cr_assert_leq(o1, n);
      }
    }
    text_lines_destroy(tl);
    free(t);
  }
}

Test(text, utf8_valid_len) {
  const struct { const char *s; size_t avail, want; } cases[] = {
    {"a", 1, 1}, {"\xC3\xA9", 2, 2}, {"\xE2\x86\x92", 3, 3}, {"\xF0\x9F\x98\x80", 4, 4},
    {"\xC3", 1, 0},          /* truncated */
    {"\xC0\xAF", 2, 0},      /* overlong */
    {"\xED\xA0\x80", 3, 0},  /* surrogate */
    {"\xF4\x90\x80\x80", 4, 0}, /* > U+10FFFF */
    {"\x80", 1, 0},          /* stray continuation byte */
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    cr_assert_eq(text_utf8_valid_len((const unsigned char *)cases[i].s, cases[i].avail), cases[i].want, "case %zu", i);
}
