/* report.c — see report.h. */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "lspjson.h"
#include "uri.h"

bool rep_parse_format(const char *s, rep_format *out) {
  if (!strcmp(s, "text")) *out = REP_TEXT;
  else if (!strcmp(s, "json")) *out = REP_JSON;
  else if (!strcmp(s, "sarif")) *out = REP_SARIF;
  else return false;
  return true;
}

static size_t rep__codepoints(const char *s, size_t from, size_t to) {
  size_t n = 0;
  for (size_t i = from; i < to; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) n++;
  return n;
}

void rep_line_col(const rep_file *f, size_t off, size_t *line, size_t *col) {
  text_pos p = text_position(f->lines, off, TEXT_UTF8);
  *line = p.line + 1;
  *col = rep__codepoints(f->text, text_lines_start(f->lines, p.line), off) + 1;
}

/* A path for humans: relative to the working directory when inside it. */
static const char *rep__display(const char *path) {
  static char cwd[4096];
  static size_t n;
  if (!n && getcwd(cwd, sizeof cwd)) n = strlen(cwd);
  if (n > 1 && strncmp(path, cwd, n) == 0 && path[n] == '/') return path + n + 1;
  return path;
}

static const char *rep__severity(diag_severity s) {
  return s == DIAG_ERROR ? "error" : s == DIAG_WARNING ? "warning" : "note";
}

/* The source line of `off`, then a caret/underline under [start, end) (to
** the end of the line for multi-line spans). Tabs are kept so the marker
** lines up in any tab width. */
static void rep__excerpt(FILE *out, const rep_file *f, const diag *d, bool color) {
  text_pos p = text_position(f->lines, d->span.start, TEXT_UTF8);
  size_t ls = text_lines_start(f->lines, p.line), le = text_lines_end(f->lines, p.line);
  if (le - ls > 400) return; /* minified or generated: the line is not helpful */
  size_t s = d->span.start, e = d->span.end < le ? d->span.end : le;
  if (e < s) e = s;
  fprintf(out, "%5u | %.*s\n      | ", p.line + 1, (int)(le - ls), f->text + ls);
  for (size_t i = ls; i < s; i++) {
    unsigned char c = (unsigned char)f->text[i];
    if (c == '\t') fputc('\t', out);
    else if ((c & 0xC0) != 0x80) fputc(' ', out);
  }
  if (color) fputs("\033[1;32m", out);
  fputc('^', out);
  for (size_t n = rep__codepoints(f->text, s, e); n > 1; n--) fputc('~', out);
  if (color) fputs("\033[0m", out);
  fputc('\n', out);
}

void rep_text(FILE *out, const rep_file *files, size_t n, bool color) {
  static const char *sev_color[] = {"", "\033[1;31m", "\033[1;35m", "\033[1;36m", "\033[1;36m"};
  for (size_t i = 0; i < n; i++) {
    const rep_file *f = &files[i];
    for (size_t k = 0; k < f->ndiags; k++) {
      const diag *d = &f->diags[k];
      size_t line, col;
      rep_line_col(f, d->span.start, &line, &col);
      if (color)
        fprintf(out, "\033[1m%s:%zu:%zu:\033[0m %s%s[%s]:\033[0m \033[1m%s\033[0m\n", f->path, line, col,
                sev_color[d->severity], rep__severity(d->severity), d->code, d->message);
      else
        fprintf(out, "%s:%zu:%zu: %s[%s]: %s\n", f->path, line, col, rep__severity(d->severity), d->code, d->message);
      rep__excerpt(out, f, d, color);
      for (size_t r = 0; r < d->nrelated; r++) {
        const diag_related *rel = &d->related[r];
        fprintf(out, color ? "\033[1m%s:%u:%u:\033[0m \033[1;36mnote:\033[0m %s\n" : "%s:%u:%u: note: %s\n",
                rep__display(rel->path), rel->line, rel->col, rel->message);
      }
    }
  }
}

static cJSON *rep__region(const rep_file *f, const diag *d, const char *l1, const char *c1, const char *l2,
                          const char *c2) {
  size_t sl, sc, el, ec;
  rep_line_col(f, d->span.start, &sl, &sc);
  rep_line_col(f, d->span.end, &el, &ec);
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, l1, (double)sl);
  cJSON_AddNumberToObject(o, c1, (double)sc);
  cJSON_AddNumberToObject(o, l2, (double)el);
  cJSON_AddNumberToObject(o, c2, (double)ec);
  return o;
}

static void rep__print(FILE *out, cJSON *doc) {
  char *s = lj_print(doc);
  if (s) { fputs(s, out); fputc('\n', out); }
  free(s);
  cJSON_Delete(doc);
}

void rep_json(FILE *out, const rep_file *files, size_t n) {
  cJSON *doc = cJSON_CreateObject();
  cJSON_AddNumberToObject(doc, "version", 1);
  cJSON *arr = cJSON_AddArrayToObject(doc, "diagnostics");
  size_t counts[5] = {0};
  for (size_t i = 0; i < n; i++) {
    for (size_t k = 0; k < files[i].ndiags; k++) {
      const diag *d = &files[i].diags[k];
      cJSON *o = rep__region(&files[i], d, "line", "column", "endLine", "endColumn");
      cJSON_AddStringToObject(o, "file", files[i].path);
      cJSON_AddStringToObject(o, "severity", rep__severity(d->severity));
      cJSON_AddStringToObject(o, "code", d->code);
      cJSON_AddStringToObject(o, "message", d->message);
      if (d->nrelated) {
        cJSON *rel = cJSON_AddArrayToObject(o, "related");
        for (size_t r = 0; r < d->nrelated; r++) {
          cJSON *ro = cJSON_CreateObject();
          cJSON_AddStringToObject(ro, "file", rep__display(d->related[r].path));
          cJSON_AddNumberToObject(ro, "line", d->related[r].line);
          cJSON_AddNumberToObject(ro, "column", d->related[r].col);
          cJSON_AddStringToObject(ro, "message", d->related[r].message);
          cJSON_AddItemToArray(rel, ro);
        }
      }
      cJSON_AddItemToArray(arr, o);
      counts[d->severity]++;
    }
  }
  cJSON *sum = cJSON_AddObjectToObject(doc, "summary");
  cJSON_AddNumberToObject(sum, "files", (double)n);
  cJSON_AddNumberToObject(sum, "errors", (double)counts[DIAG_ERROR]);
  cJSON_AddNumberToObject(sum, "warnings", (double)counts[DIAG_WARNING]);
  rep__print(out, doc);
}

/* Short descriptions of our rule ids for SARIF's tool.driver.rules. */
static const char *rep__rule_text(const char *code) {
  static const struct { const char *code, *text; } rules[] = {
    {"E0001", "Syntax error: unexpected token"},
    {"E0002", "Syntax error: missing token"},
    {"E0003", "Invalid UTF-8 or NUL bytes"},
    {"E0004", "Text the parser cannot handle safely"},
    {"E0101", "Import not found"},
    {"E0102", "File imports itself"},
    {"E0103", "Two imports bind the same module name"},
    {"E0104", "Import path does not end in .iml"},
    {"W0105", "OCaml library import not supported"},
    {"E0106", "Malformed import"},
    {"W0107", "Import without a module name"},
    {"E0108", "Import cycle"},
  };
  for (size_t i = 0; i < sizeof rules / sizeof *rules; i++)
    if (!strcmp(rules[i].code, code)) return rules[i].text;
  return code;
}

void rep_sarif(FILE *out, const rep_file *files, size_t n) {
  cJSON *doc = cJSON_CreateObject();
  cJSON_AddStringToObject(doc, "version", "2.1.0");
  cJSON *run = cJSON_CreateObject();
  cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "runs"), run);
  cJSON *driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(run, "tool"), "driver");
  cJSON_AddStringToObject(driver, "name", "iml-lsp");
  cJSON_AddStringToObject(driver, "version", IML_VERSION);
  cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
  cJSON_AddStringToObject(run, "columnKind", "unicodeCodePoints");
  cJSON *results = cJSON_AddArrayToObject(run, "results");
  for (size_t i = 0; i < n; i++) {
    char *uri = uri_encode_path(files[i].path);
    for (size_t k = 0; k < files[i].ndiags; k++) {
      const diag *d = &files[i].diags[k];
      bool known = false;
      for (cJSON *r = rules->child; r && !known; r = r->next)
        known = !strcmp(cJSON_GetObjectItemCaseSensitive(r, "id")->valuestring, d->code);
      if (!known) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "id", d->code);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "shortDescription"), "text", rep__rule_text(d->code));
        cJSON_AddItemToArray(rules, r);
      }
      cJSON *res = cJSON_CreateObject();
      cJSON_AddStringToObject(res, "ruleId", d->code);
      cJSON_AddStringToObject(res, "level", rep__severity(d->severity));
      cJSON_AddStringToObject(cJSON_AddObjectToObject(res, "message"), "text", d->message);
      cJSON *loc = cJSON_CreateObject();
      cJSON *phys = cJSON_AddObjectToObject(loc, "physicalLocation");
      cJSON_AddStringToObject(cJSON_AddObjectToObject(phys, "artifactLocation"), "uri", uri ? uri : "");
      cJSON_AddItemToObject(phys, "region", rep__region(&files[i], d, "startLine", "startColumn", "endLine", "endColumn"));
      cJSON_AddItemToArray(cJSON_AddArrayToObject(res, "locations"), loc);
      if (d->nrelated) {
        cJSON *rels = cJSON_AddArrayToObject(res, "relatedLocations");
        for (size_t r = 0; r < d->nrelated; r++) {
          char *ruri = uri_encode_path(rep__display(d->related[r].path));
          cJSON *rl = cJSON_CreateObject();
          cJSON_AddNumberToObject(rl, "id", (double)r);
          cJSON *rphys = cJSON_AddObjectToObject(rl, "physicalLocation");
          cJSON_AddStringToObject(cJSON_AddObjectToObject(rphys, "artifactLocation"), "uri", ruri ? ruri : "");
          cJSON *reg = cJSON_AddObjectToObject(rphys, "region");
          cJSON_AddNumberToObject(reg, "startLine", d->related[r].line);
          cJSON_AddNumberToObject(reg, "startColumn", d->related[r].col);
          cJSON_AddStringToObject(cJSON_AddObjectToObject(rl, "message"), "text", d->related[r].message);
          cJSON_AddItemToArray(rels, rl);
          free(ruri);
        }
      }
      cJSON_AddItemToArray(results, res);
    }
    free(uri);
  }
  rep__print(out, doc);
}
