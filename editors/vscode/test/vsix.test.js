// Checks the packaged .vsix: expected files present, no node_modules, and a
// manifest with the contributions the extension relies on.  A .vsix is a zip;
// a tiny central-directory reader avoids depending on an unzip binary.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");

const root = path.resolve(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const vsixPath = path.join(root, `${pkg.name}-${pkg.version}.vsix`);

/* Returns Map name -> {method, compSize, localOffset} from the central directory. */
function readZipDirectory(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  assert.ok(eocd >= 0, "end of central directory record not found: not a zip file");
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let n = 0; n < count; n++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, "bad central directory entry");
    const method = buf.readUInt16LE(p + 10);
    const compSize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen);
    entries.set(name, { method, compSize, localOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function readEntry(buf, e) {
  assert.equal(buf.readUInt32LE(e.localOffset), 0x04034b50, "bad local header");
  const nameLen = buf.readUInt16LE(e.localOffset + 26);
  const extraLen = buf.readUInt16LE(e.localOffset + 28);
  const start = e.localOffset + 30 + nameLen + extraLen;
  const data = buf.subarray(start, start + e.compSize);
  if (e.method === 0) return data;
  assert.equal(e.method, 8, `unsupported zip method ${e.method}`);
  return zlib.inflateRawSync(data);
}

test("vsix contents and manifest", { timeout: 30000 }, () => {
  assert.ok(fs.existsSync(vsixPath), `${vsixPath} missing: run npm run package first`);
  const buf = fs.readFileSync(vsixPath);
  const entries = readZipDirectory(buf);
  const names = [...entries.keys()];
  console.log(`# ${path.basename(vsixPath)}: ${names.length} entries: ${names.join(", ")}`);

  for (const want of [
    "extension/package.json",
    "extension/dist/extension.js",
    "extension/syntaxes/iml.tmLanguage.json",
    "extension/language-configuration.json",
  ]) {
    assert.ok(entries.has(want), `vsix lacks ${want}`);
  }
  for (const n of names) {
    assert.ok(!/(^|\/)node_modules\//.test(n), `vsix must not contain node_modules: ${n}`);
    assert.ok(!/^extension\/(src|test)\//.test(n), `vsix must not contain sources/tests: ${n}`);
    assert.ok(!n.endsWith(".map"), `vsix must not contain source maps: ${n}`);
  }
  console.log("# checked: required files present, no node_modules/src/test/maps");

  const manifest = JSON.parse(readEntry(buf, entries.get("extension/package.json")).toString("utf8"));
  assert.equal(manifest.name, "iml-lsp");
  assert.equal(manifest.publisher, "iml-lsp");
  assert.equal(manifest.main, "./dist/extension.js");
  assert.equal(manifest.engines.vscode, "^1.75.0");
  const c = manifest.contributes;
  const lang = c.languages.find((l) => l.id === "iml");
  assert.ok(lang, "language iml contributed");
  assert.deepEqual(lang.extensions, [".iml"]);
  assert.equal(lang.configuration, "./language-configuration.json");
  const gram = c.grammars.find((g) => g.language === "iml");
  assert.equal(gram.scopeName, "source.iml");
  assert.equal(gram.path, "./syntaxes/iml.tmLanguage.json");
  const cmds = c.commands.map((x) => x.command).sort();
  assert.deepEqual(cmds, ["iml.restartServer", "iml.showOutput"]);
  const props = Object.keys(c.configuration.properties).sort();
  assert.deepEqual(props, [
    "iml.includePaths",
    "iml.server.args",
    "iml.server.backgroundThreads",
    "iml.server.path",
    "iml.server.queryThreads",
    "iml.trace.server",
  ]);
  assert.ok(!(manifest.activationEvents || []).some((e) => /xml/i.test(e)), "no XML activation");
  console.log(`# checked: manifest contributes language, grammar, commands ${cmds.join(", ")}, settings ${props.join(", ")}`);

  const grammar = JSON.parse(readEntry(buf, entries.get("extension/syntaxes/iml.tmLanguage.json")).toString("utf8"));
  assert.equal(grammar.scopeName, "source.iml");
  JSON.parse(readEntry(buf, entries.get("extension/language-configuration.json")).toString("utf8"));
  const js = readEntry(buf, entries.get("extension/dist/extension.js")).toString("utf8");
  assert.match(js, /require\("vscode"\)/, "bundle keeps vscode external");
  assert.ok(/\bactivate\b/.test(js), "bundle exports activate");
  console.log("# checked: grammar and language configuration parse, bundle requires external vscode");
});
