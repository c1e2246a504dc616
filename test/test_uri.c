/* test_uri.c — file:// URIs and paths. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "uri.h"

static void check_to(const char *uri, const char *want) {
  char *p = uri_to_path(uri);
  if (!want) cr_assert_null(p, "%s -> %s, expected NULL", uri, p);
  else {
    cr_assert(p, "%s -> NULL", uri);
    cr_assert_str_eq(p, want);
  }
  free(p);
}

Test(uri, to_path) {
  check_to("file:///home/u/a.iml", "/home/u/a.iml");
  check_to("file:///home/u/my%20file%C3%A9.iml", "/home/u/my fileé.iml");
  check_to("FILE:///x.iml", "/x.iml");
  check_to("file://localhost/x.iml", "/x.iml");
  check_to("file:///a%2fb", "/a/b");
  check_to("untitled:Untitled-1", NULL);
  check_to("file://server/share/x.iml", NULL);
  check_to("file:///bad%zz", NULL);
  check_to("file:///nul%00byte", NULL);
  check_to("https://example.invalid/x.iml", NULL);
}

Test(uri, round_trip) {
  const char *paths[] = {"/a/b.iml", "/with space/é/#hash?.iml", "/tmp/x+y%z.iml"};
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
    char *u = uri_from_path(paths[i]);
    cr_assert(u);
    cr_assert(!strchr(u + 7, ' ') && !strchr(u + 7, '#') && !strchr(u + 7, '?'), "%s not encoded: %s", paths[i], u);
    char *p = uri_to_path(u);
    cr_assert_str_eq(p, paths[i]);
    free(u);
    free(p);
  }
}
