#!/usr/bin/env python3
"""Writes the seed corpora under Fuzz/corpus/<target>/ (run from anywhere; needs the
brotli, zstd and gzip commands). Each seed starts with its target's configuration bytes
(see the doc comment of the target's type in Sources/HTTPCoreFuzzTargets). Seeds are
small, valid or nearly valid inputs the fuzzer mutates from; rerunning rewrites them."""
import os, struct, subprocess, zlib

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

def write(target, name, data):
    folder = os.path.join(root, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)

def b(text):
    return text.encode("latin-1")

# http1-response: [split seed, methods (2 bits per response: GET HEAD CONNECT POST)] + bytes
for name, methods, text in [
    ("content-length", 0, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello"),
    ("chunked-trailers", 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nChecksum: 1\r\n\r\n"),
    ("continue-then-ok", 0, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
    ("head", 1, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"),
    ("no-content-pipelined", 0, "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"),
    ("until-close", 0, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbody until the end"),
    ("http10-keep-alive", 0, "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc"),
    ("obs-fold-bare-lf", 0, "HTTP/1.1 200 OK\nX-Long: one\n  two\nContent-Length: 0\n\n"),
    ("connect-tunnel", 2, "HTTP/1.1 200 Connection established\r\n\r\ntunnel bytes"),
    ("te-and-cl", 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 10\r\n\r\n0\r\n\r\n"),
    ("cl-list", 0, "HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc"),
    ("post-pipelined", 0xff, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
]:
    write("http1-response", name, bytes([7, methods]) + b(text))

# http1-request: [split seed, scheme bit] + bytes
for name, text in [
    ("get", "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"),
    ("post-content-length", "POST /form HTTP/1.1\r\nHost: example.com:8080\r\nContent-Length: 7\r\n\r\na=1&b=2"),
    ("chunked-trailers", "PUT /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 3\r\n\r\n"),
    ("pipelined", "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET /c HTTP/1.1\r\n\r\n"),
    ("absolute-form", "GET http://Example.com:80/p HTTP/1.1\r\nHost: example.com:80\r\n\r\n"),
    ("connect", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\ntunnel"),
    ("options-asterisk", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"),
    ("expect-continue", "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi"),
    ("http10", "\r\nGET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n"),
    ("smuggle-te-cl", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    ("bare-lf", "GET / HTTP/1.1\nHost: h\n\n"),
]:
    write("http1-request", name, bytes([3, 0]) + b(text))

# chunked: [split seed, mode bit 0: encode a body (1) or decode bytes (0)] + payload
write("chunked", "encode-text", bytes([5, 1]) + b("the quick brown fox jumps over the lazy dog " * 8))
write("chunked", "encode-binary", bytes([9, 1]) + bytes(range(256)))
write("chunked", "decode-extensions", bytes([2, 0]) + b("4;name=value\r\nwiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n"))
write("chunked", "decode-trailers", bytes([2, 0]) + b("A\r\n0123456789\r\n0\r\nExpires: never\r\nX-Checksum: 1\r\n\r\n"))
write("chunked", "decode-bare-lf", bytes([4, 0]) + b("3\nabc\n0\n\n"))
write("chunked", "decode-overflow", bytes([4, 0]) + b("ffffffffffffffffff\r\n"))

# decoders: [split seed, coding (bits 0-2: "" gzip deflate br zstd "gzip, br" "zstd, deflate" "br, gzip";
# bit 3: compress the payload first), limits] + bytes
text = b("<html><body>" + "hello, fuzz! " * 40 + "</body></html>")
def tool(args, data):
    return subprocess.run(args, input=data, stdout=subprocess.PIPE, check=True).stdout
gz = tool(["gzip", "-c", "-n"], text)
br = tool(["brotli", "-c"], text)
zs = tool(["zstd", "-c", "-q"], text)
write("decoders", "gzip", bytes([1, 1, 0]) + gz)
write("decoders", "deflate-zlib", bytes([1, 2, 0]) + zlib.compress(text))
raw = zlib.compressobj(6, zlib.DEFLATED, -15)
write("decoders", "deflate-raw", bytes([1, 2, 0x40]) + raw.compress(text) + raw.flush())
write("decoders", "brotli", bytes([1, 3, 0]) + br)
write("decoders", "zstd", bytes([1, 4, 0x83]) + zs)
write("decoders", "gzip-then-br", bytes([1, 5, 0]) + tool(["brotli", "-c"], gz))
write("decoders", "gzip-capped", bytes([3, 1, 3]) + gz)
write("decoders", "bomb-ratio", bytes([3, 1, 0x08]) + tool(["gzip", "-c", "-n"], bytes(200000)))
write("decoders", "compress-zstd", bytes([1, 0x0c, 0xc0]) + text)
write("decoders", "identity", bytes([1, 0, 0x41]) + text[:100])

# url: [base choice] + text
for i, text in enumerate([
    "https://Example.COM:443/a/../b?q=1#frag", "http://[::1]:8080/path with space", "http://user:pw@host/",
    "socks5h://user%40x:p%3Ass@proxy.example:1080", "http://proxy:3128/", "HTTPS://h:65535",
    "/relative/path?x=y", "../up?#", "http://h:99999/", "http://[fe80::1%25eth0]/", "//other.example/x",
]):
    write("url", "url-%02d" % i, bytes([i % 4]) + b(text))

# proxy-handshake: [split seed, kind (0 CONNECT, 1 SOCKS5 name, 2 v4, 3 v6; bit 2 credentials)] + replies
socks_ok = bytes([5, 0, 0, 1, 127, 0, 0, 1, 0, 80])
write("proxy-handshake", "connect-200", bytes([1, 0]) + b("HTTP/1.1 200 Connection established\r\nVia: x\r\n\r\n\x16\x03\x01"))
write("proxy-handshake", "connect-407", bytes([1, 4]) + b("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n"))
write("proxy-handshake", "connect-100-then-200", bytes([1, 0]) + b("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"))
write("proxy-handshake", "socks5-no-auth", bytes([1, 1, 5, 0]) + socks_ok + b("tunnel"))
write("proxy-handshake", "socks5-login", bytes([1, 5, 5, 2, 1, 0]) + socks_ok)
write("proxy-handshake", "socks5-domain-reply", bytes([1, 2, 5, 0, 5, 0, 0, 3, 4]) + b("host") + bytes([1, 187]))
write("proxy-handshake", "socks5-ipv6-reply", bytes([1, 3, 5, 0, 5, 0, 0, 4]) + bytes(16) + bytes([0, 80]))
write("proxy-handshake", "socks5-refused", bytes([1, 1, 5, 0, 5, 5]))
write("proxy-handshake", "socks5-no-method", bytes([1, 1, 5, 0xff]))

# cookies: [limits, clock step] + lines, each a URL-picking byte then a Set-Cookie value
lines = [
    "\x00sid=abc; Path=/; Secure; HttpOnly; Max-Age=60",
    "\x00pref=dark; Domain=.Example.com; Expires=Wed, 21 Oct 2099 07:28:00 GMT",
    "\x01__Host-x=1; Path=/; Secure",
    "\x02a=b; Domain=co.uk",
    "\x02c=d; Domain=example.co.uk; Path=/x",
    "\x03ip=1; Domain=127.0.0.1",
    "\x01gone=1; Max-Age=0",
    "\x00empty=; expires=Thu, 01 Jan 1970 00:00:00 GMT",
]
write("cookies", "mixed", bytes([0, 10]) + b("\n".join(lines)))
write("cookies", "eviction", bytes([0x25, 1]) + b("\n".join("\x00k%d=v%d; Path=/" % (i, i) for i in range(12))))
write("cookies", "dates", bytes([0, 100]) + b("\x00a=1; Expires=Sun, 06 Nov 1994 08:49:37 GMT\n\x00b=2; expires=Sunday, 06-Nov-94 08:49:37 GMT\n\x00c=3; Expires=Sun Nov  6 08:49:37 2094"))

# redirects: [first request (bits 0-1 method GET POST HEAD PUT, 2-3 body, 4-5 base), hop limit] + lines
# (status byte: 0 301, 1 302, 2 303, 3 307, 4 308, 5 200, 6 304, 7 300; then the Location)
write("redirects", "chain", bytes([0x01, 5]) + b("\x00/next\n\x02https://other.example/x?y=1\n\x03../up/./here\n\x04//third.example:8443/"))
write("redirects", "loop", bytes([0x00, 7]) + b("\x00/b\n\x00/a/b?x=1\n\x00https://example.com/a/b?x=1"))
write("redirects", "stream-307", bytes([0x09, 3]) + b("\x03/again"))
write("redirects", "bad-locations", bytes([0x20, 7]) + b("\x00javascript:alert(1)\n\x01http://[::1\n\x02\n\x00?only=query\n\x00#frag"))

# HTTP/2 frames
def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload
DATA, HEADERS, RST, SETTINGS, PING, GOAWAY, WINDOW, CONT = 0, 1, 3, 4, 6, 7, 8, 9
END_STREAM, END_HEADERS, ACK, PADDED = 1, 4, 1, 8
def literal(name, value):  # literal header field without indexing, new name
    return bytes([0, len(name)]) + b(name) + bytes([len(value)]) + b(value)
status200 = bytes([0x88])
settings_ack = frame(SETTINGS, ACK, 0)

# h2-client: [split seed, streams (bits 0-1 count-1, bit 2 body, bit 3 one write)] + server frames
write("h2-client", "one-response", bytes([1, 0]) + settings_ack + frame(HEADERS, END_HEADERS, 1, status200 + literal("content-type", "text/plain")) + frame(DATA, END_STREAM, 1, b("hello")))
write("h2-client", "trailers", bytes([2, 4]) + settings_ack + frame(HEADERS, END_HEADERS, 1, status200) + frame(DATA, 0, 1, b("ab")) + frame(HEADERS, END_HEADERS | END_STREAM, 1, literal("grpc-status", "0")))
write("h2-client", "two-streams-reset", bytes([3, 1]) + settings_ack + frame(HEADERS, END_HEADERS | END_STREAM, 3, status200) + frame(RST, 0, 1, struct.pack(">I", 8)))
write("h2-client", "informational-continuation", bytes([4, 8]) + frame(HEADERS, 0, 1, bytes([0x08, 0x03]) + b("100")) + frame(CONT, END_HEADERS, 1) + frame(HEADERS, END_HEADERS | END_STREAM, 1, status200))
write("h2-client", "goaway-ping-window", bytes([5, 2]) + frame(PING, 0, 0, bytes(8)) + frame(WINDOW, 0, 0, struct.pack(">I", 1000)) + frame(HEADERS, END_HEADERS | END_STREAM, 1, status200) + frame(GOAWAY, 0, 0, struct.pack(">II", 1, 0) + b("bye")))
write("h2-client", "settings-padded", bytes([6, 0]) + frame(SETTINGS, 0, 0, struct.pack(">HI", 3, 1) + struct.pack(">HI", 4, 10)) + frame(HEADERS, END_HEADERS | PADDED, 1, bytes([2]) + status200 + bytes(2)) + frame(DATA, END_STREAM | PADDED, 1, bytes([1]) + b("x") + bytes(1)))

# h2-server: [split seed, bit 0 one write] + client frames after the preface and SETTINGS
get = bytes([0x82, 0x86, 0x84, 0x41, 11]) + b("example.com")
post = bytes([0x83, 0x86, 0x84, 0x41, 11]) + b("example.com")
write("h2-server", "get", bytes([1, 0]) + settings_ack + frame(HEADERS, END_HEADERS | END_STREAM, 1, get))
write("h2-server", "post-body", bytes([2, 1]) + settings_ack + frame(HEADERS, END_HEADERS, 1, post + literal("content-length", "5")) + frame(DATA, END_STREAM, 1, b("hello")))
write("h2-server", "two-streams-trailers", bytes([3, 0]) + frame(HEADERS, END_HEADERS | END_STREAM, 1, get) + frame(HEADERS, END_HEADERS, 3, post) + frame(DATA, 0, 3, b("x")) + frame(HEADERS, END_HEADERS | END_STREAM, 3, literal("x-sum", "1")))
write("h2-server", "reset-and-goaway", bytes([4, 0]) + frame(HEADERS, END_HEADERS, 1, post) + frame(RST, 0, 1, struct.pack(">I", 8)) + frame(WINDOW, 0, 0, struct.pack(">I", 100)) + frame(PING, 0, 0, bytes(8)) + frame(GOAWAY, 0, 0, struct.pack(">II", 0, 0)))
write("h2-server", "priority-update", bytes([5, 1]) + frame(HEADERS, END_HEADERS | END_STREAM, 1, get + literal("priority", "u=1, i")) + frame(0x10, 0, 0, struct.pack(">I", 1) + b("u=0")))
