/*
** docbuf.h — the mutable text of one open document.
**
** A docbuf belongs to the loop thread (not thread-safe): didOpen creates it,
** didChange applies full or incremental changes to it, and the loop copies
** its text into immutable snapshots for the pools. Positions follow text.h
** (lines end at "\n", "\r\n" is one line end, a lone "\r" is an ordinary
** character; UTF-16 or UTF-8 code units).
**
** Incremental changes convert positions with a cache of line starts that an
** edit only truncates after the edit point, so typing anywhere costs
** O(length of the edited line + bytes after the edit) — the latter is one
** memmove.
*/
#ifndef IML_DOCBUF_H
#define IML_DOCBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text.h"

typedef struct docbuf docbuf;

/* The byte-level effect of the last successful docbuf_apply /
** docbuf_replace_all, in tree-sitter's terms (TSInputEdit): rows count "\n",
** columns are bytes from the row's start. */
typedef struct {
  size_t start_byte, old_end_byte, new_end_byte;
  uint32_t start_row, start_col;
  uint32_t old_end_row, old_end_col;
  uint32_t new_end_row, new_end_col;
} docbuf_edit;

/* Create a document holding a copy of text[0..len) (borrowed; may be NULL
** when len == 0). Returns NULL on allocation failure; caller frees with
** docbuf_destroy. */
docbuf *docbuf_create(const char *text, size_t len);
void docbuf_destroy(docbuf *d); /* NULL-safe */

/* The current text (borrowed from the docbuf): always NUL-terminated at
** docbuf_len (the text itself may contain NUL bytes). Valid until the next
** docbuf_apply / docbuf_replace_all / docbuf_destroy. */
const char *docbuf_text(const docbuf *d);
size_t docbuf_len(const docbuf *d);

/* Replace the whole text with a copy of text[0..len) (borrowed; may be NULL
** when len == 0; may point into the current text). Returns 0, or -1 on
** allocation failure (text unchanged). */
int docbuf_replace_all(docbuf *d, const char *text, size_t len);

/* Apply one LSP incremental change: replace the range [start, end) with
** new_text[0..new_len) (borrowed; may be NULL when new_len == 0; may point
** into the current text). Positions are converted as text_offset does:
** a line past the end clamps to the end of the text, a character past the
** line's content clamps to the line end, and a position inside a character
** maps to its start. If end is before start the two are swapped. *clamped
** (if non-NULL) is set when any clamping or swapping happened, else cleared.
** Returns 0, or -1 on allocation failure (text unchanged). */
int docbuf_apply(docbuf *d, text_pos start, text_pos end, text_encoding enc,
                 const char *new_text, size_t new_len, bool *clamped);

/* Byte offset of `pos` in the current text, with text_offset's clamping
** (sets *clamped if non-NULL). Uses and extends the line cache. */
size_t docbuf_offset(docbuf *d, text_pos pos, text_encoding enc, bool *clamped);

/* Copy the last edit into *out and return true; false if there was none
** since creation. */
bool docbuf_last_edit(const docbuf *d, docbuf_edit *out);

#endif
