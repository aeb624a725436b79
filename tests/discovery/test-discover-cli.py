#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""cachet discover and cachet profile check, run as a user would.
Usage: test-discover-cli.py CACHET ISP_DIR.  Prints TAP."""

import os
import subprocess
import sys
import tempfile

cachet, isp_dir = sys.argv[1], sys.argv[2]
results = []
tmp = tempfile.mkdtemp(prefix="discover-cli-")


def run(*args, env_extra=None):
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    env["CACHET_ISP_DIR"] = isp_dir
    env["XDG_CONFIG_HOME"] = os.path.join(tmp, "config")
    env["XDG_DATA_DIRS"] = os.path.join(tmp, "nodata")
    env.update(env_extra or {})
    return subprocess.run([cachet, *args], capture_output=True, timeout=120, env=env, text=True)


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


# A domain with a bundled profile: found at once, never needs the network
p = run("discover", "jo@demo.test")
check("discover finds the demo profile", p.returncode == 0
      and "POP3 127.0.0.1, port 18995, TLS, user jo@demo.test" in p.stdout
      and "SMTP 127.0.0.1, port 18587, STARTTLS" in p.stdout
      and "Cachet Demo Mail" in p.stdout, p.stdout + p.stderr)
check("discover lists every step", all(f"{n}. " in p.stdout for n in range(1, 6)) and
      "skipped" in p.stdout, p.stdout)

# The user's own profile overrides the bundled one
user_isp = os.path.join(tmp, "config", "cachet", "isp")
os.makedirs(user_isp)
with open(os.path.join(isp_dir, "demo.test.xml")) as f:
    text = f.read().replace("18995", "28995").replace("Cachet Demo Mail", "My Demo")
with open(os.path.join(user_isp, "mine.xml"), "w") as f:
    f.write(text)
p = run("discover", "--local", "jo@demo.test")
check("a profile in XDG_CONFIG_HOME overrides the bundled one", p.returncode == 0
      and "port 28995" in p.stdout and "My Demo" in p.stdout, p.stdout + p.stderr)
os.remove(os.path.join(user_isp, "mine.xml"))

# Only local, unknown domain: nothing found, exit 1
p = run("discover", "--local", "jo@unknown.test")
check("discover --local with no profile exits 1", p.returncode == 1
      and "none found" in p.stdout, p.stdout + p.stderr)

p = run("discover", "not-an-address")
check("discover refuses a bad address with 2", p.returncode == 2 and "e-mail address" in p.stderr,
      p.stderr)
p = run("discover")
check("discover without address is a usage error", p.returncode == 2, p.stderr)

# profile check
for name in sorted(os.listdir(isp_dir)):
    if name.endswith(".xml"):
        p = run("profile", "check", os.path.join(isp_dir, name))
        check(f"profile check {name}: no problems", p.returncode == 0
              and "no problems found" in p.stdout, p.stdout)

bad = os.path.join(tmp, "bad.xml")
with open(bad, "w") as f:
    f.write('<?xml version="1.0"?>\n<clientConfig version="1.1">\n'
            '<emailProvider id="x"><domain>x.test</domain><displayName>X</displayName>\n'
            '<incomingServer type="pop3">\n'
            '<hostname>pop.x.test</hostname>\n'
            '<port>99999</port>\n'
            '<socketType>TLS</socketType>\n'
            '<username>%EMAILADDRESS%</username>\n'
            '<authentication>password-cleartext</authentication>\n'
            '</incomingServer></emailProvider></clientConfig>\n')
p = run("profile", "check", bad)
check("profile check names each problem with its line", p.returncode == 1
      and f"{bad}:6:" in p.stdout and "port" in p.stdout
      and f"{bad}:7:" in p.stdout and "socketType" in p.stdout
      and "not usable" in p.stdout, p.stdout)

broken = os.path.join(tmp, "broken.xml")
with open(broken, "w") as f:
    f.write('<clientConfig version="1.1">\n<emailProvider>\n<domain>x</dom>\n')
p = run("profile", "check", broken)
check("profile check reports broken XML with its line", p.returncode == 1
      and f"{broken}:3:" in p.stdout and "error" in p.stdout, p.stdout)

imap = os.path.join(tmp, "imap.xml")
with open(imap, "w") as f:
    f.write('<clientConfig version="1.1"><emailProvider id="i"><domain>i.test</domain>'
            '<displayName>I</displayName>\n<incomingServer type="imap"><hostname>imap.i.test'
            '</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%'
            '</username><authentication>password-cleartext</authentication></incomingServer>'
            '</emailProvider></clientConfig>\n')
p = run("profile", "check", imap)
check("profile check warns about an IMAP-only profile", p.returncode == 1
      and "warning" in p.stdout and "IMAP" in p.stdout, p.stdout)

huge = os.path.join(tmp, "huge.xml")
with open(huge, "w") as f:
    f.write("<clientConfig>" + " " * (300 * 1024) + "</clientConfig>")
p = run("profile", "check", huge)
check("profile check refuses a huge file", p.returncode == 1 and "KiB" in p.stdout, p.stdout)

p = run("profile", "check", os.path.join(tmp, "missing.xml"))
check("profile check of a missing file fails", p.returncode == 1 and "missing.xml" in p.stdout,
      p.stdout + p.stderr)
p = run("profile")
check("profile without check is a usage error", p.returncode == 2, p.stderr)

print(f"1..{len(results)}")
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} {name}")
    if not ok:
        for line in str(detail).splitlines()[:40]:
            print(f"# {line}")
