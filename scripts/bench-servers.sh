# Sourced by the benchmark scripts after scripts/bench-nginx.sh (its $work, PKI, free_port
# and cleanup): h2o and nghttpd on 127.0.0.1, one thread each, serving $work/docroot, where
# make_bench_docroot puts /small and /upload (100 bytes each; link more files in before
# asking for them). Both use the PKI of bench-nginx.sh (good.pem for "localhost").
#   start_bench_h2o      h2o (num-threads 1): HTTP/1.1 and h2c by prior knowledge on
#                        $h2o_h1_port, HTTP/2 (ALPN) on $h2o_tls_port; files by file.dir,
#                        which refuses POST (405), so /upload is an mruby handler in h2o's
#                        own process (no backend): it reads the whole request body, answers
#                        200 with 100 bytes if it got the Content-Length's bytes (else 400),
#                        and counts those bodies; GET /upload answers "bodies bytes" so far.
#   start_bench_nghttpd  nghttpd (-n 1, 100 streams) twice, as one process serves either TLS
#                        or cleartext: h2 over TLS on $nghttpd_tls_port, h2c by prior
#                        knowledge on $nghttpd_h2c_port. HTTP/2 only. It answers any method
#                        with the file at the path, and (without --early-response) only
#                        after the request's last DATA frame: POST /upload reads the body
#                        and gets /upload's 100 bytes.
#   install_h2o          Debian's h2o, if it is missing.
# Sets $h2o_version and $nghttpd_version; stops the servers on exit.
h2o_pid=""
nghttpd_tls_pid=""
nghttpd_h2c_pid=""
stop_bench_servers() {
    local pid
    for pid in $h2o_pid $nghttpd_tls_pid $nghttpd_h2c_pid; do kill "$pid" 2>/dev/null || true; done
    cleanup
}
trap stop_bench_servers EXIT

install_h2o() {
    command -v h2o >/dev/null && return 0
    echo "installing h2o..." >&2
    local sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -q >/dev/null
    $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q h2o >/dev/null \
        || $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q h2o >/dev/null
}

make_bench_docroot() {
    mkdir -p "$work/docroot"
    printf 'x%.0s' $(seq 1 100) > "$work/docroot/small"
    cp "$work/docroot/small" "$work/docroot/upload"
}

# wait_for_port PORT NAME LOG: until PORT accepts a connection, or fails with NAME's LOG.
wait_for_port() {
    for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done
    echo "$2 did not start: $(cat "$3")" >&2
    return 1
}

start_bench_h2o() {
    make_bench_pki
    [[ -d "$work/docroot" ]] || make_bench_docroot
    mkdir -p "$work/h2o"
    h2o_h1_port=$(free_port); h2o_tls_port=$(free_port)
    cat > "$work/h2o/h2o.conf" <<CONF
user: root
error-log: $work/h2o/error.log
num-threads: 1
http2-max-concurrent-requests-per-connection: 100
listen:
  host: 127.0.0.1
  port: $h2o_h1_port
listen:
  host: 127.0.0.1
  port: $h2o_tls_port
  ssl:
    certificate-file: $work/pki/good.pem
    key-file: $work/pki/good.key
    ocsp-update-interval: 0
hosts:
  default:
    paths:
      /upload:
        mruby.handler: |
          \$uploads = [0, 0]
          Proc.new do |env|
            body = env["rack.input"] ? env["rack.input"].read : ""
            if env["REQUEST_METHOD"] == "GET"
              [200, {}, ["#{\$uploads[0]} #{\$uploads[1]}"]]
            elsif body.bytesize == env["CONTENT_LENGTH"].to_i
              \$uploads[0] += 1
              \$uploads[1] += body.bytesize
              [200, {}, ["x" * 100]]
            else
              [400, {}, ["short body"]]
            end
          end
      /:
        file.dir: $work/docroot
CONF
    h2o -c "$work/h2o/h2o.conf" > "$work/h2o/stderr.log" 2>&1 &
    h2o_pid=$!
    h2o_version="$(h2o --version | awk 'NR == 1 {print $3}')"
    wait_for_port "$h2o_tls_port" h2o "$work/h2o/stderr.log"
}

start_bench_nghttpd() {
    make_bench_pki
    [[ -d "$work/docroot" ]] || make_bench_docroot
    nghttpd_tls_port=$(free_port); nghttpd_h2c_port=$(free_port)
    local flags=(-a 127.0.0.1 -n 1 -m 100 -d "$work/docroot")
    nghttpd "${flags[@]}" "$nghttpd_tls_port" "$work/pki/good.key" "$work/pki/good.pem" > "$work/nghttpd-tls.log" 2>&1 &
    nghttpd_tls_pid=$!
    nghttpd "${flags[@]}" --no-tls "$nghttpd_h2c_port" > "$work/nghttpd-h2c.log" 2>&1 &
    nghttpd_h2c_pid=$!
    nghttpd_version="$(nghttpd --version | sed 's|.*nghttp2/||')"
    wait_for_port "$nghttpd_tls_port" nghttpd "$work/nghttpd-tls.log"
    wait_for_port "$nghttpd_h2c_port" nghttpd "$work/nghttpd-h2c.log"
}
