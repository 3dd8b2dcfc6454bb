#!/usr/bin/env bash
# The test command README.md gives: every suite, warnings as errors, import check on.
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift test --disable-xctest -Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error "$@"
