/*
** server.c — the language server's loop thread: stdio, lifecycle, documents,
** request dispatch.
**
** DESIGN
** Threads:
**   - loop thread (the caller of server_run): reads stdin (ev_io), frames and
**     parses JSON-RPC, owns `srv` and everything in it (document store,
**     pending-request list, output buffer), writes stdout (ev_io when the pipe
**     is full), drains the outbound queue on ev_async wake-ups.
**   - background pool: parse, load and re-check tasks (docsync.c).
**   - query pool: one task per request (query_task); diagnostics
**     serialisation (docsync.c).
** Pool threads never touch `srv` fields except the immutable-after-init ones
** (`enc`, pools, `q`) — they only post to the outbound queue `q`.
** Locks: none in this file; the outbound queue, pools, switches and promises
** have their own. Nothing here ever blocks on a pool.
**
** Requests: each pending request is a `req` in the loop-owned list
** `s->pending`. It is answered exactly once, on the loop thread, by whichever
** comes first: the query task's result (posted as a call), $/cancelRequest
** (-32800), an edit of its document, or exit. Work on a request is an
** `attempt` bound to one document version: its switch is a child of that
** version's switch, it waits for the version's snapshot promise, runs on the
** query pool and posts its outcome tagged with the attempt's generation. An
** edit either starts a new attempt on the new version (position-free
** requests such as documentSymbol: cheap and idempotent) or answers -32801
** ContentModified; outcomes of outdated attempts are ignored. `req` is
** reference counted (the list and each attempt hold one); its fields are
** immutable except the loop-only ones marked below.
**
** Documents: every change turns the version's switch off and hands the
** document to docsync.c, which parses the new text on the background pool,
** keeps the workspace (import closures, cycles, importers) and publishes
** diagnostics GUARDED by that switch; since only the loop thread turns
** document switches off, a stale publishDiagnostics is never written.
** The state shared with docsync.c is `srv` (srv.h).
*/
#include "server.h"
#include "srv.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "docstore.h"
#include "docsync.h"
#include "handlers.h"
#include "log.h"
#include "lspjson.h"
#include "outq.h"
#include "pool.h"
#include "promise.h"
#include "snapshot.h"
#include "switch.h"
#include "transport.h"
#include "typeck.h"
#include "uri.h"

#define RPC_PARSE_ERROR -32700
#define RPC_INVALID_REQUEST -32600
#define RPC_METHOD_NOT_FOUND -32601
#define RPC_INVALID_PARAMS -32602
#define RPC_INTERNAL_ERROR -32603
#define RPC_SERVER_NOT_INITIALIZED -32002
#define LSP_REQUEST_CANCELLED -32800
#define LSP_CONTENT_MODIFIED -32801


typedef struct req {
  _Atomic int refs;
  srv *s;
  /* Immutable after creation (read by pool threads): */
  cJSON *id;            /* owned */
  char *method;         /* owned */
  cJSON *params;        /* owned */
  char *uri;            /* owned */
  hd_query_fn fn;
  bool retry_on_edit;   /* position-free and idempotent: recompute on the new version */
  bool needs_types;     /* waits for the version's type check (hover, definition, …) */
  tc_ctx **ws;          /* references: retained contexts of every checked file */
  size_t nws;
  /* Loop thread only: */
  unsigned gen;         /* current attempt; outcomes of older attempts are ignored */
  sw_switch *sw;        /* owned reference: the current attempt's switch */
  bool answered;
  double t_start;       /* monotonic seconds, for the debug log */
  struct req *prev, *next; /* pending list */
} req;

/* One attempt at answering a request against one document version. Owned by
** whoever currently drives it (promise callback -> query task -> posted
** outcome); never shared between threads at the same time. */
typedef struct attempt {
  req *r;               /* owned reference */
  unsigned gen;
  sw_switch *sw;        /* owned reference */
  snap *snapshot;       /* owned reference once the version is parsed */
  tc_ctx *tc;           /* owned reference once checked (requests that need types) */
} attempt;



/* ------------------------------------------------------------------------ */
/* Output (loop thread).                                                     */

static void srv__flush(srv *s) {
  while (s->out_off < s->out_len && !s->out_broken) {
    ssize_t n = write(s->out_fd, s->out + s->out_off, s->out_len - s->out_off);
    if (n > 0) {
      s->out_off += (size_t)n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!ev_is_active(&s->wr)) ev_io_start(s->loop, &s->wr);
      return;
    } else {
      log_error("stdout write failed (%s); dropping output", strerror(errno));
      s->out_broken = true;
    }
  }
  s->out_len = s->out_off = 0;
  if (ev_is_active(&s->wr)) ev_io_stop(s->loop, &s->wr);
}

/* Frame straight into the output buffer (one copy of the body). */
void srv_write_body(srv *s, const char *body, size_t len) {
  if (s->out_broken) return;
  char header[64];
  int hl = snprintf(header, sizeof header, "Content-Length: %zu\r\n\r\n", len);
  size_t flen = (size_t)hl + len;
  if (s->out_len + flen > s->out_cap) {
    size_t cap = s->out_cap ? s->out_cap : 65536;
    while (cap < s->out_len + flen) cap *= 2;
    char *nb = realloc(s->out, cap);
    if (!nb) { log_error("out of memory buffering output"); return; }
    s->out = nb;
    s->out_cap = cap;
  }
  memcpy(s->out + s->out_len, header, (size_t)hl);
  memcpy(s->out + s->out_len + hl, body, len);
  s->out_len += flen;
  srv__flush(s);
}

static void srv__write_json(srv *s, cJSON *msg) {
  char *body = lj_print(msg);
  cJSON_Delete(msg);
  if (!body) { log_error("out of memory serialising a message"); return; }
  srv_write_body(s, body, strlen(body));
  free(body);
}

static cJSON *srv__envelope(void) {
  cJSON *m = cJSON_CreateObject();
  cJSON_AddStringToObject(m, "jsonrpc", "2.0");
  return m;
}

/* `id` borrowed (duplicated); NULL means JSON null. `result` taken. */
static void srv__respond(srv *s, const cJSON *id, cJSON *result) {
  cJSON *m = srv__envelope();
  cJSON_AddItemToObject(m, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
  cJSON_AddItemToObject(m, "result", result ? result : cJSON_CreateNull());
  srv__write_json(s, m);
}

static void srv__respond_error(srv *s, const cJSON *id, int code, const char *msg) {
  cJSON *m = srv__envelope();
  cJSON_AddItemToObject(m, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
  cJSON *e = cJSON_AddObjectToObject(m, "error");
  cJSON_AddNumberToObject(e, "code", code);
  cJSON_AddStringToObject(e, "message", msg);
  srv__write_json(s, m);
}

/* Build a notification; `params` taken. Any thread. Caller frees. */
char *srv_notification(const char *method, cJSON *params) {
  cJSON *m = srv__envelope();
  cJSON_AddStringToObject(m, "method", method);
  cJSON_AddItemToObject(m, "params", params);
  char *body = lj_print(m);
  cJSON_Delete(m);
  return body;
}

static void srv__outq_write(const char *json, size_t len, void *data) {
  srv_write_body(data, json, len);
}

static void srv__wake(void *data) {
  srv *s = data;
  ev_async_send(s->loop, &s->wake);
}

/* Log forwarder: window/logMessage, posted so any thread may log. */
static void srv__log_forward(int type, const char *msg, void *data) {
  srv *s = data;
  cJSON *p = cJSON_CreateObject();
  cJSON_AddNumberToObject(p, "type", type);
  cJSON_AddStringToObject(p, "message", msg);
  char *body = srv_notification("window/logMessage", p);
  if (body) outq_post_message(s->q, body, NULL);
}

/* ------------------------------------------------------------------------ */
/* Requests.                                                                 */

static double srv__now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static req *req_retain(req *r) {
  atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
  return r;
}

static void req_release(req *r) {
  if (!r || atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1) return;
  cJSON_Delete(r->id);
  cJSON_Delete(r->params);
  free(r->method);
  free(r->uri);
  sw_release(r->sw);
  for (size_t i = 0; i < r->nws; i++) tc_ctx_release(r->ws[i]);
  free(r->ws);
  free(r);
}

static void attempt_free(attempt *a) {
  sw_release(a->sw);
  snap_release(a->snapshot);
  tc_ctx_release(a->tc);
  req_release(a->r);
  free(a);
}

/* Any thread: the serialized success response for `id` (borrowed);
** `result` taken. Pool threads build it so the loop only copies bytes. */
static char *srv__response_body(const cJSON *id, cJSON *result) {
  cJSON *m = srv__envelope();
  cJSON_AddItemToObject(m, "id", cJSON_Duplicate(id, 1));
  cJSON_AddItemToObject(m, "result", result ? result : cJSON_CreateNull());
  char *body = lj_print(m);
  cJSON_Delete(m);
  return body;
}

/* Loop thread: answer once and drop from the pending list. `body` (a
** complete serialized response, or NULL with `code` set) is taken. */
static void srv__finish(srv *s, req *r, char *body, int code, const char *msg) {
  if (r->answered) { free(body); return; }
  r->answered = true;
  if (r->prev) r->prev->next = r->next; else s->pending = r->next;
  if (r->next) r->next->prev = r->prev;
  r->prev = r->next = NULL;
  if (code || !body) srv__respond_error(s, r->id, code ? code : RPC_INTERNAL_ERROR, code ? msg : "out of memory");
  else srv_write_body(s, body, strlen(body));
  free(body);
  if (log_get_level() >= LOG_DEBUG)
    log_debug("%s answered in %.2f ms%s", r->method, (srv__now() - r->t_start) * 1e3, code ? " (error)" : "");
  sw_turn_off(r->sw); /* nothing left to compute for it */
  req_release(r);     /* the list's reference */
}

typedef struct {
  attempt *a;
  char *body;           /* serialized response, or NULL with code set */
  int code;
  char msg[256];
} req_done;

static void srv__req_done_call(void *arg, bool dropped) {
  req_done *d = arg;
  req *r = d->a->r;
  if (!dropped && d->a->gen == r->gen) srv__finish(r->s, r, d->body, d->code, d->msg);
  else free(d->body); /* an outdated attempt (the request was retried) */
  attempt_free(d->a);
  free(d);
}

/* Any thread: post an attempt's outcome to the loop; takes `a` and `body`. */
static void srv__post_done(attempt *a, char *body, int code, const char *msg) {
  req_done *d = calloc(1, sizeof *d);
  if (!d) { free(body); attempt_free(a); return; } /* exit answers it */
  d->a = a;
  d->body = body;
  d->code = code;
  if (msg) snprintf(d->msg, sizeof d->msg, "%s", msg);
  outq_post_call(a->r->s->q, srv__req_done_call, d, NULL);
}

static void query_task(void *arg, bool cancelled) {
  attempt *a = arg;
  if (cancelled || !sw_is_on(a->sw)) {
    srv__post_done(a, NULL, LSP_CONTENT_MODIFIED, "the document changed before the request was answered");
    return;
  }
  hd_error err = {0};
  hd_doc hdoc = {a->snapshot, a->tc, a->r->ws, a->r->nws};
  cJSON *result = a->r->fn(&a->r->s->ctx, &hdoc, a->r->params, a->sw, &err);
  if (!result && !err.code) { err.code = RPC_INTERNAL_ERROR; snprintf(err.msg, sizeof err.msg, "internal error"); }
  char *body = result ? srv__response_body(a->r->id, result) : NULL;
  srv__post_done(a, body, body ? 0 : err.code ? err.code : RPC_INTERNAL_ERROR, body ? NULL : err.code ? err.msg : "out of memory");
}

/* Runs when the document version's snapshot promise settles: on the
** background thread that parsed it, or right away on the loop thread. */
static void srv__on_parsed(prom_state st, void *value, void *data) {
  attempt *a = data;
  if (st != PROM_RESOLVED || !sw_is_on(a->sw)) {
    srv__post_done(a, NULL, LSP_CONTENT_MODIFIED, "the document changed before the request was answered");
    return;
  }
  if (a->r->needs_types) {
    a->tc = tc_ctx_retain(value);
    a->snapshot = snap_retain((snap *)tc_ctx_snap(a->tc));
  } else {
    a->snapshot = snap_retain(value);
  }
  pool_submit(a->r->s->qpool, query_task, a, a->sw); /* `a` moves to the task */
}

/* Loop thread: start a new attempt of `r` on document `d`'s current version. */
static void srv__attempt(srv *s, req *r, doc *d) {
  r->gen++;
  sw_switch *old = r->sw;
  r->sw = sw_create(d->sw);
  if (old) { sw_turn_off(old); sw_release(old); }
  attempt *a = calloc(1, sizeof *a);
  if (!a || !r->sw) {
    free(a);
    srv__finish(s, r, NULL, RPC_INTERNAL_ERROR, "out of memory");
    return;
  }
  a->r = req_retain(r);
  a->gen = r->gen;
  a->sw = sw_retain(r->sw);
  if (!prom_then(r->needs_types ? d->checked : d->parsed, srv__on_parsed, a)) {
    attempt_free(a);
    srv__finish(s, r, NULL, RPC_INTERNAL_ERROR, "out of memory");
  }
}

/* Loop thread, after `uri` changed: position-free requests are recomputed on
** the new version (cheap, idempotent); the others answer ContentModified. */
static void srv__requests_after_edit(srv *s, doc *d) {
  for (req *r = s->pending; r;) {
    req *next = r->next;
    if (r->uri && strcmp(r->uri, d->uri) == 0) {
      if (r->retry_on_edit) srv__attempt(s, r, d);
      else srv__finish(s, r, NULL, LSP_CONTENT_MODIFIED, "the document changed before the request was answered");
    }
    r = next;
  }
}

static void srv__fail_pending_for(srv *s, const char *uri, int code, const char *msg) {
  for (req *r = s->pending; r;) {
    req *next = r->next;
    if (!uri || (r->uri && strcmp(r->uri, uri) == 0)) srv__finish(s, r, NULL, code, msg);
    r = next;
  }
}

/* ------------------------------------------------------------------------ */
/* Lifecycle and notifications (loop thread).                                */

static cJSON *srv__capabilities(srv *s) {
  cJSON *caps = cJSON_CreateObject();
  cJSON_AddStringToObject(caps, "positionEncoding", s->enc == TEXT_UTF8 ? "utf-8" : "utf-16");
  cJSON *sync = cJSON_AddObjectToObject(caps, "textDocumentSync");
  cJSON_AddBoolToObject(sync, "openClose", 1);
  cJSON_AddNumberToObject(sync, "change", 2); /* incremental */
  cJSON *save = cJSON_AddObjectToObject(sync, "save");
  cJSON_AddBoolToObject(save, "includeText", 0);
  cJSON_AddBoolToObject(caps, "documentSymbolProvider", 1);
  cJSON_AddBoolToObject(caps, "foldingRangeProvider", 1);
  cJSON_AddBoolToObject(caps, "selectionRangeProvider", 1);
  cJSON_AddBoolToObject(caps, "definitionProvider", 1);
  cJSON_AddBoolToObject(caps, "declarationProvider", 1);
  cJSON_AddBoolToObject(caps, "typeDefinitionProvider", 1);
  cJSON_AddBoolToObject(caps, "hoverProvider", 1);
  cJSON_AddBoolToObject(caps, "referencesProvider", 1);
  cJSON_AddBoolToObject(caps, "documentHighlightProvider", 1);
  cJSON_AddBoolToObject(cJSON_AddObjectToObject(caps, "documentLinkProvider"), "resolveProvider", 0);
  return caps;
}

static void srv__add_root(srv *s, const char *path) {
  char **nr = realloc(s->roots, (s->nroots + 1) * sizeof *nr);
  if (!nr) return;
  s->roots = nr;
  if ((s->roots[s->nroots] = strdup(path))) s->nroots++;
}

/* Include roots for imports, in order: initializationOptions.includePaths,
** then the workspace folders (or rootUri / rootPath). */
static void srv__init_roots(srv *s, const cJSON *params) {
  const cJSON *inc = lj_path(params, "initializationOptions.includePaths");
  if (inc && !cJSON_IsArray(inc)) log_warn("initializationOptions.includePaths must be an array of directories");
  for (const cJSON *e = cJSON_IsArray(inc) ? inc->child : NULL; e; e = e->next) {
    if (cJSON_IsString(e) && e->valuestring[0] == '/') srv__add_root(s, e->valuestring);
    else log_warn("initializationOptions.includePaths: ignoring an entry that is not an absolute path");
  }
  const cJSON *folders = lj_path(params, "workspaceFolders");
  s->first_folder = s->nroots; /* the roots from here on are workspace folders (indexed) */
  bool any = false;
  for (const cJSON *f = cJSON_IsArray(folders) ? folders->child : NULL; f; f = f->next) {
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(f, "uri");
    char *path = cJSON_IsString(u) ? uri_to_path(u->valuestring) : NULL;
    if (path) { srv__add_root(s, path); any = true; }
    free(path);
  }
  const cJSON *root_uri = lj_path(params, "rootUri"), *root_path = lj_path(params, "rootPath");
  if (!any && cJSON_IsString(root_uri)) {
    char *path = uri_to_path(root_uri->valuestring);
    if (path) srv__add_root(s, path);
    free(path);
  } else if (!any && cJSON_IsString(root_path) && root_path->valuestring[0] == '/') {
    srv__add_root(s, root_path->valuestring);
  }
  s->ctx.roots = (const char *const *)s->roots;
  s->ctx.nroots = s->nroots;
}

/* After `initialized`: ask the client to watch *.iml files, so that
** imported files changed outside the editor update the diagnostics. */
static void srv__register_watchers(srv *s) {
  if (!s->watch_dynamic) return;
  cJSON *m = srv__envelope();
  cJSON_AddStringToObject(m, "id", "iml-register-watchers");
  cJSON_AddStringToObject(m, "method", "client/registerCapability");
  cJSON *reg = cJSON_CreateObject();
  cJSON_AddStringToObject(reg, "id", "iml-watch-iml-files");
  cJSON_AddStringToObject(reg, "method", "workspace/didChangeWatchedFiles");
  cJSON *w = cJSON_CreateObject();
  cJSON_AddStringToObject(w, "globPattern", "**/*.iml");
  cJSON_AddItemToArray(cJSON_AddArrayToObject(cJSON_AddObjectToObject(reg, "registerOptions"), "watchers"), w);
  cJSON_AddItemToArray(cJSON_AddArrayToObject(cJSON_AddObjectToObject(m, "params"), "registrations"), reg);
  srv__write_json(s, m);
}

static int srv__opt_threads(const cJSON *opts, const char *name, int current) {
  const cJSON *v = opts ? cJSON_GetObjectItemCaseSensitive(opts, name) : NULL;
  if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= 256) return (int)v->valuedouble;
  if (v) log_warn("initializationOptions.%s must be an integer in 1..256; keeping %d", name, current);
  return current;
}

static void srv__initialize(srv *s, const cJSON *id, const cJSON *params) {
  if (s->state != SRV_UNINITIALIZED) {
    srv__respond_error(s, id, RPC_INVALID_REQUEST, "initialize may only be sent once");
    return;
  }
  if (params && !cJSON_IsObject(params)) {
    srv__respond_error(s, id, RPC_INVALID_PARAMS, "invalid params: params must be an object");
    return;
  }
  /* Position encoding: UTF-8 if the client offers it, else UTF-16. */
  s->enc = TEXT_UTF16;
  const cJSON *encs = lj_path(params, "capabilities.general.positionEncodings");
  if (cJSON_IsArray(encs)) {
    for (const cJSON *e = encs->child; e; e = e->next)
      if (cJSON_IsString(e) && strcmp(e->valuestring, "utf-8") == 0) s->enc = TEXT_UTF8;
  }
  s->watch_dynamic = cJSON_IsTrue(lj_path(params, "capabilities.workspace.didChangeWatchedFiles.dynamicRegistration"));
  const cJSON *opts = lj_path(params, "initializationOptions");
  srv__init_roots(s, params);
  s->query_threads = srv__opt_threads(opts, "queryThreads", s->query_threads);
  s->bg_threads = srv__opt_threads(opts, "backgroundThreads", s->bg_threads);

  s->qpool = pool_create("iml-query", s->query_threads, 0);
  s->bgpool = pool_create("iml-bg", s->bg_threads, 5);
  if (!s->qpool || !s->bgpool) {
    srv__respond_error(s, id, RPC_INTERNAL_ERROR, "could not start worker threads");
    pool_destroy(s->qpool);
    pool_destroy(s->bgpool);
    s->qpool = s->bgpool = NULL;
    return;
  }
  s->ctx.enc = s->enc;
  s->state = SRV_RUNNING;
  cJSON *res = cJSON_CreateObject();
  cJSON_AddItemToObject(res, "capabilities", srv__capabilities(s));
  cJSON *info = cJSON_AddObjectToObject(res, "serverInfo");
  cJSON_AddStringToObject(info, "name", "iml-lsp");
  cJSON_AddStringToObject(info, "version", IML_VERSION);
  srv__respond(s, id, res);
  log_info("initialized: %s positions, %d query / %d background threads",
           s->enc == TEXT_UTF8 ? "utf-8" : "utf-16", s->query_threads, s->bg_threads);
}

static void srv__did_open(srv *s, const cJSON *params) {
  lj_err e = {{0}};
  const char *uri = NULL, *text = NULL, *lang = NULL;
  int64_t version = 0;
  if (!lj_get_string(params, "textDocument.uri", true, &uri, &e) ||
      !lj_get_string(params, "textDocument.text", true, &text, &e) ||
      !lj_get_string(params, "textDocument.languageId", false, &lang, &e) ||
      !lj_get_int(params, "textDocument.version", false, &version, &e)) {
    log_warn("textDocument/didOpen ignored: %s", e.msg);
    return;
  }
  srv__fail_pending_for(s, uri, LSP_CONTENT_MODIFIED, "the document was reopened");
  if (!dsync_open(s, uri, lang, version, text)) log_error("out of memory opening %s", uri);
}

static void srv__did_change(srv *s, const cJSON *params) {
  lj_err e = {{0}};
  const char *uri = NULL;
  int64_t version = 0;
  const cJSON *changes = NULL;
  if (!lj_get_string(params, "textDocument.uri", true, &uri, &e) ||
      !lj_get_int(params, "textDocument.version", false, &version, &e) ||
      !lj_get_array(params, "contentChanges", true, &changes, &e)) {
    log_warn("textDocument/didChange ignored: %s", e.msg);
    return;
  }
  doc *d = docstore_get(s->docs, uri);
  if (!d) { log_warn("textDocument/didChange for a document that is not open: %s", uri); return; }
  int idx = 0;
  for (const cJSON *c = changes->child; c; c = c->next, idx++) {
    const char *text = NULL;
    const cJSON *range = NULL;
    char path[64];
    snprintf(path, sizeof path, "contentChanges[%d]", idx);
    if (!cJSON_IsObject(c) || !lj_get_string(c, "text", true, &text, &e) ||
        !lj_get_object(c, "range", false, &range, &e)) {
      log_warn("textDocument/didChange: %s: %s; change skipped", path, cJSON_IsObject(c) ? e.msg : "not an object");
      continue;
    }
    if (!range) {
      docbuf_replace_all(d->buf, text, strlen(text));
      continue;
    }
    text_pos a, b;
    if (!lj_get_position(c, "range.start", true, &a, &e) || !lj_get_position(c, "range.end", true, &b, &e)) {
      log_warn("textDocument/didChange: %s: %s; change skipped", path, e.msg);
      continue;
    }
    bool clamped = false;
    if (docbuf_apply(d->buf, a, b, s->enc, text, strlen(text), &clamped) < 0)
      log_error("out of memory applying a change to %s", uri);
    else if (clamped)
      log_warn("didChange on %s: range %u:%u-%u:%u is outside the document; clamped", uri,
               a.line, a.character, b.line, b.character);
  }
  if (docstore_begin_version(s->docs, d, version) < 0) {
    log_error("out of memory");
    srv__fail_pending_for(s, uri, LSP_CONTENT_MODIFIED, "the document changed before the request was answered");
    return;
  }
  srv__requests_after_edit(s, d);
  dsync_changed(s, d);
}

static void srv__did_close(srv *s, const cJSON *params) {
  lj_err e = {{0}};
  const char *uri = NULL;
  if (!lj_get_string(params, "textDocument.uri", true, &uri, &e)) {
    log_warn("textDocument/didClose ignored: %s", e.msg);
    return;
  }
  if (!docstore_get(s->docs, uri)) return;
  srv__fail_pending_for(s, uri, LSP_CONTENT_MODIFIED, "the document was closed");
  dsync_close(s, uri);
}

static void srv__cancel(srv *s, const cJSON *params) {
  const cJSON *id = lj_path(params, "id");
  if (!id || !(cJSON_IsNumber(id) || cJSON_IsString(id))) {
    log_warn("$/cancelRequest ignored: invalid params: id must be an integer or a string");
    return;
  }
  for (req *r = s->pending; r; r = r->next) {
    if (cJSON_Compare(r->id, id, 1)) {
      srv__finish(s, r, NULL, LSP_REQUEST_CANCELLED, "request cancelled");
      return;
    }
  }
}

/* ------------------------------------------------------------------------ */
/* Dispatch.                                                                 */

static void srv__stop(srv *s) { ev_break(s->loop, EVBREAK_ALL); }

/* References read every checked file: their contexts, retained now (the
** workspace belongs to this thread; the contexts are immutable). */
static void srv__collect_ctx(ws_file *f, void *data) {
  req *r = data;
  if (!f->ctx) return;
  tc_ctx **n = realloc(r->ws, (r->nws + 1) * sizeof *n);
  if (!n) return;
  r->ws = n;
  r->ws[r->nws++] = tc_ctx_retain(f->ctx);
}

static void srv__query(srv *s, const cJSON *id, const char *method, const cJSON *params, hd_query_fn fn) {
  lj_err e = {{0}};
  const char *uri = NULL;
  if (!cJSON_IsObject(params)) {
    srv__respond_error(s, id, RPC_INVALID_PARAMS, "invalid params: params must be an object");
    return;
  }
  if (!lj_get_string(params, "textDocument.uri", true, &uri, &e)) {
    srv__respond_error(s, id, RPC_INVALID_PARAMS, e.msg);
    return;
  }
  doc *d = docstore_get(s->docs, uri);
  if (!d) {
    char msg[300];
    snprintf(msg, sizeof msg, "invalid params: textDocument.uri: document is not open: %.200s", uri);
    srv__respond_error(s, id, RPC_INVALID_PARAMS, msg);
    return;
  }
  req *r = calloc(1, sizeof *r);
  if (!r) { srv__respond_error(s, id, RPC_INTERNAL_ERROR, "out of memory"); return; }
  atomic_init(&r->refs, 1); /* the pending list's reference */
  r->s = s;
  r->id = cJSON_Duplicate(id, 1);
  r->method = strdup(method);
  r->params = cJSON_Duplicate(params, 1);
  r->uri = strdup(uri);
  r->fn = fn;
  r->retry_on_edit = hd_position_free(method);
  r->needs_types = hd_needs_types(method);
  if (hd_needs_workspace(method)) ws_each(s->w, srv__collect_ctx, r);
  r->t_start = srv__now();
  if (!r->id || !r->method || !r->params || !r->uri) {
    req_release(r);
    srv__respond_error(s, id, RPC_INTERNAL_ERROR, "out of memory");
    return;
  }
  r->next = s->pending;
  if (s->pending) s->pending->prev = r;
  s->pending = r;
  srv__attempt(s, r, d);
}

static void srv__request(srv *s, const cJSON *id, const char *method, const cJSON *params) {
  if (strcmp(method, "initialize") == 0) { srv__initialize(s, id, params); return; }
  if (s->state == SRV_UNINITIALIZED) {
    srv__respond_error(s, id, RPC_SERVER_NOT_INITIALIZED, "server not initialized: send initialize first");
    return;
  }
  if (s->state == SRV_SHUTDOWN) {
    srv__respond_error(s, id, RPC_INVALID_REQUEST, "server is shutting down: only exit is accepted");
    return;
  }
  if (strcmp(method, "shutdown") == 0) {
    s->state = SRV_SHUTDOWN;
    s->got_shutdown = true;
    log_info("shutdown requested");
    /* Requests already accepted are still answered; exit cancels the rest. */
    srv__respond(s, id, NULL);
    return;
  }
  hd_query_fn fn = hd_lookup(method);
  if (fn) { srv__query(s, id, method, params, fn); return; }
  char msg[300];
  snprintf(msg, sizeof msg, "method not found: %.200s", method);
  srv__respond_error(s, id, RPC_METHOD_NOT_FOUND, msg);
}

static void srv__notify(srv *s, const char *method, const cJSON *params) {
  if (strcmp(method, "exit") == 0) {
    log_info("exit (%s shutdown)", s->got_shutdown ? "after" : "without");
    srv__stop(s);
    return;
  }
  if (s->state != SRV_RUNNING) {
    log_debug("notification %s dropped: server %s", method,
              s->state == SRV_UNINITIALIZED ? "not initialized" : "shutting down");
    return;
  }
  if (strcmp(method, "textDocument/didOpen") == 0) srv__did_open(s, params);
  else if (strcmp(method, "textDocument/didChange") == 0) srv__did_change(s, params);
  else if (strcmp(method, "textDocument/didClose") == 0) srv__did_close(s, params);
  else if (strcmp(method, "$/cancelRequest") == 0) srv__cancel(s, params);
  else if (strcmp(method, "initialized") == 0) {
    srv__register_watchers(s);
    dsync_index_workspace(s);
  }
  else if (strcmp(method, "workspace/didChangeWatchedFiles") == 0) dsync_files_changed(s, params);
  else if (strcmp(method, "textDocument/didSave") == 0) dsync_saved(s, params);
  else if (strcmp(method, "$/setTrace") == 0 || strcmp(method, "workspace/didChangeConfiguration") == 0)
    ; /* nothing to do yet: the editor's buffer is already our source of truth */
  else log_debug("unknown notification ignored: %s", method);
}

static void srv__message(srv *s, const char *body, size_t len) {
  cJSON *msg = cJSON_ParseWithLength(body, len);
  if (!msg) {
    srv__respond_error(s, NULL, RPC_PARSE_ERROR, "parse error: the message body is not valid JSON");
    return;
  }
  if (!cJSON_IsObject(msg)) {
    srv__respond_error(s, NULL, RPC_INVALID_REQUEST,
                       cJSON_IsArray(msg) ? "invalid request: batches are not supported" : "invalid request: not an object");
    cJSON_Delete(msg);
    return;
  }
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
  const cJSON *method = cJSON_GetObjectItemCaseSensitive(msg, "method");
  const cJSON *params = cJSON_GetObjectItemCaseSensitive(msg, "params");
  if (!method) {
    if (id && (cJSON_GetObjectItemCaseSensitive(msg, "result") || cJSON_GetObjectItemCaseSensitive(msg, "error"))) {
      cJSON_Delete(msg); /* a response to one of our requests: nothing awaits it yet */
      return;
    }
    srv__respond_error(s, cJSON_IsNumber(id) || cJSON_IsString(id) ? id : NULL, RPC_INVALID_REQUEST,
                       "invalid request: method is required");
  } else if (!cJSON_IsString(method)) {
    srv__respond_error(s, cJSON_IsNumber(id) || cJSON_IsString(id) ? id : NULL, RPC_INVALID_REQUEST,
                       "invalid request: method must be a string");
  } else if (id && !cJSON_IsNumber(id) && !cJSON_IsString(id)) {
    srv__respond_error(s, NULL, RPC_INVALID_REQUEST, "invalid request: id must be an integer or a string");
  } else if (id) {
    srv__request(s, id, method->valuestring, params);
  } else {
    srv__notify(s, method->valuestring, params);
  }
  cJSON_Delete(msg);
}

static void srv__on_frame(tr_event ev, const char *body, size_t len, const char *detail, void *data) {
  srv *s = data;
  switch (ev) {
  case TR_EV_MESSAGE:
    srv__message(s, body, len);
    break;
  case TR_EV_BAD_HEADER: {
    char msg[300];
    snprintf(msg, sizeof msg, "parse error: bad message header (%s)", detail ? detail : "invalid");
    log_warn("%s", msg);
    srv__respond_error(s, NULL, RPC_PARSE_ERROR, msg);
    break;
  }
  case TR_EV_TOO_LARGE: {
    char msg[300];
    snprintf(msg, sizeof msg, "message too large: %s; discarded", detail ? detail : "over the size limit");
    log_warn("%s", msg);
    srv__respond_error(s, NULL, RPC_INVALID_REQUEST, msg);
    break;
  }
  }
}

/* ------------------------------------------------------------------------ */
/* libev callbacks.                                                          */

static void srv__on_read(struct ev_loop *loop, ev_io *w, int revents) {
  srv *s = w->data;
  char buf[65536];
  ssize_t n = read(s->in_fd, buf, sizeof buf);
  if (n > 0) {
    tr_reader_feed(s->reader, buf, (size_t)n, srv__on_frame, s);
    return;
  }
  if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return;
  if (n < 0) log_error("stdin read failed: %s", strerror(errno));
  else if (tr_reader_pending(s->reader)) log_warn("stdin closed in the middle of a message; it is discarded");
  else if (!s->got_shutdown) log_info("stdin closed without shutdown/exit");
  srv__stop(s);
}

static void srv__on_writable(struct ev_loop *loop, ev_io *w, int revents) { srv__flush(w->data); }

static void srv__on_wake(struct ev_loop *loop, ev_async *w, int revents) {
  srv *s = w->data;
  outq_drain(s->q, srv__outq_write, s);
}

static int srv__default_bg_threads(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

int server_run(const server_opts *opts) {
  srv s0 = {0}, *s = &s0;
  s->in_fd = opts->in_fd;
  s->out_fd = opts->out_fd;
  s->query_threads = opts->query_threads > 0 ? opts->query_threads : 2;
  s->bg_threads = opts->background_threads > 0 ? opts->background_threads : srv__default_bg_threads();
  s->loop = ev_loop_new(EVFLAG_AUTO);
  s->reader = tr_reader_create(opts->max_message ? opts->max_message : (size_t)64 << 20);
  s->root = sw_create(NULL);
  s->q = outq_create(srv__wake, s);
  s->docs = docstore_create(s->root);
  s->w = ws_create();
  if (!s->loop || !s->reader || !s->root || !s->q || !s->docs || !s->w) {
    log_error("out of memory starting the server");
    return 1;
  }
  fcntl(s->in_fd, F_SETFL, fcntl(s->in_fd, F_GETFL) | O_NONBLOCK);
  fcntl(s->out_fd, F_SETFL, fcntl(s->out_fd, F_GETFL) | O_NONBLOCK);
  ev_io_init(&s->rd, srv__on_read, s->in_fd, EV_READ);
  ev_io_init(&s->wr, srv__on_writable, s->out_fd, EV_WRITE);
  ev_async_init(&s->wake, srv__on_wake);
  s->rd.data = s->wr.data = s->wake.data = s;
  ev_io_start(s->loop, &s->rd);
  ev_async_start(s->loop, &s->wake);
  log_set_forwarder(srv__log_forward, s);

  ev_run(s->loop, 0);

  /* Teardown: stop forwarding logs, cancel everything, join the pools (queued
  ** tasks are called with cancelled=true and post their outcomes), then
  ** answer what is still pending and flush. */
  log_set_forwarder(NULL, NULL);
  s->exiting = true; /* results still arriving schedule nothing new */
  sw_turn_off(s->root);
  pool_destroy(s->bgpool);
  pool_destroy(s->qpool);
  outq_drain(s->q, srv__outq_write, s);
  srv__fail_pending_for(s, NULL, LSP_REQUEST_CANCELLED, "server is exiting");
  fcntl(s->out_fd, F_SETFL, fcntl(s->out_fd, F_GETFL) & ~O_NONBLOCK);
  srv__flush(s);
  docstore_destroy(s->docs);
  outq_destroy(s->q);
  ws_destroy(s->w);
  sw_release(s->index_sw);
  sw_release(s->root);
  tr_reader_destroy(s->reader);
  free(s->out);
  ev_loop_destroy(s->loop);
  for (size_t i = 0; i < s->nroots; i++) free(s->roots[i]);
  free(s->roots);
  return s->got_shutdown ? 0 : 1;
}
