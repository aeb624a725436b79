# SPDX-License-Identifier: GPL-3.0-or-later
"""What the GUI tests driven through AT-SPI share.

The test scripts beside this file import it (Python puts a script's own
folder first on sys.path).  Importing it makes the TAP stream: TAP goes to a
copy of stdout, and stdout itself becomes stderr, so that nothing else
printed (by libraries, or the application) can break it.  Then a script
calls setup(), which prints a TAP skip and exits where there is no display,
no D-Bus session or no pyatspi, imports pyatspi and arms the alarm for the
whole test.

The rest are helpers: wait_for() polls, find() and friends walk the
accessible tree, Table reads a GtkTreeView, screenshot() saves the screen
or one window, Test writes the TAP result lines, Cachet starts the binary
with its output in a log and finds it on the accessibility bus.
"""

import hashlib
import os
import signal
import subprocess
import sys
import time
import traceback

TIMEOUT = 20.0  # seconds to wait for one thing to appear; setup() may change it

tap = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr

pyatspi = None


def skip_all(reason, servers=False):
    """Skips the whole test; one that needs the test mail servers fails instead where
    CACHET_TEST_REQUIRE_SERVERS=1."""
    if servers and os.environ.get("CACHET_TEST_REQUIRE_SERVERS") == "1":
        tap.write("Bail out! %s (CACHET_TEST_REQUIRE_SERVERS=1)\n" % reason)
        sys.exit(1)
    tap.write("1..0 # SKIP %s\n" % reason)
    sys.exit(0)


def setup(whole_timeout, timeout=20.0, check=None):
    """Skips without a desktop; imports and returns pyatspi; the whole test is ended by a
    TimeoutError after whole_timeout seconds.  check() is called before pyatspi is
    imported: a reason to skip, or None."""
    global TIMEOUT, pyatspi
    TIMEOUT = timeout
    if not os.environ.get("DISPLAY"):
        skip_all("no display (run under tests/run-headless.sh)")
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        skip_all("no D-Bus session bus (run under tests/run-headless.sh)")
    if os.environ.get("NO_AT_BRIDGE") == "1":
        skip_all("NO_AT_BRIDGE=1 turns accessibility off")
    reason = check() if check is not None else None
    if reason:
        skip_all(reason)

    try:
        import pyatspi as module
    except ImportError:
        skip_all("pyatspi is not installed (python3-pyatspi)")
    pyatspi = module

    def alarm(signum, frame):
        raise TimeoutError("the whole test took longer than %d s" % whole_timeout)

    signal.signal(signal.SIGALRM, alarm)
    signal.alarm(whole_timeout)
    return pyatspi


class Failure(Exception):
    pass


def wait_for(what, func, timeout=None):
    """Polls func() until it returns something true; returns that."""
    deadline = time.monotonic() + (TIMEOUT if timeout is None else timeout)
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


# The accessible tree ----------------------------------------------------------------------

def showing(acc):
    return acc.getState().contains(pyatspi.STATE_SHOWING)


def enabled(acc):
    return acc.getState().contains(pyatspi.STATE_SENSITIVE)


def click(acc):
    acc.queryAction().doAction(0)


def text_of(acc):
    try:
        t = acc.queryText()
        return t.getText(0, t.characterCount)
    except NotImplementedError:
        return acc.name


def find(root, role, name=None, only_showing=False):
    """The first descendant of that role (any role for None) and name (any for None)."""
    def pred(acc):
        try:
            return ((role is None or acc.getRoleName() == role)
                    and (name is None or acc.name == name)
                    and (not only_showing or showing(acc)))
        except Exception:
            return False
    return pyatspi.findDescendant(root, pred)


def find_all(root, role):
    return pyatspi.findAllDescendants(root, lambda a: a.getRoleName() == role)


def labels(root):
    return [a.name for a in find_all(root, "label")]


def find_text(root, text):
    """A label (or alert) on screen that says text."""
    def pred(acc):
        try:
            return (acc.getRoleName() in ("label", "alert") and showing(acc)
                    and text_of(acc) == text)
        except Exception:
            return False
    return pyatspi.findDescendant(root, pred)


def cell_texts(cell):
    """The texts of a table cell, or of the renderers of a multi-renderer cell."""
    if cell.childCount == 0:
        return [cell.name]
    return [c.name for c in cell]


class Table:
    """A GtkTreeView seen through AT-SPI's Table interface."""

    def __init__(self, acc):
        self.acc = acc

    def rows(self):
        table = self.acc.queryTable()
        result = []
        for r in range(table.nRows):
            row = []
            for c in range(table.nColumns):
                row.extend(cell_texts(table.getAccessibleAt(r, c)))
            result.append(row)
        return result

    def find_row(self, text, column=None):
        for i, row in enumerate(self.rows()):
            if (text in row) if column is None else (row[column] == text):
                return i
        return None

    def select_row(self, index):
        self.acc.querySelection().clearSelection()
        self.acc.queryTable().addRowSelection(index)


def screenshot(name, frame=None):
    """Saves the screen, or only frame's window, to $CACHET_SCREENSHOT_DIR/name."""
    directory = os.environ.get("CACHET_SCREENSHOT_DIR")
    if not directory:
        return
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    command = ["import", "-window", "root"]
    if frame is not None:
        # Only the window, not the empty screen around it.
        ext = frame.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        command += ["-crop", "%dx%d+%d+%d" % (ext.width, ext.height, max(ext.x, 0),
                                              max(ext.y, 0)), "+repage"]
    try:
        subprocess.run(command + [path], check=True, timeout=30,
                       stdout=sys.stderr, stderr=sys.stderr)
        tap.write("# screenshot: %s\n" % path)
    except (OSError, subprocess.SubprocessError) as e:
        tap.write("# no screenshot (%s)\n" % e)


# TAP results ------------------------------------------------------------------------------

class Test:
    """Numbers the steps and writes a TAP line for each."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, name, func):
        """Runs one step; a failure is written with its traceback, then raised again."""
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

    def finish(self, plan):
        """Fails the steps of the plan (a count, or the list of names) that did not run,
        and exits."""
        names = plan if isinstance(plan, list) else None
        count = len(plan) if names is not None else plan
        for i in range(self.n, count):
            if names is not None:
                tap.write("not ok %d %s # not run: an earlier step failed\n" % (i + 1, names[i]))
            else:
                tap.write("not ok %d # not run: an earlier step failed\n" % (i + 1))
            self.failed += 1
        sys.exit(1 if self.failed else 0)


# The application --------------------------------------------------------------------------

def app_env():
    """The environment for the program under test: accessible, without animations."""
    env = dict(os.environ)
    env.pop("NO_AT_BRIDGE", None)
    env["GTK_ENABLE_ANIMATIONS"] = "0"
    return env


def private_dirs(env, work, make=False):
    """HOME and the XDG folders of env in work."""
    for name, sub in (("HOME", "home"), ("XDG_DATA_HOME", "data"),
                      ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache"),
                      ("XDG_STATE_HOME", "state")):
        env[name] = os.path.join(work, sub)
        if make:
            os.makedirs(env[name], mode=0o700)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def stop_process(proc, timeout=10):
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Cachet:
    """One run of the binary, its output in a log file."""

    def __init__(self, argv, env, log_path, retry_display=True, match_pid=False, tail=500,
                 app_names=("cachet", "Cachet")):
        self.argv = argv
        self.app_names = app_names
        self.env = env
        self.log_path = log_path
        self.retry_display = retry_display
        self.match_pid = match_pid
        self.tail = tail
        self.acc = None
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(self.argv, env=self.env, stdout=sys.stderr,
                                     stderr=open(self.log_path, "w"))

    def log(self):
        with open(self.log_path, errors="replace") as log:
            return log.read()

    def find_app(self):
        """The application on the accessibility bus, None while it is not there yet."""
        if self.proc.poll() is not None:
            output = self.log()
            # Seen on busy machines running several Xvfb servers: the first connection to
            # a fresh server is refused now and then.  One more try, said in the log.
            if self.retry_display and "cannot open display" in output:
                self.retry_display = False
                tap.write("# cachet could not open %s; starting it once more\n"
                          % os.environ.get("DISPLAY"))
                self.start()
                return None
            raise Failure("cachet exited with status %d: %s" % (self.proc.returncode,
                                                                 output[-self.tail:]))
        for app in pyatspi.Registry.getDesktop(0):
            if app is not None and app.name in self.app_names:
                if not self.match_pid:
                    return app
                try:
                    pid = app.get_process_id()
                except Exception:
                    pid = None
                if pid in (None, self.proc.pid):
                    return app
        return None

    def wait(self, what="cachet on the accessibility bus"):
        self.acc = wait_for(what, self.find_app)
        return self.acc

    def stop(self, timeout=10):
        """Ends it and copies its log to stderr."""
        stop_process(self.proc, timeout)
        if os.path.exists(self.log_path):
            sys.stderr.write(self.log())
