/*
** hd_types.c — request handlers that need the type checker: hover,
** definition/declaration, typeDefinition, references, documentHighlight.
**
** Runs on the QUERY pool. Each handler re-checks the document version
** (tc_ctx_check, a pure function of immutable inputs: the snapshot, the
** imports' interfaces, the prelude) with a probe at the cursor, or with
** "find every occurrence of this definition"; nothing is stored per
** occurrence in the common path. See handlers.h.
*/
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lspjson.h"
#include "prelude.h"
#include "typeck.h"
#include "uri.h"

#define JSONRPC_INTERNAL_ERROR -32603
#define JSONRPC_INVALID_PARAMS -32602
#define LSP_REQUEST_CANCELLED -32800

static cJSON *hd__tfail(hd_error *err, int code, const char *msg) {
  err->code = code;
  snprintf(err->msg, sizeof err->msg, "%s", msg);
  return NULL;
}

/* Probe the document at the request's position. 0, or -1 with err set. */
static int hd__probe(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw, tc_result *res,
                     hd_error *err) {
  text_pos pos;
  lj_err e;
  if (!lj_get_position(params, "position", true, &pos, &e)) { hd__tfail(err, JSONRPC_INVALID_PARAMS, e.msg); return -1; }
  const sig *prelude = prelude_sig();
  if (!doc->tc || !prelude) { hd__tfail(err, JSONRPC_INTERNAL_ERROR, "the document is not type-checked"); return -1; }
  uint32_t off = (uint32_t)text_offset(snap_lines(doc->s), pos, ctx->enc, NULL);
  if (tc_ctx_check(doc->tc, prelude, (sw_switch *)sw, true, off, res) < 0 && !res->sig) {
    tc_result_clear(res);
    hd__tfail(err, JSONRPC_INTERNAL_ERROR, "out of memory");
    return -1;
  }
  return 0;
}

/* A Location for `span` of the file `file` ("" is the prelude: none). The
** file's line index comes from the workspace's snapshot when it is the
** document itself; other files are read from disk for their positions. */
static cJSON *hd__location(const hd_ctx *ctx, const hd_doc *doc, const char *file, text_span span) {
  if (!file || !*file) return NULL;
  const snap *s = NULL;
  if (doc->tc && strcmp(tc_ctx_path(doc->tc), file) == 0) s = doc->s;
  for (size_t i = 0; !s && i < doc->nworkspace; i++)
    if (strcmp(tc_ctx_path(doc->workspace[i]), file) == 0) s = tc_ctx_snap(doc->workspace[i]);
  cJSON *range = NULL;
  if (s) {
    range = lj_span(snap_lines(s), span, ctx->enc);
  } else {
    /* Another file: compute the position from its current text on disk. */
    FILE *fp = fopen(file, "rb");
    text_range r = {{0, 0}, {0, 0}};
    if (fp) {
      char *buf = malloc((size_t)span.end + 1);
      size_t n = buf ? fread(buf, 1, span.end, fp) : 0;
      if (buf) {
        text_lines *tl = text_lines_create(buf, n);
        if (tl) r = text_range_of(tl, span, ctx->enc);
        text_lines_destroy(tl);
      }
      free(buf);
      fclose(fp);
    }
    range = lj_range(r);
  }
  char *uri = uri_from_path(file);
  if (!uri) { cJSON_Delete(range); return NULL; }
  cJSON *loc = cJSON_CreateObject();
  cJSON_AddStringToObject(loc, "uri", uri);
  cJSON_AddItemToObject(loc, "range", range);
  free(uri);
  return loc;
}

cJSON *hd_hover(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw, hd_error *err) {
  tc_result res;
  if (hd__probe(ctx, doc, params, sw, &res, err) < 0) return NULL;
  const tc_probe *p = &res.probe;
  cJSON *result = NULL;
  if (p->kind != TC_PROBE_NONE && (p->type || p->doc || p->name)) {
    size_t cap = 256 + (p->name ? strlen(p->name) : 0) + (p->type ? strlen(p->type) : 0) + (p->doc ? strlen(p->doc) : 0);
    char *md = malloc(cap);
    if (md) {
      size_t w = 0;
      const char *what = p->kind == TC_PROBE_TYPE ? "type " : p->kind == TC_PROBE_MODULE ? "module " : "";
      if (p->type && p->name) w += (size_t)snprintf(md + w, cap - w, "```iml\n%s%s : %s\n```", what, p->name, p->type);
      else if (p->type) w += (size_t)snprintf(md + w, cap - w, "```iml\n%s\n```", p->type);
      else if (p->name) w += (size_t)snprintf(md + w, cap - w, "```iml\n%s%s\n```", what, p->name);
      if (p->doc) w += (size_t)snprintf(md + w, cap - w, "%s%s", w ? "\n\n" : "", p->doc);
      result = cJSON_CreateObject();
      cJSON *contents = cJSON_AddObjectToObject(result, "contents");
      cJSON_AddStringToObject(contents, "kind", "markdown");
      cJSON_AddStringToObject(contents, "value", md);
      cJSON_AddItemToObject(result, "range", lj_span(snap_lines(doc->s), p->span, ctx->enc));
      free(md);
    }
  }
  tc_result_clear(&res);
  return result ? result : cJSON_CreateNull();
}

cJSON *hd_goto_definition(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw,
                          hd_error *err) {
  tc_result res;
  if (hd__probe(ctx, doc, params, sw, &res, err) < 0) return NULL;
  cJSON *loc = NULL;
  const tc_probe *p = &res.probe;
  /* A module bound by an import: the imported file (handled below). */
  if (p->has_def && p->def_file && *p->def_file && !(p->kind == TC_PROBE_MODULE && p->def_span.end == 0))
    loc = hd__location(ctx, doc, p->def_file, p->def_span);
  tc_result_clear(&res);
  if (loc) return loc;
  /* Import strings and module names of imports. */
  return hd_definition(ctx, doc, params, sw, err);
}

cJSON *hd_type_definition(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw,
                          hd_error *err) {
  tc_result res;
  if (hd__probe(ctx, doc, params, sw, &res, err) < 0) return NULL;
  cJSON *loc = res.probe.has_type_def ? hd__location(ctx, doc, res.probe.type_def_file, res.probe.type_def_span) : NULL;
  tc_result_clear(&res);
  return loc ? loc : cJSON_CreateNull();
}

/* The definition under the cursor (owned file path in *file), or false. */
static bool hd__target(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw, char **file,
                       text_span *span, hd_error *err, bool *failed) {
  tc_result res;
  *failed = hd__probe(ctx, doc, params, sw, &res, err) < 0;
  if (*failed) return false;
  bool ok = res.probe.has_def && res.probe.def_file;
  if (ok) {
    *file = strdup(res.probe.def_file);
    *span = res.probe.def_span;
    ok = *file != NULL;
  }
  tc_result_clear(&res);
  return ok;
}

/* Occurrences of file/span in one checked file, appended to `arr` as
** Locations (or DocumentHighlights when `highlight`). */
static void hd__occurrences(const hd_ctx *ctx, const hd_doc *doc, const tc_ctx *tc, const char *file, text_span span,
                            const sw_switch *sw, cJSON *arr, bool highlight) {
  tc_result res;
  if (tc_ctx_find(tc, prelude_sig(), (sw_switch *)sw, false, 0, file, span, &res) < 0 && !res.sig) {
    tc_result_clear(&res);
    return;
  }
  const snap *s = tc_ctx_snap(tc);
  char *uri = highlight ? NULL : uri_from_path(tc_ctx_path(tc));
  for (size_t i = 0; i < res.nocc; i++) {
    bool dup = false;
    for (size_t k = 0; k < i && !dup; k++) dup = res.occ[k].start == res.occ[i].start && res.occ[k].end == res.occ[i].end;
    if (dup) continue;
    cJSON *o = cJSON_CreateObject();
    if (!highlight) cJSON_AddStringToObject(o, "uri", uri ? uri : "");
    cJSON_AddItemToObject(o, "range", lj_span(snap_lines(s), res.occ[i], ctx->enc));
    cJSON_AddItemToArray(arr, o);
  }
  free(uri);
  tc_result_clear(&res);
  (void)doc;
}

cJSON *hd_references(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw, hd_error *err) {
  char *file = NULL;
  text_span span;
  bool failed;
  if (!hd__target(ctx, doc, params, sw, &file, &span, err, &failed)) return failed ? NULL : cJSON_CreateNull();
  cJSON *arr = cJSON_CreateArray();
  bool self_done = false;
  for (size_t i = 0; i < doc->nworkspace && sw_is_on(sw); i++) {
    self_done |= doc->workspace[i] == doc->tc;
    hd__occurrences(ctx, doc, doc->workspace[i], file, span, sw, arr, false);
  }
  if (!self_done) hd__occurrences(ctx, doc, doc->tc, file, span, sw, arr, false);
  free(file);
  if (!sw_is_on(sw)) { cJSON_Delete(arr); return hd__tfail(err, LSP_REQUEST_CANCELLED, "request cancelled"); }
  return arr;
}

cJSON *hd_document_highlight(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw,
                             hd_error *err) {
  char *file = NULL;
  text_span span;
  bool failed;
  if (!hd__target(ctx, doc, params, sw, &file, &span, err, &failed)) return failed ? NULL : cJSON_CreateNull();
  cJSON *arr = cJSON_CreateArray();
  hd__occurrences(ctx, doc, doc->tc, file, span, sw, arr, true);
  free(file);
  return arr;
}
