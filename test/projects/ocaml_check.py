#!/usr/bin/env python3
"""Validate the IML test projects (test/data/projects/*) with OCaml's checker.

Usage:
  ocaml_check.py [--show-sig] [PROJECT_DIR...]
      (default: every directory under test/data/projects)
  ocaml_check.py translate FILE.iml     print one file's OCaml translation

Exit status 0 when every project agrees with ocamlc, 1 otherwise, 2 when
ocamlc is missing. Needs ocamlc (Debian
ocaml-nox, tested with 4.13.1) and test/prelude/prelude_check.py.

How a project is checked:
  * analysis/prelude.iml is translated by test/prelude/prelude_check.py
    (to-ml), with `type real` made `type real = float` so that real literals
    such as 1.5 (floats for OCaml) have IML's type; it is compiled into
    prelude.cmi with -nopervasives and opened in every unit (-open Prelude),
    so each name has the IML prelude's type (List.nth : int -> 'a list -> 'a
    option, `<` on int only, ...).
  * iml_extra.ml adds what the translation needs: `( := )` as the bool
    connective standing for IML's ==>, <== and <==> (`:=` is OCaml's only
    user-definable right-associative operator below `&&`, `||`, `=` and `,`,
    which is the closest match to IML's lowest-precedence implication), and a
    few OCaml Stdlib names for program mode (ref, !, incr, print_endline,
    print_string, string_of_int, Printf).
  * each .iml file becomes one compilation unit named like IML's module name
    for it (base name capitalised), compiled in import order with
    `ocamlc -nopervasives -open Prelude -open Iml_extra -stop-after typing
    -w +40+41`. The rewrite, token by token (comments, strings and attribute
    payloads are copied verbatim):
      [@@@import "p.iml"]        -> nothing (the unit P is on the path)
      [@@@import M, "p.iml"]     -> module M = P
      [@@@program] / [@@@logic]  -> open Iml_program / open Iml_logic
                                    (`:=` becomes OCaml's ref assignment in
                                    program sections)
      theorem|lemma|axiom f ps = -> let f ps : bool =
      verify|instance|eval|test|qcheck e -> let _ = e
      ==>  <==  <==>             -> :=
      let rec f ps = ... [@@measure m]
                                 -> the same, followed by the item
                                    let _ = fun ps -> let _ = f args in (m : Ordinal.t)
                                    (m is checked with f's parameters in
                                    scope and their types)
    Every piece of the output remembers where it came from, so ocamlc's
    positions are mapped back to the .iml file (1-based line, 1-based column
    in code points, as `iml-lsp check` prints them).
  * a project whose expected.txt is empty must be accepted without any error
    or warning. For an error project, FIXES below gives, for each line of
    expected.txt (same order), a textual fix; with every fix applied the
    project must be accepted cleanly, and with every fix but one applied,
    ocamlc's first error must be at that line's position, in that file, and
    of that line's kind. Entries marked IML_ONLY are mistakes OCaml cannot
    see through the translation (only the fixed version is checked).

What OCaml does not check here (IML-only rules): that verify/instance take a
bool or a function returning bool; that logic code does not use program-mode
constructs (refs, loops, printing); attribute payloads other than measures.
One IML rule OCaml would miss is linted separately (module_lint): a file may
only name modules it imports itself (OCaml sees every unit of the project),
besides the prelude's, its own and those nested in what it imports.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
PROJECTS = os.path.join(ROOT, "test", "data", "projects")
PRELUDE_IML = os.path.join(ROOT, "analysis", "prelude.iml")
PRELUDE_TOOL = os.path.join(ROOT, "test", "prelude", "prelude_check.py")

IML_ONLY = "iml-only"

# Projects OCaml cannot judge, with the reason.
NOT_OCAML = {
    "35_ocaml_library": "imports an OCaml library (dune:yojson) that is not installed here; "
                        "the checker's answer (be silent about its names) has no ocamlc counterpart",
}

# project -> one (file, old, new) per line of expected.txt, in the same order;
# `old` must occur exactly once in `file`. A 4th element IML_ONLY marks a
# mistake OCaml cannot see through the translation.
FIXES = {
    "27_err_thermostat": [
        ("control.iml", "if r.temp < 18.5 then", "if r.temp <. 18.5 then"),
        ("scenarios.iml", "{ temp = 21.0; heating = false }",
         "{ temp = 21.0; target = 20.0; heating = false }"),
    ],
    "28_err_library": [
        ("catalog.iml", "= List.lenght books", "= List.length books"),
        ("loans.iml", "Borrowed (m.member_id, b.id, day + loan_period)",
         "Borrowed (m.member_id, day + loan_period)"),
    ],
    "29_err_shapes": [
        ("props.iml", "area s +. area t", "area s +. area t >=. 0.0"),
        ("props.iml", "verify scaled_area", "verify scale_preserves_validity", IML_ONLY),
    ],
    "30_err_payroll": [
        ("payroll.iml", "[@@measure List.length staff]",
         "[@@measure Ordinal.of_int (List.length staff)]"),
        ("report.iml", "Payroll.net_pay ~rate:tax e", "Payroll.net_pay ~tax_rate:tax e"),
    ],
    "31_err_accounts": [
        ("audit.iml", "a.balanse", "a.balance"),
        ("audit.iml", "\"owner=\" ^ a.id", "\"owner=\" ^ a.owner"),
    ],
    "32_err_modules": [
        ("main.iml", "Geomtry.area", "Geometry.area"),
        ("store.iml", "type price_table = int Map.t", "type price_table = (string, int) Map.t"),
        ("store.iml", "(item : prodcut)", "(item : product)"),
    ],
    "33_err_lists": [
        ("rev.iml", "rev_onto (x :: acc) x", "rev_onto (x :: acc) rest"),
        ("stats.iml", "Lists.sum xs 0", "Lists.sum xs"),
    ],
    "34_err_patterns": [
        ("handlers.iml", "| Deposit (id, amt) | Withdraw (id, _) ->",
         "| Deposit (id, _) | Withdraw (id, _) ->"),
        ("handlers.iml", "Some (Withdrawl (id, n))", "Some (Withdraw (id, n))"),
        ("handlers.iml", "| Transfer (a, a, _) ->", "| Transfer (a, b, _) when a = b ->"),
    ],
}

# What ocamlc's message must say for an expected code (first error line).
KIND_RE = {
    "E0301": r"This expression has type",
    "E0302": r"Unbound value",
    "E0303": r"Unbound constructor",
    "E0304": r"Unbound record field|There is no field",
    "E0305": r"Unbound module",
    "E0306": r"Unbound type constructor",
    "E0307": r"The constructor \S+ expects",
    "E0308": r"The type constructor \S+ expects",
    "E0309": r"not a function|applied to too many arguments",
    "E0310": r"label",
    "E0311": r"This expression has type .*\n?.*expected of type\s+bool",
    "E0313": r"expected of type\s+(Prelude\.)?Ordinal\.t",
    "E0314": r"occurs inside",
    "E0315": r"record fields are undefined|defined several times|belongs to the type",
    "E0316": r"must occur on both sides|bound several times",
}

THEOREM_KW = ("theorem", "lemma", "axiom")
STMT_KW = ("verify", "instance", "eval", "test", "qcheck")
IMPL_OPS = ("==>", "<==", "<==>")

IML_EXTRA = """\
(* ==>, <== and <==> of IML (bool connectives, lowest precedence) *)
let ( := ) : bool -> bool -> bool = fun a b -> if a then b else true
(* OCaml Stdlib names used by program-mode code *)
let ref = Stdlib.ref
let ( ! ) = Stdlib.( ! )
let incr = Stdlib.incr
let print_endline = Stdlib.print_endline
let print_string = Stdlib.print_string
let string_of_int = Stdlib.string_of_int
module Printf = Stdlib.Printf
"""
IML_PROGRAM = "let ( := ) = Stdlib.( := )\n"
IML_LOGIC = "let ( := ) = Iml_extra.( := )\n"


# --------------------------------------------------------------------------
# Lexing IML (enough of OCaml's lexical rules to find tokens)

OPCHARS = set("!$%&*+-./:<=>?@^|~#")
IDSTART = re.compile(r"[A-Za-z_]")
IDCHAR = re.compile(r"[A-Za-z0-9_']")


class Tok:
    __slots__ = ("kind", "text", "start", "end")

    def __init__(self, kind, text, start, end):
        self.kind, self.text, self.start, self.end = kind, text, start, end

    def __repr__(self):
        return f"{self.kind}:{self.text!r}@{self.start}"


def lex(src):
    """Tokens of src (comments dropped). Kinds: id, num, str, char, op,
    punct (one of ( ) [ ] { } , ; and the openers [@@@ [@@ [@ [%)."""
    toks = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c.isspace():
            i += 1
        elif src.startswith("(*", i) and not src.startswith("(*)", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if src.startswith("(*", i):
                    depth, i = depth + 1, i + 2
                elif src.startswith("*)", i):
                    depth, i = depth - 1, i + 2
                elif src[i] == '"':
                    i = skip_string(src, i)
                else:
                    i += 1
        elif c == '"':
            j = skip_string(src, i)
            toks.append(Tok("str", src[i:j], i, j))
            i = j
        elif c == "{" and re.match(r"\{[a-z_]*\|", src[i:]):
            m = re.match(r"\{([a-z_]*)\|", src[i:])
            close = "|" + m.group(1) + "}"
            j = src.index(close, i + m.end()) + len(close)
            toks.append(Tok("str", src[i:j], i, j))
            i = j
        elif c == "'":
            m = re.match(r"'(\\(?:[\\'\"ntbr ]|[0-9]{3}|x[0-9a-fA-F]{2}|o[0-7]{3})|[^\\'\n])'", src[i:])
            if m:
                toks.append(Tok("char", m.group(0), i, i + m.end()))
                i += m.end()
            else:
                toks.append(Tok("op", "'", i, i + 1))
                i += 1
        elif IDSTART.match(c):
            j = i + 1
            while j < n and IDCHAR.match(src[j]):
                j += 1
            toks.append(Tok("id", src[i:j], i, j))
            i = j
        elif c.isdigit():
            m = re.match(r"[0-9][0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9]+)?", src[i:])
            toks.append(Tok("num", m.group(0), i, i + m.end()))
            i += m.end()
        elif c == "[":
            for opener in ("[@@@", "[@@", "[@", "[%%", "[%", "[|"):
                if src.startswith(opener, i):
                    break
            else:
                opener = "["
            toks.append(Tok("punct", opener, i, i + len(opener)))
            i += len(opener)
        elif c in "()]{},;":
            toks.append(Tok("punct", c, i, i + 1))
            i += 1
        elif c in OPCHARS:
            j = i + 1
            while j < n and src[j] in OPCHARS:
                j += 1
            toks.append(Tok("op", src[i:j], i, j))
            i = j
        else:
            raise SystemExit(f"cannot lex {src[i:i + 20]!r} at offset {i}")
    return toks


def skip_string(src, i):
    j = i + 1
    while j < len(src) and src[j] != '"':
        j += 2 if src[j] == "\\" else 1
    return j + 1


OPENERS = {"(": ")", "[": "]", "[@@@": "]", "[@@": "]", "[@": "]", "[%": "]",
           "[%%": "]", "[|": "]", "{": "}"}
CLOSERS = (")", "]", "}")


def matching(toks, k):
    """Index of the token closing the opener toks[k]."""
    depth = 0
    for j in range(k, len(toks)):
        t = toks[j]
        if t.kind == "punct" and t.text in OPENERS:
            depth += 1
        elif t.kind == "punct" and t.text in CLOSERS:
            depth -= 1
            if depth == 0:
                return j
    raise SystemExit(f"unbalanced {toks[k].text!r} at offset {toks[k].start}")


# --------------------------------------------------------------------------
# Translation with a piece table

class Out:
    """Output text built from pieces; each piece knows its source offset."""

    def __init__(self, src):
        self.src = src
        self.pieces = []  # (out_start, text, src_start or None, anchor)
        self.len = 0

    def copy(self, a, b):
        if b > a:
            self.pieces.append((self.len, self.src[a:b], a, a))
            self.len += b - a

    def synth(self, text, anchor):
        if text:
            self.pieces.append((self.len, text, None, anchor))
            self.len += len(text)

    def text(self):
        return "".join(p[1] for p in self.pieces)

    def to_src(self, off):
        for start, text, src_start, anchor in self.pieces:
            if start <= off < start + len(text):
                return src_start + (off - start) if src_start is not None else anchor
        return len(self.src)


def unit_name(path):
    base = os.path.basename(path)
    base = base[:-4] if base.endswith(".iml") else base
    return base[:1].upper() + base[1:]


def param_groups(toks, a, b):
    """Split toks[a:b] (a parameter list) into groups of token indices."""
    groups, j = [], a
    while j < b:
        t = toks[j]
        if t.kind == "op" and t.text in ("~", "?"):
            k = j + 1
            if toks[k].kind == "punct" and toks[k].text == "(":
                k = matching(toks, k)
            elif k + 1 < b and toks[k + 1].kind == "op" and toks[k + 1].text == ":":
                k += 2
                if toks[k].kind == "punct" and toks[k].text == "(":
                    k = matching(toks, k)
            groups.append((j, k + 1))
            j = k + 1
        elif t.kind == "punct" and t.text == "(":
            k = matching(toks, j)
            groups.append((j, k + 1))
            j = k + 1
        else:
            groups.append((j, j + 1))
            j += 1
    return groups


def arg_for(toks, g, src, fresh):
    """(param text, argument text) for one parameter group, or None."""
    a, b = g
    txt = src[toks[a].start:toks[b - 1].end]
    t0 = toks[a]
    if b - a == 1 and t0.kind == "id":
        if t0.text == "_":
            name = f"__p{fresh}"
            return name, name
        return txt, txt
    if t0.kind == "op" and t0.text in ("~", "?"):
        t1 = toks[a + 1]
        if t1.kind == "id":
            return txt, t0.text + t1.text
        if t1.kind == "punct" and t1.text == "(" and toks[a + 2].kind == "id":
            return txt, t0.text + toks[a + 2].text
        return None
    if t0.kind == "punct" and t0.text == "(":
        inner = toks[a + 1:b - 1]
        if inner and inner[0].kind == "id" and (len(inner) == 1 or
                                                (inner[1].kind == "op" and inner[1].text == ":")):
            return txt, inner[0].text
        if all(t.kind == "id" or (t.kind == "punct" and t.text == ",") for t in inner):
            return txt, txt
    return None


def translate(src, path):
    """(ocaml text, Out, imports [(module or None, path)], notes)."""
    toks = lex(src)
    out = Out(src)
    imports, notes = [], []
    pos = 0          # source offset copied so far
    last_header = None  # (name, params (start, end) token indices) of let rec / and
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "punct" and t.text == "[@@@":
            j = matching(toks, i)
            name = toks[i + 1].text if i + 1 < j else ""
            if name == "import":
                body = toks[i + 2:j]
                if len(body) == 1 and body[0].kind == "str":
                    mod, p = None, body[0].text[1:-1]
                elif (len(body) == 3 and body[0].kind == "id" and body[1].text == ","
                      and body[2].kind == "str"):
                    mod, p = body[0].text, body[2].text[1:-1]
                else:
                    raise SystemExit(f"{path}: unsupported import form")
                imports.append((mod, p))
                out.copy(pos, t.start)
                if mod:
                    out.synth(f"module {mod} = {unit_name(p)}", t.start)
                pos = toks[j].end
            elif name in ("program", "logic"):
                out.copy(pos, t.start)
                out.synth(f"open Iml_{name}", t.start)
                pos = toks[j].end
            i = j + 1
            continue
        if t.kind == "punct" and t.text == "[@@" and i + 1 < len(toks) and toks[i + 1].text == "measure":
            j = matching(toks, i)
            out.copy(pos, toks[j].end)
            pos = toks[j].end
            nxt = toks[j + 1] if j + 1 < len(toks) else None
            if last_header is None:
                notes.append(f"{path}: measure at offset {t.start}: no let rec header found; not checked")
            elif nxt is not None and nxt.kind == "id" and nxt.text == "and":
                notes.append(f"{path}: measure of {last_header[0]} before `and`: not checked")
            else:
                fname, (pa, pb) = last_header
                pairs = [arg_for(toks, g, src, k) for k, g in enumerate(param_groups(toks, pa, pb))]
                if not pairs or any(p is None for p in pairs):
                    notes.append(f"{path}: measure of {fname}: parameters too complex; not checked")
                else:
                    e_start, e_end = toks[i + 2].start, toks[j - 1].end
                    out.synth(" let _ = fun " + " ".join(p for p, _ in pairs) + " -> let _ = "
                              + fname + " " + " ".join(a for _, a in pairs) + " in (", t.start)
                    out.pieces.append((out.len, src[e_start:e_end], e_start, e_start))
                    out.len += e_end - e_start
                    out.synth(" : Ordinal.t)", t.start)
                    notes.append(f"{path}: measure of {fname} checked")
            i = j + 1
            continue
        if t.kind == "punct" and t.text in ("[@@", "[@", "[%", "[%%"):
            i = matching(toks, i) + 1  # payload copied verbatim
            continue
        if t.kind == "id" and t.text in ("rec", "and") and i + 1 < len(toks) and toks[i + 1].kind == "id":
            prev = toks[i - 1] if i else None
            if t.text == "and" or (prev is not None and prev.text == "let"):
                k, depth = i + 2, 0
                while k < len(toks):
                    u = toks[k]
                    if u.kind == "punct" and u.text in OPENERS:
                        depth += 1
                    elif u.kind == "punct" and u.text in CLOSERS:
                        depth -= 1
                    elif depth == 0 and u.kind == "op" and u.text in ("=", ":"):
                        break
                    k += 1
                last_header = (toks[i + 1].text, (i + 2, k))
        if t.kind == "id" and t.text in THEOREM_KW:
            out.copy(pos, t.start)
            out.synth("let", t.start)
            pos = t.end
            # find the `=` ending the parameters; add ` : bool` unless annotated
            k, depth = i + 1, 0
            while k < len(toks):
                u = toks[k]
                if u.kind == "punct" and u.text in OPENERS:
                    depth += 1
                elif u.kind == "punct" and u.text in CLOSERS:
                    depth -= 1
                elif depth == 0 and u.kind == "op" and u.text in ("=", ":"):
                    break
                k += 1
            if k < len(toks) and toks[k].text == "=":
                out.copy(pos, toks[k].start)
                out.synth(": bool ", toks[k].start)
                pos = toks[k].start
            i += 1
            continue
        if t.kind == "id" and t.text in STMT_KW:
            out.copy(pos, t.start)
            out.synth("let _ =", t.start)
            pos = t.end
        elif t.kind == "op" and t.text in IMPL_OPS:
            out.copy(pos, t.start)
            out.synth(":=", t.start)
            pos = t.end
        i += 1
    out.copy(pos, len(src))
    return out.text(), out, imports, notes


# --------------------------------------------------------------------------
# Running ocamlc on a project

def ocaml_env(tmp):
    ml = subprocess.run([sys.executable, PRELUDE_TOOL, "to-ml", PRELUDE_IML],
                        capture_output=True, text=True)
    if ml.returncode != 0:
        raise SystemExit(f"prelude translation failed: {ml.stderr}")
    text = re.sub(r"^type real$", "type real = float", ml.stdout, count=1, flags=re.M)
    if text == ml.stdout:
        raise SystemExit("prelude.iml: `type real` line not found")
    files = {"prelude.ml": text, "iml_extra.ml": IML_EXTRA,
             "iml_program.ml": IML_PROGRAM, "iml_logic.ml": IML_LOGIC}
    for name, body in files.items():
        with open(os.path.join(tmp, name), "w") as f:
            f.write(body)
    for name, opens in (("prelude.ml", []), ("iml_extra.ml", ["Prelude"]),
                        ("iml_program.ml", ["Prelude"]), ("iml_logic.ml", ["Prelude"])):
        cmd = ["ocamlc", "-nopervasives", "-I", tmp, "-stop-after", "typing", "-c"]
        for o in opens:
            cmd += ["-open", o]
        r = subprocess.run(cmd + [name], cwd=tmp, capture_output=True, text=True)
        if r.returncode != 0 or r.stderr.strip():
            raise SystemExit(f"ocamlc on {name} failed:\n{r.stderr}")


def line_col(src, off):
    """1-based line and 1-based column in code points of a str offset."""
    line = src.count("\n", 0, off) + 1
    col = off - (src.rfind("\n", 0, off) + 1) + 1
    return line, col


def project_files(pdir):
    files = []
    for d, _, names in os.walk(pdir):
        for n in names:
            if n.endswith(".iml"):
                files.append(os.path.relpath(os.path.join(d, n), pdir))
    return sorted(files)


def load_project(pdir, overrides=None):
    """{rel: src}, with the sources of `overrides` replacing the disk's."""
    srcs = {}
    for rel in project_files(pdir):
        with open(os.path.join(pdir, rel), encoding="utf-8") as f:
            srcs[rel] = f.read()
    if overrides:
        srcs.update(overrides)
    return srcs


def compile_project(pdir, srcs, env_dir, show_sig=False):
    """Translate and compile every unit in import order. Returns
    (error or None, warnings list, notes, sigs) where error is
    (rel, line, col, message) in .iml coordinates."""
    units, trans, deps = {}, {}, {}
    notes, warnings, sigs = [], [], {}
    for rel, src in srcs.items():
        u = unit_name(rel)
        if u in units.values():
            raise SystemExit(f"{pdir}: two files give unit {u}")
        units[rel] = u
        text, out, imports, n = translate(src, rel)
        notes += n
        trans[rel] = (text, out)
        ds = []
        for _, p in imports:
            target = os.path.normpath(os.path.join(os.path.dirname(rel), p))
            if target not in srcs:
                raise SystemExit(f"{pdir}/{rel}: import {p} not in the project")
            ds.append(target)
        deps[rel] = ds
    order, state = [], {}

    def visit(r):
        if state.get(r) == 1:
            raise SystemExit(f"{pdir}: import cycle through {r}")
        if state.get(r) == 2:
            return
        state[r] = 1
        for d in deps[r]:
            visit(d)
        state[r] = 2
        order.append(r)
    for r in sorted(srcs):
        visit(r)
    tmp = tempfile.mkdtemp(prefix="imlproj", dir=env_dir)
    try:
        for rel in order:
            text, out = trans[rel]
            mlname = units[rel][:1].lower() + units[rel][1:] + ".ml"
            with open(os.path.join(tmp, mlname), "w", encoding="utf-8") as f:
                f.write(text)
            base = ["ocamlc", "-nopervasives", "-I", env_dir, "-I", tmp, "-open", "Prelude",
                    "-open", "Iml_extra", "-w", "+40+41", "-stop-after", "typing"]
            r = subprocess.run(base + ["-c", mlname], cwd=tmp, capture_output=True, text=True)
            if show_sig and r.returncode == 0:
                s = subprocess.run(base + ["-i", mlname], cwd=tmp, capture_output=True, text=True)
                sigs[rel] = s.stdout
            msgs = split_messages(r.stderr)
            for m in msgs:
                pos = map_pos(m, text, out, srcs[rel])
                where = f"{rel}:{pos[0]}:{pos[1]}" if pos else rel
                if re.search(r"^Error", m, re.M):
                    return (rel, pos[0] if pos else 0, pos[1] if pos else 0, m), warnings, notes, sigs
                warnings.append(f"{where}: {m.strip()}")
            if r.returncode != 0:
                return (rel, 0, 0, r.stderr), warnings, notes, sigs
        return None, warnings, notes, sigs
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def split_messages(stderr):
    msgs, cur = [], []
    for line in stderr.splitlines():
        if line.startswith("File ") and cur:
            msgs.append("\n".join(cur))
            cur = []
        cur.append(line)
    if cur:
        msgs.append("\n".join(cur))
    return [m for m in msgs if m.strip()]


def map_pos(msg, text, out, src):
    m = re.match(r'File "[^"]*", lines? (\d+)(?:-\d+)?, characters (\d+)-', msg)
    if not m:
        return None
    line, col = int(m.group(1)), int(m.group(2))
    lines = text.split("\n")
    # ocamlc counts bytes; convert to a str offset in the translated text
    off = sum(len(x) + 1 for x in lines[:line - 1])
    lb = lines[line - 1].encode("utf-8")[:col].decode("utf-8", errors="ignore")
    return line_col(src, out.to_src(off + len(lb)))


def apply_fix(srcs, fix):
    rel, old, new = fix[0], fix[1], fix[2]
    s = srcs[rel]
    if s.count(old) != 1:
        raise SystemExit(f"fix {old!r}: found {s.count(old)} times in {rel}")
    srcs[rel] = s.replace(old, new)


def read_expected(pdir):
    with open(os.path.join(pdir, "expected.txt")) as f:
        lines = [ln.strip() for ln in f if ln.strip()]
    exp = []
    for ln in lines:
        m = re.fullmatch(r"(.+\.iml):(\d+):(\d+): ([EW]\d{4})", ln)
        if not m:
            raise SystemExit(f"{pdir}/expected.txt: bad line {ln!r}")
        exp.append((m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)))
    return exp


PRELUDE_MODULES = {
    "List", "Option", "Result", "Int", "Real", "Map", "Set", "Multiset", "String",
    "Ordinal", "Bool", "LChar", "LString", "Tactic", "Peano_nat", "Decomp", "Array",
    "Float", "Printf", "Stdlib",
}


def module_lint(srcs):
    """Problems: a module path whose root is neither imported by the file,
    nor defined in it, nor nested in a file it imports, nor the prelude's."""
    problems = []
    defined = {rel: set(re.findall(r"\bmodule\s+([A-Z]\w*)", src)) for rel, src in srcs.items()}
    for rel, src in sorted(srcs.items()):
        toks = lex(src)
        allowed = set(PRELUDE_MODULES) | defined[rel]
        for m in re.finditer(r'\[@@@import\s+(?:([A-Z]\w*)\s*,\s*)?"([^"]+)"\s*\]', src):
            allowed.add(m.group(1) or unit_name(m.group(2)))
            target = os.path.normpath(os.path.join(os.path.dirname(rel), m.group(2)))
            allowed |= defined.get(target, set())
        for k, t in enumerate(toks[:-1]):
            if t.kind != "id" or not t.text[:1].isupper() or t.text in allowed:
                continue
            prev = toks[k - 1].text if k else ""
            path_root = toks[k + 1].text == "." and prev != "."
            opened = prev == "open" or (prev == "!" and k > 1 and toks[k - 2].text == "open")
            aliased = prev == "=" and k > 2 and toks[k - 3].text == "module"
            if path_root or opened or aliased:
                problems.append(f"{rel}:{line_col(src, t.start)[0]}: module {t.text} is not imported here")
    return problems


def check_project(pdir, env_dir, show_sig):
    name = os.path.basename(os.path.normpath(pdir))
    exp = read_expected(pdir)
    fixes = FIXES.get(name, [])
    problems, report = [], []
    if len(fixes) != len(exp):
        return [f"{len(exp)} expected diagnostics but {len(fixes)} fixes"], report
    base = load_project(pdir)
    fixed = dict(base)
    for fx in fixes:
        apply_fix(fixed, fx)
    err, warns, notes, sigs = compile_project(pdir, fixed, env_dir, show_sig)
    report += notes
    if err:
        problems.append(f"{'fixed project' if exp else 'project'} rejected: "
                        f"{err[0]}:{err[1]}:{err[2]}: {error_text(err[3])}")
    problems += [f"warning: {w}" for w in warns]
    problems += module_lint(fixed)
    if show_sig:
        for rel, s in sorted(sigs.items()):
            report.append(f"--- {rel}\n{s.rstrip()}")
    for k, (e, fx) in enumerate(zip(exp, fixes)):
        label = f"{e[0]}:{e[1]}:{e[2]}: {e[3]}"
        if len(fx) > 3 and fx[3] == IML_ONLY:
            report.append(f"{label}  IML-only (not visible to OCaml)")
            continue
        srcs = dict(base)
        for j, other in enumerate(fixes):
            if j != k:
                apply_fix(srcs, other)
        err, _, _, _ = compile_project(pdir, srcs, env_dir)
        if err is None:
            problems.append(f"{label}: ocamlc accepts the project with only this mistake")
            continue
        got = f"{err[0]}:{err[1]}:{err[2]}"
        kind = KIND_RE.get(e[3])
        if got != f"{e[0]}:{e[1]}:{e[2]}":
            problems.append(f"{label}: ocamlc reports at {got}: {error_text(err[3])}")
        elif kind and not re.search(kind, error_text(err[3])):
            problems.append(f"{label}: ocamlc's message does not match {e[3]}: {error_text(err[3])}")
        else:
            report.append(f"{label}  ocamlc agrees: {error_text(err[3])}")
    return problems, report


def first_line(msg):
    lines = [ln for ln in msg.split("\n") if ln.strip()]
    return lines[0] if lines else msg


def error_text(msg):
    m = re.search(r"Error: (.*)", msg, re.S)
    return " ".join(m.group(1).split()) if m else first_line(msg)


def main(argv):
    if argv and argv[0] == "translate":
        with open(argv[1], encoding="utf-8") as f:
            print(translate(f.read(), argv[1])[0])
        return 0
    show_sig = "--show-sig" in argv
    argv = [a for a in argv if a != "--show-sig"]
    if shutil.which("ocamlc") is None:
        print("ocaml_check: ocamlc not found (apt-get install -y ocaml-nox)", file=sys.stderr)
        return 2
    dirs = argv or sorted(os.path.join(PROJECTS, d) for d in os.listdir(PROJECTS)
                          if os.path.isdir(os.path.join(PROJECTS, d)))
    env_dir = tempfile.mkdtemp(prefix="imlocaml")
    failed = 0
    try:
        ocaml_env(env_dir)
        for d in dirs:
            name = os.path.basename(os.path.normpath(d))
            if name in NOT_OCAML:
                print(f"SKIP {name}: {NOT_OCAML[name]}")
                continue
            problems, report = check_project(d, env_dir, show_sig)
            print(f"{'PASS' if not problems else 'FAIL'} {name}")
            for r in report:
                print(f"    {r}")
            for p in problems:
                print(f"    PROBLEM {p}")
            failed += bool(problems)
    finally:
        shutil.rmtree(env_dir, ignore_errors=True)
    judged = [d for d in dirs if os.path.basename(os.path.normpath(d)) not in NOT_OCAML]
    print(f"ocaml_check: {len(judged) - failed}/{len(judged)} projects agree with ocamlc "
          f"{subprocess.run(['ocamlc', '-version'], capture_output=True, text=True).stdout.strip()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
