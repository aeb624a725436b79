#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs `cachet show` over every message of a third-party corpus (a directory with a
MANIFEST.tsv: path, bytes, sha256, category, ...).  A message passes when cachet exits 0,
in time, with valid UTF-8 output and no sanitizer, GLib critical or warning report.
Prints TAP.  Usage: corpus-show.py CACHET CORPUS_DIR ('' skips, saying why)."""

import concurrent.futures
import os
import subprocess
import sys

TIMEOUT = 60  # seconds per message; sanitizer builds are slow, a hang is far longer
NOT_MESSAGES = {"licence", "doc", "category"}
BAD_MARKERS = (
    b"ERROR: AddressSanitizer",
    b"ERROR: LeakSanitizer",
    b"runtime error:",
    b"CRITICAL **",
    b"WARNING **",
    b"Segmentation fault",
)


def check(cachet, corpus, rel, env):
    path = os.path.join(corpus, rel)
    try:
        proc = subprocess.run([cachet, "show", path], capture_output=True, timeout=TIMEOUT,
                              env=env)
    except subprocess.TimeoutExpired:
        return f"no answer within {TIMEOUT} s (hang?)"
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        return f"exit status {proc.returncode}: {' | '.join(detail)}"
    for marker in BAD_MARKERS:
        if marker in proc.stderr:
            line = next(l for l in proc.stderr.splitlines() if marker in l)
            return line.decode("utf-8", "replace")
    try:
        proc.stdout.decode("utf-8")
    except UnicodeDecodeError as e:
        return f"output is not UTF-8: {e}"
    if b"\nMIME structure:\n" not in proc.stdout:
        return "output lacks the MIME structure"
    return None


def main():
    if len(sys.argv) != 3:
        print("usage: corpus-show.py CACHET CORPUS_DIR", file=sys.stderr)
        return 2
    cachet, corpus = sys.argv[1], sys.argv[2]
    if not corpus:
        print("1..0 # SKIP no corpus: configure with -Dcorpus=DIR "
              "(a directory with MANIFEST.tsv) to run every corpus message through cachet show")
        return 0
    manifest = os.path.join(corpus, "MANIFEST.tsv")
    if not os.path.isfile(manifest):
        print("1..1")
        print(f"not ok 1 - corpus manifest {manifest} not found")
        return 1

    files = []
    with open(manifest, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        col_path, col_cat = header.index("path"), header.index("category")
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) > col_cat and fields[col_cat] not in NOT_MESSAGES:
                files.append(fields[col_path])

    env = dict(os.environ)
    # Leaks count here (no GTK in `cachet show`); keep the rest of the harness's options.
    asan = env.get("ASAN_OPTIONS", "")
    asan = ":".join(o for o in asan.split(":") if o and not o.startswith("detect_leaks"))
    env["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "detect_leaks=1"

    print(f"1..{len(files)}", flush=True)
    failed = 0
    jobs = max(1, min(4, os.cpu_count() or 1))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        results = pool.map(lambda rel: check(cachet, corpus, rel, env), files)
        for i, (rel, problem) in enumerate(zip(files, results), 1):
            if problem is None:
                print(f"ok {i} - {rel}")
            else:
                failed += 1
                print(f"not ok {i} - {rel}: {problem}")
    print(f"# {len(files) - failed} of {len(files)} corpus files shown cleanly", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
