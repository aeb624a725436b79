#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Throw-away mail servers on 127.0.0.1 for Cachet's tests.
#
#   mailservers.sh start [OPTIONS] DIR
#       Make a test CA and certificates, generate Dovecot and Postfix
#       configurations under DIR, start them and write DIR/env (shell
#       syntax, one KEY=value a line: ports, users, passwords, paths).
#       Options:
#         --without-postfix    POP3 only (no SMTP, no LMTP delivery)
#         --without-alt        no extra instances with the other certificates
#         --watch PID          stop the servers (and, with --remove, delete
#                              DIR) as soon as process PID ends; for test
#                              programs that may abort before they stop
#         --remove             see --watch
#         --domain DOMAIN      the mail domain (default example.test)
#         --user NAME:PASSWORD one more user (password stored in clear);
#                              repeat for more
#         --pop3s-port PORT    a fixed port for the main POP3S listener
#         --submission-port PORT
#                              a fixed port for Postfix's submission listener
#                              (the demo uses both, see data/isp/README.md)
#   mailservers.sh stop DIR
#       Stop what "start DIR" started (by the PIDs it recorded, after
#       checking that they are the servers of DIR). Keeps DIR's contents.
#   mailservers.sh status DIR
#       Exit 0 if every server of DIR runs.
#   mailservers.sh certs DIR
#       Only make the test CA and certificates in DIR/tls (as "start" does;
#       needs openssl, not root): for the fake POP3 server.
#   mailservers.sh check
#       Print why the servers cannot run here and exit 1, or exit 0.
#
# What runs (every port random and free, on 127.0.0.1 only):
#   Dovecot "main": POP3 with STLS (USER/PASS and SASL PLAIN/LOGIN/CRAM-MD5
#     allowed without TLS; CRAM-MD5 works only for users whose password is
#     stored in clear: all but bob) and POP3S, certificate for
#     localhost/127.0.0.1 signed by the test CA; LMTP and an auth socket for
#     Postfix (so SMTP AUTH offers PLAIN, LOGIN and CRAM-MD5).
#   Dovecot "wronghost", "selfsigned", "selfsigned2", "expired", "apop": the
#     same mailboxes on their own POP3/POP3S ports, with a certificate for
#     wrong.example.test (signed by the test CA), two different self-signed
#     certificates for localhost, an expired one (test CA), and the main
#     certificate with APOP offered.
#   Postfix: SMTP (port-25 style: STARTTLS offered, mail to example.test
#     accepted without AUTH, relaying refused), submission (STARTTLS required
#     before AUTH, AUTH required), SMTPS (implicit TLS, AUTH required), and
#     submission + SMTPS with each of the other certificates. AUTH goes to
#     Dovecot; mail to example.test is delivered over LMTP into the
#     Maildirs; mail for any other domain lands in sink@example.test, so
#     nothing ever leaves the machine.
#
# Needs root and the Debian packages dovecot-core dovecot-pop3d
# dovecot-lmtpd postfix openssl (build-aux/cachet-dev test installs them).
# Every directory above DIR must be searchable by others (the servers drop
# privileges); DIR itself is made 0755.
#
# Environment: CACHET_TEST_PORT_MIN / CACHET_TEST_PORT_MAX (port range,
# default 20000-29999, below Linux's ephemeral range);
# CACHET_TEST_MAIL_OWNER (user:group owning the Maildirs, default
# nobody:nogroup; Dovecot refuses uid 0).

set -euo pipefail
export LC_ALL=C

self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
PORT_MIN=${CACHET_TEST_PORT_MIN:-20000}
PORT_MAX=${CACHET_TEST_PORT_MAX:-29999}
MAIL_OWNER=${CACHET_TEST_MAIL_OWNER:-nobody:nogroup}
DOMAIN=example.test
# name:password:how the passwd-file stores it
USERS="alice:secret-alice:plain bob:secret-bob:hashed carol:secret-carol:plain
       bulk:secret-bulk:plain sink:secret-sink:plain"
# Dovecot instances besides "main" (see cert_of); Postfix gets submission
# and SMTPS listeners for the ones with another certificate
ALT_INSTANCES="wronghost selfsigned selfsigned2 expired apop"
ALT_CERTS="wronghost selfsigned selfsigned2 expired"

die () { echo "mailservers.sh: $*" >&2; exit 1; }
say () { echo "mailservers.sh: $*" >&2; }

now () { date +%s.%N; }
since () { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# --- Checks ------------------------------------------------------------------

# Prints why the servers cannot run here, or nothing.
missing_reason () {
  local b missing=""
  for b in dovecot postfix postconf openssl; do
    command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || missing="$missing $b"
  done
  [ -x /usr/lib/dovecot/pop3 ] || missing="$missing dovecot-pop3d"
  [ -x /usr/lib/dovecot/lmtp ] || missing="$missing dovecot-lmtpd"
  if [ -n "$missing" ]; then
    echo "not installed:$missing (Debian: dovecot-core dovecot-pop3d dovecot-lmtpd postfix openssl)"
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "the test mail servers need root"
    return 0
  fi
  local u
  for u in dovecot dovenull postfix; do
    getent passwd "$u" >/dev/null || { echo "system user $u missing (made by the packages)"; return 0; }
  done
  getent group postdrop >/dev/null || echo "system group postdrop missing (made by postfix)"
  return 0
}

# --- Processes ---------------------------------------------------------------

# Running means: exists and is not a zombie (PID 1 in containers may reap late).
alive () {
  local st
  [ -n "${1:-}" ] || return 1
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

# Is any process of process group $1 still running? (No ps: it is not in
# every container.)
group_alive () {
  [ -n "${1:-}" ] || return 1
  # (cat fails when a process ends during the scan: not our business)
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } |
    awk -v g="$1" '{ s = $0; sub(/.*\) /, "", s); split(s, f, " ");
                     if (f[3] == g && f[1] != "Z") found = 1 }
                   END { exit !found }'
}

port_busy () { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pick_ports N: N distinct ports nobody listens on (a race with another
# starter is caught when a server fails to bind, and retried).
pick_ports () {
  local n=$1 chosen=" " count=0 p tries=0
  while [ "$count" -lt "$n" ]; do
    tries=$((tries + 1))
    [ "$tries" -lt 5000 ] || die "no free ports in $PORT_MIN-$PORT_MAX"
    p=$(( PORT_MIN + (RANDOM * 32768 + RANDOM) % (PORT_MAX - PORT_MIN + 1) ))
    case $chosen in *" $p "*) continue ;; esac
    port_busy "$p" && continue
    chosen="$chosen$p "
    count=$((count + 1))
  done
  echo $chosen
}

wait_ports () {  # wait_ports TIMEOUT_S PORT...
  local deadline=$(( $(date +%s) + $1 )) p
  shift
  for p in "$@"; do
    until port_busy "$p"; do
      [ "$(date +%s)" -lt "$deadline" ] || return 1
      sleep 0.02
    done
  done
}

# --- TLS -----------------------------------------------------------------------

# A test CA; a server certificate for localhost + 127.0.0.1 (and the names
# discovery guesses for example.test, which its tests map to 127.0.0.1) signed by it; one
# for wrong.example.test signed by it; an expired one signed by it; two
# different self-signed ones for localhost. P-256 keys: made in milliseconds.
gen_tls () {
  local T=$1/tls
  [ -s "$T/done" ] && return 0
  rm -rf "$T"
  mkdir -p "$T/ca-db"
  : > "$T/ca-db/index.txt"
  echo 1000 > "$T/ca-db/serial"
  cat > "$T/openssl.cnf" <<EOF
# generated by mailservers.sh
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ ca ]
default_ca = testca
[ testca ]
database = $T/ca-db/index.txt
new_certs_dir = $T/ca-db
serial = $T/ca-db/serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional
[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ server_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, DNS:example.test, DNS:pop3.example.test, DNS:pop.example.test, DNS:mail.example.test, DNS:smtp.example.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ wronghost_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ selfsigned_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
EOF
  local cnf=$T/openssl.cnf key=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
  {
    openssl req -config "$cnf" -x509 "${key[@]}" -days 30 -extensions ca_ext \
      -subj "/O=Cachet tests/CN=Cachet Test CA" -keyout "$T/ca.key" -out "$T/ca.pem"
    # signed by the test CA: server, wronghost
    local name cn
    for name in server wronghost; do
      cn=localhost; [ "$name" = wronghost ] && cn=wrong.example.test
      openssl req -config "$cnf" -new "${key[@]}" -subj "/O=Cachet tests/CN=$cn" \
        -keyout "$T/$name.key" -out "$T/$name.csr"
      openssl x509 -req -in "$T/$name.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
        -CAcreateserial -days 30 -sha256 -extfile "$cnf" -extensions "${name}_ext" \
        -out "$T/$name.pem"
    done
    # expired a long time ago, otherwise like server
    openssl req -config "$cnf" -new "${key[@]}" -subj "/O=Cachet tests/CN=localhost" \
      -keyout "$T/expired.key" -out "$T/expired.csr"
    openssl ca -batch -config "$cnf" -name testca -cert "$T/ca.pem" -keyfile "$T/ca.key" \
      -startdate 20200101000000Z -enddate 20200201000000Z -extensions server_ext \
      -notext -in "$T/expired.csr" -out "$T/expired.pem"
    # self-signed, right host name: only the issuer is wrong
    for name in selfsigned selfsigned2; do
      openssl req -config "$cnf" -x509 "${key[@]}" -days 30 -extensions selfsigned_ext \
        -subj "/O=Cachet tests $name/CN=localhost" \
        -keyout "$T/$name.key" -out "$T/$name.pem"
    done
  } >"$T/openssl.log" 2>&1 || { cat "$T/openssl.log" >&2; die "making the test certificates failed"; }
  rm -f "$T"/*.csr
  chmod 644 "$T"/*.pem
  chmod 600 "$T"/*.key
  touch "$T/done"
}

# cert_file INSTANCE -> the certificate name it presents
cert_of () {
  case $1 in
    main|apop) echo server ;;
    *) echo "$1" ;;
  esac
}

# SHA-256 of a certificate's DER form, lower-case hex (cached next to it)
sha256_of () {
  local cache=${1%.pem}.sha256
  if [ ! -s "$cache" ]; then
    openssl x509 -in "$1" -noout -fingerprint -sha256 |
      sed 's/.*=//; s/://g' | tr A-F a-f > "$cache"
  fi
  cat "$cache"
}

# --- Dovecot -------------------------------------------------------------------

gen_passwd () {
  local D=$1 u name pass kind
  mkdir -p "$D/dovecot" "$D/mail/$DOMAIN"
  : > "$D/dovecot/passwd.new"
  for u in $USERS; do
    IFS=: read -r name pass kind <<<"$u"
    if [ "$kind" = hashed ]; then
      pass="{SHA512-CRYPT}$(openssl passwd -6 "$pass")"
    else
      pass="{PLAIN}$pass"
    fi
    echo "$name@$DOMAIN:$pass::::::" >> "$D/dovecot/passwd.new"
    mkdir -p "$D/mail/$DOMAIN/$name/Maildir/"{cur,new,tmp}
  done
  mv "$D/dovecot/passwd.new" "$D/dovecot/passwd"
  # read by the auth processes, which run as user dovecot
  chown root:dovecot "$D/dovecot/passwd"
  chmod 640 "$D/dovecot/passwd"
  chown -R "$MAIL_OWNER" "$D/mail"
}

# gen_dovecot DIR INSTANCE POP3_PORT POP3S_PORT
gen_dovecot () {
  local D=$1 name=$2 pop3=$3 pop3s=$4
  local I=$D/dovecot/$name cert
  cert=$(cert_of "$name")
  mkdir -p "$I/run" "$I/state" "$D/sockets"
  local protocols="pop3" mechs="plain login" min_avail=0 dh=""
  [ "$name" = main ] && { protocols="pop3 lmtp"; min_avail=2; mechs="plain login cram-md5"; }
  [ "$name" = apop ] && mechs="plain login apop"
  [ -r /usr/share/dovecot/dh.pem ] && dh="ssl_dh = </usr/share/dovecot/dh.pem"
  cat > "$I/dovecot.conf" <<EOF
# generated by mailservers.sh; self-contained, reads nothing in /etc/dovecot
base_dir = $I/run
state_dir = $I/state
instance_name = cachet-test-$name-$(basename "$D")
log_path = $D/dovecot/$name.log
protocols = $protocols
listen = 127.0.0.1
shutdown_clients = yes
default_internal_user = dovecot
default_login_user = dovenull
# the mail uid must not be 0 (Dovecot refuses it)
first_valid_uid = 1

ssl = yes
ssl_cert = <$D/tls/$cert.pem
ssl_key = <$D/tls/$cert.key
$dh
# USER/PASS and AUTH allowed without TLS (127.0.0.1 counts as secure anyway)
disable_plaintext_auth = no
auth_mechanisms = $mechs
# no pause after a wrong password: negative tests stay fast
auth_failure_delay = 0
auth_verbose = yes
mail_fsync = never
mail_max_userip_connections = 100
pop3_uidl_format = %08Xu%08Xv

passdb {
  driver = passwd-file
  args = $D/dovecot/passwd
}
userdb {
  driver = passwd-file
  args = $D/dovecot/passwd
  default_fields = uid=${MAIL_OWNER%%:*} gid=${MAIL_OWNER#*:} home=$D/mail/%d/%n mail=maildir:~/Maildir
}

# keep processes between sessions (all users share one uid): a few ms per
# login instead of ~25
service pop3-login {
  service_count = 0
  process_min_avail = $min_avail
  inet_listener pop3 {
    address = 127.0.0.1
    port = $pop3
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $pop3s
    ssl = yes
  }
}
service pop3 {
  service_count = 0
  process_limit = 100
}
EOF
  if [ "$name" = main ]; then
    cat >> "$I/dovecot.conf" <<EOF
service lmtp {
  unix_listener $D/sockets/lmtp {
    mode = 0600
    user = postfix
    group = postfix
  }
}
service auth {
  # SASL for Postfix
  unix_listener $D/sockets/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
  fi
}

dovecot_conf () { echo "$1/dovecot/$2/dovecot.conf"; }

# is PID the Dovecot master of instance $3 in DIR $2?
ours_dovecot () {
  alive "${1:-}" &&
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "-c $(dovecot_conf "$2" "$3")"
}

dovecot_pid () { cat "$1/dovecot/$2/run/master.pid" 2>/dev/null || true; }

# --- Postfix -------------------------------------------------------------------

# gen_postfix DIR SMTP SUBMISSION SMTPS [ALT:SUBMISSION:SMTPS ...]
gen_postfix () {
  local D=$1 smtp=$2 sub=$3 smtps=$4 P=$1/postfix u
  shift 4
  mkdir -p "$P/etc" "$P/spool" "$P/data"
  chown postfix "$P/data"
  : > "$P/etc/vmailbox"
  for u in $USERS; do echo "${u%%:*}@$DOMAIN OK" >> "$P/etc/vmailbox"; done
  # every recipient outside $DOMAIN becomes sink@ (after the relay check):
  # authenticated "outgoing" mail lands in a local mailbox
  printf '%s\n' "!/@${DOMAIN//./\\.}\$/ sink@$DOMAIN" > "$P/etc/catchall.regexp"
  cat > "$P/etc/main.cf" <<EOF
# generated by mailservers.sh
compatibility_level = 3.6
queue_directory = $P/spool
data_directory = $P/data
mail_owner = postfix
setgid_group = postdrop
# no syslog here: log to a file (the prefix list must allow it)
maillog_file = $P/postfix.log
maillog_file_prefixes = $P
myhostname = mail.$DOMAIN
mydomain = $DOMAIN
myorigin = \$mydomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
biff = no
append_dot_mydomain = no
readme_directory = no
recipient_delimiter = +
message_size_limit = 52428800
smtpd_banner = \$myhostname ESMTP Cachet test server
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 200

virtual_mailbox_domains = $DOMAIN
virtual_mailbox_maps = texthash:$P/etc/vmailbox
# must be empty: its default (\$virtual_alias_maps) would make the negated
# catch-all claim every domain, $DOMAIN included
virtual_alias_domains =
virtual_alias_maps = regexp:$P/etc/catchall.regexp
virtual_transport = lmtp:unix:$D/sockets/lmtp
# nothing may leave this machine
default_transport = error:outbound delivery disabled on test server
relay_transport = error:outbound delivery disabled on test server

smtpd_tls_chain_files = $D/tls/server.key, $D/tls/server.pem
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $D/sockets/auth
smtpd_tls_auth_only = no
smtpd_sasl_authenticated_header = yes
# no permit_mynetworks anywhere: 127.0.0.1 is not trusted to relay
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
EOF
  local alt name asub asmtps
  for alt in "$@"; do
    IFS=: read -r name asub asmtps <<<"$alt"
    echo "cachet_${name}_chain = $D/tls/$(cert_of "$name").key, $D/tls/$(cert_of "$name").pem" >> "$P/etc/main.cf"
  done
  # private services, nothing chrooted (all paths are absolute)
  {
    echo "# generated by mailservers.sh"
    echo "127.0.0.1:$smtp inet n - n - - smtpd"
    echo "  -o syslog_name=postfix/smtp"
    submission_lines main "$sub" "$smtps" ""
    for alt in "$@"; do
      IFS=: read -r name asub asmtps <<<"$alt"
      submission_lines "$name" "$asub" "$asmtps" "\$cachet_${name}_chain"
    done
    cat <<EOF
pickup     unix  n - n 60    1 pickup
cleanup    unix  n - n -     0 cleanup
qmgr       unix  n - n 300   1 qmgr
tlsmgr     unix  - - n 1000? 1 tlsmgr
rewrite    unix  - - n -     - trivial-rewrite
bounce     unix  - - n -     0 bounce
defer      unix  - - n -     0 bounce
trace      unix  - - n -     0 bounce
verify     unix  - - n -     1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -     - proxymap
proxywrite unix  - - n -     1 proxymap
smtp       unix  - - n -     - smtp
relay      unix  - - n -     - smtp
showq      unix  n - n -     - showq
error      unix  - - n -     - error
retry      unix  - - n -     - error
discard    unix  - - n -     - discard
lmtp       unix  - - n -     - lmtp
anvil      unix  - - n -     1 anvil
scache     unix  - - n -     1 scache
postlog    unix-dgram n - n - 1 postlogd
EOF
  } > "$P/etc/master.cf"
  # Postfix re-reads files whose mtime is less than a second old (about 2 s
  # per command on fresh files): date them back
  touch -d '-1 minute' "$P/etc/"*
}

# submission_lines NAME SUBMISSION_PORT SMTPS_PORT [CHAIN]
submission_lines () {
  local chain=""
  [ -z "$4" ] || chain="
  -o smtpd_tls_chain_files=$4"
  cat <<EOF
127.0.0.1:$2 inet n - n - - smtpd
  -o syslog_name=postfix/submission-$1$chain
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
127.0.0.1:$3 inet n - n - - smtpd
  -o syslog_name=postfix/smtps-$1$chain
  -o smtpd_tls_wrappermode=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
EOF
}

ours_postfix () {
  alive "${1:-}" &&
    tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -qxF "MAIL_CONFIG=$2/postfix/etc"
}

postfix_pid () { sed -n 1p "$1/postfix/spool/pid/master.pid" 2>/dev/null | tr -d ' ' || true; }

# --- Watcher ---------------------------------------------------------------------

ours_watcher () {
  alive "${1:-}" &&
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$self watch $2 "
}

# watch DIR PID REMOVE: wait for PID to end, then stop DIR's servers. A
# TERM (sent by "stop") ends the watch and nothing else.
do_watch () {
  local D=$1 pid=$2 remove=$3 tail_pid
  # tail polls PID every 0.2 s and returns when it is gone; in the
  # background, so that "wait" lets the TERM trap run at once
  tail --pid="$pid" -s 0.2 -f /dev/null &
  tail_pid=$!
  trap 'kill $tail_pid 2>/dev/null; exit 0' TERM
  wait "$tail_pid" || true
  trap - TERM
  say "process $pid ended without stopping the servers in $D: stopping them"
  do_stop "$D" watcher
  [ "$remove" = 1 ] && rm -rf "$D"
  exit 0
}

# --- Start, stop, status -----------------------------------------------------------

instances_of () { cat "$1/instances" 2>/dev/null || true; }

# do_stop DIR [watcher]
do_stop () {
  local D=$1 from=${2:-} pids="" pid name i left p
  for name in $(instances_of "$D"); do
    case $name in
      postfix)
        pid=$(postfix_pid "$D")
        ours_postfix "$pid" "$D" && pids="$pids $pid" ;;
      *)
        pid=$(dovecot_pid "$D" "$name")
        ours_dovecot "$pid" "$D" "$name" && pids="$pids $pid" ;;
    esac
  done
  if [ -n "$pids" ]; then
    # The masters run setsid(): PID == process group. TERM to the whole
    # group: on its own the Dovecot master sometimes exits leaving some of
    # its children (auth, log, stats, ...) running for good.
    for p in $pids; do kill -TERM -- "-$p" 2>/dev/null || true; done
    for i in $(seq 1 200); do
      left=""
      for p in $pids; do group_alive "$p" && left="$left $p"; done
      [ -n "$left" ] || break
      if [ "$i" -eq 200 ]; then
        say "process group(s)$left still running after 10 s: sending KILL"
        for p in $left; do kill -KILL -- "-$p" 2>/dev/null || true; done
      fi
      sleep 0.05
    done
  fi
  rm -f "$D/postfix/spool/pid/master.pid"
  if [ "$from" != watcher ]; then
    pid=$(cat "$D/watch.pid" 2>/dev/null || true)
    if ours_watcher "$pid" "$D"; then
      kill -TERM "$pid" 2>/dev/null || true
      for i in $(seq 1 40); do
        alive "$pid" || break
        sleep 0.05
      done
    fi
  fi
  rm -f "$D/watch.pid"
  return 0
}

do_status () {
  local D=$1 name n=0
  for name in $(instances_of "$D"); do
    n=$((n + 1))
    case $name in
      postfix) ours_postfix "$(postfix_pid "$D")" "$D" || return 1 ;;
      *) ours_dovecot "$(dovecot_pid "$D" "$name")" "$D" "$name" || return 1 ;;
    esac
  done
  [ "$n" -gt 0 ]
}

do_start () {
  local with_postfix=1 with_alt=1 watch="" remove=0 D t0 reason
  local fixed_pop3s="" fixed_submission="" p
  t0=$(now)
  while [ $# -gt 1 ]; do
    case $1 in
      --without-postfix) with_postfix=0 ;;
      --without-alt) with_alt=0 ;;
      --watch) watch=$2; shift ;;
      --remove) remove=1 ;;
      --domain)
        [[ $2 =~ ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$ ]] || die "not a domain: $2"
        DOMAIN=$2; shift ;;
      --user)
        [[ $2 =~ ^[a-z0-9._-]+:[^[:space:]:]+$ ]] || die "--user wants NAME:PASSWORD, not $2"
        USERS="$USERS $2:plain"; shift ;;
      --pop3s-port) fixed_pop3s=$2; shift ;;
      --submission-port) fixed_submission=$2; shift ;;
      *) die "unknown option $1" ;;
    esac
    shift
  done
  [ $# -eq 1 ] || die "usage: mailservers.sh start [OPTIONS] DIR"
  reason=$(missing_reason)
  [ -z "$reason" ] || { echo "SKIP: $reason"; exit 77; }
  for p in $fixed_pop3s $fixed_submission; do
    [[ $p =~ ^[0-9]+$ ]] && [ "$p" -ge 1 ] && [ "$p" -le 65535 ] || die "not a port: $p"
    port_busy "$p" && die "port $p is in use already"
  done
  mkdir -p "$1"
  D=$(cd "$1" && pwd)
  case $D in
    *[!A-Za-z0-9/._+-]*) die "DIR may only contain letters, digits and / . _ + -: $D" ;;
  esac
  # Unix socket paths are limited to 108 bytes
  [ ${#D} -le 60 ] || die "DIR path too long (at most 60 characters): $D"
  do_status "$D" && die "servers already running in $D (stop them first)"
  chmod 755 "$D"
  local c=$D
  while [ "$c" != / ]; do
    c=$(dirname "$c")
    [ $(( 0$(stat -c %a "$c") & 01 )) = 1 ] ||
      die "$c is not searchable by others (chmod o+x it, or use another DIR)"
  done

  local alts="" alt_certs="" name
  [ "$with_alt" = 1 ] && { alts=$ALT_INSTANCES; alt_certs=$ALT_CERTS; }
  local n_ports=$(( 2 + 2 * $(echo $alts | wc -w) ))
  [ "$with_postfix" = 1 ] && n_ports=$(( n_ports + 3 + 2 * $(echo $alt_certs | wc -w) ))

  gen_tls "$D"
  gen_passwd "$D"
  local attempt ports=() ok=0 i pf_alts instances
  for attempt in 1 2 3 4 5; do
    read -r -a ports <<<"$(pick_ports "$n_ports")"
    [ -z "$fixed_pop3s" ] || ports[1]=$fixed_pop3s
    [ -z "$fixed_submission" ] || [ "$with_postfix" = 0 ] ||
      ports[$(( 3 + 2 * $(echo $alts | wc -w) ))]=$fixed_submission
    i=0
    instances="main $alts"
    : > "$D/instances"
    ok=1
    for name in $instances; do
      gen_dovecot "$D" "$name" "${ports[$i]}" "${ports[$((i + 1))]}"
      i=$((i + 2))
      echo "$name" >> "$D/instances"
      if ! dovecot -c "$(dovecot_conf "$D" "$name")" >>"$D/start.log" 2>&1; then
        say "dovecot ($name) did not start (attempt $attempt): $(tail -n 1 "$D/start.log")"
        ok=0
        break
      fi
    done
    if [ "$ok" = 1 ] && [ "$with_postfix" = 1 ]; then
      local smtp_i=$i
      i=$((i + 3))
      pf_alts=()
      for name in $alt_certs; do
        pf_alts+=("$name:${ports[$i]}:${ports[$((i + 1))]}")
        i=$((i + 2))
      done
      gen_postfix "$D" "${ports[$smtp_i]}" "${ports[$((smtp_i + 1))]}" "${ports[$((smtp_i + 2))]}" \
        "${pf_alts[@]}"
      echo postfix >> "$D/instances"
      # "postfix start" spends ~2 s in its check-warn pass; "check" does what
      # is needed (queue directories) in 0.2 s and quick-start skips the rest.
      # "start" waits for the master to bind its ports (master -w).
      if ! { postfix -c "$D/postfix/etc" check && touch "$D/postfix/spool/quick-start" &&
             postfix -c "$D/postfix/etc" start; } >>"$D/start.log" 2>&1; then
        say "postfix did not start (attempt $attempt), see $D/start.log and $D/postfix/postfix.log"
        ok=0
      fi
    fi
    if [ "$ok" = 1 ] && wait_ports 15 "${ports[@]}"; then
      break
    fi
    ok=0
    do_stop "$D"
  done
  [ "$ok" = 1 ] || die "could not start the mail servers, see $D/start.log"

  write_env "$D" "$with_postfix" "$alts" "$alt_certs" "${ports[@]}"
  if [ -n "$watch" ]; then
    setsid "$self" watch "$D" "$watch" "$remove" </dev/null >>"$D/watch.log" 2>&1 &
    echo $! > "$D/watch.pid"
  fi
  printf 'mail servers up in %s s: pop3=%s pop3s=%s%s (env: %s/env)\n' "$(since "$t0")" \
    "${ports[0]}" "${ports[1]}" \
    "$([ "$with_postfix" = 1 ] && grep -E '^(SMTP|SUBMISSION|SMTPS)_PORT=' "$D/env" | tr '\n' ' ' | sed 's/^/ /;s/ $//')" "$D"
}

# write_env DIR WITH_POSTFIX ALTS ALT_CERTS PORT...
write_env () {
  local D=$1 with_postfix=$2 alts=$3 alt_certs=$4 u name pass kind up i=2 N
  shift 4
  local ports=("$@")
  {
    echo "MAIL_DIR=$D"
    echo "MAIL_HOST=127.0.0.1"
    echo "MAIL_DOMAIN=$DOMAIN"
    echo "POP3_PORT=${ports[0]}"
    echo "POP3S_PORT=${ports[1]}"
    for name in $alts; do
      N=$(echo "$name" | tr a-z A-Z)
      echo "${N}_POP3_PORT=${ports[$i]}"
      echo "${N}_POP3S_PORT=${ports[$((i + 1))]}"
      i=$((i + 2))
    done
    if [ "$with_postfix" = 1 ]; then
      echo "SMTP_PORT=${ports[$i]}"
      echo "SUBMISSION_PORT=${ports[$((i + 1))]}"
      echo "SMTPS_PORT=${ports[$((i + 2))]}"
      i=$((i + 3))
      for name in $alt_certs; do
        N=$(echo "$name" | tr a-z A-Z)
        echo "${N}_SUBMISSION_PORT=${ports[$i]}"
        echo "${N}_SMTPS_PORT=${ports[$((i + 1))]}"
        i=$((i + 2))
      done
    fi
    echo "MAIL_CA_CERT=$D/tls/ca.pem"
    echo "MAIL_CA_KEY=$D/tls/ca.key"
    echo "MAIL_SERVER_CERT=$D/tls/server.pem"
    echo "MAIL_SERVER_KEY=$D/tls/server.key"
    echo "MAIL_SERVER_SHA256=$(sha256_of "$D/tls/server.pem")"
    for name in wronghost selfsigned selfsigned2 expired; do
      N=$(echo "$name" | tr a-z A-Z)
      echo "MAIL_${N}_CERT=$D/tls/$name.pem"
      echo "MAIL_${N}_KEY=$D/tls/$name.key"
      echo "MAIL_${N}_SHA256=$(sha256_of "$D/tls/$name.pem")"
    done
    echo "MAIL_USERS=\"$(for u in $USERS; do printf '%s ' "${u%%:*}"; done | sed 's/ $//')\""
    for u in $USERS; do
      IFS=: read -r name pass kind <<<"$u"
      up=$(echo "$name" | tr a-z A-Z)
      echo "MAIL_${up}_USER=$name@$DOMAIN"
      echo "MAIL_${up}_PASS=$pass"
      echo "MAIL_${up}_MAILDIR=$D/mail/$DOMAIN/$name/Maildir"
    done
    echo "MAIL_OWNER=$MAIL_OWNER"
    echo "MAIL_OWNER_UID=$(id -u "${MAIL_OWNER%%:*}")"
    echo "MAIL_OWNER_GID=$(getent group "${MAIL_OWNER#*:}" | cut -d: -f3)"
    echo "DOVECOT_PID=$(dovecot_pid "$D" main)"
    echo "DOVECOT_LOG=$D/dovecot/main.log"
    if [ "$with_postfix" = 1 ]; then
      echo "POSTFIX_PID=$(postfix_pid "$D")"
      echo "POSTFIX_LOG=$D/postfix/postfix.log"
    fi
  } > "$D/env.new"
  mv "$D/env.new" "$D/env"
}

case ${1:-} in
  start) shift; do_start "$@" ;;
  stop)
    [ $# -eq 2 ] || die "usage: mailservers.sh stop DIR"
    [ -d "$2" ] || exit 0
    do_stop "$(cd "$2" && pwd)" ;;
  status)
    [ $# -eq 2 ] || die "usage: mailservers.sh status DIR"
    [ -d "$2" ] || exit 1
    do_status "$(cd "$2" && pwd)" ;;
  certs)
    [ $# -eq 2 ] || die "usage: mailservers.sh certs DIR"
    command -v openssl >/dev/null 2>&1 || { echo "SKIP: openssl is not installed"; exit 77; }
    mkdir -p "$2"
    gen_tls "$(cd "$2" && pwd)"
    ls "$(cd "$2" && pwd)"/tls/*.pem ;;
  check)
    # prints why the servers cannot run here; exit 0 if they can
    reason=$(missing_reason); [ -z "$reason" ] || { echo "$reason"; exit 1; } ;;
  watch) [ $# -eq 4 ] || die "usage: mailservers.sh watch DIR PID REMOVE"; do_watch "$2" "$3" "$4" ;;
  *) die "usage: mailservers.sh start [--without-postfix] [--without-alt] [--watch PID [--remove]] [--domain DOMAIN] [--user NAME:PASSWORD]... [--pop3s-port PORT] [--submission-port PORT] DIR | stop DIR | status DIR | certs DIR | check" ;;
esac
