/*
** text.h — positions in text: byte offsets <-> LSP positions.
**
** LSP positions are (line, character) where `character` counts UTF-16 code
** units (default) or bytes (when UTF-8 was negotiated). Lines end at "\n";
** a "\r\n" pair counts as one line end and the "\r" is not part of any
** character position (positions inside the pair clamp to the line end).
** Invalid UTF-8 bytes count as one code unit each (as U+FFFD would in
** UTF-16), so conversions never fail, and a position past the end of a line
** or of the text is clamped.
**
** A text_lines index (line start offsets) makes conversions O(log lines +
** line length). It is immutable once built and may be shared across threads.
*/
#ifndef IML_TEXT_H
#define IML_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { TEXT_UTF16 = 0, TEXT_UTF8 = 1 } text_encoding;

typedef struct { uint32_t line, character; } text_pos;       /* LSP position */
typedef struct { text_pos start, end; } text_range;          /* LSP range */
typedef struct { uint32_t start, end; } text_span;           /* byte offsets, end exclusive */

typedef struct text_lines text_lines;

/* Build the index of `text[0..len)` (borrowed: the index keeps a pointer to
** it, so the text must outlive the index). Returns NULL on allocation failure. */
text_lines *text_lines_create(const char *text, size_t len);
void text_lines_destroy(text_lines *tl);   /* NULL-safe */

size_t text_lines_count(const text_lines *tl);          /* >= 1 */
size_t text_lines_start(const text_lines *tl, size_t line); /* byte offset of line start; clamps */
/* Byte offset of the end of `line`, excluding "\n" / "\r\n". */
size_t text_lines_end(const text_lines *tl, size_t line);

/* Position -> byte offset. Sets *clamped (if non-NULL) when the position was
** outside the text or past its line end and had to be clamped. */
size_t text_offset(const text_lines *tl, text_pos pos, text_encoding enc, bool *clamped);
/* Byte offset -> position (offset clamped to len; an offset inside a UTF-8
** sequence maps to the start of that character). */
text_pos text_position(const text_lines *tl, size_t offset, text_encoding enc);
text_range text_range_of(const text_lines *tl, text_span span, text_encoding enc);

/* One-shot helpers without an index (O(offset)); for mutation on the loop
** thread where the text changes after every edit. */
size_t text_offset_scan(const char *text, size_t len, text_pos pos, text_encoding enc, bool *clamped);

/* Number of bytes of the UTF-8 sequence starting at s[0] (1..4); returns 1
** for an invalid or truncated sequence. Writes the code point (U+FFFD for
** invalid) to *cp if non-NULL. */
size_t text_utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp);

/* Length (1..4) of the valid UTF-8 sequence at s[0..avail), or 0 when it is
** invalid (overlong, surrogate, > U+10FFFF, truncated). avail > 0. */
size_t text_utf8_valid_len(const unsigned char *s, size_t avail);

/* True when text[0..len) is valid UTF-8. */
bool text_utf8_valid(const char *text, size_t len);

#endif
