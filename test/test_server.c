/*
** test_server.c — end-to-end tests that drive the real build/iml-lsp with
** scripted clients: random incremental edits checked against fresh parses,
** cancellation and ContentModified, garbage and truncated input.
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handlers.h"
#include "lspclient.h"
#include "snapshot.h"
#include "testutil.h"

#define TIMEOUT_MS 20000

static lc_client *start(const char *const *args) {
  lc_client *c = lc_start(args, NULL, NULL);
  cr_assert(c, "no initialize response");
  return c;
}

static void stop(lc_client *c) { cr_assert_eq(lc_shutdown(c, TIMEOUT_MS), 0, "server did not shut down cleanly"); }

/* The client's own (independent) UTF-16 position of byte `off`. */
static void utf16_pos(const char *t, size_t off, int *line, int *col) {
  int l = 0, cc = 0;
  for (size_t i = 0; i < off;) {
    unsigned char b = (unsigned char)t[i];
    if (b == '\n') { l++; cc = 0; i++; continue; }
    size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    cc += n == 4 ? 2 : 1;
    i += n;
  }
  *line = l;
  *col = cc;
}

/* Diagnostics a fresh parse of `text` gives (the oracle). */
static cJSON *fresh_diagnostics(const char *text) {
  size_t len = strlen(text);
  char *copy = strdup(text);
  snap *s = snap_build("file:///t.iml", 0, copy, len, NULL, snap_thread_parser(), NULL);
  cr_assert(s);
  cJSON *p = hd_publish_diagnostics(s, NULL, TEXT_UTF16);
  cJSON *d = cJSON_DetachItemFromObject(p, "diagnostics");
  cJSON_Delete(p);
  snap_release(s);
  return d;
}

static const char *snippets[] = {
  "let x = 1\n", "(", ")", "(*", "*)", "\"", "theorem t x = x > 0\n", "verify (fun x -> x = x)\n",
  "\xF0\x9F\x98\x80", "\xF0\x9D\x94\xB8 ", "é", "→", "\r\n", "\n", "match x with | 0 -> 1 | _ -> 2\n",
  "lemma", " in ", "begin", "end", "type t = A | B of int\n", "[@@by auto]", " ", "let", "=",
};

Test(server, random_edits_match_fresh_parse, .timeout = 300) {
  tu_rng rng;
  uint64_t seed = getenv("IML_SERVER_SEED") ? strtoull(getenv("IML_SERVER_SEED"), NULL, 0) : 0x5eed1234;
  tu_rng_seed(&rng, seed);
  lc_client *c = start(NULL);
  const char *uri = "file:///t.iml";
  size_t cap = 1 << 16;
  char *text = malloc(cap);
  strcpy(text, "type t = A | B of int\nlet f x = x + 1\ntheorem f_pos x = x > 0 ==> f x > 1\n");
  lc_open(c, uri, text);
  enum { EDITS = 500 };
  char **versions = calloc(EDITS + 2, sizeof *versions);
  versions[1] = strdup(text);
  for (int v = 2; v <= EDITS + 1; v++) {
    size_t len = strlen(text);
    /* Random range on character boundaries. */
    size_t a = tu_rng_below(&rng, len + 1), b = tu_rng_below(&rng, len + 1);
    if (a > b) { size_t t = a; a = b; b = t; }
    if (b - a > 20) b = a + tu_rng_below(&rng, 20);
    while (a > 0 && ((unsigned char)text[a] & 0xC0) == 0x80) a--;
    while (b < len && ((unsigned char)text[b] & 0xC0) == 0x80) b++;
    if (a > b) b = a;
    /* Never split a CRLF pair in the client's model (LSP positions cannot
    ** address the byte between \r and \n either). */
    if (a > 0 && a < len && text[a] == '\n' && text[a - 1] == '\r') a--;
    if (b > 0 && b < len && text[b] == '\n' && text[b - 1] == '\r') b++;
    const char *ins = tu_rng_below(&rng, 4) == 0 ? "" : snippets[tu_rng_below(&rng, sizeof snippets / sizeof *snippets)];
    int l1, c1, l2, c2;
    utf16_pos(text, a, &l1, &c1);
    utf16_pos(text, b, &l2, &c2);
    size_t nlen = len - (b - a) + strlen(ins);
    if (nlen + 1 > cap) break;
    memmove(text + a + strlen(ins), text + b, len - b + 1);
    memcpy(text + a, ins, strlen(ins));
    versions[v] = strdup(text);
    lc_change(c, uri, v, l1, c1, l2, c2, ins);
  }
  /* Every diagnostics notification must be for some version's exact text,
  ** versions never go backwards, and the last one is for the final text. */
  int last_version = 0, checked = 0;
  while (last_version != EDITS + 1) {
    cJSON *m = lc_wait(c, TIMEOUT_MS, lc_is_diagnostics, NULL);
    cr_assert(m, "no diagnostics for the final version (last seen %d, seed %#lx)", last_version, (unsigned long)seed);
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(m, "params");
    int v = (int)cJSON_GetObjectItemCaseSensitive(params, "version")->valuedouble;
    cr_assert(v >= last_version && v >= 1 && v <= EDITS + 1, "version %d after %d", v, last_version);
    cJSON *want = fresh_diagnostics(versions[v]);
    const cJSON *got = cJSON_GetObjectItemCaseSensitive(params, "diagnostics");
    char *gs = cJSON_PrintUnformatted(got), *ws = cJSON_PrintUnformatted(want);
    cr_assert(cJSON_Compare(want, got, 1), "version %d: diagnostics differ from a fresh parse (seed %#lx)\n got: %.1500s\nwant: %.1500s",
              v, (unsigned long)seed, gs, ws);
    free(gs);
    free(ws);
    cJSON_Delete(want);
    cJSON_Delete(m);
    last_version = v;
    checked++;
  }
  cr_assert_geq(checked, 1);
  /* The server's text has the client's shape: the selection range at the very
  ** end of the document extends exactly to the client's end position. */
  int el, ec;
  utf16_pos(text, strlen(text), &el, &ec);
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"textDocument/selectionRange\",\"params\":{\"textDocument\":{\"uri\":\"%s\"},\"positions\":[{\"line\":%d,\"character\":%d}]}}",
           uri, el, ec);
  cJSON *r = lc_wait_response(c, 7, TIMEOUT_MS);
  cr_assert(r);
  const cJSON *sel = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "result"), 0);
  cr_assert(sel, "no selection range");
  while (cJSON_GetObjectItemCaseSensitive(sel, "parent")) sel = cJSON_GetObjectItemCaseSensitive(sel, "parent");
  const cJSON *end = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sel, "range"), "end");
  cr_assert_eq((int)cJSON_GetObjectItemCaseSensitive(end, "line")->valuedouble, el);
  cr_assert_eq((int)cJSON_GetObjectItemCaseSensitive(end, "character")->valuedouble, ec);
  cJSON_Delete(r);
  for (int v = 1; v <= EDITS + 1; v++) free(versions[v]);
  free(versions);
  free(text);
  stop(c);
}

Test(server, random_bytes_end_cleanly, .timeout = 120) {
  lc_client *c = lc_spawn(NULL, NULL);
  cr_assert(c);
  tu_rng rng;
  tu_rng_seed(&rng, 42);
  size_t n = 1 << 20;
  char *junk = malloc(n);
  for (size_t i = 0; i < n; i++) junk[i] = (char)tu_rng_next(&rng);
  for (size_t off = 0; off < n;) {
    size_t k = 1 + tu_rng_below(&rng, 65536);
    if (off + k > n) k = n - off;
    if (lc_send_raw(c, junk + off, k) < 0) break;
    off += k;
    cJSON *m;
    while ((m = lc_recv(c, 0))) cJSON_Delete(m);
  }
  free(junk);
  lc_close_stdin(c);
  int st = lc_wait_exit(c, TIMEOUT_MS);
  cr_assert_eq(st, 1, "exit status %d (expected 1: no shutdown; >128 means a signal)", st);
  lc_destroy(c);
}

Test(server, truncated_message_then_eof, .timeout = 60) {
  lc_client *c = start(NULL);
  const char *part = "Content-Length: 100\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,";
  lc_send_raw(c, part, strlen(part));
  lc_close_stdin(c);
  int st = lc_wait_exit(c, TIMEOUT_MS);
  cr_assert_eq(st, 1, "exit status %d", st);
  lc_destroy(c);
}

/* A document large enough that its first parse takes far longer than the
** loop needs to process the next message (~5 MB at ~4 MB/s). */
static char *big_text(void) {
  const char *unit = "let rec f_long_name x = match x with | [] -> 0 | y :: ys -> y + f_long_name ys\n";
  size_t n = strlen(unit), count = (5u << 20) / n;
  char *t = malloc(n * count + 1);
  for (size_t i = 0; i < count; i++) memcpy(t + i * n, unit, n);
  t[n * count] = 0;
  return t;
}

static int error_code(const cJSON *r) {
  const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "error");
  return e ? (int)cJSON_GetObjectItemCaseSensitive(e, "code")->valuedouble : 0;
}

Test(server, cancel_request_answers_32800, .timeout = 120) {
  const char *args[] = {"--background-threads", "1", NULL};
  lc_client *c = start(args);
  char *t = big_text();
  lc_open(c, "file:///big.iml", t);
  free(t);
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"textDocument/documentSymbol\",\"params\":{\"textDocument\":{\"uri\":\"file:///big.iml\"}}}");
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"method\":\"$/cancelRequest\",\"params\":{\"id\":5}}");
  cJSON *r = lc_wait_response(c, 5, TIMEOUT_MS);
  cr_assert(r);
  cr_assert_eq(error_code(r), -32800);
  cJSON_Delete(r);
  /* Exactly one answer: nothing else with id 5 arrives later. */
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"textDocument/foldingRange\",\"params\":{\"textDocument\":{\"uri\":\"file:///big.iml\"}}}");
  for (;;) {
    cJSON *m = lc_recv(c, TIMEOUT_MS);
    cr_assert(m, "no answer to request 6");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
    cr_assert(!(cJSON_IsNumber(id) && id->valuedouble == 5), "request 5 answered twice");
    bool done = cJSON_IsNumber(id) && id->valuedouble == 6;
    if (done) cr_assert_eq(error_code(m), 0, "folding failed");
    cJSON_Delete(m);
    if (done) break;
  }
  stop(c);
}

Test(server, edit_makes_pending_request_content_modified, .timeout = 120) {
  const char *args[] = {"--background-threads", "1", NULL};
  lc_client *c = start(args);
  char *t = big_text();
  lc_open(c, "file:///big.iml", t);
  free(t);
  /* selectionRange holds positions of version 1: stale after the edit. */
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"textDocument/selectionRange\",\"params\":{\"textDocument\":{\"uri\":\"file:///big.iml\"},\"positions\":[{\"line\":0,\"character\":4}]}}");
  /* documentSymbol holds no position: recomputed on the new version. */
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"textDocument/documentSymbol\",\"params\":{\"textDocument\":{\"uri\":\"file:///big.iml\"}}}");
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\",\"params\":{\"textDocument\":{\"uri\":\"file:///big.iml\",\"version\":2},\"contentChanges\":[{\"text\":\"let x = (\\nlet only_symbol = 1\\n\"}]}}");
  /* Three messages arrive, in an order that depends on the threads. */
  cJSON *r5 = NULL, *r6 = NULL, *dg = NULL;
  while (!r5 || !r6 || !dg) {
    cJSON *m = lc_recv(c, TIMEOUT_MS);
    cr_assert(m, "missing: %s%s%s", r5 ? "" : "response 5 ", r6 ? "" : "response 6 ", dg ? "" : "diagnostics");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
    if (cJSON_IsNumber(id) && id->valuedouble == 5) { cr_assert(!r5, "5 answered twice"); r5 = m; }
    else if (cJSON_IsNumber(id) && id->valuedouble == 6) { cr_assert(!r6, "6 answered twice"); r6 = m; }
    else if (lc_is_diagnostics(m, NULL)) {
      /* The only diagnostics published are for version 2 (version 1 went
      ** stale before its parse finished). */
      const cJSON *p = cJSON_GetObjectItemCaseSensitive(m, "params");
      cr_assert_eq((int)cJSON_GetObjectItemCaseSensitive(p, "version")->valuedouble, 2);
      cr_assert_gt(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(p, "diagnostics")), 0);
      dg = m;
    } else cJSON_Delete(m);
  }
  cr_assert_eq(error_code(r5), -32801);
  cr_assert_eq(error_code(r6), 0);
  const cJSON *res = cJSON_GetObjectItemCaseSensitive(r6, "result");
  char *got = cJSON_PrintUnformatted(res);
  cr_assert(got && strstr(got, "\"only_symbol\"") && !strstr(got, "f_long_name"),
            "documentSymbol not recomputed on version 2: %.300s", got);
  free(got);
  cJSON_Delete(r5);
  cJSON_Delete(r6);
  cJSON_Delete(dg);
  stop(c);
}

Test(server, log_file_and_level, .timeout = 60) {
  char path[] = "/tmp/iml-log-XXXXXX";
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  close(fd);
  const char *args[] = {"--log-file", path, "--log-level", "debug", NULL};
  lc_client *c = start(args);
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"method\":\"$/unknownNotification\",\"params\":{}}");
  stop(c);
  size_t len = 0;
  char *log = tu_read_file(path, &len);
  cr_assert(log);
  cr_assert(strstr(log, "initialized"), "no info line in the log file:\n%s", log);
  cr_assert(strstr(log, "unknown notification ignored: $/unknownNotification"), "no debug line:\n%s", log);
  free(log);
  unlink(path);
  /* An unknown level is a usage error (exit 2), not a crash. */
  const char *bad[] = {"--log-level", "loud", NULL};
  lc_client *b = lc_spawn(bad, NULL);
  cr_assert_eq(lc_wait_exit(b, TIMEOUT_MS), 2);
  lc_destroy(b);
}

/* A document that would crash tree-sitter 0.20.7 gets one E0004 diagnostic;
** the server keeps serving (plain builds only: the probe child crashes on
** purpose, which a sanitizer would report). */
Test(server, parser_crashing_document_is_refused, .timeout = 120) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  cr_skip_test("the probe's deliberate crash would be reported by the sanitizer");
#endif
  lc_client *c = start(NULL);
  size_t n = 20000;
  const char *unit = "let x = [\n";
  char *t = malloc(strlen(unit) * n + 1);
  for (size_t i = 0; i < n; i++) memcpy(t + i * strlen(unit), unit, strlen(unit));
  t[strlen(unit) * n] = 0;
  lc_open(c, "file:///bad.iml", t);
  free(t);
  cJSON *d = lc_wait(c, TIMEOUT_MS, lc_is_diagnostics, NULL);
  cr_assert(d, "no diagnostics");
  const cJSON *diags = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(d, "params"), "diagnostics");
  cr_assert_eq(cJSON_GetArraySize(diags), 1);
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(diags, 0), "code")->valuestring, "E0004");
  cJSON_Delete(d);
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"textDocument/documentSymbol\",\"params\":{\"textDocument\":{\"uri\":\"file:///bad.iml\"}}}");
  cJSON *r = lc_wait_response(c, 3, TIMEOUT_MS);
  cr_assert(r);
  cr_assert_eq(error_code(r), 0);
  cJSON_Delete(r);
  stop(c);
}

/* Imports in the editor: a missing import is reported; creating the file on
** disk (workspace/didChangeWatchedFiles) clears it; deleting it brings it
** back; documentLink and definition lead to the imported file. */
static bool is_register(const cJSON *m, void *data) {
  const cJSON *method = cJSON_GetObjectItemCaseSensitive(m, "method");
  return cJSON_IsString(method) && !strcmp(method->valuestring, "client/registerCapability");
}

Test(server, imports_follow_the_disk, .timeout = 120) {
  char dir[] = "/tmp/iml-ws-XXXXXX";
  cr_assert(mkdtemp(dir));
  char a[256], b[256];
  snprintf(a, sizeof a, "%s/a.iml", dir);
  snprintf(b, sizeof b, "%s/b.iml", dir);
  const char *text = "[@@@import \"b.iml\"]\nlet a = B.x + 1\nopen B\n";
  FILE *f = fopen(a, "w");
  fputs(text, f);
  fclose(f);
  lc_client *c = lc_spawn(NULL, NULL);
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"capabilities\":{\"workspace\":"
              "{\"didChangeWatchedFiles\":{\"dynamicRegistration\":true}}},\"workspaceFolders\":[{\"uri\":\"file://%s\",\"name\":\"w\"}]}}",
           dir);
  cJSON *r = lc_wait_response(c, 0, TIMEOUT_MS);
  cr_assert(r);
  char *caps = cJSON_PrintUnformatted(r);
  cr_assert(strstr(caps, "\"documentLinkProvider\"") && strstr(caps, "\"definitionProvider\":true"), "%s", caps);
  free(caps);
  cJSON_Delete(r);
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"params\":{}}");
  cJSON *reg = lc_wait(c, TIMEOUT_MS, is_register, NULL);
  cr_assert(reg, "no client/registerCapability request");
  char *regs = cJSON_PrintUnformatted(reg);
  cr_assert(strstr(regs, "workspace/didChangeWatchedFiles") && strstr(regs, "**/*.iml"), "%s", regs);
  free(regs);
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"id\":\"iml-register-watchers\",\"result\":null}"); /* our answer to it */
  cJSON_Delete(reg);

  char uri[300];
  snprintf(uri, sizeof uri, "file://%s", a);
  lc_open(c, uri, text);
  cJSON *d = lc_wait(c, TIMEOUT_MS, lc_is_diagnostics, NULL);
  cr_assert(d && lc_diag_has_code(d, "E0101"), "no E0101 for the missing import");
  cJSON_Delete(d);

  f = fopen(b, "w");
  fputs("let x = 41\n", f);
  fclose(f);
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"method\":\"workspace/didChangeWatchedFiles\",\"params\":{\"changes\":[{\"uri\":\"file://%s\",\"type\":1}]}}", b);
  d = lc_wait(c, TIMEOUT_MS, lc_is_diagnostics, NULL);
  cr_assert(d);
  cr_assert(!lc_diag_has_code(d, "E0101"), "E0101 not cleared after the file was created");
  cJSON_Delete(d);

  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"textDocument/documentLink\",\"params\":{\"textDocument\":{\"uri\":\"%s\"}}}", uri);
  r = lc_wait_response(c, 1, TIMEOUT_MS);
  cr_assert(r);
  const cJSON *link = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "result"), 0);
  cr_assert(link, "no document link");
  char want[300];
  snprintf(want, sizeof want, "file://%s", b);
  char real_b[4096];
  cr_assert(realpath(b, real_b));
  char want_real[4200];
  snprintf(want_real, sizeof want_real, "file://%s", real_b);
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(link, "target")->valuestring, want_real);
  const cJSON *range = cJSON_GetObjectItemCaseSensitive(link, "range");
  cr_assert_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(range, "start"), "character")->valueint, 12);
  cJSON_Delete(r);

  /* Definition on the import string, on `B` in `B.x`, and in `open B`. */
  int lines[] = {0, 1, 2}, chars[] = {14, 8, 5};
  for (int k = 0; k < 3; k++) {
    lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"textDocument/definition\",\"params\":{\"textDocument\":{\"uri\":\"%s\"},\"position\":{\"line\":%d,\"character\":%d}}}",
             10 + k, uri, lines[k], chars[k]);
    r = lc_wait_response(c, 10 + k, TIMEOUT_MS);
    cr_assert(r);
    const cJSON *loc = cJSON_GetObjectItemCaseSensitive(r, "result");
    cr_assert(cJSON_IsObject(loc), "definition %d: no location", k);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(loc, "uri")->valuestring, want_real);
    cJSON_Delete(r);
  }
  /* Elsewhere: null. */
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"id\":13,\"method\":\"textDocument/definition\",\"params\":{\"textDocument\":{\"uri\":\"%s\"},\"position\":{\"line\":1,\"character\":14}}}", uri);
  r = lc_wait_response(c, 13, TIMEOUT_MS);
  cr_assert(r && cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "result")));
  cJSON_Delete(r);

  unlink(b);
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"method\":\"workspace/didChangeWatchedFiles\",\"params\":{\"changes\":[{\"uri\":\"%s\",\"type\":3}]}}", want);
  d = lc_wait(c, TIMEOUT_MS, lc_is_diagnostics, NULL);
  cr_assert(d && lc_diag_has_code(d, "E0101"), "E0101 not back after the file was deleted");
  cJSON_Delete(d);
  stop(c);
  unlink(a);
  rmdir(dir);
}
