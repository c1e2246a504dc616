/*
** outq.h — the outbound queue: the only way pool threads talk to the loop.
**
** Pool threads post (a) serialized JSON-RPC messages to write to stdout and
** (b) calls to run on the loop thread (e.g. "store this snapshot in the
** document"). The queue calls `wake` after a post that made it non-empty (the
** server passes a function doing ev_async_send), and the loop thread drains
** it in FIFO order.
**
** Each item may carry a guard switch: at drain time, on the loop thread, an
** item whose guard is off is dropped (a message is freed unsent; a call is
** invoked with dropped=true so it can free its argument). Because the loop
** thread is the only thread that turns document switches off (on edits), a
** guarded diagnostic can never be written after the edit that made it stale.
**
** Thread-safety: posts from any thread; outq_drain only from the loop thread
** (one drainer at a time).
*/
#ifndef IML_OUTQ_H
#define IML_OUTQ_H

#include <stdbool.h>
#include <stddef.h>
#include "switch.h"

typedef struct outq outq;

typedef void (*outq_wake_fn)(void *data);
typedef void (*outq_call_fn)(void *arg, bool dropped);
/* Writes one message; `json` is borrowed for the duration of the call. */
typedef void (*outq_write_fn)(const char *json, size_t len, void *data);

/* `wake` may be NULL (then the owner must poll). */
outq *outq_create(outq_wake_fn wake, void *wake_data);
/* Frees undrained items (messages freed, calls invoked with dropped=true).
** NULL-safe. */
void outq_destroy(outq *q);

/* Takes ownership of `json` (malloc'd, NUL-terminated). `guard` is borrowed
** (retained by the queue) and may be NULL. */
void outq_post_message(outq *q, char *json, sw_switch *guard);
void outq_post_call(outq *q, outq_call_fn fn, void *arg, sw_switch *guard);

/* Loop thread: take everything queued so far and process it in order
** (messages go to `write`). Returns the number of items processed. */
size_t outq_drain(outq *q, outq_write_fn write, void *write_data);

#endif
