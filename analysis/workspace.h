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
#include "sig.h"
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
  /* Type checking (driven by server/docsync.c, loop thread only). */
  sig *sig;                 /* the latest interface (owned reference), NULL before the first check */
  struct tc_ctx *ctx;       /* the context of the latest check (owned reference), for requests */
  diag_list type_diags;     /* the latest check's diagnostics */
  int64_t type_version;     /* the document version they are for (open documents) */
  bool dirty;               /* must be checked (again): new parse, or an import's interface changed */
  sw_switch *check_sw;      /* the running check's switch (owned), NULL when none runs */
  unsigned check_gen;       /* bumped whenever it becomes dirty: older results are stale */
  /* Scratch for traversals (valid only inside one ws_ call). */
  unsigned mark;
  struct ws_file *via;
  size_t via_import;
  size_t scc, index, low;
  bool on_stack;
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

/* Mark `f` dirty (to be checked again): bumps check_gen and turns off the
** switch of a check in flight (its result will be stale). */
void ws_mark_dirty(ws_file *f);

/* The files that can be type-checked now: walk the closures of `roots`
** (borrowed array of n files), find import cycles (strongly connected
** components), and call ready(f) for every dirty, idle, parsed file whose
** imports in other components are all loaded and clean (their interfaces
** are up to date). Imports in f's own component (a cycle) are not waited
** for: ws_same_component tells the caller to treat them as unknown. */
void ws_check_ready(ws *w, ws_file *const *roots, size_t n, void (*ready)(ws_file *f, void *data), void *data);
/* Valid during ws_check_ready's callback: are a and b on one import cycle? */
bool ws_same_component(const ws_file *a, const ws_file *b);

/* Iterate over all files (in no particular order). */
void ws_each(ws *w, void (*fn)(ws_file *f, void *data), void *data);
size_t ws_count(const ws *w);

#endif
