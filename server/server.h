/*
** server.h — the language server: libev stdio front end, lifecycle,
** documents, and dispatch of requests to the query pool.
**
** See docs/architecture.md for the threads and the data flow. In short: the
** loop thread (the caller of server_run) owns all mutable server state;
** parsing runs on the background pool, requests on the query pool, and both
** talk back only through the outbound queue.
*/
#ifndef IML_SERVER_H
#define IML_SERVER_H

#include <stddef.h>

typedef struct {
  int in_fd, out_fd;        /* normally 0 and 1 */
  int query_threads;        /* 0: default (2) */
  int background_threads;   /* 0: default (number of cores) */
  size_t max_message;       /* 0: default (64 MiB) */
} server_opts;

/* Serve until `exit` or EOF on in_fd. Returns the process exit code: 0 after
** shutdown + exit (or EOF after shutdown), 1 otherwise. */
int server_run(const server_opts *opts);

#endif
