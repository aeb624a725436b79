#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run Debian's getmail with its child-reaping race fixed.

usage: getmail-waitpid.py [getmail options...]

getmail (6.18.11 in Debian 12) delivers every message in a forked child and
learns that the child ended from a SIGCHLD handler that it installs only
after fork(), and that signals a condition it may not be waiting on yet.
When the child is quicker than the parent, the notice is lost and getmail
waits out its socket timeout (180 s) and then gives up the whole run with
"operation error (waiting child pid N timed out)". On this benchmark's
5,000 messages that happened within the first few hundred every time (the
race is reported upstream, getmail6 issue 226).

This wrapper replaces only that wait: the parent waits for its child with a
plain waitpid(), exactly where getmail waited for the condition. Everything
else (retrieval, the fork per message, the Maildir delivery with its fsync)
is getmail's own code, so the figures are getmail's.
"""

import os
import runpy
import sys

from getmailcore import baseclasses
from getmailcore.exceptions import getmailOperationError


def forkchild(self, childfun, with_out=True):
    self.child = child = baseclasses.Namespace()
    child.stdout = baseclasses.TemporaryFile23()
    child.stderr = baseclasses.TemporaryFile23()
    child.childpid = os.fork()
    if child.childpid == 0:
        childfun(child.stdout, child.stderr)  # never returns
        os._exit(127)
    self.log.debug('spawned child %d\n' % child.childpid)
    _, status = os.waitpid(child.childpid, 0)
    if os.WIFSIGNALED(status):
        raise getmailOperationError('child pid %d killed by signal %d'
                                    % (child.childpid, os.WTERMSIG(status)))
    if not os.WIFEXITED(status):
        raise getmailOperationError('child pid %d failed to exit' % child.childpid)
    child.exitcode = os.WEXITSTATUS(status)
    child.stderr.seek(0)
    child.err = child.stderr.read().strip().decode()
    child.stdout.seek(0)
    if with_out:
        child.out = child.stdout.read().strip()
    return child


baseclasses.ForkingBase.forkchild = forkchild

sys.argv[0] = "getmail"
runpy.run_path("/usr/bin/getmail", run_name="__main__")
