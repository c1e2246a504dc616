/*
** types_impl.h — PRIVATE to types.c, types_frozen.c and types_print.c: the
** layout of terms, constructors, stores and frozen schemes. Nothing else
** includes it. Same thread-safety as types.h.
*/
#ifndef IML_TYPES_IMPL_H
#define IML_TYPES_IMPL_H

#include "types.h"

struct ty_con {
  char *path;               /* owned (static for built-ins) */
  uint32_t arity;
  uint64_t id;
  ty_frozen *manifest;      /* owned, NULL unless an abbreviation */
  void *user;
};

struct ty {
  uint8_t kind;             /* ty_kind */
  uint8_t lk;               /* ty_label_kind (ARROW) */
  uint32_t level;
  uint32_t mark;            /* == store epoch: visited by the current traversal */
  uint32_t id;              /* VAR: unique id */
  union {                   /* scratch, valid while mark == store epoch */
    ty *copy;               /* instantiation: the image of this node */
    uint32_t idx;           /* freezing: index of the frozen node */
  } aux;
  union {
    struct { ty *link; const char *name; } var;            /* link != NULL: bound */
    struct { const ty_con *con; ty **args; uint32_t n; } app;
    struct { const char *label; ty *dom, *cod; } arrow;
    struct { ty **elems; uint32_t n; } tuple;
  } u;
};

/* One arena chunk. */
typedef struct ty__chunk {
  struct ty__chunk *next;
  size_t used, cap;
  _Alignas(16) unsigned char data[];
} ty__chunk;

/* A growable array of term pointers (scratch stacks). */
typedef struct {
  ty **items;
  size_t n, cap;
} ty__vec;

struct ty_store {
  ty__chunk *chunks;
  bool failed;
  uint32_t epoch;           /* traversal stamp, see ty.mark */
  uint32_t next_var;
  size_t nodes;
  ty error;                 /* the ERROR node (never allocated) */
  ty *prims[TY_B_COUNT];    /* shared nullary built-ins, lazily */
  ty__vec stack, stack2;    /* scratch, reused by traversals */
};

/* Frozen node: children come before parents in `nodes`. */
typedef struct {
  uint8_t kind, lk;
  uint32_t a;               /* VAR: number; APP/TUPLE: count; ARROW: dom index */
  uint32_t b;               /* APP/TUPLE: offset in kids; ARROW: cod index;
                               VAR: name offset in strs or UINT32_MAX */
  uint32_t label;           /* ARROW: label offset in strs or UINT32_MAX */
  const ty_con *con;        /* APP */
} ty__fnode;

struct ty_frozen {
  uint32_t nnodes, nkids, nstrs, nvars, root;
  uint64_t hash;
  ty__fnode *nodes;         /* point into the same allocation */
  uint32_t *kids;
  char *strs;
};

/* types.c internals shared with the other two files. */
void *ty__alloc(ty_store *s, size_t size);
const char *ty__strdup(ty_store *s, const char *str);
ty *ty__node(ty_store *s, ty_kind k);
uint32_t ty__new_epoch(ty_store *s);
int ty__push(ty__vec *v, ty *t);
const ty *ty__crepr(const ty *t);
/* Push x's children right to left (leftmost popped first). -1 on OOM. */
int ty__push_children(ty__vec *v, ty *x);
/* Constructors without checks or copies: arrays and strings already in the
** arena; any level, TY_LEVEL_GENERIC included. */
ty *ty__var(ty_store *s, uint32_t level, const char *name);
ty *ty__app_raw(ty_store *s, const ty_con *con, ty **args, uint32_t n);
ty *ty__arrow_raw(ty_store *s, ty_label_kind lk, const char *label, ty *dom, ty *cod);
ty *ty__tuple_raw(ty_store *s, ty **elems, uint32_t n);

#endif
