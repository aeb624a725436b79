# SPDX-License-Identifier: GPL-3.0-or-later
"""What the crypto interop tests share: a throwaway GnuPG home (gpg-home.sh), the
built OpenPGP plugin installed the way a user installs one (copied into the
test's own $XDG_DATA_HOME/cachet/crypto-plugins-1 and enabled by "ID=SHA256" in
the app's settings), and runners for `cachet show` and gpg."""

import hashlib
import os
import re
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GPG_HOME_SH = os.path.join(HERE, "gpg-home.sh")
PLUGIN_ID = "org.cachet.OpenPGP"
SIGNATURE_RE = re.compile(r"Crypto-Signature: (?P<status>\S+) validity=(?P<validity>\S+) "
                          r"summary=(?P<summary>\S+) fingerprint=(?P<fingerprint>\S+) uid=(?P<uid>.*)")
TIMEOUT = 120  # seconds for one command; only a hang comes near it

BAD_MARKERS = (
    b"ERROR: AddressSanitizer",
    b"ERROR: LeakSanitizer",
    b"runtime error:",
    b"CRITICAL **",
    b"WARNING **",
)


class Env:
    """A temporary directory with a GnuPG home, XDG directories and the plugin."""

    def __init__(self, cachet, plugin):
        self.cachet = cachet
        self.plugin = plugin
        self.tmp = tempfile.mkdtemp(prefix="cachet-crypto-")
        os.chmod(self.tmp, 0o755)
        self.gnupghome = subprocess.run([GPG_HOME_SH, "new"], check=True, capture_output=True,
                                        text=True).stdout.strip()
        self.env = dict(os.environ)
        for name, sub in (("HOME", "home"), ("XDG_DATA_HOME", "data"),
                          ("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
                          ("XDG_CACHE_HOME", "cache")):
            path = os.path.join(self.tmp, sub)
            os.makedirs(path, mode=0o755, exist_ok=True)
            self.env[name] = path
        self.env["GNUPGHOME"] = self.gnupghome
        self.env["GSETTINGS_BACKEND"] = "keyfile"
        self.env.pop("GPG_AGENT_INFO", None)
        self._install_plugin()

    def _install_plugin(self):
        """Copies the plugin into the user plugin directory (0755 folders, 0644 file) and
        enables it in the settings the app reads."""
        path = self.env["XDG_DATA_HOME"]
        for part in ("cachet", "crypto-plugins-1"):
            path = os.path.join(path, part)
            os.makedirs(path, mode=0o755, exist_ok=True)
            os.chmod(path, 0o755)
        dest = os.path.join(path, os.path.basename(self.plugin))
        shutil.copyfile(self.plugin, dest)
        os.chmod(dest, 0o644)
        with open(dest, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        settings = os.path.join(self.env["XDG_CONFIG_HOME"], "glib-2.0", "settings")
        os.makedirs(settings, mode=0o755, exist_ok=True)
        with open(os.path.join(settings, "keyfile"), "w", encoding="utf-8") as f:
            f.write("[org/cachet/Cachet]\n")
            f.write(f"enabled-plugins=['{PLUGIN_ID}={digest}']\n")

    def gpg_home(self, *args):
        subprocess.run([GPG_HOME_SH, *args], check=True, capture_output=True, env=self.env,
                       timeout=TIMEOUT)

    def gpg(self, args, data=b"", passphrase=None):
        """Runs gpg on this home; returns (exit status, output, status lines)."""
        cmd = ["gpg", "--homedir", self.gnupghome, "--batch", "--no-tty", "--status-fd", "2",
               "--pinentry-mode", "loopback", "--passphrase", passphrase or ""]
        proc = subprocess.run(cmd + list(args), input=data, capture_output=True, env=self.env,
                              timeout=TIMEOUT)
        status = [line[9:] for line in proc.stderr.decode("utf-8", "replace").splitlines()
                  if line.startswith("[GNUPG:] ")]
        return proc.returncode, proc.stdout, status

    def show(self, path, passphrase=None):
        """`cachet show --crypto-status PATH`; returns (exit status, stdout, stderr)."""
        cmd = [self.cachet, "show", "--crypto-status", path]
        if passphrase is not None:
            pfile = os.path.join(self.tmp, "passphrase")
            with open(pfile, "w", encoding="utf-8") as f:
                f.write(passphrase + "\n")
            cmd.append("--passphrase-file=" + pfile)
        proc = subprocess.run(cmd, capture_output=True, env=self.env, timeout=TIMEOUT)
        return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr

    def close(self):
        subprocess.run([GPG_HOME_SH, "kill", self.gnupghome], capture_output=True)
        if os.environ.get("CACHET_TEST_KEEP") != "1":
            shutil.rmtree(self.tmp, ignore_errors=True)


def parse_status(out):
    """The "Crypto..." lines of `cachet show --crypto-status` as a dict: verdict, status
    (key -> yes/no), signatures (list of (status, fields dict)), problem."""
    result = {"verdict": None, "status": {}, "signatures": [], "problem": None}
    for line in out.splitlines():
        if line.startswith("Crypto: "):
            result["verdict"] = line[len("Crypto: "):]
        elif line.startswith("Crypto-Status: "):
            for item in line[len("Crypto-Status: "):].split():
                key, _, value = item.partition("=")
                result["status"][key] = value
        elif line.startswith("Crypto-Signature: "):
            m = SIGNATURE_RE.match(line)
            if m:
                result["signatures"].append((m["status"], m.groupdict()))
        elif line.startswith("Crypto-Problem: "):
            result["problem"] = line[len("Crypto-Problem: "):]
        elif line.startswith("Date: ") or line.startswith("From: "):
            break
    return result


def sanitizer_report(stderr):
    """The first line of a sanitizer or GLib report in STDERR, or None."""
    for marker in BAD_MARKERS:
        if marker in stderr:
            line = next(l for l in stderr.splitlines() if marker in l)
            return line.decode("utf-8", "replace")
    return None


class Tap:
    """A small TAP writer: the plan comes first, so every check is counted up front."""

    def __init__(self, total):
        self.n = 0
        self.failed = 0
        print(f"1..{total}", flush=True)

    def ok(self, good, name, why=""):
        self.n += 1
        if good:
            print(f"ok {self.n} - {name}", flush=True)
        else:
            self.failed += 1
            print(f"not ok {self.n} - {name}", flush=True)
            for line in str(why).splitlines() or [""]:
                print(f"# {line}", flush=True)

    def todo(self, good, name, reason, why=""):
        """A known gap: reported, never a failure (TAP TODO)."""
        self.n += 1
        print(f"{'ok' if good else 'not ok'} {self.n} - {name} # TODO {reason}", flush=True)
        if not good:
            for line in str(why).splitlines() or [""]:
                print(f"# {line}", flush=True)

    def skip(self, name, why):
        self.n += 1
        print(f"ok {self.n} - {name} # SKIP {why}", flush=True)
