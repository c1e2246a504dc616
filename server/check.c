/*
** check.c — see check.h.
**
** DESIGN: the main thread collects the PATH arguments (directories searched
** recursively for *.iml), hands them to an import graph (graph.h) whose
** discovery runs on a background pool of -j threads — each file of the
** closure read and parsed once, imports resolved and followed in parallel —
** and waits on a condition variable until the graph's `done` callback sets
** `finished` (the main thread is not a pool thread, so waiting is allowed; it
** wakes every 100 ms to draw the progress bar). `mu` protects `finished`.
** After the pool is joined, the main thread reads the graph alone.
*/
#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "graph.h"
#include "pool.h"
#include "prelude.h"
#include "typeck.h"
#include "report.h"
#include "snapshot.h"
#include "trace.h"

typedef struct {
  char **v;
  size_t n, cap;
} check_paths;

typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool finished; /* guarded by mu */
} check_wait;

static int check__push(check_paths *p, const char *path) {
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 64;
    char **nv = realloc(p->v, cap * sizeof *nv);
    if (!nv) return -1;
    p->v = nv;
    p->cap = cap;
  }
  if (!(p->v[p->n] = strdup(path))) return -1;
  p->n++;
  return 0;
}

static bool check__is_iml(const char *name) {
  size_t n = strlen(name);
  return n > 4 && strcmp(name + n - 4, ".iml") == 0;
}

/* Depth-bounded walk (symlink loops cannot recurse forever). `err` may be
** NULL (quiet). Stops after `max` files (0: no limit). */
static int check__walk_max(check_paths *p, const char *dir, int depth, FILE *err, size_t max) {
  if (depth > 64) {
    if (err) fprintf(err, "iml-lsp check: %s: directory nesting too deep; skipped\n", dir);
    return 0;
  }
  DIR *d = opendir(dir);
  if (!d) {
    if (err) fprintf(err, "iml-lsp check: %s: %s\n", dir, strerror(errno));
    return -1;
  }
  int rc = 0;
  struct dirent *e;
  while ((e = readdir(d)) && (!max || p->n < max)) {
    if (e->d_name[0] == '.') continue; /* ., .., hidden dirs like .git */
    if (strcmp(e->d_name, "node_modules") == 0) continue;
    size_t n = strlen(dir) + strlen(e->d_name) + 2;
    char *path = malloc(n);
    if (!path) { rc = -1; break; }
    snprintf(path, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
    struct stat st;
    if (stat(path, &st) == 0) {
      if (S_ISDIR(st.st_mode)) {
        if (check__walk_max(p, path, depth + 1, err, max) < 0) rc = -1;
      } else if (S_ISREG(st.st_mode) && check__is_iml(e->d_name)) {
        if (check__push(p, path) < 0) rc = -1;
      }
    }
    free(path);
  }
  closedir(d);
  return rc;
}

static int check__walk(check_paths *p, const char *dir, int depth, FILE *err) {
  return check__walk_max(p, dir, depth, err, 0);
}

int check_collect(const char *dir, size_t max, char ***paths, size_t *n) {
  check_paths p = {0};
  int rc = check__walk_max(&p, dir, 0, NULL, max);
  *paths = p.v;
  *n = p.n;
  return rc;
}

/* The graph of the finished run (see the end of check_main). */
static graph *check__exiting;

static void check__done(void *data) {
  check_wait *w = data;
  pthread_mutex_lock(&w->mu);
  w->finished = true;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
}

/* Wait for the graph; progress on stderr (only on a terminal, only for runs
** that last more than half a second). */
static void check__wait(check_wait *w, graph *g, bool progress) {
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  bool shown = false;
  pthread_mutex_lock(&w->mu);
  while (!w->finished) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 100 * 1000 * 1000;
    if (until.tv_nsec >= 1000000000) { until.tv_sec++; until.tv_nsec -= 1000000000; }
    pthread_cond_timedwait(&w->cv, &w->mu, &until);
    clock_gettime(CLOCK_MONOTONIC, &now);
    double t = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
    if (progress && t > 0.5 && !w->finished) {
      size_t done, known, width = 30;
      graph_progress(g, &done, &known);
      size_t fill = known ? done * width / known : 0;
      fprintf(stderr, "\r[");
      for (size_t i = 0; i < width; i++) fputc(i < fill ? '#' : ' ', stderr);
      fprintf(stderr, "] %zu/%zu files", done, known);
      fflush(stderr);
      shown = true;
    }
  }
  pthread_mutex_unlock(&w->mu);
  if (shown) fprintf(stderr, "\r\033[K");
}

static void check__usage(FILE *f) {
  fprintf(f,
          "usage: iml-lsp check [options] PATH...\n"
          "  Check IML files and everything they import (directories are searched\n"
          "  recursively for *.iml).\n"
          "  -j, --jobs N              parse with N threads (default: number of cores)\n"
          "  -I DIR                    also resolve imports against DIR (repeatable, in order)\n"
          "  --format text|json|sarif  output format (default: text)\n"
          "  --color auto|always|never colour the text output (auto: when stdout is a\n"
          "                            terminal and NO_COLOR is not set)\n"
          "  --trace FILE              write a Chrome trace-event JSON of the run (Perfetto)\n"
          "  -h, --help                show this help\n"
          "Exit status: 0 no errors, 1 errors found, 2 usage or I/O problem.\n");
}

/* The path to print: relative to the working directory when inside it. */
static const char *check__display(const char *path, const char *cwd) {
  size_t n = strlen(cwd);
  if (n > 1 && strncmp(path, cwd, n) == 0 && path[n] == '/') return path + n + 1;
  return path;
}

static int check__diag_cmp(const void *a, const void *b) {
  const diag *x = a, *y = b;
  if (x->span.start != y->span.start) return x->span.start < y->span.start ? -1 : 1;
  return strcmp(x->code, y->code);
}

int check_main(int argc, char **argv, FILE *out, FILE *err) {
  bool infer = strcmp(argv[0], "infer") == 0;
  long jobs = sysconf(_SC_NPROCESSORS_ONLN);
  static const struct option longopts[] = {
    {"jobs", required_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'},
    {"format", required_argument, NULL, 'F'}, {"color", required_argument, NULL, 'C'},
    {"trace", required_argument, NULL, 'T'}, {NULL, 0, NULL, 0}};
  const char *trace_path = NULL;
  rep_format format = REP_TEXT;
  const char *color = "auto";
  check_paths roots = {0}, paths = {0};
  int status = 0;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "+j:I:h", longopts, NULL)) != -1) {
    if (c == 'j') {
      char *end;
      jobs = strtol(optarg, &end, 10);
      if (*end || jobs < 1 || jobs > 256) {
        fprintf(err, "iml-lsp check: -j expects a number of threads in 1..256, got '%s'\n", optarg);
        return 2;
      }
    } else if (c == 'I') {
      struct stat st;
      if (stat(optarg, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(err, "iml-lsp check: -I %s: not a directory\n", optarg);
        return 2;
      }
      if (check__push(&roots, optarg) < 0) return 2;
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
    } else if (c == 'T') {
      trace_path = optarg;
      trace_enable();
    } else if (c == 'h') {
      check__usage(out);
      return 0;
    } else {
      fprintf(err, "iml-lsp check: unknown option or missing argument '%s'\n", argv[optind - 1]);
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
  for (int i = optind; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(err, "iml-lsp check: %s: %s\n", argv[i], strerror(errno));
      status = 2;
    } else if (S_ISDIR(st.st_mode)) {
      if (check__walk(&paths, argv[i], 0, err) < 0) status = 2;
    } else if (check__push(&paths, argv[i]) < 0) {
      status = 2;
    }
  }

  pool *p = pool_create("iml-check", (int)jobs, 0);
  graph *g = p ? graph_create(p, (const char *const *)roots.v, roots.n) : NULL;
  check_wait w = {.finished = false};
  pthread_mutex_init(&w.mu, NULL);
  pthread_cond_init(&w.cv, NULL);
  if (!g || graph_discover(g, (const char *const *)paths.v, paths.n, NULL, check__done, &w) < 0) {
    fprintf(err, "iml-lsp check: cannot start (out of memory or threads)\n");
    graph_destroy(g);
    pool_destroy(p);
    return 2;
  }
  bool progress = err == stderr && isatty(fileno(stderr));
  check__wait(&w, g, progress);
  graph_finish(g); /* every file was written before `done` (graph.h) */
  /* Type checking, in dependency order on the same pool. */
  const sig *prelude = prelude_sig();
  w.finished = false;
  if (!prelude) {
    fprintf(err, "iml-lsp check: the prelude could not be built (out of memory)\n");
    status = 2;
  } else if (graph_typecheck(g, prelude, NULL, check__done, &w) == 0) {
    check__wait(&w, g, progress);
  } else {
    fprintf(err, "iml-lsp check: out of memory\n");
    status = 2;
  }
  uint64_t t_report = trace_now_us();

  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) cwd[0] = 0;
  size_t n = graph_count(g), nerr = 0, nwarn = 0, nrf = 0;
  rep_file *rf = calloc(n ? n : 1, sizeof *rf);
  diag **merged = calloc(n ? n : 1, sizeof *merged);
  for (size_t i = 0; rf && merged && i < n; i++) {
    const graph_file *f = graph_get(g, i);
    if (f->io_error) {
      fprintf(err, "iml-lsp check: %s\n", f->io_error);
      status = 2;
      continue;
    }
    const diag_list *syn = snap_diagnostics(f->sn);
    size_t nd = syn->count + f->import_diags.count + f->type_diags.count;
    merged[i] = malloc((nd ? nd : 1) * sizeof(diag));
    if (!merged[i]) { status = 2; continue; }
    if (syn->count) memcpy(merged[i], syn->items, syn->count * sizeof(diag));
    if (f->import_diags.count)
      memcpy(merged[i] + syn->count, f->import_diags.items, f->import_diags.count * sizeof(diag));
    if (f->type_diags.count)
      memcpy(merged[i] + syn->count + f->import_diags.count, f->type_diags.items, f->type_diags.count * sizeof(diag));
    if (nd > 1) qsort(merged[i], nd, sizeof(diag), check__diag_cmp);
    rf[nrf++] = (rep_file){check__display(f->path, cwd), snap_text(f->sn), snap_len(f->sn), snap_lines(f->sn),
                           merged[i], nd};
    for (size_t k = 0; k < nd; k++) {
      if (merged[i][k].severity == DIAG_ERROR) nerr++;
      else if (merged[i][k].severity == DIAG_WARNING) nwarn++;
    }
  }
  if (!rf || !merged) { fprintf(err, "iml-lsp check: out of memory\n"); status = 2; }
  if (infer && rf && merged) {
    /* `infer FILE`: the interface of FILE like `ocamlc -i`; its diagnostics on stderr. */
    char real[PATH_MAX];
    const graph_file *f = realpath(paths.v[0], real) ? graph_find(g, real) : NULL;
    size_t k = 0;
    while (k < nrf && f && rf[k].text != (f->sn ? snap_text(f->sn) : NULL)) k++;
    size_t errors = 0;
    for (size_t d = 0; k < nrf && d < rf[k].ndiags; d++) errors += rf[k].diags[d].severity == DIAG_ERROR;
    if (k < nrf && rf[k].ndiags) rep_text(err, &rf[k], 1, false);
    char *sigtext = f && f->sig && !errors ? tc_signature_text(f->sig) : NULL;
    if (sigtext) fputs(sigtext, out);
    free(sigtext);
    if (!f) status = 2;
    else if (errors) status = 1;
    for (size_t i = 0; i < n; i++) free(merged[i]);
    free(merged);
    free(rf);
    pool_destroy(p);
    check__exiting = g;
    for (size_t i = 0; i < paths.n; i++) free(paths.v[i]);
    free(paths.v);
    for (size_t i = 0; i < roots.n; i++) free(roots.v[i]);
    free(roots.v);
    return status;
  }
  bool use_color = !strcmp(color, "always") ||
                   (!strcmp(color, "auto") && isatty(fileno(out)) && !(getenv("NO_COLOR") && *getenv("NO_COLOR")));
  if (rf && merged) {
    if (format == REP_TEXT) rep_text(out, rf, nrf, use_color);
    else if (format == REP_JSON) rep_json(out, rf, nrf);
    else rep_sarif(out, rf, nrf);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  fprintf(err, "checked %zu file%s: %zu error%s, %zu warning%s in %.2fs\n", n, n == 1 ? "" : "s", nerr,
          nerr == 1 ? "" : "s", nwarn, nwarn == 1 ? "" : "s", secs);
  for (size_t i = 0; merged && i < n; i++) free(merged[i]);
  free(merged);
  free(rf);
  pool_destroy(p);
  if (trace_path) {
    trace_span("report", NULL, t_report, trace_now_us());
    if (trace_write(trace_path) < 0) {
      fprintf(err, "iml-lsp check: --trace %s: %s\n", trace_path, strerror(errno));
      status = 2;
    }
  }
  /* The process exits right after this: freeing a thousand syntax trees
  ** takes ~0.12 s of serial time (20% of a cold run), so the graph is left
  ** to the OS, still reachable (no leak report from LeakSanitizer). */
  check__exiting = g;
  for (size_t i = 0; i < paths.n; i++) free(paths.v[i]);
  free(paths.v);
  for (size_t i = 0; i < roots.n; i++) free(roots.v[i]);
  free(roots.v);
  pthread_mutex_destroy(&w.mu);
  pthread_cond_destroy(&w.cv);
  if (status) return status;
  return nerr ? 1 : 0;
}
