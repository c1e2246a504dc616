/*
** promise.c — one-shot promises with completion callbacks (see promise.h).
**
** DESIGN
**
** Threads. Any thread may create, settle, chain onto, query and release a
** promise. Callbacks registered before settlement run on the settling thread,
** after the promise's lock is released, in registration order; callbacks
** registered after settlement run immediately on the registering thread.
** Nothing blocks waiting for a promise.
**
** State and locks. One mutex `mu` per promise guards:
**   - `cbs`, `cbs_tail`: the list of callbacks not yet run;
**   - the PENDING -> settled transition: `value` and `free_value` are
**     written under `mu` before `state` is published.
** `state` is atomic: it changes once, under `mu`, with a release store, so
** prom_get_state / prom_value can read it (acquire) without locking, and a
** reader that sees PROM_RESOLVED also sees `value`. After settlement
** `value` and `free_value` are immutable until the promise is freed.
** `refs` is an atomic reference count.
**
** Exactly once. The settling thread detaches the whole callback list in the
** same critical section that publishes the state; prom_then appends only
** while the state (checked under `mu`) is PENDING, otherwise it runs the
** callback itself. So each callback is run by exactly one thread, once.
**
** Lock order. `mu` is a leaf: callbacks and value destructors never run
** under it.
**
** Life cycle. prom_create returns one reference. The settling thread holds
** an extra internal reference while running callbacks (a callback may drop
** the last outside reference). When the last reference goes: a still
** PENDING promise is cancelled first (its callbacks run with
** PROM_CANCELLED, on the releasing thread, so every registered callback
** still runs exactly once and nobody leaks what a callback owns); then the
** value is freed with its destructor and the promise is freed.
*/
#include "promise.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct prom__cb {
  struct prom__cb *next;
  prom_cb fn;
  void *data;
} prom__cb;

struct prom {
  atomic_size_t refs;
  atomic_int state; /* prom_state; changes once, under mu */

  pthread_mutex_t mu;
#ifndef NDEBUG
  atomic_uintptr_t mu_owner; /* thread holding mu, 0 if none */
#endif
  /* Guarded by mu. */
  prom__cb *cbs, *cbs_tail;
  /* Written under mu before state leaves PENDING; immutable after. */
  void *value;
  prom_free_fn free_value;
};

/* ---- debug lock contracts --------------------------------------------- */

#ifndef NDEBUG
static _Thread_local char prom__tid_anchor;
#define PROM__SELF ((uintptr_t)&prom__tid_anchor)
#endif

#ifndef NDEBUG
#define PROM__ASSERT_HELD(p) \
  assert(atomic_load_explicit(&(p)->mu_owner, memory_order_relaxed) == PROM__SELF)
#define PROM__SET_OWNER(p, v) atomic_store_explicit(&(p)->mu_owner, (v), memory_order_relaxed)
#else
#define PROM__ASSERT_HELD(p) ((void)0)
#define PROM__SET_OWNER(p, v) ((void)0)
#endif

static void prom__lock(prom *p) {
  int rc = pthread_mutex_lock(&p->mu);
  assert(rc == 0);
  (void)rc;
  PROM__SET_OWNER(p, PROM__SELF);
}

static void prom__unlock(prom *p) {
  PROM__ASSERT_HELD(p);
  PROM__SET_OWNER(p, 0);
  int rc = pthread_mutex_unlock(&p->mu);
  assert(rc == 0);
  (void)rc;
}

/* ---- internals --------------------------------------------------------- */

/* Run and free a detached callback list. No lock held. */
static void prom__run(prom__cb *cb, prom_state state, void *value) {
  while (cb) {
    prom__cb *next = cb->next;
    cb->fn(state, value, cb->data);
    free(cb);
    cb = next;
  }
}

/* Publish `state` if still pending. On success returns true and stores the
** detached callback list in *out. Caller holds mu. */
static bool prom__transition(prom *p, prom_state state, void *value, prom_free_fn free_value,
                             prom__cb **out) {
  PROM__ASSERT_HELD(p);
  if (atomic_load_explicit(&p->state, memory_order_relaxed) != PROM_PENDING) return false;
  p->value = value;
  p->free_value = free_value;
  atomic_store_explicit(&p->state, (int)state, memory_order_release);
  *out = p->cbs;
  p->cbs = p->cbs_tail = NULL;
  return true;
}

static bool prom__settle(prom *p, prom_state state, void *value, prom_free_fn free_value) {
  prom__cb *cbs = NULL;
  prom_retain(p); /* a callback may release the caller's reference */
  prom__lock(p);
  bool won = prom__transition(p, state, value, free_value, &cbs);
  prom__unlock(p);
  if (won) prom__run(cbs, state, value);
  prom_release(p);
  return won;
}

static void prom__free(prom *p) {
  /* refs is 0: nobody else can see p. A pending promise is cancelled so
  ** that its callbacks still run exactly once. */
  if (atomic_load_explicit(&p->state, memory_order_relaxed) == PROM_PENDING) {
    prom__cb *cbs = NULL;
    prom__lock(p);
    bool won = prom__transition(p, PROM_CANCELLED, NULL, NULL, &cbs);
    prom__unlock(p);
    assert(won);
    (void)won;
    prom__run(cbs, PROM_CANCELLED, NULL);
  }
  assert(p->cbs == NULL);
  if (p->free_value && p->value) p->free_value(p->value);
  pthread_mutex_destroy(&p->mu);
  free(p);
}

/* ---- public API -------------------------------------------------------- */

prom *prom_create(void) {
  prom *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  atomic_init(&p->refs, 1);
  atomic_init(&p->state, PROM_PENDING);
#ifndef NDEBUG
  atomic_init(&p->mu_owner, 0);
#endif
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
#ifndef NDEBUG
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
#endif
  int rc = pthread_mutex_init(&p->mu, &attr);
  pthread_mutexattr_destroy(&attr);
  if (rc != 0) {
    free(p);
    return NULL;
  }
  return p;
}

prom *prom_retain(prom *p) {
  if (p) {
    size_t old = atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
    assert(old > 0);
    (void)old;
  }
  return p;
}

void prom_release(prom *p) {
  if (!p) return;
  size_t old = atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel);
  assert(old > 0);
  if (old == 1) prom__free(p);
}

bool prom_resolve(prom *p, void *value, prom_free_fn free_value) {
  assert(p);
  if (prom__settle(p, PROM_RESOLVED, value, free_value)) return true;
  if (free_value && value) free_value(value); /* ownership was taken */
  return false;
}

bool prom_cancel(prom *p) {
  assert(p);
  return prom__settle(p, PROM_CANCELLED, NULL, NULL);
}

bool prom_then(prom *p, prom_cb cb, void *data) {
  assert(p && cb);
  prom_state st = (prom_state)atomic_load_explicit(&p->state, memory_order_acquire);
  if (st != PROM_PENDING) {
    cb(st, st == PROM_RESOLVED ? p->value : NULL, data);
    return true;
  }
  prom__cb *node = malloc(sizeof *node);
  if (!node) return false;
  node->next = NULL;
  node->fn = cb;
  node->data = data;
  prom__lock(p);
  st = (prom_state)atomic_load_explicit(&p->state, memory_order_relaxed);
  if (st == PROM_PENDING) {
    if (p->cbs_tail)
      p->cbs_tail->next = node;
    else
      p->cbs = node;
    p->cbs_tail = node;
    prom__unlock(p);
    return true;
  }
  prom__unlock(p);
  free(node); /* settled meanwhile: run it here */
  cb(st, st == PROM_RESOLVED ? p->value : NULL, data);
  return true;
}

/* A NULL promise reads as cancelled: it will never produce a value. */
prom_state prom_get_state(const prom *p) {
  if (!p) return PROM_CANCELLED;
  return (prom_state)atomic_load_explicit(&p->state, memory_order_acquire);
}

void *prom_value(const prom *p) {
  if (!p) return NULL;
  if (atomic_load_explicit(&p->state, memory_order_acquire) != PROM_RESOLVED) return NULL;
  return p->value;
}
