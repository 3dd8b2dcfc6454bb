"""Real clients against our server: curl, nghttp, h2load and Python httpx against two
`hx serve` processes that Interop/run.sh started over its docroot (TLS with ALPN h2 and
http/1.1 on the test PKI; cleartext HTTP/1.1 plus h2c by prior knowledge).

    /usr/bin/python3 Interop/server_check.py --tls https://localhost:P --clear http://127.0.0.1:Q \
        --ca CA --docroot DIR [--markdown FILE]

Debian's python3 on purpose: python3-httpx and python3-h2 are its packages.
Prints a markdown table of client x check (pass, FAIL or n/a with a numbered note, as
interop-check's table does), then the count line; exits 1 if any cell failed. With
--markdown the table is appended to FILE (interop-check writes its own table there first).
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile

COLUMNS = ["GET small", "GET 32 MiB", "HEAD", "POST /echo"]
TIMEOUT = 120  # seconds for any one client process: a hang fails its cell, not the run


class Failure(Exception):
    pass


def run(argv, stdin=None):
    """Runs a client, returns its stdout as bytes; a non-zero exit is a Failure."""
    try:
        done = subprocess.run(argv, input=stdin, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise Failure(f"{argv[0]} did not finish within {TIMEOUT} s")
    if done.returncode != 0:
        raise Failure(f"{argv[0]} exited {done.returncode}: {done.stderr.decode(errors='replace').strip()[-200:]}")
    return done.stdout


def expect(condition, message):
    if not condition:
        raise Failure(message)


def same_bytes(got, want, what):
    expect(got == want, f"{what}: {len(got)} bytes that differ from the {len(want)} expected")


def version(argv, pattern):
    match = re.search(pattern, subprocess.run(argv, capture_output=True, text=True).stdout)
    return match.group(1) if match else "?"


class Setup:
    def __init__(self, args):
        self.tls, self.clear, self.ca = args.tls, args.clear, args.ca
        docroot = args.docroot
        self.small = open(os.path.join(docroot, "small.txt"), "rb").read()
        self.large_path = os.path.join(docroot, "large.bin")
        self.large_size = os.path.getsize(self.large_path)
        self.large_sha = sha256_file(self.large_path)
        # 4 KiB of pseudo-random bytes for /echo, as interop-check's POST column sends.
        self.payload = hashlib.sha256(b"server-interop").digest() * 128
        self.work = tempfile.mkdtemp()
        self.payload_path = os.path.join(self.work, "payload.bin")
        with open(self.payload_path, "wb") as f:
            f.write(self.payload)


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- curl ----------------------------------------------------------------------------
# -w prints the status and the protocol curl used after the body, on a line of its own
# written to a separate file (-o), so neither can be mistaken for the other.

def curl_checks(s, flags, base, wire):
    def fetch(path, extra=()):
        out = os.path.join(s.work, "curl.out")
        meta = run(["curl", "-sS", *flags, "--cacert", s.ca, "-o", out, "-w", "%{http_code} %{http_version}",
                    *extra, base + path]).decode().split()
        expect(meta == ["200", wire], f"status and protocol {' '.join(meta)}, expected 200 {wire}")
        return out

    def get_small():
        same_bytes(open(fetch("/small.txt"), "rb").read(), s.small, "GET /small.txt")

    def get_large():
        got = sha256_file(fetch("/large.bin"))
        expect(got == s.large_sha, f"SHA-256 {got}, expected {s.large_sha}")

    def head():
        # -I sends HEAD and writes the response head to -o: a body there would follow it.
        head_text = open(fetch("/large.bin", ["-I"]), "rb").read().decode(errors="replace")
        lengths = re.findall(r"(?im)^content-length:\s*(\d+)", head_text)
        expect(lengths == [str(s.large_size)], f"Content-Length {lengths}, expected [{s.large_size}]")

    def post():
        got = open(fetch("/echo", ["--data-binary", "@" + s.payload_path, "-H", "Content-Type: application/octet-stream"]), "rb").read()
        same_bytes(got, s.payload, "POST /echo")

    return [get_small, get_large, head, post]


# --- nghttp --------------------------------------------------------------------------
# nghttp writes the bodies to stdout (frames too with -v); it has no option to trust a CA,
# and goes on after a failed verification (it only warns), so TLS is not verified here.

def nghttp_checks(s, base):
    def get_small():
        same_bytes(run(["nghttp", base + "/small.txt"]), s.small, "GET /small.txt")

    def get_large():
        got = hashlib.sha256(run(["nghttp", base + "/large.bin"])).hexdigest()
        expect(got == s.large_sha, f"SHA-256 {got}, expected {s.large_sha}")

    def head():
        frames = run(["nghttp", "-v", "-H", ":method: HEAD", base + "/large.bin"]).decode(errors="replace")
        # The received header fields: "[  0.001] recv (stream_id=13) :status: 200".
        expect(re.search(r"(?m)recv \(stream_id=\d+\) :status: 200$", frames), "no :status: 200 in the response HEADERS")
        lengths = re.findall(r"(?m)recv \(stream_id=\d+\) content-length: (\d+)$", frames)
        expect(lengths == [str(s.large_size)], f"content-length {lengths}, expected [{s.large_size}]")
        data = re.findall(r"recv DATA frame <length=(\d+)", frames)
        expect(all(n == "0" for n in data), f"DATA frames with lengths {data} in answer to HEAD")

    def post():
        same_bytes(run(["nghttp", "-d", s.payload_path, base + "/echo"]), s.payload, "POST /echo")

    return [get_small, get_large, head, post]


# --- h2load --------------------------------------------------------------------------

def h2load_get(s, base):
    def get_small():
        out = run(["h2load", "-n", "20000", "-c", "1", "-m", "100", base + "/small.txt"]).decode()
        requests = re.search(r"requests: .*", out)
        codes = re.search(r"status codes: .*", out)
        expect(requests and "20000 succeeded, 0 failed, 0 errored" in requests.group(0),
               f"h2load: {requests.group(0) if requests else out[-200:]}")
        expect(codes and codes.group(0).startswith("status codes: 20000 2xx"), f"h2load: {codes.group(0) if codes else '?'}")
        # The bytes: h2load counts the DATA payload it received (20000 copies of the file).
        data = re.search(r"traffic: .*\((\d+)\) data", out)
        expect(data and int(data.group(1)) == 20000 * len(s.small), f"h2load data bytes {data.group(1) if data else '?'}, expected {20000 * len(s.small)}")

    return get_small


# --- httpx ---------------------------------------------------------------------------

def httpx_checks(s, base, http1, http2, wire):
    import httpx

    def client():
        return httpx.Client(http1=http1, http2=http2, verify=s.ca, timeout=60)

    def checked(response):
        expect(response.status_code == 200, f"status {response.status_code}")
        expect(response.http_version == wire, f"protocol {response.http_version}, expected {wire}")
        return response

    def get_small():
        with client() as c:
            same_bytes(checked(c.get(base + "/small.txt")).content, s.small, "GET /small.txt")

    def get_large():
        digest, size = hashlib.sha256(), 0
        with client() as c, c.stream("GET", base + "/large.bin") as response:
            checked(response)
            for chunk in response.iter_bytes():
                digest.update(chunk)
                size += len(chunk)
        expect((digest.hexdigest(), size) == (s.large_sha, s.large_size), f"SHA-256 {digest.hexdigest()} of {size} bytes")

    def head():
        with client() as c:
            response = checked(c.head(base + "/large.bin"))
            expect(response.content == b"", f"a {len(response.content)}-byte body in answer to HEAD")
            expect(response.headers.get("content-length") == str(s.large_size), f"Content-Length {response.headers.get('content-length')}")
            # The same connection must still be in step for the next request.
            same_bytes(checked(c.get(base + "/small.txt")).content, s.small, "GET after HEAD")

    def post():
        with client() as c:
            same_bytes(checked(c.post(base + "/echo", content=s.payload)).content, s.payload, "POST /echo")

    return [get_small, get_large, head, post]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tls", required=True)
    parser.add_argument("--clear", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--docroot", required=True)
    parser.add_argument("--markdown")
    args = parser.parse_args()
    s = Setup(args)

    curl = "curl " + version(["curl", "--version"], r"curl (\S+)")
    nghttp = "nghttp " + version(["nghttp", "--version"], r"nghttp2/(\S+)")
    h2load = "h2load " + version(["h2load", "--version"], r"nghttp2/(\S+)")
    try:
        import httpx
        httpx_name = f"Python httpx {httpx.__version__}"
    except ImportError as error:
        httpx_name, httpx = "Python httpx", error

    h2load_only = "h2load counts responses and their bytes, so only the many-GET load applies"
    rows = [
        (curl + " --http1.1", "HTTP/1.1", curl_checks(s, ["--http1.1"], s.clear, "1.1")),
        (curl + " --http1.1", "HTTP/1.1 TLS", curl_checks(s, ["--http1.1"], s.tls, "1.1")),
        (curl + " --http2", "h2 (TLS, ALPN)", curl_checks(s, ["--http2"], s.tls, "2")),
        (curl + " --http2-prior-knowledge", "h2c (prior knowledge)", curl_checks(s, ["--http2-prior-knowledge"], s.clear, "2")),
        (nghttp, "h2 (TLS, ALPN)", nghttp_checks(s, s.tls)),
        (nghttp, "h2c (prior knowledge)", nghttp_checks(s, s.clear)),
        (h2load + " -n 20000 -c 1 -m 100", "h2c (prior knowledge)", [h2load_get(s, s.clear), h2load_only, h2load_only, h2load_only]),
    ]
    if isinstance(httpx, ImportError):
        missing = f"python3-httpx is not importable: {httpx}"
        rows += [(httpx_name, wire, [Failure(missing)] * 4) for wire in ("HTTP/1.1", "h2 (TLS, ALPN)", "h2c (prior knowledge)")]
    else:
        rows += [
            (httpx_name, "HTTP/1.1", httpx_checks(s, s.clear, True, False, "HTTP/1.1")),
            (httpx_name + " http2", "h2 (TLS, ALPN)", httpx_checks(s, s.tls, False, True, "HTTP/2")),
            (httpx_name + " http2, http1=False", "h2c (prior knowledge)", httpx_checks(s, s.clear, False, True, "HTTP/2")),
        ]

    notes, lines, counts = [], [], {"passed": 0, "failed": 0, "skipped": 0}

    def note(text):
        if text not in notes:
            notes.append(text)
        return notes.index(text) + 1

    lines.append("| client | protocol | " + " | ".join(COLUMNS) + " |")
    lines.append("|---|---|" + "---|" * len(COLUMNS))
    for name, wire, checks in rows:
        cells = []
        for check in checks:
            if isinstance(check, str):
                cells.append(f"n/a [{note(check)}]")
                counts["skipped"] += 1
                continue
            try:
                if isinstance(check, Failure):
                    raise check
                check()
                cells.append("pass")
                counts["passed"] += 1
            except Exception as error:  # a client's own exception fails the cell, not the run
                reason = str(error) if isinstance(error, Failure) else f"{type(error).__name__}: {error}"
                cells.append(f"**FAIL** [{note(reason)}]")
                counts["failed"] += 1
        lines.append(f"| {name} | {wire} | " + " | ".join(cells) + " |")
    if notes:
        lines.append("")
        lines += [f"{i}. {text}" for i, text in enumerate(notes, 1)]
    table = "\n".join(lines)
    print(table)
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write("\n\n## Real clients against hx serve\n\n" + table + "\n")
    print(f"server interop: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    sys.exit(1 if counts["failed"] else 0)


if __name__ == "__main__":
    main()
