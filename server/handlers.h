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

typedef cJSON *(*hd_query_fn)(const snap *s, const cJSON *params, text_encoding enc,
                              const sw_switch *sw, hd_error *err);

cJSON *hd_document_symbol(const snap *s, const cJSON *params, text_encoding enc,
                          const sw_switch *sw, hd_error *err);
cJSON *hd_folding_range(const snap *s, const cJSON *params, text_encoding enc,
                        const sw_switch *sw, hd_error *err);
cJSON *hd_selection_range(const snap *s, const cJSON *params, text_encoding enc,
                          const sw_switch *sw, hd_error *err);

/* Params of textDocument/publishDiagnostics for `s` (uri, version,
** diagnostics with code and source "iml"). Caller owns the result. */
cJSON *hd_publish_diagnostics(const snap *s, text_encoding enc);

/* Look up the query handler for an LSP method, or NULL. */
hd_query_fn hd_lookup(const char *method);

/* True for requests whose params hold no position (documentSymbol,
** foldingRange): the server recomputes them on the new version after an
** edit instead of answering ContentModified. */
bool hd_position_free(const char *method);

#endif
