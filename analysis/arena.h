/*
** arena.h — a bump allocator: many small allocations, freed all at once.
**
** Memory comes from big zero-filled chunks (requests larger than a chunk get
** a chunk of their own). Nothing is freed individually; arena_destroy frees
** everything. Used for the AST of one file version (ast.h), which is built
** once and then only read.
**
** Thread-safety: an arena is owned by one thread while it is being filled;
** the memory it handed out may then be read by any number of threads (the
** arena itself is not touched by readers).
*/
#ifndef IML_ARENA_H
#define IML_ARENA_H

#include <stddef.h>

typedef struct arena arena;

/* A new, empty arena. `chunk_size` is the size of its chunks in bytes (0:
** 64 KiB). NULL on allocation failure. Caller frees with arena_destroy. */
arena *arena_create(size_t chunk_size);

/* Free every chunk and the arena. NULL-safe. */
void arena_destroy(arena *a);

/* `size` zero-filled bytes aligned for any type (max_align_t), valid until
** arena_destroy. size 0 returns a valid unique pointer. NULL on allocation
** failure (the arena stays usable). */
void *arena_alloc(arena *a, size_t size);

/* A NUL-terminated copy of s[0..n) (s borrowed; may contain no NUL). NULL on
** allocation failure. */
char *arena_strndup(arena *a, const char *s, size_t n);

/* A copy of `size` bytes at `p` (borrowed). NULL on allocation failure. */
void *arena_memdup(arena *a, const void *p, size_t size);

/* Bytes handed out so far and bytes reserved in chunks (for statistics). */
size_t arena_used(const arena *a);
size_t arena_reserved(const arena *a);

#endif
