/*
** docsync.c — see docsync.h.
**
** DESIGN
** Threads:
**   - loop thread: every function below except the *_task ones and the
**     promise callback. It owns the document store, the workspace (s->w),
**     s->loading and the per-document publish counters.
**   - background pool: parse_task (one per document version), recheck_task
**     (an open document's imports again, after files changed on disk) and
**     load_task (read + parse + imports of a file that is not open).
**   - query pool: publish_task serialises publishDiagnostics. Diagnostics
**     are latency-sensitive and the background pool may be busy loading a
**     large import closure; the query pool never waits behind it.
** Pool tasks never read the workspace: what they need is in their job,
** copied or immutable (snapshots); results come back as outbound-queue calls
** and the loop installs them (ws_set) and schedules what follows. No locks
** in this file.
**
** Cancellation: the parse (and recheck) of version v runs under v's switch
** and its result call is guarded by it, so an edit drops it. A load runs
** under the switch of the document version whose closure walk asked for
** it: when that version is edited, the load is skipped (or its parse stops)
** and the file goes back to UNLOADED, to be asked for again by the next
** closure walk of any document that still needs it. Load results are not
** guarded (what was read from disk is true whoever asked); a per-file
** generation rejects a result made stale by an invalidation meanwhile.
**
** Completion: s->loading counts load tasks in flight. A finished load
** queues loads for its targets not seen yet (discovery fans out in
** parallel); when the count falls to 0, every open document's closure is
** walked again (loading what is still missing) and its import-cycle
** diagnostics are re-published if they changed.
**
** Early cutoff: when an open document's new analysis has the same shape
** (resolved targets and import spans) as the previous one, the documents
** that import it are not re-checked; otherwise the importers index finds
** the open documents that import it, directly or not, and their cycles are
** recomputed.
**
** Publishing: every publication of a document takes a number when it is
** scheduled; the loop writes it only if it is newer than the last written
** (two publish tasks may finish out of order) and only while the version's
** switch is on (the outbound-queue guard).
**
** Type checking: every file of the open documents' closures is checked on
** the background pool as soon as the interfaces it imports are up to date
** (ws_check_ready: dependency order; files on an import cycle see each
** other as unknown; no task waits for another). Each check runs under its
** own switch, turned off when the file becomes dirty again (an edit, or a
** changed import). A finished check replaces the file's interface; only if
** the interface's hash changed are the files that import it marked dirty
** (early cutoff). For an open document the result also resolves the
** version's `checked` promise (requests that need types wait on it) and
** publishes its diagnostics; a new version whose check starts at once is
** published only when the check is done, so type errors do not flicker.
*/
#include "docsync.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "graph.h"
#include "imports.h"
#include "prelude.h"
#include "typeck.h"
#include "log.h"
#include "lspjson.h"
#include "promise.h"
#include "snapshot.h"
#include "uri.h"

/* ------------------------------------------------------------------------ */
/* Publishing.                                                               */

typedef struct {
  srv *s;
  char *uri;
  uint64_t seq;
  snap *sn;          /* owned reference */
  sw_switch *sw;     /* owned reference: the snapshot's version switch */
  diag_list extra;   /* import and cycle diagnostics (owned copy) */
  char *body;        /* the serialized notification, once built */
} publish_job;

static void dsync__publish_free(publish_job *j) {
  free(j->uri);
  snap_release(j->sn);
  sw_release(j->sw);
  diag_list_clear(&j->extra);
  free(j->body);
  free(j);
}

static void dsync__published(void *arg, bool dropped) {
  publish_job *j = arg;
  doc *d = dropped ? NULL : docstore_get(j->s->docs, j->uri);
  if (d && j->body && j->seq > d->pub_written) {
    d->pub_written = j->seq;
    srv_write_body(j->s, j->body, strlen(j->body));
  }
  dsync__publish_free(j);
}

static void publish_task(void *arg, bool cancelled) {
  publish_job *j = arg;
  if (cancelled || !sw_is_on(j->sw)) { dsync__publish_free(j); return; }
  j->body = srv_notification("textDocument/publishDiagnostics", hd_publish_diagnostics(j->sn, &j->extra, j->s->enc));
  outq_post_call(j->s->q, dsync__published, j, j->sw);
}

/* Schedule a publication of d's diagnostics for snapshot `sn` of the
** version whose switch is `sw` (both borrowed): its syntax diagnostics plus
** `imports` and `cycles` (borrowed, copied; may be NULL). */
static void dsync__publish(srv *s, doc *d, snap *sn, sw_switch *sw, const diag_list *imports, const diag_list *cycles,
                           const diag_list *types) {
  publish_job *j = calloc(1, sizeof *j);
  if (!j || !(j->uri = strdup(d->uri)) || diag_list_append_copy(&j->extra, imports) < 0 ||
      diag_list_append_copy(&j->extra, cycles) < 0 || diag_list_append_copy(&j->extra, types) < 0) {
    if (j) dsync__publish_free(j);
    log_error("out of memory publishing diagnostics of %s", d->uri);
    return;
  }
  j->s = s;
  j->seq = ++d->pub_seq;
  j->sn = snap_retain(sn);
  j->sw = sw_retain(sw);
  pool_submit(s->qpool, publish_task, j, sw);
}

static uint64_t dsync__mix(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
  return h;
}

/* Identity of a diagnostic list: what a client would see change. */
static uint64_t dsync__diags_hash(const diag_list *l) {
  uint64_t h = 1469598103934665603ull ^ l->count;
  for (size_t i = 0; i < l->count; i++) {
    const diag *d = &l->items[i];
    h = dsync__mix(h, &d->span, sizeof d->span);
    h = dsync__mix(h, d->message, strlen(d->message) + 1);
    for (size_t r = 0; r < d->nrelated; r++) {
      h = dsync__mix(h, d->related[r].path, strlen(d->related[r].path) + 1);
      h = dsync__mix(h, &d->related[r].span, sizeof d->related[r].span);
      h = dsync__mix(h, &d->related[r].range16, sizeof d->related[r].range16);
    }
  }
  return h;
}

/* ------------------------------------------------------------------------ */
/* Loading files that are not open (background pool).                       */

typedef struct {
  srv *s;
  unsigned gen;      /* the file's generation when the load started */
  sw_switch *sw;     /* owned reference: the switch of the version that asked */
  graph_file a;      /* a.path: the canonical path (owned); filled by the task */
  bool cancelled;
} load_job;

static void dsync__load(srv *s, ws_file *f, sw_switch *sw);
static void dsync__refresh_all(srv *s);
static void dsync__schedule_checks(srv *s);
static void dsync__refresh(srv *s, doc *d, ws_file *f, bool force);
static void dsync__index_new(srv *s, const char *uri);

static void dsync__loaded(void *arg, bool dropped) {
  load_job *j = arg;
  srv *s = j->s;
  s->loading--;
  if (!dropped && !s->exiting) {
    ws_file *f = ws_find(s->w, j->a.path);
    if (f && f->gen == j->gen && f->state == WS_LOADING) {
      if (j->cancelled) {
        ws_invalidate(s->w, f);
      } else {
        ws_set(s->w, f, &j->a, NULL);
        /* Discovery fans out: load the targets nobody has asked for yet. */
        for (size_t k = 0; f->info.targets && k < f->info.nimports; k++) {
          ws_file *t = f->info.targets[k] ? ws_intern(s->w, f->info.targets[k]) : NULL;
          if (t && t->state == WS_UNLOADED) dsync__load(s, t, j->sw);
        }
      }
    }
    if (s->loading == 0) {
      log_debug("workspace: loads finished (%zu files known)", ws_count(s->w));
      dsync__refresh_all(s);
    }
    dsync__schedule_checks(s);
  }
  graph_file_clear(&j->a);
  sw_release(j->sw);
  free(j);
}

static void load_task(void *arg, bool cancelled) {
  load_job *j = arg;
  if (!cancelled && sw_is_on(j->sw)) graph_file_analyse(&j->a, j->s->ctx.roots, j->s->ctx.nroots, j->sw);
  j->cancelled = cancelled || !sw_is_on(j->sw);
  outq_post_call(j->s->q, dsync__loaded, j, NULL);
}

/* Load `f` (UNLOADED) from disk under `sw` (borrowed), unless sw is off. */
static void dsync__load(srv *s, ws_file *f, sw_switch *sw) {
  if (!sw_is_on(sw) || s->exiting) return;
  load_job *j = calloc(1, sizeof *j);
  if (!j || !(j->a.path = strdup(f->info.path))) {
    free(j);
    log_error("out of memory loading %s", f->info.path);
    return;
  }
  j->s = s;
  j->gen = ws_begin_load(f);
  j->sw = sw_retain(sw);
  s->loading++;
  pool_submit(s->bgpool, load_task, j, sw); /* if sw goes off first, the task runs cancelled */
}

typedef struct {
  srv *s;
  sw_switch *sw;
} dsync__walk;

static void dsync__load_missing(ws_file *f, void *data) {
  dsync__walk *w = data;
  dsync__load(w->s, f, w->sw);
}

/* ------------------------------------------------------------------------ */
/* Type checking (background pool).                                          */

typedef struct {
  srv *s;
  char *path;        /* the file's canonical path */
  unsigned gen;      /* its check_gen when the check started */
  tc_ctx *ctx;       /* owned reference */
  sw_switch *sw;     /* owned reference: this check's switch */
  tc_result res;
  bool cancelled;
} check_job;

static void dsync__check_free(check_job *j) {
  free(j->path);
  tc_ctx_release(j->ctx);
  sw_release(j->sw);
  tc_result_clear(&j->res);
  free(j);
}

/* The open document of file `f`, or NULL. */
typedef struct {
  const char *path;
  doc *found;
} dsync__doc_find;

static void dsync__find_doc(doc *d, void *data) {
  dsync__doc_find *q = data;
  if (!q->found && d->path && strcmp(d->path, q->path) == 0) q->found = d;
}

static doc *dsync__doc_of(srv *s, const char *path) {
  dsync__doc_find q = {path, NULL};
  docstore_each(s->docs, dsync__find_doc, &q);
  return q.found;
}

static void dsync__mark_importers(srv *s, ws_file *f) {
  for (size_t i = 0; i < f->nimporters; i++) ws_mark_dirty(f->importers[i]);
}

static void dsync__checked(void *arg, bool dropped) {
  check_job *j = arg;
  srv *s = j->s;
  ws_file *f = dropped || s->exiting ? NULL : ws_find(s->w, j->path);
  if (f && f->check_gen == j->gen && f->check_sw == j->sw && !j->cancelled && j->res.sig) {
    sw_release(f->check_sw);
    f->check_sw = NULL;
    f->dirty = false;
    bool changed = !f->sig || f->sig->hash != j->res.sig->hash;
    sig_release(f->sig);
    f->sig = j->res.sig;
    j->res.sig = NULL;
    tc_ctx_release(f->ctx);
    f->ctx = tc_ctx_retain(j->ctx);
    diag_list_clear(&f->type_diags);
    f->type_diags = j->res.diags;
    j->res.diags = (diag_list){0};
    f->type_version = snap_version(tc_ctx_snap(j->ctx));
    if (changed) dsync__mark_importers(s, f); /* early cutoff otherwise */
    log_debug("workspace: checked %s (%zu type diagnostics, interface %s)", f->info.path, f->type_diags.count,
              changed ? "changed" : "unchanged");
    doc *d = f->open ? dsync__doc_of(s, f->info.path) : NULL;
    if (d && tc_ctx_snap(j->ctx) == f->info.sn && d->version == f->type_version) {
      /* A re-check of the same version (an import changed): later requests
      ** must see the new context, so the version gets a new promise. */
      if (prom_get_state(d->checked) != PROM_PENDING) {
        prom *p = prom_create();
        if (p) {
          prom_release(d->checked);
          d->checked = p;
        }
      }
      prom_resolve(d->checked, tc_ctx_retain(j->ctx), (prom_free_fn)tc_ctx_release);
      dsync__refresh(s, d, f, true);
    }
  } else if (f && f->check_sw == j->sw && j->sw) {
    /* Cancelled or failed while still current: try again later. */
    sw_release(f->check_sw);
    f->check_sw = NULL;
  }
  dsync__check_free(j);
  if (!dropped && !s->exiting) dsync__schedule_checks(s);
}

static void check_task(void *arg, bool cancelled) {
  check_job *j = arg;
  const sig *prelude = prelude_sig();
  if (!cancelled && sw_is_on(j->sw) && prelude) tc_ctx_check(j->ctx, prelude, j->sw, false, 0, &j->res);
  j->cancelled = cancelled || !sw_is_on(j->sw) || j->res.cancelled;
  outq_post_call(j->s->q, dsync__checked, j, NULL);
}

static void dsync__submit_check(ws_file *f, void *data) {
  srv *s = data;
  size_t n = f->info.nimports;
  tc_import *ims = calloc(n ? n : 1, sizeof *ims);
  char *modname = imp_module_name(f->info.path);
  check_job *j = calloc(1, sizeof *j);
  if (!ims || !j) { free(ims); free(modname); free(j); return; }
  for (size_t k = 0; k < n; k++) {
    const imp_import *im = &f->info.imports[k];
    ws_file *t = f->info.targets && f->info.targets[k] ? ws_find(s->w, f->info.targets[k]) : NULL;
    bool usable = t && !ws_same_component(f, t) && t->sig;
    ims[k] = (tc_import){im->module, usable ? t->sig : NULL, !usable, im->string_span, t ? t->info.path : NULL};
  }
  j->s = s;
  j->path = strdup(f->info.path);
  j->gen = f->check_gen;
  j->ctx = tc_ctx_create(f->info.sn, f->info.path, modname ? modname : "", ims, n);
  j->sw = sw_create(s->root);
  free(ims);
  free(modname);
  if (!j->path || !j->ctx || !j->sw) { dsync__check_free(j); return; }
  f->check_sw = sw_retain(j->sw);
  pool_submit(s->bgpool, check_task, j, j->sw);
}

typedef struct {
  srv *s;
  ws_file **roots;
  size_t n, cap;
} dsync__roots;

static void dsync__add_root(ws_file *f, void *data) {
  dsync__roots *r = data;
  if (f->state != WS_READY || !f->info.sn) return;
  if (r->n == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 8;
    ws_file **nr = realloc(r->roots, cap * sizeof *nr);
    if (!nr) return;
    r->roots = nr;
    r->cap = cap;
  }
  r->roots[r->n++] = f;
}

/* An open document whose file must be checked again (an import changed)
** gets a pending `checked` promise: requests made from now on wait for the
** up-to-date check instead of answering from the stale one. */
static void dsync__renew_checked(doc *d, void *data) {
  srv *s = data;
  ws_file *f = d->path ? ws_find(s->w, d->path) : NULL;
  if (!f || !f->open || !f->dirty || prom_get_state(d->checked) != PROM_RESOLVED) return;
  prom *p = prom_create();
  if (!p) return;
  prom_release(d->checked);
  d->checked = p;
}

/* Start every check that can run now (see the DESIGN comment): every
** loaded file (the open documents, their closures, the workspace index). */
static void dsync__schedule_checks(srv *s) {
  if (s->exiting) return;
  docstore_each(s->docs, dsync__renew_checked, s);
  dsync__roots r = {s, NULL, 0, 0};
  ws_each(s->w, dsync__add_root, &r);
  if (r.n) ws_check_ready(s->w, r.roots, r.n, dsync__submit_check, s);
  free(r.roots);
}

/* ------------------------------------------------------------------------ */
/* Open documents in the workspace (loop thread).                            */

/* d's file `f` holds d's analysis: walk its closure (loading what is
** missing under d's switch), recompute its import cycles, and publish when
** `force` (a new version: its syntax diagnostics must go out now) or when
** the closure is complete and the cycles changed (not before: a half-loaded
** closure would make a known cycle flicker). */
static void dsync__refresh_ex(srv *s, doc *d, ws_file *f, bool force, bool publish) {
  dsync__walk w = {s, d->sw};
  bool complete = ws_closure(s->w, f, dsync__load_missing, &w);
  if (!force && !complete) return;
  diag_list cycles = {0};
  if (ws_cycles(s->w, f, &cycles) < 0) log_error("out of memory finding import cycles of %s", d->uri);
  uint64_t h = dsync__diags_hash(&cycles);
  if (!publish) {
    d->cycles_hash = h; /* published with the check's result */
  } else if (force || h != d->cycles_hash) {
    d->cycles_hash = h;
    bool typed = f->ctx && f->type_version == snap_version(f->info.sn) && tc_ctx_snap(f->ctx) == f->info.sn;
    dsync__publish(s, d, f->info.sn, f->sw, &f->info.import_diags, &cycles, typed ? &f->type_diags : NULL);
  }
  diag_list_clear(&cycles);
}

static void dsync__refresh(srv *s, doc *d, ws_file *f, bool force) { dsync__refresh_ex(s, d, f, force, true); }

static ws_file *dsync__file_of(srv *s, doc *d) {
  ws_file *f = d->path ? ws_find(s->w, d->path) : NULL;
  return f && f->open && f->state == WS_READY ? f : NULL;
}

static void dsync__refresh_doc(doc *d, void *data) {
  srv *s = data;
  ws_file *f = dsync__file_of(s, d);
  if (f) dsync__refresh(s, d, f, false);
}

static void dsync__refresh_all(srv *s) {
  if (!s->exiting) docstore_each(s->docs, dsync__refresh_doc, s);
}

/* The open documents among the importers of a changed file. */
typedef struct {
  srv *s;
  ws_file **files;
  size_t n, cap;
} dsync__set;

static void dsync__collect_open(ws_file *f, void *data) {
  dsync__set *set = data;
  if (!f->open) return;
  if (set->n == set->cap) {
    size_t cap = set->cap ? set->cap * 2 : 16;
    ws_file **nf = realloc(set->files, cap * sizeof *nf);
    if (!nf) return;
    set->files = nf;
    set->cap = cap;
  }
  set->files[set->n++] = f;
}

static void dsync__refresh_if_in(doc *d, void *data) {
  dsync__set *set = data;
  ws_file *f = dsync__file_of(set->s, d);
  for (size_t i = 0; f && i < set->n; i++)
    if (set->files[i] == f) { dsync__refresh(set->s, d, f, false); return; }
}

typedef struct {
  srv *s;
  char *uri;
  graph_file a;      /* the document's parse and import analysis (owned) */
  sw_switch *sw;     /* owned reference: the version's switch */
} analysed_call;

static void dsync__analysed(void *arg, bool dropped) {
  analysed_call *c = arg;
  srv *s = c->s;
  doc *d = dropped || s->exiting ? NULL : docstore_get(s->docs, c->uri);
  if (d && d->sw == c->sw) {
    docstore_set_last(d, c->a.sn); /* the incremental base of the next parse */
    ws_file *f = d->path ? ws_intern(s->w, d->path) : NULL;
    if (!f) {
      /* Not a file (or OOM): syntax and import diagnostics only. */
      dsync__publish(s, d, c->a.sn, c->sw, &c->a.import_diags, NULL, NULL);
    } else {
      f->open = true;
      bool changed = ws_set(s->w, f, &c->a, c->sw);
      dsync__schedule_checks(s);
      /* Published now unless its check started: then with its types. */
      dsync__refresh_ex(s, d, f, true, f->check_sw == NULL);
      if (changed) {
        dsync__set set = {s, NULL, 0, 0};
        ws_importers(s->w, f, dsync__collect_open, &set);
        log_debug("workspace: the imports of %s changed; re-checking %zu open importer(s)", d->path, set.n);
        if (set.n) docstore_each(s->docs, dsync__refresh_if_in, &set);
        free(set.files);
      } else {
        log_debug("workspace: %s kept its imports; importers not re-checked", d->path);
      }
    }
  }
  graph_file_clear(&c->a);
  sw_release(c->sw);
  free(c->uri);
  free(c);
}

/* Any thread: analyse the imports of `sn` (owned reference) for document
** `uri` at canonical `path` (owned, may be NULL) and hand the result to the
** loop, guarded by the version's switch `sw` (borrowed). */
static void dsync__analyse_and_post(srv *s, const char *uri, char *path, snap *sn, sw_switch *sw) {
  analysed_call *c = calloc(1, sizeof *c);
  if (!c || !(c->uri = strdup(uri))) {
    free(c);
    free(path);
    snap_release(sn);
    log_error("out of memory analysing %s", uri);
    return;
  }
  c->s = s;
  c->a.path = path;
  c->a.sn = sn;
  c->sw = sw_retain(sw);
  graph_file_analyse(&c->a, s->ctx.roots, s->ctx.nroots, sw);
  outq_post_call(s->q, dsync__analysed, c, sw);
}

/* ------------------------------------------------------------------------ */
/* Parsing (background pool).                                                */

typedef struct {
  srv *s;
  char *uri;
  char *path;     /* canonical path or NULL */
  int64_t version;
  char *text;
  size_t len;
  snap *base;     /* owned reference or NULL */
  sw_switch *sw;  /* owned reference */
  prom *p;        /* owned reference */
} parse_job;

static void parse_job_free(parse_job *j) {
  free(j->uri);
  free(j->path);
  free(j->text);
  snap_release(j->base);
  sw_release(j->sw);
  prom_release(j->p);
  free(j);
}

static void parse_task(void *arg, bool cancelled) {
  parse_job *j = arg;
  snap *sn = NULL;
  if (!cancelled && sw_is_on(j->sw)) {
    TSParser *parser = snap_thread_parser();
    if (parser) {
      sn = snap_build(j->uri, j->version, j->text, j->len, j->base, parser, j->sw);
      j->text = NULL; /* taken by snap_build */
    }
  }
  if (!sn) {
    prom_cancel(j->p);
    parse_job_free(j);
    return;
  }
  /* Diagnostics and the workspace first, then requests waiting for it. */
  dsync__analyse_and_post(j->s, j->uri, j->path, snap_retain(sn), j->sw);
  j->path = NULL;
  prom_resolve(j->p, sn, (prom_free_fn)snap_release);
  parse_job_free(j);
}

static void dsync__schedule_parse(srv *s, doc *d) {
  parse_job *j = calloc(1, sizeof *j);
  size_t len = docbuf_len(d->buf);
  if (j) j->text = malloc(len + 1);
  if (!j || !j->text || !(j->uri = strdup(d->uri)) || (d->path && !(j->path = strdup(d->path)))) {
    if (j) { free(j->text); free(j->uri); free(j); }
    log_error("out of memory scheduling a parse of %s", d->uri);
    prom_cancel(d->parsed);
    return;
  }
  memcpy(j->text, docbuf_text(d->buf), len);
  j->text[len] = 0;
  j->len = len;
  j->s = s;
  j->version = d->version;
  j->base = snap_retain(d->last);
  j->sw = sw_retain(d->sw);
  j->p = prom_retain(d->parsed);
  pool_submit(s->bgpool, parse_task, j, d->sw);
}

/* ------------------------------------------------------------------------ */
/* Re-checking open documents after files changed on disk.                   */

typedef struct {
  srv *s;
  char *uri;
  char *path;     /* canonical path or NULL */
  sw_switch *sw;  /* owned reference: the version's switch */
  snap *sn;       /* owned reference once parsed */
} recheck_job;

static void recheck_job_free(recheck_job *j) {
  free(j->uri);
  free(j->path);
  sw_release(j->sw);
  snap_release(j->sn);
  free(j);
}

static void recheck_task(void *arg, bool cancelled) {
  recheck_job *j = arg;
  if (!cancelled && sw_is_on(j->sw)) {
    dsync__analyse_and_post(j->s, j->uri, j->path, j->sn, j->sw);
    j->path = NULL;
    j->sn = NULL;
  }
  recheck_job_free(j);
}

/* The version's snapshot exists (or never will). Runs on the thread that
** settled the promise, or on the loop thread when it already had. */
static void dsync__on_parsed_recheck(prom_state st, void *value, void *data) {
  recheck_job *j = data;
  if (st != PROM_RESOLVED || !sw_is_on(j->sw)) { recheck_job_free(j); return; }
  j->sn = snap_retain(value);
  pool_submit(j->s->bgpool, recheck_task, j, j->sw);
}

static void dsync__recheck_doc(doc *d, void *data) {
  srv *s = data;
  recheck_job *j = calloc(1, sizeof *j);
  if (!j || !(j->uri = strdup(d->uri)) || (d->path && !(j->path = strdup(d->path)))) {
    if (j) recheck_job_free(j);
    return;
  }
  j->s = s;
  j->sw = sw_retain(d->sw);
  if (!prom_then(d->parsed, dsync__on_parsed_recheck, j)) recheck_job_free(j);
}

/* A closed file with an import that did not resolve: a file created on
** disk may resolve it now. */
static void dsync__invalidate_unresolved(ws_file *f, void *data) {
  ws *w = data;
  if (f->open || f->state != WS_READY) return;
  for (size_t k = 0; k < f->info.nimports; k++) {
    if (f->info.imports[k].kind == IMP_FILE && (!f->info.targets || !f->info.targets[k])) {
      ws_invalidate(w, f);
      return;
    }
  }
}

/* `uri` changed on disk: forget what we read of it (open documents keep the
** editor's text). */
static void dsync__disk_changed(srv *s, const char *uri) {
  char *path = uri_to_path(uri);
  if (!path) return;
  char real[PATH_MAX];
  ws_file *f = ws_find(s->w, realpath(path, real) ? real : path);
  if (f && !f->open) ws_invalidate(s->w, f);
  free(path);
}

void dsync_files_changed(srv *s, const cJSON *params) {
  const cJSON *changes = lj_path(params, "changes");
  if (!cJSON_IsArray(changes)) {
    log_warn("workspace/didChangeWatchedFiles ignored: invalid params: changes must be an array");
    return;
  }
  bool created = false;
  for (const cJSON *c = changes->child; c; c = c->next) {
    const cJSON *uri = cJSON_GetObjectItemCaseSensitive(c, "uri");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(c, "type");
    if (!cJSON_IsString(uri)) continue;
    dsync__disk_changed(s, uri->valuestring);
    created |= !cJSON_IsNumber(type) || type->valueint != 2; /* created (1) or deleted (3) */
    if (cJSON_IsNumber(type) && type->valueint != 3) dsync__index_new(s, uri->valuestring);
  }
  if (created) ws_each(s->w, dsync__invalidate_unresolved, s->w);
  /* Open documents resolve their imports again (a missing file may exist
  ** now); their closure walks reload what was invalidated. */
  docstore_each(s->docs, dsync__recheck_doc, s);
}

void dsync_index_workspace(srv *s) {
  if (s->index_sw || s->exiting) return;
  s->index_sw = sw_create(s->root);
  size_t total = 0;
  for (size_t r = s->first_folder; r < s->nroots && total < DSYNC_INDEX_MAX; r++) {
    char **paths = NULL;
    size_t n = 0;
    check_collect(s->roots[r], DSYNC_INDEX_MAX - total, &paths, &n);
    for (size_t i = 0; i < n; i++) {
      char real[PATH_MAX];
      ws_file *f = realpath(paths[i], real) ? ws_intern(s->w, real) : NULL;
      if (f && f->state == WS_UNLOADED) dsync__load(s, f, s->index_sw);
      free(paths[i]);
    }
    free(paths);
    total += n;
  }
  log_info("workspace: indexing %zu file(s) of the workspace folders", total);
}

/* A new file on disk inside a workspace folder joins the index. */
static void dsync__index_new(srv *s, const char *uri) {
  char *path = uri_to_path(uri);
  char real[PATH_MAX];
  size_t n = path ? strlen(path) : 0;
  bool inside = false;
  for (size_t r = s->first_folder; path && r < s->nroots && !inside; r++) {
    size_t k = strlen(s->roots[r]);
    inside = strncmp(path, s->roots[r], k) == 0 && (path[k] == '/' || s->roots[r][k - 1] == '/');
  }
  if (inside && n > 4 && strcmp(path + n - 4, ".iml") == 0 && realpath(path, real) && s->index_sw) {
    ws_file *f = ws_intern(s->w, real);
    if (f && f->state == WS_UNLOADED) dsync__load(s, f, s->index_sw);
  }
  free(path);
}

void dsync_saved(srv *s, const cJSON *params) {
  /* Without file watchers, a save is how we learn that a file was created. */
  ws_each(s->w, dsync__invalidate_unresolved, s->w);
  docstore_each(s->docs, dsync__recheck_doc, s);
  (void)params;
}

/* ------------------------------------------------------------------------ */
/* Open, change, close.                                                      */

doc *dsync_open(srv *s, const char *uri, const char *language_id, int64_t version, const char *text) {
  char *path = uri_to_path(uri), *canon = path ? realpath(path, NULL) : NULL;
  doc *d = docstore_open(s->docs, uri, canon ? canon : path, language_id, version, text, strlen(text));
  free(canon);
  free(path);
  if (d) dsync__schedule_parse(s, d);
  return d;
}

void dsync_changed(srv *s, doc *d) { dsync__schedule_parse(s, d); }

void dsync_close(srv *s, const char *uri) {
  doc *d = docstore_get(s->docs, uri);
  if (!d) return;
  ws_file *f = d->path ? ws_find(s->w, d->path) : NULL;
  docstore_close(s->docs, uri); /* turns the version switch off: its outputs are dropped */
  if (f) {
    /* The file reverts to the disk for the documents that import it. */
    f->open = false;
    ws_invalidate(s->w, f);
    dsync__refresh_all(s);
  }
  /* Closed documents show no diagnostics. */
  cJSON *p = cJSON_CreateObject();
  cJSON_AddStringToObject(p, "uri", uri);
  cJSON_AddArrayToObject(p, "diagnostics");
  char *body = srv_notification("textDocument/publishDiagnostics", p);
  if (body) { srv_write_body(s, body, strlen(body)); free(body); }
}
