/*
** sig.c — see sig.h. A builder fills growable pointer arrays (records live
** in the arena, so their addresses never change); sealing adds one
** open-addressing table per namespace and the hash.
*/
#include "sig.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  uint32_t *slots;   /* index + 1, 0 = empty */
  uint32_t mask;
} sig__table;

struct sig__index {
  sig__table values, types, ctors, fields, modules;
};

struct sig_builder {
  sig *s;
  uint32_t capvalues, captypes, capctors, capfields, capmodules, capowned, capdeps;
  bool oom;
};

static uint64_t sig__str_hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

static uint64_t sig__mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

/* Grow a pointer array to hold one more. */
static bool sig__grow(void **arr, uint32_t n, uint32_t *cap, size_t elem) {
  if (n < *cap) return true;
  uint32_t ncap = *cap ? *cap * 2 : 8;
  void *na = realloc(*arr, (size_t)ncap * elem);
  if (!na) return false;
  *arr = na;
  *cap = ncap;
  return true;
}

sig *sig_retain(sig *s) {
  if (s) atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
  return s;
}

static void sig__free(sig *s) {
  for (uint32_t i = 0; i < s->nvalues; i++) ty_frozen_destroy(s->values[i]->scheme);
  for (uint32_t i = 0; i < s->nctors; i++)
    for (uint32_t k = 0; k < s->ctors[i]->nargs; k++) ty_frozen_destroy(s->ctors[i]->args[k]);
  for (uint32_t i = 0; i < s->nfields; i++) ty_frozen_destroy(s->fields[i]->type);
  for (uint32_t i = 0; i < s->nmodules; i++) sig_release(s->modules[i].mod);
  for (uint32_t i = 0; i < s->nowned; i++) ty_con_destroy(s->owned_cons[i]);
  for (uint32_t i = 0; i < s->ndeps; i++) sig_release(s->deps[i]);
  if (s->index) {
    free(s->index->values.slots);
    free(s->index->types.slots);
    free(s->index->ctors.slots);
    free(s->index->fields.slots);
    free(s->index->modules.slots);
    free(s->index);
  }
  free(s->values);
  free(s->types);
  free(s->ctors);
  free(s->fields);
  free(s->modules);
  free(s->owned_cons);
  free(s->deps);
  arena_destroy(s->arena);
  free(s);
}

void sig_release(sig *s) {
  if (s && atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1) sig__free(s);
}

/* ------------------------------------------------------------------------ */
/* Lookup tables */

/* Build a table over n names (name_of(i)); a later index replaces an
** earlier one with the same name (shadowing). */
static bool sig__table_build(sig__table *t, uint32_t n, const char *(*name_of)(const sig *, uint32_t),
                             const sig *s) {
  uint32_t cap = 8;
  while (cap < n * 2 + 2) cap *= 2;
  t->slots = calloc(cap, sizeof *t->slots);
  if (!t->slots) return false;
  t->mask = cap - 1;
  for (uint32_t i = 0; i < n; i++) {
    const char *name = name_of(s, i);
    if (!name) continue;
    uint32_t j = (uint32_t)sig__str_hash(name) & t->mask;
    while (t->slots[j] && strcmp(name_of(s, t->slots[j] - 1), name) != 0) j = (j + 1) & t->mask;
    t->slots[j] = i + 1;
  }
  return true;
}

static long sig__table_find(const sig__table *t, const char *name, const char *(*name_of)(const sig *, uint32_t),
                            const sig *s) {
  if (!t->slots) return -1;
  for (uint32_t j = (uint32_t)sig__str_hash(name) & t->mask; t->slots[j]; j = (j + 1) & t->mask)
    if (strcmp(name_of(s, t->slots[j] - 1), name) == 0) return (long)t->slots[j] - 1;
  return -1;
}

static const char *sig__value_name(const sig *s, uint32_t i) { return s->values[i]->name; }
static const char *sig__type_name(const sig *s, uint32_t i) { return s->types[i]->hidden ? NULL : s->types[i]->name; }
static const char *sig__ctor_name(const sig *s, uint32_t i) { return s->ctors[i]->name; }
static const char *sig__field_name(const sig *s, uint32_t i) {
  return s->fields[i]->owner->hidden ? NULL : s->fields[i]->name;
}
static const char *sig__module_name(const sig *s, uint32_t i) { return s->modules[i].name; }

/* The type table must skip hidden types on lookup too (their slot holds a
** NULL name): sig__table_find compares with strcmp, so guard it. */
static const char *sig__type_name_safe(const sig *s, uint32_t i) {
  const char *n = sig__type_name(s, i);
  return n ? n : "";
}
static const char *sig__field_name_safe(const sig *s, uint32_t i) {
  const char *n = sig__field_name(s, i);
  return n ? n : "";
}

const sig_value *sig_find_value(const sig *s, const char *name) {
  long i = sig__table_find(&s->index->values, name, sig__value_name, s);
  return i < 0 ? NULL : s->values[i];
}

const sig_type *sig_find_type(const sig *s, const char *name) {
  long i = sig__table_find(&s->index->types, name, sig__type_name_safe, s);
  return i < 0 ? NULL : s->types[i];
}

const sig_ctor *sig_find_ctor(const sig *s, const char *name) {
  long i = sig__table_find(&s->index->ctors, name, sig__ctor_name, s);
  return i < 0 ? NULL : s->ctors[i];
}

const sig_field *sig_find_field(const sig *s, const char *name) {
  long i = sig__table_find(&s->index->fields, name, sig__field_name_safe, s);
  return i < 0 ? NULL : s->fields[i];
}

const sig_module *sig_find_module(const sig *s, const char *name) {
  long i = sig__table_find(&s->index->modules, name, sig__module_name, s);
  return i < 0 ? NULL : &s->modules[i];
}

const sig_ctor *sig_type_ctor(const sig_type *t, const char *name) {
  for (uint32_t i = 0; i < t->nctors; i++)
    if (strcmp(t->ctors[i]->name, name) == 0) return t->ctors[i];
  return NULL;
}

const sig_field *sig_type_field(const sig_type *t, const char *name) {
  for (uint32_t i = 0; i < t->nfields; i++)
    if (strcmp(t->fields[i]->name, name) == 0) return t->fields[i];
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Building */

sig_builder *sig_builder_create(const char *file, const char *name) {
  sig_builder *b = calloc(1, sizeof *b);
  sig *s = calloc(1, sizeof *s);
  arena *a = arena_create(0);
  if (!b || !s || !a) { free(b); free(s); arena_destroy(a); return NULL; }
  atomic_init(&s->refs, 1);
  s->arena = a;
  s->file = arena_strndup(a, file ? file : "", strlen(file ? file : ""));
  s->name = arena_strndup(a, name ? name : "", strlen(name ? name : ""));
  if (!s->file || !s->name) { arena_destroy(a); free(s); free(b); return NULL; }
  b->s = s;
  return b;
}

void sig_builder_destroy(sig_builder *b) {
  if (!b) return;
  sig__free(b->s);
  free(b);
}

arena *sig_builder_arena(sig_builder *b) { return b->s->arena; }
void sig_builder_set_opaque(sig_builder *b) { b->s->opaque = true; }
const char *sig_builder_file(sig_builder *b) { return b->s->file; }

static const char *sig__dup(sig_builder *b, const char *s) {
  return s ? arena_strndup(b->s->arena, s, strlen(s)) : NULL;
}

sig_value *sig_add_value(sig_builder *b, const char *name, ty_frozen *scheme, sig_vkind kind, sig_loc loc,
                         const char *doc) {
  sig *s = b->s;
  sig_value *v = arena_alloc(s->arena, sizeof *v);
  if (!v || !sig__grow((void **)&s->values, s->nvalues, &b->capvalues, sizeof *s->values) ||
      !(v->name = sig__dup(b, name))) {
    ty_frozen_destroy(scheme);
    b->oom = true;
    return NULL;
  }
  v->scheme = scheme;
  v->kind = kind;
  v->loc = loc;
  v->doc = sig__dup(b, doc);
  s->values[s->nvalues++] = v;
  return v;
}

sig_type *sig_add_type(sig_builder *b, const char *name, const ty_con *con, uint32_t nparams, sig_tkind kind,
                       bool hidden, sig_loc loc, const char *doc) {
  sig *s = b->s;
  sig_type *t = arena_alloc(s->arena, sizeof *t);
  if (!t || !sig__grow((void **)&s->types, s->ntypes, &b->captypes, sizeof *s->types) ||
      !(t->name = sig__dup(b, name))) {
    b->oom = true;
    return NULL;
  }
  t->con = con;
  t->nparams = nparams;
  t->kind = kind;
  t->hidden = hidden;
  t->loc = loc;
  t->doc = sig__dup(b, doc);
  s->types[s->ntypes++] = t;
  return t;
}

sig_ctor *sig_add_ctor(sig_builder *b, sig_type *owner, const char *name, ty_frozen **args, uint32_t nargs,
                       sig_type *inline_record, sig_loc loc, const char *doc) {
  sig *s = b->s;
  sig_ctor *c = arena_alloc(s->arena, sizeof *c);
  sig_ctor **oc = c ? arena_alloc(s->arena, (owner->nctors + 1) * sizeof *oc) : NULL;
  ty_frozen **a = c ? arena_alloc(s->arena, (nargs ? nargs : 1) * sizeof *a) : NULL;
  if (!c || !oc || !a || !sig__grow((void **)&s->ctors, s->nctors, &b->capctors, sizeof *s->ctors) ||
      !(c->name = sig__dup(b, name))) {
    for (uint32_t i = 0; i < nargs; i++) ty_frozen_destroy(args[i]);
    b->oom = true;
    return NULL;
  }
  memcpy(a, args, nargs * sizeof *a);
  c->owner = owner;
  c->index = owner->nctors;
  c->nargs = nargs;
  c->args = a;
  c->inline_record = inline_record;
  c->loc = loc;
  c->doc = sig__dup(b, doc);
  /* The owner's array lives in the arena: copy it one longer (types have
  ** few constructors; the old copy is simply left behind in the arena). */
  if (owner->nctors) memcpy(oc, owner->ctors, owner->nctors * sizeof *oc);
  oc[owner->nctors++] = c;
  owner->ctors = oc;
  s->ctors[s->nctors++] = c;
  return c;
}

sig_field *sig_add_field(sig_builder *b, sig_type *owner, const char *name, ty_frozen *type, bool is_mutable,
                         sig_loc loc, const char *doc) {
  sig *s = b->s;
  sig_field *f = arena_alloc(s->arena, sizeof *f);
  sig_field **of = f ? arena_alloc(s->arena, (owner->nfields + 1) * sizeof *of) : NULL;
  if (!f || !of || !sig__grow((void **)&s->fields, s->nfields, &b->capfields, sizeof *s->fields) ||
      !(f->name = sig__dup(b, name))) {
    ty_frozen_destroy(type);
    b->oom = true;
    return NULL;
  }
  f->owner = owner;
  f->index = owner->nfields;
  f->type = type;
  f->is_mutable = is_mutable;
  f->loc = loc;
  f->doc = sig__dup(b, doc);
  if (owner->nfields) memcpy(of, owner->fields, owner->nfields * sizeof *of);
  of[owner->nfields++] = f;
  owner->fields = of;
  s->fields[s->nfields++] = f;
  return f;
}

int sig_add_module(sig_builder *b, const char *name, sig *mod, sig_loc loc) {
  sig *s = b->s;
  const char *n = sig__dup(b, name);
  if (!n || !sig__grow((void **)&s->modules, s->nmodules, &b->capmodules, sizeof *s->modules)) {
    b->oom = true;
    return -1;
  }
  s->modules[s->nmodules++] = (sig_module){n, sig_retain(mod), loc};
  return 0;
}

int sig_own_con(sig_builder *b, ty_con *con) {
  sig *s = b->s;
  if (!sig__grow((void **)&s->owned_cons, s->nowned, &b->capowned, sizeof *s->owned_cons)) {
    ty_con_destroy(con);
    b->oom = true;
    return -1;
  }
  s->owned_cons[s->nowned++] = con;
  return 0;
}

int sig_add_dep(sig_builder *b, sig *dep) {
  sig *s = b->s;
  for (uint32_t i = 0; i < s->ndeps; i++)
    if (s->deps[i] == dep) return 0;
  if (!sig__grow((void **)&s->deps, s->ndeps, &b->capdeps, sizeof *s->deps)) {
    b->oom = true;
    return -1;
  }
  s->deps[s->ndeps++] = sig_retain(dep);
  return 0;
}

static uint64_t sig__hash(const sig *s) {
  uint64_t h = sig__mix(sig__str_hash(s->name), s->opaque);
  for (uint32_t i = 0; i < s->nvalues; i++) {
    h = sig__mix(h, sig__str_hash(s->values[i]->name));
    h = sig__mix(h, s->values[i]->kind);
    h = sig__mix(h, s->values[i]->scheme ? ty_frozen_hash(s->values[i]->scheme) : 0);
  }
  for (uint32_t i = 0; i < s->ntypes; i++) {
    const sig_type *t = s->types[i];
    h = sig__mix(h, sig__str_hash(t->name));
    h = sig__mix(h, ty_con_id(t->con));
    h = sig__mix(h, ((uint64_t)t->nparams << 8) | ((uint64_t)t->kind << 1) | t->hidden);
    if (ty_con_manifest(t->con)) h = sig__mix(h, ty_frozen_hash(ty_con_manifest(t->con)));
    for (uint32_t k = 0; k < t->nctors; k++) {
      h = sig__mix(h, sig__str_hash(t->ctors[k]->name));
      for (uint32_t a = 0; a < t->ctors[k]->nargs; a++)
        h = sig__mix(h, t->ctors[k]->args[a] ? ty_frozen_hash(t->ctors[k]->args[a]) : 0);
    }
    for (uint32_t k = 0; k < t->nfields; k++) {
      h = sig__mix(h, sig__str_hash(t->fields[k]->name));
      h = sig__mix(h, t->fields[k]->type ? ty_frozen_hash(t->fields[k]->type) : 0);
      h = sig__mix(h, t->fields[k]->is_mutable);
    }
  }
  for (uint32_t i = 0; i < s->nmodules; i++) {
    h = sig__mix(h, sig__str_hash(s->modules[i].name));
    h = sig__mix(h, s->modules[i].mod->hash);
  }
  return h;
}

sig *sig_seal(sig_builder *b) {
  sig *s = b->s;
  bool oom = b->oom;
  free(b);
  s->index = calloc(1, sizeof *s->index);
  if (oom || !s->index ||
      !sig__table_build(&s->index->values, s->nvalues, sig__value_name, s) ||
      !sig__table_build(&s->index->types, s->ntypes, sig__type_name_safe, s) ||
      !sig__table_build(&s->index->ctors, s->nctors, sig__ctor_name, s) ||
      !sig__table_build(&s->index->fields, s->nfields, sig__field_name_safe, s) ||
      !sig__table_build(&s->index->modules, s->nmodules, sig__module_name, s)) {
    sig__free(s);
    return NULL;
  }
  s->hash = sig__hash(s);
  return s;
}
