#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# cachet --check-plugin FILE: the info of a good plugin, the reason for a
# refused one, the usage for no file.
# usage: test-check-plugin.sh CACHET FIXTURE-DIR
cachet=$1
fixtures=$2
n=0
fail=0
check () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}
out=$(LC_ALL=C.UTF-8 LANGUAGE= "$cachet" --check-plugin "$fixtures/abi-plugin-minimal.so" 2>&1)
rc=$?
# A build directory below a folder others can write to (such as /tmp)
# cannot hold loadable plugins.
case $out in
  *"is refused: The folder "*" can be changed by other users.")
    echo "1..0 # SKIP the build directory is not safe for plugins: $out"
    exit 0 ;;
esac
echo "1..6"
[ $rc = 0 ]; check $? "a good plugin is accepted (exit $rc)"
echo "$out" | grep -q '^Id: org.cachet.test.Minimal$'; check $? "its info names its id"
echo "$out" | grep -q '^Capabilities: encrypt, decrypt$'; check $? "and its capabilities"
out=$(LC_ALL=C.UTF-8 LANGUAGE= "$cachet" --check-plugin "$fixtures/abi-plugin-minor-too-new.so" 2>&1)
rc=$?
[ $rc = 1 ]; check $? "a plugin needing a newer minor is refused (exit $rc)"
echo "$out" | grep -q 'is refused: The plugin needs a newer Cachet (plugin interface 1\.1; this Cachet has 1\.0)\.$'
check $? "with the reason: $out"
"$cachet" --check-plugin >/dev/null 2>&1
rc=$?
[ $rc = 2 ]; check $? "no file is a usage error (exit $rc)"
exit $fail
