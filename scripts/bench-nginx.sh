# Sourced by the benchmark scripts: one nginx (1 worker) on 127.0.0.1 in a temporary
# folder, with a throwaway PKI, serving /small (100 bytes) and the folder's files, on three
# ports: $h1_port (HTTP/1.1), $tls_port (HTTP/2 and HTTP/1.1 over TLS by ALPN, good.pem
# for "localhost") and $h2c_port (h2c). POST /upload reads the whole request body (up to
# 1 MiB, in memory) before it answers 200 with the same 100 bytes as /small, and logs
# "status request_length content_length" of each such request to $upload_log, so a script
# can check that the server received every body. Sets $work (removed on exit), $ca,
# $upload_log, and the helpers free_port, median, make_big_file and make_bench_pki. Call
# start_bench_nginx after putting any files in $work.
work="$(mktemp -d)"
nginx_pid=""
cleanup() { [[ -n "$nginx_pid" ]] && kill "$nginx_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# The median of 3 numbers, one per line.
median() { sort -n | sed -n 2p; }
# make_big_file NAME BYTES: random bytes (nothing compresses) at $work/NAME, served as /NAME.
make_big_file() { head -c "$2" /dev/urandom > "$work/$1"; }
upload_log="$work/upload.log"
# The throwaway PKI in $work/pki (made once, whichever server starts first); sets $ca.
make_bench_pki() {
    [[ -f "$work/pki/ca.pem" ]] || bash scripts/make-test-pki.sh "$work/pki" >/dev/null
    ca="$work/pki/ca.pem"
}

start_bench_nginx() {
    make_bench_pki
    h1_port=$(free_port); tls_port=$(free_port); h2c_port=$(free_port)
    local small
    small=$(printf 'x%.0s' $(seq 1 100))
    : > "$work/upload"   # for the static handler to refuse POST to (405), see /upload
    cat > "$work/nginx.conf" <<CONF
user root;
worker_processes 1;
daemon off;
error_log $work/error.log warn;
pid $work/nginx.pid;
events { worker_connections 4096; }
worker_rlimit_nofile 8192;
http {
    access_log off;
    client_body_temp_path $work/body;
    keepalive_requests 1000000;
    keepalive_timeout 600s;
    http2_max_concurrent_streams 100;
    log_format upload '\$status \$request_length \$content_length';
    server {
        listen 127.0.0.1:$h1_port;
        listen 127.0.0.1:$tls_port ssl http2;
        listen 127.0.0.1:$h2c_port http2;
        ssl_certificate $work/pki/good.pem;
        ssl_certificate_key $work/pki/good.key;
        root $work;
        location = /small { return 200 "$small"; }
        # The mirror reads the whole body before the request goes on (a plain "return" would
        # answer first and discard it); the static handler then refuses POST with 405, which
        # error_page turns into 200 with the small body.
        location = /upload {
            client_max_body_size 1m;
            client_body_buffer_size 1m;
            mirror /upload-sink;
            mirror_request_body on;
            error_page 405 =200 @upload-ok;
        }
        location = /upload-sink { internal; return 204; }
        location @upload-ok {
            access_log $upload_log upload;
            return 200 "$small";
        }
    }
}
CONF
    /usr/sbin/nginx -p "$work" -c "$work/nginx.conf" &
    nginx_pid=$!
    for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$tls_port") 2>/dev/null && return 0; sleep 0.05; done
    echo "nginx did not start: $(cat "$work/error.log")" >&2
    return 1
}
