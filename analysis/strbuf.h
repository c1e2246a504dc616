/*
** strbuf.h — a growable, always NUL-terminated string (printers, messages).
**
** A plain struct owned by its user (zero-initialise it: `strbuf b = {0};`).
** An allocation failure sets `oom`, after which appends are ignored, so
** callers check once at the end. Not thread-safe (one owner).
*/
#ifndef IML_STRBUF_H
#define IML_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
  char *s;        /* owned; NULL until something is appended */
  size_t len, cap;
  bool oom;
} strbuf;

/* Append s[0..n) (borrowed). */
void strbuf_put(strbuf *b, const char *s, size_t n);
void strbuf_puts(strbuf *b, const char *s);
void strbuf_putc(strbuf *b, char c);
void strbuf_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The string (caller frees with free; "" when empty), or NULL after an
** allocation failure. The buffer is consumed either way. */
char *strbuf_take(strbuf *b);

#endif
