/*
** prelude.h — IML's standard library: analysis/prelude.iml, embedded into
** the binary at build time (CMake turns it into a C array) and checked by
** the same checker once per process, on first use (pthread_once).
**
** Thread-safety: prelude_sig may be called from any thread; the sig is
** immutable and lives until the process exits.
*/
#ifndef IML_PRELUDE_H
#define IML_PRELUDE_H

#include <stddef.h>

#include "sig.h"
#include "syntax.h"

/* The prelude's text (static). */
const char *prelude_text(size_t *len);

/* The checked prelude (borrowed, lives until exit), or NULL when it could
** not be built (out of memory). */
const sig *prelude_sig(void);

/* The diagnostics the prelude itself got (should be none; tests check it).
** Borrowed; empty when the prelude was built cleanly. */
const diag_list *prelude_diagnostics(void);

#endif
