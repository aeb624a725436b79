#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the real mail servers of mailservers.sh from the outside, with
Python's ssl, poplib and smtplib: POP3 with STLS and POP3S verified against
the test CA, the certificates that must fail verification (wrong host name,
self-signed, expired) and their fingerprints for pinning, APOP, SMTP
submission with AUTH after STARTTLS, SMTPS, relaying refused, delivery
through Postfix into the Maildir, and that stop leaves no process behind.
Prints TAP."""

import hashlib
import os
import poplib
import re
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# Connections go to 127.0.0.1 only; "localhost" is the name TLS checks.
_create_connection = socket.create_connection


def _loopback_only(address, *args, **kwargs):
    host, port = address
    if host == "localhost":
        host = "127.0.0.1"
    if host != "127.0.0.1":
        raise OSError("test connects to %s, not 127.0.0.1" % host)
    return _create_connection((host, port), *args, **kwargs)


socket.create_connection = _loopback_only
SCRIPT = os.path.join(HERE, "mailservers.sh")
results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))
    return bool(cond)


def note(text):
    print("# " + text, flush=True)


def skip_all(reason):
    if os.environ.get("CACHET_TEST_REQUIRE_SERVERS") == "1":
        print("Bail out! %s (CACHET_TEST_REQUIRE_SERVERS=1)" % reason)
        sys.exit(1)
    print("1..0 # SKIP %s" % reason)
    sys.exit(0)


def script(*args):
    return subprocess.run(["/bin/bash", SCRIPT, *args], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def read_env(directory):
    env = {}
    with open(os.path.join(directory, "env"), encoding="utf-8") as f:
        for line in f:
            key, sep, value = line.rstrip("\n").partition("=")
            if sep:
                env[key] = value.strip('"')
    return env


def ctx_ca(ca):
    ctx = ssl.create_default_context(cafile=ca)
    ctx.load_default_certs()
    return ctx


def ctx_none():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def tls_failure(port, ca, host="localhost", starttls=False):
    """Connects with verification against the test CA; returns None when the
    certificate verified, else the verification error's code and message."""
    try:
        if starttls:
            p = poplib.POP3(host, port, timeout=20)
            try:
                p.stls(ctx_ca(ca))
            finally:
                p.sock.close()
        else:
            with socket.create_connection(("127.0.0.1", port), timeout=20) as raw:
                with ctx_ca(ca).wrap_socket(raw, server_hostname=host):
                    pass
        return None
    except ssl.SSLCertVerificationError as e:
        return (e.verify_code, e.verify_message)


def peer_sha256(port):
    with socket.create_connection(("127.0.0.1", port), timeout=20) as raw:
        with ctx_none().wrap_socket(raw, server_hostname="localhost") as s:
            return hashlib.sha256(s.getpeercert(binary_form=True)).hexdigest()


def pop3_capa(p):
    return {k: v for k, v in p.capa().items()}


def make_message(sender, rcpt, subject):
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@example.test>\r\n\r\n"
            "Body of %s.\r\n" % (sender, rcpt, subject, subject, subject))


def maildir_texts(maildir):
    out = []
    for sub in ("new", "cur"):
        d = os.path.join(maildir, sub)
        for name in sorted(os.listdir(d)):
            with open(os.path.join(d, name), "rb") as f:
                out.append(f.read().decode("utf-8", "replace"))
    return out


def wait_for_subjects(maildir, subjects, timeout=30):
    """Delivery is asynchronous: polls until every subject is in MAILDIR."""
    end = time.monotonic() + timeout
    while True:
        texts = maildir_texts(maildir)
        missing = [s for s in subjects if not any("Subject: %s\n" % s in t for t in texts)]
        if not missing or time.monotonic() > end:
            return missing
        time.sleep(0.05)


def processes_mentioning(text):
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in cmdline:
            found.append("%s %s" % (pid, cmdline))
    return found


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        return True
    except OSError:
        return False


# --- POP3 -----------------------------------------------------------------------

def test_pop3(env):
    ca = env["MAIL_CA_CERT"]
    alice = (env["MAIL_ALICE_USER"], env["MAIL_ALICE_PASS"])
    bob = (env["MAIL_BOB_USER"], env["MAIL_BOB_PASS"])

    p = poplib.POP3("localhost", int(env["POP3_PORT"]), timeout=20)
    capa = pop3_capa(p)
    check("POP3 CAPA offers STLS, UIDL, PIPELINING, USER, TOP, RESP-CODES, SASL PLAIN LOGIN",
          all(k in capa for k in ("STLS", "UIDL", "PIPELINING", "USER", "TOP", "RESP-CODES"))
          and {"PLAIN", "LOGIN"} <= set(capa.get("SASL", [])), capa)
    check("POP3 greeting has no APOP timestamp", b"<" not in p.getwelcome(), p.getwelcome())
    p.stls(ctx_ca(ca))
    check("POP3 STLS: certificate verified against the test CA for localhost", True)
    capa = pop3_capa(p)
    check("POP3 CAPA after STLS no longer offers STLS", "STLS" not in capa, capa)
    p.user(bob[0])
    r = p.pass_(bob[1])
    check("POP3 STLS login (bob, hashed password)", r.startswith(b"+OK"), r)
    check("POP3 STAT of an empty mailbox", p.stat() == (0, 0), p.stat())
    p.quit()

    p = poplib.POP3("127.0.0.1", int(env["POP3_PORT"]), timeout=20)
    ctx = ctx_ca(ca)
    p.stls(ctx)   # poplib passes the host given above: the certificate's IP SAN
    p.user(alice[0])
    check("POP3 STLS verified for 127.0.0.1 (IP in the certificate)",
          p.pass_(alice[1]).startswith(b"+OK"))
    p.quit()

    p = poplib.POP3_SSL("localhost", int(env["POP3S_PORT"]), context=ctx_ca(ca), timeout=20)
    check("POP3S CAPA has no STLS", "STLS" not in pop3_capa(p))
    p.user(alice[0])
    check("POP3S login (alice), certificate verified", p.pass_(alice[1]).startswith(b"+OK"))
    p.quit()

    p = poplib.POP3("127.0.0.1", int(env["POP3_PORT"]), timeout=20)
    p.user(bob[0])
    try:
        p.pass_("wrong")
        check("POP3 wrong password refused with [AUTH]", False, "accepted")
    except poplib.error_proto as e:
        check("POP3 wrong password refused with [AUTH]", b"[AUTH]" in e.args[0], e)
    p.sock.close()

    p = poplib.POP3("127.0.0.1", int(env["POP3_PORT"]), timeout=20)
    try:
        p._shortcmd("AUTH PLAIN " + __import__("base64").b64encode(
            ("\0%s\0%s" % alice).encode()).decode())
        check("POP3 SASL PLAIN login", True)
    except poplib.error_proto as e:
        check("POP3 SASL PLAIN login", False, e)
    p.quit()


def test_certificates(env):
    ca = env["MAIL_CA_CERT"]
    cases = [
        ("WRONGHOST", 62, "Hostname mismatch"),     # X509_V_ERR_HOSTNAME_MISMATCH
        ("SELFSIGNED", 18, "self-signed"),          # X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
        ("SELFSIGNED2", 18, "self-signed"),
        ("EXPIRED", 10, "expired"),                 # X509_V_ERR_CERT_HAS_EXPIRED
    ]
    for name, code, text in cases:
        for kind, starttls in (("POP3S", False), ("POP3", True)):
            port = int(env["%s_%s_PORT" % (name, kind)])
            got = tls_failure(port, ca, starttls=starttls)
            check("%s %s: verification fails (%s)" % (name.lower(), kind, text),
                  got is not None and got[0] == code and text in got[1], got)
        port = int(env["%s_POP3S_PORT" % name])
        check("%s POP3S presents MAIL_%s_CERT (fingerprint MAIL_%s_SHA256)"
              % (name.lower(), name, name),
              peer_sha256(port) == env["MAIL_%s_SHA256" % name])
        for kind in ("SUBMISSION", "SMTPS"):
            key = "%s_%s_PORT" % (name, kind)
            try:
                if kind == "SMTPS":
                    s = smtplib.SMTP_SSL("localhost", int(env[key]), context=ctx_ca(ca),
                                         timeout=20)
                else:
                    s = smtplib.SMTP("localhost", int(env[key]), timeout=20)
                    s.starttls(context=ctx_ca(ca))
                s.close()
                got = None
            except ssl.SSLCertVerificationError as e:
                got = (e.verify_code, e.verify_message)
            check("%s %s: verification fails (%s)" % (name.lower(), kind, text),
                  got is not None and got[0] == code, got)

    check("the main POP3S certificate is MAIL_SERVER_SHA256",
          peer_sha256(int(env["POP3S_PORT"])) == env["MAIL_SERVER_SHA256"])
    check("the two self-signed certificates differ (a changed pin)",
          env["MAIL_SELFSIGNED_SHA256"] != env["MAIL_SELFSIGNED2_SHA256"])

    # pinned: no verification, the fingerprint is the trust
    pin = env["MAIL_SELFSIGNED_SHA256"]
    port = int(env["SELFSIGNED_POP3S_PORT"])
    p = poplib.POP3_SSL("localhost", port, context=ctx_none(), timeout=20)
    fp = hashlib.sha256(p.sock.getpeercert(binary_form=True)).hexdigest()
    p.user(env["MAIL_ALICE_USER"])
    ok = fp == pin and p.pass_(env["MAIL_ALICE_PASS"]).startswith(b"+OK")
    p.quit()
    check("self-signed POP3S: login once the fingerprint matches the pin", ok)

    ok = tls_failure(int(env["POP3S_PORT"]), ca, host="wrong.example.test")
    check("the good certificate fails for another host name", ok and ok[0] == 62, ok)


def test_apop(env):
    port = int(env["APOP_POP3_PORT"])
    p = poplib.POP3("127.0.0.1", port, timeout=20)
    check("APOP server: greeting carries a timestamp",
          re.search(rb"<[^>]+@[^>]+>", p.getwelcome()), p.getwelcome())
    try:
        ok = p.apop(env["MAIL_ALICE_USER"], env["MAIL_ALICE_PASS"]).startswith(b"+OK")
    except poplib.error_proto as e:
        ok = False
        note("APOP: %s" % e)
    check("APOP login (alice, password stored in clear)", ok)
    p.quit()
    p = poplib.POP3("127.0.0.1", port, timeout=20)
    try:
        p.apop(env["MAIL_ALICE_USER"], "wrong")
        check("APOP with a wrong password refused", False)
    except poplib.error_proto as e:
        check("APOP with a wrong password refused", b"-ERR" in e.args[0], e)
    p.sock.close()
    p = poplib.POP3_SSL("localhost", int(env["APOP_POP3S_PORT"]),
                        context=ctx_ca(env["MAIL_CA_CERT"]), timeout=20)
    check("APOP server over POP3S, certificate verified", b"<" in p.getwelcome())
    p.quit()


# --- SMTP -----------------------------------------------------------------------------

def smtp_error(fn):
    try:
        fn()
        return None
    except smtplib.SMTPRecipientsRefused as e:
        code, msg = list(e.recipients.values())[0]
        return code, msg.decode("utf-8", "replace")
    except smtplib.SMTPResponseException as e:
        return e.smtp_code, e.smtp_error.decode("utf-8", "replace")


def test_smtp(env, tag):
    ca = env["MAIL_CA_CERT"]
    alice, bob = env["MAIL_ALICE_USER"], env["MAIL_BOB_USER"]
    expect = {}

    s = smtplib.SMTP("localhost", int(env["SUBMISSION_PORT"]), timeout=20)
    s.ehlo()
    check("submission: no AUTH offered before STARTTLS", not s.has_extn("auth"),
          s.esmtp_features)
    got = smtp_error(lambda: s.sendmail(bob, [alice], "Subject: x\r\n\r\nx\r\n"))
    check("submission: MAIL before STARTTLS refused with 530", got and got[0] == 530, got)
    s.close()

    s = smtplib.SMTP("localhost", int(env["SUBMISSION_PORT"]), timeout=20)
    s.starttls(context=ctx_ca(ca))
    s.ehlo()
    check("submission: STARTTLS verified, then AUTH PLAIN LOGIN offered",
          s.has_extn("auth") and "PLAIN" in s.esmtp_features["auth"], s.esmtp_features)
    got = smtp_error(lambda: s.login(bob, "wrong"))
    check("submission: wrong password refused with 535", got and got[0] == 535, got)
    s.close()

    s = smtplib.SMTP("localhost", int(env["SUBMISSION_PORT"]), timeout=20)
    s.starttls(context=ctx_ca(ca))
    s.login(bob, env["MAIL_BOB_PASS"])
    subject = "submission-%s" % tag
    s.sendmail(bob, [alice], make_message(bob, alice, subject))
    expect.setdefault("ALICE", []).append(subject)
    outside = "outside-%s" % tag
    s.sendmail(bob, ["someone@example.org"], make_message(bob, "someone@example.org", outside))
    expect.setdefault("SINK", []).append(outside)
    got = smtp_error(lambda: s.sendmail(bob, ["nosuchuser@example.test"], "Subject: x\r\n\r\n"))
    check("submission: unknown local user refused with 550", got and got[0] == 550, got)
    s.quit()
    check("submission: STARTTLS + AUTH (bob), mail to alice and to example.org accepted", True)

    s = smtplib.SMTP_SSL("localhost", int(env["SMTPS_PORT"]), context=ctx_ca(ca), timeout=20)
    s.login(alice, env["MAIL_ALICE_PASS"])
    subject = "smtps-%s" % tag
    s.sendmail(alice, [bob], make_message(alice, bob, subject))
    expect.setdefault("BOB", []).append(subject)
    s.quit()
    check("SMTPS: implicit TLS verified, AUTH (alice), mail accepted", True)

    s = smtplib.SMTP_SSL("localhost", int(env["SMTPS_PORT"]), context=ctx_ca(ca), timeout=20)
    got = smtp_error(lambda: s.sendmail(alice, [bob], "Subject: x\r\n\r\n"))
    check("SMTPS: mail without AUTH refused", got and got[0] in (530, 554), got)
    s.close()

    s = smtplib.SMTP("127.0.0.1", int(env["SMTP_PORT"]), timeout=20)
    got = smtp_error(lambda: s.sendmail(bob, ["someone@example.org"], "Subject: x\r\n\r\n"))
    check("SMTP: unauthenticated relaying refused (554 Relay access denied)",
          got and got[0] == 554 and "Relay access denied" in got[1], got)
    subject = "plain-smtp-%s" % tag
    s.sendmail("someone@example.org", [alice], make_message("someone@example.org", alice,
                                                             subject))
    expect["ALICE"].append(subject)
    s.quit()
    check("SMTP: mail for example.test accepted without AUTH", True)

    t0 = time.monotonic()
    for user, subjects in expect.items():
        missing = wait_for_subjects(env["MAIL_%s_MAILDIR" % user], subjects)
        check("delivery through Postfix and LMTP into %s's Maildir" % user.lower(),
              not missing, "missing: %s" % missing)
    note("delivery of %d messages seen in the Maildirs after %.2f s"
         % (sum(len(v) for v in expect.values()), time.monotonic() - t0))

    # and out again over POP3
    p = poplib.POP3_SSL("localhost", int(env["POP3S_PORT"]), context=ctx_ca(ca), timeout=20)
    p.user(alice)
    p.pass_(env["MAIL_ALICE_PASS"])
    n = p.stat()[0]
    bodies = [b"\n".join(p.retr(i)[1]) for i in range(1, n + 1)]
    p.quit()
    check("the delivered messages are fetched over POP3",
          all(any(("Subject: %s" % s).encode() in b for b in bodies) for s in expect["ALICE"]),
          "%d messages" % n)
    files = [os.path.join(env["MAIL_ALICE_MAILDIR"], d, f) for d in ("new", "cur")
             for f in os.listdir(os.path.join(env["MAIL_ALICE_MAILDIR"], d))]
    check("nothing went to the carol mailbox", not maildir_texts(env["MAIL_CAROL_MAILDIR"]))
    return files


# --- Main ---------------------------------------------------------------------------------

def main():
    reason = script("check")
    if reason.returncode != 0:
        skip_all(reason.stdout.strip() or reason.stderr.strip())

    base = "/tmp" if len(tempfile.gettempdir()) > 24 else tempfile.gettempdir()
    directory = tempfile.mkdtemp(prefix="cachet-srv-", dir=base)
    name = os.path.basename(directory)
    tag = "%d-%d" % (os.getpid(), int(time.time()))
    started = False
    try:
        t0 = time.monotonic()
        r = script("start", "--watch", str(os.getpid()), "--remove", directory)
        started = True
        t_start = time.monotonic() - t0
        if not check("mailservers.sh start", r.returncode == 0, r.stdout + r.stderr):
            return
        note("start (all instances, certificates made): %.2f s" % t_start)
        env = read_env(directory)
        check("status says running", script("status", directory).returncode == 0)
        check("only 127.0.0.1 in the configurations",
              "0.0.0.0" not in open(os.path.join(directory, "postfix/etc/master.cf")).read()
              and "listen = 127.0.0.1" in
              open(os.path.join(directory, "dovecot/main/dovecot.conf")).read())

        for fn in (test_pop3, test_certificates, test_apop):
            try:
                fn(env)
            except Exception as e:  # a crash in one group must not hide the others
                check("%s ran through" % fn.__name__, False, repr(e))
        try:
            test_smtp(env, tag)
        except Exception as e:
            check("test_smtp ran through", False, repr(e))

        ports = [int(v) for k, v in env.items() if k.endswith("_PORT")]
        t0 = time.monotonic()
        r = script("stop", directory)
        note("stop: %.2f s %s" % (time.monotonic() - t0, r.stderr.strip()))
        check("mailservers.sh stop", r.returncode == 0, r.stdout + r.stderr)
        left = processes_mentioning(name)
        check("no process of the servers left after stop", not left, left)
        check("no port left open after stop", not any(port_open(p) for p in ports))
        check("status says stopped", script("status", directory).returncode != 0)

        # a second start in the same directory keeps the mail
        t0 = time.monotonic()
        r = script("start", "--without-alt", "--watch", str(os.getpid()), "--remove", directory)
        note("restart in the same directory (POP3 + SMTP, certificates kept): %.2f s"
             % (time.monotonic() - t0))
        if check("start again in the same directory", r.returncode == 0, r.stdout + r.stderr):
            env = read_env(directory)
            p = poplib.POP3_SSL("localhost", int(env["POP3S_PORT"]),
                                context=ctx_ca(env["MAIL_CA_CERT"]), timeout=20)
            p.user(env["MAIL_ALICE_USER"])
            p.pass_(env["MAIL_ALICE_PASS"])
            check("mail kept across a restart", p.stat()[0] >= 2, p.stat())
            p.quit()
        t0 = time.monotonic()
        script("stop", directory)
        note("stop: %.2f s" % (time.monotonic() - t0))
        check("no process left after the second stop", not processes_mentioning(name))
        started = False
    finally:
        if started:
            script("stop", directory)
        shutil.rmtree(directory, ignore_errors=True)


try:
    main()
finally:
    if results:
        print("1..%d" % len(results))
        for i, (name, ok, detail) in enumerate(results, 1):
            print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
            if not ok and detail:
                for line in str(detail).splitlines()[:10]:
                    print("#   " + line)
