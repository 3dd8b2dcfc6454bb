#!/usr/bin/env python3
"""A misbehaving HTTP/2 server for the client's hostile-peer tests.

    h2_hostile_server.py PORT SCENARIO

Listens on 127.0.0.1:PORT (0 picks a free port) for cleartext HTTP/2 by prior knowledge
and prints "READY <port>" once listening. Each connection gets the scenario as the answer
to its first request; later requests on the same connection get a normal 200 "ok", so a
test can check that a stream error left the connection usable.

The `h2` library runs the legal parts (preface, SETTINGS, reading requests, normal
answers). What h2's state machine refuses to produce is written as raw frames by `frame()`
below; header blocks for raw frames come from h2's own HPACK encoder, so its dynamic
table stays in step with the client's decoder.

Besides READY, the script prints one line per frame of interest the client sends
("RST_STREAM stream=1 code=1", "GOAWAY code=3 last=0", "REQUEST stream=3 path=/x"),
so a test can check what the client told the server.
"""

import socket
import struct
import sys
import threading
import time

import h2.config
import h2.connection
import h2.events
import h2.exceptions
from h2.errors import ErrorCodes
from h2.settings import SettingCodes

# Frame types and flags (RFC 9113 section 6).
DATA, HEADERS, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = (
    0x0, 0x1, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0x9,
)
END_STREAM, END_HEADERS = 0x1, 0x4

_print_lock = threading.Lock()


def say(line):
    with _print_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def frame(kind, flags, stream, payload=b""):
    """One raw frame: 24-bit length, type, flags, 31-bit stream id, payload."""
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream & 0x7FFFFFFF) + payload


def literal(name, value):
    """A literal field without indexing and without Huffman: leaves the dynamic table alone."""
    name, value = name.encode(), value.encode()
    assert len(name) < 127 and len(value) < 127
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


class Connection:
    def __init__(self, sock, scenario):
        self.sock = sock
        self.scenario = scenario
        config = h2.config.H2Configuration(client_side=False, header_encoding=None)
        self.h2 = h2.connection.H2Connection(config=config)
        self.requests = 0
        # After raw frames h2's view may differ from the client's; from then on we only log.
        self.h2_broken = False

    # -- plumbing ---------------------------------------------------------------------

    def send(self, data):
        if data:
            self.sock.sendall(data)

    def flush_h2(self):
        self.send(self.h2.data_to_send())

    def block(self, headers):
        """An HPACK block from h2's encoder (keeps h2's table and the client's in step)."""
        return self.h2.encoder.encode(headers)

    def respond_ok(self, stream):
        body = b"ok"
        self.h2.send_headers(stream, [(":status", "200"), ("content-length", str(len(body)))])
        self.h2.send_data(stream, body, end_stream=True)
        self.flush_h2()

    def run(self):
        if self.scenario == "max-concurrent-zero":
            self.h2.local_settings = h2.settings.Settings(
                client=False, initial_values={SettingCodes.MAX_CONCURRENT_STREAMS: 0}
            )
        self.h2.initiate_connection()
        self.flush_h2()
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            if self.h2_broken:
                continue
            try:
                events = self.h2.receive_data(data)
            except h2.exceptions.ProtocolError as error:
                say("H2-ERROR %s" % type(error).__name__)
                self.h2_broken = True
                continue
            for event in events:
                self.on_event(event)
            self.flush_h2()

    def on_event(self, event):
        if isinstance(event, h2.events.RequestReceived):
            self.requests += 1
            path = dict(event.headers).get(b":path", b"?").decode()
            say("REQUEST stream=%d path=%s" % (event.stream_id, path))
            if self.requests == 1:
                self.flush_h2()
                SCENARIOS[self.scenario](self, event.stream_id)
            else:
                self.respond_ok(event.stream_id)
        elif isinstance(event, h2.events.StreamReset):
            say("RST_STREAM stream=%d code=%d" % (event.stream_id, event.error_code))
        elif isinstance(event, h2.events.WindowUpdated) and event.stream_id == 0:
            say("WINDOW_UPDATE stream=0 increment=%d" % event.delta)
        elif isinstance(event, h2.events.ConnectionTerminated):
            say("GOAWAY code=%d last=%d" % (event.error_code, event.last_stream_id))

    def close_gracefully(self):
        """FIN, then wait (bounded) for the client's close so no RST eats its input."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
            self.sock.settimeout(5)
            while self.sock.recv(65536):
                pass
        except OSError:
            pass
        self.sock.close()

    def idle_without_reading(self):
        """Never read again (the client's acknowledgements pile up); the test kills us."""
        while True:
            time.sleep(3600)

    # -- scenarios ----------------------------------------------------------------------

    def continuation_flood(self, stream):
        # HEADERS without END_HEADERS, then 10,000 CONTINUATION frames that never end it.
        flood = [frame(HEADERS, 0, stream, self.block([(":status", "200")]))]
        flood += [frame(CONTINUATION, 0, stream, literal("x-flood", "v%d" % i)) for i in range(10_000)]
        self.send(b"".join(flood))

    def zero_length_continuation(self, stream):
        flood = [frame(HEADERS, 0, stream, self.block([(":status", "200")]))]
        flood += [frame(CONTINUATION, 0, stream) for _ in range(10_000)]
        self.send(b"".join(flood))

    def hpack_bomb(self, stream):
        # One ~4 KB entry enters the dynamic table (index 62), then 12,000 one-byte
        # references to it: a 16 KB block that decodes to about 48 MB of fields.
        block = self.block([(":status", "200"), ("x-bomb", "b" * 4000)]) + b"\xbe" * 12_000
        assert len(block) <= 16_384
        self.send(frame(HEADERS, END_HEADERS | END_STREAM, stream, block))

    def ping_flood(self, stream):
        self.send(b"".join(frame(PING, 0, 0, struct.pack(">Q", i)) for i in range(50_000)))
        self.idle_without_reading()

    def settings_flood(self, stream):
        entry = struct.pack(">HI", SettingCodes.MAX_CONCURRENT_STREAMS, 100)
        self.send(b"".join(frame(SETTINGS, 0, 0, entry) for _ in range(20_000)))
        self.idle_without_reading()

    def window_update_overflow(self, stream):
        # The client's connection send window is 65,535; this pushes it past 2^31-1.
        self.send(frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 0x7FFFFFFF)))

    def path_in_response(self, stream):
        block = self.block([(":status", "200"), (":path", "/"), ("content-length", "0")])
        self.send(frame(HEADERS, END_HEADERS | END_STREAM, stream, block))

    def connection_header(self, stream):
        block = self.block([(":status", "200"), ("connection", "keep-alive"), ("content-length", "0")])
        self.send(frame(HEADERS, END_HEADERS | END_STREAM, stream, block))

    def invalid_status(self, stream):
        block = self.block([(":status", "2x0"), ("content-length", "0")])
        self.send(frame(HEADERS, END_HEADERS | END_STREAM, stream, block))

    def content_length_mismatch(self, stream):
        block = self.block([(":status", "200"), ("content-length", "10")])
        self.send(frame(HEADERS, END_HEADERS, stream, block) + frame(DATA, END_STREAM, stream, b"12345"))

    def trailers_without_end_stream(self, stream):
        head = self.block([(":status", "200")])
        trailers = self.block([("x-trailer", "1")])
        self.send(frame(HEADERS, END_HEADERS, stream, head) + frame(DATA, 0, stream, b"body")
                  + frame(HEADERS, END_HEADERS, stream, trailers))

    def goaway_mid_body(self, stream):
        # Legal frames, so h2 writes them: a head, part of the body, then GOAWAY naming
        # last stream 0 (below the stream being answered), and the connection closes.
        self.h2.send_headers(stream, [(":status", "200"), ("content-length", "1000")])
        self.h2.send_data(stream, b"x" * 100)
        self.h2.close_connection(error_code=ErrorCodes.NO_ERROR, last_stream_id=0, additional_data=b"hostile")
        self.flush_h2()
        self.close_gracefully()

    def rst_mid_body(self, stream):
        self.h2.send_headers(stream, [(":status", "200"), ("content-length", "1000")])
        self.h2.send_data(stream, b"x" * 100)
        self.h2.reset_stream(stream, error_code=ErrorCodes.INTERNAL_ERROR)
        self.flush_h2()

    def max_concurrent_zero(self, stream):
        # Only reached if a request got through the limit of 0: refuse it loudly.
        say("UNEXPECTED-REQUEST")
        self.h2.reset_stream(stream, error_code=ErrorCodes.REFUSED_STREAM)
        self.flush_h2()

    def empty_data_flood(self, stream):
        # Legal but abusive: 50,000 empty DATA frames, then the real body.
        block = self.block([(":status", "200"), ("content-length", "4")])
        flood = [frame(HEADERS, END_HEADERS, stream, block)]
        flood += [frame(DATA, 0, stream)] * 50_000
        flood.append(frame(DATA, END_STREAM, stream, b"done"))
        self.send(b"".join(flood))

    def push_when_disabled(self, stream):
        promised = self.block([(":method", "GET"), (":scheme", "http"), (":authority", "127.0.0.1"), (":path", "/pushed")])
        self.send(frame(PUSH_PROMISE, END_HEADERS, stream, struct.pack(">I", 2) + promised))

    def data_on_closed_stream(self, stream):
        # A complete response, then 60,000 more bytes of DATA on the finished stream: the
        # client must drop them and still give their connection window back.
        block = self.block([(":status", "200"), ("content-length", "5")])
        frames = [frame(HEADERS, END_HEADERS, stream, block), frame(DATA, END_STREAM, stream, b"hello")]
        frames += [frame(DATA, 0, stream, b"e" * 15_000)] * 4
        self.send(b"".join(frames))

    def headers_after_end_stream(self, stream):
        first = self.block([(":status", "200"), ("content-length", "0")])
        again = self.block([(":status", "204")])
        self.send(frame(HEADERS, END_HEADERS | END_STREAM, stream, first) + frame(HEADERS, END_HEADERS | END_STREAM, stream, again))

    def huge_frame(self, stream):
        # 20,000 bytes of DATA in one frame, over the client's SETTINGS_MAX_FRAME_SIZE (16,384).
        block = self.block([(":status", "200"), ("content-length", "20000")])
        self.send(frame(HEADERS, END_HEADERS, stream, block) + frame(DATA, END_STREAM, stream, b"z" * 20_000))

    def window_overrun(self, stream):
        # DATA beyond the stream window the client announced: four more full frames.
        window = self.h2.remote_settings.initial_window_size
        total = window + 4 * 16_384
        block = self.block([(":status", "200"), ("content-length", str(total))])
        frames = [frame(HEADERS, END_HEADERS, stream, block)]
        sent = 0
        while sent < total:
            size = min(16_384, total - sent)
            sent += size
            frames.append(frame(DATA, END_STREAM if sent == total else 0, stream, b"w" * size))
        self.send(b"".join(frames))


SCENARIOS = {
    "continuation-flood": Connection.continuation_flood,
    "zero-length-continuation": Connection.zero_length_continuation,
    "hpack-bomb": Connection.hpack_bomb,
    "ping-flood": Connection.ping_flood,
    "settings-flood": Connection.settings_flood,
    "window-update-overflow": Connection.window_update_overflow,
    "path-in-response": Connection.path_in_response,
    "connection-header": Connection.connection_header,
    "invalid-status": Connection.invalid_status,
    "content-length-mismatch": Connection.content_length_mismatch,
    "trailers-without-end-stream": Connection.trailers_without_end_stream,
    "goaway-mid-body": Connection.goaway_mid_body,
    "rst-mid-body": Connection.rst_mid_body,
    "max-concurrent-zero": Connection.max_concurrent_zero,
    "empty-data-flood": Connection.empty_data_flood,
    "push-when-disabled": Connection.push_when_disabled,
    "data-on-closed-stream": Connection.data_on_closed_stream,
    "headers-after-end-stream": Connection.headers_after_end_stream,
    "huge-frame": Connection.huge_frame,
    "window-overrun": Connection.window_overrun,
}


def serve(sock, scenario):
    try:
        Connection(sock, scenario).run()
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        sock.close()
        say("CLOSED")


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in SCENARIOS:
        sys.stderr.write("usage: h2_hostile_server.py PORT SCENARIO\nscenarios: %s\n" % " ".join(SCENARIOS))
        sys.exit(2)
    port, scenario = int(sys.argv[1]), sys.argv[2]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(16)
    say("READY %d" % listener.getsockname()[1])
    while True:
        sock, _ = listener.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve, args=(sock, scenario), daemon=True).start()


if __name__ == "__main__":
    main()
