/*
** switch.c — hierarchical cancellation tokens (see switch.h).
**
** DESIGN
**
** Threads. Any thread may create, retain, release, poll, turn off a switch
** and (un)register hooks. Hooks run on the thread that wins the ON->OFF
** transition (or on the registering thread when the switch is already off),
** never while any switch lock is held, so a hook may freely call
** sw_turn_off / sw_release / sw_create on any switch, including its own.
**
** State and locks. Each switch has one mutex `mu`.
**   - `off` (atomic size_t): 0 while on, 1 once off. Written exactly once,
**     under `mu`, by the winner of the transition; read lock-free by
**     sw_is_on and by tree-sitter through sw_cancel_flag.
**   - `hooks`, `hooks_tail`, `next_id`: guarded by `mu`. The winner detaches
**     the whole list under `mu` in the same critical section that sets
**     `off`, so for any hook exactly one of "it runs" and "sw_remove_hook
**     returns true" happens.
**   - `children`: weak list of live children, guarded by this switch's `mu`.
**   - `sib_prev`, `sib_next`: this switch's links in its PARENT's `children`
**     list, guarded by the PARENT's `mu`.
**   - `linked`, `parent`: written before the switch is published, then
**     immutable. `parent` is a strong reference.
**   - `work_next`: private to the single thread that won the parent's
**     transition (each switch is collected at most once in its life, since
**     its parent turns off at most once).
**   - `refs` (atomic): reference count.
**
** Lock order. At most ONE switch mutex is held at any time: a parent walking
** its children under its own `mu` only touches their atomic `refs` and the
** sibling links (which its own `mu` guards), never their `mu`. Hooks and
** recursive turn-offs run with no lock held.
**
** Turning off (sw_turn_off). Take an internal reference (hooks may drop the
** caller's), win the transition under `mu` (set `off`, detach hooks), run the
** hooks in registration order, then walk the children iteratively: under the
** parent's `mu`, each child whose count is still > 0 is try-retained (CAS
** increment only if non-zero) and pushed on an intrusive work list; a child
** whose count already reached 0 is being freed concurrently and is skipped
** (it cannot be freed before we drop the lock, because it must take that
** lock to unlink itself). No recursion, so deep trees cannot blow the stack.
**
** Creating a child. Under the parent's `mu`: if the parent is off, the child
** is born off and not linked; otherwise it is linked into `children`. Since
** the winner sets `off` under the same mutex before walking, a child is
** either born off or seen by the walk.
**
** Life cycle. sw_create returns one reference; a child holds one on its
** parent. On the final sw_release of a switch that is still ON, the switch is
** turned off first (so its cleanup hooks still run exactly once, on the
** releasing thread); then it unlinks itself from its parent under the
** parent's `mu`, is freed, and its reference on the parent is dropped (in a
** loop, not by recursion).
*/
#include "switch.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

/* ---- debug lock contracts --------------------------------------------- */

/* The address of a thread-local object identifies the running thread. */
#ifndef NDEBUG
static _Thread_local char sw__tid_anchor;
#define SW__SELF ((uintptr_t)&sw__tid_anchor)
#endif

typedef struct sw__hook {
  struct sw__hook *next;
  int64_t id;
  sw_hook_fn fn;
  void *data;
} sw__hook;

struct sw_switch {
  atomic_size_t off;
  atomic_size_t refs;
  sw_switch *parent; /* strong reference, immutable */
  bool linked;       /* in parent->children; immutable after publication */

  pthread_mutex_t mu;
#ifndef NDEBUG
  atomic_uintptr_t mu_owner; /* thread holding mu, 0 if none */
#endif
  /* Guarded by mu. */
  sw__hook *hooks, *hooks_tail;
  int64_t next_id;
  sw_switch *children;

  /* Guarded by parent->mu. */
  sw_switch *sib_prev, *sib_next;

  /* Owned by the thread that won parent's transition. */
  sw_switch *work_next;
};

static const size_t sw__never_off = 0;

static void sw__lock(sw_switch *sw) {
  int rc = pthread_mutex_lock(&sw->mu);
  assert(rc == 0);
  (void)rc;
#ifndef NDEBUG
  assert(atomic_load_explicit(&sw->mu_owner, memory_order_relaxed) == 0);
  atomic_store_explicit(&sw->mu_owner, SW__SELF, memory_order_relaxed);
#endif
}

static void sw__unlock(sw_switch *sw) {
#ifndef NDEBUG
  assert(atomic_load_explicit(&sw->mu_owner, memory_order_relaxed) == SW__SELF);
  atomic_store_explicit(&sw->mu_owner, 0, memory_order_relaxed);
#endif
  int rc = pthread_mutex_unlock(&sw->mu);
  assert(rc == 0);
  (void)rc;
}

#ifndef NDEBUG
#define SW__ASSERT_HELD(sw) \
  assert(atomic_load_explicit(&(sw)->mu_owner, memory_order_relaxed) == SW__SELF)
#else
#define SW__ASSERT_HELD(sw) ((void)0)
#endif

static void sw__mutex_init(pthread_mutex_t *mu) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
#ifndef NDEBUG
  /* Relock / foreign unlock become errors that the asserts above catch. */
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
#endif
  int rc = pthread_mutex_init(mu, &attr);
  assert(rc == 0);
  (void)rc;
  pthread_mutexattr_destroy(&attr);
}

/* ---- reference counting ------------------------------------------------ */

sw_switch *sw_retain(sw_switch *sw) {
  if (sw) {
    size_t old = atomic_fetch_add_explicit(&sw->refs, 1, memory_order_relaxed);
    assert(old > 0);
    (void)old;
  }
  return sw;
}

/* Take a reference only if the switch is not already dying (count > 0). */
static bool sw__try_retain(sw_switch *sw) {
  size_t n = atomic_load_explicit(&sw->refs, memory_order_relaxed);
  while (n > 0) {
    if (atomic_compare_exchange_weak_explicit(&sw->refs, &n, n + 1, memory_order_acquire,
                                              memory_order_relaxed))
      return true;
  }
  return false;
}

/* Caller holds parent->mu. */
static void sw__link_child(sw_switch *parent, sw_switch *child) {
  SW__ASSERT_HELD(parent);
  child->sib_prev = NULL;
  child->sib_next = parent->children;
  if (parent->children) parent->children->sib_prev = child;
  parent->children = child;
}

/* Caller holds parent->mu. */
static void sw__unlink_child(sw_switch *parent, sw_switch *child) {
  SW__ASSERT_HELD(parent);
  if (child->sib_prev)
    child->sib_prev->sib_next = child->sib_next;
  else {
    assert(parent->children == child);
    parent->children = child->sib_next;
  }
  if (child->sib_next) child->sib_next->sib_prev = child->sib_prev;
  child->sib_prev = child->sib_next = NULL;
}

/* Free a switch whose count reached 0 and return its parent, whose reference
** the caller must now drop. */
static sw_switch *sw__free(sw_switch *sw) {
  sw_switch *parent = sw->parent;
  if (sw->linked) {
    sw__lock(parent);
    sw__unlink_child(parent, sw);
    sw__unlock(parent);
  }
  /* Turned off before the last reference went, so no hook is left; no
  ** child either, since every live child holds a reference on us. */
  assert(atomic_load_explicit(&sw->off, memory_order_relaxed) != 0);
  assert(sw->hooks == NULL);
  assert(sw->children == NULL);
  pthread_mutex_destroy(&sw->mu);
  free(sw);
  return parent;
}

void sw_release(sw_switch *sw) {
  while (sw) {
    size_t n = atomic_load_explicit(&sw->refs, memory_order_relaxed);
    for (;;) {
      assert(n > 0);
      if (n == 1 && atomic_load_explicit(&sw->off, memory_order_acquire) == 0) {
        /* Last reference to a live switch: turn it off while we still own
        ** it (hooks may retain/release it safely), then retry. */
        sw_turn_off(sw);
        n = atomic_load_explicit(&sw->refs, memory_order_relaxed);
        continue;
      }
      if (atomic_compare_exchange_weak_explicit(&sw->refs, &n, n - 1, memory_order_acq_rel,
                                                memory_order_relaxed))
        break;
    }
    if (n != 1) return;
    sw = sw__free(sw);
  }
}

/* ---- creation ---------------------------------------------------------- */

sw_switch *sw_create(sw_switch *parent) {
  sw_switch *sw = calloc(1, sizeof *sw);
  if (!sw) return NULL;
  atomic_init(&sw->off, 0);
  atomic_init(&sw->refs, 1);
#ifndef NDEBUG
  atomic_init(&sw->mu_owner, 0);
#endif
  sw__mutex_init(&sw->mu);
  sw->next_id = 1;
  if (parent) {
    sw->parent = sw_retain(parent);
    sw__lock(parent);
    if (atomic_load_explicit(&parent->off, memory_order_relaxed) != 0) {
      atomic_store_explicit(&sw->off, 1, memory_order_relaxed); /* born off */
    } else {
      sw__link_child(parent, sw);
      sw->linked = true;
    }
    sw__unlock(parent);
  }
  return sw;
}

/* ---- turning off ------------------------------------------------------- */

/* Win the ON->OFF transition of `sw` and run its hooks. Returns false if the
** switch was already off. Caller holds a reference and no lock. */
static bool sw__off_self(sw_switch *sw) {
  sw__lock(sw);
  if (atomic_load_explicit(&sw->off, memory_order_relaxed) != 0) {
    sw__unlock(sw);
    return false;
  }
  atomic_store_explicit(&sw->off, 1, memory_order_release);
  sw__hook *h = sw->hooks;
  sw->hooks = sw->hooks_tail = NULL;
  sw__unlock(sw);

  while (h) {
    sw__hook *next = h->next;
    h->fn(h->data);
    free(h);
    h = next;
  }
  return true;
}

/* Push retained references to the live children of the (off) switch `sw`
** onto *work. */
static void sw__collect_children(sw_switch *sw, sw_switch **work) {
  sw__lock(sw);
  assert(atomic_load_explicit(&sw->off, memory_order_relaxed) != 0);
  for (sw_switch *c = sw->children; c; c = c->sib_next) {
    if (sw__try_retain(c)) {
      c->work_next = *work;
      *work = c;
    }
  }
  sw__unlock(sw);
}

bool sw_turn_off(sw_switch *sw) {
  if (!sw) return false;
  sw_retain(sw); /* a hook may drop the caller's reference */
  bool won = sw__off_self(sw);
  sw_switch *work = NULL;
  if (won) sw__collect_children(sw, &work);
  sw_release(sw);
  while (work) {
    sw_switch *c = work;
    work = c->work_next;
    c->work_next = NULL;
    /* If someone else turned `c` off, they also own the walk of its
    ** children. */
    if (sw__off_self(c)) sw__collect_children(c, &work);
    sw_release(c);
  }
  return won;
}

bool sw_is_on(const sw_switch *sw) {
  return !sw || atomic_load_explicit(&sw->off, memory_order_acquire) == 0;
}

const size_t *sw_cancel_flag(const sw_switch *sw) {
  if (!sw) return &sw__never_off;
  /* tree-sitter reads it with an atomic load of a size_t; _Atomic size_t
  ** has the same size and representation. */
  return (const size_t *)&sw->off;
}

/* ---- hooks ------------------------------------------------------------- */

int64_t sw_on_turn_off(sw_switch *sw, sw_hook_fn fn, void *data) {
  assert(sw && fn);
  if (!sw_is_on(sw)) {
    fn(data);
    return 0;
  }
  sw__hook *h = malloc(sizeof *h);
  if (!h) return -1;
  h->next = NULL;
  h->fn = fn;
  h->data = data;
  sw__lock(sw);
  if (atomic_load_explicit(&sw->off, memory_order_relaxed) != 0) {
    /* Lost the race with a turn-off: the winner already took the list. */
    sw__unlock(sw);
    free(h);
    fn(data);
    return 0;
  }
  h->id = sw->next_id++;
  if (sw->hooks_tail)
    sw->hooks_tail->next = h;
  else
    sw->hooks = h;
  sw->hooks_tail = h;
  int64_t id = h->id;
  sw__unlock(sw);
  return id;
}

bool sw_remove_hook(sw_switch *sw, int64_t id) {
  if (!sw || id <= 0) return false;
  sw__hook *found = NULL;
  sw__lock(sw);
  sw__hook *prev = NULL;
  for (sw__hook *h = sw->hooks; h; prev = h, h = h->next) {
    if (h->id == id) {
      found = h;
      if (prev)
        prev->next = h->next;
      else
        sw->hooks = h->next;
      if (sw->hooks_tail == h) sw->hooks_tail = prev;
      break;
    }
  }
  sw__unlock(sw);
  free(found);
  return found != NULL;
}
