"""The benchmark matrix of issues 7 and 17, run by scripts/bench-matrix.sh (which builds the
clients, starts the servers and passes everything here through the environment).

Every client runs as its own process, measured from outside the same way: CPU is user+sys
of the whole process from wait4 (microseconds; start-up, TLS set-up and shutdown
included), req/s and MB/s come from the process's wall time, max RSS from ru_maxrss; the
client is forked by Benchmarks/RusageExec/rusage-exec, so that its max RSS is its own
and not this script's (which a child forked from Python starts with). Each
cell is the median of RUNS runs (3), with the clients interleaved inside each run so that
a busy moment on the machine hits all of them alike. Then each client runs the cell once
more with Benchmarks/AllocCounter preloaded, which writes the process's heap allocations
at exit (ALLOC_COUNTER_REPORT): allocations per request are that total (start-up
included) divided by the requests. That run is checked like the others but not timed.
Python's httpx is not counted: pymalloc serves most of its objects from its own arenas,
so its malloc calls say little.

A run counts only when the client exits 0 AND what it reports matches what it was asked
(status 200 on every response, every body byte); POSTs are also checked on the server:
nginx logs each one with its Content-Length read whole, h2o's mruby handler counts the
bodies it read whole, and nghttpd (which answers only after a request's last DATA frame)
must have read at least every body's bytes from its sockets (/proc/PID/io). Anything
else fails the cell: it shows FAILED, the reason goes to stderr, and the script exits 1
after printing the tables. A client or server that cannot do a scenario at all shows n/a
and why.
"""

import dataclasses
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field

from machine_load import busy_seconds, own_seconds, process_seconds

env = os.environ
WORK = env["MATRIX_WORK"]
CA = env["MATRIX_CA"]
BACKEND = env["MATRIX_BACKEND"]
RUNS = int(env.get("RUNS", "3"))
SCALE = float(env.get("MATRIX_SCALE", "1"))
ONLY_SCENARIOS = [s for s in env.get("MATRIX_SCENARIOS", "").split(",") if s]
ONLY_CLIENTS = [c for c in env.get("MATRIX_CLIENTS", "").split(",") if c]
SERVER_KEYS = [s for s in env["MATRIX_SERVERS"].split(",") if s]
COUNTER = env["MATRIX_COUNTER"]
RUSAGE_EXEC = env["MATRIX_RUSAGE_EXEC"]
BIG = int(env["MATRIX_BIG_BYTES"])
UPLOAD = int(env["MATRIX_UPLOAD_BYTES"])
UPLOAD_FILE = env["MATRIX_UPLOAD_FILE"]
SMALL = 100


def scaled(count):
    return max(1, round(count * SCALE))


@dataclass
class Scenario:
    key: str
    label: str
    wire: str  # h1, h2 (TLS), h2c
    method: str  # get, post
    path: str
    count: int
    connections: int
    streams: int
    response_bytes: int
    upload_bytes: int = 0
    server: str = ""  # set with the URL by Server.bind
    url: str = ""

    @property
    def in_flight(self):
        return min(self.count, self.connections if self.wire == "h1" else self.connections * self.streams)

    def common_args(self):
        """The arguments every in-process client takes (BenchSupport/MatrixCase.swift)."""
        args = [self.method, self.wire, self.url, self.count, self.connections, self.streams, CA, self.response_bytes]
        if self.method == "post":
            args.append(self.upload_bytes)
        return [str(a) for a in args]

    @property
    def moved_bytes(self):
        return self.count * (self.response_bytes + self.upload_bytes)


GETS, POSTS, MIB = scaled(20000), scaled(2000), f"{BIG / 2**20:g} MiB"
SCENARIOS = [
    Scenario("S1", f"S1: {GETS:,} GETs of 100 B, h2 over TLS, 1 conn × 100 streams", "h2", "get", "/small", GETS, 1, 100, SMALL),
    Scenario("S2", f"S2: {GETS:,} GETs of 100 B, h2c, 1 conn × 100 streams", "h2c", "get", "/small", GETS, 1, 100, SMALL),
    Scenario("S3", f"S3: {GETS:,} GETs of 100 B, HTTP/1.1 cleartext, 16 conns", "h1", "get", "/small", GETS, 16, 1, SMALL),
    Scenario("S4-h2", f"S4: one {MIB} GET, h2 over TLS", "h2", "get", "/big.bin", 1, 1, 1, BIG),
    Scenario("S4-h1", f"S4: one {MIB} GET, HTTP/1.1 cleartext", "h1", "get", "/big.bin", 1, 1, 1, BIG),
    Scenario("S5", f"S5: {POSTS:,} POSTs of 64 KiB, h2 over TLS, 1 conn × 100 streams", "h2", "post", "/upload", POSTS, 1, 100, SMALL, UPLOAD),
]


class NotApplicable(Exception):
    """The client or the server cannot do this scenario at all (the message says why)."""


class Failed(Exception):
    """A run that did not do what it was asked."""


class Server:
    """One server under test: its base URL per wire (from MATRIX_<KEY>_TLS, _H2C and _H1;
    none where it does not speak it) and its processes (MATRIX_<KEY>_PIDS)."""

    no_h1 = ""

    def __init__(self, key):
        prefix = f"MATRIX_{key.upper()}_"
        self.key = key
        self.bases = {"h2": env.get(prefix + "TLS", ""), "h2c": env.get(prefix + "H2C", ""), "h1": env.get(prefix + "H1", "")}
        self.pids = env.get(prefix + "PIDS", "").split()

    def bind(self, s):
        """The scenario against this server, or NotApplicable."""
        if not self.bases[s.wire]:
            raise NotApplicable(self.no_h1)
        return dataclasses.replace(s, server=self.key, url=self.bases[s.wire] + s.path)

    def cpu_seconds(self):
        return sum(process_seconds(pid) for pid in self.pids)

    def upload_mark(self):
        """Whatever check_uploads compares with, taken before a POST run."""
        raise NotImplementedError

    def check_uploads(self, mark, s):
        """Raises Failed unless the server read every body of the run whole."""
        raise NotImplementedError


class Nginx(Server):
    """Logs each POST /upload with its status, request length and Content-Length (scripts/bench-nginx.sh)."""

    LOG = env.get("MATRIX_UPLOAD_LOG", "")

    def upload_mark(self):
        open(self.LOG, "w").close()

    def check_uploads(self, mark, s):
        for _ in range(50):  # nginx logs a request just after sending its response
            lines = open(self.LOG).read().splitlines()
            if len(lines) >= s.count:
                break
            time.sleep(0.02)
        bad = [line for line in lines if not self.read_whole(line.split(), s)]
        if len(lines) != s.count or bad:
            raise Failed(f"nginx saw {len(lines)} POSTs (want {s.count}), {len(bad)} not 200 with a body of {s.upload_bytes} bytes read whole")

    @staticmethod
    def read_whole(fields, s):
        status, request_length, content_length = fields
        return status == "200" and content_length == str(s.upload_bytes) and int(request_length) >= s.upload_bytes


class H2O(Server):
    """Its mruby handler counts the bodies it read whole: GET /upload says "bodies bytes"."""

    def upload_mark(self):
        with urllib.request.urlopen(self.bases["h1"] + "/upload") as response:
            return tuple(map(int, response.read().split()))

    def check_uploads(self, mark, s):
        after = self.upload_mark()
        got = (after[0] - mark[0], after[1] - mark[1])
        if got != (s.count, s.count * s.upload_bytes):
            raise Failed(f"h2o's handler read {got[0]} whole bodies of {got[1]} bytes, want {s.count} of {s.count * s.upload_bytes}")


class Nghttpd(Server):
    """Answers only after the request's last DATA frame; what it read shows in /proc/PID/io."""

    no_h1 = ("nghttpd speaks only HTTP/2 (over TLS, or h2c by prior knowledge or Upgrade): "
             "it answers an HTTP/1.1 request with HTTP/2 frames")

    def upload_mark(self):
        return sum(self.read_bytes(pid) for pid in self.pids)

    def check_uploads(self, mark, s):
        read = self.upload_mark() - mark
        if read < s.count * s.upload_bytes:
            raise Failed(f"nghttpd read {read} bytes from its sockets, fewer than the {s.count * s.upload_bytes} uploaded")

    @staticmethod
    def read_bytes(pid):
        io = open(f"/proc/{pid}/io").read()
        return int(re.search(r"^rchar: (\d+)$", io, re.M).group(1))


SERVERS = {"h2o": H2O, "nginx": Nginx, "nghttpd": Nghttpd}


def check_ok_line(out, s):
    """The `ok requests=... response_bytes=... upload_bytes=...` line of our programs, httpx's and AHC's."""
    m = re.search(r"^ok requests=(\d+) response_bytes=(\d+) upload_bytes=(\d+)$", out, re.M)
    if not m:
        raise Failed("no 'ok' line in the output")
    got = tuple(map(int, m.groups()))
    want = (s.count, s.count * s.response_bytes, s.count * s.upload_bytes)
    if got != want:
        raise Failed(f"reported requests/response bytes/upload bytes {got}, want {want}")


@dataclass
class Client:
    name: str
    key: str
    counted: bool = True  # whether the allocation counter means anything for it

    def command(self, s):
        raise NotImplementedError

    def verify(self, out, s):
        check_ok_line(out, s)


class PoolClient(Client):
    def command(self, s):
        return [env["MATRIX_POOL"], *s.common_args(), BACKEND]


class HXClient(Client):
    def command(self, s):
        flag = {"h1": "--http1.1", "h2": "--http2", "h2c": "--h2c"}[s.wire]
        args = [env["MATRIX_HX"], "bench", "-n", str(s.count), "-c", str(s.connections), "--backend", BACKEND, flag, "--cacert", CA]
        if s.wire != "h1":
            args += ["-m", str(s.streams)]
        if s.method == "post":
            args += ["--data", f"@{UPLOAD_FILE}"]
        return args + [s.url]

    def verify(self, out, s):
        m = re.search(r"^requests: (\d+) total, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored$", out, re.M)
        if not m or tuple(map(int, m.groups())) != (s.count, s.count, s.count, 0, 0):
            raise Failed(f"hx bench: {m.group(0) if m else 'no requests line'}")
        m = re.search(r"^status codes: (\d+) 2xx, 0 3xx, 0 4xx, 0 5xx$", out, re.M)
        if not m or int(m.group(1)) != s.count:
            raise Failed("hx bench: not every status was 2xx")
        m = re.search(r"^traffic: .*\((\d+)\) of bodies$", out, re.M)
        if not m or int(m.group(1)) != s.count * s.response_bytes:
            raise Failed(f"hx bench: {m.group(1) if m else '?'} body bytes, want {s.count * s.response_bytes}")


class H2LoadClient(Client):
    def command(self, s):
        args = ["h2load", "-n", str(s.count), "-c", str(s.connections), "-m", str(s.streams)]
        if s.wire == "h1":
            args = ["h2load", "--h1", "-n", str(s.count), "-c", str(s.connections)]
        if s.method == "post":
            args += ["-d", UPLOAD_FILE]
        return args + [s.url]

    def verify(self, out, s):
        m = re.search(r"^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout$", out, re.M)
        if not m or tuple(map(int, m.groups())) != (s.count, s.count, s.count, s.count, 0, 0, 0):
            raise Failed(f"h2load: {m.group(0) if m else 'no requests line'}")
        m = re.search(r"^status codes: (\d+) 2xx, 0 3xx, 0 4xx, 0 5xx$", out, re.M)
        if not m or int(m.group(1)) != s.count:
            raise Failed("h2load: not every status was 2xx")
        m = re.search(r"^traffic: .* \((\d+)\) data$", out, re.M)
        if not m or int(m.group(1)) != s.count * s.response_bytes:
            raise Failed(f"h2load: {m.group(1) if m else '?'} data bytes, want {s.count * s.response_bytes}")


class CurlClient(Client):
    WRITE_OUT = "%{http_code} %{size_download} %{size_upload}\\n"

    def __init__(self, name, key):
        super().__init__(name, key)
        self.h2c_refusals = {}  # per server: "" when h2c with --parallel works

    def command(self, s):
        if s.wire == "h2c":
            self.probe_h2c(s)
        return self.arguments(s)

    def arguments(self, s):
        flag = {"h1": "--http1.1", "h2": "--http2", "h2c": "--http2-prior-knowledge"}[s.wire]
        args = ["curl", "-sS", flag, "--cacert", CA, "-w", self.WRITE_OUT]
        if s.method == "post":
            args += ["--data-binary", f"@{UPLOAD_FILE}"]
        if s.count == 1:
            return args + ["-o", "/dev/null", s.url]
        # One config file of url/output pairs: every transfer in one process, in parallel.
        config = os.path.join(WORK, f"curl-{s.server}-{s.key}.conf")
        if not os.path.exists(config):
            with open(config, "w") as f:
                f.write(f'url = "{s.url}"\noutput = "/dev/null"\n' * s.count)
        return args + ["--parallel", "--parallel-max", str(s.in_flight), "-K", config]

    def verify(self, out, s):
        want = f"{200} {s.response_bytes} {s.upload_bytes}"
        lines = out.splitlines()
        bad = [line for line in lines if line != want]
        if len(lines) != s.count or bad:
            raise Failed(f"curl: {len(lines)} transfers, {len(bad)} not '{want}' (first: {bad[:1]})")

    def probe_h2c(self, s):
        """curl 7.88's h2c with --parallel has failed against nginx and nghttpd ("Error in the
        HTTP2 framing layer"): try 200 requests in this run and report n/a with what it said
        if it fails."""
        if s.server not in self.h2c_refusals:
            self.h2c_refusals[s.server] = self.h2c_refusal(dataclasses.replace(s, key=s.key + "-probe", count=200))
        if self.h2c_refusals[s.server]:
            raise NotApplicable(self.h2c_refusals[s.server])

    def h2c_refusal(self, probe):
        result = subprocess.run(self.arguments(probe), capture_output=True, text=True)
        want = f"200 {probe.response_bytes} 0"
        failed = probe.count - sum(1 for line in result.stdout.splitlines() if line == want)
        if failed == 0:
            return ""
        errors = sorted(set(line for line in result.stderr.splitlines() if line.startswith("curl:")))
        version = subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split()[1]
        return (f"curl {version} with --http2-prior-knowledge --parallel fails against {probe.server} "
                f"(checked in this run: {failed} of {probe.count} transfers failed; {'; '.join(errors[:2])})")


class AHCClient(Client):
    def command(self, s):
        if s.wire == "h2c":
            raise NotApplicable("AsyncHTTPClient 1.37 has no HTTP/2 by prior knowledge: it speaks HTTP/1.1 to every http:// URL")
        return [env["MATRIX_AHC_BENCH"], *s.common_args()]


class HTTPXClient(Client):
    def command(self, s):
        return [env["MATRIX_PYTHON"], env["MATRIX_HTTPX_BENCH"], *s.common_args()]


CLIENTS = [
    PoolClient("swift-httpcore pool", "pool"),
    HXClient("swift-httpcore hx bench", "hx"),
    H2LoadClient("h2load", "h2load"),
    CurlClient("curl", "curl"),
    AHCClient("AsyncHTTPClient", "ahc"),
    HTTPXClient("Python httpx", "httpx", counted=False),
]


@dataclass
class Run:
    cpu: float  # seconds, user+sys
    wall: float  # seconds
    max_rss_kib: int


@dataclass
class Cell:
    runs: list = field(default_factory=list)
    allocations: int | None = None  # the counted run's total
    na: str = ""
    failure: str = ""


def measure(argv):
    """Runs one client process to its end through rusage-exec: (Run, stdout). Raises Failed
    on a non-zero exit."""
    out_path, err_path, usage_path = (os.path.join(WORK, f"client.{name}") for name in ("out", "err", "usage"))
    with open(out_path, "w") as out, open(err_path, "w") as err:
        start = time.perf_counter()
        code = subprocess.call([RUSAGE_EXEC, usage_path, *argv], stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        wall = time.perf_counter() - start
    stdout = open(out_path).read()
    if code != 0:
        stderr = open(err_path).read().strip().splitlines()
        raise Failed(f"exit status {code}: {' | '.join(stderr[-3:])[:400]}")
    cpu, max_rss_kib = open(usage_path).read().split()
    return Run(float(cpu), wall, int(max_rss_kib)), stdout


def checked_run(client, server, s, argv):
    """One run of a cell, checked by the client's output and, for POSTs, by the server."""
    mark = server.upload_mark() if s.method == "post" else None
    run, stdout = measure(argv)
    client.verify(stdout, s)
    if s.method == "post":
        server.check_uploads(mark, s)
    return run


def fail(cell, client, s, argv, failure):
    cell.failure = str(failure)
    print(f"FAILED {client.name} in {s.server} {s.key}: {failure}\n  command: {' '.join(argv)}", file=sys.stderr)


def run_cell(client, server, s, cell):
    """One timed run."""
    if cell.na or cell.failure:
        return
    try:
        argv = client.command(s)
    except NotApplicable as reason:
        cell.na = str(reason)
        return
    try:
        run = checked_run(client, server, s, argv)
    except Failed as failure:
        fail(cell, client, s, argv, failure)
        return
    cell.runs.append(run)
    print(f"  {s.server} {s.key} {client.name}: {run.cpu / s.count * 1e6:.2f} us/req, {run.wall:.3f} s, {run.max_rss_kib} KiB", file=sys.stderr)


def count_allocations(client, server, s, cell):
    """One more run with the allocation counter preloaded, not timed."""
    if not cell.runs or cell.failure or not client.counted:
        return
    report = os.path.join(WORK, "allocations")
    if os.path.exists(report):
        os.remove(report)
    # Through env(1), so that only the client (not rusage-exec) has the counter preloaded.
    argv = ["env", f"LD_PRELOAD={COUNTER}", f"ALLOC_COUNTER_REPORT={report}", *client.command(s)]
    try:
        checked_run(client, server, s, argv)
        if not os.path.exists(report):
            raise Failed("the allocation counter wrote no total (not preloaded?)")
    except Failed as failure:
        fail(cell, client, s, argv, f"in the counted run: {failure}")
        return
    cell.allocations = int(open(report).read())
    print(f"  {s.server} {s.key} {client.name}: {cell.allocations / s.count:,.1f} allocations/req", file=sys.stderr)


def run_server(server, scenarios, clients, cells):
    for scenario in scenarios:
        try:
            s = server.bind(scenario)
        except NotApplicable as reason:
            for c in clients:
                cells[(server.key, scenario.key, c.key)].na = str(reason)
            continue
        for run in range(RUNS):
            print(f"{server.key} {s.key} run {run + 1}/{RUNS}", file=sys.stderr)
            for c in clients:
                run_cell(c, server, s, cells[(server.key, s.key, c.key)])
        for c in clients:
            count_allocations(c, server, s, cells[(server.key, s.key, c.key)])


@dataclass
class Figures:
    """A cell's medians: CPU µs per request, req/s, MB/s, max RSS in MiB, allocations per request."""
    cpu: float
    rps: float
    mbps: float
    rss: float
    allocs: float | None = None


def summary(cell, s):
    median = statistics.median
    return Figures(
        median([r.cpu / s.count * 1e6 for r in cell.runs]),
        median([s.count / r.wall for r in cell.runs]),
        median([s.moved_bytes / r.wall / 1e6 for r in cell.runs]),
        median([r.max_rss_kib / 1024 for r in cell.runs]),
        None if cell.allocations is None else cell.allocations / s.count,
    )


def fmt_cpu(us):
    return f"{us / 1000:,.1f} ms" if us >= 10000 else f"{us:.2f} µs"


def fmt_allocs(per_request):
    return "" if per_request is None else f"{per_request:,.0f}" if per_request >= 1000 else f"{per_request:.1f}"


def figures_of(server, s, clients, cells):
    """Figures per client key, for the cells that measured."""
    measured = {c.key: cells[(server.key, s.key, c.key)] for c in clients}
    return {key: summary(cell, s) for key, cell in measured.items() if cell.runs and not cell.failure}


def table_row(s, c, cell, ok):
    if cell.failure:
        return f"| {s.label} | {c.name} | **FAILED** | | | | | | |"
    if cell.na:
        return f"| {s.label} | {c.name} | n/a | | | | | | |"
    f, base, curl = ok[c.key], ok.get("h2load"), ok.get("curl")
    vs = f"{f.cpu / base.cpu:.2f}×" if base else ""
    vs_curl = f"{f.mbps / curl.mbps:.2f}×" if curl and s.count == 1 else ""
    rate = f"{f.rps:.2f}" if s.count == 1 else f"{f.rps:,.0f}"
    allocs = fmt_allocs(f.allocs) if c.counted else "n/a"
    return f"| {s.label} | {c.name} | {fmt_cpu(f.cpu)} | {vs} | {rate} | {f.mbps:,.1f} | {vs_curl} | {f.rss:,.1f} MiB | {allocs} |"


def print_table(server, scenarios, clients, cells):
    print("| scenario | client | CPU per request (user+sys) | vs h2load | req/s | MB/s | vs curl MB/s | max RSS | allocs/request |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    notes = {}  # (scenario, what happened): the clients it happened to
    for s in scenarios:
        ok = figures_of(server, s, clients, cells)
        for c in clients:
            cell = cells[(server.key, s.key, c.key)]
            print(table_row(s, c, cell, ok))
            if cell.failure or cell.na:
                what = f"FAILED: {cell.failure}" if cell.failure else f"n/a: {cell.na}"
                notes.setdefault((s.key, what), []).append(c.name)
    print()
    for (key, what), names in notes.items():
        print(f"- {key}, {', '.join(names)}: {what}")


@dataclass
class Target:
    """Issue 17's target for the pool in one scenario: a figure, as a ratio to a base
    client's (or as it is, without a base), at most (or at least) a limit."""
    scenario: str
    figure: str  # a Figures field
    limit: float
    base: str = ""  # a client key
    at_least: bool = False

    def describe(self):
        what = {"cpu": "CPU per request", "mbps": "MB/s", "allocs": "heap allocations per request"}[self.figure]
        bound = "at least" if self.at_least else "at most"
        return f"{what} {bound} {self.limit:g}× {self.base}'s" if self.base else f"{what} {bound} {self.limit:g}"

    def verdict(self, ok, key):
        """"1.23×: met" for one client's figures, or None if they are not there."""
        if key not in ok or (self.base and self.base not in ok) or getattr(ok[key], self.figure) is None:
            return None
        value = getattr(ok[key], self.figure) / (getattr(ok[self.base], self.figure) if self.base else 1)
        shown = f"{value:.2f}×" if self.base else f"{value:.1f}"
        met = value >= self.limit if self.at_least else value <= self.limit
        return f"{shown}: {'met' if met else f'missed by {abs(value / self.limit - 1) * 100:.0f}%'}"


# Allocations per request only where many requests share the process's start-up (not S4).
TARGETS = [
    Target("S1", "cpu", 3.0, "h2load"), Target("S1", "allocs", 15),
    Target("S2", "cpu", 3.0, "h2load"), Target("S2", "allocs", 15),
    Target("S3", "cpu", 2.0, "h2load"), Target("S3", "allocs", 8),
    Target("S4-h2", "mbps", 1.0, "curl", at_least=True), Target("S4-h2", "cpu", 1.1, "curl"),
    Target("S4-h1", "mbps", 1.0, "curl", at_least=True), Target("S4-h1", "cpu", 1.1, "curl"),
    Target("S5", "cpu", 1.5, "h2load"), Target("S5", "allocs", 15),
]


def print_targets(server, scenarios, clients, cells):
    print(f"Issue 17's targets on {server.key} (the pool; hx bench in brackets):")
    print()
    for s in scenarios:
        ok = figures_of(server, s, clients, cells)
        for target in (t for t in TARGETS if t.scenario == s.key):
            pool, hx = target.verdict(ok, "pool"), target.verdict(ok, "hx")
            if pool is None:
                pool = f"not measured ({why_unmeasured(server, s, target, cells)})"
            print(f"- {s.key}: {target.describe()}: {pool}" + (f" [{hx}]" if hx else ""))


def why_unmeasured(server, s, target, cells):
    for key in (k for k in ("pool", target.base) if k):
        cell = cells.get((server.key, s.key, key))
        if cell is None:
            return f"{key} not run"
        if cell.na or cell.failure:
            return f"{key}: {'n/a' if cell.na else 'FAILED'}"
    return "no allocation count"


def print_raw(server, scenarios, clients, cells):
    print(f"### {server.key}")
    print()
    print("| scenario | client | run | CPU per request | wall | req/s | MB/s | max RSS | allocations (whole process) |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for s in scenarios:
        for c in clients:
            cell = cells[(server.key, s.key, c.key)]
            for i, r in enumerate(cell.runs, 1):
                print(f"| {s.key} | {c.name} | {i} | {fmt_cpu(r.cpu / s.count * 1e6)} | {r.wall:.3f} s | {s.count / r.wall:,.1f} "
                      f"| {s.moved_bytes / r.wall / 1e6:,.1f} | {r.max_rss_kib:,} KiB | |")
            if cell.allocations is not None:
                print(f"| {s.key} | {c.name} | counted (not timed) | | | | | | {cell.allocations:,} ({fmt_allocs(cell.allocations / s.count)}/request) |")
    print()


def print_load(servers, start):
    wall = time.monotonic() - start[0]
    busy, own = busy_seconds() - start[1], own_seconds() - start[2]
    serving = sum(server.cpu_seconds() for server in servers) - start[3]
    others = busy - own - serving
    print(f"machine busy {busy:.1f} s, clients and script {own:.1f} s, servers {serving:.1f} s, wall {wall:.1f} s", file=sys.stderr)
    print(f"Other processes kept {max(0.0, others) / wall:.2f} of the {os.cpu_count()} cores busy on average during the {wall:.0f} s of measurement "
          f"(/proc/stat, less the clients', the servers' and the script's own CPU).")


def main():
    servers = [SERVERS[key](key) for key in SERVER_KEYS]
    start = (time.monotonic(), busy_seconds(), own_seconds(), sum(server.cpu_seconds() for server in servers))
    scenarios = [s for s in SCENARIOS if not ONLY_SCENARIOS or s.key in ONLY_SCENARIOS or s.key.split("-")[0] in ONLY_SCENARIOS]
    clients = [c for c in CLIENTS if not ONLY_CLIENTS or c.key in ONLY_CLIENTS or c.key == "h2load"]
    cells = {(server.key, s.key, c.key): Cell() for server in servers for s in scenarios for c in clients}
    for server in servers:
        run_server(server, scenarios, clients, cells)

    print_load(servers, start)
    print("Allocations per request: one more run per cell with Benchmarks/AllocCounter preloaded (not timed), the whole process's "
          "heap allocations (start-up included) divided by its requests; none for Python (pymalloc).")
    for server in servers:
        print()
        print(f"## {server.key}")
        print()
        print_table(server, scenarios, clients, cells)
        print()
        print_targets(server, scenarios, clients, cells)
    print()
    print("## Raw runs (every timed run, and the counted run)")
    print()
    for server in servers:
        print_raw(server, scenarios, clients, cells)
    return 1 if any(cell.failure for cell in cells.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
