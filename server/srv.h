/*
** srv.h — the server's state, shared by the files of the loop thread
** (server.c: stdio, lifecycle, requests; docsync.c: documents, workspace,
** diagnostics). Private to server/: nothing outside includes it.
**
** Thread ownership is that of server.c's DESIGN comment: the loop thread
** owns `srv` and everything it points to, except the fields marked
** immutable after initialize (read by pool threads) and the thread-safe
** objects (pools, outbound queue, switches).
*/
#ifndef IML_SRV_H
#define IML_SRV_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "docstore.h"
#include "handlers.h"
#include "outq.h"
#include "pool.h"
#include "switch.h"
#include "text.h"
#include "transport.h"
#include "workspace.h"

typedef enum { SRV_UNINITIALIZED, SRV_RUNNING, SRV_SHUTDOWN } srv_state;

typedef struct srv srv;

struct srv {
  struct ev_loop *loop;
  ev_io rd, wr;
  ev_async wake;
  int in_fd, out_fd;
  tr_reader *reader;
  char *out;            /* pending output bytes */
  size_t out_len, out_off, out_cap;
  bool out_broken;      /* stdout closed: drop output */
  outq *q;
  pool *qpool, *bgpool;
  sw_switch *root;
  docstore *docs;
  srv_state state;
  bool got_shutdown;
  text_encoding enc;    /* set at initialize, before the pools exist; read-only after */
  hd_ctx ctx;           /* idem: what handlers read (encoding, include roots) */
  char **roots;         /* owned storage behind ctx.roots */
  size_t nroots;
  size_t first_folder;  /* roots[first_folder…] are workspace folders (the rest includePaths) */
  bool watch_dynamic;   /* the client can register file watchers dynamically */
  int query_threads, bg_threads;
  struct req *pending;  /* pending requests (server.c) */
  bool utf8_warned;
  /* Workspace (docsync.c; loop thread only): */
  ws *w;                /* every known file: open documents and their import closures */
  size_t loading;       /* load tasks in flight */
  sw_switch *index_sw;  /* loads of the workspace index (child of root), NULL before initialized */
  bool exiting;         /* teardown started: schedule nothing new */
};

/* A serialized notification (any thread); `params` taken. Caller frees;
** NULL on OOM. */
char *srv_notification(const char *method, cJSON *params);

/* Loop thread: frame and write (or buffer) one message body (borrowed). */
void srv_write_body(srv *s, const char *body, size_t len);

#endif
