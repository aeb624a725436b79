#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Throwaway GnuPG homes for the crypto tests.
#
#   gpg-home.sh new                 make a short temporary GNUPGHOME, print its path
#   gpg-home.sh keys HOME           generate the test keys (see below) into HOME
#   gpg-home.sh corpus HOME CORPUS  import the public test keys of the corpus into HOME
#   gpg-home.sh kill HOME           stop the agent HOME started and remove HOME
#
# The home's path is kept short (/tmp/cgXXXXXX): gpg-agent's sockets live in it
# and a Unix socket path has at most 107 bytes.  The agent allows loopback
# pinentry (the plugin asks the host for passphrases that way) and uses
# s2k-count 65536 so a passphrase key takes milliseconds instead of seconds.
#
# Test keys (ed25519/cv25519, never expiring, ultimately trusted as own keys):
#   Alice Tester <alice@example.test>   passphrase "alice-passphrase"
#   Bob Tester <bob@example.test>       no passphrase
set -euo pipefail

ALICE_UID='Alice Tester <alice@example.test>'
ALICE_PASSPHRASE='alice-passphrase'
BOB_UID='Bob Tester <bob@example.test>'

die() { echo "gpg-home.sh: $*" >&2; exit 1; }

cmd_new() {
  local home
  home=$(mktemp -d /tmp/cgXXXXXX)
  chmod 700 "$home"
  cat >"$home/gpg-agent.conf" <<'EOF'
allow-loopback-pinentry
default-cache-ttl 0
max-cache-ttl 0
s2k-count 65536
EOF
  cat >"$home/gpg.conf" <<'EOF'
pinentry-mode loopback
no-auto-key-retrieve
no-auto-key-locate
EOF
  echo "$home"
}

g() {
  gpg --homedir "$HOME_DIR" --batch --no-tty --quiet "$@"
}

cmd_keys() {
  g --passphrase "$ALICE_PASSPHRASE" --quick-gen-key "$ALICE_UID" future-default default never
  g --passphrase '' --quick-gen-key "$BOB_UID" future-default default never
}

# Imports FILE; secret keys with PASSPHRASE when given.
import() {
  local file=$1 passphrase=${2-}
  if [ -n "$passphrase" ]; then
    g --passphrase "$passphrase" --import "$file" 2>/dev/null || true
  else
    g --import "$file" 2>/dev/null || true
  fi
}

# Gives the key with fingerprint FPR ultimate owner trust, as for the user's own key,
# so its signatures count as from a verified key.
trust() {
  echo "$1:6:" | g --import-ownertrust 2>/dev/null
}

cmd_corpus() {
  local corpus=$1
  local tb="$corpus/thunderbird/browser-openpgp/keys"
  [ -d "$tb" ] || die "no $tb"
  # Thunderbird's OpenPGP test identities: alice and bob with secret keys, carol
  # and eddie public.  Alice and bob are trusted as the user's own keys; carol
  # stays unverified, so her signatures are good but from an unverified key.
  import "$tb/alice@openpgp.example-0xf231550c4f47e38e-secret.asc"
  import "$tb/bob@openpgp.example-0xfbfcc82a015e7330-secret.asc"
  import "$tb/carol@example.com-0x3099ff1238852b9f-pub.asc"
  import "$tb/eddie@openpgp.example-0x15e9357d2c2395c0-pub.asc"
  trust EB85BB5FA33A75E15E944E63F231550C4F47E38E
  trust D1A66E1A23B182C9980F788CFBFCC82A015E7330
  # notmuch's test key (secret, no passphrase).
  import "$corpus/notmuch/keys/openpgp4-secret-key.asc"
  # Autocrypt's examples: bob and carol, secret, no passphrase.  Its alice is
  # Thunderbird's alice key with an extra user id whose self-signature expired
  # in 2021: importing it would make the key expired for every sample.
  local who
  for who in bob carol; do
    import "$corpus/autocrypt/$who@autocrypt.example.sec.asc"
  done
  # GMime's and MimeKit's test keys (passphrase "no.secret").
  import "$corpus/gmime/pgp/gmime.gpg.sec" no.secret
  import "$corpus/gmime/pgp/gmime.gpg.pub"
  import "$corpus/mimekit/openpgp/mimekit.gpg.sec" no.secret
  import "$corpus/mimekit/openpgp/mimekit.gpg.pub"
}

cmd_kill() {
  case $HOME_DIR in
    /tmp/cg??????) ;;
    *) die "not a home made by 'new': $HOME_DIR" ;;
  esac
  gpgconf --homedir "$HOME_DIR" --kill all 2>/dev/null || true
  rm -rf "$HOME_DIR"
}

[ $# -ge 1 ] || die "usage: gpg-home.sh new | keys HOME | corpus HOME CORPUS | kill HOME"
case $1 in
  new) cmd_new ;;
  keys) [ $# -eq 2 ] || die "usage: keys HOME"; HOME_DIR=$2; cmd_keys ;;
  corpus) [ $# -eq 3 ] || die "usage: corpus HOME CORPUS"; HOME_DIR=$2; cmd_corpus "$3" ;;
  kill) [ $# -eq 2 ] || die "usage: kill HOME"; HOME_DIR=$2; cmd_kill ;;
  *) die "unknown command $1" ;;
esac
