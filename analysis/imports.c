/*
** imports.c — see imports.h.
**
** DESIGN: extraction walks the tree with a TSTreeCursor (no recursion), and
** descends only into module containers (structures, module bindings, …) and
** into subtrees that contain errors (where tree-sitter puts misrecovered
** `[@@@import …]` items), so a clean file costs O(top-level items). The
** payload is classified from the tree; string contents are decoded from the
** user's text (OCaml escape rules), never from the keyword view.
** Resolution uses stat + realpath: realpath collapses `..`, `.` and symlinks
** so that one file has exactly one path in the import graph.
*/
#define _GNU_SOURCE
#include "imports.h"
#include "strbuf.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------------------ */
/* Small string helpers */

static char *imp__ndup(const char *s, size_t n) {
  char *r = malloc(n + 1);
  if (!r) return NULL;
  memcpy(r, s, n);
  r[n] = 0;
  return r;
}

static bool imp__has_suffix(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && memcmp(s + a - b, suf, b) == 0;
}

static bool imp__has_prefix(const char *s, const char *pre) {
  return strncmp(s, pre, strlen(pre)) == 0;
}

/* ------------------------------------------------------------------------ */
/* OCaml string literals */

static int imp__hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static void imp__put_utf8(strbuf *b, uint32_t cp) {
  char u[4];
  size_t n;
  if (cp < 0x80) {
    u[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    u[0] = (char)(0xC0 | (cp >> 6));
    u[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    u[0] = (char)(0xE0 | (cp >> 12));
    u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    u[0] = (char)(0xF0 | (cp >> 18));
    u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  strbuf_put(b, u, n);
}

/* Decode the body s[0..n) of a "…" literal. Returns the malloc'd contents, or
** NULL on OOM; *bad is set when the result would contain a NUL byte (a path
** cannot). Unknown escapes are kept verbatim, as OCaml does. */
static char *imp__unescape(const char *s, size_t n, bool *bad) {
  strbuf b = {0};
  *bad = false;
  size_t i = 0;
  while (i < n) {
    char c = s[i];
    if (c != '\\' || i + 1 >= n) {
      strbuf_putc(&b, c);
      i++;
      continue;
    }
    char e = s[i + 1];
    int v = -1;
    size_t used = 2;
    switch (e) {
    case '\\': v = '\\'; break;
    case '"': v = '"'; break;
    case '\'': v = '\''; break;
    case 'n': v = '\n'; break;
    case 't': v = '\t'; break;
    case 'b': v = '\b'; break;
    case 'r': v = '\r'; break;
    case ' ': v = ' '; break;
    case '\n':
    case '\r': {
      /* Line continuation: skip the newline and the next line's blanks. */
      size_t j = i + 1;
      if (s[j] == '\r' && j + 1 < n && s[j + 1] == '\n') j++;
      j++;
      while (j < n && (s[j] == ' ' || s[j] == '\t')) j++;
      i = j;
      continue;
    }
    case 'x':
      if (i + 3 < n && imp__hexval(s[i + 2]) >= 0 && imp__hexval(s[i + 3]) >= 0) {
        v = imp__hexval(s[i + 2]) * 16 + imp__hexval(s[i + 3]);
        used = 4;
      }
      break;
    case 'o':
      if (i + 4 < n && s[i + 2] >= '0' && s[i + 2] <= '3' && s[i + 3] >= '0' && s[i + 3] <= '7' &&
          s[i + 4] >= '0' && s[i + 4] <= '7') {
        v = (s[i + 2] - '0') * 64 + (s[i + 3] - '0') * 8 + (s[i + 4] - '0');
        used = 5;
      }
      break;
    case 'u':
      if (i + 2 < n && s[i + 2] == '{') {
        size_t j = i + 3;
        uint32_t cp = 0;
        int digits = 0;
        while (j < n && imp__hexval(s[j]) >= 0 && digits < 6) {
          cp = cp * 16 + (uint32_t)imp__hexval(s[j]);
          j++;
          digits++;
        }
        if (digits > 0 && j < n && s[j] == '}' && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) {
          if (cp == 0) *bad = true;
          imp__put_utf8(&b, cp);
          i = j + 1;
          continue;
        }
      }
      break;
    default:
      if (e >= '0' && e <= '9' && i + 3 < n && s[i + 2] >= '0' && s[i + 2] <= '9' &&
          s[i + 3] >= '0' && s[i + 3] <= '9') {
        int d = (e - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
        if (d <= 255) {
          v = d;
          used = 4;
        }
      }
      break;
    }
    if (v < 0) { /* not an escape: keep the backslash */
      strbuf_putc(&b, '\\');
      i++;
      continue;
    }
    if (v == 0) *bad = true;
    strbuf_putc(&b, (char)v);
    i += used;
  }
  return strbuf_take(&b);
}

/* ------------------------------------------------------------------------ */
/* Extraction */

typedef struct {
  const char *text;
  size_t len;
  imp_import *items;
  size_t n, cap;
  bool oom;
} imp__ctx;

static bool imp__node_is(TSNode n, const char *type) { return strcmp(ts_node_type(n), type) == 0; }

static text_span imp__span(TSNode n) {
  return (text_span){ts_node_start_byte(n), ts_node_end_byte(n)};
}

/* The first named child of `n` of the given type, or a null node. */
static TSNode imp__child_of_type(TSNode n, const char *type) {
  uint32_t k = ts_node_named_child_count(n);
  for (uint32_t i = 0; i < k; i++) {
    TSNode c = ts_node_named_child(n, i);
    if (imp__node_is(c, type)) return c;
  }
  return (TSNode){0};
}

/* Decode a string node (`string` or `quoted_string`); NULL when it is not a
** well-formed literal (or on OOM: *oom set). */
static char *imp__string_value(imp__ctx *c, TSNode s) {
  uint32_t a = ts_node_start_byte(s), e = ts_node_end_byte(s);
  if (e > c->len || e < a || ts_node_has_error(s)) return NULL;
  const char *t = c->text;
  char *r = NULL;
  if (imp__node_is(s, "string")) {
    if (e - a < 2 || t[a] != '"' || t[e - 1] != '"') return NULL;
    bool bad;
    r = imp__unescape(t + a + 1, e - a - 2, &bad);
    if (r && bad) {
      free(r);
      return NULL;
    }
  } else { /* {id|…|id}: verbatim */
    uint32_t i = a + 1;
    while (i < e && t[i] != '|') i++;
    uint32_t idlen = i - (a + 1);
    if (i >= e || e - a < 2 * idlen + 4 || t[e - 1] != '}') return NULL;
    uint32_t body = i + 1, body_end = e - 2 - idlen;
    if (body_end < body) return NULL;
    r = imp__ndup(t + body, body_end - body);
    if (r && memchr(r, 0, body_end - body)) {
      free(r);
      return NULL;
    }
  }
  if (!r) c->oom = true;
  return r;
}

static bool imp__is_string(TSNode n) {
  return !ts_node_is_null(n) && (imp__node_is(n, "string") || imp__node_is(n, "quoted_string"));
}

static void imp__push(imp__ctx *c, imp_import im) {
  if (c->n == c->cap) {
    size_t ncap = c->cap ? c->cap * 2 : 8;
    imp_import *ni = realloc(c->items, ncap * sizeof *ni);
    if (!ni) {
      free(im.path);
      free(im.module);
      c->oom = true;
      return;
    }
    c->items = ni;
    c->cap = ncap;
  }
  c->items[c->n++] = im;
}

/* Classify an import item spanning `item_span` (starting on row `line`)
** whose attribute_payload is `payload` (a null node when there is none). */
static void imp__classify(imp__ctx *c, text_span item_span, uint32_t line, TSNode payload) {
  imp_import im = {.kind = IMP_MALFORMED, .item_span = item_span, .line = line};
  im.string_span = im.item_span;
  TSNode expr = {0};
  if (!ts_node_is_null(payload)) {
    im.string_span = imp__span(payload);
    if (ts_node_named_child_count(payload) == 1) {
      TSNode ei = ts_node_named_child(payload, 0);
      if (imp__node_is(ei, "expression_item") && ts_node_named_child_count(ei) == 1)
        expr = ts_node_named_child(ei, 0);
    }
  }
  /* `(M, "p")` is the same tuple as `M, "p"`. */
  if (!ts_node_is_null(expr) && imp__node_is(expr, "parenthesized_expression") &&
      ts_node_named_child_count(expr) == 1)
    expr = ts_node_named_child(expr, 0);

  TSNode str = {0}, mod = {0};
  if (imp__is_string(expr)) {
    str = expr;
  } else if (!ts_node_is_null(expr) && imp__node_is(expr, "tuple_expression") &&
             ts_node_named_child_count(expr) == 2) {
    TSNode m = ts_node_named_child(expr, 0), s = ts_node_named_child(expr, 1);
    /* An unqualified capitalised name: constructor_path with one child. */
    if (imp__node_is(m, "constructor_path") && ts_node_named_child_count(m) == 1 &&
        imp__node_is(ts_node_named_child(m, 0), "constructor_name") && imp__is_string(s)) {
      mod = m;
      str = s;
    }
  }
  if (!ts_node_is_null(str)) {
    char *path = imp__string_value(c, str);
    if (c->oom) return;
    if (path) {
      im.path = path;
      im.string_span = imp__span(str);
      im.kind = (imp__has_prefix(path, "dune:") || imp__has_prefix(path, "findlib:")) ? IMP_OCAML_LIB
                                                                                      : IMP_FILE;
      if (!ts_node_is_null(mod)) {
        text_span ms = imp__span(mod);
        im.module = imp__ndup(c->text + ms.start, ms.end - ms.start);
        im.explicit_module = true;
        if (!im.module) goto oom;
      } else if (im.kind == IMP_FILE) {
        im.module = imp_module_name(path); /* NULL: not a module name (or OOM, alike) */
      }
    }
  }
  imp__push(c, im);
  return;
oom:
  free(im.path);
  free(im.module);
  c->oom = true;
}

/* Is `n` an import item? floating_attribute, or an `attribute` that is
** really a misrecovered `[@@@…]`. */
static bool imp__is_import_item(imp__ctx *c, TSNode n) {
  const char *ty = ts_node_type(n);
  bool floating = strcmp(ty, "floating_attribute") == 0;
  if (!floating && strcmp(ty, "attribute") != 0) return false;
  uint32_t a = ts_node_start_byte(n);
  if (a + 4 > c->len || memcmp(c->text + a, "[@@@", 4) != 0) return false;
  TSNode id = imp__child_of_type(n, "attribute_id");
  if (ts_node_is_null(id)) return false;
  text_span s = imp__span(id);
  return s.end <= c->len && s.end - s.start == 6 && memcmp(c->text + s.start, "import", 6) == 0;
}

static bool imp__is_token(TSNode n, const char *tok) {
  return !ts_node_is_named(n) && strcmp(ts_node_type(n), tok) == 0;
}

/* An ERROR node may hold the pieces of an import whose payload did not lex
** (e.g. an illegal escape): `[@@@` `import` … `]` as direct children. Report
** each as MALFORMED, so the user learns which import is broken. */
static void imp__scan_error(imp__ctx *c, TSNode err) {
  TSTreeCursor k = ts_tree_cursor_new(err);
  bool more = ts_tree_cursor_goto_first_child(&k);
  while (more && !c->oom) {
    TSNode open = ts_tree_cursor_current_node(&k);
    more = ts_tree_cursor_goto_next_sibling(&k);
    if (!more || !imp__is_token(open, "[@@@")) continue;
    TSNode id = ts_tree_cursor_current_node(&k);
    text_span s = imp__span(id);
    if (strcmp(ts_node_type(id), "attribute_id") != 0 || s.end > c->len || s.end - s.start != 6 ||
        memcmp(c->text + s.start, "import", 6) != 0)
      continue;
    imp_import im = {.kind = IMP_MALFORMED, .item_span = {ts_node_start_byte(open), s.end},
                     .line = ts_node_start_point(open).row};
    bool have_payload = false;
    TSNode payload = {0};
    int npayload = 0;
    /* Payload: the following siblings up to `]` (included in the item) or
    ** the next `[@@@` (left for the outer loop). */
    while ((more = ts_tree_cursor_goto_next_sibling(&k))) {
      TSNode ch = ts_tree_cursor_current_node(&k);
      if (imp__is_token(ch, "[@@@")) break;
      if (imp__is_token(ch, "]")) {
        im.item_span.end = ts_node_end_byte(ch);
        more = ts_tree_cursor_goto_next_sibling(&k);
        break;
      }
      if (!have_payload) im.string_span.start = ts_node_start_byte(ch);
      im.string_span.end = im.item_span.end = ts_node_end_byte(ch);
      have_payload = true;
      payload = ch;
      npayload++;
    }
    if (npayload == 1 && strcmp(ts_node_type(payload), "attribute_payload") == 0 &&
        !ts_node_has_error(payload)) {
      imp__classify(c, im.item_span, im.line, payload); /* intact payload */
      continue;
    }
    if (!have_payload) im.string_span = im.item_span;
    imp__push(c, im);
  }
  ts_tree_cursor_delete(&k);
}

/* Node types that may hold structure items. */
static bool imp__is_container(TSNode n) {
  static const char *const types[] = {"compilation_unit", "structure", "module_definition",
                                      "module_binding", "typed_module_expression",
                                      "parenthesized_module_expression", "ERROR"};
  const char *ty = ts_node_type(n);
  for (size_t i = 0; i < sizeof types / sizeof *types; i++)
    if (strcmp(ty, types[i]) == 0) return true;
  return false;
}

static int imp__cmp_start(const void *a, const void *b) {
  uint32_t x = ((const imp_import *)a)->item_span.start, y = ((const imp_import *)b)->item_span.start;
  return x < y ? -1 : x > y;
}

int imp_extract(const TSTree *tree, const char *text, size_t len, imp_import **out, size_t *n) {
  *out = NULL;
  *n = 0;
  imp__ctx c = {.text = text, .len = len};
  TSNode root = ts_tree_root_node(tree);
  TSTreeCursor cur = ts_tree_cursor_new(root);
  /* Pre-order walk; descend into containers and erroneous subtrees only. */
  for (;;) {
    TSNode node = ts_tree_cursor_current_node(&cur);
    bool descend = false;
    if (imp__is_import_item(&c, node)) {
      imp__classify(&c, imp__span(node), ts_node_start_point(node).row,
                    imp__child_of_type(node, "attribute_payload"));
      if (c.oom) break;
    } else {
      descend = imp__is_container(node) || ts_node_has_error(node);
      if (strcmp(ts_node_type(node), "ERROR") == 0) imp__scan_error(&c, node);
      if (c.oom) break;
    }
    if (descend && ts_tree_cursor_goto_first_child(&cur)) continue;
    bool moved = false;
    while (!(moved = ts_tree_cursor_goto_next_sibling(&cur)))
      if (!ts_tree_cursor_goto_parent(&cur)) break;
    if (!moved) break;
  }
  ts_tree_cursor_delete(&cur);
  /* ERROR scans report an item before the items nested in that ERROR. */
  if (!c.oom && c.n > 1) qsort(c.items, c.n, sizeof *c.items, imp__cmp_start);
  if (c.oom) {
    imp_free(c.items, c.n);
    return -1;
  }
  *out = c.items;
  *n = c.n;
  return 0;
}

void imp_free(imp_import *a, size_t n) {
  if (!a) return;
  for (size_t i = 0; i < n; i++) {
    free(a[i].path);
    free(a[i].module);
  }
  free(a);
}

/* ------------------------------------------------------------------------ */
/* Module names */

char *imp_module_name(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  const char *dot = strrchr(base, '.');
  size_t n = dot ? (size_t)(dot - base) : strlen(base);
  if (n == 0) return NULL;
  unsigned char c0 = (unsigned char)base[0];
  if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z'))) return NULL;
  for (size_t i = 1; i < n; i++) {
    unsigned char c = (unsigned char)base[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '\''))
      return NULL;
  }
  char *r = imp__ndup(base, n);
  if (r && r[0] >= 'a' && r[0] <= 'z') r[0] = (char)(r[0] - 'a' + 'A');
  return r;
}

/* ------------------------------------------------------------------------ */
/* Resolution */

/* dir + "/" + rel, malloc'd (NULL on OOM). */
static char *imp__join(const char *dir, size_t dlen, const char *rel) {
  strbuf b = {0};
  strbuf_put(&b, dir, dlen);
  if (dlen == 0 || dir[dlen - 1] != '/') strbuf_putc(&b, '/');
  strbuf_puts(&b, rel);
  return strbuf_take(&b);
}

/* Canonical path of `cand` if it is an existing regular file, else NULL. */
static char *imp__try(const char *cand) {
  struct stat st;
  if (stat(cand, &st) != 0 || !S_ISREG(st.st_mode)) return NULL;
  return realpath(cand, NULL);
}

/* True when `cand` is already one of the ", "-separated entries of `tried`. */
static bool imp__listed(const strbuf *tried, const char *cand) {
  size_t n = strlen(cand);
  for (const char *p = tried->s; p && (p = strstr(p, cand)); p++) {
    bool starts = p == tried->s || (p - tried->s >= 2 && p[-2] == ',' && p[-1] == ' ');
    if (starts && (p[n] == 0 || p[n] == ',')) return true;
  }
  return false;
}

char *imp_resolve(const char *importer_path, const char *import_path, const char *const *roots,
                  size_t nroots, char **looked) {
  if (looked) *looked = NULL;
  strbuf tried = {0};
  char *found = NULL;
  if (import_path[0] == '/') {
    found = imp__try(import_path);
    strbuf_puts(&tried, import_path);
  } else {
    /* i == 0: the importer's directory; i >= 1: roots[i - 1]. */
    for (size_t i = 0; i <= nroots && !found; i++) {
      char *cand;
      if (i == 0) {
        if (!importer_path) continue;
        const char *slash = strrchr(importer_path, '/');
        cand = slash ? imp__join(importer_path, (size_t)(slash - importer_path) + 1, import_path)
                     : strdup(import_path);
      } else {
        cand = imp__join(roots[i - 1], strlen(roots[i - 1]), import_path);
      }
      if (!cand) {
        tried.oom = true;
        break;
      }
      if (!imp__listed(&tried, cand)) { /* a root may be the importer's directory */
        found = imp__try(cand);
        if (tried.len) strbuf_puts(&tried, ", ");
        strbuf_puts(&tried, cand);
      }
      free(cand);
    }
  }
  if (found) {
    free(tried.s);
    return found;
  }
  char *l = strbuf_take(&tried);
  if (looked)
    *looked = l;
  else
    free(l);
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Diagnostics */

static char *imp__fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *imp__fmt(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = NULL;
  if (vasprintf(&s, fmt, ap) < 0) s = NULL;
  va_end(ap);
  return s;
}

static int imp__emit(diag_list *out, text_span span, diag_severity sev, const char *code, char *msg) {
  if (!msg) return -1;
  return diag_list_push(out, span, sev, code, msg);
}

/* E0103 on imports[i] when an earlier import binds the same module name. */
static int imp__check_dup(const imp_import *imports, size_t i, diag_list *out) {
  const imp_import *im = &imports[i];
  if (!im->module) return 0;
  for (size_t j = 0; j < i; j++) {
    if (imports[j].kind != IMP_MALFORMED && imports[j].module &&
        strcmp(imports[j].module, im->module) == 0)
      return imp__emit(out, im->string_span, DIAG_ERROR, IMP_CODE_DUP_MODULE,
                       imp__fmt("module `%s` is already imported on line %u", im->module,
                                (unsigned)imports[j].line + 1));
  }
  return 0;
}

int imp_check(const char *importer_path, const imp_import *imports, size_t n,
              const char *const *roots, size_t nroots, char **resolved, diag_list *out) {
  for (size_t i = 0; i < n; i++) resolved[i] = NULL;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    const imp_import *im = &imports[i];
    text_span sp = im->string_span;
    if (im->kind == IMP_MALFORMED) {
      rc = imp__emit(out, sp, DIAG_ERROR, IMP_CODE_MALFORMED,
                     imp__fmt("malformed import: expected [@@@import \"file.iml\"] or "
                              "[@@@import M, \"file.iml\"]"));
      continue;
    }
    if (im->kind == IMP_OCAML_LIB) {
      rc = imp__emit(out, sp, DIAG_WARNING, IMP_CODE_OCAML_LIB,
                     im->module ? imp__fmt("OCaml library imports (`%s`) are not supported; names "
                                           "from `%s` are treated as unknown",
                                           im->path, im->module)
                                : imp__fmt("OCaml library imports (`%s`) are not supported", im->path));
      if (rc == 0) rc = imp__check_dup(imports, i, out);
      continue;
    }
    if (!imp__has_suffix(im->path, ".iml")) {
      rc = imp__emit(out, sp, DIAG_ERROR, IMP_CODE_NOT_IML,
                     imp__fmt("import path `%s` does not end in `.iml`", im->path));
      continue;
    }
    char *looked = NULL;
    char *target = imp_resolve(importer_path, im->path, roots, nroots, &looked);
    if (!target) {
      if (!looked) {
        rc = -1;
        break;
      }
      rc = imp__emit(out, sp, DIAG_ERROR, IMP_CODE_NOT_FOUND,
                     looked[0] ? imp__fmt("cannot find `%s` (looked in %s)", im->path, looked)
                               : imp__fmt("cannot find `%s` (no directory to look in)", im->path));
      free(looked);
      continue;
    }
    if (importer_path && strcmp(target, importer_path) == 0) {
      free(target);
      rc = imp__emit(out, sp, DIAG_ERROR, IMP_CODE_SELF_IMPORT,
                     imp__fmt("`%s` imports itself", im->path));
      continue;
    }
    resolved[i] = target;
    if (im->module) {
      rc = imp__check_dup(imports, i, out);
    } else {
      rc = imp__emit(out, sp, DIAG_WARNING, IMP_CODE_NO_MODULE_NAME,
                     imp__fmt("`%s` is not a valid module name; use [@@@import M, \"%s\"] to "
                              "name it",
                              im->path, im->path));
    }
  }
  if (rc != 0) {
    for (size_t i = 0; i < n; i++) {
      free(resolved[i]);
      resolved[i] = NULL;
    }
    return -1;
  }
  return 0;
}
