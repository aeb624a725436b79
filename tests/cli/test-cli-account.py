#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks `cachet account add|list|remove`: exit codes, messages, the accounts file, and that
the password reaches the keyring and no file in plain text.
Usage: test-cli-account.py CACHET.  Prints TAP.

The cases that store passwords need the keyring of tests/run-headless.sh and are skipped
outside it (a developer's own keyring is never touched); the others run anywhere, with the
session bus pointed nowhere."""

import os
import secrets
import shutil
import subprocess
import sys
import tempfile

cachet = os.path.abspath(sys.argv[1])
results = []
top = tempfile.mkdtemp(prefix="cachet-cli-account-")
NOWHERE = "unix:path=/nonexistent/cachet-test-bus"


def in_test_session():
    if not os.environ.get("CACHET_HEADLESS_DIR") or not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    if shutil.which("gdbus") is None or shutil.which("secret-tool") is None:
        return False
    p = subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
                        "--object-path", "/org/freedesktop/DBus",
                        "--method", "org.freedesktop.DBus.NameHasOwner",
                        "org.freedesktop.secrets"], capture_output=True, text=True)
    return p.returncode == 0 and "true" in p.stdout


KEYRING = in_test_session()
SKIP_KEYRING = "needs the keyring of tests/run-headless.sh"


class Home:
    """Config and data folders of one scenario."""

    def __init__(self, name):
        self.dir = os.path.join(top, name)
        self.config = os.path.join(self.dir, "config")
        self.data = os.path.join(self.dir, "data")
        os.makedirs(self.config)
        os.makedirs(self.data)
        self.file = os.path.join(self.config, "cachet", "accounts.ini")

    def run(self, *args, stdin=b"", keyring=False, cwd=None):
        env = dict(os.environ)
        env.pop("DISPLAY", None)  # headless commands must not need a display
        env.pop("WAYLAND_DISPLAY", None)
        env["XDG_CONFIG_HOME"] = self.config
        env["XDG_DATA_HOME"] = self.data
        env["XDG_CACHE_HOME"] = os.path.join(self.dir, "cache")
        if not keyring:
            env["DBUS_SESSION_BUS_ADDRESS"] = NOWHERE
        p = subprocess.run([cachet, "account", *args], input=stdin, capture_output=True,
                           timeout=60, env=env, cwd=cwd)
        p.out = p.stdout.decode("utf-8", "replace")
        p.err = p.stderr.decode("utf-8", "replace")
        return p


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail, None))


def skip(name, why):
    results.append((name, True, "", why))


def detail(p):
    return f"exit {p.returncode}\nstdout: {p.out}\nstderr: {p.err}"


BASE = ["--address", "alice@example.test", "--user", "alice@example.test",
        "--pop3", "pop.example.test", "--smtp", "smtp.example.test"]

# --- Usage --------------------------------------------------------------------------------
h = Home("usage")
p = h.run("--help")
check("account --help prints the usage, exit 0",
      p.returncode == 0 and "account add NAME" in p.out and "account remove NAME" in p.out
      and "--password-stdin" in p.out, detail(p))
p = h.run()
check("account without a command: usage on stderr, exit 2",
      p.returncode == 2 and "Usage" in p.err, detail(p))
p = h.run("frobnicate")
check("account with an unknown command: exit 2", p.returncode == 2 and "frobnicate" in p.err,
      detail(p))
p = h.run("list")
check("list without accounts: exit 0", p.returncode == 0 and "No accounts" in p.out, detail(p))
check("list without accounts writes no file", not os.path.exists(h.file))

# --- Bad input: exit 2, the reason on stderr, nothing written --------------------------------
bad = [
    ("no name", [*BASE], "give the account a name"),
    ("no --address", ["Home", "--user", "u", "--pop3", "p", "--smtp", "s"], "--address is missing"),
    ("no --pop3", ["Home", "--address", "a@example.test", "--user", "u", "--smtp", "s"],
     "--pop3 is missing"),
    ("no --smtp", ["Home", "--address", "a@example.test", "--user", "u", "--pop3", "p"],
     "--smtp is missing"),
    ("no --user", ["Home", "--address", "a@example.test", "--pop3", "p", "--smtp", "s"],
     "--user is missing"),
    ("port 0", ["Home", *BASE, "--pop3", "pop.example.test:0"], "not a port number"),
    ("port 65536", ["Home", *BASE, "--smtp", "smtp.example.test:65536"], "not a port number"),
    ("port not a number", ["Home", *BASE, "--pop3", "pop.example.test:pop3s"], "not a port number"),
    ("IPv6 without brackets", ["Home", *BASE, "--pop3", "::1:995"], "brackets"),
    ("unclosed bracket", ["Home", *BASE, "--pop3", "[::1:995"], "“]”"),
    ("bad host", ["Home", *BASE, "--smtp", "smtp example"], "not a host name"),
    ("bad security word", ["Home", *BASE, "--pop3-security", "ssl"], "tls, starttls or plain"),
    ("bad SMTP security word", ["Home", *BASE, "--smtp-security", "none"], "tls, starttls or plain"),
    ("bad auth word", ["Home", *BASE, "--pop3-auth", "kerberos"], "not “kerberos”"),
    ("APOP for SMTP", ["Home", *BASE, "--smtp-auth", "apop"], "cannot log in with the method"),
    ("bad address", ["Home", *BASE, "--address", "alice at example"], "not an email address"),
    ("missing CA file", ["Home", *BASE, "--ca-file", "no-such-ca.pem"], "does not exist"),
    ("two names", ["Home", "Other", *BASE], "unexpected argument"),
    ("unknown option", ["Home", *BASE, "--frobnicate"], "frobnicate"),
]
for name, args, says in bad:
    p = h.run("add", *args)
    check(f"add with {name}: exit 2 and says why", p.returncode == 2 and says in p.err, detail(p))
check("bad input writes no accounts file", not os.path.exists(h.file))

p = h.run("add", "Home", *BASE, "--password=hunter2-on-argv")
check("--password=… is refused, exit 2, and not repeated",
      p.returncode == 2 and "standard input" in p.err and "hunter2" not in p.err
      and "hunter2" not in p.out, detail(p))
for name, data in [("empty standard input", b""), ("an empty first line", b"\nsecond\n")]:
    p = h.run("add", "Home", *BASE, "--password-stdin", stdin=data)
    check(f"--password-stdin with {name}: exit 2", p.returncode == 2
          and "no password" in p.err, detail(p))
p = h.run("add", "Home", *BASE, "--password-stdin", stdin=b"x" * 5000)
check("--password-stdin with a 5000-byte password: exit 2",
      p.returncode == 2 and "longer than" in p.err, detail(p))
p = h.run("add", "Home", *BASE, "--password-stdin", stdin=b"\xff\xfe\n")
check("--password-stdin with bytes that are not UTF-8: exit 2",
      p.returncode == 2 and "UTF-8" in p.err, detail(p))
check("a refused password adds no account", not os.path.exists(h.file))

# --- Without a keyring ----------------------------------------------------------------------
h = Home("no-keyring")
p = h.run("add", "Home", *BASE, "--password-stdin", stdin=b"no-keyring-password\n")
check("add with no keyring reachable: exit 1, says so, adds nothing",
      p.returncode == 1 and "keyring" in p.err and "not added" in p.err
      and "no-keyring-password" not in p.err, detail(p))
p = h.run("list")
check("... and the account is not listed", p.returncode == 0 and "No accounts" in p.out, detail(p))

p = h.run("add", "Home", *BASE, "--pop3-security", "starttls", "--smtp", "[::1]:2525",
          "--smtp-security", "plain", "--display-name", "Alice Example")
check("add without --password-stdin needs no keyring: exit 0",
      p.returncode == 0 and "Added the account “Home” (id home)" in p.out
      and "No password was stored" in p.out, detail(p))
check("plain security prints a warning that mail travels in the clear",
      "warning" in p.err and "in the clear" in p.err and "outgoing" in p.err
      and "incoming" not in p.err, detail(p))
with open(h.file, encoding="utf-8") as f:
    text = f.read()
check("the file holds the account with its settings",
      "[home]" in text and "pop3-security=starttls" in text and "pop3-port=110" in text
      and "smtp-host=::1" in text and "smtp-port=2525" in text and "smtp-security=plain" in text
      and "password" not in text.replace("Passwords are not in this file", ""), text)
mode = os.stat(h.file).st_mode & 0o777
check("the accounts file is private (0600)", mode == 0o600, oct(mode))

p = h.run("list")
check("list shows name, address, servers and security",
      p.returncode == 0 and "Home (home)" in p.out and "alice@example.test" in p.out
      and "Alice Example" in p.out
      and "POP3 pop.example.test:110, STARTTLS, user alice@example.test" in p.out
      and "SMTP [::1]:2525, plain, NOT ENCRYPTED" in p.out, detail(p))

p = h.run("add", "home", *BASE)
check("add of a name that exists (any case): exit 1", p.returncode == 1 and "already" in p.err,
      detail(p))

p = h.run("remove", "Home")
check("remove with no keyring reachable: exit 1, the account stays, --keep-password suggested",
      p.returncode == 1 and "--keep-password" in p.err and "not removed" in p.err, detail(p))
p = h.run("list")
check("... still listed", "Home (home)" in p.out, detail(p))
p = h.run("remove", "HOME", "--keep-password")
check("remove --keep-password needs no keyring: exit 0",
      p.returncode == 0 and "stay in the keyring" in p.out, detail(p))
p = h.run("remove", "Home", "--keep-password")
check("remove of an unknown account: exit 1", p.returncode == 1 and "no account" in p.err,
      detail(p))
p = h.run("remove")
check("remove without a name: exit 2", p.returncode == 2, detail(p))

ca = os.path.join(h.dir, "ca.pem")
with open(ca, "w") as f:
    f.write("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
p = h.run("add", "With CA", *BASE, "--ca-file", "ca.pem", cwd=h.dir)
with open(h.file, encoding="utf-8") as f:
    text = f.read()
check("--ca-file is kept with its full path", p.returncode == 0 and f"ca-file={ca}" in text,
      detail(p) + text)

# --- A broken accounts file -------------------------------------------------------------------
h = Home("broken")
os.makedirs(os.path.dirname(h.file))
broken = "[home]\nname=Home\nthis line is not a setting\n"
with open(h.file, "w") as f:
    f.write(broken)
p = h.run("list")
check("list of a file that cannot be parsed: exit 1 with the line",
      p.returncode == 1 and "line 3" in p.err and ".broken" in p.err, detail(p))
p = h.run("add", "Other", *BASE)
check("add to a file that cannot be parsed: exit 1", p.returncode == 1, detail(p))
with open(h.file) as f:
    check("... and the file is left as it was", f.read() == broken)

h = Home("bad-value")
os.makedirs(os.path.dirname(h.file))
with open(h.file, "w") as f:
    f.write("[bad]\nname=Bad\npop3-port=many\n")
p = h.run("add", "Good", *BASE)
check("add beside an account with a bad value: exit 0, with a warning",
      p.returncode == 0 and "line 3 (pop3-port)" in p.err, detail(p))
p = h.run("list")
check("list then shows the good one and fails with the line of the bad one",
      p.returncode == 1 and "Good (good)" in p.out and "line 3 (pop3-port)" in p.err, detail(p))
with open(h.file) as f:
    check("the bad account stays in the file", "[bad]\nname=Bad\npop3-port=many\n" in f.read())

# --- With the keyring -------------------------------------------------------------------------


def lookup(account_id, protocol, host, user):
    p = subprocess.run(["secret-tool", "lookup", "xdg:schema", "org.cachet.Cachet.Password",
                        "account-id", account_id, "protocol", protocol, "host", host,
                        "user", user], capture_output=True)
    return p.stdout.decode("utf-8") if p.returncode == 0 else None


def files_containing(needle, roots):
    found = []
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in filenames:
                path = os.path.join(dirpath, name)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                try:
                    with open(path, "rb") as f:
                        if needle in f.read():
                            found.append(path)
                except OSError:
                    pass
    return found


keyring_cases = [
    "add --password-stdin stores the password for both servers",
    "no file under HOME, config or data (the keyring's included) holds the password",
    "list never shows the password",
    "--smtp-user with a second line stores that as the SMTP password",
    "remove --keep-password leaves the keyring entries",
    "remove deletes the keyring entries",
]
if not KEYRING:
    for name in keyring_cases:
        skip(name, SKIP_KEYRING)
else:
    h = Home("keyring")
    password = "Pässwort-" + secrets.token_hex(12)
    p = h.run("add", "CLI Test ISP", *BASE, "--pop3", "pop.example.test:995", "--password-stdin",
              stdin=(password + "\n").encode(), keyring=True)
    pop3 = lookup("cli-test-isp", "pop3", "pop.example.test", "alice@example.test")
    smtp = lookup("cli-test-isp", "smtp", "smtp.example.test", "alice@example.test")
    check(keyring_cases[0], p.returncode == 0 and pop3 == password and smtp == password,
          detail(p) + f"\npop3: {pop3 is not None}, smtp: {smtp is not None}")

    home = os.environ.get("HOME", "")
    roots = [r for r in [home, h.config, h.data, os.environ.get("XDG_DATA_HOME"),
                         os.environ.get("XDG_CONFIG_HOME")] if r]
    keyring_files = files_containing(b"GnomeKeyring", [os.environ.get("XDG_DATA_HOME")
                                                      or os.path.join(home, ".local/share")])
    leaks = (files_containing(password.encode(), roots)
             + files_containing(password.split("-")[1].encode(), roots))
    check(keyring_cases[1], keyring_files and not leaks,
          f"keyring files: {keyring_files}\nfiles with the password: {leaks}")

    p = h.run("list", keyring=True)
    check(keyring_cases[2], p.returncode == 0 and "CLI Test ISP (cli-test-isp)" in p.out
          and password not in p.out and password not in p.err, detail(p))

    p = h.run("add", "CLI Test Split", *BASE, "--smtp-user", "alice-smtp", "--password-stdin",
              stdin=b"pop3-secret\nsmtp-secret\n", keyring=True)
    check(keyring_cases[3], p.returncode == 0
          and lookup("cli-test-split", "pop3", "pop.example.test", "alice@example.test") == "pop3-secret"
          and lookup("cli-test-split", "smtp", "smtp.example.test", "alice-smtp") == "smtp-secret",
          detail(p))

    p = h.run("remove", "CLI Test Split", "--keep-password", keyring=True)
    check(keyring_cases[4], p.returncode == 0
          and lookup("cli-test-split", "pop3", "pop.example.test", "alice@example.test") == "pop3-secret",
          detail(p))
    subprocess.run(["secret-tool", "clear", "account-id", "cli-test-split"])

    p = h.run("remove", "cli-test-isp", keyring=True)
    check(keyring_cases[5], p.returncode == 0 and "and its passwords" in p.out
          and lookup("cli-test-isp", "pop3", "pop.example.test", "alice@example.test") is None
          and lookup("cli-test-isp", "smtp", "smtp.example.test", "alice@example.test") is None,
          detail(p))

shutil.rmtree(top, ignore_errors=True)

print(f"1..{len(results)}")
for i, (name, ok, info, why) in enumerate(results, 1):
    if why is not None:
        print(f"ok {i} {name} # SKIP {why}")
        continue
    print(f"{'ok' if ok else 'not ok'} {i} {name}")
    if not ok and info:
        for line in str(info).splitlines():
            print(f"# {line}")
sys.exit(0)
