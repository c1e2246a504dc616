/*
** test_outq.c — outbound queue: FIFO, guards dropped at drain, wake-ups on
** empty -> non-empty, and a multi-producer stress test with a fake event
** loop (condvar) that drains on wake: every message delivered exactly once,
** in per-producer order, and no wake-up lost (a lost one hangs the loop and
** the test times out).
*/
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outq.h"
#include "switch.h"

/* TSan + Criterion: see the rand_r note in testutil.c. */

static char *dupstr(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  memcpy(d, s, n);
  return d;
}

/* Records what a drain delivered, as a string like "m:a c:1 ...". */
typedef struct {
  char buf[4096];
  size_t len;
} transcript;

static void tr_add(transcript *t, const char *s) {
  int n = snprintf(t->buf + t->len, sizeof t->buf - t->len, "%s%s", t->len ? " " : "", s);
  if (n > 0) t->len += (size_t)n;
}

static void write_rec(const char *json, size_t len, void *data) {
  char tmp[256];
  snprintf(tmp, sizeof tmp, "m:%.*s", (int)len, json);
  tr_add(data, tmp);
}

typedef struct {
  transcript *t;
  const char *name;
} call_arg;

static void call_rec(void *arg, bool dropped) {
  call_arg *a = arg;
  char tmp[64];
  snprintf(tmp, sizeof tmp, "%s:%s", dropped ? "x" : "c", a->name);
  tr_add(a->t, tmp);
}

static void wake_count(void *data) { atomic_fetch_add((atomic_int *)data, 1); }

Test(outq, fifo_messages_and_calls) {
  transcript t = {0};
  outq *q = outq_create(NULL, NULL);
  cr_assert_not_null(q);
  call_arg c1 = {&t, "1"}, c2 = {&t, "2"};
  outq_post_message(q, dupstr("a"), NULL);
  outq_post_call(q, call_rec, &c1, NULL);
  outq_post_message(q, dupstr("b"), NULL);
  outq_post_message(q, dupstr("c"), NULL);
  outq_post_call(q, call_rec, &c2, NULL);
  cr_assert_eq(outq_drain(q, write_rec, &t), 5);
  cr_assert_str_eq(t.buf, "m:a c:1 m:b m:c c:2");
  cr_assert_eq(outq_drain(q, write_rec, &t), 0, "empty after drain");
  outq_destroy(q);
  outq_destroy(NULL);
}

Test(outq, message_length_is_passed) {
  transcript t = {0};
  outq *q = outq_create(NULL, NULL);
  outq_post_message(q, dupstr("{\"jsonrpc\":\"2.0\"}"), NULL);
  outq_drain(q, write_rec, &t);
  cr_assert_str_eq(t.buf, "m:{\"jsonrpc\":\"2.0\"}");
  outq_destroy(q);
}

Test(outq, guards_checked_at_drain) {
  transcript t = {0};
  outq *q = outq_create(NULL, NULL);
  sw_switch *doc = sw_create(NULL);
  sw_switch *live = sw_create(NULL);
  call_arg c1 = {&t, "stale"}, c2 = {&t, "fresh"}, c3 = {&t, "free"};
  outq_post_message(q, dupstr("stale-diag"), doc);
  outq_post_call(q, call_rec, &c1, doc);
  outq_post_message(q, dupstr("fresh-diag"), live);
  outq_post_call(q, call_rec, &c2, live);
  outq_post_call(q, call_rec, &c3, NULL);
  /* The queue holds its own references to the guards. */
  sw_turn_off(doc); /* the edit that makes them stale, before the drain */
  sw_release(doc);
  cr_assert_eq(outq_drain(q, write_rec, &t), 5);
  cr_assert_str_eq(t.buf, "x:stale m:fresh-diag c:fresh c:free");
  sw_release(live);
  outq_destroy(q);
}

Test(outq, guard_turned_off_after_post_but_before_drain_only) {
  /* Turning the guard off AFTER the drain changes nothing already sent. */
  transcript t = {0};
  outq *q = outq_create(NULL, NULL);
  sw_switch *doc = sw_create(NULL);
  outq_post_message(q, dupstr("d1"), doc);
  outq_drain(q, write_rec, &t);
  sw_turn_off(doc);
  outq_post_message(q, dupstr("d2"), doc);
  outq_drain(q, write_rec, &t);
  cr_assert_str_eq(t.buf, "m:d1");
  sw_release(doc);
  outq_destroy(q);
}

Test(outq, wake_on_empty_to_nonempty) {
  atomic_int wakes = 0;
  transcript t = {0};
  outq *q = outq_create(wake_count, &wakes);
  cr_assert_eq(atomic_load(&wakes), 0);
  outq_post_message(q, dupstr("1"), NULL);
  cr_assert_eq(atomic_load(&wakes), 1);
  outq_post_message(q, dupstr("2"), NULL);
  cr_assert_eq(atomic_load(&wakes), 1, "already non-empty: no new wake");
  outq_drain(q, write_rec, &t);
  cr_assert_eq(atomic_load(&wakes), 1);
  outq_drain(q, write_rec, &t);
  outq_post_message(q, dupstr("3"), NULL);
  cr_assert_eq(atomic_load(&wakes), 2, "empty again: wake again");
  outq_drain(q, NULL, NULL); /* no writer: messages are discarded */
  cr_assert_str_eq(t.buf, "m:1 m:2");
  outq_destroy(q);
}

/* A call run during a drain may post again: the post wakes the loop. */
typedef struct {
  outq *q;
  transcript *t;
} repost_arg;

static void call_repost(void *arg, bool dropped) {
  repost_arg *a = arg;
  tr_add(a->t, "c:repost");
  if (!dropped) outq_post_message(a->q, dupstr("after"), NULL);
}

Test(outq, post_from_a_call) {
  atomic_int wakes = 0;
  transcript t = {0};
  outq *q = outq_create(wake_count, &wakes);
  repost_arg ra = {q, &t};
  outq_post_call(q, call_repost, &ra, NULL);
  cr_assert_eq(outq_drain(q, write_rec, &t), 1);
  cr_assert_eq(atomic_load(&wakes), 2);
  cr_assert_eq(outq_drain(q, write_rec, &t), 1);
  cr_assert_str_eq(t.buf, "c:repost m:after");
  outq_destroy(q);
}

Test(outq, destroy_disposes_undrained) {
  transcript t = {0};
  outq *q = outq_create(NULL, NULL);
  sw_switch *g = sw_create(NULL);
  call_arg c1 = {&t, "1"};
  outq_post_message(q, dupstr("never-sent"), g);
  outq_post_call(q, call_rec, &c1, NULL);
  sw_release(g); /* the queue still holds it */
  cr_assert(sw_is_on(g));
  outq_destroy(q); /* ASan: message and guard freed */
  cr_assert_str_eq(t.buf, "x:1");
}

/* ---- multi-producer stress with a fake event loop ---------------------- */

enum { PRODUCERS = 4, PER_PRODUCER = 5000 };

typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool pending; /* set by wake, cleared by the loop before draining */
  atomic_int wakes;
} fake_loop;

static void loop_wake(void *data) {
  fake_loop *l = data;
  atomic_fetch_add(&l->wakes, 1);
  pthread_mutex_lock(&l->mu);
  l->pending = true;
  pthread_cond_signal(&l->cv);
  pthread_mutex_unlock(&l->mu);
}

typedef struct {
  int next[PRODUCERS]; /* next expected sequence number per producer */
  int received;
  int calls;
  int errors;
} consumer_state;

static void consume_msg(const char *json, size_t len, void *data) {
  consumer_state *cs = data;
  int prod = -1, seq = -1;
  if (sscanf(json, "{\"p\":%d,\"i\":%d}", &prod, &seq) != 2 || prod < 0 || prod >= PRODUCERS ||
      strlen(json) != len) {
    cs->errors++;
    return;
  }
  if (seq != cs->next[prod]) cs->errors++;
  cs->next[prod] = seq + 1;
  cs->received++;
}

typedef struct {
  consumer_state *cs;
  int prod, seq;
} order_call;

static void consume_call(void *arg, bool dropped) {
  order_call *oc = arg;
  consumer_state *cs = oc->cs;
  if (dropped || oc->seq != cs->next[oc->prod]) cs->errors++;
  cs->next[oc->prod] = oc->seq + 1;
  cs->received++;
  cs->calls++;
  free(oc);
}

typedef struct {
  outq *q;
  consumer_state *cs; /* only touched by the consumer, via calls */
  int prod;
  sw_switch *guard; /* always on */
} producer_arg;

static void *producer(void *arg) {
  producer_arg *a = arg;
  char buf[64];
  for (int i = 0; i < PER_PRODUCER; i++) {
    if (i % 7 == 3) {
      order_call *oc = malloc(sizeof *oc);
      *oc = (order_call){a->cs, a->prod, i};
      outq_post_call(a->q, consume_call, oc, i % 2 ? a->guard : NULL);
    } else {
      snprintf(buf, sizeof buf, "{\"p\":%d,\"i\":%d}", a->prod, i);
      outq_post_message(a->q, dupstr(buf), i % 2 ? a->guard : NULL);
    }
    if (i % 64 == 0) sched_yield();
  }
  return NULL;
}

typedef struct {
  fake_loop *loop;
  outq *q;
  consumer_state *cs;
  int drains;
} consumer_arg;

static void *consumer(void *arg) {
  consumer_arg *a = arg;
  while (a->cs->received < PRODUCERS * PER_PRODUCER) {
    pthread_mutex_lock(&a->loop->mu);
    while (!a->loop->pending) pthread_cond_wait(&a->loop->cv, &a->loop->mu);
    a->loop->pending = false;
    pthread_mutex_unlock(&a->loop->mu);
    outq_drain(a->q, consume_msg, a->cs);
    a->drains++;
  }
  return NULL;
}

Test(outq, multi_producer_stress, .timeout = 60) {
  fake_loop loop = {.pending = false};
  pthread_mutex_init(&loop.mu, NULL);
  pthread_cond_init(&loop.cv, NULL);
  atomic_init(&loop.wakes, 0);
  outq *q = outq_create(loop_wake, &loop);
  sw_switch *guard = sw_create(NULL);
  consumer_state cs = {{0}, 0, 0, 0};
  consumer_arg ca = {&loop, q, &cs, 0};
  pthread_t ct, pt[PRODUCERS];
  producer_arg pa[PRODUCERS];
  pthread_create(&ct, NULL, consumer, &ca);
  for (int p = 0; p < PRODUCERS; p++) {
    pa[p] = (producer_arg){q, &cs, p, guard};
    pthread_create(&pt[p], NULL, producer, &pa[p]);
  }
  for (int p = 0; p < PRODUCERS; p++) pthread_join(pt[p], NULL);
  pthread_join(ct, NULL); /* returns only if no wake-up was lost */

  cr_assert_eq(cs.errors, 0, "out of order, duplicated, dropped or malformed items");
  cr_assert_eq(cs.received, PRODUCERS * PER_PRODUCER);
  for (int p = 0; p < PRODUCERS; p++) cr_assert_eq(cs.next[p], PER_PRODUCER);
  cr_assert_gt(cs.calls, 0);
  cr_assert_leq(ca.drains, atomic_load(&loop.wakes), "the loop only drains when woken");
  cr_assert_eq(outq_drain(q, consume_msg, &cs), 0, "nothing left behind");
  sw_release(guard);
  outq_destroy(q);
  pthread_cond_destroy(&loop.cv);
  pthread_mutex_destroy(&loop.mu);
}
