// The XML-vs-IML decision for ".iml" files (src/xmlDetect.ts), compiled on the
// fly with esbuild so it runs in plain Node without the vscode API.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");

function load() {
  const src = fs.readFileSync(path.join(__dirname, "..", "src", "xmlDetect.ts"), "utf8");
  const { code } = esbuild.transformSync(src, { loader: "ts", format: "cjs" });
  const mod = { exports: {} };
  new Function("module", "exports", code)(mod, mod.exports);
  return mod.exports;
}

test("IntelliJ XML module files are recognised, IML sources are not", { timeout: 10000 }, () => {
  const { isXmlModuleText } = load();
  const xml = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '\ufeff<?xml version="1.0"?>',
    '  <?xml version="1.0"?>',
    '<module type="JAVA_MODULE" version="4">',
    "<module>",
  ];
  const iml = [
    "(* <?xml is not special inside a comment *)",
    "let module_ = 1",
    '[@@@import "foo.iml"]',
    "module M = struct end",
    "<modules>",
    "",
  ];
  for (const l of xml) assert.equal(isXmlModuleText(l), true, `should be XML: ${JSON.stringify(l)}`);
  for (const l of iml) assert.equal(isXmlModuleText(l), false, `should be IML: ${JSON.stringify(l)}`);
  console.log(`# checked: ${xml.length} XML first lines detected, ${iml.length} IML first lines left alone`);
});
