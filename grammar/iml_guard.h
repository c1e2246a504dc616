/*
** iml_guard.h — keeping pathological input away from a tree-sitter crash.
**
** Debian's tree-sitter runtime 0.20.7 stores a node's child count in 16
** bits (fixed upstream in 0.20.8): a syntax node with more than 65,535
** children corrupts the heap and the process dies. Real code never builds
** such nodes, but generated or garbage input can: 65,536 consecutive
** comments, or error recovery over ~65,536 tokens of repeated unfinished
** items (e.g. 20,000 lines of `let x = [`). A node's children each cover at
** least one token, so text with few tokens is safe; for larger text the
** server first parses it in a forked child process (a "probe") and only
** parses it itself if the probe survived.
**
** Thread-safety: pure functions; imlg_probe_parse forks, which is safe from
** any thread here because the child only parses and calls _exit (glibc
** keeps malloc usable in the child of a multi-threaded parent).
*/
#ifndef IML_GUARD_H
#define IML_GUARD_H

#include <stddef.h>

/* Texts with at most this many (estimated) tokens cannot make a node with
** 65,536 children, even counting zero-width MISSING nodes: no probe needed. */
#define IMLG_SAFE_TOKENS 30000

/* Over-estimate of the number of tokens of the view (borrowed): one per run
** of identifier characters plus one per punctuation byte. Linear, no
** allocation. */
size_t imlg_token_estimate(const char *view, size_t len);

typedef enum {
  IMLG_PROBE_OK = 0,        /* the parse completed: parsing here is safe */
  IMLG_PROBE_CRASHED = 1,   /* the parser crashed on this view */
  IMLG_PROBE_CANCELLED = 2, /* *cancel became non-zero; the child was killed */
  IMLG_PROBE_FAILED = -1,   /* fork/wait failed: unknown */
} imlg_probe_result;

/* Parse `view[0..len)` (borrowed) from scratch in a child process and report
** whether it survived. `cancel` (borrowed, may be NULL) is polled every few
** milliseconds while waiting. */
imlg_probe_result imlg_probe_parse(const char *view, size_t len, const size_t *cancel);

#endif
