/*
** workspace.h — the server's view of every file it knows: the file table
** keyed by canonical path, each file's latest parse and import analysis (an
** open document's parse overrides the disk), the importers index (who
** imports me), the closure of a file and the import cycles through it.
**
** Thread-safety: none. The workspace is mutable state and belongs to ONE
** thread (the server's loop thread); the work that fills it (reading,
** parsing, import analysis: graph_file_analyse) runs on the background pool
** and hands its results to that thread. What a workspace file holds is
** immutable (snapshots) or copied out, so pool threads never read the table.
**
** Life cycle of a file: UNLOADED (known, nothing loaded) -> LOADING (a load
** task is running) -> READY (parse + imports, or an I/O error) ->
** ws_invalidate -> UNLOADED … Every state change bumps `gen`, so the result
** of a load started before an invalidation is recognised as stale. Files
** are never removed (an entry costs a few hundred bytes without its parse,
** which ws_invalidate drops).
*/
#ifndef IML_WORKSPACE_H
#define IML_WORKSPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph.h"
#include "switch.h"
#include "text.h"

typedef enum { WS_UNLOADED, WS_LOADING, WS_READY } ws_state;

typedef struct ws_file {
  graph_file info;          /* info.path: canonical path (owned); the rest valid when READY */
  ws_state state;
  unsigned gen;             /* bumped by every state change */
  bool open;                /* an open document: info comes from the editor, not the disk */
  sw_switch *sw;            /* open: the switch of info.sn's version (owned reference), else NULL */
  uint64_t shape;           /* hash of the resolved targets and import spans (early cutoff) */
  struct ws_file **importers; /* owned array of borrowed pointers: files whose targets include this one */
  size_t nimporters, capimporters;
  /* Scratch for traversals (valid only inside one ws_ call). */
  unsigned mark;
  struct ws_file *via;
  size_t via_import;
} ws_file;

typedef struct ws ws;

ws *ws_create(void);            /* NULL on OOM */
void ws_destroy(ws *w);         /* frees every file; NULL-safe */

/* The file with canonical `path` (borrowed), or NULL. */
ws_file *ws_find(ws *w, const char *path);
/* The file with canonical `path` (borrowed, copied), created UNLOADED if
** absent. Borrowed result (stable until ws_destroy), NULL on OOM. */
ws_file *ws_intern(ws *w, const char *path);

/* Install a finished analysis in `f`: takes ownership of everything `a`
** owns except a->path (a is zeroed); `sw` (borrowed, retained; may be NULL)
** is the open document version's switch. The file becomes READY, its
** importer edges follow its new targets. Returns true when its shape
** (targets and import spans) changed, i.e. when files that import it may
** have to be re-checked. */
bool ws_set(ws *w, ws_file *f, graph_file *a, sw_switch *sw);

/* Forget what `f` holds (parse, imports, edges): UNLOADED, gen bumped.
** Keeps `open`. Returns true when it was READY with a shape. */
bool ws_invalidate(ws *w, ws_file *f);

/* Mark `f` LOADING (gen bumped); returns the gen to hand to the load task. */
unsigned ws_begin_load(ws_file *f);

/* Breadth-first walk of the import closure of `root` (root included) over
** READY files: calls `missing(file, data)` for each UNLOADED file reached
** (creating entries for targets not seen before). Returns true when the
** whole closure is READY. */
bool ws_closure(ws *w, ws_file *root, void (*missing)(ws_file *f, void *data), void *data);

/* Calls fn for every file that imports `f` directly or transitively (f
** itself excluded unless it is on a cycle), each once. */
void ws_importers(ws *w, ws_file *f, void (*fn)(ws_file *f, void *data), void *data);

/* The import cycles through `f`: one E0108 on each import of f whose target
** leads back to f (shortest way), naming the cycle from f
** ("import cycle: a.iml → b.iml → a.iml"), with related information on the
** import in the next file. Appended to `out` in import order; 0 or -1 on OOM. */
int ws_cycles(ws *w, ws_file *f, diag_list *out);

/* Iterate over all files (in no particular order). */
void ws_each(ws *w, void (*fn)(ws_file *f, void *data), void *data);
size_t ws_count(const ws *w);

#endif
