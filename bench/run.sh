#!/usr/bin/env bash
# Print the foundation's benchmark figures (not a test): parse throughput,
# incremental re-parse time, documentSymbol round-trip latency, edit storm,
# check scaling and the server loading an import closure.
# Usage: bench/run.sh  (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
python3 bench/gen_iml.py 2000 1 > bench/out/2000.iml
python3 bench/gen_iml.py 50000 2 > bench/out/50000.iml
build/iml-bench-parse bench/out/2000.iml 50
build/iml-bench-parse bench/out/50000.iml 5
build/iml-bench-latency bench/out/2000.iml 1000
build/iml-bench-latency bench/out/2000.iml 1000 --under-edits
python3 bench/edit_storm.py bench/out/50000.iml 500
python3 bench/check_scaling.py --files 1000 --lines 100
python3 bench/server_closure.py --files 1000 --lines 100
python3 bench/typecheck_bench.py --files 1000 --lines 100
