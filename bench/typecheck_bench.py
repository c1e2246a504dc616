#!/usr/bin/env python3
"""Type-checking benchmark, in one run (the type-checker issue's figures):

 1. generates a type-correct workspace (bench/gen_typed.py) and its OCaml
    twin in a temporary directory;
 2. cold `iml-lsp check -j1` and `-j2` (best of --runs, wall time, files/s,
    diagnostics found: a type-correct workspace must give none);
 3. `ocamlc -c -stop-after typing` on the same sources in dependency order,
    both as a build would run it (one process per file, sequential) and with
    all files on one command line; the faster of the two is the reference;
 4. the ratio ocamlc / check -j2, against the targets (-j2 under 1.0 s, at
    least 5x faster than ocamlc);
 5. edit-to-diagnostics latency through the server (build/iml-lsp over
    pipes): a file F with >= 500 transitive importers is opened together
    with a top file (top/top.iml) that imports every file nobody imports
    (so the server loads the whole workspace) and F itself, and uses
    F.weight. After the closure is loaded and the server is idle:
    (a) body-only edit of F (a constant in `size`): time from didChange to
        F's publishDiagnostics for that version (p50 / min / max of --edits);
    (b) interface-changing edit of F (`weight` returns bool instead of int):
        time to F's diagnostics, and time until the top importer's
        diagnostics show the type error on its use of F.weight; then the
        edit is reverted and the time until that error clears is printed.
        Without a type checker (probed with `iml-lsp check` on an ill-typed
        file) (b) cannot be observed: it prints n/a instead of waiting; a
        server that never reports it gives n/a after --timeout seconds.

usage: bench/typecheck_bench.py [--files 1000] [--lines 100] [--imports 3]
       [--per-dir 50] [--seed 1] [--runs 3] [--ocaml-runs 1] [--edits 5]
       [--timeout 30] [--binary build/iml-lsp] [--skip-ocaml] [--skip-server]
"""
import argparse
import json
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no bench/__pycache__
import gen_typed as gt  # noqa: E402

DIAG_LINE = re.compile(r"^\S.*:\d+:\d+: (error|warning)\[")
SIZE_LINE = re.compile(r"^  \| Circle r -> r \+ (\d+)$", re.M)
WEIGHT_LINE = re.compile(r"^let weight \(s : shape\) : int = size s \* (\d+) \+ (\d+)$", re.M)


# --------------------------------------------------------------------------
# Headless check and ocamlc.

def check_cmd(binary):
    """`iml-lsp check` for a cold run: bypass the on-disk cache if the
    binary has one (--no-cache)."""
    h = subprocess.run([binary, "check", "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    cmd = [binary, "check", "--format", "text", "--color", "never"]
    return cmd + (["--no-cache"] if b"--no-cache" in h.stdout else [])


def best_check(cmd, runs):
    """Best wall time of `runs` runs; the number of diagnostics and the exit
    status of the last run."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - t0)
        if p.returncode not in (0, 1):
            sys.exit(f"{' '.join(cmd)} failed (exit {p.returncode}): {p.stderr.decode(errors='replace')}")
    lines = p.stdout.decode(errors="replace").splitlines()
    diags = [x for x in lines if DIAG_LINE.match(x)]
    return min(times), len(diags), diags[:3], p.returncode


def clean_ocaml(ml_dir):
    for dp, _, fs in os.walk(ml_dir):
        for f in fs:
            if f.endswith((".cmi", ".cmo")):
                os.unlink(os.path.join(dp, f))


def ocaml_stop_flags():
    h = subprocess.run(["ocamlc", "-help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout
    if b"-stop-after" in h:
        return ["-stop-after", "typing"], "ocamlc -c -stop-after typing"
    return [], "ocamlc -c (this ocamlc has no -stop-after: includes code generation)"


def time_ocamlc(ml_dir, a, per_file, runs, flags):
    incs = [x for d in gt.ocaml_dirs(ml_dir, a.files, a.per_dir) for x in ("-I", d)]
    srcs = [os.path.join(ml_dir, p) for p in gt.rel_paths(a.files, a.per_dir, "ml")]
    base = ["ocamlc", "-c"] + flags + incs
    best = None
    for _ in range(runs):
        clean_ocaml(ml_dir)
        t0 = time.perf_counter()
        for cmd in ([base + [s] for s in srcs] if per_file else [base + srcs]):
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if p.returncode != 0:
                sys.exit("ocamlc rejected the generated OCaml (a generator bug):\n" + p.stdout.decode(errors="replace"))
        t = time.perf_counter() - t0
        best = t if best is None else min(best, t)
    clean_ocaml(ml_dir)
    return best


def has_type_checker(cmd):
    """Whether `iml-lsp check` reports a type error (E03xx) on an ill-typed file."""
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "probe.iml"), "w") as f:
            f.write("let x : int = true\n")
        p = subprocess.run(cmd + [d], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return b"E03" in p.stdout


# --------------------------------------------------------------------------
# The server over pipes.

def frame(obj):
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Server:
    """build/iml-lsp over pipes; a reader thread timestamps every message."""

    def __init__(self, binary, log):
        self.p = subprocess.Popen([binary, "--log-file", log, "--log-level", "debug"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.inbox = queue.Queue()
        self.seen = []  # (arrival time, message), in order
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buf = b""
        fd = self.p.stdout.fileno()
        while True:
            i = buf.find(b"\r\n\r\n")
            if i >= 0:
                n = int(re.search(rb"Content-Length: *(\d+)", buf[:i], re.I).group(1))
                if len(buf) >= i + 4 + n:
                    self.inbox.put((time.perf_counter(), json.loads(buf[i + 4:i + 4 + n])))
                    buf = buf[i + 4 + n:]
                    continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                self.inbox.put(None)
                return
            buf += chunk

    def send(self, obj):
        self.p.stdin.write(frame(obj))
        self.p.stdin.flush()

    def wait(self, pred, since, timeout):
        """The first message (time, msg) that arrived at or after `since` and
        satisfies pred, waiting up to `timeout` s; None on timeout."""
        for t, m in self.seen:
            if t >= since and pred(m):
                return t, m
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                return None
            try:
                item = self.inbox.get(timeout=left)
            except queue.Empty:
                return None
            if item is None:
                sys.exit("the server exited")
            self.seen.append(item)
            if item[0] >= since and pred(item[1]):
                return item

    def drain(self):
        while True:
            try:
                item = self.inbox.get_nowait()
            except queue.Empty:
                return
            if item is not None:
                self.seen.append(item)

    def cpu(self):
        with open(f"/proc/{self.p.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_idle(self, quiet=0.5, limit=120.0):
        """Until the server used no CPU for `quiet` s (background work done)."""
        t_end = time.perf_counter() + limit
        last, since = self.cpu(), time.perf_counter()
        while time.perf_counter() < t_end:
            time.sleep(0.05)
            self.drain()
            c = self.cpu()
            if c != last:
                last, since = c, time.perf_counter()
            elif time.perf_counter() - since >= quiet:
                return True
        return False

    def close(self):
        self.send({"jsonrpc": "2.0", "id": 999, "method": "shutdown"})
        self.wait(lambda m: m.get("id") == 999, 0, 30)
        self.send({"jsonrpc": "2.0", "method": "exit"})
        self.p.stdin.close()
        try:
            self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()


def publish_of(uri, version=None):
    def pred(m):
        if m.get("method") != "textDocument/publishDiagnostics" or m["params"].get("uri") != uri:
            return False
        return version is None or m["params"].get("version") == version
    return pred


def type_errors_on(diags, line):
    return [d for d in diags if str(d.get("code", "")).startswith("E03") and d["range"]["start"]["line"] == line]


def line_edit(text, lineno, new_line):
    """(LSP range edit replacing line `lineno`'s content, new text)."""
    lines = text.split("\n")
    change = {"range": {"start": {"line": lineno, "character": 0},
                        "end": {"line": lineno, "character": len(lines[lineno])}}, "text": new_line}
    lines[lineno] = new_line
    return change, "\n".join(lines)


def line_of(text, offset):
    return text.count("\n", 0, offset)


def importers(graph):
    """up[i]: bitset of the files that import file i, directly or not."""
    up = [0] * len(graph)
    for i in reversed(range(len(graph))):  # importers of t have larger indices
        for t in graph[i]:
            up[t] |= up[i] | (1 << i)
    return up


def ms(t):
    return f"{t * 1000:.1f} ms"


def server_latency(a, ws, graph, typed):
    rel = gt.rel_paths(a.files, a.per_dir)
    up = importers(graph)
    counts = [bin(x).count("1") for x in up]
    want = 500
    cands = [i for i in range(a.files) if counts[i] >= want]
    f = max(cands) if cands else max(range(a.files), key=lambda i: counts[i])
    direct = sum(1 for g in graph if f in g)
    roots = [i for i in range(a.files) if up[i] == 0]
    fmod = gt.module_name(f)
    fpath = os.path.join(ws, rel[f])
    top = os.path.join(ws, "top", "top.iml")
    os.makedirs(os.path.dirname(top), exist_ok=True)
    use = f"let top_score : int = {fmod}.weight ({fmod}.Circle 2) + 1"
    lines = ["(* top/top.iml: imports every file nobody imports, and F *)"]
    lines += [f'[@@@import "../{rel[i]}"]' for i in sorted(set(roots + [f]))]
    lines += ["", use, ""]
    top_text = "\n".join(lines)
    with open(top, "w") as fh:
        fh.write(top_text)
    use_line = len(lines) - 2
    print(f"server: F = {rel[f]} ({counts[f]} transitive importers, {direct} direct); "
          f"top/top.iml imports {len(roots)} unimported files and F, uses {fmod}.weight")

    ftext = open(fpath).read()
    furi, turi = "file://" + fpath, "file://" + top
    log = tempfile.NamedTemporaryFile(suffix=".log", delete=False).name
    s = Server(a.binary, log)
    try:
        s.send({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                "params": {"capabilities": {}, "rootUri": "file://" + ws}})
        if not s.wait(lambda m: m.get("id") == 0, 0, 30):
            sys.exit("no initialize response")
        s.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        t0 = time.perf_counter()
        for uri, text in ((turi, top_text), (furi, ftext)):
            s.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
                "textDocument": {"uri": uri, "languageId": "iml", "version": 1, "text": text}}})
        known = None
        while time.perf_counter() - t0 < 120:
            s.drain()
            mm = re.findall(r"loads finished \((\d+) files known\)", open(log).read())
            if mm and int(mm[-1]) >= a.files + 1:
                known = int(mm[-1])
                break
            time.sleep(0.01)
        t_loaded = time.perf_counter() - t0
        if known is None:
            sys.exit("the server did not load the whole closure within 120 s")
        s.wait_idle()
        t_idle = time.perf_counter() - t0 - 0.5
        print(f"server: closure of {known} files loaded after {t_loaded:.2f} s, idle after {t_idle:.2f} s")

        # (a) body-only edits: a constant in `size`.
        version, lat, top_pubs, ndiag = 1, [], 0, 0
        for k in range(a.edits):
            m = SIZE_LINE.search(ftext)
            version += 1
            change, ftext = line_edit(ftext, line_of(ftext, m.start()), f"  | Circle r -> r + {4 + k % 5}")
            t = time.perf_counter()
            s.send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": furi, "version": version}, "contentChanges": [change]}})
            got = s.wait(publish_of(furi, version), t, a.timeout)
            if not got:
                sys.exit(f"(a): no diagnostics for version {version} of F within {a.timeout} s")
            lat.append(got[0] - t)
            ndiag = len(got[1]["params"]["diagnostics"])
            s.wait_idle(quiet=0.3)
            top_pubs += sum(1 for tt, mm in s.seen if tt >= t and publish_of(turi)(mm))
        print(f"(a) body-only edit of F: F's diagnostics after {ms(statistics.median(lat))} p50 "
              f"(min {ms(min(lat))}, max {ms(max(lat))}, {len(lat)} edits; {ndiag} diagnostics in F); "
              f"top importer re-published {top_pubs} time(s)")

        # (b) interface-changing edit: weight : shape -> bool.
        m = WEIGHT_LINE.search(ftext)
        wline = line_of(ftext, m.start())
        orig = m.group(0)
        version += 1
        change, ftext = line_edit(ftext, wline, f"let weight (s : shape) : bool = size s * {m.group(1)} > {m.group(2)}")
        t = time.perf_counter()
        s.send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": furi, "version": version}, "contentChanges": [change]}})
        got = s.wait(publish_of(furi, version), t, a.timeout)
        f_lat = ms(got[0] - t) if got else f"none within {a.timeout:.0f} s"
        f_nd = len(got[1]["params"]["diagnostics"]) if got else 0
        if not typed:
            print(f"(b) interface-changing edit of F: F's diagnostics after {f_lat} ({f_nd} diagnostics); "
                  f"top importer: n/a (no type errors reported yet)")
            return
        got = s.wait(lambda mm: publish_of(turi)(mm) and type_errors_on(mm["params"]["diagnostics"], use_line),
                     t, a.timeout)
        if not got:
            print(f"(b) interface-changing edit of F: F's diagnostics after {f_lat} ({f_nd} diagnostics); "
                  f"top importer: n/a (no type error reported within {a.timeout:.0f} s)")
            return
        err = type_errors_on(got[1]["params"]["diagnostics"], use_line)[0]
        print(f"(b) interface-changing edit of F: F's diagnostics after {f_lat} ({f_nd} diagnostics); "
              f"top importer's type error after {ms(got[0] - t)}: [{err.get('code')}] {err.get('message')}")
        s.wait_idle(quiet=0.3)
        version += 1
        change, ftext = line_edit(ftext, wline, orig)
        t = time.perf_counter()
        s.send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": furi, "version": version}, "contentChanges": [change]}})
        got = s.wait(lambda mm: publish_of(turi)(mm) and not type_errors_on(mm["params"]["diagnostics"], use_line),
                     t, a.timeout)
        print("    reverting it: top importer's error cleared after "
              + (ms(got[0] - t) if got else f"n/a (not within {a.timeout:.0f} s)"))
    finally:
        s.close()
        os.unlink(log)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--lines", type=int, default=100)
    ap.add_argument("--imports", type=int, default=3)
    ap.add_argument("--per-dir", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3, help="runs of each check (best is printed)")
    ap.add_argument("--ocaml-runs", type=int, default=1, help="runs of each ocamlc mode (best is printed)")
    ap.add_argument("--edits", type=int, default=5, help="body-only edits for (a)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a diagnostic")
    ap.add_argument("--binary", default=os.path.join(HERE, "..", "build", "iml-lsp"))
    ap.add_argument("--skip-ocaml", action="store_true")
    ap.add_argument("--skip-server", action="store_true")
    a = ap.parse_args()
    a.binary = os.path.abspath(a.binary)
    if not os.access(a.binary, os.X_OK):
        sys.exit(f"{a.binary} not found: build it first (scripts/build.sh)")
    if not a.skip_ocaml and not shutil.which("ocamlc"):
        sys.exit("ocamlc not found (Debian: apt-get install ocaml-nox), or pass --skip-ocaml")
    cmd = check_cmd(a.binary)
    with tempfile.TemporaryDirectory() as d:
        d = os.path.realpath(d)
        ws, ml = os.path.join(d, "iml"), os.path.join(d, "ml")
        size = gt.write_tree(ws, a, False)
        gt.write_tree(ml, a, True)
        nlines = sum(open(os.path.join(ws, p)).read().count("\n") for p in gt.rel_paths(a.files, a.per_dir))
        print(f"workspace: {a.files} files, {nlines} lines, {size / 1e6:.2f} MB (bench/gen_typed.py, seed {a.seed})")

        t1, n1, ex1, rc1 = best_check(cmd + ["-j1", ws], a.runs)
        t2, n2, ex2, rc2 = best_check(cmd + ["-j2", ws], a.runs)
        for name, t, n, ex, rc in (("-j1", t1, n1, ex1, rc1), ("-j2", t2, n2, ex2, rc2)):
            print(f"check {name}: {t:.3f} s, {a.files / t:.0f} files/s, {nlines / t / 1000:.0f} klines/s, "
                  f"{n} diagnostics (expected 0), exit {rc} (best of {a.runs}, cold)")
            for x in ex:
                print(f"    e.g. {x}")
        print(f"speed-up -j2 / -j1: {t1 / t2:.2f}x")

        if not a.skip_ocaml:
            flags, what = ocaml_stop_flags()
            tp = time_ocamlc(ml, a, True, a.ocaml_runs, flags)
            to = time_ocamlc(ml, a, False, a.ocaml_runs, flags)
            print(f"{what}, dependency order, one process per file: {tp:.3f} s ({a.files / tp:.0f} files/s)")
            print(f"{what}, dependency order, all files in one command: {to:.3f} s ({a.files / to:.0f} files/s)")
            ref, which = (to, "one command") if to <= tp else (tp, "one process per file")
            ratio = ref / t2
            print(f"ratio ocamlc ({which}, the faster) / check -j2: {ratio:.1f}x")
            print(f"targets: check -j2 under 1.0 s: {'met' if t2 < 1.0 else 'MISSED'} ({t2:.3f} s); "
                  f"at least 5x faster than ocamlc: {'met' if ratio >= 5 else 'MISSED'} ({ratio:.1f}x)")
        else:
            print(f"target: check -j2 under 1.0 s: {'met' if t2 < 1.0 else 'MISSED'} ({t2:.3f} s)")

        if not a.skip_server:
            typed = has_type_checker(cmd)
            if not typed:
                print("note: `iml-lsp check` reports no type error on an ill-typed probe: no type checker yet")
            server_latency(a, ws, gt.import_graph(a.files, a.imports, a.seed), typed)


if __name__ == "__main__":
    main()
