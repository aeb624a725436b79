#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a command; report its wall time and the peak memory of its process tree.

usage: measure.py [--interval MS] [--stdin FILE] [--log FILE] [--timeout S]
                  -- COMMAND [ARG...]

Prints one line on standard output when COMMAND has ended:

    seconds S peak_kb P maxrss_kb M rc R

S is the wall time from spawning to its exit. P is the peak, over samples
taken every --interval milliseconds (default 20), of the summed resident
memory (VmRSS) of the command and all its descendants: a fetcher that runs
an MDA per message is charged for both. M is the largest ru_maxrss of any
single process of the tree (RUSAGE_CHILDREN; it includes the moment
between fork and exec, when a child is a copy of this Python process, so
it is no use for small commands). R is the command's exit status. The command's output
goes to --log (default: inherited stderr), its input is --stdin or
/dev/null. The command runs in a session of its own; after --timeout
seconds (default 3600) that process group is killed and R is 124.
"""

import argparse
import os
import resource
import signal
import subprocess
import sys
import time


def children(pid):
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss_kb(root):
    total, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += rss_kb(pid)
        todo += children(pid)
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interval", type=float, default=20)
    parser.add_argument("--stdin")
    parser.add_argument("--log")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not cmd:
        parser.error("no command")

    stdin = open(args.stdin, "rb") if args.stdin else subprocess.DEVNULL
    log = open(args.log, "ab") if args.log else None
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=stdin, stdout=log or sys.stderr,
                            stderr=log or sys.stderr, start_new_session=True)
    peak = 0
    status = None
    timed_out = False
    while status is None:
        peak = max(peak, tree_rss_kb(proc.pid))
        time.sleep(args.interval / 1000)
        pid, status_word, _ = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            status = status_word
        elif not timed_out and time.monotonic() - started > args.timeout:
            timed_out = True
            print(f"measure: {cmd[0]} still running after {args.timeout:.0f} s: killing it",
                  file=sys.stderr)
            os.killpg(proc.pid, signal.SIGKILL)
    seconds = time.monotonic() - started
    proc.returncode = 124 if timed_out else os.waitstatus_to_exitcode(status)
    maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"seconds {seconds:.3f} peak_kb {peak} maxrss_kb {maxrss} "
          f"rc {proc.returncode}", flush=True)


if __name__ == "__main__":
    main()
