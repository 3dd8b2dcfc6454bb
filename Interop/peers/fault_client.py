#!/usr/bin/env python3
"""The misbehaving client of the server's network fault tests (standard library only:
HTTP/1.1, and cleartext HTTP/2 by prior knowledge in hand-written frames). It runs inside
a network namespace, connects to the server under test, misbehaves in one way, and prints
what it did, one line each, so the test knows when to break the link around it.

    fault_client.py HOST PORT PROTOCOL SCENARIO      (PROTOCOL: http1 or http2)

Scenarios:
    upload      POST /upload declaring 10 MiB, send 48 KiB of it (HTTP/2: within the
                default 64 KiB window, since the server's SETTINGS go unread), print
                "SENT", then wait (the test kills it mid-upload).
    reset       GET /download, read 256 KiB, print "READ", then close with SO_LINGER 0 (a
                reset), print "RESET" and exit.
    drain       GET /download, read 256 KiB, print "READ", then read on at 64 KiB every
                10 ms until the connection fails (the test blackholes the link: the
                server's packets vanish; the pace keeps the download from ending first).
    stall       GET /download, read 256 KiB, print "READ", then never read again (the
                client's receive buffer, then the server's send buffer, fill up).
    half-head   Send part of a request head (HTTP/2: the preface, SETTINGS and half a
                HEADERS frame), print "SENT", then wait (the test blackholes and kills it).
    slowloris   Send a request head one byte every 100 ms (HTTP/2: its 24-byte preface);
                print "CLOSED" when the server ends the connection.

Before each line the client prints nothing else; errors print "ERROR <reason>".
"""

import socket
import struct
import sys
import time

READ_BEFORE_STALL = 256 << 10


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


DATA, HEADERS, SETTINGS, WINDOW_UPDATE = 0, 1, 4, 8
END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def literal(index, value):
    """HPACK: a literal field without indexing, its name from the static table."""
    value = value.encode()
    return bytes([index]) + bytes([len(value)]) + value


def request_block(method, path):
    # Static table: 1 :authority, 2 :method GET, 3 :method POST, 4 :path, 6 :scheme http.
    return bytes([0x82 if method == "GET" else 0x83, 0x86]) + literal(4, path) + literal(1, "fault")


def h2_open(sock):
    """The preface, SETTINGS (the largest stream window), and the largest connection window:
    the client never needs to send WINDOW_UPDATE to keep a download flowing."""
    settings = struct.pack(">HI", 0x4, (1 << 31) - 1)
    window = frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", (1 << 31) - 1 - 65535))
    sock.sendall(PREFACE + frame(SETTINGS, 0, 0, settings) + window)


def read_exactly(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise EOFError("the server closed the connection")
        data += chunk
    return data


def h2_read_data(sock, count):
    """Reads frames until `count` DATA payload bytes have come; ACKs the server's SETTINGS."""
    received = 0
    while received < count:
        header = read_exactly(sock, 9)
        length = int.from_bytes(header[:3], "big")
        kind, flags = header[3], header[4]
        payload = read_exactly(sock, length)
        if kind == SETTINGS and not flags & ACK:
            sock.sendall(frame(SETTINGS, ACK, 0))
        elif kind == DATA:
            received += length
        elif kind == 3 or kind == 7:  # RST_STREAM, GOAWAY
            raise EOFError("the server ended the stream: frame type %d %s" % (kind, payload.hex()))


def h1_read(sock, count):
    received = 0
    while received < count:
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError("the server closed the connection")
        received += len(chunk)


def download(sock, protocol):
    if protocol == "http2":
        h2_open(sock)
        sock.sendall(frame(HEADERS, END_STREAM | END_HEADERS, 1, request_block("GET", "/download")))
        h2_read_data(sock, READ_BEFORE_STALL)
    else:
        sock.sendall(b"GET /download HTTP/1.1\r\nHost: fault\r\n\r\n")
        h1_read(sock, READ_BEFORE_STALL)
    say("READ")


def wait_forever():
    while True:
        time.sleep(3600)


def main():
    host, port, protocol, scenario = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    sock = socket.create_connection((host, port), timeout=60)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        if scenario == "upload":
            if protocol == "http2":
                h2_open(sock)
                sock.sendall(frame(HEADERS, END_HEADERS, 1, request_block("POST", "/upload")))
                sock.sendall(frame(DATA, 0, 1, b"u" * 16384) * 3)
            else:
                sock.sendall(b"POST /upload HTTP/1.1\r\nHost: fault\r\nContent-Length: 10485760\r\n\r\n" + b"u" * 49152)
            say("SENT")
            wait_forever()
        elif scenario == "reset":
            download(sock, protocol)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            say("RESET")
        elif scenario == "drain":
            download(sock, protocol)
            while sock.recv(65536):
                time.sleep(0.01)
            say("CLOSED")
        elif scenario == "stall":
            download(sock, protocol)
            wait_forever()
        elif scenario == "half-head":
            if protocol == "http2":
                h2_open(sock)
                block = frame(HEADERS, END_STREAM | END_HEADERS, 1, request_block("GET", "/never"))
                sock.sendall(block[: len(block) // 2])
            else:
                sock.sendall(b"GET /never HTTP/1.1\r\nHost: fau")
            say("SENT")
            wait_forever()
        elif scenario == "slowloris":
            head = PREFACE if protocol == "http2" else b"GET /slow HTTP/1.1\r\nHost: fault\r\nX-Padding: " + b"p" * 4096 + b"\r\n\r\n"
            sock.settimeout(0.1)
            for byte in head:
                try:
                    sock.sendall(bytes([byte]))
                except OSError:
                    break
                try:
                    if sock.recv(65536) == b"":
                        break
                except socket.timeout:
                    continue
                except OSError:
                    break
            say("CLOSED")
        else:
            say("ERROR unknown scenario %s" % scenario)
    except (OSError, EOFError) as error:
        say("ERROR %s" % error)


if __name__ == "__main__":
    main()
