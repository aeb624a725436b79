#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A TCP proxy on 127.0.0.1 that adds a fixed one-way delay in each direction.

    delay-proxy.py --to 127.0.0.1:PORT [--delay-ms 10] [--port 0] [--parent-pid PID]

Every chunk read from one side is written to the other side DELAY ms after
it arrived: order is kept and data streams (a chunk does not wait for the
previous one's delay to end), so --delay-ms 10 makes a 20 ms round trip, as
on a real network, without limiting throughput. A half-close (EOF) is
passed on after the delay too. Prints "PORT <n>" on standard output once it
listens. Only the standard library; run it with /usr/bin/python3.

Benchmarks put it between a client and the test mail servers to see what
pipelining buys on a network with latency.
"""

import argparse
import collections
import os
import socket
import sys
import threading
import time


class Direction:
    """Moves bytes from SRC to DST, each chunk DELAY seconds after it arrived."""

    def __init__(self, src, dst, delay, done):
        self.src, self.dst, self.delay, self.done = src, dst, delay, done
        self.queue = collections.deque()
        self.cond = threading.Condition()
        threading.Thread(target=self.read, daemon=True).start()
        threading.Thread(target=self.write, daemon=True).start()

    def read(self):
        while True:
            try:
                data = self.src.recv(262144)
            except OSError:
                data = b""
            with self.cond:
                self.queue.append((time.monotonic() + self.delay, data))
                self.cond.notify()
            if not data:
                return

    def write(self):
        try:
            while True:
                with self.cond:
                    while not self.queue:
                        self.cond.wait()
                    due, data = self.queue.popleft()
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                if not data:
                    self.dst.shutdown(socket.SHUT_WR)
                    return
                self.dst.sendall(data)
        except OSError:
            pass
        finally:
            self.done()


class Connection:
    def __init__(self, client, target, delay):
        self.client = client
        self.lock = threading.Lock()
        self.open_directions = 2
        try:
            self.server = socket.create_connection(target, timeout=30)
        except OSError as e:
            print("delay-proxy: cannot connect to %s:%d: %s" % (target[0], target[1], e),
                  file=sys.stderr)
            client.close()
            return
        self.server.settimeout(None)
        for s in (client, self.server):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        Direction(client, self.server, delay, self.direction_done)
        Direction(self.server, client, delay, self.direction_done)

    def direction_done(self):
        with self.lock:
            self.open_directions -= 1
            last = self.open_directions == 0
        if last:
            for s in (self.client, self.server):
                try:
                    s.close()
                except OSError:
                    pass


def watch_parent(pid):
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:
            pass
        time.sleep(0.2)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--to", required=True, metavar="HOST:PORT", help="where to forward to")
    p.add_argument("--delay-ms", type=float, default=10.0,
                   help="one-way delay added in each direction (default 10: a 20 ms round trip)")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    p.add_argument("--parent-pid", type=int, default=0,
                   help="exit as soon as this process has ended")
    args = p.parse_args(argv)
    host, _, port = args.to.rpartition(":")
    try:
        target = (host or "127.0.0.1", int(port))
    except ValueError:
        p.error("--to wants HOST:PORT")
    if args.delay_ms < 0:
        p.error("--delay-ms must not be negative")

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(64)
    if args.parent_pid:
        threading.Thread(target=watch_parent, args=(args.parent_pid,), daemon=True).start()
    print("PORT %d" % listener.getsockname()[1], flush=True)
    while True:
        client, _ = listener.accept()
        Connection(client, target, args.delay_ms / 1000.0)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except KeyboardInterrupt:
        pass
