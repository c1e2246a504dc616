"""Types of the random-program generator (gen.py) and their OCaml syntax.

A type is a nested tuple:
  ('int',) ('bool',) ('string',) ('unit',)
  ('var', name)          name 'a, 'p3 ... (rigid in the generator); names
                         starting with '?' are the quantified variables of a
                         scheme, only ever matched, never printed
  ('list', t) ('option', t)
  ('tuple', (t1, ..., tn))
  ('arrow', lab, a, b)   lab None, ('~', name) or ('?', name); for '?' the
                         parameter type a is the inner one, as OCaml prints it
  ('con', name, (args))  a type declared by the program
"""

INT = ('int',)
BOOL = ('bool',)
STRING = ('string',)
UNIT = ('unit',)
BASE = (INT, BOOL, STRING, UNIT)


def TList(t):
    return ('list', t)


def TOpt(t):
    return ('option', t)


def TTup(ts):
    return ('tuple', tuple(ts))


def TArr(a, b, lab=None):
    return ('arrow', lab, a, b)


def TVar(n):
    return ('var', n)


def TCon(n, args):
    return ('con', n, tuple(args))


def free_vars(t, acc=None):
    """The variable names of t, in order of first occurrence."""
    if acc is None:
        acc = []
    tag = t[0]
    if tag == 'var':
        if t[1] not in acc:
            acc.append(t[1])
    elif tag in ('list', 'option'):
        free_vars(t[1], acc)
    elif tag == 'tuple':
        for c in t[1]:
            free_vars(c, acc)
    elif tag == 'arrow':
        free_vars(t[2], acc)
        free_vars(t[3], acc)
    elif tag == 'con':
        for c in t[2]:
            free_vars(c, acc)
    return acc


def is_ground(t):
    return not free_vars(t)


def subst(t, s):
    """t with every variable named in the dict s replaced."""
    tag = t[0]
    if tag == 'var':
        return s.get(t[1], t)
    if tag in ('list', 'option'):
        return (tag, subst(t[1], s))
    if tag == 'tuple':
        return ('tuple', tuple(subst(c, s) for c in t[1]))
    if tag == 'arrow':
        return ('arrow', t[1], subst(t[2], s), subst(t[3], s))
    if tag == 'con':
        return ('con', t[1], tuple(subst(c, s) for c in t[2]))
    return t


def match(p, t, sub):
    """One-way matching: extend sub (flexible '?' variables of p -> types) so
    that p instantiated by sub equals t; t has no flexible variables. Returns
    False (sub possibly half-extended: pass a copy) when impossible."""
    if p[0] == 'var' and p[1].startswith('?'):
        if p[1] in sub:
            return sub[p[1]] == t
        sub[p[1]] = t
        return True
    if p[0] != t[0]:
        return False
    tag = p[0]
    if tag == 'var':
        return p[1] == t[1]
    if tag in ('list', 'option'):
        return match(p[1], t[1], sub)
    if tag == 'tuple':
        return len(p[1]) == len(t[1]) and all(match(a, b, sub) for a, b in zip(p[1], t[1]))
    if tag == 'arrow':
        return p[1] == t[1] and match(p[2], t[2], sub) and match(p[3], t[3], sub)
    if tag == 'con':
        return p[1] == t[1] and all(match(a, b, sub) for a, b in zip(p[2], t[2]))
    return True


def arrows(t):
    """(params, result): params is the list of (label, type) of the arrow
    spine of t."""
    params = []
    while t[0] == 'arrow':
        params.append((t[1], t[2]))
        t = t[3]
    return params, t


def head(t):
    """The outermost type constructor, or None for a variable."""
    if t[0] == 'var':
        return None
    if t[0] == 'con':
        return ('con', t[1])
    return t[0]


def size(t):
    tag = t[0]
    if tag in ('list', 'option'):
        return 1 + size(t[1])
    if tag == 'tuple':
        return 1 + sum(size(c) for c in t[1])
    if tag == 'arrow':
        return 1 + size(t[2]) + size(t[3])
    if tag == 'con':
        return 1 + sum(size(c) for c in t[2])
    return 1


def ty_str(t, prec=0):
    """OCaml syntax. prec: 0 anywhere, 1 left of an arrow, 2 inside a tuple,
    3 argument of a type constructor."""
    tag = t[0]
    if tag in ('int', 'bool', 'string', 'unit'):
        return tag
    if tag == 'var':
        assert not t[1].startswith('?'), t
        return t[1]
    if tag in ('list', 'option'):
        return ty_str(t[1], 3) + ' ' + tag
    if tag == 'con':
        if not t[2]:
            return t[1]
        if len(t[2]) == 1:
            return ty_str(t[2][0], 3) + ' ' + t[1]
        return '(' + ', '.join(ty_str(a, 0) for a in t[2]) + ') ' + t[1]
    if tag == 'tuple':
        s = ' * '.join(ty_str(c, 3) for c in t[1])
        return '(' + s + ')' if prec >= 2 else s
    if tag == 'arrow':
        lab = t[1]
        pre = '' if lab is None else (lab[1] + ':' if lab[0] == '~' else '?' + lab[1] + ':')
        s = pre + ty_str(t[2], 1) + ' -> ' + ty_str(t[3], 0)
        return '(' + s + ')' if prec >= 1 else s
    raise ValueError(t)
