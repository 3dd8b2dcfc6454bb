#!/usr/bin/env bash
# The pool beside bare connections, h2load and curl, against one nginx (1 worker) on
# 127.0.0.1, all in one run:
#   20,000 GETs of 100 bytes over HTTP/1.1 with 16 connections (cleartext)
#   20,000 GETs of 100 bytes over one HTTP/2 connection with 100 streams (TLS, and h2c)
# Client CPU µs per request is user+sys of the whole client process (startup included),
# for every client alike; the pool's overhead is its CPU over the bare connection's. Then
# resident memory per idle connection (HTTP/1.1 in clear text and over TLS, HTTP/2 over
# TLS). Each figure is the median of 3 runs.
# Usage: scripts/bench-pool.sh [libuv|dispatch]
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-libuv}"
bash scripts/install-deps.sh >/dev/null
source scripts/bench-nginx.sh
start_bench_nginx

echo "building pool-bench (release)..." >&2
(cd Benchmarks && swift build -c release --product pool-bench >/dev/null)
bench="Benchmarks/.build/release/pool-bench"
n=20000

# CPU µs per request of a whole client process making $n requests: user+sys from wait4,
# which the kernel keeps in nanoseconds (/usr/bin/time rounds to 10 ms, ±0.5 µs/req here).
cpu_us() {
    python3 - "$n" "$@" <<'PY' 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
import os, subprocess, sys
n = int(sys.argv[1])
child = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(child.pid, 0)
if status != 0:
    sys.stderr.write(child.stderr.read().decode()); sys.exit(1)
print(f"{(usage.ru_utime + usage.ru_stime) / n * 1e6:.2f}")
PY
}
curl_config() { for _ in $(seq $n); do printf 'url = "%s"\noutput = "/dev/null"\n' "$1"; done > "$work/curl.conf"; }

row() { printf '| %s | %s | %s | %s |\n' "$@"; }
echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); backend $backend (one loop); nginx 1 worker; median of 3"
echo
row "scenario" "client" "client CPU per request" "vs h2load"
row "---" "---" "---" "---"
scenario() { # label url connections streams h2load-flags curl-flags
    local label=$1 url=$2 connections=$3 streams=$4 h2load_flags=$5 curl_flags=$6
    local pool=() bare=() peer=() curlv=()
    curl_config "$url"
    for _ in 1 2 3; do
        pool+=("$(cpu_us "$bench" requests "$backend" pool "$url" $n "$connections" "$streams" "$ca" 100)")
        bare+=("$(cpu_us "$bench" requests "$backend" bare "$url" $n "$connections" "$streams" "$ca" 100)")
        # shellcheck disable=SC2086
        peer+=("$(cpu_us h2load $h2load_flags -n $n "$url")")
        # shellcheck disable=SC2086
        [[ -n $curl_flags ]] && curlv+=("$(cpu_us curl -sS --no-progress-meter $curl_flags --cacert "$ca" --parallel --parallel-max "$((connections * streams))" -K "$work/curl.conf")")
    done
    local p b h c
    p=$(printf '%s\n' "${pool[@]}" | median); b=$(printf '%s\n' "${bare[@]}" | median)
    h=$(printf '%s\n' "${peer[@]}" | median); c=$( ((${#curlv[@]})) && printf '%s\n' "${curlv[@]}" | median || true)
    ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f×", a/b}'; }
    row "$label" "swift-httpcore pool" "$p µs" "$(ratio "$p" "$h")"
    row "$label" "swift-httpcore, bare connection(s)" "$b µs (pool overhead $(awk -v p="$p" -v b="$b" 'BEGIN{printf "%+.2f µs, %+.0f%%", p-b, (p-b)/b*100}'))" "$(ratio "$b" "$h")"
    row "$label" "h2load" "$h µs" "1.00×"
    [[ -n $curl_flags ]] && row "$label" "curl" "$c µs" "$(ratio "$c" "$h")"
    return 0
}
scenario "20,000 GETs, HTTP/1.1, 16 connections" "http://127.0.0.1:$h1_port/small" 16 1 "--h1 -c 16" "--http1.1"
scenario "20,000 GETs, HTTP/2 over TLS, 1 connection × 100 streams" "https://localhost:$tls_port/small" 1 100 "-c 1 -m 100" "--http2"
# No curl here: curl 7.88 with --http2-prior-knowledge and --parallel fails against nginx
# ("Error in the HTTP2 framing layer").
scenario "20,000 GETs, h2c, 1 connection × 100 streams" "http://127.0.0.1:$h2c_port/small" 1 100 "-c 1 -m 100" ""

echo
row "idle connection" "connections" "resident memory per idle connection" ""
row "---" "---" "---" ""
for variant in "h1 http://127.0.0.1:$h1_port/small 1000 HTTP/1.1, cleartext" \
               "h1 https://localhost:$tls_port/small 500 HTTP/1.1 over TLS" \
               "h2 https://localhost:$tls_port/small 500 HTTP/2 over TLS" \
               "h2 http://127.0.0.1:$h2c_port/small 500 HTTP/2, h2c"; do
    read -r kind url count label <<<"$variant"
    values=()
    for _ in 1 2 3; do
        line=$("$bench" idle-memory "$backend" "$kind" "$url" "$count" "$ca")
        values+=("$(sed -E 's/.*kib_per_idle_connection=([0-9.]+).*/\1/' <<<"$line")")
    done
    row "$label" "$count" "$(printf '%s\n' "${values[@]}" | median) KiB" ""
done
