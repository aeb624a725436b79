#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: bench/crypto/run-crypto-bench.sh [--runs N] [--mem-runs N] [--sizes LIST]
#          [--keys LIST] [--seed SEED] [--interval MS] [--builddir DIR] [--keep]
#
# The sealed mail benchmark: Cachet against the gpg command line doing the
# same cryptographic work, for a message with a text body and one attachment
# of deterministic random bytes (--sizes, default 10K,1M,20M):
#
#   seal   tests/crypto-interop/crypto-seal-tool: the message built as the
#          composer builds it, signed and encrypted (PGP/MIME) to one
#          recipient and to the sender, through the OpenPGP plugin;
#          against `gpg --sign --encrypt --armor -r PEER -r ME -u ME` of the
#          message as built (crypto-seal-tool's --plain output)
#   open   `cachet show --passphrase-file F` of the sealed message (decrypt,
#          verify, print); against `gpg --decrypt` of its encrypted part
#
# in two throwaway GnuPG homes (--keys): "nopass", the sender's key has no
# passphrase, and "pass", it has one (gpg-agent with s2k-count 65536 and no
# passphrase cache, so each run unlocks the key). The plugin is installed
# into a private $XDG_DATA_HOME and enabled in the keyfile settings, as the
# crypto interop tests do (tests/crypto-interop/interop_env.py, gpg-home.sh).
#
# Each command runs once untimed and checked (Cachet's verdict: decrypted, a
# good signature; gpg's DECRYPTION_OKAY and GOODSIG; the attachment byte for
# byte), then --runs times (default 7) for the time, Cachet's and gpg's runs
# alternating, with nothing watching them: wall time from spawning to exit.
# Then --mem-runs times (default 2) for the memory: the peak summed PSS of
# the process tree (sampled every --interval ms, default 5; PSS so that a
# child between fork and exec does not count its parent's pages twice), or
# the largest single process's own VmHWM when that is more. Reading a big
# process's memory map slows it down, hence the separate runs. gpg-agent
# serves both and is counted in neither. Prints a table: median and fastest time,
# peak memory and Cachet's figures over gpg's. Needs gpg; nothing on the
# network. Work files (about 150 MB with the 20 MB size) go to /tmp and are
# removed at the end unless --keep; the agents of the homes are stopped.
# Never part of the tests.
set -euo pipefail

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
builddir=$srcdir/build
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --runs|--mem-runs|--sizes|--keys|--seed|--interval) args+=("$1" "$2"); shift 2 ;;
    --keep) args+=("$1"); shift ;;
    --builddir) builddir=$(cd "$2" && pwd); shift 2 ;;
    -h|--help) sed -n '3,38s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "run-crypto-bench: unknown option $1" >&2; exit 2 ;;
  esac
done

python=/usr/bin/python3
[ -x "$python" ] || python=python3
command -v gpg >/dev/null || { echo "run-crypto-bench: gpg is not installed" >&2; exit 1; }

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "$srcdir" >/dev/null
fi
ninja -C "$builddir" -j2 app/cachet tests/crypto-interop/crypto-seal-tool \
  plugins/openpgp/cachet-openpgp.so data/gschemas.compiled >/dev/null
plugin=$builddir/plugins/openpgp/cachet-openpgp.so
[ -f "$plugin" ] || { echo "run-crypto-bench: no OpenPGP plugin in $builddir (GPGME missing?)" >&2; exit 1; }

echo "run-crypto-bench: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)," \
  "$(gpg --version | head -n 1), $(gpg --version | sed -n 's/^libgcrypt /libgcrypt /p')" >&2
exec "$python" "$srcdir/bench/crypto/crypto-bench.py" \
  --cachet "$builddir/app/cachet" \
  --seal-tool "$builddir/tests/crypto-interop/crypto-seal-tool" \
  --plugin "$plugin" --schema-dir "$builddir/data" "${args[@]}"
