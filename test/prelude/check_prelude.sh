#!/usr/bin/env bash
# Verify analysis/prelude.iml, the IML prelude (standard library) in IML.
# Run from anywhere; exit 0 when all is well, 1 on any problem, 2 when a tool
# is missing. Needs python3, ocamlc (Debian: apt-get install ocaml-nox) and a
# built iml-lsp (scripts/build.sh; override the path with IML_LSP=...).
# No network.
#
#   1. `iml-lsp check` reports no diagnostic at all on the prelude (syntax,
#      imports; later also types, once the checker exists).
#   2. The prelude, translated to OCaml by a small documented rewrite
#      (prelude_check.py to-ml), is accepted by `ocamlc -nopervasives
#      -nostdlib -i` without any error or warning, and every value of the
#      printed signature has exactly the type iml-prelude-api.md lists (up to
#      renaming of type variables); API values missing from the prelude and
#      prelude values missing from the API are errors (prelude_check.py
#      compare, with explicit allow-lists).
#
# iml-prelude-api.md here is a copy of ../shared/iml-prelude-api.md, so the
# test runs in CI; refresh it when the API list changes (IML_PRELUDE_API=...
# points the test at another copy).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
prelude="$root/analysis/prelude.iml"
api="${IML_PRELUDE_API:-$here/iml-prelude-api.md}"
bin="${IML_LSP:-$root/build/iml-lsp}"
tool="$here/prelude_check.py"

fail=0
step() { printf '%s\n' "--- $*"; }

for t in python3 ocamlc; do
  if ! command -v "$t" >/dev/null; then
    echo "check_prelude: $t not found (Debian: apt-get install -y python3 ocaml-nox)" >&2
    exit 2
  fi
done
if [ ! -x "$bin" ]; then
  echo "check_prelude: $bin not found; build it first (scripts/build.sh)" >&2
  exit 2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

step "0. self-test of the comparison (prelude_check.py self-test)"
if python3 "$tool" self-test; then
  echo "ok"
else
  fail=1
fi

step "1. iml-lsp check analysis/prelude.iml: no syntax or import diagnostic"
# (As a user file the prelude would redefine `int`…; the type check of the
# prelude as THE prelude is test_typeck's prelude_checks_cleanly.)
"$bin" check --format json "$prelude" >"$tmp/check.json" 2>"$tmp/check.err"
rc=$?
ndiag=$(python3 -c 'import json,sys; print(len([d for d in json.load(open(sys.argv[1]))["diagnostics"] if d["code"][1:3] in ("00", "01")]))' \
          "$tmp/check.json" 2>/dev/null || echo "?")
if [ "$ndiag" = "0" ]; then
  echo "ok: no syntax or import diagnostics"
else
  echo "FAIL: exit $rc, $ndiag diagnostics:"
  "$bin" check "$prelude" 2>/dev/null
  fail=1
fi

step "2. OCaml's type checker and the API types"
python3 "$tool" to-ml "$prelude" >"$tmp/prelude.ml" || exit 1
if (cd "$tmp" && ocamlc -nopervasives -nostdlib -i prelude.ml >prelude.mli 2>ocamlc.err) \
   && [ ! -s "$tmp/ocamlc.err" ]; then
  echo "ok: ocamlc $(ocamlc -version) accepts the translation without warnings"
  python3 "$tool" compare "$api" "$tmp/prelude.mli" "$prelude" || fail=1
else
  # Line numbers are those of analysis/prelude.iml (the translation keeps them).
  echo "FAIL: ocamlc -i on the translation (line numbers match prelude.iml):"
  sed 's#prelude\.ml#analysis/prelude.iml#' "$tmp/ocamlc.err"
  fail=1
fi

if [ "$fail" -eq 0 ]; then
  echo "check_prelude: all checks passed"
else
  echo "check_prelude: FAILED"
fi
exit "$fail"
