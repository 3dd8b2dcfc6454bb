#!/usr/bin/env bash
# Builds the DocC documentation of every library product with warnings as errors, and
# exits non-zero on any warning: a broken ``Symbol`` link, an undocumented parameter, a
# Topics entry that names nothing.
#
# How: `swift build` of each target with the compiler emitting symbol graphs (its own
# scratch path, so the debug build in .build is not disturbed and the package gains no
# dependency), then the toolchain's own `docc convert` on each target's catalog and
# graphs. The archives go to $SCRATCH/archives (git-ignored, like every .build*).
#
# Usage: scripts/docs.sh [TARGET ...]   (default: every target in TARGETS)
# Environment: DOCS_SCRATCH (default .build-docs), DOCS_OUTPUT (default
# $DOCS_SCRATCH/archives), DOCC (default: the docc beside `swift`, else on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

# Every library product's target. A new product adds its target here and a catalog in
# its own folder: <target folder>/<Target>.docc/<Target>.md whose title is # ``Target``.
TARGETS=(
    HTTPCore
    HTTPCoreHTTP1
    HTTPCoreHTTP2
    HTTPCoreTLS
    HTTPCorePool
    HTTPCoreClient
    HTTPCoreServer
    HTTPCoreDecoding
    HTTPCoreMock
    HTTPCoreLibUV
    HTTPCoreDispatch
    HTTPCoreLogging
    HTTPCoreServiceLifecycle
    HTTPCoreBackendConformance
    HTTPCoreOpenAPI
    HTTPCoreMetrics
    HTTPCoreTracing
)
(($#)) && TARGETS=("$@")

scratch=${DOCS_SCRATCH:-.build-docs}
output=${DOCS_OUTPUT:-$scratch/archives}
graphs=$PWD/$scratch/symbol-graphs

docc=${DOCC:-}
if [[ -z $docc ]]; then
    swift_path=$(readlink -f "$(command -v swift)")
    docc=$(dirname "$swift_path")/docc
    [[ -x $docc ]] || docc=$(command -v docc || true)
fi
[[ -n $docc && -x $docc ]] || { echo "docs.sh: no docc found beside swift or on PATH (set DOCC)" >&2; exit 1; }

# Each target's folder, from the manifest (Backends/ and custom paths included).
target_paths=$(swift package --scratch-path "$scratch" describe --type json | python3 -c '
import json, sys
for target in json.load(sys.stdin)["targets"]:
    print(target["name"], target["path"])
')

# Check every catalog before building anything, so a missing one fails in seconds.
declare -A catalog
missing=0
for target in "${TARGETS[@]}"; do
    path=$(awk -v name="$target" '$1 == name { print $2 }' <<<"$target_paths")
    if [[ -z $path ]]; then
        echo "docs.sh: $target is not a target of Package.swift" >&2
        missing=1
        continue
    fi
    dir=$path/$target.docc
    if [[ ! -f $dir/$target.md ]]; then
        echo "docs.sh: $target has no DocC catalog: expected $dir/$target.md (its landing page, titled # \`\`$target\`\`)" >&2
        missing=1
        continue
    fi
    catalog[$target]=$dir
done
((missing == 0)) || exit 1

# The compiler writes <Module>.symbols.json (and <Module>@<Extended>.symbols.json for
# extensions of other modules' types) for every module it compiles. `--target` takes one
# target per call; after the first, each call is a no-op build of under a second.
echo "== docs: building ${#TARGETS[@]} targets with symbol graphs ($scratch)"
mkdir -p "$graphs" "$scratch/docs-input"
for target in "${TARGETS[@]}"; do
    log=$scratch/docs-input/build-$target.log
    if ! swift build --scratch-path "$scratch" --target "$target" \
        -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$graphs" >"$log" 2>&1; then
        cat "$log"
        echo "docs.sh: swift build --target $target failed" >&2
        exit 1
    fi
    grep -v '^\[' "$log" || true
done
built=$SECONDS

failed=()
mkdir -p "$output"
for target in "${TARGETS[@]}"; do
    # One module's graphs only: docc documents one module per archive.
    own=$scratch/docs-input/$target
    rm -rf "$own"
    mkdir -p "$own"
    cp "$graphs/$target.symbols.json" "$own/"
    shopt -s nullglob
    for extension in "$graphs/$target"@*.symbols.json; do cp "$extension" "$own/"; done
    shopt -u nullglob

    log=$scratch/docs-input/$target.log
    status=0
    "$docc" convert "${catalog[$target]}" \
        --additional-symbol-graph-dir "$own" \
        --fallback-display-name "$target" \
        --fallback-bundle-identifier "swift-httpcore.$target" \
        --output-path "$output/$target.doccarchive" \
        --warnings-as-errors >"$log" 2>&1 || status=$?
    # --warnings-as-errors makes docc exit non-zero; the grep also catches a warning a
    # docc version might still print as one.
    if ((status != 0)) || grep -qE '(^|[^a-z])(warning|error):' "$log"; then
        echo "== docs: $target FAILED (docc exit $status):"
        cat "$log"
        failed+=("$target")
    else
        echo "== docs: $target ok ($output/$target.doccarchive)"
    fi
done

echo "== docs: build $((built - started)) s, docc $((SECONDS - built)) s, total $((SECONDS - started)) s"
if ((${#failed[@]})); then
    echo "docs.sh: documentation warnings or errors in: ${failed[*]}" >&2
    exit 1
fi
echo "docs.sh: ${#TARGETS[@]} targets documented, no warnings"
