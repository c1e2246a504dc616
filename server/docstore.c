/*
** docstore.c — see docstore.h. Loop thread only; no locks by design.
*/
#include "docstore.h"

#include <stdlib.h>
#include <string.h>

#define DOCSTORE_BUCKETS 256

struct docstore {
  sw_switch *root;
  doc *buckets[DOCSTORE_BUCKETS];
  size_t count;
};

static size_t docstore__hash(const char *s) {
  size_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h % DOCSTORE_BUCKETS;
}

static void docstore__end_version(doc *d) {
  if (d->sw) { sw_turn_off(d->sw); sw_release(d->sw); d->sw = NULL; }
  if (d->parsed) { prom_cancel(d->parsed); prom_release(d->parsed); d->parsed = NULL; }
  if (d->checked) { prom_cancel(d->checked); prom_release(d->checked); d->checked = NULL; }
}

static void docstore__free_doc(doc *d) {
  docstore__end_version(d);
  snap_release(d->last);
  docbuf_destroy(d->buf);
  free(d->uri);
  free(d->path);
  free(d->language_id);
  free(d);
}

docstore *docstore_create(sw_switch *root) {
  docstore *ds = calloc(1, sizeof *ds);
  if (ds) ds->root = sw_retain(root);
  return ds;
}

void docstore_destroy(docstore *ds) {
  if (!ds) return;
  for (size_t i = 0; i < DOCSTORE_BUCKETS; i++) {
    doc *d = ds->buckets[i];
    while (d) {
      doc *next = d->next;
      docstore__free_doc(d);
      d = next;
    }
  }
  sw_release(ds->root);
  free(ds);
}

doc *docstore_get(docstore *ds, const char *uri) {
  for (doc *d = ds->buckets[docstore__hash(uri)]; d; d = d->next)
    if (strcmp(d->uri, uri) == 0) return d;
  return NULL;
}

int docstore_begin_version(docstore *ds, doc *d, int64_t version) {
  docstore__end_version(d);
  d->version = version;
  d->sw = sw_create(ds->root);
  d->parsed = prom_create();
  d->checked = prom_create();
  if (!d->sw || !d->parsed || !d->checked) return -1;
  return 0;
}

doc *docstore_open(docstore *ds, const char *uri, const char *path, const char *language_id, int64_t version,
                   const char *text, size_t len) {
  docstore_close(ds, uri);
  doc *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  d->uri = strdup(uri);
  d->language_id = language_id ? strdup(language_id) : NULL;
  d->path = path ? strdup(path) : NULL;
  d->buf = docbuf_create(text, len);
  if (!d->uri || (path && !d->path) || !d->buf || docstore_begin_version(ds, d, version) < 0) {
    docstore__free_doc(d);
    return NULL;
  }
  size_t h = docstore__hash(uri);
  d->next = ds->buckets[h];
  ds->buckets[h] = d;
  ds->count++;
  return d;
}

void docstore_close(docstore *ds, const char *uri) {
  doc **pp = &ds->buckets[docstore__hash(uri)];
  for (; *pp; pp = &(*pp)->next) {
    if (strcmp((*pp)->uri, uri) == 0) {
      doc *d = *pp;
      *pp = d->next;
      ds->count--;
      docstore__free_doc(d);
      return;
    }
  }
}

void docstore_set_last(doc *d, snap *s) {
  if (d->last && snap_version(d->last) > snap_version(s)) return;
  snap_retain(s);
  snap_release(d->last);
  d->last = s;
}

size_t docstore_count(const docstore *ds) { return ds->count; }

void docstore_each(docstore *ds, void (*fn)(doc *d, void *data), void *data) {
  for (size_t i = 0; i < DOCSTORE_BUCKETS; i++)
    for (doc *d = ds->buckets[i]; d; d = d->next) fn(d, data);
}
