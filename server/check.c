/*
** check.c — see check.h.
**
** DESIGN: the main thread collects paths, submits one parse task per file to
** a background pool and then waits on a condition variable until the
** `remaining` counter reaches zero (it is not a pool thread, so waiting is
** allowed). Each task writes only its own result slot; `mu` protects
** `remaining`; the pool join in pool_destroy publishes the slots to the main
** thread, which prints them in path order.
*/
#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pool.h"
#include "report.h"
#include "snapshot.h"

typedef struct {
  char *path;
  snap *sn;         /* result, or NULL */
  char *io_error;   /* malloc'd message, or NULL */
} check_file;

typedef struct {
  check_file *files;
  size_t n, cap;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  size_t remaining;  /* guarded by mu */
} check_run;

typedef struct { check_run *run; check_file *f; } check_job;

static int check__push(check_run *r, const char *path) {
  if (r->n == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 64;
    check_file *nf = realloc(r->files, cap * sizeof *nf);
    if (!nf) return -1;
    r->files = nf;
    r->cap = cap;
  }
  r->files[r->n] = (check_file){strdup(path), NULL, NULL};
  if (!r->files[r->n].path) return -1;
  r->n++;
  return 0;
}

static bool check__is_iml(const char *name) {
  size_t n = strlen(name);
  return n > 4 && strcmp(name + n - 4, ".iml") == 0;
}

/* Depth-bounded walk (symlink loops cannot recurse forever). */
static int check__walk(check_run *r, const char *dir, int depth, FILE *err) {
  if (depth > 64) {
    fprintf(err, "iml-lsp check: %s: directory nesting too deep; skipped\n", dir);
    return 0;
  }
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(err, "iml-lsp check: %s: %s\n", dir, strerror(errno));
    return -1;
  }
  int rc = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue; /* ., .., hidden dirs like .git */
    if (strcmp(e->d_name, "node_modules") == 0) continue;
    size_t n = strlen(dir) + strlen(e->d_name) + 2;
    char *p = malloc(n);
    if (!p) { rc = -1; break; }
    snprintf(p, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
    struct stat st;
    if (stat(p, &st) == 0) {
      if (S_ISDIR(st.st_mode)) {
        if (check__walk(r, p, depth + 1, err) < 0) rc = -1;
      } else if (S_ISREG(st.st_mode) && check__is_iml(e->d_name)) {
        if (check__push(r, p) < 0) rc = -1;
      }
    }
    free(p);
  }
  closedir(d);
  return rc;
}

static char *check__read(const char *path, size_t *len, char **error) {
  FILE *f = fopen(path, "rb");
  if (!f) goto fail;
  size_t cap = 65536, n = 0;
  char *buf = malloc(cap + 1);
  while (buf) {
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
    if (n == cap) {
      char *nb = realloc(buf, cap * 2 + 1);
      if (!nb) { free(buf); buf = NULL; break; }
      buf = nb;
      cap *= 2;
    }
  }
  bool bad = ferror(f);
  fclose(f);
  if (!buf || bad) { free(buf); goto fail; }
  buf[n] = 0;
  *len = n;
  return buf;
fail: {
  const char *why = strerror(errno ? errno : EIO);
  size_t m = strlen(path) + strlen(why) + 3;
  *error = malloc(m);
  if (*error) snprintf(*error, m, "%s: %s", path, why);
  return NULL;
}
}

static void check__task(void *arg, bool cancelled) {
  check_job *j = arg;
  if (!cancelled) {
    size_t len = 0;
    char *text = check__read(j->f->path, &len, &j->f->io_error);
    TSParser *parser = snap_thread_parser();
    if (text && parser) j->f->sn = snap_build(j->f->path, 0, text, len, NULL, parser, NULL);
    else free(text);
    if (text && !j->f->sn && !j->f->io_error) j->f->io_error = strdup("out of memory");
  }
  pthread_mutex_lock(&j->run->mu);
  if (--j->run->remaining == 0) pthread_cond_signal(&j->run->cv);
  pthread_mutex_unlock(&j->run->mu);
  free(j);
}

static int check__cmp(const void *a, const void *b) {
  return strcmp(((const check_file *)a)->path, ((const check_file *)b)->path);
}

static void check__usage(FILE *f) {
  fprintf(f,
          "usage: iml-lsp check [options] PATH...\n"
          "  Check IML files (directories are searched recursively for *.iml).\n"
          "  -j, --jobs N            parse with N threads (default: number of cores)\n"
          "  --format text|json|sarif  output format (default: text)\n"
          "  --color auto|always|never colour the text output (auto: when stdout is a\n"
          "                          terminal and NO_COLOR is not set)\n"
          "  -h, --help              show this help\n"
          "Exit status: 0 no errors, 1 errors found, 2 usage or I/O problem.\n");
}

/* Progress on stderr while waiting (only on a terminal, only for runs that
** last more than half a second). Main thread, with run->mu held. */
static void check__wait(check_run *run, bool progress) {
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  bool shown = false;
  while (run->remaining > 0) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 100 * 1000 * 1000;
    if (until.tv_nsec >= 1000000000) { until.tv_sec++; until.tv_nsec -= 1000000000; }
    pthread_cond_timedwait(&run->cv, &run->mu, &until);
    clock_gettime(CLOCK_MONOTONIC, &now);
    double t = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
    if (progress && t > 0.5 && run->remaining > 0) {
      size_t done = run->n - run->remaining, width = 30, fill = run->n ? done * width / run->n : 0;
      fprintf(stderr, "\r[");
      for (size_t i = 0; i < width; i++) fputc(i < fill ? '#' : ' ', stderr);
      fprintf(stderr, "] %zu/%zu files", done, run->n);
      fflush(stderr);
      shown = true;
    }
  }
  if (shown) fprintf(stderr, "\r\033[K");
}

int check_main(int argc, char **argv, FILE *out, FILE *err) {
  long jobs = sysconf(_SC_NPROCESSORS_ONLN);
  static const struct option longopts[] = {
    {"jobs", required_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'},
    {"format", required_argument, NULL, 'F'}, {"color", required_argument, NULL, 'C'}, {NULL, 0, NULL, 0}};
  rep_format format = REP_TEXT;
  const char *color = "auto";
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "+j:h", longopts, NULL)) != -1) {
    if (c == 'j') {
      char *end;
      jobs = strtol(optarg, &end, 10);
      if (*end || jobs < 1 || jobs > 256) {
        fprintf(err, "iml-lsp check: -j expects a number of threads in 1..256, got '%s'\n", optarg);
        return 2;
      }
    } else if (c == 'F') {
      if (!rep_parse_format(optarg, &format)) {
        fprintf(err, "iml-lsp check: --format expects text, json or sarif, got '%s'\n", optarg);
        return 2;
      }
    } else if (c == 'C') {
      if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
        fprintf(err, "iml-lsp check: --color expects auto, always or never, got '%s'\n", optarg);
        return 2;
      }
      color = optarg;
    } else if (c == 'h') {
      check__usage(out);
      return 0;
    } else {
      fprintf(err, "iml-lsp check: unknown option '%s'\n", argv[optind - 1]);
      check__usage(err);
      return 2;
    }
  }
  if (optind >= argc) {
    fprintf(err, "iml-lsp check: no PATH given\n");
    check__usage(err);
    return 2;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  check_run run = {0};
  int status = 0;
  for (int i = optind; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(err, "iml-lsp check: %s: %s\n", argv[i], strerror(errno));
      status = 2;
    } else if (S_ISDIR(st.st_mode)) {
      if (check__walk(&run, argv[i], 0, err) < 0) status = 2;
    } else if (check__push(&run, argv[i]) < 0) {
      status = 2;
    }
  }
  qsort(run.files, run.n, sizeof *run.files, check__cmp);
  /* One file reached through two PATH arguments is checked once. */
  size_t w = 0;
  for (size_t i = 0; i < run.n; i++) {
    if (w && strcmp(run.files[w - 1].path, run.files[i].path) == 0) { free(run.files[i].path); continue; }
    run.files[w++] = run.files[i];
  }
  run.n = w;

  pthread_mutex_init(&run.mu, NULL);
  pthread_cond_init(&run.cv, NULL);
  run.remaining = run.n;
  pool *p = run.n ? pool_create("iml-check", (int)jobs, 0) : NULL;
  if (run.n && !p) { fprintf(err, "iml-lsp check: cannot start threads\n"); return 2; }
  for (size_t i = 0; i < run.n; i++) {
    check_job *j = malloc(sizeof *j);
    if (!j) { /* account for it as done with an error */
      run.files[i].io_error = strdup("out of memory");
      pthread_mutex_lock(&run.mu);
      run.remaining--;
      pthread_mutex_unlock(&run.mu);
      continue;
    }
    *j = (check_job){&run, &run.files[i]};
    pool_submit(p, check__task, j, NULL);
  }
  pthread_mutex_lock(&run.mu);
  check__wait(&run, err == stderr && isatty(fileno(stderr)));
  pthread_mutex_unlock(&run.mu);
  pool_destroy(p);

  size_t nerr = 0, nwarn = 0;
  rep_file *rf = calloc(run.n ? run.n : 1, sizeof *rf);
  size_t nrf = 0;
  for (size_t i = 0; i < run.n && rf; i++) {
    check_file *f = &run.files[i];
    if (f->io_error) {
      fprintf(err, "iml-lsp check: %s\n", f->io_error);
      status = 2;
      continue;
    }
    const diag_list *dl = snap_diagnostics(f->sn);
    rf[nrf++] = (rep_file){f->path, snap_text(f->sn), snap_len(f->sn), snap_lines(f->sn), dl->items, dl->count};
    for (size_t k = 0; k < dl->count; k++) {
      if (dl->items[k].severity == DIAG_ERROR) nerr++;
      else if (dl->items[k].severity == DIAG_WARNING) nwarn++;
    }
  }
  if (!rf) { fprintf(err, "iml-lsp check: out of memory\n"); status = 2; }
  bool use_color = !strcmp(color, "always") ||
                   (!strcmp(color, "auto") && isatty(fileno(out)) && !(getenv("NO_COLOR") && *getenv("NO_COLOR")));
  if (rf && format == REP_TEXT) rep_text(out, rf, nrf, use_color);
  else if (rf && format == REP_JSON) rep_json(out, rf, nrf);
  else if (rf) rep_sarif(out, rf, nrf);
  free(rf);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  fprintf(err, "checked %zu file%s: %zu error%s, %zu warning%s in %.2fs\n", run.n, run.n == 1 ? "" : "s",
          nerr, nerr == 1 ? "" : "s", nwarn, nwarn == 1 ? "" : "s", secs);
  for (size_t i = 0; i < run.n; i++) {
    free(run.files[i].path);
    free(run.files[i].io_error);
    snap_release(run.files[i].sn);
  }
  free(run.files);
  pthread_mutex_destroy(&run.mu);
  pthread_cond_destroy(&run.cv);
  if (status) return status;
  return nerr ? 1 : 0;
}
