#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run a command inside a private, headless desktop session:
#
#   tests/run-headless.sh meson test -C build --print-errorlogs
#
# What the command gets:
#   - its own X server (Xvfb, 1280x1024x24, no TCP), DISPLAY pointing at it;
#     Xvfb picks a free display number itself (-displayfd), so several runs
#     on one machine do not race for :99;
#   - a fresh HOME and XDG_{RUNTIME,DATA,CONFIG,CACHE,STATE}_DIR in a
#     temporary directory, so nothing of the user's real setup is read or
#     changed;
#   - a private D-Bus session bus (dbus-run-session) with gnome-keyring's
#     Secret Service, unlocked, so libsecret never shows a prompt;
#   - NO_AT_BRIDGE unset, so GTK registers with AT-SPI and GUI tests can
#     drive the application through the accessibility bus.
#
# On exit (also on Ctrl+C or SIGTERM) it stops the processes it started, by
# PID, and removes the temporary directory. The exit status is the
# command's.
#
# Environment:
#   CACHET_HEADLESS_KEEP=1   keep the temporary directory (Xvfb log etc.)
#   CACHET_HEADLESS_SCREEN   Xvfb screen, default 1280x1024x24

set -euo pipefail

# --- Second stage: inside the private D-Bus session ------------------------
if [ "${1-}" = "--in-session" ]; then
  shift
  keyring_pid=
  stop_keyring () {
    if [ -n "$keyring_pid" ]; then
      kill "$keyring_pid" 2>/dev/null || true
      wait "$keyring_pid" 2>/dev/null || true
      keyring_pid=
    fi
  }
  trap stop_keyring EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  # A fixed password for a throwaway keyring; --foreground keeps the
  # daemon our child so it can be stopped by PID.
  printf '%s' headless-test-keyring |
    gnome-keyring-daemon --foreground --unlock --components=secrets \
      >"$CACHET_HEADLESS_DIR/keyring.log" 2>&1 &
  keyring_pid=$!
  if ! gdbus wait --session --timeout 20 org.freedesktop.secrets; then
    echo "run-headless: gnome-keyring did not provide org.freedesktop.secrets" >&2
    cat "$CACHET_HEADLESS_DIR/keyring.log" >&2 || true
    exit 1
  fi

  # Not exec: the keyring daemon must be stopped after the command ends.
  status=0
  "$@" || status=$?
  exit "$status"
fi

# --- First stage: private directories and X server --------------------------
if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi

for tool in Xvfb dbus-run-session gnome-keyring-daemon gdbus; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "run-headless: '$tool' is not installed (build-aux/cachet-dev test installs it)" >&2
    exit 2
  fi
done

# Resolve our own path before HOME and the directory change under us.
self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cachet-headless.XXXXXX")
xvfb_pid=

# Processes started in this session other than Xvfb: everything here is
# started with CACHET_HEADLESS_DIR=$tmp in its environment (this script got
# it only after it started, so it does not match itself).
session_pids () {
  local file pid
  for file in $(env -u CACHET_HEADLESS_DIR \
                  grep -lszxF "CACHET_HEADLESS_DIR=$tmp" /proc/[0-9]*/environ); do
    pid=${file#/proc/}
    pid=${pid%/environ}
    if [ "$pid" != "$xvfb_pid" ]; then
      echo "$pid"
    fi
  done
  return 0
}

# Bus-activated services (the AT-SPI bus, the keyring) end by themselves once
# the session bus is gone; give them a moment, so that none outlives the
# X server and complains about it after we returned. Then stop what is left
# (a test's stray child), by PID.
stop_session_processes () {
  local pids pid
  for _ in $(seq 30); do
    pids=$(session_pids)
    [ -z "$pids" ] && return 0
    sleep 0.1
  done
  for pid in $pids; do
    echo "run-headless: stopping leftover process $pid ($(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null | cut -c1-80))" >&2
    kill "$pid" 2>/dev/null || true
  done
  for _ in $(seq 20); do
    [ -z "$(session_pids)" ] && return 0
    sleep 0.1
  done
  for pid in $(session_pids); do
    kill -KILL "$pid" 2>/dev/null || true
  done
}

cleanup () {
  local status=$?
  trap - EXIT INT TERM
  set +e   # the command's status is what we return, whatever cleaning meets
  stop_session_processes
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
  fi
  if [ "${CACHET_HEADLESS_KEEP-}" = 1 ]; then
    echo "run-headless: kept $tmp" >&2
  else
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export CACHET_HEADLESS_DIR=$tmp
export HOME=$tmp/home
export XDG_RUNTIME_DIR=$tmp/run
export XDG_CONFIG_HOME=$HOME/.config
export XDG_DATA_HOME=$HOME/.local/share
export XDG_CACHE_HOME=$HOME/.cache
export XDG_STATE_HOME=$HOME/.local/state
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
mkdir -m 700 "$XDG_RUNTIME_DIR"

# Whatever session the caller had is not ours to use.
unset NO_AT_BRIDGE DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY DISPLAY XAUTHORITY \
      SSH_AUTH_SOCK GNOME_KEYRING_CONTROL SESSION_MANAGER GDK_BACKEND
export GDK_BACKEND=x11

# Xvfb writes the display number it chose to fd 3 once it accepts clients.
Xvfb -displayfd 3 -screen 0 "${CACHET_HEADLESS_SCREEN:-1280x1024x24}" \
  -nolisten tcp 3>"$tmp/display" >"$tmp/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 300); do
  [ -s "$tmp/display" ] && break
  if ! kill -0 "$xvfb_pid" 2>/dev/null; then
    break
  fi
  sleep 0.1
done
if [ ! -s "$tmp/display" ]; then
  echo "run-headless: Xvfb did not start:" >&2
  cat "$tmp/xvfb.log" >&2 || true
  exit 1
fi
export DISPLAY=":$(tr -d '[:space:]' <"$tmp/display")"

status=0
dbus-run-session -- "$self" --in-session "$@" || status=$?
exit "$status"
