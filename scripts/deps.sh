#!/usr/bin/env bash
# Install what iml-lsp needs on Debian 12, only if something is missing.
# Usage: scripts/deps.sh [--test]   (--test adds the test-only tools)
set -euo pipefail
pkgs=(build-essential cmake pkg-config nodejs npm libtree-sitter-dev libev-dev libcjson-dev zlib1g-dev)
if [ "${1:-}" = "--test" ]; then
  pkgs+=(libcriterion-dev python3 neovim emacs-nox elpa-eglot ocaml-nox)
fi
missing=()
for p in "${pkgs[@]}"; do
  # npm/nodejs may come from elsewhere (e.g. a preinstalled Node): accept the commands.
  case "$p" in
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
