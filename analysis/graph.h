/*
** graph.h — the import graph of a set of IML files, discovered in parallel.
**
** graph_discover reads and parses every file of the transitive import
** closure of some roots on the BACKGROUND pool: one task per file, each file
** read and parsed exactly once however often (and however concurrently) it is
** imported; a file's resolved imports spawn tasks for their targets; `done`
** runs once when the whole closure is finished (or its switch was turned
** off). graph_finish then finds import cycles. The results are read after
** that, from one thread.
**
** Used by `iml-lsp check`. The server's workspace (server/workspace.h)
** keeps one graph_file per file and fills it with graph_file_analyse.
*/
#ifndef IML_GRAPH_H
#define IML_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "imports.h"
#include "pool.h"
#include "sig.h"
#include "snapshot.h"
#include "switch.h"

#define GRAPH_CODE_CYCLE "E0108" /* an import cycle (reported on each import of the cycle) */

typedef struct {
  char *path;               /* canonical path (owned) */
  snap *sn;                 /* the parse (owned reference), NULL on I/O error */
  char *io_error;           /* owned message, or NULL */
  imp_import *imports;      /* owned, n = nimports */
  size_t nimports;
  char **targets;           /* owned: canonical target of each import, or NULL */
  diag_list import_diags;   /* E0101… from imp_check, plus E0108 cycles */
  int parses;               /* how many times the file was parsed (always 1) */
  diag_list type_diags;     /* from graph_typecheck */
  sig *sig;                 /* its interface after graph_typecheck (owned reference), or NULL */
} graph_file;

/* Fill `f` (any thread; f->path set, canonical): unless f->sn is already set
** (an open document's parse), read f->path and parse it (sets sn, or
** io_error); then extract and resolve its imports (imports, targets,
** import_diags) against its directory and `roots` (borrowed). `sw` (borrowed,
** may be NULL) cancels the parse. Failures are recorded in io_error (or, for
** OOM in the import analysis, as missing imports). */
void graph_file_analyse(graph_file *f, const char *const *roots, size_t nroots, sw_switch *sw);

/* Free everything `f` owns (path included) and zero it. NULL-safe. */
void graph_file_clear(graph_file *f);

typedef struct graph graph;

/* `bg` (borrowed) runs the tasks; include roots are copied. NULL on OOM. */
graph *graph_create(pool *bg, const char *const *roots, size_t nroots);
/* Must not be called while a discovery is running. NULL-safe. */
void graph_destroy(graph *g);


/* Discover the closure of `paths` (borrowed; need not be canonical; files
** that cannot be canonicalised are recorded with an I/O error). `sw`
** (borrowed, may be NULL) cancels the discovery. `done(data)` is called
** exactly once: on a pool thread, or on this thread when there is nothing
** to do. One discovery at a time per graph. Returns 0, -1 on OOM (done not
** called). */
int graph_discover(graph *g, const char *const *paths, size_t n, sw_switch *sw,
                   void (*done)(void *data), void *data);

/* After `done`: detect cycles (adds E0108 diagnostics naming the whole
** cycle on each import of it) and sort the files by path. */
void graph_finish(graph *g);

/* After graph_finish: type-check every file on the pool, each one as soon
** as the interfaces of the files it imports are ready (files on an import
** cycle see each other as unknown modules; independent files run in
** parallel; no task waits for another). `prelude` (borrowed) is the checked
** prelude. `done(data)` runs once, on the thread that finished the last
** check (or on this thread when there is nothing to check). Results go to
** each file's type_diags and sig. Returns 0, -1 on OOM (done not called). */
int graph_typecheck(graph *g, const sig *prelude, sw_switch *sw, void (*done)(void *data), void *data);

/* Files finished so far and files known so far (for progress bars; any
** thread, during a discovery). */
void graph_progress(graph *g, size_t *finished, size_t *known);

size_t graph_count(const graph *g);
const graph_file *graph_get(const graph *g, size_t i);   /* borrowed */
/* The file with canonical path `path`, or NULL (after graph_finish). */
const graph_file *graph_find(const graph *g, const char *path);

#endif
