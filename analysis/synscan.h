/*
** synscan.h — the lexical scan behind syntax.c's checks of error-free code.
**
** Used only by syntax.c (syn_diagnostics); not a general-purpose lexer.
**
** Some syntax mistakes leave no ERROR or MISSING node in the tree-sitter
** tree (`let x = in 3` parses `in` as a variable). syntax.c's walk does not
** descend into error-free subtrees, so it asks this scan, one linear pass
** over the text, for the SUSPICIOUS spots: byte offsets where such a
** mistake may hide. syntax.c then checks each spot on the tree; a spot is a
** hint, never a diagnostic by itself, and most spots turn out fine.
** Pure function of the text; callable from any thread.
*/
#ifndef IML_SYNSCAN_H
#define IML_SYNSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Kinds of spot, in the order syntax.c's walk would meet them at one offset
** (spots are sorted by position, then kind). */
typedef enum {
  SYNSCAN_KW,   /* a reserved/IML keyword tree-sitter may have taken for an identifier */
  SYNSCAN_BIND, /* a `let`/`and` (or `theorem`-like) binding head that may lack its `=` */
  SYNSCAN_STMT, /* a `verify`-like keyword not followed by an obvious expression */
  SYNSCAN_EOF   /* the last byte: an unterminated comment runs to the end */
} synscan_kind;

typedef struct {
  uint32_t pos;       /* byte offset of the token (keyword start; last byte for EOF) */
  unsigned char kind; /* synscan_kind */
} synscan_spot;

typedef struct {
  synscan_spot *items; /* owned by the list */
  size_t count, cap;
  bool oom;            /* a spot was dropped for lack of memory */
} synscan_list;

/* Scan text[0..len) (borrowed; need not be NUL-terminated) and fill `out`
** (borrowed; must be empty: zero-initialised or cleared) with its spots,
** sorted by (pos, kind). Returns 0, or -1 on allocation failure (out->oom
** set; out keeps the spots it got, still to be cleared by the caller). */
int synscan_run(const char *text, size_t len, synscan_list *out);

/* Free the spots; leaves an empty list. NULL-safe. */
void synscan_list_clear(synscan_list *l);

#endif
