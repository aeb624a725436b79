#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A scripted POP3 server for behaviour a real server will not show on purpose.

Serves the messages in a directory (a Maildir's new/ and cur/, or the files
of a plain directory, sorted by name) to one user on 127.0.0.1, and
misbehaves as told by the switches below. Prints "PORT <n>" on standard
output once it listens, then nothing more. Every command it receives,
every first reply line and every event goes to --log:

    <session> <plain|tls> C <command line as received>
    <session> <plain|tls> S <first line of the reply>
    <session> <plain|tls> * <event: connect, tls, close, drop, ...>

so a test can check, for example, that no PASS came before STLS or that
DELE came only after the message was stored. Only the standard library;
run it with /usr/bin/python3.

Examples:
    fake-pop3.py --messages DIR --cert C --key K --log L --no-stls
    fake-pop3.py --messages DIR --drop-retr 2:1000
    fake-pop3.py --messages DIR --bad-uidl duplicate,long
"""

import argparse
import base64
import hashlib
import os
import socket
import ssl
import sys
import threading
import time

MAX_LINE = 8192


class Server:
    """State shared by all sessions."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.session_count = 0
        self.maildrop_locked = False
        self.drops_left = {}          # message number -> times left (0: always)
        for spec in args.drop_retr:
            self.drops_left[spec[0]] = spec[2]
        self.log_file = open(args.log, "a", encoding="utf-8", errors="replace") \
            if args.log else None
        self.tls = None
        if args.cert:
            self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls.load_cert_chain(args.cert, args.key)

    def log(self, session, tls, kind, text):
        if not self.log_file:
            return
        with self.lock:
            self.log_file.write("%d %s %s %s\n" % (session, "tls" if tls else "plain",
                                                   kind, text))
            self.log_file.flush()

    def take_drop(self, number):
        """Should this RETR of message NUMBER drop the connection?  Returns the
        --drop-retr key that applies, or None."""
        with self.lock:
            for key in (number, 0):
                if key not in self.drops_left:
                    continue
                left = self.drops_left[key]
                if left == 0:          # always
                    return key
                if left > 0:
                    # -1: used up
                    self.drops_left[key] = left - 1 if left > 1 else -1
                    return key
            return None

    def drop_bytes(self, key):
        for spec in self.args.drop_retr:
            if spec[0] == key:
                return spec[1]
        return 0


class Message:
    def __init__(self, path, name):
        self.path = path
        with open(path, "rb") as f:
            raw = f.read()
        # as transmitted: CRLF line ends (before dot-stuffing)
        self.data = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        if self.data and not self.data.endswith(b"\r\n"):
            self.data += b"\r\n"
        base = name.split(":", 1)[0]
        if len(base) > 70 or any(c < "!" or c > "~" for c in base):
            base = hashlib.sha1(name.encode()).hexdigest()
        self.uid = base
        self.deleted = False


def load_messages(directory):
    paths = []
    subdirs = [os.path.join(directory, d) for d in ("new", "cur")]
    subdirs = [d for d in subdirs if os.path.isdir(d)] or [directory]
    for d in subdirs:
        for name in os.listdir(d):
            path = os.path.join(d, name)
            if os.path.isfile(path) and not name.startswith("."):
                paths.append((name, path))
    paths.sort()
    return [Message(path, name) for name, path in paths]


def stuff(data):
    """Dot-stuffs DATA (CRLF lines) and appends the terminating line."""
    out = data.replace(b"\r\n.", b"\r\n..")
    if out.startswith(b"."):
        out = b"." + out
    return out + b".\r\n"


class Dropped(Exception):
    pass


class Session:
    def __init__(self, server, sock, number):
        self.server = server
        self.args = server.args
        self.sock = sock
        self.number = number
        self.tls = False
        self.buf = b""
        self.user = None
        self.authed = False
        self.has_lock = False
        self.messages = []
        self.timestamp = None

    # --- I/O -------------------------------------------------------------

    def log(self, kind, text):
        self.server.log(self.number, self.tls, kind, text)

    def read_line(self):
        while b"\n" not in self.buf:
            if len(self.buf) > MAX_LINE:
                raise Dropped("line too long")
            try:
                chunk = self.sock.recv(65536)
            except (OSError, ssl.SSLError):
                chunk = b""
            if not chunk:
                raise Dropped("client closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("utf-8", "replace")

    def send_raw(self, data, throttle=False):
        rate = self.args.rate
        if throttle and rate:
            step = max(1, rate // 20)
            for i in range(0, len(data), step):
                self.sock.sendall(data[i:i + step])
                time.sleep(step / rate)
        else:
            self.sock.sendall(data)

    def reply(self, command, status, body=None):
        """Sends a status line (and a multi-line BODY, already CRLF) for COMMAND,
        applying --slow, --truncate and --hang."""
        if command in self.args.hang:
            self.log("*", "hang on " + command)
            while True:
                try:
                    self.read_line()
                except Dropped:
                    raise Dropped("client closed while hung")
        if self.args.slow:
            time.sleep(self.args.slow / 1000.0)
        data = status.encode("utf-8") + b"\r\n"
        if body is not None:
            data += stuff(body)
        self.log("S", status)
        cut = self.args.truncate.get(command)
        if cut is not None:
            n = cut if cut >= 0 else max(1, len(status.encode()) // 2)
            self.send_raw(data[:n])
            self.log("*", "truncated reply to %s after %d bytes" % (command, n))
            raise Dropped("truncated")
        self.send_raw(data, throttle=body is not None)

    def ok(self, command, text="", body=None):
        self.reply(command, "+OK" + (" " + text if text else ""), body)

    def err(self, command, text):
        self.reply(command, "-ERR " + text)

    # --- Session ---------------------------------------------------------

    def greeting(self):
        text = self.args.greeting
        if self.args.apop:
            self.timestamp = "<%d.%d.%d@fake.example.test>" % (os.getpid(), self.number,
                                                              int(time.time()))
            text += " " + self.timestamp
        self.reply("GREETING", "+OK " + text)

    def capa_lines(self):
        lines = ["TOP", "RESP-CODES", "AUTH-RESP-CODE"]
        if not self.args.no_uidl:
            lines.append("UIDL")
        if not self.args.no_pipelining:
            lines.append("PIPELINING")
        if self.server.tls and not self.args.implicit_tls and not self.args.no_stls \
                and not self.tls and not self.authed:
            lines.append("STLS")
        if not self.args.no_user:
            lines.append("USER")
        if self.args.sasl:
            lines.append("SASL " + " ".join(self.args.sasl))
        lines += self.args.capa
        return lines

    def run(self):
        self.log("*", "connect")
        try:
            if self.args.implicit_tls:
                self.start_tls()
            self.greeting()
            while True:
                line = self.read_line()
                self.log("C", line)
                word, _, arg = line.partition(" ")
                command = word.upper()
                if command in self.args.err:
                    self.err(command, self.args.err[command])
                    continue
                if command == "QUIT":
                    self.quit()
                    return
                handler = getattr(self, ("auth_" if not self.authed else "tx_") + command.lower(),
                                  None)
                if command == "CAPA":
                    handler = self.capa
                elif command == "NOOP" and self.authed:
                    handler = lambda c, a: self.ok(c)
                if handler is None or not command.isalpha():
                    self.err(command, "Unknown command.")
                    continue
                handler(command, arg)
        except Dropped as e:
            self.log("*", "close (%s)" % e)
        except (OSError, ssl.SSLError) as e:
            self.log("*", "close (%s)" % e)
        finally:
            self.release()
            try:
                self.sock.close()
            except OSError:
                pass

    def release(self):
        if self.has_lock:
            with self.server.lock:
                self.server.maildrop_locked = False
            self.has_lock = False

    def start_tls(self):
        if self.buf:
            self.log("*", "discarded %d bytes sent before the TLS handshake" % len(self.buf))
            self.buf = b""
        try:
            self.sock = self.server.tls.wrap_socket(self.sock, server_side=True)
        except (OSError, ssl.SSLError) as e:
            raise Dropped("TLS handshake failed: %s" % e)
        self.tls = True
        self.log("*", "tls %s" % self.sock.version())

    def capa(self, command, arg):
        if self.args.no_capa:
            self.err(command, "Unknown command.")
            return
        self.ok(command, "Capability list follows",
                "".join(l + "\r\n" for l in self.capa_lines()).encode())

    def quit(self):
        if self.authed and not self.args.keep:
            for m in self.messages:
                if m.deleted:
                    try:
                        os.unlink(m.path)
                    except FileNotFoundError:
                        pass
        # unlocked before the reply: a client may log in again at once
        self.release()
        self.ok("QUIT", "Logging out.")
        self.log("*", "close (quit)")

    # --- AUTHORIZATION state ---------------------------------------------

    def auth_stls(self, command, arg):
        if self.tls or not self.server.tls or self.args.no_stls or self.args.implicit_tls:
            self.err(command, "STLS not available.")
            return
        if self.args.stls_refuse:
            self.err(command, "[SYS/TEMP] TLS not available at the moment.")
            return
        self.ok(command, "Begin TLS negotiation now.")
        self.start_tls()

    def auth_user(self, command, arg):
        if self.args.no_user:
            self.err(command, "USER not supported, use AUTH.")
            return
        self.user = arg
        self.ok(command)

    def auth_pass(self, command, arg):
        if self.args.no_user or self.user is None:
            self.err(command, "No USER given.")
            return
        self.login(command, self.user, arg == self.args.password)

    def auth_apop(self, command, arg):
        if not self.args.apop:
            self.err(command, "APOP not supported.")
            return
        user, _, digest = arg.rpartition(" ")
        want = hashlib.md5((self.timestamp + self.args.password).encode()).hexdigest()
        self.login(command, user, digest.lower() == want)

    def auth_auth(self, command, arg):
        mech, _, initial = arg.partition(" ")
        mech = mech.upper()
        if not mech:
            self.ok(command, "", "".join(m + "\r\n" for m in self.args.sasl).encode())
            return
        if mech not in self.args.sasl:
            self.err(command, "Unsupported authentication mechanism.")
            return
        if mech == "PLAIN":
            if not initial:
                self.reply(command, "+ ")
                initial = self.read_line()
                self.log("C", initial)
            if initial == "*":
                self.err(command, "Authentication aborted.")
                return
            try:
                _, user, password = base64.b64decode(initial, validate=True).split(b"\0")
                user, password = user.decode(), password.decode()
            except (ValueError, UnicodeDecodeError):
                self.err(command, "Invalid base64 data in continued response.")
                return
            self.login(command, user, password == self.args.password)
        elif mech == "LOGIN":
            self.reply(command, "+ " + base64.b64encode(b"Username:").decode())
            user = self.read_line()
            self.log("C", user)
            self.reply(command, "+ " + base64.b64encode(b"Password:").decode())
            password = self.read_line()
            self.log("C", password)
            try:
                user = base64.b64decode(user).decode()
                password = base64.b64decode(password).decode()
            except (ValueError, UnicodeDecodeError):
                self.err(command, "Invalid base64 data in continued response.")
                return
            self.login(command, user, password == self.args.password)

    def login(self, command, user, password_ok):
        if user != self.args.user or not password_ok:
            self.err(command, "[AUTH] Authentication failed.")
            return
        if self.args.in_use:
            self.err(command, "[IN-USE] Mailbox is locked by another POP3 session.")
            return
        with self.server.lock:
            busy = self.server.maildrop_locked
            if not busy:
                self.server.maildrop_locked = True
        if busy:
            self.err(command, "[IN-USE] Mailbox is locked by another POP3 session.")
            return
        self.has_lock = True
        try:
            self.messages = load_messages(self.args.messages)
        except OSError as e:
            self.err(command, "[SYS/PERM] Cannot open the mailbox: %s" % e)
            self.release()
            return
        self.authed = True
        self.log("*", "login %s, %d messages" % (user, len(self.messages)))
        self.ok(command, "Logged in.")

    # --- TRANSACTION state -----------------------------------------------

    def message(self, command, arg):
        try:
            n = int(arg.split()[0])
        except (ValueError, IndexError):
            self.err(command, "Invalid message number.")
            return None, 0
        if n < 1 or n > len(self.messages) or self.messages[n - 1].deleted:
            self.err(command, "There's no message %d." % n)
            return None, 0
        return self.messages[n - 1], n

    def live(self):
        return [(i + 1, m) for i, m in enumerate(self.messages) if not m.deleted]

    def tx_stat(self, command, arg):
        live = self.live()
        self.ok(command, "%d %d" % (len(live), sum(len(m.data) for _, m in live)))

    def tx_list(self, command, arg):
        if arg:
            m, n = self.message(command, arg)
            if m:
                self.ok(command, "%d %d" % (n, len(m.data)))
            return
        live = self.live()
        self.ok(command, "%d messages:" % len(live),
                "".join("%d %d\r\n" % (n, len(m.data)) for n, m in live).encode())

    def uidl_lines(self):
        lines = [[str(n), m.uid] for n, m in self.live()]
        bad = self.args.bad_uidl
        if lines:
            if "long" in bad:
                lines[0][1] = (lines[0][1] + "-" + "x" * 300)[:300]
            if "badchar" in bad:
                lines[0][1] = lines[0][1][:4] + "\x01\x7f" + lines[0][1][4:]
            if "missing" in bad:
                lines[-1] = lines[-1][:1]
            if "duplicate" in bad and len(lines) > 1:
                lines[1][1] = lines[0][1]
            if "badnum" in bad:
                lines.append(["x", "not-a-number"])
            if "outofrange" in bad:
                lines.append([str(len(self.messages) + 5), "out-of-range"])
            if "empty" in bad:
                lines.insert(len(lines) // 2, [])
        return [" ".join(l) for l in lines]

    def tx_uidl(self, command, arg):
        if self.args.no_uidl:
            self.err(command, "Unknown command.")
            return
        lines = self.uidl_lines()
        if arg:
            m, n = self.message(command, arg)
            if m:
                line = next((l for l in lines if l.split(" ")[0] == str(n)), str(n))
                self.ok(command, line)
            return
        self.ok(command, "", "".join(l + "\r\n" for l in lines).encode())

    def tx_retr(self, command, arg):
        m, n = self.message(command, arg)
        if not m:
            return
        key = self.server.take_drop(n)
        if key is not None:
            data = ("+OK %d octets\r\n" % len(m.data)).encode() + stuff(m.data)
            cut = self.server.drop_bytes(key)
            if self.args.slow:
                time.sleep(self.args.slow / 1000.0)
            self.send_raw(data[:cut], throttle=True)
            self.log("*", "drop during RETR %d after %d bytes" % (n, cut))
            raise Dropped("dropped during RETR")
        self.ok(command, "%d octets" % len(m.data), m.data)

    def tx_top(self, command, arg):
        parts = arg.split()
        m, n = self.message(command, arg)
        if not m:
            return
        try:
            lines = int(parts[1])
        except (ValueError, IndexError):
            self.err(command, "Invalid number of lines.")
            return
        head, sep, body = m.data.partition(b"\r\n\r\n")
        kept = b"".join(l + b"\r\n" for l in body.split(b"\r\n")[:lines]) if lines else b""
        self.ok(command, "", head + b"\r\n\r\n" + kept if sep else m.data)

    def tx_dele(self, command, arg):
        m, n = self.message(command, arg)
        if m:
            m.deleted = True
            self.ok(command, "Marked to be deleted.")

    def tx_rset(self, command, arg):
        for m in self.messages:
            m.deleted = False
        self.ok(command)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--messages", required=True, metavar="DIR",
                   help="messages to serve: a Maildir (new/, cur/) or a directory of files")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    p.add_argument("--log", metavar="FILE", help="log of commands, replies and events")
    p.add_argument("--cert", help="PEM certificate (chain) for TLS; without it no TLS at all")
    p.add_argument("--key", help="its PEM private key")
    p.add_argument("--parent-pid", type=int, default=0,
                   help="exit as soon as this process has ended")
    p.add_argument("--user", default="alice@example.test")
    p.add_argument("--password", default="secret-alice")
    p.add_argument("--greeting", default="Fake POP3 server ready.")
    p.add_argument("--keep", action="store_true",
                   help="never delete files, even after DELE and QUIT")
    g = p.add_argument_group("scenarios")
    g.add_argument("--implicit-tls", action="store_true", help="POP3S: TLS from the first byte")
    g.add_argument("--no-stls", action="store_true", help="no STLS in CAPA, STLS refused")
    g.add_argument("--stls-refuse", action="store_true",
                   help="STLS in CAPA, but the STLS command answers -ERR")
    g.add_argument("--no-capa", action="store_true", help="CAPA answers -ERR (an old server)")
    g.add_argument("--no-uidl", action="store_true", help="no UIDL in CAPA, UIDL answers -ERR")
    g.add_argument("--no-pipelining", action="store_true", help="no PIPELINING in CAPA")
    g.add_argument("--no-user", action="store_true", help="no USER/PASS (SASL or APOP only)")
    g.add_argument("--sasl", default="PLAIN",
                   help="SASL mechanisms offered, comma-separated, of PLAIN and LOGIN; "
                        "empty: none (default PLAIN)")
    g.add_argument("--apop", action="store_true",
                   help="timestamp in the greeting, APOP accepted")
    g.add_argument("--capa", action="append", default=[], metavar="LINE",
                   help="an extra CAPA line (repeatable)")
    g.add_argument("--in-use", action="store_true",
                   help="every correct login gets -ERR [IN-USE] (a second session at the "
                        "same time gets it anyway)")
    g.add_argument("--drop-retr", action="append", default=[], metavar="N:BYTES[:TIMES]",
                   help="on RETR of message N (0: any), send the first BYTES bytes of the "
                        "reply and close the connection; TIMES times over the server's life "
                        "(default 1, 0: always)")
    g.add_argument("--truncate", action="append", default=[], metavar="CMD[:BYTES]",
                   help="send only the first BYTES bytes (default: half the status line, "
                        "no CRLF) of the reply to CMD (or GREETING), then close")
    g.add_argument("--bad-uidl", default="", metavar="KINDS",
                   help="malformed UIDL listing, comma-separated of: missing (last line has "
                        "no UID), duplicate (message 2 gets message 1's UID), long (a 300-"
                        "character UID), badchar (control characters in a UID), badnum "
                        "(a line 'x not-a-number'), outofrange (a number past the last "
                        "message), empty (an empty line)")
    g.add_argument("--err", action="append", default=[], metavar="CMD[:TEXT]",
                   help="answer CMD with -ERR TEXT (repeatable)")
    g.add_argument("--hang", action="append", default=[], metavar="CMD",
                   help="never answer CMD (or GREETING)")
    g.add_argument("--slow", type=int, default=0, metavar="MS",
                   help="wait MS milliseconds before every reply")
    g.add_argument("--rate", type=int, default=0, metavar="BYTES_PER_S",
                   help="send multi-line replies at most this fast")
    args = p.parse_args(argv)

    if bool(args.cert) != bool(args.key):
        p.error("--cert and --key go together")
    if args.implicit_tls and not args.cert:
        p.error("--implicit-tls needs --cert and --key")
    args.sasl = [m.strip().upper() for m in args.sasl.split(",") if m.strip()]
    for m in args.sasl:
        if m not in ("PLAIN", "LOGIN"):
            p.error("unknown SASL mechanism %s" % m)
    drops = []
    for spec in args.drop_retr:
        parts = spec.split(":")
        try:
            n, nbytes = int(parts[0]), int(parts[1])
            times = int(parts[2]) if len(parts) > 2 else 1
        except (ValueError, IndexError):
            p.error("--drop-retr wants N:BYTES[:TIMES], not %s" % spec)
        drops.append((n, nbytes, times))
    args.drop_retr = drops
    truncate = {}
    for spec in args.truncate:
        cmd, _, nbytes = spec.partition(":")
        truncate[cmd.upper()] = int(nbytes) if nbytes else -1
    args.truncate = truncate
    err = {}
    for spec in args.err:
        cmd, _, text = spec.partition(":")
        err[cmd.upper()] = text or "Failed on purpose."
    args.err = err
    args.hang = [c.upper() for c in args.hang]
    args.bad_uidl = [k.strip() for k in args.bad_uidl.split(",") if k.strip()]
    known = {"missing", "duplicate", "long", "badchar", "badnum", "outofrange", "empty"}
    for k in args.bad_uidl:
        if k not in known:
            p.error("unknown --bad-uidl kind %s" % k)
    if not os.path.isdir(args.messages):
        p.error("no directory %s" % args.messages)
    return args


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
    args = parse_args(argv)
    server = Server(args)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(16)
    if args.parent_pid:
        threading.Thread(target=watch_parent, args=(args.parent_pid,), daemon=True).start()
    print("PORT %d" % listener.getsockname()[1], flush=True)
    while True:
        sock, _ = listener.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with server.lock:
            server.session_count += 1
            number = server.session_count
        session = Session(server, sock, number)
        threading.Thread(target=session.run, daemon=True).start()


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except KeyboardInterrupt:
        pass
