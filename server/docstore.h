/*
** docstore.h — the open documents (loop thread only).
**
** DESIGN: the loop thread owns the store and every document in it; no other
** thread ever sees a `doc`. What crosses to pool threads is immutable: a copy
** of the text handed to a parse task, the version's switch and promise
** (thread-safe, reference counted) and snapshots.
**
** Each document version has a switch (child of the server's root switch) and
** a promise of its snapshot. docstore_begin_version turns the previous
** version's switch off (stale parsing stops, stale results are dropped) and
** cancels its promise (requests waiting on it answer ContentModified).
*/
#ifndef IML_DOCSTORE_H
#define IML_DOCSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "docbuf.h"
#include "promise.h"
#include "snapshot.h"
#include "switch.h"

typedef struct doc {
  char *uri;            /* owned */
  char *language_id;    /* owned, may be NULL */
  int64_t version;
  docbuf *buf;          /* owned: the client's current text */
  sw_switch *sw;        /* owned reference: this version's switch */
  prom *parsed;         /* owned reference: promise of this version's snap */
  prom *checked;        /* owned reference: promise of this version's tc_ctx (type-checked) */
  snap *last;           /* owned reference, may be NULL: newest finished parse (incremental base) */
  char *path;           /* owned: canonical file path of a file:// URI, NULL for other schemes */
  /* Diagnostics publishing (server/docsync.c): publications are numbered
  ** when scheduled and one older than the last written is dropped, so two
  ** publications racing on the query pool cannot reorder. */
  uint64_t pub_seq, pub_written;
  uint64_t cycles_hash; /* hash of the import-cycle diagnostics last scheduled */
  struct doc *next;     /* hash chain */
} doc;

typedef struct docstore docstore;

/* `root` (borrowed, retained) is the parent of every version switch. */
docstore *docstore_create(sw_switch *root);
/* Turns every version switch off, cancels promises and frees all. NULL-safe. */
void docstore_destroy(docstore *ds);

doc *docstore_get(docstore *ds, const char *uri);   /* borrowed or NULL */
/* Add a document (uri, path and text borrowed, copied; path may be NULL); replaces an existing one
** with the same uri. Returns the doc (borrowed) or NULL on OOM. The new doc
** already has a fresh version (switch + promise). */
doc *docstore_open(docstore *ds, const char *uri, const char *path, const char *language_id, int64_t version,
                   const char *text, size_t len);
/* Remove and free (turns its switch off). No-op if absent. */
void docstore_close(docstore *ds, const char *uri);

/* Start a new version of `d` after its text changed: turns the old switch
** off, cancels the old promise, creates new ones. Returns 0 or -1 on OOM. */
int docstore_begin_version(docstore *ds, doc *d, int64_t version);

/* Replace d->last by `s` (borrowed, retained) if `s` is newer. */
void docstore_set_last(doc *d, snap *s);

size_t docstore_count(const docstore *ds);

/* Iterate: call fn for each doc. */
void docstore_each(docstore *ds, void (*fn)(doc *d, void *data), void *data);

#endif
