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
import signal
import subprocess
import sys
import time
import traceback

TIMEOUT = 20.0
WHOLE_TIMEOUT = 120

tap = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr


def skip_all(reason):
    tap.write("1..0 # SKIP %s\n" % reason)
    sys.exit(0)


if not os.environ.get("DISPLAY"):
    skip_all("no display (run under tests/run-headless.sh)")
if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
    skip_all("no D-Bus session bus (run under tests/run-headless.sh)")
if os.environ.get("NO_AT_BRIDGE") == "1":
    skip_all("NO_AT_BRIDGE=1 turns accessibility off")

try:
    import pyatspi
except ImportError:
    skip_all("pyatspi is not installed (python3-pyatspi)")


def alarm(signum, frame):
    raise TimeoutError("the whole test took longer than %d s" % WHOLE_TIMEOUT)


signal.signal(signal.SIGALRM, alarm)
signal.alarm(WHOLE_TIMEOUT)


class Failure(Exception):
    pass


def wait_for(what, func, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = func()
            if result:
                return result
        except Exception as e:  # the accessible tree changes under us
            last_error = e
        time.sleep(0.1)
    raise Failure("timed out waiting for %s%s" % (
        what, " (last error: %s)" % last_error if last_error else ""))


def showing(acc):
    return acc.getState().contains(pyatspi.STATE_SHOWING)


def find(root, role, name=None, only_showing=False):
    def pred(acc):
        try:
            return (acc.getRoleName() == role and (name is None or acc.name == name)
                    and (not only_showing or showing(acc)))
        except Exception:
            return False
    return pyatspi.findDescendant(root, pred)


def find_text(root, text):
    def pred(acc):
        try:
            return (acc.getRoleName() in ("label", "alert") and showing(acc)
                    and text_of(acc) == text)
        except Exception:
            return False
    return pyatspi.findDescendant(root, pred)


def text_of(acc):
    try:
        t = acc.queryText()
        return t.getText(0, t.characterCount)
    except NotImplementedError:
        return acc.name


def click(acc):
    acc.queryAction().doAction(0)


def enabled(acc):
    return acc.getState().contains(pyatspi.STATE_SENSITIVE)


def screenshot(name, frame):
    directory = os.environ.get("CACHET_SCREENSHOT_DIR")
    if not directory:
        return
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    ext = frame.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    command = ["import", "-window", "root", "-crop",
               "%dx%d+%d+%d" % (ext.width, ext.height, max(ext.x, 0), max(ext.y, 0)),
               "+repage", path]
    try:
        subprocess.run(command, check=True, timeout=30, stdout=sys.stderr, stderr=sys.stderr)
        tap.write("# screenshot: %s\n" % path)
    except (OSError, subprocess.SubprocessError) as e:
        tap.write("# no screenshot (%s)\n" % e)


PLAN = [
    "/ui/passphrase-dialog/asks",
    "/ui/passphrase-dialog/wrong-then-right",
    "/ui/passphrase-dialog/cancel",
]


def main():
    helper = sys.argv[1]
    env = dict(os.environ)
    env.pop("NO_AT_BRIDGE", None)
    env["GTK_ENABLE_ANIMATIONS"] = "0"
    tap.write("1..%d\n" % len(PLAN))
    proc = subprocess.Popen([helper], env=env, stdout=sys.stderr, stderr=sys.stderr)
    n = 0
    failed = 0
    state = {}
    desktop = pyatspi.Registry.getDesktop(0)

    def app_found():
        if proc.poll() is not None:
            raise Failure("the helper exited with status %d" % proc.returncode)
        for app in desktop:
            if app is not None and app.name == "passphrase-helper":
                return app
        return None

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
        state["app"] = wait_for("the helper on the accessibility bus", app_found)
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
            n += 1
            try:
                func()
                tap.write("ok %d %s\n" % (n, name))
            except Exception:
                failed += 1
                tap.write("not ok %d %s\n" % (n, name))
                for line in traceback.format_exc().splitlines():
                    tap.write("# %s\n" % line)
                break
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    for i in range(n, len(PLAN)):
        tap.write("not ok %d %s # not run: an earlier step failed\n" % (i + 1, PLAN[i]))
        failed += 1
    sys.exit(1 if failed else 0)


main()
