/*
** types.h — type terms of the IML checker: Hindley–Milner types with
** level-based generalisation (as in OCaml's checker), unification with an
** occurs check, immutable "frozen" schemes for cross-file interfaces, and
** OCaml-style printing.
**
** THE PIECES
**
** ty_con    A type constructor (`int`, `list`, `M.t`): printable path, arity,
**           a stable 64-bit id and, for an abbreviation (`type 'a t = 'a
**           list`), a manifest. IDENTITY IS THE ID: two ty_con objects with
**           the same id are the same type (a re-checked file creates new
**           objects for its types; importers checked against the old ones
**           still agree with it). Immutable once published; any thread.
** ty        A type term, allocated in a ty_store. Kinds: VAR (a union-find
**           variable with a level, a unique id and an optional user name
**           from an annotation `'a`), APP (constructor applied to
**           arguments), ARROW (with a label kind), TUPLE (2+ elements) and
**           ERROR (unifies silently with anything: an ill-typed expression
**           gets it, so one mistake gives one diagnostic).
** ty_store  Per-check arena owning every ty. NOT thread-safe: one per task.
**           Allocation never returns NULL: on out-of-memory the store
**           becomes "failed" (ty_store_failed) and constructors return its
**           ERROR node, so the checker continues silently and tests the
**           flag once at the end.
** ty_frozen A generalised type in a compact, immutable, store-independent
**           form (variables numbered 0..n-1, maximal sharing): interfaces
**           keep these; thaw/instantiate them into any store; a stable
**           hash invariant under renaming of variables; equality. Readable
**           by many threads at once (no mutation after creation, no hidden
**           caches).
** ty_printer Names variables consistently across several types printed in
**           one message. Single-threaded.
**
** LEVELS (Rémy / OCaml). A variable created at level L belongs to the
** let-binding being checked at depth L (the top level is 1; level 0 is
** reserved for ground terms). Every node carries a level; a composite
** node's level is the maximum of its children's (so ground subterms have
** level 0 and are shared, never copied), and the invariant "child level <=
** parent level" holds. Binding a variable of level L to a type lowers every
** level above L in that type. ty_generalize(t, L) turns every node above L
** into a GENERIC node; ty_instantiate copies generic nodes with fresh
** variables and shares the rest. Generic nodes must never be unified.
** No value restriction is needed: IML's logic is pure, so every let is
** generalised (the checker decides what to do in program mode).
**
** LABELS. An arrow is unlabelled (`int -> int`), labelled (`x:int -> int`)
** or optional (`?x:int -> int`). The DOMAIN OF AN OPTIONAL ARROW IS THE TYPE
** AS WRITTEN (`int` in `?x:int -> …`), never `int option`: the checker binds
** the parameter at ty_option(dom) inside the function and types `?x:e`
** arguments against ty_option(dom). Arrows unify only with the same label
** kind and name (the checker reorders / omits arguments itself).
**
** ABBREVIATIONS. An APP whose constructor has a manifest is expanded (its
** manifest thawed with the APP's arguments) when unification compares it
** with something else, as OCaml does, so `int t` = `bool t` for `type 'a t
** = int`; printing keeps the abbreviation's name. Binding `'a` to `'a t`
** retries with the expansion (fine for a phantom parameter); a variable
** hidden in a phantom parameter deeper inside is reported as recursive
** (no cyclic terms are ever built).
**
** PRINTING. As OCaml: `int list`, `(int, string) result`, `'a -> 'b -> 'a`,
** `int * bool -> unit`, `(int -> int) -> int`, `(int * int) list`,
** `x:int -> ?y:int -> int -> int`. Every variable — generalised or not yet
** known — prints as a plain name 'a, 'b, … 'z, 'a1, … in order of first
** appearance (no '_weak names: there is no value restriction); a variable
** named by an annotation keeps its name ('elt) unless another variable in
** the same printer already took it ('elt1). ERROR prints as `_`. Output is
** bounded in depth and size (`...` past the limits).
**
** BOUNDS. Unification, occurs check, level updates, generalisation,
** instantiation, freezing, thawing and hashing are iterative (explicit
** stacks): types nested 100,000 deep are fine. Printing recurses up to the
** printer's depth limit. Abbreviation expansion has a budget per call.
*/
#ifndef IML_TYPES_H
#define IML_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ty ty;
typedef struct ty_con ty_con;
typedef struct ty_store ty_store;
typedef struct ty_frozen ty_frozen;
typedef struct ty_printer ty_printer;

typedef enum { TY_VAR = 1, TY_APP, TY_ARROW, TY_TUPLE, TY_ERROR } ty_kind;
typedef enum { TY_LBL_NONE = 0, TY_LBL_LABELLED = 1, TY_LBL_OPTIONAL = 2 } ty_label_kind;

#define TY_LEVEL_GROUND 0u            /* ground terms (no variables) */
#define TY_LEVEL_TOP 1u               /* top-level definitions of a file */
#define TY_LEVEL_GENERIC UINT32_MAX   /* generalised (scheme) nodes */

/* ------------------------------------------------------------------------
** Constructors
*/

typedef enum {
  TY_B_INT = 0, TY_B_BOOL, TY_B_UNIT, TY_B_REAL, TY_B_STRING, TY_B_CHAR, TY_B_FLOAT,
  TY_B_LIST, TY_B_OPTION, TY_B_RESULT,
  TY_B_COUNT
} ty_builtin;

/* The built-in constructors (static, immutable; ids 1..TY_B_COUNT; paths
** "int" … "result"; arities 0, except list/option 1 and result 2). */
const ty_con *ty_builtin_con(ty_builtin b);

/* A stable id for a user type: a hash of `origin` (e.g. the canonical path
** of the declaring file, or "" for the prelude) and `path` (e.g. "M.t"),
** never colliding with the built-in ids. Deterministic across runs and
** machines. Both strings borrowed. */
uint64_t ty_con_stable_id(const char *origin, const char *path);

/* A new constructor (path copied). NULL on OOM. Caller frees with
** ty_con_destroy after every store / frozen scheme using it is gone. */
ty_con *ty_con_create(const char *path, uint32_t arity, uint64_t id);
void ty_con_destroy(ty_con *c); /* NULL-safe; frees the manifest too */
/* Make `c` an abbreviation: `manifest` (takes ownership) is its body, a
** frozen scheme whose variables 0..arity-1 are the parameters (build it with
** ty_freeze_params). Only before `c` is shared with other threads; at most
** once. A manifest with more variables than `arity` gets fresh variables
** for the extra ones on expansion (the checker should reject such types). */
void ty_con_set_manifest(ty_con *c, ty_frozen *manifest);
/* Opaque data for the checker (e.g. its declaration); same rules. */
void ty_con_set_user(ty_con *c, void *user);

const char *ty_con_path(const ty_con *c);          /* borrowed */
uint32_t ty_con_arity(const ty_con *c);
uint64_t ty_con_id(const ty_con *c);
const ty_frozen *ty_con_manifest(const ty_con *c);  /* borrowed, NULL if none */
void *ty_con_user(const ty_con *c);
bool ty_con_same(const ty_con *a, const ty_con *b); /* same id */

/* ------------------------------------------------------------------------
** Store and terms
*/

ty_store *ty_store_create(void);        /* NULL on OOM */
void ty_store_destroy(ty_store *s);     /* NULL-safe; frees every ty in it */
bool ty_store_failed(const ty_store *s); /* an allocation failed at some point */
size_t ty_store_nodes(const ty_store *s); /* nodes allocated so far (tests, stats) */

/* All constructors below return a term owned by `s` (valid until the store
** is destroyed); arguments are borrowed terms of the same store; strings
** are copied. They never return NULL (see ty_store). */

/* A fresh variable at `level` (TY_LEVEL_TOP <= level < TY_LEVEL_GENERIC).
** `name` (may be NULL) is the annotation's name without the quote. */
ty *ty_new_var(ty_store *s, uint32_t level);
ty *ty_new_named_var(ty_store *s, uint32_t level, const char *name);
/* `con` applied to `args` (n == arity, asserted; array copied). */
ty *ty_app(ty_store *s, const ty_con *con, ty *const *args, uint32_t n);
ty *ty_prim(ty_store *s, ty_builtin b);   /* a nullary built-in, e.g. int (shared node) */
ty *ty_list(ty_store *s, ty *elem);
ty *ty_option(ty_store *s, ty *elem);
/* `label` must be NULL for TY_LBL_NONE and non-empty otherwise. For
** TY_LBL_OPTIONAL, `dom` is the type as written (see LABELS). */
ty *ty_arrow(ty_store *s, ty_label_kind lk, const char *label, ty *dom, ty *cod);
ty *ty_fun(ty_store *s, ty *dom, ty *cod);  /* unlabelled arrow */
ty *ty_tuple(ty_store *s, ty *const *elems, uint32_t n); /* n >= 2, array copied */
ty *ty_error(ty_store *s);                   /* the store's ERROR node */

/* Inspecting terms. Every accessor first follows variable links, so the
** answers are about the representative. */
ty *ty_repr(ty *t);                /* follows links (with path compression) */
ty_kind ty_kind_of(const ty *t);
uint32_t ty_level(const ty *t);
bool ty_is_generic(const ty *t);
uint32_t ty_var_id(const ty *t);           /* VAR: unique within the store */
const char *ty_var_name(const ty *t);      /* VAR: user name or NULL */
const ty_con *ty_app_con(const ty *t);     /* APP */
uint32_t ty_app_nargs(const ty *t);        /* APP */
ty *ty_app_arg(const ty *t, uint32_t i);   /* APP */
ty_label_kind ty_arrow_label_kind(const ty *t); /* ARROW */
const char *ty_arrow_label(const ty *t);   /* ARROW: NULL when unlabelled */
ty *ty_arrow_dom(const ty *t);             /* ARROW */
ty *ty_arrow_cod(const ty *t);             /* ARROW */
uint32_t ty_tuple_len(const ty *t);        /* TUPLE */
ty *ty_tuple_elem(const ty *t, uint32_t i);/* TUPLE */
/* True when an ERROR node is reachable from `t` (iterative). */
bool ty_contains_error(ty_store *s, ty *t);

/* Expand abbreviations at the head of `t` until it is not an abbreviation
** (bounded; a cyclic abbreviation stops after the budget). Returns `t`'s
** representative when it is not an abbreviation. */
ty *ty_expand_head(ty_store *s, ty *t);

/* ------------------------------------------------------------------------
** Unification
*/

typedef enum {
  TY_UERR_NONE = 0,
  TY_UERR_CLASH,   /* left and right have different shapes / constructors */
  TY_UERR_LABEL,   /* two arrows whose labels differ (left, right: the arrows) */
  TY_UERR_OCCURS,  /* left (a variable) occurs inside right: recursive type */
  TY_UERR_OOM      /* out of memory (the store is failed too) */
} ty_uerr_kind;

/* What went wrong: the innermost sub-terms that clashed, as OCaml's second
** line "Type int is not compatible with type bool" shows them. `left` comes
** from the first argument of ty_unify, `right` from the second. `at_top` is
** true when they are the two whole terms given to ty_unify (then the second
** line adds nothing and OCaml omits it). For TY_UERR_OCCURS, `left` is the
** variable and `right` the type containing it, whatever the sides. Terms
** are borrowed from the store. */
typedef struct {
  ty_uerr_kind kind;
  ty *left, *right;
  bool at_top;
} ty_unify_error;

/* Unify `a` (by convention the actual type) with `b` (the expected one).
** Returns true on success. On failure fills *err (may be NULL) and leaves
** the bindings made so far (as OCaml does: messages show the partially
** unified types). ERROR unifies with anything and a variable unified with
** ERROR becomes ERROR. Neither term may contain generic nodes (asserted
** when a generic variable would be bound). */
bool ty_unify(ty_store *s, ty *a, ty *b, ty_unify_error *err);

/* ------------------------------------------------------------------------
** Generalisation and instantiation
*/

/* Make every node of `t` with a level above `level` generic. */
void ty_generalize(ty_store *s, ty *t, uint32_t level);
/* A copy of `t` in which generic nodes are replaced by fresh nodes (fresh
** variables at `level`, keeping user names); non-generic subterms are
** shared. Returns `t` itself when it has no generic node. */
ty *ty_instantiate(ty_store *s, ty *t, uint32_t level);

/* ------------------------------------------------------------------------
** Frozen schemes
*/

/* Freeze `t`, quantifying over ALL its variables (freeze generalised types;
** a not-generalised variable is quantified too). Caller frees with
** ty_frozen_destroy. NULL on OOM. The result does not refer to the store;
** it borrows the ty_con objects it mentions. */
ty_frozen *ty_freeze(ty_store *s, ty *t);
/* Same, with `params` (distinct variables of the store, borrowed) numbered
** 0..n-1 first, in that order, whether or not they occur in `t`: for type
** declarations and manifests. NULL on OOM or when a param is not a variable. */
ty_frozen *ty_freeze_params(ty_store *s, ty *t, ty *const *params, uint32_t n);
void ty_frozen_destroy(ty_frozen *f); /* NULL-safe */

/* Instantiate `f` into `s`: variable i becomes args[i] for i < nargs
** (args may be NULL when nargs == 0), the others fresh variables at
** `level` keeping their user names. level == TY_LEVEL_GENERIC gives a
** generic scheme of the store (for ty_instantiate). */
ty *ty_thaw(ty_store *s, const ty_frozen *f, uint32_t level, ty *const *args, uint32_t nargs);

uint32_t ty_frozen_nvars(const ty_frozen *f);
uint32_t ty_frozen_nodes(const ty_frozen *f);
/* Stable 64-bit hash: depends on the structure, constructor ids, labels
** and the numbering of variables by first occurrence only — not on user
** variable names, pointers or sharing. Equal schemes have equal hashes. */
uint64_t ty_frozen_hash(const ty_frozen *f);
/* Equal up to renaming of variables (user names ignored). */
bool ty_frozen_equal(const ty_frozen *a, const ty_frozen *b);

/* ------------------------------------------------------------------------
** Printing
*/

#define TY_PRINT_DEFAULT_DEPTH 64
#define TY_PRINT_DEFAULT_CHARS 2000

ty_printer *ty_printer_create(void);   /* NULL on OOM */
void ty_printer_destroy(ty_printer *p); /* NULL-safe */
/* Nesting depth and output size (bytes, before the final `...`) of each
** printed type; 0 keeps the current value. Depth is capped at 1000. */
void ty_printer_set_limits(ty_printer *p, unsigned max_depth, size_t max_chars);
/* How to print a constructor: `name(data, con)` returns a borrowed string
** valid until the printer prints again, or NULL for ty_con_path (e.g. to
** shorten `M.t` to `t` inside M). */
void ty_printer_set_namer(ty_printer *p, const char *(*name)(void *data, const ty_con *con),
                          void *data);
/* Print `t` (borrowed; may be any store's term), naming its variables
** consistently with everything printed before by `p`. Caller frees the
** result with free(). NULL on OOM. */
char *ty_printer_print(ty_printer *p, const ty *t);
/* The second line of a unification error with `p`'s names:
** "Type int is not compatible with type bool" (CLASH, LABEL, not at top),
** "The type variable 'a occurs inside 'a list" (OCCURS). NULL when there
** is nothing to add or on OOM. Caller frees. */
char *ty_printer_explain(ty_printer *p, const ty_unify_error *err);

/* One-shot printing with a fresh printer. Caller frees. NULL on OOM. */
char *ty_to_string(const ty *t);
/* A frozen scheme printed through a temporary store. Caller frees. */
char *ty_frozen_to_string(const ty_frozen *f);

#endif
