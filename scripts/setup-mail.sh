#!/usr/bin/env bash
# Starts a real mail system on loopback for Loopdesk's e-mail tests: Postfix accepts SMTP on
# 127.0.0.1:${LOOPDESK_MAIL_SMTP_PORT:-2525} and hands every message for *@loopdesk.test to
# Dovecot over LMTP; Dovecot serves IMAP on 127.0.0.1:${LOOPDESK_MAIL_IMAP_PORT:-1143}.
# Every local part is a mailbox (created on first use); every password is "loopdesk".
# Idempotent and quick when already running. Installs the Debian packages if missing.
# TLS, additively (the plain ports above are unchanged): a private CA and a server certificate
# for 127.0.0.1/localhost under $DIR/tls; Postfix submission with STARTTLS required on
# ${LOOPDESK_MAIL_STARTTLS_PORT:-2587} and with implicit TLS on ${LOOPDESK_MAIL_SMTPS_PORT:-2465};
# Dovecot IMAPS on ${LOOPDESK_MAIL_IMAPS_PORT:-1993}. $DIR/tls/other-ca.pem is an unrelated CA
# (for "wrong CA" tests).
# Prints LOOPDESK_TEST_MAIL_TLS=starttls_port,smtps_port,imaps_port,ca_file and then, LAST,
# LOOPDESK_TEST_MAIL=smtp_port,imap_port on success (scripts/test exports both).
# Deduplication on delivery, additively: Dovecot's LMTP runs a global Sieve script (Pigeonhole,
# RFC 7352 `duplicate`) that discards a message whose Message-ID the mailbox already received, the
# receiving side's half of exactly-once delivery (a sender retrying after an interrupted SMTP
# transaction resends the same Message-ID; README "Exactly-once e-mail"). IMAP APPEND is not
# filtered. Postfix hands each mailbox one message at a time over LMTP (per-recipient concurrency 1,
# still parallel across mailboxes): Dovecot's duplicate database loses entries when deliveries to
# the same mailbox run concurrently. A running Dovecot/Postfix without this gets it added and reloads.
# Delivery status notifications (RFC 3461), additively: Postfix reports a delivery to Dovecot's LMTP
# as final ("Action: delivered", not "relayed") by hiding LMTP's DSN keyword and flagging lmtp(8)
# with X; and every local part starting with "nosuch" (nosuch-1@loopdesk.test …) is a mailbox that
# does not exist: accepted by SMTP, then bounced by Postfix with "Action: failed", Status 5.1.1, the
# way a remote server's refusal comes back to a relaying sender.
set -euo pipefail

DIR="${LOOPDESK_MAIL_DIR:-/tmp/loopdesk-mail}"
SMTP_PORT="${LOOPDESK_MAIL_SMTP_PORT:-2525}"
IMAP_PORT="${LOOPDESK_MAIL_IMAP_PORT:-1143}"
LMTP_PORT="${LOOPDESK_MAIL_LMTP_PORT:-2424}"
STARTTLS_PORT="${LOOPDESK_MAIL_STARTTLS_PORT:-2587}"
SMTPS_PORT="${LOOPDESK_MAIL_SMTPS_PORT:-2465}"
IMAPS_PORT="${LOOPDESK_MAIL_IMAPS_PORT:-1993}"
TLS="$DIR/tls"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
all_listening() {
  listening "$SMTP_PORT" && listening "$IMAP_PORT" && listening "$STARTTLS_PORT" && listening "$SMTPS_PORT" \
    && listening "$IMAPS_PORT"
}
report() {
  echo "LOOPDESK_TEST_MAIL_TLS=$STARTTLS_PORT,$SMTPS_PORT,$IMAPS_PORT,$TLS/ca.pem"
  echo "LOOPDESK_TEST_MAIL=$SMTP_PORT,$IMAP_PORT"
}

# Appends the deduplication block to $DIR/dovecot.conf (whatever else it holds) and compiles
# the Sieve script. Needs the dovecot-sieve package.
add_dedup() {
  if [ ! -e /usr/lib/dovecot/modules/lib90_sieve_plugin.so ]; then
    echo "installing dovecot-sieve" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q dovecot-sieve >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q dovecot-sieve >/dev/null; }
  fi
  mkdir -p "$DIR/sieve"
  cat >"$DIR/sieve/dedup.sieve" <<'EOF'
# Exactly-once delivery: a message whose Message-ID this mailbox has already received (a
# sender's resend after an interrupted SMTP transaction) is discarded. Messages without a
# Message-ID are always kept.
require ["duplicate"];
if duplicate {
  discard;
  stop;
}
EOF
  cat >>"$DIR/dovecot.conf" <<EOF
# loopdesk: deduplicate by Message-ID on delivery
protocol lmtp {
  mail_plugins = \$mail_plugins sieve
}
plugin {
  sieve_before = $DIR/sieve/dedup.sieve
}
EOF
  sievec -c "$DIR/dovecot.conf" "$DIR/sieve/dedup.sieve" >/dev/null 2>&1 || true
  chown -R mail:mail "$DIR/sieve"
}
# Postfix side: LMTP deliveries to one mailbox in turn.
add_dedup_postfix() {
  postconf -c "$DIR/postfix" -e "lmtp_destination_recipient_limit = 1" "lmtp_destination_concurrency_limit = 1"
}
# Postfix side: success reports for LMTP deliveries, and the missing mailboxes.
add_dsn_postfix() {
  echo '/^nosuch[^@]*@loopdesk\.test$/ error:5.1.1 mailbox unavailable: no such user here' \
    >"$DIR/postfix/missing_mailboxes"
  postconf -c "$DIR/postfix" -e "transport_maps = regexp:$DIR/postfix/missing_mailboxes" \
    "smtpd_reject_unlisted_recipient = no"
  postconf -c "$DIR/postfix" -M "lmtp/unix=lmtp unix - - n - - lmtp -o lmtp_discard_lhlo_keywords=DSN flags=X"
}
if listening "$IMAP_PORT" && [ -f "$DIR/dovecot.conf" ] && ! grep -q "^# loopdesk: deduplicate" "$DIR/dovecot.conf"; then
  add_dedup
  doveadm -c "$DIR/dovecot.conf" reload
fi
if listening "$SMTP_PORT" && [ -f "$DIR/postfix/main.cf" ] \
  && [ "$(postconf -c "$DIR/postfix" -h lmtp_destination_recipient_limit)" != 1 ]; then
  add_dedup_postfix
  postfix -c "$DIR/postfix" reload >/dev/null 2>&1 || true
fi
if listening "$SMTP_PORT" && [ -f "$DIR/postfix/main.cf" ] \
  && [ "$(postconf -c "$DIR/postfix" -h transport_maps)" != "regexp:$DIR/postfix/missing_mailboxes" ]; then
  add_dsn_postfix
  postfix -c "$DIR/postfix" reload >/dev/null 2>&1 || true
fi

if all_listening && [ -s "$TLS/ca.pem" ] && [ -s "$TLS/server.pem" ]; then
  report
  exit 0
fi

if ! command -v dovecot >/dev/null || ! command -v postfix >/dev/null || [ ! -e /usr/lib/dovecot/lmtp ]; then
  echo "installing postfix and dovecot (imapd, lmtpd)" >&2
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q postfix dovecot-imapd dovecot-lmtpd >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q postfix dovecot-imapd dovecot-lmtpd >/dev/null; }
fi

mkdir -p "$DIR"/{mail,run,state,postfix,spool,data}
chown mail:mail "$DIR/mail"
chown postfix "$DIR/data"
chmod 755 "$DIR"
# Running servers reload when their configuration or certificate changes.
conf_sum() { { cat "$DIR/dovecot.conf" "$DIR/postfix/main.cf" "$DIR/postfix/master.cf" "$TLS/server.pem" 2>/dev/null || true; } | md5sum; }
old_conf="$(conf_sum)"

# A private CA and a server certificate it signs (kept across runs), plus an unrelated CA.
mkdir -p "$TLS"
if [ ! -s "$TLS/server.pem" ] || [ ! -s "$TLS/ca.pem" ] || [ ! -s "$TLS/other-ca.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Loopdesk test CA" \
    -keyout "$TLS/ca.key" -out "$TLS/ca.pem" >/dev/null 2>&1
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Some other CA" \
    -keyout "$TLS/other-ca.key" -out "$TLS/other-ca.pem" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$TLS/server.key" -out "$TLS/server.csr" >/dev/null 2>&1
  printf 'subjectAltName=DNS:localhost,DNS:mail.loopdesk.test,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
    >"$TLS/server.ext"
  openssl x509 -req -in "$TLS/server.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" -CAcreateserial -days 3650 \
    -extfile "$TLS/server.ext" -out "$TLS/server.pem" >/dev/null 2>&1
fi
chmod 644 "$TLS"/*.pem
chmod 640 "$TLS"/*.key
chgrp dovecot "$TLS/server.key" 2>/dev/null || true

cat >"$DIR/dovecot.conf" <<EOF
protocols = imap lmtp
listen = 127.0.0.1
base_dir = $DIR/run
state_dir = $DIR/state
log_path = $DIR/dovecot.log
ssl = yes
ssl_cert = <$TLS/server.pem
ssl_key = <$TLS/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:$DIR/mail/%n
mail_uid = mail
mail_gid = mail
passdb {
  driver = static
  args = password=loopdesk
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$DIR/mail/%n allow_all_users=yes
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
protocol lmtp {
  auth_username_format = %n
}
EOF
add_dedup

cat >"$DIR/postfix/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $DIR/spool
data_directory = $DIR/data
myhostname = mail.loopdesk.test
mydomain = loopdesk.test
myorigin = loopdesk.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
relayhost =
mynetworks = 127.0.0.0/8
virtual_mailbox_domains = loopdesk.test
virtual_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
smtpd_recipient_restrictions = permit_mynetworks, reject
smtpd_relay_restrictions = permit_mynetworks, reject
default_destination_concurrency_limit = 20
lmtp_destination_concurrency_limit = 20
message_size_limit = 52428800
maillog_file_prefixes = /var, /dev/stdout, $DIR
maillog_file = $DIR/postfix.log
biff = no
smtputf8_enable = yes
smtpd_tls_cert_file = $TLS/server.pem
smtpd_tls_key_file = $TLS/server.key
EOF
add_dedup_postfix

cat >"$DIR/postfix/master.cf" <<EOF
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
127.0.0.1:$STARTTLS_PORT inet n - n - - smtpd -o smtpd_tls_security_level=encrypt
127.0.0.1:$SMTPS_PORT inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
EOF
add_dsn_postfix

new_conf="$(conf_sum)"
if ! listening "$IMAP_PORT"; then
  dovecot -c "$DIR/dovecot.conf" 2>>"$DIR/dovecot.stderr"
elif ! listening "$IMAPS_PORT" || [ "$old_conf" != "$new_conf" ]; then
  # Running from an older version of this script: reload with the IMAPS listener added.
  doveadm -c "$DIR/dovecot.conf" reload 2>/dev/null || dovecot -c "$DIR/dovecot.conf" reload
fi
# Postfix runs a second configuration directory only when the default one lists it.
touch /etc/postfix/main.cf
grep -q "^alternate_config_directories = $DIR/postfix\$" /etc/postfix/main.cf \
  || echo "alternate_config_directories = $DIR/postfix" >>/etc/postfix/main.cf
if ! listening "$SMTP_PORT"; then
  postfix -c "$DIR/postfix" check >/dev/null 2>&1 || postfix -c "$DIR/postfix" set-permissions >/dev/null 2>&1 || true
  postfix -c "$DIR/postfix" start >/dev/null 2>&1 || postfix -c "$DIR/postfix" reload >/dev/null 2>&1 || true
elif ! listening "$STARTTLS_PORT" || ! listening "$SMTPS_PORT" || [ "$old_conf" != "$new_conf" ]; then
  # Running from an older version of this script: reload with the TLS listeners added.
  postfix -c "$DIR/postfix" reload >/dev/null 2>&1 || true
fi

for _ in $(seq 1 50); do
  if all_listening; then
    report
    exit 0
  fi
  sleep 0.2
done
echo "mail servers did not start; see $DIR/dovecot.log and $DIR/postfix.log" >&2
exit 1
