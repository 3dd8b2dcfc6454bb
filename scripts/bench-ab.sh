#!/usr/bin/env bash
# Two builds of pool-matrix (Benchmarks/Sources/pool-matrix) in the same run: S1-S3 of the
# matrix (scripts/bench-matrix.sh) against h2o and nginx (one thread or worker each), the
# two binaries interleaved in every round, so a busy moment on the machine hits both alike.
# CPU per request is user+sys of the whole process (wait4); prints a table of medians and
# every raw run. For "before and after" of a change: build the old commit's pool-matrix in
# a clone, then pass both binaries.
#
# Usage: scripts/bench-ab.sh OLD_BINARY NEW_BINARY [libuv|dispatch]
#   RUNS=N (5) rounds; REQUESTS=N (100000) requests per process; AB_SERVERS=h2o,nginx
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 2 ]] || { echo "usage: $0 OLD_BINARY NEW_BINARY [libuv|dispatch]" >&2; exit 2; }
old="$(realpath "$1")"; new="$(realpath "$2")"; backend="${3:-libuv}"
bash scripts/install-deps.sh >/dev/null
source scripts/bench-nginx.sh
source scripts/bench-servers.sh
install_h2o
make_bench_pki
make_bench_docroot
start_bench_nginx
start_bench_h2o
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
AB_OLD="$old" AB_NEW="$new" AB_BACKEND="$backend" AB_CA="$ca" \
AB_H2O_TLS="https://localhost:$h2o_tls_port/small" AB_H2O_H2C="http://127.0.0.1:$h2o_h1_port/small" AB_H2O_H1="http://127.0.0.1:$h2o_h1_port/small" \
AB_NGINX_TLS="https://localhost:$tls_port/small" AB_NGINX_H2C="http://127.0.0.1:$h2c_port/small" AB_NGINX_H1="http://127.0.0.1:$h1_port/small" \
    python3 - <<'PY'
import os, statistics, subprocess, sys
env = os.environ
runs, requests = int(env.get("RUNS", "5")), int(env.get("REQUESTS", "100000"))
servers = [s for s in env.get("AB_SERVERS", "h2o,nginx").split(",") if s]
cells = [("S1", "h2", "TLS", 1, 100), ("S2", "h2c", "H2C", 1, 100), ("S3", "h1", "H1", 16, 1)]
binaries = {"old": env["AB_OLD"], "new": env["AB_NEW"]}
raw = []
def run(binary, wire, url, connections, streams):
    args = [binary, "get", wire, url, str(requests), str(connections), str(streams), env["AB_CA"], "100", env["AB_BACKEND"]]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0 or "ok requests=%d" % requests not in output:
        sys.exit("%s failed: %s" % (" ".join(args), output[-500:]))
    return (usage.ru_utime + usage.ru_stime) * 1e6 / requests
for round in range(1, runs + 1):
    for server in servers:
        for key, wire, port, connections, streams in cells:
            url = env["AB_%s_%s" % (server.upper(), port)]
            for name in (["old", "new"] if round % 2 else ["new", "old"]):
                raw.append((server, key, name, round, run(binaries[name], wire, url, connections, streams)))
print("| server | scenario | old µs/request | new µs/request | new/old |")
print("| --- | --- | ---: | ---: | ---: |")
for server in servers:
    for key, *_ in cells:
        old = statistics.median(r[4] for r in raw if r[:3] == (server, key, "old"))
        new = statistics.median(r[4] for r in raw if r[:3] == (server, key, "new"))
        print("| %s | %s | %.2f | %.2f | %.2f× |" % (server, key, old, new, new / old))
print()
print("Raw runs (µs of CPU per request, user+sys of the whole process, in run order):")
print()
print("| server | scenario | build | round | µs/request |")
print("| --- | --- | --- | ---: | ---: |")
for server, key, name, round, value in raw:
    print("| %s | %s | %s | %d | %.2f |" % (server, key, name, round, value))
PY
echo
echo "Load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after; $(nproc) cores; backend $backend; h2o $h2o_version, nginx $(nginx -v 2>&1 | cut -d/ -f2); $(date -u '+%Y-%m-%d %H:%M UTC')."
