#!/usr/bin/env bash
# Starts a real mail system on loopback for Loopdesk's e-mail tests: Postfix accepts SMTP on
# 127.0.0.1:${LOOPDESK_MAIL_SMTP_PORT:-2525} and hands every message for *@loopdesk.test to
# Dovecot over LMTP; Dovecot serves IMAP on 127.0.0.1:${LOOPDESK_MAIL_IMAP_PORT:-1143}.
# Every local part is a mailbox (created on first use); every password is "loopdesk".
# Idempotent and quick when already running. Installs the Debian packages if missing.
# Prints LOOPDESK_TEST_MAIL=smtp_port,imap_port on success (scripts/test exports it).
set -euo pipefail

DIR="${LOOPDESK_MAIL_DIR:-/tmp/loopdesk-mail}"
SMTP_PORT="${LOOPDESK_MAIL_SMTP_PORT:-2525}"
IMAP_PORT="${LOOPDESK_MAIL_IMAP_PORT:-1143}"
LMTP_PORT="${LOOPDESK_MAIL_LMTP_PORT:-2424}"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if listening "$SMTP_PORT" && listening "$IMAP_PORT"; then
  echo "LOOPDESK_TEST_MAIL=$SMTP_PORT,$IMAP_PORT"
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

cat >"$DIR/dovecot.conf" <<EOF
protocols = imap lmtp
listen = 127.0.0.1
base_dir = $DIR/run
state_dir = $DIR/state
log_path = $DIR/dovecot.log
ssl = no
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
    port = 0
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
EOF

cat >"$DIR/postfix/master.cf" <<EOF
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
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
EOF

if ! listening "$IMAP_PORT"; then
  dovecot -c "$DIR/dovecot.conf"
fi
# Postfix runs a second configuration directory only when the default one lists it.
touch /etc/postfix/main.cf
grep -q "^alternate_config_directories = $DIR/postfix\$" /etc/postfix/main.cf \
  || echo "alternate_config_directories = $DIR/postfix" >>/etc/postfix/main.cf
if ! listening "$SMTP_PORT"; then
  postfix -c "$DIR/postfix" check >/dev/null 2>&1 || postfix -c "$DIR/postfix" set-permissions >/dev/null 2>&1 || true
  postfix -c "$DIR/postfix" start >/dev/null 2>&1 || postfix -c "$DIR/postfix" reload >/dev/null 2>&1 || true
fi

for _ in $(seq 1 50); do
  if listening "$SMTP_PORT" && listening "$IMAP_PORT"; then
    echo "LOOPDESK_TEST_MAIL=$SMTP_PORT,$IMAP_PORT"
    exit 0
  fi
  sleep 0.2
done
echo "mail servers did not start; see $DIR/dovecot.log and $DIR/postfix.log" >&2
exit 1
