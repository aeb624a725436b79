#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The account wizard end to end, driven through AT-SPI as a person would.

usage: test-wizard-gui.py CACHET-BINARY SOURCE-DIR

Starts Dovecot and Postfix on 127.0.0.1 for the demo provider demo.test
(tests/servers/mailservers.sh, free ports), puts the demo mail
(build-aux/demo-mail) into the mailbox of you@demo.test, and gives Cachet the
demo profile (data/isp/demo.test.xml with those ports, as the user's own
profile in $XDG_CONFIG_HOME/cachet/isp/).  Then runs the real binary with no
account: the wizard opens; name, address and password are typed; discovery
finds the profile; the settings are checked; the login test asks about the
servers' certificate (signed by the servers' own test CA), which is trusted
for the account; the wizard saves and the first fetch starts.  Afterwards it
checks the accounts file, the keyring entries (secret-tool, libsecret), that
the demo mail arrived in the Inbox and that `cachet send` sends with the
account; then hands profiles to the running Cachet with --import-profile.  A
screenshot of each page goes to $CACHET_SCREENSHOT_DIR.

Needs an X display, a D-Bus session with a keyring (tests/run-headless.sh),
root and the mail server packages; else it prints a TAP skip (a failure with
CACHET_TEST_REQUIRE_SERVERS=1).  TAP goes to the original stdout; everything
else to stderr.
"""

import configparser
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

import atspi_harness
from atspi_harness import (Cachet, Failure, Test, click, enabled, find, screenshot,
                           skip_all, tap, text_of, wait_for)

PASSWORD = "demo-Passwort-7"

pyatspi = atspi_harness.setup(whole_timeout=280, timeout=30.0)


def read_env(directory):
    env = {}
    with open(os.path.join(directory, "env"), encoding="utf-8") as f:
        for line in f:
            key, sep, value = line.rstrip("\n").partition("=")
            if sep:
                env[key] = value.strip('"')
    return env


def start_servers(srcdir):
    script = os.path.join(srcdir, "tests", "servers", "mailservers.sh")
    reason = subprocess.run(["/bin/bash", script, "check"], capture_output=True, text=True)
    if reason.returncode != 0:
        skip_all("the test mail servers cannot run here: %s" % reason.stdout.strip(), True)
    # Unix sockets in there: keep the path short.
    directory = tempfile.mkdtemp(prefix="cw-", dir="/tmp")
    os.chmod(directory, 0o755)
    result = subprocess.run(
        ["/bin/bash", script, "start", "--without-alt", "--domain", "demo.test",
         "--user", "you:" + PASSWORD, "--user", "ada:ada-demo",
         "--watch", str(os.getpid()), "--remove", directory],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    sys.stderr.write(result.stdout + result.stderr)
    if result.returncode != 0:
        raise Failure("mailservers.sh start failed with %d" % result.returncode)
    return script, directory, read_env(directory)


def fill_mailbox(srcdir, env):
    maildir = env["MAIL_YOU_MAILDIR"]
    uid, gid = int(env["MAIL_OWNER_UID"]), int(env["MAIL_OWNER_GID"])
    files = sorted(glob.glob(os.path.join(srcdir, "build-aux", "demo-mail", "*.eml")))
    for i, path in enumerate(files):
        name = "%d.M%dP%d.demo" % (1717400000 + i, i, os.getpid())
        tmp = os.path.join(maildir, "tmp", name)
        shutil.copyfile(path, tmp)
        os.chmod(tmp, 0o644)
        os.chown(tmp, uid, gid)
        os.rename(tmp, os.path.join(maildir, "new", name))
    return files


def demo_profile(srcdir, env, config_home):
    """The bundled demo profile, on the ports these servers got."""
    with open(os.path.join(srcdir, "data", "isp", "demo.test.xml"), encoding="utf-8") as f:
        xml = f.read()
    assert "<port>18995</port>" in xml and "<port>18587</port>" in xml, xml
    xml = xml.replace("<port>18995</port>", "<port>%s</port>" % env["POP3S_PORT"])
    xml = xml.replace("<port>18587</port>", "<port>%s</port>" % env["SUBMISSION_PORT"])
    directory = os.path.join(config_home, "cachet", "isp")
    os.makedirs(directory)
    path = os.path.join(directory, "demo.test.xml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(xml)
    return path


def main():
    binary, srcdir = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="cachet-wizard-gui-")
    script = servers = None
    t = Test()
    plan = 11
    cachet = None
    ctx = {}
    try:
        script, servers, env = start_servers(srcdir)
        tap.write("1..%d\n" % plan)
        mail_files = fill_mailbox(srcdir, env)
        config_home = os.path.join(work, "config")
        data_home = os.path.join(work, "data")
        profile = demo_profile(srcdir, env, config_home)

        child_env = atspi_harness.app_env()
        child_env["XDG_CONFIG_HOME"] = config_home
        child_env["XDG_DATA_HOME"] = data_home
        child_env["CACHET_ISP_DIR"] = os.path.join(srcdir, "data", "isp")
        child_env.setdefault("GSETTINGS_BACKEND", "memory")

        cachet = Cachet([binary], child_env, os.path.join(work, "cachet.log"))
        ctx.update(t=t, cachet=cachet, env=env, profile=profile,
                   config_home=config_home, data_home=data_home, mail_files=mail_files,
                   binary=binary, child_env=child_env, work=work)
        run(ctx)
    except Exception:
        traceback.print_exc()
    finally:
        if cachet is not None:
            cachet.stop(timeout=15)
        if servers is not None:
            subprocess.run(["/bin/bash", script, "stop", servers], stdin=subprocess.DEVNULL)
            shutil.rmtree(servers, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    if t.n == 0 and servers is None:
        tap.write("1..%d\n" % plan)
    t.finish(plan)


def run(ctx):
    t, env = ctx["t"], ctx["env"]
    state = {}

    def next_button(wizard):
        button = wait_for("the Next button", lambda: find(wizard, "push button", "Next",
                                                          only_showing=True))
        wait_for("Next to be enabled", lambda: enabled(button))
        return button

    def wizard_opens():
        state["app"] = ctx["cachet"].wait("the cachet application on the accessibility bus")
        state["wizard"] = wait_for("the wizard, opened because there is no account",
                                   lambda: find(state["app"], "frame", "Add Mail Account"))

    t.check("/ui/wizard-gui/opens-without-accounts", wizard_opens)
    wizard = state["wizard"]

    def identity():
        next_ = wait_for("the Next button", lambda: find(wizard, "push button", "Next",
                                                         only_showing=True))
        assert not enabled(next_), "Next is enabled on an empty page"
        find(wizard, "text", "Your name").queryEditableText().setTextContents("Demo User")
        address = find(wizard, "text", "Email address")
        address.queryEditableText().setTextContents("you@demo.test")
        assert not enabled(next_), "Next is enabled without a password"
        find(wizard, "password text", "Password").queryEditableText().setTextContents(
            PASSWORD)
        wait_for("Next to be enabled", lambda: enabled(next_))
        screenshot("wizard-1-identity.png", wizard)
        click(next_)

    t.check("/ui/wizard-gui/identity", identity)

    def review():
        host = wait_for("the review page", lambda: find(wizard, "text", "POP3 server",
                                                        only_showing=True))
        wait_for("the POP3 server from the profile", lambda: text_of(host) == "127.0.0.1")
        port = find(wizard, "spin button", "POP3 port")
        assert text_of(port) == env["POP3S_PORT"], text_of(port)
        assert find(wizard, "text", "POP3 user name").queryText() and \
            text_of(find(wizard, "text", "POP3 user name")) == "you@demo.test"
        assert text_of(find(wizard, "spin button", "SMTP port")) == env["SUBMISSION_PORT"]
        source = find(wizard, "combo box", "Incoming settings from")
        items = [c.name for c in source.getChildAtIndex(0)] if source.childCount else []
        assert any("profile “Cachet Demo Mail”" in i for i in items), items
        origin = find(wizard, "label", "POP3 settings source")
        assert ctx["profile"] in text_of(origin), text_of(origin)
        policy = text_of(find(wizard, "label", "Mail on the server"))
        assert "stays on the server, as Cachet Demo Mail suggests" in policy, policy
        assert not find(wizard, "check box", "Use without encryption", only_showing=True)
        screenshot("wizard-3-settings.png", wizard)

        # Back to the search: it shows what each step found, and is not run again.
        click(find(wizard, "push button", "Back", only_showing=True))
        found = wait_for("the discovery page", lambda: find(wizard, "label", "Servers found",
                                                             only_showing=True))
        text = text_of(found)
        assert "Incoming (POP3): 127.0.0.1:%s, TLS" % env["POP3S_PORT"] in text, text
        assert "Outgoing (SMTP): 127.0.0.1:%s, STARTTLS" % env["SUBMISSION_PORT"] in text, text
        states = [a.name for a in pyatspi.findAllDescendants(
            wizard, lambda a: a.getRoleName() == "icon"
            and a.getState().contains(pyatspi.STATE_SHOWING))]
        assert states[:1] == ["Found"] or "Found" in states, states
        assert states.count("Not needed") == 4, states
        screenshot("wizard-2-discovery.png", wizard)
        click(next_button(wizard))
        host = wait_for("the review page again", lambda: find(wizard, "text", "POP3 server",
                                                              only_showing=True))
        assert text_of(host) == "127.0.0.1"

    t.check("/ui/wizard-gui/discovery-and-review", review)

    def login_test():
        click(next_button(wizard))
        # The servers' certificate is signed by their own test CA: the user is asked.
        dialog = wait_for("the certificate question", lambda: pyatspi.findDescendant(
            state["app"], lambda a: a.getRoleName() == "dialog"
            and a.name == "Unverified Certificate"), timeout=60)
        fingerprint = text_of(find(dialog, "label", "Fingerprint")).replace(":", "").lower()
        assert fingerprint == env["MAIL_SERVER_SHA256"], (fingerprint, env["MAIL_SERVER_SHA256"])
        result = find(wizard, "label", "Incoming server result", only_showing=True) or \
            find(wizard, "label", "Outgoing server result", only_showing=True)
        assert result is not None
        screenshot("wizard-4-certificate.png")
        click(find(dialog, "push button", "Trust this certificate for this account"))

    t.check("/ui/wizard-gui/login-test-certificate", login_test)

    def done():
        try:
            summary = wait_for("the last page", lambda: find(wizard, "label", "Summary",
                                                             only_showing=True), timeout=60)
        except Failure:
            # What the login test page says instead
            for a in pyatspi.findAllDescendants(wizard, lambda a: a.getRoleName() == "label"
                                                and a.getState().contains(pyatspi.STATE_SHOWING)):
                tap.write("# %s: %s\n" % (a.name, text_of(a)))
            raise
        text = text_of(summary)
        assert "you@demo.test is set up." in text, text
        assert "Its password is in your keyring." in text, text
        assert "Cachet is getting your mail now" in text, text
        screenshot("wizard-5-done.png", wizard)
        click(find(wizard, "push button", "Close", only_showing=True))
        wait_for("the wizard to close",
                 lambda: find(state["app"], "frame", "Add Mail Account") is None)

    t.check("/ui/wizard-gui/done", done)

    def account_file():
        path = os.path.join(ctx["config_home"], "cachet", "accounts.ini")
        config = configparser.ConfigParser(interpolation=None)
        with open(path, encoding="utf-8") as f:
            content = f.read()
        assert PASSWORD not in content, "the password is in the file"
        config.read_string(content)
        assert len(config.sections()) == 1, config.sections()
        state["id"] = account_id = config.sections()[0]
        a = config[account_id]
        expected = {
            "name": "you@demo.test", "address": "you@demo.test", "display-name": "Demo User",
            "pop3-host": "127.0.0.1", "pop3-port": env["POP3S_PORT"], "pop3-security": "tls",
            "pop3-user": "you@demo.test", "pop3-certificate-sha256": env["MAIL_SERVER_SHA256"],
            "smtp-host": "127.0.0.1", "smtp-port": env["SUBMISSION_PORT"],
            "smtp-security": "starttls", "smtp-user": "you@demo.test",
            "smtp-certificate-sha256": env["MAIL_SERVER_SHA256"], "server-policy": "keep",
        }
        for key, value in expected.items():
            assert a.get(key) == value, (key, a.get(key), value)

    t.check("/ui/wizard-gui/account-file", account_file)

    def keyring():
        for protocol in ("pop3", "smtp"):
            out = subprocess.run(["secret-tool", "lookup", "account-id", state["id"],
                                  "protocol", protocol, "host", "127.0.0.1",
                                  "user", "you@demo.test"],
                                 capture_output=True, text=True, timeout=30)
            assert out.returncode == 0, (protocol, out.stderr)
            assert out.stdout == PASSWORD, (protocol, "wrong password")

    t.check("/ui/wizard-gui/keyring", keyring)

    def inbox():
        frame = wait_for("the main window", lambda: find(state["app"], "frame"))
        messages = wait_for("the message list", lambda: find(frame, "table", "Messages"))

        def subjects():
            table = messages.queryTable()
            return [table.getAccessibleAt(r, 1).name for r in range(table.nRows)]

        wanted = {"Welcome to the Cachet demo", "Lunch on Thursday?", "Packing list for the trip",
                  "Grüße aus Köln", "Your demo mailbox is ready"}
        wait_for("the demo mail in the Inbox", lambda: wanted <= set(subjects()), timeout=60)
        screenshot("wizard-6-inbox.png", frame)
        stored = glob.glob(os.path.join(ctx["data_home"], "cachet", "mail", "Inbox", "*", "*"))
        assert len(stored) == len(ctx["mail_files"]), stored

    t.check("/ui/wizard-gui/first-fetch", inbox)

    # The account as the wizard saved it sends too: SMTP settings, pin and keyring entry.
    def send():
        message = os.path.join(ctx["work"], "hello.eml")
        with open(message, "w", encoding="utf-8") as f:
            f.write("From: Demo User <you@demo.test>\nTo: Ada <ada@demo.test>\n"
                    "Subject: Sent with the account of the wizard\n\nHello Ada!\n")
        out = subprocess.run([ctx["binary"], "send", message], env=ctx["child_env"],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, (out.returncode, out.stdout, out.stderr)
        ada = env["MAIL_ADA_MAILDIR"]

        def delivered():
            for path in glob.glob(os.path.join(ada, "new", "*")):
                with open(path, encoding="utf-8", errors="replace") as f:
                    if "Sent with the account of the wizard" in f.read():
                        return True
            return False
        wait_for("the message in Ada's mailbox", delivered, timeout=60)

    t.check("/ui/wizard-gui/send", send)

    # cachet --import-profile FILE, handed to the Cachet that runs.
    def import_problems():
        bad = os.path.join(ctx["work"], "broken.xml")
        with open(bad, "w", encoding="utf-8") as f:
            f.write('<?xml version="1.0"?>\n<clientConfig version="1.1">\n'
                    '  <emailProvider id="x.test">\n    <domain>x.test</domain>\n'
                    '    <incomingServer type="pop3"><port>99999</port>\n'
                    '  </emailProvider>\n</clientConfig>\n')
        out = subprocess.run([ctx["binary"], "--import-profile", bad], env=ctx["child_env"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, (out.returncode, out.stderr)
        assert "%s:" % bad in out.stderr and "error" in out.stderr, out.stderr
        alert = wait_for("the profile problems", lambda: pyatspi.findDescendant(
            state["app"], lambda a: a.getRoleName() in ("alert", "dialog")
            and a.name == "Profile Problems"))
        texts = [text_of(a) for a in pyatspi.findAllDescendants(
            alert, lambda a: a.getRoleName() == "label")]
        assert any("broken.xml:" in x and "error" in x for x in texts), texts
        screenshot("wizard-import-problems.png", alert)
        click(find(alert, "push button", "Close"))

    t.check("/ui/wizard-gui/import-profile-problems", import_problems)

    def import_profile():
        good = os.path.join(ctx["work"], "isp-import.xml")
        with open(ctx["profile"], encoding="utf-8") as f:
            xml = f.read()
        xml = xml.replace("demo.test", "import.test").replace("Cachet Demo Mail", "Import Mail")
        with open(good, "w", encoding="utf-8") as f:
            f.write(xml)
        out = subprocess.run([ctx["binary"], "--import-profile", good], env=ctx["child_env"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, (out.returncode, out.stderr)
        wizard2 = wait_for("a wizard for the profile",
                           lambda: find(state["app"], "frame", "Add Mail Account"))
        label = wait_for("the profile on the first page",
                         lambda: find(wizard2, "label", "Provider profile", only_showing=True))
        assert "“Import Mail”" in text_of(label) and good in text_of(label), text_of(label)
        find(wizard2, "text", "Your name").queryEditableText().setTextContents("Imp")
        find(wizard2, "text", "Email address").queryEditableText().setTextContents(
            "jo@import.test")
        find(wizard2, "password text", "Password").queryEditableText().setTextContents("x")
        click(next_button(wizard2))
        origin = wait_for("the settings from the opened profile", lambda: find(
            wizard2, "label", "POP3 settings source", only_showing=True))
        wait_for("the opened profile as the source", lambda: good in text_of(origin))
        screenshot("wizard-import-settings.png", wizard2)
        click(find(wizard2, "push button", "Cancel", only_showing=True))
        wait_for("the wizard to close",
                 lambda: find(state["app"], "frame", "Add Mail Account") is None)

    t.check("/ui/wizard-gui/import-profile", import_profile)


if __name__ == "__main__":
    main()
