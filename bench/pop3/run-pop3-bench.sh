#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: bench/pop3/run-pop3-bench.sh [-n COUNT] [--seed SEED] [--builddir DIR]
#          [--peers LIST] [--no-delay] [--rtt-ms MS] [--no-memory]
#          [--memory-counts SMALL,LARGE] [--runs N] [--keep]
#
# The POP3 fetch benchmark: how fast mail gets from a POP3 server into a
# local store, and with how much memory. Starts a private Dovecot on
# 127.0.0.1 (tests/servers/mailservers.sh, POP3 over implicit TLS with a test
# CA), fills a mailbox with COUNT messages (default 5,000;
# bench/gen-maildir.py with a median of about 8 KB, about 5% with
# attachments, none over 2 MB) and lets each of these fetch all of it, from
# an empty local store, leaving the mail on the server (so every one starts
# from the same mailbox):
#
#   cachet      cachet fetch (account added with cachet account add
#               --ca-file, password in the session's keyring)
#   fetchmail   fetchmail, delivering through procmail into a Maildir
#   getmail     getmail, Maildir destination
#   claws       Claws Mail, claws-mail --receive-all under the session's
#               Xvfb into an MH folder; only the receive is timed
#   bare        reference: libetpan's mailpop3_retr() for each message, one
#               at a time, storing nothing (bench/pop3/bench-pop3-retr.c)
#   pipelined   reference: RETRs sent in windows of 64, replies read and
#               thrown away (bench/pop3/pipelined-reader.py)
#
# (--peers takes a comma-separated subset.) Each is timed with its whole
# process tree (bench/pop3/measure.py: wall time, peak summed RSS) and its
# store is counted. Then everything again through bench/delay-proxy.py with
# a 20 ms round trip (--rtt-ms; --no-delay skips it), and Cachet alone on a
# 2,000- and a 20,000-message mailbox (--memory-counts; --no-memory skips
# it): the two peaks should be within 20% of each other. Ends with a table.
#
# Runs itself under tests/run-headless.sh (Xvfb for Claws Mail, a private
# D-Bus session with an unlocked keyring for Cachet). Installs the peers
# from Debian when they are missing (BENCH_PACKAGES below; needs root, as
# the mail servers do). Work files (about 1.5 GB with the memory runs) go to
# a directory under /tmp (the servers' socket paths must be short), removed
# at the end unless --keep. Never part of the tests.
set -euo pipefail

BENCH_PACKAGES=(fetchmail procmail getmail6 claws-mail)

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$srcdir/bench/pop3
count=5000
seed=20250101
builddir=$srcdir/build
peers=cachet,fetchmail,getmail,claws,bare,pipelined
delay=1
rtt_ms=20
memory=1
memory_counts=2000,20000
runs=1
keep=0
orig_args=("$@")
while [ $# -gt 0 ]; do
  case $1 in
    -n|--count) count=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --builddir) builddir=$(cd "$2" && pwd); shift 2 ;;
    --peers) peers=$2; shift 2 ;;
    --no-delay) delay=0; shift ;;
    --rtt-ms) rtt_ms=$2; shift 2 ;;
    --no-memory) memory=0; shift ;;
    --memory-counts) memory_counts=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '3,43s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "run-pop3-bench: unknown option $1" >&2; exit 2 ;;
  esac
done

python=/usr/bin/python3
say () { printf 'run-pop3-bench: %s\n' "$*" >&2; }
has_peer () { case ",$peers," in *",$1,"*) return 0 ;; esac; return 1; }

# --- Before the private session: packages, build --------------------------------
if [ -z "${CACHET_POP3_BENCH_INNER:-}" ]; then
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
      say "not installed: ${missing[*]} (those peers will be skipped)"
    fi
  fi
  reason=$("$srcdir/tests/servers/mailservers.sh" check) ||
    { say "the mail servers cannot run here: $reason"; exit 1; }
  if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir" "$srcdir" >/dev/null
  fi
  ninja -C "$builddir" -j2 app/cachet bench/bench-pop3-retr >/dev/null
  export CACHET_POP3_BENCH_INNER=1
  exec "$srcdir/tests/run-headless.sh" "$srcdir/bench/pop3/run-pop3-bench.sh" \
    --builddir "$builddir" "${orig_args[@]}"
fi

# --- Inside the private session -------------------------------------------------
cachet=$builddir/app/cachet
retr=$builddir/bench/bench-pop3-retr
work=$(mktemp -d /tmp/pop3bench.XXXXXX)
chmod 755 "$work"
srv=$work/srv
proxy_pid=
cleanup () {
  [ -z "$proxy_pid" ] || { kill "$proxy_pid" 2>/dev/null || true; wait "$proxy_pid" 2>/dev/null || true; }
  "$srcdir/tests/servers/mailservers.sh" stop "$srv" >/dev/null 2>&1 || true
  if [ "$keep" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
results=$work/results.txt
: >"$results"

"$srcdir/tests/servers/mailservers.sh" start --without-postfix --without-alt --watch $$ "$srv" >&2
# shellcheck disable=SC1091
. "$srv/env"

# gen_mailbox USER-MAILDIR N
gen_mailbox () {
  "$python" "$srcdir/bench/gen-maildir.py" "$1" -n "$2" --seed "$seed" \
    --body-scale 2.1 --max-attachment 1450000 | sed 's/^/  /' >&2
  chown -R "$MAIL_OWNER" "$1"
}
say "generating $count messages into $MAIL_BULK_USER's mailbox"
gen_mailbox "$MAIL_BULK_MAILDIR" "$count"
corpus_line=$(du -sb "$MAIL_BULK_MAILDIR" | awk -v n="$count" '{ printf "%d messages, %.1f MB", n, $1 / 1e6 }')

# The first session makes Dovecot index the mailbox and mark everything seen
# (new/ -> cur/); every later session finds the same state. It also brings
# the files into the page cache. Not timed.
"$python" "$here/pipelined-reader.py" "$POP3S_PORT" "$MAIL_BULK_USER" "$MAIL_BULK_PASS" \
  --ca-file "$MAIL_CA_CERT" >/dev/null

maildir_count () {  # files in DIR/new and DIR/cur of every Maildir under $1
  find "$1" -type f \( -path '*/new/*' -o -path '*/cur/*' \) 2>/dev/null | wc -l
}

# record NET PEER STORED < "seconds S peak_kb K ..." (measure.py's line)
record () {
  local line
  line=$(cat)
  echo "$1 $2 stored $3 $line" >>"$results"
  say "$1 $2: $(echo "$line" | awk -v n="$3" '{ printf "%d stored, %.1f s, %.0f msg/s, peak %.1f MB", n, $2, ($2 > 0 ? n / $2 : 0), $4 / 1024 }')"
}

# --- One peer, one run ------------------------------------------------------------
# Each run_X NET PORT [USER PASS MAILDIR N] writes one result line.

run_bare () {
  local d=$work/run/$1-bare out
  mkdir -p "$d"
  "$python" "$here/measure.py" --log "$d/log" -- "$retr" "$2" "$MAIL_BULK_USER" "$MAIL_BULK_PASS" \
    >"$d/measure" 2>>"$d/log"
  out=$(awk '$1 == "messages" { print $2 }' "$d/log")
  record "$1" bare "${out:-0}" <"$d/measure"
}

run_pipelined () {
  local d=$work/run/$1-pipelined out
  mkdir -p "$d"
  "$python" "$here/measure.py" --log "$d/log" -- "$python" "$here/pipelined-reader.py" "$2" \
    "$MAIL_BULK_USER" "$MAIL_BULK_PASS" --ca-file "$MAIL_CA_CERT" >"$d/measure" 2>>"$d/log"
  out=$(awk '$1 == "messages" { print $2 }' "$d/log")
  record "$1" pipelined "${out:-0}" <"$d/measure"
}

run_fetchmail () {
  local d=$work/run/$1-fetchmail
  mkdir -p "$d/Maildir/new" "$d/Maildir/cur" "$d/Maildir/tmp" "$d/home"
  # procmail: a C MDA that writes each message to Maildir/tmp, fsyncs it and
  # links it into new/ (maildrop does the same and was slower here)
  cat >"$d/procmailrc" <<EOF
DEFAULT=$d/Maildir/
:0
$d/Maildir/
EOF
  # the certificate names localhost (and 127.0.0.1, which fetchmail does not
  # match against IP addresses): check it for that name
  cat >"$d/fetchmailrc" <<EOF
set no syslog
poll 127.0.0.1 service $2 protocol pop3:
  user "$MAIL_BULK_USER" there with password "$MAIL_BULK_PASS" is root here
  ssl sslcertck sslcertfile "$MAIL_CA_CERT" sslcommonname localhost
  keep fetchall no rewrite
  mda "/usr/bin/procmail -m $d/procmailrc"
EOF
  chmod 600 "$d/fetchmailrc"
  FETCHMAILHOME=$d/home "$python" "$here/measure.py" --log "$d/log" -- \
    fetchmail --nodetach -f "$d/fetchmailrc" >"$d/measure"
  record "$1" fetchmail "$(maildir_count "$d/Maildir")" <"$d/measure"
  rm -rf "$d/Maildir"
}

run_getmail () {
  local d=$work/run/$1-getmail
  mkdir -p "$d/Maildir/new" "$d/Maildir/cur" "$d/Maildir/tmp" "$d/state"
  cat >"$d/state/getmailrc" <<EOF
[retriever]
type = SimplePOP3SSLRetriever
server = 127.0.0.1
port = $2
username = $MAIL_BULK_USER
password = $MAIL_BULK_PASS
ca_certs = $MAIL_CA_CERT

[destination]
type = Maildir
path = $d/Maildir/

[options]
verbose = 0
read_all = true
delete = false
message_log_syslog = false
EOF
  # getmail refuses to deliver as root: run it as nobody
  chown -R nobody:nogroup "$d"
  "$python" "$here/measure.py" --log "$d/log" -- \
    setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$python" "$here/getmail-waitpid.py" --getmaildir "$d/state" --rcfile getmailrc \
    >"$d/measure"
  record "$1" getmail "$(maildir_count "$d/Maildir")" <"$d/measure"
  rm -rf "$d/Maildir"
}

run_claws () {
  local d=$work/run/$1-claws line rc=0
  mkdir -p "$(dirname "$d")"
  line=$("$python" "$here/claws-receive.py" --dir "$d" --port "$2" --user "$MAIL_BULK_USER" \
           --password "$MAIL_BULK_PASS" --ca-file "$MAIL_CA_CERT" --count "$count" \
           2>"$d.log") || { rc=1; say "claws: $(tail -n 1 "$d.log")"; }
  # "messages N seconds S peak_kb K start_kb B" -> measure.py's shape
  echo "$line" | awk -v rc="$rc" '{ s = $4; p = $6 }
    END { print "seconds", s + 0, "peak_kb", p + 0, "maxrss_kb", p + 0, "rc", rc }' |
    record "$1" claws "$(echo "$line" | awk '{ print $2 + 0 }')"
  rm -rf "$d/Mail"
}

# run_cachet NET PORT [USER PASS MAILDIR N LABEL]
run_cachet () {
  local net=$1 port=$2 user=${3:-$MAIL_BULK_USER} pass=${4:-$MAIL_BULK_PASS}
  local label=${7:-cachet}
  local d=$work/run/$net-$label n=0
  mkdir -p "$d"
  (
    export XDG_CONFIG_HOME=$d/config XDG_DATA_HOME=$d/data XDG_CACHE_HOME=$d/cache
    printf '%s\n' "$pass" |
      "$cachet" account add "bench-$net-$label" --address "$user" --user "$user" \
        --pop3 "127.0.0.1:$port" --pop3-security tls --smtp "127.0.0.1:$port" \
        --smtp-security tls --ca-file "$MAIL_CA_CERT" --password-stdin >>"$d/log" 2>&1
    "$python" "$here/measure.py" --log "$d/log" -- "$cachet" fetch "bench-$net-$label" \
      >"$d/measure"
  )
  n=$(maildir_count "$d/data/cachet/mail")
  record "$net" "$label" "$n" <"$d/measure"
  rm -rf "$d/data/cachet/mail"
}

cachet_ready () {  # a build with both commands (an unknown one opens the window)
  [ -x "$cachet" ] && "$cachet" --help 2>/dev/null | grep -q '^  fetch ' &&
    "$cachet" --help 2>/dev/null | grep -q '^  account '
}

peer_ready () {
  case $1 in
    cachet) cachet_ready ;;
    fetchmail) command -v fetchmail >/dev/null && [ -x /usr/bin/procmail ] ;;
    getmail) command -v getmail >/dev/null ;;
    claws) command -v claws-mail >/dev/null ;;
    bare) [ -x "$retr" ] ;;
    pipelined) true ;;
  esac
}

run_all () {  # NET PORT
  local p r
  for p in bare pipelined cachet fetchmail getmail claws; do
    has_peer "$p" || continue
    if ! peer_ready "$p"; then
      say "$p: not available, skipped"
      continue
    fi
    for r in $(seq 1 "$runs"); do
      "run_$p" "$1" "$2"
    done
  done
}

say "loopback: POP3S on 127.0.0.1:$POP3S_PORT"
run_all loopback "$POP3S_PORT"

if [ "$delay" = 1 ]; then
  "$python" "$srcdir/bench/delay-proxy.py" --to "127.0.0.1:$POP3S_PORT" \
    --delay-ms "$(awk -v r="$rtt_ms" 'BEGIN { print r / 2 }')" --parent-pid $$ \
    >"$work/proxy.out" 2>"$work/proxy.log" &
  proxy_pid=$!
  for _ in $(seq 100); do grep -q '^PORT ' "$work/proxy.out" && break; sleep 0.05; done
  proxy_port=$(awk '$1 == "PORT" { print $2 }' "$work/proxy.out")
  [ -n "$proxy_port" ] || { say "the delay proxy did not start"; cat "$work/proxy.log" >&2; exit 1; }
  say "+${rtt_ms} ms: through the delay proxy on 127.0.0.1:$proxy_port"
  run_all "rtt$rtt_ms" "$proxy_port"
  kill "$proxy_pid" 2>/dev/null || true
  wait "$proxy_pid" 2>/dev/null || true
  proxy_pid=
fi

if [ "$memory" = 1 ] && has_peer cachet && cachet_ready; then
  small=${memory_counts%,*}
  large=${memory_counts#*,}
  say "memory: cachet fetch of $small and of $large messages"
  gen_mailbox "$MAIL_ALICE_MAILDIR" "$small"
  gen_mailbox "$MAIL_CAROL_MAILDIR" "$large"
  for who in ALICE CAROL; do
    u=MAIL_${who}_USER p=MAIL_${who}_PASS
    "$python" "$here/pipelined-reader.py" "$POP3S_PORT" "${!u}" "${!p}" \
      --ca-file "$MAIL_CA_CERT" >/dev/null
  done
  run_cachet memory "$POP3S_PORT" "$MAIL_ALICE_USER" "$MAIL_ALICE_PASS" "" "" "cachet-$small"
  run_cachet memory "$POP3S_PORT" "$MAIL_CAROL_USER" "$MAIL_CAROL_PASS" "" "" "cachet-$large"
fi

# --- The table ------------------------------------------------------------------
"$python" - "$results" "$count" "$corpus_line" "$rtt_ms" "$runs" <<'EOF'
import sys
path, count, corpus, rtt, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
rows = {}
for line in open(path):
    f = line.split()
    net, peer, stored = f[0], f[1], int(f[3])
    kv = dict(zip(f[4::2], f[5::2]))
    secs, peak, rc = float(kv["seconds"]), int(kv["peak_kb"]), int(kv["rc"])
    rate = stored / secs if secs > 0 else 0.0
    best = rows.get((net, peer))
    if best is None or rate > best["rate"]:
        rows[(net, peer)] = dict(stored=stored, secs=secs, peak=peak, rc=rc, rate=rate,
                                 peak_min=min(peak, best["peak_min"]) if best else peak)
    else:
        best["peak_min"] = min(best["peak_min"], peak)

names = {
    "cachet": "cachet fetch",
    "fetchmail": "fetchmail + procmail",
    "getmail": "getmail (Maildir)",
    "claws": "Claws Mail --receive-all",
    "bare": "ref: libetpan RETR loop",
    "pipelined": "ref: pipelined reader",
}
order = ["cachet", "fetchmail", "getmail", "claws", "bare", "pipelined"]
print()
print(f"POP3 fetch benchmark: {corpus}, POP3 over TLS from Dovecot on 127.0.0.1"
      + (f", best of {runs} runs" if runs != "1" else ""))
print("msg/s = messages stored / wall time of the whole fetch; peak = summed RSS of the")
print("process tree (Claws Mail: VmHWM of its process, window included); the ratios are")
print("Cachet's figure over the row's (speed: >1 is Cachet faster; memory: <1 is Cachet smaller).")
for net, title in (("loopback", "loopback"), (f"rtt{rtt}", f"+{rtt} ms round trip (delay proxy)")):
    present = [p for p in order if (net, p) in rows]
    if not present:
        continue
    c = rows.get((net, "cachet"))
    print()
    print(f"== {title}")
    print(f"{'':26} {'stored':>7} {'seconds':>8} {'msg/s':>7} {'peak MB':>8}  {'Cachet speed':>12} {'Cachet memory':>13}")
    for p in present:
        r = rows[(net, p)]
        ok = "" if r["stored"] == count and r["rc"] == 0 else (
            f"  INCOMPLETE (exit {r['rc']})" if r["stored"] != count else f"  exit {r['rc']}")
        if c and p != "cachet" and r["rate"] > 0:
            sp = f"{c['rate'] / r['rate']:.2f}x"
            mem = f"{c['peak'] / r['peak']:.2f}x" if p not in ("bare", "pipelined") and r["peak"] else "-"
        else:
            sp = mem = "-"
        print(f"{names[p]:26} {r['stored']:>7} {r['secs']:>8.2f} {r['rate']:>7.0f} {r['peak'] / 1024:>8.1f}  {sp:>12} {mem:>13}{ok}")

mem = sorted(((int(p.split("-")[1]), r) for (n, p), r in rows.items() if n == "memory"),
             key=lambda t: t[0])
if len(mem) == 2:
    (n1, a), (n2, b) = mem
    growth = (b["peak"] - a["peak"]) / a["peak"] * 100 if a["peak"] else 0
    print()
    print("== memory: cachet fetch of a small and a large mailbox (loopback)")
    for n, r in mem:
        ok = "" if r["stored"] == n else f"  INCOMPLETE ({r['stored']} stored)"
        print(f"{n:>8} messages: peak {r['peak'] / 1024:6.1f} MB, {r['rate']:6.0f} msg/s{ok}")
    verdict = "within 20%" if abs(growth) <= 20 else "MORE than 20% apart"
    print(f"   growth: {growth:+.1f}% ({verdict})")
EOF
