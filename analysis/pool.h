/*
** pool.h — fixed-size thread pools (the QUERY pool and the BACKGROUND pool).
**
** Work items follow libuv's life cycle: queued -> running -> done. Each
** submitted task's function is called EXACTLY ONCE: with cancelled=false when
** it runs normally, or with cancelled=true when its switch was already off
** when a worker dequeued it, or when the pool is destroyed while the task is
** still queued. A task called with cancelled=true must only release what it
** owns (it runs on a worker thread, or on the destroying thread).
**
** Tasks must never block waiting for other tasks of a pool (no futures
** awaited inside a pool thread): chain work with promise callbacks instead.
**
** Thread-safety: pool_submit may be called from any thread, including from
** inside a task of any pool. pool_destroy must be called from a thread that
** is not one of the pool's workers.
*/
#ifndef IML_POOL_H
#define IML_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include "switch.h"

typedef struct pool pool;

typedef void (*pool_task_fn)(void *arg, bool cancelled);

/* Create a pool named `name` (borrowed; copied; shown as the thread name,
** truncated to 15 bytes) with `nthreads` workers (clamped to 1..256).
** `nice_delta` > 0 lowers the workers' OS priority (setpriority on the
** thread; failure is ignored). Returns NULL if no thread could be started. */
pool *pool_create(const char *name, int nthreads, int nice_delta);

/* Stop accepting work, call every still-queued task with cancelled=true,
** wait for running tasks to finish, join the workers and free the pool.
** pool_destroy(NULL) is a no-op. */
void pool_destroy(pool *p);

/* Queue `fn(arg, …)`. `sw` is borrowed (the pool retains it until the task is
** done) and may be NULL. Tasks run in FIFO order per pool. Returns 0 on
** success; -1 if the pool is shutting down or out of memory, in which case fn
** is called immediately with cancelled=true on this thread. */
int pool_submit(pool *p, pool_task_fn fn, void *arg, sw_switch *sw);

/* Number of worker threads. */
int pool_size(const pool *p);

/* True when called from one of this pool's worker threads. */
bool pool_in_worker(const pool *p);

/* Counters for tests and benchmarks (approximate while running). */
typedef struct {
  size_t submitted, completed, cancelled, queued;
} pool_stats;
pool_stats pool_get_stats(pool *p);

#endif
