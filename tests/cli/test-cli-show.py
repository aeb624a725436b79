#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the headless `cachet` commands that need no store: --version, --help, show.
Usage: test-cli-show.py CACHET DATA_DIR.  Prints TAP."""

import os
import subprocess
import sys
import tempfile

cachet, data = sys.argv[1], sys.argv[2]
results = []


def run(*args, **kw):
    env = dict(os.environ)
    env.pop("DISPLAY", None)  # headless commands must not need a display
    env.pop("WAYLAND_DISPLAY", None)
    return subprocess.run([cachet, *args], capture_output=True, timeout=60, env=env, **kw)


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


p = run("--version")
check("--version prints the version", p.returncode == 0 and p.stdout.startswith(b"cachet "),
      p.stdout + p.stderr)

p = run("--help")
check("--help lists the commands", p.returncode == 0 and b"show FILE.eml" in p.stdout
      and b"import-mbox" in p.stdout and b"search" in p.stdout, p.stdout)

# show: stdout is exactly what the golden files hold before their warnings section; a
# sealed message has one line first saying what came of opening it (here no plugin
# is installed, so it could not be).
SEALED = {"pgp-encrypted.eml", "signed-forwarded.eml"}
golden_dir = os.path.join(data, "golden")
for name in sorted(os.listdir(golden_dir)):
    if name.endswith(".expected"):
        continue
    path = os.path.join(golden_dir, name)
    with open(path + ".expected", encoding="utf-8") as f:
        expected = f.read()
    expected_out, _, expected_warnings = expected.partition("\n════ Warnings ════\n")
    p = run("show", path)
    out = p.stdout.decode("utf-8")
    if name in SEALED:
        verdict, _, out = out.partition("\n")
        ok = verdict.startswith("Crypto: ")
    else:
        ok = not out.startswith("Crypto: ")
    ok = ok and p.returncode == 0 and out == expected_out
    warnings = [l for l in expected_warnings.splitlines() if l]
    for w in warnings:
        ok = ok and ("warning: " + w).encode() in p.stderr
    if not warnings:
        ok = ok and p.stderr == b""
    check(f"show {name} matches its golden file, warnings on stderr", ok,
          p.stderr.decode("utf-8", "replace"))

# --all-headers prints every field first.
p = run("show", "--all-headers", os.path.join(golden_dir, "flowed-quoted.eml"))
check("show --all-headers prints every header",
      p.returncode == 0 and p.stdout.startswith(b"From: Anna <anna@example.org>\nTo: ")
      and b"\nContent-Transfer-Encoding: 8bit\n\n" in p.stdout, p.stdout[:200])

# Exit codes: 1 for an unreadable file, 2 for usage errors; reasons on stderr.
p = run("show", "/nonexistent/message.eml")
check("show of a missing file exits 1 with the reason", p.returncode == 1
      and b"/nonexistent/message.eml" in p.stderr, p.stderr)
p = run("show")
check("show without a file is a usage error", p.returncode == 2 and b"Usage" in p.stderr, p.stderr)
p = run("show", "a.eml", "b.eml")
check("show with two files is a usage error", p.returncode == 2, p.stderr)
p = run("show", "--no-such-option", "a.eml")
check("show with an unknown option is a usage error", p.returncode == 2, p.stderr)

# Whatever the bytes, show exits 0 and prints UTF-8.
with tempfile.TemporaryDirectory() as tmp:
    junk = os.path.join(tmp, "junk.eml")
    with open(junk, "wb") as f:
        f.write(bytes(range(256)) * 64)
    p = run("show", junk)
    try:
        p.stdout.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    check("show of binary junk exits 0 with UTF-8 output", p.returncode == 0 and utf8, p.stderr)
    empty = os.path.join(tmp, "empty.eml")
    open(empty, "wb").close()
    p = run("show", empty)
    check("show of an empty file exits 0 and warns", p.returncode == 0
          and b"warning: The message is empty." in p.stderr, p.stderr)

print(f"1..{len(results)}")
failed = 0
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok:
        failed += 1
        for line in (detail.decode("utf-8", "replace") if isinstance(detail, bytes)
                     else str(detail)).splitlines()[:10]:
            print(f"# {line}")
sys.exit(1 if failed else 0)
