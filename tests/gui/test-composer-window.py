#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end test of the composer, driven through AT-SPI.

usage: test-composer-window.py CACHET-BINARY MAKE-TEST-STORE-SCRIPT

Starts the real cachet binary on a small test store with one account whose
outgoing server does not answer, and writes mail as a person would, finding
the widgets by their accessible names: a new message with To, Subject, text
and a file attached through the file chooser, saved as a draft and sent (it
must reach the Outbox folder whole, and leave Drafts empty); a reply, closed
unsent and continued from the Drafts folder; a mailto: link given to a second
`cachet` process.  A screenshot of the composer goes to $CACHET_SCREENSHOT_DIR.

Needs an X display and a D-Bus session (tests/run-headless.sh provides both);
without them it prints a TAP skip.  Output is TAP on the original stdout.
"""

import email
import email.policy
import glob
import os
import subprocess
import sys
import tempfile
import time

import atspi_harness
from atspi_harness import (Cachet, Table, Test, app_env, click, enabled, find, screenshot,
                           tap, text_of, wait_for)

pyatspi = atspi_harness.setup(whole_timeout=240)

ACCOUNTS = """\
[home]
name=Home
address=me@home.example
display-name=Test Sender
pop3-host=127.0.0.1
pop3-user=me
smtp-host=127.0.0.1
smtp-port=9
smtp-security=starttls
smtp-user=me
smtp-auth=none
check-interval=0
signature=Test Sender\\nhome.example
"""

# A small PDF-looking file with every byte value: it must arrive byte for byte.
ATTACHMENT = b"%PDF-1.4\n% Minutes of the meeting\n" + bytes(range(256)) + b"\n%%EOF\n"


def set_text(acc, text):
    acc.queryEditableText().setTextContents(text)


def insert_text(acc, position, text):
    acc.queryEditableText().insertText(position, text, len(text.encode("utf-8")))


def key(keysym):
    pyatspi.Registry.generateKeyboardEvent(keysym, None, pyatspi.KEY_SYM)


def maildir_messages(data_dir, folder):
    files = sorted(glob.glob(os.path.join(data_dir, "mail", folder, "cur", "*"))
                   + glob.glob(os.path.join(data_dir, "mail", folder, "new", "*")))
    result = []
    for path in files:
        with open(path, "rb") as f:
            result.append(email.message_from_binary_file(f, policy=email.policy.default))
    return result


PLAN = [
    "/ui/composer-window/opens",
    "/ui/composer-window/complete-address",
    "/ui/composer-window/fill-and-attach",
    "/ui/composer-window/save-draft",
    "/ui/composer-window/send",
    "/ui/composer-window/reply-and-continue-draft",
    "/ui/composer-window/mailto",
]


def main():
    binary, make_store = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="cachet-composer-")
    data_dir = os.path.join(work, "data")
    subprocess.run(["/usr/bin/python3", make_store, data_dir], check=True)
    config = os.path.join(work, "config")
    os.makedirs(os.path.join(config, "cachet"))
    with open(os.path.join(config, "cachet", "accounts.ini"), "w") as f:
        f.write(ACCOUNTS)
    # The chooser opens in the home folder (a private one under run-headless.sh).
    attachment = os.path.join(os.environ["HOME"], "minutes-%d.pdf" % os.getpid())
    with open(attachment, "wb") as f:
        f.write(ATTACHMENT)

    env = app_env()
    env["CACHET_DATA_DIR"] = data_dir
    env["XDG_CONFIG_HOME"] = config
    env.setdefault("GSETTINGS_BACKEND", "memory")
    tap.write("1..%d\n" % len(PLAN))

    t = Test()
    env["G_MESSAGES_DEBUG"] = "cachet-composer"
    cachet = Cachet([binary], env, os.path.join(work, "cachet.log"))
    try:
        run(t, cachet, env, binary, data_dir, attachment)
    except Exception:
        pass
    finally:
        cachet.stop()
    t.finish(PLAN)


def run(t, cachet, env, binary, data_dir, attachment):
    state = {}

    def composers():
        return [w for w in state["app"]
                if w.getRoleName() == "frame" and find(w, "push button", "Send") is not None]

    def one_composer():
        found = composers()
        return found[0] if len(found) == 1 else None

    def no_composer():
        return not composers()

    def main_frame():
        for w in state["app"]:
            if w.getRoleName() == "frame" and find(w, "table", "Messages") is not None:
                return w
        return None

    def opens():
        state["app"] = cachet.wait("the cachet application on the accessibility bus")
        state["main"] = wait_for("the main window", main_frame)
        state["folders"] = Table(wait_for("the folder tree",
                                          lambda: find(state["main"], "tree table", "Folders")))
        state["messages"] = Table(wait_for("the message list",
                                           lambda: find(state["main"], "table", "Messages")))
        wait_for("the folders", lambda: state["folders"].find_row("Drafts") is not None)
        new = wait_for("the New message button",
                       lambda: find(state["main"], "push button", "New message"))
        wait_for("New message to be enabled", lambda: enabled(new))
        click(new)
        c = state["composer"] = wait_for("the composer", one_composer)
        assert c.name == "New Message", c.name
        for role, name in (("combo box", "From"), ("text", "To"), ("text", "Subject"),
                           ("text", "Message text"), ("push button", "Attach"),
                           ("toggle button", "Show Cc and Bcc"), ("push button", "Save draft")):
            wait_for("the %s %s" % (role, name), lambda: find(c, role, name))
        # STARTTLS to the server: protected on the way there only.
        privacy = wait_for("the privacy line", lambda: find(c, "panel", "Privacy"))
        labels = [x.name for x in pyatspi.findAllDescendants(
            privacy, lambda a: a.getRoleName() == "label")]
        assert any("server" in (x or "") for x in labels), labels
        body = find(c, "text", "Message text")
        assert text_of(body) == "\n\n-- \nTest Sender\nhome.example", repr(text_of(body))

    t.check(PLAN[0], opens)

    def complete_address():
        # Typed as a person does; the addresses come from the mail in the store.
        c = state["composer"]
        to = find(c, "text", "To")
        to.queryComponent().grabFocus()
        wait_for("To to have the focus", lambda: to.getState().contains(pyatspi.STATE_FOCUSED))
        pyatspi.Registry.generateKeyboardEvent(0, "ali", pyatspi.KEY_STRING)

        def popup_row():
            for w in state["app"]:
                if w.getRoleName() != "window":
                    continue
                table = find(w, "table")
                if table is not None and Table(table).find_row(
                        "Alice Example <alice@example.org>") is not None:
                    return table
            return None

        wait_for("the completion to offer Alice", popup_row)
        key(0xff54)   # Down
        key(0xff0d)   # Return
        wait_for("the chosen address in To",
                 lambda: text_of(to) == "Alice Example <alice@example.org>, ")

    t.check(PLAN[1], complete_address)

    def fill_and_attach():
        c = state["composer"]
        set_text(find(c, "text", "To"), "Ann Example <ann@example.org>")
        set_text(find(c, "text", "Subject"), "Minutes of Monday")
        wait_for("the title to follow the subject", lambda: c.name == "Minutes of Monday")
        body = find(c, "text", "Message text")
        insert_text(body, 0, "Hello Ann,\n\nthe minutes are attached.")
        click(find(c, "push button", "Attach"))
        chooser = wait_for("the file chooser", lambda: pyatspi.findDescendant(
            state["app"], lambda a: a.getRoleName() == "file chooser"
            and a.name == "Attach Files"))
        files = Table(wait_for("the chooser's file list", lambda: pyatspi.findDescendant(
            chooser, lambda a: a.getRoleName() == "table" and a.name == "Files"
            and a.getState().contains(pyatspi.STATE_SHOWING))))
        name = os.path.basename(attachment)
        row = wait_for("%s in the file list" % name,
                       lambda: [i for i, r in enumerate(files.rows()) if name in r])
        files.select_row(row[0])
        button = wait_for("the chooser's Attach button",
                          lambda: find(chooser, "push button", "Attach"))
        wait_for("Attach to be enabled", lambda: enabled(button))
        click(button)
        listed = wait_for("the attachment in the list", lambda: pyatspi.findDescendant(
            c, lambda a: a.getRoleName() == "list item" and a.name.startswith(name + ", ")))
        assert "bytes" in listed.name, listed.name
        wait_for("its Remove button", lambda: find(c, "push button", "Remove " + name))
        screenshot("composer.png", c)

    t.check(PLAN[2], fill_and_attach)

    def save_draft():
        c = state["composer"]
        click(find(c, "push button", "Save draft"))
        wait_for("one message in Drafts",
                 lambda: len(maildir_messages(data_dir, "Drafts")) == 1)
        draft = maildir_messages(data_dir, "Drafts")[0]
        assert draft["Subject"] == "Minutes of Monday", draft["Subject"]
        # Saving again replaces it.
        click(find(c, "push button", "Save draft"))
        time.sleep(0.5)
        wait_for("still one message in Drafts",
                 lambda: len(maildir_messages(data_dir, "Drafts")) == 1)

    t.check(PLAN[3], save_draft)

    def send():
        c = state["composer"]
        click(find(c, "push button", "Send"))
        wait_for("the composer to close", no_composer)
        wait_for("the message in the Outbox",
                 lambda: len(maildir_messages(data_dir, "Outbox")) == 1, timeout=30)
        wait_for("Drafts to be empty", lambda: not maildir_messages(data_dir, "Drafts"))
        m = maildir_messages(data_dir, "Outbox")[0]
        assert m["Subject"] == "Minutes of Monday", m["Subject"]
        assert "ann@example.org" in m["To"], m["To"]
        assert "me@home.example" in m["From"], m["From"]
        assert m["Bcc"] is None
        assert m["Message-ID"], "no Message-ID"
        text = m.get_body(preferencelist=("plain",)).get_content()
        assert "the minutes are attached." in text, text
        assert "-- \nTest Sender" in text.replace("\r\n", "\n"), text
        parts = [p for p in m.iter_attachments()]
        assert len(parts) == 1, parts
        assert parts[0].get_filename() == os.path.basename(attachment), parts[0].get_filename()
        assert parts[0].get_content() == ATTACHMENT

    t.check(PLAN[4], send)

    def reply_and_continue():
        folders, messages = state["folders"], state["messages"]
        folders.select_row(folders.find_row("Inbox"))
        wait_for("the Inbox", lambda: messages.find_row("Lunch on Friday") is not None)
        messages.select_row(messages.find_row("Lunch on Friday"))
        reply = find(state["main"], "push button", "Reply")
        wait_for("Reply to be enabled", lambda: enabled(reply))
        click(reply)
        c = wait_for("the reply", one_composer)
        wait_for("the reply's subject", lambda: c.name == "Re: Lunch on Friday")
        assert "alice@example.org" in text_of(find(c, "text", "To"))
        body = find(c, "text", "Message text")
        insert_text(body, 0, "Noon is fine.\n")
        # Closed unsent: saved to Drafts.
        menu = find(c, "toggle button", "Composer menu")
        click(menu)
        close = wait_for("the Close item", lambda: pyatspi.findDescendant(
            c, lambda a: a.getRoleName() == "push button" and a.name == "Close"
            and a.getState().contains(pyatspi.STATE_SHOWING)))
        click(close)
        wait_for("the reply to close", no_composer)
        wait_for("the reply in Drafts", lambda: len(maildir_messages(data_dir, "Drafts")) == 1)
        # Continued from the Drafts folder: Enter on it in the list.
        folders.select_row(folders.find_row("Drafts"))
        wait_for("the draft in the list",
                 lambda: messages.find_row("Re: Lunch on Friday") is not None)
        messages.select_row(messages.find_row("Re: Lunch on Friday"))
        messages.acc.queryComponent().grabFocus()
        wait_for("the list to have the focus",
                 lambda: messages.acc.getState().contains(pyatspi.STATE_FOCUSED))
        key(0xff0d)   # Return
        c = wait_for("the draft continued", one_composer)
        wait_for("its subject", lambda: c.name == "Re: Lunch on Friday")
        body = find(c, "text", "Message text")
        assert text_of(body).startswith("Noon is fine.\n"), repr(text_of(body))
        assert text_of(body).count("-- \n") == 1, repr(text_of(body))
        click(find(c, "push button", "Send"))
        wait_for("the composer to close", no_composer)
        wait_for("two messages in the Outbox",
                 lambda: len(maildir_messages(data_dir, "Outbox")) == 2, timeout=30)
        wait_for("Drafts to be empty", lambda: not maildir_messages(data_dir, "Drafts"))
        replies = [m for m in maildir_messages(data_dir, "Outbox")
                   if m["Subject"] == "Re: Lunch on Friday"]
        assert len(replies) == 1
        assert "<lunch-1@example.org>" in (replies[0]["In-Reply-To"] or ""), \
            replies[0]["In-Reply-To"]

    t.check(PLAN[5], reply_and_continue)

    def mailto():
        other = subprocess.run([binary, "mailto:bob@example.org?subject=From%20a%20link"
                                "&body=Hello%20Bob"], env=env, timeout=60,
                               stdout=sys.stderr, stderr=sys.stderr)
        assert other.returncode == 0, other.returncode
        c = wait_for("the composer of the link", one_composer)
        wait_for("its subject", lambda: c.name == "From a link")
        assert text_of(find(c, "text", "To")) == "bob@example.org"
        assert text_of(find(c, "text", "Message text")).startswith("Hello Bob")
        # Nothing typed: closing saves nothing.
        key_close = find(c, "toggle button", "Composer menu")
        click(key_close)
        click(wait_for("the Close item", lambda: pyatspi.findDescendant(
            c, lambda a: a.getRoleName() == "push button" and a.name == "Close"
            and a.getState().contains(pyatspi.STATE_SHOWING))))
        wait_for("the composer to close", no_composer)
        time.sleep(0.5)
        assert not maildir_messages(data_dir, "Drafts")

    t.check(PLAN[6], mailto)


if __name__ == "__main__":
    main()
