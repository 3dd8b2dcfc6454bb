#!/usr/bin/env bash
# The main job, end to end on 127.0.0.1: install what is missing, build, and run the
# HTTP/1.1 client over the libuv and Dispatch backends against an in-process server,
# in clear text and over TLS (with a throwaway PKI made here by make-test-pki.sh).
# Extra arguments go to `swift run` (CI passes its strict build flags).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
pki="$(mktemp -d)"
trap 'rm -rf "$pki"' EXIT
bash scripts/make-test-pki.sh "$pki"
HTTPCORE_DEMO_PKI="$pki" swift run "$@" httpcore-demo
