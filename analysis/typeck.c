/*
** typeck.c — see typeck.h and typeck_int.h: the check's context, scopes
** and lookups, diagnostics (with "did you mean" suggestions), items and
** modules, the entry point.
*/
#include "typeck_int.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Scopes */

uint32_t tc__hash(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

tc_env *tc__entry(tc *c, tc_ekind kind, const char *name) {
  tc_env *e = arena_alloc(c->ar, sizeof *e);
  if (!e) { c->oom = true; return NULL; }
  e->kind = kind;
  e->name = name;
  e->hash = name ? tc__hash(name) : 0;
  return e;
}

void tc__push(tc *c, tc_env *e) {
  if (!e) return;
  e->next = c->env;
  e->opens = e->kind == TC_E_OPEN ? e : c->env ? c->env->opens : NULL;
  if (e->name) c->pushed[e->kind][(e->hash >> 6) & 1023] |= 1ull << (e->hash & 63);
  c->env = e;
}

const tc_env *tc__scan_first(const tc *c, tc_ekind kind, uint32_t h, bool *full) {
  *full = (c->pushed[kind][(h >> 6) & 1023] >> (h & 63)) & 1;
  return *full || !c->env ? c->env : c->env->opens;
}

const tc_env *tc__scan_next(const tc_env *e, bool full) {
  return full ? e->next : e->next ? e->next->opens : NULL;
}

sig_loc tc__loc(tc *c, text_span span) { return (sig_loc){sig_builder_file(c->sb), span}; }

void tc__bind_value(tc *c, const char *name, ty *t, sig_loc loc, const char *doc) {
  tc_env *e = tc__entry(c, TC_E_VALUE, name);
  if (!e) return;
  e->u.value.t = t;
  e->u.value.loc = loc;
  e->u.value.doc = doc;
  tc__push(c, e);
}

const char *tc__doc_before(tc *c, uint32_t at) {
  const char *t = c->opt->text;
  if (!t || at > c->opt->len) return NULL;
  size_t i = at;
  while (i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t' || t[i - 1] == '\n' || t[i - 1] == '\r')) i--;
  if (i < 5 || t[i - 1] != ')' || t[i - 2] != '*') return NULL;
  /* Find the matching "(*", counting nested comments backwards. */
  size_t end = i, j = i - 2;
  int depth = 1;
  while (j > 0 && depth > 0) {
    if (j >= 2 && t[j - 1] == ')' && t[j - 2] == '*') { depth++; j -= 2; continue; }
    if (j >= 2 && t[j - 2] == '(' && t[j - 1] == '*') { depth--; j -= 2; continue; }
    j--;
  }
  if (depth != 0 || j + 3 > end || t[j + 2] != '*' || (j + 3 < end && t[j + 3] == ')')) return NULL;
  /* The text between "(**" and "*)", trimmed. */
  size_t a = j + 3, b = end - 2;
  while (a < b && (t[a] == ' ' || t[a] == '\n' || t[a] == '\t' || t[a] == '\r')) a++;
  while (b > a && (t[b - 1] == ' ' || t[b - 1] == '\n' || t[b - 1] == '\t' || t[b - 1] == '\r')) b--;
  return b > a ? arena_strndup(c->ar, t + a, b - a) : NULL;
}

/* ------------------------------------------------------------------------ */
/* Diagnostics */

static void tc__vreport(tc *c, text_span span, const char *code, const char *fmt, va_list ap) {
  char buf[4096];
  vsnprintf(buf, sizeof buf, fmt, ap);
  /* One diagnostic per place and code: cascades stop here. */
  for (size_t i = c->diags->count; i-- > 0;) {
    const diag *d = &c->diags->items[i];
    if (d->span.start == span.start && d->span.end == span.end && strcmp(d->code, code) == 0) return;
  }
  char *msg = strdup(buf);
  if (!msg || diag_list_push(c->diags, span, DIAG_ERROR, code, msg) < 0) c->oom = true;
}

void tc__error(tc *c, text_span span, const char *code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  tc__vreport(c, span, code, fmt, ap);
  va_end(ap);
}

/* Print constructors relative to the file: "Bank.account" is "account" in
** bank.iml (and "Bank.account" elsewhere). */
static const char *tc__namer(void *data, const ty_con *con) {
  tc *c = data;
  const char *p = ty_con_path(con), *m = c->opt->modname;
  size_t n = m ? strlen(m) : 0;
  if (n && strncmp(p, m, n) == 0 && p[n] == '.') return p + n + 1;
  return NULL;
}

char *tc__print(tc *c, ty_printer *p, ty *t) {
  ty_printer *own = NULL;
  if (!p) {
    p = own = ty_printer_create();
    if (!p) return NULL;
  }
  ty_printer_set_namer(p, tc__namer, c);
  char *s = ty_printer_print(p, t);
  ty_printer_destroy(own);
  return s;
}

void tc__mismatch(tc *c, text_span span, ty *actual, ty *expected, const ty_unify_error *err, const char *what) {
  if (ty_contains_error(c->st, actual) || ty_contains_error(c->st, expected)) return;
  ty_printer *p = ty_printer_create();
  if (!p) { c->oom = true; return; }
  ty_printer_set_namer(p, tc__namer, c);
  char *a = ty_printer_print(p, actual), *b = ty_printer_print(p, expected);
  char *why = err ? ty_printer_explain(p, err) : NULL;
  if (!why && c->why && span.start == c->why_span.start && span.end == c->why_span.end) why = strdup(c->why);
  if (a && b) {
    if (what && strcmp(what, "pattern") == 0)
      tc__error(c, span, TC_CODE_MISMATCH,
                "This pattern matches values of type %s but a pattern was expected which matches values of type %s%s%s",
                a, b, why ? "\n" : "", why ? why : "");
    else if (err && err->kind == TY_UERR_OCCURS)
      tc__error(c, span, TC_CODE_RECURSIVE_TYPE,
                "This expression has type %s but an expression was expected of type %s%s%s", a, b,
                why ? "\n" : "", why ? why : "");
    else
      tc__error(c, span, TC_CODE_MISMATCH, "This expression has type %s but an expression was expected of type %s%s%s",
                a, b, why ? "\n" : "", why ? why : "");
  }
  free(a);
  free(b);
  free(why);
  ty_printer_destroy(p);
}

bool tc__expect(tc *c, text_span span, ty *actual, ty *expected) {
  ty_unify_error err = {0};
  if (ty_unify(c->st, actual, expected, &err)) return true;
  if (err.kind == TY_UERR_OOM) { c->oom = true; return false; }
  tc__mismatch(c, span, actual, expected, &err, NULL);
  return false;
}

/* ------------------------------------------------------------------------ */
/* "Did you mean": the closest candidate by edit distance. */

typedef struct {
  const char *name;
  const char *best;
  unsigned best_d;
} tc__near;

static unsigned tc__distance(const char *a, const char *b) {
  size_t n = strlen(a), m = strlen(b);
  if (n > 64 || m > 64) return 99;
  unsigned prev2[65], prev[65], cur[65];
  for (size_t j = 0; j <= m; j++) prev[j] = (unsigned)j;
  for (size_t i = 1; i <= n; i++) {
    cur[0] = (unsigned)i;
    for (size_t j = 1; j <= m; j++) {
      unsigned cost = a[i - 1] != b[j - 1];
      unsigned v = prev[j] + 1;
      if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
      if (prev[j - 1] + cost < v) v = prev[j - 1] + cost;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < v) v = prev2[j - 2] + 1;
      cur[j] = v;
    }
    memcpy(prev2, prev, sizeof prev);
    memcpy(prev, cur, sizeof cur);
  }
  return prev[m];
}

static void tc__near_add(tc__near *n, const char *cand) {
  if (!cand || strcmp(cand, n->name) == 0) return;
  unsigned d = tc__distance(n->name, cand);
  size_t len = strlen(n->name);
  unsigned limit = len <= 2 ? 0 : len <= 4 ? 1 : 2;
  if (d <= limit && d < n->best_d) {
    n->best = cand;
    n->best_d = d;
  }
}

static void tc__near_sig(tc__near *n, const sig *s, tc_ekind kind) {
  if (!s) return;
  switch (kind) {
  case TC_E_VALUE: for (uint32_t i = 0; i < s->nvalues; i++) tc__near_add(n, s->values[i]->name); break;
  case TC_E_CTOR: for (uint32_t i = 0; i < s->nctors; i++) tc__near_add(n, s->ctors[i]->name); break;
  case TC_E_FIELD: for (uint32_t i = 0; i < s->nfields; i++) tc__near_add(n, s->fields[i]->name); break;
  case TC_E_TYPE:
    for (uint32_t i = 0; i < s->ntypes; i++) if (!s->types[i]->hidden) tc__near_add(n, s->types[i]->name);
    break;
  case TC_E_MODULE: for (uint32_t i = 0; i < s->nmodules; i++) tc__near_add(n, s->modules[i].name); break;
  default: break;
  }
}

/* A suggestion for `name` of `kind`, looked for in `in` (a module) or in
** scope (in == NULL). Returns a static-lifetime-of-check string or NULL. */
static const char *tc__suggest(tc *c, const char *name, tc_ekind kind, const sig *in) {
  tc__near n = {name, NULL, 99};
  if (in) {
    tc__near_sig(&n, in, kind);
    return n.best;
  }
  for (const tc_env *e = c->env; e; e = e->next) {
    if (e->kind == kind) tc__near_add(&n, e->name);
    else if (e->kind == TC_E_OPEN) tc__near_sig(&n, e->u.mod.s, kind);
  }
  tc__near_sig(&n, c->opt->prelude, kind);
  return n.best;
}

static void tc__unbound(tc *c, text_span span, const char *code, const char *what, const ast_lid *lid, tc_ekind kind,
                        const sig *in) {
  char full[512];
  size_t w = 0;
  for (uint32_t i = 0; i < lid->path.n && w < sizeof full; i++)
    w += (size_t)snprintf(full + w, sizeof full - w, "%s.", lid->path.comps[i].text);
  if (w < sizeof full) snprintf(full + w, sizeof full - w, "%s", lid->name.text);
  const char *near = tc__suggest(c, lid->name.text, kind, in);
  if (near)
    tc__error(c, span, code, "Unbound %s %s\nHint: Did you mean %s?", what, full, near);
  else
    tc__error(c, span, code, "Unbound %s %s", what, full);
}

/* ------------------------------------------------------------------------ */
/* Probes */

bool tc__wants(const tc *c) { return c->probing || c->finding; }

bool tc__probe_hit(tc *c, text_span span) {
  return c->probing && span.start <= c->probe_at && c->probe_at <= span.end && span.end >= span.start &&
         span.end - span.start <= c->probe_best;
}

void tc__probe_set(tc *c, tc_probe_kind kind, text_span span, const char *name, ty *t, const sig_loc *def,
                   const char *doc) {
  if (c->finding && def && def->file && def->span.start == c->opt->find_span.start &&
      def->span.end == c->opt->find_span.end && strcmp(def->file, c->opt->find_file) == 0) {
    tc_result *r = c->res;
    text_span *n = realloc(r->occ, (r->nocc + 1) * sizeof *n);
    if (n) { r->occ = n; r->occ[r->nocc++] = span; }
  }
  if (!tc__probe_hit(c, span)) return;
  /* A name and an expression with the same span: keep the name. */
  if (span.end - span.start == c->probe_best && kind == TC_PROBE_EXPR) return;
  tc_probe *p = &c->res->probe;
  c->probe_best = span.end - span.start;
  p->kind = kind;
  p->span = span;
  free(p->name);
  p->name = name ? strdup(name) : NULL;
  c->probe_type = t;
  c->probe_has_def = def != NULL;
  if (def) c->probe_def = *def;
  free(p->doc);
  p->doc = doc ? strdup(doc) : NULL;
}

/* ------------------------------------------------------------------------ */
/* Lookups */

/* A module named `name` in scope. */
static bool tc__find_module(tc *c, const char *name, tc_mod *out) {
  uint32_t h = tc__hash(name);
  bool full;
  for (const tc_env *e = tc__scan_first(c, TC_E_MODULE, h, &full); e; e = tc__scan_next(e, full)) {
    if (e->kind == TC_E_MODULE && e->hash == h && strcmp(e->name, name) == 0) { *out = e->u.mod; return true; }
    if (e->kind == TC_E_OPEN) {
      if (e->u.mod.opaque) { *out = (tc_mod){NULL, true, {0}}; return true; }
      const sig_module *m = sig_find_module(e->u.mod.s, name);
      if (m) { *out = (tc_mod){m->mod, m->mod->opaque, m->loc}; return true; }
    }
  }
  const sig_module *m = c->opt->prelude ? sig_find_module(c->opt->prelude, name) : NULL;
  if (m) { *out = (tc_mod){m->mod, m->mod->opaque, m->loc}; return true; }
  return false;
}

bool tc__resolve_mpath(tc *c, const ast_mpath *p, tc_mod *out, bool report) {
  return tc__resolve_mpath_at(c, p, out, report, p->span);
}

/* `whole`: the span to underline for an unknown module (a qualified name's
** whole span, as OCaml does). */
bool tc__resolve_mpath_at(tc *c, const ast_mpath *p, tc_mod *out, bool report, text_span whole) {
  if (p->n == 0) return false;
  if (!p->comps[0].text) { *out = (tc_mod){NULL, true, {0}}; return true; }
  if (!tc__find_module(c, p->comps[0].text, out)) {
    if (report && !c->program) {
      ast_lid lid = {{NULL, 0, {0, 0}}, p->comps[0], p->comps[0].span};
      tc__unbound(c, whole, TC_CODE_UNBOUND_MODULE, "module", &lid, TC_E_MODULE, NULL);
    }
    if (c->program) { *out = (tc_mod){NULL, true, {0}}; return true; }
    return false;
  }
  if (tc__wants(c))
    tc__probe_set(c, TC_PROBE_MODULE, p->comps[0].span, p->comps[0].text, NULL, out->s || out->loc.file ? &out->loc : NULL,
                  NULL);
  for (uint32_t i = 1; i < p->n; i++) {
    if (out->opaque) return true;
    const sig_module *m = p->comps[i].text ? sig_find_module(out->s, p->comps[i].text) : NULL;
    if (!m) {
      if (report && !c->program) {
        ast_lid lid = {{p->comps, i, p->span}, p->comps[i], p->span};
        tc__unbound(c, whole, TC_CODE_UNBOUND_MODULE, "module", &lid, TC_E_MODULE, out->s);
      }
      if (c->program) { *out = (tc_mod){NULL, true, {0}}; return true; }
      return false;
    }
    *out = (tc_mod){m->mod, m->mod->opaque, m->loc};
    if (tc__wants(c)) tc__probe_set(c, TC_PROBE_MODULE, p->comps[i].span, p->comps[i].text, NULL, &out->loc, NULL);
  }
  return true;
}

static char *tc__lid_text(tc *c, const ast_lid *lid) {
  char buf[512];
  size_t w = 0;
  for (uint32_t i = 0; i < lid->path.n && w < sizeof buf; i++)
    w += (size_t)snprintf(buf + w, sizeof buf - w, "%s.", lid->path.comps[i].text ? lid->path.comps[i].text : "_");
  if (w < sizeof buf) snprintf(buf + w, sizeof buf - w, "%s", lid->name.text ? lid->name.text : "_");
  return arena_strndup(c->ar, buf, strlen(buf));
}

static ty *tc__use_sig_value(tc *c, const ast_lid *lid, const sig_value *v) {
  ty *t = ty_thaw(c->st, v->scheme, c->level, NULL, 0);
  if (tc__wants(c)) tc__probe_set(c, TC_PROBE_VALUE, lid->span, tc__lid_text(c, lid), t, &v->loc, v->doc);
  return t;
}

ty *tc__lookup_value(tc *c, const ast_lid *lid) {
  const char *name = lid->name.text;
  if (!name || !*name) return ty_error(c->st); /* a missing name: a syntax error */
  if (lid->path.n) {
    tc_mod m;
    if (!tc__resolve_mpath_at(c, &lid->path, &m, true, lid->span)) return ty_error(c->st);
    if (m.opaque) return ty_error(c->st);
    const sig_value *v = sig_find_value(m.s, name);
    if (v) return tc__use_sig_value(c, lid, v);
    if (!c->program) tc__unbound(c, lid->span, TC_CODE_UNBOUND_VALUE, "value", lid, TC_E_VALUE, m.s);
    return ty_error(c->st);
  }
  uint32_t h = tc__hash(name);
  bool full;
  for (const tc_env *e = tc__scan_first(c, TC_E_VALUE, h, &full); e; e = tc__scan_next(e, full)) {
    if (e->kind == TC_E_VALUE && e->hash == h && strcmp(e->name, name) == 0) {
      ty *t = ty_instantiate(c->st, e->u.value.t, c->level);
      if (tc__wants(c))
        tc__probe_set(c, TC_PROBE_VALUE, lid->span, name, t, &e->u.value.loc, e->u.value.doc);
      return t;
    }
    if (e->kind == TC_E_OPEN) {
      if (e->u.mod.opaque) return ty_error(c->st); /* could come from the unknown module */
      const sig_value *v = sig_find_value(e->u.mod.s, name);
      if (v) return tc__use_sig_value(c, lid, v);
    }
  }
  const sig_value *v = c->opt->prelude ? sig_find_value(c->opt->prelude, name) : NULL;
  if (v) return tc__use_sig_value(c, lid, v);
  /* References: the lowering reported them (E0201); one mistake, one report. */
  bool ref = !strcmp(name, "ref") || !strcmp(name, "!") || !strcmp(name, ":=") || !strcmp(name, "incr") ||
             !strcmp(name, "decr");
  if (!c->program && !ref) {
    if (c->defining && strcmp(c->defining, name) == 0 && !tc__suggest(c, name, TC_E_VALUE, NULL)) {
      uint32_t line = 1;
      for (uint32_t k = 0; c->opt->text && k < c->defining_at && k < c->opt->len; k++) line += c->opt->text[k] == '\n';
      tc__error(c, lid->name.span, TC_CODE_UNBOUND_VALUE,
                "Unbound value %s\nHint: If this is a recursive definition, you should add the 'rec' keyword on line %u",
                name, line);
    }
    else
      tc__unbound(c, lid->name.span, TC_CODE_UNBOUND_VALUE, "value", lid, TC_E_VALUE, NULL);
  }
  return ty_error(c->st);
}

const sig_type *tc__decl_of(tc *c, const ty_con *con) {
  uint64_t id = ty_con_id(con);
  if (id >= 1 && id <= TY_B_COUNT) return c->builtin_types[id - 1];
  return ty_con_user(con);
}

/* The declaration of the type `t` is known to be (after expansion). */
static const sig_type *tc__known_decl(tc *c, ty *t) {
  if (!t) return NULL;
  t = ty_expand_head(c->st, t);
  return ty_kind_of(t) == TY_APP ? tc__decl_of(c, ty_app_con(t)) : NULL;
}

const sig_ctor *tc__lookup_ctor(tc *c, const ast_lid *lid, ty *expected, bool *silent) {
  const char *name = lid->name.text;
  *silent = false;
  if (!name) { *silent = true; return NULL; }
  const sig_ctor *k = NULL;
  if (lid->path.n) {
    tc_mod m;
    if (!tc__resolve_mpath_at(c, &lid->path, &m, true, lid->span)) { *silent = true; return NULL; }
    if (m.opaque) { *silent = true; return NULL; }
    k = sig_find_ctor(m.s, name);
    if (!k) tc__unbound(c, lid->span, TC_CODE_UNBOUND_CTOR, "constructor", lid, TC_E_CTOR, m.s);
    return k;
  }
  /* Type-directed: the expected type's own constructors first. */
  const sig_type *d = tc__known_decl(c, expected);
  if (d && d->kind == SIG_T_VARIANT && (k = sig_type_ctor(d, name))) return k;
  uint32_t h = tc__hash(name);
  bool full;
  for (const tc_env *e = tc__scan_first(c, TC_E_CTOR, h, &full); e; e = tc__scan_next(e, full)) {
    if (e->kind == TC_E_CTOR && e->hash == h && strcmp(e->name, name) == 0) return e->u.ctor;
    if (e->kind == TC_E_OPEN) {
      if (e->u.mod.opaque) { *silent = true; return NULL; }
      if ((k = sig_find_ctor(e->u.mod.s, name))) return k;
    }
  }
  if (c->opt->prelude && (k = sig_find_ctor(c->opt->prelude, name))) return k;
  if (c->program) { *silent = true; return NULL; }
  tc__unbound(c, lid->name.span, TC_CODE_UNBOUND_CTOR, "constructor", lid, TC_E_CTOR, NULL);
  return NULL;
}

const sig_field *tc__lookup_field(tc *c, const ast_lid *lid, ty *record, bool *silent) {
  const char *name = lid->name.text;
  *silent = false;
  if (!name) { *silent = true; return NULL; }
  const sig_field *f = NULL;
  if (lid->path.n) {
    tc_mod m;
    if (!tc__resolve_mpath_at(c, &lid->path, &m, true, lid->span) || m.opaque) { *silent = true; return NULL; }
    f = sig_find_field(m.s, name);
    if (!f) tc__unbound(c, lid->span, TC_CODE_UNBOUND_FIELD, "record field", lid, TC_E_FIELD, m.s);
    return f;
  }
  const sig_type *d = tc__known_decl(c, record);
  if (d && d->kind == SIG_T_RECORD && (f = sig_type_field(d, name))) return f;
  uint32_t h = tc__hash(name);
  bool full;
  for (const tc_env *e = tc__scan_first(c, TC_E_FIELD, h, &full); e; e = tc__scan_next(e, full)) {
    if (e->kind == TC_E_FIELD && e->hash == h && strcmp(e->name, name) == 0) return e->u.field;
    if (e->kind == TC_E_OPEN) {
      if (e->u.mod.opaque) { *silent = true; return NULL; }
      if ((f = sig_find_field(e->u.mod.s, name))) return f;
    }
  }
  if (c->opt->prelude && (f = sig_find_field(c->opt->prelude, name))) return f;
  if (c->program) { *silent = true; return NULL; }
  tc__unbound(c, lid->name.span, TC_CODE_UNBOUND_FIELD, "record field", lid, TC_E_FIELD, NULL);
  return NULL;
}

const sig_type *tc__lookup_type(tc *c, const ast_lid *lid, bool *silent) {
  const char *name = lid->name.text;
  *silent = false;
  if (!name) { *silent = true; return NULL; }
  const sig_type *t = NULL;
  if (lid->path.n) {
    tc_mod m;
    if (!tc__resolve_mpath_at(c, &lid->path, &m, true, lid->span) || m.opaque) { *silent = true; return NULL; }
    t = sig_find_type(m.s, name);
    if (!t) tc__unbound(c, lid->span, TC_CODE_UNBOUND_TYPE, "type constructor", lid, TC_E_TYPE, m.s);
    return t;
  }
  uint32_t h = tc__hash(name);
  bool full;
  for (const tc_env *e = tc__scan_first(c, TC_E_TYPE, h, &full); e; e = tc__scan_next(e, full)) {
    if (e->kind == TC_E_TYPE && e->hash == h && strcmp(e->name, name) == 0) return e->u.type;
    if (e->kind == TC_E_OPEN) {
      if (e->u.mod.opaque) { *silent = true; return NULL; }
      if ((t = sig_find_type(e->u.mod.s, name))) return t;
    }
  }
  if (c->opt->prelude && (t = sig_find_type(c->opt->prelude, name))) return t;
  if (c->program) { *silent = true; return NULL; }
  tc__unbound(c, lid->name.span, TC_CODE_UNBOUND_TYPE, "type constructor", lid, TC_E_TYPE, NULL);
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Items and modules */

/* Bring every name of a sealed sig into scope (open): one forwarding entry. */
static void tc__open(tc *c, tc_mod m) {
  tc_env *e = tc__entry(c, TC_E_OPEN, NULL);
  if (!e) return;
  e->u.mod = m;
  tc__push(c, e);
}

static void tc__bind_module(tc *c, const char *name, tc_mod m) {
  tc_env *e = tc__entry(c, TC_E_MODULE, name);
  if (!e) return;
  e->u.mod = m;
  tc__push(c, e);
}

/* A module expression: its sig (borrowed or owned via *owned) or opaque. */
static tc_mod tc__module_expr(tc *c, const ast_module *m, const char *name, sig **owned);

static sig *tc__struct(tc *c, const ast_item *items, uint32_t n, const char *name) {
  sig_builder *sb = sig_builder_create(c->opt->path ? c->opt->path : "", name);
  if (!sb) { c->oom = true; return NULL; }
  sig_builder *outer_sb = c->sb;
  const tc_env *outer_env = c->env;
  const char *outer_prefix = c->path_prefix;
  size_t pl = strlen(outer_prefix) + strlen(name) + 2;
  char *prefix = arena_alloc(c->ar, pl);
  if (prefix) snprintf(prefix, pl, "%s%s.", outer_prefix, name);
  c->sb = sb;
  c->path_prefix = prefix ? prefix : outer_prefix;
  tc__items(c, items, n);
  c->sb = outer_sb;
  c->env = outer_env;
  c->path_prefix = outer_prefix;
  if (c->opt->prelude) sig_add_dep(sb, (sig *)c->opt->prelude);
  for (size_t i = 0; i < c->opt->nimports; i++)
    if (c->opt->imports[i].s) sig_add_dep(sb, c->opt->imports[i].s);
  sig *s = sig_seal(sb);
  if (!s) c->oom = true;
  return s;
}

static tc_mod tc__module_expr(tc *c, const ast_module *m, const char *name, sig **owned) {
  *owned = NULL;
  switch (m->kind) {
  case AST_M_STRUCT: {
    sig *s = tc__struct(c, m->u.structure.items, m->u.structure.n, name);
    *owned = s;
    return (tc_mod){s, s == NULL, tc__loc(c, m->span)};
  }
  case AST_M_PATH: {
    tc_mod r;
    if (tc__resolve_mpath(c, &m->u.path, &r, true)) return r;
    return (tc_mod){NULL, true, {0}};
  }
  case AST_M_CONSTRAINT:
    /* (m : S): module types are not checked; the module is m. */
    return tc__module_expr(c, m->u.constraint.mod, name, owned);
  default:
    /* Functors and their applications, first-class modules: unknown. */
    return (tc_mod){NULL, true, {0}};
  }
}

static void tc__module_item(tc *c, const ast_item *it) {
  for (uint32_t i = 0; i < it->u.module.nbinds; i++) {
    const ast_module_binding *mb = &it->u.module.binds[i];
    const char *name = mb->name.text ? mb->name.text : "_";
    sig *owned = NULL;
    /* Recursive modules may refer to each other: not followed (unknown). */
    tc_mod m = it->u.module.rec ? (tc_mod){NULL, true, {0}} : tc__module_expr(c, mb->body, name, &owned);
    m.loc = tc__loc(c, mb->name.span);
    if (tc__wants(c)) tc__probe_set(c, TC_PROBE_MODULE, mb->name.span, name, NULL, &m.loc, NULL);
    if (strcmp(name, "_") != 0) {
      tc__bind_module(c, name, m);
      if (m.s) sig_add_module(c->sb, name, (sig *)m.s, m.loc);
    }
    if (owned) sig_release(owned); /* the builder holds it now (or it is unused) */
  }
}

static void tc__open_item(tc *c, const ast_item *it, bool include) {
  sig *owned = NULL;
  tc_mod m = tc__module_expr(c, it->u.open.mod, "_", &owned);
  tc__open(c, m);
  if (include && m.s) {
    /* Re-export its values (types and constructors stay reachable in scope). */
    sig_add_dep(c->sb, (sig *)m.s);
    for (uint32_t i = 0; i < m.s->nvalues; i++) {
      const sig_value *v = m.s->values[i];
      ty *t = ty_thaw(c->st, v->scheme, TY_LEVEL_GENERIC, NULL, 0);
      sig_add_value(c->sb, v->name, ty_freeze(c->st, t), v->kind, v->loc, v->doc);
    }
    for (uint32_t i = 0; i < m.s->nmodules; i++) sig_add_module(c->sb, m.s->modules[i].name, m.s->modules[i].mod, m.s->modules[i].loc);
  }
  if (owned) {
    sig_add_dep(c->sb, owned); /* keep it alive: the scope refers to it */
    sig_release(owned);
  }
}

static void tc__import_item(tc *c, const ast_item *it) {
  for (size_t i = 0; i < c->opt->nimports; i++) {
    const tc_import *im = &c->opt->imports[i];
    if (im->span.start != it->u.import.path_span.start || !im->module) continue;
    sig_loc loc = {sig_builder_file(c->sb), it->u.import.path_span};
    if (im->s && !im->opaque) loc = (sig_loc){im->s->file, {0, 0}};
    tc__bind_module(c, im->module, (tc_mod){im->opaque ? NULL : im->s, im->opaque || !im->s, loc});
    if (tc__wants(c))
      tc__probe_set(c, TC_PROBE_MODULE, it->u.import.path_span, im->module, NULL, &loc, NULL);
    return;
  }
}

/* verify / instance: a bool, or a function (any arity) returning bool. */
static void tc__verify(tc *c, const ast_item *it) {
  const ast_expr *e = it->u.eval.expr;
  ty *t = tc__expr(c, e, ty_new_var(c->st, c->level));
  ty *r = ty_expand_head(c->st, t);
  for (int guard = 0; ty_kind_of(r) == TY_ARROW && guard < 10000; guard++) r = ty_expand_head(c->st, ty_arrow_cod(r));
  ty_unify_error err = {0};
  if (ty_unify(c->st, r, ty_prim(c->st, TY_B_BOOL), &err)) return;
  if (ty_contains_error(c->st, t)) return;
  char *ts = tc__print(c, NULL, t);
  const char *kw = ast_stmt_kw_name(it->u.eval.kw);
  tc__error(c, e->span, TC_CODE_VERIFY,
            "This expression has type %s but %s expects a bool or a function returning bool", ts ? ts : "?", kw);
  free(ts);
}

/* Does the item contain a syntax error? */
static bool tc__broken(tc *c, const ast_item *it) {
  const diag_list *sx = c->opt->syntax;
  for (size_t k = 0; sx && k < sx->count; k++) {
    const char *code = sx->items[k].code;
    if (code[0] == 'E' && code[1] == '0' && code[2] == '0' && sx->items[k].span.start >= it->span.start &&
        sx->items[k].span.start <= it->span.end)
      return true;
  }
  return false;
}

void tc__items(tc *c, const ast_item *items, uint32_t n) {
  for (uint32_t i = 0; i < n && !c->oom; i++) {
    if (c->opt->sw && !sw_is_on(c->opt->sw)) { c->res->cancelled = true; return; }
    const ast_item *it = &items[i];
    size_t ndiags = c->diags->count;
    bool broken = it->kind != AST_I_MODULE && tc__broken(c, it);
    c->program = it->program;
    c->tvars = NULL;
    c->level = TY_LEVEL_TOP;
    switch (it->kind) {
    case AST_I_LET:
      tc__bindings(c, it->u.let.rec, it->u.let.binds, it->u.let.nbinds, it->u.let.kw, true,
                   tc__doc_before(c, it->span.start));
      break;
    case AST_I_EVAL:
      if (it->u.eval.kw == AST_KW_VERIFY || it->u.eval.kw == AST_KW_INSTANCE) tc__verify(c, it);
      else tc__expr(c, it->u.eval.expr, ty_new_var(c->st, c->level));
      break;
    case AST_I_TYPE:
      tc__type_decls(c, it->u.type.nonrec, it->u.type.decls, it->u.type.ndecls);
      break;
    case AST_I_MODULE:
      tc__module_item(c, it);
      break;
    case AST_I_OPEN:
      tc__open_item(c, it, false);
      break;
    case AST_I_INCLUDE:
      tc__open_item(c, it, true);
      break;
    case AST_I_IMPORT:
      tc__import_item(c, it);
      break;
    case AST_I_UNSUPPORTED:
      if (it->u.unsupported.what == AST_IU_EXTERNAL && it->u.unsupported.type && it->u.unsupported.name.text) {
        /* `external x : t = "…"`: a value declared by its type (the prelude's builtins). */
        ty *t = tc__type(c, it->u.unsupported.type, NULL);
        ty_generalize(c->st, t, TY_LEVEL_GROUND);
        sig_loc loc = tc__loc(c, it->u.unsupported.name.span);
        const char *doc = tc__doc_before(c, it->span.start);
        tc__bind_value(c, it->u.unsupported.name.text, t, loc, doc);
        sig_add_value(c->sb, it->u.unsupported.name.text, ty_freeze(c->st, t), SIG_V_EXTERNAL, loc, doc);
      }
      break;
    default:
      break;
    }
    while (broken && c->diags->count > ndiags) {
      diag *d = &c->diags->items[--c->diags->count];
      free(d->message);
    }
  }
}

/* ------------------------------------------------------------------------ */
/* Entry */

static int tc__diag_cmp(const void *a, const void *b) {
  const diag *x = a, *y = b;
  if (x->span.start != y->span.start) return x->span.start < y->span.start ? -1 : 1;
  return strcmp(x->code, y->code);
}

int tc_check(const ast_file *ast, const tc_options *opt, tc_result *out) {
  *out = (tc_result){0};
  tc c0 = {0}, *c = &c0;
  c->opt = opt;
  c->res = out;
  c->diags = &out->diags;
  c->st = ty_store_create();
  c->ar = arena_create(0);
  c->sb = sig_builder_create(opt->path ? opt->path : "", opt->modname ? opt->modname : "");
  c->path_prefix = "";
  c->level = TY_LEVEL_TOP;
  c->probing = opt->probe;
  c->finding = opt->find && opt->find_file;
  c->probe_at = opt->probe_offset;
  c->probe_best = UINT32_MAX;
  if (!c->st || !c->ar || !c->sb) {
    ty_store_destroy(c->st);
    arena_destroy(c->ar);
    sig_builder_destroy(c->sb);
    return -1;
  }
  if (opt->prelude) {
    static const char *const names[TY_B_COUNT] = {"int", "bool", "unit", "real", "string", "char", "float",
                                                  "list", "option", "result"};
    for (int b = 0; b < TY_B_COUNT; b++) c->builtin_types[b] = sig_find_type(opt->prelude, names[b]);
    const sig_module *ord = sig_find_module(opt->prelude, "Ordinal");
    c->ordinal = ord ? ord->mod : NULL;
  }
  tc__items(c, ast->items, ast->nitems);
  /* The interface keeps alive what its schemes mention. */
  if (opt->prelude) sig_add_dep(c->sb, (sig *)opt->prelude);
  for (size_t i = 0; i < opt->nimports; i++)
    if (opt->imports[i].s) sig_add_dep(c->sb, opt->imports[i].s);
  if (c->probing && c->probe_best != UINT32_MAX) {
    tc_probe *p = &out->probe;
    if (c->probe_type) {
      p->type = tc__print(c, NULL, c->probe_type);
      const sig_type *d = tc__known_decl(c, c->probe_type);
      if (d) {
        p->has_type_def = true;
        p->type_def_file = strdup(d->loc.file ? d->loc.file : "");
        p->type_def_span = d->loc.span;
      }
    }
    if (c->probe_has_def) {
      p->has_def = true;
      p->def_file = strdup(c->probe_def.file ? c->probe_def.file : "");
      p->def_span = c->probe_def.span;
    }
  }
  out->sig = sig_seal(c->sb);
  if (out->diags.count > 1) qsort(out->diags.items, out->diags.count, sizeof(diag), tc__diag_cmp);
  bool oom = c->oom || !out->sig;
  ty_store_destroy(c->st);
  arena_destroy(c->ar);
  return oom ? -1 : 0;
}

void tc_result_clear(tc_result *r) {
  if (!r) return;
  diag_list_clear(&r->diags);
  sig_release(r->sig);
  free(r->probe.name);
  free(r->probe.type);
  free(r->probe.def_file);
  free(r->probe.doc);
  free(r->probe.type_def_file);
  free(r->occ);
  *r = (tc_result){0};
}

/* Constructors of `s` itself print without its module name. */
static const char *tc__sig_namer(void *data, const ty_con *con) {
  const sig *s = data;
  const char *p = ty_con_path(con);
  size_t n = strlen(s->name);
  return n && strncmp(p, s->name, n) == 0 && p[n] == '.' ? p + n + 1 : NULL;
}

char *tc_signature_text(const sig *s) {
  strbuf out = {0};
  ty_store *st = ty_store_create();
  if (!st) return NULL;
  strbuf_puts(&out, ""); /* "" rather than NULL for an empty interface */
  for (uint32_t i = 0; i < s->nvalues; i++) {
    const sig_value *v = s->values[i];
    if (sig_find_value(s, v->name) != v) continue; /* shadowed later */
    ty_printer *p = ty_printer_create(); /* each value names its variables from 'a */
    char *ts = NULL;
    if (p) {
      ty_printer_set_namer(p, tc__sig_namer, (void *)s);
      ts = ty_printer_print(p, ty_thaw(st, v->scheme, TY_LEVEL_TOP, NULL, 0));
    }
    ty_printer_destroy(p);
    if (!ts) out.oom = true;
    bool op = false;
    for (const char *q = v->name; *q; q++)
      op |= !((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_' || *q == '\'');
    if (ts) strbuf_printf(&out, op ? "val ( %s ) : %s\n" : "val %s : %s\n", v->name, ts);
    free(ts);
  }
  ty_store_destroy(st);
  return strbuf_take(&out);
}

/* ------------------------------------------------------------------------ */
/* Check contexts */

struct tc_ctx {
  _Atomic int refs;
  snap *sn;
  char *path, *modname;
  tc_import *imports;
  size_t n;
};

tc_ctx *tc_ctx_create(snap *sn, const char *path, const char *modname, const tc_import *imports, size_t n) {
  tc_ctx *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  atomic_init(&c->refs, 1);
  c->sn = snap_retain(sn);
  c->path = strdup(path ? path : "");
  c->modname = strdup(modname ? modname : "");
  c->imports = calloc(n ? n : 1, sizeof *c->imports);
  c->n = n;
  bool ok = c->path && c->modname && c->imports;
  for (size_t i = 0; ok && i < n; i++) {
    c->imports[i] = imports[i];
    c->imports[i].module = imports[i].module ? strdup(imports[i].module) : NULL;
    c->imports[i].target = imports[i].target ? strdup(imports[i].target) : NULL;
    sig_retain(imports[i].s);
    ok = (!imports[i].module || c->imports[i].module) && (!imports[i].target || c->imports[i].target);
  }
  if (!ok) { tc_ctx_release(c); return NULL; }
  return c;
}

tc_ctx *tc_ctx_retain(tc_ctx *c) {
  if (c) atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
  return c;
}

void tc_ctx_release(tc_ctx *c) {
  if (!c || atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1) return;
  for (size_t i = 0; c->imports && i < c->n; i++) {
    free((char *)c->imports[i].module);
    free((char *)c->imports[i].target);
    sig_release(c->imports[i].s);
  }
  free(c->imports);
  free(c->path);
  free(c->modname);
  snap_release(c->sn);
  free(c);
}

const snap *tc_ctx_snap(const tc_ctx *c) { return c->sn; }
const char *tc_ctx_path(const tc_ctx *c) { return c->path; }

int tc_ctx_check(const tc_ctx *c, const sig *prelude, sw_switch *sw, bool probe, uint32_t probe_offset,
                 tc_result *out) {
  return tc_ctx_find(c, prelude, sw, probe, probe_offset, NULL, (text_span){0, 0}, out);
}

int tc_ctx_find(const tc_ctx *c, const sig *prelude, sw_switch *sw, bool probe, uint32_t probe_offset,
                const char *find_file, text_span find_span, tc_result *out) {
  const ast_file *ast = snap_ast(c->sn);
  if (!ast) { *out = (tc_result){0}; return -1; }
  tc_options opt = {.path = c->path, .text = snap_text(c->sn), .len = snap_len(c->sn), .modname = c->modname,
                    .prelude = prelude, .imports = c->imports, .nimports = c->n, .sw = sw,
                    .syntax = snap_diagnostics(c->sn), .probe = probe, .probe_offset = probe_offset,
                    .find = find_file != NULL, .find_file = find_file, .find_span = find_span};
  return tc_check(ast, &opt, out);
}
