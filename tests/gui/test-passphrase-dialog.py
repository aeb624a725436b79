#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The passphrase dialog driven through AT-SPI.

usage: test-passphrase-dialog.py PASSPHRASE-HELPER

The helper (passphrase-helper.c) asks for a passphrase from a worker thread
the way a plugin's operation does.  This script answers as a person would,
finding the widgets by their accessible names: a wrong passphrase, then the
dialog comes back saying so and the right one unlocks; then Cancel cancels.
Screenshots of the dialog go to $CACHET_SCREENSHOT_DIR.

Needs an X display and a D-Bus session (tests/run-headless.sh provides both);
without them it prints a TAP skip.  Output is TAP on the original stdout.
"""

import os
import shutil
import sys
import tempfile

import atspi_harness
from atspi_harness import (Cachet, Test, app_env, click, enabled, find, find_text,
                           screenshot, showing, tap, text_of, wait_for)

pyatspi = atspi_harness.setup(whole_timeout=120)


PLAN = [
    "/ui/passphrase-dialog/asks",
    "/ui/passphrase-dialog/wrong-then-right",
    "/ui/passphrase-dialog/cancel",
]


def main():
    helper = sys.argv[1]
    env = app_env()
    tap.write("1..%d\n" % len(PLAN))
    work = tempfile.mkdtemp(prefix="cachet-passphrase-")
    # Started like cachet, so a refused first connection to the X server is
    # retried once.
    run = Cachet([helper], env, os.path.join(work, "helper.log"),
                 app_names=("passphrase-helper",))
    t = Test()
    state = {}

    def dialog():
        for w in state["app"]:
            if w.getRoleName() == "dialog" and w.name == "Passphrase Needed" and showing(w):
                return w
        return None

    def result():
        frame = [w for w in state["app"] if w.getRoleName() == "frame"][0]
        return text_of(find(frame, "label", "Result"))

    def answer(d, text):
        entry = wait_for("the passphrase entry", lambda: find(d, "password text", "Passphrase"))
        ok = find(d, "push button", "OK")
        assert not enabled(ok), "OK is enabled with nothing typed"
        entry.queryEditableText().setTextContents(text)
        wait_for("OK to be enabled", lambda: enabled(ok))
        # What assistive technology reads of the entry is never the passphrase.
        assert text not in text_of(entry), text_of(entry)
        click(ok)

    def asks():
        state["app"] = run.wait("the helper on the accessibility bus")
        d = state["dialog"] = wait_for("the passphrase dialog", dialog)
        wait_for("the key", lambda: find_text(
            d, "Enter the passphrase of the secret key of Test Key <key@example.org> (0123 4567)."))
        wait_for("the description", lambda: find_text(d, "Unlock the key to decrypt a test message"))
        assert find_text(d, "Wrong passphrase, try again.") is None, "says wrong at first"
        assert find(d, "push button", "Cancel") is not None
        assert result() == "Waiting", result()
        screenshot("passphrase-dialog-atspi.png", d)

    def wrong_then_right():
        first = state["dialog"]
        answer(first, "wrong")
        # The plugin asks again: a new dialog that says the last one was wrong.
        d = wait_for("the dialog to ask again",
                     lambda: dialog() if dialog() is not None
                     and find_text(dialog(), "Wrong passphrase, try again.") else None)
        screenshot("passphrase-dialog-again-atspi.png", d)
        answer(d, "right")
        wait_for("the key to be unlocked", lambda: result() == "Unlocked after 2 tries")

    def cancel():
        d = wait_for("the second question", dialog)
        assert find_text(d, "Wrong passphrase, try again.") is None
        click(find(d, "push button", "Cancel"))
        wait_for("the cancel to reach the worker", lambda: result() == "Cancelled")
        wait_for("the dialog to go", lambda: dialog() is None)

    try:
        for name, func in zip(PLAN, (asks, wrong_then_right, cancel)):
            try:
                t.check(name, func)
            except Exception:
                break
    finally:
        run.stop()
        shutil.rmtree(work, ignore_errors=True)
    t.finish(PLAN)

main()
