#!/usr/bin/env bash
# The server side (issue 16): h2load against `hx serve` (release), nghttpd and h2o on
# 127.0.0.1, each serving the same 100-byte file over h2c (prior knowledge), one server
# thread each (hx serve -t 1, nghttpd -n 1, h2o num-threads 1) so the figures compare
# the servers' code, not their thread counts:
#   h2load -n 100000 -c 1 -m 100   and   h2load -n 100000 -c 10 -m 100
# For each: requests/s and the SERVER's CPU per request (user+sys of its process over the
# run, /proc/PID/stat before and after), median of 3 runs; for hx serve also heap
# allocations per request (Benchmarks/AllocCounter preloaded, its total written at exit,
# minus the total of a run that serves nothing). scripts/bench-server.py measures; this
# script builds, installs and starts the servers, and writes the report.
#
# Usage: scripts/bench-server.sh
#   SCRATCH=DIR   the root package's build folder for hx (.build)
#   RUNS=N        runs per cell (3); CLIENTS="1 10" h2load's -c values
#   OUT=FILE      where the report goes (Benchmarks/results/server.md; - for none)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="${SCRATCH:-.build}"
out="${OUT:-Benchmarks/results/server.md}"
started=$(date +%s)
bash scripts/install-deps.sh >/dev/null
# The peers (nghttpd is in nghttp2-server, h2load in nghttp2-client), as Interop/run.sh
# installs them.
missing=()
for package in nghttp2-server nghttp2-client h2o; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -q >/dev/null
    $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
fi

# The same flags as Interop/run.sh's hx, so one scratch folder serves both.
flags=(-c release --scratch-path "$scratch" -Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error)
echo "building hx (release, in $scratch)..." >&2
swift build "${flags[@]}" --product hx >/dev/null
hx="$(swift build "${flags[@]}" --show-bin-path)/hx"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
gcc -O2 -shared -fPIC -o "$work/alloc-counter.so" Benchmarks/AllocCounter/alloc-counter.c
mkdir -p "$work/docroot"
printf 'x%.0s' $(seq 1 100) > "$work/docroot/small"

hx_version="hx serve $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources Backends || echo ' with local changes') (-t 1, libuv)"
nghttpd_version="nghttpd $(nghttpd --version | sed 's|.*nghttp2/||') (-n 1)"
h2o_version="h2o $(h2o --version | awk 'NR == 1 {print $3}') (num-threads 1)"
h2load_version="h2load $(h2load --version | sed 's|.*nghttp2/||')"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
BENCH_HX="$hx" BENCH_COUNTER="$work/alloc-counter.so" BENCH_WORK="$work" \
    python3 scripts/bench-server.py > "$work/table.md" && status=0 || status=$?
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

{
    echo "# Server: hx serve beside nghttpd and h2o (issue 16)"
    echo
    echo "Command: \`scripts/bench-server.sh\` with RUNS=${RUNS:-3} CLIENTS=\"${CLIENTS:-1 10}\" ($(date -u +%Y-%m-%d), $((($(date +%s) - started))) s including the build)."
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB; load average $load_before before, $load_after after."
    echo "Servers: $hx_version, $nghttpd_version, $h2o_version on 127.0.0.1, a 100-byte file over h2c; client $h2load_version; $(swift --version 2>&1 | head -1 | sed 's/ (.*//')."
    echo
    cat "$work/table.md"
} > "$work/report.md"
cat "$work/report.md"
[[ $out == - ]] || cp "$work/report.md" "$out"
exit "$status"
