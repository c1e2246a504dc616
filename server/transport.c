/*
** transport.c — incremental Content-Length frame parser (see transport.h).
**
** DESIGN
** Single-threaded: a tr_reader belongs to the loop thread. The event
** callback must not feed or destroy the reader it is called from.
**
** The reader is a byte-driven state machine whose events depend only on the
** byte stream, never on how it was split into feeds:
**
**   HEADER  reading header lines. Only the current line is buffered (at most
**           TR_MAX_LINE content bytes + a "\r"); the rest of the block is
**           summarised in a few fields (Content-Length seen, first error).
**           Header bytes are processed one at a time (they are few).
**   SKIP    the block is already known bad and reported (overlong line,
**           block over TR_MAX_BLOCK): discard bytes up to and including the
**           empty line that ends the block, buffering nothing.
**   BODY    copying a body of announced length n <= max_body into a buffer
**           of n + 1 bytes allocated when the header block ended.
**   DISCARD dropping the bytes of a body larger than max_body.
**
** Resynchronisation: after a bad header block, the reader expects a new
** header block right after the empty line that ended the bad one. A bad
** block is reported once: at its empty line for a missing/invalid
** Content-Length or a malformed line, or as soon as a limit is exceeded
** (then SKIP runs to the empty line). So garbage without any empty line costs
** O(1) memory and yields a single BAD_HEADER.
**
** Empty lines where a header block would start are skipped silently (a
** client that sends a stray "\r\n" after a body loses nothing).
**
** Limits: a header line's content (terminator excluded) may be 8192 bytes;
** a header block (every byte from its first line through its empty line) may
** be 65536 bytes. If the body buffer (n + 1 bytes, n <= max_body) cannot be
** allocated, the body is discarded and reported as TR_EV_TOO_LARGE with an
** "out of memory" detail.
**
** A header line is `name ":" value` with optional blanks around both; a line
** without ":" or with a name that is not an HTTP token makes the block bad.
** Content-Length must be decimal digits only (no sign) fitting in size_t;
** repeated Content-Length headers must agree.
*/
#include "transport.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TR_MAX_LINE (8u * 1024u)    /* header line content, excluding "\r\n" */
#define TR_MAX_BLOCK (64u * 1024u)  /* whole header block, terminators included */
#define TR_KEEP_BODY_CAP (64u * 1024u) /* body buffers above this are freed after use */

typedef enum { TR_ST_HEADER, TR_ST_SKIP, TR_ST_BODY, TR_ST_DISCARD } tr_state;

struct tr_reader {
  size_t max_body;
  tr_state st;

  /* HEADER */
  char line[TR_MAX_LINE + 1]; /* current line, possibly ending in '\r' */
  size_t line_len;
  size_t block_bytes;         /* bytes of the current block so far */
  bool in_block;              /* a non-empty line of this block was seen */
  bool have_cl;
  size_t cl;
  const char *bad;            /* first reason the block is bad, or NULL */

  /* SKIP: what the current line holds so far */
  bool skip_empty;            /* nothing */
  bool skip_cr;               /* exactly "\r" */

  /* BODY */
  char *body;
  size_t body_cap;
  size_t body_len;
  size_t body_need;

  /* DISCARD */
  size_t discard_left;

  char detail[160];
};

tr_reader *tr_reader_create(size_t max_body) {
  tr_reader *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->max_body = max_body;
  r->st = TR_ST_HEADER;
  return r;
}

void tr_reader_destroy(tr_reader *r) {
  if (!r) return;
  free(r->body);
  free(r);
}

int tr_reader_pending(const tr_reader *r) {
  return r->st != TR_ST_HEADER || r->line_len > 0 || r->in_block;
}

/* ------------------------------------------------------------------------ */
/* Header parsing */

static void tr__reset_block(tr_reader *r) {
  r->st = TR_ST_HEADER;
  r->line_len = 0;
  r->block_bytes = 0;
  r->in_block = false;
  r->have_cl = false;
  r->cl = 0;
  r->bad = NULL;
}

static void tr__mark_bad(tr_reader *r, const char *why) {
  if (!r->bad) r->bad = why;
}

static bool tr__is_blank(char c) { return c == ' ' || c == '\t'; }

/* RFC 7230 tchar. */
static bool tr__is_tchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool tr__name_is(const char *s, size_t n, const char *lower) {
  size_t m = strlen(lower);
  if (n != m) return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

/* One complete, non-empty header line (terminator stripped). */
static void tr__header_line(tr_reader *r, const char *s, size_t n) {
  const char *colon = memchr(s, ':', n);
  if (!colon) {
    tr__mark_bad(r, "malformed header line (no ':')");
    return;
  }
  size_t a = 0, b = (size_t)(colon - s);
  while (a < b && tr__is_blank(s[a])) a++;
  while (b > a && tr__is_blank(s[b - 1])) b--;
  if (a == b) {
    tr__mark_bad(r, "malformed header line (empty name)");
    return;
  }
  for (size_t i = a; i < b; i++) {
    if (!tr__is_tchar((unsigned char)s[i])) {
      tr__mark_bad(r, "malformed header name");
      return;
    }
  }
  if (!tr__name_is(s + a, b - a, "content-length")) return; /* Content-Type, unknown: ignored */

  size_t va = (size_t)(colon - s) + 1, vb = n;
  while (va < vb && tr__is_blank(s[va])) va++;
  while (vb > va && tr__is_blank(s[vb - 1])) vb--;
  if (va == vb) {
    tr__mark_bad(r, "empty Content-Length");
    return;
  }
  if (s[va] == '-') {
    tr__mark_bad(r, "negative Content-Length");
    return;
  }
  size_t v = 0;
  for (size_t i = va; i < vb; i++) {
    if (s[i] < '0' || s[i] > '9') {
      tr__mark_bad(r, "invalid Content-Length (not a decimal number)");
      return;
    }
    size_t d = (size_t)(s[i] - '0');
    if (v > (SIZE_MAX - d) / 10) {
      tr__mark_bad(r, "Content-Length overflows");
      return;
    }
    v = v * 10 + d;
  }
  if (r->have_cl && r->cl != v) {
    tr__mark_bad(r, "conflicting Content-Length headers");
    return;
  }
  r->have_cl = true;
  r->cl = v;
}

static void tr__emit_bad(const char *why, tr_event_fn fn, void *data) {
  fn(TR_EV_BAD_HEADER, NULL, 0, why, data);
}

/* The block's bad state was just detected on a limit: report it and skip the
** rest of the block. `line_empty`/`line_cr` describe the current line. */
static void tr__enter_skip(tr_reader *r, const char *why, bool line_empty, bool line_cr,
                           tr_event_fn fn, void *data) {
  tr__reset_block(r);
  r->st = TR_ST_SKIP;
  r->skip_empty = line_empty;
  r->skip_cr = line_cr;
  tr__emit_bad(why, fn, data);
}

static void tr__emit_message(tr_reader *r, tr_event_fn fn, void *data) {
  static const char empty[1] = "";
  size_t n = r->body_need;
  const char *body = n ? r->body : empty;
  if (n) r->body[n] = 0;
  tr__reset_block(r);
  fn(TR_EV_MESSAGE, body, n, NULL, data);
  if (r->body_cap > TR_KEEP_BODY_CAP) {
    free(r->body);
    r->body = NULL;
    r->body_cap = 0;
  }
}

/* The empty line ending a block that is not yet reported as bad. */
static void tr__end_block(tr_reader *r, tr_event_fn fn, void *data) {
  if (r->bad || !r->have_cl) {
    const char *why = r->bad ? r->bad : "missing Content-Length";
    tr__reset_block(r);
    tr__emit_bad(why, fn, data);
    return;
  }
  size_t n = r->cl;
  if (n > r->max_body || n == SIZE_MAX) {
    snprintf(r->detail, sizeof r->detail,
             "message body of %zu bytes exceeds the limit of %zu bytes", n, r->max_body);
    tr__reset_block(r);
    r->st = TR_ST_DISCARD;
    r->discard_left = n;
    fn(TR_EV_TOO_LARGE, NULL, n, r->detail, data);
    return;
  }
  if (n > 0 && n + 1 > r->body_cap) {
    char *nb = malloc(n + 1);
    if (!nb) {
      snprintf(r->detail, sizeof r->detail,
               "out of memory for a message body of %zu bytes", n);
      tr__reset_block(r);
      r->st = TR_ST_DISCARD;
      r->discard_left = n;
      fn(TR_EV_TOO_LARGE, NULL, n, r->detail, data);
      return;
    }
    free(r->body);
    r->body = nb;
    r->body_cap = n + 1;
  }
  r->body_need = n;
  r->body_len = 0;
  if (n == 0) {
    tr__emit_message(r, fn, data);
    return;
  }
  tr__reset_block(r);
  r->st = TR_ST_BODY;
}

static void tr__skip_byte(tr_reader *r, char c);

static void tr__header_byte(tr_reader *r, char c, tr_event_fn fn, void *data) {
  bool line_empty = r->line_len == 0;
  bool line_cr = r->line_len == 1 && r->line[0] == '\r';
  if (++r->block_bytes > TR_MAX_BLOCK) {
    /* Re-run this byte in SKIP so an empty line right here still ends the block. */
    tr__enter_skip(r, "header block exceeds 64 KiB", line_empty, line_cr, fn, data);
    tr__skip_byte(r, c);
    return;
  }
  if (c != '\n') {
    if (r->line_len == TR_MAX_LINE + 1) {
      /* Content would exceed TR_MAX_LINE whatever comes next. */
      tr__enter_skip(r, "header line exceeds 8 KiB", false, false, fn, data);
      return;
    }
    r->line[r->line_len++] = c;
    return;
  }
  size_t n = r->line_len;
  if (n && r->line[n - 1] == '\r') n--;
  r->line_len = 0;
  if (n > TR_MAX_LINE) {
    tr__enter_skip(r, "header line exceeds 8 KiB", true, false, fn, data);
    return;
  }
  if (n == 0) {
    if (!r->in_block) {
      r->block_bytes = 0; /* stray empty line between messages */
      return;
    }
    tr__end_block(r, fn, data);
    return;
  }
  r->in_block = true;
  tr__header_line(r, r->line, n);
}

static void tr__skip_byte(tr_reader *r, char c) {
  if (c == '\n') {
    if (r->skip_empty || r->skip_cr) {
      tr__reset_block(r); /* the empty line ending the bad block */
      return;
    }
    r->skip_empty = true;
    r->skip_cr = false;
  } else if (c == '\r' && r->skip_empty) {
    r->skip_empty = false;
    r->skip_cr = true;
  } else {
    r->skip_empty = false;
    r->skip_cr = false;
  }
}

/* ------------------------------------------------------------------------ */

void tr_reader_feed(tr_reader *r, const char *buf, size_t n, tr_event_fn fn, void *data) {
  assert(r && fn && (buf || n == 0));
  size_t i = 0;
  while (i < n) {
    switch (r->st) {
    case TR_ST_HEADER:
      tr__header_byte(r, buf[i++], fn, data);
      break;
    case TR_ST_SKIP:
      if (!r->skip_empty && !r->skip_cr) {
        /* Mid-line: only the next '\n' can change anything. */
        const char *nl = memchr(buf + i, '\n', n - i);
        if (!nl) {
          i = n;
          break;
        }
        i = (size_t)(nl - buf);
      }
      tr__skip_byte(r, buf[i++]);
      break;
    case TR_ST_BODY: {
      size_t take = r->body_need - r->body_len;
      if (take > n - i) take = n - i;
      memcpy(r->body + r->body_len, buf + i, take);
      r->body_len += take;
      i += take;
      if (r->body_len == r->body_need) tr__emit_message(r, fn, data);
      break;
    }
    case TR_ST_DISCARD: {
      size_t take = r->discard_left;
      if (take > n - i) take = n - i;
      r->discard_left -= take;
      i += take;
      if (r->discard_left == 0) tr__reset_block(r);
      break;
    }
    }
  }
}

char *tr_frame(const char *body, size_t len, size_t *out_len) {
  assert(body || len == 0);
  char head[64];
  int h = snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", len);
  assert(h > 0 && (size_t)h < sizeof head);
  if (len > SIZE_MAX - (size_t)h - 1) return NULL;
  char *out = malloc((size_t)h + len + 1);
  if (!out) return NULL;
  memcpy(out, head, (size_t)h);
  if (len) memcpy(out + h, body, len);
  out[(size_t)h + len] = 0;
  if (out_len) *out_len = (size_t)h + len;
  return out;
}
