#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs every message of a third-party corpus that its MANIFEST.tsv files under the
category dsn-bounce through `cachet bounce`.  Each must be recognised as a bounce; at least
MIN_SHARE of them must name the failed recipient.  Prints TAP, with the measured share.
Usage: corpus-bounce.py CACHET CORPUS_DIR ('' skips, saying why)."""

import os
import subprocess
import sys

MIN_SHARE = 0.90
BATCH = 64
TIMEOUT = 600  # seconds per batch; sanitizer builds are slow

# The manifest's categories are guesses from a header scan.  These files are filed as
# dsn-bounce but are not bounces; they must *not* be recognised as one.
NOT_BOUNCES = {
    "flanker/long-links.eml":
        "a Thunderbird draft from postmaster@example.com about a long link",
}


def run(cachet, corpus, paths, env):
    """Returns {path: fields} for one batch, fields as printed by `cachet bounce`."""
    proc = subprocess.run([cachet, "bounce"] + paths, cwd=corpus, capture_output=True,
                          timeout=TIMEOUT, env=env)
    out = {}
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        fields = line.split("\t")
        out[fields[0]] = fields[1:]
    bad = [l for l in proc.stderr.decode("utf-8", "replace").splitlines()
           if "runtime error" in l or "Sanitizer" in l or "CRITICAL" in l or "WARNING" in l]
    return out, bad


def main():
    if len(sys.argv) != 3:
        print("usage: corpus-bounce.py CACHET CORPUS_DIR", file=sys.stderr)
        return 2
    cachet, corpus = os.path.abspath(sys.argv[1]), sys.argv[2]
    if not corpus:
        print("1..0 # SKIP no corpus: configure with -Dcorpus=DIR "
              "(a directory with MANIFEST.tsv) to run its bounces through cachet bounce")
        return 0
    manifest = os.path.join(corpus, "MANIFEST.tsv")
    if not os.path.isfile(manifest):
        print("1..1")
        print(f"not ok 1 - corpus manifest {manifest} not found")
        return 1

    paths = []
    with open(manifest, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        col_path, col_cat = header.index("path"), header.index("category")
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) > col_cat and fields[col_cat] == "dsn-bounce":
                paths.append(fields[col_path])

    results = {}
    problems = []
    for i in range(0, len(paths), BATCH):
        out, bad = run(cachet, corpus, paths[i:i + BATCH], dict(os.environ))
        results.update(out)
        problems.extend(bad)

    print(f"1..{len(paths) + 2}", flush=True)
    n = 0
    failed = 0
    bounces = 0
    named = 0
    for path in paths:
        n += 1
        fields = results.get(path)
        verdict = fields[0] if fields else "no output"
        if path in NOT_BOUNCES:
            ok = verdict == "not-bounce"
            print(f"{'ok' if ok else 'not ok'} {n} - {path} is not a bounce "
                  f"({NOT_BOUNCES[path]}; filed as dsn-bounce by mistake)")
            failed += not ok
            continue
        if verdict != "bounce":
            print(f"not ok {n} - {path} recognised as a bounce (got: {verdict})")
            failed += 1
            continue
        bounces += 1
        recipients = fields[3]
        if recipients != "-":
            named += 1
        print(f"ok {n} - {path} recognised as a bounce; recipient: {recipients}")

    expected = len(paths) - len(NOT_BOUNCES)
    share = named / expected if expected else 0.0
    n += 1
    print(f"# recognised {bounces}/{expected} bounces; failed recipient named for "
          f"{named}/{expected} = {share:.1%} (at least {MIN_SHARE:.0%} required)")
    ok = share >= MIN_SHARE
    print(f"{'ok' if ok else 'not ok'} {n} - failed recipient named for {share:.1%} "
          f"of the bounces ({named}/{expected})")
    failed += not ok

    n += 1
    if problems:
        print(f"not ok {n} - no sanitizer or GLib warning: {problems[0]}")
        failed += 1
    else:
        print(f"ok {n} - no sanitizer or GLib warning")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
