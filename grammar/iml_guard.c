/*
** iml_guard.c — see iml_guard.h.
**
** DESIGN: imlg_probe_parse runs on a background-pool thread. It forks; the
** child (one thread, a copy-on-write image of the parent) creates its own
** parser, parses the view and leaves with _exit (no atexit handlers, no
** stdio flushing, no destructors of the parent's objects). The parent polls
** waitpid every 2 ms so it can honour cancellation by killing the child; it
** holds no lock while waiting.
*/
#define _GNU_SOURCE
#include "iml_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "iml_grammar.h"

static bool imlg__word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '\'' || c >= 0x80;
}

size_t imlg_token_estimate(const char *view, size_t len) {
  size_t n = 0;
  bool in_word = false;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)view[i];
    if (imlg__word_byte(c)) {
      if (!in_word) n++;
      in_word = true;
    } else {
      in_word = false;
      if (c != ' ' && c != '\n' && c != '\t' && c != '\r') n++;
    }
  }
  return n;
}

imlg_probe_result imlg_probe_parse(const char *view, size_t len, const size_t *cancel) {
  pid_t pid = fork();
  if (pid < 0) return IMLG_PROBE_FAILED;
  if (pid == 0) {
    /* The crash is expected: keep glibc's "invalid pointer" off the log. */
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, 2);
    TSParser *p = ts_parser_new();
    if (!p || !ts_parser_set_language(p, imlg_language())) _exit(3);
    TSTree *t = ts_parser_parse_string(p, NULL, view, (uint32_t)len);
    if (!t) _exit(3);
    ts_tree_delete(t); /* the corruption shows up here at the latest */
    ts_parser_delete(p);
    _exit(0);
  }
  const struct timespec tick = {0, 2 * 1000 * 1000};
  for (;;) {
    int st;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return IMLG_PROBE_OK;
      if (WIFEXITED(st) && WEXITSTATUS(st) == 3) return IMLG_PROBE_FAILED; /* child OOM */
      return IMLG_PROBE_CRASHED;
    }
    if (r < 0 && errno != EINTR) return IMLG_PROBE_FAILED;
    if (cancel && atomic_load((_Atomic size_t *)cancel)) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
      return IMLG_PROBE_CANCELLED;
    }
    nanosleep(&tick, NULL);
  }
}
