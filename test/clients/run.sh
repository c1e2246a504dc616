#!/usr/bin/env bash
# Real-client tests: Neovim (built-in LSP client) and Emacs (eglot) against
# the built server: syntax diagnostics, symbols, and a missing import
# that clears when the user creates the file. usage: test/clients/run.sh nvim|emacs BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
which=$1
bin=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
editors=$(cd "$here/../../editors" && pwd)
cp "$here/sample.iml" "$tmp/sample.iml"
printf '<?xml version="1.0" encoding="UTF-8"?>\n<module type="JAVA_MODULE" version="4">\n</module>\n' > "$tmp/intellij.iml"
# An importer whose import is missing until the test creates helper.iml.
printf '[@@@import "helper.iml"]\nlet y = Helper.x + 1\n' > "$tmp/main.iml"
export IML_LSP_BIN=$bin IML_TEST_FILE=$tmp/sample.iml IML_TEST_XML=$tmp/intellij.iml HOME=$tmp
export IML_TEST_IMPORTER=$tmp/main.iml IML_TEST_MISSING=$tmp/helper.iml
export IML_NVIM_PLUGIN=$editors/neovim IML_EMACS_DIR=$editors/emacs
case "$which" in
  nvim)
    command -v nvim >/dev/null || { echo "nvim not installed"; exit 1; }
    timeout 90 nvim --headless -u NONE -i NONE -n -S "$here/nvim_syntax.lua" </dev/null ;;
  emacs)
    command -v emacs >/dev/null || { echo "emacs not installed"; exit 1; }
    timeout 90 emacs --batch -Q -l "${IML_EMACS_TEST:-$here/emacs_syntax.el}" </dev/null ;;
  *) echo "usage: $0 nvim|emacs BINARY"; exit 2 ;;
esac
