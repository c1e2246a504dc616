/*
** uri.h — file:// URIs <-> file system paths (RFC 8089 as editors send
** them: "file:///abs/path", percent-encoded). Pure functions.
*/
#ifndef IML_URI_H
#define IML_URI_H

/* The path of a file:// URI (borrowed), percent-decoded; NULL for other
** schemes, a non-local authority, a relative path or an encoded NUL.
** Caller frees with free. */
char *uri_to_path(const char *uri);

/* `path` (borrowed) as a URI reference: every byte outside RFC 3986's
** unreserved set and '/' percent-encoded (SARIF's relative artifact URIs).
** Caller frees with free. */
char *uri_encode_path(const char *path);

/* "file://" + the absolute path (borrowed), percent-encoding every byte
** outside RFC 3986's unreserved set and '/'. Caller frees with free. */
char *uri_from_path(const char *path);

#endif
