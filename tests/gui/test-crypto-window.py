#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sealed mail in the real cachet binary, driven through AT-SPI.

usage: test-crypto-window.py CACHET-BINARY OPENPGP-PLUGIN

In a temporary GNUPGHOME (my key has a passphrase; Ann's key, from another
keyring, is certified by mine; a stranger's is not there at all), gpg itself
makes PGP/MIME messages: one signed by Ann, the same changed after signing,
one signed by the stranger, and one encrypted to me and signed by Ann.  They
are put in the Inbox of a new store; the OpenPGP plugin is copied into the
user's plugin folder and turned on by "ID=SHA256" in the enabled-plugins
setting, as the Preferences window would; then cachet starts and a person
reads the mail, finding the widgets by their accessible names:
- the status bar above each message says good, bad, unknown key;
- the encrypted one asks for my passphrase: a wrong one, the dialog says so
  and asks again, the right one opens it ("Decrypted", its text shown), and
  a reply to it starts with Encrypt on; Cancel leaves it unopened with the
  reason in the bar, and Reply then opens it first (asking again), quoting
  the decrypted text with Encrypt on, never the ciphertext;
- the composer: Encrypt to Ann says "Encrypted end to end"; adding Bob, who
  has no key, names him; sent to Ann alone, the message in the Outbox is
  sealed and opens with my own key (encrypted to self);
- a draft written with Encrypt and Sign on and closed is in Drafts, and no
  file of the store holds its text; continued from the list (the viewer
  could not open it), it is opened first and has Encrypt and Sign on.
Screenshots go to $CACHET_SCREENSHOT_DIR.

Needs an X display and a D-Bus session (tests/run-headless.sh provides both)
and gpg; without them it prints a TAP skip.  Output is TAP on the original
stdout.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

import atspi_harness
from atspi_harness import (Cachet, Failure, Table, Test, click, enabled, find, find_text,
                           private_dirs, screenshot, sha256, showing, tap, text_of, wait_for)

MY_PASSPHRASE = "my secret words"


def need_tools():
    if shutil.which("gpg") is None or shutil.which("gsettings") is None:
        return "gpg or gsettings is not installed"
    return None


pyatspi = atspi_harness.setup(whole_timeout=280, timeout=30.0, check=need_tools)


# gpg and the messages ---------------------------------------------------------------------

def make_home():
    # Short: gpg-agent's socket lives in it.
    home = tempfile.mkdtemp(prefix="cgw", dir="/tmp")
    with open(os.path.join(home, "gpg-agent.conf"), "w") as f:
        f.write("allow-loopback-pinentry\ns2k-count 65536\n"
                "default-cache-ttl 0\nmax-cache-ttl 0\n")
    return home


def gpg(home, *args, data=b""):
    result = subprocess.run(["gpg", "--homedir", home, "--batch", "--no-tty"] + list(args),
                            input=data, capture_output=True,
                            env=dict(os.environ, GNUPGHOME=home), timeout=60)
    if result.returncode != 0:
        raise Failure("gpg %s failed: %s" % (" ".join(args), result.stderr.decode(errors="replace")))
    return result.stdout


def make_key(home, uid, passphrase=""):
    gpg(home, "--pinentry-mode", "loopback", "--passphrase", passphrase,
        "--quick-gen-key", uid, "future-default", "default", "never")


def fingerprint(home, pattern):
    for line in gpg(home, "--with-colons", "--list-keys", pattern).decode().splitlines():
        if line.startswith("fpr:"):
            return line.split(":")[9]
    raise Failure("no key for %s" % pattern)


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def headers(sender, subject, n):
    return crlf("From: %s\nTo: Me <me@home.example>\nSubject: %s\n"
                "Date: Wed, 04 Mar 2026 10:%02d:00 +0100\nMessage-ID: <crypto-%d@example.org>\n"
                "MIME-Version: 1.0\n" % (sender, subject, n, n))


def text_part(body):
    return crlf("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 7bit\n\n"
                + body)


def signed_message(home, signer, sender, subject, body, n):
    """RFC 3156 multipart/signed: the part, as sent, is what gpg signs."""
    part = text_part(body)
    signature = gpg(home, "--armor", "--detach-sign", "--digest-algo", "SHA256",
                    "--local-user", signer, data=part)
    return (headers(sender, subject, n)
            + b'Content-Type: multipart/signed; micalg=pgp-sha256;\r\n'
              b' protocol="application/pgp-signature"; boundary="=-sig-="\r\n\r\n'
            + b"--=-sig-=\r\n" + part + b"\r\n--=-sig-=\r\n"
            + b'Content-Type: application/pgp-signature; name="signature.asc"\r\n\r\n'
            + signature.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            + b"\r\n--=-sig-=--\r\n")


def encrypted_message(home, signer, recipient, sender, subject, body, n):
    """RFC 3156 multipart/encrypted, signed inside (gpg --encrypt --sign)."""
    cipher = gpg(home, "--armor", "--encrypt", "--sign", "--trust-model", "always",
                 "--local-user", signer, "--recipient", recipient, data=text_part(body))
    return (headers(sender, subject, n)
            + b'Content-Type: multipart/encrypted;\r\n'
              b' protocol="application/pgp-encrypted"; boundary="=-enc-="\r\n\r\n'
            + b"--=-enc-=\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n"
            + b'--=-enc-=\r\nContent-Type: application/octet-stream; name="encrypted.asc"\r\n\r\n'
            + cipher.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            + b"\r\n--=-enc-=--\r\n")


def write_inbox(data_dir, messages):
    inbox = os.path.join(data_dir, "mail", "Inbox")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(inbox, sub), exist_ok=True)
    for i, data in enumerate(messages):
        name = "%d.%d_%d.cachet-test,S=%d:2,S" % (int(time.time()), os.getpid(), i, len(data))
        with open(os.path.join(inbox, "cur", name), "wb") as f:
            f.write(data)


ACCOUNTS = """\
[home]
name=Home
address=me@home.example
display-name=Me
pop3-host=127.0.0.1
pop3-user=me
smtp-host=127.0.0.1
smtp-port=9
smtp-security=starttls
smtp-user=me
smtp-auth=none
check-interval=0
"""


PLAN = [
    "/ui/crypto-window/opens",
    "/ui/crypto-window/good-signature",
    "/ui/crypto-window/bad-signature",
    "/ui/crypto-window/unknown-key",
    "/ui/crypto-window/passphrase-wrong-then-right",
    "/ui/crypto-window/passphrase-cancel",
    "/ui/crypto-window/reply-from-list",
    "/ui/crypto-window/composer-keys",
    "/ui/crypto-window/outbox-sealed",
    "/ui/crypto-window/draft-sealed",
]


def main():
    binary, plugin = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="cachet-crypto-")
    home = make_home()
    other = make_home()
    env = atspi_harness.app_env()
    private_dirs(env, work, make=True)
    data_dir = os.path.join(work, "store")
    env["CACHET_DATA_DIR"] = data_dir
    env["GSETTINGS_BACKEND"] = "keyfile"
    env["GNUPGHOME"] = home
    env["G_MESSAGES_DEBUG"] = "cachet-message-view cachet-composer"
    tap.write("1..%d\n" % len(PLAN))

    cachet = None
    t = Test()
    log_path = os.path.join(work, "cachet.log")
    try:
        # Keys: mine with a passphrase; Ann's and the stranger's in another keyring.
        make_key(home, "Me <me@home.example>", MY_PASSPHRASE)
        make_key(other, "Ann <ann@example.org>")
        make_key(other, "Stranger <stranger@example.com>")
        me = fingerprint(home, "me@home.example")
        ann = fingerprint(other, "ann@example.org")
        gpg(home, "--import", data=gpg(other, "--armor", "--export", ann))
        gpg(other, "--import", data=gpg(home, "--armor", "--export", me))
        gpg(home, "--yes", "--pinentry-mode", "loopback", "--passphrase", MY_PASSPHRASE,
            "--default-key", me, "--quick-lsign-key", ann)

        good = signed_message(other, ann, "Ann <ann@example.org>", "Signed minutes",
                              "The minutes of the meeting are attached to my heart.\n", 1)
        tampered = signed_message(other, ann, "Ann <ann@example.org>", "Payment",
                                  "Please pay 100 EUR to account 1234.\n", 2)
        assert b"100 EUR" in tampered
        tampered = tampered.replace(b"100 EUR", b"900 EUR")
        stranger = signed_message(other, "stranger@example.com",
                                  "Stranger <stranger@example.com>", "From a stranger",
                                  "You do not know me.\n", 3)
        secret = encrypted_message(other, ann, "me@home.example", "Ann <ann@example.org>",
                                   "Secret plans", "Meet me at the old mill at noon.\n", 4)
        assert b"old mill" not in secret
        write_inbox(data_dir, [good, tampered, stranger, secret])
        os.makedirs(os.path.join(env["XDG_CONFIG_HOME"], "cachet"))
        with open(os.path.join(env["XDG_CONFIG_HOME"], "cachet", "accounts.ini"), "w") as f:
            f.write(ACCOUNTS)

        # The plugin in the user's folder, turned on by id and hash.
        plugin_dir = os.path.join(env["XDG_DATA_HOME"], "cachet", "crypto-plugins-1")
        os.makedirs(plugin_dir)
        for d in (os.path.join(env["XDG_DATA_HOME"], "cachet"), plugin_dir):
            os.chmod(d, 0o755)
        installed = os.path.join(plugin_dir, "cachet-openpgp.so")
        shutil.copyfile(plugin, installed)
        os.chmod(installed, 0o644)
        digest = sha256(installed)
        subprocess.run(["gsettings", "set", "org.cachet.Cachet", "enabled-plugins",
                        "['org.cachet.OpenPGP=%s']" % digest], env=env, check=True)

        cachet = Cachet([binary], env, log_path, tail=800)
        steps = Steps(cachet)
        steps.data_dir = data_dir
        for name, func in zip(PLAN, (steps.opens, steps.good, steps.bad, steps.unknown,
                                     steps.passphrase, steps.cancel, steps.reply_from_list,
                                     steps.composer, steps.outbox, steps.draft)):
            try:
                t.check(name, func)
            except Exception:
                if name == PLAN[0]:
                    break
    except Exception:
        for line in traceback.format_exc().splitlines():
            tap.write("# %s\n" % line)
    finally:
        if cachet is not None:
            cachet.stop()
        for h in (home, other):
            subprocess.run(["gpgconf", "--homedir", h, "--kill", "all"],
                           env=dict(os.environ, GNUPGHOME=h))
            shutil.rmtree(h, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    t.finish(PLAN)


class Steps:
    def __init__(self, cachet):
        self.cachet = cachet
        self.app = None
        self.frame = None
        self.messages = None

    def main_frame(self):
        for w in self.app:
            if w.getRoleName() == "frame" and find(w, "table", "Messages") is not None:
                return w
        return None

    def status(self):
        """The title of the status bar above the message, or None while there is none."""
        bar = find(self.frame, None, "Security status", only_showing=True)
        if bar is None:
            return None
        return bar.description or None

    def settled_status(self):
        title = self.status()
        if title is None or title.startswith("Opening") or title.startswith("Waiting"):
            return None
        return title

    def show(self, subject):
        # (a list: row 0 is a row)
        row = wait_for("the message %r in the list" % subject,
                       lambda: [r for r in [self.messages.find_row(subject)] if r is not None])
        self.messages.select_row(row[0])
        wait_for("%r in the header" % subject, lambda: find(self.frame, "label", subject))

    def body(self):
        return text_of(find(self.frame, "text", "Message body"))

    def opens(self):
        self.app = self.cachet.wait()
        self.frame = wait_for("the main window", self.main_frame)
        self.messages = Table(find(self.frame, "table", "Messages"))
        wait_for("the Inbox", lambda: self.messages.find_row("Secret plans") is not None)

    def dump(self):
        """The showing part of the window's accessible tree, for the log."""
        def walk(acc, depth):
            try:
                if not showing(acc) or depth > 30:
                    return
                tap.write("# %s%s %r %r\n" % ("  " * depth, acc.getRoleName(), acc.name,
                                              acc.description))
                for child in acc:
                    walk(child, depth + 1)
            except Exception:
                pass
        walk(self.frame, 0)

    def verdict(self, what):
        try:
            return wait_for(what, self.settled_status)
        except Failure:
            self.dump()
            raise

    def check_verdict(self, subject, expected, screenshot_name):
        self.show(subject)
        title = self.verdict("the verdict of %r" % subject)
        tap.write("# %s: %s\n" % (subject, title))
        assert expected in title, title
        details = find(self.frame, "toggle button", "Details", only_showing=True)
        assert details is not None, "no Details button"
        click(details)
        wait_for("the details", lambda: find(self.frame, "label", None, True) is not None)
        screenshot(screenshot_name, self.frame)
        return title

    def good(self):
        self.check_verdict("Signed minutes", "Signature good", "crypto-window-good.png")
        assert "attached to my heart" in self.body()

    def bad(self):
        self.check_verdict("Payment", "Bad signature", "crypto-window-bad.png")

    def unknown(self):
        self.check_verdict("From a stranger", "key you do not have",
                           "crypto-window-unknown-key.png")

    def dialog(self):
        for w in self.app:
            if w.getRoleName() == "dialog" and w.name == "Passphrase Needed" and showing(w):
                return w
        return None

    def answer(self, d, text):
        entry = wait_for("the passphrase entry", lambda: find(d, "password text", "Passphrase"))
        entry.queryEditableText().setTextContents(text)
        ok = find(d, "push button", "OK")
        wait_for("OK to be enabled", lambda: enabled(ok))
        click(ok)

    def passphrase(self):
        self.show("Secret plans")
        d = wait_for("the passphrase dialog", self.dialog)
        assert find_text(d, "Wrong passphrase, try again.") is None
        screenshot("crypto-window-passphrase.png", d)
        self.answer(d, "not my passphrase")
        d = wait_for("the dialog to ask again",
                     lambda: self.dialog() if self.dialog() is not None
                     and find_text(self.dialog(), "Wrong passphrase, try again.") else None)
        screenshot("crypto-window-passphrase-again.png", d)
        self.answer(d, MY_PASSPHRASE)
        title = self.verdict("the verdict")
        tap.write("# Secret plans: %s\n" % title)
        assert "Decrypted" in title, title
        wait_for("the decrypted text", lambda: "old mill" in self.body())
        screenshot("crypto-window-decrypted.png", self.frame)
        # A reply to it starts encrypted.
        click(find(self.frame, "push button", "Reply"))
        c = wait_for("the reply", lambda: [w for w in self.app if w.getRoleName() == "frame"
                                           and w.name.startswith("Re: Secret plans")][0])
        encrypt = wait_for("Encrypt", lambda: find(c, "toggle button", "Encrypt"))
        assert encrypt.getState().contains(pyatspi.STATE_CHECKED), "the reply is not encrypted"
        wait_for("the quote", lambda: "old mill" in text_of(find(c, "text", "Message text")))
        screenshot("crypto-window-reply.png", c)
        click(find(c, "push button", "Close"))
        wait_for("the reply to close", lambda: not [w for w in self.app
                                                    if w.getRoleName() == "frame"
                                                    and w.name.startswith("Re: Secret")])

    def cancel(self):
        self.show("Signed minutes")
        self.verdict("the verdict")
        self.show("Secret plans")
        d = wait_for("the passphrase dialog", self.dialog)
        click(find(d, "push button", "Cancel"))
        title = self.verdict("the verdict")
        tap.write("# Secret plans, cancelled: %s\n" % title)
        assert "Could not decrypt" in title, title
        assert "old mill" not in self.body()
        screenshot("crypto-window-cancelled.png", self.frame)

    def reply_from_list(self):
        # "Secret plans" is still shown unopened: Reply opens it first, asking again.
        assert "old mill" not in self.body()
        click(find(self.frame, "push button", "Reply"))
        d = wait_for("the passphrase dialog", self.dialog)
        self.answer(d, MY_PASSPHRASE)
        c = wait_for("the reply", lambda: [w for w in self.app if w.getRoleName() == "frame"
                                           and w.name.startswith("Re: Secret plans")][0])
        encrypt = wait_for("Encrypt", lambda: find(c, "toggle button", "Encrypt"))
        wait_for("the quote", lambda: "old mill" in text_of(find(c, "text", "Message text")))
        text = text_of(find(c, "text", "Message text"))
        assert "BEGIN PGP" not in text, text
        assert encrypt.getState().contains(pyatspi.STATE_CHECKED), "the reply is not encrypted"
        screenshot("crypto-window-reply-from-list.png", c)
        click(find(c, "push button", "Close"))
        wait_for("the reply to close", lambda: not [w for w in self.app
                                                    if w.getRoleName() == "frame"
                                                    and w.name.startswith("Re: Secret")])

    def draft(self):
        new = find(self.frame, "push button", "New message")
        click(new)
        c = wait_for("the composer",
                     lambda: [w for w in self.app if w.getRoleName() == "frame"
                              and find(w, "push button", "Send") is not None][0])
        to = wait_for("To", lambda: find(c, "text", "To"))
        to.queryEditableText().setTextContents("Ann <ann@example.org>")
        encrypt = find(c, "toggle button", "Encrypt")
        if not encrypt.getState().contains(pyatspi.STATE_CHECKED):
            click(encrypt)
        wait_for("Encrypt to be on", lambda: encrypt.getState().contains(pyatspi.STATE_CHECKED))
        sign = find(c, "toggle button", "Sign")
        click(sign)
        wait_for("Sign to be on", lambda: sign.getState().contains(pyatspi.STATE_CHECKED))
        find(c, "text", "Subject").queryEditableText().setTextContents("Draft plans")
        body = find(c, "text", "Message text")
        body.queryEditableText().insertText(0, "The granary key is blue.\n",
                                            len("The granary key is blue.\n"))
        click(find(c, "push button", "Close"))
        wait_for("the composer to save and close",
                 lambda: not [w for w in self.app if w.getRoleName() == "frame"
                              and find(w, "push button", "Send") is not None])
        folders = Table(find(self.frame, "tree table", "Folders"))
        row = wait_for("Drafts", lambda: [r for r in [folders.find_row("Drafts")]
                                          if r is not None])
        folders.select_row(row[0])
        wait_for("the draft in Drafts", lambda: self.messages.find_row("Draft plans") is not None)
        found = []
        for top, dirs, files in os.walk(self.data_dir):
            for name in files:
                with open(os.path.join(top, name), "rb") as f:
                    if b"granary key" in f.read():
                        found.append(os.path.join(top, name))
        assert not found, "the draft's text is on disk in the clear: %s" % found

        # Continued from the list while the viewer could not open it (the passphrase
        # was not given there): opened first, asking again, with Encrypt and Sign on.
        self.messages.select_row(self.messages.find_row("Draft plans"))
        d = wait_for("the viewer's passphrase dialog", self.dialog)
        click(find(d, "push button", "Cancel"))
        wait_for("the dialog to close", lambda: self.dialog() is None)
        self.messages.acc.queryComponent().grabFocus()
        wait_for("the list to have the focus",
                 lambda: self.messages.acc.getState().contains(pyatspi.STATE_FOCUSED))
        pyatspi.Registry.generateKeyboardEvent(0xff0d, None, pyatspi.KEY_SYM)   # Return
        d = wait_for("the passphrase dialog", self.dialog)
        self.answer(d, MY_PASSPHRASE)
        c = wait_for("the draft continued",
                     lambda: [w for w in self.app if w.getRoleName() == "frame"
                              and w.name.startswith("Draft plans")][0])
        wait_for("its text", lambda: "granary key" in text_of(find(c, "text", "Message text")))
        encrypt = find(c, "toggle button", "Encrypt")
        sign = find(c, "toggle button", "Sign")
        assert encrypt.getState().contains(pyatspi.STATE_CHECKED), "Encrypt is off"
        assert sign.getState().contains(pyatspi.STATE_CHECKED), "Sign is off"
        screenshot("crypto-window-draft-continued.png", c)

    def composer(self):
        new = find(self.frame, "push button", "New message")
        click(new)
        c = wait_for("the composer",
                     lambda: [w for w in self.app if w.getRoleName() == "frame"
                              and find(w, "push button", "Send") is not None][0])
        to = wait_for("To", lambda: find(c, "text", "To"))
        to.queryEditableText().setTextContents("Ann <ann@example.org>")
        encrypt = find(c, "toggle button", "Encrypt")
        click(encrypt)
        wait_for("Encrypt to be on", lambda: encrypt.getState().contains(pyatspi.STATE_CHECKED))
        privacy = find(c, "panel", "Privacy")

        def line():
            labels = [x for x in privacy if x.getRoleName() == "label"]
            return text_of(labels[0]) if labels else None

        wait_for("end to end", lambda: line() == "Encrypted end to end")
        screenshot("crypto-window-composer-end-to-end.png", c)
        to.queryEditableText().setTextContents("Ann <ann@example.org>, bob@example.net")
        wait_for("Bob named", lambda: line() == "Cannot be encrypted: no key for bob@example.net")
        screenshot("crypto-window-composer-missing-key.png", c)

        # Without Bob it is sent, sealed: the Outbox holds what only Ann and I can read.
        to.queryEditableText().setTextContents("Ann <ann@example.org>")
        wait_for("end to end again", lambda: line() == "Encrypted end to end")
        find(c, "text", "Subject").queryEditableText().setTextContents("Encrypted reply")
        body = find(c, "text", "Message text")
        body.queryEditableText().insertText(0, "The mill is fine.\n", len("The mill is fine.\n"))
        click(find(c, "push button", "Send"))
        wait_for("the composer to close",
                 lambda: not [w for w in self.app if w.getRoleName() == "frame"
                              and find(w, "push button", "Send") is not None])

    def outbox(self):
        folders = Table(find(self.frame, "tree table", "Folders"))
        row = wait_for("the Outbox", lambda: [r for r in [folders.find_row("Outbox")]
                                              if r is not None])
        folders.select_row(row[0])
        self.show("Encrypted reply")
        # Encrypted to me as well: my key opens it, after my passphrase.
        d = wait_for("the passphrase dialog", self.dialog)
        self.answer(d, MY_PASSPHRASE)
        title = self.verdict("the verdict")
        tap.write("# Encrypted reply in the Outbox: %s\n" % title)
        assert "Decrypted" in title, title
        wait_for("the text", lambda: "The mill is fine." in self.body())
        screenshot("crypto-window-outbox-decrypted.png", self.frame)


main()
