/*
** outline.c — document symbols, folding ranges and selection ranges from a
** tree-sitter tree (see outline.h).
**
** DESIGN
** Pure functions over an immutable tree and its text; no shared state.
**
** Trees can be 10,000 levels deep (nested parentheses), so:
**  - symbols only visit item lists (compilation_unit, struct … end, and ERROR
**    nodes, whose children are items recovered by tree-sitter) and recurse
**    through nested modules/ERRORs at most OUTLINE__MAX_DEPTH levels;
**  - folding and selection walk with a TSTreeCursor (iterative) and keep
**    their own ancestor information (ts_node_parent is O(depth) in the 0.20
**    runtime and is never used).
**
** IML keywords: the tree is parsed from the keyword VIEW, so a `theorem`
** appears as an anonymous "let" token whose user text is not "let" (and a
** `verify` as a ";;" token). The keyword is read back from the user's text in
** O(1) at that token (imlg_keyword_at would rescan the text from the start).
**
** Symbol choices (LSP SymbolKind):
**   type with constructors / extensible (..) → ENUM, constructors ENUM_MEMBER
**   (their inline-record fields FIELD); record → STRUCT with FIELD children;
**   alias or abstract type → TYPE_PARAMETER; detail "type" (alias: "= …").
**   let with parameters or a fun/function body → FUNCTION, else VARIABLE.
**   theorem / lemma / axiom → BOOLEAN (a named proposition), detail the
**   keyword. verify / instance / eval / test / qcheck → EVENT named by the
**   statement's first line (≤ 40 characters), detail the keyword, selection
**   the keyword. [@@@import "p.iml"] → MODULE named "p.iml", detail
**   "import". module → MODULE (struct bodies give children; alias detail
**   "= Path"); module type → INTERFACE.
**   Ranges: the whole item; with `and`, each binding from its `let`/`type`/
**   `and` keyword to its end (attributes included: they belong to the
**   binding node). Selection: the name token.
**
** Folding: multi-line items and `and` bindings, struct/sig bodies, multi-line
** match cases, multi-line comments (comment), runs of consecutive
** [@@@import]/open items spanning several lines (imports). At most one range
** per start line (the largest): clients fold by start line. Line numbers are
** the tree's rows (tree-sitter counts "\n", as text.h does), so the
** `lines` index is not needed (it may be NULL). The walk does not descend
** into one-line nodes: every fold spans lines, and so does every ancestor
** of a multi-line node (a sixth of the nodes are visited on typical code).
**
** Cost: node types are compared by symbol through a per-call memo (a strcmp
** chain per node cost more than the tree access), fields by id, and the
** small nodes of an item are indexed (ts_node_child) rather than walked
** with a freshly allocated cursor.
**
** Selection: one descent from the root with a cursor, choosing at each level
** the child containing the offset (or ending exactly at it), deduplicating
** equal spans; innermost first, the whole document last.
**
** Names and details are valid UTF-8 (invalid bytes become U+FFFD): they go
** to JSON.
*/
#include "outline.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>


#define OUTLINE__MAX_DEPTH 64   /* nested modules / ERROR item lists */
#define OUTLINE__NAME_MAX 40    /* characters of a statement's name */

/* Node types the outline looks at, compared by symbol: a per-call memo maps
** each symbol seen to one of these (strcmp on type names, node after node,
** cost more than the tree accesses themselves). */
enum {
  OK_OTHER, OK_COMMENT, OK_COMPILATION_UNIT, OK_STRUCTURE, OK_SIGNATURE, OK_MATCH_CASE, OK_LET_BINDING,
  OK_TYPE_BINDING, OK_MODULE_BINDING, OK_OPEN_MODULE, OK_FLOATING_ATTRIBUTE, OK_ATTRIBUTE_ID, OK_SEMISEMI,
  OK_EXPRESSION_ITEM, OK_VALUE_DEFINITION, OK_TYPE_DEFINITION, OK_MODULE_DEFINITION, OK_MODULE_TYPE_DEFINITION,
  OK_AND, OK_FIELD_DECLARATION, OK_FIELD_NAME, OK_CONSTRUCTOR_DECLARATION, OK_CONSTRUCTOR_NAME,
  OK_RECORD_DECLARATION, OK_VARIANT_DECLARATION, OK_DOTDOT, OK_PARAMETER, OK_FUN_EXPRESSION,
  OK_FUNCTION_EXPRESSION, OK_PARENTHESIZED_OPERATOR, OK_MODULE_NAME, OK_MODULE_PATH, OK_MODULE_TYPE_NAME,
  OK_STRING, OK_QUOTED_STRING, OK_STRING_CONTENT, OK_ITEM_ATTRIBUTE, OK_COUNT
};

static const char *const outline__kind_names[OK_COUNT] = {
    [OK_COMMENT] = "comment", [OK_COMPILATION_UNIT] = "compilation_unit", [OK_STRUCTURE] = "structure",
    [OK_SIGNATURE] = "signature", [OK_MATCH_CASE] = "match_case", [OK_LET_BINDING] = "let_binding",
    [OK_TYPE_BINDING] = "type_binding", [OK_MODULE_BINDING] = "module_binding",
    [OK_OPEN_MODULE] = "open_module", [OK_FLOATING_ATTRIBUTE] = "floating_attribute",
    [OK_ATTRIBUTE_ID] = "attribute_id", [OK_SEMISEMI] = ";;", [OK_EXPRESSION_ITEM] = "expression_item",
    [OK_VALUE_DEFINITION] = "value_definition", [OK_TYPE_DEFINITION] = "type_definition",
    [OK_MODULE_DEFINITION] = "module_definition", [OK_MODULE_TYPE_DEFINITION] = "module_type_definition",
    [OK_AND] = "and", [OK_FIELD_DECLARATION] = "field_declaration", [OK_FIELD_NAME] = "field_name",
    [OK_CONSTRUCTOR_DECLARATION] = "constructor_declaration", [OK_CONSTRUCTOR_NAME] = "constructor_name",
    [OK_RECORD_DECLARATION] = "record_declaration", [OK_VARIANT_DECLARATION] = "variant_declaration",
    [OK_DOTDOT] = "..", [OK_PARAMETER] = "parameter", [OK_FUN_EXPRESSION] = "fun_expression",
    [OK_FUNCTION_EXPRESSION] = "function_expression", [OK_PARENTHESIZED_OPERATOR] = "parenthesized_operator",
    [OK_MODULE_NAME] = "module_name", [OK_MODULE_PATH] = "module_path",
    [OK_MODULE_TYPE_NAME] = "module_type_name", [OK_STRING] = "string", [OK_QUOTED_STRING] = "quoted_string",
    [OK_STRING_CONTENT] = "string_content", [OK_ITEM_ATTRIBUTE] = "item_attribute",
};

typedef struct {
  const char *text;
  size_t len;
  bool oom;
  unsigned char *kinds; /* by symbol: OK_* + 1, 0 = not seen yet (NULL: no memo) */
  uint32_t nsym;
  TSFieldId f_body, f_name, f_equation, f_pattern, f_type;
} outline__ctx;

typedef struct {
  osym *v;
  size_t n, cap;
} outline__vec;

/* ------------------------------------------------------------------------ */
/* Small helpers */

static int outline__kind(outline__ctx *c, TSNode n) {
  TSSymbol sym = ts_node_symbol(n);
  if (c->kinds && sym < c->nsym && c->kinds[sym]) return c->kinds[sym] - 1;
  const char *t = ts_node_type(n);
  int k = OK_OTHER;
  for (int i = 1; i < OK_COUNT; i++)
    if (!strcmp(t, outline__kind_names[i])) {
      k = i;
      break;
    }
  if (c->kinds && sym < c->nsym) c->kinds[sym] = (unsigned char)(k + 1);
  return k;
}

/* Set up the memo and field ids for `tree` (the memo is optional: without
** memory, types are compared by name). */
static void outline__ctx_init(outline__ctx *c, const TSTree *tree, const char *text, size_t len) {
  const TSLanguage *lang = ts_tree_language(tree);
  *c = (outline__ctx){.text = text, .len = len};
  c->nsym = ts_language_symbol_count(lang);
  c->kinds = calloc(c->nsym ? c->nsym : 1, 1);
  c->f_body = ts_language_field_id_for_name(lang, "body", 4);
  c->f_name = ts_language_field_id_for_name(lang, "name", 4);
  c->f_equation = ts_language_field_id_for_name(lang, "equation", 8);
  c->f_pattern = ts_language_field_id_for_name(lang, "pattern", 7);
  c->f_type = ts_language_field_id_for_name(lang, "type", 4);
}

static bool outline__is_ident_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '\'' || c >= 0x80;
}

static bool outline__is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static uint32_t outline__start(const outline__ctx *c, TSNode n) {
  uint32_t s = ts_node_start_byte(n);
  return s > c->len ? (uint32_t)c->len : s;
}

static uint32_t outline__end(const outline__ctx *c, TSNode n) {
  uint32_t e = ts_node_end_byte(n);
  return e > c->len ? (uint32_t)c->len : e;
}

static const char *const outline__iml_keywords[] = {"theorem", "lemma", "axiom", "verify",
                                                    "instance", "eval", "test", "qcheck"};

/* The IML keyword behind an anonymous view token ("let" or ";;") — the user
** wrote something else there — or NULL. */
static const char *outline__view_keyword(const outline__ctx *c, TSNode tok) {
  if (ts_node_is_null(tok) || ts_node_is_named(tok)) return NULL;
  const char *t = ts_node_type(tok);
  uint32_t s = ts_node_start_byte(tok);
  size_t tl = strlen(t);
  if ((strcmp(t, "let") && strcmp(t, ";;")) || s + tl > c->len || !memcmp(c->text + s, t, tl)) return NULL;
  size_t e = s;
  while (e < c->len && outline__is_ident_char((unsigned char)c->text[e])) e++;
  for (size_t i = 0; i < sizeof outline__iml_keywords / sizeof *outline__iml_keywords; i++)
    if (strlen(outline__iml_keywords[i]) == e - s && !memcmp(c->text + s, outline__iml_keywords[i], e - s))
      return outline__iml_keywords[i];
  return NULL;
}


/* Copy of text[s..e) with every run of blanks (newlines included) collapsed
** to one space, trimmed; cut after `maxchars` characters (0: no limit) and,
** when `first_line`, at the first newline, with "…" appended when cut.
** Always valid UTF-8 (invalid bytes become U+FFFD, NUL a space): names go
** to JSON. NULL on OOM (sets c->oom). */
static char *outline__text(outline__ctx *c, uint32_t s, uint32_t e, size_t maxchars, bool first_line) {
  if (e > c->len) e = (uint32_t)c->len;
  if (s > e) s = e;
  char *out = malloc((size_t)(e - s) * 3 + 4);
  if (!out) {
    c->oom = true;
    return NULL;
  }
  const unsigned char *t = (const unsigned char *)c->text;
  size_t o = 0, chars = 0;
  bool space = false, cut = false;
  for (uint32_t i = s; i < e;) {
    char ch = (char)t[i];
    if (first_line && ch == '\n') {
      for (uint32_t j = i; j < e && !cut; j++)
        if (!outline__is_space(c->text[j])) cut = true;
      break;
    }
    if (outline__is_space(ch) || ch == '\0') {
      space = o > 0;
      i++;
      continue;
    }
    if (maxchars && chars + (space ? 1 : 0) >= maxchars) {
      cut = true;
      break;
    }
    if (space) {
      out[o++] = ' ';
      chars++;
      space = false;
    }
    size_t n = text_utf8_valid_len(t + i, e - i);
    if (n) {
      memcpy(out + o, t + i, n);
      o += n;
      i += (uint32_t)n;
    } else {
      memcpy(out + o, "\xEF\xBF\xBD", 3);
      o += 3;
      i++;
    }
    chars++;
  }
  if (cut) {
    memcpy(out + o, "\xE2\x80\xA6", 3);
    o += 3;
  }
  out[o] = '\0';
  return out;
}

static char *outline__strdup(outline__ctx *c, const char *s) {
  if (!s) return NULL;
  char *d = strdup(s);
  if (!d) c->oom = true;
  return d;
}

/* Append a symbol (takes ownership of name/detail; frees them on OOM). */
static osym *outline__push(outline__ctx *c, outline__vec *v, char *name, char *detail, osym_kind kind,
                           text_span range, text_span sel) {
  if (c->oom || !name) {
    free(name);
    free(detail);
    c->oom = true;
    return NULL;
  }
  if (v->n == v->cap) {
    size_t ncap = v->cap ? v->cap * 2 : 8;
    osym *a = realloc(v->v, ncap * sizeof *a);
    if (!a) {
      free(name);
      free(detail);
      c->oom = true;
      return NULL;
    }
    v->v = a;
    v->cap = ncap;
  }
  /* The selection must lie inside the range. */
  if (sel.start < range.start || sel.end > range.end || sel.start > sel.end) sel = (text_span){range.start, range.start};
  osym *s = &v->v[v->n++];
  *s = (osym){.name = name, .detail = detail, .kind = kind, .range = range, .selection = sel};
  return s;
}

static void outline__attach(osym *parent, outline__vec *kids) {
  if (parent) {
    parent->children = kids->v;
    parent->nchildren = kids->n;
  } else {
    outline_symbols_free(kids->v, kids->n);
  }
  kids->v = NULL;
  kids->n = kids->cap = 0;
}

static void outline__free_one(osym *s) {
  free(s->name);
  free(s->detail);
  outline_symbols_free(s->children, s->nchildren);
}

void outline_symbols_free(osym *syms, size_t n) {
  if (!syms) return;
  for (size_t i = 0; i < n; i++) outline__free_one(&syms[i]);
  free(syms);
}

/* First direct child of `n` of kind `k` (named or not). The nodes asked
** have a handful of children: indexing beats allocating a cursor. */
static TSNode outline__child_of_kind(outline__ctx *c, TSNode n, int k) {
  uint32_t cnt = ts_node_child_count(n);
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ts_node_child(n, i);
    if (outline__kind(c, ch) == k) return ch;
  }
  return (TSNode){0};
}

/* ------------------------------------------------------------------------ */
/* Types */

static void outline__fields(outline__ctx *c, TSNode record, outline__vec *out) {
  uint32_t cnt = ts_node_child_count(record);
  for (uint32_t i = 0; i < cnt && !c->oom; i++) {
    TSNode f = ts_node_child(record, i);
    if (outline__kind(c, f) != OK_FIELD_DECLARATION) continue;
    TSNode name = outline__child_of_kind(c, f, OK_FIELD_NAME);
    if (ts_node_is_null(name)) continue;
    TSNode ty = ts_node_child_by_field_id(f, c->f_type);
    char *detail = ts_node_is_null(ty) ? NULL
                                        : outline__text(c, outline__start(c, ty), outline__end(c, ty), 60, false);
    text_span sel = {outline__start(c, name), outline__end(c, name)};
    outline__push(c, out, outline__text(c, sel.start, sel.end, 0, false), detail, OSYM_FIELD,
                  (text_span){outline__start(c, f), outline__end(c, f)}, sel);
  }
}

static void outline__constructors(outline__ctx *c, TSNode variants, outline__vec *out) {
  uint32_t cnt = ts_node_child_count(variants);
  for (uint32_t i = 0; i < cnt && !c->oom; i++) {
    TSNode k = ts_node_child(variants, i);
    if (outline__kind(c, k) != OK_CONSTRUCTOR_DECLARATION) continue;
    TSNode name = outline__child_of_kind(c, k, OK_CONSTRUCTOR_NAME);
    if (ts_node_is_null(name)) continue;
    text_span sel = {outline__start(c, name), outline__end(c, name)};
    text_span range = {outline__start(c, k), outline__end(c, k)};
    char *detail = range.end > sel.end ? outline__text(c, sel.end, range.end, 60, false) : NULL;
    if (detail && !*detail) free(detail), detail = NULL;
    osym *s = outline__push(c, out, outline__text(c, sel.start, sel.end, 0, false), detail,
                            OSYM_ENUM_MEMBER, range, sel);
    TSNode rec = outline__child_of_kind(c, k, OK_RECORD_DECLARATION);
    if (s && !ts_node_is_null(rec)) {
      outline__vec kids = {0};
      outline__fields(c, rec, &kids);
      outline__attach(s, &kids);
    }
  }
}

static void outline__type_binding(outline__ctx *c, TSNode b, text_span range, outline__vec *out) {
  TSNode name = ts_node_child_by_field_id(b, c->f_name);
  if (ts_node_is_null(name)) return;
  TSNode body = ts_node_child_by_field_id(b, c->f_body);
  TSNode eq = ts_node_child_by_field_id(b, c->f_equation);
  text_span sel = {outline__start(c, name), outline__end(c, name)};
  osym_kind kind = OSYM_TYPE_PARAMETER;
  char *detail;
  int bk = ts_node_is_null(body) ? -1 : outline__kind(c, body);
  if (bk == OK_VARIANT_DECLARATION || bk == OK_DOTDOT) kind = OSYM_ENUM;
  else if (bk == OK_RECORD_DECLARATION) kind = OSYM_STRUCT;
  if (kind == OSYM_TYPE_PARAMETER && !ts_node_is_null(eq)) {
    char *t = outline__text(c, outline__start(c, eq), outline__end(c, eq), 40, true);
    detail = t ? malloc(strlen(t) + 3) : NULL;
    if (detail) strcpy(detail, "= "), strcat(detail, t);
    else c->oom = true;
    free(t);
  } else {
    detail = outline__strdup(c, "type");
  }
  osym *s = outline__push(c, out, outline__text(c, sel.start, sel.end, 0, false), detail, kind, range, sel);
  if (!s) return;
  outline__vec kids = {0};
  if (kind == OSYM_ENUM && bk == OK_VARIANT_DECLARATION) outline__constructors(c, body, &kids);
  else if (kind == OSYM_STRUCT) outline__fields(c, body, &kids);
  outline__attach(s, &kids);
}

/* Bindings of a definition joined by `and` (type, let, module): calls `fn`
** with each binding of type `btype` and its range (from the definition's
** start or its `and` to the binding's end; the last one to the definition's
** end). */
typedef void (*outline__binding_fn)(outline__ctx *c, TSNode def, TSNode b, text_span range, outline__vec *out);

static void outline__bindings(outline__ctx *c, TSNode def, int bkind, outline__binding_fn fn,
                              outline__vec *out) {
  uint32_t start = outline__start(c, def), end = outline__end(c, def);
  uint32_t from = start;
  TSNode pending = {0};
  uint32_t pending_from = 0;
  uint32_t cnt = ts_node_child_count(def);
  for (uint32_t i = 0; i < cnt && !c->oom; i++) {
    TSNode ch = ts_node_child(def, i);
    int k = outline__kind(c, ch);
    if (k == OK_AND) {
      from = outline__start(c, ch);
    } else if (k == bkind) {
      if (!ts_node_is_null(pending)) fn(c, def, pending, (text_span){pending_from, outline__end(c, pending)}, out);
      pending = ch;
      pending_from = from;
    }
  }
  if (!ts_node_is_null(pending) && !c->oom) fn(c, def, pending, (text_span){pending_from, end}, out);
}

static void outline__type_cb(outline__ctx *c, TSNode def, TSNode b, text_span range, outline__vec *out) {
  (void)def;
  outline__type_binding(c, b, range, out);
}

/* ------------------------------------------------------------------------ */
/* Values */

static char *outline__pattern_name(outline__ctx *c, TSNode pat) {
  if (outline__kind(c, pat) == OK_PARENTHESIZED_OPERATOR) {
    /* "( +! )" whatever the spacing. */
    TSNode op = ts_node_named_child(pat, 0);
    if (ts_node_is_null(op)) return outline__text(c, outline__start(c, pat), outline__end(c, pat), 0, false);
    char *o = outline__text(c, outline__start(c, op), outline__end(c, op), 0, false);
    char *r = o ? malloc(strlen(o) + 5) : NULL;
    if (r) strcpy(r, "( "), strcat(r, o), strcat(r, " )");
    else c->oom = true;
    free(o);
    return r;
  }
  return outline__text(c, outline__start(c, pat), outline__end(c, pat), OUTLINE__NAME_MAX, true);
}

static void outline__let_cb(outline__ctx *c, TSNode def, TSNode b, text_span range, outline__vec *out) {
  TSNode pat = ts_node_child_by_field_id(b, c->f_pattern);
  if (ts_node_is_null(pat) || ts_node_is_missing(pat)) return;
  const char *kw = outline__view_keyword(c, ts_node_child(def, 0));
  osym_kind kind = OSYM_VARIABLE;
  if (kw) {
    kind = OSYM_BOOLEAN;
  } else {
    TSNode body = ts_node_child_by_field_id(b, c->f_body);
    int bk = ts_node_is_null(body) ? -1 : outline__kind(c, body);
    if (!ts_node_is_null(outline__child_of_kind(c, b, OK_PARAMETER)) || bk == OK_FUN_EXPRESSION ||
        bk == OK_FUNCTION_EXPRESSION)
      kind = OSYM_FUNCTION;
  }
  text_span sel = {outline__start(c, pat), outline__end(c, pat)};
  outline__push(c, out, outline__pattern_name(c, pat), kw ? outline__strdup(c, kw) : NULL, kind, range, sel);
}

/* ------------------------------------------------------------------------ */
/* Modules, imports, statements */

static void outline__items(outline__ctx *c, TSNode container, unsigned depth, outline__vec *out);

static void outline__module_cb(outline__ctx *c, TSNode def, TSNode b, text_span range, outline__vec *out) {
  TSNode name = outline__child_of_kind(c, b, OK_MODULE_NAME);
  if (ts_node_is_null(name)) return;
  TSNode body = ts_node_child_by_field_id(b, c->f_body);
  char *detail = NULL;
  if (!ts_node_is_null(body) && outline__kind(c, body) == OK_MODULE_PATH) {
    char *p = outline__text(c, outline__start(c, body), outline__end(c, body), 40, true);
    detail = p ? malloc(strlen(p) + 3) : NULL;
    if (detail) strcpy(detail, "= "), strcat(detail, p);
    else c->oom = true;
    free(p);
  }
  text_span sel = {outline__start(c, name), outline__end(c, name)};
  (void)def;
  outline__push(c, out, outline__text(c, sel.start, sel.end, 0, false), detail, OSYM_MODULE, range, sel);
}

/* [@@@import "p.iml"] / [@@@import M, "p.iml"]: the path string. */
static TSNode outline__import_string(outline__ctx *c, TSNode attr) {
  TSTreeCursor cur = ts_tree_cursor_new(attr);
  TSNode r = {0};
  /* Bounded search: the payload is tiny for real imports. */
  for (unsigned steps = 0; steps < 64;) {
    TSNode n = ts_tree_cursor_current_node(&cur);
    int k = outline__kind(c, n);
    if (k == OK_STRING || k == OK_QUOTED_STRING) {
      r = n;
      break;
    }
    steps++;
    if (ts_tree_cursor_goto_first_child(&cur)) continue;
    bool moved = false;
    while (!(moved = ts_tree_cursor_goto_next_sibling(&cur)))
      if (!ts_tree_cursor_goto_parent(&cur)) break;
    if (!moved) break;
  }
  ts_tree_cursor_delete(&cur);
  return r;
}

static bool outline__is_import(outline__ctx *c, TSNode n) {
  if (outline__kind(c, n) != OK_FLOATING_ATTRIBUTE) return false;
  TSNode id = ts_node_named_child(n, 0);
  if (ts_node_is_null(id) || outline__kind(c, id) != OK_ATTRIBUTE_ID) return false;
  uint32_t s = ts_node_start_byte(id), e = ts_node_end_byte(id);
  return e <= c->len && e - s == 6 && !memcmp(c->text + s, "import", 6);
}

static void outline__import(outline__ctx *c, TSNode n, outline__vec *out) {
  text_span range = {outline__start(c, n), outline__end(c, n)};
  TSNode str = outline__import_string(c, n);
  char *name;
  text_span sel;
  if (!ts_node_is_null(str)) {
    sel = (text_span){outline__start(c, str), outline__end(c, str)};
    TSNode content = outline__child_of_kind(c, str, OK_STRING_CONTENT);
    if (!ts_node_is_null(content))
      name = outline__text(c, outline__start(c, content), outline__end(c, content), 0, true);
    else if (sel.end - sel.start >= 2 && c->text[sel.start] == '"')
      name = outline__text(c, sel.start + 1, sel.end - 1, 0, true);
    else
      name = outline__text(c, sel.start, sel.end, 0, true);
  } else {
    TSNode id = ts_node_named_child(n, 0);
    sel = (text_span){outline__start(c, id), outline__end(c, id)};
    name = outline__text(c, sel.start, range.end > 0 ? range.end - 1 : range.end, OUTLINE__NAME_MAX, true);
  }
  if (name && !*name) {
    free(name);
    name = outline__strdup(c, "import");
  }
  outline__push(c, out, name, outline__strdup(c, "import"), OSYM_MODULE, range, sel);
}

/* `verify e` & co.: keyword token `kw_tok` (";;" in the view) + expression_item. */
static void outline__statement(outline__ctx *c, const char *kw, TSNode kw_tok, TSNode item, outline__vec *out) {
  uint32_t s = outline__start(c, kw_tok);
  text_span sel = {s, s + (uint32_t)strlen(kw)};
  /* The statement's text, without trailing item attributes. */
  uint32_t e = outline__start(c, item);
  uint32_t cnt = ts_node_child_count(item);
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ts_node_child(item, i);
    if (outline__kind(c, ch) == OK_ITEM_ATTRIBUTE) break;
    e = outline__end(c, ch);
  }
  text_span range = {s, outline__end(c, item)};
  if (sel.end > range.end) sel.end = range.end;
  outline__push(c, out, outline__text(c, s, e, OUTLINE__NAME_MAX, true), outline__strdup(c, kw), OSYM_EVENT,
                range, sel);
}

static void outline__module_def(outline__ctx *c, TSNode def, unsigned depth, outline__vec *out) {
  size_t before = out->n;
  outline__bindings(c, def, OK_MODULE_BINDING, outline__module_cb, out);
  /* Children of struct bodies: outline__module_cb pushed one symbol per
  ** binding with a name, in order. */
  if (depth + 1 >= OUTLINE__MAX_DEPTH) return;
  size_t k = before;
  uint32_t cnt = ts_node_child_count(def);
  for (uint32_t i = 0; i < cnt && !c->oom; i++) {
    TSNode b = ts_node_child(def, i);
    if (outline__kind(c, b) != OK_MODULE_BINDING) continue;
    if (ts_node_is_null(outline__child_of_kind(c, b, OK_MODULE_NAME))) continue;
    if (k >= out->n) break;
    osym *m = &out->v[k++]; /* stable: the items below go to `kids` */
    TSNode body = ts_node_child_by_field_id(b, c->f_body);
    if (ts_node_is_null(body) || outline__kind(c, body) != OK_STRUCTURE) continue;
    outline__vec kids = {0};
    outline__items(c, body, depth + 1, &kids);
    outline__attach(m, &kids);
  }
}

static void outline__module_type(outline__ctx *c, TSNode def, outline__vec *out) {
  TSNode name = outline__child_of_kind(c, def, OK_MODULE_TYPE_NAME);
  if (ts_node_is_null(name)) return;
  text_span sel = {outline__start(c, name), outline__end(c, name)};
  outline__push(c, out, outline__text(c, sel.start, sel.end, 0, false), outline__strdup(c, "module type"),
                OSYM_INTERFACE, (text_span){outline__start(c, def), outline__end(c, def)}, sel);
}

/* The items of a compilation_unit, structure or ERROR node. */
static void outline__items(outline__ctx *c, TSNode container, unsigned depth, outline__vec *out) {
  TSTreeCursor cur = ts_tree_cursor_new(container);
  const char *pending_kw = NULL;
  TSNode pending_tok = {0};
  if (ts_tree_cursor_goto_first_child(&cur)) {
    do {
      TSNode n = ts_tree_cursor_current_node(&cur);
      int t = outline__kind(c, n);
      if (t == OK_COMMENT) continue;
      const char *kw = pending_kw;
      pending_kw = NULL;
      if (t == OK_SEMISEMI) {
        pending_kw = outline__view_keyword(c, n);
        pending_tok = n;
      } else if (t == OK_EXPRESSION_ITEM) {
        if (kw) outline__statement(c, kw, pending_tok, n, out);
      } else if (t == OK_VALUE_DEFINITION) {
        outline__bindings(c, n, OK_LET_BINDING, outline__let_cb, out);
      } else if (t == OK_TYPE_DEFINITION) {
        outline__bindings(c, n, OK_TYPE_BINDING, outline__type_cb, out);
      } else if (t == OK_MODULE_DEFINITION) {
        outline__module_def(c, n, depth, out);
      } else if (t == OK_MODULE_TYPE_DEFINITION) {
        outline__module_type(c, n, out);
      } else if (t == OK_FLOATING_ATTRIBUTE) {
        if (outline__is_import(c, n)) outline__import(c, n, out);
      } else if (ts_node_symbol(n) == (TSSymbol)-1) {
        /* Items recovered inside an ERROR are still worth listing. */
        if (depth + 1 < OUTLINE__MAX_DEPTH) outline__items(c, n, depth + 1, out);
      }
    } while (!c->oom && ts_tree_cursor_goto_next_sibling(&cur));
  }
  ts_tree_cursor_delete(&cur);
}

int outline_symbols(const TSTree *tree, const char *text, size_t len, osym **out, size_t *n) {
  *out = NULL;
  *n = 0;
  if (!tree) return 0;
  outline__ctx c;
  outline__ctx_init(&c, tree, text, len);
  outline__vec v = {0};
  outline__items(&c, ts_tree_root_node(tree), 0, &v);
  free(c.kinds);
  if (c.oom) {
    outline_symbols_free(v.v, v.n);
    return -1;
  }
  *out = v.v;
  *n = v.n;
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Folding */

typedef struct {
  ofold *v;
  size_t n, cap;
  bool oom;
} outline__folds;

static void outline__fold(outline__folds *f, TSPoint s, TSPoint e, ofold_kind kind) {
  uint32_t end = e.row;
  if (e.column == 0 && end > s.row) end--; /* a node ending at a line start */
  if (end <= s.row || f->oom) return;
  if (f->n == f->cap) {
    size_t ncap = f->cap ? f->cap * 2 : 16;
    ofold *a = realloc(f->v, ncap * sizeof *a);
    if (!a) {
      f->oom = true;
      return;
    }
    f->v = a;
    f->cap = ncap;
  }
  f->v[f->n++] = (ofold){.start_line = s.row, .end_line = end, .kind = kind};
}

static int outline__fold_cmp(const void *a, const void *b) {
  const ofold *x = a, *y = b;
  if (x->start_line != y->start_line) return x->start_line < y->start_line ? -1 : 1;
  if (x->end_line != y->end_line) return x->end_line > y->end_line ? -1 : 1; /* largest first */
  return (int)x->kind - (int)y->kind;
}

static bool outline__is_import_like(outline__ctx *c, TSNode n, int k) {
  return k == OK_OPEN_MODULE || (k == OK_FLOATING_ATTRIBUTE && outline__is_import(c, n));
}

int outline_folding(const TSTree *tree, const char *text, size_t len, const text_lines *lines, ofold **out,
                    size_t *n) {
  (void)lines; /* rows come from the tree, which counts "\n" as text.h does */
  *out = NULL;
  *n = 0;
  if (!tree) return 0;
  outline__ctx c;
  outline__ctx_init(&c, tree, text, len);
  outline__folds f = {0};
  /* Per ancestor: is it an item list (so its children are items)? */
  bool *container = NULL;
  size_t cap = 0, depth = 0;
  /* The current run of import-like items (in the innermost item list). */
  bool in_run = false;
  size_t run_depth = 0;
  TSPoint run_start = {0, 0}, run_end = {0, 0};
  TSTreeCursor cur = ts_tree_cursor_new(ts_tree_root_node(tree));
  for (;;) {
    TSNode node = ts_tree_cursor_current_node(&cur);
    int k = outline__kind(&c, node);
    bool item = depth > 0 && container[depth - 1];
    TSPoint sp = ts_node_start_point(node), ep = ts_node_end_point(node);
    bool comment = k == OK_COMMENT;
    if (item && !comment) {
      if (outline__is_import_like(&c, node, k)) {
        if (!in_run || run_depth != depth) {
          if (in_run) outline__fold(&f, run_start, run_end, OFOLD_IMPORTS);
          in_run = true;
          run_depth = depth;
          run_start = sp;
        }
        run_end = ep;
      } else if (in_run && run_depth == depth) {
        outline__fold(&f, run_start, run_end, OFOLD_IMPORTS);
        in_run = false;
      }
    }
    if (comment) {
      outline__fold(&f, sp, ep, OFOLD_COMMENT);
    } else if (item && ts_node_is_named(node) && ts_node_symbol(node) != (TSSymbol)-1) {
      outline__fold(&f, sp, ep, OFOLD_REGION);
    } else if (k == OK_STRUCTURE || k == OK_SIGNATURE || k == OK_MATCH_CASE || k == OK_LET_BINDING ||
               k == OK_TYPE_BINDING || k == OK_MODULE_BINDING) {
      outline__fold(&f, sp, ep, OFOLD_REGION);
    }
    if (f.oom) break;
    if (depth == cap) {
      size_t ncap = cap ? cap * 2 : 64;
      bool *a = realloc(container, ncap * sizeof *a);
      if (!a) {
        f.oom = true;
        break;
      }
      container = a;
      cap = ncap;
    }
    container[depth] = k == OK_COMPILATION_UNIT || k == OK_STRUCTURE || k == OK_SIGNATURE ||
                       (ts_node_symbol(node) == (TSSymbol)-1 && depth == 0);
    /* Every fold spans lines, and so do all ancestors of a multi-line
    ** node: a one-line subtree holds nothing to fold (its root, visited
    ** here, still counts as an item for the import runs). */
    if (ep.row > sp.row && ts_tree_cursor_goto_first_child(&cur)) {
      depth++;
      continue;
    }
    bool moved = false;
    while (!(moved = ts_tree_cursor_goto_next_sibling(&cur))) {
      if (!ts_tree_cursor_goto_parent(&cur)) break;
      depth--;
      if (in_run && run_depth > depth) {
        outline__fold(&f, run_start, run_end, OFOLD_IMPORTS);
        in_run = false;
      }
    }
    if (!moved) break;
  }
  ts_tree_cursor_delete(&cur);
  if (in_run) outline__fold(&f, run_start, run_end, OFOLD_IMPORTS);
  free(container);
  free(c.kinds);
  if (f.oom) {
    free(f.v);
    return -1;
  }
  /* Sorted by start line; one range per start line (the largest). */
  if (f.n > 1) qsort(f.v, f.n, sizeof *f.v, outline__fold_cmp);
  size_t w = 0;
  for (size_t i = 0; i < f.n; i++)
    if (w == 0 || f.v[w - 1].start_line != f.v[i].start_line) f.v[w++] = f.v[i];
  if (w == 0) {
    free(f.v);
    f.v = NULL;
  }
  *out = f.v;
  *n = w;
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Selection */

int outline_selection(const TSTree *tree, const char *text, size_t len, uint32_t offset, text_span **out,
                      size_t *n) {
  (void)text;
  *out = NULL;
  *n = 0;
  if (offset > len) offset = (uint32_t)len;
  text_span *v = NULL;
  size_t cnt = 0, cap = 0;
  bool oom = false;
  /* Root to leaf: at each level the child containing `offset` (or ending
  ** exactly there, for a cursor just after a token). */
  if (tree) {
    TSTreeCursor cur = ts_tree_cursor_new(ts_tree_root_node(tree));
    for (;;) {
      TSNode node = ts_tree_cursor_current_node(&cur);
      uint32_t s = ts_node_start_byte(node), e = ts_node_end_byte(node);
      if (e > len) e = (uint32_t)len;
      if (s > e) s = e;
      if (e > s && (cnt == 0 || v[cnt - 1].start != s || v[cnt - 1].end != e)) {
        if (cnt == cap) {
          size_t ncap = cap ? cap * 2 : 32;
          text_span *a = realloc(v, ncap * sizeof *a);
          if (!a) {
            oom = true;
            break;
          }
          v = a;
          cap = ncap;
        }
        v[cnt++] = (text_span){s, e};
      }
      if (!ts_tree_cursor_goto_first_child(&cur)) break;
      /* Index of the child containing the offset, else of the one ending
      ** exactly there; then step back to it (a cursor copy per level would
      ** cost O(depth) each). */
      long hit = -1, touch = -1, i = 0;
      do {
        TSNode ch = ts_tree_cursor_current_node(&cur);
        uint32_t cs = ts_node_start_byte(ch), ce = ts_node_end_byte(ch);
        if (ce > cs) {
          if (cs <= offset && offset < ce) {
            hit = i;
            break;
          }
          if (ce == offset && touch < 0) touch = i;
          if (cs > offset) break;
        }
        i++;
      } while (ts_tree_cursor_goto_next_sibling(&cur));
      if (hit < 0 && touch >= 0) {
        ts_tree_cursor_goto_parent(&cur);
        ts_tree_cursor_goto_first_child(&cur);
        for (long k = 0; k < touch; k++) ts_tree_cursor_goto_next_sibling(&cur);
        hit = touch;
      }
      bool found = hit >= 0;
      if (!found) break;
    }
    ts_tree_cursor_delete(&cur);
  }
  if (!oom) {
    /* Innermost first, then the document. */
    for (size_t i = 0; i < cnt / 2; i++) {
      text_span tmp = v[i];
      v[i] = v[cnt - 1 - i];
      v[cnt - 1 - i] = tmp;
    }
    if (cnt == 0 || v[cnt - 1].start != 0 || v[cnt - 1].end != len) {
      text_span *a = realloc(v, (cnt + 1) * sizeof *a);
      if (!a) oom = true;
      else v = a, v[cnt++] = (text_span){0, (uint32_t)len};
    }
  }
  if (oom) {
    free(v);
    return -1;
  }
  *out = v;
  *n = cnt;
  return 0;
}
