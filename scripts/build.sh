#!/usr/bin/env bash
# Install missing dependencies and build build/iml-lsp (RelWithDebInfo).
# The pinned grammar (grammar/package-lock.json) is installed by CMake with
# npm ci --ignore-scripts on first configure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh "$@"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo ${IML_CMAKE_ARGS:-} >/dev/null
cmake --build build -j"$(nproc)"
echo "built: build/iml-lsp"
