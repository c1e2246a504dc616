/*
** lower.h — lowering a tree-sitter tree of one IML file to its AST (ast.h).
**
** What the lowering does beyond a plain translation:
**  - reads IML's keywords back from the user's text (the tree was parsed
**    from the keyword view, iml_grammar.h): `theorem`/`lemma`/`axiom` items
**    and `verify`/`instance`/`eval`/`test`/`qcheck` statements;
**  - re-associates `==>`, `<==`, `<==>` (IML: the lowest precedence of all
**    binary operators, right-associative; tree-sitter-ocaml parsed them at
**    the level of `=`): `a && b ==> c` is `(a && b) ==> c`,
**    `a ==> b ==> c` is `a ==> (b ==> c)`; parentheses stop the chain;
**  - flags program-mode items (tagged [@@program], or between the floating
**    attributes [@@@program] and [@@@logic]) and reports constructs that are
**    not IML logic outside program mode (codes below), one diagnostic per
**    construct, on the construct (or its keyword / operator);
**  - is total: ERROR and MISSING nodes become *_ERROR nodes silently (syntax
**    errors are reported by syntax.h), and nothing in the input can crash it.
**    Chains (binary operators, `::`, `;`, lists, match cases, `let … in`,
**    `else if`, `fun` bodies, module paths) are lowered iteratively; real
**    nesting deeper than LOWER_MAX_DEPTH is cut with one diagnostic.
**
** Thread-safety: pure function of its inputs (the tree must not be used by
** another thread meanwhile: pass a ts_tree_copy). The resulting AST is
** immutable and may be shared (ast.h).
*/
#ifndef IML_LOWER_H
#define IML_LOWER_H

#include <stddef.h>
#include <tree_sitter/api.h>

#include "ast.h"
#include "syntax.h"

/* Stable diagnostic codes (severity error). */
#define LOWER_CODE_REFERENCE   "E0201" /* ref, !r, r := v */
#define LOWER_CODE_MUTABLE     "E0202" /* mutable fields, r.f <- v, arrays */
#define LOWER_CODE_LOOP        "E0203" /* while, for */
#define LOWER_CODE_EXCEPTION   "E0204" /* try … with, exception definitions and patterns */
#define LOWER_CODE_OBJECT      "E0205" /* objects, classes, methods, new */
#define LOWER_CODE_EXTERNAL    "E0206" /* external declarations */
#define LOWER_CODE_PHYSICAL_EQ "E0207" /* == and != */
#define LOWER_CODE_FIRST_CLASS_MODULE "E0208" /* (module M : S), (module M) patterns/types */
#define LOWER_CODE_TOO_DEEP    "E0209" /* nesting beyond LOWER_MAX_DEPTH */

/* Nesting depth (expressions, patterns, types, modules) beyond which a
** subtree is replaced by an error node and "nested too deeply" is reported
** (once per file). Chains do not count as nesting. */
#define LOWER_MAX_DEPTH 1000

/* Lower `tree` (borrowed; parsed from the view of text[0..len)) of the text
** (borrowed, the user's text, not the view). On success *out is a new AST
** (caller frees with ast_file_destroy) and the lowering's diagnostics are
** appended to `diags` (borrowed; may be NULL to drop them); returns 0.
** Returns -1 on allocation failure (*out = NULL; diags may have received
** some of the diagnostics). */
int lower_file(const TSTree *tree, const char *text, size_t len, ast_file **out, diag_list *diags);

#endif
