/*
** typeck.h — the IML type checker of one file: names and scopes, modules,
** Hindley–Milner inference with let-polymorphism and level-based
** generalisation, type declarations, labelled and optional arguments, IML's
** spec forms (theorem/lemma/axiom, verify/instance, eval, [@@measure]), and
** OCaml-quality diagnostics (codes below). Produces the file's interface
** (sig.h) for the files that import it.
**
** What it reads: the file's AST (immutable), the prelude's sig and the sigs
** of the files it imports (immutable, shared): a check is a pure function
** of those, so any number of checks run in parallel on pool threads. All
** mutable state (the type store, scopes) belongs to the one call.
**
** Where IML cannot know (modules of OCaml libraries, program-mode code
** using OCaml's standard library, imports that could not be checked) the
** checker is silent rather than wrong: unknown names there get a type that
** unifies with anything.
**
** Probes: editor features (hover, definition) ask for what is at one byte
** offset; the checker then records the innermost expression, pattern or
** name there (its type, printed with the instantiation at that occurrence,
** its definition and doc comment). Checking again on demand keeps the
** common path (checking every file of a workspace) free of per-occurrence
** bookkeeping.
*/
#ifndef IML_TYPECK_H
#define IML_TYPECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "sig.h"
#include "snapshot.h"
#include "switch.h"
#include "syntax.h"

/* Stable diagnostic codes. */
#define TC_CODE_MISMATCH        "E0301" /* This expression has type … but … */
#define TC_CODE_UNBOUND_VALUE   "E0302"
#define TC_CODE_UNBOUND_CTOR    "E0303"
#define TC_CODE_UNBOUND_FIELD   "E0304"
#define TC_CODE_UNBOUND_MODULE  "E0305"
#define TC_CODE_UNBOUND_TYPE    "E0306"
#define TC_CODE_CTOR_ARITY      "E0307"
#define TC_CODE_TYPE_ARITY      "E0308"
#define TC_CODE_NOT_A_FUNCTION  "E0309"
#define TC_CODE_LABEL           "E0310"
#define TC_CODE_SPEC_NOT_BOOL   "E0311" /* theorem/lemma/axiom statement */
#define TC_CODE_VERIFY          "E0312" /* verify/instance argument */
#define TC_CODE_MEASURE         "E0313" /* [@@measure e] not an Ordinal.t */
#define TC_CODE_RECURSIVE_TYPE  "E0314"
#define TC_CODE_RECORD          "E0315"
#define TC_CODE_PATTERN         "E0316"
#define TC_CODE_OTHER           "E0317"

/* One import of the file, resolved by the caller. */
typedef struct {
  const char *module;      /* the module name it binds (borrowed) */
  sig *s;                  /* the imported file's interface (borrowed), or NULL */
  bool opaque;             /* an OCaml library, or a file whose interface is
                              not available (cycle, unreadable): members are
                              unknown, never errors */
  text_span span;          /* the import string (for definition) */
  const char *target;      /* the imported file's path (borrowed), or NULL */
} tc_import;

typedef struct {
  const char *path;        /* canonical path of the file (borrowed) */
  const char *text;        /* the file's text (borrowed): doc comments */
  size_t len;
  const char *modname;     /* its module name, e.g. "List_utils" (borrowed) */
  const sig *prelude;      /* NULL only when checking the prelude itself */
  const tc_import *imports;
  size_t nimports;
  bool is_prelude;         /* the prelude: its `type int` … are the built-ins */
  sw_switch *sw;           /* borrowed, may be NULL: polled between items */
  const diag_list *syntax; /* the file's syntax diagnostics (borrowed, may be NULL): an
                              item containing one is checked (its names are bound) but
                              its type diagnostics are dropped — noise around broken code */
  bool probe;              /* record what is at probe_offset */
  uint32_t probe_offset;
  bool find;               /* collect every occurrence of what is defined at */
  const char *find_file;   /* find_file / find_span (a definition's sig_loc) */
  text_span find_span;
} tc_options;

typedef enum { TC_PROBE_NONE, TC_PROBE_VALUE, TC_PROBE_CTOR, TC_PROBE_FIELD, TC_PROBE_TYPE,
               TC_PROBE_MODULE, TC_PROBE_EXPR, TC_PROBE_PATTERN } tc_probe_kind;

typedef struct {
  tc_probe_kind kind;
  text_span span;          /* the occurrence */
  char *name;              /* e.g. "List.length" (owned), NULL for an expression */
  char *type;              /* its type at this occurrence (owned), or NULL */
  bool has_def;
  char *def_file;          /* owned: where it is defined ("" prelude) */
  text_span def_span;
  char *doc;               /* owned doc comment, or NULL */
  bool has_type_def;       /* typeDefinition: the head constructor's declaration */
  char *type_def_file;     /* owned */
  text_span type_def_span;
} tc_probe;

typedef struct {
  diag_list diags;         /* sorted by position */
  sig *sig;                /* the file's interface (owned reference), NULL on OOM */
  tc_probe probe;          /* when options.probe */
  text_span *occ;          /* when options.find: the occurrences (owned), in check order */
  size_t nocc;
  bool cancelled;          /* the switch went off: results are partial */
} tc_result;

/* Check `ast` (borrowed). Fills *out (caller clears with tc_result_clear).
** Returns 0, or -1 on allocation failure (*out may be partial). */
int tc_check(const ast_file *ast, const tc_options *opt, tc_result *out);

void tc_result_clear(tc_result *r);

/* ------------------------------------------------------------------------ */
/* A check context: everything a check of one file version needs, bundled
** so that it can be run again later (editor requests re-check with a
** probe). Immutable and reference counted (atomics): shared by the loop
** and query threads. */
typedef struct tc_ctx tc_ctx;

/* `sn` is retained; path, modname and the imports' strings are copied; the
** imports' sigs are retained. NULL on OOM. */
tc_ctx *tc_ctx_create(snap *sn, const char *path, const char *modname, const tc_import *imports, size_t n);
tc_ctx *tc_ctx_retain(tc_ctx *c);       /* NULL-safe */
void tc_ctx_release(tc_ctx *c);         /* NULL-safe */
const snap *tc_ctx_snap(const tc_ctx *c);
const char *tc_ctx_path(const tc_ctx *c);
/* Run the check (any thread); `probe` as in tc_options. */
int tc_ctx_check(const tc_ctx *c, const sig *prelude, sw_switch *sw, bool probe, uint32_t probe_offset,
                 tc_result *out);

/* Same, also collecting the occurrences of the definition at
** find_file/find_span (when find_file is non-NULL). */
int tc_ctx_find(const tc_ctx *c, const sig *prelude, sw_switch *sw, bool probe, uint32_t probe_offset,
                const char *find_file, text_span find_span, tc_result *out);

/* One line per top-level value of `s` as `val name : type` (ocamlc -i
** style), in definition order, the last definition of a name only.
** Caller frees. NULL on OOM. */
char *tc_signature_text(const sig *s);

#endif
