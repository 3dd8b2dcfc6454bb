#!/usr/bin/env bash
# The main job, end to end: install what is missing, build, and run the HTTP/1.1 client
# against an in-memory server on the mock backend (no sockets; real backends come later).
# Extra arguments go to `swift run` (CI passes its strict build flags).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift run "$@" httpcore-demo
