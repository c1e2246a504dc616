/*
** test_docsync.c — the server's workspace, end to end through the real
** binary: an open document's import closure is discovered from the disk,
** import cycles reach the editor with related information, an open
** document overrides its file for the documents that import it (and closing
** it reverts to the disk), files changed on disk are re-read, importers are
** re-checked only when the imports of a file change (early cutoff, seen in
** the debug log), and an edit storm during discovery ends in the right
** diagnostics.
*/
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lspclient.h"
#include "testutil.h"

#define TIMEOUT_MS 30000

static char dir[PATH_MAX];

static void make_dir(void) { cr_assert(tu_make_dir("iml-dsync", dir) == 0); }

static void write_file(const char *name, const char *text) { cr_assert(tu_write_file(dir, name, text) == 0, "%s", name); }

static char *uri_of(const char *name) {
  char *u = malloc(PATH_MAX + 80);
  snprintf(u, PATH_MAX + 80, "file://%s/%s", dir, name);
  return u;
}

static char log_path[PATH_MAX + 64];

/* With `debug_log`, the server's debug log goes to log_path. */
static lc_client *start(bool debug_log) {
  const char *args[] = {"--log-level", "debug", NULL};
  snprintf(log_path, sizeof log_path, "%s/server.log", dir);
  char init[PATH_MAX + 200];
  snprintf(init, sizeof init, "{\"capabilities\":{},\"workspaceFolders\":[{\"uri\":\"file://%s\",\"name\":\"w\"}]}", dir);
  lc_client *c = lc_start(debug_log ? args : NULL, debug_log ? log_path : NULL, init);
  cr_assert(c, "no initialize response");
  return c;
}

static void stop(lc_client *c) { cr_assert_eq(lc_shutdown(c, TIMEOUT_MS), 0, "server did not shut down cleanly"); }

static void change(lc_client *c, const char *uri, int version, const char *text) {
  lc_change(c, uri, version, -1, 0, 0, 0, text);
}

typedef struct {
  const char *uri;
  const char *code;
  bool want;
} diag_pred;

/* Diagnostics for pred->uri that have (want) or lack (!want) pred->code. */
static bool diag_matches(const cJSON *m, void *data) {
  const diag_pred *p = data;
  return lc_is_diagnostics(m, (void *)p->uri) && lc_diag_has_code(m, p->code) == p->want;
}

static cJSON *wait_diag(lc_client *c, const char *uri, const char *code, bool want) {
  diag_pred p = {uri, code, want};
  cJSON *m = lc_wait(c, TIMEOUT_MS, diag_matches, &p);
  cr_assert(m, "no diagnostics for %s %s %s", uri, want ? "with" : "without", code);
  return m;
}

static const cJSON *first_diag(const cJSON *m, const char *code) {
  const cJSON *d;
  cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(m, "params"), "diagnostics")) {
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(d, "code");
    if (cJSON_IsString(c) && !strcmp(c->valuestring, code)) return d;
  }
  return NULL;
}

/* Wait until the server's log has `needle` after byte `*from`, reading
** (and dropping) its messages meanwhile; *from moves past the match. */
static bool wait_log(lc_client *c, const char *needle, size_t *from) {
  for (int waited = 0; waited < TIMEOUT_MS; waited += 20) {
    size_t len = 0;
    char *log = tu_read_file(log_path, &len);
    char *hit = log && len > *from ? strstr(log + *from, needle) : NULL;
    if (hit) *from = (size_t)(hit - log) + strlen(needle);
    free(log);
    if (hit) return true;
    cJSON_Delete(lc_recv(c, 20));
  }
  return false;
}

Test(docsync, cycle_through_closed_files_reaches_the_editor, .timeout = 120) {
  make_dir();
  const char *a_text = "[@@@import \"b.iml\"]\nlet a = 1\n";
  write_file("a.iml", a_text);
  write_file("b.iml", "[@@@import \"c.iml\"]\n");
  write_file("c.iml", "let c = 0\n\n[@@@import \"a.iml\"]\n");
  lc_client *c = start(false);
  char *a = uri_of("a.iml"), *b = uri_of("b.iml");
  lc_open(c, a, a_text);
  cJSON *m = wait_diag(c, a, "E0108", true);
  const cJSON *d = first_diag(m, "E0108");
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(d, "message")->valuestring,
                   "import cycle: a.iml → b.iml → c.iml → a.iml");
  const cJSON *start_pos = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(d, "range"), "start");
  cr_assert_eq(cJSON_GetObjectItemCaseSensitive(start_pos, "line")->valueint, 0);
  cr_assert_eq(cJSON_GetObjectItemCaseSensitive(start_pos, "character")->valueint, 11);
  const cJSON *rel = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(d, "relatedInformation"), 0);
  cr_assert(rel, "related information points into the next file");
  const cJSON *loc = cJSON_GetObjectItemCaseSensitive(rel, "location");
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(loc, "uri")->valuestring, b);
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(rel, "message")->valuestring, "`b.iml` imports `c.iml` here");
  cJSON_Delete(m);

  /* The cycle is broken on disk: c.iml changes, the watcher says so. */
  write_file("c.iml", "let c = 0\n");
  char *cu = uri_of("c.iml");
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"method\":\"workspace/didChangeWatchedFiles\",\"params\":{\"changes\":[{\"uri\":\"%s\",\"type\":2}]}}", cu);
  m = wait_diag(c, a, "E0108", false);
  cJSON_Delete(m);
  /* And closed again. */
  write_file("c.iml", "[@@@import \"a.iml\"]\n");
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"method\":\"workspace/didChangeWatchedFiles\",\"params\":{\"changes\":[{\"uri\":\"%s\",\"type\":2}]}}", cu);
  m = wait_diag(c, a, "E0108", true);
  cJSON_Delete(m);
  free(a);
  free(b);
  free(cu);
  stop(c);
}

Test(docsync, open_documents_override_the_disk, .timeout = 120) {
  make_dir();
  const char *a_text = "[@@@import \"b.iml\"]\nlet a = B.x\n";
  const char *b_disk = "[@@@import \"a.iml\"]\nlet x = 1\n";
  write_file("a.iml", a_text);
  write_file("b.iml", b_disk);
  lc_client *c = start(true);
  char *a = uri_of("a.iml"), *b = uri_of("b.iml");
  lc_open(c, a, a_text);
  cJSON_Delete(wait_diag(c, a, "E0108", true));
  lc_open(c, b, b_disk);
  cJSON *m = wait_diag(c, b, "E0108", true);
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(first_diag(m, "E0108"), "message")->valuestring,
                   "import cycle: b.iml → a.iml → b.iml");
  cJSON_Delete(m);

  /* b's body changes in the editor: same imports, a is not re-checked. */
  size_t at = 0;
  change(c, b, 2, "[@@@import \"a.iml\"]\nlet x = 2\nlet y = x\n");
  cr_assert(wait_log(c, "b.iml kept its imports; importers not re-checked", &at), "no early cutoff for a body-only edit");

  /* b drops its import in the editor (not saved): a's cycle is gone. */
  change(c, b, 3, "let x = 2\n");
  cJSON_Delete(wait_diag(c, a, "E0108", false));
  cr_assert(wait_log(c, "b.iml changed; re-checking 1 open importer(s)", &at),
            "the importers of b are re-checked when its imports change");

  /* Closing b without saving: the disk's b (which imports a) counts again. */
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didClose\",\"params\":{\"textDocument\":{\"uri\":\"%s\"}}}", b);
  cJSON_Delete(wait_diag(c, a, "E0108", true));
  free(a);
  free(b);
  stop(c);
}

/* A 150-file chain whose last file imports the first: the server discovers
** the whole closure from one open document, also while it is being edited
** (each edit cancels the loads started for the previous version). */
Test(docsync, long_cycle_discovered_during_an_edit_storm, .timeout = 180) {
  make_dir();
  enum { N = 150 };
  char name[32], text[96];
  for (int i = 1; i < N; i++) {
    snprintf(name, sizeof name, "f%03d.iml", i);
    snprintf(text, sizeof text, "[@@@import \"f%03d.iml\"]\nlet v%d = %d\n", (i + 1) % N, i, i);
    write_file(name, text);
  }
  const char *root_text = "[@@@import \"f001.iml\"]\nlet v0 = 0\n";
  write_file("f000.iml", root_text);
  lc_client *c = start(false);
  char *root = uri_of("f000.iml");
  lc_open(c, root, root_text);
  char edited[128];
  for (int v = 2; v < 40; v++) {
    snprintf(edited, sizeof edited, "[@@@import \"f001.iml\"]\nlet v0 = %d\n", v);
    change(c, root, v, edited);
  }
  cJSON *m = wait_diag(c, root, "E0108", true);
  const char *msg = cJSON_GetObjectItemCaseSensitive(first_diag(m, "E0108"), "message")->valuestring;
  cr_assert(strncmp(msg, "import cycle: f000.iml → f001.iml → f002.iml", 44) == 0, "%s", msg);
  cr_assert(strstr(msg, "f149.iml → f000.iml"), "the whole cycle is named: %s", msg);
  cr_assert_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(m, "params"), "version")->valueint, 39,
               "the diagnostics are for the last version");
  cJSON_Delete(m);
  free(root);
  stop(c);
}

/* Type checking in the editor: a type error appears in the file that has
** it; an interface change in an open imported file updates its importer; a
** body-only edit re-checks only the edited file (early cutoff, seen in the
** debug log); fixing the error clears it. */
Test(docsync, type_errors_follow_interfaces, .timeout = 120) {
  make_dir();
  const char *a_text = "[@@@import \"b.iml\"]\nlet y = B.f 1 + 1\n";
  const char *b_text = "let f x = x + 1\n";
  write_file("a.iml", a_text);
  write_file("b.iml", b_text);
  lc_client *c = start(true);
  char *a = uri_of("a.iml"), *b = uri_of("b.iml");
  lc_open(c, a, a_text);
  lc_open(c, b, b_text);
  size_t at = 0;
  cr_assert(wait_log(c, "checked " , &at), "no type check at all");
  /* b's interface changes: f returns a string; a's use is now ill-typed. */
  change(c, b, 2, "let f x = \"s\" ^ x\n");
  cJSON *m = wait_diag(c, a, "E0301", true);
  const cJSON *d = first_diag(m, "E0301");
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(d, "message")->valuestring,
                   "This expression has type String.t but an expression was expected of type int");
  const cJSON *st = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(d, "range"), "start");
  cr_assert_eq(cJSON_GetObjectItemCaseSensitive(st, "line")->valueint, 1);
  cr_assert_eq(cJSON_GetObjectItemCaseSensitive(st, "character")->valueint, 8);
  cJSON_Delete(m);
  /* A type error in b itself. */
  change(c, b, 3, "let f x = \"s\" ^ x\nlet g = f 1\n");
  m = wait_diag(c, b, "E0301", true);
  cJSON_Delete(m);
  /* Body-only edit of b: same interface, a is not checked again. */
  change(c, b, 4, "let f x = x ^ \"t\"\nlet g = f \"u\"\n");
  cJSON_Delete(wait_diag(c, b, "E0301", false));
  change(c, b, 5, "let f x = x ^ \"v\"\nlet g = f \"w\"\n");
  cr_assert(wait_log(c, "b.iml (0 type diagnostics, interface unchanged)", &at),
            "a body-only edit must keep b's interface (early cutoff: a is not re-checked)");
  /* Fix b's interface back: a's error clears. */
  change(c, b, 6, "let f x = x + 2\nlet g = f 3\n");
  cJSON_Delete(wait_diag(c, a, "E0301", false));
  free(a);
  free(b);
  stop(c);
}

static cJSON *request(lc_client *c, int id, const char *method, const char *uri, int line, int ch) {
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"%s\",\"params\":{\"textDocument\":{\"uri\":\"%s\"},"
              "\"position\":{\"line\":%d,\"character\":%d},\"context\":{\"includeDeclaration\":true}}}",
           id, method, uri, line, ch);
  cJSON *r = lc_wait_response(c, id, TIMEOUT_MS);
  cr_assert(r, "no response to %s", method);
  cr_assert_null(cJSON_GetObjectItemCaseSensitive(r, "error"), "%s failed", method);
  return r;
}

static int start_line(const cJSON *loc) {
  return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(loc, "range"), "start"), "line")->valueint;
}
static int start_char(const cJSON *loc) {
  return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(loc, "range"), "start"), "character")->valueint;
}

/* Hover, definition, typeDefinition, references and documentHighlight on a
** two-file project, through the real server. */
Test(docsync, hover_definition_references, .timeout = 120) {
  make_dir();
  const char *b_text = "(** Doubles a number. *)\nlet double x = x * 2\ntype shape = Circle of int | Square of int\n"
                       "let area s = match s with Circle r -> r * r | Square n -> n * n\n";
  const char *a_text = "[@@@import \"b.iml\"]\nlet y = B.double 21\nlet z = B.area (B.Circle 3)\n"
                       "let l = List.length [1; 2]\nlet w = y + B.double 1\n";
  write_file("a.iml", a_text);
  write_file("b.iml", b_text);
  /* Never opened: found through the workspace index. */
  write_file("c.iml", "[@@@import \"b.iml\"]\nlet c = B.double 5\n");
  lc_client *c = start(true);
  char *a = uri_of("a.iml"), *b = uri_of("b.iml");
  lc_open(c, a, a_text);
  lc_open(c, b, b_text);
  size_t at = 0;
  cr_assert(wait_log(c, "c.iml (0 type diagnostics", &at), "the workspace index did not check c.iml");

  cJSON *r = request(c, 1, "textDocument/hover", a, 1, 11);
  const char *md = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "result"), "contents"), "value")->valuestring;
  cr_assert(strstr(md, "B.double : int -> int") && strstr(md, "Doubles a number."), "hover: %s", md);
  cJSON_Delete(r);

  /* A polymorphic function at a use: its instantiated type. */
  r = request(c, 2, "textDocument/hover", a, 3, 14);
  md = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "result"), "contents"), "value")->valuestring;
  cr_assert(strstr(md, "List.length : int list -> int"), "hover: %s", md);
  cJSON_Delete(r);

  /* Any expression: the list literal's type. */
  r = request(c, 8, "textDocument/hover", a, 3, 20);
  md = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "result"), "contents"), "value")->valuestring;
  cr_assert(strstr(md, "int list"), "hover: %s", md);
  cJSON_Delete(r);

  r = request(c, 3, "textDocument/definition", a, 1, 11);
  const cJSON *loc = cJSON_GetObjectItemCaseSensitive(r, "result");
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(loc, "uri")->valuestring, b);
  cr_assert(start_line(loc) == 1 && start_char(loc) == 4, "definition at %d:%d", start_line(loc), start_char(loc));
  cJSON_Delete(r);

  /* The type of the constructor's value: shape, declared in b.iml. */
  r = request(c, 4, "textDocument/typeDefinition", a, 2, 18);
  loc = cJSON_GetObjectItemCaseSensitive(r, "result");
  cr_assert(cJSON_IsObject(loc), "no type definition");
  cr_assert(start_line(loc) == 2 && start_char(loc) == 5, "type definition at %d:%d", start_line(loc), start_char(loc));
  cJSON_Delete(r);

  /* References to double from its definition: b's definition, a's two
  ** uses and c's (a file that is not open). */
  r = request(c, 5, "textDocument/references", b, 1, 6);
  const cJSON *arr = cJSON_GetObjectItemCaseSensitive(r, "result");
  cr_assert_eq(cJSON_GetArraySize(arr), 4, "references: %d", cJSON_GetArraySize(arr));
  int in_a = 0, in_c = 0;
  const cJSON *x;
  char *cu = uri_of("c.iml");
  cJSON_ArrayForEach(x, arr) {
    in_a += strcmp(cJSON_GetObjectItemCaseSensitive(x, "uri")->valuestring, a) == 0;
    in_c += strcmp(cJSON_GetObjectItemCaseSensitive(x, "uri")->valuestring, cu) == 0;
  }
  free(cu);
  cr_assert(in_a == 2 && in_c == 1, "a: %d, c: %d", in_a, in_c);
  cJSON_Delete(r);

  r = request(c, 6, "textDocument/documentHighlight", a, 1, 4);
  arr = cJSON_GetObjectItemCaseSensitive(r, "result");
  cr_assert_eq(cJSON_GetArraySize(arr), 2, "highlights: %d", cJSON_GetArraySize(arr));
  cr_assert(start_line(cJSON_GetArrayItem(arr, 1)) == 4 && start_char(cJSON_GetArrayItem(arr, 1)) == 8);
  cJSON_Delete(r);

  /* Nothing there: null. */
  r = request(c, 7, "textDocument/hover", a, 0, 1);
  cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "result")));
  cJSON_Delete(r);
  free(a);
  free(b);
  stop(c);
}
