#!/usr/bin/env bash
# Runs the test suite under ThreadSanitizer (three times) and AddressSanitizer (with
# LeakSanitizer). Each sanitizer builds into its own scratch folder.
# Usage: scripts/sanitizers.sh [thread|address|all] [extra swift test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-all}"
shift || true
if [[ "$which" == thread || "$which" == all ]]; then
    for run in 1 2 3; do
        echo "== ThreadSanitizer, run $run"
        TSAN_OPTIONS="halt_on_error=1" swift test --disable-xctest --sanitize=thread --scratch-path .build-tsan "$@"
    done
fi
if [[ "$which" == address || "$which" == all ]]; then
    echo "== AddressSanitizer + LeakSanitizer"
    ASAN_OPTIONS="detect_leaks=1" LSAN_OPTIONS="suppressions=$PWD/scripts/lsan-suppressions.txt" swift test --disable-xctest --sanitize=address --scratch-path .build-asan "$@"
fi
