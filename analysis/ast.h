/*
** ast.h — the compact, immutable AST of one IML file version.
**
** Produced from the tree-sitter tree by lower.h; consumed by the type
** checker and the editor features. Plain structs (tagged unions) allocated in
** one arena per file and freed together with ast_file_destroy. After lowering
** nothing is ever written again (no lazily computed fields), so any number of
** threads may read one ast_file concurrently.
**
** Conventions:
**  - Every node carries its byte span in the user's text (text.h); a
**    parenthesised expression, pattern or type is represented by its inner
**    node, whose span then includes the parentheses (as OCaml's locations).
**  - Names (ast_name) carry their own span, so hover/definition can point at
**    the name rather than at the whole node. Their text lives in the arena,
**    NUL-terminated; an absent optional name has text == NULL.
**  - Arrays are (pointer, count) pairs; a count of 0 may come with NULL.
**  - Pointers to sub-nodes are never NULL unless documented as optional;
**    broken input (ERROR/MISSING nodes) becomes *_ERROR nodes instead.
**  - Operators are ordinary identifiers: `a + b` is (app (id +) a b) where
**    the identifier's span is the operator token's.
**  - Chains (binary operators, `::`, `;`, `else if`, `let … in`) can make
**    the tree very deep (a 100,000-term sum is a 100,000-deep left spine):
**    consumers must walk such spines iteratively or bound their recursion.
**
** Thread-safety: immutable after lower_file returns; ast_print* allocate
** only their result and may run concurrently on the same file.
*/
#ifndef IML_AST_H
#define IML_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "text.h"

typedef struct ast_expr ast_expr;
typedef struct ast_pat ast_pat;
typedef struct ast_type ast_type;
typedef struct ast_module ast_module;
typedef struct ast_item ast_item;

/* ------------------------------------------------------------------------ */
/* Names */

typedef struct {
  const char *text;        /* NUL-terminated (arena); NULL = absent */
  text_span span;
} ast_name;

/* A module path `M.N` (n == 0: empty path). */
typedef struct {
  ast_name *comps;
  uint32_t n;
  text_span span;          /* whole path (empty span when n == 0) */
} ast_mpath;

/* A possibly qualified identifier `M.N.x` (value, constructor, field, type). */
typedef struct {
  ast_mpath path;          /* module components; n == 0 when unqualified */
  ast_name name;           /* final component, e.g. "x", "+", "::", "[]" */
  text_span span;          /* whole identifier */
} ast_lid;

typedef enum {
  AST_LABEL_NONE = 0,      /* positional */
  AST_LABEL_LABELLED,      /* ~l */
  AST_LABEL_OPTIONAL,      /* ?l */
} ast_label_kind;

/* ------------------------------------------------------------------------ */
/* Constants */

typedef enum {
  AST_C_INT,               /* 1, 0x1F, 1_000, 12l (suffix kept) */
  AST_C_REAL,              /* 1.5, 1., 1e3: IML reals (exact rationals) */
  AST_C_STRING,            /* "…" or {id|…|id} */
  AST_C_CHAR,              /* 'c' */
  AST_C_BOOL,              /* true / false */
  AST_C_UNIT,              /* () */
} ast_const_kind;

typedef struct {
  ast_const_kind kind;
  const char *text;        /* literal as written, sign included ("-1.5") */
  char suffix;             /* integer literal suffix 'l', 'L', 'n', or 0 */
  bool bval;               /* AST_C_BOOL */
} ast_const;

/* ------------------------------------------------------------------------ */
/* Attributes */

typedef struct {
  ast_name name;           /* "measure", "by", "program", … (span: the id) */
  text_span span;          /* the whole [@…] / [@@…] / [@@@…] */
  text_span payload;       /* the payload's text (empty span at the `]` when none) */
  ast_expr *expr;          /* lowered payload of [@@measure e]; NULL for others */
} ast_attr;

/* ------------------------------------------------------------------------ */
/* Type expressions */

typedef enum {
  AST_T_ERROR,
  AST_T_ANY,               /* _ */
  AST_T_VAR,               /* 'a */
  AST_T_CONSTR,            /* (args) M.t */
  AST_T_ARROW,             /* [~l:|?l:] dom -> cod */
  AST_T_TUPLE,             /* a * b */
  AST_T_POLY,              /* 'a 'b. t (explicit polymorphism) */
  AST_T_ALIAS,             /* t as 'a */
  AST_T_UNSUPPORTED,       /* objects, polymorphic variants, (module S), #c, [%ext] */
} ast_type_kind;

struct ast_type {
  ast_type_kind kind;
  text_span span;
  union {
    ast_name var;                                         /* VAR: text without the quote */
    struct { ast_lid name; ast_type **args; uint32_t nargs; } constr;
    struct { ast_label_kind label; ast_name lname; ast_type *dom, *cod; } arrow;
    struct { ast_type **items; uint32_t n; } tuple;
    struct { ast_name *vars; uint32_t nvars; ast_type *body; } poly;
    struct { ast_type *type; ast_name var; } alias;
  } u;
};

/* ------------------------------------------------------------------------ */
/* Patterns */

typedef enum {
  AST_P_ERROR,
  AST_P_ANY,               /* _ */
  AST_P_VAR,               /* x, ( + ) */
  AST_P_CONST,             /* 1, "s", 'c', true, (), -1 */
  AST_P_RANGE,             /* 'a'..'z' */
  AST_P_CTOR,              /* C, C p, M.C p */
  AST_P_TUPLE,
  AST_P_LIST,              /* [p; q] ([] when n == 0) */
  AST_P_CONS,              /* p :: q */
  AST_P_RECORD,            /* { f = p; g; _ } */
  AST_P_OR,                /* p | q | r */
  AST_P_ALIAS,             /* p as x */
  AST_P_CONSTRAINT,        /* (p : t) */
  AST_P_OPEN,              /* M.(p) */
  AST_P_UNSUPPORTED,       /* lazy, exception, arrays, `Tag, (module M), [%ext] */
} ast_pat_kind;

typedef enum {
  AST_PU_LAZY, AST_PU_EXCEPTION, AST_PU_ARRAY, AST_PU_POLY_VARIANT, AST_PU_PACKAGE,
  AST_PU_EXTENSION, AST_PU_OTHER,
} ast_pat_unsupported;

typedef struct {
  ast_lid field;
  ast_type *type;          /* { f : t = p }; optional */
  ast_pat *pat;            /* for a punned { f } a VAR named f */
  bool punned;
  text_span span;
} ast_field_pat;

struct ast_pat {
  ast_pat_kind kind;
  text_span span;
  union {
    ast_name var;                                         /* VAR */
    ast_const c;                                          /* CONST */
    struct { ast_const lo, hi; } range;
    struct { ast_lid name; ast_pat *arg; } ctor;          /* arg optional */
    struct { ast_pat **items; uint32_t n; } list;         /* TUPLE, LIST, OR */
    struct { ast_pat *head, *tail; } cons;
    struct { ast_field_pat *fields; uint32_t n; bool open; } record;  /* open: `; _` */
    struct { ast_pat *pat; ast_name name; } alias;
    struct { ast_pat *pat; ast_type *type; } constraint;
    struct { ast_mpath mod; ast_pat *pat; } open;
    struct { ast_pat_unsupported what; ast_pat **kids; uint32_t n; } unsupported;
  } u;
};

/* ------------------------------------------------------------------------ */
/* Expressions */

typedef enum {
  AST_E_ERROR,
  AST_E_CONST,
  AST_E_ID,                /* x, M.x, ( + ) */
  AST_E_CTOR,              /* C, M.C, C e */
  AST_E_APP,               /* f a ~l:b ?o:c (also operators) */
  AST_E_FUN,               /* fun p ~l ?(o = d) : t -> e */
  AST_E_FUNCTION,          /* function cases */
  AST_E_LET,               /* let [rec] b and b in e */
  AST_E_LETOP,             /* let* p = e and* q = f in body */
  AST_E_OPEN,              /* let open M in e, M.(e), M.[…], M.{…} */
  AST_E_MATCH,
  AST_E_IF,
  AST_E_TUPLE,
  AST_E_LIST,              /* [a; b] ([] when n == 0) */
  AST_E_CONS,              /* a :: b */
  AST_E_RECORD,            /* { [e with] f = e; g } */
  AST_E_FIELD,             /* e.M.f */
  AST_E_CONSTRAINT,        /* (e : t) */
  AST_E_SEQ,               /* e1; e2; e3 */
  AST_E_ASSERT,
  AST_E_UNSUPPORTED,       /* not in IML's logic, or not supported: see ast_expr_unsupported */
} ast_expr_kind;

typedef enum {
  AST_EU_ARRAY,            /* [| … |]              kids: elements */
  AST_EU_ARRAY_GET,        /* a.(i)                kids: a, i */
  AST_EU_STRING_GET,       /* s.[i]                kids: s, i */
  AST_EU_SET_FIELD,        /* r.f <- v             kids: r, v */
  AST_EU_SET_ARRAY,        /* a.(i) <- v           kids: a, i, v */
  AST_EU_WHILE,            /* while c do b done    kids: c, b */
  AST_EU_FOR,              /* for p = a to b do c  pat: p; kids: a, b, c */
  AST_EU_TRY,              /* try e with cases     kids: e; cases */
  AST_EU_LAZY,             /* lazy e               kids: e */
  AST_EU_LET_MODULE,       /* let module M = … in e  kids: e */
  AST_EU_LET_EXCEPTION,    /* let exception E in e   kids: e */
  AST_EU_OBJECT,           /* object … end, new c, o#m, {< >} (kids: receiver) */
  AST_EU_PACKAGE,          /* (module M : S) */
  AST_EU_POLY_VARIANT,     /* `Tag e               kids: e */
  AST_EU_EXTENSION,        /* [%ext …] */
  AST_EU_COERCE,           /* (e :> t)             kids: e */
  AST_EU_OTHER,            /* anything else (custom # operators, …) */
} ast_expr_unsupported;

typedef struct {
  ast_label_kind label;
  ast_name lname;          /* label name (text NULL when positional) */
  ast_expr *expr;          /* for punned ~x / ?x: an ID named x */
  text_span span;
} ast_arg;

typedef enum { AST_PARAM_VALUE, AST_PARAM_TYPE } ast_param_kind;

typedef struct {
  ast_param_kind kind;
  ast_label_kind label;
  ast_name lname;          /* label name; text NULL when positional */
  ast_pat *pat;            /* VALUE: the pattern (for ~x: VAR x) */
  ast_expr *def;           /* ?(x = def): optional default, else NULL */
  ast_name *types;         /* TYPE: (type a b) */
  uint32_t ntypes;
  text_span span;
} ast_param;

typedef struct {
  ast_pat *pat;
  ast_expr *guard;         /* optional */
  ast_expr *body;          /* a refutation case `-> .` has an ERROR body */
  text_span span;
} ast_case;

/* One binding of a let (expression or item), a theorem, or a let-operator. */
typedef struct {
  ast_pat *pat;            /* the name for function bindings */
  ast_param *params;       /* let f x ~y = …: the parameters */
  uint32_t nparams;
  ast_type *type;          /* let p : t = … / let f x : t = …: optional */
  ast_expr *body;
  ast_attr *attrs;         /* [@@…] on this binding */
  uint32_t nattrs;
  ast_name op;             /* AST_E_LETOP: "let*", "and*", …; text NULL otherwise */
  text_span span;          /* from the pattern to the end of the binding */
} ast_binding;

typedef struct {
  ast_lid field;
  ast_type *type;          /* { f : t = e }: optional */
  ast_expr *expr;          /* for a punned { f }: an ID named f */
  bool punned;
  text_span span;
} ast_field_init;

struct ast_expr {
  ast_expr_kind kind;
  text_span span;
  union {
    ast_const c;
    ast_lid id;
    struct { ast_lid name; ast_expr *arg; } ctor;                         /* arg optional */
    struct { ast_expr *fn; ast_arg *args; uint32_t nargs; } app;          /* nargs >= 1 */
    struct { ast_param *params; uint32_t nparams; ast_type *ret; ast_expr *body; } fun;
    struct { ast_case *cases; uint32_t ncases; } function;
    struct { bool rec; ast_binding *binds; uint32_t nbinds; ast_expr *body; } let;   /* also LETOP */
    struct { ast_mpath mod; bool bang; ast_expr *body; } open;
    struct { ast_expr *scrut; ast_case *cases; uint32_t ncases; } match;
    struct { ast_expr *cond, *then_e, *else_e; } if_;                     /* else_e optional */
    struct { ast_expr **items; uint32_t n; } list;                        /* TUPLE, LIST, SEQ */
    struct { ast_expr *head, *tail; } cons;
    struct { ast_expr *base; ast_field_init *fields; uint32_t n; } record; /* base optional */
    struct { ast_expr *rec; ast_lid field; } field;
    struct { ast_expr *expr; ast_type *type; } constraint;
    struct { ast_expr *expr; } assert_;
    struct {
      ast_expr_unsupported what;
      ast_expr **kids; uint32_t n;
      ast_pat *pat;                                                       /* optional */
      ast_case *cases; uint32_t ncases;
    } unsupported;
  } u;
};

/* ------------------------------------------------------------------------ */
/* Type declarations */

typedef struct {
  ast_name name;
  ast_type *type;
  bool is_mutable;
  text_span span;
} ast_field_decl;

typedef struct {
  ast_name name;           /* "A", "[]", "::", "()", "true" */
  ast_type **args;         /* A of t1 * t2 */
  uint32_t nargs;
  ast_field_decl *fields;  /* A of { … } (inline record; then nargs == 0) */
  uint32_t nfields;
  bool inline_record;
  ast_type *ret;           /* GADT result type `A : t -> r`; optional */
  text_span span;
} ast_ctor_decl;

typedef enum {
  AST_TD_ABSTRACT,         /* type t   (or type t = u with only a manifest: ALIAS) */
  AST_TD_ALIAS,            /* type t = u */
  AST_TD_VARIANT,          /* [= u] = A | B of … */
  AST_TD_RECORD,           /* [= u] = { … } */
  AST_TD_OPEN,             /* type t = .. */
  AST_TD_EXTENSION,        /* type t += A (name may be qualified: ext_name) */
} ast_td_kind;

typedef struct {
  ast_td_kind kind;
  ast_name name;
  ast_lid ext_name;        /* EXTENSION: the extended type's path */
  ast_name *params;        /* 'a 'b (text without quote; "_" for anonymous) */
  uint32_t nparams;
  bool is_private;
  ast_type *manifest;      /* ALIAS: the type; VARIANT/RECORD re-export `= u =`; else NULL */
  ast_ctor_decl *ctors;    /* VARIANT, EXTENSION */
  uint32_t nctors;
  ast_field_decl *fields;  /* RECORD */
  uint32_t nfields;
  ast_attr *attrs;
  uint32_t nattrs;
  text_span span;
} ast_type_decl;

/* ------------------------------------------------------------------------ */
/* Module expressions */

typedef enum {
  AST_M_ERROR,
  AST_M_STRUCT,            /* struct items end */
  AST_M_PATH,              /* M.N (alias `module L = List`) */
  AST_M_APPLY,             /* F(X): opaque to the checker */
  AST_M_FUNCTOR,           /* functor (X : S) -> m, module F (X : S) = m */
  AST_M_CONSTRAINT,        /* (m : S): the module type is kept as a span */
  AST_M_UNSUPPORTED,       /* (val e), [%ext], … */
} ast_module_kind;

typedef struct {
  ast_name name;           /* text NULL for `()` */
  text_span type_span;     /* the module type's text (empty when none) */
  text_span span;
} ast_functor_param;

struct ast_module {
  ast_module_kind kind;
  text_span span;
  union {
    struct { ast_item *items; uint32_t n; } structure;
    ast_mpath path;
    struct { ast_module *fn, *arg; } apply;                    /* arg optional (F()) */
    struct { ast_functor_param *params; uint32_t nparams; ast_module *body; } functor;
    struct { ast_module *mod; text_span type_span; } constraint;
  } u;
};

typedef struct {
  ast_name name;           /* text "_" for `module _ = …` */
  ast_module *body;        /* functor parameters become an AST_M_FUNCTOR body */
  text_span type_span;     /* module M : S = …: S's text, else empty */
  ast_attr *attrs;
  uint32_t nattrs;
  text_span span;
} ast_module_binding;

/* ------------------------------------------------------------------------ */
/* Structure items */

typedef enum {
  AST_I_ERROR,             /* a syntax error at item level (its recovered items follow) */
  AST_I_LET,               /* let / let rec / theorem / lemma / axiom */
  AST_I_EVAL,              /* verify / instance / eval / test / qcheck e, or a bare `;; e` */
  AST_I_TYPE,
  AST_I_MODULE,            /* module [rec] M = … [and …] */
  AST_I_OPEN,
  AST_I_INCLUDE,
  AST_I_IMPORT,            /* [@@@import "p.iml"] / [@@@import M, "p.iml"] */
  AST_I_ATTRIBUTE,         /* any other floating attribute [@@@…] */
  AST_I_UNSUPPORTED,       /* exception, external, class, module type, [%%ext], #directive */
} ast_item_kind;

typedef enum { AST_KW_LET, AST_KW_THEOREM, AST_KW_LEMMA, AST_KW_AXIOM } ast_let_kw;

typedef enum {
  AST_KW_NONE,             /* a bare expression item */
  AST_KW_VERIFY, AST_KW_INSTANCE, AST_KW_EVAL, AST_KW_TEST, AST_KW_QCHECK,
} ast_stmt_kw;

typedef enum {
  AST_IU_EXCEPTION, AST_IU_EXTERNAL, AST_IU_CLASS, AST_IU_CLASS_TYPE, AST_IU_MODULE_TYPE,
  AST_IU_EXTENSION, AST_IU_DIRECTIVE, AST_IU_LET_OPERATOR, AST_IU_OTHER,
} ast_item_unsupported;

struct ast_item {
  ast_item_kind kind;
  text_span span;
  bool program;            /* program mode: tagged [@@program] or between [@@@program] and [@@@logic] */
  text_span doc;           /* the (** … *) comment just before the item (no blank line between); empty if none */
  ast_attr *attrs;         /* item attributes of EVAL/OPEN/INCLUDE/UNSUPPORTED (bindings keep theirs) */
  uint32_t nattrs;
  union {
    struct {
      ast_let_kw kw;
      text_span kw_span;   /* the keyword as the user wrote it */
      bool rec;
      ast_binding *binds;
      uint32_t nbinds;
    } let;
    struct { ast_stmt_kw kw; text_span kw_span; ast_expr *expr; } eval;
    struct { bool nonrec; ast_type_decl *decls; uint32_t ndecls; } type;
    struct { bool rec; ast_module_binding *binds; uint32_t nbinds; } module;
    struct { ast_module *mod; bool bang; } open;                /* OPEN, INCLUDE */
    struct {
      ast_name module;     /* explicit M (text NULL when absent) */
      const char *path;    /* the string's contents, escapes decoded; NULL if malformed */
      text_span path_span; /* the string literal (the payload when malformed) */
    } import;
    ast_attr attr;         /* ATTRIBUTE */
    struct {
      ast_item_unsupported what;
      ast_name name;       /* optional */
      ast_type *type;      /* EXTERNAL: the declared type (the prelude's builtins) */
    } unsupported;
  } u;
};

/* ------------------------------------------------------------------------ */
/* Files */

typedef struct ast_file {
  arena *arena;            /* owns every node, array and string below */
  ast_item *items;
  uint32_t nitems;
  bool has_syntax_errors;  /* ERROR/MISSING nodes were lowered to *_ERROR nodes */
} ast_file;

/* Free the file and everything in its arena. NULL-safe. */
void ast_file_destroy(ast_file *f);

/* Deterministic S-expression dumps for tests and debugging, e.g.
**   (let (bind (pvar x) (app (id +) (int 1) (int 2))))
** one item per line for ast_print. Spans are not printed. Recursion is
** bounded: below AST_PRINT_MAX_DEPTH levels a subtree prints as `…`.
** Malloc'd, NUL-terminated; caller frees with free. NULL on OOM. */
#define AST_PRINT_MAX_DEPTH 2000
char *ast_print(const ast_file *f);
char *ast_print_item(const ast_item *it);
char *ast_print_expr(const ast_expr *e);
char *ast_print_pat(const ast_pat *p);
char *ast_print_type(const ast_type *t);

/* Static names for enums (for messages and dumps). */
const char *ast_stmt_kw_name(ast_stmt_kw kw);   /* "verify", …; "" for NONE */
const char *ast_let_kw_name(ast_let_kw kw);     /* "let", "theorem", … */

#endif
