/*
** handlers.h — request handlers that run on the QUERY pool, and builders of
** server-to-client notifications that run on the BACKGROUND pool.
**
** Every function reads only an immutable snapshot (borrowed) and the request
** params (borrowed, not modified), so any number may run concurrently. They
** return a new cJSON result the caller owns, or NULL with *code/msg set (a
** JSON-RPC error code and a message). `sw` (borrowed, may be NULL) is polled
** in loops so a cancelled request stops early (the result is then dropped).
*/
#ifndef IML_HANDLERS_H
#define IML_HANDLERS_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include "snapshot.h"
#include "switch.h"
#include "text.h"

typedef struct {
  int code;
  char msg[256];
} hd_error;

/* What handlers may read besides the snapshot: set once at initialize,
** before the pools start, immutable afterwards (borrowed by handlers). */
typedef struct {
  text_encoding enc;
  const char *const *roots;  /* include roots for imports: includePaths, workspace folders */
  size_t nroots;
} hd_ctx;

/* What a request reads about its document (all borrowed, immutable). */
typedef struct {
  const snap *s;             /* the version's parse */
  const struct tc_ctx *tc;   /* its type-check context (hd_needs_types), else NULL */
  struct tc_ctx *const *workspace; /* references: every checked file of the workspace */
  size_t nworkspace;
} hd_doc;

typedef cJSON *(*hd_query_fn)(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params,
                              const sw_switch *sw, hd_error *err);

cJSON *hd_document_symbol(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw, hd_error *err);
cJSON *hd_folding_range(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw, hd_error *err);
cJSON *hd_selection_range(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw, hd_error *err);
/* Import strings as links to the files they resolve to. */
cJSON *hd_document_link(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw, hd_error *err);
/* Definition of an import string, of `M` in `M.x`, `M.(e)`, or `open M`
** where M is an imported module: the imported file. null elsewhere. */
cJSON *hd_definition(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw, hd_error *err);

/* Params of textDocument/publishDiagnostics for `s` (uri, version,
** diagnostics with code, source "iml" and relatedInformation): its syntax
** diagnostics plus `extra` (borrowed, may be NULL), sorted. Caller owns the result. */
cJSON *hd_publish_diagnostics(const snap *s, const diag_list *extra, text_encoding enc);

/* Type-based features (hd_types.c): they need doc->tc. */
cJSON *hd_hover(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw, hd_error *err);
/* definition / declaration: values, constructors, fields, types, modules
** across files; import strings and module names of imports. */
cJSON *hd_goto_definition(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw, hd_error *err);
cJSON *hd_type_definition(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw, hd_error *err);
/* Every occurrence of the symbol under the cursor in doc->workspace. */
cJSON *hd_references(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw, hd_error *err);
cJSON *hd_document_highlight(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw, hd_error *err);

/* Look up the query handler for an LSP method, or NULL. */
hd_query_fn hd_lookup(const char *method);

/* True for requests whose params hold no position (documentSymbol,
** foldingRange): the server recomputes them on the new version after an
** edit instead of answering ContentModified. */
bool hd_position_free(const char *method);
/* The request needs the version's type check (it waits for it). */
bool hd_needs_types(const char *method);
/* The request reads every checked file of the workspace (references). */
bool hd_needs_workspace(const char *method);

#endif
