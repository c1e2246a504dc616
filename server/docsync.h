/*
** docsync.h — open documents, the workspace of files they import, and their
** diagnostics: parse on every version, discover the import closure, report
** import cycles, re-check importers when an imported file changes (in the
** editor or on disk).
**
** Every function here runs on the LOOP thread (it owns the document store
** and the workspace); the work runs on the pools (see docsync.c's DESIGN).
*/
#ifndef IML_DOCSYNC_H
#define IML_DOCSYNC_H

#include <cjson/cJSON.h>
#include "srv.h"

/* textDocument/didOpen: store the document (strings borrowed, copied) and
** schedule its parse. Returns the doc (borrowed) or NULL on OOM. */
doc *dsync_open(srv *s, const char *uri, const char *language_id, int64_t version, const char *text);

/* After d's text changed and its new version began: schedule the parse. */
void dsync_changed(srv *s, doc *d);

/* textDocument/didClose: forget the document (its file reverts to the disk
** for the documents that import it) and clear its diagnostics. */
void dsync_close(srv *s, const char *uri);

/* After `initialized`: load (and type-check, in the background) every
** *.iml file of the workspace folders, so that references and the
** importers of a file are workspace-wide. Bounded (DSYNC_INDEX_MAX files,
** hidden directories and node_modules skipped). */
#define DSYNC_INDEX_MAX 20000
void dsync_index_workspace(srv *s);

/* workspace/didChangeWatchedFiles (params borrowed) and textDocument/didSave:
** files changed on disk; re-check what depends on them. */
void dsync_files_changed(srv *s, const cJSON *params);
void dsync_saved(srv *s, const cJSON *params);

#endif
