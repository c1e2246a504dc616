/*
** outq.c — the outbound queue from pool threads to the loop thread (see
** outq.h).
**
** DESIGN
**
** Threads. Producers (pool threads, or the loop itself) call outq_post_*;
** exactly one consumer at a time (the loop thread) calls outq_drain. The
** wake callback runs on the posting thread, outside the lock.
**
** State and locks. One mutex `mu` guards the FIFO `head`/`tail`. `wake`,
** `wake_data` are immutable after creation. An item's fields are private to
** its poster until it is linked, then to the drainer once it has been
** swapped out. `draining` (atomic, debug only) asserts the single-drainer
** contract.
**
** No lost wake-up. A post appends under `mu` and remembers whether the
** queue was empty; if so it calls `wake` after unlocking. The drainer swaps
** the whole list out under `mu`, leaving it empty, so the first post after
** any drain always sees an empty queue and wakes the loop again. A post that
** lands before the swap is part of this drain (its wake may then be
** spurious, which is harmless: draining an empty queue is a no-op).
**
** Guards. Checked at drain time on the loop thread: an item whose guard
** switch is off is dropped (message freed unsent, call invoked with
** dropped=true). The queue holds a reference on each guard until the item
** is processed.
**
** Lock order. `mu` is a leaf: wake, writes, calls, switch functions and
** frees all run without it, so a call may post to the same queue.
**
** Life cycle. outq_create / outq_destroy; destroy must run when no thread
** can post any more. Items left undrained are disposed of as if dropped.
** If an item cannot be allocated, the post disposes of its payload the same
** way, on the posting thread.
*/
#include "outq.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct outq__item {
  struct outq__item *next;
  char *json; /* message when non-NULL (owned) */
  size_t len;
  outq_call_fn fn; /* call when json is NULL */
  void *arg;
  sw_switch *guard; /* owned reference, may be NULL */
} outq__item;

struct outq {
  pthread_mutex_t mu;
#ifndef NDEBUG
  atomic_uintptr_t mu_owner; /* thread holding mu, 0 if none */
  atomic_int draining;       /* 1 while a drain runs */
#endif
  /* Guarded by mu. */
  outq__item *head, *tail;
  /* Immutable. */
  outq_wake_fn wake;
  void *wake_data;
};

/* ---- debug lock contracts --------------------------------------------- */

#ifndef NDEBUG
static _Thread_local char outq__tid_anchor;
#define OUTQ__SELF ((uintptr_t)&outq__tid_anchor)
#endif

#ifndef NDEBUG
#define OUTQ__ASSERT_HELD(q) \
  assert(atomic_load_explicit(&(q)->mu_owner, memory_order_relaxed) == OUTQ__SELF)
#define OUTQ__SET_OWNER(q, v) atomic_store_explicit(&(q)->mu_owner, (v), memory_order_relaxed)
#else
#define OUTQ__ASSERT_HELD(q) ((void)0)
#define OUTQ__SET_OWNER(q, v) ((void)0)
#endif

static void outq__lock(outq *q) {
  int rc = pthread_mutex_lock(&q->mu);
  assert(rc == 0);
  (void)rc;
  OUTQ__SET_OWNER(q, OUTQ__SELF);
}

static void outq__unlock(outq *q) {
  OUTQ__ASSERT_HELD(q);
  OUTQ__SET_OWNER(q, 0);
  int rc = pthread_mutex_unlock(&q->mu);
  assert(rc == 0);
  (void)rc;
}

/* ---- internals --------------------------------------------------------- */

/* Dispose of an item without delivering it, and free it. No lock held. */
static void outq__drop(outq__item *it) {
  if (it->json)
    free(it->json);
  else
    it->fn(it->arg, true);
  sw_release(it->guard);
  free(it);
}

/* Link `it` at the tail; wake the consumer if the queue was empty. */
static void outq__post(outq *q, outq__item *it) {
  it->next = NULL;
  outq__lock(q);
  bool was_empty = q->head == NULL;
  if (q->tail)
    q->tail->next = it;
  else
    q->head = it;
  q->tail = it;
  outq__unlock(q);
  if (was_empty && q->wake) q->wake(q->wake_data);
}

/* ---- public API -------------------------------------------------------- */

outq *outq_create(outq_wake_fn wake, void *wake_data) {
  outq *q = calloc(1, sizeof *q);
  if (!q) return NULL;
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
#ifndef NDEBUG
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
  atomic_init(&q->mu_owner, 0);
  atomic_init(&q->draining, 0);
#endif
  int rc = pthread_mutex_init(&q->mu, &attr);
  pthread_mutexattr_destroy(&attr);
  if (rc != 0) {
    free(q);
    return NULL;
  }
  q->wake = wake;
  q->wake_data = wake_data;
  return q;
}

void outq_destroy(outq *q) {
  if (!q) return;
  outq__lock(q);
  outq__item *it = q->head;
  q->head = q->tail = NULL;
  outq__unlock(q);
  while (it) {
    outq__item *next = it->next;
    outq__drop(it);
    it = next;
  }
  pthread_mutex_destroy(&q->mu);
  free(q);
}

void outq_post_message(outq *q, char *json, sw_switch *guard) {
  assert(q && json);
  outq__item *it = malloc(sizeof *it);
  if (!it) {
    free(json); /* as if dropped */
    return;
  }
  it->json = json;
  it->len = strlen(json);
  it->fn = NULL;
  it->arg = NULL;
  it->guard = sw_retain(guard);
  outq__post(q, it);
}

void outq_post_call(outq *q, outq_call_fn fn, void *arg, sw_switch *guard) {
  assert(q && fn);
  outq__item *it = malloc(sizeof *it);
  if (!it) {
    fn(arg, true); /* as if dropped; on this thread */
    return;
  }
  it->json = NULL;
  it->len = 0;
  it->fn = fn;
  it->arg = arg;
  it->guard = sw_retain(guard);
  outq__post(q, it);
}

size_t outq_drain(outq *q, outq_write_fn write, void *write_data) {
  assert(q);
#ifndef NDEBUG
  int was = atomic_exchange_explicit(&q->draining, 1, memory_order_acquire);
  assert(was == 0 && "outq_drain: one drainer at a time");
  (void)was;
#endif
  outq__lock(q);
  outq__item *it = q->head;
  q->head = q->tail = NULL;
  outq__unlock(q);

  size_t n = 0;
  while (it) {
    outq__item *next = it->next;
    n++;
    if (!sw_is_on(it->guard)) {
      outq__drop(it);
    } else {
      if (it->json) {
        if (write) write(it->json, it->len, write_data);
        free(it->json);
      } else {
        it->fn(it->arg, false);
      }
      sw_release(it->guard);
      free(it);
    }
    it = next;
  }
#ifndef NDEBUG
  atomic_store_explicit(&q->draining, 0, memory_order_release);
#endif
  return n;
}
