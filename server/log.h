/*
** log.h — server-side logging.
**
** Log lines go to stderr (or to --log-file) with a timestamp, level and
** thread name; never to stdout, which carries only protocol. Messages at
** WARN or above are also forwarded to the client as window/logMessage when a
** forwarder is installed (the server installs one that posts through the
** outbound queue, so any thread may log).
**
** Thread-safety: every function may be called from any thread; a mutex
** serialises writes so lines never interleave.
*/
#ifndef IML_LOG_H
#define IML_LOG_H

#include <stdarg.h>
#include <stdbool.h>

typedef enum { LOG_ERROR = 1, LOG_WARN = 2, LOG_INFO = 3, LOG_DEBUG = 4 } log_level;

/* Parse "error"|"warn"|"warning"|"info"|"debug"; returns false if unknown. */
bool log_parse_level(const char *s, log_level *out);
void log_set_level(log_level lvl);
log_level log_get_level(void);

/* Open `path` for appending (borrowed); NULL restores stderr. Returns 0 or -1
** (errno set) and keeps the previous destination on failure. */
int log_open_file(const char *path);
void log_close(void);

/* Forwarder for WARN and above: receives the LSP MessageType (1 error,
** 2 warning) and the formatted message (borrowed). NULL uninstalls. */
typedef void (*log_forward_fn)(int lsp_type, const char *msg, void *data);
void log_set_forwarder(log_forward_fn fn, void *data);

void log_msg(log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(log_level lvl, const char *fmt, va_list ap);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
