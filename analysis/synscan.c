/*
** synscan.c — the lexical scan that lists suspicious spots (see synscan.h).
**
** DESIGN
** Used only by syntax.c. Walking every node of a big tree costs several
** times an incremental parse, so syntax.c walks only subtrees holding an
** ERROR/MISSING node. The heuristics that fire without one (a reserved word
** parsed as an identifier: `let x = in 3`; a `let` binding without `=`; a
** `verify` with no expression; an unterminated comment) are triggered by
** this one linear pass over the text: the lexical rules of the view in
** iml_grammar.c, and its IML keyword substitution rule to the letter. It
** lists SUSPICIOUS spots; syntax.c (syn__clean) checks each spot inside an
** error-free subtree on the tree, by the very checks and messages its walk
** applies to leaves. Where to look:
**  * a reserved word, unless its context makes it an ordinary keyword:
**    after an operand, a continuation of something open at the same bracket
**    depth (`in` of a counted non-item `let`, `then` of an `if`, `else` of a
**    `then`, `with` of a `match`/`try`/`{`, `when` in match arms, `of` after
**    a constructor in a type definition, `end` of a `begin`/`struct`/`sig`,
**    infix `mod`/`land`/…); after an operator, opener, `in`/`then`/`else`/
**    `->`…, an expression starter (`let fun if match begin` …; `struct`/
**    `sig`/`functor` only where a module starts); an item keyword starting a
**    line at item level with no `let … in` open; and pairs (`let rec`,
**    `module type`, `with type`, `| exception` …). After a suspicious keyword
**    the next keyword is suspicious too, and a suspicious opener opens
**    nothing (its `end` then looks unmatched, as tree-sitter sees it);
**  * a `let`/`and` binding head that meets a keyword, `;`, an item
**    attribute, a closing bracket or the end before its `=`;
**  * a substituted `verify`-like keyword not followed by an obvious
**    expression start (an operand, `(`, `fun`, `if` …);
**  * the last byte (an unterminated comment runs to the end of input).
** What this gives up against an every-leaf walk: a keyword that the context
** says is ordinary but tree-sitter took for an identifier, e.g. an
** expression starter used as a name right after an operator or opener
** (`(match, x)`). Differential fuzzing against the old walk (token mutations
** of the repository's .iml files) agreed on 99.9% of error-free inputs.
**
** Bounded state: bracket kinds are remembered up to SYNSCAN__BRACKETS_MAX
** deep (deeper, the depth is still exact and the keyword filter trusts the
** context), binding heads up to SYNSCAN__HEADS_MAX; no recursion.
** Performance: per-token state lives in locals of synscan_run; the lexer
** struct only around keywords (a tenth of the tokens).
*/
#include "synscan.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool synscan__is_op_char(char c) { return c && strchr("!$%&*+-./:<=>?@^|~#", c) != NULL; }

#define SYNSCAN__HEADS_MAX 64       /* nested binding heads the scan follows */
#define SYNSCAN__BRACKETS_MAX 256   /* bracket kinds remembered (depth is exact) */

/* Keywords: OCaml's reserved words, then IML's. */
enum {
  SYNSCAN__KW_NONE, SYNSCAN__KW_AND, SYNSCAN__KW_AS, SYNSCAN__KW_ASSERT, SYNSCAN__KW_ASR, SYNSCAN__KW_BEGIN, SYNSCAN__KW_CLASS,
  SYNSCAN__KW_CONSTRAINT, SYNSCAN__KW_DO, SYNSCAN__KW_DONE, SYNSCAN__KW_DOWNTO, SYNSCAN__KW_ELSE, SYNSCAN__KW_END,
  SYNSCAN__KW_EXCEPTION, SYNSCAN__KW_EXTERNAL, SYNSCAN__KW_FOR, SYNSCAN__KW_FUN, SYNSCAN__KW_FUNCTION, SYNSCAN__KW_FUNCTOR,
  SYNSCAN__KW_IF, SYNSCAN__KW_IN, SYNSCAN__KW_INCLUDE, SYNSCAN__KW_INHERIT, SYNSCAN__KW_INITIALIZER, SYNSCAN__KW_LAND,
  SYNSCAN__KW_LAZY, SYNSCAN__KW_LET, SYNSCAN__KW_LOR, SYNSCAN__KW_LSL, SYNSCAN__KW_LSR, SYNSCAN__KW_LXOR, SYNSCAN__KW_MATCH,
  SYNSCAN__KW_METHOD, SYNSCAN__KW_MOD, SYNSCAN__KW_MODULE, SYNSCAN__KW_MUTABLE, SYNSCAN__KW_NEW, SYNSCAN__KW_NONREC,
  SYNSCAN__KW_OBJECT, SYNSCAN__KW_OF, SYNSCAN__KW_OPEN, SYNSCAN__KW_OR, SYNSCAN__KW_PRIVATE, SYNSCAN__KW_REC, SYNSCAN__KW_SIG,
  SYNSCAN__KW_STRUCT, SYNSCAN__KW_THEN, SYNSCAN__KW_TO, SYNSCAN__KW_TRY, SYNSCAN__KW_TYPE, SYNSCAN__KW_VAL, SYNSCAN__KW_VIRTUAL,
  SYNSCAN__KW_WHEN, SYNSCAN__KW_WHILE, SYNSCAN__KW_WITH,
  SYNSCAN__KW_THEOREM, SYNSCAN__KW_LEMMA, SYNSCAN__KW_AXIOM, /* "let" in the view */
  SYNSCAN__KW_VERIFY, SYNSCAN__KW_INSTANCE, SYNSCAN__KW_EVAL, SYNSCAN__KW_TEST, SYNSCAN__KW_QCHECK, /* ";;" */
  SYNSCAN__KW_COUNT
};

/* Keyword classes. */
enum {
  SYNSCAN__F_CONT = 1,    /* continues after an operand: in then else with of … */
  SYNSCAN__F_START = 2,   /* starts an expression: let fun if match begin … */
  SYNSCAN__F_ITEM = 4,    /* starts an item at a line start: let type module … */
  SYNSCAN__F_NAME = 8,    /* a name or pattern follows: let rec and fun type … */
  SYNSCAN__F_ITEMS = 16,  /* items follow: struct sig object */
  SYNSCAN__F_LETLIKE = 32,
  SYNSCAN__F_STMT = 64,
};

#define SYNSCAN__C SYNSCAN__F_CONT
#define SYNSCAN__S SYNSCAN__F_START
#define SYNSCAN__I SYNSCAN__F_ITEM
#define SYNSCAN__N SYNSCAN__F_NAME
static const struct {
  const char *w;
  unsigned char cls;
} synscan__kwtab[SYNSCAN__KW_COUNT] = {
    [SYNSCAN__KW_AND] = {"and", SYNSCAN__C | SYNSCAN__N}, [SYNSCAN__KW_AS] = {"as", SYNSCAN__C | SYNSCAN__N},
    [SYNSCAN__KW_ASSERT] = {"assert", SYNSCAN__S}, [SYNSCAN__KW_ASR] = {"asr", SYNSCAN__C},
    [SYNSCAN__KW_BEGIN] = {"begin", SYNSCAN__S}, [SYNSCAN__KW_CLASS] = {"class", SYNSCAN__I | SYNSCAN__N},
    [SYNSCAN__KW_CONSTRAINT] = {"constraint", SYNSCAN__N}, [SYNSCAN__KW_DO] = {"do", 0},
    [SYNSCAN__KW_DONE] = {"done", 0}, [SYNSCAN__KW_DOWNTO] = {"downto", 0},
    [SYNSCAN__KW_ELSE] = {"else", SYNSCAN__C}, [SYNSCAN__KW_END] = {"end", SYNSCAN__C},
    [SYNSCAN__KW_EXCEPTION] = {"exception", SYNSCAN__I | SYNSCAN__N}, [SYNSCAN__KW_EXTERNAL] = {"external", SYNSCAN__I | SYNSCAN__N},
    [SYNSCAN__KW_FOR] = {"for", SYNSCAN__S}, [SYNSCAN__KW_FUN] = {"fun", SYNSCAN__S | SYNSCAN__N},
    [SYNSCAN__KW_FUNCTION] = {"function", SYNSCAN__S | SYNSCAN__N}, [SYNSCAN__KW_FUNCTOR] = {"functor", SYNSCAN__S | SYNSCAN__N},
    [SYNSCAN__KW_IF] = {"if", SYNSCAN__S}, [SYNSCAN__KW_IN] = {"in", SYNSCAN__C},
    [SYNSCAN__KW_INCLUDE] = {"include", SYNSCAN__I | SYNSCAN__N}, [SYNSCAN__KW_INHERIT] = {"inherit", SYNSCAN__N},
    [SYNSCAN__KW_INITIALIZER] = {"initializer", SYNSCAN__N}, [SYNSCAN__KW_LAND] = {"land", SYNSCAN__C},
    [SYNSCAN__KW_LAZY] = {"lazy", SYNSCAN__S}, [SYNSCAN__KW_LET] = {"let", SYNSCAN__S | SYNSCAN__I | SYNSCAN__N},
    [SYNSCAN__KW_LOR] = {"lor", SYNSCAN__C}, [SYNSCAN__KW_LSL] = {"lsl", SYNSCAN__C}, [SYNSCAN__KW_LSR] = {"lsr", SYNSCAN__C},
    [SYNSCAN__KW_LXOR] = {"lxor", SYNSCAN__C}, [SYNSCAN__KW_MATCH] = {"match", SYNSCAN__S},
    [SYNSCAN__KW_METHOD] = {"method", SYNSCAN__N}, [SYNSCAN__KW_MOD] = {"mod", SYNSCAN__C},
    [SYNSCAN__KW_MODULE] = {"module", SYNSCAN__I | SYNSCAN__N}, [SYNSCAN__KW_MUTABLE] = {"mutable", SYNSCAN__N},
    [SYNSCAN__KW_NEW] = {"new", SYNSCAN__N}, [SYNSCAN__KW_NONREC] = {"nonrec", SYNSCAN__N},
    [SYNSCAN__KW_OBJECT] = {"object", SYNSCAN__F_ITEMS}, [SYNSCAN__KW_OF] = {"of", SYNSCAN__C | SYNSCAN__N},
    [SYNSCAN__KW_OPEN] = {"open", SYNSCAN__I | SYNSCAN__N}, [SYNSCAN__KW_OR] = {"or", SYNSCAN__C},
    [SYNSCAN__KW_PRIVATE] = {"private", SYNSCAN__N}, [SYNSCAN__KW_REC] = {"rec", SYNSCAN__N},
    [SYNSCAN__KW_SIG] = {"sig", SYNSCAN__S | SYNSCAN__F_ITEMS}, [SYNSCAN__KW_STRUCT] = {"struct", SYNSCAN__S | SYNSCAN__F_ITEMS},
    [SYNSCAN__KW_THEN] = {"then", SYNSCAN__C}, [SYNSCAN__KW_TO] = {"to", 0}, [SYNSCAN__KW_TRY] = {"try", SYNSCAN__S},
    [SYNSCAN__KW_TYPE] = {"type", SYNSCAN__I | SYNSCAN__N}, [SYNSCAN__KW_VAL] = {"val", SYNSCAN__I | SYNSCAN__N},
    [SYNSCAN__KW_VIRTUAL] = {"virtual", SYNSCAN__N}, [SYNSCAN__KW_WHEN] = {"when", SYNSCAN__C},
    [SYNSCAN__KW_WHILE] = {"while", SYNSCAN__S}, [SYNSCAN__KW_WITH] = {"with", SYNSCAN__C | SYNSCAN__N},
    [SYNSCAN__KW_THEOREM] = {"theorem", SYNSCAN__F_LETLIKE}, [SYNSCAN__KW_LEMMA] = {"lemma", SYNSCAN__F_LETLIKE},
    [SYNSCAN__KW_AXIOM] = {"axiom", SYNSCAN__F_LETLIKE}, [SYNSCAN__KW_VERIFY] = {"verify", SYNSCAN__F_STMT},
    [SYNSCAN__KW_INSTANCE] = {"instance", SYNSCAN__F_STMT}, [SYNSCAN__KW_EVAL] = {"eval", SYNSCAN__F_STMT},
    [SYNSCAN__KW_TEST] = {"test", SYNSCAN__F_STMT}, [SYNSCAN__KW_QCHECK] = {"qcheck", SYNSCAN__F_STMT},
};
#undef SYNSCAN__C
#undef SYNSCAN__S
#undef SYNSCAN__I
#undef SYNSCAN__N

/* Class of the previous significant token, for the keyword filter. */
enum { SYNSCAN__P_ITEMS, SYNSCAN__P_ENDER, SYNSCAN__P_OPEN, SYNSCAN__P_NAME };
/* Punctuation the filter pairs with keywords (keyword ids are below 100). */
enum {
  SYNSCAN__PT_OTHER = 100, SYNSCAN__PT_LPAREN, SYNSCAN__PT_COLON, SYNSCAN__PT_BAR, SYNSCAN__PT_SEMI, SYNSCAN__PT_EQ, SYNSCAN__PT_ARROW,
  SYNSCAN__PT_CAP,    /* a capitalized identifier */
  SYNSCAN__PT_ITEMLET, /* `let` starting an item: no `let open`/`let module` there */
  SYNSCAN__PT_ARMS     /* the `with` of a match: patterns follow */
};
/* The view rule's classes (iml_grammar.c, imlg__scan). */
enum { SYNSCAN__V_BOUNDARY, SYNSCAN__V_VALUE, SYNSCAN__V_EXPECT };
/* Byte classes of the scan. */
enum { SYNSCAN__CC_WORD = 1, SYNSCAN__CC_OP = 2, SYNSCAN__CC_SPACE = 4, SYNSCAN__CC_START = 8 };
/* Brackets: what closes them. */
enum {
  SYNSCAN__B_PAREN = 1, SYNSCAN__B_BRACK, SYNSCAN__B_BRACE, SYNSCAN__B_ATTR,
  SYNSCAN__B_END, SYNSCAN__B_STRUCT, SYNSCAN__B_SIG, /* begin/object, struct, sig: closed by `end` */
  SYNSCAN__B_DONE
};

typedef struct {
  synscan_list *out;
  const char *t;
  size_t len;
  unsigned char cc[256];                                 /* SYNSCAN__CC_* by byte */
  unsigned char bucket[26 * 12], chain[SYNSCAN__KW_COUNT]; /* keyword hash */
  unsigned char kinds[SYNSCAN__BRACKETS_MAX];
  uint32_t depth, attr; /* bracket depth; attribute brackets among them */
  /* Per bracket depth: constructs waiting for their continuation keyword
  ** (`let`…`in`, `if`…`then`, `then`…`else`, `match`…`with`) and whether
  ** match arms are open (`when`). Reset at item starts. */
  struct synscan__lvl {
    unsigned short lets, ifs, thens, matches;
    bool arms;
  } lvl[SYNSCAN__BRACKETS_MAX + 1];
  bool tyctx;  /* in a type/exception definition (`A of t`) */
  bool andctx; /* `and` may continue a let/type/module definition */
  bool modctx; /* in a module definition: `= struct`, `: sig` */
  bool unsure; /* the previous token was suspicious: so is the next keyword */
  struct synscan__head {
    uint32_t pos, depth;
  } heads[SYNSCAN__HEADS_MAX];
  unsigned nheads;
  bool after_let; /* the previous token pushed a `let` head */
  int pcls, pid, vprev;
  bool line_start;
  bool stmt; /* a substituted `verify` waits for its expression */
  uint32_t stmt_pos;
} synscan__lex;

/* Append a spot; on OOM, marks the list and drops the spot (the scan goes
** on: synscan_run reports the failure at the end). */
static void synscan__add(synscan_list *l, uint32_t pos, int kind) {
  if (l->count == l->cap) {
    size_t ncap = l->cap ? l->cap * 2 : 64;
    synscan_spot *a = realloc(l->items, ncap * sizeof *a);
    if (!a) {
      l->oom = true;
      return;
    }
    l->items = a;
    l->cap = ncap;
  }
  l->items[l->count++] = (synscan_spot){pos, (unsigned char)kind};
}

static int synscan__cmp(const void *a, const void *b) {
  const synscan_spot *x = a, *y = b;
  if (x->pos != y->pos) return x->pos < y->pos ? -1 : 1;
  return (int)x->kind - (int)y->kind;
}

static bool synscan__word(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '\'' || c >= 0x80;
}

static bool synscan__digit(unsigned char c) { return c >= '0' && c <= '9'; }

static bool synscan__hex(unsigned char c) {
  return synscan__digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool synscan__blank(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

/* The lexical helpers below mirror iml_grammar.c (imlg__skip_string …),
** which mirrors tree-sitter-ocaml's scanner: same offsets, same answers. */
static size_t synscan__string(const char *t, size_t len, size_t p) {
  while (p < len) {
    char ch = t[p];
    if (ch == '\\') p += 2;
    else if (ch == '"') return p + 1;
    else p++;
  }
  return len;
}

static size_t synscan__char(const char *t, size_t len, size_t p) {
  size_t q = p + 1;
  if (q >= len) return 0;
  unsigned char ch = (unsigned char)t[q];
  if (ch == '\\') {
    if (++q >= len) return 0;
    ch = (unsigned char)t[q];
    if (synscan__digit(ch)) {
      if (q + 2 >= len || !synscan__digit((unsigned char)t[q + 1]) || !synscan__digit((unsigned char)t[q + 2]))
        return 0;
      q += 3;
    } else if (ch == 'x') {
      if (q + 2 >= len || !synscan__hex((unsigned char)t[q + 1]) || !synscan__hex((unsigned char)t[q + 2]))
        return 0;
      q += 3;
    } else if (ch == 'o') {
      if (q + 3 >= len || t[q + 1] < '0' || t[q + 1] > '3' || t[q + 2] < '0' || t[q + 2] > '7' ||
          t[q + 3] < '0' || t[q + 3] > '7')
        return 0;
      q += 4;
    } else if (ch == '\\' || ch == '"' || ch == '\'' || ch == 'n' || ch == 't' || ch == 'b' || ch == 'r' ||
               ch == ' ') {
      q++;
    } else {
      return 0;
    }
  } else if (ch == '\r' || ch == '\n') {
    while (q < len && t[q] == '\r') q++;
    if (q >= len || t[q] != '\n') return 0;
    q++;
  } else if (ch == '\'') {
    return 0;
  } else {
    q += ch < 0xC0 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
  }
  return q < len && t[q] == '\'' ? q + 1 : 0;
}

static size_t synscan__quoted(const char *t, size_t len, size_t p) {
  size_t q = p + 1;
  if (q < len && t[q] == '%') {
    q++;
    if (q < len && t[q] == '%') q++;
    for (;;) {
      if (q >= len || !synscan__word((unsigned char)t[q]) || t[q] == '\'' || synscan__digit((unsigned char)t[q]))
        return 0;
      while (q < len && synscan__word((unsigned char)t[q])) q++;
      if (q < len && t[q] == '.') {
        q++;
        continue;
      }
      break;
    }
    while (q < len && (synscan__blank((unsigned char)t[q]) || t[q] == '\n')) q++;
  }
  size_t id = q;
  while (q < len && ((t[q] >= 'a' && t[q] <= 'z') || t[q] == '_')) q++;
  size_t idlen = q - id;
  if (q >= len || t[q] != '|') return 0;
  for (q++; q < len; q++) {
    if (t[q] != '|') continue;
    if (q + 1 + idlen < len && !memcmp(t + q + 1, t + id, idlen) && t[q + 1 + idlen] == '}') return q + 2 + idlen;
  }
  return len;
}

static size_t synscan__comment(const char *t, size_t len, size_t p) {
  size_t depth = 1;
  while (p < len) {
    unsigned char ch = (unsigned char)t[p];
    if (ch == '(') {
      if (p + 1 < len && t[p + 1] == '*') depth++, p += 2;
      else p++;
    } else if (ch == '*') {
      if (p + 1 < len && t[p + 1] == ')') {
        p += 2;
        if (--depth == 0) return p;
      } else {
        p++;
      }
    } else if (ch == '"') {
      p = synscan__string(t, len, p + 1);
    } else if (ch == '\'') {
      size_t e = synscan__char(t, len, p);
      p = e ? e : p + 1;
    } else if (ch == '{') {
      size_t e = synscan__quoted(t, len, p);
      p = e ? e : p + 1;
    } else if (synscan__word(ch)) {
      while (p < len && synscan__word((unsigned char)t[p])) p++;
    } else {
      p++;
    }
  }
  return len;
}

/* A number at t[p] (a digit): tree-sitter-ocaml's `number` token, whose
** end may be inside a word (`1end` is a number and `end`). */
static size_t synscan__number(const char *t, size_t len, size_t p) {
#define SYNSCAN__AT(q, lo, hi) ((q) < len && t[q] >= (lo) && t[q] <= (hi))
  size_t q = p + 1;
  bool hex = t[p] == '0' && q + 1 < len && (t[q] | 0x20) == 'x' && synscan__hex((unsigned char)t[q + 1]);
  if (hex) {
    q += 2;
    while (q < len && (synscan__hex((unsigned char)t[q]) || t[q] == '_')) q++;
    if (q < len && t[q] == '.')
      for (q++; q < len && (synscan__hex((unsigned char)t[q]) || t[q] == '_');) q++;
  } else if (t[p] == '0' && q + 1 < len && ((t[q] | 0x20) == 'o' || (t[q] | 0x20) == 'b') &&
             SYNSCAN__AT(q + 1, '0', (t[q] | 0x20) == 'o' ? '7' : '1')) {
    char hi = (t[q] | 0x20) == 'o' ? '7' : '1';
    for (q += 2; SYNSCAN__AT(q, '0', hi) || (q < len && t[q] == '_');) q++;
    return SYNSCAN__AT(q, 'g', 'z') || SYNSCAN__AT(q, 'G', 'Z') ? q + 1 : q;
  } else {
    while (SYNSCAN__AT(q, '0', '9') || (q < len && t[q] == '_')) q++;
    if (q < len && t[q] == '.')
      for (q++; SYNSCAN__AT(q, '0', '9') || (q < len && t[q] == '_');) q++;
  }
  char e = hex ? 'p' : 'e';
  if (q < len && (t[q] | 0x20) == e) {
    size_t r = q + 1;
    if (r < len && (t[r] == '+' || t[r] == '-')) r++;
    if (SYNSCAN__AT(r, '0', '9')) {
      q = r;
      while (SYNSCAN__AT(q, '0', '9') || (q < len && t[q] == '_')) q++;
    }
  }
  return SYNSCAN__AT(q, 'g', 'z') || SYNSCAN__AT(q, 'G', 'Z') ? q + 1 : q;
#undef SYNSCAN__AT
}

/* View rule 3 (imlg__next_ok): may what follows an IML keyword at [.., e)
** follow an item keyword? */
static bool synscan__next_ok(const char *t, size_t len, size_t e) {
  while (e < len && (synscan__blank((unsigned char)t[e]) || t[e] == '\n')) e++;
  if (e >= len) return true;
  switch (t[e]) {
    case '=': case ':': case ';': case ',': case ')': case ']': case '}': case '.': case '|': case '<':
    case '>': case '@': case '^': case '&': case '+': case '*': case '/': case '$': case '%':
      return false;
    case '-':
      return !(e + 1 < len && t[e + 1] == '>');
    case '!':
      return !(e + 1 < len && t[e + 1] == '=');
    default:
      return true;
  }
}

static int synscan__keyword(const synscan__lex *lx, const char *w, size_t n) {
  if (n < 2 || n > 11 || w[0] < 'a' || w[0] > 'z') return SYNSCAN__KW_NONE;
  for (int k = lx->bucket[(w[0] - 'a') * 12 + n]; k; k = lx->chain[k]) {
    const char *kw = synscan__kwtab[k].w;
    size_t i = 1;
    while (i < n && kw[i] == w[i]) i++;
    if (i == n) return k;
  }
  return SYNSCAN__KW_NONE;
}

/* Are items (not expressions) listed at the current depth? */
static bool synscan__item_level(const synscan__lex *lx) {
  return lx->depth == 0 || (lx->depth <= SYNSCAN__BRACKETS_MAX && (lx->kinds[lx->depth - 1] == SYNSCAN__B_STRUCT ||
                                                              lx->kinds[lx->depth - 1] == SYNSCAN__B_SIG));
}

/* Does item keyword k start an item here? (`val` only in a signature.) */
static bool synscan__item_start(const synscan__lex *lx, int k) {
  return (synscan__kwtab[k].cls & SYNSCAN__F_ITEM) && synscan__item_level(lx) &&
         (lx->pcls == SYNSCAN__P_ITEMS || (lx->line_start && lx->pcls == SYNSCAN__P_ENDER)) &&
         (k != SYNSCAN__KW_VAL ||
          (lx->depth > 0 && lx->depth <= SYNSCAN__BRACKETS_MAX && lx->kinds[lx->depth - 1] == SYNSCAN__B_SIG));
}

/* May an `end` close the innermost bracket (`top`)? */
static bool synscan__end_ok(int top, bool deep) {
  return deep || top == SYNSCAN__B_END || top == SYNSCAN__B_STRUCT || top == SYNSCAN__B_SIG;
}

/* Is reserved word k, after the previous token, an ordinary keyword (not
** worth a tree check)? See DESIGN. */
static bool synscan__normal(const synscan__lex *lx, int k) {
  unsigned f = synscan__kwtab[k].cls;
  int pc = lx->pcls, pid = lx->pid;
  uint32_t d = lx->depth;
  bool deep = d > SYNSCAN__BRACKETS_MAX; /* nesting not followed: trust it */
  const struct synscan__lvl *l = deep ? NULL : &lx->lvl[d];
  int top = d == 0 || deep ? 0 : lx->kinds[d - 1];
  if ((f & SYNSCAN__F_CONT) && pc == SYNSCAN__P_ENDER) {
    /* After an operand: it must continue something open at this depth. */
    switch (k) {
      case SYNSCAN__KW_IN: return deep || l->lets > 0;
      case SYNSCAN__KW_THEN: return deep || l->ifs > 0;
      case SYNSCAN__KW_ELSE: return deep || l->thens > 0;
      case SYNSCAN__KW_WITH: return deep || l->matches > 0 || top == SYNSCAN__B_BRACE;
      case SYNSCAN__KW_WHEN: return deep || l->arms;
      case SYNSCAN__KW_OF: return pid == SYNSCAN__PT_CAP && lx->tyctx;
      case SYNSCAN__KW_END: return synscan__end_ok(top, deep);
      case SYNSCAN__KW_AND: return lx->andctx;
      case SYNSCAN__KW_AS: return false; /* rare, and an identifier wherever a pattern is not */
      default: return true; /* or, mod, land, lor, lxor, lsl, lsr, asr */
    }
  }
  if ((f & SYNSCAN__F_START) && (pc == SYNSCAN__P_OPEN || pc == SYNSCAN__P_ITEMS)) {
    /* Module expressions only where a module can start. */
    if (k == SYNSCAN__KW_STRUCT)
      return pid == SYNSCAN__PT_LPAREN || (lx->modctx && (pid == SYNSCAN__PT_EQ || pid == SYNSCAN__PT_ARROW));
    if (k == SYNSCAN__KW_SIG || k == SYNSCAN__KW_FUNCTOR)
      return pid == SYNSCAN__PT_LPAREN ||
             (lx->modctx && (pid == SYNSCAN__PT_EQ || pid == SYNSCAN__PT_ARROW || pid == SYNSCAN__PT_COLON));
    return true;
  }
  /* An item keyword while a `let … in` is open here continues that let. */
  if (synscan__item_start(lx, k)) return deep || l->lets == 0;
  switch (pid) {
    case SYNSCAN__KW_LET:
      return k == SYNSCAN__KW_REC || k == SYNSCAN__KW_OPEN || k == SYNSCAN__KW_MODULE || k == SYNSCAN__KW_EXCEPTION;
    case SYNSCAN__PT_ITEMLET: return k == SYNSCAN__KW_REC;
    case SYNSCAN__KW_MODULE: return k == SYNSCAN__KW_TYPE || k == SYNSCAN__KW_REC;
    case SYNSCAN__KW_TYPE: return k == SYNSCAN__KW_NONREC || k == SYNSCAN__KW_OF;
    case SYNSCAN__KW_WITH: return k == SYNSCAN__KW_TYPE || k == SYNSCAN__KW_MODULE || k == SYNSCAN__KW_EXCEPTION;
    case SYNSCAN__KW_AND: return k == SYNSCAN__KW_TYPE || k == SYNSCAN__KW_MODULE;
    case SYNSCAN__KW_INCLUDE: return k == SYNSCAN__KW_MODULE;
    case SYNSCAN__PT_LPAREN: return k == SYNSCAN__KW_TYPE || k == SYNSCAN__KW_MODULE || k == SYNSCAN__KW_VAL;
    case SYNSCAN__PT_COLON: return k == SYNSCAN__KW_MODULE || (lx->modctx && (k == SYNSCAN__KW_SIG || k == SYNSCAN__KW_FUNCTOR));
    case SYNSCAN__PT_BAR: return k == SYNSCAN__KW_EXCEPTION || k == SYNSCAN__KW_LAZY;
    case SYNSCAN__PT_SEMI: return k == SYNSCAN__KW_END && synscan__end_ok(top, deep);
    default: return k == SYNSCAN__KW_END && pc == SYNSCAN__P_ITEMS && synscan__end_ok(top, deep);
  }
}

/* Keyword k was read: follow what it opens and continues. */
static void synscan__pairs(synscan__lex *lx, int k, bool item) {
  struct synscan__lvl *l = lx->depth <= SYNSCAN__BRACKETS_MAX ? &lx->lvl[lx->depth] : NULL;
  if (item) {
    if (l) *l = (struct synscan__lvl){0};
    lx->tyctx = k == SYNSCAN__KW_TYPE || k == SYNSCAN__KW_EXCEPTION;
    lx->andctx = k == SYNSCAN__KW_LET || k == SYNSCAN__KW_TYPE || k == SYNSCAN__KW_MODULE || k == SYNSCAN__KW_CLASS;
    lx->modctx = k == SYNSCAN__KW_MODULE;
    return;
  }
  if (!l) return;
  switch (k) {
    case SYNSCAN__KW_LET: l->lets++, lx->andctx = true; break;
    case SYNSCAN__KW_IN: if (l->lets) l->lets--; break;
    case SYNSCAN__KW_IF: l->ifs++; break;
    case SYNSCAN__KW_THEN: if (l->ifs) l->ifs--, l->thens++; break;
    case SYNSCAN__KW_ELSE: if (l->thens) l->thens--; break;
    case SYNSCAN__KW_MATCH: case SYNSCAN__KW_TRY: l->matches++; break;
    case SYNSCAN__KW_WITH: if (l->matches) l->matches--, l->arms = true; break;
    case SYNSCAN__KW_FUNCTION: l->arms = true; break;
    case SYNSCAN__KW_TYPE: case SYNSCAN__KW_EXCEPTION: lx->tyctx = true, lx->andctx = true; break;
    case SYNSCAN__KW_MODULE: case SYNSCAN__KW_FUNCTOR: lx->andctx = lx->modctx = true; break;
    case SYNSCAN__KW_CLASS: lx->andctx = true; break;
    default: break;
  }
}

/* The head of binding `h` ended before its `=`: worth a tree check. */
static void synscan__head_end(synscan__lex *lx) {
  synscan__add(lx->out, lx->heads[--lx->nheads].pos, SYNSCAN_BIND);
}

/* A token at the current depth that cannot be part of a binding head. */
static void synscan__terminate(synscan__lex *lx) {
  if (lx->nheads && lx->heads[lx->nheads - 1].depth == lx->depth) synscan__head_end(lx);
}

static void synscan__open(synscan__lex *lx, int kind) {
  if (lx->depth < SYNSCAN__BRACKETS_MAX) {
    lx->kinds[lx->depth] = (unsigned char)kind;
    if (kind == SYNSCAN__B_ATTR) lx->attr++;
    lx->lvl[lx->depth + 1] = (struct synscan__lvl){0};
  }
  lx->depth++;
}

/* A closer of `kind`: pops to the matching opener (ignored when none). */
static void synscan__close(synscan__lex *lx, int kind) {
  if (lx->depth == 0) return;
  if (lx->depth <= SYNSCAN__BRACKETS_MAX &&
      (lx->kinds[lx->depth - 1] == kind || (kind == SYNSCAN__B_END && synscan__end_ok(lx->kinds[lx->depth - 1], false)))) {
    lx->depth--; /* the usual case */
  } else if (lx->depth <= SYNSCAN__BRACKETS_MAX) {
    uint32_t d = lx->depth;
    while (d > 0 && lx->kinds[d - 1] != kind && !(kind == SYNSCAN__B_BRACK && lx->kinds[d - 1] == SYNSCAN__B_ATTR) &&
           !(kind == SYNSCAN__B_END && synscan__end_ok(lx->kinds[d - 1], false)))
      d--;
    if (d == 0) return;
    while (lx->depth >= d) {
      if (lx->kinds[lx->depth - 1] == SYNSCAN__B_ATTR) lx->attr--;
      lx->depth--;
    }
  } else {
    lx->depth--;
  }
  while (lx->nheads && lx->heads[lx->nheads - 1].depth > lx->depth) synscan__head_end(lx);
}

/* A significant token starts at s: settle a pending `verify`. */
static inline void synscan__token(synscan__lex *lx, bool expr_start) {
  if (lx->stmt) {
    lx->stmt = false;
    if (!expr_start) synscan__add(lx->out, lx->stmt_pos, SYNSCAN_STMT);
  }
}

/* A word at [s, e) that may be a keyword; `fresh`: it directly follows a
** `let` (then `open`/`module`/… mean no value binding); `unsure`: it
** directly follows a suspicious keyword, whose role the scan cannot know. */
static size_t synscan__handle_word(synscan__lex *lx, size_t s, size_t e, bool fresh, bool unsure) {
  const char *t = lx->t;
  int k = synscan__keyword(lx, t + s, e - s);
  unsigned f = k ? synscan__kwtab[k].cls : 0;
  if (lx->attr && (f & (SYNSCAN__F_ITEM | SYNSCAN__F_LETLIKE | SYNSCAN__F_STMT)) && (s == 0 || t[s - 1] == '\n')) {
    /* An item at column 0 inside an attribute: the attribute was left
    ** unclosed (tactics are indented); stop treating the rest as one. */
    uint32_t i = 0;
    while (lx->kinds[i] != SYNSCAN__B_ATTR) i++;
    lx->depth = i;
    lx->attr = 0;
    while (lx->nheads && lx->heads[lx->nheads - 1].depth > lx->depth) synscan__head_end(lx);
  }
  if (f & (SYNSCAN__F_LETLIKE | SYNSCAN__F_STMT)) {
    /* Substituted by the view? (imlg__scan's rule, to the letter) */
    bool col0 = s == 0 || t[s - 1] == '\n';
    if ((col0 || (lx->vprev != SYNSCAN__V_EXPECT && (lx->line_start || lx->vprev == SYNSCAN__V_BOUNDARY))) &&
        synscan__next_ok(t, lx->len, e)) {
      bool ends_head = lx->nheads && lx->heads[lx->nheads - 1].depth == lx->depth;
      synscan__token(lx, false);
      synscan__terminate(lx);
      if (f & SYNSCAN__F_LETLIKE) {
        if (!lx->attr && (unsure || ends_head || !synscan__normal(lx, SYNSCAN__KW_LET))) {
          synscan__add(lx->out, (uint32_t)s, SYNSCAN_KW);
          lx->unsure = true;
        }
        synscan__pairs(lx, SYNSCAN__KW_LET, true);
        if (!lx->attr && lx->nheads < SYNSCAN__HEADS_MAX) {
          lx->heads[lx->nheads++] = (struct synscan__head){(uint32_t)s, lx->depth};
          lx->after_let = true;
        }
        lx->pcls = SYNSCAN__P_NAME;
        lx->pid = SYNSCAN__PT_ITEMLET;
      } else {
        if (!lx->attr) lx->stmt = true, lx->stmt_pos = (uint32_t)s;
        synscan__pairs(lx, SYNSCAN__KW_VERIFY, true);
        lx->pcls = SYNSCAN__P_ITEMS;
        lx->pid = SYNSCAN__PT_OTHER;
      }
      lx->vprev = SYNSCAN__V_EXPECT;
      return e;
    }
    k = SYNSCAN__KW_NONE; /* an ordinary identifier */
    f = 0;
  }
  if (!k) {
    synscan__token(lx, true);
    lx->pcls = SYNSCAN__P_ENDER;
    lx->pid = SYNSCAN__PT_OTHER;
    lx->vprev = SYNSCAN__V_VALUE;
    return e;
  }
  /* `let*`, `and+`: binding operators, one token, no keyword. */
  if ((k == SYNSCAN__KW_LET || k == SYNSCAN__KW_AND) && e < lx->len && t[e] && strchr("$&*+-/=>@^|<", t[e])) {
    synscan__token(lx, k == SYNSCAN__KW_LET);
    if (!lx->attr && (unsure || (k == SYNSCAN__KW_LET ? !(lx->pcls == SYNSCAN__P_OPEN || lx->pcls == SYNSCAN__P_ITEMS)
                                                : !(lx->pcls == SYNSCAN__P_ENDER && lx->andctx)))) {
      synscan__add(lx->out, (uint32_t)s, SYNSCAN_KW);
      lx->unsure = true;
    } else if (k == SYNSCAN__KW_LET) {
      synscan__pairs(lx, SYNSCAN__KW_LET, false);
    }
    synscan__terminate(lx);
    while (e < lx->len && (lx->cc[(unsigned char)t[e]] & SYNSCAN__CC_OP)) e++;
    lx->pcls = SYNSCAN__P_NAME;
    lx->pid = SYNSCAN__PT_OTHER;
    lx->vprev = SYNSCAN__V_EXPECT;
    return e;
  }
  synscan__token(lx, k == SYNSCAN__KW_FUN || k == SYNSCAN__KW_FUNCTION || k == SYNSCAN__KW_IF || k == SYNSCAN__KW_MATCH ||
                        k == SYNSCAN__KW_TRY || k == SYNSCAN__KW_BEGIN || k == SYNSCAN__KW_ASSERT || k == SYNSCAN__KW_LAZY ||
                        k == SYNSCAN__KW_WHILE || k == SYNSCAN__KW_FOR || k == SYNSCAN__KW_NEW || k == SYNSCAN__KW_OBJECT);
  /* A keyword that ends a binding head before its `=` may well be a
  ** parameter to tree-sitter (`let y []⏎let z = …`). `let open M in` &
  ** co. bind nothing. */
  bool no_binding =
      fresh && (k == SYNSCAN__KW_OPEN || k == SYNSCAN__KW_MODULE || k == SYNSCAN__KW_EXCEPTION || k == SYNSCAN__KW_CLASS);
  bool ends_head = lx->nheads && lx->heads[lx->nheads - 1].depth == lx->depth && k != SYNSCAN__KW_REC &&
                   k != SYNSCAN__KW_AS && k != SYNSCAN__KW_LAZY && !(k == SYNSCAN__KW_TYPE && lx->pid == SYNSCAN__PT_COLON) &&
                   !no_binding;
  bool cand = !lx->attr && (unsure || ends_head || !synscan__normal(lx, k));
  bool item = synscan__item_start(lx, k);
  bool arms = k == SYNSCAN__KW_WITH && lx->depth <= SYNSCAN__BRACKETS_MAX && lx->lvl[lx->depth].matches > 0;
  if (cand) {
    /* Maybe an identifier to tree-sitter: what it opens is unsure too. */
    synscan__add(lx->out, (uint32_t)s, SYNSCAN_KW);
    lx->unsure = true;
  } else {
    synscan__pairs(lx, k, item);
  }
  /* Binding heads. */
  if (lx->nheads && lx->heads[lx->nheads - 1].depth == lx->depth) {
    if (no_binding) lx->nheads--;
    else if (ends_head)
      synscan__head_end(lx);
  }
  if ((k == SYNSCAN__KW_LET || k == SYNSCAN__KW_AND) && !lx->attr && lx->nheads < SYNSCAN__HEADS_MAX) {
    lx->heads[lx->nheads++] = (struct synscan__head){(uint32_t)s, lx->depth};
    lx->after_let = k == SYNSCAN__KW_LET;
  }
  /* A suspicious opener is taken for an identifier (opens nothing): then
  ** its `end` is unmatched, and suspicious, as tree-sitter would see it. */
  if (k == SYNSCAN__KW_STRUCT || k == SYNSCAN__KW_SIG || k == SYNSCAN__KW_BEGIN || k == SYNSCAN__KW_OBJECT) {
    if (!cand) synscan__open(lx, k == SYNSCAN__KW_STRUCT ? SYNSCAN__B_STRUCT : k == SYNSCAN__KW_SIG ? SYNSCAN__B_SIG : SYNSCAN__B_END);
  } else if (k == SYNSCAN__KW_DO) {
    synscan__open(lx, SYNSCAN__B_DONE);
  } else if (k == SYNSCAN__KW_END) {
    synscan__close(lx, SYNSCAN__B_END);
  } else if (k == SYNSCAN__KW_DONE) {
    synscan__close(lx, SYNSCAN__B_DONE);
  }
  f = synscan__kwtab[k].cls;
  lx->pcls = (k == SYNSCAN__KW_END || k == SYNSCAN__KW_DONE) ? SYNSCAN__P_ENDER
             : (f & SYNSCAN__F_ITEMS)                     ? SYNSCAN__P_ITEMS
             : (f & SYNSCAN__F_NAME)                      ? SYNSCAN__P_NAME
                                                      : SYNSCAN__P_OPEN;
  lx->pid = k == SYNSCAN__KW_LET && item ? SYNSCAN__PT_ITEMLET : k == SYNSCAN__KW_WITH && arms ? SYNSCAN__PT_ARMS : k;
  lx->vprev = k == SYNSCAN__KW_STRUCT ? SYNSCAN__V_BOUNDARY : (k == SYNSCAN__KW_END || k == SYNSCAN__KW_DONE) ? SYNSCAN__V_VALUE
                                                                                              : SYNSCAN__V_EXPECT;
  return e;
}

/* The scan (see synscan.h): borrows text, fills the borrowed `out`. Not
** inlined so profiles show it apart from the walk. */
__attribute__((noinline)) int synscan_run(const char *text, size_t len, synscan_list *out) {
  assert(out && out->count == 0);
  synscan__lex *lx = calloc(1, sizeof *lx);
  if (!lx) {
    out->oom = true;
    return -1;
  }
  lx->out = out;
  lx->t = text;
  lx->len = len;
  for (int b = 0; b < 256; b++) {
    unsigned char f = 0;
    if (synscan__word((unsigned char)b)) f |= SYNSCAN__CC_WORD | (b != '\'' ? SYNSCAN__CC_START : 0);
    if (synscan__is_op_char((char)b)) f |= SYNSCAN__CC_OP;
    if (b == ' ' || b == '\t' || b == '\r' || b == '\f' || b == '\v' || b == '\0' || b == '\n') f |= SYNSCAN__CC_SPACE;
    lx->cc[b] = f;
  }
  const unsigned char *cc = lx->cc;
  for (int k = SYNSCAN__KW_COUNT - 1; k > 0; k--) {
    const char *w = synscan__kwtab[k].w;
    unsigned char *b = &lx->bucket[(w[0] - 'a') * 12 + strlen(w)];
    lx->chain[k] = *b;
    *b = (unsigned char)k;
  }
  const char *t = text;
  size_t p = 0;
  /* The state of every token lives in locals; lx holds it only around
  ** the keyword handler (keywords are a tenth of the tokens). */
  bool ls = true, fresh_next = false, unsure_next = false;
  int pcls = SYNSCAN__P_ITEMS, pid = SYNSCAN__PT_OTHER, vprev = SYNSCAN__V_BOUNDARY;
  while (p < len) { /* OOM in synscan__add is reported at the end */
    unsigned char ch = (unsigned char)t[p];
    unsigned f = cc[ch];
    while (f & SYNSCAN__CC_SPACE) {
      ls |= ch == '\n';
      if (++p == len) goto done;
      ch = (unsigned char)t[p];
      f = cc[ch];
    }
    size_t s = p;
    bool fresh = fresh_next, unsure = unsure_next;
    fresh_next = unsure_next = false;
    if (f & SYNSCAN__CC_START) {
      do p++;
      while (p < len && (cc[(unsigned char)t[p]] & SYNSCAN__CC_WORD));
      size_t n = p - s;
      if (ch >= 'a' && ch <= 'z' && n <= 11 && lx->bucket[(ch - 'a') * 12 + n]) {
        lx->line_start = ls, lx->pcls = pcls, lx->pid = pid, lx->vprev = vprev;
        lx->after_let = lx->unsure = false;
        p = synscan__handle_word(lx, s, p, fresh, unsure);
        pcls = lx->pcls, pid = lx->pid, vprev = lx->vprev;
        fresh_next = lx->after_let, unsure_next = lx->unsure;
      } else {
        if (synscan__digit(ch)) p = synscan__number(t, len, s);
        lx->stmt = false; /* an operand: a `verify` has its expression */
        pcls = SYNSCAN__P_ENDER, pid = ch >= 'A' && ch <= 'Z' ? SYNSCAN__PT_CAP : SYNSCAN__PT_OTHER, vprev = SYNSCAN__V_VALUE;
      }
      ls = false;
      continue;
    }
    if ((f & SYNSCAN__CC_OP) && !(ch == ':' && ls && p + 1 < len && ((unsigned char)t[p + 1] | 0x20) >= 'a' &&
                              ((unsigned char)t[p + 1] | 0x20) <= 'z')) {
      do p++;
      while (p < len && (cc[(unsigned char)t[p]] & SYNSCAN__CC_OP));
      size_t n = p - s;
      synscan__token(lx, ch == '-' || ch == '!' || (ch == '~' && n > 1));
      vprev = SYNSCAN__V_EXPECT, pid = SYNSCAN__PT_OTHER, pcls = SYNSCAN__P_OPEN;
      if (n == 1) {
        if (ch == '.' || ch == '~' || ch == '?' || ch == '#') pcls = SYNSCAN__P_NAME;
        else if (ch == ':') pcls = SYNSCAN__P_NAME, pid = SYNSCAN__PT_COLON;
        else if (ch == '|') pcls = SYNSCAN__P_NAME, pid = SYNSCAN__PT_BAR;
        else if (ch == '=') {
          pid = SYNSCAN__PT_EQ;
          if (lx->nheads && lx->heads[lx->nheads - 1].depth == lx->depth) lx->nheads--; /* has its `=` */
        }
      } else if (n == 2 && ch == ':' && t[s + 1] == '>') {
        pcls = SYNSCAN__P_NAME, pid = SYNSCAN__PT_COLON;
      } else if (n == 2 && ch == '-' && t[s + 1] == '>') {
        pid = SYNSCAN__PT_ARROW;
      }
      ls = false;
      continue;
    }
    switch (ch) {
      case '(':
        if (p + 1 < len && t[p + 1] == '*') {
          size_t e = synscan__comment(t, len, p + 2);
          if (memchr(t + p, '\n', e - p)) ls = true;
          p = e;
          continue;
        }
        synscan__token(lx, true);
        synscan__open(lx, SYNSCAN__B_PAREN);
        pcls = SYNSCAN__P_OPEN, pid = SYNSCAN__PT_LPAREN, vprev = SYNSCAN__V_EXPECT;
        p++;
        break;
      case '"':
        synscan__token(lx, true);
        p = synscan__string(t, len, p + 1);
        pcls = SYNSCAN__P_ENDER, pid = SYNSCAN__PT_OTHER, vprev = SYNSCAN__V_VALUE;
        break;
      case '{': {
        synscan__token(lx, true);
        size_t e = synscan__quoted(t, len, p);
        if (e) {
          p = e;
          pcls = SYNSCAN__P_ENDER, pid = SYNSCAN__PT_OTHER, vprev = SYNSCAN__V_VALUE;
        } else {
          p++;
          synscan__open(lx, SYNSCAN__B_BRACE);
          pcls = SYNSCAN__P_OPEN, pid = SYNSCAN__PT_OTHER, vprev = SYNSCAN__V_EXPECT;
        }
        break;
      }
      case '\'': {
        size_t e = synscan__char(t, len, p);
        synscan__token(lx, e != 0);
        if (e) {
          p = e;
          pcls = SYNSCAN__P_ENDER, pid = SYNSCAN__PT_OTHER, vprev = SYNSCAN__V_VALUE;
        } else {
          p++;
          pcls = SYNSCAN__P_NAME, pid = SYNSCAN__PT_OTHER, vprev = SYNSCAN__V_EXPECT;
        }
        break;
      }
      case ';':
        synscan__token(lx, false);
        synscan__terminate(lx);
        if (p + 1 < len && t[p + 1] == ';') {
          p += 2;
          synscan__pairs(lx, SYNSCAN__KW_VERIFY, true);
          pcls = SYNSCAN__P_ITEMS, pid = SYNSCAN__PT_OTHER, vprev = SYNSCAN__V_BOUNDARY;
        } else {
          p++;
          pcls = SYNSCAN__P_OPEN, pid = SYNSCAN__PT_SEMI, vprev = SYNSCAN__V_EXPECT;
        }
        break;
      case ')': case ']': case '}':
        synscan__token(lx, false);
        synscan__close(lx, ch == ')' ? SYNSCAN__B_PAREN : ch == ']' ? SYNSCAN__B_BRACK : SYNSCAN__B_BRACE);
        p++;
        pcls = SYNSCAN__P_ENDER, pid = SYNSCAN__PT_OTHER, vprev = SYNSCAN__V_VALUE;
        break;
      case '[': {
        bool attr = p + 1 < len && (t[p + 1] == '@' || t[p + 1] == '%');
        synscan__token(lx, !attr);
        /* `[@@…]` ends a binding head; `[@…]` may sit inside a pattern. */
        if (attr && p + 2 < len && t[p + 2] == '@') synscan__terminate(lx);
        synscan__open(lx, attr ? SYNSCAN__B_ATTR : SYNSCAN__B_BRACK);
        p++;
        pcls = SYNSCAN__P_OPEN, pid = SYNSCAN__PT_OTHER, vprev = SYNSCAN__V_EXPECT;
        break;
      }
      case ':':
        /* A REPL directive line: blank in the view, so invisible to the
        ** parser (only the view rule sees a boundary). */
        while (p < len && t[p] != '\n') p++;
        vprev = SYNSCAN__V_BOUNDARY;
        fresh_next = fresh, unsure_next = unsure;
        continue;
      default:
        /* `,` `` ` `` and stray bytes */
        synscan__token(lx, ch == '`');
        pcls = ch == '`' ? SYNSCAN__P_NAME : SYNSCAN__P_OPEN;
        pid = SYNSCAN__PT_OTHER;
        vprev = SYNSCAN__V_EXPECT;
        p++;
        break;
    }
    ls = false;
  }
done:
  synscan__token(lx, false);
  while (lx->nheads) synscan__head_end(lx);
  if (len > 0) synscan__add(out, (uint32_t)len - 1, SYNSCAN_EOF);
  free(lx);
  if (out->count > 1) qsort(out->items, out->count, sizeof *out->items, synscan__cmp);
  return out->oom ? -1 : 0;
}

void synscan_list_clear(synscan_list *l) {
  if (!l) return;
  free(l->items);
  *l = (synscan_list){0};
}