/*
** docbuf.c — mutable document text (see docbuf.h).
**
** DESIGN
** Loop-thread only; no locks. The text lives in one growable buffer, always
** NUL-terminated; an edit is a memmove of the tail plus a memcpy (a 2 MB tail
** moves in ~0.1 ms, so a gap buffer is not worth its complexity).
**
** Line cache: ls[0..nls) holds the start offsets of the first nls lines, in
** order (ls[0] == 0); ls_complete says whether it covers every line. An edit
** at byte s keeps exactly the entries <= s (the bytes before s, hence those
** line starts, are unchanged) and marks the cache incomplete; lookups extend
** it lazily with memchr from the last known start. Typing near the end of a
** big file therefore reuses almost the whole cache, and an edit near the top
** costs one memchr pass over the text the next time a later line is needed.
** Within a line, text_offset_scan on the line's suffix does the unit walk,
** so clamping rules are exactly text.h's.
*/
#include "docbuf.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DOCBUF_SHRINK_MIN (64u * 1024u)

struct docbuf {
  char *buf;        /* cap bytes, buf[len] == 0 */
  size_t len, cap;
  size_t *ls;       /* line-start cache */
  size_t nls, ls_cap;
  bool ls_complete;
  bool has_edit;
  docbuf_edit last;
};

/* ------------------------------------------------------------------------ */
/* Buffer */

static int docbuf__reserve(docbuf *d, size_t need /* bytes incl. NUL */) {
  if (need <= d->cap) return 0;
  size_t cap = d->cap < 64 ? 64 : d->cap;
  while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  char *nb = realloc(d->buf, cap);
  if (!nb) return -1;
  d->buf = nb;
  d->cap = cap;
  return 0;
}

/* Give memory back after a large shrink; failure is harmless. */
static void docbuf__maybe_shrink(docbuf *d) {
  if (d->cap <= DOCBUF_SHRINK_MIN || d->len + 1 >= d->cap / 4) return;
  size_t cap = (d->len + 1) * 2;
  char *nb = realloc(d->buf, cap);
  if (nb) {
    d->buf = nb;
    d->cap = cap;
  }
}

static bool docbuf__aliases(const docbuf *d, const char *p) {
  uintptr_t a = (uintptr_t)p, lo = (uintptr_t)d->buf, hi = lo + d->cap;
  return p && a >= lo && a < hi;
}

/* ------------------------------------------------------------------------ */
/* Line cache */

static void docbuf__invalidate_after(docbuf *d, size_t s) {
  /* Keep the entries <= s: binary search for the first entry > s. */
  size_t lo = 1, hi = d->nls; /* ls[0] == 0 <= s always stays */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (d->ls[mid] <= s) lo = mid + 1;
    else hi = mid;
  }
  d->nls = lo;
  d->ls_complete = false;
}

/* Extend the cache until it knows line `line` or covers every line.
** Returns -1 on allocation failure. */
static int docbuf__ensure_line(docbuf *d, size_t line) {
  while (d->nls <= line && !d->ls_complete) {
    size_t from = d->ls[d->nls - 1];
    const char *nl = from < d->len ? memchr(d->buf + from, '\n', d->len - from) : NULL;
    if (!nl) {
      d->ls_complete = true;
      break;
    }
    if (d->nls == d->ls_cap) {
      size_t cap = d->ls_cap * 2;
      size_t *nls = realloc(d->ls, cap * sizeof *nls);
      if (!nls) return -1;
      d->ls = nls;
      d->ls_cap = cap;
    }
    d->ls[d->nls++] = (size_t)(nl - d->buf) + 1;
  }
  return 0;
}

/* Position -> offset; also reports the (clamped) line and its start. */
static int docbuf__locate(docbuf *d, text_pos pos, text_encoding enc, size_t *off,
                          size_t *line, size_t *line_start, bool *clamped) {
  if (docbuf__ensure_line(d, pos.line) < 0) return -1;
  if (pos.line >= d->nls) { /* past the last line (the cache is complete) */
    assert(d->ls_complete);
    *clamped = true;
    *line = d->nls - 1;
    *line_start = d->ls[d->nls - 1];
    *off = d->len;
    return 0;
  }
  size_t st = d->ls[pos.line];
  bool c = false;
  text_pos in_line = { 0, pos.character };
  *off = st + text_offset_scan(d->buf + st, d->len - st, in_line, enc, &c);
  if (c) *clamped = true;
  *line = pos.line;
  *line_start = st;
  return 0;
}

/* Advance a (row, col) point over s[0..n). */
static void docbuf__advance(const char *s, size_t n, uint32_t *row, uint32_t *col) {
  size_t last_nl = SIZE_MAX;
  uint32_t rows = 0;
  for (const char *p = s, *end = s + n; p < end;) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) break;
    rows++;
    last_nl = (size_t)(nl - s);
    p = nl + 1;
  }
  if (rows) {
    *row += rows;
    *col = (uint32_t)(n - last_nl - 1);
  } else {
    *col += (uint32_t)n;
  }
}

/* ------------------------------------------------------------------------ */

docbuf *docbuf_create(const char *text, size_t len) {
  assert(text || len == 0);
  docbuf *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  d->ls_cap = 64;
  d->ls = malloc(d->ls_cap * sizeof *d->ls);
  if (!d->ls || len == SIZE_MAX || docbuf__reserve(d, len + 1) < 0) {
    docbuf_destroy(d);
    return NULL;
  }
  if (len) memcpy(d->buf, text, len);
  d->buf[len] = 0;
  d->len = len;
  d->ls[0] = 0;
  d->nls = 1;
  return d;
}

void docbuf_destroy(docbuf *d) {
  if (!d) return;
  free(d->buf);
  free(d->ls);
  free(d);
}

const char *docbuf_text(const docbuf *d) { return d->buf; }

size_t docbuf_len(const docbuf *d) { return d->len; }

int docbuf_replace_all(docbuf *d, const char *text, size_t len) {
  assert(text || len == 0);
  if (len == SIZE_MAX) return -1;
  docbuf_edit e = { 0 };
  e.old_end_byte = d->len;
  e.new_end_byte = len;
  docbuf__advance(d->buf, d->len, &e.old_end_row, &e.old_end_col);
  if (docbuf__aliases(d, text)) {
    memmove(d->buf, text, len); /* a sub-range of the current text: fits */
  } else {
    if (docbuf__reserve(d, len + 1) < 0) return -1;
    if (len) memcpy(d->buf, text, len);
  }
  d->buf[len] = 0;
  d->len = len;
  docbuf__advance(d->buf, d->len, &e.new_end_row, &e.new_end_col);
  d->nls = 1;
  d->ls_complete = false;
  d->last = e;
  d->has_edit = true;
  docbuf__maybe_shrink(d);
  return 0;
}

static bool docbuf__pos_less(text_pos a, text_pos b) {
  return a.line < b.line || (a.line == b.line && a.character < b.character);
}

int docbuf_apply(docbuf *d, text_pos start, text_pos end, text_encoding enc,
                 const char *new_text, size_t new_len, bool *clamped) {
  assert(new_text || new_len == 0);
  bool cl = false;
  if (clamped) *clamped = false;
  if (docbuf__pos_less(end, start)) {
    text_pos t = start;
    start = end;
    end = t;
    cl = true;
  }
  size_t s, e, sline, sls, eline, els;
  if (docbuf__locate(d, start, enc, &s, &sline, &sls, &cl) < 0) return -1;
  if (docbuf__locate(d, end, enc, &e, &eline, &els, &cl) < 0) return -1;
  if (e < s) { /* cannot happen: conversion is monotonic; stay safe anyway */
    size_t t = s;
    s = e;
    e = t;
    cl = true;
  }
  size_t removed = e - s;
  if (new_len > SIZE_MAX - 1 - (d->len - removed)) return -1;
  size_t total = d->len - removed + new_len;

  char *copy = NULL;
  if (new_len && docbuf__aliases(d, new_text)) {
    copy = malloc(new_len);
    if (!copy) return -1;
    memcpy(copy, new_text, new_len);
    new_text = copy;
  }
  if (docbuf__reserve(d, total + 1) < 0) {
    free(copy);
    return -1;
  }

  docbuf_edit ed = { 0 };
  ed.start_byte = s;
  ed.old_end_byte = e;
  ed.new_end_byte = s + new_len;
  ed.start_row = (uint32_t)sline;
  ed.start_col = (uint32_t)(s - sls);
  ed.old_end_row = ed.new_end_row = ed.start_row;
  ed.old_end_col = ed.new_end_col = ed.start_col;
  docbuf__advance(d->buf + s, removed, &ed.old_end_row, &ed.old_end_col);
  docbuf__advance(new_text ? new_text : "", new_len, &ed.new_end_row, &ed.new_end_col);

  memmove(d->buf + s + new_len, d->buf + e, d->len - e + 1); /* tail + NUL */
  if (new_len) memcpy(d->buf + s, new_text, new_len);
  d->len = total;
  free(copy);

  docbuf__invalidate_after(d, s);
  d->last = ed;
  d->has_edit = true;
  docbuf__maybe_shrink(d);
  if (clamped) *clamped = cl;
  return 0;
}

size_t docbuf_offset(docbuf *d, text_pos pos, text_encoding enc, bool *clamped) {
  size_t off, line, ls;
  bool c = false;
  if (docbuf__locate(d, pos, enc, &off, &line, &ls, &c) < 0)
    return text_offset_scan(d->buf, d->len, pos, enc, clamped); /* OOM: no cache */
  if (clamped) *clamped = c;
  return off;
}

bool docbuf_last_edit(const docbuf *d, docbuf_edit *out) {
  if (!d->has_edit) return false;
  if (out) *out = d->last;
  return true;
}
