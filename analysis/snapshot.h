/*
** snapshot.h — an immutable, reference-counted parse of one document version.
**
** A snapshot holds the text of one version, its IML view, its line index,
** its tree-sitter tree, its AST (ast.h, lowered from the tree) and its
** syntax and lowering diagnostics. It is built by one
** background task (snap_build) and never changes afterwards, so any number
** of query tasks may read it concurrently. Tree-sitter trees must not be
** used from several threads at once, so readers take their own shallow copy
** with snap_tree_copy (cheap: it shares the nodes).
**
** Life cycle: snap_build returns one reference; snap_retain/snap_release
** (atomic); the last release frees everything.
*/
#ifndef IML_SNAPSHOT_H
#define IML_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <tree_sitter/api.h>
#include "ast.h"
#include "switch.h"
#include "syntax.h"
#include "text.h"

typedef struct snap snap;

/* Parse `text` (takes ownership; malloc'd, len bytes plus a NUL) for
** document `uri` (borrowed, copied) at `version`. `base` (borrowed, may be
** NULL) is an earlier snapshot of the same document: its tree is reused
** incrementally. `parser` is the calling thread's parser (borrowed). `sw`
** (borrowed, may be NULL) cancels the parse: the result is NULL when it was
** turned off (or on OOM), and `text` is freed in that case. */
snap *snap_build(const char *uri, int64_t version, char *text, size_t len,
                 const snap *base, TSParser *parser, const sw_switch *sw);

snap *snap_retain(snap *s);          /* NULL-safe, returns s */
void snap_release(snap *s);          /* NULL-safe */

const char *snap_uri(const snap *s);
int64_t snap_version(const snap *s);
const char *snap_text(const snap *s);   /* NUL-terminated */
size_t snap_len(const snap *s);
const text_lines *snap_lines(const snap *s);
const diag_list *snap_diagnostics(const snap *s);
/* A private copy of the tree for this thread; caller frees with
** ts_tree_delete. NULL on OOM. */
TSTree *snap_tree_copy(const snap *s);
/* The immutable AST (borrowed; lives as long as the snapshot). */
const ast_file *snap_ast(const snap *s);
/* Parse statistics for tests/benchmarks: true when the tree was produced
** incrementally from a base snapshot. */
int snap_was_incremental(const snap *s);

/* Maximum number of syntax diagnostics kept per file (one mistake can make
** tree-sitter report many; more than this is noise). */
#define SNAP_MAX_DIAGNOSTICS 100

/* The calling thread's parser (created on first use, freed at thread exit). */
TSParser *snap_thread_parser(void);

#endif
