#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The public plugin header includes no GLib, GTK or GPGME header.
header=$1
echo "1..1"
if grep -Ein '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](glib|gio|gtk|gdk|gpgme)' "$header"; then
  echo "not ok 1 - $header includes a GLib, GTK or GPGME header"
  exit 1
fi
echo "ok 1 - $header includes only C headers"
