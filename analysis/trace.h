/*
** trace.h — Chrome trace-event recording (loadable in Perfetto or
** chrome://tracing) for `iml-lsp check --trace FILE`.
**
** Spans are recorded only after trace_enable(); then trace_span may be called
** from any thread (a mutex guards the event buffer) and trace_write, after
** the traced work is finished, writes {"traceEvents":[…]} with one complete
** ("X") event per span, tagged with the thread, plus thread-name metadata.
*/
#ifndef IML_TRACE_H
#define IML_TRACE_H

#include <stdbool.h>
#include <stdint.h>

void trace_enable(void);
bool trace_enabled(void);
/* Microseconds on a monotonic clock. */
uint64_t trace_now_us(void);
/* Record a span [start_us, end_us) named `name` (static string) about file
** `file` (borrowed, copied; may be NULL) on the calling thread. No-op unless
** enabled. */
void trace_span(const char *name, const char *file, uint64_t start_us, uint64_t end_us);
/* Write the recorded events to `path` (borrowed) and free them. 0 or -1
** (errno set). */
int trace_write(const char *path);

#endif
