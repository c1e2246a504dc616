/*
** test_e2e.c — replays JSON-RPC transcripts (test/e2e/NAME.t) against the real
** build/iml-lsp binary, like clangd's lit tests.
**
** Transcript lines:
**   # comment                 ignored (so are blank lines)
**   %% args A B …             extra server arguments (first line only)
**   --> {json}                send one framed message
**   ==> raw bytes             send raw bytes; C escapes \r \n \t \\ \xHH
**   <-- {pattern}             the NEXT message (window/logMessage skipped)
**                             must match the pattern
**   <~~ {pattern}             wait for a matching message, skipping others
**   %% close                  close the server's stdin
**   %% exit N                 the server must exit with status N
**   %% quiet MS              no message (other than logMessage) within MS ms
** Patterns match as subsets (objects), element-wise (arrays, same length),
** "$any" matches any value, and "text$any" any string starting with text. Each transcript is one parameterized test.
*/
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lspclient.h"
#include "testutil.h"

#define E2E_TIMEOUT_MS 15000

static bool e2e__not_log(const cJSON *m, void *data) {
  const cJSON *method = cJSON_GetObjectItemCaseSensitive(m, "method");
  return !(cJSON_IsString(method) && strcmp(method->valuestring, "window/logMessage") == 0);
}

static bool e2e__matches(const cJSON *m, void *data) {
  char where[512];
  return lc_match(data, m, where, sizeof where);
}

static size_t e2e__unescape(const char *s, char *out) {
  size_t n = 0;
  for (; *s; s++) {
    if (*s != '\\' || !s[1]) { out[n++] = *s; continue; }
    s++;
    switch (*s) {
    case 'r': out[n++] = '\r'; break;
    case 'n': out[n++] = '\n'; break;
    case 't': out[n++] = '\t'; break;
    case 'x': {
      char hex[3] = {s[1], s[1] ? s[2] : 0, 0};
      out[n++] = (char)strtol(hex, NULL, 16);
      s += 2;
      break;
    }
    default: out[n++] = *s;
    }
  }
  return n;
}

static void e2e__run(const char *path) {
  size_t len;
  char *text = tu_read_file(path, &len);
  cr_assert(text, "cannot read %s", path);
  /* "%% args" may follow the leading comments: spawn at the first action. */
  const char *args[16] = {0};
  int nargs = 0;
  char *argbuf = NULL;
  char errpath[] = "/tmp/iml-e2e-stderr-XXXXXX";
  int efd = mkstemp(errpath);
  close(efd);
  lc_client *c = NULL;
  int lineno = 0;
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    lineno++;
    if (!*line || line[0] == '#') continue;
    if (strncmp(line, "%% args ", 8) == 0) {
      cr_assert(!c && !argbuf, "%s:%d: %%%% args must come before any action", path, lineno);
      argbuf = strdup(line + 8);
      for (char *tok = strtok(argbuf, " "); tok && nargs < 15; tok = strtok(NULL, " ")) args[nargs++] = tok;
      continue;
    }
    if (!c) {
      c = lc_spawn(args, errpath);
      cr_assert(c, "cannot spawn the server");
    }
    if (strncmp(line, "--> ", 4) == 0) {
      cJSON *m = cJSON_Parse(line + 4);
      cr_assert(m, "%s:%d: invalid JSON in -->", path, lineno);
      lc_send(c, m);
      cJSON_Delete(m);
    } else if (strncmp(line, "==> ", 4) == 0) {
      char *raw = malloc(strlen(line));
      size_t n = e2e__unescape(line + 4, raw);
      lc_send_raw(c, raw, n);
      free(raw);
    } else if (strncmp(line, "<-- ", 4) == 0 || strncmp(line, "<~~ ", 4) == 0) {
      cJSON *pat = cJSON_Parse(line + 4);
      cr_assert(pat, "%s:%d: invalid JSON pattern", path, lineno);
      cJSON *m = line[1] == '-' ? lc_wait(c, E2E_TIMEOUT_MS, e2e__not_log, NULL)
                                : lc_wait(c, E2E_TIMEOUT_MS, e2e__matches, pat);
      cr_assert(m, "%s:%d: no matching message before the timeout (server stderr: %s)", path, lineno, errpath);
      char where[512] = "";
      bool ok = lc_match(pat, m, where, sizeof where);
      char *got = cJSON_PrintUnformatted(m);
      cr_assert(ok, "%s:%d: message does not match at %s\n  got: %.2000s", path, lineno, where, got);
      free(got);
      cJSON_Delete(m);
      cJSON_Delete(pat);
    } else if (strcmp(line, "%% close") == 0) {
      lc_close_stdin(c);
    } else if (strncmp(line, "%% exit ", 8) == 0) {
      int want = atoi(line + 8);
      int got = lc_wait_exit(c, E2E_TIMEOUT_MS);
      cr_assert_eq(got, want, "%s:%d: exit status %d, expected %d (server stderr: %s)", path, lineno, got, want, errpath);
    } else if (strncmp(line, "%% quiet ", 9) == 0) {
      cJSON *m = lc_wait(c, atoi(line + 9), e2e__not_log, NULL);
      char *got = m ? cJSON_PrintUnformatted(m) : NULL;
      cr_assert(!m, "%s:%d: unexpected message: %.2000s", path, lineno, got);
    } else {
      cr_assert(0, "%s:%d: unknown transcript line: %s", path, lineno, line);
    }
  }
  if (c) lc_destroy(c);
  unlink(errpath);
  free(argbuf);
  free(text);
}

ParameterizedTestParameters(e2e, transcript) {
  glob_t g;
  char *pat = tu_source_path("test/e2e/*.t");
  size_t n = 0;
  char **params = NULL;
  if (glob(pat, 0, NULL, &g) == 0) {
    n = g.gl_pathc;
    params = cr_malloc(n * sizeof *params);
    for (size_t i = 0; i < n; i++) {
      params[i] = cr_malloc(strlen(g.gl_pathv[i]) + 1);
      strcpy(params[i], g.gl_pathv[i]);
    }
    globfree(&g);
  }
  free(pat);
  return cr_make_param_array(char *, params, n, NULL);
}

ParameterizedTest(char **path, e2e, transcript, .timeout = 120) {
  e2e__run(*path);
}
