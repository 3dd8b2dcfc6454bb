#!/usr/bin/env python3
"""An HTTP/2 echo peer on a third-party implementation (hyper's h2), for the client's
full-duplex and stream-API tests and the h2-streams example.

    h2_echo_server.py PORT [CERT KEY]

Listens on 127.0.0.1:PORT (0 picks a free port) and prints "READY <port>" once listening.
Without CERT and KEY it speaks cleartext HTTP/2 by prior knowledge; with them, TLS that
offers only ALPN "h2".

Every request is answered at once with a 200 head (content-type application/octet-stream),
before any of its body has arrived, so a client sees its first bytes come back while it is
still uploading. Each DATA frame's bytes are sent back as they arrive. When the request
ends, trailers end the response: "x-echo-bytes: N" (the bytes echoed) plus every trailer
the request carried.

Flow control is honoured both ways. Echoed bytes wait in a per-stream buffer until the
client's windows (connection and stream) have room; WINDOW_UPDATE sends more. Received
bytes are acknowledged (our windows reopened) only once they have been echoed: a client
that stops reading its response thereby stops its own upload, and our buffer stays within
the window we announced instead of growing without bound.

One thread per connection; every connection's h2 state is touched only by its thread.
"""

import socket
import ssl
import sys
import threading

import h2.config
import h2.connection
import h2.events
import h2.exceptions
from h2.settings import SettingCodes

_print_lock = threading.Lock()


def say(line):
    with _print_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class EchoStream:
    """What one stream still owes the client: bytes to echo, and the trailers at the end."""

    def __init__(self):
        self.pending = bytearray()
        self.echoed = 0
        self.request_ended = False
        self.request_trailers = []


class Connection:
    def __init__(self, sock):
        self.sock = sock
        config = h2.config.H2Configuration(client_side=False, header_encoding=None)
        self.h2 = h2.connection.H2Connection(config=config)
        self.streams = {}

    def run(self):
        # Room for many concurrent echo exchanges on one connection (h2's default is 100).
        self.h2.local_settings.update({SettingCodes.MAX_CONCURRENT_STREAMS: 1000})
        self.h2.initiate_connection()
        self.sock.sendall(self.h2.data_to_send())
        while True:
            data = self.sock.recv(65536)
            if not data:
                return
            try:
                events = self.h2.receive_data(data)
            except h2.exceptions.ProtocolError as error:
                say("H2-ERROR %s" % type(error).__name__)
                self.sock.sendall(self.h2.data_to_send())
                return
            for event in events:
                self.on_event(event)
            self.sock.sendall(self.h2.data_to_send())

    def on_event(self, event):
        if isinstance(event, h2.events.RequestReceived):
            self.streams[event.stream_id] = EchoStream()
            self.h2.send_headers(event.stream_id, [(":status", "200"), ("content-type", "application/octet-stream")])
            if event.stream_ended is not None:
                self.request_ended(event.stream_id)
        elif isinstance(event, h2.events.DataReceived):
            stream = self.streams.get(event.stream_id)
            padding = event.flow_controlled_length - len(event.data)
            if padding:
                self.h2.acknowledge_received_data(padding, event.stream_id)
            if stream is None:
                # Data on a stream we already dropped (reset): give the window back.
                self.h2.acknowledge_received_data(len(event.data), event.stream_id)
                return
            stream.pending += event.data
            self.flush(event.stream_id)
            if event.stream_ended is not None:
                self.request_ended(event.stream_id)
        elif isinstance(event, h2.events.TrailersReceived):
            stream = self.streams.get(event.stream_id)
            if stream is not None:
                stream.request_trailers = list(event.headers)
                if event.stream_ended is not None:
                    self.request_ended(event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            # Already handled through the `stream_ended` of the event that carried END_STREAM.
            pass
        elif isinstance(event, h2.events.WindowUpdated):
            # The connection's window (stream 0) opening can unblock every stream.
            for stream_id in ([event.stream_id] if event.stream_id else list(self.streams)):
                self.flush(stream_id)
        elif isinstance(event, h2.events.StreamReset):
            self.streams.pop(event.stream_id, None)

    def request_ended(self, stream_id):
        self.streams[stream_id].request_ended = True
        self.flush(stream_id)

    def flush(self, stream_id):
        """Echoes what the client's windows allow; ends the stream once all is echoed."""
        stream = self.streams.get(stream_id)
        if stream is None:
            return
        while stream.pending:
            room = min(self.h2.local_flow_control_window(stream_id), self.h2.max_outbound_frame_size, len(stream.pending))
            if room <= 0:
                return
            chunk = bytes(stream.pending[:room])
            del stream.pending[:room]
            self.h2.send_data(stream_id, chunk)
            stream.echoed += room
            self.h2.acknowledge_received_data(room, stream_id)
        if stream.request_ended:
            trailers = [(b"x-echo-bytes", str(stream.echoed).encode())] + stream.request_trailers
            self.h2.send_headers(stream_id, trailers, end_stream=True)
            del self.streams[stream_id]


def serve(sock, tls):
    try:
        if tls is not None:
            sock = tls.wrap_socket(sock, server_side=True)
        Connection(sock).run()
    except (OSError, ssl.SSLError):
        pass  # the client went away (or failed its handshake): nothing to echo to
    finally:
        sock.close()


def main():
    if len(sys.argv) not in (2, 4):
        sys.stderr.write("usage: h2_echo_server.py PORT [CERT KEY]\n")
        sys.exit(2)
    tls = None
    if len(sys.argv) == 4:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(sys.argv[2], sys.argv[3])
        tls.set_alpn_protocols(["h2"])
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", int(sys.argv[1])))
    listener.listen(128)
    say("READY %d" % listener.getsockname()[1])
    while True:
        sock, _ = listener.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve, args=(sock, tls), daemon=True).start()


if __name__ == "__main__":
    main()
