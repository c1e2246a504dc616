/*
** main.c — command line entry point.
**
**   iml-lsp [options]            language server on stdin/stdout
**   iml-lsp check [opts] PATH…   headless checker (see check.h)
**   iml-lsp infer [opts] FILE     the inferred interface of FILE (check.h)
*/
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "log.h"
#include "server.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: iml-lsp [options]            run the language server on stdin/stdout\n"
          "       iml-lsp check [-j N] PATH... check IML files and print diagnostics\n"
          "       iml-lsp infer [-I DIR] FILE  print FILE's values and types (like ocamlc -i)\n"
          "\n"
          "server options:\n"
          "  --stdio                     use stdin/stdout (the default; accepted for editors)\n"
          "  --log-file FILE             append logs to FILE instead of stderr\n"
          "  --log-level LEVEL           error, warn, info (default) or debug\n"
          "  --query-threads N           threads answering requests (default 2)\n"
          "  --background-threads N      threads parsing documents (default: cores)\n"
          "  --max-message-size BYTES    largest accepted JSON-RPC body (default 64 MiB)\n"
          "  --version                   print the version and exit\n"
          "  -h, --help                  print this help and exit\n");
}

static int parse_count(const char *opt, const char *arg, long lo, long hi, long *out) {
  char *end;
  errno = 0;
  long v = strtol(arg, &end, 10);
  if (errno || *end || v < lo || v > hi) {
    fprintf(stderr, "iml-lsp: %s expects an integer in %ld..%ld, got '%s'\n", opt, lo, hi, arg);
    return -1;
  }
  *out = v;
  return 0;
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN); /* a closed stdout is reported by write() instead */
  if (argc > 1 && (strcmp(argv[1], "check") == 0 || strcmp(argv[1], "infer") == 0))
    return check_main(argc - 1, argv + 1, stdout, stderr);

  enum { OPT_STDIO = 256, OPT_LOG_FILE, OPT_LOG_LEVEL, OPT_QT, OPT_BT, OPT_MAX, OPT_VERSION };
  static const struct option longopts[] = {
    {"stdio", no_argument, NULL, OPT_STDIO},
    {"log-file", required_argument, NULL, OPT_LOG_FILE},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"query-threads", required_argument, NULL, OPT_QT},
    {"background-threads", required_argument, NULL, OPT_BT},
    {"max-message-size", required_argument, NULL, OPT_MAX},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
  };
  server_opts opts = {.in_fd = 0, .out_fd = 1};
  long v;
  int c;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case OPT_STDIO: break;
    case OPT_LOG_FILE:
      if (log_open_file(optarg) < 0) {
        fprintf(stderr, "iml-lsp: cannot open log file %s: %s\n", optarg, strerror(errno));
        return 2;
      }
      break;
    case OPT_LOG_LEVEL: {
      log_level lvl;
      if (!log_parse_level(optarg, &lvl)) {
        fprintf(stderr, "iml-lsp: unknown log level '%s' (error, warn, info, debug)\n", optarg);
        return 2;
      }
      log_set_level(lvl);
      break;
    }
    case OPT_QT:
      if (parse_count("--query-threads", optarg, 1, 256, &v) < 0) return 2;
      opts.query_threads = (int)v;
      break;
    case OPT_BT:
      if (parse_count("--background-threads", optarg, 1, 256, &v) < 0) return 2;
      opts.background_threads = (int)v;
      break;
    case OPT_MAX:
      if (parse_count("--max-message-size", optarg, 1024, 1L << 40, &v) < 0) return 2;
      opts.max_message = (size_t)v;
      break;
    case OPT_VERSION: printf("iml-lsp %s\n", IML_VERSION); return 0;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "iml-lsp: unexpected argument '%s'\n", argv[optind]);
    usage(stderr);
    return 2;
  }
  int rc = server_run(&opts);
  log_close();
  return rc;
}
