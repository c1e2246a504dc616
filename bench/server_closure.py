#!/usr/bin/env python3
"""Server-side import-closure discovery: open a file that imports every file
of a generated workspace (bench/gen_workspace.py) and time until the server
has read and parsed the whole closure (its debug log says "loads finished
(N files known)"), with 1 and with 2 background threads, in one run.

usage: bench/server_closure.py [--files 1000] [--lines 100] [--binary build/iml-lsp]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def frame(obj):
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def run(binary, root_dir, target, threads):
    log = tempfile.NamedTemporaryFile(suffix=".log", delete=False).name
    p = subprocess.Popen([binary, "--background-threads", str(threads), "--log-level", "debug",
                          "--log-file", log], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    uri = "file://" + target
    p.stdin.write(frame({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                         "params": {"capabilities": {}, "rootUri": "file://" + root_dir}}))
    p.stdin.write(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
    p.stdin.flush()
    time.sleep(0.2)  # let the server start its pools
    t0 = time.perf_counter()
    p.stdin.write(frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": uri, "languageId": "iml", "version": 1, "text": open(target).read()}}}))
    p.stdin.flush()
    known = None
    while time.perf_counter() - t0 < 120:
        m = re.search(r"loads finished \((\d+) files known\)", open(log).read())
        if m:
            known = int(m.group(1))
            break
        time.sleep(0.002)
    elapsed = time.perf_counter() - t0
    p.stdin.write(frame({"jsonrpc": "2.0", "id": 1, "method": "shutdown"}))
    p.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
    p.stdin.close()
    p.wait(timeout=60)
    os.unlink(log)
    if known is None:
        sys.exit("the server never finished loading the closure")
    return known, elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--lines", type=int, default=100)
    ap.add_argument("--binary", default=os.path.join(HERE, "..", "build", "iml-lsp"))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, os.path.join(HERE, "gen_workspace.py"), d, "--files", str(a.files),
                        "--lines", str(a.lines)], check=True, stdout=subprocess.DEVNULL)
        d = os.path.realpath(d)
        files = sorted(os.path.relpath(os.path.join(dp, f), d) for dp, _, fs in os.walk(d) for f in fs
                       if f.endswith(".iml"))
        last = os.path.join(d, "all.iml")
        with open(last, "w") as f:
            f.write("".join(f'[@@@import "{rel}"]\n' for rel in files))
        results = {}
        for threads in (1, 2):
            known, t = run(a.binary, d, last, threads)
            results[threads] = t
            print(f"background threads {threads}: closure of {known} files loaded in {t:.3f} s "
                  f"({known / t:.0f} files/s)")
        print(f"speed-up 2 threads over 1: {results[1] / results[2]:.2f}x")


if __name__ == "__main__":
    main()
