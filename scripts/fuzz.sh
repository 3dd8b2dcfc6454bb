#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (issue 18). One binary, httpcore-fuzz, holds every
# target (Sources/HTTPCoreFuzzTargets); HTTPCORE_FUZZ_TARGET picks the one a run fuzzes.
#
#   scripts/fuzz.sh --list                 the targets, one a line
#   scripts/fuzz.sh TARGET SECONDS [ARGS]  fuzz one target (ARGS go to libFuzzer)
#   scripts/fuzz.sh --ci SECONDS_EACH      every target in turn, for CI
#
# Builds once (incrementally) with --sanitize=fuzzer --sanitize=address into .build-fuzz.
# A run starts from the committed seeds and regressions, copied into a work corpus under
# .build-fuzz/work/TARGET (so runs never dirty the repository, and later runs start from
# what earlier ones found). Prints executions, exec/s and coverage at the end; on a crash
# exits non-zero and says where the input is: keep it as Fuzz/regressions/TARGET/<what it
# found> once the bug is fixed, and the test suite replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build-fuzz

targets() { grep -o 'FuzzTarget(name: "[a-z0-9-]*"' Sources/HTTPCoreFuzzTargets/FuzzTarget.swift | sed 's/.*"\(.*\)"/\1/'; }

build() {
    local start=$SECONDS
    # -DFUZZING swaps the replay main for LLVMFuzzerTestOneInput; --sanitize=fuzzer links
    # libFuzzer's main. SwiftPM passes swiftc `-sanitize=fuzzer -sanitize=address`, and for
    # swiftc 6.3 the last -sanitize= wins: ASan without coverage counters, so libFuzzer
    # saw 24 edges (only this executable's) and fuzzed blind. The comma form, passed last,
    # gives both.
    swift build --product httpcore-fuzz --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING \
        --scratch-path "$scratch" \
        | { grep -v '^\[' || true; } >&2
    echo "== build: $((SECONDS - start)) s" >&2
}

# Runs TARGET for SECONDS; prints one summary line; returns 1 on a crash.
run() {
    local target=$1 seconds=$2
    shift 2
    targets | grep -qx "$target" || { echo "unknown target $target (see --list)" >&2; return 2; }
    local work=$scratch/work/$target
    mkdir -p "$work/corpus" "$work/artifacts"
    for folder in Fuzz/corpus/$target Fuzz/regressions/$target; do
        [[ -d $folder ]] && cp -n "$folder"/* "$work/corpus/" 2>/dev/null || true
    done
    local options=()
    [[ -f Fuzz/dict/$target.dict ]] && options+=(-dict="Fuzz/dict/$target.dict")
    # The HTTP/2 targets run an async exchange whose tasks free their last allocations a
    # moment after the input returns, so libFuzzer's leak check (a stop-the-world LSan
    # scan) ran after nearly every input: 57 exec/s instead of thousands. Its one report
    # was a false positive (a weak reference's side table, which Swift points to only in
    # encoded form). These targets check instead that the connection is freed after close.
    [[ $target == h2-* ]] && options+=(-detect_leaks=0)
    local before
    before=$(ls "$work/artifacts" | wc -l)
    local log=$work/last-run.log
    echo "== fuzzing $target for $seconds s (corpus $work/corpus, crashes go to $work/artifacts/)" >&2
    local status=0
    # SWIFT_BACKTRACE=enable=no: with the Swift backtracer on, a trap never reaches
    # libFuzzer's handler and no crash file is written. Leak checking uses the same
    # suppressions as the ASan test run (toolchain leaks only).
    SWIFT_BACKTRACE=enable=no HTTPCORE_FUZZ_TARGET=$target \
        LSAN_OPTIONS="suppressions=$PWD/scripts/lsan-suppressions.txt" \
        "$scratch/debug/httpcore-fuzz" "$work/corpus" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/" -timeout=20 -rss_limit_mb=3072 -max_len=4096 "${options[@]}" "$@" \
        >"$log" 2>&1 || status=$?
    local execs rate cov ft corpus crashes
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$({ grep -o 'cov: [0-9]*' "$log" || true; } | tail -1 | cut -d' ' -f2)
    ft=$({ grep -o 'ft: [0-9]*' "$log" || true; } | tail -1 | cut -d' ' -f2)
    corpus=$(ls "$work/corpus" | wc -l)
    crashes=$(($(ls "$work/artifacts" | wc -l) - before))
    echo "$target: seconds=$seconds execs=${execs:-?} exec/s=${rate:-?} cov=${cov:-?} ft=${ft:-?} corpus=$corpus crashes=$crashes"
    if ((status != 0 || crashes > 0)); then
        grep -E 'ERROR: |Fatal error|fuzz invariant|SUMMARY' "$log" | head -5 >&2 || true
        echo "!! $target failed (libFuzzer exit $status); log: $log; crash input:" >&2
        ls -t "$work/artifacts" | head -1 | sed "s|^|   $work/artifacts/|" >&2
        return 1
    fi
}

case "${1:-}" in
    --list)
        targets
        ;;
    --ci)
        seconds=${2:?usage: scripts/fuzz.sh --ci SECONDS_EACH}
        build
        failed=()
        for target in $(targets); do run "$target" "$seconds" || failed+=("$target"); done
        if ((${#failed[@]})); then
            echo "!! fuzzing found crashes in: ${failed[*]}" >&2
            exit 1
        fi
        ;;
    "" | -h | --help)
        sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
        ;;
    *)
        target=$1
        seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS}
        shift 2
        build
        run "$target" "$seconds" "$@"
        ;;
esac
