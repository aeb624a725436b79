#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Time Claws Mail receiving a POP3 mailbox, for run-pop3-bench.sh.

usage: claws-receive.py --dir DIR --port PORT --user USER --password PASS
                        --ca-file CA --count N [--timeout S]

Writes a fresh Claws Mail configuration into DIR/config (one POP3 account on
127.0.0.1:PORT with implicit TLS, the certificate checked against CA through
SSL_CERT_FILE and accepted without a question because it is valid, mail
left on the server, no filtering) with an MH mailbox in DIR/Mail, starts
`claws-mail --alternate-config-dir DIR/config` (DISPLAY must be set: run it
under tests/run-headless.sh or another Xvfb), waits for its control socket,
then runs `claws-mail --receive-all` and polls DIR/Mail/inbox until
N messages are there. Then `claws-mail --exit`. Prints one line:

    messages N seconds S peak_kb K start_kb B

S runs from sending --receive-all to the N-th message file being in the
inbox (start-up is not counted), K is the peak resident memory (VmHWM) of
the Claws Mail process over its whole life, B its resident memory just
before the receive (window up, nothing fetched). Exits non-zero if fewer
than N messages arrived within the timeout (default 1800 s).
"""

import argparse
import os
import re
import stat
import subprocess
import sys
import time

NUMERIC = re.compile(r"^[0-9]+$")


def write_config(args, cfg, mail):
    os.makedirs(cfg)
    for sub in ("inbox", "outbox", "queue", "draft", "trash"):
        os.makedirs(os.path.join(mail, sub))
    with open(os.path.join(cfg, "accountrc"), "w") as f:
        f.write(f"""[Account: 1]
account_name=bench
is_default=1
name=Bench Reader
address={args.user}
protocol=0
receive_server=127.0.0.1
smtp_server=127.0.0.1
user_id={args.user}
use_pop_auth=0
remove_mail=0
enable_size_limit=0
receive_at_get_all=1
filter_on_receive=0
inbox=#mh/Mailbox/inbox
ssl_pop=1
set_popport=1
pop_port={args.port}
ssl_certs_auto_accept=1
""")
    # Claws Mail reads a password that is neither "!..." nor "{cipher}..."
    # as plain text (an old configuration); it never asks then.
    with open(os.path.join(cfg, "passwordstorerc"), "w") as f:
        f.write(f"[account:1]\nrecv {args.password}\n")
    with open(os.path.join(cfg, "folderlist.xml"), "w") as f:
        f.write(f"""<?xml version="1.0" encoding="UTF-8"?>
<folderlist>
    <folder type="mh" name="Mailbox" path="{mail}" collapsed="0">
        <folderitem type="inbox" name="inbox" path="inbox"/>
        <folderitem type="outbox" name="outbox" path="outbox"/>
        <folderitem type="queue" name="queue" path="queue"/>
        <folderitem type="draft" name="draft" path="draft"/>
        <folderitem type="trash" name="trash" path="trash"/>
    </folder>
</folderlist>
""")
    with open(os.path.join(cfg, "clawsrc"), "w") as f:
        # no tip of the day, no question at exit, no check at start
        f.write("[Common]\nshow_tip=0\nconfirm_on_exit=0\nwarn_queued_on_exit=0\n"
                "clean_trash_at_exit=0\nask_on_clean=0\ncheck_on_startup=0\n"
                "autochk_newmail=0\n")


def count(inbox):
    try:
        return sum(1 for n in os.listdir(inbox) if NUMERIC.match(n))
    except FileNotFoundError:
        return 0


def status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--ca-file", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        sys.exit("claws-receive: DISPLAY is not set (run under tests/run-headless.sh)")

    top = os.path.abspath(args.dir)
    cfg, mail = os.path.join(top, "config"), os.path.join(top, "Mail")
    inbox = os.path.join(mail, "inbox")
    write_config(args, cfg, mail)
    runtime = os.path.join(top, "run")
    os.mkdir(runtime, 0o700)
    env = dict(os.environ, SSL_CERT_FILE=os.path.abspath(args.ca_file),
               HOME=top, XDG_CACHE_HOME=os.path.join(top, "cache"),
               XDG_RUNTIME_DIR=runtime)
    claws = ["claws-mail", "--alternate-config-dir", cfg]
    log = open(os.path.join(top, "claws-mail.log"), "w")
    proc = subprocess.Popen(claws, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    ok = False
    try:
        # Up once its control socket exists. (Not by asking it with
        # "--status": a second instance started while the first one is still
        # coming up may take its lock and remove its fresh socket.)
        deadline = time.monotonic() + 60
        sockets = os.path.join(runtime, "claws-mail")
        while not (os.path.isdir(sockets) and any(
                stat.S_ISSOCK(os.stat(os.path.join(sockets, n)).st_mode)
                for n in os.listdir(sockets))):
            if proc.poll() is not None:
                sys.exit(f"claws-receive: claws-mail exited ({proc.returncode}), see {log.name}")
            if time.monotonic() > deadline:
                sys.exit("claws-receive: claws-mail did not come up in 60 s")
            time.sleep(0.1)
        time.sleep(1)  # let the window settle; not timed
        start_kb = status_kb(proc.pid, "VmRSS")

        started = time.monotonic()
        subprocess.run(claws + ["--receive-all"], env=env, check=True, timeout=60)
        deadline = started + args.timeout
        n = 0
        while True:
            n = count(inbox)
            if n >= args.count:
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        seconds = time.monotonic() - started
        # the last file may be written before its cache entry: give Claws
        # Mail a moment to finish the session, untimed
        time.sleep(1)
        peak_kb = status_kb(proc.pid, "VmHWM")
        ok = n >= args.count
        print(f"messages {n} seconds {seconds:.3f} peak_kb {peak_kb} start_kb {start_kb}",
              flush=True)
    finally:
        if proc.poll() is None:
            subprocess.run(claws + ["--exit"], env=env, timeout=60,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    if not ok:
        sys.exit(f"claws-receive: only {count(inbox)} of {args.count} messages arrived, "
                 f"see {log.name}")


if __name__ == "__main__":
    main()
