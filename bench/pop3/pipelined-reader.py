#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A pipelined POP3 reader that stores nothing: the benchmark's upper bound.

usage: pipelined-reader.py PORT USER PASSWORD --ca-file CA [--window N]
                           [--plain] [--host-name NAME]

Connects to 127.0.0.1:PORT over implicit TLS (POP3S; --plain for none),
verifies the server certificate against CA for NAME (default localhost),
logs in with USER/PASS, sends STAT and UIDL, then RETR 1..N with up to
--window (default 64) commands outstanding (RFC 2449 PIPELINING), reads
every reply and throws it away, and ends with QUIT. Prints one line:

    messages N bytes B seconds S

where S runs from before the TCP connection to after the QUIT reply. This is
about as fast as a client can get mail out of the server: what is left is
the server, TLS and one pass over the bytes.

Only the Python standard library is used.
"""

import argparse
import socket
import ssl
import sys
import time

TERMINATOR = b"\r\n.\r\n"


class Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.pos = 0

    def fill(self):
        data = self.sock.recv(1 << 18)
        if not data:
            sys.exit("pipelined-reader: the server closed the connection")
        self.buf += data

    def line(self):
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                out = bytes(self.buf[self.pos:end])
                self.pos = end + 2
                return out
            self.fill()

    def status(self, what):
        # forget what was read (only here, between replies: offsets stay valid)
        if self.pos > (1 << 20):
            del self.buf[:self.pos]
            self.pos = 0
        line = self.line()
        if not line.startswith(b"+OK"):
            sys.exit(f"pipelined-reader: {what}: {line.decode(errors='replace')}")
        return line

    def multiline(self):
        """Skips a multi-line body (after its status line); returns its size."""
        # The body starts right after the status line; an empty body is
        # just ".\r\n", so look from the status line's own CRLF on.
        start = self.pos - 2
        search = start
        while True:
            end = self.buf.find(TERMINATOR, search)
            if end >= 0:
                self.pos = end + len(TERMINATOR)
                return end - start
            search = max(len(self.buf) - len(TERMINATOR) + 1, start)
            self.fill()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("port", type=int)
    parser.add_argument("user")
    parser.add_argument("password")
    parser.add_argument("--ca-file")
    parser.add_argument("--host-name", default="localhost")
    parser.add_argument("--window", type=int, default=64)
    parser.add_argument("--plain", action="store_true")
    args = parser.parse_args()

    started = time.monotonic()
    sock = socket.create_connection(("127.0.0.1", args.port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if not args.plain:
        ctx = ssl.create_default_context(cafile=args.ca_file)
        sock = ctx.wrap_socket(sock, server_hostname=args.host_name)
    r = Reader(sock)
    r.status("greeting")
    sock.sendall(f"USER {args.user}\r\nPASS {args.password}\r\nSTAT\r\nUIDL\r\n".encode())
    r.status("USER")
    r.status("PASS")
    count = int(r.status("STAT").split()[1])
    r.status("UIDL")
    r.multiline()

    sent = done = total = 0
    while done < count:
        if sent < count and sent - done < args.window:
            # top the window up in one write
            n = min(count - sent, args.window - (sent - done))
            sock.sendall("".join(f"RETR {i}\r\n" for i in range(sent + 1, sent + n + 1)).encode())
            sent += n
        r.status(f"RETR {done + 1}")
        total += r.multiline()
        done += 1
    sock.sendall(b"QUIT\r\n")
    r.status("QUIT")
    sock.close()
    print(f"messages {done} bytes {total} seconds {time.monotonic() - started:.3f}")


if __name__ == "__main__":
    main()
