/*
** prelude.c — see prelude.h. The text comes from the generated
** prelude_text.c (CMake, from analysis/prelude.iml).
*/
#include "prelude.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "snapshot.h"
#include "typeck.h"

extern const char iml_prelude_text[];
extern const size_t iml_prelude_len;

static pthread_once_t prelude__once = PTHREAD_ONCE_INIT;
static sig *prelude__sig;
static diag_list prelude__diags;

const char *prelude_text(size_t *len) {
  if (len) *len = iml_prelude_len;
  return iml_prelude_text;
}

static void prelude__build(void) {
  char *text = malloc(iml_prelude_len + 1);
  TSParser *parser = snap_thread_parser();
  if (!text || !parser) { free(text); return; }
  memcpy(text, iml_prelude_text, iml_prelude_len);
  text[iml_prelude_len] = 0;
  snap *sn = snap_build("prelude.iml", 0, text, iml_prelude_len, NULL, parser, NULL);
  const ast_file *ast = sn ? snap_ast(sn) : NULL;
  if (!ast) { snap_release(sn); return; }
  /* The prelude declares builtins with `external` (E0206 elsewhere). */
  const diag_list *sd = snap_diagnostics(sn);
  for (size_t i = 0; i < sd->count; i++) {
    if (strcmp(sd->items[i].code, "E0206") == 0) continue;
    diag_list one = {&sd->items[i], 1, 1};
    diag_list_append_copy(&prelude__diags, &one);
  }
  tc_options opt = {.path = "", .text = snap_text(sn), .len = snap_len(sn), .modname = "", .is_prelude = true};
  tc_result res;
  if (tc_check(ast, &opt, &res) == 0) {
    prelude__sig = sig_retain(res.sig);
    diag_list_append_copy(&prelude__diags, &res.diags);
  }
  tc_result_clear(&res);
  snap_release(sn);
}

const sig *prelude_sig(void) {
  pthread_once(&prelude__once, prelude__build);
  return prelude__sig;
}

const diag_list *prelude_diagnostics(void) {
  pthread_once(&prelude__once, prelude__build);
  return &prelude__diags;
}
