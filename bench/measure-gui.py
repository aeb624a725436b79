#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Time Cachet's window from start to a painted message list.

usage: measure-gui.py [--timeout S] [--screenshot FILE] -- CACHET [ARGS...]

Runs CACHET (under a display: use tests/run-headless.sh) with
CACHET_BENCH_EXIT_AFTER_PAINT=1. With that variable set, Cachet prints
"painted <ms>" on stdout once the message list of the folder it opens has
been drawn with its rows (<ms>: milliseconds since the process started),
then quits. This script reports, one "name value unit" line each:

  gui_painted_reported_ms   the <ms> Cachet printed, median over --runs starts
  gui_painted_best_ms       the fastest of those starts
  gui_painted_worst_ms      the slowest
  gui_painted_wall_ms       from spawning the process to reading that line (median)
  gui_rss_at_paint_mb       VmRSS when the line was read (largest)
  gui_peak_rss_mb           peak resident set size of a whole run (largest)

One warm-up start comes first and is not counted: it activates the session's
accessibility bus (a desktop session has it running already).

If the line does not come within the timeout, the window is still measured
as it is (resident memory, a screenshot with --screenshot) and the paint
time is reported as missing; the exit status is then 1.
"""

import argparse
import os
import select
import signal
import statistics
import subprocess
import sys
import time


def status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def report(name, value, unit):
    print(f"{name:<28} {value:14.3f} {unit}", flush=True)


def run_once(command, timeout, screenshot):
    """One start of the window; returns (painted, peak_kb, rss_kb) with painted = None
    or (reported_ms, wall_ms)."""
    env = dict(os.environ, CACHET_BENCH_EXIT_AFTER_PAINT="1")
    start = time.monotonic()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    painted = None
    buffer = b""
    deadline = start + timeout
    while painted is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        ready, _, _ = select.select([proc.stdout], [], [], remaining)
        if not ready:
            break
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            break                       # exited without the line
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            words = line.decode(errors="replace").split()
            if len(words) >= 2 and words[0] == "painted":
                painted = (float(words[1]), (time.monotonic() - start) * 1000)
                break
            sys.stderr.write(line.decode(errors="replace") + "\n")

    rss_now = status_kb(proc.pid, "VmRSS")
    hwm_now = status_kb(proc.pid, "VmHWM")
    if painted is None and screenshot and proc.poll() is None:
        subprocess.run(["import", "-window", "root", screenshot], check=False)

    end_by = time.monotonic() + (15 if painted else 0)
    while time.monotonic() < end_by:
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    if proc.returncode is None:
        try:
            os.kill(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        _, _, usage = os.wait4(proc.pid, 0)
        peak_kb = usage.ru_maxrss
    except ChildProcessError:
        peak_kb = None
    peak_kb = max(peak_kb or 0, hwm_now or 0, rss_now or 0)
    return painted, peak_kb, rss_now


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=7,
                        help="starts to time after one warm-up start (default 7)")
    parser.add_argument("--screenshot")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()

    # The first start also activates the session's accessibility bus and warms the page
    # cache, which a desktop session has done long before; it is not counted.
    warm, _, _ = run_once(args.command, args.timeout, args.screenshot)
    if warm is None:
        print("gui_painted_ms: not reported (no 'painted' line within "
              f"{args.timeout:.0f} s: does this build honour CACHET_BENCH_EXIT_AFTER_PAINT?)")
        return 1
    reported, wall, peaks, rss = [], [], [], []
    for _ in range(max(1, args.runs)):
        painted, peak_kb, rss_kb = run_once(args.command, args.timeout, None)
        if painted is None:
            print("gui_painted_ms: a start did not report its paint")
            return 1
        reported.append(painted[0])
        wall.append(painted[1])
        peaks.append(peak_kb)
        if rss_kb:
            rss.append(rss_kb)
    report("gui_painted_reported_ms", statistics.median(reported), "ms")
    report("gui_painted_best_ms", min(reported), "ms")
    report("gui_painted_worst_ms", max(reported), "ms")
    report("gui_painted_wall_ms", statistics.median(wall), "ms")
    if rss:
        report("gui_rss_at_paint_mb", max(rss) / 1024, "MB")
    report("gui_peak_rss_mb", max(peaks) / 1024, "MB")
    print(f"# {len(reported)} starts after one warm-up: "
          + " ".join(f"{v:.0f}" for v in reported) + " ms", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
