"""Signatures printed by `ocamlc -i` and `iml-lsp infer`, compared up to
renaming of type variables (used by run.py).

parse_sig(text) -> list of (name, normalised type): the `val` items in order;
`type`/`and`/`exception`/`module` items are ignored. An item starts at
column 0; indented lines continue the previous item (ocamlc wraps long
types). normalise(type) tokenises the type (so spacing and line breaks do not
matter), renames the type variables by first occurrence to 'a, 'b, ... and
keeps a weak variable ('_weak1, '_a) as the marker '_ so that callers can
treat it as an error. Abbreviations of the IML prelude for types that OCaml's
Stdlib writes plainly are expanded (ALIASES: IML's `( ^ )` is
`String.t -> String.t -> String.t`, OCaml's `string -> string -> string`).
"""

import re

_TOKEN = re.compile(r"'_?[A-Za-z0-9_][A-Za-z0-9_']*|[A-Za-z_][A-Za-z0-9_'.]*|->|[()*,:?~\[\]<>;]|\S")
ALIASES = {'String.t': 'string', 'Prelude.String.t': 'string'}
_VAL = re.compile(r"^val\s+(\(\s*\S+\s*\)|[A-Za-z_][A-Za-z0-9_']*)\s*:\s*(.*)$", re.S)


def _var_name(i):
    s = ''
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(ord('a') + r) + s
    return "'" + s


def normalise(ty):
    toks = _TOKEN.findall(ty)
    names = {}
    out = []
    for t in toks:
        if t.startswith("'_"):
            out.append("'_")
        elif t.startswith("'"):
            if t not in names:
                names[t] = _var_name(len(names))
            out.append(names[t])
        else:
            out.append(ALIASES.get(t, t))
    return ' '.join(out)


def has_weak(norm):
    return "'_" in norm.split()


def parse_sig(text):
    """-> (vals, junk): vals a list of (name, normalised type); junk the items
    that are neither vals nor known declarations (a printing problem)."""
    items = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[0] in ' \t' and items:
            items[-1].append(line.strip())
        else:
            items.append([line.strip()])
    vals, junk = [], []
    for it in items:
        s = ' '.join(it)
        m = _VAL.match(s)
        if m:
            name = re.sub(r'\s+', '', m.group(1))
            vals.append((name, normalise(m.group(2))))
        elif re.match(r'^(type|and|exception|module|open|class|external|constraint)\b', s) or s[0] in '|}':
            continue
        else:
            junk.append(s)
    return vals, junk


def compare(ocaml_vals, iml_vals):
    """-> list of (category, detail) differences; empty when they agree."""
    diffs = []
    on = [n for n, _ in ocaml_vals]
    inames = [n for n, _ in iml_vals]
    if on != inames:
        diffs.append(('val-names', 'ocamlc: %s; iml: %s' % (' '.join(on), ' '.join(inames))))
        imap = dict(iml_vals)
        pairs = [(n, t, imap[n]) for n, t in ocaml_vals if n in imap]
    else:
        pairs = [(n, t, u) for (n, t), (_, u) in zip(ocaml_vals, iml_vals)]
    for n, t, u in pairs:
        if has_weak(u):
            diffs.append(('iml-weak-type', 'val %s : %s' % (n, u)))
        elif t != u:
            diffs.append(('val-type', 'val %s : ocamlc %s | iml %s' % (n, t, u)))
    return diffs


def self_test():
    assert normalise("'b -> 'a ->  'b") == "'a -> 'b -> 'a"
    assert normalise("('x * 'y) list -> 'x") == normalise("('a * 'b) list -> 'a")
    assert normalise("?l1:int ->\n  l2:'a -> 'a") == normalise("?l1: int -> l2 : 'b -> 'b")
    assert has_weak(normalise("'_weak1 -> '_weak1"))
    assert has_weak(normalise("'_a list"))
    assert not has_weak(normalise("'a list"))
    assert normalise("'a -> 'b") != normalise("'a -> 'a")
    assert normalise("String.t list -> string") == "string list -> string"

    vals, junk = parse_sig("type t = A | B\nval f :\n  int ->\n  int\nval ( +! ) : int -> int\n"
                           "type r = {\n  x : int;\n}\n| junk\nand s = C\nval g : 'z list\n")
    assert vals == [('f', 'int -> int'), ('(+!)', 'int -> int'), ('g', "'a list")], vals
    assert junk == []
    assert parse_sig("Error: x\n")[1] == ['Error: x']
    assert compare([('f', "'a -> 'a")], [('f', "'a -> 'a")]) == []
    assert compare([('f', "'a -> 'a")], [('f', "'a -> 'b")])[0][0] == 'val-type'
    assert compare([('f', 'int')], [('g', 'int')])[0][0] == 'val-names'
    assert compare([('f', "'a")], [('f', "'_")])[0][0] == 'iml-weak-type'
    return True


if __name__ == '__main__':
    self_test()
    print('sigcmp self-test ok')
