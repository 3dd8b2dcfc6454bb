#!/usr/bin/env bash
# The OpenAPI example (issue 19): builds Examples/openapi-greeting, its own package with
# swift-openapi-generator's build plugin (so the library never builds the generator), and
# runs it: the generated server on HTTPServer and the generated client on HTTPClient, over
# h2c and HTTP/1.1, in one process. Prints how long each step took. Exits non-zero when a
# step fails, the program's checks included (it exits 1 on any answer it did not expect).
#
# A clean build compiles the generator and its dependencies (OpenAPIKit, Yams) and the
# library again: about 3 minutes on 2 cores; later builds reuse the example's .build.
#
# Usage: scripts/openapi-example.sh [swift build arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
example=Examples/openapi-greeting
scratch=("--scratch-path" "$example/.build")

# Runs "$@" as step $1, then prints the step's wall time; a failed step stops the script.
step() {
    local name=$1 start end status=0
    shift
    start=$(date +%s%N)
    "$@" || status=$?
    end=$(date +%s%N)
    printf 'openapi-example: %s took %d.%03d s\n' "$name" $(((end - start) / 1000000000)) $(((end - start) / 1000000 % 1000)) >&2
    if ((status != 0)); then
        echo "openapi-example: FAILED: $name exited with status $status" >&2
        exit "$status"
    fi
}

build() { swift build --package-path "$example" "${scratch[@]}" "$@" | { grep -v "^\[" || true; } >&2; }

step resolve swift package --package-path "$example" "${scratch[@]}" resolve
step build build "$@"
bin="$(swift build --package-path "$example" "${scratch[@]}" "$@" --show-bin-path)"
step run "$bin/openapi-greeting"
