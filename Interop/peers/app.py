"""The interop origin: a small ASGI app that hypercorn serves, and that haproxy fronts.

Routes (everything else is 404):
  GET  /<file>     (and HEAD) a file from $INTEROP_DOCROOT, streamed in 1 MiB chunks without
                   Content-Length on purpose, so HTTP/1.1 sends it chunked
  POST /echo       the request body back, once it has all arrived
  POST /echo-stream  200 at once, before any of the body is read, then each request body
                   chunk back as it arrives, ending when the request does: the duplex
                   check's peer (it yields a chunk only after the previous one came back)
  POST /sha256     "<sha256 hex> <length>\n" of the request body
  GET  /trailers   the file trailers.txt, then the trailer x-interop-trailer: httpcore-interop
                   (hypercorn sends trailers only over HTTP/2 and only when the request
                   has "te: trailers")

No third-party imports: hypercorn is the only thing installed for it.
"""

import hashlib
import os

DOCROOT = os.environ.get("INTEROP_DOCROOT", ".")
CHUNK = 1 << 20
TRAILER = (b"x-interop-trailer", b"httpcore-interop")


async def read_body(receive):
    """Yields the request body's chunks as they arrive."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


async def respond(send, status, body, headers=()):
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/octet-stream"), *headers],
    })
    await send({"type": "http.response.body", "body": body})


async def serve_file(send, path):
    # Only names directly in the docroot: no traversal.
    name = path.lstrip("/")
    full = os.path.join(DOCROOT, name)
    if "/" in name or not name or not os.path.isfile(full):
        await respond(send, 404, b"not found\n")
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/octet-stream")]})
    with open(full, "rb") as file:
        while chunk := file.read(CHUNK):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            kind = (await receive())["type"]
            if kind == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif kind == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    method, path = scope["method"], scope["path"]
    if method == "POST" and path == "/echo":
        body = bytearray()
        async for chunk in read_body(receive):
            body += chunk
        await respond(send, 200, bytes(body))
    elif method == "POST" and path == "/echo-stream":
        # The head goes before the body is read, and every chunk as it comes: a server that
        # waited for the whole request would deadlock a client that waits for each echo.
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/octet-stream")]})
        async for chunk in read_body(receive):
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    elif method == "POST" and path == "/sha256":
        digest, length = hashlib.sha256(), 0
        async for chunk in read_body(receive):
            digest.update(chunk)
            length += len(chunk)
        await respond(send, 200, f"{digest.hexdigest()} {length}\n".encode())
    elif method == "GET" and path == "/trailers":
        # hypercorn offers the extension only where it can send trailers (HTTP/2 and 3);
        # elsewhere it would fail the response, so the body goes alone.
        trailers = "http.response.trailers" in scope.get("extensions", {})
        headers = [(b"content-type", b"text/plain")] + ([(b"trailer", TRAILER[0])] if trailers else [])
        await send({"type": "http.response.start", "status": 200, "trailers": trailers, "headers": headers})
        with open(os.path.join(DOCROOT, "trailers.txt"), "rb") as file:
            await send({"type": "http.response.body", "body": file.read()})
        if trailers:
            await send({"type": "http.response.trailers", "headers": [TRAILER]})
    elif method in ("GET", "HEAD"):
        # hypercorn drops the body of a HEAD response itself.
        await serve_file(send, path)
    else:
        await respond(send, 405, b"method not allowed\n")
