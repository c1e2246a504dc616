/*
** test_pool.c — thread pools: exactly-once calls, FIFO, cancellation through
** switches and at destroy, nested submits, and query/background isolation.
**
** No sleeps: threads meet through latches (mutex + condvar). Worker threads
** never call cr_assert; they record into atomics checked by the main thread.
*/
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pool.h"
#include "switch.h"

/* TSan + Criterion: see the rand_r note in testutil.c. */

/* ---- latch ------------------------------------------------------------- */

typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int count; /* opens when it reaches 0 */
} latch;

static void latch_init(latch *l, int count) {
  pthread_mutex_init(&l->mu, NULL);
  pthread_cond_init(&l->cv, NULL);
  l->count = count;
}

static void latch_down(latch *l) {
  pthread_mutex_lock(&l->mu);
  if (l->count > 0 && --l->count == 0) pthread_cond_broadcast(&l->cv);
  pthread_mutex_unlock(&l->mu);
}

static void latch_wait(latch *l) {
  pthread_mutex_lock(&l->mu);
  while (l->count > 0) pthread_cond_wait(&l->cv, &l->mu);
  pthread_mutex_unlock(&l->mu);
}

static void latch_destroy(latch *l) {
  pthread_cond_destroy(&l->cv);
  pthread_mutex_destroy(&l->mu);
}

/* ---- tasks ------------------------------------------------------------- */

typedef struct {
  atomic_int calls;
  atomic_int cancelled_calls;
} counter;

static void task_count(void *arg, bool cancelled) {
  counter *c = arg;
  atomic_fetch_add(&c->calls, 1);
  if (cancelled) atomic_fetch_add(&c->cancelled_calls, 1);
}

/* Signals `started`, then blocks until `release` opens. */
typedef struct {
  latch *started, *release;
  atomic_int ran, was_cancelled;
} blocker;

static void task_block(void *arg, bool cancelled) {
  blocker *b = arg;
  atomic_store(&b->was_cancelled, cancelled);
  atomic_fetch_add(&b->ran, 1);
  if (b->started) latch_down(b->started);
  latch_wait(b->release);
}

/* ---- tests ------------------------------------------------------------- */

Test(pool, all_tasks_run_exactly_once, .timeout = 30) {
  enum { N = 20000 };
  counter *c = calloc(N, sizeof *c);
  pool *p = pool_create("t-all", 4, 0);
  cr_assert_not_null(p);
  cr_assert_eq(pool_size(p), 4);
  for (int i = 0; i < N; i++) cr_assert_eq(pool_submit(p, task_count, &c[i], NULL), 0);
  pool_destroy(p); /* queued tasks may be cancelled; each is called once */
  for (int i = 0; i < N; i++) cr_assert_eq(atomic_load(&c[i].calls), 1, "task %d", i);
  free(c);
}

typedef struct {
  latch *done;
  counter *c;
  int n;
} done_arg;

static void task_count_then_done(void *arg, bool cancelled) {
  done_arg *d = arg;
  task_count(d->c, cancelled);
  latch_down(d->done);
}

Test(pool, all_complete_before_destroy, .timeout = 30) {
  enum { N = 5000 };
  counter *c = calloc(N, sizeof *c);
  done_arg *d = calloc(N, sizeof *d);
  latch done;
  latch_init(&done, N);
  pool *p = pool_create("t-done", 3, 0);
  for (int i = 0; i < N; i++) {
    d[i] = (done_arg){&done, &c[i], 0};
    pool_submit(p, task_count_then_done, &d[i], NULL);
  }
  latch_wait(&done);
  pool_stats s = pool_get_stats(p);
  pool_destroy(p);
  for (int i = 0; i < N; i++) {
    cr_assert_eq(atomic_load(&c[i].calls), 1);
    cr_assert_eq(atomic_load(&c[i].cancelled_calls), 0, "no switch, not destroyed: runs");
  }
  cr_assert_eq(s.submitted, N);
  cr_assert_eq(s.queued, 0);
  /* The last tasks may still be counting themselves. */
  cr_assert_leq(s.completed, N);
  cr_assert_eq(s.cancelled, 0);
  latch_destroy(&done);
  free(c);
  free(d);
}

typedef struct {
  int order[1000];
  int n; /* single worker: no race; read after pool_destroy joined it */
} fifo_log;

typedef struct {
  fifo_log *log;
  int idx;
} fifo_arg;

static void task_fifo(void *arg, bool cancelled) {
  fifo_arg *a = arg;
  if (!cancelled) a->log->order[a->log->n++] = a->idx;
}

Test(pool, fifo_on_single_thread, .timeout = 30) {
  static fifo_log log;
  static fifo_arg args[1000];
  latch release;
  latch_init(&release, 1);
  blocker b = {.release = &release};
  pool *p = pool_create("t-fifo", 1, 0);
  pool_submit(p, task_block, &b, NULL); /* hold the worker while we queue */
  for (int i = 0; i < 1000; i++) {
    args[i] = (fifo_arg){&log, i};
    pool_submit(p, task_fifo, &args[i], NULL);
  }
  latch_down(&release);
  /* Wait until everything ran (stats count after the call). */
  done_arg dummy_done;
  latch done;
  latch_init(&done, 1);
  counter dc = {0};
  dummy_done = (done_arg){&done, &dc, 0};
  pool_submit(p, task_count_then_done, &dummy_done, NULL);
  latch_wait(&done);
  pool_destroy(p);
  cr_assert_eq(log.n, 1000);
  for (int i = 0; i < 1000; i++) cr_assert_eq(log.order[i], i, "position %d", i);
  latch_destroy(&release);
  latch_destroy(&done);
}

Test(pool, off_switch_cancels_at_dequeue, .timeout = 30) {
  enum { N = 200 };
  static counter on_c[N], off_c[N];
  latch release, started;
  latch_init(&release, 1);
  latch_init(&started, 1);
  blocker b = {.started = &started, .release = &release};
  sw_switch *on = sw_create(NULL), *doomed = sw_create(NULL), *already = sw_create(NULL);
  sw_turn_off(already);
  pool *p = pool_create("t-cancel", 1, 0);
  pool_submit(p, task_block, &b, NULL);
  latch_wait(&started);
  for (int i = 0; i < N; i++) {
    pool_submit(p, task_count, &on_c[i], on);
    /* Switch still on when queued, off when dequeued. */
    pool_submit(p, task_count, &off_c[i], i % 2 ? doomed : already);
  }
  /* The pool holds its own references: we can drop ours now. A switch
  ** dropped while on would turn off, so keep `on` until the end. */
  sw_turn_off(doomed);
  sw_release(doomed);
  sw_release(already);
  latch_down(&release);

  latch done;
  latch_init(&done, 1);
  counter dc = {0};
  done_arg d = {&done, &dc, 0};
  pool_submit(p, task_count_then_done, &d, NULL);
  latch_wait(&done);
  pool_stats s = pool_get_stats(p);
  pool_destroy(p);

  for (int i = 0; i < N; i++) {
    cr_assert_eq(atomic_load(&on_c[i].calls), 1);
    cr_assert_eq(atomic_load(&on_c[i].cancelled_calls), 0, "on switch: runs");
    cr_assert_eq(atomic_load(&off_c[i].calls), 1);
    cr_assert_eq(atomic_load(&off_c[i].cancelled_calls), 1, "off switch: cancelled");
  }
  cr_assert_eq(s.cancelled, N);
  cr_assert_eq(s.submitted, 2 * N + 2);
  cr_assert_eq(atomic_load(&b.was_cancelled), 0);
  sw_release(on);
  latch_destroy(&release);
  latch_destroy(&started);
  latch_destroy(&done);
}

/* pool_destroy with a running task and many queued ones: each queued task
** is called exactly once with cancelled=true (on the destroying thread); the
** last of them opens the latch the running task waits for, and that task
** then submits to the (stopping) pool, which must cancel on the spot. */
typedef struct {
  counter c;
  latch *release;
  int total;
} destroy_state;

static void task_cancel_count(void *arg, bool cancelled) {
  destroy_state *s = arg;
  int n = atomic_fetch_add(&s->c.calls, 1) + 1;
  if (cancelled) atomic_fetch_add(&s->c.cancelled_calls, 1);
  if (n == s->total) latch_down(s->release);
}

typedef struct {
  blocker b;
  pool *p;
  counter late;
  atomic_int late_rc;
} late_submitter;

static void task_block_then_submit(void *arg, bool cancelled) {
  late_submitter *ls = arg;
  task_block(&ls->b, cancelled);
  /* pool_destroy has started: it cancelled everything queued. */
  atomic_store(&ls->late_rc, pool_submit(ls->p, task_count, &ls->late, NULL));
  /* The task was called synchronously, before pool_submit returned. */
  if (atomic_load(&ls->late.calls) != 1) atomic_store(&ls->late_rc, 99);
}

Test(pool, destroy_cancels_queued_exactly_once, .timeout = 30) {
  enum { N = 3000 };
  latch release, started;
  latch_init(&release, 1);
  latch_init(&started, 1);
  destroy_state st = {.release = &release, .total = N};
  pool *p = pool_create("t-destroy", 1, 0);
  late_submitter ls = {.b = {.started = &started, .release = &release}, .p = p};
  pool_submit(p, task_block_then_submit, &ls, NULL);
  latch_wait(&started);
  for (int i = 0; i < N; i++) pool_submit(p, task_cancel_count, &st, NULL);
  pool_stats s = pool_get_stats(p);
  cr_assert_eq(s.queued, N);
  pool_destroy(p);

  cr_assert_eq(atomic_load(&st.c.calls), N);
  cr_assert_eq(atomic_load(&st.c.cancelled_calls), N);
  cr_assert_eq(atomic_load(&ls.b.ran), 1);
  cr_assert_eq(atomic_load(&ls.b.was_cancelled), 0, "the running task ran normally");
  cr_assert_eq(atomic_load(&ls.late_rc), -1, "submit during destroy fails");
  cr_assert_eq(atomic_load(&ls.late.calls), 1);
  cr_assert_eq(atomic_load(&ls.late.cancelled_calls), 1);
  latch_destroy(&release);
  latch_destroy(&started);
}

/* Tasks submit follow-ups to their own pool and to another pool. */
typedef struct {
  pool *self, *other;
  atomic_int steps;
  atomic_int in_worker_errors;
  latch *done;
  int limit;
} chain_state;

static void task_other(void *arg, bool cancelled) {
  chain_state *cs = arg;
  if (!pool_in_worker(cs->other) || pool_in_worker(cs->self))
    atomic_fetch_add(&cs->in_worker_errors, 1);
  if (!cancelled) latch_down(cs->done);
}

static void task_chain(void *arg, bool cancelled) {
  chain_state *cs = arg;
  if (cancelled) return;
  if (!pool_in_worker(cs->self) || pool_in_worker(cs->other))
    atomic_fetch_add(&cs->in_worker_errors, 1);
  int n = atomic_fetch_add(&cs->steps, 1) + 1;
  if (n < cs->limit)
    pool_submit(cs->self, task_chain, cs, NULL);
  else
    pool_submit(cs->other, task_other, cs, NULL);
}

Test(pool, submit_from_inside_task, .timeout = 30) {
  latch done;
  latch_init(&done, 1);
  pool *a = pool_create("t-a", 2, 0), *b = pool_create("t-b", 1, 0);
  chain_state cs = {.self = a, .other = b, .done = &done, .limit = 500};
  cr_assert_not(pool_in_worker(a), "main thread is no worker");
  pool_submit(a, task_chain, &cs, NULL);
  latch_wait(&done);
  pool_destroy(a);
  pool_destroy(b);
  cr_assert_eq(atomic_load(&cs.steps), 500);
  cr_assert_eq(atomic_load(&cs.in_worker_errors), 0);
  latch_destroy(&done);
}

/* The query pool answers while every background worker is blocked and more
** background work is queued. If query tasks could wait behind background
** ones, latch_wait(&answered) would never return (the test times out). */
static void task_answer(void *arg, bool cancelled) {
  if (!cancelled) latch_down(arg);
}

Test(pool, query_never_waits_behind_background, .timeout = 30) {
  enum { BG = 2, EXTRA = 50 };
  latch release, started, answered;
  latch_init(&release, 1);
  latch_init(&started, BG);
  latch_init(&answered, 10);
  pool *bg = pool_create("t-bg", BG, 5);
  pool *query = pool_create("t-query", 2, 0);
  blocker b[BG + EXTRA];
  for (int i = 0; i < BG + EXTRA; i++) {
    b[i] = (blocker){.started = i < BG ? &started : NULL, .release = &release};
    pool_submit(bg, task_block, &b[i], NULL);
  }
  latch_wait(&started); /* every background worker is now blocked */
  for (int i = 0; i < 10; i++) pool_submit(query, task_answer, &answered, NULL);
  latch_wait(&answered);
  pool_stats s = pool_get_stats(bg);
  cr_assert_eq(s.queued, EXTRA, "background work still queued while queries ran");
  latch_down(&release);
  pool_destroy(query);
  pool_destroy(bg);
  int ran = 0;
  for (int i = 0; i < BG + EXTRA; i++) ran += atomic_load(&b[i].ran);
  cr_assert_eq(ran, BG + EXTRA);
  latch_destroy(&release);
  latch_destroy(&started);
  latch_destroy(&answered);
}

/* Workers carry the pool's name and the lowered priority. */
typedef struct {
  char name[16];
  int nice_val;
  latch done;
} probe;

static void task_probe(void *arg, bool cancelled) {
  probe *pr = arg;
  pthread_getname_np(pthread_self(), pr->name, sizeof pr->name);
  pr->nice_val = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
  latch_down(&pr->done);
}

Test(pool, thread_name_and_priority, .timeout = 30) {
  probe pr = {0};
  latch_init(&pr.done, 1);
  int base = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
  pool *p = pool_create("a-rather-long-pool-name", 1, 3);
  pool_submit(p, task_probe, &pr, NULL);
  latch_wait(&pr.done);
  pool_destroy(p);
  cr_assert_str_eq(pr.name, "a-rather-long-p", "truncated to 15 bytes");
  int want = base + 3 > 19 ? 19 : base + 3;
  cr_assert_eq(pr.nice_val, want, "nice %d, expected %d", pr.nice_val, want);
  latch_destroy(&pr.done);
}

Test(pool, sizes_and_null) {
  pool_destroy(NULL);
  pool *p = pool_create("t-size", 0, 0);
  cr_assert_eq(pool_size(p), 1, "clamped up to 1");
  pool_destroy(p);
  p = pool_create("t-size", 100000, 0);
  cr_assert_eq(pool_size(p), 256, "clamped down to 256");
  pool_destroy(p);
  p = pool_create(NULL, 2, 0);
  cr_assert_not_null(p);
  pool_stats s = pool_get_stats(p);
  cr_assert_eq(s.submitted + s.completed + s.cancelled + s.queued, 0);
  pool_destroy(p);
}

/* Producers on several threads submit concurrently; every task is called
** exactly once whether it runs or is cancelled by its switch. */
typedef struct {
  pool *p;
  counter *c;
  sw_switch *sw;
  int n;
} producer_arg;

static void *producer(void *arg) {
  producer_arg *a = arg;
  for (int i = 0; i < a->n; i++) pool_submit(a->p, task_count, &a->c[i], i % 3 ? NULL : a->sw);
  return NULL;
}

Test(pool, concurrent_submitters, .timeout = 30) {
  enum { THREADS = 4, PER = 3000 };
  pool *p = pool_create("t-conc", 3, 0);
  sw_switch *sw = sw_create(NULL);
  counter *c = calloc(THREADS * PER, sizeof *c);
  producer_arg args[THREADS];
  pthread_t th[THREADS];
  for (int t = 0; t < THREADS; t++) {
    args[t] = (producer_arg){p, c + t * PER, sw, PER};
    pthread_create(&th[t], NULL, producer, &args[t]);
  }
  sw_turn_off(sw); /* somewhere in the middle */
  for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
  pool_destroy(p);
  for (int i = 0; i < THREADS * PER; i++) cr_assert_eq(atomic_load(&c[i].calls), 1, "task %d", i);
  sw_release(sw);
  free(c);
}
