"""Mistakes injected into well-typed programs by gen.py (ill-typed half of
the differential test).

Expression mistakes replace one generated expression (any position: every
expression is type-checked by both checkers) by an expression that is
ill-typed in isolation, so the program is ill-typed whatever the context.
Where the text of the replaced expression (ORIG) is reused, it is well-typed
at that position. Item mistakes add one bad top-level item.

inject(gen, items, env) -> (kind, description, expected diagnostic code)
"""

from dtypes import INT, subst, arrows, head
from gen import Cx, render


def _lit(g, t):
    """A literal of base type t."""
    return {'int': str(g.r.randrange(1, 9)), 'bool': g.r.choice(['true', 'false']),
            'string': '"s%d"' % g.r.randrange(9), 'unit': '()'}[t]


def _two_lits(g):
    a, b = g.r.sample(['int', 'bool', 'string', 'unit'], 2)
    return _lit(g, a), _lit(g, b)


def _value(g, t, env):
    """A well-typed terminal expression of type t (text)."""
    return render(g.terminal(t, {}, Cx([], frozenset(), False)))


def _visible(g):
    """The types declared before the expression being replaced."""
    return g.type_order[:g.visible]


def _records(g):
    return [n for n in _visible(g) if g.types[n]['kind'] == 'record']


def _variants(g):
    return [n for n in _visible(g) if g.types[n]['kind'] == 'variant']


def _inst_int(g, name):
    """The declared field/argument types of name with every parameter int."""
    return {p: INT for p in g.types[name]['params']}


def _record_fields(g, name, env):
    s = _inst_int(g, name)
    return [(fd, _value(g, subst(t, s), env)) for fd, t in g.types[name]['fields']]


def _record_text(fs):
    return '{ ' + '; '.join('%s = (%s)' % (fd, v) for fd, v in fs) + ' }'


# -- expression mistakes: f(g, orig, env) -> (text, description, code) or None

def e_arith_string(g, orig, env):
    return '(%d + "s")' % g.r.randrange(9), 'int + string literal', 'E0301'


def e_if_cond(g, orig, env):
    return '(if %d then %s else %s)' % (g.r.randrange(9), orig, orig), 'if condition is an int', 'E0301'


def e_if_branches(g, orig, env):
    a, b = _two_lits(g)
    return '(if true then %s else %s)' % (a, b), 'if branches of different types', 'E0301'


def e_list_elements(g, orig, env):
    a, b = _two_lits(g)
    return '[%s; %s]' % (a, b), 'list elements of different types', 'E0301'


def e_ctor_arity(g, orig, env):
    vs = [(k, n) for n in _variants(g) for k, _ in g.types[n]['ctors']]
    if not vs or g.chance(0.15):
        return g.r.choice(['(Some)', '(None 1)']), 'option constructor arity', 'E0307'
    k, n = g.r.choice(vs)
    args = dict(g.types[n]['ctors'])[k]
    if not args:
        return '(%s 1)' % k, 'constant constructor %s applied' % k, 'E0307'
    if len(args) >= 2 and g.chance(0.5):
        return '(%s (%s))' % (k, ', '.join('0' for _ in range(len(args) + 1))), \
            'constructor %s with one argument too many' % k, 'E0307'
    return '(%s)' % k, 'constructor %s without its argument(s)' % k, 'E0307'


def e_record_missing(g, orig, env):
    rs = [n for n in _records(g) if len(g.types[n]['fields']) >= 2]
    if not rs:
        return None
    n = g.r.choice(rs)
    fs = _record_fields(g, n, env)
    drop = g.r.randrange(len(fs))
    miss = fs[drop][0]
    del fs[drop]
    return _record_text(fs), 'record of type %s without field %s' % (n, miss), 'E0315'


def e_record_dup(g, orig, env):
    rs = _records(g)
    if not rs:
        return None
    n = g.r.choice(rs)
    fs = _record_fields(g, n, env)
    fs.insert(g.r.randrange(len(fs) + 1), g.r.choice(fs))
    return _record_text(fs), 'record field given twice', 'E0315'


def e_record_mixed(g, orig, env):
    rs = _records(g)
    if len(rs) < 2:
        return None
    a, b = g.r.sample(rs, 2)
    fs = _record_fields(g, a, env)
    fs.append(g.r.choice(_record_fields(g, b, env)))
    return _record_text(fs), 'fields of records %s and %s mixed' % (a, b), 'E0315'


def e_apply_nonfunction(g, orig, env):
    a, b = _two_lits(g)
    if a == '()':
        a = '7'
    return '(%s %s)' % (a, b), 'a literal applied as a function', 'E0309'


def e_too_many_args(g, orig, env):
    x = g.fresh('x')
    return '((fun %s -> %s + 1) 1 2)' % (x, x), 'function applied to too many arguments', 'E0309'


def e_unbound_value(g, orig, env):
    names = [n for n, e in env.items() if not e.meta.get('stdlib')]
    if names and g.chance(0.8):
        n = g.r.choice(names)
        return '%sq' % n, 'unbound value %sq (near %s)' % (n, n), 'E0302'
    return 'undefined_%d' % g.r.randrange(99), 'unbound value', 'E0302'


def e_unbound_ctor(g, orig, env):
    if g.ctors and g.chance(0.7):
        k = g.r.choice(sorted(g.ctors))
        return '(%sq)' % k, 'unbound constructor %sq (near %s)' % (k, k), 'E0303'
    return '(Undefined_ctor 1)', 'unbound constructor', 'E0303'


def e_unbound_field(g, orig, env):
    if g.fields and g.chance(0.7):
        f = g.r.choice(sorted(g.fields)) + 'q'
    else:
        f = 'nosuchfield'
    return '((%s).%s)' % (orig, f), 'unbound record field %s' % f, 'E0304'


def e_unbound_module(g, orig, env):
    return g.r.choice(['(Lisst.length [])', '(Undefined_module.x)', '(Lst.rev [])']), \
        'unbound module', 'E0305'


def e_unbound_type(g, orig, env):
    t = (g.r.choice(g.type_order) + 'q') if g.type_order else 'undefined_type'
    return '(%s : %s)' % (orig, t), 'unbound type constructor %s' % t, 'E0306'


def e_type_arity(g, orig, env):
    cands = ['(int, bool) list', 'int option option list int']
    for n in _visible(g):
        k = len(g.types[n]['params'])
        cands.append('int ' + n if k == 0 else n)
    t = g.r.choice(cands)
    if t.endswith(' int'):
        t = '(int, string) option'
    return '(%s : %s)' % (orig, t), 'wrong number of type arguments in (_ : %s)' % t, 'E0308'


def e_occurs(g, orig, env):
    x = g.fresh('x')
    return g.r.choice(['(fun %s -> %s %s)' % (x, x, x), '(fun %s -> %s :: %s)' % (x, x, x),
                       '(fun %s -> [%s] = %s)' % (x, x, x)]), 'occurs check', 'E0314'


def e_pattern_type(g, orig, env):
    scrut, pat = g.r.choice([('3', '"a"'), ('"a"', '[]'), ('true', 'Some _'), ('[1]', 'None'),
                             ('(1, 2)', '(_, _, _)'), ('None', '(_, _)')])
    vs = _variants(g)
    if vs and g.chance(0.3):
        k, args = g.r.choice(g.types[g.r.choice(vs)]['ctors'])
        pat = k if not args else k + ' _'
        scrut = g.r.choice(['3', '"a"', '[]'])
    return '(match %s with %s -> %s | _ -> %s)' % (scrut, pat, orig, orig), \
        'pattern %s does not match %s' % (pat, scrut), 'E0301'


def e_orpat_vars(g, orig, env):
    a, b = g.fresh('y'), g.fresh('y')
    return '(match (1, 2) with (%s, 0) | (0, %s) -> %s | _ -> %s)' % (a, b, orig, orig), \
        'or-pattern sides bind different variables', 'E0316'


def e_var_twice(g, orig, env):
    a = g.fresh('y')
    return '(match (1, 2) with (%s, %s) -> %s | _ -> %s)' % (a, a, orig, orig), \
        'variable bound twice in a pattern', 'E0316'


def e_lambda_poly(g, orig, env):
    f, z = g.fresh('g'), g.fresh('z')
    a, b = _two_lits(g)
    return '((fun %s -> (%s %s, %s %s)) (fun %s -> %s))' % (f, f, a, f, b, z, z), \
        'lambda-bound function used at two types', 'E0301'


def e_compare_types(g, orig, env):
    op = g.r.choice(['<', '>=', '=', '<>'])
    return '(1 %s "a")' % op, 'comparison of int and string', 'E0301'


def e_bool_op(g, orig, env):
    return g.r.choice(['(not 3)', '(1 && true)', '(false || "s")']), 'bool operator on non-bool', 'E0301'


def e_annot_mismatch(g, orig, env):
    return g.r.choice(['(5 : string)', '("s" : int list)', '([] : int)', '(None : bool)', '(() : int)']), \
        'annotation contradicts a literal', 'E0301'


def _direct(g, env, pred):
    return [(n, e) for n, e in env.items() if e.kind == 'd' and pred(arrows(e.ty)[0])]


def e_wrong_label(g, orig, env):
    ds = _direct(g, env, lambda ps: any(l and l[0] == '~' for l, _ in ps))
    if not ds:
        return None
    n, en = g.r.choice(ds)
    sub = {v: INT for v in en.qv}
    node = g.direct_call(n, en, sub, lambda t: g.terminal(t, {}, Cx([], frozenset(), False)), None,
                         wrong_label='zz')
    return '(%s)' % render(node), 'unknown label ~zz in a call of %s' % n, 'E0310'


def e_optional_not_option(g, orig, env):
    ds = _direct(g, env, lambda ps: any(l and l[0] == '?' for l, _ in ps))
    if not ds:
        return None
    n, en = g.r.choice(ds)
    sub = {v: INT for v in en.qv}
    node = g.direct_call(n, en, sub, lambda t: g.terminal(t, {}, Cx([], frozenset(), False)), None,
                         opt_bad=True)
    return '(%s)' % render(node), '?label given a non-option in a call of %s' % n, 'E0301'


def e_swapped_args(g, orig, env):
    cands = []
    for n, e in env.items():
        if e.kind != 'v' or e.meta.get('stdlib') or not e.meta.get('pinned'):
            continue
        ps, _ = arrows(e.ty)
        pin = e.meta['pinned']
        for i in range(min(len(ps), len(pin)) - 1):
            a, b = ps[i][1], ps[i + 1][1]
            if pin[i] and pin[i + 1] and head(a) and head(b) and head(a) != head(b):
                cands.append((n, e, i))
    if not cands or g.chance(0.2):
        x = g.fresh('x')
        return g.r.choice(['(List.map [] (fun %s -> %s))' % (x, x), '(List.mem [1] 1)',
                           '(List.filter [] (fun %s -> true))' % x]), \
            'arguments of a List function swapped', 'E0301'
    n, en, i = g.r.choice(cands)
    ps, _ = arrows(en.ty)
    cx = Cx([], frozenset(), False)
    args = [render(g.terminal(t, {}, cx)) for _, t in ps[:i + 2]]
    args[i], args[i + 1] = (render(g.terminal(ps[i + 1][1], {}, cx)),
                            render(g.terminal(ps[i][1], {}, cx)))
    return '(%s %s)' % (n, ' '.join('(%s)' % a for a in args)), \
        'arguments %d and %d of %s swapped' % (i + 1, i + 2, n), 'E0301'


def e_if_no_else(g, orig, env):
    return '(if true then %s)' % g.r.choice(['3', '"s"', '[]', 'true']), \
        'if without else of non-unit type', 'E0301'


def e_tuple_arity(g, orig, env):
    a, b = g.fresh('y'), g.fresh('y')
    return '(let (%s, %s) = (1, 2, 3) in %s)' % (a, b, orig), 'tuple pattern of the wrong arity', 'E0301'


def e_guard(g, orig, env):
    return '(match 0 with _ when 1 -> %s | _ -> %s)' % (orig, orig), 'guard is not bool', 'E0301'


def e_mixed_ctors(g, orig, env):
    vs = _variants(g)
    if len(vs) >= 2:
        a, b = g.r.sample(vs, 2)
        va = _value(g, subst(('con', a, tuple(INT for _ in g.types[a]['params'])), {}), env)
        vb = _value(g, subst(('con', b, tuple(INT for _ in g.types[b]['params'])), {}), env)
        return '[(%s); (%s)]' % (va, vb), 'list of constructors of %s and %s' % (a, b), 'E0301'
    return '[None; []]', 'list of an option and a list', 'E0301'


def e_field_wrong_record(g, orig, env):
    rs = _records(g)
    if len(rs) < 2:
        return None
    a, b = g.r.sample(rs, 2)
    fb = g.r.choice(g.types[b]['fields'])[0]
    return '(%s.%s)' % (_record_text(_record_fields(g, a, env)), fb), \
        'field %s of %s read from a %s' % (fb, b, a), 'E0301'


def e_concat_int(g, orig, env):
    return '("a" ^ %d)' % g.r.randrange(9), 'string ^ int', 'E0301'


def e_stdlib_arg(g, orig, env):
    return g.r.choice(['(List.length 5)', '(List.rev "s")', '(fst 3)', '(List.map 3 [])', '(not [])']), \
        'prelude function applied to an argument of the wrong type', 'E0301'


def e_poly_rec(g, orig, env):
    h, x = g.fresh('h'), g.fresh('x')
    return '(let rec %s %s = (%s 1, %s "s") in 0)' % (h, x, h, h), \
        'recursive function used at two types in its body', 'E0301'


EXPR = [
    (3, e_arith_string), (3, e_if_cond), (3, e_if_branches), (2, e_list_elements), (4, e_ctor_arity),
    (3, e_record_missing), (2, e_record_dup), (2, e_record_mixed), (3, e_apply_nonfunction),
    (2, e_too_many_args), (5, e_unbound_value), (3, e_unbound_ctor), (2, e_unbound_field),
    (2, e_unbound_module), (2, e_unbound_type), (3, e_type_arity), (3, e_occurs), (3, e_pattern_type),
    (2, e_orpat_vars), (2, e_var_twice), (3, e_lambda_poly), (2, e_compare_types), (2, e_bool_op),
    (2, e_annot_mismatch), (3, e_wrong_label), (3, e_optional_not_option), (4, e_swapped_args),
    (2, e_if_no_else), (2, e_tuple_arity), (2, e_guard), (2, e_mixed_ctors), (2, e_field_wrong_record),
    (1, e_concat_int), (2, e_stdlib_arg), (2, e_poly_rec),
]


# -- item mistakes: f(g, items) -> (item text, position, description, code) or None

def _val_positions(items):
    return [i for i, it in enumerate(items) if it[0] == 'val']


def i_occurs(g, items):
    f, x = g.fresh('f'), g.fresh('x')
    body = g.r.choice([f, '%s :: []' % f, '(%s, %s)' % (f, x)])
    pos = g.r.randint(len(items) - len(_val_positions(items)), len(items))
    return 'let rec %s %s = %s' % (f, x, body), pos, 'occurs check in let rec %s' % f, 'E0314'


def i_tydecl_unbound(g, items):
    t, k = g.fresh('t'), g.fresh('K')
    return 'type %s = %s of undefined_ty list' % (t, k), g.r.randint(0, len(items)), \
        'type declaration with an unbound type', 'E0306'


def i_tydecl_arity(g, items):
    t, k = g.fresh('t'), g.fresh('K')
    return 'type %s = %s of (int, bool) option' % (t, k), g.r.randint(0, len(items)), \
        'type declaration applies option to two arguments', 'E0308'


def i_tydecl_var(g, items):
    t, k = g.fresh('t'), g.fresh('K')
    return "type %s = %s of 'a * int" % (t, k), g.r.randint(0, len(items)), \
        'type variable unbound in a type declaration', 'E0317'


def i_value_annot(g, items):
    v = g.fresh('v')
    a, b = g.r.choice([('int', '"s"'), ('string', '3'), ('bool list', '[1]'), ('int option', 'Some true')])
    return 'let %s : %s = %s' % (v, a, b), g.r.randint(len(items) - len(_val_positions(items)), len(items)), \
        'top-level annotation contradicts the value', 'E0301'


def i_forward_ref(g, items):
    vp = _val_positions(items)
    if len(vp) < 2:
        return None
    j = g.r.choice(vp[1:])
    name = g.r.choice(items[j][2])
    v = g.fresh('v')
    return 'let %s = %s' % (v, name), j, 'use of %s before its definition' % name, 'E0302'


ITEM = [(3, i_occurs), (2, i_tydecl_unbound), (2, i_tydecl_arity), (1, i_tydecl_var),
        (2, i_value_annot), (2, i_forward_ref)]


def inject(g, items, env):
    for _ in range(50):
        if g.chance(0.85) and g.slots:
            f = g.pick(EXPR)
            node, T, senv, cx, g.visible = g.r.choice(g.slots)
            got = f(g, render(node), senv)
            if got is None:
                continue
            text, desc, code = got
            node.parts = [text]
            node.atomic = True
            return f.__name__[2:].replace('_', '-'), desc, code
        f = g.pick(ITEM)
        got = f(g, items)
        if got is None:
            continue
        text, pos, desc, code = got
        items.insert(pos, ('bad', text, []))
        return 'item-' + f.__name__[2:].replace('_', '-'), desc, code
    raise AssertionError('no mistake could be injected')
