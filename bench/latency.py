#!/usr/bin/env python3
"""Round-trip latency of textDocument/documentSymbol on a generated file.

Spawns build/iml-lsp, opens a LINES-line file, waits for its diagnostics,
then sends REQUESTS documentSymbol requests one after another and prints
p50/p99/max latency. With --under-edits, every request is preceded by an
edit elsewhere in the file (so a re-parse runs on the background pool while
the query is answered from the newest snapshot).

usage: bench/latency.py [--lines 2000] [--requests 1000] [--under-edits] [--binary build/iml-lsp]
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gen_iml import item  # noqa: E402
import random  # noqa: E402


def frame(obj):
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Client:
    def __init__(self, binary):
        self.p = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL)
        self.buf = b""

    def send(self, obj):
        self.p.stdin.write(frame(obj))
        self.p.stdin.flush()

    def recv(self):
        while True:
            i = self.buf.find(b"\r\n\r\n")
            if i >= 0:
                hdr = self.buf[:i].decode()
                n = int([l for l in hdr.split("\r\n") if l.lower().startswith("content-length")][0].split(":")[1])
                if len(self.buf) >= i + 4 + n:
                    body = self.buf[i + 4:i + 4 + n]
                    self.buf = self.buf[i + 4 + n:]
                    return json.loads(body)
            chunk = os.read(self.p.stdout.fileno(), 1 << 16)
            if not chunk:
                raise EOFError("server closed stdout")
            self.buf += chunk

    def wait(self, pred):
        while True:
            m = self.recv()
            if pred(m):
                return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=2000)
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--under-edits", action="store_true")
    ap.add_argument("--binary", default=os.path.join(HERE, "..", "build", "iml-lsp"))
    a = ap.parse_args()
    r = random.Random(1)
    parts, n, i = [], 0, 0
    while n < a.lines:
        s = item(r, i) + "\n"
        parts.append(s)
        n += s.count("\n")
        i += 1
    text = "".join(parts)
    c = Client(a.binary)
    c.send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"capabilities": {}}})
    c.wait(lambda m: m.get("id") == 0)
    c.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    uri = "file:///bench/latency.iml"
    c.send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "iml", "version": 1, "text": text}}})
    c.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    lat, version, modified = [], 1, 0
    for k in range(a.requests):
        if a.under_edits:
            version += 1
            line = (k * 7) % a.lines
            c.send({"jsonrpc": "2.0", "method": "textDocument/didChange",
                    "params": {"textDocument": {"uri": uri, "version": version},
                               "contentChanges": [{"range": {"start": {"line": line, "character": 0},
                                                             "end": {"line": line, "character": 0}},
                                                   "text": " "}]}})
        rid = k + 1
        t0 = time.perf_counter()
        c.send({"jsonrpc": "2.0", "id": rid, "method": "textDocument/documentSymbol",
                "params": {"textDocument": {"uri": uri}}})
        m = c.wait(lambda m: m.get("id") == rid)
        lat.append(time.perf_counter() - t0)
        if "error" in m:
            modified += 1
    c.send({"jsonrpc": "2.0", "id": 10 ** 9, "method": "shutdown"})
    c.wait(lambda m: m.get("id") == 10 ** 9)
    c.send({"jsonrpc": "2.0", "method": "exit"})
    c.p.wait(timeout=10)
    lat.sort()
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1e3
    print(f"documentSymbol on {a.lines} lines ({len(text)} bytes), {a.requests} requests"
          f"{' under edits' if a.under_edits else ''}: p50 {pct(0.50):.2f} ms, p99 {pct(0.99):.2f} ms,"
          f" max {lat[-1] * 1e3:.2f} ms; errors (ContentModified) {modified}; exit {c.p.returncode}")


if __name__ == "__main__":
    main()
