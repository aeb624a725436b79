#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The OpenPGP samples of a third-party corpus through `cachet show`, each against the
expectations table corpus-expected.tsv (decrypted or not, signature status and signer,
a text the shown message holds).  The keys are the corpus's own public test keys,
imported by gpg-home.sh.  Prints TAP.

Usage: test-interop-corpus.py CACHET PLUGIN CORPUS_DIR
  PLUGIN: the built OpenPGP plugin, or '' (skips, saying why)
  CORPUS_DIR: a corpus with MANIFEST.tsv, or '' (skips, saying why)"""

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop_env  # noqa: E402

TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus-expected.tsv")


def read_table():
    rows = []
    with open(TABLE, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) == 6:
                fields.append(None)
            if len(fields) != 7:
                raise SystemExit(f"corpus-expected.tsv: bad line: {line!r}")
            rows.append(fields)
    return rows


def check(env, corpus, row):
    """Why the sample does not give what the table says, or None."""
    rel, passphrase, decrypted, signature, signer, snippet, _todo = row
    path = os.path.join(corpus, rel)
    if not os.path.isfile(path):
        return f"{path} is missing from the corpus"
    status, out, err = env.show(path, None if passphrase == "-" else passphrase)
    report = interop_env.sanitizer_report(err)
    if report:
        return report
    if status != 0:
        return f"exit status {status}: {err.decode('utf-8', 'replace').strip()[-500:]}"
    got = interop_env.parse_status(out)
    head = "\n".join(out.splitlines()[:6])
    if decrypted == "-" and signature == "none":
        if got["verdict"] is not None or got["signatures"]:
            return f"a verdict for a message that is not sealed: {got}"
        if snippet != "-" and snippet not in out:
            return f"the shown message lacks {snippet!r}"
        return None
    if got["verdict"] is None:
        return "no verdict line; output begins:\n" + head
    if not out.startswith("Crypto: "):
        return "the verdict is not the first line; output begins:\n" + head
    st = got["status"]
    if decrypted == "yes" and not (st.get("encrypted") == "yes" and st.get("decrypted") == "yes"):
        return f"not decrypted: {st}, problem: {got['problem']}"
    if decrypted == "no" and not (st.get("encrypted") == "yes" and st.get("decrypted") == "no"):
        return f"expected encrypted and not decrypted: {st}"
    if decrypted == "-" and st.get("encrypted") == "yes":
        return f"says encrypted: {st}"
    sigs = got["signatures"]
    if signature == "not-good":
        if any(s[0] == "good" for s in sigs):
            return f"a good signature where none should be: {sigs}"
        if not any(s[0] in ("bad", "error") for s in sigs) and got["problem"] is None:
            return f"neither a bad signature nor a problem: {st}, {sigs}"
    elif signature == "none":
        if sigs:
            return f"expected no signature, got {sigs}"
    else:
        if not sigs:
            return f"expected a {signature} signature, got none ({st}, problem: {got['problem']})"
        match = [s for s in sigs if s[0] == signature
                 and (signer == "-" or s[1]["fingerprint"].upper().endswith(signer))]
        if not match:
            return f"expected a {signature} signature by …{signer}, got {sigs}"
        if signature != "good" and any(s[0] == "good" for s in sigs):
            return f"a good signature where none should be: {sigs}"
    if snippet != "-" and snippet not in out:
        return f"the shown message lacks {snippet!r}"
    return None


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    cachet, plugin, corpus = sys.argv[1:]
    if not plugin:
        print("1..0 # SKIP the OpenPGP plugin is not built (GPGME missing?)")
        return 0
    if not corpus:
        print("1..0 # SKIP no corpus: configure with -Dcorpus=DIR to check its OpenPGP samples")
        return 0
    rows = read_table()
    tap = interop_env.Tap(len(rows) + 1)
    env = interop_env.Env(cachet, plugin)
    try:
        env.gpg_home("corpus", env.gnupghome, corpus)
        tap.ok(True, "corpus keys imported")
        for row in rows:
            why = check(env, corpus, row)
            name = row[0] + (" (with passphrase)" if row[1] != "-" else "")
            if row[6]:
                tap.todo(why is None, name, row[6], why)
            else:
                tap.ok(why is None, name, why)
    finally:
        env.close()
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
