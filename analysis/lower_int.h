/*
** lower_int.h — internals shared by the lowering's source files
** (lower.c: context, children, names, attributes; lower_item.c: items and
** modules; lower_expr.c: expressions; lower_bind.c: parameters, bindings,
** cases; lower_pat.c: constants, patterns, types, type declarations). Not a public interface: the
** functions are prefixed lower__ although they have external linkage.
**
** DESIGN
**  - Node kinds are looked up by symbol in a table built once per process
**    (pthread_once) from tree-sitter-ocaml's symbol names; named nodes map
**    to K_* and the few anonymous tokens we look at to T_*.
**  - Children are gathered with one cursor into a context-owned stack
**    (lower__kids_push … lower__kids_pop), skipping comments and other
**    extras, so every node's children are visited once in O(n) (indexing
**    children or fields directly is O(n) per call in tree-sitter 0.20).
**    The stack may move when it grows: callers keep a base index and copy
**    entries out (c->kids[base + i]) rather than keeping pointers.
**  - Allocation failure longjmps to lower_file (c->oom); everything
**    allocated meanwhile is in the arena or in context-owned stacks, so
**    nothing leaks. Functions below therefore never return NULL.
**  - Depth: every lowering function takes the nesting depth of the node it
**    lowers; non-tail children get depth + 1, tail positions (a `let` body,
**    an `else`, the tail of `::`, …) are lowered in a loop at the same
**    depth. Beyond LOWER_MAX_DEPTH a node becomes an error node and one
**    diagnostic is reported per file.
**
** Thread-safety: a context is used by one thread; the kind table is
** immutable after its one-time initialisation.
*/
#ifndef IML_LOWER_INT_H
#define IML_LOWER_INT_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <tree_sitter/api.h>

#include "ast.h"
#include "lower.h"

/* Named node kinds (K_) and anonymous tokens (T_) the lowering looks at.
** X(enum, name, named) */
#define LOWER__KINDS(X)                                                                           \
  X(K_COMMENT, "comment", 1) X(K_LINE_DIRECTIVE, "line_number_directive", 1)                     \
  X(K_ATTRIBUTE, "attribute", 1) X(K_ITEM_ATTRIBUTE, "item_attribute", 1)                        \
  X(K_FLOATING_ATTRIBUTE, "floating_attribute", 1) X(K_ATTRIBUTE_ID, "attribute_id", 1)          \
  X(K_ATTRIBUTE_PAYLOAD, "attribute_payload", 1) X(K_SHEBANG, "shebang", 1)                      \
  X(K_COMPILATION_UNIT, "compilation_unit", 1) X(K_STRUCTURE, "structure", 1)                    \
  X(K_EXPRESSION_ITEM, "expression_item", 1) X(K_VALUE_DEFINITION, "value_definition", 1)        \
  X(K_LET_BINDING, "let_binding", 1) X(K_TYPE_DEFINITION, "type_definition", 1)                  \
  X(K_TYPE_BINDING, "type_binding", 1) X(K_MODULE_DEFINITION, "module_definition", 1)            \
  X(K_MODULE_BINDING, "module_binding", 1) X(K_MODULE_PARAMETER, "module_parameter", 1)          \
  X(K_MODULE_TYPE_DEFINITION, "module_type_definition", 1)                                       \
  X(K_MODULE_TYPE_NAME, "module_type_name", 1) X(K_OPEN_MODULE, "open_module", 1)                \
  X(K_INCLUDE_MODULE, "include_module", 1) X(K_EXCEPTION_DEFINITION, "exception_definition", 1)  \
  X(K_EXTERNAL, "external", 1) X(K_CLASS_DEFINITION, "class_definition", 1)                      \
  X(K_CLASS_TYPE_DEFINITION, "class_type_definition", 1) X(K_ITEM_EXTENSION, "item_extension", 1) \
  X(K_QUOTED_ITEM_EXTENSION, "quoted_item_extension", 1)                                         \
  X(K_TOPLEVEL_DIRECTIVE, "toplevel_directive", 1) X(K_EXTENSION, "extension", 1)                \
  X(K_QUOTED_EXTENSION, "quoted_extension", 1) X(K_PARAMETER, "parameter", 1)                    \
  X(K_ABSTRACT_TYPE, "abstract_type", 1) X(K_LABEL_NAME, "label_name", 1)                        \
  X(K_VALUE_PATH, "value_path", 1) X(K_VALUE_NAME, "value_name", 1)                              \
  X(K_VALUE_PATTERN, "value_pattern", 1) X(K_MODULE_PATH, "module_path", 1)                      \
  X(K_MODULE_NAME, "module_name", 1) X(K_EXTENDED_MODULE_PATH, "extended_module_path", 1)        \
  X(K_CONSTRUCTOR_PATH, "constructor_path", 1) X(K_CONSTRUCTOR_NAME, "constructor_name", 1)      \
  X(K_FIELD_PATH, "field_path", 1) X(K_FIELD_NAME, "field_name", 1)                              \
  X(K_TYPE_CONSTRUCTOR_PATH, "type_constructor_path", 1)                                         \
  X(K_TYPE_CONSTRUCTOR, "type_constructor", 1)                                                   \
  X(K_PARENTHESIZED_OPERATOR, "parenthesized_operator", 1) X(K_NUMBER, "number", 1)              \
  X(K_SIGNED_NUMBER, "signed_number", 1) X(K_STRING, "string", 1)                                \
  X(K_STRING_CONTENT, "string_content", 1) X(K_QUOTED_STRING, "quoted_string", 1)                \
  X(K_QUOTED_STRING_CONTENT, "quoted_string_content", 1) X(K_ESCAPE_SEQUENCE, "escape_sequence", 1) \
  X(K_CHARACTER, "character", 1) X(K_BOOLEAN, "boolean", 1) X(K_UNIT, "unit", 1)                 \
  X(K_ADD_OPERATOR, "add_operator", 1) X(K_MULT_OPERATOR, "mult_operator", 1)                    \
  X(K_POW_OPERATOR, "pow_operator", 1) X(K_CONCAT_OPERATOR, "concat_operator", 1)                \
  X(K_REL_OPERATOR, "rel_operator", 1) X(K_AND_OPERATOR, "and_operator", 1)                      \
  X(K_OR_OPERATOR, "or_operator", 1) X(K_ASSIGN_OPERATOR, "assign_operator", 1)                  \
  X(K_HASH_OPERATOR, "hash_operator", 1) X(K_SIGN_OPERATOR, "sign_operator", 1)                  \
  X(K_PREFIX_OPERATOR, "prefix_operator", 1) X(K_LET_OPERATOR, "let_operator", 1)                \
  X(K_LET_AND_OPERATOR, "let_and_operator", 1)                                                   \
  X(K_APPLICATION_EXPRESSION, "application_expression", 1)                                       \
  X(K_LABELED_ARGUMENT, "labeled_argument", 1) X(K_INFIX_EXPRESSION, "infix_expression", 1)      \
  X(K_PREFIX_EXPRESSION, "prefix_expression", 1) X(K_SIGN_EXPRESSION, "sign_expression", 1)      \
  X(K_HASH_EXPRESSION, "hash_expression", 1) X(K_CONS_EXPRESSION, "cons_expression", 1)          \
  X(K_TUPLE_EXPRESSION, "tuple_expression", 1) X(K_LIST_EXPRESSION, "list_expression", 1)        \
  X(K_ARRAY_EXPRESSION, "array_expression", 1) X(K_RECORD_EXPRESSION, "record_expression", 1)    \
  X(K_FIELD_EXPRESSION, "field_expression", 1)                                                   \
  X(K_FIELD_GET_EXPRESSION, "field_get_expression", 1)                                           \
  X(K_ARRAY_GET_EXPRESSION, "array_get_expression", 1)                                           \
  X(K_STRING_GET_EXPRESSION, "string_get_expression", 1)                                         \
  X(K_BIGARRAY_GET_EXPRESSION, "bigarray_get_expression", 1)                                     \
  X(K_SET_EXPRESSION, "set_expression", 1) X(K_IF_EXPRESSION, "if_expression", 1)                \
  X(K_THEN_CLAUSE, "then_clause", 1) X(K_ELSE_CLAUSE, "else_clause", 1)                          \
  X(K_WHILE_EXPRESSION, "while_expression", 1) X(K_DO_CLAUSE, "do_clause", 1)                    \
  X(K_FOR_EXPRESSION, "for_expression", 1) X(K_SEQUENCE_EXPRESSION, "sequence_expression", 1)    \
  X(K_MATCH_EXPRESSION, "match_expression", 1) X(K_MATCH_CASE, "match_case", 1)                  \
  X(K_GUARD, "guard", 1) X(K_REFUTATION_CASE, "refutation_case", 1)                              \
  X(K_FUNCTION_EXPRESSION, "function_expression", 1) X(K_FUN_EXPRESSION, "fun_expression", 1)    \
  X(K_TRY_EXPRESSION, "try_expression", 1) X(K_LET_EXPRESSION, "let_expression", 1)              \
  X(K_COERCION_EXPRESSION, "coercion_expression", 1)                                             \
  X(K_TYPED_EXPRESSION, "typed_expression", 1) X(K_ASSERT_EXPRESSION, "assert_expression", 1)    \
  X(K_LAZY_EXPRESSION, "lazy_expression", 1)                                                     \
  X(K_LET_MODULE_EXPRESSION, "let_module_expression", 1)                                         \
  X(K_LET_OPEN_EXPRESSION, "let_open_expression", 1)                                             \
  X(K_LOCAL_OPEN_EXPRESSION, "local_open_expression", 1)                                         \
  X(K_PACKAGE_EXPRESSION, "package_expression", 1)                                               \
  X(K_LET_EXCEPTION_EXPRESSION, "let_exception_expression", 1)                                   \
  X(K_NEW_EXPRESSION, "new_expression", 1) X(K_OBJECT_COPY_EXPRESSION, "object_copy_expression", 1) \
  X(K_INSTANCE_VARIABLE_EXPRESSION, "instance_variable_expression", 1)                           \
  X(K_METHOD_INVOCATION, "method_invocation", 1) X(K_OBJECT_EXPRESSION, "object_expression", 1)  \
  X(K_PARENTHESIZED_EXPRESSION, "parenthesized_expression", 1) X(K_TAG, "tag", 1)                \
  X(K_LABELED_TUPLE_ELEMENT, "labeled_tuple_element", 1)                                         \
  X(K_ALIAS_PATTERN, "alias_pattern", 1) X(K_TYPED_PATTERN, "typed_pattern", 1)                  \
  X(K_OR_PATTERN, "or_pattern", 1) X(K_CONSTRUCTOR_PATTERN, "constructor_pattern", 1)            \
  X(K_TAG_PATTERN, "tag_pattern", 1) X(K_POLYMORPHIC_VARIANT_PATTERN, "polymorphic_variant_pattern", 1) \
  X(K_TUPLE_PATTERN, "tuple_pattern", 1) X(K_RECORD_PATTERN, "record_pattern", 1)                \
  X(K_FIELD_PATTERN, "field_pattern", 1) X(K_LIST_PATTERN, "list_pattern", 1)                    \
  X(K_CONS_PATTERN, "cons_pattern", 1) X(K_ARRAY_PATTERN, "array_pattern", 1)                    \
  X(K_RANGE_PATTERN, "range_pattern", 1) X(K_LAZY_PATTERN, "lazy_pattern", 1)                    \
  X(K_LOCAL_OPEN_PATTERN, "local_open_pattern", 1) X(K_PACKAGE_PATTERN, "package_pattern", 1)    \
  X(K_PARENTHESIZED_PATTERN, "parenthesized_pattern", 1)                                         \
  X(K_EXCEPTION_PATTERN, "exception_pattern", 1) X(K_EFFECT_PATTERN, "effect_pattern", 1)        \
  X(K_TYPE_VARIABLE, "type_variable", 1) X(K_CONSTRUCTED_TYPE, "constructed_type", 1)            \
  X(K_FUNCTION_TYPE, "function_type", 1) X(K_LABELED_ARGUMENT_TYPE, "labeled_argument_type", 1)  \
  X(K_TUPLE_TYPE, "tuple_type", 1) X(K_PARENTHESIZED_TYPE, "parenthesized_type", 1)              \
  X(K_ALIASED_TYPE, "aliased_type", 1) X(K_POLYMORPHIC_TYPE, "polymorphic_type", 1)              \
  X(K_PACKAGE_TYPE, "package_type", 1) X(K_VARIANT_DECLARATION, "variant_declaration", 1)        \
  X(K_CONSTRUCTOR_DECLARATION, "constructor_declaration", 1)                                     \
  X(K_RECORD_DECLARATION, "record_declaration", 1) X(K_FIELD_DECLARATION, "field_declaration", 1) \
  X(K_FUNCTOR, "functor", 1) X(K_MODULE_APPLICATION, "module_application", 1)                    \
  X(K_TYPED_MODULE_EXPRESSION, "typed_module_expression", 1) X(K_PACKED_MODULE, "packed_module", 1) \
  X(K_PARENTHESIZED_MODULE_EXPRESSION, "parenthesized_module_expression", 1)                     \
  X(T_REC, "rec", 0) X(T_NONREC, "nonrec", 0) X(T_PRIVATE, "private", 0)                         \
  X(T_MUTABLE, "mutable", 0) X(T_TILDE, "~", 0) X(T_QUESTION, "?", 0) X(T_UNDERSCORE, "_", 0)    \
  X(T_DOTDOT, "..", 0) X(T_PLUSEQ, "+=", 0) X(T_BANG, "!", 0) X(T_OF, "of", 0) X(T_COLON, ":", 0) \
  X(T_ARROW, "->", 0) X(T_SEMISEMI, ";;", 0) X(T_LET, "let", 0) X(T_LARROW, "<-", 0)

typedef enum {
  K_OTHER = 0,
  K_ERROR, /* an ERROR node, or a MISSING named node */
#define LOWER__ENUM(e, name, named) e,
  LOWER__KINDS(LOWER__ENUM)
#undef LOWER__ENUM
  K__COUNT
} lower__kind_t;

/* Field ids, X(member, name) */
#define LOWER__FIELDS(X)                                                                          \
  X(f_left, "left") X(f_right, "right") X(f_operator, "operator") X(f_body, "body")              \
  X(f_pattern, "pattern") X(f_expression, "expression") X(f_type, "type") X(f_name, "name")      \
  X(f_equation, "equation") X(f_default, "default") X(f_function, "function")                    \
  X(f_argument, "argument") X(f_condition, "condition") X(f_alias, "alias") X(f_record, "record") \
  X(f_field, "field") X(f_module, "module") X(f_functor, "functor") X(f_index, "index")          \
  X(f_array, "array") X(f_string, "string") X(f_from, "from") X(f_to, "to")                      \
  X(f_module_type, "module_type") X(f_domain, "domain") X(f_codomain, "codomain")                \
  X(f_object, "object")

typedef struct {
#define LOWER__FIELD_MEMBER(m, name) TSFieldId m;
  LOWER__FIELDS(LOWER__FIELD_MEMBER)
#undef LOWER__FIELD_MEMBER
} lower__fields;

/* A gathered child. */
typedef struct {
  TSNode node;
  TSFieldId field;
  uint16_t kind;           /* lower__kind_t */
} lower__kid;

/* One entry of a flattened operator chain (lower_expr.c). */
typedef struct {
  TSNode node;
  bool is_op;
  ast_expr *e;             /* operands, once lowered */
  text_span span;          /* operands: outer span (parentheses included) */
} lower__link;

typedef struct {
  const char *text;        /* the user's text (not the view) */
  size_t len;
  arena *ar;
  jmp_buf oom;
  diag_list diags;         /* moved to the caller's list on success */
  const lower__fields *F;
  bool program;            /* the item being lowered is in program mode */
  bool section_program;    /* inside [@@@program] … [@@@logic] */
  bool deep_reported;
  unsigned in_error;       /* lowering the items recovered inside an ERROR */
  bool has_errors;
  TSTreeCursor cur;        /* used only inside lower__kids_push */
  bool cur_init;
  lower__kid *kids;        /* gathered children (stack) */
  size_t nkids, capkids;
  lower__link *links;      /* operator chains (stack) */
  size_t nlinks, caplinks;
  TSNode *work;            /* traversal stack for chains */
  size_t nwork, capwork;
  uint32_t *ops;           /* shunting-yard operator stack (link indices) */
  size_t nops, capops;
  uint32_t *outs;          /* shunting-yard operand stack (link indices) */
  size_t nouts, capouts;
  ast_item *items;         /* items being collected (stack) */
  size_t nitems, capitems;
} lower__ctx;

/* --- lower.c: context, children, names, diagnostics ---------------------- */

_Noreturn void lower__oom(lower__ctx *c);
void *lower__alloc(lower__ctx *c, size_t size);                 /* zeroed */
/* A context stack `v` (capacity *cap elements of `elem` bytes) grown to
** hold `need` elements: returns the possibly moved array (old one freed). */
void *lower__grow(lower__ctx *c, void *v, size_t *cap, size_t need, size_t elem);
int lower__kind(const lower__ctx *c, TSNode n);
text_span lower__span(const lower__ctx *c, TSNode n);
text_span lower__span_to(text_span a, text_span b);            /* a.start .. b.end */
/* Gather the children of n on top of c->kids, skipping line directives,
** comments (unless `keep` has LOWER__KEEP_COMMENTS) and `attribute` extras
** (unless LOWER__KEEP_ATTRS); returns the base index (the count is
** c->nkids - base). Pop with lower__kids_pop(c, base). */
#define LOWER__KEEP_ATTRS 1u
#define LOWER__KEEP_COMMENTS 2u
size_t lower__kids_push(lower__ctx *c, TSNode n, unsigned keep);
void lower__kids_pop(lower__ctx *c, size_t base);
/* Index of the first gathered child in [base, c->nkids) with field `f` (or
** kind `k`), or (size_t)-1. */
size_t lower__kid_field(const lower__ctx *c, size_t base, TSFieldId f);
size_t lower__kid_kind(const lower__ctx *c, size_t base, int k);
/* The node of gathered child i, or a null node for (size_t)-1. */
TSNode lower__kid_node(const lower__ctx *c, size_t i);
/* First named child of n that is not an attribute id (the expression of a
** then/else/do clause or guard), or a null node. */
TSNode lower__first_named(lower__ctx *c, TSNode n);
/* The first child of n with field f (null node if none). */
TSNode lower__field(lower__ctx *c, TSNode n, TSFieldId f);

const char *lower__str(lower__ctx *c, text_span s);              /* arena copy of text[s] */
ast_name lower__name(lower__ctx *c, TSNode n);                   /* text and span of n */
/* The name inside a value_name / value_pattern / parenthesized_operator /
** constructor_name / field_name / … node; for `( + )` the operator. */
ast_name lower__ident(lower__ctx *c, TSNode n);
/* module_path / extended_module_path (left-nested) -> components, iterative. */
ast_mpath lower__mpath(lower__ctx *c, TSNode n);
/* value_path / constructor_path / field_path / type_constructor_path. */
ast_lid lower__lid(lower__ctx *c, TSNode n);
/* ast_lid of a single unqualified name. */
ast_lid lower__lid_of_name(ast_name n);
/* Item attributes (item_attribute / attribute nodes) among the gathered
** children [base, nkids): an arena array. */
ast_attr *lower__attrs(lower__ctx *c, size_t base, uint32_t *n, unsigned depth);
bool lower__has_attr(lower__ctx *c, TSNode n, const char *name);
/* An item_attribute / floating_attribute node. */
ast_attr lower__attr(lower__ctx *c, TSNode attr, unsigned depth);
TSNode lower__attr_id(lower__ctx *c, TSNode attr);          /* its attribute_id (or null) */
bool lower__node_text_is(lower__ctx *c, TSNode n, const char *s);
/* The expression of an attribute payload, or a null node. */
TSNode lower__payload_expr(lower__ctx *c, TSNode payload);
/* Does any binding of definition `def` (children of kind binding_kind)
** carry [@@name]? */
bool lower__def_has_attr(lower__ctx *c, TSNode def, int binding_kind, const char *name);

/* A non-logic construct outside program mode: one error diagnostic with a
** static message. */
void lower__report(lower__ctx *c, text_span span, const char *code, const char *msg);
/* True (and one diagnostic per file) when depth exceeds the limit. */
bool lower__too_deep(lower__ctx *c, unsigned depth, text_span span);

/* Span of the first token of n (its keyword), from the tree. */
text_span lower__first_token(lower__ctx *c, TSNode n);

/* --- lower_item.c --------------------------------------------------------- */

/* Items of a compilation unit / structure / ERROR node. */
ast_item *lower__items(lower__ctx *c, TSNode container, unsigned depth, uint32_t *n);

/* --- lower_expr.c --------------------------------------------------------- */

ast_expr *lower__expr(lower__ctx *c, TSNode n, unsigned depth);
/* lower__expr, or an error node at `at` when n is null (a missing child). */
ast_expr *lower__expr_or(lower__ctx *c, TSNode n, unsigned depth, uint32_t at);
ast_expr *lower__error_expr(lower__ctx *c, text_span span);
ast_expr *lower__id(lower__ctx *c, ast_name name);          /* unqualified identifier */

/* --- lower_bind.c --------------------------------------------------------- */

/* ~ / ? among gathered children [base, nkids) */
ast_label_kind lower__label_kind(const lower__ctx *c, size_t base);
/* Parameters (parameter / abstract_type) among gathered children [base, nkids). */
ast_param *lower__params(lower__ctx *c, size_t base, unsigned depth, uint32_t *n);
/* The match_case children among [base, nkids); the last case's body is
** not lowered but returned in *last_body (null when there is none to lower). */
ast_case *lower__cases(lower__ctx *c, size_t base, unsigned depth, uint32_t *n, TSNode *last_body);
/* parameter / abstract_type */
ast_param lower__param(lower__ctx *c, TSNode n, unsigned depth);
/* let_binding */
ast_binding lower__binding(lower__ctx *c, TSNode n, unsigned depth);
/* Arena array of the let_bindings among the children of a value_definition
** (with their let-operators when `ops`). */
ast_binding *lower__bindings(lower__ctx *c, TSNode def, unsigned depth, uint32_t *n, bool *rec, bool *has_op);

/* --- lower_pat.c ---------------------------------------------------------- */

ast_pat *lower__pat(lower__ctx *c, TSNode n, unsigned depth);
ast_type *lower__type(lower__ctx *c, TSNode n, unsigned depth);
/* number / string / quoted_string / character / boolean / unit / signed_number */
ast_const lower__const(lower__ctx *c, TSNode n);
bool lower__is_const_kind(int k);
/* type_definition -> decls */
ast_type_decl *lower__type_decls(lower__ctx *c, TSNode def, unsigned depth, uint32_t *n, bool *nonrec);

#endif
