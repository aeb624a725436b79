#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: check-potfiles.sh [--list] SOURCE-ROOT
#
# Checks that po/POTFILES.in lists exactly the files with translatable
# strings (with --list, prints that list instead; build-aux/update-po
# writes it into po/POTFILES.in): C sources under app/ and plugins/ that mark strings with _(),
# N_(), C_(), NC_(), Q_(), ngettext and friends; .ui files with
# translatable="yes"; and the desktop, metainfo and schema files under data/.
set -eu

list_only=0
if [ "${1-}" = "--list" ]; then
  list_only=1
  shift
fi
root=${1:?usage: $0 [--list] SOURCE-ROOT}
cd "$root"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/potfiles.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

c_marks='(^|[^[:alnum:]_])(_|N_|C_|NC_|Q_|ngettext|g_dngettext|g_dcgettext|g_dpgettext|g_dpgettext2)[[:space:]]*\('

{
  for dir in app plugins; do
    [ -d "$dir" ] || continue
    grep -rlE --include='*.c' --include='*.h' "$c_marks" "$dir" || true
  done
  [ -d ui ] && { grep -rlE --include='*.ui' 'translatable="(yes|true|1)"' ui || true; }
  for f in data/*.desktop.in data/*.metainfo.xml.in data/*.gschema.xml; do
    [ -f "$f" ] && echo "$f"
  done
} | LC_ALL=C sort -u >"$tmp/found"

if [ "$list_only" = 1 ]; then
  cat "$tmp/found"
  exit 0
fi

sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' po/POTFILES.in | LC_ALL=C sort -u >"$tmp/listed"

status=0
missing=$(LC_ALL=C comm -23 "$tmp/found" "$tmp/listed")
if [ -n "$missing" ]; then
  echo "Files with translatable strings that po/POTFILES.in does not list (build-aux/update-po adds them):"
  echo "$missing" | sed 's/^/  /'
  status=1
fi
extra=$(LC_ALL=C comm -13 "$tmp/found" "$tmp/listed")
if [ -n "$extra" ]; then
  echo "Files listed in po/POTFILES.in that do not exist or have no translatable strings:"
  echo "$extra" | sed 's/^/  /'
  status=1
fi
if [ "$status" -eq 0 ]; then
  echo "po/POTFILES.in lists all $(wc -l <"$tmp/found") files with translatable strings"
fi
exit "$status"
