// Drives the real iml-lsp binary through the same JSON-RPC / LSP protocol
// stack VS Code uses (vscode-jsonrpc + vscode-languageserver-protocol):
// initialize, didOpen of a document with a syntax error, publishDiagnostics,
// documentSymbol, shutdown + exit.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const fs = require("node:fs");
const cp = require("node:child_process");
const rpc = require("vscode-jsonrpc/node");
const lsp = require("vscode-languageserver-protocol");

const bin = path.resolve(process.env.IML_LSP_BIN || path.join(__dirname, "..", "..", "..", "build", "iml-lsp"));
const URI = "file:///tmp/iml-vscode-protocol-test/sample.iml";
const TEXT = [
  "let f x = x + 1",
  "",
  "theorem f_pos x = x > 0 ==> f x > 1",
  "",
  "let g = (f 1",
  "",
].join("\n");

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

function flattenSymbols(syms, out = []) {
  for (const s of syms || []) {
    out.push(s.name);
    if (s.children) flattenSymbols(s.children, out);
  }
  return out;
}

test("iml-lsp over vscode-languageserver-protocol", { timeout: 30000 }, async () => {
  assert.ok(fs.existsSync(bin), `server binary not found: ${bin} (set IML_LSP_BIN)`);
  console.log(`# server: ${bin}`);
  const child = cp.spawn(bin, ["--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));

  const conn = rpc.createMessageConnection(
    new rpc.StreamMessageReader(child.stdout),
    new rpc.StreamMessageWriter(child.stdin),
  );
  const diagnostics = new Promise((resolve) => {
    conn.onNotification(lsp.PublishDiagnosticsNotification.type, (p) => {
      if (p.uri === URI) resolve(p);
    });
  });
  conn.listen();

  try {
    const init = await withTimeout(
      conn.sendRequest(lsp.InitializeRequest.type, {
        processId: process.pid,
        rootUri: null,
        capabilities: {
          textDocument: {
            documentSymbol: { hierarchicalDocumentSymbolSupport: true },
            publishDiagnostics: { relatedInformation: true },
          },
        },
        initializationOptions: { queryThreads: 1, backgroundThreads: 1, includePaths: [] },
        workspaceFolders: null,
      }),
      10000,
      "initialize",
    );
    const caps = init.capabilities;
    assert.ok(caps.textDocumentSync !== undefined, "server advertises textDocumentSync");
    assert.ok(caps.documentSymbolProvider, "server advertises documentSymbolProvider");
    assert.ok(caps.foldingRangeProvider, "server advertises foldingRangeProvider");
    assert.ok(caps.selectionRangeProvider, "server advertises selectionRangeProvider");
    console.log(`# checked: initialize -> ${init.serverInfo ? init.serverInfo.name + " " + (init.serverInfo.version || "") : "server"}, capabilities ok`);
    await conn.sendNotification(lsp.InitializedNotification.type, {});

    await conn.sendNotification(lsp.DidOpenTextDocumentNotification.type, {
      textDocument: { uri: URI, languageId: "iml", version: 1, text: TEXT },
    });
    const diag = await withTimeout(diagnostics, 10000, "publishDiagnostics");
    assert.equal(diag.diagnostics.length, 1, `expected 1 diagnostic, got ${JSON.stringify(diag.diagnostics)}`);
    const d = diag.diagnostics[0];
    assert.ok(["E0001", "E0002"].includes(String(d.code)), `unexpected code ${d.code}`);
    assert.equal(d.severity, lsp.DiagnosticSeverity.Error);
    assert.equal(d.range.start.line, 4, "diagnostic is on the line with the unclosed paren");
    console.log(`# checked: publishDiagnostics -> 1 diagnostic ${d.code} at ${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`);

    const syms = await withTimeout(
      conn.sendRequest(lsp.DocumentSymbolRequest.type, { textDocument: { uri: URI } }),
      10000,
      "documentSymbol",
    );
    const names = flattenSymbols(syms);
    for (const want of ["f", "f_pos", "g"]) {
      assert.ok(names.includes(want), `documentSymbol lacks ${want}: ${JSON.stringify(names)}`);
    }
    console.log(`# checked: documentSymbol -> ${names.join(", ")}`);

    const folds = await withTimeout(
      conn.sendRequest(lsp.FoldingRangeRequest.type, { textDocument: { uri: URI } }),
      10000,
      "foldingRange",
    );
    assert.ok(Array.isArray(folds), "foldingRange returns an array");
    const sel = await withTimeout(
      conn.sendRequest(lsp.SelectionRangeRequest.type, {
        textDocument: { uri: URI },
        positions: [{ line: 0, character: 10 }],
      }),
      10000,
      "selectionRange",
    );
    assert.ok(Array.isArray(sel) && sel.length === 1 && sel[0].range, "selectionRange returns one range");
    console.log(`# checked: foldingRange (${folds.length} ranges), selectionRange`);

    await withTimeout(conn.sendRequest(lsp.ShutdownRequest.type), 10000, "shutdown");
    await conn.sendNotification(lsp.ExitNotification.type);
    const { code, signal } = await withTimeout(exited, 10000, "server exit");
    assert.equal(signal, null, `server killed by ${signal}; stderr: ${stderr}`);
    assert.equal(code, 0, `server exit code ${code}; stderr: ${stderr}`);
    console.log("# checked: shutdown + exit -> exit code 0");
  } finally {
    conn.dispose();
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
});
