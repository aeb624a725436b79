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

import os
import shutil
import subprocess
import sys
import tempfile

import atspi_harness
from atspi_harness import (Cachet, Test, find, labels, private_dirs, screenshot, sha256, tap,
                           wait_for)

pyatspi = atspi_harness.setup(whole_timeout=240)


class App(Cachet):
    """One run of the binary."""

    def __init__(self, binary, args, env, log_path):
        super().__init__([binary] + args, env, log_path, match_pid=True)

    def main_window(self):
        self.wait()
        # With no account yet, the account wizard opens over the window: close it.
        wizard = wait_for("the account wizard",
                          lambda: find(self.acc, "frame", "Add Mail Account"))
        find(wizard, "push button", "Cancel").queryAction().doAction(0)
        wait_for("the wizard to close",
                 lambda: find(self.acc, "frame", "Add Mail Account") is None)
        return wait_for("the main window", lambda: find(self.acc, "frame"))


def main():
    binary, fixtures = sys.argv[1], sys.argv[2]
    t = Test()
    work = tempfile.mkdtemp(prefix="cachet-prefs-")
    env = atspi_harness.app_env()
    private_dirs(env, work)
    env["CACHET_DATA_DIR"] = os.path.join(work, "mail")
    # A settings file the test can write before the start and read after.
    env["GSETTINGS_BACKEND"] = "keyfile"

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
    t.finish(plan)


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
