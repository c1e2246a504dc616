#!/usr/bin/env python3
"""Edit storm: N incremental edits sent back to back on a large file.

Prints wall time until the diagnostics of the final version arrive, the
server's CPU time (from /proc), and how many diagnostics notifications were
published: with stale work cancelled, CPU stays far below N full re-parses.

usage: bench/edit_storm.py FILE [EDITS] [--binary build/iml-lsp]
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def frame(obj):
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    binary = os.path.join(HERE, "..", "build", "iml-lsp")
    if "--binary" in sys.argv:
        binary = sys.argv[sys.argv.index("--binary") + 1]
        args = [a for a in args if a != binary]
    path = args[0]
    edits = int(args[1]) if len(args) > 1 else 500
    text = open(path).read()
    p = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    buf = b""

    def recv():
        nonlocal buf
        while True:
            i = buf.find(b"\r\n\r\n")
            if i >= 0:
                n = int(buf[:i].split(b":")[1])
                if len(buf) >= i + 4 + n:
                    m = json.loads(buf[i + 4:i + 4 + n])
                    buf = buf[i + 4 + n:]
                    return m
            chunk = os.read(p.stdout.fileno(), 1 << 16)
            if not chunk:
                raise EOFError
            buf += chunk

    def send(o):
        p.stdin.write(frame(o))
        p.stdin.flush()

    send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"capabilities": {}}})
    while recv().get("id") != 0:
        pass
    uri = "file:///storm.iml"
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
          "params": {"textDocument": {"uri": uri, "languageId": "iml", "version": 1, "text": text}}})
    while recv().get("method") != "textDocument/publishDiagnostics":
        pass

    def cpu():
        with open(f"/proc/{p.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    c0, t0 = cpu(), time.perf_counter()
    lines = text.count("\n")
    for v in range(2, edits + 2):
        line = (v * 37) % max(lines, 1)
        send({"jsonrpc": "2.0", "method": "textDocument/didChange",
              "params": {"textDocument": {"uri": uri, "version": v},
                         "contentChanges": [{"range": {"start": {"line": line, "character": 0},
                                                       "end": {"line": line, "character": 0}}, "text": " "}]}})
    published = 0
    while True:
        m = recv()
        if m.get("method") == "textDocument/publishDiagnostics":
            published += 1
            if m["params"].get("version") == edits + 1:
                break
    wall, used = time.perf_counter() - t0, cpu() - c0
    send({"jsonrpc": "2.0", "id": 9, "method": "shutdown"})
    while recv().get("id") != 9:
        pass
    send({"jsonrpc": "2.0", "method": "exit"})
    p.wait(timeout=30)
    print(f"edit storm: {edits} edits on {path} ({len(text)} bytes): final diagnostics after {wall:.2f} s wall, "
          f"server CPU {used:.2f} s, {published} diagnostics published (stale versions dropped), exit {p.returncode}")


if __name__ == "__main__":
    main()
