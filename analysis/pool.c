/*
** pool.c — fixed-size thread pools (see pool.h).
**
** DESIGN
**
** Threads. `nthreads` worker threads, each running pool__worker: wait for a
** task, pop it, call it with no lock held, count it, repeat. pool_submit runs
** on any thread (including workers of any pool). pool_destroy runs on an
** outside thread: it calls the still-queued tasks itself (cancelled=true),
** then joins the workers.
**
** State and locks. One mutex `mu` per pool and one condition variable `cv`
** ("a task was queued, or the pool is stopping"), both guarding:
**   - `head`, `tail`: FIFO singly-linked queue of pool__task;
**   - `stopping`: set once by pool_destroy; no task is queued afterwards;
**   - the counters `submitted`, `completed`, `cancelled`, `queued`.
** `nthreads`, `threads`, `name`, `nice_delta` are written before the first
** worker starts (or after the last one is joined) and are read-only
** otherwise. A task's fields are private to whoever popped it.
**
** Lock order. `mu` is a leaf: it is never held while calling a task, a
** switch function, or anything that could take another lock. No wait ever
** happens with `mu` held except the condvar wait itself.
**
** Task life cycle (as libuv): queued -> running -> done. The function is
** called exactly once: cancelled=false when a worker runs it and its switch
** is on; cancelled=true when its switch is off at dequeue time, when the pool
** is stopping at submit time (on the submitting thread) or when pool_destroy
** finds it still queued (on the destroying thread). The pool holds a
** reference on the task's switch from submit until the call returns.
**
** Pool life cycle. pool_create starts the workers. pool_destroy sets
** `stopping` and detaches the queue in one critical section, wakes everyone,
** cancels the detached tasks, joins the workers (which finish their current
** task, find the queue empty and `stopping`, and exit), then frees.
*/
#define _GNU_SOURCE
#include "pool.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct pool__task {
  struct pool__task *next;
  pool_task_fn fn;
  void *arg;
  sw_switch *sw; /* owned reference, may be NULL */
} pool__task;

struct pool {
  pthread_mutex_t mu;
  pthread_cond_t cv;
#ifndef NDEBUG
  atomic_uintptr_t mu_owner; /* thread holding mu, 0 if none */
#endif
  /* Guarded by mu. */
  pool__task *head, *tail;
  bool stopping;
  size_t submitted, completed, cancelled, queued;

  /* Immutable while workers run. */
  int nthreads;
  pthread_t *threads;
  int nice_delta;
  char name[16];
};

/* The pool whose worker is the current thread (NULL elsewhere). */
static _Thread_local const pool *pool__current;

/* ---- debug lock contracts --------------------------------------------- */

#ifndef NDEBUG
static _Thread_local char pool__tid_anchor;
#define POOL__SELF ((uintptr_t)&pool__tid_anchor)
#endif

#ifndef NDEBUG
#define POOL__ASSERT_HELD(p) \
  assert(atomic_load_explicit(&(p)->mu_owner, memory_order_relaxed) == POOL__SELF)
#define POOL__SET_OWNER(p, v) atomic_store_explicit(&(p)->mu_owner, (v), memory_order_relaxed)
#else
#define POOL__ASSERT_HELD(p) ((void)0)
#define POOL__SET_OWNER(p, v) ((void)0)
#endif

static void pool__lock(pool *p) {
  int rc = pthread_mutex_lock(&p->mu);
  assert(rc == 0);
  (void)rc;
  POOL__SET_OWNER(p, POOL__SELF);
}

static void pool__unlock(pool *p) {
  POOL__ASSERT_HELD(p);
  POOL__SET_OWNER(p, 0);
  int rc = pthread_mutex_unlock(&p->mu);
  assert(rc == 0);
  (void)rc;
}

static void pool__wait(pool *p) {
  POOL__ASSERT_HELD(p);
  POOL__SET_OWNER(p, 0);
  int rc = pthread_cond_wait(&p->cv, &p->mu);
  assert(rc == 0);
  (void)rc;
  POOL__SET_OWNER(p, POOL__SELF);
}

/* ---- workers ----------------------------------------------------------- */

/* Best effort: lower this thread's priority. On Linux, nice values are per
** thread when addressed by tid. */
static void pool__lower_priority(int delta) {
  if (delta <= 0) return;
  pid_t tid = (pid_t)syscall(SYS_gettid);
  errno = 0;
  int cur = getpriority(PRIO_PROCESS, (id_t)tid);
  if (cur == -1 && errno != 0) return;
  int want = cur + delta;
  if (want > 19) want = 19;
  (void)setpriority(PRIO_PROCESS, (id_t)tid, want);
}

/* Caller holds mu; the queue is non-empty. */
static pool__task *pool__pop(pool *p) {
  POOL__ASSERT_HELD(p);
  pool__task *t = p->head;
  assert(t && p->queued > 0);
  p->head = t->next;
  if (!p->head) p->tail = NULL;
  p->queued--;
  t->next = NULL;
  return t;
}

/* Call a popped task exactly once and free it. No lock held. */
static void pool__call(pool__task *t, bool cancelled) {
  t->fn(t->arg, cancelled);
  sw_release(t->sw);
  free(t);
}

static void *pool__worker(void *arg) {
  pool *p = arg;
  pool__current = p;
  (void)pthread_setname_np(pthread_self(), p->name);
  pool__lower_priority(p->nice_delta);

  pool__lock(p);
  for (;;) {
    while (!p->head && !p->stopping) pool__wait(p);
    if (!p->head) break; /* stopping, and destroy took what was queued */
    pool__task *t = pool__pop(p);
    pool__unlock(p);

    bool cancelled = !sw_is_on(t->sw);
    pool__call(t, cancelled);

    pool__lock(p);
    if (cancelled)
      p->cancelled++;
    else
      p->completed++;
  }
  pool__unlock(p);
  pool__current = NULL;
  return NULL;
}

/* ---- public API -------------------------------------------------------- */

pool *pool_create(const char *name, int nthreads, int nice_delta) {
  if (nthreads < 1) nthreads = 1;
  if (nthreads > 256) nthreads = 256;
  pool *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->threads = calloc((size_t)nthreads, sizeof *p->threads);
  if (!p->threads) {
    free(p);
    return NULL;
  }
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
#ifndef NDEBUG
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
  atomic_init(&p->mu_owner, 0);
#endif
  pthread_mutex_init(&p->mu, &attr);
  pthread_mutexattr_destroy(&attr);
  pthread_cond_init(&p->cv, NULL);
  snprintf(p->name, sizeof p->name, "%s", name ? name : "pool");
  p->nice_delta = nice_delta;

  int started = 0;
  for (int i = 0; i < nthreads; i++) {
    if (pthread_create(&p->threads[started], NULL, pool__worker, p) != 0) break;
    started++;
  }
  if (started == 0) {
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p);
    return NULL;
  }
  /* Workers never read nthreads; pool_size may be called concurrently only
  ** after pool_create has returned. */
  p->nthreads = started;
  return p;
}

void pool_destroy(pool *p) {
  if (!p) return;
  assert(!pool_in_worker(p) && "pool_destroy from one of its own workers");

  pool__lock(p);
  assert(!p->stopping && "pool_destroy called twice");
  p->stopping = true;
  pool__task *queued = p->head;
  size_t nqueued = p->queued;
  p->head = p->tail = NULL;
  p->queued = 0;
  p->cancelled += nqueued;
  pthread_cond_broadcast(&p->cv);
  pool__unlock(p);

  /* Cancel outside the lock: a task may call pool_submit (which then
  ** cancels the new task on this thread too). */
  while (queued) {
    pool__task *next = queued->next;
    pool__call(queued, true);
    queued = next;
  }

  for (int i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);

  assert(p->head == NULL);
  pthread_cond_destroy(&p->cv);
  pthread_mutex_destroy(&p->mu);
  free(p->threads);
  free(p);
}

int pool_submit(pool *p, pool_task_fn fn, void *arg, sw_switch *sw) {
  assert(p && fn);
  pool__task *t = malloc(sizeof *t);
  if (!t) {
    fn(arg, true);
    return -1;
  }
  t->next = NULL;
  t->fn = fn;
  t->arg = arg;
  t->sw = sw_retain(sw);

  pool__lock(p);
  p->submitted++;
  if (p->stopping) {
    p->cancelled++;
    pool__unlock(p);
    pool__call(t, true);
    return -1;
  }
  if (p->tail)
    p->tail->next = t;
  else
    p->head = t;
  p->tail = t;
  p->queued++;
  /* One task, one waiter is enough. Signal under the lock: simpler to
  ** reason about, and the destroying thread cannot free cv meanwhile. */
  pthread_cond_signal(&p->cv);
  pool__unlock(p);
  return 0;
}

int pool_size(const pool *p) { return p ? p->nthreads : 0; }

bool pool_in_worker(const pool *p) { return p && pool__current == p; }

pool_stats pool_get_stats(pool *p) {
  pool_stats s = {0, 0, 0, 0};
  if (!p) return s;
  pool__lock(p);
  s.submitted = p->submitted;
  s.completed = p->completed;
  s.cancelled = p->cancelled;
  s.queued = p->queued;
  pool__unlock(p);
  return s;
}
