#!/usr/bin/env python3
"""Verify the expectations of test/data/typeck/{infer,errors}.txt with OCaml.

    verify_ocaml.py [--keep DIR] [infer|errors|all] [FILTER]

Exit 0 when OCaml agrees with every case it can judge, 1 otherwise, 2 when
ocamlc is missing (Debian: apt-get install -y ocaml-nox). No network.
FILTER (a substring) restricts the run to cases whose description has it.

What is checked. Every case whose description does not start with `[iml]`
is compiled by `ocamlc -i` against IML's own prelude:

  - analysis/prelude.iml is translated to OCaml by test/prelude/
    prelude_check.py (the same rewrite the prelude's own OCaml test uses:
    predefined types dropped, theorem/lemma/axiom -> let, externals kept)
    and compiled with -nopervasives -nostdlib to prelude.cmi;
  - each case is translated the same way (theorem/lemma/axiom at the start
    of a line -> `let` padded to the same length, so columns are kept) and
    typed with `ocamlc -nopervasives -nostdlib -open Prelude -i`, so names
    like `<`, `compare`, `List.nth` or `Map.get` have IML's types, not
    OCaml's Stdlib ones.

infer.txt: ocamlc must accept the case and print, for the top-level values
(`val` items of the outermost signature, in order, continuation lines
joined, `Prelude.` removed from type paths), exactly the expected lines.

errors.txt: ocamlc must reject the case; its error (location and message,
the first one: OCaml stops there) must equal the first expected diagnostic
of a type-checking code (E03xx): same `LINE:COL-LINE:COL` (OCaml prints
0-based characters, converted here), same message up to white space (OCaml
wraps long messages; the table writes one line, `\\n` between sentences).

Cases OCaml cannot judge start with `[iml]`: real literals, `==>`/`<==`/
`<==>` (OCaml gives them `=`'s precedence), `verify`/`instance`/`eval`,
spec-form errors, IML-only errors (lowering E02xx) and cases where IML's
wording has no OCaml counterpart. The script refuses a case that is not
marked `[iml]` but contains one of those constructs.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
ROOT = os.path.abspath(os.path.join(DATA, "..", "..", ".."))
PRELUDE = os.path.join(ROOT, "analysis", "prelude.iml")
sys.path.insert(0, os.path.join(ROOT, "test", "prelude"))


def load_table(path):
    """Cases as dicts: desc, prog, expected (list of lines), line."""
    cases = []
    state = "out"
    cur = None
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for no, line in enumerate(lines + [None], 1):
        blank = line is None or line == ""
        header = line is not None and line.startswith("== ")
        if state == "exp" and (blank or header):
            cases.append(cur)
            state = "out"
        if line is None:
            if state != "out":
                raise SystemExit(f"{path}:{cur['line']}: case without `--`")
            break
        if state == "out":
            if header:
                cur = {"desc": line[3:], "prog": [], "expected": [], "line": no}
                state = "prog"
            elif not (blank or line.startswith("#")):
                raise SystemExit(f"{path}:{no}: text outside a case")
        elif state == "prog":
            if header:
                raise SystemExit(f"{path}:{cur['line']}: case without `--`")
            if line == "--":
                state = "exp"
            else:
                cur["prog"].append(line)
        else:
            cur["expected"].append(line)
    return cases


IML_ONLY = [
    (re.compile(r"(?<![\w.'])\d[\d_]*\.(?![\w(])|\d\.\d"), "a real literal"),
    (re.compile(r"==>|<==>|<=="), "an IML implication"),
    (re.compile(r"^\s*(verify|instance|eval|test|qcheck)\b", re.M), "an IML statement"),
]


def translate(prog):
    out = []
    for line in prog:
        m = re.match(r"^(\s*)(theorem|lemma|axiom)\b", line)
        if m:
            line = m.group(1) + "let".ljust(len(m.group(2))) + line[m.end():]
        out.append(line)
    return "\n".join(out) + "\n"


def iml_only_reason(prog):
    text = "\n".join(prog)
    # Ignore strings and comments for the detection.
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    text = re.sub(r"\(\*.*?\*\)", "", text, flags=re.S)
    for rx, why in IML_ONLY:
        if rx.search(text):
            return why
    return None


def build_prelude(tmp):
    import prelude_check  # test/prelude/prelude_check.py
    with open(PRELUDE, encoding="utf-8") as f:
        ml = prelude_check.to_ml(f.read())
    with open(os.path.join(tmp, "prelude.ml"), "w", encoding="utf-8") as f:
        f.write(ml)
    r = subprocess.run(["ocamlc", "-nopervasives", "-nostdlib", "-stop-after", "typing", "-c", "prelude.ml"],
                       cwd=tmp, capture_output=True, text=True)
    if not os.path.exists(os.path.join(tmp, "prelude.cmi")):
        raise SystemExit("verify_ocaml: the prelude does not compile with ocamlc:\n" + r.stderr)


def ocamlc_i(tmp, prog):
    src = os.path.join(tmp, "case.ml")
    with open(src, "w", encoding="utf-8") as f:
        f.write(translate(prog))
    r = subprocess.run(["ocamlc", "-nopervasives", "-nostdlib", "-I", ".", "-open", "Prelude", "-w", "-a",
                        "-i", "case.ml"], cwd=tmp, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def top_level_vals(sig_text):
    """The `val` items of the outermost signature, continuation lines joined."""
    items = []
    for line in sig_text.split("\n"):
        if not line.strip():
            continue
        if line[0] != " ":
            items.append(line.strip())
        elif items:
            items[-1] += " " + line.strip()
    vals = []
    for it in items:
        if it.startswith("val "):
            it = re.sub(r"\s+", " ", it)
            it = re.sub(r"\bPrelude\.", "", it)
            vals.append(it)
    return vals


def parse_ocaml_error(stderr, prog):
    """(line1, col1, line2, col2, message) of OCaml's first error, 1-based,
    end exclusive, or None."""
    lines = stderr.split("\n")
    for i, line in enumerate(lines):
        m = re.match(r'File "case\.ml", lines? (\d+)(?:-(\d+))?, characters (\d+)-(\d+):', line)
        if not m:
            continue
        l1 = int(m.group(1))
        l2 = int(m.group(2)) if m.group(2) else l1
        c1, c2 = int(m.group(3)), int(m.group(4))
        msg = []
        j = i + 1
        while j < len(lines) and not lines[j].startswith("Error: "):
            j += 1
        if j == len(lines):
            return None
        msg.append(lines[j][len("Error: "):])
        j += 1
        while j < len(lines) and lines[j] and not lines[j].startswith("File "):
            msg.append(lines[j])
            j += 1
        return (l1, c1 + 1, l2, c2 + 1, " ".join(x.strip() for x in msg))
    return None


def norm_ws(s):
    return re.sub(r"\s+", " ", s).strip()


DIAG_RE = re.compile(r"^(\d+):(\d+)-(\d+):(\d+) (E\d{4}) (.*)$")


def main(argv):
    keep = None
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == "--keep":
            keep = argv[i + 1]
            i += 2
        else:
            args.append(argv[i])
            i += 1
    which = args[0] if args else "all"
    filt = args[1] if len(args) > 1 else None
    if which not in ("infer", "errors", "all"):
        print(__doc__)
        return 2
    if not shutil.which("ocamlc"):
        print("verify_ocaml: ocamlc not found (Debian: apt-get install -y ocaml-nox)", file=sys.stderr)
        return 2
    tmp = keep or tempfile.mkdtemp(prefix="verify-ocaml-")
    os.makedirs(tmp, exist_ok=True)
    try:
        build_prelude(tmp)
        fails = 0
        judged = skipped = 0
        if which in ("infer", "all"):
            path = os.path.join(DATA, "infer.txt")
            for c in load_table(path):
                if filt and filt not in c["desc"]:
                    continue
                where = f"infer.txt:{c['line']}: {c['desc']}"
                why = iml_only_reason(c["prog"])
                if c["desc"].startswith("[iml]"):
                    skipped += 1
                    continue
                if why:
                    print(f"FAIL {where}: contains {why}; mark it [iml]")
                    fails += 1
                    continue
                judged += 1
                rc, out, err = ocamlc_i(tmp, c["prog"])
                if rc != 0:
                    print(f"FAIL {where}: ocamlc rejects it:\n{err}")
                    fails += 1
                    continue
                got = top_level_vals(out)
                want = [norm_ws(x) for x in c["expected"]]
                if got != want:
                    print(f"FAIL {where}:\n  expected: " + "\n            ".join(want) +
                          "\n  ocamlc:   " + "\n            ".join(got))
                    fails += 1
        if which in ("errors", "all"):
            path = os.path.join(DATA, "errors.txt")
            for c in load_table(path):
                if filt and filt not in c["desc"]:
                    continue
                where = f"errors.txt:{c['line']}: {c['desc']}"
                why = iml_only_reason(c["prog"])
                if c["desc"].startswith("[iml]"):
                    skipped += 1
                    continue
                if why:
                    print(f"FAIL {where}: contains {why}; mark it [iml]")
                    fails += 1
                    continue
                judged += 1
                first = None
                for e in c["expected"]:
                    m = DIAG_RE.match(e)
                    if not m:
                        print(f"FAIL {where}: malformed expectation `{e}`")
                        fails += 1
                        break
                    if m.group(5).startswith("E03") and first is None:
                        first = m
                else:
                    if first is None:
                        print(f"FAIL {where}: no E03xx diagnostic expected; mark it [iml]")
                        fails += 1
                        continue
                    rc, out, err = ocamlc_i(tmp, c["prog"])
                    got = parse_ocaml_error(err, c["prog"]) if rc != 0 else None
                    if got is None:
                        print(f"FAIL {where}: ocamlc accepts it (or no error parsed):\n{out}{err}")
                        fails += 1
                        continue
                    want = (int(first.group(1)), int(first.group(2)), int(first.group(3)),
                            int(first.group(4)), norm_ws(first.group(6).replace("\\n", " ")))
                    gotn = got[:4] + (norm_ws(re.sub(r"\bPrelude\.", "", got[4])),)
                    if want != gotn:
                        print(f"FAIL {where}:\n  expected: {want[0]}:{want[1]}-{want[2]}:{want[3]} {want[4]}\n"
                              f"  ocamlc:   {gotn[0]}:{gotn[1]}-{gotn[2]}:{gotn[3]} {gotn[4]}")
                        fails += 1
        print(f"verify_ocaml: {judged} cases judged by ocamlc {subprocess.run(['ocamlc', '-version'], capture_output=True, text=True).stdout.strip()}, "
              f"{skipped} [iml] cases skipped, {fails} disagreements")
        return 1 if fails else 0
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
