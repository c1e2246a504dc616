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

/* 1-based column in characters (code points) of byte `off` on its line. */
static size_t check__column(const char *text, size_t line_start, size_t off) {
  size_t col = 1;
  for (size_t i = line_start; i < off; i++)
    if (((unsigned char)text[i] & 0xC0) != 0x80) col++;
  return col;
}

static void check__usage(FILE *f) {
  fprintf(f,
          "usage: iml-lsp check [-j N] PATH...\n"
          "  Check IML files (directories are searched recursively for *.iml).\n"
          "  -j, --jobs N   parse with N threads (default: number of cores)\n"
          "  -h, --help     show this help\n"
          "Exit status: 0 no errors, 1 errors found, 2 usage or I/O problem.\n");
}

int check_main(int argc, char **argv, FILE *out, FILE *err) {
  long jobs = sysconf(_SC_NPROCESSORS_ONLN);
  static const struct option longopts[] = {
    {"jobs", required_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
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
  while (run.remaining > 0) pthread_cond_wait(&run.cv, &run.mu);
  pthread_mutex_unlock(&run.mu);
  pool_destroy(p);

  size_t nerr = 0, nwarn = 0;
  for (size_t i = 0; i < run.n; i++) {
    check_file *f = &run.files[i];
    if (f->io_error) {
      fprintf(err, "iml-lsp check: %s\n", f->io_error);
      status = 2;
      continue;
    }
    const diag_list *dl = snap_diagnostics(f->sn);
    const text_lines *tl = snap_lines(f->sn);
    for (size_t k = 0; k < dl->count; k++) {
      const diag *d = &dl->items[k];
      text_pos pos = text_position(tl, d->span.start, TEXT_UTF8);
      size_t col = check__column(snap_text(f->sn), text_lines_start(tl, pos.line), d->span.start);
      const char *sev = d->severity == DIAG_ERROR ? "error" : d->severity == DIAG_WARNING ? "warning" : "note";
      fprintf(out, "%s:%u:%zu: %s[%s]: %s\n", f->path, pos.line + 1, col, sev, d->code, d->message);
      if (d->severity == DIAG_ERROR) nerr++;
      else if (d->severity == DIAG_WARNING) nwarn++;
    }
  }
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
