#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# usage: tests/abi/baseline/update-baseline.sh [BUILDDIR]
# Rewrites the committed baseline from the built test library.  Only for an
# intended append, in the commit that bumps CACHET_CRYPTO_ABI_MINOR.
set -eu
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-$root/build}
ninja -C "$build" tests/abi/baseline/libcachet-crypto-abi-baseline.so
abidw --no-corpus-path --no-comp-dir-path --short-locs --headers-dir "$root/plugins/include" \
  --out-file "$root/tests/abi/baseline/cachet-crypto-plugin-1.abi" \
  "$build/tests/abi/baseline/libcachet-crypto-abi-baseline.so"
