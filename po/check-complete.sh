#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: check-complete.sh SOURCE-ROOT LANGUAGE...
#
# Extracts the strings of the files in po/POTFILES.in, as `ninja cachet-pot`
# does, and checks that each po/LANGUAGE.po translates every one of them
# (untranslated and fuzzy entries count as missing). To fix a failure run
# build-aux/update-po and translate what it marks.
set -eu

root=${1:?usage: $0 SOURCE-ROOT LANGUAGE...}
shift

tmp=$(mktemp -d "${TMPDIR:-/tmp}/po-complete.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The keywords of meson's 'glib' gettext preset (po/meson.build).
xgettext --package-name=cachet --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  -f "$root/po/POTFILES.in" -D "$root" -o "$tmp/cachet.pot"

status=0
for lang in "$@"; do
  if msgcmp "$root/po/$lang.po" "$tmp/cachet.pot"; then
    echo "po/$lang.po: complete"
  else
    echo "po/$lang.po: incomplete: run build-aux/update-po and translate the new strings" >&2
    status=1
  fi
done
exit "$status"
