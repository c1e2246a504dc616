/*
** transport.h — JSON-RPC base protocol framing ("Content-Length: N\r\n\r\n").
**
** tr_reader is an incremental, allocation-bounded frame parser: feed it any
** split of the input byte stream and it emits the same events. It is a pure
** state machine (no I/O) owned by the loop thread.
**
** Header rules: header lines end with "\r\n" (a bare "\n" is tolerated);
** names are case-insensitive; Content-Type and unknown headers are ignored;
** the header block ends with an empty line. A header block without a valid
** Content-Length (missing, negative, non-numeric, overflowing) yields
** TR_EV_BAD_HEADER and the reader resynchronises at the next header block.
** A header line longer than 8 KiB, or a header block over 64 KiB, is
** TR_EV_BAD_HEADER too (the rest of that block is skipped). A body larger than
** max_body yields TR_EV_TOO_LARGE once, and its bytes are discarded as they
** arrive without being buffered.
*/
#ifndef IML_TRANSPORT_H
#define IML_TRANSPORT_H

#include <stddef.h>

typedef enum {
  TR_EV_MESSAGE = 0,   /* body/len: one complete body (not NUL-terminated in the stream, but body[len] == 0) */
  TR_EV_BAD_HEADER,    /* body: NULL; len: 0; detail: reason */
  TR_EV_TOO_LARGE,     /* body: NULL; len: announced length; detail: reason */
} tr_event;

/* `body` is borrowed for the duration of the callback. `detail` is a static
** or reader-owned string valid during the callback. */
typedef void (*tr_event_fn)(tr_event ev, const char *body, size_t len,
                            const char *detail, void *data);

typedef struct tr_reader tr_reader;

tr_reader *tr_reader_create(size_t max_body);
void tr_reader_destroy(tr_reader *r);   /* NULL-safe */

/* Feed n bytes (borrowed); emits zero or more events synchronously. */
void tr_reader_feed(tr_reader *r, const char *buf, size_t n, tr_event_fn fn, void *data);

/* True when the reader holds a partial header or body (useful at EOF to
** report a truncated message). */
int tr_reader_pending(const tr_reader *r);

/* Frame a body: returns malloc'd "Content-Length: len\r\n\r\n" + body and
** stores the total size in *out_len. Caller frees. NULL on OOM. */
char *tr_frame(const char *body, size_t len, size_t *out_len);

#endif
