#!/usr/bin/env bash
# Echo round trips per second and client CPU per round trip, for each backend, with 1 and
# 100 connections on 127.0.0.1 (release build). Argument: seconds per case (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --package-path Benchmarks --product echo-bench
Benchmarks/.build/release/echo-bench "${1:-3}"
