/*
** sig.h — module signatures: what a file (or a module inside it, or the
** prelude) exports to the code that uses it. Values with generalised
** types, types with their constructors and record fields, nested modules;
** a hash of all that (for early cutoff: importers are re-checked only when
** the hash of what they import changed).
**
** A sig is built by ONE thread (the checker of that file) through a
** sig_builder, then sealed: from then on it is immutable and reference
** counted (atomics), and any number of threads read it (lookups, thawing
** its frozen schemes). The records below are plain data so that the
** checker can read them without calls; never write them after sealing.
**
** Ownership: a sig owns its arena (names, records), the ty_con objects of
** the types it declares, its frozen schemes, and a reference to every sig
** whose types its schemes mention (its imports, the prelude, nested
** modules), so a thawed scheme's constructors stay alive as long as the sig.
**
** Hash: names, kinds, the frozen schemes' hashes (invariant under renaming
** of type variables), type shapes and the hashes of nested modules, in
** order. Locations and doc comments are NOT part of it: moving a
** definition or editing its comment does not make importers re-check
** (they look definitions up by name when asked).
*/
#ifndef IML_SIG_H
#define IML_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "text.h"
#include "types.h"

typedef struct sig sig;
typedef struct sig_type sig_type;

/* Where something is defined: the file's canonical path (borrowed from the
** sig; "" for the prelude) and the name's span in it. */
typedef struct {
  const char *file;
  text_span span;
} sig_loc;

typedef enum { SIG_V_VALUE, SIG_V_THEOREM, SIG_V_EXTERNAL } sig_vkind;

typedef struct {
  const char *name;
  ty_frozen *scheme;       /* owned */
  sig_vkind kind;
  sig_loc loc;
  const char *doc;         /* the (** … *) before it, or NULL */
} sig_value;

typedef struct {
  const char *name;
  sig_type *owner;
  uint32_t index;
  uint32_t nargs;
  ty_frozen **args;        /* owned; over the owner's parameters 0..nparams-1 */
  sig_type *inline_record; /* `C of { … }`: the record (its fields), nargs == 1 */
  sig_loc loc;
  const char *doc;
} sig_ctor;

typedef struct {
  const char *name;
  sig_type *owner;
  uint32_t index;
  ty_frozen *type;         /* owned; over the owner's parameters */
  bool is_mutable;
  sig_loc loc;
  const char *doc;
} sig_field;

typedef enum { SIG_T_ABSTRACT, SIG_T_ALIAS, SIG_T_VARIANT, SIG_T_RECORD } sig_tkind;

struct sig_type {
  const char *name;
  const ty_con *con;       /* owned by the declaring sig, or a built-in */
  uint32_t nparams;
  sig_tkind kind;          /* ALIAS: con has a manifest */
  sig_ctor **ctors;        /* VARIANT */
  uint32_t nctors;
  sig_field **fields;      /* RECORD (also the hidden record of an inline record) */
  uint32_t nfields;
  bool hidden;             /* an inline record's type: not a name users can write */
  sig_loc loc;
  const char *doc;
};

typedef struct {
  const char *name;
  sig *mod;                /* owned reference */
  sig_loc loc;
} sig_module;

struct sig {
  _Atomic int refs;
  arena *arena;
  const char *file;        /* canonical path of the defining file ("" prelude) */
  const char *name;        /* module name ("List_utils", "M" for a nested one) */
  bool opaque;             /* an OCaml library: any member has a fresh type, never an error */
  sig_value **values;      /* in definition order; a later one shadows an earlier one */
  uint32_t nvalues;
  sig_type **types;
  uint32_t ntypes;
  sig_ctor **ctors;        /* every constructor of every type, in order */
  uint32_t nctors;
  sig_field **fields;
  uint32_t nfields;
  sig_module *modules;
  uint32_t nmodules;
  uint64_t hash;
  /* Private: lookup tables and owned objects (sig.c). */
  struct sig__index *index;
  ty_con **owned_cons;
  uint32_t nowned;
  sig **deps;
  uint32_t ndeps;
};

/* ------------------------------------------------------------------------ */
/* Reading (any thread, sealed sigs). Results are borrowed from `s`. */

sig *sig_retain(sig *s);          /* NULL-safe */
void sig_release(sig *s);         /* NULL-safe; frees at the last reference */

/* The last definition named `name`, or NULL. */
const sig_value *sig_find_value(const sig *s, const char *name);
const sig_type *sig_find_type(const sig *s, const char *name);   /* hidden types excluded */
const sig_ctor *sig_find_ctor(const sig *s, const char *name);
const sig_field *sig_find_field(const sig *s, const char *name);
const sig_module *sig_find_module(const sig *s, const char *name);
/* In one type: its constructor / field named `name`, or NULL. */
const sig_ctor *sig_type_ctor(const sig_type *t, const char *name);
const sig_field *sig_type_field(const sig_type *t, const char *name);

/* ------------------------------------------------------------------------ */
/* Building (one thread). */

typedef struct sig_builder sig_builder;

/* `file` and `name` borrowed (copied). NULL on OOM. */
sig_builder *sig_builder_create(const char *file, const char *name);
/* Free a builder that was not sealed (and everything added). NULL-safe. */
void sig_builder_destroy(sig_builder *b);
/* The arena of the sig being built (for names of records added below). */
arena *sig_builder_arena(sig_builder *b);
void sig_builder_set_opaque(sig_builder *b);
/* The file's path as stored in the sig (for sig_loc.file). */
const char *sig_builder_file(sig_builder *b);

/* Add records. Strings are copied into the arena; `scheme`, `args`' frozen
** schemes and `type` are taken. The records returned are borrowed (stable
** until the sig is released) so the checker can point at them while it
** goes on. NULL on OOM (what was taken is freed). */
sig_value *sig_add_value(sig_builder *b, const char *name, ty_frozen *scheme, sig_vkind kind, sig_loc loc,
                         const char *doc);
/* A type; its constructors and fields are added next with sig_add_ctor /
** sig_add_field (in order). `con` is borrowed; pass it to sig_own_con too
** when the sig must free it. */
sig_type *sig_add_type(sig_builder *b, const char *name, const ty_con *con, uint32_t nparams, sig_tkind kind,
                       bool hidden, sig_loc loc, const char *doc);
sig_ctor *sig_add_ctor(sig_builder *b, sig_type *owner, const char *name, ty_frozen **args, uint32_t nargs,
                       sig_type *inline_record, sig_loc loc, const char *doc);
sig_field *sig_add_field(sig_builder *b, sig_type *owner, const char *name, ty_frozen *type, bool is_mutable,
                         sig_loc loc, const char *doc);
/* A nested module (`mod` is retained). -1 on OOM. */
int sig_add_module(sig_builder *b, const char *name, sig *mod, sig_loc loc);
/* Take ownership of a constructor (destroyed with the sig). -1 on OOM
** (the constructor is destroyed). */
int sig_own_con(sig_builder *b, ty_con *con);
/* Keep `dep` alive as long as the sig (retained). -1 on OOM. */
int sig_add_dep(sig_builder *b, sig *dep);

/* Seal: build the lookup tables and the hash; the builder is consumed.
** Returns the sig with one reference, or NULL on OOM (everything freed). */
sig *sig_seal(sig_builder *b);

#endif
