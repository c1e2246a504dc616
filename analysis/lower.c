/*
** lower.c — lower_file and the lowering's shared machinery: the node-kind
** table, the context (memory, gathered children), spans, names and paths,
** diagnostics and attributes (see lower.h; internals in lower_int.h; items
** in lower_item.c, expressions in lower_expr.c, bindings in lower_bind.c,
** patterns and types in lower_pat.c).
**
** DESIGN
**  - lower_file owns the context; allocation failure anywhere longjmps back
**    here, where the context's stacks and the partial AST are freed.
**  - Diagnostics are collected in the context and handed to the caller's
**    list, sorted by position, only on success.
**  - Names are copied into the arena (the AST must outlive the text).
*/
#include "lower_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iml_grammar.h"

/* ------------------------------------------------------------------------ */
/* Kind table (built once) */

#define LOWER__MAX_SYMBOLS 4096

static struct {
  uint16_t kind[LOWER__MAX_SYMBOLS];
  uint32_t nsym;
  lower__fields fields;
} lower__lang;

static pthread_once_t lower__lang_once = PTHREAD_ONCE_INIT;

static void lower__lang_init(void) {
  static const struct {
    const char *name;
    int named;
    int kind;
  } table[] = {
#define LOWER__ROW(e, name, named) {name, named, e},
      LOWER__KINDS(LOWER__ROW)
#undef LOWER__ROW
  };
  const TSLanguage *lang = imlg_language();
  uint32_t n = ts_language_symbol_count(lang);
  if (n > LOWER__MAX_SYMBOLS) n = LOWER__MAX_SYMBOLS; /* larger ids read as K_OTHER */
  lower__lang.nsym = n;
  for (uint32_t s = 0; s < n; s++) {
    const char *name = ts_language_symbol_name(lang, (TSSymbol)s);
    TSSymbolType ty = ts_language_symbol_type(lang, (TSSymbol)s);
    if (!name || ty == TSSymbolTypeAuxiliary) continue;
    int named = ty == TSSymbolTypeRegular;
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
      if (table[i].named == named && !strcmp(table[i].name, name)) {
        lower__lang.kind[s] = (uint16_t)table[i].kind;
        break;
      }
  }
#define LOWER__FIELD_INIT(m, name) \
  lower__lang.fields.m = ts_language_field_id_for_name(lang, name, (uint32_t)strlen(name));
  LOWER__FIELDS(LOWER__FIELD_INIT)
#undef LOWER__FIELD_INIT
}

int lower__kind(const lower__ctx *c, TSNode n) {
  (void)c;
  if (ts_node_is_null(n)) return K_OTHER;
  TSSymbol s = ts_node_symbol(n);
  if (s == (TSSymbol)-1) return K_ERROR;
  if (ts_node_is_missing(n) && ts_node_is_named(n)) return K_ERROR;
  if (s >= lower__lang.nsym) return K_OTHER;
  return lower__lang.kind[s];
}

/* ------------------------------------------------------------------------ */
/* Memory */

_Noreturn void lower__oom(lower__ctx *c) { longjmp(c->oom, 1); }

void *lower__alloc(lower__ctx *c, size_t size) {
  void *p = arena_alloc(c->ar, size);
  if (!p) lower__oom(c);
  return p;
}

void *lower__grow(lower__ctx *c, void *v, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return v;
  size_t ncap = *cap ? *cap : 64;
  while (ncap < need) ncap *= 2;
  void *p = realloc(v, ncap * elem);
  if (!p) lower__oom(c);
  *cap = ncap;
  return p;
}

/* ------------------------------------------------------------------------ */
/* Spans and children */

text_span lower__span(const lower__ctx *c, TSNode n) {
  if (ts_node_is_null(n)) return (text_span){0, 0}; /* the 0.20 runtime crashes on null nodes */
  uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
  if (e > c->len) e = (uint32_t)c->len;
  if (s > e) s = e;
  return (text_span){s, e};
}

text_span lower__span_to(text_span a, text_span b) {
  return (text_span){a.start, b.end >= a.start ? b.end : a.end};
}

size_t lower__kids_push(lower__ctx *c, TSNode n, unsigned keep) {
  size_t base = c->nkids;
  if (ts_node_is_null(n)) return base;
  if (!c->cur_init) {
    c->cur = ts_tree_cursor_new(n);
    c->cur_init = true;
  } else {
    ts_tree_cursor_reset(&c->cur, n);
  }
  if (!ts_tree_cursor_goto_first_child(&c->cur)) return base;
  do {
    TSNode k = ts_tree_cursor_current_node(&c->cur);
    int kind = lower__kind(c, k);
    if (kind == K_LINE_DIRECTIVE || (kind == K_COMMENT && !(keep & LOWER__KEEP_COMMENTS)) ||
        (kind == K_ATTRIBUTE && !(keep & LOWER__KEEP_ATTRS)))
      continue;
    if (c->nkids == c->capkids)
      c->kids = lower__grow(c, c->kids, &c->capkids, c->nkids + 1, sizeof *c->kids);
    c->kids[c->nkids++] = (lower__kid){k, ts_tree_cursor_current_field_id(&c->cur), (uint16_t)kind};
  } while (ts_tree_cursor_goto_next_sibling(&c->cur));
  return base;
}

void lower__kids_pop(lower__ctx *c, size_t base) { c->nkids = base; }

size_t lower__kid_field(const lower__ctx *c, size_t base, TSFieldId f) {
  if (!f) return (size_t)-1;
  for (size_t i = base; i < c->nkids; i++)
    if (c->kids[i].field == f) return i;
  return (size_t)-1;
}

size_t lower__kid_kind(const lower__ctx *c, size_t base, int k) {
  for (size_t i = base; i < c->nkids; i++)
    if (c->kids[i].kind == k) return i;
  return (size_t)-1;
}

TSNode lower__kid_node(const lower__ctx *c, size_t i) {
  return i == (size_t)-1 ? (TSNode){0} : c->kids[i].node;
}

TSNode lower__first_named(lower__ctx *c, TSNode n) {
  TSNode r = {0};
  size_t base = lower__kids_push(c, n, 0);
  for (size_t i = base; i < c->nkids; i++)
    if (ts_node_is_named(c->kids[i].node) && c->kids[i].kind != K_ATTRIBUTE_ID) {
      r = c->kids[i].node;
      break;
    }
  lower__kids_pop(c, base);
  return r;
}

TSNode lower__field(lower__ctx *c, TSNode n, TSFieldId f) {
  size_t base = lower__kids_push(c, n, 0);
  size_t i = lower__kid_field(c, base, f);
  TSNode r = i == (size_t)-1 ? (TSNode){0} : c->kids[i].node;
  lower__kids_pop(c, base);
  return r;
}

text_span lower__first_token(lower__ctx *c, TSNode n) {
  /* Descend along first children to the first leaf. Bounded: keywords are
  ** direct children of the nodes we ask about. */
  TSNode k = n;
  if (ts_node_is_null(k)) return (text_span){0, 0};
  for (int i = 0; i < 4 && ts_node_child_count(k) > 0; i++) k = ts_node_child(k, 0);
  return lower__span(c, k);
}

/* ------------------------------------------------------------------------ */
/* Names */

const char *lower__str(lower__ctx *c, text_span s) {
  char *p = arena_strndup(c->ar, c->text + s.start, s.end - s.start);
  if (!p) lower__oom(c);
  return p;
}

ast_name lower__name(lower__ctx *c, TSNode n) {
  text_span s = lower__span(c, n);
  return (ast_name){lower__str(c, s), s};
}

static bool lower__is_blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

ast_name lower__ident(lower__ctx *c, TSNode n) {
  int k = lower__kind(c, n);
  if (k == K_ERROR || ts_node_is_null(n)) return (ast_name){lower__str(c, (text_span){0, 0}), lower__span(c, n)};
  if (k == K_PARENTHESIZED_OPERATOR) {
    /* `( + )`: the operator's text; comments inside are skipped. */
    size_t base = lower__kids_push(c, n, 0);
    ast_name r = {0};
    for (size_t i = base; i < c->nkids; i++)
      if (ts_node_is_named(c->kids[i].node)) {
        r = lower__name(c, c->kids[i].node);
        break;
      }
    lower__kids_pop(c, base);
    if (!r.text) {
      /* No operator node (e.g. `( * )` lexed oddly): the text between the parentheses. */
      text_span s = lower__span(c, n);
      if (s.end - s.start >= 2) {
        s.start++;
        s.end--;
      }
      while (s.start < s.end && lower__is_blank(c->text[s.start])) s.start++;
      while (s.end > s.start && lower__is_blank(c->text[s.end - 1])) s.end--;
      r = (ast_name){lower__str(c, s), s};
    }
    return r;
  }
  return lower__name(c, n);
}

ast_mpath lower__mpath(lower__ctx *c, TSNode n) {
  /* module_path is left-nested: module_path(module_path(M) . N). Walk the
  ** left spine iteratively collecting the last name of each level. */
  ast_mpath p = {.span = lower__span(c, n)};
  if (ts_node_is_null(n)) return p;
  size_t wbase = c->nwork;
  TSNode cur = n;
  for (;;) {
    int k = lower__kind(c, cur);
    if (k == K_MODULE_NAME) {
      c->work = lower__grow(c, c->work, &c->capwork, c->nwork + 1, sizeof *c->work);
      c->work[c->nwork++] = cur;
      break;
    }
    if (k != K_MODULE_PATH && k != K_EXTENDED_MODULE_PATH) break;
    size_t base = lower__kids_push(c, cur, 0);
    TSNode inner = {0}, last = {0};
    for (size_t i = base; i < c->nkids; i++) {
      int kk = c->kids[i].kind;
      if (kk == K_MODULE_PATH || kk == K_EXTENDED_MODULE_PATH) {
        if (ts_node_is_null(inner)) inner = c->kids[i].node; /* F(X): the functor's path */
      } else if (kk == K_MODULE_NAME) {
        last = c->kids[i].node;
      }
    }
    lower__kids_pop(c, base);
    if (!ts_node_is_null(last)) {
      c->work = lower__grow(c, c->work, &c->capwork, c->nwork + 1, sizeof *c->work);
      c->work[c->nwork++] = last;
    }
    if (ts_node_is_null(inner)) break;
    cur = inner;
  }
  size_t cnt = c->nwork - wbase;
  if (cnt) {
    p.comps = lower__alloc(c, cnt * sizeof *p.comps);
    for (size_t i = 0; i < cnt; i++) p.comps[i] = lower__name(c, c->work[c->nwork - 1 - i]);
    p.n = (uint32_t)cnt;
  }
  c->nwork = wbase;
  return p;
}

ast_lid lower__lid_of_name(ast_name n) { return (ast_lid){.name = n, .span = n.span, .path = {.span = {n.span.start, n.span.start}}}; }

ast_lid lower__lid(lower__ctx *c, TSNode n) {
  ast_lid l = {.span = lower__span(c, n)};
  l.path.span = (text_span){l.span.start, l.span.start};
  int k = lower__kind(c, n);
  if (k == K_ERROR || ts_node_is_null(n)) {
    l.name = (ast_name){lower__str(c, (text_span){0, 0}), l.span};
    return l;
  }
  if (k != K_VALUE_PATH && k != K_CONSTRUCTOR_PATH && k != K_FIELD_PATH && k != K_TYPE_CONSTRUCTOR_PATH) {
    l.name = lower__ident(c, n);
    return l;
  }
  size_t base = lower__kids_push(c, n, 0);
  TSNode path = {0};
  TSNode first_name = {0}, last_name = {0};
  for (size_t i = base; i < c->nkids; i++) {
    int kk = c->kids[i].kind;
    if (kk == K_MODULE_PATH || kk == K_EXTENDED_MODULE_PATH) path = c->kids[i].node;
    else if (kk == K_VALUE_NAME || kk == K_PARENTHESIZED_OPERATOR || kk == K_CONSTRUCTOR_NAME ||
             kk == K_FIELD_NAME || kk == K_TYPE_CONSTRUCTOR || kk == K_ERROR) {
      if (ts_node_is_null(first_name)) first_name = c->kids[i].node;
      last_name = c->kids[i].node;
    }
  }
  lower__kids_pop(c, base);
  if (!ts_node_is_null(path)) l.path = lower__mpath(c, path);
  if (ts_node_is_null(first_name)) {
    l.name = (ast_name){lower__str(c, (text_span){0, 0}), l.span};
  } else if (!ts_node_eq(first_name, last_name)) {
    /* `[` `]` or `(` `)` as two constructor_name tokens: "[]" / "()". */
    text_span a = lower__span(c, first_name), b = lower__span(c, last_name);
    char buf[3] = {a.end > a.start ? c->text[a.start] : '?', b.end > b.start ? c->text[b.start] : '?', 0};
    char *s = arena_strndup(c->ar, buf, 2);
    if (!s) lower__oom(c);
    l.name = (ast_name){s, lower__span_to(a, b)};
  } else {
    l.name = lower__ident(c, first_name);
  }
  return l;
}

/* ------------------------------------------------------------------------ */
/* Diagnostics */

void lower__report(lower__ctx *c, text_span span, const char *code, const char *msg) {
  if (c->program) return;
  char *m = strdup(msg);
  if (!m || diag_list_push(&c->diags, span, DIAG_ERROR, code, m) < 0) lower__oom(c);
}

bool lower__too_deep(lower__ctx *c, unsigned depth, text_span span) {
  if (depth <= LOWER_MAX_DEPTH) return false;
  if (!c->deep_reported) {
    c->deep_reported = true;
    char msg[128];
    snprintf(msg, sizeof msg, "expression nested too deeply (more than %d levels): not analysed", LOWER_MAX_DEPTH);
    char *m = strdup(msg);
    if (!m || diag_list_push(&c->diags, span, DIAG_ERROR, LOWER_CODE_TOO_DEEP, m) < 0) lower__oom(c);
  }
  return true;
}

/* ------------------------------------------------------------------------ */
/* Attributes */

/* The attribute's name and whether it is `name`. */
TSNode lower__attr_id(lower__ctx *c, TSNode attr) {
  size_t base = lower__kids_push(c, attr, 0);
  size_t i = lower__kid_kind(c, base, K_ATTRIBUTE_ID);
  TSNode r = i == (size_t)-1 ? (TSNode){0} : c->kids[i].node;
  lower__kids_pop(c, base);
  return r;
}

bool lower__node_text_is(lower__ctx *c, TSNode n, const char *s) {
  if (ts_node_is_null(n)) return false;
  text_span sp = lower__span(c, n);
  size_t l = strlen(s);
  return sp.end - sp.start == l && !memcmp(c->text + sp.start, s, l);
}

/* The expression of an attribute payload (`attribute_payload` →
** `expression_item` → expression), or a null node. */
TSNode lower__payload_expr(lower__ctx *c, TSNode payload) {
  TSNode r = {0};
  size_t base = lower__kids_push(c, payload, 0);
  size_t i = lower__kid_kind(c, base, K_EXPRESSION_ITEM);
  if (i != (size_t)-1) {
    TSNode item = c->kids[i].node;
    size_t b2 = lower__kids_push(c, item, 0);
    for (size_t j = b2; j < c->nkids; j++)
      if (ts_node_is_named(c->kids[j].node) && c->kids[j].kind != K_ITEM_ATTRIBUTE) {
        r = c->kids[j].node;
        break;
      }
    lower__kids_pop(c, b2);
  }
  lower__kids_pop(c, base);
  return r;
}

ast_attr lower__attr(lower__ctx *c, TSNode attr, unsigned depth) {
  ast_attr a = {.span = lower__span(c, attr)};
  size_t base = lower__kids_push(c, attr, 0);
  size_t id = lower__kid_kind(c, base, K_ATTRIBUTE_ID);
  size_t pl = lower__kid_kind(c, base, K_ATTRIBUTE_PAYLOAD);
  TSNode idn = id == (size_t)-1 ? (TSNode){0} : c->kids[id].node;
  TSNode pln = pl == (size_t)-1 ? (TSNode){0} : c->kids[pl].node;
  lower__kids_pop(c, base);
  if (!ts_node_is_null(idn)) a.name = lower__name(c, idn);
  else a.name = (ast_name){lower__str(c, (text_span){a.span.start, a.span.start}), {a.span.start, a.span.start}};
  if (!ts_node_is_null(pln)) {
    a.payload = lower__span(c, pln);
  } else {
    uint32_t e = a.span.end > a.span.start ? a.span.end - 1 : a.span.end;
    a.payload = (text_span){e, e};
  }
  if (!strcmp(a.name.text, "measure") && !ts_node_is_null(pln)) {
    TSNode e = lower__payload_expr(c, pln);
    if (!ts_node_is_null(e)) a.expr = lower__expr(c, e, depth + 1);
  }
  return a;
}

ast_attr *lower__attrs(lower__ctx *c, size_t base, uint32_t *n, unsigned depth) {
  size_t cnt = 0;
  for (size_t i = base; i < c->nkids; i++)
    if (c->kids[i].kind == K_ITEM_ATTRIBUTE) cnt++;
  *n = (uint32_t)cnt;
  if (!cnt) return NULL;
  ast_attr *v = lower__alloc(c, cnt * sizeof *v);
  size_t w = 0;
  for (size_t i = base; i < c->nkids && w < cnt; i++)
    if (c->kids[i].kind == K_ITEM_ATTRIBUTE) {
      TSNode node = c->kids[i].node; /* copy out: lower__attr pushes kids */
      v[w++] = lower__attr(c, node, depth);
    }
  return v;
}

/* Does a binding node (let_binding, type_binding, module_binding, …) carry
** the item attribute [@@name]? */
bool lower__has_attr(lower__ctx *c, TSNode n, const char *name) {
  bool found = false;
  size_t base = lower__kids_push(c, n, 0);
  for (size_t i = base; i < c->nkids && !found; i++)
    if (c->kids[i].kind == K_ITEM_ATTRIBUTE) {
      TSNode node = c->kids[i].node;
      if (lower__node_text_is(c, lower__attr_id(c, node), name)) found = true;
    }
  lower__kids_pop(c, base);
  return found;
}

/* Any binding among the children of a definition carries [@@name]? */
bool lower__def_has_attr(lower__ctx *c, TSNode def, int binding_kind, const char *name) {
  bool found = false;
  size_t base = lower__kids_push(c, def, 0);
  for (size_t i = base; i < c->nkids && !found; i++)
    if (c->kids[i].kind == binding_kind || c->kids[i].kind == K_ITEM_ATTRIBUTE) {
      TSNode node = c->kids[i].node;
      if (c->kids[i].kind == K_ITEM_ATTRIBUTE) found = lower__node_text_is(c, lower__attr_id(c, node), name);
      else found = lower__has_attr(c, node, name);
    }
  lower__kids_pop(c, base);
  return found;
}

/* ------------------------------------------------------------------------ */
/* Entry point */

static void lower__ctx_free(lower__ctx *c) {
  if (c->cur_init) ts_tree_cursor_delete(&c->cur);
  free(c->kids);
  free(c->links);
  free(c->work);
  free(c->ops);
  free(c->outs);
  free(c->items);
  diag_list_clear(&c->diags);
}

static int lower__diag_cmp(const void *a, const void *b) {
  const diag *x = *(const diag *const *)a, *y = *(const diag *const *)b;
  if (x->span.start != y->span.start) return x->span.start < y->span.start ? -1 : 1;
  return x < y ? -1 : x > y; /* creation order */
}

/* Move c->diags to `out` sorted by position. -1 on OOM (out may have
** received some). */
static int lower__hand_over(lower__ctx *c, diag_list *out) {
  size_t n = c->diags.count;
  if (!n) return 0;
  diag **order = malloc(n * sizeof *order);
  if (!order) return -1;
  for (size_t i = 0; i < n; i++) order[i] = &c->diags.items[i];
  qsort(order, n, sizeof *order, lower__diag_cmp);
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    diag *d = order[i];
    char *m = d->message;
    d->message = NULL; /* ownership moves (diag_list_push frees it on failure) */
    if (rc == 0 && diag_list_push(out, d->span, d->severity, d->code, m) < 0) rc = -1;
    else if (rc < 0) free(m);
  }
  free(order);
  return rc;
}

int lower_file(const TSTree *tree, const char *text, size_t len, ast_file **out, diag_list *diags) {
  *out = NULL;
  pthread_once(&lower__lang_once, lower__lang_init);
  /* volatile: modified between setjmp and a possible longjmp. */
  lower__ctx *volatile c = calloc(1, sizeof *c);
  ast_file *volatile f = calloc(1, sizeof *f);
  if (!c || !f) {
    free(c);
    free(f);
    return -1;
  }
  c->text = text;
  c->len = len;
  c->F = &lower__lang.fields;
  /* Chunks sized for the file (the AST takes ~10-20 bytes per source byte):
  ** small files must not cost a big chunk each. */
  size_t chunk = len < 1024 ? 4096 : len > ((size_t)1 << 18) ? ((size_t)1 << 22) : len * 16;
  f->arena = c->ar = arena_create(chunk);
  if (!c->ar) {
    free(c);
    ast_file_destroy(f);
    return -1;
  }
  if (setjmp(c->oom)) {
    lower__ctx_free(c);
    free(c);
    ast_file_destroy(f);
    return -1;
  }
  if (tree) {
    TSNode root = ts_tree_root_node(tree);
    f->items = lower__items(c, root, 0, &f->nitems);
  }
  f->has_syntax_errors = c->has_errors || (tree && ts_node_has_error(ts_tree_root_node(tree)));
  /* Hand the diagnostics over, sorted by position (stable). */
  if (diags && lower__hand_over(c, diags) < 0) {
    lower__ctx_free(c);
    free(c);
    ast_file_destroy(f);
    return -1;
  }
  lower__ctx_free(c);
  free(c);
  *out = f;
  return 0;
}
