/*
** syntax.h — syntax diagnostics from a tree-sitter tree.
**
** Reports ERROR and MISSING nodes as readable diagnostics with precise byte
** spans (e.g. "syntax error: unexpected `)`", "missing `)`"), except inside
** attribute/extension payloads (prover tactics: not the user's problem).
** Nested ERROR nodes are reported once (the outermost), so one mistake gives
** one diagnostic. Pure functions; callable from any thread on a tree the
** caller owns or has copied (ts_tree_copy).
*/
#ifndef IML_SYNTAX_H
#define IML_SYNTAX_H

#include <stddef.h>
#include <tree_sitter/api.h>
#include "text.h"

typedef enum { DIAG_ERROR = 1, DIAG_WARNING = 2, DIAG_INFO = 3, DIAG_HINT = 4 } diag_severity;

/* A place in another file that explains a diagnostic (LSP
** relatedInformation, a compiler's "note:"). */
typedef struct {
  char *path;              /* owned; canonical path of the other file */
  text_span span;          /* byte offsets in that file */
  uint32_t line, col;      /* 1-based line and code-point column of span.start */
  text_range range16;      /* span as an LSP range, UTF-16 positions */
  text_range range8;       /* span as an LSP range, UTF-8 positions */
  char *message;           /* owned */
} diag_related;

typedef struct {
  text_span span;          /* byte offsets in the user's text */
  diag_severity severity;
  const char *code;        /* static, stable: "E0001" … */
  char *message;           /* owned by the list */
  diag_related *related;   /* owned by the list, may be NULL */
  size_t nrelated;
} diag;

typedef struct {
  diag *items;
  size_t count, cap;
} diag_list;

/* Stable codes. */
#define SYN_CODE_UNEXPECTED "E0001"   /* unexpected token(s) */
#define SYN_CODE_MISSING    "E0002"   /* missing token */
#define SYN_CODE_UNSUPPORTED_TEXT "E0003" /* invalid UTF-8 / NUL bytes */
#define SYN_CODE_PARSER_LIMIT "E0004"     /* text the parser cannot handle safely (see iml_guard.h) */

/* Append the syntax diagnostics of `tree` over text[0..len) (borrowed) to
** `out`, sorted by position, at most `max` of them (0 = no limit). Returns 0,
** or -1 on allocation failure (out keeps what was added). */
int syn_diagnostics(const TSTree *tree, const char *text, size_t len,
                    diag_list *out, size_t max);

/* Append related information to `d`: `span` in the file `path` whose text
** is `text` with line index `lines` (all borrowed; strings copied). -1 on OOM. */
int diag_add_related(diag *d, const char *path, text_span span, const text_lines *lines, const char *text,
                     const char *message);

/* Free the messages, related information and the array; leaves an empty
** list. NULL-safe. */
void diag_list_clear(diag_list *l);
/* Append deep copies of src's diagnostics (borrowed) to dst. 0 or -1 on
** OOM (dst keeps what was added). */
int diag_list_append_copy(diag_list *dst, const diag_list *src);

/* Append a diagnostic; takes ownership of `message` (malloc'd). -1 on OOM
** (message freed). */
int diag_list_push(diag_list *l, text_span span, diag_severity sev, const char *code, char *message);

#endif
