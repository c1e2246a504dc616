/*
** text.c — byte offsets <-> LSP positions (see text.h for the contract).
**
** DESIGN
** - Lines end at "\n". A "\r" immediately before a "\n" belongs to the line
**   end (it is never part of a character position); any other "\r" — a lone
**   "\r", e.g. "a\rb" or a "\r" at the very end of the text — is an ordinary
**   one-unit character. This matches what tree-sitter counts as rows, so
**   rows stay consistent between the parser and LSP positions.
** - UTF-8 is decoded strictly (no overlongs, no surrogates, nothing above
**   U+10FFFF). Every byte that does not start a valid sequence is one
**   character of one code unit in both encodings, so conversions never fail.
** - A valid 4-byte sequence is 2 UTF-16 units; every other character is 1
**   UTF-16 unit. In UTF-8 mode a character is as many units as it has bytes.
** - Positions that fall inside a character (the middle of a surrogate pair
**   in UTF-16 mode, the middle of a multi-byte sequence in UTF-8 mode) map to
**   the start of that character WITHOUT setting *clamped: the position is on
**   the line, just not on a character boundary. *clamped is set only when the
**   line is past the last line (-> end of text) or the character is past the
**   line's content (-> line end, before "\r\n" / "\n").
** - The index is an array of line start offsets; it is immutable after
**   creation, so it can be shared read-only across threads.
*/
#include "text.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct text_lines {
  const char *text;  /* borrowed */
  size_t len;
  size_t n;          /* number of lines, >= 1 */
  size_t starts[];   /* starts[i] = byte offset of line i; starts[0] == 0 */
};

/* ------------------------------------------------------------------------ */
/* UTF-8 */

size_t text_utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp) {
  assert(s && avail > 0);
  uint32_t c = s[0];
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
  if (c < 0x80) {
    if (cp) *cp = c;
    return 1;
  } else if (c >= 0xC2 && c <= 0xDF) {
    n = 2; c &= 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3; c &= 0x0F;
    if (s[0] == 0xE0) lo = 0xA0;       /* overlong */
    else if (s[0] == 0xED) hi = 0x9F;  /* UTF-16 surrogates */
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4; c &= 0x07;
    if (s[0] == 0xF0) lo = 0x90;       /* overlong */
    else if (s[0] == 0xF4) hi = 0x8F;  /* > U+10FFFF */
  } else {
    goto invalid;
  }
  if (avail < n) goto invalid;
  if (s[1] < lo || s[1] > hi) goto invalid;
  c = (c << 6) | (s[1] & 0x3F);
  for (size_t i = 2; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) goto invalid;
    c = (c << 6) | (s[i] & 0x3F);
  }
  if (cp) *cp = c;
  return n;
invalid:
  if (cp) *cp = 0xFFFD;
  return 1;
}

size_t text_utf8_valid_len(const unsigned char *s, size_t avail) {
  size_t n = text_utf8_decode(s, avail, NULL);
  return n == 1 && s[0] >= 0x80 ? 0 : n;
}

bool text_utf8_valid(const char *text, size_t len) {
  const unsigned char *s = (const unsigned char *)text;
  size_t i = 0;
  while (i < len) {
    if (s[i] < 0x80) { i++; continue; }
    size_t n = text_utf8_decode(s + i, len - i, NULL);
    if (n == 1) return false; /* a non-ASCII byte that starts no valid sequence */
    i += n;
  }
  return true;
}

/* Code units of the character s[0..n) (n as returned by the decoder). */
static inline uint32_t text__units(size_t n, text_encoding enc) {
  if (enc == TEXT_UTF8) return (uint32_t)n;
  return n == 4 ? 2u : 1u;
}

/* ------------------------------------------------------------------------ */
/* Line-local walks shared by the indexed and the scanning versions. */

/* Offset of the end of the line starting at `start` (before "\n" or "\r\n"),
** and of the next line's start in *next (len when it is the last line). */
static size_t text__line_end(const char *text, size_t len, size_t start, size_t *next) {
  const char *nl = start < len ? memchr(text + start, '\n', len - start) : NULL;
  if (!nl) {
    if (next) *next = len;
    return len;
  }
  size_t e = (size_t)(nl - text);
  if (next) *next = e + 1;
  if (e > start && text[e - 1] == '\r') e--;
  return e;
}

/* Byte offset of `character` units into the line [start, end). */
static size_t text__walk_to_units(const char *text, size_t len, size_t start, size_t end,
                                  uint32_t character, text_encoding enc, bool *clamped) {
  const unsigned char *s = (const unsigned char *)text;
  size_t p = start;
  uint32_t units = 0;
  while (units < character) {
    if (p >= end) {
      if (clamped) *clamped = true;
      return end;
    }
    if (s[p] < 0x80) { p++; units++; continue; }
    /* A valid sequence never contains "\r" or "\n", so decoding against
    ** `len` gives the same result as decoding against `end`. */
    size_t n = text_utf8_decode(s + p, len - p, NULL);
    uint32_t u = text__units(n, enc);
    if (units + u > character) return p; /* inside this character: its start */
    units += u;
    p += n;
  }
  return p;
}

/* Units from `start` to `off` (off <= line end); an offset inside a
** character counts up to that character's start. */
static uint32_t text__units_to(const char *text, size_t len, size_t start, size_t off,
                               text_encoding enc) {
  const unsigned char *s = (const unsigned char *)text;
  size_t p = start;
  uint32_t units = 0;
  while (p < off) {
    if (s[p] < 0x80) { p++; units++; continue; }
    size_t n = text_utf8_decode(s + p, len - p, NULL);
    if (p + n > off) break;
    units += text__units(n, enc);
    p += n;
  }
  return units;
}

/* ------------------------------------------------------------------------ */
/* Index */

text_lines *text_lines_create(const char *text, size_t len) {
  assert(text || len == 0);
  size_t n = 1;
  for (size_t i = 0; i < len;) {
    const char *nl = memchr(text + i, '\n', len - i);
    if (!nl) break;
    n++;
    i = (size_t)(nl - text) + 1;
  }
  if (n > (SIZE_MAX - sizeof(text_lines)) / sizeof(size_t)) return NULL;
  text_lines *tl = malloc(sizeof *tl + n * sizeof(size_t));
  if (!tl) return NULL;
  tl->text = text;
  tl->len = len;
  tl->n = n;
  tl->starts[0] = 0;
  size_t k = 1;
  for (size_t i = 0; i < len;) {
    const char *nl = memchr(text + i, '\n', len - i);
    if (!nl) break;
    i = (size_t)(nl - text) + 1;
    tl->starts[k++] = i;
  }
  assert(k == n);
  return tl;
}

void text_lines_destroy(text_lines *tl) { free(tl); }

size_t text_lines_count(const text_lines *tl) { return tl->n; }

size_t text_lines_start(const text_lines *tl, size_t line) {
  if (line >= tl->n) line = tl->n - 1;
  return tl->starts[line];
}

size_t text_lines_end(const text_lines *tl, size_t line) {
  if (line >= tl->n) line = tl->n - 1;
  if (line + 1 == tl->n) return tl->len;
  size_t e = tl->starts[line + 1] - 1; /* the '\n' */
  if (e > tl->starts[line] && tl->text[e - 1] == '\r') e--;
  return e;
}

size_t text_offset(const text_lines *tl, text_pos pos, text_encoding enc, bool *clamped) {
  if (clamped) *clamped = false;
  if (pos.line >= tl->n) {
    if (clamped) *clamped = true;
    return tl->len;
  }
  size_t start = tl->starts[pos.line];
  size_t end = text_lines_end(tl, pos.line);
  return text__walk_to_units(tl->text, tl->len, start, end, pos.character, enc, clamped);
}

/* Index of the line containing `off` (the last line start <= off). */
static size_t text__line_of(const text_lines *tl, size_t off) {
  size_t lo = 0, hi = tl->n; /* invariant: starts[lo] <= off, answer in [lo, hi) */
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (tl->starts[mid] <= off) lo = mid;
    else hi = mid;
  }
  return lo;
}

text_pos text_position(const text_lines *tl, size_t offset, text_encoding enc) {
  if (offset > tl->len) offset = tl->len;
  size_t line = text__line_of(tl, offset);
  size_t start = tl->starts[line];
  size_t end = text_lines_end(tl, line);
  if (offset > end) offset = end; /* on the "\n" of "\r\n": the line end */
  text_pos p = { (uint32_t)line, text__units_to(tl->text, tl->len, start, offset, enc) };
  return p;
}

text_range text_range_of(const text_lines *tl, text_span span, text_encoding enc) {
  text_range r = { text_position(tl, span.start, enc), text_position(tl, span.end, enc) };
  return r;
}

/* ------------------------------------------------------------------------ */
/* Without an index */

size_t text_offset_scan(const char *text, size_t len, text_pos pos, text_encoding enc,
                        bool *clamped) {
  assert(text || len == 0);
  if (clamped) *clamped = false;
  size_t start = 0;
  for (uint32_t l = 0; l < pos.line; l++) {
    const char *nl = start < len ? memchr(text + start, '\n', len - start) : NULL;
    if (!nl) {
      if (clamped) *clamped = true;
      return len;
    }
    start = (size_t)(nl - text) + 1;
  }
  size_t end = text__line_end(text, len, start, NULL);
  return text__walk_to_units(text, len, start, end, pos.character, enc, clamped);
}
