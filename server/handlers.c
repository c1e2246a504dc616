/* handlers.c — see handlers.h. Runs on pool threads; reads snapshots (and,
** for imports, the file system) only. */
#define _GNU_SOURCE
#include "handlers.h"

#include <stdlib.h>
#include <string.h>

#include "imports.h"
#include "lspjson.h"
#include "uri.h"
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

cJSON *hd_document_symbol(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params,
                          const sw_switch *sw, hd_error *err) {
  const snap *s = doc->s;
  text_encoding enc = ctx->enc;
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

cJSON *hd_folding_range(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params,
                        const sw_switch *sw, hd_error *err) {
  const snap *s = doc->s;
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

cJSON *hd_selection_range(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params,
                          const sw_switch *sw, hd_error *err) {
  const snap *s = doc->s;
  text_encoding enc = ctx->enc;
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

static int hd__diag_cmp(const void *a, const void *b) {
  const diag *x = *(const diag *const *)a, *y = *(const diag *const *)b;
  if (x->span.start != y->span.start) return x->span.start < y->span.start ? -1 : 1;
  return strcmp(x->code, y->code);
}

cJSON *hd_publish_diagnostics(const snap *s, const diag_list *extra, text_encoding enc) {
  cJSON *params = cJSON_CreateObject();
  cJSON_AddStringToObject(params, "uri", snap_uri(s));
  cJSON_AddNumberToObject(params, "version", (double)snap_version(s));
  cJSON *arr = cJSON_AddArrayToObject(params, "diagnostics");
  const diag_list *dl = snap_diagnostics(s);
  size_t n = dl->count + (extra ? extra->count : 0);
  const diag **all = malloc((n ? n : 1) * sizeof *all);
  if (!all) return params;
  for (size_t i = 0; i < dl->count; i++) all[i] = &dl->items[i];
  for (size_t i = 0; extra && i < extra->count; i++) all[dl->count + i] = &extra->items[i];
  if (n > 1) qsort(all, n, sizeof *all, hd__diag_cmp);
  for (size_t i = 0; i < n; i++) {
    const diag *d = all[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "range", lj_span(snap_lines(s), d->span, enc));
    cJSON_AddNumberToObject(o, "severity", d->severity);
    cJSON_AddStringToObject(o, "code", d->code);
    cJSON_AddStringToObject(o, "source", "iml");
    cJSON_AddStringToObject(o, "message", d->message);
    if (d->nrelated) {
      cJSON *rel = cJSON_AddArrayToObject(o, "relatedInformation");
      for (size_t r = 0; r < d->nrelated; r++) {
        const diag_related *dr = &d->related[r];
        char *uri = uri_from_path(dr->path);
        if (!uri) continue;
        cJSON *ri = cJSON_CreateObject();
        cJSON *loc = cJSON_AddObjectToObject(ri, "location");
        cJSON_AddStringToObject(loc, "uri", uri);
        cJSON_AddItemToObject(loc, "range", lj_range(enc == TEXT_UTF8 ? dr->range8 : dr->range16));
        cJSON_AddStringToObject(ri, "message", dr->message);
        cJSON_AddItemToArray(rel, ri);
        free(uri);
      }
    }
    cJSON_AddItemToArray(arr, o);
  }
  free(all);
  return params;
}

/* The document's imports and their resolved targets (owned by the caller:
** imp_free + free of each target and the array). -1 on OOM. */
static int hd__imports(const hd_ctx *ctx, const snap *s, imp_import **imps, size_t *n, char ***targets) {
  *imps = NULL;
  *n = 0;
  *targets = NULL;
  TSTree *tree = snap_tree_copy(s);
  if (!tree) return -1;
  int rc = imp_extract(tree, snap_text(s), snap_len(s), imps, n);
  ts_tree_delete(tree);
  if (rc < 0) return -1;
  *targets = calloc(*n ? *n : 1, sizeof **targets);
  if (!*targets) { imp_free(*imps, *n); return -1; }
  char *path = uri_to_path(snap_uri(s));
  for (size_t i = 0; i < *n; i++)
    if ((*imps)[i].kind == IMP_FILE && (*imps)[i].path)
      (*targets)[i] = imp_resolve(path, (*imps)[i].path, ctx->roots, ctx->nroots, NULL);
  free(path);
  return 0;
}

static void hd__imports_free(imp_import *imps, size_t n, char **targets) {
  for (size_t i = 0; targets && i < n; i++) free(targets[i]);
  free(targets);
  imp_free(imps, n);
}

/* The string's inside (without quotes) when it is at least 2 bytes long. */
static text_span hd__inside(text_span sp) {
  return sp.end - sp.start >= 2 ? (text_span){sp.start + 1, sp.end - 1} : sp;
}

cJSON *hd_document_link(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw, hd_error *err) {
  const snap *s = doc->s;
  imp_import *imps;
  size_t n;
  char **targets;
  if (hd__imports(ctx, s, &imps, &n, &targets) < 0) return hd__fail(err, JSONRPC_INTERNAL_ERROR, "out of memory");
  cJSON *arr = cJSON_CreateArray();
  for (size_t i = 0; i < n; i++) {
    if (!targets[i]) continue;
    char *uri = uri_from_path(targets[i]);
    if (!uri) continue;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "range", lj_span(snap_lines(s), hd__inside(imps[i].string_span), ctx->enc));
    cJSON_AddStringToObject(o, "target", uri);
    cJSON_AddStringToObject(o, "tooltip", targets[i]);
    cJSON_AddItemToArray(arr, o);
    free(uri);
  }
  hd__imports_free(imps, n, targets);
  return arr;
}

/* A Location at the start of the file `path` (borrowed). */
static cJSON *hd__file_location(const char *path, text_encoding enc) {
  char *uri = uri_from_path(path);
  if (!uri) return cJSON_CreateNull();
  cJSON *loc = cJSON_CreateObject();
  cJSON_AddStringToObject(loc, "uri", uri);
  cJSON_AddItemToObject(loc, "range", lj_range((text_range){{0, 0}, {0, 0}}));
  free(uri);
  return loc;
}

cJSON *hd_definition(const hd_ctx *ctx, const hd_doc *doc, const cJSON *params, const sw_switch *sw, hd_error *err) {
  const snap *s = doc->s;
  text_pos pos;
  lj_err e;
  if (!lj_get_position(params, "position", true, &pos, &e)) return hd__fail(err, JSONRPC_INVALID_PARAMS, e.msg);
  uint32_t off = (uint32_t)text_offset(snap_lines(s), pos, ctx->enc, NULL);
  imp_import *imps;
  size_t n;
  char **targets;
  if (hd__imports(ctx, s, &imps, &n, &targets) < 0) return hd__fail(err, JSONRPC_INTERNAL_ERROR, "out of memory");
  cJSON *result = NULL;
  /* 1. On an import string. */
  for (size_t i = 0; i < n && !result; i++)
    if (targets[i] && off >= imps[i].string_span.start && off <= imps[i].string_span.end)
      result = hd__file_location(targets[i], ctx->enc);
  /* 2. On a module name bound by an import (M.x, M.(e), open M, [@@@import M, …]). */
  if (!result) {
    TSTree *tree = snap_tree_copy(s);
    if (tree) {
      TSNode root = ts_tree_root_node(tree);
      TSNode node = ts_node_descendant_for_byte_range(root, off, off);
      if (!ts_node_is_null(node) && strcmp(ts_node_type(node), "module_name") != 0 && off > 0)
        node = ts_node_descendant_for_byte_range(root, off - 1, off - 1); /* cursor right after the name */
      if (!ts_node_is_null(node) && strcmp(ts_node_type(node), "module_name") == 0) {
        uint32_t a = ts_node_start_byte(node), b = ts_node_end_byte(node);
        for (size_t i = 0; i < n && !result; i++)
          if (targets[i] && imps[i].module && strlen(imps[i].module) == b - a &&
              memcmp(imps[i].module, snap_text(s) + a, b - a) == 0)
            result = hd__file_location(targets[i], ctx->enc);
      }
      ts_tree_delete(tree);
    }
  }
  hd__imports_free(imps, n, targets);
  return result ? result : cJSON_CreateNull();
}

static const struct {
  const char *method;
  hd_query_fn fn;
  bool position_free, types, workspace;
} hd__table[] = {
  {"textDocument/documentSymbol", hd_document_symbol, true, false, false},
  {"textDocument/foldingRange", hd_folding_range, true, false, false},
  {"textDocument/selectionRange", hd_selection_range, false, false, false},
  {"textDocument/documentLink", hd_document_link, true, false, false},
  {"textDocument/definition", hd_goto_definition, false, true, false},
  {"textDocument/declaration", hd_goto_definition, false, true, false},
  {"textDocument/typeDefinition", hd_type_definition, false, true, false},
  {"textDocument/hover", hd_hover, false, true, false},
  {"textDocument/references", hd_references, false, true, true},
  {"textDocument/documentHighlight", hd_document_highlight, false, true, false},
};

hd_query_fn hd_lookup(const char *method) {
  for (size_t i = 0; i < sizeof hd__table / sizeof hd__table[0]; i++)
    if (strcmp(hd__table[i].method, method) == 0) return hd__table[i].fn;
  return NULL;
}

bool hd_needs_types(const char *method) {
  for (size_t i = 0; i < sizeof hd__table / sizeof hd__table[0]; i++)
    if (strcmp(hd__table[i].method, method) == 0) return hd__table[i].types;
  return false;
}

bool hd_needs_workspace(const char *method) {
  for (size_t i = 0; i < sizeof hd__table / sizeof hd__table[0]; i++)
    if (strcmp(hd__table[i].method, method) == 0) return hd__table[i].workspace;
  return false;
}

bool hd_position_free(const char *method) {
  for (size_t i = 0; i < sizeof hd__table / sizeof hd__table[0]; i++)
    if (strcmp(hd__table[i].method, method) == 0) return hd__table[i].position_free;
  return false;
}
