/* handlers.c — see handlers.h. Runs on pool threads; reads snapshots only. */
#include "handlers.h"

#include <stdlib.h>
#include <string.h>

#include "lspjson.h"
#include "outline.h"

#define JSONRPC_INTERNAL_ERROR -32603
#define JSONRPC_INVALID_PARAMS -32602
#define LSP_REQUEST_CANCELLED -32800

static cJSON *hd__fail(hd_error *err, int code, const char *msg) {
  err->code = code;
  snprintf(err->msg, sizeof err->msg, "%s", msg);
  return NULL;
}

/* Symbol names come from user text: bound the depth we serialise (outline
** itself bounds module nesting) and keep going iteratively per level. */
static cJSON *hd__symbol(const osym *sym, const text_lines *lines, text_encoding enc, int depth) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "name", sym->name && *sym->name ? sym->name : "_");
  if (sym->detail) cJSON_AddStringToObject(o, "detail", sym->detail);
  cJSON_AddNumberToObject(o, "kind", sym->kind);
  cJSON_AddItemToObject(o, "range", lj_span(lines, sym->range, enc));
  cJSON_AddItemToObject(o, "selectionRange", lj_span(lines, sym->selection, enc));
  if (sym->nchildren && depth < 64) {
    cJSON *kids = cJSON_AddArrayToObject(o, "children");
    for (size_t i = 0; i < sym->nchildren; i++)
      cJSON_AddItemToArray(kids, hd__symbol(&sym->children[i], lines, enc, depth + 1));
  }
  return o;
}

cJSON *hd_document_symbol(const snap *s, const cJSON *params, text_encoding enc,
                          const sw_switch *sw, hd_error *err) {
  TSTree *tree = snap_tree_copy(s);
  if (!tree) return hd__fail(err, JSONRPC_INTERNAL_ERROR, "out of memory");
  osym *syms = NULL;
  size_t n = 0;
  int rc = outline_symbols(tree, snap_text(s), snap_len(s), &syms, &n);
  ts_tree_delete(tree);
  if (rc < 0) return hd__fail(err, JSONRPC_INTERNAL_ERROR, "out of memory");
  cJSON *arr = cJSON_CreateArray();
  for (size_t i = 0; i < n && sw_is_on(sw); i++)
    cJSON_AddItemToArray(arr, hd__symbol(&syms[i], snap_lines(s), enc, 0));
  outline_symbols_free(syms, n);
  return arr;
}

cJSON *hd_folding_range(const snap *s, const cJSON *params, text_encoding enc,
                        const sw_switch *sw, hd_error *err) {
  TSTree *tree = snap_tree_copy(s);
  if (!tree) return hd__fail(err, JSONRPC_INTERNAL_ERROR, "out of memory");
  ofold *folds = NULL;
  size_t n = 0;
  int rc = outline_folding(tree, snap_text(s), snap_len(s), snap_lines(s), &folds, &n);
  ts_tree_delete(tree);
  if (rc < 0) return hd__fail(err, JSONRPC_INTERNAL_ERROR, "out of memory");
  static const char *kinds[] = {"region", "comment", "imports"};
  cJSON *arr = cJSON_CreateArray();
  for (size_t i = 0; i < n; i++) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "startLine", folds[i].start_line);
    cJSON_AddNumberToObject(o, "endLine", folds[i].end_line);
    cJSON_AddStringToObject(o, "kind", kinds[folds[i].kind]);
    cJSON_AddItemToArray(arr, o);
  }
  free(folds);
  return arr;
}

cJSON *hd_selection_range(const snap *s, const cJSON *params, text_encoding enc,
                          const sw_switch *sw, hd_error *err) {
  const cJSON *positions = NULL;
  lj_err e;
  if (!lj_get_array(params, "positions", true, &positions, &e))
    return hd__fail(err, JSONRPC_INVALID_PARAMS, e.msg);
  TSTree *tree = snap_tree_copy(s);
  if (!tree) return hd__fail(err, JSONRPC_INTERNAL_ERROR, "out of memory");
  cJSON *arr = cJSON_CreateArray();
  int idx = 0;
  for (const cJSON *p = positions->child; p; p = p->next, idx++) {
    if (!sw_is_on(sw)) break;
    text_pos pos;
    char path[48];
    snprintf(path, sizeof path, "positions[%d]", idx);
    if (!lj_position_of(p, path, &pos, &e)) {
      cJSON_Delete(arr);
      ts_tree_delete(tree);
      return hd__fail(err, JSONRPC_INVALID_PARAMS, e.msg);
    }
    size_t off = text_offset(snap_lines(s), pos, enc, NULL);
    text_span *chain = NULL;
    size_t n = 0;
    if (outline_selection(tree, snap_text(s), snap_len(s), (uint32_t)off, &chain, &n) < 0) {
      cJSON_Delete(arr);
      ts_tree_delete(tree);
      return hd__fail(err, JSONRPC_INTERNAL_ERROR, "out of memory");
    }
    /* Build from the outermost inwards so each parent exists first. */
    cJSON *parent = NULL;
    for (size_t k = n; k-- > 0;) {
      cJSON *o = cJSON_CreateObject();
      cJSON_AddItemToObject(o, "range", lj_span(snap_lines(s), chain[k], enc));
      if (parent) cJSON_AddItemToObject(o, "parent", parent);
      parent = o;
    }
    free(chain);
    if (!parent) { /* empty document: the whole (empty) range */
      parent = cJSON_CreateObject();
      cJSON_AddItemToObject(parent, "range", lj_span(snap_lines(s), (text_span){0, 0}, enc));
    }
    cJSON_AddItemToArray(arr, parent);
  }
  ts_tree_delete(tree);
  return arr;
}

cJSON *hd_publish_diagnostics(const snap *s, text_encoding enc) {
  cJSON *params = cJSON_CreateObject();
  cJSON_AddStringToObject(params, "uri", snap_uri(s));
  cJSON_AddNumberToObject(params, "version", (double)snap_version(s));
  cJSON *arr = cJSON_AddArrayToObject(params, "diagnostics");
  const diag_list *dl = snap_diagnostics(s);
  for (size_t i = 0; i < dl->count; i++) {
    const diag *d = &dl->items[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "range", lj_span(snap_lines(s), d->span, enc));
    cJSON_AddNumberToObject(o, "severity", d->severity);
    cJSON_AddStringToObject(o, "code", d->code);
    cJSON_AddStringToObject(o, "source", "iml");
    cJSON_AddStringToObject(o, "message", d->message);
    cJSON_AddItemToArray(arr, o);
  }
  return params;
}

static const struct {
  const char *method;
  hd_query_fn fn;
  bool position_free;
} hd__table[] = {
  {"textDocument/documentSymbol", hd_document_symbol, true},
  {"textDocument/foldingRange", hd_folding_range, true},
  {"textDocument/selectionRange", hd_selection_range, false},
};

hd_query_fn hd_lookup(const char *method) {
  for (size_t i = 0; i < sizeof hd__table / sizeof hd__table[0]; i++)
    if (strcmp(hd__table[i].method, method) == 0) return hd__table[i].fn;
  return NULL;
}

bool hd_position_free(const char *method) {
  for (size_t i = 0; i < sizeof hd__table / sizeof hd__table[0]; i++)
    if (strcmp(hd__table[i].method, method) == 0) return hd__table[i].position_free;
  return false;
}
