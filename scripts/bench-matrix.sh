#!/usr/bin/env bash
# The benchmark matrix (issues 7 and 17): this project (through the pool, and `hx bench`)
# beside h2load, curl, AsyncHTTPClient (Benchmarks/Sources/ahc-bench) and Python httpx
# (Benchmarks/Python/httpx_bench.py), one after another against each of three servers on
# 127.0.0.1, one worker or thread each, with a throwaway PKI: h2o (1 thread; scripts/bench-servers.sh),
# nginx (1 worker; scripts/bench-nginx.sh) and nghttpd (-n 1; HTTP/2 only, so S3 and S4
# over HTTP/1.1 are n/a there):
#   S1  20,000 GETs of 100 bytes, HTTP/2 over TLS, 1 connection x 100 streams
#   S2  the same over h2c (prior knowledge)
#   S3  20,000 GETs of 100 bytes, HTTP/1.1 cleartext, 16 connections
#   S4  one 256 MiB download, HTTP/2 over TLS, and HTTP/1.1 cleartext
#   S5  2,000 POSTs of 64 KiB, HTTP/2 over TLS, 1 connection x 100 streams; each server
#       reads every body whole before it answers (and the script checks it did)
# For every server a markdown table: client CPU per request, req/s, MB/s, max RSS (median
# of RUNS runs), ratios to h2load and to curl, and heap allocations per request from one
# more run per cell with Benchmarks/AllocCounter preloaded (not timed; the whole process,
# start-up included; not for Python). Then the issue-17 targets met or missed per server,
# and every run's raw figures. scripts/bench-matrix.py says how each figure is taken and
# checked. The report (with the command, the date, the machine, its load before and after
# and the servers' versions) goes to stdout and to its own file per run,
# Benchmarks/results/matrix/YYYY-MM-DD-HHMM-<backend>.md (UTC). Exits 1 if any client
# failed a cell.
#
# Usage: scripts/bench-matrix.sh [libuv|dispatch]
#   RUNS=N                        timed runs per cell (3)
#   MATRIX_SCENARIOS=S1,S4        only these scenarios
#   MATRIX_CLIENTS=pool,curl      only these clients (h2load always runs: it is the base)
#   MATRIX_SERVERS=h2o,nginx,nghttpd   only these servers (all three)
#   MATRIX_SCALE=F                S1-S3's and S5's request counts and S4's download size
#                                 times F (1; e.g. 0.05 for a quick check of every cell,
#                                 whose figures are not comparable)
#   SCRATCH=DIR                   build the root package in DIR/root and the Benchmarks
#                                 package in DIR/benchmarks (.build and Benchmarks/.build)
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-libuv}"
[[ $backend == libuv || $backend == dispatch ]] || { echo "usage: $0 [libuv|dispatch]" >&2; exit 2; }
servers="${MATRIX_SERVERS:-h2o,nginx,nghttpd}"
for server in ${servers//,/ }; do
    [[ $server == h2o || $server == nginx || $server == nghttpd ]] || { echo "unknown server in MATRIX_SERVERS: $server" >&2; exit 2; }
done
scale="${MATRIX_SCALE:-1}"
root_scratch="$PWD/.build"; bench_scratch="$PWD/Benchmarks/.build"
[[ -z ${SCRATCH:-} ]] || { root_scratch="$(realpath -m "$SCRATCH")/root"; bench_scratch="$(realpath -m "$SCRATCH")/benchmarks"; }
started=$(date +%s)
stamp=$(date -u +%Y-%m-%d-%H%M)
command=""
for setting in RUNS MATRIX_SCENARIOS MATRIX_CLIENTS MATRIX_SERVERS MATRIX_SCALE SCRATCH; do
    [[ -z ${!setting:-} ]] || command+="$setting=${!setting} "
done
command+="scripts/bench-matrix.sh $backend"
bash scripts/install-deps.sh >/dev/null

echo "building hx, pool-matrix and ahc-bench (release; AsyncHTTPClient takes minutes the first time)..." >&2
swift build -c release --scratch-path "$root_scratch" --product hx >/dev/null
(cd Benchmarks && swift build -c release --scratch-path "$bench_scratch" --product pool-matrix >/dev/null \
    && swift build -c release --scratch-path "$bench_scratch" --product ahc-bench >/dev/null)

# httpx in a venv kept between runs (Benchmarks/.venv, ignored by git).
venv=Benchmarks/.venv
if ! "$venv/bin/python" -c 'import httpx, h2' 2>/dev/null; then
    echo "installing httpx[http2] into $venv..." >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'httpx[http2]==0.28.1'
fi

source scripts/bench-nginx.sh
source scripts/bench-servers.sh
gcc -O2 -shared -fPIC -o "$work/alloc-counter.so" Benchmarks/AllocCounter/alloc-counter.c
gcc -O2 -o "$work/rusage-exec" Benchmarks/RusageExec/rusage-exec.c
big_bytes=$(awk -v f="$scale" 'BEGIN { printf "%d", f * 268435456 }'); upload_bytes=$((64 << 10))
make_big_file big.bin "$big_bytes"
head -c "$upload_bytes" /dev/zero | tr '\0' x > "$work/upload.bin"
make_bench_docroot
ln "$work/big.bin" "$work/docroot/big.bin"

peers=()
if [[ ,$servers, == *,h2o,* ]]; then
    install_h2o
    start_bench_h2o
    export MATRIX_H2O_TLS="https://localhost:$h2o_tls_port" MATRIX_H2O_H2C="http://127.0.0.1:$h2o_h1_port" \
        MATRIX_H2O_H1="http://127.0.0.1:$h2o_h1_port" MATRIX_H2O_PIDS="$h2o_pid"
    peers+=("h2o $h2o_version (num-threads 1, POST /upload by an mruby handler)")
fi
if [[ ,$servers, == *,nginx,* ]]; then
    start_bench_nginx
    export MATRIX_NGINX_TLS="https://localhost:$tls_port" MATRIX_NGINX_H2C="http://127.0.0.1:$h2c_port" \
        MATRIX_NGINX_H1="http://127.0.0.1:$h1_port" MATRIX_NGINX_PIDS="$(pgrep -P "$nginx_pid" | tr '\n' ' ')" MATRIX_UPLOAD_LOG="$upload_log"
    peers+=("nginx $(nginx -v 2>&1 | cut -d/ -f2) (1 worker)")
fi
if [[ ,$servers, == *,nghttpd,* ]]; then
    start_bench_nghttpd
    export MATRIX_NGHTTPD_TLS="https://localhost:$nghttpd_tls_port" MATRIX_NGHTTPD_H2C="http://127.0.0.1:$nghttpd_h2c_port" \
        MATRIX_NGHTTPD_PIDS="$nghttpd_tls_pid $nghttpd_h2c_pid"
    peers+=("nghttpd $nghttpd_version (-n 1, one process for TLS and one for h2c)")
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
MATRIX_SERVERS="$servers" MATRIX_WORK="$work" MATRIX_CA="$ca" MATRIX_BACKEND="$backend" MATRIX_SCALE="$scale" \
MATRIX_BIG_BYTES="$big_bytes" MATRIX_UPLOAD_BYTES="$upload_bytes" MATRIX_UPLOAD_FILE="$work/upload.bin" \
MATRIX_COUNTER="$work/alloc-counter.so" MATRIX_RUSAGE_EXEC="$work/rusage-exec" MATRIX_HX="$root_scratch/release/hx" MATRIX_POOL="$bench_scratch/release/pool-matrix" \
MATRIX_AHC_BENCH="$bench_scratch/release/ahc-bench" MATRIX_PYTHON="$venv/bin/python" \
MATRIX_HTTPX_BENCH="Benchmarks/Python/httpx_bench.py" \
    python3 scripts/bench-matrix.py > "$work/table.md" && status=0 || status=$?
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

out="Benchmarks/results/matrix/$stamp-$backend.md"
{
    echo "# The benchmark matrix (issue 17), $backend"
    echo
    echo "Command: \`$command\` ($(date -u -d "@$started" '+%Y-%m-%d %H:%M UTC'), $((($(date +%s) - started))) s including builds)."
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB; backend $backend (one loop); load average $load_before before, $load_after after."
    echo "Servers on 127.0.0.1: $(printf '%s, ' "${peers[@]}" | sed 's/, $//')."
    echo "Clients: h2load $(h2load --version | awk '{print $2; exit}'), curl $(curl --version | awk '{print $2; exit}'), AsyncHTTPClient 1.37 (1 event loop), httpx $("$venv/bin/python" -c 'import httpx; print(httpx.__version__)') on Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())'); $(swift --version 2>&1 | head -1 | sed 's/ (.*//'); commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources Backends Benchmarks/Sources || echo ' with local changes'); median of ${RUNS:-3} runs."
    echo
    cat "$work/table.md"
} > "$work/report.md"
mkdir -p Benchmarks/results/matrix
cp "$work/report.md" "$out"
cat "$work/report.md"
echo "written to $out" >&2
exit "$status"
