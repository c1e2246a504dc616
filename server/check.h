/*
** check.h — the headless checker: `iml-lsp check [options] PATH...`.
**
** Collects *.iml files (a PATH is a file, or a directory searched
** recursively), parses them in parallel on a background pool (one task per
** file, each read once), and prints diagnostics in file order (report.h):
**   file:line:col: error[CODE]: message      + source line and caret
** or as JSON or SARIF 2.1.0 (--format), with a progress bar on a terminal
** and a summary line on stderr. Exit status: 0 without errors, 1 with
** errors, 2 for usage or I/O problems. Every file is parsed, its imports
** followed, then type-checked in dependency order on the same pool.
**
** `iml-lsp infer [options] FILE` runs the same pipeline and prints FILE's
** interface as `val name : type` lines (like `ocamlc -i`), its diagnostics
** on stderr; exit 1 when FILE has errors.
*/
#ifndef IML_CHECK_H
#define IML_CHECK_H

#include <stdio.h>

/* The *.iml files under `dir` (borrowed), recursively, hidden directories
** and node_modules skipped, at most `max` (0: no limit). *paths (caller
** frees each and the array) receives *n paths. 0, or -1 when a directory
** could not be read (what was found is still returned). */
int check_collect(const char *dir, size_t max, char ***paths, size_t *n);

/* argv borrowed; argv[0] is "check" or "infer". Output to `out`, messages to `err`. */
int check_main(int argc, char **argv, FILE *out, FILE *err);

#endif
