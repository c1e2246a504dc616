/*
** imports.h — IML's import items: extraction, module names, resolution and
** the per-file import diagnostics that need no import graph.
**
** Forms (floating attributes):
**   [@@@import "p.iml"]          module name derived from the base name
**   [@@@import M, "p.iml"]       explicit module name (also `(M, "p.iml")`)
**   [@@@import M, "dune:lib"]    OCaml library (prefixes `dune:`, `findlib:`)
** The string may be an ordinary OCaml string (escapes decoded) or a quoted
** string {|…|} / {id|…|id} (taken verbatim). Anything else is MALFORMED.
**
** Where imports are found: at top level and inside nested
** `module M = struct … end` (also `module rec … and …`, functor bodies,
** `(struct … end : S)`), at any depth — the walk is iterative (tree cursor).
** While the file has syntax errors, tree-sitter may recover a `[@@@import …]`
** as an ordinary `attribute` somewhere inside broken code; since the token
** `[@@@` can only start a floating attribute, such recovered items are
** reported too, so the import graph does not flap while the user types; an
** import whose payload does not even lex (e.g. an illegal escape, leaving
** `[@@@` `import` … as loose children of an ERROR node) is reported as
** MALFORMED. Items are returned sorted by position.
**
** Thread-safety: pure functions over caller-owned data; imp_resolve and
** imp_check read the file system (stat/realpath) and nothing else.
*/
#ifndef IML_IMPORTS_H
#define IML_IMPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tree_sitter/api.h>

#include "syntax.h"
#include "text.h"

/* Stable diagnostic codes. */
#define IMP_CODE_NOT_FOUND      "E0101" /* import target does not exist */
#define IMP_CODE_SELF_IMPORT    "E0102" /* a file imports itself */
#define IMP_CODE_DUP_MODULE     "E0103" /* two imports bind the same module name */
#define IMP_CODE_NOT_IML        "E0104" /* path does not end in .iml */
#define IMP_CODE_OCAML_LIB      "W0105" /* OCaml library import: unsupported, names opaque (warning) */
#define IMP_CODE_MALFORMED      "E0106" /* payload is neither "f.iml" nor M, "f.iml" */
#define IMP_CODE_NO_MODULE_NAME "W0107" /* base name is not a module name and none is given (warning) */

typedef enum { IMP_FILE, IMP_OCAML_LIB, IMP_MALFORMED } imp_kind;

typedef struct {
  imp_kind kind;
  char *path;            /* string contents, unescaped; owned; NULL if MALFORMED */
  char *module;          /* explicit M, or imp_module_name(path); owned; NULL for
                            OCAML_LIB without explicit name, for MALFORMED, and
                            for a FILE whose base name is not a module name */
  bool explicit_module;
  text_span string_span; /* the string literal including quotes/braces; for
                            MALFORMED the payload (the item when it is empty) */
  text_span item_span;   /* the whole [@@@import …] */
  uint32_t line;         /* 0-based row where the item starts (for messages) */
} imp_import;

/* All imports of the file text[0..len) (borrowed) parsed into `tree`
** (borrowed), in source order. On success *out (caller frees with imp_free)
** holds *n items (*out is NULL when *n is 0) and 0 is returned; -1 on
** allocation failure (*out = NULL, *n = 0). */
int imp_extract(const TSTree *tree, const char *text, size_t len, imp_import **out, size_t *n);

/* Free the items' strings and the array. NULL-safe. */
void imp_free(imp_import *a, size_t n);

/* Module name of an import path (borrowed): base name without its last
** extension, first letter capitalised: "dir/list_utils.iml" -> "List_utils".
** NULL when that is not a valid OCaml module name (ASCII letters, digits, _
** and ' only, starting with a letter) or on OOM. Caller frees with free. */
char *imp_module_name(const char *path);

/* Resolve `import_path` (borrowed) imported from `importer_path` (borrowed;
** may be NULL for an unsaved buffer: then only the roots are tried).
** Candidates in order: an absolute import_path as is; otherwise
** <dir of importer>/import_path, then roots[i]/import_path (roots borrowed).
** Returns the canonical path (realpath) of the first candidate that is an
** existing regular file (caller frees with free). When none is found returns
** NULL and, if `looked` is non-NULL, sets *looked to a malloc'd ", "-separated
** list of the candidates tried (caller frees; NULL on OOM). */
char *imp_resolve(const char *importer_path, const char *import_path, const char *const *roots,
                  size_t nroots, char **looked);

/* Per-file import diagnostics (codes above), appended to `out` in import
** order; at most one error per import (its root cause), checked in order:
**   MALFORMED                     -> E0106 on the payload, nothing else
**   OCAML_LIB                     -> W0105 on the string (+ E0103 if its
**                                    explicit name is already bound)
**   path not ending in ".iml"     -> E0104 (not resolved)
**   not found                     -> E0101 (candidates listed)
**   resolves to importer_path     -> E0102
**   module name already bound by an earlier import -> E0103 (on the later
**                                    one; "line N" is the earlier one's, 1-based)
**   no derivable module name      -> W0107
** Messages:
**   E0101 cannot find `p.iml` (looked in /a/b/p.iml, /inc/p.iml)
**   E0102 `p.iml` imports itself
**   E0103 module `M` is already imported on line N
**   E0104 import path `p.ml` does not end in `.iml`
**   W0105 OCaml library imports (`dune:lib`) are not supported; names from `M` are treated as unknown
**   E0106 malformed import: expected [@@@import "file.iml"] or [@@@import M, "file.iml"]
**   W0107 `x-y.iml` is not a valid module name; use [@@@import M, "x-y.iml"] to name it
** `importer_path` is canonical (borrowed; may be NULL); imports and roots
** are borrowed. `resolved` is a
** caller-provided array of n slots: slot i receives the malloc'd canonical
** target of import i (caller frees each with free) or NULL (not a resolvable
** file import, not found, or a self-import). Returns 0, or -1 on allocation failure (then
** every slot is NULL and `out` keeps what was added). */
int imp_check(const char *importer_path, const imp_import *imports, size_t n,
              const char *const *roots, size_t nroots, char **resolved, diag_list *out);

#endif
