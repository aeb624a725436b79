#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end test of crypto plugins in the real binary, driven through AT-SPI.

usage: test-preferences-gui.py CACHET-BINARY FIXTURE-DIR

Puts three fixture plugins in the user's plugin folder of a private home (one
turned on that loads, one turned on that crashes while it is checked, one not
turned on), starts cachet, opens Preferences from the main menu, reads the
Plugins page, turns the third plugin on with its switch, and checks the
setting.  Then starts cachet --safe-mode and opens Preferences with
Ctrl+comma.  Screenshots go to $CACHET_SCREENSHOT_DIR.

Needs an X display and a D-Bus session (tests/run-headless.sh); without them
it prints a TAP skip.  TAP goes to the original stdout, the rest to stderr.
"""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

TIMEOUT = 20.0
WHOLE_TIMEOUT = 240

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


def find(root, role, name=None):
    def pred(acc):
        try:
            return acc.getRoleName() == role and (name is None or acc.name == name)
        except Exception:
            return False
    return pyatspi.findDescendant(root, pred)


def labels(root):
    return [a.name for a in pyatspi.findAllDescendants(
        root, lambda a: a.getRoleName() == "label")]


def screenshot(name, frame=None):
    directory = os.environ.get("CACHET_SCREENSHOT_DIR")
    if not directory:
        return
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    command = ["import", "-window", "root"]
    if frame is not None:
        ext = frame.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        command += ["-crop", "%dx%d+%d+%d" % (ext.width, ext.height, max(ext.x, 0),
                                              max(ext.y, 0)), "+repage"]
    try:
        subprocess.run(command + [path], check=True, timeout=30,
                       stdout=sys.stderr, stderr=sys.stderr)
        tap.write("# screenshot: %s\n" % path)
    except (OSError, subprocess.SubprocessError) as e:
        tap.write("# no screenshot (%s)\n" % e)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Test:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, name, func):
        self.n += 1
        try:
            func()
            tap.write("ok %d %s\n" % (self.n, name))
        except Exception:
            self.failed += 1
            tap.write("not ok %d %s\n" % (self.n, name))
            for line in traceback.format_exc().splitlines():
                tap.write("# %s\n" % line)
            raise


class App:
    """One run of the binary."""

    def __init__(self, binary, args, env, log_path):
        self.proc = subprocess.Popen([binary] + args, env=env, stdout=sys.stderr,
                                     stderr=open(log_path, "w"))
        self.log_path = log_path
        self.acc = None

    def find_app(self):
        if self.proc.poll() is not None:
            with open(self.log_path, errors="replace") as log:
                raise Failure("cachet exited with status %d: %s"
                              % (self.proc.returncode, log.read()[-500:]))
        for app in pyatspi.Registry.getDesktop(0):
            if app is not None and app.name in ("cachet", "Cachet"):
                try:
                    pid = app.get_process_id()
                except Exception:
                    pid = None
                if pid in (None, self.proc.pid):
                    return app
        return None

    def main_window(self):
        self.acc = wait_for("cachet on the accessibility bus", self.find_app)
        # With no account yet, the account wizard opens over the window: close it.
        wizard = wait_for("the account wizard",
                          lambda: find(self.acc, "frame", "Add Mail Account"))
        find(wizard, "push button", "Cancel").queryAction().doAction(0)
        wait_for("the wizard to close",
                 lambda: find(self.acc, "frame", "Add Mail Account") is None)
        return wait_for("the main window", lambda: find(self.acc, "frame"))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        with open(self.log_path, errors="replace") as log:
            sys.stderr.write(log.read())


def main():
    binary, fixtures = sys.argv[1], sys.argv[2]
    t = Test()
    work = tempfile.mkdtemp(prefix="cachet-prefs-")
    env = dict(os.environ)
    env.pop("NO_AT_BRIDGE", None)
    for name, sub in (("HOME", "home"), ("XDG_DATA_HOME", "data"),
                      ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache"),
                      ("XDG_STATE_HOME", "state")):
        env[name] = os.path.join(work, sub)
    env["CACHET_DATA_DIR"] = os.path.join(work, "mail")
    # A settings file the test can write before the start and read after.
    env["GSETTINGS_BACKEND"] = "keyfile"
    env["GTK_ENABLE_ANIMATIONS"] = "0"

    plugin_dir = os.path.join(env["XDG_DATA_HOME"], "cachet", "crypto-plugins-1")
    os.makedirs(plugin_dir, mode=0o755)
    plugins = {}
    for fixture, name in (("minimal", "a-good.so"), ("init-crashes", "b-crash.so"),
                          ("other-id", "c-other.so")):
        path = os.path.join(plugin_dir, name)
        shutil.copyfile(os.path.join(fixtures, "abi-plugin-%s.so" % fixture), path)
        os.chmod(path, 0o644)
        plugins[name] = path

    def gsettings(*args):
        return subprocess.run(["gsettings"] + list(args), env=env, check=True,
                              capture_output=True, text=True).stdout.strip()

    gsettings("set", "org.cachet.Cachet", "enabled-plugins",
              "['org.cachet.test.Minimal=%s', 'org.cachet.test.Crash=%s']"
              % (sha256(plugins["a-good.so"]), sha256(plugins["b-crash.so"])))

    plan = 4
    tap.write("1..%d\n" % plan)
    app = None
    try:
        app = App(binary, [], env, os.path.join(work, "cachet.log"))
        run_normal(t, app, gsettings, plugins)
        app.stop()
        app = App(binary, ["--safe-mode"], env, os.path.join(work, "cachet-safe.log"))
        run_safe_mode(t, app)
    except Exception:
        pass
    finally:
        if app is not None:
            app.stop()
        shutil.rmtree(work, ignore_errors=True)
    for i in range(t.n + 1, plan + 1):
        tap.write("not ok %d # not run: an earlier step failed\n" % i)
        t.failed += 1
    sys.exit(1 if t.failed else 0)


def run_normal(t, app, gsettings, plugins):
    prefs = None

    def open_from_menu():
        nonlocal prefs
        frame = app.main_window()
        menu = wait_for("the main menu button", lambda: find(frame, "toggle button", "Main menu"))
        menu.queryAction().doAction(0)
        item = wait_for("the Preferences item", lambda: find(app.acc, "push button", "Preferences")
                        or find(app.acc, "menu item", "Preferences"))
        item.queryAction().doAction(0)
        prefs = wait_for("the Preferences window", lambda: find(app.acc, "frame", "Preferences"))
        wait_for("the Plugins tab", lambda: find(prefs, "page tab", "Plugins"))

    t.check("/ui/preferences-gui/open-from-menu", open_from_menu)

    def plugins_listed():
        wait_for("the loaded plugin", lambda: "Test plugin" in labels(prefs))
        texts = labels(prefs)
        assert "Version 1.0 · org.cachet.test.Minimal" in texts, texts
        assert "Loaded" in texts, texts
        assert ("Refused: The plugin crashed while being checked (segmentation fault)."
                in texts), texts
        assert "c-other.so" in texts, texts
        assert any(s.startswith("Off: Plugins in your own folder") for s in texts), texts
        screenshot("preferences-plugins-app.png", prefs)

    t.check("/ui/preferences-gui/plugins-listed", plugins_listed)

    def enable_with_switch():
        switch = find(prefs, "toggle button", "Turn on c-other.so")
        assert switch is not None, "no switch for c-other.so"
        assert not switch.getState().contains(pyatspi.STATE_CHECKED)
        switch.queryAction().doAction(0)
        wait_for("the second plugin to load",
                 lambda: "Version 1.0 · org.cachet.test.Other" in labels(prefs))
        assert labels(prefs).count("Loaded") == 2, labels(prefs)
        value = "org.cachet.test.Other=%s" % sha256(plugins["c-other.so"])
        wait_for("the setting", lambda: value in gsettings("get", "org.cachet.Cachet",
                                                           "enabled-plugins"))
        screenshot("preferences-plugin-enabled-app.png", prefs)

    t.check("/ui/preferences-gui/enable-with-switch", enable_with_switch)


def run_safe_mode(t, app):
    def safe_mode():
        frame = app.main_window()
        frame.queryComponent().grabFocus()
        # Ctrl+comma: Control_L and comma by their keycodes on Xvfb's keymap.
        pyatspi.Registry.generateKeyboardEvent(37, None, pyatspi.KEY_PRESS)
        pyatspi.Registry.generateKeyboardEvent(59, None, pyatspi.KEY_PRESSRELEASE)
        pyatspi.Registry.generateKeyboardEvent(37, None, pyatspi.KEY_RELEASE)
        prefs = wait_for("the Preferences window", lambda: find(app.acc, "frame", "Preferences"))
        wait_for("the safe mode note", lambda: any(
            s.startswith("Cachet runs in safe mode: no plugin was loaded.")
            for s in labels(prefs)))
        assert "Test plugin" not in labels(prefs), labels(prefs)
        screenshot("preferences-safe-mode-app.png", prefs)

    t.check("/ui/preferences-gui/safe-mode", safe_mode)


if __name__ == "__main__":
    main()
