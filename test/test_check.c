/*
** test_check.c — the headless checker as a user runs it: `iml-lsp check`
** spawned as a process; golden text and JSON outputs, SARIF parsed back and
** validated, colour, exit statuses.
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "testutil.h"

typedef struct {
  int status;
  char *out, *err;
} run_result;

/* Run `iml-lsp check ARGS` from the source directory (so paths in the
** output are stable), capturing stdout and stderr. */
static run_result run_check(const char *args, const char *env) {
  char out[] = "/tmp/iml-check-out-XXXXXX", err[] = "/tmp/iml-check-err-XXXXXX";
  close(mkstemp(out));
  close(mkstemp(err));
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "cd '%s' && %s '%s' check %s >%s 2>%s", IML_SOURCE_DIR, env ? env : "", IML_BINARY, args,
           out, err);
  int st = system(cmd);
  run_result r = {WIFEXITED(st) ? WEXITSTATUS(st) : -1, tu_read_file(out, NULL), tu_read_file(err, NULL)};
  unlink(out);
  unlink(err);
  cr_assert(r.out && r.err);
  return r;
}

static void free_result(run_result *r) {
  free(r->out);
  free(r->err);
}

static char *golden(const char *name) {
  char *p = tu_source_path(name);
  char *g = tu_read_file(p, NULL);
  free(p);
  cr_assert(g, "missing golden file %s", name);
  return g;
}

Test(check, text_output_matches_golden) {
  run_result r = run_check("--color never test/data/check", NULL);
  char *want = golden("test/data/check/expected.txt");
  cr_assert_str_eq(r.out, want);
  cr_assert_eq(r.status, 1);
  cr_assert(strstr(r.err, "checked 2 files: 2 errors, 0 warnings"), "summary: %s", r.err);
  free(want);
  free_result(&r);
}

Test(check, json_output_matches_golden_and_parses) {
  run_result r = run_check("--format json test/data/check", NULL);
  char *want = golden("test/data/check/expected.json");
  cr_assert_str_eq(r.out, want);
  cJSON *doc = cJSON_Parse(r.out);
  cr_assert(doc);
  cJSON *diags = cJSON_GetObjectItemCaseSensitive(doc, "diagnostics");
  cr_assert_eq(cJSON_GetArraySize(diags), 2);
  cJSON *first = cJSON_GetArrayItem(diags, 0);
  cr_assert_eq(cJSON_GetObjectItemCaseSensitive(first, "column")->valueint, 16); /* code points, not bytes */
  cr_assert_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "summary"), "errors")->valueint, 2);
  cJSON_Delete(doc);
  free(want);
  free_result(&r);
}

Test(check, sarif_is_valid_2_1_0) {
  run_result r = run_check("--format sarif test/data/check", NULL);
  cr_assert_eq(r.status, 1);
  cJSON *doc = cJSON_Parse(r.out);
  cr_assert(doc, "SARIF output is not JSON");
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(doc, "version")->valuestring, "2.1.0");
  cJSON *runs = cJSON_GetObjectItemCaseSensitive(doc, "runs");
  cr_assert_eq(cJSON_GetArraySize(runs), 1);
  cJSON *run = cJSON_GetArrayItem(runs, 0);
  cJSON *driver = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(run, "tool"), "driver");
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(driver, "name")->valuestring, "iml-lsp");
  cJSON *rules = cJSON_GetObjectItemCaseSensitive(driver, "rules");
  cJSON *results = cJSON_GetObjectItemCaseSensitive(run, "results");
  cr_assert_eq(cJSON_GetArraySize(results), 2);
  cJSON *res;
  cJSON_ArrayForEach(res, results) {
    const char *rule = cJSON_GetObjectItemCaseSensitive(res, "ruleId")->valuestring;
    bool declared = false;
    cJSON *ru;
    cJSON_ArrayForEach(ru, rules) declared |= !strcmp(cJSON_GetObjectItemCaseSensitive(ru, "id")->valuestring, rule);
    cr_assert(declared, "rule %s not declared in tool.driver.rules", rule);
    const char *level = cJSON_GetObjectItemCaseSensitive(res, "level")->valuestring;
    cr_assert(!strcmp(level, "error") || !strcmp(level, "warning") || !strcmp(level, "note"));
    cr_assert(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(res, "message"), "text"));
    cJSON *phys = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(res, "locations"), 0),
                                                   "physicalLocation");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(phys, "artifactLocation"), "uri")->valuestring,
                     "test/data/check/bad.iml");
    cJSON *region = cJSON_GetObjectItemCaseSensitive(phys, "region");
    cr_assert_geq(cJSON_GetObjectItemCaseSensitive(region, "startLine")->valueint, 1);
    cr_assert_geq(cJSON_GetObjectItemCaseSensitive(region, "startColumn")->valueint, 1);
  }
  cJSON_Delete(doc);
  free_result(&r);
}

Test(check, color) {
  run_result r = run_check("--color always test/data/check/bad.iml", NULL);
  cr_assert(strstr(r.out, "\033["), "no colour with --color always");
  free_result(&r);
  /* auto: stdout is a file here, so no colour; NO_COLOR also disables it. */
  r = run_check("test/data/check/bad.iml", "NO_COLOR=1");
  cr_assert(!strchr(r.out, '\033'));
  free_result(&r);
}

Test(check, exit_statuses) {
  run_result r = run_check("test/data/check/ok.iml", NULL);
  cr_assert_eq(r.status, 0, "clean file: %s", r.out);
  cr_assert_str_eq(r.out, "");
  free_result(&r);
  r = run_check("test/data/check/bad.iml", NULL);
  cr_assert_eq(r.status, 1);
  free_result(&r);
  const char *usage[] = {"", "--bogus test/data/check", "-j 0 test/data/check", "--format xml test/data/check",
                         "--color sometimes test/data/check", "test/data/check/does-not-exist.iml"};
  for (size_t i = 0; i < sizeof usage / sizeof *usage; i++) {
    r = run_check(usage[i], NULL);
    cr_assert_eq(r.status, 2, "`check %s` exited %d", usage[i], r.status);
    cr_assert(strlen(r.err) > 0, "`check %s` printed no error", usage[i]);
    free_result(&r);
  }
}

/* The import closure is checked, import diagnostics are reported where the
** import is written, and -I adds include roots in order. */
Test(check, imports_closure_and_include_roots) {
  run_result r = run_check("--format json test/data/imports/proj/main.iml", NULL);
  cr_assert_eq(r.status, 1);
  cJSON *doc = cJSON_Parse(r.out);
  cr_assert(doc);
  int not_found = 0, self = 0, dup = 0, lib = 0;
  cJSON *d;
  cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(doc, "diagnostics")) {
    const char *code = cJSON_GetObjectItemCaseSensitive(d, "code")->valuestring;
    not_found += !strcmp(code, "E0101");
    self += !strcmp(code, "E0102");
    dup += !strcmp(code, "E0103");
    lib += !strcmp(code, "W0105");
  }
  cr_assert_eq(self, 1);
  cr_assert_eq(dup, 1);
  cr_assert_eq(lib, 1);
  cJSON_Delete(doc);
  free_result(&r);
  /* With the include root, only1.iml resolves: one "not found" fewer. */
  r = run_check("--format json -I test/data/imports/inc1 test/data/imports/proj/main.iml", NULL);
  doc = cJSON_Parse(r.out);
  cr_assert(doc);
  int not_found_inc = 0;
  cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(doc, "diagnostics"))
    not_found_inc += !strcmp(cJSON_GetObjectItemCaseSensitive(d, "code")->valuestring, "E0101");
  cr_assert_eq(not_found_inc, not_found - 1, "%d vs %d", not_found_inc, not_found);
  cr_assert(strstr(r.err, "checked "), "no summary");
  cJSON_Delete(doc);
  free_result(&r);
  r = run_check("-I does/not/exist test/data/check", NULL);
  cr_assert_eq(r.status, 2);
  free_result(&r);
}

/* --trace writes Chrome trace-event JSON: one parse span per file of the
** closure, on pool threads named "iml-check", plus thread-name metadata. */
Test(check, trace_file) {
  char path[] = "/tmp/iml-trace-XXXXXX";
  close(mkstemp(path));
  char args[256];
  snprintf(args, sizeof args, "--trace %s -j2 examples/main.iml", path);
  run_result r = run_check(args, NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  free_result(&r);
  char *text = tu_read_file(path, NULL);
  unlink(path);
  cJSON *doc = cJSON_Parse(text);
  free(text);
  cr_assert(doc, "trace is not JSON");
  int parses = 0, named = 0;
  double pool_tid = -1;
  cJSON *e;
  cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(doc, "traceEvents")) {
    const char *ph = cJSON_GetObjectItemCaseSensitive(e, "ph")->valuestring;
    const char *name = cJSON_GetObjectItemCaseSensitive(e, "name")->valuestring;
    if (!strcmp(ph, "M") && !strcmp(name, "thread_name")) {
      const char *tn = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(e, "args"), "name")->valuestring;
      if (!strcmp(tn, "iml-check")) { named++; pool_tid = cJSON_GetObjectItemCaseSensitive(e, "tid")->valuedouble; }
    } else if (!strcmp(ph, "X") && !strcmp(name, "parse")) {
      parses++;
      cr_assert(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(e, "args"), "file"), "span without file");
      cr_assert(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(e, "ts")) && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(e, "dur")));
    }
  }
  cr_assert_eq(parses, 5, "main.iml's closure has 5 files, %d parse spans", parses);
  cr_assert_geq(named, 1);
  cr_assert_geq(pool_tid, 0);
  cJSON_Delete(doc);
}
