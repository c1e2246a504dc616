#!/usr/bin/env python3
"""Check analysis/prelude.iml against the API list, with OCaml's type checker.

Used by test/prelude/check_prelude.sh; subcommands:

  to-ml PRELUDE.iml                   print the OCaml translation on stdout
  compare API.md SIG.mli PRELUDE.iml  compare `ocamlc -i` output with the API
  self-test                           test the normaliser and the comparison

The translation (kept trivial on purpose; line numbers are preserved so that
ocamlc's messages point into prelude.iml):
  1. the lines from `(* @ocaml-predef-begin *)` to `(* @ocaml-predef-end *)`
     become blank: they declare int, bool, unit, char, string, float, list,
     option and array, which OCaml predefines with the same constructors (and
     which literals, `if` and `::` must keep using);
  2. `theorem`, `lemma` and `axiom` at the start of a line become `let`
     (what the grammar view does too): a theorem is then a function returning
     bool, whose type is compared like any other value's;
  3. the primitive name "iml_builtin" becomes "%iml_builtin": OCaml rejects a
     non-function `external` unless its primitive starts with `%` (typing
     stops before any code generation, so the name is never looked up).
The result is typed with `ocamlc -nopervasives -nostdlib -i`, so every name
the prelude uses must be defined in the prelude itself.

The comparison: every value of every module section of the API file (tables
`| name | type | tags |`) must exist in the printed signature with the same
type up to renaming of type variables: both types are parsed, printed back
with canonical parentheses and spacing, and their variables renamed by first
occurrence ('a, 'b, ...). Type names are compared as written (`t` in module
Int is `Int.t`; the API and ocamlc both print names relative to the module),
so the prelude must use the same abbreviations as the API. Values of the
prelude that the API does not list are errors too (they would pollute every
user's namespace), unless allowed in EXTRA_ALLOWED. The types of each
module's "Types:" line must be declared identically (normalised text); at the
top level only their names are checked.
"""

import re
import sys

# Values of the API deliberately left out of the prelude: "Module.name" ->
# reason. Keep it empty unless a value cannot be given its type.
OMITTED_ALLOWED = {
}

# Values the prelude defines beyond the API: "Module.name" -> reason.
EXTRA_ALLOWED = {
}

# The modules issue 5 requires ("" is the top level); the others in the API
# (Tactic, Peano_nat, Decomp, Array, Float, Float.Round) are optional but are
# checked the same way when the prelude has them.
REQUIRED_MODULES = {
    "", "List", "Option", "Result", "Int", "Int.Euclidean_mod", "Real", "Map",
    "Set", "Multiset", "String", "Ordinal", "Bool", "LChar", "LString",
}

PREDEF_BEGIN = "(* @ocaml-predef-begin *)"
PREDEF_END = "(* @ocaml-predef-end *)"
IML_ONLY_ITEMS = ("verify", "instance", "eval", "test", "qcheck")


# --------------------------------------------------------------------------
# IML -> OCaml

def to_ml(text):
    out = []
    in_predef = False
    seen_begin = seen_end = False
    for lineno, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if stripped == PREDEF_BEGIN:
            if seen_begin:
                raise SystemExit(f"prelude.iml:{lineno}: second {PREDEF_BEGIN}")
            seen_begin = in_predef = True
            out.append("")
            continue
        if stripped == PREDEF_END:
            if not in_predef:
                raise SystemExit(f"prelude.iml:{lineno}: {PREDEF_END} without begin")
            in_predef = False
            seen_end = True
            out.append("")
            continue
        if in_predef:
            out.append("")
            continue
        m = re.match(r"^(\s*)(theorem|lemma|axiom)\b", line)
        if m:
            kw = m.group(2)
            line = m.group(1) + "let".ljust(len(kw)) + line[m.end():]
        m = re.match(r"^\s*(\w+)\b", line)
        if m and m.group(1) in IML_ONLY_ITEMS:
            raise SystemExit(f"prelude.iml:{lineno}: `{m.group(1)}` items have no "
                             "OCaml translation; the prelude should not need them")
        line = line.replace('"iml_builtin"', '"%iml_builtin"')
        out.append(line)
    if not (seen_begin and seen_end) or in_predef:
        raise SystemExit("prelude.iml: missing the @ocaml-predef markers")
    return "\n".join(out)


# --------------------------------------------------------------------------
# Lexing and parsing types (the syntax ocamlc -i prints)

TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<label>\??[a-z_][A-Za-z0-9_']*:(?![:=]))
  | (?P<tyvar>'[A-Za-z_][A-Za-z0-9_']*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_']*)
  | (?P<punct>[(),.;{}\[\]])
  | (?P<op>[!$%&*+\-/:<=>?@^|~#]+)
""", re.VERBOSE)


def lex(text):
    toks = []
    pos = 0
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m:
            raise ValueError(f"cannot lex {text[pos:pos + 20]!r}")
        pos = m.end()
        kind = m.lastgroup
        if kind != "ws":
            toks.append((kind, m.group(kind)))
    return toks


class TypeParser:
    """ty := [label] tuple [-> ty];  tuple := app {* app};
       app := atom {path};  atom := 'a | path | ( ty {, ty} )."""

    def __init__(self, toks):
        self.toks = toks
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if tok[0] is None or (value is not None and tok[1] != value):
            raise ValueError(f"expected {value or 'a token'}, got {tok[1]!r}")
        self.i += 1
        return tok

    def parse(self):
        ty = self.ty()
        if self.i != len(self.toks):
            raise ValueError(f"trailing tokens: {[t[1] for t in self.toks[self.i:]]}")
        return ty

    def ty(self):
        label = None
        if self.peek()[0] == "label":
            label = self.take()[1][:-1]
        left = self.tuple()
        if self.peek()[1] == "->":
            self.take()
            return ("arrow", label, left, self.ty())
        if label is not None:
            raise ValueError("label without an arrow")
        return left

    def tuple(self):
        parts = [self.app()]
        while self.peek()[1] == "*":
            self.take()
            parts.append(self.app())
        return parts[0] if len(parts) == 1 else ("tuple", parts)

    def path(self):
        parts = [self.take()[1]]
        while self.peek()[1] == ".":
            self.take()
            parts.append(self.take()[1])
        return ".".join(parts)

    def app(self):
        kind, val = self.peek()
        if kind == "tyvar":
            self.take()
            ty = ("var", val)
        elif kind == "ident":
            ty = ("con", self.path(), [])
        elif val == "(":
            self.take()
            args = [self.ty()]
            while self.peek()[1] == ",":
                self.take()
                args.append(self.ty())
            self.take(")")
            if len(args) > 1:
                if self.peek()[0] != "ident":
                    raise ValueError("type arguments without a constructor")
                ty = ("con", self.path(), args)
            else:
                ty = args[0]
        else:
            raise ValueError(f"unexpected {val!r} in a type")
        while self.peek()[0] == "ident":
            ty = ("con", self.path(), [ty])
        return ty


def canon(ty):
    """Print a parsed type canonically, type variables renamed by first
    occurrence (left to right)."""
    names = {}

    def var(v):
        if v not in names:
            n = len(names)
            names[v] = "'" + (chr(ord("a") + n) if n < 26 else f"t{n}")
        return names[v]

    def pr(t, ctx):
        # ctx: 0 top/arrow result, 1 arrow argument, 2 tuple component,
        # 3 constructor argument
        k = t[0]
        if k == "var":
            return var(t[1])
        if k == "con":
            args = t[2]
            if not args:
                return t[1]
            if len(args) == 1:
                return pr(args[0], 3) + " " + t[1]
            return "(" + ", ".join(pr(a, 0) for a in args) + ") " + t[1]
        if k == "tuple":
            s = " * ".join(pr(p, 3) for p in t[1])
            return f"({s})" if ctx >= 2 else s
        if k == "arrow":
            label = t[1] + ":" if t[1] else ""
            s = label + pr(t[2], 1) + " -> " + pr(t[3], 0)
            return f"({s})" if ctx >= 1 else s
        raise AssertionError(k)

    return pr(ty, 0)


def canon_text(text):
    return canon(TypeParser(lex(text)).parse())


# --------------------------------------------------------------------------
# The API file

def split_row(line):
    cells = re.split(r"(?<!\\)\|", line.strip())
    return [c.strip().replace("\\|", "|") for c in cells[1:-1]]


def strip_ticks(s):
    s = s.strip()
    if s.startswith("`") and s.endswith("`"):
        s = s[1:-1]
    return s.strip()


def norm_name(name):
    """`( let+ )` -> `let+`; plain names unchanged."""
    name = name.strip()
    if name.startswith("(") and name.endswith(")"):
        return "".join(name[1:-1].split())
    return name


def split_path(full):
    mods = []
    rest = full
    while True:
        m = re.match(r"^([A-Z][A-Za-z0-9_']*)\.(.+)$", rest)
        if not m:
            break
        mods.append(m.group(1))
        rest = m.group(2)
    return ".".join(mods), norm_name(rest)


def parse_api(path):
    """-> list of (module, name, type text, tags), in file order."""
    return parse_api_full(path)[0]


def parse_api_full(path):
    """-> (values as parse_api, types: list of (module, declaration text))."""
    entries = []
    types = []
    in_prelude = False
    section = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("## "):
                in_prelude = line.startswith("## 1.")
                continue
            if not in_prelude:
                continue
            m = re.match(r"^### 1\.\d+ (?:`([A-Za-z_.]+)`|Top level)", line)
            if m:
                section = m.group(1) or ""
                continue
            if line.startswith("Types:"):
                if section is None:
                    raise SystemExit(f"{path}: Types: line outside a section")
                for decl in re.findall(r"`(type [^`]*)`", line):
                    types.append((section, decl))
                continue
            if not line.startswith("| `"):
                continue
            cells = split_row(line)
            if len(cells) != 3:
                raise SystemExit(f"{path}: bad table row: {line.rstrip()}")
            mod, name = split_path(strip_ticks(cells[0]))
            entries.append((mod, name, strip_ticks(cells[1]), cells[2].strip()))
    return entries, types


# --------------------------------------------------------------------------
# The signature printed by ocamlc -i

ITEM_KEYWORDS = {"val", "external", "type", "module", "end", "exception",
                 "class", "open", "include"}


def parse_sig(text):
    """-> (values, duplicates, types): values maps (module, name) to (kind,
    type text, type tokens), kind 'val' or 'external'; duplicates lists the
    keys seen twice; types lists (module, tokens of a `type` item)."""
    toks = lex(text)
    values = {}
    types = []  # (module, tokens of the declaration)
    dups = []
    i = 0
    stack = []  # module names of the enclosing `sig ... end`s

    def skip_to_item(j):
        while j < len(toks) and not (toks[j][0] == "ident" and toks[j][1] in ITEM_KEYWORDS):
            j += 1
        return j

    while i < len(toks):
        kind, val = toks[i]
        if kind != "ident":
            raise SystemExit(f"signature: unexpected {val!r}")
        if val == "type":
            j = skip_to_item(i + 1)
            types.append((".".join(stack), toks[i:j]))
            i = j
            continue
        if val in ("val", "external"):
            i += 1
            if toks[i][1] == "(":
                j = i + 1
                while toks[j][1] != ")":
                    j += 1
                name = "".join(t[1] for t in toks[i + 1:j])
                i = j + 1
            else:
                name = toks[i][1]
                i += 1
            if toks[i][1] != ":":
                raise SystemExit(f"signature: expected ':' after {name}")
            i += 1
            j = skip_to_item(i)
            ty_toks = toks[i:j]
            if val == "external":
                # drop `= "prim" ...`
                k = max(idx for idx, t in enumerate(ty_toks) if t[1] == "=")
                ty_toks = ty_toks[:k]
            key = (".".join(stack), name)
            if key in values:
                dups.append(key)
            values[key] = (val, " ".join(t[1] for t in ty_toks), ty_toks)
            i = j
        elif val == "module":
            name = toks[i + 1][1]
            if toks[i + 2][1] != ":" or toks[i + 3][1] != "sig":
                raise SystemExit(f"signature: unsupported module item {name}")
            stack.append(name)
            i += 4
        elif val == "end":
            if not stack:
                raise SystemExit("signature: unbalanced end")
            stack.pop()
            i += 1
        else:  # exception / class / open / include: skipped
            i = skip_to_item(i + 1)
    if stack:
        raise SystemExit("signature: unterminated sig")
    return values, dups, types


def type_decl_key(toks):
    """(name, canonical text) of a `type ...` declaration's tokens: tokens
    joined by single spaces, `nonrec` and a leading `|` dropped, type
    variables renamed by first occurrence."""
    toks = [t for t in toks if t[1] != "nonrec"]
    out = []
    names = {}
    for idx, (kind, val) in enumerate(toks):
        if val == "|" and idx > 0 and toks[idx - 1][1] == "=":
            continue
        if kind == "tyvar":
            val = names.setdefault(val, "'" + chr(ord("a") + len(names)))
        out.append(val)
    # the name: the last identifier before `=` (or the end)
    head = out[:out.index("=")] if "=" in out else out
    name = [v for v in head if re.match(r"^[a-z_]", v) and v != "type"][-1]
    return name, " ".join(out)


def compare_types(api_types, sig_types, predef_names):
    """Problems: each API type must be declared by the prelude; in modules its
    declaration must match the API text exactly (normalised). At the top level
    only the names are compared: the API shows the reference prelude's
    manifests (`type int = int`), the prelude declares them itself (or in the
    predef block, absent from the OCaml translation)."""
    problems = []
    have = {}
    for mod, toks in sig_types:
        name, text = type_decl_key(toks)
        have[(mod, name)] = text
    for mod, decl in api_types:
        name, text = type_decl_key(lex(decl))
        label = f"{mod}.{name}" if mod else name
        if (mod, name) not in have:
            if not (mod == "" and name in predef_names):
                problems.append(f"missing type: {label} ({decl})")
            continue
        if mod and have[(mod, name)] != text:
            problems.append(f"type mismatch: {label}\n    API:     {text}\n"
                            f"    prelude: {have[(mod, name)]}")
    return problems


def unbound_type_names(sig_values, sig_types, predef_names):
    """Problems for type names used in value types that the prelude does not
    declare. OCaml's -nopervasives still predefines int, char, array, ... so
    this is what notices a type missing from the IML predef block."""
    declared = {(mod, type_decl_key(toks)[0]) for mod, toks in sig_types}
    declared |= {("", n) for n in predef_names}
    problems = []

    def visit(t, mod, label):
        if t[0] == "con":
            parts = t[1].split(".")
            ok = False
            if len(parts) == 1:
                # the enclosing modules, innermost first
                scope = mod.split(".") if mod else []
                while True:
                    if (".".join(scope), parts[0]) in declared:
                        ok = True
                        break
                    if not scope:
                        break
                    scope.pop()
            else:
                ok = (".".join(parts[:-1]), parts[-1]) in declared
            if not ok:
                problems.append(f"type {t[1]} (in {label}) is not declared by the prelude")
            for a in t[2]:
                visit(a, mod, label)
        elif t[0] == "tuple":
            for a in t[1]:
                visit(a, mod, label)
        elif t[0] == "arrow":
            visit(t[2], mod, label)
            visit(t[3], mod, label)

    for (mod, name), (_, _, toks) in sig_values.items():
        try:
            visit(TypeParser(toks).parse(), mod, display(mod, name))
        except ValueError:
            pass  # reported by the comparison
    return sorted(set(problems))


def predef_type_names(prelude_text):
    block = prelude_text.split(PREDEF_BEGIN, 1)[1].split(PREDEF_END, 1)[0]
    return set(re.findall(r"^type (?:'\w+ |\([^)]*\) )?(\w+)", block, re.M))


# --------------------------------------------------------------------------

def display(mod, name):
    shown = name if re.match(r"^[A-Za-z_]", name) else f"( {name} )"
    return f"{mod}.{shown}" if mod else shown


def compare_entries(api, sig_text, omitted=None, extra=None):
    """api: parse_api's list; sig_text: ocamlc -i output.
    -> (problems, stats dict)."""
    omitted = OMITTED_ALLOWED if omitted is None else omitted
    extra = EXTRA_ALLOWED if extra is None else extra
    sig, dups, _ = parse_sig(sig_text)
    problems = [f"duplicate in the signature: {display(*key)}" for key in dups]
    allowed_omitted = {split_path(full) for full in omitted}
    allowed_extra = {split_path(full) for full in extra}
    seen = set()
    stats = {"api": len(api), "api_required": 0, "theorems": 0, "checked": 0}
    for mod, name, api_ty, tags in api:
        key = (mod, name)
        label = display(mod, name)
        if key in seen:
            problems.append(f"API lists {label} twice")
            continue
        seen.add(key)
        if mod in REQUIRED_MODULES:
            stats["api_required"] += 1
        if "theorem" in tags or "axiom" in tags:
            stats["theorems"] += 1
        if key not in sig:
            if key not in allowed_omitted:
                problems.append(f"missing: {label} : {api_ty}")
            continue
        if key in allowed_omitted:
            problems.append(f"{label} is in OMITTED_ALLOWED but the prelude defines it")
        stats["checked"] += 1
        _, sig_ty, sig_toks = sig[key]
        try:
            want = canon_text(api_ty)
        except ValueError as e:
            problems.append(f"cannot parse the API type of {label} ({api_ty}): {e}")
            continue
        try:
            got = canon(TypeParser(sig_toks).parse())
        except ValueError as e:
            problems.append(f"cannot parse the printed type of {label} ({sig_ty}): {e}")
            continue
        if want != got:
            problems.append(f"mismatch: {label}\n    API:     {want}\n    prelude: {got}")
    for key in sig:
        if key not in seen and key not in allowed_extra:
            problems.append(f"not in the API: {display(*key)} : {sig[key][1]}")

    def count(pred):
        return sum(1 for k in sig if pred(k))
    req = lambda k: k[0] in REQUIRED_MODULES
    ext = lambda k: sig[k][0] == "external"
    stats.update({
        "prelude": len(sig),
        "external": count(ext),
        "prelude_required": count(req),
        "external_required": count(lambda k: req(k) and ext(k)),
    })
    return problems, stats


def compare(api_path, sig_path, prelude_path):
    api, api_types = parse_api_full(api_path)
    with open(sig_path, encoding="utf-8") as f:
        sig_text = f.read()
    problems, st = compare_entries(api, sig_text)
    with open(prelude_path, encoding="utf-8") as f:
        predef = predef_type_names(f.read())
    sig_values, _, sig_types = parse_sig(sig_text)
    type_problems = compare_types(api_types, sig_types, predef)
    type_problems += unbound_type_names(sig_values, sig_types, predef)
    problems += type_problems
    print(f"API types: {len(api_types)} compared ({len(type_problems)} problems)")
    print(f"API values: {st['api']} in all, {st['api_required']} in the required "
          f"modules ({st['theorems']} of them theorems/axioms)")
    print(f"prelude values: {st['prelude']}: "
          f"{st['prelude'] - st['external']} defined (let/theorem/axiom), "
          f"{st['external']} external")
    print(f"  in the required modules: {st['prelude_required']}: "
          f"{st['prelude_required'] - st['external_required']} defined, "
          f"{st['external_required']} external")
    print(f"compared: {st['checked']}; omitted by allow-list: {len(OMITTED_ALLOWED)}; "
          f"extra by allow-list: {len(EXTRA_ALLOWED)}; problems: {len(problems)}")
    for p in problems:
        print("  " + p)
    return 1 if problems else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "to-ml":
        with open(argv[2], encoding="utf-8") as f:
            sys.stdout.write(to_ml(f.read()))
        return 0
    if len(argv) == 5 and argv[1] == "compare":
        return compare(argv[2], argv[3], argv[4])
    if len(argv) == 2 and argv[1] == "self-test":
        return self_test()
    print(__doc__, file=sys.stderr)
    return 2


def self_test():
    """The type normaliser on the cases that matter (run by the shell script)."""
    cases = [
        ("'a -> 'b -> 'a", "'x -> 'y -> 'x", True),
        ("'a -> 'b -> 'a", "'a -> 'b -> 'b", False),
        ("('a -> 'b) -> 'a list -> 'b list", "(('z -> 'y)) -> 'z list -> 'y list", True),
        ("'a * 'b -> 'a", "('a * 'b) -> 'a", True),
        ("'a * 'b -> 'a", "'a * ('b -> 'a)", False),
        ("default:'a -> ('a, 'b) result -> 'a", "default:'b -> ('b, 'c) result -> 'b", True),
        ("?x:int -> int", "x:int -> int", False),
        ("(t, string) result list", "((t, string) result) list", True),
        ("('a * 'b) list -> 'a list * 'b list", "('a * 'b) list -> ('a list * 'b list)", True),
        ("int -> t", "int -> Int.t", False),
        ("'a -> ('a, 'b) Map.t -> 'b", "'b -> ('b, 'a) Map.t -> 'a", True),
        ("('a -> 'b) -> 'c", "'a -> 'b -> 'c", False),
    ]
    bad = 0
    for a, b, same in cases:
        if (canon_text(a) == canon_text(b)) != same:
            print(f"self-test failed: {a!r} vs {b!r}: expected same={same}")
            bad += 1
    api_row = "| `Tactic.( @>\\| )` | `t -> t list -> t` |  |"
    cells = split_row(api_row)
    if split_path(strip_ticks(cells[0])) != ("Tactic", "@>|") or strip_ticks(cells[1]) != "t -> t list -> t":
        print(f"self-test failed: row split {cells}")
        bad += 1
    if split_path("( <=. )") != ("", "<=.") or split_path("Int.Euclidean_mod.emod") != ("Int.Euclidean_mod", "emod"):
        print("self-test failed: split_path")
        bad += 1
    # The comparison itself, on a synthetic API and signature: it must find
    # exactly these problems.
    api = [("", "id", "'a -> 'a", ""), ("", "+", "int -> int -> int", ""),
           ("M", "f", "t -> t", ""), ("M", "g", "int", ""),
           ("M.N", "h", "'a list -> int", ""), ("M", "gone", "int", "")]
    sig = """external ( + ) : int -> int -> int = "%iml_builtin"
val id : 'b -> 'b
module M :
  sig
    type t = A | B of int
    val f : t -> int
    external g : int = "%iml_builtin"
    module N : sig val h : 'z list -> int end
    val extra : t
  end
"""
    problems, st = compare_entries(api, sig, omitted={}, extra={})
    want = ["mismatch: M.f", "missing: M.gone", "not in the API: M.extra"]
    got = sorted(p.split(" :")[0].split("\n")[0] for p in problems)
    if got != want or st["checked"] != 5 or st["external"] != 2:
        print(f"self-test failed: synthetic comparison gave {problems} {st}")
        bad += 1
    problems, _ = compare_entries(api, sig, omitted={"M.gone": "test"},
                                  extra={"M.extra": "test"})
    if len(problems) != 1:
        print(f"self-test failed: allow-lists not applied: {problems}")
        bad += 1
    sig_types = parse_sig("""type identifier
module M :
  sig
    type t =
      | A
      | B of 'x list
    type ('a, 'b) r = { l : 'a; d : 'b; }
  end
""")[2]
    api_types = [("", "type int = int"), ("", "type identifier"),
                 ("M", "type t = A | B of 'a list"),
                 ("M", "type ('a, 'b) r = { l : 'b; d : 'a; }"),
                 ("M", "type u")]
    got = compare_types(api_types, sig_types, {"int"})
    vals, _, tys = parse_sig("""type u
val f : u -> int
module M : sig type t val g : t -> u -> M.t -> char -> int end
""")
    unbound = unbound_type_names(vals, tys, {"int"})
    if unbound != ["type char (in M.g) is not declared by the prelude"]:
        print(f"self-test failed: unbound type names gave {unbound}")
        bad += 1
    if [p.split("\n")[0] for p in got] != ["type mismatch: M.r", "missing type: M.u (type u)"]:
        print(f"self-test failed: type comparison gave {got}")
        bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
