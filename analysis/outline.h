/*
** outline.h — syntax-tree features: document symbols, folding ranges and
** selection ranges. Pure functions over an immutable tree + text; callable
** from any query-pool thread. Ranges are byte spans; the server converts
** them to LSP positions with the snapshot's text_lines.
*/
#ifndef IML_OUTLINE_H
#define IML_OUTLINE_H

#include <stddef.h>
#include <tree_sitter/api.h>
#include "text.h"

/* LSP SymbolKind values we use. */
typedef enum {
  OSYM_MODULE = 2, OSYM_CLASS = 5, OSYM_METHOD = 6, OSYM_PROPERTY = 7, OSYM_FIELD = 8,
  OSYM_ENUM = 10, OSYM_INTERFACE = 11, OSYM_FUNCTION = 12, OSYM_VARIABLE = 13,
  OSYM_CONSTANT = 14, OSYM_BOOLEAN = 17, OSYM_OBJECT = 19, OSYM_ENUM_MEMBER = 22,
  OSYM_STRUCT = 23, OSYM_EVENT = 24, OSYM_OPERATOR = 25, OSYM_TYPE_PARAMETER = 26,
} osym_kind;

typedef struct osym {
  char *name;              /* owned */
  char *detail;            /* owned, may be NULL: "theorem", "lemma", "verify", "type", … */
  osym_kind kind;
  text_span range;         /* whole item */
  text_span selection;     /* the name (or keyword for anonymous statements) */
  struct osym *children;   /* owned array */
  size_t nchildren;
} osym;

/* Hierarchical document symbols: types (with constructors and fields),
** values/functions, theorems/lemmas/axioms, verify/instance/eval/test/qcheck
** statements, imports, nested modules (recursively; bounded depth).
** Returns an owned array in *out (free with outline_symbols_free), count in
** *n; -1 on OOM. */
int outline_symbols(const TSTree *tree, const char *text, size_t len, osym **out, size_t *n);
void outline_symbols_free(osym *syms, size_t n);   /* NULL-safe */

typedef enum { OFOLD_REGION = 0, OFOLD_COMMENT = 1, OFOLD_IMPORTS = 2 } ofold_kind;
typedef struct { uint32_t start_line, end_line; ofold_kind kind; } ofold;

/* Folding ranges for multi-line items, modules, match arms, comments and
** consecutive import lines. `lines` is the text's line index (borrowed).
** Owned array in *out (free with free), -1 on OOM. */
int outline_folding(const TSTree *tree, const char *text, size_t len,
                    const text_lines *lines, ofold **out, size_t *n);

/* Selection range chain at byte `offset`: innermost first, each strictly
** containing the previous, ending with the whole document. Owned array in
** *out (free with free), -1 on OOM. */
int outline_selection(const TSTree *tree, const char *text, size_t len,
                      uint32_t offset, text_span **out, size_t *n);

#endif
