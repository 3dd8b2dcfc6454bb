#!/usr/bin/env bash
# The benchmark matrix (issue 7): this project (through the pool, and `hx bench`) beside
# h2load, curl, AsyncHTTPClient (Benchmarks/Sources/ahc-bench) and Python httpx
# (Benchmarks/Python/httpx_bench.py), one after another against one nginx (1 worker) on
# 127.0.0.1 with a throwaway PKI (scripts/bench-nginx.sh):
#   S1  20,000 GETs of 100 bytes, HTTP/2 over TLS, 1 connection x 100 streams
#   S2  the same over h2c (prior knowledge)
#   S3  20,000 GETs of 100 bytes, HTTP/1.1 cleartext, 16 connections
#   S4  one 256 MiB download, HTTP/2 over TLS, and HTTP/1.1 cleartext
#   S5  2,000 POSTs of 64 KiB, HTTP/2 over TLS, 1 connection x 100 streams
# Prints a markdown table (client CPU per request, req/s, MB/s, max RSS, ratio to h2load;
# median of 3 runs) and the targets met or missed; scripts/bench-matrix.py says how each
# figure is taken and checked. Exits 1 if any client failed a cell.
#
# Usage: scripts/bench-matrix.sh [libuv|dispatch]
#   RUNS=N                       runs per cell (3)
#   MATRIX_SCENARIOS=S1,S4       only these scenarios
#   MATRIX_CLIENTS=pool,curl     only these clients (h2load always runs: it is the base)
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-libuv}"
[[ $backend == libuv || $backend == dispatch ]] || { echo "usage: $0 [libuv|dispatch]" >&2; exit 2; }
started=$(date +%s)
bash scripts/install-deps.sh >/dev/null

echo "building hx, pool-matrix and ahc-bench (release; AsyncHTTPClient takes minutes the first time)..." >&2
swift build -c release --product hx >/dev/null
(cd Benchmarks && swift build -c release --product pool-matrix >/dev/null && swift build -c release --product ahc-bench >/dev/null)

# httpx in a venv kept between runs (Benchmarks/.venv, ignored by git).
venv=Benchmarks/.venv
if ! "$venv/bin/python" -c 'import httpx, h2' 2>/dev/null; then
    echo "installing httpx[http2] into $venv..." >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'httpx[http2]==0.28.1'
fi

source scripts/bench-nginx.sh
big_bytes=$((256 << 20)); upload_bytes=$((64 << 10))
make_big_file big.bin "$big_bytes"
head -c "$upload_bytes" /dev/zero | tr '\0' x > "$work/upload.bin"
start_bench_nginx

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
MATRIX_NGINX_WORKER="$(pgrep -P "$nginx_pid" | head -1)" MATRIX_WORK="$work" MATRIX_CA="$ca" MATRIX_BACKEND="$backend" MATRIX_UPLOAD_LOG="$upload_log" \
MATRIX_TLS_PORT="$tls_port" MATRIX_H2C_PORT="$h2c_port" MATRIX_H1_PORT="$h1_port" \
MATRIX_BIG_BYTES="$big_bytes" MATRIX_UPLOAD_BYTES="$upload_bytes" MATRIX_UPLOAD_FILE="$work/upload.bin" \
MATRIX_HX=".build/release/hx" MATRIX_POOL="Benchmarks/.build/release/pool-matrix" \
MATRIX_AHC_BENCH="Benchmarks/.build/release/ahc-bench" MATRIX_PYTHON="$venv/bin/python" \
MATRIX_HTTPX_BENCH="Benchmarks/Python/httpx_bench.py" \
    python3 scripts/bench-matrix.py > "$work/table.md" && status=0 || status=$?
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo "Command: \`scripts/bench-matrix.sh $backend\` ($(date -u +%Y-%m-%d), $((($(date +%s) - started))) s including builds)."
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB; backend $backend (one loop); load average $load_before before, $load_after after."
echo "Peers: nginx $(nginx -v 2>&1 | cut -d/ -f2) (1 worker), h2load $(h2load --version | awk '{print $2; exit}'), curl $(curl --version | awk '{print $2; exit}'), AsyncHTTPClient 1.37 (1 event loop), httpx $("$venv/bin/python" -c 'import httpx; print(httpx.__version__)') on Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())'); $(swift --version 2>&1 | head -1 | sed 's/ (.*//'); median of ${RUNS:-3} runs."
echo
cat "$work/table.md"
exit "$status"
