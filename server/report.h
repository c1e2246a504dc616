/*
** report.h — how `iml-lsp check` prints diagnostics: compiler-style text
** (with the source line and a caret underline), JSON, or SARIF 2.1.0.
**
** Lines and columns are 1-based; columns count Unicode code points (SARIF
** says so with columnKind "unicodeCodePoints"). Pure output functions, main
** thread only.
*/
#ifndef IML_REPORT_H
#define IML_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "syntax.h"
#include "text.h"

typedef struct {
  const char *path;         /* as given on the command line (borrowed) */
  const char *text;         /* borrowed; NULL when the file could not be read */
  size_t len;
  const text_lines *lines;  /* borrowed; NULL when text is NULL */
  const diag *diags;        /* borrowed array, sorted by position */
  size_t ndiags;
} rep_file;

typedef enum { REP_TEXT, REP_JSON, REP_SARIF } rep_format;

/* Parse "text" | "json" | "sarif". */
bool rep_parse_format(const char *s, rep_format *out);

/* 1-based line and code-point column of byte `off` in f. */
void rep_line_col(const rep_file *f, size_t off, size_t *line, size_t *col);

void rep_text(FILE *out, const rep_file *files, size_t n, bool color);
void rep_json(FILE *out, const rep_file *files, size_t n);
void rep_sarif(FILE *out, const rep_file *files, size_t n);

#endif
