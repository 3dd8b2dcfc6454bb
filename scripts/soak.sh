#!/usr/bin/env bash
# The soak (issue 18): builds Sources/httpcore-soak in release and runs it: REQUESTS
# requests (default 1,000,000) per protocol through HTTPClient against HTTPServer in one
# process over loopback, HTTP/1.1 and then HTTP/2 (h2c), 32 workers, 20% cancelled at a
# random point, a fault in about every 1,000. It prints the outcomes by category and the
# memory and descriptor curves, and exits 1 on an unexpected outcome, a pool slot or
# HTTP/2 stream left behind, more than 16 MiB of resident growth after warm-up, or
# descriptors not back to their baseline.
#
# The release build uses the flags of scripts/alloc-budget.sh and Interop/run.sh and the
# root's .build, so the three share their modules (SCRATCH=path to build elsewhere).
#
# Usage: scripts/soak.sh [REQUESTS] [httpcore-soak arguments: --protocol http1|http2|both,
#        --workers N, --seed N, --cancel-percent N, --fault-every N, --backend libuv|dispatch,
#        --max-growth-mib N, --csv FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
requests=1000000
if [[ "${1:-}" =~ ^[0-9_,]+$ ]]; then requests="$1"; shift; fi
flags=(-c release --scratch-path "${SCRATCH:-.build}" -Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error)
swift build "${flags[@]}" --product httpcore-soak | { grep -v "^\[" || true; } >&2
bin="$(swift build "${flags[@]}" --show-bin-path)/httpcore-soak"
exec "$bin" --requests "$requests" "$@"
