#!/usr/bin/env python3
"""A Digest (RFC 7616, qop=auth) origin on 127.0.0.1 for the client's tests, standard
library only. Usage: digest-auth-server.py PORT USER PASSWORD

GET or POST /md5, /sha256 (or /<algorithm>, e.g. /md5-sess): without valid credentials
401 with a challenge for that algorithm; with them 200 and the body
"ok <algorithm> <nc>\n" followed by the request body. The response hash is checked over
method, uri, nonce, nc, cnonce, qop; the nonce must be one this server issued and the
opaque must be echoed.
"""
import hashlib
import http.server
import secrets
import sys
import threading

PORT, USER, PASSWORD = int(sys.argv[1]), sys.argv[2], sys.argv[3]
REALM = "httpcore-test@127.0.0.1"
OPAQUE = secrets.token_hex(8)
ALGORITHMS = {"md5": "MD5", "sha256": "SHA-256", "md5-sess": "MD5-sess", "sha256-sess": "SHA-256-sess"}
issued = set()
lock = threading.Lock()


def hash_hex(algorithm, text):
    name = "md5" if algorithm.upper().startswith("MD5") else "sha256"
    return hashlib.new(name, text.encode("utf-8")).hexdigest()


def parse_params(value):
    """auth-params of a Digest Authorization value: name=token or name="quoted"."""
    params, i, n = {}, 0, len(value)
    while i < n:
        while i < n and value[i] in " ,\t":
            i += 1
        start = i
        while i < n and value[i] not in "= \t":
            i += 1
        name = value[start:i].lower()
        while i < n and value[i] in " \t":
            i += 1
        if i >= n or value[i] != "=":
            break
        i += 1
        while i < n and value[i] in " \t":
            i += 1
        if i < n and value[i] == '"':
            i += 1
            out = []
            while i < n and value[i] != '"':
                if value[i] == "\\" and i + 1 < n:
                    i += 1
                out.append(value[i])
                i += 1
            i += 1
            params[name] = "".join(out)
        else:
            start = i
            while i < n and value[i] not in ", \t":
                i += 1
            params[name] = value[start:i]
    return params


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        sys.stderr.write("%s\n" % (format % args))

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        key = self.path.split("?")[0].strip("/")
        algorithm = ALGORITHMS.get(key)
        if algorithm is None:
            return self.reply(404, b"unknown path\n")
        header = self.headers.get("Authorization") or ""
        if header[:7].lower() == "digest ":
            params = parse_params(header[7:])
            verdict = self.check(params, algorithm)
            if verdict is None:
                return self.reply(200, ("ok %s %s\n" % (algorithm, params["nc"])).encode() + body)
            sys.stderr.write("rejected: %s\n" % verdict)
        nonce = secrets.token_urlsafe(24)
        with lock:
            issued.add(nonce)
        challenge = 'Digest realm="%s", qop="auth", algorithm=%s, nonce="%s", opaque="%s"' % (REALM, algorithm, nonce, OPAQUE)
        self.reply(401, b"credentials needed\n", {"WWW-Authenticate": challenge})

    def check(self, params, algorithm):
        for name in ("username", "realm", "nonce", "uri", "response", "nc", "cnonce", "qop"):
            if name not in params:
                return "missing " + name
        if params["username"] != USER or params["realm"] != REALM:
            return "wrong user or realm"
        if params.get("algorithm", "MD5").lower() != algorithm.lower():
            return "wrong algorithm"
        if params.get("opaque") != OPAQUE:
            return "opaque not echoed"
        if params["uri"] != self.path:
            return "uri %r is not the request target %r" % (params["uri"], self.path)
        if params["qop"] != "auth":
            return "qop"
        with lock:
            if params["nonce"] not in issued:
                return "nonce not issued here"
        ha1 = hash_hex(algorithm, "%s:%s:%s" % (USER, REALM, PASSWORD))
        if algorithm.lower().endswith("-sess"):
            ha1 = hash_hex(algorithm, "%s:%s:%s" % (ha1, params["nonce"], params["cnonce"]))
        ha2 = hash_hex(algorithm, "%s:%s" % (self.command, self.path))
        expected = hash_hex(algorithm, ":".join([ha1, params["nonce"], params["nc"], params["cnonce"], "auth", ha2]))
        if params["response"] != expected:
            return "response hash"
        return None

    def reply(self, status, body, fields=None):
        self.send_response(status)
        for name, value in (fields or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = handle_any
    do_POST = handle_any


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
