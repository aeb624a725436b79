#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks bench/delay-proxy.py: every round trip through it takes at least
twice the one-way delay, bytes arrive complete and in order, data streams
(pipelined requests are not delayed one after the other), a half-close is
passed on, and it ends with its parent.  Prints TAP."""

import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROXY = os.path.join(HERE, "..", "..", "bench", "delay-proxy.py")
results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def note(text):
    print("# " + text, flush=True)


def echo_server():
    """An echo server on 127.0.0.1 that closes after the client's EOF."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def serve(conn):
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(data)
        conn.close()

    def accept():
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1]


def start_proxy(target_port, delay_ms, parent=None):
    p = subprocess.Popen(["/usr/bin/python3", PROXY, "--to", "127.0.0.1:%d" % target_port,
                          "--delay-ms", str(delay_ms),
                          "--parent-pid", str(parent or os.getpid())],
                         stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    line = p.stdout.readline().decode()
    return p, int(line.split()[1])


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exactly(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def round_trips(port, n):
    s = connect(port)
    times = []
    for i in range(n):
        msg = b"ping %04d\n" % i
        t0 = time.monotonic()
        s.sendall(msg)
        got = recv_exactly(s, len(msg))
        times.append(time.monotonic() - t0)
        if got != msg:
            times.append(-1)
    s.close()
    return times


def main():
    echo = echo_server()
    delay_ms = 25
    proxy, port = start_proxy(echo, delay_ms)
    try:
        direct = round_trips(echo, 20)
        via = round_trips(port, 20)
        note("round trip: direct median %.3f ms, through the proxy (%d ms each way) "
             "median %.1f ms, min %.1f ms" % (statistics.median(direct) * 1000, delay_ms,
                                                statistics.median(via) * 1000, min(via) * 1000))
        check("every round trip through the proxy takes at least 2 x the delay",
              min(via) >= 2 * delay_ms / 1000.0, via)

        # 2 MB of random bytes in chunks, written while the echo is read
        data = random.Random(1).randbytes(2 * 1024 * 1024)
        s = connect(port)
        got = bytearray()

        def reader():
            while len(got) < len(data):
                chunk = s.recv(65536)
                if not chunk:
                    break
                got.extend(chunk)

        t = threading.Thread(target=reader)
        t.start()
        for i in range(0, len(data), 10000):
            s.sendall(data[i:i + 10000])
        t.join(60)
        check("2 MB pass through complete and in order", bytes(got) == data,
              "%d of %d bytes" % (len(got), len(data)))

        # streaming: 200 requests sent at once come back after about one round
        # trip, not 200 (if the proxy delayed each chunk after the previous one,
        # this would take at least 10 s; the bound leaves a wide margin)
        msgs = b"".join(b"req %03d\n" % i for i in range(200))
        t0 = time.monotonic()
        for i in range(200):
            s.sendall(b"req %03d\n" % i)
        back = recv_exactly(s, len(msgs))
        took = time.monotonic() - t0
        note("200 pipelined requests answered in %.1f ms" % (took * 1000))
        check("pipelined requests stream: not delayed one after the other",
              back == msgs and took < 5.0, took)

        # half-close: the EOF reaches the server (after the delay), which closes
        s.shutdown(socket.SHUT_WR)
        t0 = time.monotonic()
        rest = s.recv(100)
        took = time.monotonic() - t0
        check("a half-close is passed on (after the delay) and the close comes back",
              rest == b"" and took >= 2 * delay_ms / 1000.0, (rest, took))
        s.close()

        # several connections at once
        socks = [connect(port) for _ in range(5)]
        for i, c in enumerate(socks):
            c.sendall(b"conn %d\n" % i)
        ok = all(recv_exactly(c, len(b"conn %d\n" % i)) == b"conn %d\n" % i
                 for i, c in enumerate(socks))
        for c in socks:
            c.close()
        check("several connections at once", ok)

        # zero delay works too
        p0, port0 = start_proxy(echo, 0)
        check("--delay-ms 0 forwards", min(round_trips(port0, 3)) >= 0)
        p0.terminate()
        p0.wait()
        p0.stdout.close()

        # a target that refuses: the client's connection is closed
        dead = socket.socket()
        dead.bind(("127.0.0.1", 0))
        dead_port = dead.getsockname()[1]
        dead.close()
        p1, port1 = start_proxy(dead_port, 5)
        c = connect(port1)
        try:
            closed = c.recv(10) == b""
        except ConnectionResetError:
            closed = True
        c.close()
        check("target refusing: the client's connection is closed", closed)
        p1.terminate()
        p1.wait()
        p1.stdout.close()
    finally:
        proxy.terminate()
        proxy.wait()
        proxy.stdout.close()

    parent = subprocess.Popen(["/bin/sleep", "0.3"])
    p2, _ = start_proxy(echo, 5, parent=parent.pid)
    parent.wait()
    try:
        p2.wait(timeout=20)
        ended = True
    except subprocess.TimeoutExpired:
        p2.kill()
        p2.wait()
        ended = False
    p2.stdout.close()
    check("--parent-pid: ends when that process has ended", ended)


try:
    main()
except Exception:
    import traceback
    check("the checks ran through", False, traceback.format_exc())
print("1..%d" % len(results))
for i, (name, ok, detail) in enumerate(results, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
    if not ok and detail:
        for line in str(detail).splitlines()[:15]:
            print("#   " + line)
