#!/usr/bin/env bash
# HTTPClient beside the bare pool (issue 13, "Measure"): S1-S3 of the benchmark matrix
# (scripts/bench-matrix.sh) through `ConnectionPool.send` + `body.collect(upTo:)` and
# through `HTTPClient.get` (Benchmarks/Sources/client-matrix), against nginx (1 worker) and
# h2o (1 thread) on 127.0.0.1:
#   S1  20,000 GETs of 100 bytes, HTTP/2 over TLS, 1 connection x 100 streams
#   S2  the same over h2c (prior knowledge)
#   S3  20,000 GETs of 100 bytes, HTTP/1.1 cleartext, 16 connections
# Each process warms up (WARMUP requests), then measures a window of the scenario's
# requests: CPU per request (user+sys, getrusage) in passes without the allocation
# counter, heap allocations per request in passes with it (Benchmarks/AllocCounter,
# preloaded; checked first against known allocations). Prints the tables (medians; target:
# the client adds at most 10% CPU and 3 allocations per request) and writes them to
# Benchmarks/results/client.md. Exits 1 if any run failed.
#
# Usage: scripts/bench-client.sh [libuv|dispatch]
#   RUNS=N              CPU runs per cell (5); ALLOC_RUNS=N allocation runs per cell (2)
#   WARMUP=N            requests before each measured window (2000)
#   CLIENT_SCENARIOS=S1,S3   only these; CLIENT_SERVERS=nginx,h2o   only these
#   CLIENT_MODES=pool,client,client-defaults   (client: the same request as the pool;
#                       client-defaults: with the default User-Agent and Accept fields)
#   SCRATCH=DIR         the Benchmarks package's build folder (Benchmarks/.build)
#   OUT=FILE            where the report goes (Benchmarks/results/client.md; - for none)
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-libuv}"
[[ $backend == libuv || $backend == dispatch ]] || { echo "usage: $0 [libuv|dispatch]" >&2; exit 2; }
scratch="${SCRATCH:-.build}"
out="${OUT:-Benchmarks/results/client.md}"
started=$(date +%s)
bash scripts/install-deps.sh >/dev/null

echo "building client-matrix (release, in Benchmarks/$scratch)..." >&2
(cd Benchmarks && swift build -c release --product client-matrix --scratch-path "$scratch" >/dev/null)
bin="Benchmarks/$scratch/release/client-matrix"

source scripts/bench-nginx.sh
source scripts/bench-servers.sh
install_h2o

gcc -O2 -shared -fPIC -o "$work/alloc-counter.so" Benchmarks/AllocCounter/alloc-counter.c
LD_PRELOAD="$work/alloc-counter.so" "$bin" selftest > "$work/selftest.txt" || { cat "$work/selftest.txt" >&2; echo "the allocation counter failed its self-test" >&2; exit 1; }

start_bench_nginx
# h2o serves /small as a 100-byte file (nginx answers it with `return 200`); HTTP/1.1 and
# h2c by prior knowledge on one port, HTTP/2 (ALPN) with the same certificate on another.
start_bench_h2o
nginx_version=$(nginx -v 2>&1 | cut -d/ -f2)

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
CLIENT_BIN="$bin" CLIENT_COUNTER="$work/alloc-counter.so" CLIENT_CA="$ca" CLIENT_BACKEND="$backend" \
NGINX_VERSION="$nginx_version (1 worker)" NGINX_PIDS="$(pgrep -P "$nginx_pid" | tr '\n' ' ')" \
NGINX_TLS="https://localhost:$tls_port" NGINX_H2C="http://127.0.0.1:$h2c_port" NGINX_H1="http://127.0.0.1:$h1_port" \
H2O_VERSION="$h2o_version (1 thread)" H2O_PIDS="$h2o_pid" \
H2O_TLS="https://localhost:$h2o_tls_port" H2O_H2C="http://127.0.0.1:$h2o_h1_port" H2O_H1="http://127.0.0.1:$h2o_h1_port" \
    python3 scripts/bench-client.py > "$work/table.md" && status=0 || status=$?
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

{
    echo "# HTTPClient beside the bare pool (issue 13)"
    echo
    echo "Command: \`scripts/bench-client.sh $backend\` with RUNS=${RUNS:-5} ALLOC_RUNS=${ALLOC_RUNS:-2} WARMUP=${WARMUP:-2000} ($(date -u +%Y-%m-%d), $((($(date +%s) - started))) s including the build)."
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB; backend $backend (one loop); load average $load_before before, $load_after after."
    echo "Servers: nginx $nginx_version (1 worker) and h2o $h2o_version (1 thread) on 127.0.0.1; $(swift --version 2>&1 | head -1 | sed 's/ (.*//'); commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources Backends Benchmarks/Sources || echo ' with local changes')."
    echo "Allocation counter: $(tail -1 "$work/selftest.txt") ($(grep -c counted "$work/selftest.txt") checks of known malloc, calloc, realloc, posix_memalign, aligned_alloc and Swift object counts)."
    echo
    cat "$work/table.md"
} > "$work/report.md"
cat "$work/report.md"
[[ $out == - ]] || cp "$work/report.md" "$out"
exit "$status"
