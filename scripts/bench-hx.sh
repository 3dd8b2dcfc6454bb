#!/usr/bin/env bash
# `hx bench` beside h2load with the same parameters, against one nginx (1 worker) on
# 127.0.0.1 serving 100-byte bodies:
#   h2c:   -n 20000 -c 1 -m 100 (HTTP/2 by prior knowledge)
#   TLS:   -n 20000 -c 1 -m 100 (HTTP/2 by ALPN)
#   h1:    -n 20000 -c 16 (HTTP/1.1)
# Prints each client's summary lines (median run of 3 by req/s) and its whole-process
# CPU per request (/usr/bin/time user+sys, 10 ms steps). hx also prints its own CPU per
# request (getrusage over the run, without process start-up).
# Usage: scripts/bench-hx.sh [hx-binary]   (default: builds hx in release)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
hx="${1:-}"
if [[ -z "$hx" ]]; then
    echo "building hx (release)..." >&2
    swift build -c release --product hx >/dev/null
    hx=".build/release/hx"
fi
source scripts/bench-nginx.sh
start_bench_nginx

# run LABEL CMD...: 3 runs; prints the run with the median req/s and the CPU per request.
run() {
    local label=$1; shift
    for i in 1 2 3; do
        /usr/bin/time -f "%U %S" -o "$work/time.$i" "$@" > "$work/out.$i" 2>&1
        rps=$(grep -m1 'finished in' "$work/out.$i" | sed -E 's/.* ([0-9.]+) req\/s.*/\1/')
        echo "$rps $i"
    done | sort -n | sed -n 2p > "$work/median"
    i=$(awk '{print $2}' "$work/median")
    echo "== $label: $*"
    grep -E 'finished in|requests:|time for request|^ +min|client CPU|connections' "$work/out.$i" | sed 's/^/   /'
    awk '{printf "   whole-process CPU: %.2f us per request\n", ($1+$2)/20000*1e6}' "$work/time.$i"
}

echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
run "hx h2c" "$hx" bench -n 20000 -c 1 -m 100 --h2c "http://127.0.0.1:$h2c_port/small"
run "h2load h2c" h2load -n 20000 -c 1 -m 100 "http://127.0.0.1:$h2c_port/small"
run "hx TLS" "$hx" bench -n 20000 -c 1 -m 100 --cacert "$ca" "https://localhost:$tls_port/small"
run "h2load TLS" h2load -n 20000 -c 1 -m 100 "https://localhost:$tls_port/small"
run "hx HTTP/1.1" "$hx" bench -n 20000 -c 16 --http1.1 "http://127.0.0.1:$h1_port/small"
run "h2load HTTP/1.1" h2load -n 20000 -c 16 --h1 "http://127.0.0.1:$h1_port/small"
