#!/usr/bin/env bash
# The test command README.md gives: installs what is missing (the tests start nginx on
# 127.0.0.1), then runs every suite with warnings as errors and the import check on, and
# checks allocations per request against the committed budget (scripts/alloc-budget.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift test --disable-xctest -Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error "$@"
# Allocations per request against the committed budget (issue 17), in a release build.
echo "== allocation budget (scripts/alloc-budget.sh)"
# The flags Interop/run.sh builds hx with, so the two release builds share their modules.
bash scripts/alloc-budget.sh -Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error
