#!/usr/bin/env bash
# Builds, packages and tests the VS Code extension against an iml-lsp binary.
# usage: editors/vscode/test.sh /path/to/iml-lsp
# Works from a fresh clone, without a TTY and as root.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 IML_LSP_BINARY" >&2
  exit 2
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
if [ ! -x "$bin" ]; then
  echo "$0: $bin is not an executable" >&2
  exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

export CI=${CI:-true}
export npm_config_update_notifier=false
export npm_config_fund=false
export npm_config_audit=false

step() {
  local name=$1
  shift
  local t0=$SECONDS
  echo "=== vscode: $name"
  "$@"
  echo "=== vscode: $name done in $((SECONDS - t0))s"
}

step "npm ci" npm ci --no-audit --no-fund
step "typecheck" npm run --silent typecheck
step "bundle" npm run --silent bundle
step "package" npm run --silent package
export IML_LSP_BIN="$bin"
step "test" npm test
echo "=== vscode: all steps passed"
