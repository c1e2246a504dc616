/*
** syntax.c — syntax diagnostics from a tree-sitter tree (see syntax.h).
**
** DESIGN
** Walking every node of a big tree costs several times an incremental parse
** (~700 instructions per visible node with a TSTreeCursor in the 0.20
** runtime), so syntax problems are found in two ways:
**  - WALK. An iterative pass with a TSTreeCursor (no recursion: trees can be
**    10,000 levels deep, and ts_node_parent is O(depth), so the walk keeps
**    its own ancestor stack) that descends ONLY into subtrees for which
**    ts_node_has_error() holds: an error-free subtree cannot contain an
**    ERROR or MISSING node. An error-free tree is a single step.
**  - SCAN. The heuristics that fire without any ERROR/MISSING node (a
**    reserved word parsed as an identifier: `let x = in 3`; a `let` binding
**    without `=`; a `verify` with no expression; an unterminated comment)
**    are triggered by one linear lexical pass over the text (synscan.c:
**    the lexical rules of the view in iml_grammar.c; where it looks and what
**    it gives up are described there) that lists SUSPICIOUS spots. Each spot
**    inside an error-free subtree the walk steps over is checked on the
**    tree (syn__clean) with a monotone root-to-leaf descent
**    (ts_node_first_child_for_byte, O(depth); consecutive spots share the
**    path), by the very checks and messages the walk applies to leaves.
**    Against the old every-leaf walk, differential fuzzing (token mutations
**    of the repository's .iml files) agreed on 99.9% of error-free and 99.4%
**    of broken inputs.
**    Item attribution, the closers suppression and the pending "missing `=`"
**    / "missing expression" states are reproduced exactly: the descent path
**    gives the ancestors, and a state whose settling node lies after the
**    subtree is handed back to the walk (as is the subtree's last token, the
**    "previous token" of a later MISSING, computed only when asked).
** Each root cause gives one diagnostic:
**
**  - ERROR groups. An outermost ERROR, together with ERROR siblings that
**    directly follow it (recovery often splits one mistake), is one group;
**    its subtree is scanned once. tree-sitter wraps valid code before the
**    mistake into the ERROR and lexes a keyword that is not valid in a state
**    as an identifier, so the diagnostic goes on a PIVOT token, the first
**    of: a reserved word lexed as an identifier or skipped (`else`, `let`),
**    the first token of a nested ERROR, the keyword of an item parsed after
**    a broken prefix; else, when the group ends the input, its last token
**    ("unexpected end of input after `with`"); else, when the next item
**    cuts it off, that item's keyword; else the first skipped token, else
**    the first token. A group that is only a wrapped valid item followed by
**    another ERROR is dropped (the culprit is in the next one).
**  - An ERROR holding several complete items (recovery gave up at that
**    level, often the root of a file with many mistakes) is TRANSPARENT:
**    walked like an item list; each run of other children between its items
**    is a group.
**  - Reserved words parsed as identifiers outside any ERROR (`let x = in 3`
**    parses `in` as a variable, without any ERROR node).
**  - MISSING closing delimiter whose opener is the first token of the same
**    node: "missing `)` to close this `(`" on the OPENER: the position
**    tree-sitter picks for the missing token is after everything it
**    swallowed (often the end of the file), the opener is certain. Keywords
**    swallowed inside such a node are the same root cause and not reported.
**  - Other MISSING tokens: "missing `X` after `P`" / "missing expression
**    after `+`" on the previous token P: editors render zero-width ranges
**    badly, and the previous token is where the user was typing. With no
**    previous token, a zero-width span at the position.
**  - `verify`/`instance`/… with no expression: "missing expression after
**    `verify`" on the keyword.
**  - Unterminated comment / string / character / quoted string: on the
**    opening delimiter, with that wording.
**  - Invalid UTF-8 (once per run of invalid bytes) and NUL bytes (once per
**    run): E0003 on the bytes themselves.
** Cascades are cut twice: at most one diagnostic per innermost item (a
** top-level item, or an item of a struct), and at most one syntax
** diagnostic per line (after sorting).
**
** Attributes and extensions ([@@by …], [%rewrite …]) are skipped: the walk
** does not descend into them (the node set of imlg_in_attribute_payload,
** tested on the way down instead of walking up from each node), except that
** an unclosed `[@@…` is still reported. IML keywords are read back from the
** tree in O(1) (a view token "let"/";;" whose user text differs, or an
** identifier ending inside a word), since imlg_keyword_at rescans the text.
** Messages are valid UTF-8 (token text is escaped: they go to JSON); token
** text is cut at 20 characters with "…".
*/
#include "syntax.h"
#include "synscan.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define SYN__TOKEN_MAX 20        /* characters of token text in messages */
#define SYN__QUOTED_CHECKS 16    /* unterminated {id|…|id} searches per run */

/* ------------------------------------------------------------------------ */
/* diag_list */

void diag_list_clear(diag_list *l) {
  if (!l) return;
  for (size_t i = 0; i < l->count; i++) {
    free(l->items[i].message);
    for (size_t k = 0; k < l->items[i].nrelated; k++) {
      free(l->items[i].related[k].path);
      free(l->items[i].related[k].message);
    }
    free(l->items[i].related);
  }
  free(l->items);
  l->items = NULL;
  l->count = l->cap = 0;
}

int diag_add_related(diag *d, const char *path, text_span span, const text_lines *lines, const char *text,
                     const char *message) {
  diag_related *r = realloc(d->related, (d->nrelated + 1) * sizeof *r);
  if (!r) return -1;
  d->related = r;
  char *p = strdup(path), *m = strdup(message);
  if (!p || !m) { free(p); free(m); return -1; }
  text_pos at = text_position(lines, span.start, TEXT_UTF8);
  uint32_t col = 1; /* code points, as compilers count columns */
  for (size_t b = text_lines_start(lines, at.line); b < span.start; b++) col += ((unsigned char)text[b] & 0xC0) != 0x80;
  r[d->nrelated++] = (diag_related){.path = p, .span = span, .line = at.line + 1, .col = col,
                                    .range16 = text_range_of(lines, span, TEXT_UTF16),
                                    .range8 = text_range_of(lines, span, TEXT_UTF8), .message = m};
  return 0;
}

int diag_list_append_copy(diag_list *dst, const diag_list *src) {
  for (size_t i = 0; src && i < src->count; i++) {
    const diag *d = &src->items[i];
    char *msg = strdup(d->message);
    if (!msg || diag_list_push(dst, d->span, d->severity, d->code, msg) < 0) return -1;
    diag *c = &dst->items[dst->count - 1];
    if (!d->nrelated) continue;
    c->related = calloc(d->nrelated, sizeof *c->related);
    if (!c->related) return -1;
    for (size_t r = 0; r < d->nrelated; r++) {
      c->related[r] = d->related[r];
      c->related[r].path = strdup(d->related[r].path);
      c->related[r].message = strdup(d->related[r].message);
      c->nrelated = r + 1;
      if (!c->related[r].path || !c->related[r].message) return -1;
    }
  }
  return 0;
}

int diag_list_push(diag_list *l, text_span span, diag_severity sev, const char *code, char *message) {
  if (l->count == l->cap) {
    size_t ncap = l->cap ? l->cap * 2 : 8;
    diag *n = realloc(l->items, ncap * sizeof *n);
    if (!n) {
      free(message);
      return -1;
    }
    l->items = n;
    l->cap = ncap;
  }
  l->items[l->count++] = (diag){.span = span, .severity = sev, .code = code, .message = message};
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Text helpers */


static bool syn__is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

static bool syn__is_ident_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '\'' || c >= 0x80;
}

static bool syn__is_op_char(char c) { return c && strchr("!$%&*+-./:<=>?@^|~#", c) != NULL; }

/* The first token in text[from..to) after blanks: an identifier/number run,
** an operator run, or one character. False when there is only blank. */
static bool syn__first_token(const char *text, uint32_t from, uint32_t to, text_span *tok) {
  uint32_t i = from;
  while (i < to && syn__is_space(text[i])) i++;
  if (i >= to) return false;
  uint32_t j = i + 1;
  unsigned char c = (unsigned char)text[i];
  if (c >= 0x80) {
    size_t n = text_utf8_valid_len((const unsigned char *)text + i, to - i);
    j = i + (uint32_t)(n ? n : 1);
    if (n) while (j < to && syn__is_ident_char((unsigned char)text[j]) && text[j] != '\0') j++;
  } else if (syn__is_ident_char(c)) {
    while (j < to && syn__is_ident_char((unsigned char)text[j])) j++;
  } else if (syn__is_op_char((char)c)) {
    while (j < to && syn__is_op_char(text[j])) j++;
  }
  tok->start = i;
  tok->end = j;
  return true;
}

/* Append the text of text[s..e) to buf as message-safe text: at most
** SYN__TOKEN_MAX characters (then "…"), control characters and invalid
** UTF-8 escaped. buf must hold SYN__TOKEN_MAX * 4 + 8 bytes. */
static void syn__token_text(const char *text, uint32_t s, uint32_t e, char *buf) {
  size_t o = 0, chars = 0;
  uint32_t i = s;
  while (i < e) {
    if (chars == SYN__TOKEN_MAX) {
      memcpy(buf + o, "\xE2\x80\xA6", 3); /* … */
      o += 3;
      break;
    }
    unsigned char c = (unsigned char)text[i];
    size_t n = text_utf8_valid_len((const unsigned char *)text + i, e - i);
    if (c == '\n') o += (size_t)sprintf(buf + o, "\\n");
    else if (c == '\t') o += (size_t)sprintf(buf + o, "\\t");
    else if (c == '\r') o += (size_t)sprintf(buf + o, "\\r");
    else if (c < 0x20 || c == 0x7F || n == 0) o += (size_t)sprintf(buf + o, "\\x%02X", c);
    else {
      memcpy(buf + o, text + i, n);
      o += n;
      i += (uint32_t)n;
      chars++;
      continue;
    }
    i++;
    chars++;
  }
  buf[o] = '\0';
}

/* OCaml's reserved words that can be mis-lexed as identifiers (true/false
** are constructors and never lexed as identifiers). Sorted for bsearch. */
static const char *const syn__reserved[] = {
    "and", "as", "assert", "asr", "begin", "class", "constraint", "do", "done", "downto", "else",
    "end", "exception", "external", "for", "fun", "function", "functor", "if", "in", "include",
    "inherit", "initializer", "land", "lazy", "let", "lor", "lsl", "lsr", "lxor", "match", "method",
    "mod", "module", "mutable", "new", "nonrec", "object", "of", "open", "or", "private", "rec",
    "sig", "struct", "then", "to", "try", "type", "val", "virtual", "when", "while", "with",
};

static bool syn__is_reserved(const char *s, size_t n) {
  size_t lo = 0, hi = sizeof syn__reserved / sizeof *syn__reserved;
  if (n == 0 || n > 11) return false;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    const char *w = syn__reserved[mid];
    int c = strncmp(s, w, n);
    if (c == 0) c = w[n] ? -1 : 0;
    if (c == 0) return true;
    if (c < 0) hi = mid;
    else lo = mid + 1;
  }
  return false;
}

/* Token types that are identifiers (where a misplaced keyword ends up). */
static bool syn__is_ident_type(const char *t) {
  return !strcmp(t, "value_name") || !strcmp(t, "value_pattern") || !strcmp(t, "field_name") ||
         !strcmp(t, "label_name") || !strcmp(t, "type_constructor") || !strcmp(t, "method_name") ||
         !strcmp(t, "class_name") || !strcmp(t, "instance_variable_name");
}

static bool syn__is_closer(const char *t) {
  return !strcmp(t, ")") || !strcmp(t, "]") || !strcmp(t, "}") || !strcmp(t, "end") ||
         !strcmp(t, "|]") || !strcmp(t, "done") || !strcmp(t, ">");
}

static bool syn__is_opener(const char *t) {
  return !strcmp(t, "(") || !strcmp(t, "[") || !strcmp(t, "{") || !strcmp(t, "begin") ||
         !strcmp(t, "struct") || !strcmp(t, "sig") || !strcmp(t, "object") || !strcmp(t, "[|") ||
         !strcmp(t, "do") || !strcmp(t, "<") || !strcmp(t, "[<") || !strcmp(t, "[>") ||
         !strcmp(t, "[@") || !strcmp(t, "[@@") || !strcmp(t, "[@@@") || !strcmp(t, "[%") ||
         !strcmp(t, "[%%") || !strcmp(t, "{<");
}

static bool syn__is_error(TSNode n) { return ts_node_symbol(n) == (TSSymbol)-1; }

/* True when text[from..len) holds only blanks and (nested) comments. */
static bool syn__only_trivia_after(const char *text, size_t len, size_t from) {
  size_t i = from;
  while (i < len) {
    if (syn__is_space(text[i])) {
      i++;
    } else if (i + 1 < len && text[i] == '(' && text[i + 1] == '*') {
      size_t depth = 1;
      i += 2;
      while (i < len && depth) {
        if (i + 1 < len && text[i] == '(' && text[i + 1] == '*') depth++, i += 2;
        else if (i + 1 < len && text[i] == '*' && text[i + 1] == ')') depth--, i += 2;
        else i++;
      }
    } else {
      return false;
    }
  }
  return true;
}

/* ------------------------------------------------------------------------ */
/* Pass state */

/* Summary of a group of adjacent ERROR siblings. */
typedef struct {
  text_span first_tok, last_tok, pivot_kw, first_skipped, quoted;
  bool have_first, have_kw, have_skipped, have_quoted;
  bool last_attr;       /* the last token is a whole attribute */
  bool last_opener;     /* … an opening token: `struct`, `(`, `begin`, … */
  size_t ntokens;
  uint32_t start, end;  /* of the group */
  uint32_t depth;
  bool wrapper;         /* one ERROR holding only complete, error-free nodes */
} syn__errinfo;

/* One node of the descent path (syn__seek). */
struct syn__pent {
  TSNode node;
  uint32_t start, end;
  bool item;       /* its parent is an item list */
  bool container;  /* it is an item list */
  bool payload;    /* it is, or lies inside, an attribute/extension */
  bool reported;   /* as an item: already has its diagnostic */
};

typedef struct {
  const char *text;
  size_t len;
  diag_list *out;
  size_t first;      /* index in out of our first diagnostic */
  bool oom;
  text_span prev;    /* last real token seen (for MISSING) */
  bool have_prev;
  /* MISSING closers already reported on their opener (LIFO, matching the
  ** DFS nesting); while non-empty, swallowed keywords are not reported. */
  TSNode *closers;
  size_t nclosers, capclosers;
  /* Ancestors of the current node (ts_node_parent is O(depth)). */
  struct syn__anc {
    TSNode node;
    bool transparent;   /* an ERROR walked like an item list */
    bool container;     /* its children are items */
    bool reported;      /* an item that already has its diagnostic */
    int prev_item;      /* item index before this entry was pushed */
  } *anc;
  size_t capanc;
  int item;                /* index in anc of the innermost item, or -1 */
  syn__errinfo err;        /* pending group of adjacent ERROR siblings */
  bool have_err;
  text_span stmt_kw;       /* pending `verify`-like keyword awaiting its expression */
  uint32_t stmt_depth;
  bool have_stmt;
  unsigned quoted_checks;  /* syn__unterminated_quoted calls so far */
  text_span weak;          /* pending "missing `=`" (see syn__check_binding) */
  uint32_t weak_after;
  bool have_weak;
  /* prev is the last token of an error-free subtree the walk stepped over:
  ** computed only if a MISSING needs it (syn__resolve_prev). */
  bool prev_lazy;
  TSNode prev_node;
  /* Emission override for the scan's checks (their items are on the
  ** descent path, not in anc): when use_flag, `flag` (may be NULL: no item)
  ** is the item's "already reported" flag. */
  bool use_flag;
  bool *flag;
  /* Scan results (sorted by position) and the next one to look at. */
  synscan_list cands;
  size_t nextcand;
  /* Descent path inside the current error-free subtree. */
  struct syn__pent *path;
  size_t npath, cappath;
  /* Per-symbol node-type flags (SYN__S_*), filled on first sight. */
  unsigned char *symf;
  uint32_t nsym;
} syn__ctx;

/* Emit a diagnostic; at most one per innermost item (a later one in the
** same item is a cascade: swallowed keywords after an error, …). */
static void syn__emit(syn__ctx *c, uint32_t s, uint32_t e, const char *code, const char *fmt, ...) {
  if (c->oom) return;
  bool *flag = c->use_flag ? c->flag : c->item >= 0 ? &c->anc[c->item].reported : NULL;
  if (flag) {
    if (*flag) return;
    *flag = true;
  }
  va_list ap;
  va_start(ap, fmt);
  char tmp[512];
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  char *msg = strdup(tmp);
  if (!msg || diag_list_push(c->out, (text_span){s, e}, DIAG_ERROR, code, msg) != 0) c->oom = true;
}

static void syn__set_prev(syn__ctx *c, text_span t) {
  c->prev = t;
  c->have_prev = true;
  c->prev_lazy = false;
}

static const char *const syn__iml_keywords[] = {"theorem", "lemma", "axiom", "verify",
                                                 "instance", "eval", "test", "qcheck"};

/* The IML keyword spelled by the whole word at text[s..], or NULL. */
static const char *syn__iml_word(const syn__ctx *c, uint32_t s, uint32_t *kend) {
  uint32_t e = s;
  while (e < c->len && syn__is_ident_char((unsigned char)c->text[e])) e++;
  for (size_t i = 0; i < sizeof syn__iml_keywords / sizeof *syn__iml_keywords; i++)
    if (strlen(syn__iml_keywords[i]) == e - s && !memcmp(c->text + s, syn__iml_keywords[i], e - s)) {
      *kend = e;
      return syn__iml_keywords[i];
    }
  return NULL;
}

/* The keyword the user wrote as the token text[s..e) (a skipped token or a
** leaf), as a static string, or NULL: an OCaml reserved word, or an IML
** keyword. *kend receives the end of the keyword in the user's text. */
static const char *syn__keyword_at(const syn__ctx *c, uint32_t s, uint32_t e, uint32_t *kend) {
  if (e > c->len || s >= e) return NULL;
  const char *kw = syn__iml_word(c, s, kend);
  if (kw) return kw;
  for (size_t i = 0; i < sizeof syn__reserved / sizeof *syn__reserved; i++)
    if (strlen(syn__reserved[i]) == e - s && !memcmp(syn__reserved[i], c->text + s, e - s)) {
      *kend = e;
      return syn__reserved[i];
    }
  return NULL;
}

/* Keyword lexed as an identifier at leaf `n`? Its span goes to *sp. The tree
** was parsed from the view, so a leaf that ends inside a word of the user's
** text stands for a substituted IML keyword (found in O(1), where
** imlg_keyword_at would rescan the text). */
static bool syn__leaf_is_keyword(const syn__ctx *c, TSNode n, text_span *sp) {
  if (!ts_node_is_named(n) || !syn__is_ident_type(ts_node_type(n))) return false;
  uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n), ke;
  if (e <= s || e > c->len) return false;
  if (e < c->len && syn__is_ident_char((unsigned char)c->text[e])) {
    if (!syn__iml_word(c, s, &ke)) return false;
  } else if (!syn__is_reserved(c->text + s, e - s)) {
    return false;
  } else {
    ke = e;
  }
  *sp = (text_span){s, ke};
  return true;
}

/* The IML keyword behind an anonymous "let" / ";;" leaf of the view, or
** NULL when the user wrote that token. */
static const char *syn__view_keyword(const syn__ctx *c, TSNode n, uint32_t *kend) {
  const char *t = ts_node_type(n);
  uint32_t s = ts_node_start_byte(n);
  size_t tl = strlen(t);
  if ((strcmp(t, "let") && strcmp(t, ";;")) || s + tl > c->len || !memcmp(c->text + s, t, tl)) return NULL;
  return syn__iml_word(c, s, kend);
}

static bool syn__is_comment(TSNode n) { return !strcmp(ts_node_type(n), "comment"); }

/* Report an unterminated comment (one not ending in "*)"). */
static void syn__check_comment(syn__ctx *c, TSNode n) {
  uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
  if (e > c->len || e - s < 2 || c->text[s] != '(' || c->text[s + 1] != '*') return;
  if (e - s >= 4 && c->text[e - 2] == '*' && c->text[e - 1] == ')') return;
  syn__emit(c, s, s + 2, SYN_CODE_MISSING, "unterminated comment");
}

/* "{|" or "{id|" at text[s] (s is a `{`) without a matching "|id}" later.
** O(rest of text): asked at most SYN__QUOTED_CHECKS times per run. */
static bool syn__unterminated_quoted(syn__ctx *c, uint32_t s, uint32_t *open_end) {
  if (c->quoted_checks >= SYN__QUOTED_CHECKS) return false;
  size_t i = s + 1;
  while (i < c->len && ((c->text[i] >= 'a' && c->text[i] <= 'z') || c->text[i] == '_')) i++;
  if (i >= c->len || c->text[i] != '|') return false;
  c->quoted_checks++;
  *open_end = (uint32_t)i + 1;
  size_t idlen = i - (s + 1);
  for (size_t j = i + 1; j + idlen + 1 < c->len; j++)
    if (c->text[j] == '|' && !memcmp(c->text + j + 1, c->text + s + 1, idlen) && c->text[j + 1 + idlen] == '}')
      return false;
  return true;
}

static void syn__note_token(syn__errinfo *ei, uint32_t s, uint32_t e) {
  if (!ei->have_first) ei->first_tok = (text_span){s, e}, ei->have_first = true;
  ei->last_attr = false;
  ei->last_tok = (text_span){s, e};
  ei->ntokens++;
}

static void syn__note_kw(syn__errinfo *ei, text_span k) {
  if (!ei->have_kw || k.start < ei->pivot_kw.start) ei->pivot_kw = k, ei->have_kw = true;
}

/* Attributes and extensions: their subtrees are not the user's syntax
** problem (same node set as imlg_in_attribute_payload, tested in O(1) on the
** way down instead of walking up from each node). */
static bool syn__is_payload_type(const char *t) {
  return !strcmp(t, "attribute_payload") || !strcmp(t, "attribute") || !strcmp(t, "item_attribute") ||
         !strcmp(t, "floating_attribute") || !strcmp(t, "extension") || !strcmp(t, "item_extension") ||
         !strcmp(t, "quoted_extension") || !strcmp(t, "quoted_item_extension");
}

/* Tokens in text[from..to) that no leaf covers: skipped by the parser. */
static void syn__note_gap(syn__ctx *c, syn__errinfo *ei, uint32_t from, uint32_t to) {
  text_span t;
  /* A gap starting inside a word follows a view token ("let" for `lemma`):
  ** the rest of the word was padding in the view, not a skipped token. */
  if (from > 0 && from < to && syn__is_ident_char((unsigned char)c->text[from - 1]))
    while (from < to && syn__is_ident_char((unsigned char)c->text[from])) from++;
  while (from < to && syn__first_token(c->text, from, to, &t)) {
    syn__note_token(ei, t.start, t.end);
    if (!ei->have_skipped) ei->first_skipped = t, ei->have_skipped = true;
    uint32_t ke;
    if (syn__keyword_at(c, t.start, t.end, &ke)) syn__note_kw(ei, (text_span){t.start, ke});
    from = t.end;
  }
}

/* Items that tree-sitter parsed after the broken prefix of an ERROR: the
** keyword starting them is where the parser should have been. */
static bool syn__is_item_type(const char *t) {
  return !strcmp(t, "value_definition") || !strcmp(t, "type_definition") ||
         !strcmp(t, "module_definition") || !strcmp(t, "module_type_definition") ||
         !strcmp(t, "open_module") || !strcmp(t, "exception_definition") || !strcmp(t, "external") ||
         !strcmp(t, "include_module") || !strcmp(t, "floating_attribute") || !strcmp(t, ";;");
}

/* Direct children of `err`: item pivots and the wrapper test. */
static bool syn__scan_error_children(syn__ctx *c, TSNode err, syn__errinfo *ei) {
  bool wrapper = true, any = false, prev_item_or_opener = false;
  uint32_t start = ts_node_start_byte(err);
  TSTreeCursor cur = ts_tree_cursor_new(err);
  if (ts_tree_cursor_goto_first_child(&cur)) {
    do {
      TSNode ch = ts_tree_cursor_current_node(&cur);
      any = true;
      if (!ts_node_is_named(ch) || ts_node_has_error(ch) || syn__is_error(ch) || ts_node_child_count(ch) == 0)
        wrapper = false;
      uint32_t s = ts_node_start_byte(ch), e = ts_node_end_byte(ch), ke;
      const char *t = ts_node_type(ch);
      text_span tok;
      /* Not after another item nor after an opener (`struct` … items …). */
      if (s > start && e <= c->len && syn__is_item_type(t) && !prev_item_or_opener &&
          syn__first_token(c->text, s, e, &tok)) {
        if (syn__keyword_at(c, tok.start, tok.end, &ke)) tok.end = ke;
        syn__note_kw(ei, tok);
      }
      prev_item_or_opener = syn__is_item_type(t) || (!ts_node_is_named(ch) && syn__is_opener(t));
    } while (ts_tree_cursor_goto_next_sibling(&cur));
  }
  ts_tree_cursor_delete(&cur);
  return wrapper && any;
}

/* Accumulate ERROR node `err` into `ei`. */
static void syn__scan_error(syn__ctx *c, TSNode err, syn__errinfo *ei, bool is_error) {
  uint32_t pos = ts_node_start_byte(err), end = ts_node_end_byte(err);
  if (end > c->len) end = (uint32_t)c->len;
  if (pos > end) pos = end;
  ei->end = end;
  if (is_error) ei->wrapper = syn__scan_error_children(c, err, ei);
  TSTreeCursor cur = ts_tree_cursor_new(err);
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&cur);
    bool opaque = syn__is_payload_type(ts_node_type(n)) && ts_node_child_count(n) > 0;
    if ((!is_error || !ts_node_eq(n, err)) && syn__is_error(n) && ts_node_child_count(n) > 0) {
      /* A nested (or residue) ERROR: recovery skipped its tokens; its first
      ** one is a pivot as good as a misplaced keyword. */
      text_span tok;
      uint32_t ns = ts_node_start_byte(n), ne = ts_node_end_byte(n);
      if (ne <= c->len && syn__first_token(c->text, ns, ne, &tok)) syn__note_kw(ei, tok);
    }
    if (!opaque && ts_tree_cursor_goto_first_child(&cur)) continue;
    /* leaf, or an attribute: one token, its payload is not looked into */
    uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
    if (e > c->len) e = (uint32_t)c->len;
    if (s > e) s = e;
    if (!ts_node_is_missing(n) && e > s) {
      if (s > pos) syn__note_gap(c, ei, pos, s);
      if (syn__is_comment(n)) {
        syn__check_comment(c, n);
      } else if (!syn__is_error(n)) {
        uint32_t ke;
        if (!ts_node_is_named(n) && syn__view_keyword(c, n, &ke)) e = ke; /* `theorem`, not "the" */
        syn__note_token(ei, s, e);
        text_span ks;
        if (!opaque && syn__leaf_is_keyword(c, n, &ks)) syn__note_kw(ei, ks);
        ei->last_attr = opaque;
        ei->last_opener = !opaque && !ts_node_is_named(n) && syn__is_opener(ts_node_type(n));
        uint32_t qe;
        if (!ei->have_quoted && !strcmp(ts_node_type(n), "{") && syn__unterminated_quoted(c, s, &qe))
          ei->quoted = (text_span){s, qe}, ei->have_quoted = true;
      } else {
        syn__note_gap(c, ei, s, e); /* a lexical ERROR leaf: its text is skipped */
      }
      if (e > pos) pos = e;
    }
    while (!ts_tree_cursor_goto_next_sibling(&cur)) {
      if (!ts_tree_cursor_goto_parent(&cur)) goto done;
    }
  }
done:
  ts_tree_cursor_delete(&cur);
  if (end > pos) syn__note_gap(c, ei, pos, end);
  if (ei->have_first && ei->last_tok.end > ei->end) ei->end = ei->last_tok.end; /* a keyword's tail */
}

/* Does token text[t) need something after it (`(`, `=`, `->`, `with`,
** `theorem`…)? Not identifiers, literals nor closers. */
static bool syn__wants_more(const syn__ctx *c, text_span t) {
  if (t.end <= t.start || t.end > c->len) return false;
  const char *s = c->text + t.start;
  size_t n = t.end - t.start;
  uint32_t ke;
  if (syn__keyword_at(c, t.start, t.end, &ke))
    return !(n == 3 && !memcmp(s, "end", 3)) && !(n == 4 && !memcmp(s, "done", 4));
  if (syn__is_ident_char((unsigned char)s[0]) || s[0] == '"') return false;
  return !(n == 1 && strchr(")]}", s[0])) && !(n == 2 && !memcmp(s, "|]", 2));
}

/* The keyword starting item `n` when it directly follows the group. */
static bool syn__follow_token(const syn__ctx *c, TSNode n, const syn__errinfo *ei, text_span *p) {
  uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n), ke;
  if (s < ei->end || e > c->len || !syn__is_item_type(ts_node_type(n))) return false;
  for (uint32_t i = ei->end; i < s; i++)
    if (!syn__is_space(c->text[i])) return false;
  text_span t;
  if (!syn__first_token(c->text, s, e, &t) || !syn__keyword_at(c, t.start, t.end, &ke)) return false;
  *p = (text_span){t.start, ke};
  return true;
}

/* One diagnostic for the pending ERROR group. `follow`: the item visited
** right after the group (null if none): an incomplete construct cut off by
** the next item points at that item. */
static void syn__flush_error(syn__ctx *c, TSNode follow) {
  if (!c->have_err) return;
  c->have_err = false;
  syn__errinfo *ei = &c->err;
  char tok[SYN__TOKEN_MAX * 4 + 8];
  if (ei->have_first) syn__set_prev(c, ei->last_tok);
  if (ei->have_quoted) {
    syn__emit(c, ei->quoted.start, ei->quoted.end, SYN_CODE_MISSING, "unterminated quoted string");
    return;
  }
  if (!ei->have_first) {
    /* An empty ERROR: nothing to show but the position. */
    syn__emit(c, ei->start, ei->start, SYN_CODE_UNEXPECTED, "syntax error");
    return;
  }
  text_span p;
  if (!ei->have_kw && ei->last_opener && !ts_node_is_null(follow) && syn__is_item_type(ts_node_type(follow)))
    return; /* `module M = struct` + items: a valid prefix; the error is inside */
  if (ei->have_kw) {
    p = ei->pivot_kw;
  } else if (ei->ntokens > 1 && ei->last_attr) {
    p = ei->last_tok; /* an attribute where the item's body should be */
  } else if ((ei->ntokens > 1 || syn__wants_more(c, ei->last_tok)) &&
             syn__only_trivia_after(c->text, c->len, ei->end)) {
    syn__token_text(c->text, ei->last_tok.start, ei->last_tok.end, tok);
    syn__emit(c, ei->last_tok.start, ei->last_tok.end, SYN_CODE_UNEXPECTED,
              "syntax error: unexpected end of input after `%s`", tok);
    return;
  } else if (ei->ntokens > 1 && syn__wants_more(c, ei->last_tok) && !ts_node_is_null(follow) &&
             syn__follow_token(c, follow, ei, &p)) {
    /* p: the keyword starting the next item */
  } else {
    p = ei->have_skipped ? ei->first_skipped : ei->first_tok;
  }
  syn__token_text(c->text, p.start, p.end, tok);
  syn__emit(c, p.start, p.end, SYN_CODE_UNEXPECTED, "syntax error: unexpected `%s`", tok);
}

/* An outermost ERROR at `depth` (or, `residue`, a non-item child of a
** transparent ERROR): joins the pending group when it directly follows it
** (recovery often splits one mistake into sibling ERRORs), else starts a new
** group. A pending group made of valid code wrapped by recovery is dropped
** in favour of the ERROR that follows it. */
static void syn__add_error(syn__ctx *c, TSNode err, uint32_t depth, bool residue) {
  uint32_t s = ts_node_start_byte(err);
  if (c->have_err) {
    /* Any other node visited in between would have flushed the group: at
    ** the same depth, this is the next sibling. Text between the two was
    ** skipped by the parser. */
    bool adjacent = c->err.depth == depth && c->err.end <= s;
    if (adjacent && c->err.wrapper) c->have_err = false;
    else if (!adjacent) syn__flush_error(c, err);
    else syn__note_gap(c, &c->err, c->err.end, s);
  }
  bool fresh = !c->have_err;
  if (fresh) {
    memset(&c->err, 0, sizeof c->err);
    c->err.start = s;
    c->err.depth = depth;
    c->have_err = true;
  }
  syn__scan_error(c, err, &c->err, !residue);
  if (!fresh || residue) c->err.wrapper = false;
}

/* An ERROR holding several complete items is what recovery makes of a file
** with many mistakes (often the root): it is walked like an item list, and
** the runs of other children between its items are the error groups. */
static bool syn__is_transparent(TSNode err) {
  unsigned items = 0;
  TSTreeCursor cur = ts_tree_cursor_new(err);
  if (ts_tree_cursor_goto_first_child(&cur)) {
    do {
      TSNode ch = ts_tree_cursor_current_node(&cur);
      if (ts_node_is_named(ch) && syn__is_item_type(ts_node_type(ch)) && ++items >= 2) break;
    } while (ts_tree_cursor_goto_next_sibling(&cur));
  }
  ts_tree_cursor_delete(&cur);
  return items >= 2;
}

static bool syn__is_container(const char *t) {
  return !strcmp(t, "compilation_unit") || !strcmp(t, "structure") || !strcmp(t, "signature");
}

/* Children of a transparent ERROR that are walked normally. */
static bool syn__is_item_like(TSNode n) {
  const char *t = ts_node_type(n);
  return syn__is_item_type(t) || !strcmp(t, "expression_item") || !strcmp(t, "comment") ||
         !strcmp(t, "toplevel_directive");
}

/* Node-type flags by symbol, memoised per call (a strcmp chain per node
** would cost more than the descent itself). */
enum { SYN__S_KNOWN = 1, SYN__S_CONTAINER = 2, SYN__S_PAYLOAD = 4, SYN__S_COMMENT = 8 };

static unsigned syn__symflags(syn__ctx *c, TSNode n) {
  TSSymbol sym = ts_node_symbol(n);
  if (c->symf && sym < c->nsym && c->symf[sym]) return c->symf[sym];
  const char *t = ts_node_type(n);
  unsigned f = SYN__S_KNOWN | (syn__is_container(t) ? SYN__S_CONTAINER : 0) |
               (syn__is_payload_type(t) ? SYN__S_PAYLOAD : 0) | (!strcmp(t, "comment") ? SYN__S_COMMENT : 0);
  if (c->symf && sym < c->nsym) c->symf[sym] = (unsigned char)f;
  return f;
}

/* The walk stepped over an error-free subtree: what the old every-node walk
** would have left in prev is its last token. Found from the end (reverse
** DFS, explicit stack) only when a MISSING report asks for it. */
static void syn__resolve_prev(syn__ctx *c) {
  if (!c->prev_lazy) return;
  c->prev_lazy = false;
  TSNode s = c->prev_node;
  if (syn__symflags(c, s) & SYN__S_PAYLOAD) {
    uint32_t e = ts_node_end_byte(s);
    if (e > 0) syn__set_prev(c, (text_span){e - 1, e});
    return;
  }
  struct frame {
    TSNode n;
    uint32_t next; /* children left to look at (from the end) */
  } *st = NULL;
  size_t sp = 0, cap = 0;
  TSNode n = s;
  for (;;) {
    if (sp == cap) {
      size_t ncap = cap ? cap * 2 : 32;
      struct frame *a = realloc(st, ncap * sizeof *a);
      if (!a) {
        c->oom = true;
        break;
      }
      st = a;
      cap = ncap;
    }
    st[sp++] = (struct frame){n, ts_node_child_count(n)};
    bool found = false, pushed = false;
    while (sp && !found && !pushed) {
      struct frame *f = &st[sp - 1];
      if (f->next == 0) {
        sp--;
        continue;
      }
      TSNode ch = ts_node_child(f->n, --f->next);
      uint32_t cs = ts_node_start_byte(ch), ce = ts_node_end_byte(ch), ke;
      if (ts_node_child_count(ch) == 0) {
        if (ts_node_is_missing(ch) || (syn__symflags(c, ch) & SYN__S_COMMENT)) continue;
        if (!ts_node_is_named(ch) && syn__view_keyword(c, ch, &ke)) ce = ke;
        if (ce > cs) syn__set_prev(c, (text_span){cs, ce}), found = true;
      } else if (syn__symflags(c, ch) & SYN__S_PAYLOAD) {
        if (ce > 0) syn__set_prev(c, (text_span){ce - 1, ce}), found = true;
      } else {
        n = ch;
        pushed = true;
      }
    }
    if (!pushed) break;
  }
  free(st);
}

/* Human name of a missing named node. */
static const char *syn__missing_name(const char *type, bool in_value_path) {
  if (!strcmp(type, "value_name")) return in_value_path ? "expression" : "identifier";
  if (!strcmp(type, "value_pattern")) return "pattern";
  if (!strcmp(type, "type_constructor")) return "type";
  if (!strcmp(type, "constructor_name")) return "constructor";
  if (!strcmp(type, "module_name")) return "module name";
  if (!strcmp(type, "field_name")) return "field name";
  if (!strcmp(type, "label_name")) return "label";
  return NULL;
}

static void syn__report_missing(syn__ctx *c, TSNode n, TSNode parent) {
  const char *type = ts_node_type(n);
  const char *ptype = ts_node_is_null(parent) ? "" : ts_node_type(parent);
  uint32_t pos = ts_node_start_byte(n);
  if (pos > c->len) pos = (uint32_t)c->len;
  if (!ts_node_is_null(parent) && (!strcmp(type, "\"") || !strcmp(type, "'"))) {
    uint32_t s = ts_node_start_byte(parent);
    bool str = !strcmp(ptype, "string");
    if (str || !strcmp(ptype, "character")) {
      syn__emit(c, s, s + 1, SYN_CODE_MISSING, str ? "unterminated string literal" : "unterminated character literal");
      return;
    }
  }
  char what[SYN__TOKEN_MAX * 4 + 16];
  if (ts_node_is_named(n)) {
    const char *h = syn__missing_name(type, !strcmp(ptype, "value_path"));
    if (h) snprintf(what, sizeof what, "%s", h);
    else {
      snprintf(what, sizeof what, "%s", type);
      for (char *q = what; *q; q++) if (*q == '_') *q = ' ';
    }
  } else {
    char tt[SYN__TOKEN_MAX * 4 + 8];
    syn__token_text(type, 0, (uint32_t)strlen(type), tt);
    snprintf(what, sizeof what, "`%s`", tt);
  }
  syn__resolve_prev(c);
  if (c->have_prev && c->prev.end <= pos) {
    char tok[SYN__TOKEN_MAX * 4 + 8];
    syn__token_text(c->text, c->prev.start, c->prev.end, tok);
    syn__emit(c, c->prev.start, c->prev.end, SYN_CODE_MISSING, "missing %s after `%s`", what, tok);
  } else {
    syn__emit(c, pos, pos, SYN_CODE_MISSING, "missing %s", what);
  }
}

/* Entering internal node `n`: a MISSING closer whose opener starts `n` is
** reported on the opener, and remembered so the MISSING leaf is skipped. */
static void syn__check_closer(syn__ctx *c, TSNode n) {
  uint32_t k = ts_node_child_count(n);
  if (k < 2) return;
  TSNode last = ts_node_child(n, k - 1);
  if (!ts_node_is_missing(last) || !syn__is_closer(ts_node_type(last))) return;
  TSNode first = ts_node_child(n, 0);
  if (ts_node_is_missing(first) || !syn__is_opener(ts_node_type(first))) return;
  if (c->nclosers == c->capclosers) {
    size_t ncap = c->capclosers ? c->capclosers * 2 : 16;
    TSNode *a = realloc(c->closers, ncap * sizeof *a);
    if (!a) {
      c->oom = true;
      return;
    }
    c->closers = a;
    c->capclosers = ncap;
  }
  c->closers[c->nclosers++] = last;
  uint32_t s = ts_node_start_byte(first), e = ts_node_end_byte(first);
  char open[SYN__TOKEN_MAX * 4 + 8], close[SYN__TOKEN_MAX * 4 + 8];
  syn__token_text(c->text, s, e, open);
  syn__token_text(ts_node_type(last), 0, (uint32_t)strlen(ts_node_type(last)), close);
  syn__emit(c, s, e, SYN_CODE_MISSING, "missing `%s` to close this `%s`", close, open);
}

/* `let x` / `theorem t x` with no `=`: tree-sitter-ocaml accepts a binding
** without a body (let-operator punning, `let* x in`), plain `let` does not. */
static bool syn__check_binding(syn__ctx *c, TSNode b, TSNode def) {
  if (ts_node_is_null(def) || strcmp(ts_node_type(def), "value_definition")) return false;
  TSNode kw = ts_node_child(def, 0);
  if (ts_node_is_null(kw) || strcmp(ts_node_type(kw), "let")) return false;
  if (!ts_node_is_null(ts_node_child_by_field_name(b, "body", 4))) return false;
  TSNode last = {0};
  TSTreeCursor cur = ts_tree_cursor_new(b);
  bool eq = false;
  if (ts_tree_cursor_goto_first_child(&cur)) {
    do {
      TSNode ch = ts_tree_cursor_current_node(&cur);
      if (!strcmp(ts_node_type(ch), "=")) eq = true;
      if (!ts_node_is_missing(ch) && strcmp(ts_node_type(ch), "item_attribute")) last = ch;
    } while (ts_tree_cursor_goto_next_sibling(&cur));
  }
  ts_tree_cursor_delete(&cur);
  if (eq || ts_node_is_null(last)) return false;
  uint32_t s = ts_node_start_byte(last), e = ts_node_end_byte(last);
  if (e > c->len || s >= e) return false;
  /* Recovery often ends the definition before an ERROR holding the rest
  ** ("let f" + ERROR "x = …"): decided when the next node is seen. */
  c->weak = (text_span){s, e};
  c->weak_after = ts_node_end_byte(def);
  c->have_weak = true;
  return true;
}

static void syn__weak_emit(syn__ctx *c) {
  char tok[SYN__TOKEN_MAX * 4 + 8];
  syn__token_text(c->text, c->weak.start, c->weak.end, tok);
  syn__emit(c, c->weak.start, c->weak.end, SYN_CODE_MISSING, "missing `=` after `%s`", tok);
}

/* Before visiting `n` at `depth`: settle a pending missing `=`. */
static void syn__settle_weak(syn__ctx *c, TSNode n, bool end) {
  if (!c->have_weak) return;
  if (!end && ts_node_start_byte(n) < c->weak_after) return; /* still inside the definition */
  c->have_weak = false;
  if (!end && syn__is_error(n)) return; /* the ERROR tells the story */
  syn__weak_emit(c);
}

/* E0003: invalid UTF-8 runs and NUL runs. Eight ASCII, non-NUL bytes at a
** time on the fast path (the usual text). */
static void syn__check_bytes(syn__ctx *c) {
  const unsigned char *t = (const unsigned char *)c->text;
  const uint64_t lo = 0x0101010101010101ull, hi = 0x8080808080808080ull;
  size_t i = 0;
  while (i < c->len && !c->oom) {
    if (i + 8 <= c->len) {
      uint64_t w;
      memcpy(&w, t + i, 8);
      if (!(w & hi) && !((w - lo) & ~w & hi)) {
        i += 8;
        continue;
      }
    }
    if (t[i] == 0) {
      size_t j = i;
      while (j < c->len && t[j] == 0) j++;
      syn__emit(c, (uint32_t)i, (uint32_t)j, SYN_CODE_UNSUPPORTED_TEXT, "NUL byte in text");
      i = j;
      continue;
    }
    size_t n = text_utf8_valid_len(t + i, c->len - i);
    if (n) {
      i += n;
      continue;
    }
    size_t j = i + 1;
    while (j < c->len && t[j] != 0 && text_utf8_valid_len(t + j, c->len - j) == 0) j++;
    syn__emit(c, (uint32_t)i, (uint32_t)j, SYN_CODE_UNSUPPORTED_TEXT, "invalid UTF-8 byte sequence");
    i = j;
  }
}

static void syn__stmt_missing(syn__ctx *c) {
  char tok[SYN__TOKEN_MAX * 4 + 8];
  syn__token_text(c->text, c->stmt_kw.start, c->stmt_kw.end, tok);
  syn__emit(c, c->stmt_kw.start, c->stmt_kw.end, SYN_CODE_MISSING, "missing expression after `%s`", tok);
  c->have_stmt = false;
}

/* ------------------------------------------------------------------------ */
/* Checking the scan's spots inside an error-free subtree */

/* Move the descent path (path[0] is the subtree) down to the deepest node
** holding byte `pos`. Positions only grow within one subtree, so the path
** is popped then extended: each node is entered at most once. False when
** `pos` is outside the subtree or on OOM. */
static bool syn__seek(syn__ctx *c, uint32_t pos) {
  while (c->npath > 1 && !(c->path[c->npath - 1].start <= pos && pos < c->path[c->npath - 1].end)) c->npath--;
  if (!(c->path[c->npath - 1].start <= pos && pos < c->path[c->npath - 1].end)) return false;
  for (;;) {
    struct syn__pent *top = &c->path[c->npath - 1];
    if (top->payload || ts_node_child_count(top->node) == 0) return true;
    TSNode ch = ts_node_first_child_for_byte(top->node, pos);
    if (ts_node_is_null(ch)) return true;
    uint32_t s = ts_node_start_byte(ch);
    if (s > pos) return true; /* between two children */
    bool item = top->container, payload = top->payload;
    if (c->npath == c->cappath) {
      size_t ncap = c->cappath * 2;
      struct syn__pent *a = realloc(c->path, ncap * sizeof *a);
      if (!a) {
        c->oom = true;
        return false;
      }
      c->path = a;
      c->cappath = ncap;
    }
    unsigned f = syn__symflags(c, ch);
    c->path[c->npath++] = (struct syn__pent){.node = ch, .start = s, .end = ts_node_end_byte(ch), .item = item,
                                             .container = f & SYN__S_CONTAINER,
                                             .payload = payload || (f & SYN__S_PAYLOAD)};
  }
}

/* The "already reported" flag of the innermost item among path[0..upto]
** (then the walk's), or NULL when there is none. */
static bool *syn__path_flag(syn__ctx *c, size_t upto) {
  for (size_t i = upto + 1; i-- > 0;)
    if (c->path[i].item) return &c->path[i].reported;
  return c->item >= 0 ? &c->anc[c->item].reported : NULL;
}

/* The node the walk would visit right after path[i] and its subtree (the
** next non-comment sibling of it or of an ancestor): returns the index of
** its parent in the path, -1 when it lies after the subtree. */
static long syn__climb(syn__ctx *c, size_t i, TSNode *next) {
  for (; i > 0; i--) {
    TSNode parent = c->path[i - 1].node;
    uint32_t b = c->path[i].end;
    for (;;) {
      TSNode ch = ts_node_first_child_for_byte(parent, b);
      if (ts_node_is_null(ch)) break;
      if (!(syn__symflags(c, ch) & SYN__S_COMMENT)) {
        *next = ch;
        return (long)i - 1;
      }
      b = ts_node_end_byte(ch);
    }
  }
  return -1;
}

/* A pending "missing `=`" set inside the subtree for the definition at
** path[d]: emitted in the context of the node that follows it, or left to
** the walk when that node lies after the subtree. */
static void syn__clean_weak(syn__ctx *c, size_t d) {
  TSNode next;
  long j = syn__climb(c, d, &next);
  if (j < 0) return;
  c->have_weak = false;
  c->use_flag = true;
  c->flag = syn__path_flag(c, (size_t)j);
  syn__weak_emit(c);
  c->use_flag = false;
}

/* The walk steps over error-free subtree `s` (at `depth`): the scan's spots
** inside it get the checks the old every-node walk made there. */
static void syn__clean(syn__ctx *c, TSNode s, uint32_t depth) {
  c->prev_lazy = true;
  c->prev_node = s;
  uint32_t ss = ts_node_start_byte(s), se = ts_node_end_byte(s);
  while (c->nextcand < c->cands.count && c->cands.items[c->nextcand].pos < ss) c->nextcand++;
  if (c->nextcand == c->cands.count || c->cands.items[c->nextcand].pos >= se) return;
  if (!c->symf) {
    c->symf = calloc(c->nsym ? c->nsym : 1, 1);
    if (!c->symf) {
      c->oom = true;
      return;
    }
  }
  if (!c->path) {
    c->path = malloc(64 * sizeof *c->path);
    if (!c->path) {
      c->oom = true;
      return;
    }
    c->cappath = 64;
  }
  unsigned f = syn__symflags(c, s);
  c->path[0] = (struct syn__pent){.node = s, .start = ss, .end = se,
                                  .item = depth > 0 && c->anc[depth - 1].container,
                                  .container = f & SYN__S_CONTAINER, .payload = f & SYN__S_PAYLOAD};
  c->npath = 1;
  bool weak_in = false;
  size_t weak_at = 0;
  for (; c->nextcand < c->cands.count && !c->oom; c->nextcand++) {
    synscan_spot k = c->cands.items[c->nextcand];
    if (k.pos >= se) break;
    if (weak_in && (!c->have_weak || k.pos >= c->weak_after)) {
      if (c->have_weak) syn__clean_weak(c, weak_at);
      weak_in = false;
    }
    if (!syn__seek(c, k.pos)) continue;
    size_t n = c->npath;
    TSNode leaf = c->path[n - 1].node;
    if (c->path[n - 1].payload || n < 2 || ts_node_child_count(leaf) != 0) continue;
    uint32_t ls = c->path[n - 1].start, ke;
    text_span ks;
    c->flag = syn__path_flag(c, n - 2);
    if (k.kind == SYNSCAN_KW) {
      if (ls == k.pos && c->nclosers == 0 && syn__leaf_is_keyword(c, leaf, &ks)) {
        char tok[SYN__TOKEN_MAX * 4 + 8];
        syn__token_text(c->text, ks.start, ks.end, tok);
        c->use_flag = true;
        syn__emit(c, ks.start, ks.end, SYN_CODE_UNEXPECTED, "syntax error: unexpected `%s`", tok);
        c->use_flag = false;
      }
    } else if (k.kind == SYNSCAN_BIND) {
      const char *t = ts_node_type(leaf);
      if (ls != k.pos || ts_node_is_named(leaf) || (strcmp(t, "let") && strcmp(t, "and"))) continue;
      TSNode def = c->path[n - 2].node, b = ts_node_first_child_for_byte(def, c->path[n - 1].end);
      while (!ts_node_is_null(b) && strcmp(ts_node_type(b), "let_binding") && strcmp(ts_node_type(b), "and"))
        b = ts_node_first_child_for_byte(def, ts_node_end_byte(b));
      if (!ts_node_is_null(b) && !strcmp(ts_node_type(b), "let_binding") && syn__check_binding(c, b, def)) {
        weak_in = true;
        weak_at = n - 2;
      }
    } else if (k.kind == SYNSCAN_STMT) {
      if (ls != k.pos || ts_node_is_named(leaf) || strcmp(ts_node_type(leaf), ";;") ||
          !syn__view_keyword(c, leaf, &ke))
        continue;
      c->stmt_kw = (text_span){ls, ke};
      TSNode next;
      long j = syn__climb(c, n - 1, &next);
      if (j < 0) { /* the walk's next node settles it */
        c->have_stmt = true;
        c->stmt_depth = depth + (uint32_t)(n - 1);
      } else if (j != (long)n - 2 || strcmp(ts_node_type(next), "expression_item")) {
        c->use_flag = true;
        c->flag = syn__path_flag(c, (size_t)j);
        syn__stmt_missing(c);
        c->use_flag = false;
      }
    } else if (syn__symflags(c, leaf) & SYN__S_COMMENT) {
      c->use_flag = true;
      syn__check_comment(c, leaf);
      c->use_flag = false;
    }
  }
  if (weak_in && c->have_weak) syn__clean_weak(c, weak_at);
}

static int syn__cmp(const void *a, const void *b) {
  const diag *x = a, *y = b;
  if (x->span.start != y->span.start) return x->span.start < y->span.start ? -1 : 1;
  if (x->span.end != y->span.end) return x->span.end < y->span.end ? -1 : 1;
  int r = strcmp(x->code, y->code);
  return r ? r : strcmp(x->message, y->message);
}

int syn_diagnostics(const TSTree *tree, const char *text, size_t len, diag_list *out, size_t max) {
  syn__ctx c = {.text = text, .len = len, .out = out, .first = out->count, .item = -1};
  if (tree) {
    c.nsym = ts_language_symbol_count(ts_tree_language(tree));
    if (synscan_run(text, len, &c.cands) != 0) c.oom = true;
    TSNode root = ts_tree_root_node(tree);
    TSTreeCursor cur = ts_tree_cursor_new(root);
    uint32_t depth = 0;
    for (;;) {
      TSNode n = ts_tree_cursor_current_node(&cur);
      TSNode parent = depth ? c.anc[depth - 1].node : (TSNode){0};
      bool err = syn__is_error(n), comment = !err && syn__is_comment(n);
      bool residue = depth && c.anc[depth - 1].transparent && !syn__is_item_like(n);
      bool transparent = false, descend = false;
      if (err && !residue) transparent = syn__is_transparent(n);
      bool grouped = (err && !transparent) || residue;
      if (!comment) syn__settle_weak(&c, n, false);
      if (c.have_err && !grouped) syn__flush_error(&c, n);
      if (c.have_stmt && !comment) {
        /* `verify` & co. need an expression (an ERROR reports itself). */
        if (!err && !residue && !(depth == c.stmt_depth && !strcmp(ts_node_type(n), "expression_item")))
          syn__stmt_missing(&c);
        c.have_stmt = false;
      }
      if (grouped) {
        syn__add_error(&c, n, depth, residue);
      } else if (transparent) {
        descend = true;
      } else if (ts_node_child_count(n) == 0) {
        uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
        if (ts_node_is_missing(n)) {
          if (c.nclosers && ts_node_eq(c.closers[c.nclosers - 1], n)) c.nclosers--;
          else syn__report_missing(&c, n, parent);
        } else if (comment) {
          syn__check_comment(&c, n);
        } else {
          text_span ks;
          if (c.nclosers == 0 && syn__leaf_is_keyword(&c, n, &ks)) {
            char tok[SYN__TOKEN_MAX * 4 + 8];
            syn__token_text(text, ks.start, ks.end, tok);
            syn__emit(&c, ks.start, ks.end, SYN_CODE_UNEXPECTED, "syntax error: unexpected `%s`", tok);
          }
          uint32_t ke;
          if (!ts_node_is_named(n) && syn__view_keyword(&c, n, &ke)) {
            /* A token of the view ("let", ";;") standing for an IML keyword. */
            e = ke;
            if (!strcmp(ts_node_type(n), ";;")) {
              c.stmt_kw = (text_span){s, e};
              c.stmt_depth = depth;
              c.have_stmt = true;
            }
          }
          if (e > s) syn__set_prev(&c, (text_span){s, e});
        }
      } else if (!ts_node_has_error(n)) {
        /* No ERROR/MISSING below: only the scan's spots need a look. */
        if (!strcmp(ts_node_type(n), "let_binding")) syn__check_binding(&c, n, parent);
        syn__clean(&c, n, depth);
      } else {
        syn__check_closer(&c, n);
        if (!strcmp(ts_node_type(n), "let_binding")) syn__check_binding(&c, n, parent);
        descend = !syn__is_payload_type(ts_node_type(n));
        if (!descend && ts_node_end_byte(n) > 0) {
          /* Skipped: its last byte is the previous token for what follows. */
          uint32_t e = ts_node_end_byte(n);
          syn__set_prev(&c, (text_span){e - 1, e});
        }
      }
      if (c.oom) break;
      if (descend) {
        if (depth == c.capanc) {
          size_t ncap = c.capanc ? c.capanc * 2 : 64;
          struct syn__anc *a = realloc(c.anc, ncap * sizeof *a);
          if (!a) {
            c.oom = true;
            break;
          }
          c.anc = a;
          c.capanc = ncap;
        }
        if (ts_tree_cursor_goto_first_child(&cur)) {
          bool is_item = depth > 0 && c.anc[depth - 1].container;
          c.anc[depth] = (struct syn__anc){.node = n, .transparent = transparent,
                                           .container = transparent || syn__is_container(ts_node_type(n)),
                                           .prev_item = c.item};
          if (is_item) c.item = (int)depth;
          depth++;
          continue;
        }
      }
      bool moved = false;
      while (!(moved = ts_tree_cursor_goto_next_sibling(&cur))) {
        if (!ts_tree_cursor_goto_parent(&cur)) break;
        depth--;
        c.item = c.anc[depth].prev_item;
      }
      if (!moved) break;
    }
    c.item = -1;
    syn__settle_weak(&c, (TSNode){0}, true);
    syn__flush_error(&c, (TSNode){0});
    if (c.have_stmt) syn__stmt_missing(&c);
    ts_tree_cursor_delete(&cur);
  }
  syn__check_bytes(&c);
  free(c.closers);
  free(c.anc);
  synscan_list_clear(&c.cands);
  free(c.path);
  free(c.symf);

  /* Sort ours, drop exact duplicates, apply the limit. */
  diag *ours = out->items + c.first;
  size_t n = out->count - c.first;
  if (n > 1) qsort(ours, n, sizeof *ours, syn__cmp);
  /* One syntax diagnostic per line: a second one on the same line is almost
  ** always a cascade of the first (recovery resynchronising). */
  size_t w = 0;
  uint32_t scan = 0, line = 0, last_line = UINT32_MAX;
  for (size_t i = 0; i < n; i++) {
    uint32_t st = ours[i].span.start < len ? ours[i].span.start : (uint32_t)len;
    for (; scan < st; scan++)
      if (text[scan] == '\n') line++;
    bool syntax = strcmp(ours[i].code, SYN_CODE_UNSUPPORTED_TEXT) != 0;
    if ((w > 0 && syn__cmp(&ours[w - 1], &ours[i]) == 0) || (syntax && line == last_line)) {
      free(ours[i].message);
      continue;
    }
    if (syntax) last_line = line;
    ours[w++] = ours[i];
  }
  if (max && w > max) {
    for (size_t i = max; i < w; i++) free(ours[i].message);
    w = max;
  }
  out->count = c.first + w;
  for (size_t i = 0; i < w; i++) {
    if (ours[i].span.end > len) ours[i].span.end = (uint32_t)len;
    if (ours[i].span.start > ours[i].span.end) ours[i].span.start = ours[i].span.end;
  }
  return c.oom ? -1 : 0;
}
