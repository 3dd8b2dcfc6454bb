#!/usr/bin/env bash
# HTTP/2 client figures beside h2load and curl, against one nginx (1 worker) on 127.0.0.1:
#   small: 20,000 GETs of 100 bytes over one connection, 100 streams (TLS and h2c):
#          client CPU µs per request (user+sys of the whole process, for both clients:
#          /usr/bin/time counts in 10 ms steps, so ±0.5 µs/req) and req/s
#   big:   one 256 MiB download (TLS and h2c): MB/s and client CPU
# Each figure is the median of 3 runs. Usage: scripts/bench-h2.sh [libuv|dispatch]
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-libuv}"
bash scripts/install-deps.sh >/dev/null
source scripts/bench-nginx.sh
head -c $((256 << 20)) /dev/urandom > "$work/big.bin"
start_bench_nginx

echo "building h2-bench (release)..." >&2
(cd Benchmarks && swift build -c release --product h2-bench >/dev/null)
bench="Benchmarks/.build/release/h2-bench"

# cpu_us_per_req of a command that makes N requests: user+sys from /usr/bin/time.
cpu_of() { /usr/bin/time -f "%U %S" -o "$work/time" "$@" >/dev/null 2>&1; awk '{print $1+$2}' "$work/time"; }

row() { printf '| %s | %s | %s | %s |\n' "$@"; }
echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); backend $backend; median of 3"
echo
row "scenario" "client" "client CPU" "rate"
row "---" "---" "---" "---"
for scheme in https http; do
    port=$tls_port; [[ $scheme == http ]] && port=$h2c_port
    url="$scheme://localhost:$port/small"
    label="20,000 GETs, 100 streams, $([[ $scheme == https ]] && echo TLS || echo h2c)"
    ours=(); peer=(); ours_rps=(); peer_rps=()
    for _ in 1 2 3; do
        # Whole-process CPU, as for h2load: startup, TLS context and warm-up included.
        /usr/bin/time -f "%U %S" -o "$work/time" "$bench" requests "$backend" "$url" 20000 100 "$ca" 100 > "$work/line"
        line=$(cat "$work/line")
        ours+=("$(awk '{printf "%.2f", ($1+$2)/20000*1e6}' "$work/time")")
        ours_rps+=("$(sed -E 's/.*req_per_s=([0-9]+).*/\1/' <<<"$line")")
        cpu=$(cpu_of h2load -n 20000 -c 1 -m 100 "$url")
        peer+=("$(awk -v c="$cpu" 'BEGIN{printf "%.2f", c/20000*1e6}')")
        h2load -n 20000 -c 1 -m 100 "$url" > "$work/h2load.out"
        peer_rps+=("$(grep -m1 'finished in' "$work/h2load.out" | sed -E 's/.* ([0-9.]+) req\/s.*/\1/')")
    done
    o=$(printf '%s\n' "${ours[@]}" | median); p=$(printf '%s\n' "${peer[@]}" | median)
    row "$label" "swift-httpcore" "$o µs/req ($(awk -v o="$o" -v p="$p" 'BEGIN{printf "%.2f", o/p}')× h2load)" "$(printf '%s\n' "${ours_rps[@]}" | median) req/s"
    row "$label" "h2load" "$p µs/req" "$(printf '%s\n' "${peer_rps[@]}" | median) req/s"
done
size=$((256 << 20))
for scheme in https http; do
    port=$tls_port; [[ $scheme == http ]] && port=$h2c_port
    url="$scheme://localhost:$port/big.bin"
    label="256 MiB download, $([[ $scheme == https ]] && echo TLS || echo h2c)"
    ours=(); ours_cpu=(); peer=(); peer_cpu=()
    for _ in 1 2 3; do
        line=$("$bench" download "$backend" "$url" "$ca" "$size")
        ours+=("$(sed -E 's/.*mb_per_s=([0-9.]+).*/\1/' <<<"$line")")
        ours_cpu+=("$(sed -E 's/.*cpu=([0-9.]+).*/\1/' <<<"$line")")
        flag=--http2; [[ $scheme == http ]] && flag=--http2-prior-knowledge
        out=$(/usr/bin/time -f "%U %S" -o "$work/time" curl -s $flag --cacert "$ca" -o /dev/null -w '%{speed_download}' "$url")
        peer+=("$(awk -v b="$out" 'BEGIN{printf "%.1f", b/1e6}')")
        peer_cpu+=("$(awk '{print $1+$2}' "$work/time")")
    done
    o=$(printf '%s\n' "${ours[@]}" | median); p=$(printf '%s\n' "${peer[@]}" | median)
    row "$label" "swift-httpcore" "$(printf '%s\n' "${ours_cpu[@]}" | median) s" "$o MB/s ($(awk -v o="$o" -v p="$p" 'BEGIN{printf "%.2f", o/p}')× curl)"
    row "$label" "curl" "$(printf '%s\n' "${peer_cpu[@]}" | median) s" "$p MB/s"
done
