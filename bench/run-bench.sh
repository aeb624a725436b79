#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: bench/run-bench.sh [-n COUNT] [--seed SEED] [--builddir DIR] [--keep]
#                           [--no-gui] [--no-peers]
#
# Generates a COUNT-message Maildir Inbox (default 100,000; bench/gen-maildir.py)
# in a temporary data directory and measures:
#   - index build rate: bench-store opens the store with no index, so it
#     builds one from the Maildir (messages/s);
#   - folder listing, row summaries, message load and full-text search times
#     against the built index (bench-store, median of 5 runs);
#   - start to a painted message list and resident memory of the real window
#     (under tests/run-headless.sh, via CACHET_BENCH_EXIT_AFTER_PAINT, see
#     bench/measure-gui.py);
#   - `cachet search` end to end, as a user at a terminal sees it;
#   - peers on the same Maildir when installed: notmuch (`notmuch new`,
#     `notmuch search`), for ratios measured in the same run.
# Then prints the figures against the targets. The files are freshly written,
# so they are in the page cache: these are warm-cache numbers.
#
# Work files go to ${TMPDIR:-/var/tmp}/cachet-bench.XXXXXX (about 2 GB for
# 100,000 messages), removed at the end unless --keep.
set -euo pipefail

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
count=100000
seed=20250101
builddir=$srcdir/build
keep=0
gui=1
peers=1
while [ $# -gt 0 ]; do
  case $1 in
    -n|--count) count=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --builddir) builddir=$(cd "$2" && pwd); shift 2 ;;
    --keep) keep=1; shift ;;
    --no-gui) gui=0; shift ;;
    --no-peers) peers=0; shift ;;
    -h|--help) sed -n '3,24s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "run-bench: unknown option $1" >&2; exit 2 ;;
  esac
done

python=/usr/bin/python3
[ -x "$python" ] || python=python3

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "$srcdir"
fi
ninja -C "$builddir" app/cachet bench/bench-store

work=$(mktemp -d "${TMPDIR:-/var/tmp}/cachet-bench.XXXXXX")
cleanup () {
  if [ "$keep" = 1 ]; then
    echo "run-bench: kept $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

data=$work/data/cachet
results=$work/results.txt
: >"$results"
log () { printf '\n== %s\n' "$*"; }
value () { awk -v k="$1" '$1 == k { print $2; exit }' "$results"; }

log "generating $count messages (seed $seed)"
"$python" "$srcdir/bench/gen-maildir.py" "$data/mail/Inbox" -n "$count" --seed "$seed"
du -sh "$data/mail" | awk '{ print "  on disk: " $1 }'

log "store: index build, listing, search (bench-store)"
"$builddir/bench/bench-store" "$data" | tee -a "$results"

log "command line: cachet search (whole process, best of 5)"
for q in meeting quixotic; do
  best= failed=0
  for _ in 1 2 3 4 5; do
    start=$(date +%s%N)
    if ! hits=$(XDG_DATA_HOME=$work/data CACHET_DATA_DIR=$data \
                "$builddir/app/cachet" search "$q" 2>"$work/cli-search.err" | wc -l); then
      failed=1
      break
    fi
    t=$(( ($(date +%s%N) - start) / 1000 ))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  if [ "$failed" = 1 ]; then
    echo "  cachet search $q failed: $(head -c 300 "$work/cli-search.err")"
  else
    printf '%-28s %14.3f ms (%s lines, best of 5, whole process)\n' "cli_search_ms[$q]" \
      "${best}e-3" "$hits" | tee -a "$results"
  fi
done

if [ "$gui" = 1 ]; then
  log "window: start to painted list, resident memory (under Xvfb)"
  # The headless wrapper gives a private HOME and XDG dirs; point the data
  # dir back at the generated store inside it.
  "$srcdir/tests/run-headless.sh" env \
      XDG_DATA_HOME="$work/data" CACHET_DATA_DIR="$data" \
      GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$builddir/data" \
      "$python" "$srcdir/bench/measure-gui.py" --screenshot "$work/window.png" -- \
      "$builddir/app/cachet" | tee -a "$results" || true
  [ -f "$work/window.png" ] && echo "  screenshot: $work/window.png"
fi

if [ "$peers" = 1 ]; then
  if command -v notmuch >/dev/null 2>&1; then
    log "peer: notmuch $(notmuch --version | awk '{print $2}') on the same Maildir"
    export NOTMUCH_CONFIG=$work/notmuch-config
    printf '[database]\npath=%s\n[new]\ntags=unread;inbox;\n[search]\nexclude_tags=\n[maildir]\nsynchronize_flags=true\n' \
      "$data/mail" >"$NOTMUCH_CONFIG"
    start=$(date +%s%N)
    notmuch new --quiet
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    printf '%-28s %14.3f ms\n' notmuch_new_ms "$ms" | tee -a "$results"
    printf '%-28s %14.3f msg/s\n' notmuch_new_rate \
      "$(awk -v n="$count" -v ms="$ms" 'BEGIN { printf "%.1f", n / (ms / 1000) }')" | tee -a "$results"
    for q in meeting quixotic; do
      best=
      for _ in 1 2 3 4 5; do
        start=$(date +%s%N)
        n=$(notmuch search --output=messages "$q" | wc -l)
        t=$(( ($(date +%s%N) - start) / 1000 ))
        if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
      done
      printf '%-28s %14.3f ms (%s hits, best of 5, whole process)\n' "notmuch_search_ms[$q]" \
        "${best}e-3" "$n" | tee -a "$results"
    done
  else
    log "peer: notmuch is not installed (apt-get install notmuch): no peer figures"
  fi
fi

log "summary against the targets"
"$python" - "$results" "$count" <<'EOF'
import re, sys
values = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) >= 2:
        try:
            values[parts[0]] = float(parts[1])
        except ValueError:
            pass
count = int(sys.argv[2])

def show(name, value, target, better, unit):
    if value is None:
        print(f"  {name:<34} {'not measured':>14}   target {better} {target} {unit}")
        return
    ok = value < target if better == "<" else value >= target
    print(f"  {name:<34} {value:14.1f}   target {better} {target} {unit}   "
          f"{'ok' if ok else 'MISSED'}")

searches = {k: v for k, v in values.items() if k.startswith("search_ms[")}
print(f"  {count} messages")
show("index build rate", values.get("index_build_rate"), 2000, ">=", "msg/s")
show("start to painted list (window)", values.get("gui_painted_reported_ms"), 150, "<", "ms")
show("resident memory, list open (peak)", values.get("gui_peak_rss_mb"), 150, "<", "MB")
show("full-text search, slowest query", max(searches.values()) if searches else None,
     50, "<", "ms")
store_list = values.get("list_date_ms")
if store_list is not None:
    print(f"  (store alone: open {values.get('open_existing_ms', 0):.1f} ms + list by date "
          f"{store_list:.1f} ms + 60 rows {values.get('summaries_60_ms', 0):.1f} ms)")
if "notmuch_new_rate" in values and "index_build_rate" in values:
    print(f"  index build vs notmuch new: {values['index_build_rate'] / values['notmuch_new_rate']:.1f}x "
          f"({values['index_build_rate']:.0f} vs {values['notmuch_new_rate']:.0f} msg/s)")
for q in ("meeting", "quixotic"):
    ours, theirs = values.get(f"cli_search_ms[{q}]"), values.get(f"notmuch_search_ms[{q}]")
    if ours and theirs:
        print(f"  'cachet search {q}' vs 'notmuch search': {ours:.0f} vs {theirs:.0f} ms "
              f"(whole processes)")
EOF
