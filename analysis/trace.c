/*
** trace.c — see trace.h.
**
** DESIGN: one process-wide buffer of events guarded by `trace__mu`; the
** enabled flag is an atomic read without the lock (set once before any
** traced work starts). Thread names are read with pthread_getname_np when a
** thread records its first span. No other lock is taken while holding
** trace__mu.
*/
#define _GNU_SOURCE
#include "trace.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>

typedef struct {
  const char *name;
  char *file;
  uint64_t ts, dur;
  long tid;
} trace__event;

typedef struct {
  long tid;
  char name[16];
} trace__thread;

static atomic_bool trace__on;
static pthread_mutex_t trace__mu = PTHREAD_MUTEX_INITIALIZER;
static trace__event *trace__events;   /* guarded by trace__mu */
static size_t trace__n, trace__cap;   /* guarded by trace__mu */
static trace__thread *trace__threads; /* guarded by trace__mu */
static size_t trace__nthreads;        /* guarded by trace__mu */

void trace_enable(void) { atomic_store(&trace__on, true); }
bool trace_enabled(void) { return atomic_load(&trace__on); }

uint64_t trace_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void trace_span(const char *name, const char *file, uint64_t start_us, uint64_t end_us) {
  if (!trace_enabled()) return;
  long tid = (long)syscall(SYS_gettid);
  char tname[16] = "";
  pthread_getname_np(pthread_self(), tname, sizeof tname);
  char *copy = file ? strdup(file) : NULL;
  pthread_mutex_lock(&trace__mu);
  if (trace__n == trace__cap) {
    size_t cap = trace__cap ? trace__cap * 2 : 1024;
    trace__event *ne = realloc(trace__events, cap * sizeof *ne);
    if (!ne) { pthread_mutex_unlock(&trace__mu); free(copy); return; }
    trace__events = ne;
    trace__cap = cap;
  }
  trace__events[trace__n++] = (trace__event){name, copy, start_us, end_us > start_us ? end_us - start_us : 0, tid};
  bool known = false;
  for (size_t i = 0; i < trace__nthreads && !known; i++) known = trace__threads[i].tid == tid;
  if (!known) {
    trace__thread *nt = realloc(trace__threads, (trace__nthreads + 1) * sizeof *nt);
    if (nt) {
      trace__threads = nt;
      trace__threads[trace__nthreads].tid = tid;
      memcpy(trace__threads[trace__nthreads].name, tname, sizeof tname);
      trace__nthreads++;
    }
  }
  pthread_mutex_unlock(&trace__mu);
}

int trace_write(const char *path) {
  pthread_mutex_lock(&trace__mu);
  cJSON *doc = cJSON_CreateObject();
  cJSON *arr = cJSON_AddArrayToObject(doc, "traceEvents");
  long pid = (long)getpid();
  for (size_t i = 0; i < trace__nthreads; i++) {
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "name", "thread_name");
    cJSON_AddStringToObject(m, "ph", "M");
    cJSON_AddNumberToObject(m, "pid", (double)pid);
    cJSON_AddNumberToObject(m, "tid", (double)trace__threads[i].tid);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(m, "args"), "name",
                            trace__threads[i].name[0] ? trace__threads[i].name : "main");
    cJSON_AddItemToArray(arr, m);
  }
  for (size_t i = 0; i < trace__n; i++) {
    trace__event *e = &trace__events[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", e->name);
    cJSON_AddStringToObject(o, "cat", "iml");
    cJSON_AddStringToObject(o, "ph", "X");
    cJSON_AddNumberToObject(o, "ts", (double)e->ts);
    cJSON_AddNumberToObject(o, "dur", (double)e->dur);
    cJSON_AddNumberToObject(o, "pid", (double)pid);
    cJSON_AddNumberToObject(o, "tid", (double)e->tid);
    if (e->file) cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "args"), "file", e->file);
    cJSON_AddItemToArray(arr, o);
    free(e->file);
  }
  free(trace__events);
  free(trace__threads);
  trace__events = NULL;
  trace__threads = NULL;
  trace__n = trace__cap = trace__nthreads = 0;
  pthread_mutex_unlock(&trace__mu);
  char *s = cJSON_PrintUnformatted(doc);
  cJSON_Delete(doc);
  if (!s) return -1;
  FILE *f = fopen(path, "w");
  if (!f) { free(s); return -1; }
  int rc = fputs(s, f) < 0 ? -1 : 0;
  if (fclose(f) != 0) rc = -1;
  free(s);
  return rc;
}
