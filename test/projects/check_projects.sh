#!/usr/bin/env bash
# Run `iml-lsp check --format text` on every IML test project under
# test/data/projects/ and compare its diagnostics with the project's
# expected.txt (lines `relative/path.iml:LINE:COL: CODE`, sorted; an empty
# file for a correct project).
#
# Usage: test/projects/check_projects.sh [--syntax-only] [PROJECT_DIR...]
#   IML_LSP=path/to/iml-lsp overrides the binary (default build/iml-lsp).
#   --syntax-only  for use before the type checker exists: a project with an
#                  empty expected.txt must still produce no diagnostic at all;
#                  a project with expected errors must produce no syntax or
#                  import diagnostic (codes E00xx, W00xx, E01xx, W01xx), and its
#                  other diagnostics are not compared.
# Prints PASS/FAIL per project and a total; exit 0 when all pass, 1 on any
# mismatch, 2 on a usage problem.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${IML_LSP:-$root/build/iml-lsp}"
syntax_only=0
dirs=()
for a in "$@"; do
  case "$a" in
    --syntax-only) syntax_only=1 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "check_projects: unknown option $a" >&2; exit 2 ;;
    *) dirs+=("$a") ;;
  esac
done
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
if [ ! -x "$bin" ]; then
  echo "check_projects: $bin not found; build it first or set IML_LSP=" >&2
  exit 2
fi
if [ ${#dirs[@]} -eq 0 ]; then
  for d in "$root"/test/data/projects/*/; do dirs+=("${d%/}"); done
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Keep `path:line:col: CODE` of each diagnostic line, sorted by path then
# position (numeric line and column).
normalise() {
  sed -n -E 's#^(\./)?([^ :][^:]*):([0-9]+):([0-9]+): (error|warning|note|info)\[([A-Z][0-9]+)\].*#\2:\3:\4: \6#p' |
    sort -t: -k1,1 -k2,2n -k3,3n -u
}
is_syntax_or_import() { grep -E ': [EW]0[01][0-9][0-9]$' || true; }

pass=0
fail=0
for d in "${dirs[@]}"; do
  name="$(basename "$d")"
  if [ ! -f "$d/expected.txt" ]; then
    echo "FAIL $name: no expected.txt"
    fail=$((fail + 1))
    continue
  fi
  (cd "$d" && "$bin" check --format text --color never . >"$tmp/out" 2>"$tmp/stderr")
  rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
    echo "FAIL $name: iml-lsp check exited with $rc: $(head -1 "$tmp/stderr")"
    fail=$((fail + 1))
    continue
  fi
  normalise <"$tmp/out" >"$tmp/actual"
  grep -v '^[[:space:]]*$' "$d/expected.txt" | sort -t: -k1,1 -k2,2n -k3,3n -u >"$tmp/expected"
  mode="full"
  if [ "$syntax_only" -eq 1 ] && [ -s "$tmp/expected" ]; then
    mode="syntax/import only"
    is_syntax_or_import <"$tmp/actual" >"$tmp/a2"
    is_syntax_or_import <"$tmp/expected" >"$tmp/e2"
    mv "$tmp/a2" "$tmp/actual"
    mv "$tmp/e2" "$tmp/expected"
  fi
  if cmp -s "$tmp/actual" "$tmp/expected"; then
    nexp=$(grep -c . "$d/expected.txt" || true)
    echo "PASS $name ($mode; $nexp expected diagnostic(s))"
    pass=$((pass + 1))
  else
    echo "FAIL $name ($mode)"
    diff "$tmp/expected" "$tmp/actual" | sed -n 's/^</    missing:    /p; s/^>/    unexpected: /p'
    fail=$((fail + 1))
  fi
done
echo "check_projects: $pass passed, $fail failed, $((pass + fail)) projects"
[ "$fail" -eq 0 ]
