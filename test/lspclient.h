/*
** lspclient.h — a tiny JSON-RPC client for end-to-end tests: spawns the real
** build/iml-lsp with pipes and speaks Content-Length framed messages.
*/
#ifndef IML_LSPCLIENT_H
#define IML_LSPCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <cjson/cJSON.h>

typedef struct lc_client lc_client;

/* Spawn IML_BINARY with argv extra args (NULL-terminated, may be NULL);
** stderr goes to `stderr_path` (or /dev/null when NULL). */
lc_client *lc_spawn(const char *const *args, const char *stderr_path);

/* Send a body framed with Content-Length (borrowed). 0 or -1 (EPIPE …). */
int lc_send_body(lc_client *c, const char *body, size_t len);
/* Send raw bytes (no framing). */
int lc_send_raw(lc_client *c, const char *bytes, size_t len);
/* Send a message (borrowed). */
int lc_send(lc_client *c, const cJSON *msg);
/* Send a request/notification built from a printf-style JSON template. */
int lc_sendf(lc_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Next message within timeout_ms, or NULL (timeout/EOF). Caller deletes. */
cJSON *lc_recv(lc_client *c, int timeout_ms);
/* Wait for the first message for which match(msg, data) is true; other
** messages are freed (and counted in *skipped if non-NULL). NULL on timeout. */
cJSON *lc_wait(lc_client *c, int timeout_ms, bool (*match)(const cJSON *m, void *data), void *data);
/* Wait for the response with integer id. */
cJSON *lc_wait_response(lc_client *c, int id, int timeout_ms);

void lc_close_stdin(lc_client *c);
/* Wait for exit (up to timeout_ms, then SIGKILL). Returns the exit status,
** or 128+signal when killed by a signal, or -1 on timeout. */
int lc_wait_exit(lc_client *c, int timeout_ms);
void lc_destroy(lc_client *c);  /* kills the process if still running */

/* True when every key of `pattern` exists in `value` with a matching value
** (objects: recursive subset; arrays: same length, element-wise; strings
** "$any" match anything; "prefix$any" matches strings starting with prefix). On mismatch writes the path to `where`. */
bool lc_match(const cJSON *pattern, const cJSON *value, char *where, size_t where_len);

/* Send textDocument/didOpen of `uri` with `text` (borrowed; version 1,
** languageId "iml"). 0 or -1. */
int lc_open(lc_client *c, const char *uri, const char *text);
/* lc_wait matcher: a textDocument/publishDiagnostics notification; when
** `data` is non-NULL (a const char *uri), only one for that uri. */
bool lc_is_diagnostics(const cJSON *m, void *data);
/* True when the publishDiagnostics message `m` has a diagnostic with `code`. */
bool lc_diag_has_code(const cJSON *m, const char *code);

/* Spawn (as lc_spawn) and complete the handshake: initialize with
** `init_params` (a JSON object text, borrowed; NULL: no capabilities), then
** initialized. NULL when the server does not answer. */
lc_client *lc_start(const char *const *args, const char *stderr_path, const char *init_params);
/* shutdown + exit, wait for the process and destroy the client. Returns the
** exit status (0 for a clean exit), -1 when shutdown got no answer. */
int lc_shutdown(lc_client *c, int timeout_ms);

/* Send textDocument/didChange of `uri` to `version`: `text` replaces the
** range (l1:c1)-(l2:c2), or the whole document when l1 < 0. 0 or -1. */
int lc_change(lc_client *c, const char *uri, int version, int l1, int c1, int l2, int c2, const char *text);

#endif
