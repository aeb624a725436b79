#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Each plugin given exports exactly its entry symbol (nm -D --defined-only).
# usage: test-exports.sh NM PLUGIN.so...
nm=$1
shift
echo "1..$#"
n=0
fail=0
for plugin in "$@"; do
  n=$((n + 1))
  symbols=$("$nm" -D --defined-only "$plugin" | awk '{ print $NF }' | sort | tr '\n' ' ')
  if [ "$symbols" = "cachet_crypto_plugin_v1 " ]; then
    echo "ok $n - $(basename "$plugin") exports only cachet_crypto_plugin_v1"
  else
    echo "not ok $n - $(basename "$plugin") exports: $symbols"
    fail=1
  fi
done
exit $fail
