#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sealed mail against the gpg command line: sealing and opening, wall time and memory.

usage: crypto-bench.py --cachet BIN --seal-tool BIN --plugin SO --schema-dir DIR
                       [--runs N] [--mem-runs N] [--sizes LIST] [--keys LIST]
                       [--seed SEED] [--interval MS] [--keep]

Run by bench/crypto/run-crypto-bench.sh, which builds the three and says what
is measured.  For each key setup (--keys: "nopass", a sender key without a
passphrase; "pass", one with a passphrase) a throwaway GnuPG home, XDG
directories and the built plugin are set up as the crypto interop tests do
(tests/crypto-interop/interop_env.py, gpg-home.sh).  For each attachment size
(--sizes, e.g. 10K,1M,20M) a message with a text body and one attachment of
deterministic random bytes is

  sealed  by crypto-seal-tool (build, sign + encrypt, PGP/MIME, to the peer and
          to self) and by `gpg --sign --encrypt --armor -r PEER -r ME -u ME` on
          the message crypto-seal-tool built (its --plain output);
  opened  by `cachet show --passphrase-file F` of the message crypto-seal-tool
          sealed and by `gpg --decrypt` of its encrypted part.

Each command runs once untimed (checked: the right verdict, gpg's status), then
--runs times unwatched for the time and --mem-runs times sampled for the memory,
Cachet's and gpg's runs alternating.  Prints one result line per
run on stderr, and the table on stdout."""

import argparse
import email
import email.policy
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
SRCDIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SRCDIR, "tests", "crypto-interop"))
import interop_env  # noqa: E402

ALICE = "alice@example.test"
ALICE_PASSPHRASE = "alice-passphrase"
BOB = "bob@example.test"
# key setup -> (me: the sender, whose secret key stays; the peer, public key only;
# the passphrase of my key)
SETUPS = {
    "nopass": (BOB, ALICE, ""),
    "pass": (ALICE, BOB, ALICE_PASSPHRASE),
}
SETUP_TITLES = {"nopass": "key without passphrase",
                "pass": "key with passphrase (s2k-count 65536)"}
BODY = ("Hello,\n\nthe figures for the quarter are attached, as promised. "
        "Tell me if anything looks off.\n\n" + "A line of plain text in the body. " * 40
        + "\n\nBest,\nthe sender\n")
# Variables that would slow Cachet down or change what it loads (the test suite's).
DROP_ENV = ("G_DEBUG", "MALLOC_CHECK_", "MALLOC_PERTURB_", "G_SLICE", "GSETTINGS_SCHEMA_DIR",
            "GIO_EXTRA_MODULES", "LD_PRELOAD")


def parse_size(text):
    units = {"K": 1000, "M": 1000 ** 2, "G": 1000 ** 3}
    text = text.strip().upper().rstrip("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def size_label(n):
    for unit, div in (("MB", 1000 ** 2), ("KB", 1000)):
        if n >= div and n % div == 0:
            return f"{n // div} {unit}"
    return f"{n} B"


# --- Measuring one process tree ------------------------------------------------------

def children(pid):
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def mem_kb(pid):
    """(Pss, VmHWM) of PID in KB, (0, 0) when it is gone.  Pss, not VmRSS: a child
    between fork and exec shares all its parent's pages, and VmRSS would count
    them twice (GPGME forks gpg from a process holding the whole message)."""
    pss = hwm = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                    break
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return pss, hwm


class Sampler(threading.Thread):
    """Samples the process tree under ROOT every INTERVAL seconds until stopped: the
    largest sum of Pss over the tree, and each process's VmHWM (its own peak, which
    the kernel keeps, so a short peak between two samples is not lost)."""

    def __init__(self, root, interval):
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.stop = threading.Event()
        self.peak_sum = 0
        self.hwm = {}

    def sample(self):
        total, todo, seen = 0, [self.root], set()
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            pss, hwm = mem_kb(pid)
            total += pss
            if hwm:
                self.hwm[pid] = max(self.hwm.get(pid, 0), hwm)
            todo += children(pid)
        self.peak_sum = max(self.peak_sum, total)

    def run(self):
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(self.interval)


def measure(cmd, env, interval=None):
    """Runs CMD; returns (seconds, peak KB, exit status, stderr bytes).  With an
    INTERVAL (seconds) the tree is sampled and the peak is the largest summed Pss seen
    in a sample, or the largest single process's VmHWM if that is more (a process can
    peak between two samples); without one nothing watches the run (reading a big
    process's smaps takes its memory map lock and slows it down) and the peak is 0."""
    err_path = os.path.join(env["HOME"], "measure.err")
    sampler = None
    with open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err, env=env, start_new_session=True)
        if interval:
            sampler = Sampler(proc.pid, interval)
            sampler.start()
        # A blocking wait: Popen.wait(timeout=...) polls with sleeps growing to 50 ms,
        # which would round every time up to its next poll.  A hang is killed.
        watchdog = threading.Timer(interop_env.TIMEOUT, os.killpg, (proc.pid, 9))
        watchdog.start()
        rc = proc.wait()
        seconds = time.perf_counter() - start
        watchdog.cancel()
        if sampler:
            sampler.stop.set()
            sampler.join()
    with open(err_path, "rb") as f:
        stderr = f.read()
    peak = max([sampler.peak_sum] + list(sampler.hwm.values())) if sampler else 0
    return seconds, peak, rc, stderr


# --- One key setup -------------------------------------------------------------------

class Setup:
    def __init__(self, name, args):
        self.name = name
        self.args = args
        self.me, self.peer, self.passphrase = SETUPS[name]
        self.env = interop_env.Env(args.cachet, args.plugin)
        for var in DROP_ENV:
            self.env.env.pop(var, None)
        # the schema with enabled-plugins, from the build (the app is not installed)
        self.env.env["GSETTINGS_SCHEMA_DIR"] = args.schema_dir
        self.env.gpg_home("keys", self.env.gnupghome)
        # The peer's secret key goes: only my key can decrypt and sign, as in a real home.
        self.gpg_quiet("--yes", "--delete-secret-keys", self.fingerprint(self.peer))
        self.dir = os.path.join(self.env.tmp, "work")
        os.makedirs(self.dir)
        self.pfile = os.path.join(self.dir, "passphrase")
        with open(self.pfile, "w", encoding="utf-8") as f:
            f.write(self.passphrase + "\n")

    def gpg_base(self):
        return ["gpg", "--homedir", self.env.gnupghome, "--batch", "--no-tty",
                "--pinentry-mode", "loopback", "--passphrase-file", self.pfile]

    def gpg_quiet(self, *args):
        subprocess.run(["gpg", "--homedir", self.env.gnupghome, "--batch", "--no-tty",
                        "--quiet", *args], check=True, capture_output=True, env=self.env.env,
                       timeout=interop_env.TIMEOUT)

    def fingerprint(self, address):
        out = subprocess.run(["gpg", "--homedir", self.env.gnupghome, "--batch",
                              "--with-colons", "--list-keys", address], check=True,
                             capture_output=True, text=True, env=self.env.env).stdout
        return next(line.split(":")[9] for line in out.splitlines() if line.startswith("fpr:"))

    def path(self, name):
        return os.path.join(self.dir, name)

    def close(self):
        if self.args.keep:
            # the agent goes; the files stay
            subprocess.run(["gpgconf", "--homedir", self.env.gnupghome, "--kill", "all"],
                           capture_output=True)
            print(f"crypto-bench: kept {self.env.tmp} and {self.env.gnupghome}", file=sys.stderr)
            return
        self.env.close()

    # --- the commands

    def cachet_seal(self, attachment, out, plain=None):
        cmd = [self.args.seal_tool, "--from", self.me, "--to", self.peer,
               "--subject", "Quarterly figures", "--body", BODY, "--attach", attachment,
               "--sign", "--encrypt", "--passphrase-file", self.pfile]
        if plain:
            cmd += ["--plain", plain]
        return cmd + [out]

    def gpg_seal(self, plain, out):
        return self.gpg_base() + ["--yes", "--output", out, "--sign", "--encrypt", "--armor",
                                  "-r", self.peer, "-r", self.me, "-u", self.me, plain]

    def cachet_open(self, sealed, status=False):
        cmd = [self.args.cachet, "show", "--passphrase-file", self.pfile, sealed]
        return cmd[:2] + ["--crypto-status"] + cmd[2:] if status else cmd

    def gpg_open(self, encrypted):
        return self.gpg_base() + ["--decrypt", encrypted]


def encrypted_part(path):
    """The application/octet-stream part of a PGP/MIME encrypted message, as bytes."""
    with open(path, "rb") as f:
        top = email.message_from_bytes(f.read(), policy=email.policy.compat32)
    if top.get_content_type() != "multipart/encrypted":
        raise RuntimeError(f"{path}: {top.get_content_type()}, not multipart/encrypted")
    for part in top.get_payload():
        if part.get_content_type() == "application/octet-stream":
            return part.get_payload(decode=False).encode("ascii")
    raise RuntimeError(f"{path}: no application/octet-stream part")


def check(ok, what, detail=b""):
    if not ok:
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise RuntimeError(f"{what}\n{detail[-2000:]}")


def prepare(setup, size, seed):
    """Writes the attachment, the plain and sealed messages and the encrypted part for
    SIZE; runs each command once, untimed, and checks what it did.  Returns the paths."""
    tag = f"{size}"
    attachment = setup.path(f"attachment-{tag}.bin")
    with open(attachment, "wb") as f:
        f.write(random.Random(f"{seed}-{size}").randbytes(size))
    plain, sealed = setup.path(f"plain-{tag}.eml"), setup.path(f"sealed-{tag}.eml")
    env = setup.env.env

    proc = subprocess.run(setup.cachet_seal(attachment, sealed, plain), capture_output=True,
                          env=env, timeout=interop_env.TIMEOUT)
    check(proc.returncode == 0, f"crypto-seal-tool failed ({size_label(size)})", proc.stderr)
    encrypted = setup.path(f"encrypted-{tag}.asc")
    with open(encrypted, "wb") as f:
        f.write(encrypted_part(sealed))

    gpg_sealed = setup.path(f"gpg-sealed-{tag}.asc")
    proc = subprocess.run(setup.gpg_seal(plain, gpg_sealed), capture_output=True, env=env,
                          timeout=interop_env.TIMEOUT)
    check(proc.returncode == 0, "gpg --sign --encrypt failed", proc.stderr)

    # Both sealed messages open with a good signature by me, in gpg.
    for what in (encrypted, gpg_sealed):
        proc = subprocess.run(setup.gpg_base() + ["--status-fd", "2", "--decrypt", what],
                              capture_output=True, env=env, timeout=interop_env.TIMEOUT)
        status = proc.stderr.decode("utf-8", "replace")
        check(proc.returncode == 0 and "DECRYPTION_OKAY" in status and "GOODSIG" in status,
              f"gpg --decrypt {os.path.basename(what)}: not decrypted with a good signature",
              status)
    with open(attachment, "rb") as f:
        want = f.read()
    proc = subprocess.run(setup.gpg_base() + ["--decrypt", encrypted], capture_output=True,
                          env=env, timeout=interop_env.TIMEOUT)
    inner = email.message_from_bytes(proc.stdout, policy=email.policy.compat32)
    got = [p.get_payload(decode=True) for p in inner.walk()
           if p.get_filename() == os.path.basename(attachment)]
    check(got == [want], "the attachment in Cachet's sealed message is not the file")

    # Cachet opens its own sealed message: decrypted, a good signature.
    proc = subprocess.run(setup.cachet_open(sealed, status=True), capture_output=True, env=env,
                          timeout=interop_env.TIMEOUT)
    result = interop_env.parse_status(proc.stdout.decode("utf-8", "replace"))
    sigs = [s for s, _ in result["signatures"]]
    check(proc.returncode == 0 and result["status"].get("decrypted") == "yes"
          and sigs == ["good"],
          "cachet show did not decrypt the message with a good signature",
          proc.stdout[:2000] + proc.stderr)
    report = interop_env.sanitizer_report(proc.stderr)
    check(report is None, f"cachet show: {report}")
    return dict(attachment=attachment, plain=plain, sealed=sealed, encrypted=encrypted,
                plain_size=os.path.getsize(plain), sealed_size=os.path.getsize(sealed))


def bench_size(setup, size, args, results):
    files = prepare(setup, size, args.seed)
    out_cachet = setup.path("out-cachet.eml")
    out_gpg = setup.path("out-gpg.asc")
    commands = {
        ("seal", "cachet"): setup.cachet_seal(files["attachment"], out_cachet),
        ("seal", "gpg"): setup.gpg_seal(files["plain"], out_gpg),
        ("open", "cachet"): setup.cachet_open(files["sealed"]),
        ("open", "gpg"): setup.gpg_open(files["encrypted"]),
    }
    label = size_label(size)
    print(f"crypto-bench: {setup.name}, {label}: message {files['plain_size']} bytes, "
          f"sealed {files['sealed_size']} bytes", file=sys.stderr)
    for op in ("seal", "open"):
        # timed runs first, unwatched; then the memory runs, sampled
        for kind, n in (("time", args.runs), ("memory", args.mem_runs)):
            for i in range(n):
                # alternate who goes first, so drift in the machine's load hits both
                order = ("cachet", "gpg") if i % 2 == 0 else ("gpg", "cachet")
                for tool in order:
                    seconds, peak, rc, stderr = measure(
                        commands[(op, tool)], setup.env.env,
                        args.interval / 1000 if kind == "memory" else None)
                    check(rc == 0, f"{op} by {tool} failed in {kind} run {i + 1} (exit {rc})",
                          stderr)
                    entry = results.setdefault((setup.name, size, op, tool),
                                               {"time": [], "memory": []})
                    entry[kind].append(seconds if kind == "time" else peak)
                    print(f"  {setup.name} {label} {op} {tool} {kind} run {i + 1}: "
                          + (f"{seconds * 1000:.1f} ms" if kind == "time"
                             else f"peak {peak / 1024:.1f} MB"), file=sys.stderr)


# --- The table -----------------------------------------------------------------------

TOOL_NAMES = {
    ("seal", "cachet"): "crypto-seal-tool",
    ("seal", "gpg"): "gpg --sign --encrypt",
    ("open", "cachet"): "cachet show",
    ("open", "gpg"): "gpg --decrypt",
}


def table(results, args, sizes):
    print()
    print(f"Sealed mail benchmark: median and fastest of {args.runs} unwatched runs; peak = largest")
    print(f"summed PSS of the process tree in {args.mem_runs} sampled runs (gpg-agent, shared by")
    print("both, not counted); ratio = Cachet's figure over gpg's (time / memory; >1: Cachet")
    print("slower / bigger)")
    for name in args.keys:
        print()
        print(f"== {SETUP_TITLES[name]}")
        print(f"{'size':>6}  {'op':4}  {'tool':22} {'median ms':>10} {'min ms':>8} "
              f"{'peak MB':>8}  {'Cachet/gpg':>14}")
        for size in sizes:
            for op in ("seal", "open"):
                rows = {}
                for tool in ("cachet", "gpg"):
                    entry = results.get((name, size, op, tool))
                    if entry and entry["time"]:
                        rows[tool] = (statistics.median(entry["time"]), min(entry["time"]),
                                      max(entry["memory"], default=0))
                for tool in ("cachet", "gpg"):
                    if tool not in rows:
                        continue
                    med, low, peak = rows[tool]
                    ratio = ""
                    if tool == "cachet" and "gpg" in rows and rows["gpg"][0] > 0:
                        ratio = f"{med / rows['gpg'][0]:.2f}x / " + (
                            f"{peak / rows['gpg'][2]:.2f}x" if rows["gpg"][2] else "-")
                    print(f"{size_label(size):>6}  {op:4}  {TOOL_NAMES[(op, tool)]:22} "
                          f"{med * 1000:>10.1f} {low * 1000:>8.1f} {peak / 1024:>8.1f}  "
                          f"{ratio:>14}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cachet", required=True)
    parser.add_argument("--seal-tool", required=True)
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--schema-dir", required=True)
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each command")
    parser.add_argument("--mem-runs", type=int, default=2,
                        help="memory runs of each command (sampled, not timed)")
    parser.add_argument("--sizes", default="10K,1M,20M")
    parser.add_argument("--keys", default="nopass,pass")
    parser.add_argument("--seed", default="20250101")
    parser.add_argument("--interval", type=float, default=5,
                        help="milliseconds between memory samples")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    args.keys = [k for k in args.keys.split(",") if k]
    for k in args.keys:
        if k not in SETUPS:
            parser.error(f"unknown key setup {k} (nopass, pass)")
    sizes = [parse_size(s) for s in args.sizes.split(",") if s]
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if shutil.which("gpg") is None:
        parser.error("gpg is not installed")

    results = {}
    for name in args.keys:
        setup = Setup(name, args)
        try:
            for size in sizes:
                bench_size(setup, size, args, results)
        finally:
            setup.close()
    table(results, args, sizes)


if __name__ == "__main__":
    main()
