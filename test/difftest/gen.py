#!/usr/bin/env python3
"""Random programs in the fragment where IML and OCaml agree, for the
differential test of iml-lsp's type checker against `ocamlc -i` (run.py).

  gen.py --print SEED        print the program of that seed
  gen.py --print SEED --ill  ... forced ill-typed (--well: well-typed)

Deterministic by seed (random.Random(seed)); stdlib only.

How it stays in the common fragment (IML = OCaml minus a few things):
- The generator is type-directed: every expression is generated at an
  intended type in an environment, so well-typed programs are well-typed by
  construction (their principal types may be more general than intended;
  the test compares principal types, never the intended ones).
- `< <= > >=` only on operands that are int by construction (one operand is
  a literal, an arithmetic expression, `List.length _` or annotated `: int`):
  IML's are int -> int -> bool, OCaml's polymorphic.
- No value restriction in IML: an expansive let (anything but constants,
  variables, functions and constructors/tuples/lists/records of those) is
  always annotated with its type, so that OCaml's non-generalisation and
  IML's generalisation give the same types; top-level expansive values get a
  ground annotation. Local polymorphic functions (used at two types) are
  syntactic functions and mention no named type variable ('a in an
  annotation is scoped to the whole top-level phrase in OCaml).
- Only prelude names whose IML and OCaml types are identical (STDLIB below;
  analysis/prelude.iml); no compare/min/max/abs, String.*, reals, floats,
  refs, exceptions, modules, ==.
- Labelled and optional arguments: only at top-level non-recursive
  functions, always fully applied with the labels in order (optional ones
  given with ~l:, ?l: or omitted; the last parameter is positional), or with
  all labels omitted when OCaml allows it (no optional parameter, annotated
  ground non-arrow result).
- Names are fresh (x12, K3, fd4, t5 ...), so no shadowing and no
  type-directed disambiguation of constructors or fields.

Ill-typed programs: a well-typed program with one mistake injected, either
an expression replaced by one that is ill-typed in isolation (so wherever it
sits), or a bad top-level item. The first line says which:
  (* well-typed *)
  (* ill-typed: <kind>: <what> [<expected code>] *)
"""

import argparse
import os
import random
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dtypes import (INT, BOOL, STRING, UNIT, TList, TOpt, TTup, TArr, TVar,  # noqa: E402
                    TCon, free_vars, is_ground, subst, match, arrows,
                    ty_str)

ILL_RATIO = 0.35


# ---------------------------------------------------------------------------
# Code trees

class Node:
    """Generated code: parts are strings and Nodes. atomic: can be an
    operand without parentheses. nx: non-expansive for OCaml's value
    restriction (conservative: False when unsure)."""
    __slots__ = ('parts', 'atomic', 'nx')

    def __init__(self, parts, atomic=False, nx=False):
        self.parts = parts
        self.atomic = atomic
        self.nx = nx


def render(node):
    out = []
    stack = [node]
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            out.append(x)
        else:
            stack.extend(reversed(x.parts))
    return ''.join(out)


def atom(n):
    if n.atomic:
        return n
    return Node(['(', n, ')'], True, n.nx)


def lit(s, nx=True):
    return Node([s], True, nx)


def used_vars(tvs, types):
    """The variables of tvs that occur in types (the others have no value
    in scope: intermediate types use only these)."""
    occ = set(v for t in types for v in free_vars(t))
    return [v for v in tvs if v in occ]


def contains(t, T):
    """T occurs in t outside arrows (can be reached by pattern matching)."""
    if t == T:
        return True
    if t[0] in ('list', 'option'):
        return contains(t[1], T)
    if t[0] == 'tuple':
        return any(contains(c, T) for c in t[1])
    if t[0] == 'con':
        return any(contains(c, T) for c in t[2])
    return False


def free_names(t, acc=None):
    """The type constructor names used in t."""
    if acc is None:
        acc = set()
    if t[0] == 'con':
        acc.add(t[1])
        for a in t[2]:
            free_names(a, acc)
    elif t[0] in ('list', 'option'):
        free_names(t[1], acc)
    elif t[0] == 'tuple':
        for a in t[1]:
            free_names(a, acc)
    elif t[0] == 'arrow':
        free_names(t[2], acc)
        free_names(t[3], acc)
    return acc


class Entry:
    """An environment entry. qv: quantified variables ('?' names) of the
    scheme; kind 'v' (a value, usable anywhere) or 'd' (a function with
    labelled/optional parameters: only ever fully applied); meta: extras."""
    __slots__ = ('qv', 'ty', 'kind', 'meta')

    def __init__(self, qv, ty, kind='v', meta=None):
        self.qv = qv
        self.ty = ty
        self.kind = kind
        self.meta = meta or {}


class Cx:
    """Generation context. tv: rigid type variables usable for intermediate
    types; lpoly: variables of the local polymorphic functions being defined
    (never written in an annotation: that would prevent their
    generalisation); slots: record expressions as injection points."""
    __slots__ = ('tv', 'lpoly', 'slots')

    def __init__(self, tv, lpoly=frozenset(), slots=True):
        self.tv = tv
        self.lpoly = lpoly
        self.slots = slots

    def poly(self, p):
        return Cx(self.tv + [p], self.lpoly | {p}, self.slots)

    def annot_ok(self, t):
        return not (set(free_vars(t)) & self.lpoly)


def scheme(t, tvs=None):
    """Generalise the variables tvs (default: all) of t: ('?'-names, type)."""
    names = free_vars(t) if tvs is None else [v for v in free_vars(t) if v in tvs]
    s = {v: TVar('?%d' % i) for i, v in enumerate(names)}
    return tuple('?%d' % i for i in range(len(names))), subst(t, s)


def _stdlib():
    a, b = TVar('?a'), TVar('?b')
    L = TList
    e = {
        'fst': (TArr(TTup([a, b]), a), 0.05),
        'snd': (TArr(TTup([a, b]), b), 0.05),
        'not': (TArr(BOOL, BOOL), 1),
        'List.map': (TArr(TArr(a, b), TArr(L(a), L(b))), 1),
        'List.rev': (TArr(L(a), L(a)), 0.5),
        'List.length': (TArr(L(a), INT), 1),
        'List.filter': (TArr(TArr(a, BOOL), TArr(L(a), L(a))), 0.7),
        'List.exists': (TArr(TArr(a, BOOL), TArr(L(a), BOOL)), 0.5),
        'List.for_all': (TArr(TArr(a, BOOL), TArr(L(a), BOOL)), 0.5),
        'List.mem': (TArr(a, TArr(L(a), BOOL)), 0.5),
        'List.append': (TArr(L(a), TArr(L(a), L(a))), 0.3),
        'List.fold_left': (TArr(TArr(a, TArr(b, a)), TArr(a, TArr(L(b), a))), 0.4),
        'List.fold_right': (TArr(TArr(a, TArr(b, b)), TArr(L(a), TArr(b, b))), 0.3),
    }
    env = {}
    for name, (t, w) in e.items():
        qv = tuple(free_vars(t))
        env[name] = Entry(qv, t, 'v', {'stdlib': True, 'w': w})
    return env


STDLIB = _stdlib()


class Program:
    def __init__(self, seed, text, well_typed, injected, code, constructs, nodes):
        self.seed = seed
        self.text = text
        self.well_typed = well_typed
        self.injected = injected    # kind of the injected mistake, or None
        self.code = code            # expected diagnostic code, or None
        self.constructs = constructs
        self.nodes = nodes


class Gen:
    def __init__(self, seed, ill=None, ill_ratio=ILL_RATIO):
        self.seed = seed
        self.r = random.Random(seed)
        self.ill = (self.r.random() < ill_ratio) if ill is None else ill
        self.n = 0
        self.types = {}      # name -> dict(params, kind, ctors | fields)
        self.type_order = []
        self.ctors = {}      # K -> (type name, index)
        self.fields = {}     # fd -> type name
        self.stats = Counter()
        self.slots = []
        self.visible = 0     # types visible at the injection point (inject.py)
        self.budget = 0
        self.nodes = 0

    # -- utilities ----------------------------------------------------------

    def fresh(self, prefix):
        self.n += 1
        return '%s%d' % (prefix, self.n)

    def chance(self, p):
        return self.r.random() < p

    def pick(self, weighted):
        """weighted: list of (weight, value); weight 0 entries are skipped."""
        tot = sum(w for w, _ in weighted if w > 0)
        x = self.r.random() * tot
        for w, v in weighted:
            if w <= 0:
                continue
            x -= w
            if x < 0:
                return v
        return [v for w, v in weighted if w > 0][-1]

    def note(self, tag):
        self.stats[tag] += 1

    # -- types --------------------------------------------------------------

    def rand_type(self, tv, depth=2, arrow=0.08, user=True):
        r = self.r
        if depth <= 0 or r.random() < 0.45:
            opts = [(3, INT), (2, BOOL), (1.2, STRING), (0.3, UNIT)]
            opts += [(1.6 / max(1, len(tv)) * 1.0, TVar(v)) for v in tv]
            return self.pick(opts)
        opts = [(3, 'list'), (2, 'option'), (2, 'tuple'), (arrow * 20, 'arrow')]
        if user:
            opts += [(1.5, ('con', n)) for n in self.type_order]
        k = self.pick(opts)
        if k == 'list':
            return TList(self.rand_type(tv, depth - 1, arrow / 2, user))
        if k == 'option':
            return TOpt(self.rand_type(tv, depth - 1, arrow / 2, user))
        if k == 'tuple':
            n = self.pick([(4, 2), (1, 3)])
            return TTup([self.rand_type(tv, depth - 1, arrow / 2, user) for _ in range(n)])
        if k == 'arrow':
            return TArr(self.rand_type(tv, depth - 1, 0, user), self.rand_type(tv, depth - 1, 0, user))
        name = k[1]
        d = self.types[name]
        return TCon(name, [self.rand_type(tv, depth - 1, 0, user) for _ in d['params']])

    def ground_type(self, depth=1):
        return self.rand_type([], depth, 0.05)

    def inst(self, name, args):
        d = self.types[name]
        return dict(zip(d['params'], args))

    # -- type declarations -------------------------------------------------

    def decl_type(self, params, group, allow_group, depth):
        """A type expression for a constructor argument or record field."""
        if depth <= 0 or self.chance(0.5):
            opts = [(3, INT), (2, BOOL), (1, STRING)] + [(2, TVar(p)) for p in params]
            if allow_group:
                opts += [(3, TCon(g, [TVar(p) for p in params])) for g in allow_group]
            return self.pick(opts)
        opts = [(3, 'list'), (2, 'option'), (1.5, 'tuple'), (0.4, 'arrow')]
        opts += [(1, ('con', n)) for n in self.type_order]
        k = self.pick(opts)
        sub = lambda: self.decl_type(params, group, allow_group, depth - 1)  # noqa: E731
        if k == 'list':
            return TList(sub())
        if k == 'option':
            return TOpt(sub())
        if k == 'tuple':
            return TTup([sub(), sub()])
        if k == 'arrow':
            return TArr(self.decl_type(params, group, (), depth - 1), sub())
        n = k[1]
        return TCon(n, [self.decl_type(params, group, (), depth - 1) for _ in self.types[n]['params']])

    def gen_type_group(self):
        size = self.pick([(8, 1), (2, 2)])
        nparams = self.pick([(9, 0), (8, 1), (3, 2)])
        params = ["'a", "'b"][:nparams]
        names = [self.fresh('t') for _ in range(size)]
        kinds = ['variant' if (i == 0 and size > 1) or self.chance(0.7) else 'record'
                 for i in range(size)]
        variants = [n for n, k in zip(names, kinds) if k == 'variant']
        decls = []
        for name, kind in zip(names, kinds):
            if kind == 'variant':
                ctors = []
                nc = self.pick([(2, 1), (4, 2), (3, 3), (2, 4)])
                for i in range(nc):
                    allow = () if i == 0 else names
                    nargs = self.pick([(3, 0), (4, 1), (2, 2), (1, 3)]) if i == 0 else self.pick([(1, 0), (4, 1), (3, 2), (1, 3)])
                    args = [self.decl_type(params, names, allow, 2) for _ in range(nargs)]
                    ctors.append((self.fresh('K'), args))
                decls.append((name, {'params': params, 'kind': 'variant', 'ctors': ctors}))
                self.note('type:variant')
                if any(n in free_names(a) for _, args in ctors for a in args for n in names):
                    self.note('type:recursive')
            else:
                nf = self.pick([(2, 1), (4, 2), (3, 3), (1, 4)])
                fields = [(self.fresh('fd'), self.decl_type(params, names, variants, 2)) for _ in range(nf)]
                decls.append((name, {'params': params, 'kind': 'record', 'fields': fields}))
                self.note('type:record')
        if nparams:
            self.note('type:parameterised')
        if size > 1:
            self.note('type:mutual')
        for name, d in decls:
            self.types[name] = d
            self.type_order.append(name)
            if d['kind'] == 'variant':
                for i, (k, _) in enumerate(d['ctors']):
                    self.ctors[k] = (name, i)
            else:
                for fd, _ in d['fields']:
                    self.fields[fd] = name
        lines = []
        for i, (name, d) in enumerate(decls):
            ps = ''
            if len(params) == 1:
                ps = params[0] + ' '
            elif params:
                ps = '(' + ', '.join(params) + ') '
            kw = 'type' if i == 0 else 'and'
            if d['kind'] == 'variant':
                cs = []
                for k, args in d['ctors']:
                    cs.append(k if not args else k + ' of ' + ' * '.join(ty_str(a, 2) for a in args))
                lines.append('%s %s%s =\n  | %s' % (kw, ps, name, '\n  | '.join(cs)))
            else:
                fs = ['%s : %s' % (fd, ty_str(t)) for fd, t in d['fields']]
                lines.append('%s %s%s = { %s }' % (kw, ps, name, '; '.join(fs)))
        return '\n'.join(lines)

    # -- expressions ----------------------------------------------------------

    def gen(self, T, env, d, cx):
        self.budget -= 1
        self.nodes += 1
        node = None
        if d > 0 and self.budget > 0:
            prods = [(w, p) for w, p in self.productions(T, env, d, cx) if w > 0]
            while prods and node is None:
                prod = self.pick(prods)
                mark = len(self.slots)
                node = prod(T, env, d, cx)
                if node is None:
                    del self.slots[mark:]   # parts of an abandoned attempt
                    prods = [(w, p) for w, p in prods if p != prod]
        if node is None:
            node = self.terminal(T, env, cx)
        if cx.slots:
            # the number of types declared so far: the ones a mistake injected
            # here may mention
            self.slots.append((node, T, env, cx, len(self.type_order)))
        return node

    def productions(self, T, env, d, cx):
        tag = T[0]
        stuck = tag == 'var' and not self.exact_vars(T, env)
        P = [
            (1.2, self.p_if), (4 if stuck else 1.5 if d >= 2 else 0.3, self.p_match), (1.2, self.p_let),
            (0.6 if d >= 2 else 0, self.p_letfun), (0.7 if d >= 2 else 0, self.p_letpoly),
            (0.4 if d >= 2 else 0, self.p_letrec), (0.25, self.p_fstsnd), (0.4, self.p_pipe),
            (0.3 if cx.annot_ok(T) else 0, self.p_annot), (0.1 if cx.annot_ok(T) else 0, self.p_flexannot),
            (0.25, self.p_beta), (1.0, self.p_field), (3.0, self.p_var), (4.0, self.p_app),
        ]
        if tag == 'int':
            P += [(3, self.p_arith), (0.4, self.p_neg), (1, self.p_terminal)]
        elif tag == 'bool':
            P += [(2.5, self.p_cmp), (2, self.p_eq), (2, self.p_andor), (0.5, self.p_not), (0.5, self.p_terminal)]
        elif tag == 'string':
            P += [(2, self.p_concat), (1, self.p_terminal)]
        elif tag == 'unit':
            P += [(2, self.p_terminal), (1, self.p_if_then)]
        elif tag == 'list':
            P += [(2, self.p_listlit), (2, self.p_cons), (1, self.p_append), (0.5, self.p_terminal)]
        elif tag == 'option':
            P += [(2, self.p_some), (0.5, self.p_terminal)]
        elif tag == 'tuple':
            P += [(5, self.p_tuple)]
        elif tag == 'arrow':
            P += [(5, self.p_fun), (1.5, self.p_function)]
        elif tag == 'con':
            if self.types[T[1]]['kind'] == 'variant':
                P += [(5, self.p_ctor)]
            else:
                P += [(4, self.p_record), (1.5, self.p_with)]
        return P

    def bind(self, env, binds):
        """A new environment (never the same dict: callers may add to it)."""
        e = dict(env)
        for name, t in binds:
            e[name] = Entry((), t)
        return e

    def exact_vars(self, T, env):
        out = []
        for name, en in env.items():
            if en.kind != 'v' or en.meta.get('stdlib'):
                continue
            if match(en.ty, T, {}):
                out.append(name)
        return out

    def terminal(self, T, env, cx, fuel=3):
        """A small expression of type T (no further nesting of productions);
        fuel bounds the applications tried for a type variable."""
        tag = T[0]
        vs = self.exact_vars(T, env)
        if vs and (tag in ('var', 'arrow') or self.chance(0.35)):
            self.note('var')
            return lit(self.r.choice(vs))
        sub = lambda t: self.terminal(t, env, cx, fuel)  # noqa: E731
        if tag == 'int':
            n = self.r.choice([0, 1, 2, 3, 5, 7, 10, 42, 100])
            if self.chance(0.1):
                return lit('(-%d)' % (n + 1))
            return lit(str(n))
        if tag == 'bool':
            return lit(self.r.choice(['true', 'false']))
        if tag == 'string':
            return lit(self.r.choice(['""', '"a"', '"xy"', '"s%d"' % self.r.randrange(10)]))
        if tag == 'unit':
            return lit('()')
        if tag == 'list':
            if self.chance(0.7):
                return lit('[]')
            a = sub(T[1])
            return Node(['[', atom(a), ']'], True, a.nx)
        if tag == 'option':
            if self.chance(0.6):
                return lit('None')
            a = sub(T[1])
            return Node(['Some ', atom(a)], False, a.nx)
        if tag == 'tuple':
            cs = [sub(c) for c in T[1]]
            return self.tuple_node(cs)
        if tag == 'arrow':
            if self.chance(0.5):
                x = self.fresh('x')
                body = self.terminal(T[3], self.bind(env, [(x, T[2])]), cx, fuel)
            else:
                x = '_'
                body = self.terminal(T[3], env, cx, fuel)
            self.note('fun')
            return Node(['fun %s -> ' % x, body], False, True)
        if tag == 'con':
            dcl = self.types[T[1]]
            s = self.inst(T[1], T[2])
            if dcl['kind'] == 'variant':
                k, args = dcl['ctors'][0]
                return self.ctor_node(k, [sub(subst(a, s)) for a in args])
            fs = [(fd, sub(subst(t, s))) for fd, t in dcl['fields']]
            return self.record_node(fs)
        if tag == 'var':
            if fuel > 0:
                app = self.p_app(T, env, 0, cx, terminal=fuel)
                if app is not None:
                    return app
            self.note('List.hd []')
            return Node(['List.hd []'], False, False)
        raise ValueError(T)

    def tuple_node(self, cs):
        parts = ['(']
        for i, c in enumerate(cs):
            if i:
                parts.append(', ')
            parts.append(atom(c))
        parts.append(')')
        self.note('tuple')
        return Node(parts, True, all(c.nx for c in cs))

    def ctor_node(self, k, args):
        self.note('constructor')
        if not args:
            return lit(k)
        if len(args) == 1:
            return Node([k, ' ', atom(args[0])], False, args[0].nx)
        return Node([k, ' ', self.tuple_node(args)], False, all(a.nx for a in args))

    def record_node(self, fs):
        self.note('record')
        parts = ['{ ']
        for i, (fd, e) in enumerate(fs):
            if i:
                parts.append('; ')
            parts += [fd, ' = ', atom(e)]
        parts.append(' }')
        return Node(parts, True, all(e.nx for _, e in fs))

    # universal productions ---------------------------------------------------

    def p_terminal(self, T, env, d, cx):
        return self.terminal(T, env, cx)

    def p_var(self, T, env, d, cx):
        vs = self.exact_vars(T, env)
        if not vs:
            return None
        self.note('var')
        return lit(self.r.choice(vs))

    def app_candidates(self, T, env):
        cands = []
        for name, en in env.items():
            params, res = arrows(en.ty)
            if not params:
                continue
            w = en.meta.get('w', 3.0)
            if en.kind == 'd':
                sub = {}
                if match(res, T, sub):
                    cands.append((2 * w, (name, en, len(params), sub)))
                continue
            t = en.ty
            for k in range(1, len(params) + 1):
                t = t[3]
                sub = {}
                if match(t, T, sub):
                    ww = w * (0.35 if res[0] == 'var' and en.meta.get('stdlib') else 1.0)
                    cands.append((ww / k, (name, en, k, sub)))
        return cands

    def p_app(self, T, env, d, cx, terminal=False):
        cands = self.app_candidates(T, env)
        if terminal:
            cands = [(w, c) for w, c in cands if not env[c[0]].meta.get('stdlib')]
        if not cands:
            return None
        name, en, k, sub = self.pick(cands)
        params, _ = arrows(en.ty)
        for v in en.qv:
            if v not in sub:
                sub[v] = self.ground_type(1) if self.chance(0.8) else self.rand_type(cx.tv, 1, 0)
        gen_arg = (lambda t: self.terminal(t, env, cx, terminal - 1)) if terminal else (lambda t: self.gen(t, env, d - 1, cx))
        parts = [name]
        if en.kind == 'd':
            return self.direct_call(name, en, sub, gen_arg, cx)
        for lab, t in params[:k]:
            parts += [' ', atom(gen_arg(subst(t, sub)))]
        self.note('stdlib-app' if en.meta.get('stdlib') else 'app')
        if k < len(params):
            self.note('partial-app')
        return Node(parts)

    def direct_call(self, name, en, sub, gen_arg, cx, wrong_label=None, opt_bad=False):
        """A full application of a function with labelled/optional params,
        labels in order. wrong_label: the first ~label is renamed to it;
        opt_bad: the first optional parameter gets a non-option ?l:(n)."""
        params, _ = arrows(en.ty)
        omit = en.meta.get('omit_ok') and wrong_label is None and not opt_bad and self.chance(0.4)
        parts = [name]
        for lab, t in params:
            t = subst(t, sub)
            if lab is None or omit:
                parts += [' ', atom(gen_arg(t))]
            elif lab[0] == '~':
                ln = lab[1]
                if wrong_label is not None:
                    ln, wrong_label = wrong_label, None
                parts += [' ~%s:' % ln, atom(gen_arg(t))]
            elif opt_bad:
                parts += [' ?%s:' % lab[1], '(%d)' % self.r.randrange(1, 9)]
                opt_bad = False
            else:
                c = self.r.random()
                if c < 0.35:
                    self.note('optional-omitted')
                elif c < 0.7:
                    parts += [' ~%s:' % lab[1], atom(gen_arg(t))]
                else:
                    self.note('optional-?arg')
                    parts += [' ?%s:' % lab[1], atom(gen_arg(TOpt(t)))]
        self.note('labelled-app-omitted-labels' if omit else 'labelled-app')
        return Node(parts)

    def p_if(self, T, env, d, cx):
        c = self.gen(BOOL, env, d - 1, cx)
        a = self.gen(T, env, d - 1, cx)
        b = self.gen(T, env, d - 1, cx)
        self.note('if')
        return Node(['if ', atom(c), ' then ', atom(a), ' else ', atom(b)])

    def p_if_then(self, T, env, d, cx):
        """if c then e, without else (e : unit)."""
        c = self.gen(BOOL, env, d - 1, cx)
        a = self.gen(UNIT, env, d - 1, cx)
        self.note('if-without-else')
        return Node(['if ', atom(c), ' then ', atom(a)])

    def scrut_type(self, env, cx, T=None):
        """A type worth matching on: often that of a variable in scope, the
        more so when a component of it has the type T we are after."""
        vs = [(4 if T is not None and e.ty != T and contains(e.ty, T) else 1, (n, e)) for n, e in env.items()
              if e.kind == 'v' and not e.qv and e.ty[0] in ('list', 'option', 'tuple', 'con', 'int', 'bool')]
        if vs and self.chance(0.6):
            n, e = self.pick(vs)
            return e.ty, n
        opts = [(2, 'list'), (1.5, 'option'), (1.5, 'tuple'), (0.7, INT), (0.3, BOOL)]
        opts += [(2.5, ('con', n)) for n in self.type_order]
        k = self.pick(opts)
        if isinstance(k, tuple) and k[0] == 'con':
            return TCon(k[1], [self.rand_type(cx.tv, 1, 0) for _ in self.types[k[1]]['params']]), None
        if isinstance(k, tuple):
            return k, None
        if k == 'list':
            return TList(self.rand_type(cx.tv, 1, 0)), None
        if k == 'option':
            return TOpt(self.rand_type(cx.tv, 1, 0)), None
        return TTup([self.rand_type(cx.tv, 1, 0) for _ in range(2)]), None

    def cases(self, X, T, env, d, cx):
        n = self.pick([(2, 1), (4, 2), (3, 3), (1, 4)])
        parts = []
        catch_all = False
        for i in range(n):
            p, binds = self.pat(X, 2, cx)
            env2 = self.bind(env, binds)
            parts += ['\n  | ', p]
            if self.chance(0.15):
                self.note('guard')
                parts += [' when ', atom(self.gen(BOOL, env2, d - 2, cx))]
            parts += [' -> ', atom(self.gen(T, env2, d - 1, cx))]
            if p.parts == ['_']:
                catch_all = True
        if not catch_all and self.chance(0.7):
            parts += ['\n  | _ -> ', atom(self.gen(T, env, d - 1, cx))]
        return parts

    def p_match(self, T, env, d, cx):
        X, var = self.scrut_type(env, cx, T)
        s = lit(var) if var else self.gen(X, env, d - 1, cx)
        self.note('match')
        return Node(['match ', s, ' with'] + self.cases(X, T, env, d, cx))

    def p_let(self, T, env, d, cx):
        X = self.rand_type(cx.tv, 2, 0.1)
        e = self.gen(X, env, d - 1, cx)
        annot = (not e.nx) or self.chance(0.15)
        if annot and not cx.annot_ok(X):
            return None
        if X[0] == 'tuple' and self.chance(0.3):
            pats, binds = [], []
            for c in X[1]:
                y = self.fresh('y')
                pats.append(y)
                binds.append((y, c))
            pat = '(' + ', '.join(pats) + ')'
            self.note('let-tuple')
            if annot:
                pat = '(%s : %s)' % (pat, ty_str(X))
        else:
            y = self.fresh('y')
            binds = [(y, X)]
            pat = y + (' : ' + ty_str(X) if annot else '')
        self.note('let-annotated' if annot else 'let')
        body = self.gen(T, self.bind(env, binds), d - 1, cx)
        return Node(['let ', pat, ' = ', e, ' in\n  ', body])

    def close_result(self, ps, res):
        """res with the variables that no parameter mentions replaced by
        ground types (a value of type 'a could only be List.hd [])."""
        pv = set(v for p in ps for v in free_vars(p))
        s = {v: self.ground_type(1) for v in free_vars(res) if v not in pv}
        return subst(res, s) if s else res

    def fun_type(self, tv, nmin=1, nmax=2, res=None):
        n = self.r.randint(nmin, nmax)
        ps = [self.rand_type(tv, 2, 0.12) for _ in range(n)]
        r = res if res is not None else self.rand_type(tv, 2, 0.05)
        if self.chance(0.9):
            r = self.close_result(ps, r)
        t = r
        for p in reversed(ps):
            t = TArr(p, t)
        return t

    def params_and_body(self, FT, env, d, cx, self_entry=None):
        """Parameter patterns for the arrow spine of FT (unlabelled), body."""
        params, res = arrows(FT)
        pats, binds = [], []
        for _, t in params:
            p, b = self.param_pat(t, cx)
            pats.append(p)
            binds += b
        env2 = self.bind(env, binds)
        if self_entry:
            env2[self_entry[0]] = self_entry[1]
        body = self.gen(res, env2, d - 1, cx)
        return pats, body

    def p_letfun(self, T, env, d, cx):
        FT = self.fun_type(cx.tv)
        h = self.fresh('h')
        pats, body = self.params_and_body(FT, env, d, cx)
        rest = self.gen(T, self.bind(env, [(h, FT)]), d - 1, cx)
        self.note('let-fun')
        return Node(['let ', h, ' ', ' '.join(pats), ' =\n    ', body, ' in\n  ', rest])

    def p_letrec(self, T, env, d, cx):
        FT = self.fun_type(cx.tv)
        h = self.fresh('h')
        pats, body = self.params_and_body(FT, env, d, cx, (h, Entry((), FT)))
        rest = self.gen(T, self.bind(env, [(h, FT)]), d - 1, cx)
        self.note('let-rec-local')
        return Node(['let rec ', h, ' ', ' '.join(pats), ' =\n    ', body, ' in\n  ', rest])

    def p_letpoly(self, T, env, d, cx):
        """let g = <polymorphic function> in match (g a, g b) with (u1, u2) -> e
        with g used at two different types."""
        p = "'p%d" % (self.n + 1)
        self.n += 1
        P = TVar(p)
        n = self.r.randint(1, 2)
        ps = [self.rand_type([p], 1, 0.15) for _ in range(n)]
        if not any(p in free_vars(t) for t in ps):
            ps[0] = self.pick([(3, P), (1, TList(P)), (1, TOpt(P)), (1, TTup([P, INT]))])
        res = self.rand_type([p], 1, 0.05)
        if not any(p in free_vars(t) for t in ps):
            res = self.close_result(ps, res)
        FT = res
        for t in reversed(ps):
            FT = TArr(t, FT)
        g = self.fresh('g')
        cx2 = cx.poly(p)
        if self.chance(0.5):
            pats, body = self.params_and_body(FT, env, d, cx2)
            head_ = ['let ', g, ' ', ' '.join(pats), ' =\n    ', body, ' in\n  ']
        else:
            f = self.p_fun(FT, env, d, cx2)
            head_ = ['let ', g, ' = ', f, ' in\n  ']
        X1 = self.ground_type(1)
        X2 = self.ground_type(1)
        for _ in range(5):
            if X2 != X1:
                break
            X2 = self.ground_type(1)
        if X1 == X2:
            X2 = TList(X1)
        calls, us, binds = [], [], []
        for X in (X1, X2):
            s = {p: X}
            parts = [g]
            for t in ps:
                parts += [' ', atom(self.gen(subst(t, s), env, d - 1, cx))]
            calls.append(Node(parts))
            u = self.fresh('u')
            us.append(u)
            binds.append((u, subst(res, s)))
        qv, st = scheme(FT, [p])
        env2 = self.bind(env, binds)
        env2[g] = Entry(qv, st)
        rest = self.gen(T, env2, d - 1, cx)
        self.note('let-polymorphism')
        return Node(head_ + ['match ', self.tuple_node(calls), ' with (', us[0], ', ', us[1], ') ->\n  ', rest])

    def p_fstsnd(self, T, env, d, cx):
        X = self.ground_type(1)
        a = self.gen(T, env, d - 1, cx)
        b = self.gen(X, env, d - 1, cx)
        if self.chance(0.5):
            self.note('fst')
            return Node(['fst ', self.tuple_node([a, b])])
        self.note('snd')
        return Node(['snd ', self.tuple_node([b, a])])

    def p_pipe(self, T, env, d, cx):
        X = self.rand_type(cx.tv, 1, 0.05)
        e = self.gen(X, env, d - 1, cx)
        f = self.gen(TArr(X, T), env, d - 1, cx)
        if self.chance(0.6):
            self.note('|>')
            return Node([atom(e), ' |> ', atom(f)])
        self.note('@@')
        return Node([atom(f), ' @@ ', atom(e)])

    def p_annot(self, T, env, d, cx):
        e = self.gen(T, env, d - 1, cx)
        self.note('annotation')
        return Node(['(', e, ' : ', ty_str(T), ')'], True, False)

    def p_flexannot(self, T, env, d, cx):
        """(e : 'z): a fresh named variable is a unification variable."""
        e = self.gen(T, env, d - 1, cx)
        self.note('annotation-flexible')
        return Node(['(', e, " : '%s)" % self.fresh('z')], True, False)

    def p_beta(self, T, env, d, cx):
        X = self.rand_type(cx.tv, 1, 0.05)
        x = self.fresh('x')
        body = self.gen(T, self.bind(env, [(x, X)]), d - 1, cx)
        arg = self.gen(X, env, d - 1, cx)
        self.note('beta-redex')
        return Node(['(fun ', x, ' -> ', body, ') ', atom(arg)])

    def p_field(self, T, env, d, cx):
        cands = []
        for fd, tn in self.fields.items():
            dcl = self.types[tn]
            ft = [t for f, t in dcl['fields'] if f == fd][0]
            ren = {p: TVar('?' + p) for p in dcl['params']}
            sub = {}
            if match(subst(ft, ren), T, sub):
                cands.append((fd, tn, dcl, sub))
        if not cands:
            return None
        fd, tn, dcl, sub = self.r.choice(cands)
        args = [sub.get('?' + p) or self.rand_type(cx.tv, 1, 0) for p in dcl['params']]
        e = self.gen(TCon(tn, args), env, d - 1, cx)
        self.note('field-access')
        return Node([atom(e), '.', fd], True, False)

    # type-specific productions ---------------------------------------------------

    def int_forced(self, env, d, cx):
        """An int expression whose type is int whatever the context."""
        k = self.pick([(3, 'lit'), (3, 'arith'), (1, 'len'), (1, 'annot')])
        if k == 'lit' or d <= 0:
            return lit(str(self.r.randrange(20)))
        if k == 'arith':
            return self.p_arith(INT, env, d, cx)
        if k == 'len':
            X = self.rand_type(cx.tv, 1, 0)
            self.note('stdlib-app')
            return Node(['List.length ', atom(self.gen(TList(X), env, d - 1, cx))])
        return Node(['(', self.gen(INT, env, d - 1, cx), ' : int)'], True)

    def p_arith(self, T, env, d, cx):
        op = self.r.choice(['+', '-', '*', '/', '+', '-'])
        self.note('arith')
        return Node([atom(self.gen(INT, env, d - 1, cx)), ' %s ' % op, atom(self.gen(INT, env, d - 1, cx))])

    def p_neg(self, T, env, d, cx):
        self.note('unary-minus')
        return Node(['- ', atom(self.gen(INT, env, d - 1, cx))])

    def p_cmp(self, T, env, d, cx):
        op = self.r.choice(['<', '<=', '>', '>='])
        a = self.int_forced(env, d - 1, cx)
        b = self.gen(INT, env, d - 1, cx)
        if self.chance(0.5):
            a, b = b, a
        self.note('int-compare')
        return Node([atom(a), ' %s ' % op, atom(b)])

    def p_eq(self, T, env, d, cx):
        X = self.rand_type(cx.tv, 2, 0.05)
        op = self.r.choice(['=', '<>'])
        self.note('poly-equality')
        return Node([atom(self.gen(X, env, d - 1, cx)), ' %s ' % op, atom(self.gen(X, env, d - 1, cx))])

    def p_andor(self, T, env, d, cx):
        op = self.r.choice(['&&', '||'])
        self.note('&&/||')
        return Node([atom(self.gen(BOOL, env, d - 1, cx)), ' %s ' % op, atom(self.gen(BOOL, env, d - 1, cx))])

    def p_not(self, T, env, d, cx):
        self.note('not')
        return Node(['not ', atom(self.gen(BOOL, env, d - 1, cx))])

    def p_concat(self, T, env, d, cx):
        self.note('^')
        return Node([atom(self.gen(STRING, env, d - 1, cx)), ' ^ ', atom(self.gen(STRING, env, d - 1, cx))])

    def p_listlit(self, T, env, d, cx):
        n = self.r.randint(1, 3)
        es = [atom(self.gen(T[1], env, d - 1, cx)) for _ in range(n)]
        parts = ['[']
        for i, e in enumerate(es):
            if i:
                parts.append('; ')
            parts.append(e)
        parts.append(']')
        self.note('list-literal')
        return Node(parts, True, all(e.nx for e in es))

    def p_cons(self, T, env, d, cx):
        a = self.gen(T[1], env, d - 1, cx)
        b = self.gen(T, env, d - 1, cx)
        self.note('::')
        return Node([atom(a), ' :: ', atom(b)], False, a.nx and b.nx)

    def p_append(self, T, env, d, cx):
        self.note('@')
        return Node([atom(self.gen(T, env, d - 1, cx)), ' @ ', atom(self.gen(T, env, d - 1, cx))])

    def p_some(self, T, env, d, cx):
        a = self.gen(T[1], env, d - 1, cx)
        self.note('option')
        return Node(['Some ', atom(a)], False, a.nx)

    def p_tuple(self, T, env, d, cx):
        return self.tuple_node([self.gen(c, env, d - 1, cx) for c in T[1]])

    def p_fun(self, T, env, d, cx):
        params, res = arrows(T)
        n = self.r.randint(1, len(params))
        body_t = T
        for _ in range(n):
            body_t = body_t[3]
        pats, binds = [], []
        for _, t in params[:n]:
            p, b = self.param_pat(t, cx)
            pats.append(p)
            binds += b
        body = self.gen(body_t, self.bind(env, binds), d - 1, cx)
        self.note('fun')
        return Node(['fun ', ' '.join(pats), ' -> ', body], False, True)

    def p_function(self, T, env, d, cx):
        self.note('function')
        return Node(['function'] + self.cases(T[2], T[3], env, d, cx), False, True)

    def p_ctor(self, T, env, d, cx):
        dcl = self.types[T[1]]
        s = self.inst(T[1], T[2])
        k, args = self.r.choice(dcl['ctors']) if d > 1 else dcl['ctors'][0]
        return self.ctor_node(k, [self.gen(subst(a, s), env, d - 1, cx) for a in args])

    def p_record(self, T, env, d, cx):
        dcl = self.types[T[1]]
        s = self.inst(T[1], T[2])
        fs = [(fd, self.gen(subst(t, s), env, d - 1, cx)) for fd, t in dcl['fields']]
        if self.chance(0.3):
            self.r.shuffle(fs)
        return self.record_node(fs)

    def p_with(self, T, env, d, cx):
        dcl = self.types[T[1]]
        s = self.inst(T[1], T[2])
        e = self.gen(T, env, d - 1, cx)
        n = self.r.randint(1, len(dcl['fields']))
        fs = self.r.sample(dcl['fields'], n)
        parts = ['{ ', atom(e), ' with ']
        for i, (fd, t) in enumerate(fs):
            if i:
                parts.append('; ')
            parts += [fd, ' = ', atom(self.gen(subst(t, s), env, d - 1, cx))]
        parts.append(' }')
        self.note('record-with')
        return Node(parts, True, False)

    # -- patterns -------------------------------------------------------------

    def param_pat(self, t, cx):
        """An irrefutable pattern for a function parameter: (text, binds)."""
        c = self.r.random()
        if t[0] == 'tuple' and c < 0.25:
            ps, binds = [], []
            for ct in t[1]:
                y = self.fresh('x')
                ps.append(y)
                binds.append((y, ct))
            self.note('param-tuple-pattern')
            return '(' + ', '.join(ps) + ')', binds
        if t[0] == 'con' and self.types[t[1]]['kind'] == 'record' and c < 0.2:
            dcl = self.types[t[1]]
            s = self.inst(t[1], t[2])
            fd, ft = self.r.choice(dcl['fields'])
            y = self.fresh('x')
            self.note('param-record-pattern')
            rest = '; _' if len(dcl['fields']) > 1 else ''
            return '{ %s = %s%s }' % (fd, y, rest), [(y, subst(ft, s))]
        if t == UNIT and c < 0.5:
            return '()', []
        if c < 0.05:
            return '_', []
        x = self.fresh('x')
        if c < 0.2 and cx.annot_ok(t):
            self.note('param-annotation')
            return '(%s : %s)' % (x, ty_str(t)), [(x, t)]
        return x, [(x, t)]

    def pat(self, X, pd, cx, vars_ok=True):
        """A pattern of type X: (Node, binds)."""
        r = self.r
        tag = X[0]
        opts = [(1.5 if vars_ok else 0, 'var'), (1, 'wild')]
        if pd > 0:
            opts += [(0.3 if vars_ok else 0, 'as'), (0.3, 'or'), (0.15 if cx.annot_ok(X) else 0, 'annot')]
            if tag in ('int', 'bool', 'string', 'unit', 'list', 'option', 'tuple', 'con'):
                opts.append((4, 'struct'))
        elif tag in ('int', 'bool', 'string', 'unit'):
            opts.append((1, 'struct'))
        k = self.pick(opts)
        if k == 'var':
            y = self.fresh('y')
            return lit(y), [(y, X)]
        if k == 'wild':
            return lit('_'), []
        if k == 'as':
            p, b = self.pat(X, pd - 1, cx)
            y = self.fresh('y')
            self.note('as-pattern')
            return Node(['(', p, ' as ', y, ')'], True), b + [(y, X)]
        if k == 'or':
            p1, _ = self.pat(X, pd - 1, cx, False)
            p2, _ = self.pat(X, pd - 1, cx, False)
            self.note('or-pattern')
            return Node(['(', p1, ' | ', p2, ')'], True), []
        if k == 'annot':
            p, b = self.pat(X, pd - 1, cx, vars_ok)
            self.note('pattern-annotation')
            return Node(['(', p, ' : ', ty_str(X), ')'], True), b
        sub = lambda t: self.pat(t, pd - 1, cx, vars_ok)  # noqa: E731
        if tag == 'int':
            return lit(str(r.randrange(5))), []
        if tag == 'bool':
            return lit(r.choice(['true', 'false'])), []
        if tag == 'string':
            return lit(r.choice(['""', '"a"'])), []
        if tag == 'unit':
            return lit('()'), []
        if tag == 'tuple':
            ps, bs = [], []
            for c in X[1]:
                p, b = sub(c)
                ps.append(p)
                bs += b
            parts = ['(']
            for i, p in enumerate(ps):
                if i:
                    parts.append(', ')
                parts.append(atom(p))
            parts.append(')')
            return Node(parts, True), bs
        if tag == 'list':
            c = r.random()
            if c < 0.3:
                return lit('[]'), []
            if c < 0.75:
                p1, b1 = sub(X[1])
                p2, b2 = sub(X)
                self.note('pattern-cons')
                return Node([atom(p1), ' :: ', atom(p2)]), b1 + b2
            if vars_ok and c < 0.85:
                y = self.fresh('y')
                self.note('or-pattern-binding')
                return Node(['([', y, '] | [_; ', y, '])'], True), [(y, X[1])]
            n = r.randint(1, 2)
            ps, bs = [], []
            for _ in range(n):
                p, b = sub(X[1])
                ps.append(atom(p))
                bs += b
            parts = ['[']
            for i, p in enumerate(ps):
                if i:
                    parts.append('; ')
                parts.append(p)
            return Node(parts + [']'], True), bs
        if tag == 'option':
            if r.random() < 0.4:
                return lit('None'), []
            p, b = sub(X[1])
            return Node(['Some ', atom(p)]), b
        if tag == 'con':
            dcl = self.types[X[1]]
            s = self.inst(X[1], X[2])
            if dcl['kind'] == 'record':
                fs = dcl['fields']
                chosen = fs if r.random() < 0.4 else r.sample(fs, r.randint(1, len(fs)))
                parts, bs = ['{ '], []
                for i, (fd, t) in enumerate(chosen):
                    if i:
                        parts.append('; ')
                    p, b = sub(subst(t, s))
                    parts += [fd, ' = ', atom(p)]
                    bs += b
                if len(chosen) < len(fs):
                    parts.append('; _')
                self.note('pattern-record')
                return Node(parts + [' }'], True), bs
            k, args = r.choice(dcl['ctors'])
            self.note('pattern-constructor')
            if not args:
                return lit(k), []
            if len(args) > 1 and r.random() < 0.15:
                return Node([k, ' _']), []
            ps, bs = [], []
            for a in args:
                p, b = sub(subst(a, s))
                ps.append(atom(p))
                bs += b
            if len(ps) == 1:
                return Node([k, ' ', ps[0]]), bs
            parts = [k, ' (']
            for i, p in enumerate(ps):
                if i:
                    parts.append(', ')
                parts.append(p)
            return Node(parts + [')']), bs
        y = self.fresh('y') if vars_ok else None
        return (lit(y), [(y, X)]) if y else (lit('_'), [])

    # -- top level ------------------------------------------------------------

    def item_tvars(self):
        n = self.pick([(5, 0), (8, 1), (5, 2), (2, 3)])
        return ["'a", "'b", "'c"][:n]

    def top_function(self, env):
        """let f params = body, possibly with labelled/optional params."""
        tvs = self.item_tvars()
        cx = Cx(list(tvs))
        name = self.fresh('f')
        nparams = self.pick([(3, 1), (4, 2), (2, 3), (1, 4)])
        labelled = nparams >= 2 and self.chance(0.3)
        params = []
        for i in range(nparams):
            t = self.rand_type(tvs, 2, 0.12)
            lab = None
            if labelled and i < nparams - 1 and self.chance(0.7):
                lab = ('~', None) if self.chance(0.55) else ('?', None)
            params.append([lab, t])
        if labelled and all(p[0] is None for p in params):
            params[0][0] = ('~', None)
        cx.tv = used_vars(tvs, [t for _, t in params])
        res = self.rand_type(tvs, 2, 0.05)
        if self.chance(0.9):
            res = self.close_result([t for _, t in params], res)
        has_opt = any(p[0] and p[0][0] == '?' for p in params)
        omit_ok = labelled and not has_opt and res[0] not in ('var', 'arrow') and is_ground(res) and self.chance(0.6)
        ret_annot = omit_ok or self.chance(0.15)
        texts, binds, ftype_params, pinned = [], [], [], []
        env2 = dict(env)
        for lab, t in params:
            if lab is None:
                p, b = self.param_pat(t, cx)
                pinned.append(p.startswith('(') and ' : ' in p and is_ground(t))
                texts.append(p)
                ftype_params.append((None, t))
            elif lab[0] == '~':
                ln = self.fresh('l')
                self.note('labelled-param')
                texts.append('~(%s : %s)' % (ln, ty_str(t)) if self.chance(0.3) else '~' + ln)
                b = [(ln, t)]
                ftype_params.append((('~', ln), t))
                pinned.append(False)
            else:
                ln = self.fresh('l')
                c = self.r.random()
                if c < 0.35:
                    self.note('optional-param')
                    texts.append('?' + ln)
                    b = [(ln, TOpt(t))]
                else:
                    self.note('optional-param-default')
                    dflt = self.gen(t, env2, 1, cx)
                    if c < 0.8:
                        texts.append(Node(['?(%s = ' % ln, dflt, ')']))
                    else:
                        texts.append(Node(['?(%s : %s = ' % (ln, ty_str(t)), dflt, ')']))
                    b = [(ln, t)]
                ftype_params.append((('?', ln), t))
                pinned.append(False)
            for n_, t_ in b:
                env2[n_] = Entry((), t_)
            binds += b
        FT = res
        for lab, t in reversed(ftype_params):
            FT = TArr(t, FT, lab)
        body = self.gen(res, env2, self.pick([(1, 2), (3, 3), (2, 4)]), cx)
        parts = ['let ', name]
        for t in texts:
            parts += [' ', t]
        if ret_annot:
            parts.append(' : ' + ty_str(res))
            self.note('return-annotation')
        parts += [' =\n  ', body]
        qv, st = scheme(FT)
        kind = 'd' if labelled else 'v'
        self.note('top-labelled-function' if labelled else 'top-function')
        return Node(parts), {name: Entry(qv, st, kind, {'omit_ok': omit_ok, 'pinned': pinned})}

    def top_lambda(self, env):
        """let f = fun ... / function ..."""
        tvs = self.item_tvars()
        cx = Cx(list(tvs))
        name = self.fresh('f')
        FT = self.fun_type(tvs, 1, 3)
        cx.tv = used_vars(tvs, [t for _, t in arrows(FT)[0]])
        d = self.pick([(1, 2), (3, 3), (2, 4)])
        f = self.p_fun(FT, env, d + 1, cx) if self.chance(0.6) else self.p_function(FT, env, d + 1, cx)
        qv, st = scheme(FT)
        self.note('top-lambda')
        return Node(['let ', name, ' = ', f]), {name: Entry(qv, st)}

    def top_rec(self, env, n):
        """let rec f ... and g ... (no labels: recursive uses of labelled
        functions depend on OCaml's type approximation)."""
        tvs = self.item_tvars()
        cx = Cx(list(tvs))
        names = [self.fresh('f') for _ in range(n)]
        types = [self.fun_type(tvs, 1, 3) for _ in range(n)]
        cx.tv = used_vars(tvs, [t for ft in types for _, t in arrows(ft)[0]])
        env2 = dict(env)
        for nm, t in zip(names, types):
            env2[nm] = Entry((), t)
        parts = []
        for i, (nm, FT) in enumerate(zip(names, types)):
            pats, body = self.params_and_body(FT, env2, self.pick([(1, 2), (3, 3), (2, 4)]) + 1, cx)
            parts += ['let rec ' if i == 0 else '\nand ', nm, ' ', ' '.join(pats), ' =\n  ', body]
        self.note('top-let-rec' if n == 1 else 'top-let-rec-and')
        out = {}
        for nm, t in zip(names, types):
            qv, st = scheme(t)
            out[nm] = Entry(qv, st)
        return Node(parts), out

    def top_value(self, env):
        """let v = e: generalised when e is non-expansive, else annotated with
        a ground type (no weak variables in OCaml, none needed in IML)."""
        for attempt in range(3):
            tvs = ["'a"] if attempt < 2 and self.chance(0.35) else []
            cx = Cx([])
            T = self.rand_type(tvs, 2, 0.15)
            saved = (self.n, len(self.slots))
            e = self.gen(T, env, self.pick([(1, 2), (2, 3), (1, 4)]), cx)
            if e.nx or is_ground(T):
                break
            del self.slots[saved[1]:]
        else:
            T = self.ground_type(2)
            cx = Cx([])
            e = self.gen(T, env, 3, cx)
        name = self.fresh('v')
        if self.chance(0.25) and T[0] == 'tuple' and (e.nx or is_ground(T)):
            ns = [self.fresh('v') for _ in T[1]]
            pat = '(' + ', '.join(ns) + ')'
            if not e.nx:
                pat = '(%s : %s)' % (pat, ty_str(T))
            self.note('top-tuple-binding')
            out = {}
            for nm, t in zip(ns, T[1]):
                qv, st = scheme(t) if e.nx else ((), t)
                out[nm] = Entry(qv, st)
            return Node(['let ', pat, ' = ', e]), out
        if e.nx:
            self.note('top-value')
            qv, st = scheme(T)
            ann = ' : ' + ty_str(T) if self.chance(0.15) else ''
            return Node(['let ', name, ann, ' = ', e]), {name: Entry(qv, st)}
        self.note('top-value-annotated')
        return Node(['let ', name, ' : ', ty_str(T), ' = ', e]), {name: Entry((), T)}

    def top_partial(self, env):
        """let g : T = f a (a partial application, expansive: annotated)."""
        cands = [(n, e) for n, e in env.items() if e.kind == 'v' and not e.meta.get('stdlib')
                 and len(arrows(e.ty)[0]) >= 2]
        if not cands:
            return None
        name, en = self.r.choice(cands)
        params, _ = arrows(en.ty)
        sub = {v: self.ground_type(1) for v in en.qv}
        cx = Cx([])
        parts = [name]
        k = self.r.randint(1, len(params) - 1)
        t = en.ty
        for _ in range(k):
            parts += [' ', atom(self.gen(subst(t[2], sub), env, 2, cx))]
            t = t[3]
        T = subst(t, sub)
        v = self.fresh('v')
        self.note('top-partial-application')
        return Node(['let ', v, ' : ', ty_str(T), ' = ', Node(parts)]), {v: Entry((), T)}

    def program(self):
        items = []          # (kind, text or Node, names defined)
        env = dict(STDLIB)
        for _ in range(self.pick([(2, 0), (4, 1), (3, 2), (1, 3)])):
            items.append(('type', self.gen_type_group(), []))
        nvals = self.pick([(1, 2), (3, 3), (3, 4), (2, 5), (1, 6)])
        for i in range(nvals):
            if i == nvals // 2 and self.chance(0.25):
                items.append(('type', self.gen_type_group(), []))
            self.budget = self.r.randint(40, 110)
            k = self.pick([(45, 'fun'), (10, 'lambda'), (12, 'rec'), (5, 'rec2'), (20, 'value'),
                           (6 if i > 0 else 0, 'partial')])
            if k == 'fun':
                node, defs = self.top_function(env)
            elif k == 'lambda':
                node, defs = self.top_lambda(env)
            elif k == 'rec':
                node, defs = self.top_rec(env, 1)
            elif k == 'rec2':
                node, defs = self.top_rec(env, 2)
            elif k == 'partial':
                got = self.top_partial(env)
                if got is None:
                    node, defs = self.top_value(env)
                else:
                    node, defs = got
            else:
                node, defs = self.top_value(env)
            env.update(defs)
            items.append(('val', node, list(defs)))
        header = '(* well-typed *)'
        injected = code = None
        if self.ill:
            from inject import inject
            injected, desc, code = inject(self, items, env)
            header = '(* ill-typed: %s: %s [%s] *)' % (injected, desc, code)
        body = []
        for kind, x, _ in items:
            body.append(x if isinstance(x, str) else render(x))
        text = header + '\n\n' + '\n\n'.join(body) + '\n'
        return Program(self.seed, text, not self.ill, injected, code, self.stats, self.nodes)


def generate(seed, ill=None, ill_ratio=ILL_RATIO):
    """The program of this seed (ill: force ill-/well-typed; default: decided
    by the seed with probability ill_ratio)."""
    return Gen(seed, ill, ill_ratio).program()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--print', type=int, metavar='SEED', dest='seed', required=True,
                    help='print the program of this seed')
    g = ap.add_mutually_exclusive_group()
    g.add_argument('--ill', action='store_true', help='force an ill-typed program')
    g.add_argument('--well', action='store_true', help='force a well-typed program')
    a = ap.parse_args(argv)
    ill = True if a.ill else (False if a.well else None)
    sys.stdout.write(generate(a.seed, ill).text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
