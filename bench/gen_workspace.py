#!/usr/bin/env python3
"""Generate a synthetic IML workspace (deterministic by seed).

Files are spread over directories of --per-dir files; file i imports up to
--imports earlier files (so the graph is acyclic) by relative path, and holds
about --lines lines of realistic IML (bench/gen_iml.py's items).

usage: bench/gen_workspace.py OUT_DIR [--files 1000] [--lines 100]
       [--imports 3] [--per-dir 50] [--seed 1]
"""
import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_iml import item  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--lines", type=int, default=100)
    ap.add_argument("--imports", type=int, default=3)
    ap.add_argument("--per-dir", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    r = random.Random(a.seed)
    rel = [f"d{i // a.per_dir:03d}/f{i:05d}.iml" for i in range(a.files)]
    total = 0
    for i, path in enumerate(rel):
        full = os.path.join(a.out, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        targets = sorted(set(r.randrange(i) for _ in range(a.imports))) if i else []
        lines = [f"(* {path}: generated *)"]
        for t in targets:
            lines.append(f'[@@@import "{os.path.relpath(rel[t], os.path.dirname(path))}"]')
        text = "\n".join(lines) + "\n"
        n, k = len(lines), 0
        while n < a.lines:
            s = item(r, i * 1000 + k) + "\n"
            text += s
            n += s.count("\n")
            k += 1
        with open(full, "w") as f:
            f.write(text)
        total += len(text)
    print(f"{a.files} files, {total} bytes in {a.out}")


if __name__ == "__main__":
    main()
