#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Interop both ways with the gpg command line.

Cachet to gpg: messages composed with CachetDraft and sealed by Cachet (signed,
encrypted, both; with an attachment) are taken apart here and checked by gpg itself:
the signature over the exact CRLF bytes of the signed part with `gpg --verify`, the
encrypted part with `gpg --decrypt`, the attachment byte for byte.

gpg to Cachet: PGP/MIME and inline messages made with gpg (--encrypt, --sign,
--detach-sign, --clearsign) and MIME written by hand open in `cachet show` with the
expected verdicts; a tampered copy shows a bad signature.  Prints TAP.

Usage: test-interop-gpg.py CACHET SEAL_TOOL PLUGIN   (PLUGIN '' skips, saying why)"""

import email
import email.policy
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop_env  # noqa: E402

ALICE = "alice@example.test"
ALICE_PASSPHRASE = "alice-passphrase"
BOB = "bob@example.test"
CAROL = "carol@example.test"      # has no key anywhere
MICALG = {"2": "pgp-sha1", "8": "pgp-sha256", "9": "pgp-sha384", "10": "pgp-sha512",
          "11": "pgp-sha224"}
N_TESTS = 40


class Interop:
    def __init__(self, env, seal_tool, tap):
        self.env = env
        self.seal_tool = seal_tool
        self.tap = tap
        self.dir = os.path.join(env.tmp, "work")
        os.makedirs(self.dir)
        self.attachment = os.path.join(self.dir, "report.bin")
        with open(self.attachment, "wb") as f:
            f.write(bytes(range(256)) * 40 + b"\x00end\r\nof\rfile\n")
        self.pfile = os.path.join(self.dir, "alice-passphrase")
        with open(self.pfile, "w", encoding="utf-8") as f:
            f.write(ALICE_PASSPHRASE + "\n")

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        with open(self.path(name), "wb") as f:
            f.write(data)
        return self.path(name)

    # --- Cachet seals ----------------------------------------------------------------

    def seal(self, name, *flags, to=(BOB,)):
        cmd = [self.seal_tool, "--from", ALICE, "--subject", "Interop " + name,
               "--body", f"Secret plans for {name}.\nLine two: K\u00e4se.\n",
               "--attach", self.attachment, "--passphrase-file", self.pfile,
               "--plain", self.path(name + ".plain")]
        for address in to:
            cmd += ["--to", address]
        cmd += list(flags) + [self.path(name + ".eml")]
        proc = subprocess.run(cmd, capture_output=True, env=self.env.env,
                              timeout=interop_env.TIMEOUT)
        return proc.returncode, proc.stderr.decode("utf-8", "replace"), self.path(name + ".eml")

    def check_attachment(self, entity_bytes, name):
        """The attachment inside ENTITY_BYTES is the file, byte for byte."""
        entity = email.message_from_bytes(entity_bytes, policy=email.policy.compat32)
        with open(self.attachment, "rb") as f:
            want = f.read()
        for part in entity.walk():
            if part.get_filename() == "report.bin":
                got = part.get_payload(decode=True)
                self.tap.ok(got == want, f"{name}: the attachment is byte-identical",
                            f"{len(got or b'')} bytes, want {len(want)}")
                return
        self.tap.ok(False, f"{name}: the attachment is byte-identical", "no report.bin part")

    def cachet_to_gpg_signed(self):
        status, err, path = self.seal("signed", "--sign")
        self.tap.ok(status == 0, "signed: Cachet seals", err)
        if status != 0:
            return self.tap_skip(7, "signed", "not sealed")
        with open(path, "rb") as f:
            raw = f.read()
        top = email.message_from_bytes(raw, policy=email.policy.compat32)
        ok = (top.get_content_type() == "multipart/signed"
              and top.get_param("protocol") == "application/pgp-signature")
        self.tap.ok(ok, "signed: multipart/signed with protocol application/pgp-signature",
                    top.get("Content-Type"))
        signed, signature = split_signed(raw, top.get_boundary())
        crlf = to_crlf(signed)
        sig_part = email.message_from_bytes(signature, policy=email.policy.compat32)
        sig_file = self.write("signed.asc", sig_part.get_payload(decode=True) or b"")
        data_file = self.write("signed.part", crlf)
        _, _, st = self.env.gpg(["--verify", sig_file, data_file])
        good = any(s.startswith("GOODSIG") for s in st)
        validsig = [s for s in st if s.startswith("VALIDSIG")]
        self.tap.ok(good and validsig and self.is_alice(validsig[0].split()[1]),
                    "signed: gpg --verify over the CRLF bytes of the first part: good, by alice",
                    st)
        hash_algo = validsig[0].split()[8] if validsig else "?"
        self.tap.ok(top.get_param("micalg") == MICALG.get(hash_algo),
                    "signed: micalg names gpg's hash algorithm",
                    f"micalg={top.get_param('micalg')}, gpg hash algo {hash_algo}")
        self.check_attachment(signed, "signed")
        # The same bytes with one letter of the text changed: gpg says bad, so does Cachet.
        tampered = tamper(raw, signed)
        tampered_data = self.write("signed-tampered.part",
                                   to_crlf(split_signed(tampered, top.get_boundary())[0]))
        _, _, st = self.env.gpg(["--verify", sig_file, tampered_data])
        self.tap.ok(any(s.startswith("BADSIG") for s in st), "signed: gpg says a tampered copy is bad",
                    st)
        self.expect_show(self.write("signed-tampered.eml", tampered), "signed, tampered in Cachet",
                         decrypted="-", signature="bad")
        self.expect_show(path, "signed, in Cachet", decrypted="-", signature="good",
                         snippet="Secret plans for signed.")

    def cachet_to_gpg_encrypted(self, name, flags):
        status, err, path = self.seal(name, *flags)
        self.tap.ok(status == 0, f"{name}: Cachet seals", err)
        if status != 0:
            return self.tap_skip(7, name, "not sealed")
        with open(path, "rb") as f:
            raw = f.read()
        top = email.message_from_bytes(raw, policy=email.policy.compat32)
        parts = top.get_payload() if top.is_multipart() else []
        ok = (top.get_content_type() == "multipart/encrypted"
              and top.get_param("protocol") == "application/pgp-encrypted"
              and len(parts) == 2
              and parts[0].get_content_type() == "application/pgp-encrypted"
              and b"Version: 1" in (parts[0].get_payload(decode=True) or b"")
              and parts[1].get_content_type() == "application/octet-stream")
        self.tap.ok(ok, f"{name}: RFC 3156 multipart/encrypted structure", top.get("Content-Type"))
        if len(parts) != 2:
            return self.tap_skip(6, name, "no encrypted part")
        armored = parts[1].get_payload(decode=True) or b""
        self.tap.ok(b"Secret plans" not in raw and armored.startswith(b"-----BEGIN PGP MESSAGE"),
                    f"{name}: nothing in the clear, an armored PGP message")
        # Encrypted to bob and to the sender herself (the Sent copy stays readable).
        _, packets, _ = self.env.gpg(["--list-packets"], armored, passphrase=ALICE_PASSPHRASE)
        keyids = set(re.findall(rb"pubkey enc packet: .*keyid ([0-9A-F]{16})", packets))
        want = {self.subkey_id(BOB), self.subkey_id(ALICE)}
        self.tap.ok(want <= keyids, f"{name}: encrypted to bob and to the sender",
                    f"key ids {keyids}, want {want}")
        status, plain, st = self.env.gpg(["--decrypt"], armored, passphrase=ALICE_PASSPHRASE)
        self.tap.ok(status == 0 and "DECRYPTION_OKAY" in " ".join(st),
                    f"{name}: gpg --decrypt opens it", st)
        entity = email.message_from_bytes(plain, policy=email.policy.compat32)
        if "--sign" in flags:
            # Either one combined signature or a multipart/signed inside.
            combined = [s for s in st if s.startswith("VALIDSIG")]
            if combined:
                good = any(s.startswith("GOODSIG") for s in st) and self.is_alice(
                    combined[0].split()[1])
                why = st
            elif entity.get_content_type() == "multipart/signed":
                inner, inner_sig = split_signed(plain, entity.get_boundary())
                sig = email.message_from_bytes(inner_sig, policy=email.policy.compat32)
                _, _, ist = self.env.gpg(["--verify", self.write(name + ".asc",
                                                                  sig.get_payload(decode=True)),
                                          self.write(name + ".part", to_crlf(inner))])
                valid = [s for s in ist if s.startswith("VALIDSIG")]
                good = bool(valid) and self.is_alice(valid[0].split()[1])
                why = ist
            else:
                good, why = False, f"no signature in {entity.get_content_type()}"
            self.tap.ok(good, f"{name}: gpg finds alice's good signature", why)
        else:
            self.tap.ok(not any(s.startswith(("GOODSIG", "BADSIG", "ERRSIG")) for s in st),
                        f"{name}: gpg finds no signature", st)
        self.check_attachment(plain, name)
        self.expect_show(path, f"{name}, in Cachet", decrypted="yes",
                         signature="good" if "--sign" in flags else "none",
                         snippet=f"Secret plans for {name}.")

    def missing_key(self):
        status, err, _ = self.seal("missing-key", "--encrypt", to=(BOB, CAROL))
        self.tap.ok(status != 0 and CAROL in err,
                    "a recipient without a key stops sealing, named", f"status {status}: {err}")

    # --- gpg makes, Cachet opens --------------------------------------------------------

    def gpg_pgp_mime_encrypted(self, name, sign, recipient=BOB, home=None):
        inner = (b"Content-Type: text/plain; charset=utf-8\r\n"
                 b"Content-Transfer-Encoding: 8bit\r\n\r\n"
                 + f"gpg made this ({name}): sch\u00f6n.\r\n".encode("utf-8"))
        args = ["--armor", "--encrypt", "--recipient", recipient]
        if sign:
            args += ["--sign", "--local-user", ALICE]
        gpg = home.gpg if home is not None else self.env.gpg
        status, armored, st = gpg(args, inner, passphrase=ALICE_PASSPHRASE)
        assert status == 0, st
        return self.write(name + ".eml", headers(name, (
            "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\";\n"
            " boundary=\"b1\"\n")) + (
            b"\nThis is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\n"
            b"--b1\nContent-Type: application/pgp-encrypted\n"
            b"Content-Description: PGP/MIME version identification\n\nVersion: 1\n\n"
            b"--b1\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\n"
            b"Content-Disposition: inline; filename=\"encrypted.asc\"\n\n"
            + armored.replace(b"\r\n", b"\n") + b"\n--b1--\n"))

    def gpg_pgp_mime_signed(self, name, gpg=None, signer=ALICE):
        gpg = gpg or self.env.gpg
        part = (b"Content-Type: multipart/mixed; boundary=\"in\"\n\n"
                b"--in\nContent-Type: text/plain; charset=utf-8\n"
                b"Content-Transfer-Encoding: quoted-printable\n\n"
                + f"Signed by gpg ({name}): gr=C3=BC=C3=9Fe.\nFrom the top.\n".encode()
                + b"--in\nContent-Type: application/octet-stream; name=\"data.bin\"\n"
                b"Content-Disposition: attachment; filename=\"data.bin\"\n"
                b"Content-Transfer-Encoding: base64\n\nAAECAwQFBgcICQ==\n--in--\n")
        status, sig, st = gpg(["--armor", "--detach-sign", "--digest-algo", "SHA256",
                               "--local-user", signer], to_crlf(part),
                              passphrase=ALICE_PASSPHRASE)
        assert status == 0, st
        return self.write(name + ".eml", headers(name, (
            "Content-Type: multipart/signed; micalg=pgp-sha256;\n"
            " protocol=\"application/pgp-signature\"; boundary=\"s1\"\n")) + (
            b"\nThis is an OpenPGP/MIME signed message (RFC 4880 and 3156)\n--s1\n"
            + part + b"\n--s1\nContent-Type: application/pgp-signature; name=\"signature.asc\"\n"
            b"Content-Description: OpenPGP digital signature\n\n"
            + sig.replace(b"\r\n", b"\n") + b"\n--s1--\n"))

    def gpg_inline(self, name, args, passphrase=ALICE_PASSPHRASE):
        text = f"Inline text from gpg ({name}).\nSecond line.\n".encode()
        status, armored, st = self.env.gpg(["--armor"] + args, text, passphrase=passphrase)
        assert status == 0, st
        return self.write(name + ".eml", headers(name, (
            "Content-Type: text/plain; charset=utf-8\n")) + b"\nSee below.\n\n"
            + armored.replace(b"\r\n", b"\n") + b"\nBye.\n")

    def gpg_to_cachet(self):
        path = self.gpg_pgp_mime_encrypted("gpg-encrypted", sign=False)
        self.expect_show(path, "gpg PGP/MIME encrypted", decrypted="yes", signature="none",
                         snippet="gpg made this (gpg-encrypted): sch\u00f6n.")
        path = self.gpg_pgp_mime_encrypted("gpg-encrypted-signed", sign=True)
        self.expect_show(path, "gpg PGP/MIME encrypted and signed", decrypted="yes",
                         signature="good", signer=self.fpr(ALICE),
                         snippet="gpg made this (gpg-encrypted-signed)")
        path = self.gpg_pgp_mime_signed("gpg-signed")
        self.expect_show(path, "gpg PGP/MIME signed", decrypted="-", signature="good",
                         signer=self.fpr(ALICE), snippet="Signed by gpg (gpg-signed): gr\u00fc\u00dfe.")
        with open(path, "rb") as f:
            raw = f.read()
        tampered = raw.replace(b"From the top.", b"From the tip.")
        self.expect_show(self.write("gpg-signed-tampered.eml", tampered),
                         "gpg PGP/MIME signed, tampered", decrypted="-", signature="bad")
        path = self.gpg_inline("gpg-clearsigned", ["--clearsign", "--local-user", ALICE])
        self.expect_show(path, "gpg inline clearsigned", decrypted="-", signature="good",
                         signer=self.fpr(ALICE), snippet="Inline text from gpg (gpg-clearsigned).")
        with open(path, "rb") as f:
            raw = f.read()
        self.expect_show(self.write("gpg-clearsigned-tampered.eml",
                                    raw.replace(b"Second line.", b"Second lime.")),
                         "gpg inline clearsigned, tampered", decrypted="-", signature="bad")
        path = self.gpg_inline("gpg-inline-encrypted", ["--encrypt", "--recipient", BOB])
        self.expect_show(path, "gpg inline encrypted", decrypted="yes", signature="none",
                         snippet="Inline text from gpg (gpg-inline-encrypted).")
        path = self.gpg_inline("gpg-inline-encrypted-signed",
                               ["--encrypt", "--sign", "--recipient", BOB, "--local-user", ALICE])
        self.expect_show(path, "gpg inline encrypted and signed", decrypted="yes",
                         signature="good", signer=self.fpr(ALICE),
                         snippet="Inline text from gpg (gpg-inline-encrypted-signed).")
        # To alice only: her passphrase from the file opens it; a wrong one or none does not.
        path = self.gpg_pgp_mime_encrypted("gpg-to-alice", sign=False, recipient=ALICE)
        self.expect_show(path, "encrypted to a passphrase key, right passphrase", decrypted="yes",
                         signature="none", snippet="gpg made this (gpg-to-alice)",
                         passphrase=ALICE_PASSPHRASE)
        self.expect_show(path, "encrypted to a passphrase key, wrong passphrase", decrypted="no",
                         signature="none", passphrase="not-her-passphrase",
                         absent="gpg made this")
        self.expect_show(path, "encrypted to a passphrase key, no passphrase", decrypted="no",
                         signature="none", absent="gpg made this")

    def cli_edges(self):
        """A plain message gets no verdict line; an unreadable passphrase file is an error."""
        plain = self.path("encrypted.plain")
        status, out, err = self.env.show(plain)
        self.tap.ok(status == 0 and not out.startswith("Crypto") and "Secret plans" in out,
                    "a message that is not sealed: shown as before, no verdict",
                    f"status {status}: {out[:200]} {err[-200:]}")
        proc = subprocess.run([self.env.cachet, "show", "--passphrase-file",
                               self.path("no-such-file"), self.path("gpg-to-alice.eml")],
                              capture_output=True, env=self.env.env, timeout=interop_env.TIMEOUT)
        self.tap.ok(proc.returncode == 1 and b"passphrase file" in proc.stderr
                    and not proc.stdout, "an unreadable passphrase file: exit status 1, said why",
                    f"status {proc.returncode}: {proc.stderr[-300:]}")

    def strangers(self):
        """Mail from a key this keyring does not know, and to a key it has no secret for."""
        stranger = interop_env.Env(self.env.cachet, self.env.plugin)
        try:
            g = ["gpg", "--homedir", stranger.gnupghome, "--batch", "--passphrase", "",
                 "--quick-gen-key", "Mallory <mallory@example.test>", "future-default",
                 "default", "never"]
            subprocess.run(g, check=True, capture_output=True, env=stranger.env)
            path = self.gpg_pgp_mime_signed("stranger-signed", gpg=stranger.gpg,
                                            signer="mallory@example.test")
            self.expect_show(path, "signed by an unknown key", decrypted="-", signature="no-key")
            path = self.gpg_pgp_mime_encrypted("to-stranger", sign=False,
                                               recipient="mallory@example.test", home=stranger)
            self.expect_show(path, "encrypted to someone else", decrypted="no", signature="none",
                             absent="gpg made this")
        finally:
            stranger.close()

    # --- helpers -------------------------------------------------------------------------

    def expect_show(self, path, name, decrypted, signature, signer=None, snippet=None,
                    passphrase=None, absent=None):
        status, out, err = self.env.show(path, passphrase)
        got = interop_env.parse_status(out)
        st = got["status"]
        why = []
        report = interop_env.sanitizer_report(err)
        if report:
            why.append(report)
        if status != 0:
            why.append(f"exit status {status}: {err.decode('utf-8', 'replace')[-400:]}")
        if not out.startswith("Crypto: "):
            why.append("the first line is no verdict: " + out[:200])
        want_st = {"yes": ("yes", "yes"), "no": ("yes", "no"), "-": ("no", "no")}[decrypted]
        if (st.get("encrypted"), st.get("decrypted")) != want_st:
            why.append(f"encrypted/decrypted {st}, want {want_st}; problem {got['problem']}")
        sigs = got["signatures"]
        if signature == "none" and sigs:
            why.append(f"signatures {sigs}, want none")
        if signature != "none":
            if not any(s[0] == signature for s in sigs):
                why.append(f"signatures {sigs}, want one {signature}")
            if signature != "good" and any(s[0] == "good" for s in sigs):
                why.append(f"a good signature among {sigs}")
        if signer and not any(s[1]["fingerprint"].upper() == signer for s in sigs):
            why.append(f"no signature by {signer} in {sigs}")
        verdict = got["verdict"] or ""
        if signature == "good" and "good" not in verdict.lower():
            why.append(f"the verdict does not say good: {verdict}")
        if decrypted == "yes" and "decrypted" not in verdict.lower():
            why.append(f"the verdict does not say decrypted: {verdict}")
        if signature == "bad" and "bad" not in verdict.lower():
            why.append(f"the verdict does not say bad: {verdict}")
        if snippet and snippet not in out:
            why.append(f"the message shown lacks {snippet!r}")
        if absent and absent in out:
            why.append(f"the message shown holds {absent!r}")
        self.tap.ok(not why, name, "\n".join(why) + "\n" + "\n".join(out.splitlines()[:4]))

    def tap_skip(self, n, name, why):
        for _ in range(n):
            self.tap.ok(False, f"{name}: skipped", why)

    def fpr(self, address):
        _, out, _ = self.env.gpg(["--with-colons", "--list-keys", address])
        return re.search(rb"^fpr:+([0-9A-F]{40}):", out, re.M).group(1).decode()

    def is_alice(self, fingerprint):
        """FINGERPRINT is alice's primary key or one of her subkeys."""
        _, out, _ = self.env.gpg(["--with-colons", "--list-keys", ALICE])
        return fingerprint.encode() in re.findall(rb"^fpr:+([0-9A-F]{40}):", out, re.M)

    def subkey_id(self, address):
        """The key id of ADDRESS's encryption subkey."""
        _, out, _ = self.env.gpg(["--with-colons", "--list-keys", address])
        for line in out.splitlines():
            f = line.split(b":")
            if f[0] == b"sub" and b"e" in f[11]:
                return f[4]
        return None


def headers(name, content_type):
    return (f"From: Alice Tester <{ALICE}>\nTo: Bob Tester <{BOB}>\n"
            f"Subject: {name}\nDate: Sun, 29 Nov 2026 01:00:00 +0000\n"
            f"Message-ID: <{name}@example.test>\nMIME-Version: 1.0\n"
            + content_type).encode()


def to_crlf(data):
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def split_signed(raw, boundary):
    """The exact bytes of the first body part of multipart/signed RAW (without the line
    break before the next delimiter, which belongs to the delimiter) and the second."""
    delim = re.compile(rb"(?:\r?\n|^)--" + re.escape(boundary.encode()) + rb"(--)?[ \t]*\r?\n?")
    marks = list(delim.finditer(raw))
    if len(marks) < 3:
        raise AssertionError(f"multipart/signed with {len(marks)} delimiters")
    return raw[marks[0].end():marks[1].start()], raw[marks[1].end():marks[2].start()]


def tamper(raw, signed):
    """RAW with one letter of the signed part's text changed."""
    at = raw.index(signed) + signed.index(b"Secret plans")
    return raw[:at] + b"s" + raw[at + 1:]


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    cachet, seal_tool, plugin = sys.argv[1:]
    if not plugin:
        print("1..0 # SKIP the OpenPGP plugin is not built (GPGME missing?)")
        return 0
    tap = interop_env.Tap(N_TESTS)
    env = interop_env.Env(cachet, plugin)
    try:
        env.gpg_home("keys", env.gnupghome)
        t = Interop(env, seal_tool, tap)
        t.cachet_to_gpg_signed()
        t.cachet_to_gpg_encrypted("encrypted", ["--encrypt"])
        t.cachet_to_gpg_encrypted("encrypted-signed", ["--encrypt", "--sign"])
        t.missing_key()
        t.gpg_to_cachet()
        t.cli_edges()
        t.strangers()
    finally:
        env.close()
    if tap.n != N_TESTS:
        print(f"# ran {tap.n} checks, planned {N_TESTS}")
        return 1
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
