/*
** log.c — see log.h.
**
** DESIGN: one global mutex `log__mu` protects the destination FILE*, the
** forwarder and its data. The level is an atomic read without the lock (a
** stale level only changes whether one line is printed). The forwarder is
** called with the lock RELEASED (it may allocate and post to the outbound
** queue, which has its own lock); lock order: log__mu is never held while
** taking another lock.
*/
#define _GNU_SOURCE
#include "log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static pthread_mutex_t log__mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int log__level = LOG_INFO;
static FILE *log__file;                 /* NULL: stderr; guarded by log__mu */
static log_forward_fn log__fwd;         /* guarded by log__mu */
static void *log__fwd_data;             /* guarded by log__mu */

bool log_parse_level(const char *s, log_level *out) {
  static const struct { const char *name; log_level lvl; } names[] = {
    {"error", LOG_ERROR}, {"warn", LOG_WARN}, {"warning", LOG_WARN},
    {"info", LOG_INFO}, {"debug", LOG_DEBUG},
  };
  for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
    if (strcasecmp(s, names[i].name) == 0) { *out = names[i].lvl; return true; }
  return false;
}

void log_set_level(log_level lvl) { atomic_store(&log__level, (int)lvl); }
log_level log_get_level(void) { return (log_level)atomic_load(&log__level); }

int log_open_file(const char *path) {
  FILE *f = NULL;
  if (path) {
    f = fopen(path, "a");
    if (!f) return -1;
    setvbuf(f, NULL, _IOLBF, 0);
  }
  pthread_mutex_lock(&log__mu);
  FILE *old = log__file;
  log__file = f;
  pthread_mutex_unlock(&log__mu);
  if (old) fclose(old);
  return 0;
}

void log_close(void) { log_open_file(NULL); }

void log_set_forwarder(log_forward_fn fn, void *data) {
  pthread_mutex_lock(&log__mu);
  log__fwd = fn;
  log__fwd_data = data;
  pthread_mutex_unlock(&log__mu);
}

void log_vmsg(log_level lvl, const char *fmt, va_list ap) {
  if ((int)lvl > atomic_load(&log__level) && lvl > LOG_WARN) return;
  char msg[2048];
  vsnprintf(msg, sizeof msg, fmt, ap);
  static const char *tags[] = {"", "E", "W", "I", "D"};
  char tname[16] = "?";
  pthread_getname_np(pthread_self(), tname, sizeof tname);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);

  pthread_mutex_lock(&log__mu);
  if ((int)lvl <= atomic_load(&log__level)) {
    FILE *out = log__file ? log__file : stderr;
    fprintf(out, "%s[%02d:%02d:%02d.%03ld %s] %s\n", tags[lvl], tm.tm_hour, tm.tm_min, tm.tm_sec,
            ts.tv_nsec / 1000000, tname, msg);
    fflush(out);
  }
  log_forward_fn fwd = lvl <= LOG_WARN ? log__fwd : NULL;
  void *fwd_data = log__fwd_data;
  pthread_mutex_unlock(&log__mu);
  if (fwd) fwd(lvl == LOG_ERROR ? 1 : 2, msg, fwd_data);
}

void log_msg(log_level lvl, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  log_vmsg(lvl, fmt, ap);
  va_end(ap);
}
