/*
** typeck_int.h — internals shared by the checker's source files:
** typeck.c (context, scopes, lookups, diagnostics, items, modules),
** typeck_type.c (type expressions and declarations), typeck_expr.c
** (expressions, patterns, bindings). Not a public interface.
**
** DESIGN
**  - One `tc` per call of tc_check, used by one thread.
**  - Scopes are an immutable linked list of entries (env) allocated in the
**    check's arena: entering a scope is keeping a pointer, leaving it is
**    restoring it; shadowing is order. Entries carry a hash of their name so
**    a lookup compares integers first. `open M` pushes an entry that
**    forwards lookups to M's sig; the prelude's top level is looked up last.
**  - Types of local and top-level values are terms of the check's store
**    (generic nodes after generalisation, instantiated at each use); values
**    of other modules are frozen schemes thawed at each use.
**  - Error recovery: an ill-typed expression is reported once and the
**    checker goes on with the type that was expected; unknown names get the
**    ERROR type, which unifies silently (one root error per cascade).
**  - Recursion over the AST is bounded by TC_MAX_DEPTH (one diagnostic).
*/
#ifndef IML_TYPECK_INT_H
#define IML_TYPECK_INT_H

#include <stdint.h>

#include "typeck.h"

#define TC_MAX_DEPTH 4000

typedef struct tc tc;

typedef enum { TC_E_VALUE, TC_E_TYPE, TC_E_CTOR, TC_E_FIELD, TC_E_MODULE, TC_E_OPEN } tc_ekind;

/* A module as the checker sees it: a sealed sig, or unknown (opaque). */
typedef struct {
  const sig *s;            /* NULL when opaque */
  bool opaque;
  sig_loc loc;             /* where it is defined (import string, module name) */
} tc_mod;

typedef struct tc_env {
  const struct tc_env *next;
  const struct tc_env *opens; /* the nearest OPEN entry at or below this one (fast lookups) */
  tc_ekind kind;
  uint32_t hash;
  const char *name;        /* NULL for OPEN */
  union {
    struct { ty *t; sig_loc loc; const char *doc; } value;
    const sig_type *type;
    const sig_ctor *ctor;
    const sig_field *field;
    tc_mod mod;            /* MODULE and OPEN */
  } u;
} tc_env;

/* Type variables named in annotations of the current top-level item. */
typedef struct tc_tvar {
  struct tc_tvar *next;
  const char *name;
  ty *t;
  bool abstract_type;      /* (type a): written `a`, not `'a` */
} tc_tvar;

/* A variable bound by a pattern, before it enters the scope. */
typedef struct tc_bound {
  struct tc_bound *next;
  const ast_name *name;
  ty *t;
} tc_bound;

/* The (** … *) comment right before byte `at` in the file's text, copied
** into the check's arena, or NULL. */
const char *tc__doc_before(tc *c, uint32_t at);

struct tc {
  const tc_options *opt;
  ty_store *st;
  arena *ar;               /* scopes, scratch */
  diag_list *diags;
  tc_result *res;
  sig_builder *sb;         /* the interface of the module being checked */
  const tc_env *env;
  tc_tvar *tvars;
  uint32_t level;
  int depth;
  bool deep_reported;
  /* Names ever pushed, per kind (a Bloom filter of 65536 bits): a name never
  ** bound in this file can only come from an `open` or the prelude, so the
  ** lookup follows the `opens` links instead of the whole scope. */
  uint64_t pushed[6][1024];
  bool program;            /* the current item is program mode */
  bool oom;
  const sig_type *builtin_types[TY_B_COUNT]; /* the prelude's declarations of the built-ins */
  const sig *ordinal;      /* the prelude's Ordinal module (measures) */
  const char *path_prefix; /* "M.N." inside nested modules ("" at top) */
  /* A reason for the next mismatch reported exactly at why_span
  ** ("because it is in the condition of an if-statement"). */
  const char *why;
  text_span why_span;
  /* The name a non-recursive `let` is defining (for the 'rec' hint). */
  const char *defining;
  uint32_t defining_at;    /* byte offset of its name */
  /* Probe (editor features): the smallest occurrence containing probe_at. */
  bool probing;
  bool finding;            /* collecting the occurrences of opt->find_file/find_span */
  uint32_t probe_at;
  uint32_t probe_best;     /* length of the best span so far (UINT32_MAX: none) */
  ty *probe_type;          /* printed at the end, once every unification is done */
  sig_loc probe_def;
  bool probe_has_def;
};

/* --- typeck.c ----------------------------------------------------------- */
uint32_t tc__hash(const char *s);
void tc__push(tc *c, tc_env *e);                     /* e allocated by tc__entry */
/* The first entry to look at for a name of `kind` with hash h, and the
** next one: every entry, or only the OPEN entries when the name was never
** bound in this check. */
const tc_env *tc__scan_first(const tc *c, tc_ekind kind, uint32_t h, bool *full);
const tc_env *tc__scan_next(const tc_env *e, bool full);
tc_env *tc__entry(tc *c, tc_ekind kind, const char *name);
void tc__bind_value(tc *c, const char *name, ty *t, sig_loc loc, const char *doc);
sig_loc tc__loc(tc *c, text_span span);

/* Diagnostics: printf-style messages. */
void tc__error(tc *c, text_span span, const char *code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* "This expression has type A but an expression was expected of type B"
** (+ the explanation line) unless either contains ERROR. */
void tc__mismatch(tc *c, text_span span, ty *actual, ty *expected, const ty_unify_error *err, const char *what);
/* Unify actual with expected; report a mismatch at `span` on failure.
** Returns false on failure. */
bool tc__expect(tc *c, text_span span, ty *actual, ty *expected);
char *tc__print(tc *c, ty_printer *p, ty *t);         /* names relative to the file; caller frees */

/* Lookups. `lid` borrowed. NULL when unbound (already reported unless
** silent). *silent is set when the name may come from an opaque module. */
bool tc__resolve_mpath(tc *c, const ast_mpath *p, tc_mod *out, bool report);
bool tc__resolve_mpath_at(tc *c, const ast_mpath *p, tc_mod *out, bool report, text_span whole);
ty *tc__lookup_value(tc *c, const ast_lid *lid);
const sig_ctor *tc__lookup_ctor(tc *c, const ast_lid *lid, ty *expected, bool *silent);
const sig_field *tc__lookup_field(tc *c, const ast_lid *lid, ty *record, bool *silent);
const sig_type *tc__lookup_type(tc *c, const ast_lid *lid, bool *silent);
/* The declaration of a built-in constructor or of a con made by a sig. */
const sig_type *tc__decl_of(tc *c, const ty_con *con);

/* Probe helpers. */
bool tc__probe_hit(tc *c, text_span span);
bool tc__wants(const tc *c);   /* probing or finding: occurrences are worth reporting */
void tc__probe_set(tc *c, tc_probe_kind kind, text_span span, const char *name, ty *t, const sig_loc *def,
                   const char *doc);

/* Items and modules (typeck.c), entered recursively for nested modules. */
void tc__items(tc *c, const ast_item *items, uint32_t n);

/* --- typeck_type.c ------------------------------------------------------ */
/* A type expression to a term; annotation variables are looked up / made
** in c->tvars (fresh at c->level), or in `params` for declarations. */
typedef struct {
  const ast_name *names;
  ty **vars;
  uint32_t n;
} tc_params;
ty *tc__type(tc *c, const ast_type *t, const tc_params *params);
void tc__type_decls(tc *c, bool nonrec, const ast_type_decl *decls, uint32_t n);
/* Instantiate a constructor / field of a declaration: fresh parameters at
** c->level; *result is the declared type applied to them. */
ty **tc__ctor_args(tc *c, const sig_ctor *k, ty **result);
ty *tc__field_type(tc *c, const sig_field *f, ty **record);

/* --- typeck_expr.c ------------------------------------------------------ */
ty *tc__expr(tc *c, const ast_expr *e, ty *expected);
/* Check a pattern against `expected`, collecting its variables. */
void tc__pat(tc *c, const ast_pat *p, ty *expected, tc_bound **bound);
/* let / let rec bindings (expression or item): the bound names enter the
** scope (generalised at c->level). kind: let keyword for spec forms. */
void tc__bindings(tc *c, bool rec, const ast_binding *b, uint32_t n, ast_let_kw kw, bool toplevel, const char *doc);

#endif
