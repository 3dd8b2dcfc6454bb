"""HTTPClient against the bare pool (issue 13, "Measure"), run by scripts/bench-client.sh,
which builds Benchmarks' client-matrix and the allocation counter, starts the servers and
passes everything here through the environment.

Each process is one mode of client-matrix on one scenario: it warms up (WARMUP requests:
connections, TLS, caches), then measures a window of the scenario's requests, reporting
the window's user+sys CPU (getrusage, every thread) and, in the allocation passes (with
alloc-counter.so in LD_PRELOAD), the heap allocations in the window. The CPU passes run
without the counter, so counting never slows what is timed. Inside each run the modes take
turns (the order flips every run), so a busy moment hits all of them; each figure is the
median over the runs.

A run counts only when the process exits 0 and reports exactly the requests and body bytes
it was asked for (it checks status 200 and the length of every body itself); anything else
fails the cell, and the script exits 1 after printing the tables.
"""

import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

from machine_load import busy_seconds, own_seconds, process_seconds

env = os.environ
BIN = env["CLIENT_BIN"]
COUNTER = env["CLIENT_COUNTER"]
CA = env["CLIENT_CA"]
BACKEND = env["CLIENT_BACKEND"]
RUNS = int(env.get("RUNS", "5"))
ALLOC_RUNS = int(env.get("ALLOC_RUNS", "2"))
WARMUP = int(env.get("WARMUP", "2000"))
ONLY_SCENARIOS = [s for s in env.get("CLIENT_SCENARIOS", "").split(",") if s]
MODES = [m for m in env.get("CLIENT_MODES", "pool,client,client-defaults").split(",") if m]
SMALL = 100
# Target (issue 13): the client adds at most 10% CPU and at most 3 allocations per request.
CPU_LIMIT = 1.10
ALLOC_LIMIT = 3.0
TIMEOUT = 120  # seconds per process: every run stops by itself


@dataclass
class Server:
    name: str
    version: str
    tls: str  # https://localhost:PORT
    h2c: str  # http://127.0.0.1:PORT (prior knowledge)
    h1: str
    pids: list


@dataclass
class Scenario:
    key: str
    label: str
    wire: str
    path: str
    count: int
    connections: int
    streams: int

    def url(self, server):
        return {"h2": server.tls, "h2c": server.h2c, "h1": server.h1}[self.wire] + self.path

    def args(self, server):
        return ["get", self.wire, self.url(server), str(self.count), str(self.connections), str(self.streams), CA, str(SMALL)]


# As in scripts/bench-matrix.py.
SCENARIOS = [
    Scenario("S1", "S1: 20,000 GETs of 100 B, h2 over TLS, 1 conn × 100 streams", "h2", "/small", 20000, 1, 100),
    Scenario("S2", "S2: 20,000 GETs of 100 B, h2c, 1 conn × 100 streams", "h2c", "/small", 20000, 1, 100),
    Scenario("S3", "S3: 20,000 GETs of 100 B, HTTP/1.1 cleartext, 16 conns", "h1", "/small", 20000, 16, 1),
]


class Failed(Exception):
    pass


@dataclass
class Run:
    user_us: int
    sys_us: int
    wall_us: int
    allocs: int | None
    connections: int
    served: int

    @property
    def cpu_us(self):
        return self.user_us + self.sys_us


@dataclass
class Cell:
    cpu: list = field(default_factory=list)  # Run, CPU passes
    alloc: list = field(default_factory=list)  # Run, allocation passes
    failures: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def run_one(mode, s, server, counting):
    command = [BIN, mode, str(WARMUP), *s.args(server), BACKEND]
    child_env = dict(env)
    child_env.pop("LD_PRELOAD", None)
    if counting:
        child_env["LD_PRELOAD"] = COUNTER
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, env=child_env)
    except subprocess.TimeoutExpired:
        raise Failed(f"did not finish in {TIMEOUT} s")
    if done.returncode != 0:
        raise Failed(f"exit {done.returncode}: {(done.stderr or done.stdout).strip()[-300:]}")
    ok = re.search(r"^ok requests=(\d+) response_bytes=(\d+) upload_bytes=(\d+)$", done.stdout, re.M)
    if not ok or tuple(map(int, ok.groups())) != (s.count, s.count * SMALL, 0):
        raise Failed(f"reported {ok.group(0) if ok else 'no ok line'}, want {s.count} requests of {SMALL} bytes")
    m = re.search(r"^window requests=(\d+) user_us=(\d+) sys_us=(\d+) wall_us=(\d+) allocs=(\d+|-) connections=(\d+) served=(\d+)$", done.stdout, re.M)
    if not m:
        raise Failed("no window line")
    allocs = None if m.group(5) == "-" else int(m.group(5))
    if counting and allocs is None:
        raise Failed("the allocation counter was not loaded")
    return Run(int(m.group(2)), int(m.group(3)), int(m.group(4)), allocs, int(m.group(6)), int(m.group(7)))


def measure(mode, s, server, cell, counting):
    try:
        r = run_one(mode, s, server, counting)
    except Failed as error:
        cell.failures.append(str(error))
        print(f"  {server.name} {s.key} {mode}: FAILED: {error}", file=sys.stderr)
        return
    if r.connections != s.connections or r.served != WARMUP + s.count:
        cell.notes.append(f"{r.connections} connections served {r.served} requests at the end (want {s.connections} and {WARMUP + s.count}): a connection was replaced")
    (cell.alloc if counting else cell.cpu).append(r)
    what = f"allocs {r.allocs / s.count:.2f}/req" if counting else f"CPU {r.cpu_us / s.count:.2f} µs/req"
    print(f"  {server.name} {s.key} {mode}: {what}", file=sys.stderr)




def median(values):
    return statistics.median(values) if values else None


def fmt(value, digits=2):
    return "n/a" if value is None else f"{value:,.{digits}f}"


def main():
    servers = []
    for name in [n for n in env.get("CLIENT_SERVERS", "nginx,h2o").split(",") if n]:
        prefix = name.upper()
        servers.append(Server(name, env[f"{prefix}_VERSION"], env[f"{prefix}_TLS"], env[f"{prefix}_H2C"], env[f"{prefix}_H1"], env[f"{prefix}_PIDS"].split()))
    scenarios = [s for s in SCENARIOS if not ONLY_SCENARIOS or s.key in ONLY_SCENARIOS]
    cells = {(v.name, s.key, m): Cell() for v in servers for s in scenarios for m in MODES}

    start = (time.monotonic(), busy_seconds(), own_seconds(), sum(process_seconds(p) for v in servers for p in v.pids))
    for server in servers:
        for s in scenarios:
            for run in range(RUNS):
                print(f"{server.name} {s.key} CPU run {run + 1}/{RUNS}", file=sys.stderr)
                for mode in (MODES if run % 2 == 0 else MODES[::-1]):
                    measure(mode, s, server, cells[(server.name, s.key, mode)], counting=False)
            for run in range(ALLOC_RUNS):
                print(f"{server.name} {s.key} allocation run {run + 1}/{ALLOC_RUNS}", file=sys.stderr)
                for mode in MODES:
                    measure(mode, s, server, cells[(server.name, s.key, mode)], counting=True)
    wall = time.monotonic() - start[0]
    busy, own = busy_seconds() - start[1], own_seconds() - start[2]
    served = sum(process_seconds(p) for v in servers for p in v.pids) - start[3]
    others = busy - own - served
    print(f"machine busy {busy:.1f} s, client-matrix and script {own:.1f} s, servers {served:.1f} s, wall {wall:.1f} s", file=sys.stderr)

    print(f"Other processes kept {max(0.0, others) / wall:.2f} of the {os.cpu_count()} cores busy on average during the {wall:.0f} s of measurement "
          f"(/proc/stat, less client-matrix's, the servers' and the script's own CPU).")
    print()
    failed = False
    verdicts = []
    for server in servers:
        print(f"### {server.name} {server.version}")
        print()
        print("| scenario | client | CPU µs/req, pool | CPU µs/req, client | client/pool | Δ µs/req | user µs/req, pool → client | allocs/req, pool | allocs/req, client | client/pool | Δ allocs/req | target (≤ +10% CPU, ≤ +3 allocs/req) |")
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        for s in scenarios:
            base = cells[(server.name, s.key, "pool")]
            base_cpu = median([r.cpu_us / s.count for r in base.cpu])
            base_alloc = median([r.allocs / s.count for r in base.alloc])
            base_user = median([r.user_us / s.count for r in base.cpu])
            for mode in [m for m in MODES if m != "pool"]:
                cell = cells[(server.name, s.key, mode)]
                label = {"client": "HTTPClient (same request as the pool)", "client-defaults": "HTTPClient, default headers"}.get(mode, mode)
                if cell.failures or base.failures or base_cpu is None or base_alloc is None or not cell.cpu or not cell.alloc:
                    failed = True
                    print(f"| {s.label} | {label} | **FAILED** | | | | | | | | | |")
                    continue
                cpu = median([r.cpu_us / s.count for r in cell.cpu])
                alloc = median([r.allocs / s.count for r in cell.alloc])
                user = median([r.user_us / s.count for r in cell.cpu])
                cpu_ok, alloc_ok = cpu <= base_cpu * CPU_LIMIT, alloc - base_alloc <= ALLOC_LIMIT
                verdict = "met" if cpu_ok and alloc_ok else "missed: " + " and ".join(
                    ([f"CPU +{(cpu / base_cpu - 1) * 100:.0f}%"] if not cpu_ok else []) + ([f"+{alloc - base_alloc:.1f} allocs"] if not alloc_ok else []))
                verdicts.append((server.name, s.key, mode, verdict))
                print(f"| {s.label} | {label} | {fmt(base_cpu)} | {fmt(cpu)} | {cpu / base_cpu:.2f}× | {cpu - base_cpu:+.2f} | "
                      f"{fmt(base_user)} → {fmt(user)} ({user / base_user:.2f}×) | "
                      f"{fmt(base_alloc)} | {fmt(alloc)} | {alloc / base_alloc:.2f}× | {alloc - base_alloc:+.2f} | {verdict} |")
        print()

    print("### Raw runs")
    print()
    print("CPU passes: user+sys µs per request in the measured window (user µs/req; wall ms of the window); allocation passes: allocations per request in the window. In run order.")
    print()
    print("| server | scenario | mode | CPU µs/req (user; wall ms) | allocs/req |")
    print("| --- | --- | --- | --- | --- |")
    for server in servers:
        for s in scenarios:
            for mode in MODES:
                cell = cells[(server.name, s.key, mode)]
                cpu = ", ".join(f"{r.cpu_us / s.count:.2f} ({r.user_us / s.count:.1f}; {r.wall_us / 1000:.0f})" for r in cell.cpu)
                alloc = ", ".join(f"{r.allocs / s.count:.3f}" for r in cell.alloc)
                print(f"| {server.name} | {s.key} | {mode} | {cpu} | {alloc} |")
    notes = [(k, n) for k, c in cells.items() for n in c.notes + c.failures]
    if notes:
        print()
        for (server, key, mode), note in notes:
            print(f"- {server} {key} {mode}: {note}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
