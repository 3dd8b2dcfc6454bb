#!/usr/bin/env bash
# The allocation budget (issue 17): builds Sources/allocation-budget in release and runs it
# with Benchmarks/AllocCounter/alloc-counter.c preloaded. It exits 1 when an exchange
# allocates more per request than its committed budget. Called by scripts/test.sh (the
# README's test command). Release, because that is what users run and what the budgets
# are about: a debug build allocates ten times as much in the HTTP/1.1 parser alone.
#
# Usage: scripts/alloc-budget.sh [--sources] [swift build arguments]
#   --sources   the tracing counter instead, then scripts/alloc-sources.py: where the
#               measured windows' allocations come from, per request, by project line
set -euo pipefail
cd "$(dirname "$0")/.."
sources=false
if [[ "${1:-}" == --sources ]]; then sources=true; shift; fi
swift build -c release --product allocation-budget "$@" | { grep -v "^\[" || true; } >&2
bin="$(swift build -c release --show-bin-path "$@")/allocation-budget"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cc=$(command -v cc || command -v gcc || command -v clang) || { echo "alloc-budget: no C compiler (apt-get install gcc)" >&2; exit 1; }
if ! $sources; then
    "$cc" -O2 -shared -fPIC -o "$work/alloc-counter.so" Benchmarks/AllocCounter/alloc-counter.c
    LD_PRELOAD="$work/alloc-counter.so" "$bin"
    exit
fi
"$cc" -O2 -shared -fPIC -DALLOC_COUNTER_TRACE -o "$work/alloc-trace.so" Benchmarks/AllocCounter/alloc-counter.c
ALLOC_COUNTER_TRACE="$work/trace.txt" LD_PRELOAD="$work/alloc-trace.so" "$bin" --trace || true
# Every measured window's allocations against an empty table: each site with its callers.
(echo "dropped 0"; sed -n '/^maps/,$p' "$work/trace.txt") > "$work/empty.txt"
python3 scripts/alloc-sources.py 8000 "$work/empty.txt" "$work/trace.txt" . | sed -n '/^Sites whose/,/^Every site/p'
echo "(per request of all four exchanges together: multiply by 4 for one exchange's share)"
