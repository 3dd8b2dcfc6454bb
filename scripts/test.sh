#!/usr/bin/env bash
# The test command README.md gives: installs what is missing (the tests start nginx on
# 127.0.0.1), then runs every suite with warnings as errors and the import check on.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
exec swift test --disable-xctest -Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error "$@"
