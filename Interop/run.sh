#!/usr/bin/env bash
# The interop harness: the client (through ConnectionPool, on the libuv and the Dispatch
# backend) against real servers on 127.0.0.1, printing a markdown table of peer x check.
#
#   bash Interop/run.sh [--no-install] [--scratch-path DIR] [--backend libuv|dispatch]... [--markdown FILE]
#
# --scratch-path DIR also moves the root package's build (for hx) to DIR-hx.
#
# 1. Installs what is missing (Debian: the peers below; PyPI: hypercorn into a venv under
#    ~/.cache), which costs a few dpkg queries when everything is there.
# 2. Builds Interop/ (its own package and .build, debug; --scratch-path DIR builds in DIR
#    instead, so a second checkout never shares a build folder with the first).
# 3. Makes a throwaway PKI and docroot, starts nghttpd (TLS and h2c), nginx, h2o, haproxy,
#    hypercorn and `openssl s_server -WWW` on free ports, and writes a manifest saying
#    where each listens, how each check reaches it, and why a cell does not apply.
# 4. Runs interop-check on it: exit status 1 if any check that should pass failed.
# 5. The other way round: builds `hx` (root package, release, the build the benchmarks
#    use), starts `hx serve` on the same docroot over TLS (h2 and http/1.1 by ALPN) and
#    cleartext (HTTP/1.1 and h2c), and runs server_check.py: curl, nghttp, h2load and
#    Python httpx against it, a second table; exit status 1 if any of its cells failed.
# Every peer is stopped on exit, however the script ends.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"

install=1
check_args=()
build_flags=()
hx_build_flags=()
markdown=()
while (($#)); do
    case "$1" in
        --no-install) install=0; shift ;;
        --scratch-path)
            build_flags+=(--scratch-path "$(realpath -m "$2")")
            hx_build_flags+=(--scratch-path "$(realpath -m "$2")-hx")
            shift 2 ;;
        # Both tables go to the file: interop-check writes it, server_check.py appends.
        --markdown) check_args+=("$1" "$2"); markdown=(--markdown "$2"); shift 2 ;;
        *) check_args+=("$1"); shift ;;
    esac
done

hypercorn_version=0.18.0
venv="${INTEROP_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/swift-httpcore-interop/venv}"
# nghttp2-client (nghttp, h2load), curl and python3-httpx with python3-h2 are the clients
# of hx serve's table.
peer_packages=(nginx-core libnginx-mod-http-echo h2o haproxy nghttp2-server openssl python3-venv
    nghttp2-client curl python3-httpx python3-h2)
started=$SECONDS
phase() { echo "== interop: $1 ($((SECONDS - started)) s)" >&2; }

install_peers() {
    local missing=() package
    for package in "${peer_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if ((${#missing[@]})); then
        local sudo_cmd=""
        [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
        echo "installing: ${missing[*]}" >&2
        $sudo_cmd apt-get update -q
        # A first install can fail transiently ("cannot stat pathname"): retry once.
        $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" \
            || $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
    fi
    # Debian's python3 (the venv module is its package); the venv keeps pip off the system.
    if [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("hypercorn"))' 2>/dev/null)" != "$hypercorn_version" ]; then
        echo "installing: hypercorn $hypercorn_version into $venv" >&2
        /usr/bin/python3 -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check "hypercorn==$hypercorn_version"
    fi
}

if ((install)); then
    bash "$root/scripts/install-deps.sh"
    install_peers
fi
phase "peers installed"

# The same strict flags as .ci/run's builds of the root package.
build_flags+=(-Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error)
swift build --package-path "$here" "${build_flags[@]}" --product interop-check >&2
checker="$(swift build --package-path "$here" "${build_flags[@]}" --show-bin-path)/interop-check"
phase "interop-check built"
# Release, with the same strict flags: the build scripts/bench-server.sh measures.
hx_build_flags+=(-c release -Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error)
swift build --package-path "$root" "${hx_build_flags[@]}" --product hx >&2
hx="$(swift build --package-path "$root" "${hx_build_flags[@]}" --show-bin-path)/hx"
phase "hx built"

work="$(mktemp -d)"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json() { /usr/bin/python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$1"; }

# render TEMPLATE OUT KEY=VALUE...: the template with each @KEY@ replaced.
render() {
    local template=$1 out=$2 pair
    shift 2
    local edits=()
    for pair in "$@"; do edits+=(-e "s|@${pair%%=*}@|${pair#*=}|g"); done
    sed "${edits[@]}" "$template" >"$out"
}

# wait_port PORT PID LOG: 0 once PORT accepts, 1 if PID exits or 10 s pass first.
wait_port() {
    local port=$1 pid=$2 log=$3
    for _ in $(seq 200); do
        (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    start_error="did not start listening on $port: $(tail -n 3 "$log" 2>/dev/null | tr '\n' ' ')"
    return 1
}

# The shared docroot: a small file, the trailers body, and 32 MiB of random bytes.
pki="$work/pki"
docroot="$work/docroot"
bash "$root/scripts/make-test-pki.sh" "$pki" >/dev/null
mkdir -p "$docroot"
printf 'hello from the interop docroot\n' >"$docroot/small.txt"
printf 'trailers follow\n' >"$docroot/trailers.txt"
# Text worth compressing (past h2o's and nginx's minimum sizes), for the gzip and br columns.
for i in $(seq 200); do printf 'line %d of the text the peers compress for the interop harness\n' "$i"; done >"$docroot/text.txt"
head -c 32M /dev/urandom >"$docroot/large.bin"

# Check specs the peers share.
get='"get": {"path": "/small.txt", "expect": "small.txt"}, "parallel": {"path": "/small.txt", "expect": "small.txt"}'
download='"download": {"path": "/large.bin", "expect": "large.bin"}, "head": {"path": "/large.bin", "expect": "large.bin"}'
trailer='"trailer": {"name": "x-interop-trailer", "value": "httpcore-interop"}'
gzip_check='"gzip": {"path": "/text.txt", "expect": "text.txt"}'
br_check='"br": {"path": "/text.txt", "expect": "text.txt"}'
no_gzip='"gzip": "serves files as they are (no compression configured or offered)"'
no_br='"br": "no brotli (serves files as they are, or Debian'"'"'s build has no brotli module)"'
# Only nginx is set to close idle connections soon (500 ms) enough to wait out in each row.
idle_na='"idle": "idle timeout left at its default (seconds; nginx covers this at 500 ms)"'
# The duplex check needs a route that answers before the request body ends and echoes it as
# it arrives: the interop app's /echo-stream, on hypercorn and through haproxy.
duplex_check='"duplex": {"path": "/echo-stream"}'
entries=()
start_error=""

# failed NAME VERSION: the manifest entry for a peer that did not start.
failed() { entries+=("{\"name\": \"$1\", \"version\": \"$2\", \"error\": $(json "$1 $start_error")}"); }

start_nghttpd() {
    local version tls_port h2c_port log="$work/nghttpd.log"
    version=$(/usr/sbin/nghttpd --version | sed 's|.*nghttp2/||' || echo "not installed")
    tls_port=$(free_port); h2c_port=$(free_port)
    local common=(-d "$docroot" --echo-upload --trailer "x-interop-trailer: httpcore-interop" -a 127.0.0.1)
    /usr/sbin/nghttpd "${common[@]}" "$tls_port" "$pki/good.key" "$pki/good.pem" >"$log" 2>&1 &
    pids+=($!)
    wait_port "$tls_port" $! "$log" || { failed nghttpd "$version"; return; }
    /usr/sbin/nghttpd "${common[@]}" --no-tls "$h2c_port" >>"$log" 2>&1 &
    pids+=($!)
    wait_port "$h2c_port" $! "$log" || { failed nghttpd "$version"; return; }
    entries+=("$(cat <<JSON
{"name": "nghttpd", "version": "$version",
 "endpoints": {"h2": "https://localhost:$tls_port", "h2c": "http://127.0.0.1:$h2c_port"},
 "unspoken": {"h1": "nghttpd speaks only HTTP/2 (h2c by prior knowledge or Upgrade)",
              "h1tls": "nghttpd offers only h2 in ALPN"},
 "checks": {$get, $download,
            "post": {"path": "/echo", "reply": "echo"},
            "upload": {"path": "/echo", "reply": "echo"},
            "trailers": {"path": "/trailers.txt", "expect": "trailers.txt", $trailer}},
 "na": {$idle_na, $no_gzip, $no_br,
        "duplex": "nghttpd --echo-upload answers only once the whole request body has arrived"}}
JSON
)")
}

start_nginx() {
    local version h1_port tls_port h2c_port dir="$work/nginx"
    version=$(/usr/sbin/nginx -v 2>&1 | sed 's|.*nginx/||' || echo "not installed")
    h1_port=$(free_port); tls_port=$(free_port); h2c_port=$(free_port)
    mkdir -p "$dir"
    render "$here/peers/nginx.conf.in" "$dir/nginx.conf" WORK="$dir" PKI="$pki" DOCROOT="$docroot" \
        H1="$h1_port" TLS="$tls_port" H2C="$h2c_port"
    /usr/sbin/nginx -p "$dir" -c "$dir/nginx.conf" >"$dir/stderr.log" 2>&1 &
    pids+=($!)
    wait_port "$h2c_port" $! "$dir/stderr.log" || { start_error+=" $(tail -n 2 "$dir/error.log" 2>/dev/null)"; failed nginx "$version"; return; }
    entries+=("$(cat <<JSON
{"name": "nginx", "version": "$version",
 "endpoints": {"h1": "http://127.0.0.1:$h1_port", "h1tls": "https://localhost:$tls_port",
               "h2": "https://localhost:$tls_port", "h2c": "http://127.0.0.1:$h2c_port"},
 "checks": {$get, $download,
            "post": {"path": "/echo", "reply": "echo"},
            "upload": {"path": "/echo", "reply": "echo"},
            "trailers": {"path": "/trailers", "expect": "trailers.txt", $trailer},
            "idle": {"path": "/small.txt", "expect": "small.txt", "wait": 1.0}, $gzip_check},
 "na": {$no_br,
        "duplex": "the echo module reads the whole request body before it answers (echo_read_request_body)"}}
JSON
)")
}

start_h2o() {
    local version h1_port tls_port dir="$work/h2o"
    version=$(/usr/bin/h2o --version | awk 'NR == 1 {print $3}' || echo "not installed")
    h1_port=$(free_port); tls_port=$(free_port)
    mkdir -p "$dir"
    render "$here/peers/h2o.conf.in" "$dir/h2o.conf" WORK="$dir" PKI="$pki" DOCROOT="$docroot" H1="$h1_port" TLS="$tls_port"
    /usr/bin/h2o -c "$dir/h2o.conf" >"$dir/stderr.log" 2>&1 &
    pids+=($!)
    wait_port "$tls_port" $! "$dir/stderr.log" || { failed h2o "$version"; return; }
    entries+=("$(cat <<JSON
{"name": "h2o", "version": "$version",
 "endpoints": {"h1": "http://127.0.0.1:$h1_port", "h1tls": "https://localhost:$tls_port",
               "h2": "https://localhost:$tls_port", "h2c": "http://127.0.0.1:$h1_port"},
 "checks": {$get, $download,
            "post": {"path": "/echo", "reply": "echo"},
            "upload": {"path": "/echo", "reply": "echo"}, $gzip_check, $br_check},
 "na": {"trailers": "h2o 2.2 has no way to send response trailers (neither files, mruby nor its proxy)", $idle_na,
        "duplex": "h2o 2.2 runs the mruby handler only once the whole request body has arrived"}}
JSON
)")
}

# hypercorn serves the interop app (peers/app.py) and is haproxy's backend.
start_hypercorn() {
    local version log="$work/hypercorn.log"
    version=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("hypercorn"))' 2>/dev/null || echo "?")
    app_port=$(free_port); local tls_port
    tls_port=$(free_port)
    # -w 0: serve in this process (no worker to spawn, one pid to stop).
    INTEROP_DOCROOT="$docroot" "$venv/bin/hypercorn" -w 0 --insecure-bind "127.0.0.1:$app_port" --bind "127.0.0.1:$tls_port" \
        --certfile "$pki/good.pem" --keyfile "$pki/good.key" "$here/peers/app.py:app" >"$log" 2>&1 &
    pids+=($!)
    wait_port "$tls_port" $! "$log" && wait_port "$app_port" $! "$log" || { failed hypercorn "$version"; return; }
    entries+=("$(cat <<JSON
{"name": "hypercorn", "version": "$version",
 "endpoints": {"h1": "http://127.0.0.1:$app_port", "h1tls": "https://localhost:$tls_port",
               "h2": "https://localhost:$tls_port", "h2c": "http://127.0.0.1:$app_port"},
 "checks": {$get, $download,
            "post": {"path": "/echo", "reply": "echo"},
            "upload": {"path": "/sha256", "reply": "sha256"},
            "trailers": {"path": "/trailers", "expect": "trailers.txt", $trailer}, $duplex_check},
 "na": {"trailers@h1": "hypercorn sends trailers only over HTTP/2 (its HTTP/1.1 side has no trailers)",
        "trailers@h1tls": "hypercorn sends trailers only over HTTP/2 (its HTTP/1.1 side has no trailers)", $idle_na, $no_gzip, $no_br}}
JSON
)")
}

start_haproxy() {
    local version h1_port tls_port dir="$work/haproxy"
    version=$(/usr/sbin/haproxy -v | awk 'NR == 1 {print $3}' || echo "not installed")
    h1_port=$(free_port); tls_port=$(free_port)
    mkdir -p "$dir"
    cat "$pki/good.pem" "$pki/good.key" >"$dir/good-with-key.pem"
    render "$here/peers/haproxy.cfg.in" "$dir/haproxy.cfg" WORK="$dir" DOCROOT="$docroot" \
        H1="$h1_port" TLS="$tls_port" APP="${app_port:-1}"
    /usr/sbin/haproxy -f "$dir/haproxy.cfg" >"$dir/stderr.log" 2>&1 &
    pids+=($!)
    wait_port "$tls_port" $! "$dir/stderr.log" || { failed haproxy "$version"; return; }
    entries+=("$(cat <<JSON
{"name": "haproxy", "version": "$version",
 "endpoints": {"h1": "http://127.0.0.1:$h1_port", "h1tls": "https://localhost:$tls_port",
               "h2": "https://localhost:$tls_port", "h2c": "http://127.0.0.1:$h1_port"},
 "checks": {$get, $download,
            "post": {"path": "/echo", "reply": "echo"},
            "upload": {"path": "/sha256", "reply": "sha256"},
            "trailers": {"path": "/trailers", "expect": "trailers.txt", $trailer}, $duplex_check},
 "na": {$idle_na, $no_gzip, $no_br}}
JSON
)")
}

start_s_server() {
    local version port log="$work/s_server.log"
    version=$(/usr/bin/openssl version | awk '{print $2}' || echo "not installed")
    port=$(free_port)
    # -WWW serves files relative to its working directory, one connection at a time.
    (cd "$docroot" && exec /usr/bin/openssl s_server -accept "127.0.0.1:$port" -cert "$pki/good.pem" -key "$pki/good.key" -WWW </dev/null >"$log" 2>&1) &
    pids+=($!)
    wait_port "$port" $! "$log" || { failed "openssl s_server" "$version"; return; }
    local no_body="s_server -WWW answers only GET (a file, HTTP/1.0, then it closes)"
    entries+=("$(cat <<JSON
{"name": "openssl s_server -WWW", "version": "$version",
 "endpoints": {"h1tls": "https://localhost:$port"},
 "unspoken": {"h1": "s_server speaks only TLS", "h2": "s_server has no HTTP/2", "h2c": "s_server has no HTTP/2"},
 "checks": {$get, $download},
 "na": {"post": "$no_body", "upload": "$no_body", "head": "$no_body",
        "trailers": "s_server -WWW writes no trailers (its -HTTP mode would send a hand-written response, testing that file, not the peer)",
        "idle": "s_server closes the connection after every response", $no_gzip, $no_br, "duplex": "$no_body"}}
JSON
)")
}

start_nghttpd
start_nginx
start_h2o
start_hypercorn
start_haproxy
start_s_server
phase "peers started"

manifest="$work/manifest.json"
{
    printf '{"docroot": %s, "ca": %s, "peers": [\n' "$(json "$docroot")" "$(json "$pki/ca.pem")"
    for i in "${!entries[@]}"; do
        ((i)) && printf ',\n'
        printf '%s' "${entries[$i]}"
    done
    printf '\n]}\n'
} >"$manifest"

status=0
"$checker" "$manifest" "${check_args[@]}" || status=$?
phase "client checks done"

# hx serve over the same docroot: one TLS process (ALPN h2, http/1.1) and one cleartext
# (HTTP/1.1, and h2c told apart by the preface). -q: no access log for 20,000 requests.
hx_tls_port=$(free_port); hx_clear_port=$(free_port)
"$hx" serve "$docroot" -q --port "$hx_tls_port" --cert "$pki/good.pem" --key "$pki/good.key" >"$work/hx-tls.log" 2>&1 &
pids+=($!)
wait_port "$hx_tls_port" $! "$work/hx-tls.log" || { echo "hx serve (TLS) $start_error" >&2; exit 1; }
"$hx" serve "$docroot" -q --port "$hx_clear_port" --h2c >"$work/hx-clear.log" 2>&1 &
pids+=($!)
wait_port "$hx_clear_port" $! "$work/hx-clear.log" || { echo "hx serve (h2c) $start_error" >&2; exit 1; }
echo
echo "## Real clients against hx serve"
echo
# The count lines end the output: interop-check's above, server_check.py's last.
/usr/bin/python3 "$here/server_check.py" --tls "https://localhost:$hx_tls_port" --clear "http://127.0.0.1:$hx_clear_port" \
    --ca "$pki/ca.pem" --docroot "$docroot" "${markdown[@]}" || status=1
exit "$status"
