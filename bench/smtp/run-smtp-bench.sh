#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: bench/smtp/run-smtp-bench.sh [-n COUNT] [--seed SEED] [--builddir DIR]
#          [--runs N] [--msmtp-runs N] [--modes LIST] [--keep]
#
# The SMTP sending benchmark: COUNT messages (default 500; bench/gen-maildir.py,
# a realistic mix with a median of about 8 KB) sent to a private Postfix on
# 127.0.0.1 over SMTPS (implicit TLS, test CA, AUTH PLAIN through Dovecot) by
#
#   cachet   one CachetSmtpSession for all of them: connect, TLS, AUTH once,
#            then MAIL/RCPT/DATA (pipelined) for each message
#            (bench/smtp/bench-smtp-send.c, which reads the files first)
#   msmtp    msmtp, one process per message (a new process, connection, TLS
#            handshake and login each time), as a script or a simple mail
#            program would send an outbox
#   outbox   the whole outbox of Cachet (bench/send/bench-outbox.c, 8 KB
#            messages queued first, then one run of CachetSender with its
#            durable bookkeeping), against a Postfix of the same
#            configuration that it starts itself; delivering mode only
#
# Each run is timed from the start of the first process to the end of the
# last, so Cachet's figure includes starting its process and reading the
# files. It ends when the server has replied to the last message ("250 Ok:
# queued"), never waiting for the delivery into the mailbox: Postfix queues.
# Two modes (--modes, comma-separated):
#
#   delivering  Postfix delivers through Dovecot LMTP into the Maildir in the
#               background, as it normally would, while the client sends
#   discarding  Postfix's delivery made as light as it gets (virtual_transport
#               = discard:), so that little but taking the mail (smtpd,
#               cleanup writing the queue file) competes for the two cores
#               (holding the mail with defer_transports was slower: every
#               deferred message costs a defer log entry)
#
# Cachet runs --runs times (default 3), msmtp --msmtp-runs times (default 1:
# it is slow); the best run of each counts. Ends with a table of messages/s
# and Cachet's speed over msmtp's.
#
# Needs root (the mail servers) and installs msmtp from Debian when missing.
# Work files go to a directory under /tmp, removed at the end unless --keep.
# Never part of the tests.
set -euo pipefail

BENCH_PACKAGES=(msmtp)

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
count=500
seed=20250101
builddir=$srcdir/build
runs=3
msmtp_runs=1
modes=delivering,discarding
keep=0
while [ $# -gt 0 ]; do
  case $1 in
    -n|--count) count=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --builddir) builddir=$(cd "$2" && pwd); shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --msmtp-runs) msmtp_runs=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '3,42s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "run-smtp-bench: unknown option $1" >&2; exit 2 ;;
  esac
done

python=/usr/bin/python3
say () { printf 'run-smtp-bench: %s\n' "$*" >&2; }
now () { date +%s.%N; }

# --- Packages, build ------------------------------------------------------------
missing=()
for p in "${BENCH_PACKAGES[@]}"; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && [ -z "${CACHET_NO_INSTALL:-}" ]; then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -o DPkg::Lock::Timeout=600 -y --no-install-recommends "${missing[@]}" \
      >/dev/null || { apt-get update >/dev/null && \
      apt-get install -o DPkg::Lock::Timeout=600 -y --no-install-recommends "${missing[@]}" >/dev/null; }
  else
    say "not installed: ${missing[*]} (msmtp will be skipped)"
  fi
fi
reason=$("$srcdir/tests/servers/mailservers.sh" check) ||
  { say "the mail servers cannot run here: $reason"; exit 1; }
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "$srcdir" >/dev/null
fi
ninja -C "$builddir" -j2 bench/bench-smtp-send bench/bench-outbox >/dev/null
sender=$builddir/bench/bench-smtp-send

# --- Servers and messages -------------------------------------------------------
work=$(mktemp -d /tmp/smtpbench.XXXXXX)
chmod 755 "$work"
srv=$work/srv
cleanup () {
  "$srcdir/tests/servers/mailservers.sh" stop "$srv" >/dev/null 2>&1 || true
  if [ "$keep" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
results=$work/results.txt
: >"$results"

"$srcdir/tests/servers/mailservers.sh" start --without-alt --watch $$ "$srv" >&2
# shellcheck disable=SC1091
. "$srv/env"
postfix_etc=$srv/postfix/etc

say "generating $count messages"
"$python" "$srcdir/bench/gen-maildir.py" "$work/corpus" -n "$count" --seed "$seed" \
  --max-attachment 1450000 | sed 's/^/  /' >&2
find "$work/corpus/new" "$work/corpus/cur" -type f | sort >"$work/files"
corpus_line=$(xargs -d '\n' cat <"$work/files" | wc -c |
  awk -v n="$count" '{ printf "%d messages, %.1f MB", n, $1 / 1e6 }')

from=$MAIL_ALICE_USER
to=$MAIL_BOB_USER

cat >"$work/msmtprc" <<EOF
defaults
logfile $work/msmtp.log
account bench
host 127.0.0.1
port $SMTPS_PORT
tls on
tls_starttls off
tls_trust_file $MAIL_CA_CERT
tls_host_override localhost
auth plain
user $MAIL_ALICE_USER
password $MAIL_ALICE_PASS
from $from
account default : bench
EOF
chmod 600 "$work/msmtprc"

# Postfix delivers (delivering) or throws away (discarding) what it takes.
lmtp_transport=$(postconf -c "$postfix_etc" -h virtual_transport)
set_mode () {
  if [ "$1" = discarding ]; then
    postconf -c "$postfix_etc" -e 'virtual_transport = discard:benchmark'
  else
    postconf -c "$postfix_etc" -e "virtual_transport = $lmtp_transport"
  fi
  postfix -c "$postfix_etc" reload >/dev/null 2>&1
  # reload re-executes the daemons as they finish; let it settle
  sleep 2
}

# record MODE PEER SENT SECONDS
record () {
  echo "$1 $2 $3 $4" >>"$results"
  say "$1 $2: $3 sent in $4 s ($(awk -v n="$3" -v s="$4" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }') msg/s)"
}

run_cachet () {
  local mode=$1 t0 t1 out sent
  t0=$(now)
  out=$(BENCH_SMTP_PASSWORD=$MAIL_ALICE_PASS "$sender" --port "$SMTPS_PORT" \
          --security tls --ca-file "$MAIL_CA_CERT" --user "$MAIL_ALICE_USER" \
          --auth sasl-plain --from "$from" --to "$to" "$work/corpus") || { say "cachet: failed"; out=""; }
  t1=$(now)
  sent=$(echo "$out" | awk '$1 == "messages" { print $2 }')
  record "$mode" cachet "${sent:-0}" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
  [ -z "$out" ] || say "  (in the process: $(echo "$out" | awk '{ printf "%.3f s, of which %.3f s connecting and logging in", $6, $8 }'))"
}

run_msmtp () {
  local mode=$1 t0 t1 sent=0 f
  t0=$(now)
  while IFS= read -r f; do
    if msmtp -C "$work/msmtprc" -f "$from" -- "$to" <"$f"; then
      sent=$((sent + 1))
    fi
  done <"$work/files"
  t1=$(now)
  record "$mode" msmtp "$sent" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
}

IFS=, read -r -a mode_list <<<"$modes"
for mode in "${mode_list[@]}"; do
  case $mode in delivering|discarding) ;; *) say "unknown mode $mode"; exit 2 ;; esac
  set_mode "$mode"
  say "mode $mode: SMTPS on 127.0.0.1:$SMTPS_PORT"
  # a warm-up: Postfix starts its daemons, the files come into the page cache
  BENCH_SMTP_PASSWORD=$MAIL_ALICE_PASS "$sender" --port "$SMTPS_PORT" --security tls \
    --ca-file "$MAIL_CA_CERT" --user "$MAIL_ALICE_USER" --from "$from" \
    --to "$to" "$(head -n 1 "$work/files")" >/dev/null
  for _ in $(seq 1 "$runs"); do
    run_cachet "$mode"
  done
  if command -v msmtp >/dev/null; then
    for _ in $(seq 1 "$msmtp_runs"); do
      run_msmtp "$mode"
    done
  fi
done
set_mode delivering

# The whole outbox, as the window sends it (bench/send/bench-outbox.c): COUNT
# messages of 8 KB queued into a fresh store, then one run of CachetSender
# (recovery, lock, keyring, one SMTPS session, "trying"/"sent" records made
# durable, every message moved to Sent), against a Postfix of the same
# configuration that it starts itself, delivering.
outbox_out=$("$builddir/bench/bench-outbox" --count "$count" --runs "$runs" --security tls) ||
  { say "outbox: failed"; outbox_out=""; }
outbox_rate=$(echo "$outbox_out" | awk '$1 == "send" { print $2 }')
if [ -n "$outbox_rate" ] && [ "$outbox_rate" != 0 ]; then
  record delivering outbox "$count" "$(awk -v n="$count" -v r="$outbox_rate" 'BEGIN { printf "%.3f", n / r }')"
fi

# --- The table --------------------------------------------------------------------
"$python" - "$results" "$count" "$corpus_line" "$runs" "$msmtp_runs" <<'EOF'
import sys
path, count, corpus, runs, msmtp_runs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
best = {}
for line in open(path):
    mode, peer, sent, secs = line.split()
    sent, secs = int(sent), float(secs)
    rate = sent / secs if secs > 0 else 0.0
    if (mode, peer) not in best or rate > best[(mode, peer)]["rate"]:
        best[(mode, peer)] = dict(sent=sent, secs=secs, rate=rate)

print()
print(f"SMTP send benchmark: {corpus} to a private Postfix on 127.0.0.1, SMTPS + AUTH PLAIN")
print(f"Cachet: one session (best of {runs}); msmtp: one process per message (best of {msmtp_runs})")
print("outbox: the whole CachetSender run (8 KB messages, queued first, best of runs)")
print("timed until the server's reply to the last message; ratio = Cachet (session / outbox)")
print("msg/s over msmtp's")
print(f"{'mode':12} {'client':8} {'sent':>6} {'seconds':>8} {'msg/s':>8} {'ratio':>13}")
for mode in ("delivering", "discarding"):
    c = best.get((mode, "cachet"))
    for peer in ("cachet", "outbox", "msmtp"):
        r = best.get((mode, peer))
        if r is None:
            continue
        if peer == "msmtp" and r["rate"]:
            ratio = " / ".join(f"{best[(mode, p)]['rate'] / r['rate']:.1f}x"
                               for p in ("cachet", "outbox") if (mode, p) in best)
        else:
            ratio = "-"
        note = "" if r["sent"] == count else "  INCOMPLETE"
        print(f"{mode:12} {peer:8} {r['sent']:>6} {r['secs']:>8.2f} {r['rate']:>8.0f} {ratio:>13}{note}")
EOF
