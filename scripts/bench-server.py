"""hx serve beside nghttpd and h2o under h2load, run by scripts/bench-server.sh, which
builds hx and the allocation counter and passes them through the environment.

The three servers run side by side for the whole measurement, each with one thread, and
the runs take turns (server after server, then the next -c, then the next run), so a busy
moment of the shared machine hits all of them. A run counts only if h2load reports every
request succeeded with a 2xx status; otherwise the cell fails and the script exits 1
after printing the tables.

Server CPU per request: user+sys of the server's process (every thread, /proc/PID/stat)
from just before h2load starts to just after it ends, over the requests. Allocations per
request (hx serve only): a fresh hx serve with the counter preloaded serves one h2load run
and is stopped with SIGTERM (a graceful exit, so the counter's destructor writes its
total); the total of one that served nothing is subtracted, leaving the requests' and
the connections' allocations.
"""

import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time

from machine_load import busy_seconds, own_seconds, process_seconds

env = os.environ
HX = env["BENCH_HX"]
COUNTER = env["BENCH_COUNTER"]
WORK = env["BENCH_WORK"]
RUNS = int(env.get("RUNS", "3"))
CLIENTS = [int(c) for c in env.get("CLIENTS", "1 10").split()]
REQUESTS = 100000
STREAMS = 100
DOCROOT = os.path.join(WORK, "docroot")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, process, name):
    for _ in range(200):
        if process.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"{name} did not start listening on {port}")


def start(name, argv, port, extra_env=None):
    log = open(os.path.join(WORK, f"{name.split()[0]}.log"), "ab")
    process = subprocess.Popen(argv, stdout=log, stderr=log, env={**env, **(extra_env or {})})
    wait_port(port, process, name)
    return process


def hx_argv(port):
    return [HX, "serve", DOCROOT, "-q", "--h2c", "-t", "1", "--port", str(port)]


def start_servers():
    servers = {}
    port = free_port()
    servers["hx serve"] = (start("hx serve", hx_argv(port), port), port)
    port = free_port()
    servers["nghttpd"] = (start("nghttpd", ["nghttpd", "--no-tls", "-n", "1", "-a", "127.0.0.1", "-d", DOCROOT, str(port)], port), port)
    port = free_port()
    config = os.path.join(WORK, "h2o.conf")
    with open(config, "w") as f:
        # No access-log: none is written (hx serve -q and nghttpd without -v log nothing either).
        # h2o refuses to run as root unless told which user to be.
        f.write(("user: root\n" if os.getuid() == 0 else "") + f"""error-log: {WORK}/h2o-error.log
num-threads: 1
http2-max-concurrent-requests-per-connection: {STREAMS}
listen:
  host: 127.0.0.1
  port: {port}
hosts:
  default:
    paths:
      /:
        file.dir: {DOCROOT}
""")
    servers["h2o"] = (start("h2o", ["h2o", "-c", config], port), port)
    return servers


def h2load(port, clients):
    argv = ["h2load", "-n", str(REQUESTS), "-c", str(clients), "-m", str(STREAMS), f"http://127.0.0.1:{port}/small"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    out = done.stdout
    requests = re.search(r"requests: .*", out)
    codes = re.search(r"status codes: (\d+) 2xx", out)
    rate = re.search(r"finished in .*, ([0-9.]+) req/s", out)
    ok = (done.returncode == 0 and requests and f"{REQUESTS} succeeded, 0 failed, 0 errored" in requests.group(0)
          and codes and int(codes.group(1)) == REQUESTS and rate)
    problem = None if ok else (requests.group(0) if requests else (out + done.stderr)[-300:])
    return (float(rate.group(1)) if rate else 0.0), problem


def server_pids(process):
    """h2o forks a worker under its master; count the whole tree (the master idles)."""
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    return [process.pid] + [int(p) for p in children]


def measure(servers):
    raw = []  # (server, clients, run, req/s, cpu us/req, problem)
    start_wall, start_busy, start_own = time.monotonic(), busy_seconds(), own_seconds()
    served_total = 0.0
    for run in range(1, RUNS + 1):
        for clients in CLIENTS:
            for name, (process, port) in servers.items():
                pids = server_pids(process)
                before = sum(process_seconds(p) for p in pids)
                rate, problem = h2load(port, clients)
                served = sum(process_seconds(p) for p in pids) - before
                served_total += served
                raw.append((name, clients, run, rate, served / REQUESTS * 1e6, problem))
                print(f"  {name} -c {clients} run {run}: {rate:.0f} req/s, {served / REQUESTS * 1e6:.2f} µs/req"
                      + (f" FAILED: {problem}" if problem else ""), file=sys.stderr)
    wall = time.monotonic() - start_wall
    others = busy_seconds() - start_busy - (own_seconds() - start_own) - served_total
    return raw, wall, max(0.0, others) / wall


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def hx_allocations(clients):
    """Allocations per request of hx serve under one h2load run, or a reason it has none."""
    def counted(serve):
        report = os.path.join(WORK, "alloc-report.txt")
        if os.path.exists(report):
            os.remove(report)
        port = free_port()
        process = start("hx serve (counted)", hx_argv(port), port,
                        {"LD_PRELOAD": COUNTER, "ALLOC_COUNTER_REPORT": report})
        problem = h2load(port, clients)[1] if serve else None
        status = stop(process)
        if problem or status != 0 or not os.path.exists(report):
            raise RuntimeError(problem or f"hx serve exited {status} without the counter's report")
        return int(open(report).read())

    try:
        idle, busy = counted(False), counted(True)
    except RuntimeError as error:
        return None, str(error)
    return (busy - idle) / REQUESTS, f"{busy} counted serving {REQUESTS} requests, {idle} serving none"


def main():
    servers = start_servers()
    try:
        raw, wall, others = measure(servers)
    finally:
        for process, _ in servers.values():
            stop(process)
    allocations = {c: hx_allocations(c) for c in CLIENTS}

    failed = any(r[5] for r in raw)
    print(f"h2load -n {REQUESTS} -c C -m {STREAMS} http://127.0.0.1:PORT/small (100 bytes, h2c); median of {RUNS} runs. "
          f"Other processes kept {others:.2f} of the {os.cpu_count()} cores busy on average during the {wall:.0f} s of measurement.")
    print()
    print("| server | -c | req/s | server CPU per request | allocations per request |")
    print("|---|---|---|---|---|")
    for clients in CLIENTS:
        for name in servers:
            runs = [r for r in raw if r[0] == name and r[1] == clients]
            if any(r[5] for r in runs):
                print(f"| {name} | {clients} | **FAIL** | **FAIL** | |")
                continue
            alloc = "n/a (not counted)"
            if name == "hx serve":
                per_request, detail = allocations[clients]
                alloc = f"{per_request:.1f}" if per_request is not None else f"not counted: {detail}"
            print(f"| {name} | {clients} | {statistics.median(r[3] for r in runs):.0f} | "
                  f"{statistics.median(r[4] for r in runs):.2f} µs | {alloc} |")
    print()
    print("Allocation counts (hx serve): " + "; ".join(f"-c {c}: {allocations[c][1]}" for c in CLIENTS) + ".")
    print()
    print("Raw runs (in the order they ran):")
    print()
    print("| run | -c | server | req/s | server CPU per request | h2load |")
    print("|---|---|---|---|---|---|")
    for name, clients, run, rate, cpu, problem in raw:
        print(f"| {run} | {clients} | {name} | {rate:.0f} | {cpu:.2f} µs | {problem or 'all 2xx'} |")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
