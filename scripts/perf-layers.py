"""CPU per request by layer, from `perf record -g` samples of client-matrix processes; run by
scripts/cpu-layers.sh.

    python3 scripts/perf-layers.py REQUESTS FREQUENCY NAME=perf.data [NAME=perf.data ...]

Each sample counts once, for the innermost frame that says where the time went: the
kernel when the sample is in the kernel; else the innermost frame of one of the project's
modules (from the Swift mangled name: HTTPCoreClient, HTTPCorePool, HTTPCoreHTTP2, ...;
`Request(url:)` and `Origin` of HTTPCore apart, since the pool's side of the benchmark
builds its request with them); else the library the sample is in (libswiftCore,
libswift_Concurrency, libc, libcrypto, ...). Time in the Swift runtime or the standard
library called from project code (retain/release, malloc, String searching) therefore
counts for the project frame that called it, as long as the unwinder reached it.

µs/request is samples / FREQUENCY / REQUESTS: REQUESTS is every request the process made
(warm-up included), since perf samples the whole process. Shares of one process do not
depend on how busy the machine is the way its total CPU does, which is why this exists:
comparing the client's own layers across processes is steadier than timing them.
"""

import collections
import re
import subprocess
import sys

PROJECT = ["HTTPCoreClient", "HTTPCorePool", "HTTPCoreHTTP2", "HTTPCoreHTTP1", "HTTPCoreTLS", "HTTPCoreLibUV",
           "HTTPCoreDispatch", "HTTPCore", "HTTPTypes", "client_matrix", "BenchSupport"]
# Swift mangling: $s + <length><module name> ...
MODULE = re.compile(r"^\$s(\d+)")


def module_of(symbol):
    m = MODULE.match(symbol)
    if not m:
        return None
    length = int(m.group(1))
    start = m.end()
    return symbol[start:start + length]


def category(frames):
    """frames: [(symbol, dso)], innermost first."""
    if not frames:
        return "other: unknown"
    if frames[0][1].startswith("[kernel"):
        return "kernel"
    for symbol, dso in frames:
        module = module_of(symbol)
        if module in PROJECT:
            if module == "HTTPCore" and symbol.startswith("$s8HTTPCore7RequestV6method3url"):
                return "HTTPCore: Request(url:)"
            if module == "HTTPCore" and "6Origin" in symbol[:40]:
                return "HTTPCore: Origin"
            return module
    dso = frames[0][1].rsplit("/", 1)[-1]
    return "other: " + dso


def samples(path):
    counts = collections.Counter()
    out = subprocess.run(["perf", "script", "-i", path, "-F", "ip,sym,dso", "--no-demangle"], capture_output=True, text=True).stdout
    for block in out.split("\n\n"):
        frames = []
        for line in block.splitlines():
            m = re.match(r"\s*[0-9a-f]+ (.*) \((.*)\)$", line)
            if m:
                frames.append((m.group(1).split("+0x")[0], m.group(2)))
        if frames:
            counts[category(frames)] += 1
    return counts


def main():
    requests, frequency = int(sys.argv[1]), float(sys.argv[2])
    runs = [(arg.split("=", 1)[0], samples(arg.split("=", 1)[1])) for arg in sys.argv[3:]]
    keys = sorted({k for _, c in runs for k in c}, key=lambda k: -max(c[k] for _, c in runs))
    us = lambda n: n / frequency / requests * 1e6
    print("| layer | " + " | ".join(f"{name} µs/req" for name, _ in runs) + " |")
    print("| --- |" + " ---: |" * len(runs))
    for key in keys:
        print(f"| {key} | " + " | ".join(f"{us(c[key]):.2f}" for _, c in runs) + " |")
    print("| all | " + " | ".join(f"{us(sum(c.values())):.2f}" for _, c in runs) + " |")


if __name__ == "__main__":
    main()
