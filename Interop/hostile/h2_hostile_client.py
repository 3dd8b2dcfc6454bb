#!/usr/bin/env python3
"""A misbehaving HTTP/2 and HTTP/1.1 client for the server's hostile-client tests.

    h2_hostile_client.py PORT SCENARIO [ARGUMENT]

Connects to 127.0.0.1:PORT, runs one scenario, reports what the server did as one line
per observation on stdout, and exits (after "DONE"). The lines are meant for a test to
parse:

    GOAWAY code=11 last=1 after=0.20       the server's GOAWAY (RFC 9113 error code, last
                                           stream; seconds since connect)
    RST_STREAM stream=3 code=7 after=1.01  the server reset a stream
    HEADERS stream=3 status=200    a response head
    DATA stream=3 length=5 end=1   response body bytes
    EOF after=1.02                 the server closed the connection (seconds since connect)
    RESET after=1.02               ... abortively (ECONNRESET)
    OPEN after=5.00                the connection was still open when the scenario gave up
    STATUS 400                     an HTTP/1.1 response's status (one line per response)
    SENT bytes=n / RECEIVED bytes=n   what the scenario got out / in

HTTP/2 is written as raw frames (cleartext, prior knowledge): a well-behaved library such
as h2 refuses to produce most of these shapes. Header blocks come from h2's HPACK encoder
(the `hpack` package h2 depends on), and response heads are decoded with its decoder so
its dynamic table stays in step with the server's encoder.
"""

import re
import socket
import struct
import sys
import time

import hpack

# Frame types, flags and settings (RFC 9113 sections 6 and 6.5.2).
DATA, HEADERS, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = (
    0x0, 0x1, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0x9,
)
END_STREAM, ACK, END_HEADERS = 0x1, 0x1, 0x4
SETTINGS_MAX_CONCURRENT_STREAMS, SETTINGS_INITIAL_WINDOW_SIZE = 0x3, 0x4
CANCEL = 0x8
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

START = time.monotonic()


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def elapsed():
    return "%.2f" % (time.monotonic() - START)


def frame(kind, flags, stream, payload=b""):
    """One raw frame: 24-bit length, type, flags, 31-bit stream id, payload."""
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream & 0x7FFFFFFF) + payload


def settings(*entries):
    return frame(SETTINGS, 0, 0, b"".join(struct.pack(">HI", key, value) for key, value in entries))


def literal(name, value):
    """A literal field without indexing and without Huffman: leaves the dynamic table alone."""
    name, value = name.encode(), value.encode()
    assert len(name) < 127 and len(value) < 127
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


class H2:
    def __init__(self, port, receive_buffer=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.connect(("127.0.0.1", port))
        self.encoder = hpack.Encoder()
        self.decoder = hpack.Decoder()
        self.decoder.max_allowed_table_size = 1 << 16
        self.buffer = b""
        self.block = b""
        self.server_settings = {}
        self.data_frames = 0
        # One line per DATA frame, or only the count (`data_frames`) for large bodies.
        self.print_data = True

    def send(self, data):
        self.sock.sendall(data)

    def request(self, stream, path="/", method="GET", end_stream=True):
        block = self.encoder.encode([(":method", method), (":scheme", "http"), (":authority", "127.0.0.1"), (":path", path)])
        return frame(HEADERS, END_HEADERS | (END_STREAM if end_stream else 0), stream, block)

    def start(self, *entries):
        self.send(PREFACE + settings(*entries))

    def read_frame(self, deadline):
        """The next frame, or a string ("EOF", "RESET", "OPEN") when there is none."""
        while len(self.buffer) < 9 or len(self.buffer) < 9 + int.from_bytes(self.buffer[:3], "big"):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "OPEN"
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(1 << 16)
            except socket.timeout:
                return "OPEN"
            except ConnectionResetError:
                return "RESET"
            if not data:
                return "EOF"
            self.buffer += data
        length = int.from_bytes(self.buffer[:3], "big")
        kind, flags = self.buffer[3], self.buffer[4]
        stream = int.from_bytes(self.buffer[5:9], "big") & 0x7FFFFFFF
        payload = self.buffer[9:9 + length]
        self.buffer = self.buffer[9 + length:]
        return kind, flags, stream, payload

    def report(self, kind, flags, stream, payload):
        """Prints one frame of interest; answers SETTINGS with its ACK."""
        if kind == GOAWAY:
            last, code = struct.unpack(">II", payload[:8])
            say("GOAWAY code=%d last=%d after=%s" % (code, last & 0x7FFFFFFF, elapsed()))
        elif kind == RST_STREAM:
            say("RST_STREAM stream=%d code=%d after=%s" % (stream, struct.unpack(">I", payload)[0], elapsed()))
        elif kind in (HEADERS, CONTINUATION):
            self.block += payload if kind == CONTINUATION else self.strip_padding(flags, payload)
            if flags & END_HEADERS:
                fields = dict(self.decoder.decode(self.block))
                self.block = b""
                status = fields.get(":status", fields.get(b":status", "trailers"))
                status = status.decode() if isinstance(status, bytes) else status
                say("HEADERS stream=%d status=%s end=%d" % (stream, status, flags & END_STREAM))
        elif kind == DATA:
            self.data_frames += 1
            if self.print_data:
                say("DATA stream=%d length=%d end=%d" % (stream, len(payload), flags & END_STREAM))
        elif kind == SETTINGS and not flags & ACK:
            for offset in range(0, len(payload), 6):
                key, value = struct.unpack(">HI", payload[offset:offset + 6])
                self.server_settings[key] = value
            say("SETTINGS " + " ".join("%d=%d" % item for item in sorted(self.server_settings.items())))
            self.send(frame(SETTINGS, ACK, 0))

    @staticmethod
    def strip_padding(flags, payload):
        if flags & 0x8:
            payload = payload[1:len(payload) - payload[0]]
        if flags & 0x20:
            payload = payload[5:]
        return payload

    def observe(self, seconds, until=None):
        """Reports frames until the connection ends or `seconds` pass (or `until(frame)`)."""
        deadline = time.monotonic() + seconds
        while True:
            item = self.read_frame(deadline)
            if isinstance(item, str):
                say("%s after=%s" % (item, elapsed()))
                return item
            self.report(*item)
            if until and until(*item):
                return item

    def observe_ready(self):
        """Reports the frames already received, without waiting; true once the server has
        sent GOAWAY or ended the connection."""
        while True:
            item = self.read_frame(time.monotonic() + 0.001)
            if item == "OPEN":
                return False
            if isinstance(item, str):
                say("%s after=%s" % (item, elapsed()))
                return True
            self.report(*item)
            if item[0] == GOAWAY:
                return True

    def send_until_blocked(self, chunks, seconds):
        """Writes `chunks` without reading; stops when the server stops reading (the write
        would block for `seconds`) or the connection ends. Prints SENT and how it ended."""
        sent = 0
        self.sock.settimeout(seconds)
        outcome = "ALL"
        try:
            for chunk in chunks:
                self.sock.sendall(chunk)
                sent += len(chunk)
        except socket.timeout:
            outcome = "BLOCKED"
        except (BrokenPipeError, ConnectionResetError):
            outcome = "CLOSED"
        say("SENT bytes=%d %s" % (sent, outcome))


# -- HTTP/2 scenarios -------------------------------------------------------------------


def rapid_reset(port, argument):
    # CVE-2023-44487: open and cancel streams as fast as possible; the server's handler
    # never gets to answer, yet each stream costs it work. Between batches, whatever the
    # server sent is read, so its GOAWAY is seen before a reset could discard it.
    count = int(argument or 20_000)
    client = H2(port)
    client.start()
    for first in range(0, count, 100):
        batch = b"".join(
            client.request(stream) + frame(RST_STREAM, 0, stream, struct.pack(">I", CANCEL))
            for stream in range(1 + 2 * first, 1 + 2 * min(first + 100, count), 2)
        )
        try:
            client.sock.sendall(batch)
        except (BrokenPipeError, ConnectionResetError):
            break
        if client.observe_ready():
            break
    say("SENT streams=%d" % min(first + 100, count))
    client.observe(10)


def continuation_flood(port, argument):
    # A request's HEADERS without END_HEADERS, then 10,000 CONTINUATION frames that never
    # end the field block (each one small, so no size limit trips first).
    client = H2(port)
    client.start()
    head = client.encoder.encode([(":method", "GET"), (":scheme", "http"), (":authority", "a"), (":path", "/")])
    flood = [frame(HEADERS, END_STREAM, 1, head)]
    flood += [frame(CONTINUATION, 0, 1, literal("x-flood", "v%d" % index)) for index in range(10_000)]
    client.send_until_blocked([b"".join(flood)], 5)
    client.observe(10)


def ping_flood(port, argument):
    # PINGs without reading the ACKs: they queue in the server until its limit.
    client = H2(port, receive_buffer=4096)
    client.start()
    pings = [b"".join(frame(PING, 0, 0, struct.pack(">Q", index * 1000 + k)) for k in range(1000)) for index in range(200)]
    client.send_until_blocked(pings, 5)
    client.observe(10)


def settings_flood(port, argument):
    # SETTINGS frames without reading the ACKs, as for PING.
    client = H2(port, receive_buffer=4096)
    client.start()
    entry = struct.pack(">HI", SETTINGS_MAX_CONCURRENT_STREAMS, 100)
    floods = [b"".join(frame(SETTINGS, 0, 0, entry) for _ in range(1000)) for _ in range(200)]
    client.send_until_blocked(floods, 5)
    client.observe(10)


def hpack_bomb(port, argument):
    # One ~4 KB entry enters the server's dynamic table (index 62), then 12,000 one-byte
    # references to it: a 16 KB block that decodes to about 48 MB of fields. Then a
    # normal request on the same connection.
    client = H2(port)
    client.start()
    pseudo = [(":method", "GET"), (":scheme", "http"), (":authority", "a"), (":path", "/bomb")]
    block = client.encoder.encode(pseudo + [("x-bomb", "b" * 4000)]) + b"\xbe" * 12_000
    assert len(block) <= 16_384
    client.send(frame(HEADERS, END_HEADERS | END_STREAM, 1, block) + client.request(3, "/after"))
    client.observe(5, until=lambda kind, flags, stream, payload: stream == 3 and flags & END_STREAM)


def too_many_streams(port, argument):
    # Opens the server's limit plus 3 streams at once and keeps them open (no END_STREAM).
    # "acked": after the server's SETTINGS arrived and were acknowledged, so the limit is
    # in force. "early:N": right after the preface, before the server's SETTINGS (limit N)
    # can have been acknowledged.
    client = H2(port)
    client.start()
    if argument.startswith("early:"):
        limit = int(argument.split(":")[1])
    else:
        client.observe(5, until=lambda kind, flags, stream, payload: kind == SETTINGS and not flags & ACK)
        limit = client.server_settings[SETTINGS_MAX_CONCURRENT_STREAMS]
    client.send(b"".join(client.request(1 + 2 * index, method="POST", end_stream=False) for index in range(limit + 3)))
    client.observe(2)


def zero_window(port, argument):
    # Every stream starts with a zero window; only stream 3 is ever given one. Stream 1's
    # response can never be sent.
    client = H2(port)
    client.start((SETTINGS_INITIAL_WINDOW_SIZE, 0))
    client.send(client.request(1, "/stalled") + client.request(3, "/flowing") + frame(WINDOW_UPDATE, 0, 3, struct.pack(">I", 1 << 24)))
    client.observe(float(argument or 5), until=lambda kind, flags, stream, payload: stream == 1 and kind == RST_STREAM)


def silent_stream(port, argument):
    # A POST whose body never comes, and never ends.
    client = H2(port)
    client.start()
    client.send(client.request(1, "/upload", method="POST", end_stream=False))
    client.observe(float(argument or 5), until=lambda kind, flags, stream, payload: stream == 1 and (kind == RST_STREAM or flags & END_STREAM))


def h2_no_read(port, argument):
    # Opens every window as wide as it goes, asks for a large response, and reads nothing
    # for `argument` seconds (the socket buffers fill, the server's writes stall); then
    # reads what there is to see whether the server gave up on the connection meanwhile.
    client = H2(port, receive_buffer=4096)
    client.print_data = False
    client.start((SETTINGS_INITIAL_WINDOW_SIZE, 0x7FFFFFFF))
    client.send(frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 0x7FFFFFFF - 65_535)) + client.request(1, "/large"))
    time.sleep(float(argument or 3))
    client.observe(5)
    say("DATA frames=%d" % client.data_frames)


# -- HTTP/1.1 scenarios -----------------------------------------------------------------


def h1_connect(receive_buffer=None):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    return sock


def h1_read_all(sock, seconds):
    """Reads until EOF (or `seconds`); prints each response's status line and how it ended."""
    deadline = time.monotonic() + seconds
    received = b""
    ending = "OPEN"
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        sock.settimeout(remaining)
        try:
            data = sock.recv(1 << 16)
        except socket.timeout:
            break
        except ConnectionResetError:
            ending = "RESET"
            break
        if not data:
            ending = "EOF"
            break
        received += data
    for status in re.findall(rb"HTTP/1\.1 (\d{3}) ", received):
        say("STATUS %s" % status.decode())
    say("RECEIVED bytes=%d" % len(received))
    say("%s after=%s" % (ending, elapsed()))


def h1_send(port, argument):
    # The argument is the bytes to send, with \r \n \t escapes.
    payload = argument.encode().decode("unicode_escape").encode("latin-1")
    sock = h1_connect()
    sock.connect(("127.0.0.1", port))
    sock.sendall(payload)
    h1_read_all(sock, 5)


def h1_slowloris(port, argument):
    # A head that never completes: one byte every 100 ms.
    sock = h1_connect()
    sock.connect(("127.0.0.1", port))
    sock.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n")
    sent = 0
    deadline = time.monotonic() + float(argument or 5)
    try:
        while time.monotonic() < deadline:
            sock.sendall(b"X-Slow: b\r\n"[sent % 11:sent % 11 + 1])
            sent += 1
            sock.settimeout(0.1)
            try:
                if sock.recv(1, socket.MSG_PEEK):
                    break
            except socket.timeout:
                pass
    except (BrokenPipeError, ConnectionResetError):
        pass
    say("SENT bytes=%d" % sent)
    h1_read_all(sock, 5)


def h1_no_read(port, argument):
    # Asks for a large response and never reads it, for `argument` seconds; then reports
    # what had arrived and how the connection ended.
    sock = h1_connect(receive_buffer=4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(b"GET /large HTTP/1.1\r\nHost: a\r\n\r\n")
    time.sleep(float(argument or 3))
    h1_read_all(sock, 5)


SCENARIOS = {
    "rapid-reset": rapid_reset,
    "continuation-flood": continuation_flood,
    "ping-flood": ping_flood,
    "settings-flood": settings_flood,
    "hpack-bomb": hpack_bomb,
    "too-many-streams": too_many_streams,
    "zero-window": zero_window,
    "silent-stream": silent_stream,
    "h2-no-read": h2_no_read,
    "h1-send": h1_send,
    "h1-slowloris": h1_slowloris,
    "h1-no-read": h1_no_read,
}

if __name__ == "__main__":
    port, scenario = int(sys.argv[1]), sys.argv[2]
    argument = sys.argv[3] if len(sys.argv) > 3 else None
    try:
        SCENARIOS[scenario](port, argument)
    except (BrokenPipeError, ConnectionResetError) as error:
        say("RESET after=%s (%s)" % (elapsed(), type(error).__name__))
    say("DONE")
