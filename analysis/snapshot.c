/*
** snapshot.c — see snapshot.h.
**
** DESIGN: a snapshot is written only inside snap_build, on the building
** thread, before it is published; afterwards every field is read-only and
** shared without locks. The reference count is the only mutable field
** (atomic). The tree is never handed out directly: readers get a
** ts_tree_copy, because tree-sitter trees are not thread-safe.
** snap_thread_parser keeps one TSParser per thread in a pthread key whose
** destructor frees it when the (pool) thread exits.
*/
#include "snapshot.h"
#include "lower.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "iml_grammar.h"
#include "iml_guard.h"

struct snap {
  _Atomic long refs;
  char *uri;
  int64_t version;
  char *text;
  size_t len;
  char *view;
  text_lines *lines;
  TSTree *tree;
  diag_list diags;
  ast_file *ast;    /* the lowered AST (lower.h) */
  int incremental;
  bool has_error;   /* the tree has ERROR/MISSING nodes */
  bool refused;     /* not parsed: the text would crash tree-sitter (iml_guard.h) */
};

static void snap__free(snap *s) {
  if (!s) return;
  free(s->uri);
  free(s->text);
  free(s->view);
  text_lines_destroy(s->lines);
  if (s->tree) ts_tree_delete(s->tree);
  diag_list_clear(&s->diags);
  ast_file_destroy(s->ast);
  free(s);
}

/* The text would crash the parser: keep it (queries still see the text) with
** an empty tree and one diagnostic on the first line. */
static snap *snap__refuse(snap *s, TSParser *parser) {
  s->refused = true;
  s->has_error = true;
  s->tree = ts_parser_parse_string(parser, NULL, "", 0);
  s->lines = text_lines_create(s->text, s->len);
  char *msg = strdup("not analysed: this text would crash the parser (a syntax node with more than 65,535 "
                     "children, a limit of tree-sitter 0.20.7), e.g. a very long run of comments or of "
                     "unfinished items");
  if (!s->tree || !s->lines || !msg ||
      diag_list_push(&s->diags, (text_span){0, (uint32_t)text_lines_end(s->lines, 0)}, DIAG_ERROR,
                     SYN_CODE_PARSER_LIMIT, msg) < 0 ||
      lower_file(s->tree, s->text, s->len, &s->ast, NULL) < 0) {
    snap__free(s);
    return NULL;
  }
  return s;
}

static int snap__diag_cmp(const void *a, const void *b) {
  const diag *x = a, *y = b;
  return x->span.start < y->span.start ? -1 : x->span.start > y->span.start;
}

snap *snap_build(const char *uri, int64_t version, char *text, size_t len,
                 const snap *base, TSParser *parser, const sw_switch *sw) {
  snap *s = calloc(1, sizeof *s);
  if (!s) { free(text); return NULL; }
  atomic_init(&s->refs, 1);
  s->text = text;
  s->len = len;
  s->version = version;
  s->uri = strdup(uri ? uri : "");
  s->view = imlg_view_dup(text, len);
  if (!s->uri || !s->view) goto fail;

  /* Guard (iml_guard.h): text with many tokens is probed in a child process
  ** first, unless it is a small edit of an error-free base (recovery from a
  ** local mistake stays local). A probed text is parsed from scratch so that
  ** this parse is exactly the one the probe survived. */
  TSInputEdit *edits = NULL;
  int nedits = base && base->tree && !base->refused
                   ? imlg_compute_edits(base->text, base->view, base->len, text, s->view, len, &edits)
                   : -1;
  bool probe = false;
  if (imlg_token_estimate(s->view, len) > IMLG_SAFE_TOKENS) {
    bool small_edit = nedits >= 0 && !base->has_error &&
                      (nedits == 0 || (edits[0].old_end_byte - edits[0].start_byte < 4096 &&
                                       edits[0].new_end_byte - edits[0].start_byte < 4096));
    probe = !small_edit;
  }
  if (probe) {
    imlg_probe_result r = imlg_probe_parse(s->view, len, sw ? sw_cancel_flag(sw) : NULL);
    if (r == IMLG_PROBE_CANCELLED) { free(edits); goto fail; }
    if (r == IMLG_PROBE_CRASHED) {
      free(edits);
      return snap__refuse(s, parser);
    }
  }
  TSTree *old = NULL;
  if (nedits >= 0 && !probe) {
    old = ts_tree_copy(base->tree);
    for (int i = 0; old && i < nedits; i++) ts_tree_edit(old, &edits[i]);
    s->incremental = 1;
  }
  free(edits);
  ts_parser_set_cancellation_flag(parser, sw ? sw_cancel_flag(sw) : NULL);
  s->tree = imlg_parse(parser, old, text, s->view, len);
  bool had_base = old != NULL;
  if (old) ts_tree_delete(old);
  /* tree-sitter 0.20's error recovery can differ between an incremental and
  ** a fresh parse of the same broken text (it reuses subtrees); diagnostics
  ** must not depend on the edit history, so broken text is parsed afresh.
  ** Valid text parses identically either way (tested in test_grammar). */
  if (s->tree && had_base && ts_node_has_error(ts_tree_root_node(s->tree))) {
    ts_tree_delete(s->tree);
    s->tree = imlg_parse(parser, NULL, text, s->view, len);
    s->incremental = 0;
  }
  ts_parser_set_cancellation_flag(parser, NULL);
  if (!s->tree) {
    ts_parser_reset(parser); /* a cancelled parse leaves state behind */
    goto fail;
  }
  s->has_error = ts_node_has_error(ts_tree_root_node(s->tree));
  if (!sw_is_on(sw)) goto fail;
  s->lines = text_lines_create(text, len);
  if (!s->lines) goto fail;
  if (syn_diagnostics(s->tree, text, len, &s->diags, SNAP_MAX_DIAGNOSTICS) < 0) goto fail;
  /* The AST, and the lowering's diagnostics (constructs outside IML's logic). */
  size_t nsyn = s->diags.count;
  if (lower_file(s->tree, text, len, &s->ast, &s->diags) < 0) goto fail;
  if (s->diags.count > nsyn && nsyn) qsort(s->diags.items, s->diags.count, sizeof(diag), snap__diag_cmp);
  return s;
fail:
  snap__free(s);
  return NULL;
}

snap *snap_retain(snap *s) {
  if (s) atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
  return s;
}

void snap_release(snap *s) {
  if (s && atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1) snap__free(s);
}

const char *snap_uri(const snap *s) { return s->uri; }
int64_t snap_version(const snap *s) { return s->version; }
const char *snap_text(const snap *s) { return s->text; }
size_t snap_len(const snap *s) { return s->len; }
const text_lines *snap_lines(const snap *s) { return s->lines; }
const diag_list *snap_diagnostics(const snap *s) { return &s->diags; }
TSTree *snap_tree_copy(const snap *s) { return ts_tree_copy(s->tree); }
const ast_file *snap_ast(const snap *s) { return s->ast; }
int snap_was_incremental(const snap *s) { return s->incremental; }

static pthread_key_t snap__parser_key;
static pthread_once_t snap__parser_once = PTHREAD_ONCE_INIT;

static void snap__parser_free(void *p) { ts_parser_delete(p); }
static void snap__parser_key_init(void) { pthread_key_create(&snap__parser_key, snap__parser_free); }

TSParser *snap_thread_parser(void) {
  pthread_once(&snap__parser_once, snap__parser_key_init);
  TSParser *p = pthread_getspecific(snap__parser_key);
  if (!p) {
    p = ts_parser_new();
    if (!p) return NULL;
    ts_parser_set_language(p, imlg_language());
    pthread_setspecific(snap__parser_key, p);
  }
  return p;
}
