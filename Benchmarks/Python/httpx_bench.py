"""Python httpx beside this project in scripts/bench-matrix.sh.

Takes the same arguments as ahc-bench and pool-bench (Benchmarks/Sources/BenchSupport/
MatrixCase.swift), so every client does the same work:

    get  h1|h2|h2c URL COUNT CONNECTIONS STREAMS CA.pem RESPONSE_BYTES
    post h1|h2|h2c URL COUNT CONNECTIONS STREAMS CA.pem RESPONSE_BYTES UPLOAD_BYTES

One AsyncClient limited to CONNECTIONS connections, with as many asyncio workers as
requests may be in flight (CONNECTIONS for HTTP/1.1, CONNECTIONS x STREAMS for HTTP/2);
`h2c` is HTTP/2 by prior knowledge (http1=False). Every response must be 200 with
RESPONSE_BYTES of body, or the process exits 1 without a figure.
"""

import asyncio
import ssl
import sys

import httpx


class Failed(Exception):
    """A response that was not what the cell asked for."""


async def run(method, wire, url, count, connections, streams, ca, response_bytes, upload_bytes):
    in_flight = min(count, connections if wire == "h1" else connections * streams)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    body = b"x" * upload_bytes if method == "post" else None
    taken = 0
    done = 0
    received_total = 0

    async def worker(client):
        nonlocal taken, done, received_total
        while taken < count:
            taken += 1
            async with client.stream(method.upper(), url, content=body) as response:
                received = 0
                async for chunk in response.aiter_raw():
                    received += len(chunk)
            if response.status_code != 200 or received != response_bytes:
                raise Failed(f"status {response.status_code} with {received} body bytes, want 200 with {response_bytes}")
            done += 1
            received_total += received

    context = ssl.create_default_context(cafile=ca)
    async with httpx.AsyncClient(
        http1=wire == "h1", http2=wire != "h1", verify=context, limits=limits, timeout=120
    ) as client:
        await asyncio.gather(*(worker(client) for _ in range(in_flight)))
    return done, received_total


def main(argv):
    if len(argv) not in (8, 9) or argv[0] not in ("get", "post") or argv[1] not in ("h1", "h2", "h2c"):
        print(__doc__, file=sys.stderr)
        return 2
    method, wire, url, ca = argv[0], argv[1], argv[2], argv[6]
    count, connections, streams, response_bytes = map(int, (argv[3], argv[4], argv[5], argv[7]))
    upload_bytes = int(argv[8]) if method == "post" and len(argv) == 9 else 0
    try:
        done, received = asyncio.run(
            run(method, wire, url, count, connections, streams, ca, response_bytes, upload_bytes)
        )
    except Exception as error:  # any failure fails the cell: no figure
        print(f"{method} {wire} {url}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(f"ok requests={done} response_bytes={received} upload_bytes={done * upload_bytes}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
