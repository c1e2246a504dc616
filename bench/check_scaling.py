#!/usr/bin/env python3
"""Cold `iml-lsp check` of a generated workspace with -j1 and -jN, in one run.

Prints wall time (best of --runs), files/s, MB/s and the -jN/-j1 speed-up.

usage: bench/check_scaling.py [--files 1000] [--lines 100] [--jobs N] [--runs 3]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def best(cmd, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - t0)
        if p.returncode not in (0, 1):
            sys.exit(f"{cmd} failed: {p.stderr.decode()}")
    return min(times), p.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--lines", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--binary", default=os.path.join(HERE, "..", "build", "iml-lsp"))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, os.path.join(HERE, "gen_workspace.py"), d, "--files", str(a.files),
                        "--lines", str(a.lines)], check=True, stdout=subprocess.DEVNULL)
        size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)
        t1, rc1 = best([a.binary, "check", "-j1", d], a.runs)
        tn, rcn = best([a.binary, "check", f"-j{a.jobs}", d], a.runs)
    for name, t, rc in (("-j1", t1, rc1), (f"-j{a.jobs}", tn, rcn)):
        print(f"check {name}: {t:.3f} s, {a.files / t:.0f} files/s, {size / t / 1e6:.1f} MB/s (exit {rc})")
    print(f"speed-up -j{a.jobs} / -j1: {t1 / tn:.2f}x ({a.files} files x {a.lines} lines, {size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
