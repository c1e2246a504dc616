/*
** promise.h — one-shot promises with completion callbacks.
**
** A promise is PENDING until it is resolved (with a value) or cancelled,
** exactly once; later attempts are ignored and return false. Callbacks added
** with prom_then run exactly once: on the thread that settles the promise, or
** immediately on the caller's thread if it is already settled. Nothing ever
** blocks waiting for a promise (there is deliberately no prom_wait), so pool
** threads can chain work without deadlocks.
**
** The value is owned by the promise once resolved and freed with the
** destructor given to prom_resolve when the last reference goes. Callbacks
** borrow the value: to keep it beyond the callback, take a reference on the
** promise (prom_retain) and read it later with prom_value.
**
** Thread-safety: every function may be called from any thread.
*/
#ifndef IML_PROMISE_H
#define IML_PROMISE_H

#include <stdbool.h>

typedef struct prom prom;

typedef enum { PROM_PENDING = 0, PROM_RESOLVED = 1, PROM_CANCELLED = 2 } prom_state;

/* Callback: `value` is NULL unless state == PROM_RESOLVED (borrowed). */
typedef void (*prom_cb)(prom_state state, void *value, void *data);
typedef void (*prom_free_fn)(void *value);

/* New pending promise with one reference, or NULL on allocation failure. */
prom *prom_create(void);
prom *prom_retain(prom *p);      /* returns p; NULL-safe */
void prom_release(prom *p);      /* NULL-safe */

/* Settle. prom_resolve takes ownership of `value` even when it returns false
** (then the value is freed immediately with free_value, if non-NULL). */
bool prom_resolve(prom *p, void *value, prom_free_fn free_value);
bool prom_cancel(prom *p);

/* Add a callback (see above). Returns false only on allocation failure, in
** which case the callback is not registered and not run. */
bool prom_then(prom *p, prom_cb cb, void *data);

prom_state prom_get_state(const prom *p);
/* The resolved value (borrowed, valid while the caller holds a reference),
** or NULL while pending or when cancelled. */
void *prom_value(const prom *p);

#endif
