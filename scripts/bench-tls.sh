#!/usr/bin/env bash
# Our TLS client (Benchmarks tls-bench, release build) beside openssl's and curl's, in one run
# on 127.0.0.1 against openssl s_server, with a throwaway PKI (good.pem for "localhost",
# trusted through ca.pem). Prints markdown tables:
#   - handshakes/s, TLS 1.3, one connection at a time: a bare handshake (vs `s_time -new`),
#     a handshake plus `GET /` from `s_server -www` (vs `s_time -new -www /`), and the same
#     with session resumption (vs `s_time -reuse -www /`); client CPU per connection;
#   - MiB/s of one 256 MiB download from `s_server -WWW` (vs curl) and one 256 MiB upload
#     into `s_server` with its output sent to /dev/null (vs `s_client < file`); client CPU
#     per MiB. Each transfer runs 3 times; the table shows medians.
# CPU is user+system of the client process: getrusage inside tls-bench over the measured
# part only; bash's `time` for the peer clients (whole process, start-up included).
#
# Usage: scripts/bench-tls.sh [seconds-per-handshake-case] [backends]
#        (defaults: 5, "libuv dispatch"). SCRATCH_PATH overrides Benchmarks/.build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-5}
backends=${2:-libuv dispatch}
scratch=${SCRATCH_PATH:-Benchmarks/.build}
size=$((256 * 1024 * 1024))
reps=3

bash scripts/install-deps.sh
for tool in openssl curl ss; do
    command -v "$tool" >/dev/null || { echo "bench-tls.sh: $tool is missing (apt-get install -y openssl curl iproute2)" >&2; exit 1; }
done
swift build -c release --package-path Benchmarks --scratch-path "$scratch" --product tls-bench >&2
bench="$root/$scratch/release/tls-bench"

work=$(mktemp -d /tmp/bench-tls.XXXXXX)
servers=()
cleanup() {
    # SIGKILL: cannot be blocked, and s_server needs no clean exit.
    for pid in "${servers[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    exec 3>&- 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

bash scripts/make-test-pki.sh "$work/pki"
ca="$work/pki/ca.pem"
mkdir "$work/www"
head -c "$size" /dev/urandom >"$work/www/big.bin"
# s_server's stdin: a FIFO held open read-write here, so it never sees EOF (on EOF its
# default mode drops each connection) and never gets a byte.
mkfifo "$work/stdin"
exec 3<>"$work/stdin"

# start_server DIR STDOUT ARGS...: s_server on a free 127.0.0.1 port, run in DIR; sets $port.
start_server() {
    local dir=$1 out=$2
    shift 2
    for _ in 1 2 3 4 5; do
        port=$((20000 + RANDOM % 40000))
        [ -z "$(ss -Hltn "sport = :$port")" ] || continue
        (cd "$dir" && exec openssl s_server -accept "127.0.0.1:$port" -cert "$work/pki/good.pem" \
            -key "$work/pki/good.key" "$@" <&3 >"$out" 2>>"$work/s_server.err") &
        local pid=$!
        servers+=("$pid")
        for _ in $(seq 100); do
            [ -n "$(ss -Hltn "sport = :$port")" ] && return 0
            kill -0 "$pid" 2>/dev/null || break # exits with status 0 when the port was taken
            sleep 0.05
        done
        kill -KILL "$pid" 2>/dev/null || true
    done
    echo "bench-tls.sh: s_server did not start:" >&2
    cat "$work/s_server.err" >&2
    exit 1
}

# field KEY LINE: the value of KEY=value in a tls-bench result line.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
# timed FILE CMD...: runs CMD with stdout+stderr to FILE; sets $real $cpu (seconds).
timed() {
    local file=$1 times
    shift
    times=$( { TIMEFORMAT='%R %U %S'; time "$@" >"$file" 2>&1; } 2>&1 ) \
        || { echo "bench-tls.sh: failed: $*" >&2; cat "$file" >&2; exit 1; }
    real=$(awk '{print $1}' <<<"$times")
    cpu=$(awk '{print $2 + $3}' <<<"$times")
}
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
calc() { awk "BEGIN {printf \"$1\", $2}"; }

rows=()
phases=()
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# Handshakes: -www answers GET / with a status page and closes with close_notify.
start_server "$work" /dev/null -www
for mode in new new-get resumed-get; do
    case $mode in
        new) peer=(-new) label="handshake, new session" ;;
        new-get) peer=(-new -www /) label="handshake + GET /, new session" ;;
        resumed-get) peer=(-reuse -www /) label="handshake + GET /, resumed" ;;
    esac
    timed "$work/s_time.out" openssl s_time -connect "127.0.0.1:$port" -tls1_3 -CAfile "$ca" -time "$seconds" "${peer[@]}"
    count=$(sed -n 's/^\([0-9]*\) connections in [0-9.]*s;.*/\1/p' "$work/s_time.out")
    [ -n "$count" ] || { echo "bench-tls.sh: s_time failed:" >&2; tail -5 "$work/s_time.out" >&2; exit 1; }
    peer_rate=$(calc %.0f "$count / $real")
    peer_cpu=$(calc %.0f "$cpu / $count * 1e6")
    peer_reused=$(grep -E '^[*r]+$' "$work/s_time.out" | tr -cd r | wc -c) # one character per connection
    for backend in $backends; do
        line=$("$bench" handshake "$backend" "$port" "$ca" "$seconds" "$mode")
        n=$(field count "$line")
        rate=$(calc %.0f "$n / $(field seconds "$line")")
        ours_cpu=$(calc %.0f "$(field cpu "$line") / $n * 1e6")
        rows+=("| $label | $backend | $rate conn/s | $peer_rate conn/s | $(calc %.2f "$rate / $peer_rate") | $ours_cpu µs/conn | $peer_cpu µs/conn |")
        phases+=("| $label | $backend | $(field connect_us "$line") | $(field handshake_us "$line") | $(field get_us "$line") | $(field close_us "$line") | $(field reused "$line")/$n | $(field threads "$line") |")
    done
    [ "$mode" = resumed-get ] && phases+=("| $label | s_time | | | | | $peer_reused/$count | |")
done

# transfer KIND LABEL PEER-COMMAND...: $reps runs of our client for each backend and of the
# peer, medians into the table. The peer command must leave "BYTES SECONDS" in $work/peer.out
# when it measures its own time (curl); otherwise bash's wall time counts.
transfer() {
    local kind=$1 label=$2 mib=$((size / 1024 / 1024)) backend line peer_rate peer_cpu
    shift 2
    declare -A rate ours_cpu
    for backend in $backends; do
        : >"$work/rate" && : >"$work/cpu"
        for _ in $(seq $reps); do
            if [ "$kind" = download ]; then
                line=$("$bench" download "$backend" "$port" "$ca" /big.bin "$size") # fails on a short body
                [ "$(field ending "$line")" = close_notify ] || echo "note: download ended without close_notify (body complete): $line" >&2
            else
                line=$("$bench" upload "$backend" "$port" "$ca" "$size")
            fi
            calc '%.1f\n' "$mib / $(field seconds "$line")" >>"$work/rate"
            calc '%.0f\n' "$(field cpu "$line") / $mib * 1e6" >>"$work/cpu"
        done
        rate[$backend]=$(median <"$work/rate")
        ours_cpu[$backend]=$(median <"$work/cpu")
    done
    : >"$work/rate" && : >"$work/cpu"
    for _ in $(seq $reps); do
        timed "$work/peer.out" "$@"
        if [ "$kind" = download ]; then
            read -r got total <"$work/peer.out"
            [ "$got" = "$size" ] || { echo "bench-tls.sh: curl got $got bytes of $size" >&2; exit 1; }
        else
            total=$real
        fi
        calc '%.1f\n' "$mib / $total" >>"$work/rate"
        calc '%.0f\n' "$cpu / $mib * 1e6" >>"$work/cpu"
    done
    peer_rate=$(median <"$work/rate")
    peer_cpu=$(median <"$work/cpu")
    for backend in $backends; do
        rows+=("| $label | $backend | ${rate[$backend]} MiB/s | $peer_rate MiB/s | $(calc %.2f "${rate[$backend]} / $peer_rate") | ${ours_cpu[$backend]} µs/MiB | $peer_cpu µs/MiB |")
    done
}

# Download: -WWW serves files from its working directory and ends with close_notify.
start_server "$work/www" /dev/null -WWW
transfer download "download 256 MiB (vs curl)" \
    curl -sS -o /dev/null --cacert "$ca" --resolve "localhost:$port:127.0.0.1" \
    -w '%{size_download} %{time_total}\n' "https://localhost:$port/big.bin"

# Upload: s_server's default mode prints what it receives; its stdout is /dev/null. For
# s_client, -quiet implies -ign_eof (it would wait forever after the file), and without
# -nocommands a line starting with K, k, R or Q in the data is a command.
start_server "$work" /dev/null -quiet
transfer upload "upload 256 MiB (vs s_client)" \
    sh -c 'exec openssl s_client -connect "$1" -CAfile "$2" -servername localhost -quiet -no_ign_eof -nocommands <"$3"' \
    s_client "127.0.0.1:$port" "$ca" "$work/www/big.bin"

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); $(openssl version); load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
echo
echo "| scenario | our backend | ours | peer | ours/peer | our CPU | peer CPU |"
echo "|---|---|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "Our time per connection by phase (µs; wall clock, one connection at a time):"
echo
echo "| scenario | client | TCP connect | TLS handshake | GET + read | close | resumed | threads |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${phases[@]}"
