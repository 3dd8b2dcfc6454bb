#!/usr/bin/env bash
# The main job, end to end on 127.0.0.1 with no internet: install what is missing, build
# `hx` and the example programs (Examples/), start nghttpd (HTTP/2 over TLS and h2c) and
# nginx (HTTP/1.1) with a throwaway PKI, run each example through HTTPClient against them
# and aioh2's hello example on HTTPCoreServer (scripts/examples.sh), then show hx fetching
# over HTTP/1.1, over HTTP/2 with TLS and over h2c with -v, a certificate refused with its
# exit code, and a short `hx bench` over each protocol.
# Every step checks what it got; any surprise stops the script with a non-zero status.
# Extra arguments go to `swift build` (CI passes its strict build flags).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
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
mkdir -p "$work/www" "$work/nginx"
# nginx's workers run as nobody when started by root: let them read the served folder.
chmod o+rx "$work" "$work/www"
printf 'hello from 127.0.0.1\n' > "$work/www/hello.txt"
head -c $((4 << 20)) /dev/urandom > "$work/www/4mib.bin"
chmod o+r "$work/www"/*
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
h1_port=$(free_port); tls_port=$(free_port); h2c_port=$(free_port)

# nghttpd speaks only HTTP/2; nginx serves the same folder over HTTP/1.1.
nghttpd --address=127.0.0.1 -d "$work/www" "$tls_port" "$work/pki/good.key" "$work/pki/good.pem" >/dev/null 2>&1 &
pids+=($!)
nghttpd --address=127.0.0.1 --no-tls -d "$work/www" "$h2c_port" >/dev/null 2>&1 &
pids+=($!)
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
error_log $work/nginx/error.log warn;
pid $work/nginx/nginx.pid;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    server {
        listen 127.0.0.1:$h1_port;
        root $work/www;
        # Static files answer POST with 405; this gives httpx-get-post's POST a 200 (the
        # body is read and discarded).
        location = /post { return 200 "ok\n"; }
    }
}
CONF
/usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" 2>/dev/null &
pids+=($!)
# The h2 echo peer (hyper's h2, Debian's python3-h2) for the stream-API example, over h2c
# and TLS. It binds port 0 itself and prints "READY <port>", so no port can be taken
# between choosing and binding. Sets echo_port (not a $(...) subshell: pids must keep the pid).
echo_peer() { # name, extra arguments
    /usr/bin/python3 Interop/peers/h2_echo_server.py 0 "${@:2}" > "$work/$1.out" 2>&1 &
    pids+=($!)
    for _ in $(seq 200); do grep -q '^READY ' "$work/$1.out" && break; sleep 0.05; done
    grep -q '^READY ' "$work/$1.out" || { echo "FAILED: the h2 echo peer did not start (python3-h2 missing? scripts/install-deps.sh):" >&2; cat "$work/$1.out" >&2; exit 1; }
    echo_port=$(awk '/^READY /{ print $2 }' "$work/$1.out")
}
echo_peer echo-h2c; echo_h2c_port=$echo_port
echo_peer echo-tls "$work/pki/good.pem" "$work/pki/good.key"; echo_tls_port=$echo_port
for port in "$h1_port" "$tls_port" "$h2c_port"; do
    for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.05; done
done

# Prints the command as a user would type it, then runs it.
show() { printf '\n$ hx %s\n' "$*" >&2; "$hx" "$@"; }
expect_same() { cmp -s "$1" "$2" || { echo "FAILED: $3" >&2; exit 1; }; }

echo
echo "== servers: nginx http://127.0.0.1:$h1_port (HTTP/1.1), nghttpd https://localhost:$tls_port (h2), nghttpd http://127.0.0.1:$h2c_port (h2c)"

examples_run "$work" "$ca" "https://localhost:$tls_port" "http://127.0.0.1:$h2c_port" "http://127.0.0.1:$h1_port" "$work/www/4mib.bin" \
    "https://localhost:$echo_tls_port" "http://127.0.0.1:$echo_h2c_port"

echo; echo "== HTTP/1.1 (nginx): the response with its head (-i)"
show -i "http://127.0.0.1:$h1_port/hello.txt" | tee "$work/out"
tail -n 1 "$work/out" > "$work/body"
expect_same "$work/body" "$work/www/hello.txt" "HTTP/1.1 body differs"

echo; echo "== HTTP/2 over TLS (nghttpd): connection, TLS, ALPN and timings (-v)"
show -v --cacert "$ca" "https://localhost:$tls_port/hello.txt" > "$work/body"
expect_same "$work/body" "$work/www/hello.txt" "HTTP/2 body differs"
cat "$work/body"

echo; echo "== h2c by prior knowledge (nghttpd), a 4 MiB download to a file, checked"
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
