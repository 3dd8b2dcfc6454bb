#!/usr/bin/env python3
"""The peer of the network fault tests: HTTP/1.1 and cleartext HTTP/2 by prior knowledge
(hyper's h2) on one port, serving bodies at a pace the test chooses and an upload sink that
never reads. It runs inside a network namespace; the test breaks the link around it
(iptables, tc), kills it or stops it.

    fault_peer.py ADDRESS PORT

Listens on ADDRESS:PORT (0 picks a port) and prints "READY <port>". Then, per request:

    GET /body?size=N&first=F&trickle=T&interval=MS
        200 with Content-Length N; F bytes at once, then "SENT <F>" is printed, then T bytes
        every MS milliseconds until N are sent. T=0 stalls after the first F (the
        connection stays open). Without first, all N at once (as fast as the link allows).
    POST /sink
        Prints "SINK" once the head arrives and never reads again on that connection: the
        client's upload fills the socket buffers and stalls.

Every request prints "REQUEST <method> <path>". One thread per connection.
"""

import select
import socket
import sys
import threading
import time
import urllib.parse

import h2.config
import h2.connection
import h2.events
from h2.settings import SettingCodes

_print_lock = threading.Lock()
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def say(line):
    with _print_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class BodyPlan:
    """What one response still owes, and when the next trickle is due."""

    def __init__(self, query):
        arguments = {k: int(v[0]) for k, v in urllib.parse.parse_qs(query).items()}
        self.size = arguments.get("size", 0)
        first = arguments.get("first", self.size)
        self.trickle = arguments.get("trickle", 0)
        self.interval = arguments.get("interval", 20) / 1000.0
        self.allowed = min(first, self.size)  # bytes that may be sent by now
        self.sent = 0
        self.announced = first >= self.size  # "SENT" printed (not for plain full bodies)
        self.next_tick = None

    def due(self, now):
        """Moves the allowance on by the trickles due; returns seconds to the next (or None)."""
        if self.allowed >= self.size or self.trickle == 0 or self.next_tick is None:
            return None
        while now >= self.next_tick and self.allowed < self.size:
            self.allowed = min(self.size, self.allowed + self.trickle)
            self.next_tick += self.interval
        return max(0.0, self.next_tick - now) if self.allowed < self.size else None

    def sent_bytes(self, count, now):
        self.sent += count
        if not self.announced and self.sent >= self.allowed:
            self.announced = True
            self.next_tick = now + self.interval
            say("SENT %d" % self.sent)


def body_bytes(count):
    return b"x" * count


# ---------------------------------------------------------------- HTTP/1.1


def serve_http1(sock, buffered):
    buffer = bytearray(buffered)
    while True:
        while b"\r\n\r\n" not in buffer:
            data = sock.recv(65536)
            if not data:
                return
            buffer += data
        head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
        buffer = bytearray(rest)
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        say("REQUEST %s %s" % (method, target))
        path, _, query = target.partition("?")
        if path == "/sink":
            say("SINK")
            while True:
                time.sleep(3600)
        length = int(fields.get("content-length", "0"))
        while len(buffer) < length:
            data = sock.recv(65536)
            if not data:
                return
            buffer += data
        del buffer[:length]
        plan = BodyPlan(query) if path == "/body" else BodyPlan("size=2")
        sock.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\ncontent-type: application/octet-stream\r\n\r\n" % plan.size)
        while plan.sent < plan.size:
            now = time.monotonic()
            wait = plan.due(now)
            if plan.allowed > plan.sent:
                count = min(plan.allowed - plan.sent, 65536)
                sock.sendall(body_bytes(count))
                plan.sent_bytes(count, time.monotonic())
            elif wait is None:
                while True:  # stalled for good: the test kills us or cuts the link
                    time.sleep(3600)
            else:
                time.sleep(wait)


# ---------------------------------------------------------------- HTTP/2


def serve_http2(sock, buffered):
    config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
    conn = h2.connection.H2Connection(config=config)
    # Windows far beyond any upload: a stalled upload stalls in the socket buffers, not
    # on flow control.
    conn.local_settings.update({SettingCodes.INITIAL_WINDOW_SIZE: 2**31 - 1})
    conn.initiate_connection()
    conn.increment_flow_control_window(2**31 - 1 - 65535)
    sock.sendall(conn.data_to_send())
    plans = {}
    pending = buffered
    while True:
        if pending is None:
            timeout = None
            now = time.monotonic()
            for plan in plans.values():
                wait = plan.due(now)
                if wait is not None:
                    timeout = wait if timeout is None else min(timeout, wait)
            readable, _, _ = select.select([sock], [], [], timeout)
            data = sock.recv(65536) if readable else b""
            if readable and not data:
                return
        else:
            data, pending = pending, None
        for event in conn.receive_data(data) if data else []:
            if isinstance(event, h2.events.RequestReceived):
                headers = dict(event.headers)
                say("REQUEST %s %s" % (headers[":method"], headers[":path"]))
                path, _, query = headers[":path"].partition("?")
                if path == "/sink":
                    say("SINK")
                    sock.sendall(conn.data_to_send())
                    while True:  # never read again
                        time.sleep(3600)
                plan = BodyPlan(query) if path == "/body" else BodyPlan("size=2")
                plans[event.stream_id] = plan
                conn.send_headers(event.stream_id, [(":status", "200"), ("content-length", str(plan.size))], end_stream=plan.size == 0)
            elif isinstance(event, h2.events.DataReceived):
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamReset):
                plans.pop(event.stream_id, None)
        now = time.monotonic()
        for stream_id, plan in list(plans.items()):
            plan.due(now)
            while plan.allowed > plan.sent:
                room = min(conn.local_flow_control_window(stream_id), conn.max_outbound_frame_size, plan.allowed - plan.sent)
                if room <= 0:
                    break
                conn.send_data(stream_id, body_bytes(room), end_stream=plan.sent + room == plan.size)
                sock.sendall(conn.data_to_send())
                plan.sent_bytes(room, time.monotonic())
            if plan.sent == plan.size:
                del plans[stream_id]
        sock.sendall(conn.data_to_send())


def serve(sock):
    try:
        data = b""
        while len(data) < len(PREFACE) and PREFACE.startswith(data):
            chunk = sock.recv(65536)
            if not chunk:
                return
            data += chunk
            if not PREFACE.startswith(data[: len(PREFACE)]):
                break
        if data.startswith(PREFACE):
            serve_http2(sock, data)
        else:
            serve_http1(sock, data)
    except OSError:
        pass
    except Exception as error:  # a bug here must show, not pass for a closed connection
        say("PEER-ERROR %s: %s" % (type(error).__name__, error))
    finally:
        sock.close()


def main():
    address, port = sys.argv[1], int(sys.argv[2])
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((address, port))
    listener.listen(64)
    say("READY %d" % listener.getsockname()[1])
    while True:
        sock, _ = listener.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve, args=(sock,), daemon=True).start()


if __name__ == "__main__":
    main()
