#!/usr/bin/env bash
# The main job, end to end on 127.0.0.1 with no internet: install what is missing, build
# `hx` and the example programs (Examples/), start `hx serve` twice on a folder (HTTP/2 and
# HTTP/1.1 over TLS by ALPN with a throwaway PKI; HTTP/1.1 and h2c in cleartext), so the
# project serves itself and needs no other server; run each example through HTTPClient
# against them and aioh2's hello example on HTTPCoreServer (scripts/examples.sh), then show hx fetching over HTTP/1.1, over HTTP/2 with
# TLS and over h2c with -v, a certificate refused with its exit code, and a short `hx bench`
# over each protocol. (nghttpd, nginx and the other peers are the interop suite's.)
# Every step checks what it got; any surprise stops the script with a non-zero status.
# Extra arguments go to `swift build` (CI passes its strict build flags).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --libraries
source scripts/examples.sh

echo "== building hx (debug)"
swift build "$@" --product hx
hx="$(swift build "$@" --show-bin-path)/hx"
echo "== building the examples (Examples/, its own package, debug)"
examples_build "$@"

work="$(mktemp -d)"
pids=()
cleanup() {
    ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

bash scripts/make-test-pki.sh "$work/pki" >/dev/null
ca="$work/pki/ca.pem"
mkdir -p "$work/www"
printf 'hello from 127.0.0.1\n' > "$work/www/hello.txt"
head -c $((4 << 20)) /dev/urandom > "$work/www/4mib.bin"

# `hx serve` on a port of its own choosing: it prints "Serving DIR on URL (protocols)" once
# listening, so no port can be taken between choosing and binding. Sets serve_port (not a
# $(...) subshell: pids must keep the pid).
serve() { # name, hx serve arguments
    "$hx" serve "$work/www" --port 0 -q "${@:2}" 2> "$work/$1.log" &
    pids+=($!)
    for _ in $(seq 200); do grep -q '^Serving ' "$work/$1.log" && break; sleep 0.05; done
    grep -q '^Serving ' "$work/$1.log" || { echo "FAILED: hx serve ($1) did not start:" >&2; cat "$work/$1.log" >&2; exit 1; }
    serve_port=$(sed -n 's/^Serving .*:\([0-9]*\) (.*)$/\1/p' "$work/$1.log")
}
# TLS with ALPN (h2, http/1.1) on the throwaway PKI; cleartext HTTP/1.1 with h2c by prior
# knowledge on the same port (hx serve tells them apart by the connection preface).
serve tls --cert "$work/pki/good.pem" --key "$work/pki/good.key"; tls_port=$serve_port
serve cleartext --h2c; h2c_port=$serve_port; h1_port=$serve_port

# Prints the command as a user would type it, then runs it.
show() { printf '\n$ hx %s\n' "$*" >&2; "$hx" "$@"; }
expect_same() { cmp -s "$1" "$2" || { echo "FAILED: $3" >&2; exit 1; }; }

echo
echo "== servers (hx serve): $(sed -n 's/^Serving //p' "$work/tls.log"), $(sed -n 's/^Serving .* on //p' "$work/cleartext.log")"

examples_run "$work" "$ca" "https://localhost:$tls_port" "http://127.0.0.1:$h2c_port" "http://127.0.0.1:$h1_port" "$work/www/4mib.bin"

echo; echo "== HTTP/1.1: the response with its head (-i)"
show -i "http://127.0.0.1:$h1_port/hello.txt" | tee "$work/out"
tail -n 1 "$work/out" > "$work/body"
expect_same "$work/body" "$work/www/hello.txt" "HTTP/1.1 body differs"

echo; echo "== HTTP/2 over TLS: connection, TLS, ALPN and timings (-v)"
show -v --cacert "$ca" "https://localhost:$tls_port/hello.txt" > "$work/body"
expect_same "$work/body" "$work/www/hello.txt" "HTTP/2 body differs"
cat "$work/body"

echo; echo "== h2c by prior knowledge, a 4 MiB download to a file, checked"
show -v --h2c -o "$work/download" "http://127.0.0.1:$h2c_port/4mib.bin"
expect_same "$work/download" "$work/www/4mib.bin" "h2c download differs"
echo "4 MiB received, identical to the served file"

echo; echo "== a certificate that does not name the host: refused with exit code 60"
set +e
show --cacert "$ca" "https://127.0.0.1:$tls_port/hello.txt"
status=$?
set -e
[[ $status -eq 60 ]] || { echo "FAILED: expected exit 60, got $status" >&2; exit 1; }
echo "exit $status, as expected"

echo; echo "== a short load run over each protocol (debug build: the figures are only indicative;"
echo "   scripts/bench-matrix.sh measures release builds against h2load, curl and others)"
show bench -n 5000 -c 1 -m 100 --cacert "$ca" "https://localhost:$tls_port/hello.txt"
show bench -n 5000 -c 1 -m 100 --h2c "http://127.0.0.1:$h2c_port/hello.txt"
show bench -n 2000 -c 4 --http1.1 "http://127.0.0.1:$h1_port/hello.txt"
echo; echo "== done"
