/*
** arena.c — see arena.h.
**
** DESIGN: a singly linked list of chunks, newest first; allocation bumps an
** offset in the newest chunk (aligned for any type, except strings, which
** are packed). A request that does not fit starts a new chunk (the rest of
** the old one is wasted: less than a quarter of a chunk). A request bigger
** than a quarter of the chunk size gets a dedicated chunk, linked behind the
** current one so the current chunk keeps filling. Chunks are calloc'd, so
** all memory handed out is zeroed. Single-threaded while filling; no locks.
*/
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA__DEFAULT_CHUNK ((size_t)64 * 1024)
#define ARENA__ALIGN (alignof(max_align_t))

typedef struct arena__chunk {
  struct arena__chunk *next;
  size_t size, used;        /* bytes of data[] */
  alignas(max_align_t) unsigned char data[];
} arena__chunk;

struct arena {
  arena__chunk *head;       /* current chunk (NULL before the first request) */
  size_t chunk_size;
  size_t used, reserved;
};

arena *arena_create(size_t chunk_size) {
  arena *a = calloc(1, sizeof *a);
  if (!a) return NULL;
  a->chunk_size = chunk_size ? chunk_size : ARENA__DEFAULT_CHUNK;
  return a;
}

void arena_destroy(arena *a) {
  if (!a) return;
  arena__chunk *c = a->head;
  while (c) {
    arena__chunk *n = c->next;
    free(c);
    c = n;
  }
  free(a);
}

static arena__chunk *arena__chunk_new(size_t size) {
  if (size > SIZE_MAX - sizeof(arena__chunk)) return NULL;
  arena__chunk *c = calloc(1, sizeof *c + size);
  if (!c) return NULL;
  c->size = size;
  return c;
}

/* `size` bytes aligned to `align` (a power of two <= ARENA__ALIGN). */
static void *arena__alloc(arena *a, size_t size, size_t align) {
  if (size == 0) size = 1;
  if (size > SIZE_MAX / 2) return NULL;
  arena__chunk *c = a->head;
  if (c) {
    size_t at = (c->used + align - 1) & ~(align - 1);
    if (at <= c->size && c->size - at >= size) {
      a->used += at - c->used + size;
      c->used = at + size;
      return c->data + at;
    }
  }
  if (size > a->chunk_size / 4) {
    /* Dedicated chunk: keep the current one as head so it keeps filling. */
    arena__chunk *big = arena__chunk_new(size);
    if (!big) return NULL;
    big->used = size;
    if (c) {
      big->next = c->next;
      c->next = big;
    } else {
      a->head = big;
    }
    a->used += size;
    a->reserved += size;
    return big->data;
  }
  arena__chunk *n = arena__chunk_new(a->chunk_size);
  if (!n) return NULL;
  n->next = c;
  a->head = n;
  n->used = size;
  a->used += size;
  a->reserved += a->chunk_size;
  return n->data;
}

void *arena_alloc(arena *a, size_t size) { return arena__alloc(a, size, ARENA__ALIGN); }

char *arena_strndup(arena *a, const char *s, size_t n) {
  if (n == SIZE_MAX) return NULL;
  char *d = arena__alloc(a, n + 1, 1); /* strings need no alignment */
  if (!d) return NULL;
  if (n) memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

void *arena_memdup(arena *a, const void *p, size_t size) {
  void *d = arena_alloc(a, size);
  if (d && size) memcpy(d, p, size);
  return d;
}

size_t arena_used(const arena *a) { return a ? a->used : 0; }
size_t arena_reserved(const arena *a) { return a ? a->reserved : 0; }
