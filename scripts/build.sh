#!/usr/bin/env bash
# Install missing dependencies and build build/iml-lsp (RelWithDebInfo).
# The pinned grammar (grammar/package-lock.json) is installed by CMake with
# npm ci --ignore-scripts on first configure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh "$@"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo ${IML_CMAKE_ARGS:-} >/dev/null
# Show only problems; the full log is in build/build.log.
if ! cmake --build build -j"$(nproc)" > build/build.log 2>&1; then
  cat build/build.log
  exit 1
fi
grep -E "warning|error" build/build.log || true
echo "built: build/iml-lsp"
