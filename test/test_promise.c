/*
** test_promise.c — one-shot promises: settle exactly once, callbacks exactly
** once (before/after settlement, racing), value destructor exactly once.
**
** Worker threads never call cr_assert; they record into atomics.
*/
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "promise.h"

/* TSan + Criterion: see the rand_r note in testutil.c. */

static atomic_int freed;

static void free_counted(void *v) {
  atomic_fetch_add(&freed, 1);
  free(v);
}

static int *new_int(int x) {
  int *p = malloc(sizeof *p);
  *p = x;
  return p;
}

typedef struct {
  atomic_int calls;
  atomic_int last_state;
  atomic_int seen_value; /* *value when resolved, -1 otherwise */
} cb_rec;

static void cb_record(prom_state st, void *value, void *data) {
  cb_rec *r = data;
  atomic_store(&r->last_state, (int)st);
  atomic_store(&r->seen_value, value ? *(int *)value : -1);
  atomic_fetch_add(&r->calls, 1);
}

Test(promise, resolve_exactly_once) {
  atomic_store(&freed, 0);
  prom *p = prom_create();
  cr_assert_not_null(p);
  cr_assert_eq(prom_get_state(p), PROM_PENDING);
  cr_assert_null(prom_value(p));
  cr_assert(prom_resolve(p, new_int(42), free_counted));
  cr_assert_eq(prom_get_state(p), PROM_RESOLVED);
  cr_assert_eq(*(int *)prom_value(p), 42);
  cr_assert_not(prom_resolve(p, new_int(7), free_counted), "second resolve ignored");
  cr_assert_eq(atomic_load(&freed), 1, "rejected value freed at once");
  cr_assert_not(prom_cancel(p), "cancel after resolve ignored");
  cr_assert_eq(*(int *)prom_value(p), 42);
  prom_release(p);
  cr_assert_eq(atomic_load(&freed), 2, "value freed at last release");
}

Test(promise, cancel_exactly_once) {
  atomic_store(&freed, 0);
  cb_rec r = {0};
  prom *p = prom_create();
  prom_then(p, cb_record, &r);
  cr_assert(prom_cancel(p));
  cr_assert_not(prom_cancel(p));
  cr_assert_not(prom_resolve(p, new_int(1), free_counted));
  cr_assert_eq(atomic_load(&freed), 1);
  cr_assert_eq(prom_get_state(p), PROM_CANCELLED);
  cr_assert_null(prom_value(p));
  cr_assert_eq(atomic_load(&r.calls), 1);
  cr_assert_eq(atomic_load(&r.last_state), PROM_CANCELLED);
  cr_assert_eq(atomic_load(&r.seen_value), -1);
  prom_release(p);
  cr_assert_eq(atomic_load(&freed), 1);
}

Test(promise, null_value_and_no_destructor) {
  prom *p = prom_create();
  cr_assert(prom_resolve(p, NULL, NULL));
  cr_assert_eq(prom_get_state(p), PROM_RESOLVED);
  cr_assert_null(prom_value(p));
  prom_release(p);
  prom_release(NULL);
  cr_assert_null(prom_retain(NULL));
}

typedef struct {
  atomic_int pos;
  int order[16];
} order_log;

typedef struct {
  order_log *log;
  int tag;
} order_cb;

static void cb_order(prom_state st, void *value, void *data) {
  order_cb *o = data;
  int i = atomic_fetch_add(&o->log->pos, 1);
  if (i < 16) o->log->order[i] = o->tag;
}

Test(promise, callbacks_before_and_after) {
  atomic_store(&freed, 0);
  order_log log = {0};
  order_cb cbs[6];
  for (int i = 0; i < 6; i++) cbs[i] = (order_cb){&log, i};
  cb_rec before = {0}, after = {0};
  prom *p = prom_create();
  prom_then(p, cb_record, &before);
  for (int i = 0; i < 4; i++) cr_assert(prom_then(p, cb_order, &cbs[i]));
  cr_assert_eq(atomic_load(&log.pos), 0, "nothing runs while pending");
  cr_assert_eq(atomic_load(&before.calls), 0);
  prom_resolve(p, new_int(5), free_counted);
  cr_assert_eq(atomic_load(&before.calls), 1);
  cr_assert_eq(atomic_load(&before.seen_value), 5);
  cr_assert_eq(atomic_load(&log.pos), 4);
  for (int i = 0; i < 4; i++) cr_assert_eq(log.order[i], i, "registration order");

  prom_then(p, cb_record, &after);
  cr_assert_eq(atomic_load(&after.calls), 1, "runs immediately once settled");
  cr_assert_eq(atomic_load(&after.last_state), PROM_RESOLVED);
  cr_assert_eq(atomic_load(&after.seen_value), 5);
  prom_then(p, cb_order, &cbs[4]);
  prom_then(p, cb_order, &cbs[5]);
  cr_assert_eq(atomic_load(&log.pos), 6);
  cr_assert_eq(log.order[5], 5);
  cr_assert_eq(atomic_load(&before.calls), 1, "never twice");
  prom_release(p);
  cr_assert_eq(atomic_load(&freed), 1);
}

Test(promise, destructor_once_at_last_release) {
  atomic_store(&freed, 0);
  prom *p = prom_create();
  prom_retain(p);
  prom_retain(p);
  prom_resolve(p, new_int(3), free_counted);
  prom_release(p);
  prom_release(p);
  cr_assert_eq(atomic_load(&freed), 0, "a reference is left");
  cr_assert_eq(*(int *)prom_value(p), 3);
  prom_release(p);
  cr_assert_eq(atomic_load(&freed), 1);
}

Test(promise, dropping_pending_promise_cancels_it) {
  cb_rec r = {0};
  prom *p = prom_create();
  prom_then(p, cb_record, &r);
  prom_release(p);
  cr_assert_eq(atomic_load(&r.calls), 1, "callback not lost");
  cr_assert_eq(atomic_load(&r.last_state), PROM_CANCELLED);
}

/* A callback may drop the last reference to the promise it is called for;
** the value stays valid for the remaining callbacks. */
static void cb_release(prom_state st, void *value, void *data) { prom_release(data); }

Test(promise, callback_drops_last_reference) {
  atomic_store(&freed, 0);
  cb_rec r = {0};
  prom *p = prom_create();
  prom_then(p, cb_release, p); /* takes over our reference */
  prom_then(p, cb_record, &r);
  cr_assert(prom_resolve(p, new_int(9), free_counted));
  cr_assert_eq(atomic_load(&r.calls), 1);
  cr_assert_eq(atomic_load(&r.seen_value), 9);
  cr_assert_eq(atomic_load(&freed), 1, "freed once the settling thread let go");
}

/* Callbacks chaining into another promise. */
static void cb_forward(prom_state st, void *value, void *data) {
  prom *next = data;
  if (st == PROM_RESOLVED)
    prom_resolve(next, new_int(*(int *)value + 1), free_counted);
  else
    prom_cancel(next);
  prom_release(next);
}

Test(promise, chaining) {
  atomic_store(&freed, 0);
  enum { LEN = 100 };
  prom *ps[LEN];
  for (int i = 0; i < LEN; i++) ps[i] = prom_create();
  for (int i = 0; i + 1 < LEN; i++) prom_then(ps[i], cb_forward, prom_retain(ps[i + 1]));
  prom_resolve(ps[0], new_int(0), free_counted);
  cr_assert_eq(prom_get_state(ps[LEN - 1]), PROM_RESOLVED);
  cr_assert_eq(*(int *)prom_value(ps[LEN - 1]), LEN - 1);
  for (int i = 0; i < LEN; i++) prom_release(ps[i]);
  cr_assert_eq(atomic_load(&freed), LEN);
}

/* ---- races ------------------------------------------------------------- */

enum { ADDERS = 4, PER_ADDER = 3000 };

typedef struct {
  prom *p;
  pthread_barrier_t *start;
  cb_rec *recs;
  atomic_int *failures;
} adder_arg;

static void *adder(void *arg) {
  adder_arg *a = arg;
  pthread_barrier_wait(a->start);
  for (int i = 0; i < PER_ADDER; i++)
    if (!prom_then(a->p, cb_record, &a->recs[i])) atomic_fetch_add(a->failures, 1);
  return NULL;
}

typedef struct {
  prom *p;
  pthread_barrier_t *start;
  int spin;
} resolver_arg;

static void *resolver(void *arg) {
  resolver_arg *a = arg;
  pthread_barrier_wait(a->start);
  for (int i = 0; i < a->spin; i++) sched_yield();
  prom_resolve(a->p, new_int(77), free_counted);
  return NULL;
}

Test(promise, racing_then_vs_resolve, .timeout = 60) {
  enum { ROUNDS = 8 };
  cb_rec *recs = calloc(ADDERS * PER_ADDER, sizeof *recs);
  for (int round = 0; round < ROUNDS; round++) {
    atomic_store(&freed, 0);
    for (int i = 0; i < ADDERS * PER_ADDER; i++) {
      atomic_store(&recs[i].calls, 0);
      atomic_store(&recs[i].seen_value, 0);
    }
    atomic_int failures = 0;
    prom *p = prom_create();
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, ADDERS + 1);
    adder_arg aa[ADDERS];
    pthread_t th[ADDERS], rt;
    for (int t = 0; t < ADDERS; t++) {
      aa[t] = (adder_arg){p, &start, recs + t * PER_ADDER, &failures};
      pthread_create(&th[t], NULL, adder, &aa[t]);
    }
    resolver_arg ra = {p, &start, round * 20};
    pthread_create(&rt, NULL, resolver, &ra);
    for (int t = 0; t < ADDERS; t++) pthread_join(th[t], NULL);
    pthread_join(rt, NULL);
    pthread_barrier_destroy(&start);

    cr_assert_eq(atomic_load(&failures), 0);
    for (int i = 0; i < ADDERS * PER_ADDER; i++) {
      cr_assert_eq(atomic_load(&recs[i].calls), 1, "round %d cb %d", round, i);
      cr_assert_eq(atomic_load(&recs[i].seen_value), 77);
    }
    cr_assert_eq(atomic_load(&freed), 0);
    prom_release(p);
    cr_assert_eq(atomic_load(&freed), 1);
  }
  free(recs);
}

/* Resolve and cancel race: exactly one wins, callbacks see the winner. */
typedef struct {
  prom *p;
  pthread_barrier_t *start;
  bool won;
  bool resolve;
} settler_arg;

static void *settler(void *arg) {
  settler_arg *a = arg;
  pthread_barrier_wait(a->start);
  a->won = a->resolve ? prom_resolve(a->p, new_int(1), free_counted) : prom_cancel(a->p);
  return NULL;
}

Test(promise, resolve_vs_cancel, .timeout = 60) {
  enum { ROUNDS = 1000 };
  atomic_store(&freed, 0);
  int resolved = 0;
  for (int round = 0; round < ROUNDS; round++) {
    cb_rec r = {0};
    prom *p = prom_create();
    prom_then(p, cb_record, &r);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, 2);
    settler_arg a = {p, &start, false, true}, b = {p, &start, false, false};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, settler, &a);
    pthread_create(&tb, NULL, settler, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&start);
    cr_assert_eq(a.won + b.won, 1, "round %d", round);
    cr_assert_eq(atomic_load(&r.calls), 1);
    cr_assert_eq(atomic_load(&r.last_state), a.won ? PROM_RESOLVED : PROM_CANCELLED);
    cr_assert_eq(prom_get_state(p), a.won ? PROM_RESOLVED : PROM_CANCELLED);
    resolved += a.won;
    prom_release(p);
  }
  cr_assert_eq(atomic_load(&freed), ROUNDS, "every value freed once, won or not");
  (void)resolved;
}

/* Many threads drop references concurrently: the destructor runs once. */
typedef struct {
  prom *p;
  pthread_barrier_t *start;
  int n;
} dropper_arg;

static void *dropper(void *arg) {
  dropper_arg *a = arg;
  pthread_barrier_wait(a->start);
  for (int i = 0; i < a->n; i++) prom_release(a->p);
  return NULL;
}

Test(promise, concurrent_release, .timeout = 60) {
  enum { THREADS = 4, PER = 500, ROUNDS = 50 };
  atomic_store(&freed, 0);
  for (int round = 0; round < ROUNDS; round++) {
    prom *p = prom_create();
    prom_resolve(p, new_int(round), free_counted);
    for (int i = 0; i < THREADS * PER - 1; i++) prom_retain(p);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS);
    dropper_arg da = {p, &start, PER};
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, dropper, &da);
    for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
    pthread_barrier_destroy(&start);
    cr_assert_eq(atomic_load(&freed), round + 1);
  }
}
