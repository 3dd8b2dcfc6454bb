"""The benchmark matrix of issue 7, run by scripts/bench-matrix.sh (which builds the clients,
starts nginx and passes everything here through the environment).

Every client runs as its own process, measured from outside the same way: CPU is user+sys
of the whole process from wait4 (nanoseconds; start-up, TLS set-up and shutdown
included), req/s and MB/s come from the process's wall time, max RSS from ru_maxrss. Each
cell is the median of RUNS runs (3), with the clients interleaved inside each run so that
a busy moment on the machine hits all of them alike.

A run counts only when the client exits 0 AND what it reports matches what it was asked
(status 200 on every response, every body byte); POSTs are also counted on the server
(nginx's upload log: one line per request with its full Content-Length read). Anything
else fails the cell: it shows FAILED, the reason goes to stderr, and the script exits 1
after printing the table. A client that cannot do a scenario at all shows n/a and why.
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
WORK = env["MATRIX_WORK"]
CA = env["MATRIX_CA"]
BACKEND = env["MATRIX_BACKEND"]
RUNS = int(env.get("RUNS", "3"))
ONLY_SCENARIOS = [s for s in env.get("MATRIX_SCENARIOS", "").split(",") if s]
ONLY_CLIENTS = [c for c in env.get("MATRIX_CLIENTS", "").split(",") if c]
UPLOAD_LOG = env["MATRIX_UPLOAD_LOG"]
BIG = int(env["MATRIX_BIG_BYTES"])
UPLOAD = int(env["MATRIX_UPLOAD_BYTES"])
UPLOAD_FILE = env["MATRIX_UPLOAD_FILE"]
SMALL = 100


@dataclass
class Scenario:
    key: str
    label: str
    wire: str  # h1, h2 (TLS), h2c
    method: str  # get, post
    url: str
    count: int
    connections: int
    streams: int
    response_bytes: int
    upload_bytes: int = 0

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


tls = f"https://localhost:{env['MATRIX_TLS_PORT']}"
h2c = f"http://127.0.0.1:{env['MATRIX_H2C_PORT']}"
h1 = f"http://127.0.0.1:{env['MATRIX_H1_PORT']}"
SCENARIOS = [
    Scenario("S1", "S1: 20,000 GETs of 100 B, h2 over TLS, 1 conn × 100 streams", "h2", "get", f"{tls}/small", 20000, 1, 100, SMALL),
    Scenario("S2", "S2: 20,000 GETs of 100 B, h2c, 1 conn × 100 streams", "h2c", "get", f"{h2c}/small", 20000, 1, 100, SMALL),
    Scenario("S3", "S3: 20,000 GETs of 100 B, HTTP/1.1 cleartext, 16 conns", "h1", "get", f"{h1}/small", 20000, 16, 1, SMALL),
    Scenario("S4-h2", "S4: one 256 MiB GET, h2 over TLS", "h2", "get", f"{tls}/big.bin", 1, 1, 1, BIG),
    Scenario("S4-h1", "S4: one 256 MiB GET, HTTP/1.1 cleartext", "h1", "get", f"{h1}/big.bin", 1, 1, 1, BIG),
    Scenario("S5", "S5: 2,000 POSTs of 64 KiB, h2 over TLS, 1 conn × 100 streams", "h2", "post", f"{tls}/upload", 2000, 1, 100, SMALL, UPLOAD),
]


class NotApplicable(Exception):
    """The client cannot do this scenario at all (the message says why)."""


class Failed(Exception):
    """A run that did not do what it was asked."""


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
        self.h2c_refusal = None

    def command(self, s):
        flag = {"h1": "--http1.1", "h2": "--http2", "h2c": "--http2-prior-knowledge"}[s.wire]
        args = ["curl", "-sS", flag, "--cacert", CA, "-w", self.WRITE_OUT]
        if s.method == "post":
            args += ["--data-binary", f"@{UPLOAD_FILE}"]
        if s.count == 1:
            return args + ["-o", "/dev/null", s.url]
        # One config file of url/output pairs: every transfer in one process, in parallel.
        config = os.path.join(WORK, f"curl-{s.key}.conf")
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
        """curl 7.88's h2c with --parallel has failed against nginx ("Error in the HTTP2 framing
        layer"): try 200 requests in this run and report n/a with what it said if it fails."""
        if self.h2c_refusal is None:
            small = Scenario(s.key + "-probe", "", s.wire, s.method, s.url, 200, 1, 100, s.response_bytes)
            result = subprocess.run(self.command(small), capture_output=True, text=True)
            want = f"200 {s.response_bytes} 0"
            failed = small.count - sum(1 for line in result.stdout.splitlines() if line == want)
            if failed == 0:
                self.h2c_refusal = ""
            else:
                errors = sorted(set(line for line in result.stderr.splitlines() if line.startswith("curl:")))
                version = subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split()[1]
                self.h2c_refusal = (f"curl {version} with --http2-prior-knowledge --parallel fails against nginx "
                                    f"(checked in this run: {failed} of {small.count} transfers failed; {'; '.join(errors[:2])})")
        if self.h2c_refusal:
            raise NotApplicable(self.h2c_refusal)


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
    HTTPXClient("Python httpx", "httpx"),
]


@dataclass
class Run:
    cpu: float  # seconds, user+sys
    wall: float  # seconds
    max_rss_kib: int


@dataclass
class Cell:
    runs: list = field(default_factory=list)
    na: str = ""
    failure: str = ""


def measure(argv):
    """Runs one client process to its end: (Run, stdout). Raises Failed on a non-zero exit."""
    out_path = os.path.join(WORK, "client.out")
    err_path = os.path.join(WORK, "client.err")
    with open(out_path, "w") as out, open(err_path, "w") as err:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    stdout = open(out_path).read()
    if code != 0:
        stderr = open(err_path).read().strip().splitlines()
        raise Failed(f"exit status {code}: {' | '.join(stderr[-3:])[:400]}")
    return Run(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss), stdout


def check_uploads(s):
    """What nginx logged for POST /upload: one line per request, each body read whole."""
    want = s.count
    for _ in range(50):  # nginx logs a request just after sending its response
        lines = open(UPLOAD_LOG).read().splitlines()
        if len(lines) >= want:
            break
        time.sleep(0.02)
    bad = [line for line in lines if not (line.split()[0] == "200" and line.split()[2] == str(s.upload_bytes) and int(line.split()[1]) >= s.upload_bytes)]
    if len(lines) != want or bad:
        raise Failed(f"server saw {len(lines)} POSTs (want {want}), {len(bad)} not 200 with a body of {s.upload_bytes} bytes read whole")


def run_cell(client, s, cell):
    if cell.na or cell.failure:
        return
    try:
        if isinstance(client, CurlClient) and s.wire == "h2c":
            client.probe_h2c(s)
        argv = client.command(s)
    except NotApplicable as reason:
        cell.na = str(reason)
        return
    if s.method == "post":
        open(UPLOAD_LOG, "w").close()
    try:
        run, stdout = measure(argv)
        client.verify(stdout, s)
        if s.method == "post":
            check_uploads(s)
    except Failed as failure:
        cell.failure = str(failure)
        print(f"FAILED {client.name} in {s.key}: {failure}\n  command: {' '.join(argv)}", file=sys.stderr)
        return
    cell.runs.append(run)
    print(f"  {s.key} {client.name}: {run.cpu / s.count * 1e6:.2f} us/req, {run.wall:.3f} s, {run.max_rss_kib} KiB", file=sys.stderr)


def median(values):
    return statistics.median(values)


def summary(cell, s):
    """Median CPU µs per request, req/s, MB/s, max RSS in MiB."""
    return (
        median([r.cpu / s.count * 1e6 for r in cell.runs]),
        median([s.count / r.wall for r in cell.runs]),
        median([s.moved_bytes / r.wall / 1e6 for r in cell.runs]),
        median([r.max_rss_kib / 1024 for r in cell.runs]),
    )


def fmt_cpu(us):
    return f"{us / 1000:,.1f} ms" if us >= 10000 else f"{us:.2f} µs"




def main():
    nginx = env.get("MATRIX_NGINX_WORKER", "")
    start = (time.monotonic(), busy_seconds(), own_seconds(), process_seconds(nginx) if nginx else 0.0)
    scenarios = [s for s in SCENARIOS if not ONLY_SCENARIOS or s.key in ONLY_SCENARIOS or s.key.split("-")[0] in ONLY_SCENARIOS]
    clients = [c for c in CLIENTS if not ONLY_CLIENTS or c.key in ONLY_CLIENTS or c.key == "h2load"]
    cells = {(s.key, c.key): Cell() for s in scenarios for c in clients}
    for s in scenarios:
        for run in range(RUNS):
            print(f"{s.key} run {run + 1}/{RUNS}", file=sys.stderr)
            for c in clients:
                run_cell(c, s, cells[(s.key, c.key)])

    wall = time.monotonic() - start[0]
    busy, own, server = busy_seconds() - start[1], own_seconds() - start[2], (process_seconds(nginx) - start[3]) if nginx else 0
    others = busy - own - server
    print(f"machine busy {busy:.1f} s, clients and script {own:.1f} s, nginx {server:.1f} s, wall {wall:.1f} s", file=sys.stderr)
    print(f"Other processes kept {max(0.0, others) / wall:.2f} of the {os.cpu_count()} cores busy on average during the {wall:.0f} s of measurement "
          f"(/proc/stat, less the clients', nginx's and the script's own CPU).")
    print()
    print("| scenario | client | CPU per request (user+sys) | vs h2load | req/s | MB/s | vs curl MB/s | max RSS |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    notes = []
    figures = {}
    for s in scenarios:
        ok = {c.key: summary(cells[(s.key, c.key)], s) for c in clients if cells[(s.key, c.key)].runs and not cells[(s.key, c.key)].failure}
        figures[s.key] = ok
        base = ok.get("h2load")
        curl = ok.get("curl")
        for c in clients:
            cell = cells[(s.key, c.key)]
            if cell.failure:
                print(f"| {s.label} | {c.name} | **FAILED** | | | | | |")
                notes.append(f"{s.key}, {c.name}: FAILED: {cell.failure}")
            elif cell.na:
                print(f"| {s.label} | {c.name} | n/a | | | | | |")
                notes.append(f"{s.key}, {c.name}: n/a: {cell.na}")
            else:
                cpu, rps, mbps, rss = ok[c.key]
                vs = f"{cpu / base[0]:.2f}×" if base else ""
                vs_curl = f"{mbps / curl[2]:.2f}×" if curl and s.count == 1 else ""
                rate = f"{rps:.2f}" if s.count == 1 else f"{rps:,.0f}"
                print(f"| {s.label} | {c.name} | {fmt_cpu(cpu)} | {vs} | {rate} | {mbps:,.1f} | {vs_curl} | {rss:,.1f} MiB |")
    if notes:
        print()
        for note in notes:
            print(f"- {note}")

    print()
    print("Targets for this project (the pool; hx bench in brackets):")
    print()
    limits = {"S1": 3.0, "S2": 3.0, "S3": 2.5, "S5": 1.5}
    for s in scenarios:
        ok = figures[s.key]
        if s.key in limits and "h2load" in ok:
            limit = limits[s.key]
            parts = []
            for key in ("pool", "hx"):
                if key in ok:
                    ratio = ok[key][0] / ok["h2load"][0]
                    verdict = "met" if ratio <= limit else f"missed by {ratio - limit:.2f}× ({(ratio / limit - 1) * 100:.0f}% over)"
                    parts.append(f"{ratio:.2f}×: {verdict}")
            if parts:
                print(f"- {s.key}: CPU per request at most {limit}× h2load's: {parts[0]}" + (f" [{parts[1]}]" if len(parts) > 1 else ""))
        elif s.count == 1 and "curl" in ok:
            parts = []
            for key in ("pool", "hx"):
                if key in ok:
                    ratio = ok[key][2] / ok["curl"][2]
                    verdict = "met" if ratio >= 1 else f"missed by {(1 - ratio) * 100:.0f}%"
                    parts.append(f"{ok[key][2]:,.0f} vs {ok['curl'][2]:,.0f} MB/s ({ratio:.2f}×): {verdict}")
            if parts:
                print(f"- {s.key}: MB/s at least curl's: {parts[0]}" + (f" [{parts[1]}]" if len(parts) > 1 else ""))
    failed = any(cell.failure for cell in cells.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
