# Sourced by scripts/demo.sh (README command 1): builds Examples/ (its own package: the
# seed programs, on HTTPClient) and runs each against the peers demo.sh starts (aioh2-hello
# brings its own server), checking every output. Any surprise stops the demo with a
# non-zero status.

# Builds Examples/ with demo.sh's `swift build` arguments (CI's strict flags included). A
# `--scratch-path P` becomes P/examples: two root packages must not share a build folder.
# Sets examples_bin.
examples_build() {
    local args=() scratch=""
    while (($#)); do
        case "$1" in
            --scratch-path | --build-path) scratch="$2"; shift 2 ;;
            --scratch-path=* | --build-path=*) scratch="${1#*=}"; shift ;;
            *) args+=("$1"); shift ;;
        esac
    done
    [[ -n $scratch ]] && args+=(--scratch-path "$(realpath -m "$scratch")/examples")
    swift build --package-path Examples "${args[@]}"
    examples_bin="$(swift build --package-path Examples "${args[@]}" --show-bin-path)"
}

# Runs an example as a user would type it, its output kept in $examples_out; a non-zero
# exit fails the demo.
example() {
    printf '\n$ %s\n' "$*" >&2
    local status=0
    "$examples_bin/$1" "${@:2}" > "$examples_out" || status=$?
    ((status == 0)) || example_failed "$1 exited with status $status"
}
example_failed() { echo "FAILED: $1; the output was:" >&2; cat "$examples_out" >&2; exit 1; }

# httpx's tutorial: a GET and a JSON POST, each status printed.
check_get_post() {
    [[ "$(cat "$examples_out")" == "$1"$'\n'"$2" ]] || example_failed "expected status $1 for GET and $2 for POST"
    cat "$examples_out"
}

# httpcore's 20 concurrent GETs: one line per pooled connection of the expected kind
# (exactly one over HTTP/2), request counts adding up to 20, then the time taken.
check_concurrent() { # origin, protocol (HTTP/2 or HTTP/1.1)
    local kind=HTTP1Connection h2=0
    [[ $2 == HTTP/2 ]] && kind=HTTP2Connection h2=1
    awk -v prefix="<$kind ['$1', $2, IDLE, Request Count: " -v h2=$h2 '
        { line[NR] = $0 }
        END {
            for (i = 1; i < NR; i++) {
                count = substr(line[i], length(prefix) + 1)
                if (index(line[i], prefix) != 1 || count !~ /^[0-9]+]>$/) exit 1
                sum += count + 0
            }
            if (NR < 2 || sum != 20 || (h2 && NR != 2)) exit 1
            if (line[NR] !~ /^Complete in [0-9]+\.[0-9][0-9][0-9] seconds$/) exit 1
        }
    ' "$examples_out" || example_failed "expected $( ((h2)) && echo "one $2 connection" || echo "$2 connections") to $1 with 20 requests in all, then 'Complete in N.NNN seconds'"
    cat "$examples_out"
}

# The streamed download: the status and protocol, one line per chunk, the total; the
# chunks must add up to the served file. Shows the first and last chunk lines only.
check_stream() { # protocol, served file
    local size lines
    size=$(stat -c %s "$2")
    lines=$(wc -l < "$examples_out")
    awk -v first="200 $1" -v size="$size" '
        NR == 1 { if ($0 != first) exit 1; next }
        /^[0-9]+ bytes$/ { sum += $1; chunks++; next }
        { total = $0 }
        END { if (sum != size || total != "total: " size " bytes in " chunks " chunks") exit 1 }
    ' "$examples_out" || example_failed "expected '200 $1', chunk sizes adding up to $size and that total"
    if ((lines > 8)); then
        head -n 3 "$examples_out"
        echo "... ($((lines - 5)) more chunk lines)"
        tail -n 2 "$examples_out"
    else
        cat "$examples_out"
    fi
}

# aioh2's stream API against hx serve's /echo: the head, the body echoed whole (sent as
# "hello" and "world" 100 ms apart), the echo's byte-count trailer, and a round-trip time.
check_h2_streams() {
    local expected=$'HTTP/2 200\ncontent-type: application/octet-stream\n\nhelloworld\n\nx-echo-bytes: 10'
    [[ "$(head -n -1 "$examples_out")" == "$expected" && "$(tail -n 1 "$examples_out")" =~ ^rtt:\ [0-9]+\.[0-9]{3}\ ms$ ]] \
        || example_failed "expected the 200 head, body 'helloworld', trailer 'x-echo-bytes: 10' and an 'rtt: N.NNN ms' line"
    cat "$examples_out"
}

# aioh2's README example, its server and client in one process: the round trip of a PING
# (its figure varies), then the head, body and trailer, exactly.
check_aioh2_hello() {
    local expected=$'Response headers: :status: 200\nResponse body: hello, world\nResponse trailers: len: 5'
    [[ "$(head -n 1 "$examples_out")" =~ ^Round-trip\ time:\ [0-9]+\.[0-9]{3}ms$ && "$(tail -n +2 "$examples_out")" == "$expected" ]] \
        || example_failed "expected a 'Round-trip time: N.NNNms' line, then ':status: 200', body 'hello, world' and trailer 'len: 5'"
    cat "$examples_out"
}

# Every example against `hx serve` (h2 over TLS, h2c, HTTP/1.1): $1 a scratch folder, $2
# the CA file, $3 to $5 the three base URLs, $6 the file served as /4mib.bin (beside
# /hello.txt; /echo answers GET and POST with the request body, then its trailers and
# x-echo-bytes).
examples_run() {
    local ca=$2 tls=$3 h2c=$4 h1=$5 file=$6
    examples_out="$1/example.out"
    echo; echo "== the examples (Examples/, through HTTPClient): httpx's GET and JSON POST with HTTP/2 on,"
    echo "   to hx serve's /echo over h2, h2c and HTTP/1.1"
    example httpx-get-post "$tls/echo" --cacert "$ca"; check_get_post 200 200
    example httpx-get-post "$h2c/echo" --h2c; check_get_post 200 200
    example httpx-get-post "$h1/echo"; check_get_post 200 200

    echo; echo "== httpcore's 20 concurrent GETs through one client: one HTTP/2 connection, or one HTTP/1.1 connection per request in flight"
    example concurrent-gets "$tls/hello.txt" --cacert "$ca"; check_concurrent "$tls" HTTP/2
    example concurrent-gets "$h2c/hello.txt" --h2c; check_concurrent "$h2c" HTTP/2
    example concurrent-gets "$h1/hello.txt"; check_concurrent "$h1" HTTP/1.1

    echo; echo "== a 4 MiB download streamed chunk by chunk, sizes adding up to the served file"
    example streaming-download "$tls/4mib.bin" --cacert "$ca"; check_stream HTTP/2 "$file"
    example streaming-download "$h2c/4mib.bin" --h2c; check_stream HTTP/2 "$file"
    example streaming-download "$h1/4mib.bin"; check_stream HTTP/1.1 "$file"

    echo; echo "== aioh2's stream API on one HTTP/2 stream: \"hello\" and, 100 ms later, \"world\" sent while the echo"
    echo "   is read, against hx serve's /echo, over h2c and TLS"
    example h2-streams "$h2c/echo"; check_h2_streams
    example h2-streams "$tls/echo" --cacert "$ca"; check_h2_streams

    echo; echo "== aioh2's README example on HTTPCoreServer: a server (concurrency 3) saying hello over the"
    echo "   connection API, and an h2c client sending \"world\" on the stream API, in one process"
    example aioh2-hello; check_aioh2_hello

    echo; echo "== a unit test's view: the mock backend's scripted bytes and a ClosureTransport, no sockets"
    example mock-transport-test
    cat "$examples_out"
    [[ "$(tail -n 1 "$examples_out")" == "mock-transport-test: all checks passed" ]] || example_failed "the mock test did not pass"
}
