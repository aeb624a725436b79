#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# PLUGIN-ABI.md group 5: the example plugin, built out of tree.  Installs
# Cachet's build into a staging folder, builds plugins/example as a
# project of its own that finds Cachet only through pkg-config (pointed
# into the stage), installs it into the pkg-config `plugindir`, checks it
# with the staged `cachet --check-plugin` and runs a round trip through
# the host (test-example-roundtrip).
#
# usage: test-example-plugin.sh MESON CACHET-BUILD-DIR EXAMPLE-SOURCE-DIR
#                               ROUNDTRIP-PROGRAM WORK-DIR [NM]
meson=$1
cachet_build=$2
example_src=$3
roundtrip=$4
work=$5
nm=${6:-}

n=0
fail=0
check () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}
# A failed step makes the later ones meaningless.
must () {
  check "$1" "$2"
  if [ "$1" != 0 ]; then
    echo "Bail out! $2"
    exit 1
  fi
}
log () { sed 's/^/# /' "$1"; }

umask 022
echo "1..10"
stage=$work/stage
rm -rf "$work"
mkdir -p "$work"

# 1. Cachet's own install, into the stage.
"$meson" install -C "$cachet_build" --destdir "$stage" --no-rebuild >"$work/install.log" 2>&1
rc=$?
[ $rc = 0 ] || log "$work/install.log"
must $rc "meson install --destdir of Cachet's build"

# 2. What a plugin author needs is in it.
pc=$(find "$stage" -name cachet-crypto-plugin-1.pc -path '*/pkgconfig/*' | head -n 1)
header=$(find "$stage" -name cachet-crypto-plugin.h -path '*/include/cachet-crypto-plugin-1/*' | head -n 1)
cachet=$(find "$stage" -type f -name cachet -path '*/bin/*' | head -n 1)
[ -n "$pc" ] && [ -n "$header" ] && [ -n "$cachet" ]
must $? "the stage has the pkg-config file ($pc), the header ($header) and cachet ($cachet)"

# Only the stage: nothing of a Cachet installed on this machine.  The .pc
# names the real prefix; the sysroot maps it into the stage.
PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_LIBDIR=$PKG_CONFIG_PATH
PKG_CONFIG_SYSROOT_DIR=$stage
export PKG_CONFIG_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
plugindir=$(pkg-config --variable=plugindir cachet-crypto-plugin-1)
case $plugindir in
  "$stage"/*/cachet/crypto-plugins-1) rc=0 ;;
  *) rc=1 ;;
esac
must $rc "pkg-config gives the plugin folder in the stage: $plugindir"

# 4-5. The example as a project of its own.
"$meson" setup "$work/example-build" "$example_src" >"$work/setup.log" 2>&1
rc=$?
[ $rc = 0 ] || log "$work/setup.log"
must $rc "meson setup of plugins/example against the stage"
"$meson" compile -C "$work/example-build" >"$work/compile.log" 2>&1
rc=$?
[ $rc = 0 ] || log "$work/compile.log"
must $rc "it builds"

# 6. It installs into plugindir (an absolute folder in the stage).
"$meson" install -C "$work/example-build" >"$work/install-example.log" 2>&1
rc=$?
[ $rc = 0 ] || log "$work/install-example.log"
plugin=$plugindir/cachet-example.so
[ $rc = 0 ] && [ -f "$plugin" ]
must $? "meson install puts it into plugindir: $plugin"

# 7. It exports exactly the entry symbol.
if [ -n "$nm" ]; then
  syms=$("$nm" -D --defined-only "$plugin" | awk '{ print $NF }' | sort | tr '\n' ' ')
  [ "$syms" = "cachet_crypto_plugin_v1 " ]
  check $? "it exports only cachet_crypto_plugin_v1 (got: $syms)"
else
  echo "ok 7 # SKIP no nm"
  n=$((n + 1))
fi

# 8-9. The staged cachet accepts it and prints its info.
out=$(LC_ALL=C.UTF-8 LANGUAGE= "$cachet" --check-plugin "$plugin" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
case $out in
  *"is refused: The folder "*" can be changed by other users.")
    # A build folder below one others can write to cannot hold plugins.
    echo "ok 8 # SKIP the build directory is not safe for plugins"
    echo "ok 9 # SKIP"
    echo "ok 10 # SKIP"
    exit 0 ;;
esac
[ $rc = 0 ]
check $? "cachet --check-plugin accepts it (exit $rc)"
echo "$out" | grep -q '^Id: org.cachet.Example$' \
  && echo "$out" | grep -q '^Capabilities: encrypt, decrypt, sign, verify$' \
  && echo "$out" | grep -q '^Protocols: example$'
check $? "and prints its id, capabilities and protocol"

# 10. A round trip through the host.
"$roundtrip" "$plugin" >"$work/roundtrip.log" 2>&1
rc=$?
log "$work/roundtrip.log"
check $rc "encrypt, decrypt, sign and verify through cachet_crypto_run"
exit $fail
