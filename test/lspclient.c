/* lspclient.c — see lspclient.h. */
#define _GNU_SOURCE
#include "lspclient.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"

#ifndef IML_BINARY
#define IML_BINARY "build/iml-lsp"
#endif

typedef struct lc_node { cJSON *msg; struct lc_node *next; } lc_node;

struct lc_client {
  pid_t pid;
  int to, from;
  tr_reader *reader;
  lc_node *head, *tail;
  bool eof;
  int status; /* once reaped */
  bool reaped;
};

lc_client *lc_spawn(const char *const *args, const char *stderr_path) {
  int in[2], out[2];
  if (pipe(in) < 0 || pipe(out) < 0) return NULL;
  pid_t pid = fork();
  if (pid < 0) return NULL;
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    int e = open(stderr_path ? stderr_path : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (e >= 0) dup2(e, 2);
    close(in[0]); close(in[1]); close(out[0]); close(out[1]);
    const char *argv[32];
    int n = 0;
    argv[n++] = IML_BINARY;
    for (int i = 0; args && args[i] && n < 30; i++) argv[n++] = args[i];
    argv[n] = NULL;
    execv(IML_BINARY, (char *const *)argv);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  lc_client *c = calloc(1, sizeof *c);
  c->pid = pid;
  c->to = in[1];
  c->from = out[0];
  c->reader = tr_reader_create((size_t)1 << 30);
  signal(SIGPIPE, SIG_IGN);
  return c;
}

int lc_send_raw(lc_client *c, const char *bytes, size_t len) {
  while (len) {
    ssize_t n = write(c->to, bytes, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    bytes += n;
    len -= (size_t)n;
  }
  return 0;
}

int lc_send_body(lc_client *c, const char *body, size_t len) {
  size_t flen;
  char *f = tr_frame(body, len, &flen);
  int rc = lc_send_raw(c, f, flen);
  free(f);
  return rc;
}

int lc_send(lc_client *c, const cJSON *msg) {
  char *s = cJSON_PrintUnformatted(msg);
  int rc = lc_send_body(c, s, strlen(s));
  free(s);
  return rc;
}

int lc_sendf(lc_client *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = NULL;
  int n = vasprintf(&s, fmt, ap);
  va_end(ap);
  if (n < 0) return -1;
  int rc = lc_send_body(c, s, (size_t)n);
  free(s);
  return rc;
}

static void lc__on_frame(tr_event ev, const char *body, size_t len, const char *detail, void *data) {
  lc_client *c = data;
  if (ev != TR_EV_MESSAGE) {
    fprintf(stderr, "lspclient: server sent a bad frame: %s\n", detail ? detail : "?");
    return;
  }
  cJSON *m = cJSON_ParseWithLength(body, len);
  if (!m) {
    fprintf(stderr, "lspclient: server sent invalid JSON: %.*s\n", (int)(len > 200 ? 200 : len), body);
    return;
  }
  lc_node *n = calloc(1, sizeof *n);
  n->msg = m;
  if (c->tail) c->tail->next = n; else c->head = n;
  c->tail = n;
}

static long long lc__now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

cJSON *lc_recv(lc_client *c, int timeout_ms) {
  long long deadline = lc__now_ms() + timeout_ms;
  while (!c->head && !c->eof) {
    long long left = deadline - lc__now_ms();
    if (left <= 0) break;
    struct pollfd p = {c->from, POLLIN, 0};
    int r = poll(&p, 1, (int)left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    char buf[65536];
    ssize_t n = read(c->from, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) { c->eof = true; break; }
    tr_reader_feed(c->reader, buf, (size_t)n, lc__on_frame, c);
  }
  if (!c->head) return NULL;
  lc_node *n = c->head;
  c->head = n->next;
  if (!c->head) c->tail = NULL;
  cJSON *m = n->msg;
  free(n);
  return m;
}

cJSON *lc_wait(lc_client *c, int timeout_ms, bool (*match)(const cJSON *m, void *data), void *data) {
  long long deadline = lc__now_ms() + timeout_ms;
  for (;;) {
    long long left = deadline - lc__now_ms();
    if (left < 0) left = 0;
    cJSON *m = lc_recv(c, (int)left);
    if (!m) return NULL;
    if (match(m, data)) return m;
    cJSON_Delete(m);
  }
}

static bool lc__is_response(const cJSON *m, void *data) {
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
  return cJSON_IsNumber(id) && !cJSON_GetObjectItemCaseSensitive(m, "method") &&
         (int)id->valuedouble == *(int *)data;
}

cJSON *lc_wait_response(lc_client *c, int id, int timeout_ms) {
  return lc_wait(c, timeout_ms, lc__is_response, &id);
}

void lc_close_stdin(lc_client *c) {
  if (c->to >= 0) close(c->to);
  c->to = -1;
}

int lc_wait_exit(lc_client *c, int timeout_ms) {
  if (c->reaped) return c->status;
  long long deadline = lc__now_ms() + timeout_ms;
  for (;;) {
    int st;
    pid_t r = waitpid(c->pid, &st, WNOHANG);
    if (r == c->pid) {
      c->reaped = true;
      c->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      return c->status;
    }
    if (lc__now_ms() > deadline) return -1;
    /* Keep draining stdout so the server never blocks writing. */
    cJSON *m = lc_recv(c, 10);
    cJSON_Delete(m);
  }
}

void lc_destroy(lc_client *c) {
  if (!c) return;
  lc_close_stdin(c);
  if (!c->reaped) {
    if (lc_wait_exit(c, 5000) < 0) {
      kill(c->pid, SIGKILL);
      waitpid(c->pid, NULL, 0);
    }
  }
  close(c->from);
  tr_reader_destroy(c->reader);
  while (c->head) {
    lc_node *n = c->head;
    c->head = n->next;
    cJSON_Delete(n->msg);
    free(n);
  }
  free(c);
}

bool lc_match(const cJSON *pattern, const cJSON *value, char *where, size_t where_len) {
  if (cJSON_IsString(pattern) && strcmp(pattern->valuestring, "$any") == 0) return value != NULL;
  /* "prefix$any" matches any string starting with prefix. */
  if (cJSON_IsString(pattern) && cJSON_IsString(value)) {
    size_t pl = strlen(pattern->valuestring);
    if (pl > 4 && strcmp(pattern->valuestring + pl - 4, "$any") == 0) {
      if (strncmp(pattern->valuestring, value->valuestring, pl - 4) == 0) return true;
      snprintf(where, where_len, " = \"%.200s\" (expected prefix \"%.*s\")", value->valuestring, (int)(pl - 4),
               pattern->valuestring);
      return false;
    }
  }
  if (!value) { snprintf(where, where_len, "missing"); return false; }
  if (cJSON_IsObject(pattern)) {
    if (!cJSON_IsObject(value)) { snprintf(where, where_len, "not an object"); return false; }
    for (const cJSON *k = pattern->child; k; k = k->next) {
      char sub[512] = "";
      if (!lc_match(k, cJSON_GetObjectItemCaseSensitive(value, k->string), sub, sizeof sub)) {
        snprintf(where, where_len, ".%s%s", k->string, sub);
        return false;
      }
    }
    return true;
  }
  if (cJSON_IsArray(pattern)) {
    if (!cJSON_IsArray(value) || cJSON_GetArraySize(value) != cJSON_GetArraySize(pattern)) {
      snprintf(where, where_len, " (array length %d, expected %d)", cJSON_IsArray(value) ? cJSON_GetArraySize(value) : -1,
               cJSON_GetArraySize(pattern));
      return false;
    }
    int i = 0;
    for (const cJSON *p = pattern->child, *v = value->child; p; p = p->next, v = v->next, i++) {
      char sub[512] = "";
      if (!lc_match(p, v, sub, sizeof sub)) {
        snprintf(where, where_len, "[%d]%s", i, sub);
        return false;
      }
    }
    return true;
  }
  if (cJSON_IsNumber(pattern))
    if (cJSON_IsNumber(value) && fabs(pattern->valuedouble - value->valuedouble) < 1e-9) return true;
  if (cJSON_Compare(pattern, value, 1)) return true;
  char *v = cJSON_PrintUnformatted(value);
  snprintf(where, where_len, " = %.200s", v ? v : "?");
  free(v);
  return false;
}

int lc_open(lc_client *c, const char *uri, const char *text) {
  cJSON *m = cJSON_CreateObject();
  cJSON_AddStringToObject(m, "jsonrpc", "2.0");
  cJSON_AddStringToObject(m, "method", "textDocument/didOpen");
  cJSON *td = cJSON_AddObjectToObject(cJSON_AddObjectToObject(m, "params"), "textDocument");
  cJSON_AddStringToObject(td, "uri", uri);
  cJSON_AddStringToObject(td, "languageId", "iml");
  cJSON_AddNumberToObject(td, "version", 1);
  cJSON_AddStringToObject(td, "text", text);
  int rc = lc_send(c, m);
  cJSON_Delete(m);
  return rc;
}

bool lc_is_diagnostics(const cJSON *m, void *data) {
  const cJSON *method = cJSON_GetObjectItemCaseSensitive(m, "method");
  if (!cJSON_IsString(method) || strcmp(method->valuestring, "textDocument/publishDiagnostics") != 0) return false;
  if (!data) return true;
  const cJSON *uri = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(m, "params"), "uri");
  return cJSON_IsString(uri) && strcmp(uri->valuestring, (const char *)data) == 0;
}

bool lc_diag_has_code(const cJSON *m, const char *code) {
  const cJSON *d;
  cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(m, "params"), "diagnostics")) {
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(d, "code");
    if (cJSON_IsString(c) && !strcmp(c->valuestring, code)) return true;
  }
  return false;
}

lc_client *lc_start(const char *const *args, const char *stderr_path, const char *init_params) {
  lc_client *c = lc_spawn(args, stderr_path);
  if (!c) return NULL;
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":%s}",
           init_params ? init_params : "{\"capabilities\":{}}");
  cJSON *r = lc_wait_response(c, 0, 30000);
  if (!r) { lc_destroy(c); return NULL; }
  cJSON_Delete(r);
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"params\":{}}");
  return c;
}

int lc_shutdown(lc_client *c, int timeout_ms) {
  lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"id\":999999,\"method\":\"shutdown\"}");
  cJSON *r = lc_wait_response(c, 999999, timeout_ms);
  int status = -1;
  if (r) {
    cJSON_Delete(r);
    lc_sendf(c, "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}");
    status = lc_wait_exit(c, timeout_ms);
  }
  lc_destroy(c);
  return status;
}

int lc_change(lc_client *c, const char *uri, int version, int l1, int c1, int l2, int c2, const char *text) {
  cJSON *m = cJSON_CreateObject();
  cJSON_AddStringToObject(m, "jsonrpc", "2.0");
  cJSON_AddStringToObject(m, "method", "textDocument/didChange");
  cJSON *p = cJSON_AddObjectToObject(m, "params");
  cJSON *td = cJSON_AddObjectToObject(p, "textDocument");
  cJSON_AddStringToObject(td, "uri", uri);
  cJSON_AddNumberToObject(td, "version", version);
  cJSON *ch = cJSON_CreateObject();
  if (l1 >= 0) {
    cJSON *range = cJSON_AddObjectToObject(ch, "range");
    cJSON *st = cJSON_AddObjectToObject(range, "start");
    cJSON_AddNumberToObject(st, "line", l1);
    cJSON_AddNumberToObject(st, "character", c1);
    cJSON *en = cJSON_AddObjectToObject(range, "end");
    cJSON_AddNumberToObject(en, "line", l2);
    cJSON_AddNumberToObject(en, "character", c2);
  }
  cJSON_AddStringToObject(ch, "text", text);
  cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "contentChanges"), ch);
  int rc = lc_send(c, m);
  cJSON_Delete(m);
  return rc;
}
