/*
** switch.h — hierarchical cancellation tokens ("switches").
**
** A switch is ON when created and can be turned OFF exactly once; it never
** turns back on. A child is off whenever its parent is off: turning a parent
** off turns off every live child (transitively), and creating a child of an
** already-off parent yields an off child. Hooks registered with
** sw_on_turn_off run exactly once, on the thread that turned the switch off
** (or immediately, on the registering thread, if it is already off).
**
** Every document version owns one switch; the next edit turns it off, so
** stale parsing/typechecking stops at its next sw_is_on() poll and its
** results are dropped. $/cancelRequest turns off a request's switch.
**
** Thread-safety: every function may be called from any thread.
** Life cycle: reference counted (sw_create returns one reference); a child
** holds a reference to its parent; a parent only holds weak links to its
** children, so dropping the last reference to a child frees it.
*/
#ifndef IML_SWITCH_H
#define IML_SWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sw_switch sw_switch;

/* Hook run once when the switch turns off. Must not call back into the same
** switch's hook registration (it may call sw_is_on / sw_turn_off freely). */
typedef void (*sw_hook_fn)(void *data);

/* Create a switch. `parent` is borrowed and may be NULL; the child keeps its
** own reference to it. Returns a new switch with one reference (caller
** releases with sw_release), or NULL on allocation failure. */
sw_switch *sw_create(sw_switch *parent);

/* Reference counting (atomic). sw_retain returns its argument;
** sw_release(NULL) and sw_retain(NULL) are no-ops. */
sw_switch *sw_retain(sw_switch *sw);
void sw_release(sw_switch *sw);

/* Turn the switch off (idempotent). Runs its hooks, then turns off its
** children. Returns true if this call did the turning off. */
bool sw_turn_off(sw_switch *sw);

/* Cheap poll (one atomic load). sw_is_on(NULL) is true (no switch = never
** cancelled). */
bool sw_is_on(const sw_switch *sw);

/* Register a hook. If the switch is already off the hook runs immediately on
** this thread and 0 is returned. Otherwise returns a positive id usable with
** sw_remove_hook. Returns -1 on allocation failure (hook not registered, not
** run). */
int64_t sw_on_turn_off(sw_switch *sw, sw_hook_fn fn, void *data);

/* Unregister a hook that has not run yet. Returns true if it was removed
** (and will never run), false if it already ran, is running, or is unknown. */
bool sw_remove_hook(sw_switch *sw, int64_t id);

/* A flag suitable for ts_parser_set_cancellation_flag: it reads non-zero once
** the switch (or an ancestor) is off. Valid while the caller holds a
** reference to `sw`. */
const size_t *sw_cancel_flag(const sw_switch *sw);

#endif
