/*
** iml_grammar.c — the IML syntax layer: the same-length keyword VIEW fed to
** tree-sitter-ocaml, the extra edits that keep incremental parsing honest,
** and small tree helpers. Contract: iml_grammar.h.
**
** DESIGN
** The view is produced by one linear, allocation-free pass (imlg__scan) over
** the text. The pass is a small lexer that mirrors tree-sitter-ocaml's
** lexical structure closely enough to know where code is:
**   - comments "(* … *)" nest; inside them string literals "…", quoted
**     strings {id|…|id} ({%ext id|…|id} too) and character literals are
**     skipped as tree-sitter-ocaml's comment scanner does, and identifiers
**     are skipped whole (so the quote in `don't` starts no char literal);
**   - strings "…" with backslash escapes (may span lines);
**   - quoted strings {id|…|id}, quoted extensions {%ext id|…|id};
**   - character literals 'a' '\n' '\'' '\065' '\x41' '\o101' and one UTF-8
**     code point between quotes; a quote not closing one of those forms is
**     a type variable ('a) or part of an identifier (x', lemma').
**
** WHEN A KEYWORD IS SUBSTITUTED. A word (maximal run of [A-Za-z0-9_'] and
** non-ASCII bytes) equal to one of the eight IML keywords is substituted
** only where an IML item can start, judged by its column, the previous
** significant token (comments are transparent) and the next character:
**   0. at column 0, rules 1 and 2 are skipped: IML items start there, so
**      `theorem t = a >⏎verify f` reports the unfinished theorem instead of
**      silently reading `verify` as an operand;
**   1. the previous token does not demand an expression: it is the start of
**      the file, `;;`, `struct`, a REPL directive line, or a token that can
**      END an expression or item (identifier, literal, `)`, `]`, `}`, `end`,
**      `done`) — never an operator, `(`, `[`, `{`, `,`, `;`, `.`, `~`, `?`,
**      `` ` ``, `#`, `'`, `=`, `->`, `|`, or an OCaml keyword such as `let`,
**      `in`, `then`, `else`, `with`, `fun`, `of`, `match`, `and`;
**   2. the keyword is the first token on its line (only blanks and comments
**      before it), or the previous token is `;;`/`struct`/start of file;
**   3. the next non-blank character does not continue an expression or
**      declaration: not one of  = : ; , ) ] } . | < > @ ^ & + * / $ %
**      nor "->" nor "!=" (so record fields `test : int`, `eval = 3`,
**      labels `~test:` and field accesses `r.eval` stay identifiers).
** Consequence: `test`/`eval` as ordinary identifiers keep working after
** `=`, `->`, `in`, `then`, operators, `(` … and in any mid-line position.
** The OCaml shapes we give up are a keyword-named value that starts a
** continuation line of an application (`f x⏎  eval y`) and one at column 0
** (`let f eval =⏎eval x`, which no formatter produces); IML reserves these
** words, so such code is not IML anyway.
**
** REPL DIRECTIVES: a line whose first non-blank character is ':' directly
** followed by an ASCII letter (":redef on", ":disable f") is blanked, except
** its '\r'. Requiring the letter keeps `:: xs`, `:= v`, `:> t` and `: int`
** continuation lines intact (formatted OCaml always writes ": int").
**
** Thread-safety: no global mutable state.
*/
#include "iml_grammar.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

const TSLanguage *tree_sitter_ocaml(void);

const TSLanguage *imlg_language(void) { return tree_sitter_ocaml(); }

/* ------------------------------------------------------------------------ */
/* Lexical helpers                                                           */

/* Identifier bytes: ASCII letters, digits, '_', '\'' and every non-ASCII
** byte (tree-sitter-ocaml treats code points >= 192 as identifier chars). */
static inline bool imlg__is_word(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '\'' || c >= 0x80;
}

static inline bool imlg__is_word_start(unsigned char c) {
  return imlg__is_word(c) && c != '\'';
}

static inline bool imlg__is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static inline bool imlg__is_hex(unsigned char c) {
  return imlg__is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline bool imlg__is_blank(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Length of the UTF-8 sequence led by c (1 for ASCII and stray bytes). */
static inline size_t imlg__utf8_len(unsigned char c) {
  if (c < 0xC0) return 1;
  if (c < 0xE0) return 2;
  if (c < 0xF0) return 3;
  return 4;
}

/* t[p] == '"' opened a string at p-1; returns the offset after the closing
** quote (or len when unterminated). */
static size_t imlg__skip_string(const char *t, size_t len, size_t p) {
  while (p < len) {
    char c = t[p];
    if (c == '\\') {
      p += 2;
    } else if (c == '"') {
      return p + 1;
    } else {
      p++;
    }
  }
  return len;
}

/* A character literal starting at t[p] == '\''. Returns the offset after the
** closing quote, or 0 when this quote opens no character literal. */
static size_t imlg__char_literal(const char *t, size_t len, size_t p) {
  size_t q = p + 1;
  if (q >= len) return 0;
  unsigned char c = (unsigned char)t[q];
  if (c == '\\') {
    q++;
    if (q >= len) return 0;
    c = (unsigned char)t[q];
    if (imlg__is_digit(c)) {
      if (q + 2 >= len || !imlg__is_digit((unsigned char)t[q + 1]) ||
          !imlg__is_digit((unsigned char)t[q + 2]))
        return 0;
      q += 3;
    } else if (c == 'x') {
      if (q + 2 >= len || !imlg__is_hex((unsigned char)t[q + 1]) ||
          !imlg__is_hex((unsigned char)t[q + 2]))
        return 0;
      q += 3;
    } else if (c == 'o') {
      if (q + 3 >= len || t[q + 1] < '0' || t[q + 1] > '3' || t[q + 2] < '0' ||
          t[q + 2] > '7' || t[q + 3] < '0' || t[q + 3] > '7')
        return 0;
      q += 4;
    } else if (c == '\\' || c == '"' || c == '\'' || c == 'n' || c == 't' ||
               c == 'b' || c == 'r' || c == ' ') {
      q++;
    } else {
      return 0;
    }
  } else if (c == '\r' || c == '\n') {
    while (q < len && t[q] == '\r') q++;
    if (q >= len || t[q] != '\n') return 0;
    q++;
  } else if (c == '\'') {
    return 0;
  } else {
    q += imlg__utf8_len(c);
  }
  if (q < len && t[q] == '\'') return q + 1;
  return 0;
}

/* Quoted-string delimiter id chars (ASCII subset of OCaml's). */
static inline bool imlg__is_qid(unsigned char c) { return (c >= 'a' && c <= 'z') || c == '_'; }

/* At t[p] == '{': if a quoted string {id|…|id} or quoted extension
** {%ext id|…|id} / {%%ext|…|} starts here, returns the offset after its
** closing brace (len when unterminated); else 0. */
static size_t imlg__quoted_string(const char *t, size_t len, size_t p) {
  size_t q = p + 1;
  if (q < len && t[q] == '%') {
    q++;
    if (q < len && t[q] == '%') q++;
    /* extattrident: ident ('.' ident)* */
    for (;;) {
      if (q >= len || !imlg__is_word_start((unsigned char)t[q]) ||
          imlg__is_digit((unsigned char)t[q]))
        return 0;
      while (q < len && imlg__is_word((unsigned char)t[q])) q++;
      if (q < len && t[q] == '.') {
        q++;
        continue;
      }
      break;
    }
    while (q < len && (imlg__is_blank((unsigned char)t[q]) || t[q] == '\n')) q++;
  }
  size_t id = q;
  while (q < len && imlg__is_qid((unsigned char)t[q])) q++;
  size_t idlen = q - id;
  if (q >= len || t[q] != '|') return 0;
  q++;
  /* Find "|" id "}". */
  for (; q < len; q++) {
    if (t[q] != '|') continue;
    if (q + 1 + idlen < len && memcmp(t + q + 1, t + id, idlen) == 0 &&
        t[q + 1 + idlen] == '}')
      return q + 2 + idlen;
  }
  return len;
}

/* t[p-2..p) == "(*". Skips a nested comment the way tree-sitter-ocaml's
** scanner does; returns the offset after the closing "*)" (len when
** unterminated). Iterative: nesting depth is a counter. */
static size_t imlg__skip_comment(const char *t, size_t len, size_t p) {
  size_t depth = 1;
  while (p < len) {
    unsigned char c = (unsigned char)t[p];
    switch (c) {
      case '(':
        if (p + 1 < len && t[p + 1] == '*') {
          depth++;
          p += 2;
        } else {
          p++;
        }
        break;
      case '*':
        if (p + 1 < len && t[p + 1] == ')') {
          p += 2;
          if (--depth == 0) return p;
        } else {
          p++;
        }
        break;
      case '"':
        p = imlg__skip_string(t, len, p + 1);
        break;
      case '\'': {
        size_t e = imlg__char_literal(t, len, p);
        p = e ? e : p + 1;
        break;
      }
      case '{': {
        size_t e = imlg__quoted_string(t, len, p);
        p = e ? e : p + 1;
        break;
      }
      default:
        if (imlg__is_word_start(c)) {
          while (p < len && imlg__is_word((unsigned char)t[p])) p++;
        } else {
          p++;
        }
    }
  }
  return len;
}

/* ------------------------------------------------------------------------ */
/* Keyword tables                                                            */

typedef struct {
  const char *word;
  unsigned char len;
  bool is_let; /* "let" view, else ";;" */
} imlg__kw;

static const imlg__kw imlg__kws[] = {
    {"theorem", 7, true}, {"lemma", 5, true},   {"axiom", 5, true},
    {"verify", 6, false}, {"instance", 8, false}, {"eval", 4, false},
    {"test", 4, false},   {"qcheck", 6, false},
};

static const imlg__kw *imlg__find_kw(const char *w, size_t n) {
  if (n < 4 || n > 8 || !strchr("tlaviueq", w[0])) return NULL;
  for (size_t i = 0; i < sizeof imlg__kws / sizeof imlg__kws[0]; i++)
    if (imlg__kws[i].len == n && memcmp(imlg__kws[i].word, w, n) == 0) return &imlg__kws[i];
  return NULL;
}

/* OCaml keywords after which an expression (or a name) must follow.
** Dispatched on the first letter: this runs for every identifier. */
static bool imlg__is_expecting_word(const char *w, size_t n) {
  static const char *const by_letter[26] = {
      ['a' - 'a'] = "and as assert asr",
      ['b' - 'a'] = "begin",
      ['c' - 'a'] = "class constraint",
      ['d' - 'a'] = "do downto",
      ['e' - 'a'] = "else exception external",
      ['f' - 'a'] = "for fun function functor",
      ['i' - 'a'] = "if in include inherit initializer",
      ['l' - 'a'] = "land lazy let lor lsl lsr lxor",
      ['m' - 'a'] = "match method mod module mutable",
      ['n' - 'a'] = "new nonrec",
      ['o' - 'a'] = "object of open or",
      ['p' - 'a'] = "private",
      ['r' - 'a'] = "rec",
      ['s' - 'a'] = "sig",
      ['t' - 'a'] = "then to try type",
      ['v' - 'a'] = "val virtual",
      ['w' - 'a'] = "when while with",
  };
  if (n < 2 || n > 11 || w[0] < 'a' || w[0] > 'z') return false;
  const char *list = by_letter[w[0] - 'a'];
  if (!list) return false;
  for (const char *q = list; *q;) {
    const char *e = strchr(q, ' ');
    size_t l = e ? (size_t)(e - q) : strlen(q);
    if (l == n && memcmp(q, w, n) == 0) return true;
    q += l;
    if (*q == ' ') q++;
  }
  return false;
}

/* Class of the previous significant token. */
typedef enum {
  IMLG_PREV_BOUNDARY, /* start, `;;`, `struct`, directive line */
  IMLG_PREV_VALUE,    /* can end an expression or an item */
  IMLG_PREV_EXPECT    /* something must follow */
} imlg__prev;

/* Rule 3: may the text after a keyword at [.., e) follow an item keyword? */
static bool imlg__next_ok(const char *t, size_t len, size_t e) {
  while (e < len && (imlg__is_blank((unsigned char)t[e]) || t[e] == '\n')) e++;
  if (e >= len) return true;
  switch (t[e]) {
    case '=': case ':': case ';': case ',': case ')': case ']': case '}':
    case '.': case '|': case '<': case '>': case '@': case '^': case '&':
    case '+': case '*': case '/': case '$': case '%':
      return false;
    case '-':
      return !(e + 1 < len && t[e + 1] == '>');
    case '!':
      return !(e + 1 < len && t[e + 1] == '=');
    default:
      return true;
  }
}

/* ------------------------------------------------------------------------ */
/* The scan                                                                  */

/* Scan t[0..len). When out != NULL (a copy of t), writes the substitutions
** into it. Stops early once the scan has passed `stop` (pass len to scan
** everything). Returns the keyword substituted at offset `query`, if any. */
static const imlg__kw *imlg__scan(const char *t, size_t len, char *out, size_t stop,
                                  size_t query) {
  const imlg__kw *found = NULL;
  size_t p = 0;
  bool line_start = true;
  imlg__prev prev = IMLG_PREV_BOUNDARY;

  while (p < len && p <= stop) {
    unsigned char c = (unsigned char)t[p];
    switch (c) {
      case '\n':
        line_start = true;
        p++;
        continue;
      case ' ': case '\t': case '\r': case '\f': case '\v': case '\0':
        p++;
        continue;
      case '(':
        if (p + 1 < len && t[p + 1] == '*') {
          /* Transparent, but a newline inside puts us at a line start. */
          size_t e = imlg__skip_comment(t, len, p + 2);
          if (memchr(t + p, '\n', e - p)) line_start = true;
          p = e;
          continue;
        }
        prev = IMLG_PREV_EXPECT;
        p++;
        break;
      case '"':
        p = imlg__skip_string(t, len, p + 1);
        prev = IMLG_PREV_VALUE;
        break;
      case '{': {
        size_t e = imlg__quoted_string(t, len, p);
        if (e) {
          p = e;
          prev = IMLG_PREV_VALUE;
        } else {
          p++;
          prev = IMLG_PREV_EXPECT;
        }
        break;
      }
      case '\'': {
        size_t e = imlg__char_literal(t, len, p);
        if (e) {
          p = e;
          prev = IMLG_PREV_VALUE;
        } else {
          p++;
          prev = IMLG_PREV_EXPECT;
        }
        break;
      }
      case ':':
        if (line_start && p + 1 < len &&
            (((unsigned char)t[p + 1] | 0x20) >= 'a' && ((unsigned char)t[p + 1] | 0x20) <= 'z')) {
          /* REPL directive: blank to end of line (keep '\r'). */
          size_t e = p;
          while (e < len && t[e] != '\n') e++;
          if (out)
            for (size_t i = p; i < e; i++)
              if (out[i] != '\r') out[i] = ' ';
          p = e;
          prev = IMLG_PREV_BOUNDARY;
          continue; /* the '\n' sets line_start */
        }
        prev = IMLG_PREV_EXPECT;
        p++;
        break;
      case ';':
        if (p + 1 < len && t[p + 1] == ';') {
          p += 2;
          prev = IMLG_PREV_BOUNDARY;
        } else {
          p++;
          prev = IMLG_PREV_EXPECT;
        }
        break;
      case ')': case ']': case '}':
        p++;
        prev = IMLG_PREV_VALUE;
        break;
      default:
        if (imlg__is_word_start(c)) {
          size_t s = p;
          while (p < len && imlg__is_word((unsigned char)t[p])) p++;
          size_t n = p - s;
          if (imlg__is_digit(c)) {
            /* Number: take the fraction and signed exponent too, so that
            ** the '.' of "2." is not an operator. */
            if (p < len && t[p] == '.') {
              p++;
              while (p < len && imlg__is_word((unsigned char)t[p])) p++;
            }
            unsigned char last = (unsigned char)(t[p - 1] | 0x20);
            if ((last == 'e' || last == 'p') && p + 1 < len && (t[p] == '+' || t[p] == '-')) {
              p++;
              while (p < len && imlg__is_word((unsigned char)t[p])) p++;
            }
            prev = IMLG_PREV_VALUE;
            break;
          }
          const imlg__kw *kw = imlg__find_kw(t + s, n);
          bool col0 = s == 0 || t[s - 1] == '\n';
          if (kw && (col0 || (prev != IMLG_PREV_EXPECT && (line_start || prev == IMLG_PREV_BOUNDARY))) &&
              imlg__next_ok(t, len, p)) {
            if (out) {
              if (kw->is_let) {
                memcpy(out + s, "let", 3);
                memset(out + s + 3, ' ', n - 3);
              } else {
                memcpy(out + s, ";;", 2);
                memset(out + s + 2, ' ', n - 2);
              }
            }
            if (s == query) found = kw;
            prev = IMLG_PREV_EXPECT;
          } else if (n == 6 && memcmp(t + s, "struct", 6) == 0) {
            prev = IMLG_PREV_BOUNDARY;
          } else if (imlg__is_expecting_word(t + s, n)) {
            prev = IMLG_PREV_EXPECT;
          } else {
            prev = IMLG_PREV_VALUE; /* identifiers, numbers, end, done, true … */
          }
        } else {
          p++;
          prev = IMLG_PREV_EXPECT;
        }
        break;
    }
    line_start = false;
  }
  return found;
}

void imlg_view(const char *text, size_t len, char *out) {
  assert(len == 0 || (text && out));
  if (len == 0) return;
  memcpy(out, text, len);
  imlg__scan(text, len, out, len, (size_t)-1);
}

char *imlg_view_dup(const char *text, size_t len) {
  char *out = malloc(len + 1);
  if (!out) return NULL;
  imlg_view(text, len, out);
  out[len] = '\0';
  return out;
}

const char *imlg_keyword_at(const char *text, size_t len, size_t off) {
  if (!text || off >= len) return NULL;
  /* Cheap rejection first: the scan is O(off). */
  if (!imlg__is_word_start((unsigned char)text[off]) ||
      (off > 0 && imlg__is_word((unsigned char)text[off - 1])))
    return NULL;
  size_t e = off;
  while (e < len && imlg__is_word((unsigned char)text[e])) e++;
  if (!imlg__find_kw(text + off, e - off)) return NULL;
  const imlg__kw *kw = imlg__scan(text, len, NULL, off, off);
  return kw ? kw->word : NULL;
}

const char *imlg_keyword_at_view(const char *text, const char *view, size_t len,
                                 size_t off) {
  if (!text || !view || off >= len) return NULL;
  if (off > 0 && imlg__is_word((unsigned char)text[off - 1])) return NULL;
  size_t e = off;
  while (e < len && imlg__is_word((unsigned char)text[e])) e++;
  const imlg__kw *kw = imlg__find_kw(text + off, e - off);
  /* Substituted iff the view holds the replacement (a directive line is
  ** blanked instead, and "let" alone would match an unchanged "let…"). */
  if (!kw) return NULL;
  const char *rep = kw->is_let ? "let" : ";;";
  size_t rl = kw->is_let ? 3 : 2;
  if (memcmp(view + off, rep, rl) != 0) return NULL;
  for (size_t i = rl; i < kw->len; i++)
    if (view[off + i] != ' ') return NULL;
  return kw->word;
}

/* ------------------------------------------------------------------------ */
/* Edits                                                                     */

/* Advances (*row, *col, *at) over text up to offset `to` (>= *at). */
static void imlg__advance_point(const char *t, size_t to, size_t *at, uint32_t *row,
                                uint32_t *col) {
  size_t p = *at;
  size_t line_begin = p - *col; /* offset where the current row starts */
  while (p < to) {
    const char *nl = memchr(t + p, '\n', to - p);
    if (!nl) break;
    (*row)++;
    p = (size_t)(nl - t) + 1;
    line_begin = p;
  }
  *at = to;
  *col = (uint32_t)(to - line_begin);
}

static TSPoint imlg__point(uint32_t row, uint32_t col) {
  TSPoint pt = {row, col};
  return pt;
}

int imlg_compute_edits(const char *old_text, const char *old_view, size_t old_len,
                       const char *new_text, const char *new_view, size_t new_len,
                       TSInputEdit **out) {
  *out = NULL;
  if (old_len == new_len && (old_len == 0 || memcmp(old_view, new_view, old_len) == 0)) return 0;

  size_t min = old_len < new_len ? old_len : new_len;
  size_t pre = 0;
  while (pre < min && old_text[pre] == new_text[pre]) pre++;
  size_t suf = 0;
  while (suf < min - pre && old_text[old_len - 1 - suf] == new_text[new_len - 1 - suf]) suf++;
  size_t old_end = old_len - suf, new_end = new_len - suf;

  size_t cap = 8, n = 0;
  TSInputEdit *edits = malloc(cap * sizeof *edits);
  if (!edits) return -1;

  /* The user's change. */
  size_t at_o = 0, at_n = 0;
  uint32_t row_o = 0, col_o = 0, row_n = 0, col_n = 0;
  imlg__advance_point(old_text, pre, &at_o, &row_o, &col_o);
  TSPoint start_pt = imlg__point(row_o, col_o);
  imlg__advance_point(old_text, old_end, &at_o, &row_o, &col_o);
  TSInputEdit first = {
      .start_byte = (uint32_t)pre,
      .old_end_byte = (uint32_t)old_end,
      .new_end_byte = (uint32_t)new_end,
      .start_point = start_pt,
      .old_end_point = imlg__point(row_o, col_o),
      .new_end_point = start_pt,
  };
  row_n = start_pt.row;
  col_n = start_pt.column;
  at_n = pre;
  imlg__advance_point(new_text, new_end, &at_n, &row_n, &col_n);
  first.new_end_point = imlg__point(row_n, col_n);
  edits[n++] = first;

  /* Runs of changed view bytes outside the change, in new coordinates.
  ** Points come from one forward walk over new_text. */
  at_n = 0;
  row_n = col_n = 0;
  size_t i = 0;
  while (i < new_len) {
    if (i == pre) {
      i = new_end > pre ? new_end : pre;
      if (i >= new_len) break;
    }
    size_t oi = i < pre ? i : i - new_end + old_end;
    if (new_view[i] == old_view[oi]) {
      i++;
      continue;
    }
    size_t s = i;
    size_t lim = i < pre ? pre : new_len;
    while (i < lim && new_view[i] != old_view[i < pre ? i : i - new_end + old_end]) i++;
    if (n == cap) {
      if (cap > (size_t)INT_MAX / 2) { /* cannot report that many */
        free(edits);
        return -1;
      }
      cap *= 2;
      TSInputEdit *ne = realloc(edits, cap * sizeof *edits);
      if (!ne) {
        free(edits);
        return -1;
      }
      edits = ne;
    }
    imlg__advance_point(new_text, s, &at_n, &row_n, &col_n);
    TSPoint sp = imlg__point(row_n, col_n);
    imlg__advance_point(new_text, i, &at_n, &row_n, &col_n);
    TSPoint ep = imlg__point(row_n, col_n);
    TSInputEdit e = {
        .start_byte = (uint32_t)s,
        .old_end_byte = (uint32_t)i,
        .new_end_byte = (uint32_t)i,
        .start_point = sp,
        .old_end_point = ep,
        .new_end_point = ep,
    };
    edits[n++] = e;
  }
  *out = edits;
  return (int)n;
}

/* ------------------------------------------------------------------------ */
/* Parsing and tree helpers                                                  */

TSTree *imlg_parse(TSParser *parser, const TSTree *old_tree, const char *text,
                   const char *view, size_t len) {
  assert(parser && (text || len == 0));
  if (len > UINT32_MAX) return NULL; /* tree-sitter offsets are 32-bit */
  if (ts_parser_language(parser) != imlg_language()) {
    if (!ts_parser_set_language(parser, imlg_language())) return NULL;
  }
  char *own = NULL;
  if (!view) {
    own = imlg_view_dup(text ? text : "", len);
    if (!own) return NULL;
    view = own;
  }
  TSTree *tree = ts_parser_parse_string(parser, old_tree, view, (uint32_t)len);
  if (!tree) ts_parser_reset(parser); /* cancelled: never resume with new input */
  free(own);
  return tree;
}

bool imlg_in_attribute_payload(TSNode node) {
  while (!ts_node_is_null(node)) {
    const char *ty = ts_node_type(node);
    if (strcmp(ty, "attribute_payload") == 0 || strcmp(ty, "attribute") == 0 ||
        strcmp(ty, "item_attribute") == 0 || strcmp(ty, "floating_attribute") == 0 ||
        strcmp(ty, "extension") == 0 || strcmp(ty, "item_extension") == 0 ||
        strcmp(ty, "quoted_extension") == 0 || strcmp(ty, "quoted_item_extension") == 0)
      return true;
    node = ts_node_parent(node);
  }
  return false;
}
