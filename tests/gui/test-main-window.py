#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end test of the main window, driven through AT-SPI.

usage: test-main-window.py CACHET-BINARY MAKE-TEST-STORE-SCRIPT

Starts the real cachet binary on a small test store and uses it as a person
would, finding the widgets by their accessible names: the folder tree, the
message list, opening a message, searching, marking unread, deleting.  A
screenshot of the main window goes to $CACHET_SCREENSHOT_DIR (meson-logs/
screenshots/ in the build tree).

Needs an X display and a D-Bus session (tests/run-headless.sh provides both);
without them it prints a TAP skip.  Output is TAP on the original stdout;
everything else (pyatspi, GTK warnings of the child) goes to stderr.
"""

import os
import subprocess
import sys
import tempfile

import atspi_harness
from atspi_harness import (Cachet, Failure, Table, Test, app_env, click, find, screenshot,
                           tap, text_of, wait_for)

pyatspi = atspi_harness.setup(whole_timeout=240)


def main():
    binary, make_store = sys.argv[1], sys.argv[2]
    t = Test()
    work = tempfile.mkdtemp(prefix="cachet-gui-")
    data_dir = os.path.join(work, "data")
    subprocess.run(["/usr/bin/python3", make_store, data_dir], check=True)

    env = app_env()
    env["CACHET_DATA_DIR"] = data_dir
    env.setdefault("GSETTINGS_BACKEND", "memory")
    plan = 16
    tap.write("1..%d\n" % plan)

    t.cachet = Cachet([binary], env, os.path.join(work, "cachet.log"))
    try:
        run(t)
    except Exception:
        pass
    finally:
        t.cachet.stop()
    t.finish(plan)


def run(t):
    folders = messages = None

    def window_opens():
        nonlocal folders, messages
        t.app = t.cachet.wait("the cachet application on the accessibility bus")
        # With no account yet, the account wizard opens over the window: close it.
        wizard = wait_for("the account wizard", lambda: find(t.app, "frame", "Add Mail Account"))
        find(wizard, "push button", "Cancel").queryAction().doAction(0)
        wait_for("the wizard to close",
                 lambda: find(t.app, "frame", "Add Mail Account") is None)
        t.frame = wait_for("the main window", lambda: find(t.app, "frame"))
        folders = Table(wait_for("the folder tree", lambda: find(t.frame, "tree table", "Folders")))
        messages = Table(wait_for("the message list", lambda: find(t.frame, "table", "Messages")))
        for control in ("Search", "Threads", "Main menu", "Delete"):
            if find(t.frame, "text", control) is None and \
               find(t.frame, "push button", control) is None and \
               find(t.frame, "toggle button", control) is None:
                raise Failure("no control named %r" % control)

    t.check("/ui/window/opens", window_opens)

    def folder_tree_shown():
        def has_folders():
            names = [row[1] for row in folders.rows() if len(row) > 1]
            return all(n in names for n in ("Inbox", "Trash", "Projects", "Cachet")) and names
        names = wait_for("the folders in the tree", has_folders)
        # Standard folders first, in role order, then the user's folders.
        assert names[:6] == ["Inbox", "Drafts", "Outbox", "Sent", "Trash", "Junk"], names
        assert names[6:] == ["Projects", "Cachet"], names
        inbox = folders.rows()[0]
        assert inbox[2] == "2", "Inbox should show 2 unread, not %r" % inbox[2]

    t.check("/ui/window/folder-tree", folder_tree_shown)

    def inbox_selected():
        folders.select_row(folders.find_row("Inbox"))
        wait_for("the Inbox messages", lambda: messages.find_row("Quarterly report") is not None)
        rows = messages.rows()
        assert len(rows) == 6, rows
        subjects = [r[1] for r in rows]
        assert "Lunch on Friday" in subjects and "Weekly gardening tips" in subjects, subjects

    t.check("/ui/window/select-inbox", inbox_selected)

    def open_message():
        row = messages.find_row("Lunch on Friday", column=1)
        messages.select_row(row)
        body = wait_for("the message body", lambda: find(t.frame, "text", "Message body"))
        wait_for("the body text", lambda: "pumpkin soup" in text_of(body))
        wait_for("the subject in the header",
                 lambda: find(t.frame, "label", "Lunch on Friday"))
        wait_for("the Cc in the header",
                 lambda: find(t.frame, "label", "Carol Example <carol@example.org>"))
        screenshot("main-window.png", t.frame)

    t.check("/ui/window/open-message", open_message)

    def shown_unread_is_marked_read():
        row = messages.find_row("Weekly gardening tips", column=1)
        messages.select_row(row)
        body = wait_for("the message body", lambda: find(t.frame, "text", "Message body"))
        wait_for("the newsletter's text", lambda: "snails" in text_of(body))
        wait_for("the Inbox count to drop to 1", lambda: folders.rows()[0][2] == "1")

    t.check("/ui/window/mark-read-when-shown", shown_unread_is_marked_read)

    def search():
        entry = find(t.frame, "text", "Search")
        entry.queryEditableText().setTextContents("pumpkin")
        wait_for("one search result",
                 lambda: [r[1] for r in messages.rows()] == ["Lunch on Friday"])
        # Escape in the entry ends the search and goes back to the folder.
        entry.queryComponent().grabFocus()
        wait_for("the search entry to have the focus",
                 lambda: entry.getState().contains(pyatspi.STATE_FOCUSED))
        pyatspi.Registry.generateKeyboardEvent(0xff1b, None, pyatspi.KEY_SYM)   # Escape
        wait_for("the whole folder again", lambda: len(messages.rows()) == 6)
        assert text_of(entry) == "", text_of(entry)

        # A message in another folder is found only when searching all folders.
        entry.queryEditableText().setTextContents("envelopes")
        wait_for("no result in the Inbox", lambda: pyatspi.findDescendant(
            t.frame, lambda a: a.getRoleName() == "label"
            and a.name == "No messages match the search"))
        everywhere = find(t.frame, "toggle button", "Search all folders")
        everywhere.queryAction().doAction(0)
        wait_for("the result from Projects/Cachet",
                 lambda: [r[1] for r in messages.rows()] == ["Sealed envelopes"])
        everywhere.queryAction().doAction(0)
        entry.queryEditableText().setTextContents("")
        wait_for("the whole folder again", lambda: len(messages.rows()) == 6)

    t.check("/ui/window/search", search)

    def mark_unread():
        row = messages.find_row("Quarterly report", column=1)
        messages.select_row(row)
        body = wait_for("the message body", lambda: find(t.frame, "text", "Message body"))
        wait_for("the report's text", lambda: "quarterly report is attached" in text_of(body))
        wait_for("the attachment button",
                 lambda: pyatspi.findDescendant(
                     t.frame, lambda a: a.getRoleName() == "push button"
                     and a.name.startswith("report.pdf")))
        screenshot("message-with-attachment.png", t.frame)
        button = find(t.frame, "push button", "Mark as unread")
        wait_for("the Mark as unread button to be enabled",
                 lambda: button.getState().contains(pyatspi.STATE_SENSITIVE))
        button.queryAction().doAction(0)
        wait_for("the Inbox count to rise to 2", lambda: folders.rows()[0][2] == "2")

    t.check("/ui/window/mark-unread", mark_unread)

    def delete():
        row = messages.find_row("Odd charset", column=1)
        messages.select_row(row)
        wait_for("the charset warning",
                 lambda: pyatspi.findDescendant(
                     t.frame, lambda a: a.getRoleName() == "label"
                     and "x-no-such-charset" in (a.name or "")))
        button = find(t.frame, "push button", "Delete")
        wait_for("the Delete button to be enabled",
                 lambda: button.getState().contains(pyatspi.STATE_SENSITIVE))
        button.queryAction().doAction(0)
        wait_for("the message to leave the list",
                 lambda: messages.find_row("Odd charset", column=1) is None
                 and len(messages.rows()) == 5)
        folders.select_row(folders.find_row("Trash"))
        wait_for("the message in the Trash",
                 lambda: messages.find_row("Odd charset", column=1) is not None)

    t.check("/ui/window/delete-to-trash", delete)

    def user_folder():
        folders.select_row(folders.find_row("Cachet"))
        wait_for("the message of the nested folder",
                 lambda: [r[1] for r in messages.rows()] == ["Sealed envelopes"])

    t.check("/ui/window/nested-folder", user_folder)

    def folder_names():
        return [row[1] for row in folders.rows()]

    def open_menu(button_name, item_name):
        button = wait_for("the %s button" % button_name,
                          lambda: find(t.frame, "toggle button", button_name))
        click(button)
        item = wait_for("the menu item %s" % item_name,
                        lambda: pyatspi.findDescendant(
                            t.frame, lambda a: a.getRoleName() == "push button"
                            and a.name == item_name
                            and a.getState().contains(pyatspi.STATE_SHOWING)))
        wait_for("%s to be enabled" % item_name,
                 lambda: item.getState().contains(pyatspi.STATE_SENSITIVE))
        click(item)

    def dialog(role, name):
        try:
            return wait_for("the %s %s" % (role, name),
                            lambda: pyatspi.findDescendant(
                                t.app, lambda a: a.getRoleName() == role and a.name == name))
        except Failure as e:
            windows = ["%s %r" % (w.getRoleName(), w.name) for w in t.app]
            raise Failure("%s; the windows are: %s" % (e, ", ".join(windows)))

    def show_folder(name, expected_subject):
        folders.select_row(folders.find_row(name))
        wait_for("the messages of %s" % name,
                 lambda: messages.find_row(expected_subject, column=1) is not None)

    def keyboard():
        show_folder("Inbox", "Lunch on Friday")
        messages.acc.queryComponent().grabFocus()
        messages.select_row(0)
        wait_for("the first message", lambda: messages.acc.queryTable().getSelectedRows() == [0])

        def key(name):
            pyatspi.Registry.generateKeyboardEvent(0, name, pyatspi.KEY_STRING)

        key("j")
        wait_for("j to select the next message",
                 lambda: messages.acc.queryTable().getSelectedRows() == [1])
        # The report, unread before, is now shown and so marked read.
        wait_for("the Inbox count to drop to 1", lambda: folders.rows()[0][2] == "1")
        key("k")
        wait_for("k to select the previous message",
                 lambda: messages.acc.queryTable().getSelectedRows() == [0])
        # n: the next unread message.  The report (marked unread before) was shown by j,
        # so read again; Alice's reply has never been shown.
        rows = messages.rows()
        unread = [i for i in range(1, len(rows))
                  if rows[i][0] == "Alice Example" and rows[i][1] == "Re: Lunch on Friday"]
        assert len(unread) == 1 and unread[0] > 1, rows
        key("n")
        wait_for("n to select the next unread message",
                 lambda: messages.acc.queryTable().getSelectedRows() == unread[:1])
        # In the search entry the same letters are text, not commands.
        entry = find(t.frame, "text", "Search")
        entry.queryComponent().grabFocus()
        wait_for("the search entry to have the focus",
                 lambda: entry.getState().contains(pyatspi.STATE_FOCUSED))
        key("j")
        wait_for("j typed into the search entry", lambda: text_of(entry) == "j")
        assert messages.acc.queryTable().getSelectedRows() == unread[:1]
        entry.queryEditableText().setTextContents("")

    t.check("/ui/window/keyboard-navigation", keyboard)

    def new_folder():
        show_folder("Inbox", "Lunch on Friday")
        open_menu("Main menu", "New Folder…")
        d = dialog("dialog", "New Folder")
        find(d, "text", "Folder name").queryEditableText().setTextContents("Receipts")
        create = wait_for("the Create button", lambda: find(d, "push button", "Create"))
        wait_for("Create to be enabled",
                 lambda: create.getState().contains(pyatspi.STATE_SENSITIVE))
        click(create)
        wait_for("Receipts in the folder tree", lambda: folder_names()[-1:] == ["Receipts"])

    t.check("/ui/window/new-folder", new_folder)

    def move():
        show_folder("Inbox", "Quarterly report")
        messages.select_row(messages.find_row("Quarterly report", column=1))
        open_menu("Message menu", "Move to Folder…")
        d = dialog("dialog", "Move Messages")
        tree = Table(wait_for("the folders of the dialog",
                              lambda: find(d, "tree table", "Folders")))
        tree.select_row(tree.find_row("Receipts"))
        click(find(d, "push button", "Move"))
        wait_for("the message to leave the Inbox",
                 lambda: messages.find_row("Quarterly report", column=1) is None)
        show_folder("Receipts", "Quarterly report")

    t.check("/ui/window/move-to-folder", move)

    def rename_folder():
        open_menu("Main menu", "Rename Folder…")
        d = dialog("dialog", "Rename Folder")
        find(d, "text", "Folder name").queryEditableText().setTextContents("Bills")
        rename = wait_for("the Rename button", lambda: find(d, "push button", "Rename"))
        wait_for("Rename to be enabled",
                 lambda: rename.getState().contains(pyatspi.STATE_SENSITIVE))
        click(rename)
        wait_for("Bills in the folder tree",
                 lambda: "Bills" in folder_names() and "Receipts" not in folder_names())

    t.check("/ui/window/rename-folder", rename_folder)

    def delete_folder():
        folders.select_row(folders.find_row("Bills"))
        open_menu("Main menu", "Delete Folder…")
        d = dialog("alert", "Delete Folder")
        click(wait_for("the Delete button", lambda: find(d, "push button", "Delete")))
        wait_for("Bills to leave the tree", lambda: "Bills" not in folder_names())
        show_folder("Trash", "Quarterly report")

    t.check("/ui/window/delete-folder", delete_folder)

    def import_mbox():
        # The chooser opens in the home folder (a private one under run-headless.sh).
        path = os.path.join(os.environ["HOME"], "import.mbox")
        with open(path, "w") as f:
            for i, word in enumerate(("one", "two", "three")):
                f.write("From someone@example.org Mon Jun 10 10:0%d:00 2024\n"
                        "From: Importer <importer@example.org>\n"
                        "Subject: Imported %s\n"
                        "Date: Mon, 10 Jun 2024 10:0%d:00 +0000\n"
                        "Message-ID: <import-%d@example.org>\n\n"
                        "Imported message %s.\n\n" % (i, word, i, i, word))
        show_folder("Inbox", "Lunch on Friday")
        open_menu("Main menu", "Import Mailbox…")
        chooser = dialog("file chooser", "Import Mailbox")
        files = Table(wait_for("the chooser's file list", lambda: pyatspi.findDescendant(
            chooser, lambda a: a.getRoleName() == "table" and a.name == "Files"
            and a.getState().contains(pyatspi.STATE_SHOWING))))
        row = wait_for("import.mbox in the file list",
                       lambda: [i for i, r in enumerate(files.rows()) if "import.mbox" in r])
        files.select_row(row[0])
        open_button = wait_for("the Open button", lambda: find(chooser, "push button", "Open"))
        wait_for("Open to be enabled",
                 lambda: open_button.getState().contains(pyatspi.STATE_SENSITIVE))
        click(open_button)
        d = dialog("dialog", "Import Mailbox")
        click(wait_for("the Import button", lambda: find(d, "push button", "Import")))
        wait_for("the result of the import", lambda: pyatspi.findDescendant(
            t.frame, lambda a: a.getRoleName() == "label"
            and a.name == "Imported 3 messages into Inbox."))
        wait_for("the imported messages in the Inbox",
                 lambda: all(messages.find_row("Imported " + w, column=1) is not None
                             for w in ("one", "two", "three")))
        screenshot("main-window-after-import.png", t.frame)

    t.check("/ui/window/import-mbox", import_mbox)

    def accounts():
        open_menu("Main menu", "Accounts…")
        d = dialog("dialog", "Accounts")
        click(wait_for("the Add account manually button",
                        lambda: find(d, "push button", "Add account manually")))
        editor = dialog("dialog", "Add Account")
        # The settings are on pages, one shown at a time, picked with a row of buttons.
        for page, role, name, text in (
                (None, "text", "Account name", "Desk Test"),
                (None, "text", "Email address", "desk@example.test"),
                (None, "password text", "Password", "desk-password"),
                ("Incoming (POP3)", "text", "POP3 server", "127.0.0.1"),
                (None, "text", "POP3 user name", "desk"),
                ("Outgoing (SMTP)", "text", "SMTP server", "127.0.0.1")):
            if page is not None:
                click(wait_for("the %s page button" % page, lambda: pyatspi.findDescendant(
                    editor, lambda a: a.getRoleName() in ("radio button", "toggle button")
                    and a.name == page)))
            entry = wait_for("the %s entry" % name, lambda: pyatspi.findDescendant(
                editor, lambda a: a.getRoleName() == role and a.name == name
                and a.getState().contains(pyatspi.STATE_SHOWING)))
            entry.queryEditableText().setTextContents(text)
        click(wait_for("the Save button", lambda: find(editor, "push button", "Save")))
        wait_for("Desk Test in the list of accounts", lambda: pyatspi.findDescendant(
            d, lambda a: a.getRoleName() == "list item" and a.name == "Desk Test"))
        screenshot("accounts-dialog.png", d)

    t.check("/ui/window/accounts", accounts)


if __name__ == "__main__":
    main()
