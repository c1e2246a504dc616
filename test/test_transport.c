/*
** test_transport.c — Content-Length framing (server/transport.h).
**
** Every error kind is followed by a valid message to show the reader
** resynchronises; a generated stream of mixed messages and errors must give
** the same events under 200 random splits as under a single feed; random
** bytes never crash it (run under ASan to check memory).
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "transport.h"

typedef struct {
  tr_event ev;
  char *body;   /* MESSAGE: copy of the body */
  size_t len;
  char *detail; /* errors: copy of the detail */
} rec_ev;

typedef struct {
  rec_ev *v;
  size_t n, cap;
} rec;

static void rec_fn(tr_event ev, const char *body, size_t len, const char *detail, void *data) {
  rec *r = data;
  if (r->n == r->cap) {
    r->cap = r->cap ? r->cap * 2 : 16;
    r->v = realloc(r->v, r->cap * sizeof *r->v);
    cr_assert_not_null(r->v);
  }
  rec_ev e = { ev, NULL, len, NULL };
  if (ev == TR_EV_MESSAGE) {
    cr_assert_not_null(body);
    cr_assert_eq(body[len], 0, "body[len] must be NUL");
    e.body = malloc(len + 1);
    memcpy(e.body, body, len + 1);
  } else {
    cr_assert_null(body);
    cr_assert_not_null(detail);
    cr_assert_gt(strlen(detail), 0);
    e.detail = strdup(detail);
    if (ev == TR_EV_BAD_HEADER) cr_assert_eq(len, 0);
  }
  r->v[r->n++] = e;
}

static void rec_free(rec *r) {
  for (size_t i = 0; i < r->n; i++) {
    free(r->v[i].body);
    free(r->v[i].detail);
  }
  free(r->v);
  memset(r, 0, sizeof *r);
}

static void rec_equal(const rec *a, const rec *b, const char *what) {
  cr_assert_eq(a->n, b->n, "%s: %zu vs %zu events", what, a->n, b->n);
  for (size_t i = 0; i < a->n; i++) {
    const rec_ev *x = &a->v[i], *y = &b->v[i];
    cr_assert_eq(x->ev, y->ev, "%s: event %zu kind", what, i);
    cr_assert_eq(x->len, y->len, "%s: event %zu len", what, i);
    if (x->ev == TR_EV_MESSAGE) cr_assert(memcmp(x->body, y->body, x->len) == 0, "%s: body %zu", what, i);
    else cr_assert_str_eq(x->detail, y->detail, "%s: detail %zu", what, i);
  }
}

/* Feed a whole string at once and return the events. */
static rec feed_all(tr_reader *r, const char *s, size_t n) {
  rec out = { 0 };
  tr_reader_feed(r, s, n, rec_fn, &out);
  return out;
}

static rec feed_str(size_t max_body, const char *s, size_t n) {
  tr_reader *r = tr_reader_create(max_body);
  cr_assert_not_null(r);
  rec out = feed_all(r, s, n);
  tr_reader_destroy(r);
  return out;
}

static void expect_msg(const rec *r, size_t i, const char *body) {
  cr_assert_lt(i, r->n, "missing event %zu", i);
  cr_assert_eq(r->v[i].ev, TR_EV_MESSAGE, "event %zu is %d (%s), not a message", i, r->v[i].ev,
               r->v[i].detail ? r->v[i].detail : "");
  cr_assert_eq(r->v[i].len, strlen(body));
  cr_assert_str_eq(r->v[i].body, body);
}

static void expect_ev(const rec *r, size_t i, tr_event ev) {
  cr_assert_lt(i, r->n, "missing event %zu", i);
  cr_assert_eq(r->v[i].ev, ev, "event %zu is %d, expected %d", i, r->v[i].ev, ev);
}

#define S(lit) lit, sizeof(lit) - 1

/* ------------------------------------------------------------------------ */

Test(transport, single_and_several) {
  rec r = feed_str(1 << 20, S("Content-Length: 5\r\n\r\nhello"));
  cr_assert_eq(r.n, 1);
  expect_msg(&r, 0, "hello");
  rec_free(&r);

  r = feed_str(1 << 20, S("Content-Length: 1\r\n\r\naContent-Length: 0\r\n\r\n"
                          "Content-Length: 3\r\n\r\nbcd"));
  cr_assert_eq(r.n, 3);
  expect_msg(&r, 0, "a");
  expect_msg(&r, 1, "");
  expect_msg(&r, 2, "bcd");
  rec_free(&r);
}

Test(transport, header_variants) {
  rec r = feed_str(1 << 20, S("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"
                              "Content-Length: 2\r\n\r\nab"
                              "content-length: 2\r\nX-Unknown: whatever: really\r\n\r\ncd"
                              "CONTENT-LENGTH:2\n\nef"
                              "Content-Length: \t 3 \t\r\n\nQ\xc3\xa9"
                              "  Content-Length  : 002\r\n\r\ngh"
                              "Content-Length: 2\r\nContent-Length: 2\r\n\r\nij"));
  cr_assert_eq(r.n, 6);
  expect_msg(&r, 0, "ab");
  expect_msg(&r, 1, "cd");
  expect_msg(&r, 2, "ef");
  expect_msg(&r, 3, "Q\xc3\xa9"); /* 3 bytes: length is in bytes */
  cr_assert_eq(r.v[3].len, 3);
  expect_msg(&r, 4, "gh");
  expect_msg(&r, 5, "ij");
  rec_free(&r);
}

Test(transport, stray_empty_lines_between_messages) {
  rec r = feed_str(1 << 20, S("\r\n\nContent-Length: 1\r\n\r\nx\r\n\r\nContent-Length: 1\r\n\r\ny\r\n"));
  cr_assert_eq(r.n, 2);
  expect_msg(&r, 0, "x");
  expect_msg(&r, 1, "y");
  rec_free(&r);
}

/* Each bad header block is reported once, and the message right after its
** empty line parses. */
Test(transport, endless_empty_lines) {
  /* Stray empty lines never accumulate towards the header block limit. */
  size_t n = 0, k = 100000;
  char *buf = malloc(2 * k + 64);
  for (size_t i = 0; i < k; i++) buf[n++] = '\r', buf[n++] = '\n';
  n += (size_t)sprintf(buf + n, "Content-Length: 2\r\n\r\nok");
  rec r = feed_str(1 << 20, buf, n);
  cr_assert_eq(r.n, 1);
  expect_msg(&r, 0, "ok");
  rec_free(&r);
  free(buf);
}

Test(transport, bad_headers_then_recover) {
  static const char *const bad[] = {
    "X-Only: 1\r\n\r\n",                          /* missing */
    "Content-Type: text/plain\n\n",               /* missing, LF only */
    "Content-Length: abc\r\n\r\n",                /* non-numeric */
    "Content-Length: 5x\r\n\r\n",
    "Content-Length: +5\r\n\r\n",
    "Content-Length: 0x10\r\n\r\n",
    "Content-Length: -5\r\n\r\n",                 /* negative */
    "Content-Length: 99999999999999999999999999\r\n\r\n", /* overflow */
    "Content-Length: 18446744073709551616\r\n\r\n",       /* SIZE_MAX + 1 */
    "Content-Length:\r\n\r\n",                    /* empty */
    "Content-Length: 1 2\r\n\r\n",
    "Content-Length: 2\r\nContent-Length: 3\r\n\r\n", /* conflicting */
    "garbage line\r\nContent-Length: 2\r\n\r\n",  /* malformed line (no ':') */
    "Content Length: 2\r\n\r\n",                  /* name is not a token */
    ": 2\r\nContent-Length: 2\r\n\r\n",           /* empty name */
    "{\"json\":1}\r\nContent-Length: 2\r\n\r\n",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char buf[256];
    int n = snprintf(buf, sizeof buf, "%sContent-Length: 2\r\n\r\nok", bad[i]);
    tr_reader *t = tr_reader_create(1 << 20);
    rec r = feed_all(t, buf, (size_t)n);
    cr_assert_eq(r.n, 2, "case %zu: %zu events", i, r.n);
    expect_ev(&r, 0, TR_EV_BAD_HEADER);
    expect_msg(&r, 1, "ok");
    cr_assert(!tr_reader_pending(t));
    rec_free(&r);
    tr_reader_destroy(t);
  }
}

Test(transport, overlong_line) {
  for (int lf_only = 0; lf_only < 2; lf_only++) {
    const char *eol = lf_only ? "\n" : "\r\n";
    for (size_t content = 8190; content <= 8194; content++)
    for (int last = 0; last < 2; last++) {
      size_t cap = content + 200;
      char *buf = malloc(cap);
      size_t n = 0;
      n += (size_t)sprintf(buf + n, "X-Long: ");
      memset(buf + n, 'a', content - 8);
      n += content - 8;
      /* Either more header lines follow, or the block ends right away. */
      if (last) n += (size_t)sprintf(buf + n, "%s%sContent-Length: 0%s%s", eol, eol, eol, eol);
      else n += (size_t)sprintf(buf + n, "%sContent-Length: 0%s%s", eol, eol, eol);
      n += (size_t)sprintf(buf + n, "Content-Length: 2\r\n\r\nok");
      rec r = feed_str(1 << 20, buf, n);
      if (content <= 8192) { /* at the limit: an ordinary unknown header */
        cr_assert_eq(r.n, last ? 3 : 2, "content %zu", content);
        if (last) expect_ev(&r, 0, TR_EV_BAD_HEADER); /* no Content-Length in it */
        expect_msg(&r, last, "");
        expect_msg(&r, last + 1, "ok");
      } else { /* bad; the rest of the block up to its empty line is skipped */
        cr_assert_eq(r.n, last ? 3 : 2, "content %zu", content);
        expect_ev(&r, 0, TR_EV_BAD_HEADER);
        cr_assert(strstr(r.v[0].detail, "8 KiB") != NULL);
        if (last) expect_msg(&r, 1, "");
        expect_msg(&r, last + 1, "ok");
      }
      rec_free(&r);
      free(buf);
    }
  }
}

/* Header block of `total` bytes (terminators included) announcing length 0. */
static size_t make_big_block(char *buf, size_t total) {
  const char *tail = "Content-Length: 0\r\n\r\n";
  size_t n = 0, tl = strlen(tail), pad = total - tl;
  while (pad > 0) { /* lines "X: " + fill + "\r\n" of 1000 bytes, then the rest */
    size_t line = pad > 2000 ? 1000 : pad;
    n += (size_t)sprintf(buf + n, "X: ");
    memset(buf + n, 'p', line - 5);
    n += line - 5;
    buf[n++] = '\r';
    buf[n++] = '\n';
    pad -= line;
  }
  memcpy(buf + n, tail, tl);
  return n + tl;
}

Test(transport, header_block_limit) {
  char *buf = malloc(200000);
  for (size_t total = 65534; total <= 65538; total++) {
    size_t n = make_big_block(buf, total);
    cr_assert_eq(n, total);
    n += (size_t)sprintf(buf + n, "Content-Length: 2\r\n\r\nok");
    rec r = feed_str(1 << 20, buf, n);
    cr_assert_eq(r.n, 2, "total %zu", total);
    if (total <= 65536) {
      expect_msg(&r, 0, "");
    } else {
      expect_ev(&r, 0, TR_EV_BAD_HEADER);
      cr_assert(strstr(r.v[0].detail, "64 KiB") != NULL);
    }
    expect_msg(&r, 1, "ok");
    rec_free(&r);
  }
  /* Many short lines far past the limit: one event, then recovery. */
  size_t n = 0;
  for (int i = 0; i < 20000; i++) n += (size_t)sprintf(buf + n, "A: b\r\n");
  n += (size_t)sprintf(buf + n, "\r\nContent-Length: 2\r\n\r\nok");
  rec r = feed_str(1 << 20, buf, n);
  cr_assert_eq(r.n, 2);
  expect_ev(&r, 0, TR_EV_BAD_HEADER);
  expect_msg(&r, 1, "ok");
  rec_free(&r);
  free(buf);
}

Test(transport, too_large) {
  size_t big = 5000;
  char *buf = malloc(big + 200);
  size_t n = (size_t)sprintf(buf, "Content-Length: %zu\r\n\r\n", big);
  memset(buf + n, 'z', big);
  n += big;
  n += (size_t)sprintf(buf + n, "Content-Length: 100\r\n\r\n");
  memset(buf + n, 'y', 100);
  n += 100;
  n += (size_t)sprintf(buf + n, "Content-Length: 2\r\n\r\nok");
  tr_reader *t = tr_reader_create(100);
  /* Feed in pieces: the event comes once, at the end of the header block. */
  rec r = { 0 };
  for (size_t i = 0; i < n; i += 37) tr_reader_feed(t, buf + i, n - i < 37 ? n - i : 37, rec_fn, &r);
  cr_assert_eq(r.n, 3);
  expect_ev(&r, 0, TR_EV_TOO_LARGE);
  cr_assert_eq(r.v[0].len, big);
  cr_assert_eq(r.v[1].ev, TR_EV_MESSAGE);
  cr_assert_eq(r.v[1].len, 100); /* exactly max_body is fine */
  expect_msg(&r, 2, "ok");
  rec_free(&r);
  tr_reader_destroy(t);
  free(buf);

  /* Huge announced length: discarded as it arrives, never allocated. */
  t = tr_reader_create(1024);
  r = feed_all(t, S("Content-Length: 18446744073709551615\r\n\r\nabc"));
  cr_assert_eq(r.n, 1);
  expect_ev(&r, 0, TR_EV_TOO_LARGE);
  cr_assert(tr_reader_pending(t));
  rec_free(&r);
  tr_reader_destroy(t);

  /* max_body 0: only empty bodies pass. */
  r = feed_str(0, S("Content-Length: 0\r\n\r\nContent-Length: 1\r\n\r\nxContent-Length: 0\r\n\r\n"));
  cr_assert_eq(r.n, 3);
  expect_msg(&r, 0, "");
  expect_ev(&r, 1, TR_EV_TOO_LARGE);
  expect_msg(&r, 2, "");
  rec_free(&r);
}

Test(transport, leading_garbage_bounded) {
  /* 1 MB without any newline: one BAD_HEADER (line limit), then recovery. */
  size_t g = 1 << 20;
  char *buf = malloc(g + 100);
  tu_rng rng;
  tu_rng_seed(&rng, 42);
  for (size_t i = 0; i < g; i++) {
    char c;
    do c = (char)tu_rng_below(&rng, 256); while (c == '\n');
    buf[i] = c;
  }
  size_t n = g;
  n += (size_t)sprintf(buf + n, "\r\n\r\nContent-Length: 2\r\n\r\nok");
  tr_reader *t = tr_reader_create(1 << 20);
  rec r = { 0 };
  for (size_t i = 0; i < n;) {
    size_t k = 1 + tu_rng_below(&rng, 4096);
    if (k > n - i) k = n - i;
    tr_reader_feed(t, buf + i, k, rec_fn, &r);
    i += k;
  }
  cr_assert_eq(r.n, 2);
  expect_ev(&r, 0, TR_EV_BAD_HEADER);
  expect_msg(&r, 1, "ok");
  rec_free(&r);
  tr_reader_destroy(t);
  free(buf);
}

Test(transport, random_bytes_never_crash) {
  size_t g = 1 << 20;
  char *buf = malloc(g);
  for (uint64_t seed = 1; seed <= 3; seed++) {
    tu_rng rng;
    tu_rng_seed(&rng, seed);
    for (size_t i = 0; i < g; i++) {
      /* Seed 3 is biased towards line ends to exercise short header lines. */
      uint64_t x = tu_rng_below(&rng, seed == 3 ? 300 : 256);
      buf[i] = x >= 256 ? (x & 1 ? '\n' : '\r') : (char)x;
    }
    tr_reader *t = tr_reader_create(64 * 1024);
    rec whole = feed_all(t, buf, g);
    tr_reader_destroy(t);
    t = tr_reader_create(64 * 1024);
    rec parts = { 0 };
    for (size_t i = 0; i < g;) {
      size_t k = 1 + tu_rng_below(&rng, 8192);
      if (k > g - i) k = g - i;
      tr_reader_feed(t, buf + i, k, rec_fn, &parts);
      i += k;
    }
    rec_equal(&whole, &parts, "random bytes");
    for (size_t i = 0; i < parts.n; i++) cr_assert_neq(parts.v[i].ev, TR_EV_MESSAGE);
    /* Recovery: a line end + an empty line + stray empties, then a message. */
    rec after = feed_all(t, S("\r\n\r\n\r\nContent-Length: 2\r\n\r\nok"));
    cr_assert_geq(after.n, 1);
    expect_msg(&after, after.n - 1, "ok");
    cr_assert(!tr_reader_pending(t));
    rec_free(&whole);
    rec_free(&parts);
    rec_free(&after);
    tr_reader_destroy(t);
  }
  free(buf);
}

/* ------------------------------------------------------------------------ */
/* Random splits */

typedef struct {
  char *s;
  size_t n, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
  if (b->n + n > b->cap) {
    b->cap = (b->n + n) * 2;
    b->s = realloc(b->s, b->cap);
  }
  memcpy(b->s + b->n, s, n);
  b->n += n;
}

static void sb_fmt(sbuf *b, const char *fmt, size_t v) {
  char tmp[128];
  int n = snprintf(tmp, sizeof tmp, fmt, v);
  sb_put(b, tmp, (size_t)n);
}

/* A random body of `n` bytes mixing ASCII and multi-byte UTF-8 (a character
** may be cut at the end: lengths are in bytes, content is opaque). */
static void random_body(tu_rng *r, char *o, size_t n) {
  static const char *pieces[] = { "a", "{", "\"", ":", "\xc3\xa9", "\xe2\x82\xac",
                                  "\xf0\x9f\x98\x80", "\r\n", "\n", "Content-Length: 9\r\n\r\n" };
  size_t i = 0;
  while (i < n) {
    const char *p = pieces[tu_rng_below(r, sizeof pieces / sizeof pieces[0])];
    size_t k = strlen(p);
    if (k > n - i) k = n - i;
    memcpy(o + i, p, k);
    i += k;
  }
}

#define SPLIT_MAX_BODY 4096

/* Build a stream of messages and error blocks, with the expected events. */
static void build_stream(sbuf *b, rec *want, uint64_t seed) {
  tu_rng r;
  tu_rng_seed(&r, seed);
  size_t nmsg = 0;
  char *body = malloc(20000);
  while (nmsg < 60) {
    uint64_t kind = tu_rng_below(&r, 12);
    if (kind == 0) { /* bad header block */
      sb_put(b, S("Content-Length: -1\r\nContent-Type: x\r\n\r\n"));
      rec_fn(TR_EV_BAD_HEADER, NULL, 0, "negative Content-Length", want);
      continue;
    }
    if (kind == 1) { /* overlong line */
      sb_put(b, S("X-Long: "));
      memset(body, 'q', 9000);
      sb_put(b, body, 9000);
      sb_put(b, S("\r\nContent-Length: 3\r\n\r\n"));
      rec_fn(TR_EV_BAD_HEADER, NULL, 0, "header line exceeds 8 KiB", want);
      continue;
    }
    if (kind == 2) { /* too large, with a body that looks like headers */
      size_t n = SPLIT_MAX_BODY + 1 + tu_rng_below(&r, 10000);
      sb_fmt(b, "Content-Length: %zu\r\n\r\n", n);
      random_body(&r, body, n);
      sb_put(b, body, n);
      char detail[160];
      snprintf(detail, sizeof detail, "message body of %zu bytes exceeds the limit of %d bytes",
               n, SPLIT_MAX_BODY);
      rec_fn(TR_EV_TOO_LARGE, NULL, n, detail, want);
      continue;
    }
    size_t n;
    switch (tu_rng_below(&r, 4)) {
    case 0: n = 0; break;
    case 1: n = tu_rng_below(&r, 20); break;
    case 2: n = tu_rng_below(&r, 500); break;
    default: n = tu_rng_below(&r, SPLIT_MAX_BODY + 1); break;
    }
    const char *eol = tu_rng_below(&r, 4) == 0 ? "\n" : "\r\n";
    if (tu_rng_below(&r, 5) == 0) sb_put(b, eol, strlen(eol)); /* stray empty line */
    if (tu_rng_below(&r, 3) == 0) {
      sb_put(b, S("Content-Type: application/vscode-jsonrpc; charset=utf-8"));
      sb_put(b, eol, strlen(eol));
    }
    sb_fmt(b, tu_rng_below(&r, 2) ? "content-length: %zu" : "Content-Length: %zu", n);
    sb_put(b, eol, strlen(eol));
    sb_put(b, eol, strlen(eol));
    random_body(&r, body, n);
    sb_put(b, body, n);
    body[n] = 0;
    rec_fn(TR_EV_MESSAGE, body, n, NULL, want);
    nmsg++;
  }
  free(body);
}

Test(transport, random_splits_same_events) {
  sbuf b = { 0 };
  rec want = { 0 };
  build_stream(&b, &want, 12345);
  cr_assert_geq(want.n, 50);

  tr_reader *t = tr_reader_create(SPLIT_MAX_BODY);
  rec whole = feed_all(t, b.s, b.n);
  cr_assert(!tr_reader_pending(t));
  tr_reader_destroy(t);
  rec_equal(&want, &whole, "single feed vs expected");

  for (uint64_t seed = 1; seed <= 200; seed++) {
    tu_rng r;
    tu_rng_seed(&r, seed * 1000003);
    static const size_t maxes[] = { 1, 3, 17, 256, 4096, 65536 };
    size_t maxk = maxes[seed % 6];
    t = tr_reader_create(SPLIT_MAX_BODY);
    rec got = { 0 };
    for (size_t i = 0; i < b.n;) {
      size_t k = tu_rng_below(&r, maxk + 1); /* 0-byte feeds too */
      if (k > b.n - i) k = b.n - i;
      tr_reader_feed(t, b.s + i, k, rec_fn, &got);
      i += k;
    }
    char what[64];
    snprintf(what, sizeof what, "split seed %llu", (unsigned long long)seed);
    rec_equal(&whole, &got, what);
    cr_assert(!tr_reader_pending(t));
    rec_free(&got);
    tr_reader_destroy(t);
  }
  rec_free(&whole);
  rec_free(&want);
  free(b.s);
}

Test(transport, pending) {
  tr_reader *t = tr_reader_create(10);
  rec r = { 0 };
  cr_assert(!tr_reader_pending(t));
  tr_reader_feed(t, S("\r\n"), rec_fn, &r); /* stray empty line: nothing pending */
  cr_assert(!tr_reader_pending(t));
  tr_reader_feed(t, S("Content-Len"), rec_fn, &r);
  cr_assert(tr_reader_pending(t));
  tr_reader_feed(t, S("gth: 3\r\n"), rec_fn, &r);
  cr_assert(tr_reader_pending(t));
  tr_reader_feed(t, S("\r\nab"), rec_fn, &r);
  cr_assert(tr_reader_pending(t));
  cr_assert_eq(r.n, 0);
  tr_reader_feed(t, S("c"), rec_fn, &r);
  cr_assert(!tr_reader_pending(t));
  cr_assert_eq(r.n, 1);
  tr_reader_feed(t, S("Content-Length: 11\r\n\r\nxx"), rec_fn, &r); /* too large: discarding */
  cr_assert(tr_reader_pending(t));
  tr_reader_feed(t, S("123456789"), rec_fn, &r);
  cr_assert(!tr_reader_pending(t));
  cr_assert_eq(r.n, 2);
  tr_reader_feed(t, S("X: 1\r\n\r\n"), rec_fn, &r); /* bad, complete: nothing pending */
  cr_assert(!tr_reader_pending(t));
  cr_assert_eq(r.n, 3);
  rec_free(&r);
  tr_reader_destroy(t);
  tr_reader_destroy(NULL);
}

Test(transport, frame_round_trip) {
  size_t n = 0;
  char *f = tr_frame(S("{\"id\":1,\"x\":\"\xc3\xa9\"}"), &n);
  cr_assert_not_null(f);
  const char *want = "Content-Length: 17\r\n\r\n{\"id\":1,\"x\":\"\xc3\xa9\"}";
  cr_assert_eq(strlen("{\"id\":1,\"x\":\"\xc3\xa9\"}"), 17);
  cr_assert_eq(n, strlen(want));
  cr_assert(memcmp(f, want, n) == 0);
  rec r = feed_str(1024, f, n);
  cr_assert_eq(r.n, 1);
  expect_msg(&r, 0, "{\"id\":1,\"x\":\"\xc3\xa9\"}");
  rec_free(&r);
  free(f);

  f = tr_frame(NULL, 0, &n);
  cr_assert_not_null(f);
  cr_assert_eq(n, strlen("Content-Length: 0\r\n\r\n"));
  cr_assert(memcmp(f, "Content-Length: 0\r\n\r\n", n) == 0);
  free(f);

  /* A body containing NUL bytes survives. */
  f = tr_frame(S("a\0b"), &n);
  r = feed_str(1024, f, n);
  cr_assert_eq(r.n, 1);
  cr_assert_eq(r.v[0].len, 3);
  cr_assert(memcmp(r.v[0].body, "a\0b", 3) == 0);
  rec_free(&r);
  free(f);
}
