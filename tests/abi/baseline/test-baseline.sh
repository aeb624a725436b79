#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# usage: test-baseline.sh ABIDIFF BASELINE.abi LIBRARY HEADERS-DIR
# Strict: any difference from the committed baseline fails.  No
# suppressions: libabigail 2.2's "inserted at end" suppression also hid a
# reorder and a member type change.
abidiff=$1 baseline=$2 lib=$3 headers=$4
echo "1..1"
# (--headers-dir1 with an abixml baseline makes abidiff 2.2 abort.)
if out=$("$abidiff" --no-added-syms --drop-private-types --headers-dir2 "$headers" \
           "$baseline" "$lib" 2>&1); then
  echo "ok 1 - the plugin ABI matches the baseline"
else
  echo "$out" | sed 's/^/# /'
  echo "not ok 1 - the plugin ABI differs from tests/abi/baseline/cachet-crypto-plugin-1.abi"
  exit 1
fi
