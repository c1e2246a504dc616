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

#endif
