#!/usr/bin/env bash
# CPU per request by layer for the pool, HTTPClient and HTTPClient with its default fields:
# one scenario of scripts/bench-client.sh against nginx, each mode under `perf record -g`
# (software clock: this VM has no hardware counters), then scripts/perf-layers.py charges
# every sample to the innermost project module on its stack. Where timing the whole
# process cannot tell 10% apart on a busy machine, the client's own layer (HTTPCoreClient)
# against the pool's way of building a request (`Request(url:)`, client_matrix) still
# shows what the client adds.
#
# Usage: scripts/cpu-layers.sh [S1|S2|S3] [libuv|dispatch]
#   REQUESTS=N (40000) measured requests; WARMUP=N (2000); FREQUENCY=Hz (4999);
#   SCRATCH=DIR as in bench-client.sh; BIN=path to another client-matrix build
set -euo pipefail
cd "$(dirname "$0")/.."
scenario="${1:-S2}"; backend="${2:-libuv}"
requests="${REQUESTS:-40000}"; warmup="${WARMUP:-2000}"; frequency="${FREQUENCY:-4999}"; scratch="${SCRATCH:-.build}"
command -v perf >/dev/null || { echo "needs perf (Debian: linux-perf)" >&2; exit 1; }
bash scripts/install-deps.sh >/dev/null
if [[ -z "${BIN:-}" ]]; then
    (cd Benchmarks && swift build -c release --product client-matrix --scratch-path "$scratch" >/dev/null)
    BIN="Benchmarks/$scratch/release/client-matrix"
fi
source scripts/bench-nginx.sh
start_bench_nginx
case "$scenario" in
    S1) args=(get h2 "https://localhost:$tls_port/small" "$requests" 1 100 "$ca" 100) ;;
    S2) args=(get h2c "http://127.0.0.1:$h2c_port/small" "$requests" 1 100 "$ca" 100) ;;
    S3) args=(get h1 "http://127.0.0.1:$h1_port/small" "$requests" 16 1 "$ca" 100) ;;
    *) echo "usage: $0 [S1|S2|S3] [libuv|dispatch]" >&2; exit 2 ;;
esac
runs=()
for mode in pool client client-defaults; do
    timeout 300 perf record -q -F "$frequency" -g -o "$work/$mode.data" "$BIN" "$mode" "$warmup" "${args[@]}" "$backend" 2>/dev/null | grep '^window' >&2
    runs+=("$mode=$work/$mode.data")
done
echo "## $scenario ($backend), nginx: CPU µs per request by layer (perf, $frequency Hz; $((warmup + requests)) requests per process)"
echo
python3 scripts/perf-layers.py "$((warmup + requests))" "$frequency" "${runs[@]}"
