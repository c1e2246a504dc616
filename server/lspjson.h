/*
** lspjson.h — small helpers between cJSON and LSP types.
**
** Param getters take a dotted path ("textDocument.uri") and, on failure,
** write a message naming that field into err (e.g. "invalid params:
** textDocument.uri must be a string"), which the server sends with -32602.
** All functions are pure; the returned cJSON objects are new trees the
** caller owns (cJSON_Delete) unless said otherwise.
*/
#ifndef IML_LSPJSON_H
#define IML_LSPJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "text.h"

typedef struct { char msg[256]; } lj_err;

/* Borrowed pointer into `root` at a dotted path, or NULL. */
const cJSON *lj_path(const cJSON *root, const char *path);

/* Getters: return true on success. `required` false makes a missing field
** succeed with *out untouched. Strings are borrowed from the tree. */
bool lj_get_string(const cJSON *root, const char *path, bool required, const char **out, lj_err *err);
bool lj_get_int(const cJSON *root, const char *path, bool required, int64_t *out, lj_err *err);
bool lj_get_object(const cJSON *root, const char *path, bool required, const cJSON **out, lj_err *err);
bool lj_get_array(const cJSON *root, const char *path, bool required, const cJSON **out, lj_err *err);
/* An LSP Position object {line, character} (non-negative integers). */
bool lj_get_position(const cJSON *root, const char *path, bool required, text_pos *out, lj_err *err);

/* Parse a Position object `obj` (borrowed); `name` is used in the error
** message ("invalid params: positions[0].line must be …"). */
bool lj_position_of(const cJSON *obj, const char *name, text_pos *out, lj_err *err);

cJSON *lj_position(text_pos p);
cJSON *lj_range(text_range r);
cJSON *lj_span(const text_lines *lines, text_span span, text_encoding enc);

/* Serialize compactly (faster than cJSON_PrintUnformatted: integers take an
** exact fast path; iterative, so any depth is safe); the result is valid
** UTF-8 (invalid bytes from user text become U+FFFD). Caller frees with
** free(); NULL on OOM. */
char *lj_print(const cJSON *json);

/* Replace invalid UTF-8 in s[0..len) by U+FFFD; returns a malloc'd,
** NUL-terminated copy (caller frees), NULL on OOM. */
char *lj_sanitize_utf8(const char *s, size_t len);

#endif
