#!/usr/bin/env bash
# Where HTTPClient's allocations per request come from, beside the pool's: runs one
# scenario of scripts/bench-client.sh against nginx (scripts/bench-nginx.sh) with the
# tracing build of Benchmarks/AllocCounter (every allocation of the measured window
# backtraced), once per mode, then scripts/alloc-sources.py attributes each allocation to
# the innermost line of the project's own code and prints the lines whose counts differ:
# pool -> client (the same request) and client -> client-defaults (User-Agent, Accept).
#
# Usage: scripts/alloc-sources.sh [S1|S2|S3] [libuv|dispatch]
#   REQUESTS=N (2000) measured requests; WARMUP=N (500); SCRATCH=DIR as in bench-client.sh
#   KEEP=DIR   keep the stack tables there
set -euo pipefail
cd "$(dirname "$0")/.."
scenario="${1:-S2}"; backend="${2:-libuv}"
requests="${REQUESTS:-2000}"; warmup="${WARMUP:-500}"; scratch="${SCRATCH:-.build}"
bash scripts/install-deps.sh >/dev/null
(cd Benchmarks && swift build -c release --product client-matrix --scratch-path "$scratch" >/dev/null)
bin="Benchmarks/$scratch/release/client-matrix"
source scripts/bench-nginx.sh
gcc -O2 -shared -fPIC -DALLOC_COUNTER_TRACE -o "$work/alloc-trace.so" Benchmarks/AllocCounter/alloc-counter.c
start_bench_nginx
case "$scenario" in
    S1) args=(get h2 "https://localhost:$tls_port/small" "$requests" 1 100 "$ca" 100) ;;
    S2) args=(get h2c "http://127.0.0.1:$h2c_port/small" "$requests" 1 100 "$ca" 100) ;;
    S3) args=(get h1 "http://127.0.0.1:$h1_port/small" "$requests" 16 1 "$ca" 100) ;;
    *) echo "usage: $0 [S1|S2|S3] [libuv|dispatch]" >&2; exit 2 ;;
esac
for mode in pool client client-defaults; do
    ALLOC_COUNTER_TRACE="$work/$mode.txt" LD_PRELOAD="$work/alloc-trace.so" timeout 300 "$bin" "$mode" "$warmup" "${args[@]}" "$backend" | grep '^window' >&2
done
echo "## $scenario ($backend): pool -> client"
python3 scripts/alloc-sources.py "$requests" "$work/pool.txt" "$work/client.txt" .
echo
echo "## $scenario ($backend): client -> client-defaults"
python3 scripts/alloc-sources.py "$requests" "$work/client.txt" "$work/client-defaults.txt" . | sed -n '1,/^Every site/p'
if [[ -n "${KEEP:-}" ]]; then mkdir -p "$KEEP" && cp "$work"/{pool,client,client-defaults}.txt "$KEEP/"; fi
