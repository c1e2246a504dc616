#!/usr/bin/env bash
# Install, build and run every test: the normal build, then ASan+UBSan and
# TSan builds of the whole suite (unit, end-to-end, real editors). Prints the
# ctest summaries. Sanitizer reports are written to files and any report
# fails the run (Criterion would not fail a test for a leak found at exit).
#   IML_TEST_QUICK=1 scripts/test.sh   only the normal build
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --test
jobs=$(nproc)
status=0
san_logs=$(mktemp -d)
trap 'rm -rf "$san_logs"' EXIT

run_suite() { # name, build dir, cmake args...
  local name=$1 dir=$2; shift 2
  echo "=== $name ==="
  cmake -S . -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j"$jobs" 2>&1 | grep -E "warning|error" || true
  cmake --build "$dir" -j"$jobs" >/dev/null
  (cd "$dir" && ctest --output-on-failure -j1) || status=1
  if compgen -G "$san_logs/*" >/dev/null; then
    echo "!!! sanitizer reports in $name:"
    cat "$san_logs"/*
    rm -f "$san_logs"/*
    status=1
  fi
}

run_suite "tests (RelWithDebInfo)" build -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ "${IML_TEST_QUICK:-0}" != 1 ]; then
  ASAN_OPTIONS="detect_leaks=1:log_path=$san_logs/asan" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$san_logs/ubsan" \
    run_suite "tests under ASan+UBSan" build-asan -DCMAKE_BUILD_TYPE=Debug -DIML_SANITIZE=address,undefined
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:die_after_fork=0:log_path=$san_logs/tsan" \
    run_suite "tests under TSan" build-tsan -DCMAKE_BUILD_TYPE=Debug -DIML_SANITIZE=thread
fi
if [ $status -ne 0 ]; then echo "SOME TESTS FAILED"; else echo "ALL TEST SUITES PASSED"; fi
exit $status
