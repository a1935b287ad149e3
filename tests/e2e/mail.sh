#!/bin/sh
# Email end to end against a real SMTP server on loopback (aiosmtpd through
# tests/lib/smtpd.sh): the outbox is filled and delivered by the driver
# tests/hw/mail_drive.c (core library: store, mail, smtp, outbox), and the
# messages are read back from the server's Maildir with Python's email
# package.  Prints "ok - NAME" / "not ok - NAME: why" per case.
# Env (set by tests/run.sh): KD_BUILD, KD_TOP, KD_TESTTMP.
set -u
top=${KD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${KD_BUILD:-$top/build/san}
drive=$build/tests/hw_mail_drive
PY=/usr/bin/python3
. "$top/tests/lib/smtpd.sh"

tmp=$(mktemp -d "${KD_TESTTMP:-/tmp}/mail.XXXXXX") || exit 1
silent=
cleanup() {
	smtpd_stop
	[ -z "$silent" ] || kill "$silent" 2>/dev/null
}
trap cleanup EXIT
trap 'cleanup; exit 1' INT TERM

ok() { echo "ok - $1"; }
nok() { echo "not ok - $1: $2"; }

if [ ! -x "$drive" ]; then
	nok "mail driver" "$drive is not built"
	exit 1
fi

# mailpy CHECK ARGS...: reads the Maildir; see the CHECKs below.
mailpy() {
	"$PY" - "$@" <<'EOF'
import email, email.policy, os, sys, time
from email.utils import parsedate_to_datetime
check, mdir = sys.argv[1], sys.argv[2]
raw = []
for sub in ("new", "cur"):
    for f in sorted(os.listdir(os.path.join(mdir, sub))):
        with open(os.path.join(mdir, sub, f), "rb") as fh:
            raw.append(fh.read())
def parse(b):
    return email.message_from_bytes(b, policy=email.policy.default)
if check == "ids":                  # every Message-ID, one per line
    for b in raw:
        print(parse(b)["Message-ID"])
    sys.exit(0)
# one MSGID NAME ADDR SUBJECT BODY: that message, byte-exact where it matters
msgid, name, addr, subject, body = sys.argv[3:8]
found = [b for b in raw if parse(b)["Message-ID"] == msgid]
if len(found) != 1:
    sys.exit("%d messages with Message-ID %s" % (len(found), msgid))
b = found[0]
m = parse(b)
errs = []
if b.replace(b"\r\n", b"").find(b"\n") >= 0 or b.replace(b"\r\n", b"").find(b"\r") >= 0:
    errs.append("a line end is not CRLF")
if max(len(l) for l in b.split(b"\r\n")) > 78:
    errs.append("a line is longer than 78")
to = m["To"].addresses
if len(to) != 1 or to[0].display_name != name or to[0].addr_spec != addr:
    errs.append("To is %r" % str(m["To"]))
if str(m["Subject"]) != subject:
    errs.append("Subject is %r" % str(m["Subject"]))
if m["Auto-Submitted"] != "auto-generated" or m["MIME-Version"] != "1.0":
    errs.append("Auto-Submitted/MIME-Version missing")
if m.get_content_type() != "text/plain" or m.get_content_charset() != "utf-8":
    errs.append("Content-Type is %s" % m["Content-Type"])
got = m.get_content().replace("\r\n", "\n")
if got != body:
    errs.append("body is %r" % got)
if abs(parsedate_to_datetime(m["Date"]).timestamp() - time.time()) > 600:
    errs.append("Date is %s" % m["Date"])
head = b.split(b"\r\n\r\n")[0].replace(b"\r\n ", b" ")
if b"\r\nTo: " not in head or \
        not head.split(b"\r\nTo: ")[1].split(b"\r\n")[0].endswith(
            b"?= <" + addr.encode() + b">"):
    errs.append("the address is not plain after the encoded name")
if errs:
    sys.exit("; ".join(errs))
EOF
}

# field FILE ID N: field N of row ID in a `list` output.
field() { awk -v id="$2" -v n="$3" '$1 == id { print $n }' "$1"; }
lasterr() { sed -n "s/^$2 .* | //p" "$1"; }
nl='
'
body="Hello Zoë,${nl}${nl}Activate: https://keydesk.example.com/a/tok{n}${nl}Code: 123-456${nl}.${nl}..two dots${nl}.leading dot${nl}"

mdir=$tmp/maildir
if ! smtpd_start "$mdir" --reject 'refused' --tempfail 'later' --tempfail-times 1; then
	nok "mail: SMTP sink starts" "see $mdir.err"
	exit 1
fi

# 1. One message: headers and body as the server received them.
db=$tmp/one.db
"$drive" "$db" queue 1 --name 'Zoë Ångström-Łukasiewicz' \
    --subject 'Aktivieren Sie Ihren Schlüssel — 鍵を有効にする' --body "$body" \
    >"$tmp/q1" 2>&1
msgid=$(awk '{ print $3 }' "$tmp/q1")
"$drive" "$db" deliver "$SMTPD_URL" >"$tmp/d1" 2>&1
"$drive" "$db" list >"$tmp/l1"
why=$(mailpy one "$mdir" "$msgid" 'Zoë Ångström-Łukasiewicz' user1@example.com \
    'Aktivieren Sie Ihren Schlüssel — 鍵を有効にする' \
    "$(printf '%s' "$body" | sed 's/{n}/1/')
" 2>&1)
if [ -n "$msgid" ] && grep -q '^sent=1 deferred=0 failed=0 connections=1$' "$tmp/d1" &&
    [ "$(field "$tmp/l1" 1 2)" = sent ] && [ -z "$why" ] &&
    [ "$(smtpd_count "$mdir")" -eq 1 ]; then
	ok "mail: one message delivered, To/Subject decode exactly, Message-ID kept"
else
	nok "mail: one message delivered" "$(cat "$tmp/d1") $why"
fi

# 2. A batch of 50 over exactly one connection.
db=$tmp/batch.db
c0=$(smtpd_connections)
"$drive" "$db" queue 50 >/dev/null 2>&1
"$drive" "$db" deliver "$SMTPD_URL" >"$tmp/d2" 2>&1
c1=$(smtpd_connections)
"$drive" "$db" list >"$tmp/l2"
if grep -q '^sent=50 deferred=0 failed=0 connections=1$' "$tmp/d2" &&
    [ $((c1 - c0)) -eq 1 ] && [ "$(grep -c ' sent 1 ' "$tmp/l2")" -eq 50 ] &&
    [ "$(smtpd_count "$mdir")" -eq 51 ]; then
	ok "mail: batch of 50 over 1 connection"
else
	nok "mail: batch of 50 over 1 connection" "$(cat "$tmp/d2"), sink saw $((c1 - c0))"
fi

# 2b. A secret body (a PIN) is erased once the server accepted it.
db=$tmp/secret.db
"$drive" "$db" queue 1 --secret --body 'Your card PIN: 48291736' >/dev/null 2>&1
"$drive" "$db" list >"$tmp/l2b"
"$drive" "$db" deliver "$SMTPD_URL" >"$tmp/d2b" 2>&1
"$drive" "$db" list >>"$tmp/l2b"
if [ "$(field "$tmp/l2b" 1 6 | tr '\n' ' ')" = "body - " ] &&
    grep -q '^sent=1 ' "$tmp/d2b" && grep -rq 'Your card PIN: 48291736' "$mdir/new"; then
	ok "mail: a secret body is erased from the outbox once accepted"
else
	nok "mail: secret body erased" "$(cat "$tmp/d2b" "$tmp/l2b")"
fi

# 3. 5xx: failed for good, with the server's own words.
db=$tmp/reject.db
"$drive" "$db" queue 1 --to 'refused{n}@example.com' >/dev/null 2>&1
"$drive" "$db" deliver "$SMTPD_URL" >"$tmp/d3" 2>&1
"$drive" "$db" list >"$tmp/l3"
if grep -q '^sent=0 deferred=0 failed=1 ' "$tmp/d3" &&
    [ "$(field "$tmp/l3" 1 2)" = failed ] &&
    lasterr "$tmp/l3" 1 | grep -q '550 5.1.1 <refused1@example.com>: recipient refused by the test sink'; then
	ok "mail: 5xx marks the message failed with the server's reply"
else
	nok "mail: 5xx marks failed" "$(cat "$tmp/d3" "$tmp/l3")"
fi

# 4. 4xx: deferred with the reply, delivered on the next due run.
db=$tmp/later.db
"$drive" "$db" queue 1 --to 'later{n}@example.com' >/dev/null 2>&1
"$drive" "$db" deliver "$SMTPD_URL" >"$tmp/d4" 2>&1
"$drive" "$db" list >"$tmp/l4"
KEYDESK_FAKE_NOW=$(($(date +%s) + 7200)) "$drive" "$db" deliver "$SMTPD_URL" >>"$tmp/d4" 2>&1
"$drive" "$db" list >>"$tmp/l4"
if [ "$(sed -n 1p "$tmp/d4")" = "sent=0 deferred=1 failed=0 connections=1" ] &&
    lasterr "$tmp/l4" 1 | grep -q '451 4.3.0' &&
    [ "$(sed -n 2p "$tmp/d4")" = "sent=1 deferred=0 failed=0 connections=1" ] &&
    [ "$(sed -n '2{s/^1 \([a-z]*\) \([0-9]*\) .*/\1 \2/;p}' "$tmp/l4")" = "sent 2" ]; then
	ok "mail: 4xx defers with the reply, the retry delivers it"
else
	nok "mail: 4xx defers" "$(cat "$tmp/d4" "$tmp/l4")"
fi

# 5. STARTTLS required against a plain server: clear error, nothing sent.
db=$tmp/tls.db
n0=$(smtpd_messages)
"$drive" "$db" queue 2 >/dev/null 2>&1
"$drive" "$db" deliver "$SMTPD_URL" --starttls required >"$tmp/d5" 2>&1
rc=$?
"$drive" "$db" list >"$tmp/l5"
if [ "$rc" -eq 1 ] && grep -q '^error: .*STARTTLS is required.*nothing was sent' "$tmp/d5" &&
    [ "$(smtpd_messages)" -eq "$n0" ] && [ "$(grep -c ' queued 0 ' "$tmp/l5")" -eq 2 ]; then
	ok "mail: STARTTLS required against a plain server fails clearly, nothing sent"
else
	nok "mail: STARTTLS required" "$(cat "$tmp/d5")"
fi

# 6. No SMTP configured: mail waits, nothing changes.
"$drive" "$db" deliver - >"$tmp/d6" 2>&1
"$drive" "$db" list >"$tmp/l6b"
if grep -q '^error: no SMTP server configured: 2 messages wait in the outbox$' "$tmp/d6" &&
    cmp -s "$tmp/l5" "$tmp/l6b"; then
	ok "mail: no SMTP configured leaves the outbox untouched"
else
	nok "mail: no SMTP configured" "$(cat "$tmp/d6")"
fi

# 7. Server down: all stay queued with the error and no attempt used up
#    (an outage never fails mail for good); server up again on the same
#    URL: each delivered exactly once.
smtpd_stop
db=$tmp/down.db
"$drive" "$db" queue 20 >"$tmp/q7" 2>&1
"$drive" "$db" deliver "$SMTPD_URL" >"$tmp/d7" 2>&1
rc=$?
"$drive" "$db" list >"$tmp/l7"
down_ok=0
if [ "$rc" -eq 1 ] && grep -q '^sent=0 deferred=20 failed=0 connections=0$' "$tmp/d7" &&
    [ "$(grep -c " queued 0 .*| SMTP server 127.0.0.1:$SMTPD_PORT: .*Couldn't connect" "$tmp/l7")" -eq 20 ]; then
	down_ok=1
	ok "mail: server down keeps all 20 queued with the error, no attempt used"
else
	nok "mail: server down keeps them queued" "$(cat "$tmp/d7"; head -n 3 "$tmp/l7")"
fi
mdir2=$tmp/maildir2
if ! smtpd_start "$mdir2"; then
	nok "mail: SMTP sink restarts" "see $mdir2.err"
	exit 1
fi
c0=$(smtpd_connections)
KEYDESK_FAKE_NOW=$(($(date +%s) + 7200)) "$drive" "$db" deliver "$SMTPD_URL" >"$tmp/d8" 2>&1
KEYDESK_FAKE_NOW=$(($(date +%s) + 14400)) "$drive" "$db" deliver "$SMTPD_URL" >>"$tmp/d8" 2>&1
"$drive" "$db" list >"$tmp/l8"
mailpy ids "$mdir2" | sort >"$tmp/got8"
awk '{ print $3 }' "$tmp/q7" | sort >"$tmp/want8"
if [ "$down_ok" -eq 1 ] &&
    [ "$(sed -n 1p "$tmp/d8")" = "sent=20 deferred=0 failed=0 connections=1" ] &&
    [ "$(sed -n 2p "$tmp/d8")" = "sent=0 deferred=0 failed=0 connections=0" ] &&
    cmp -s "$tmp/got8" "$tmp/want8" && [ -z "$(uniq -d "$tmp/got8")" ] &&
    [ "$(grep -c ' sent 1 ' "$tmp/l8")" -eq 20 ] &&
    [ "$(($(smtpd_connections) - c0))" -eq 1 ]; then
	ok "mail: server back up delivers each message exactly once"
else
	nok "mail: server back up" "$(cat "$tmp/d8"; diff "$tmp/want8" "$tmp/got8" | head -n 5)"
fi
smtpd_stop

# 7b. STARTTLS offered with a certificate nobody trusts: libcurl verifies
#     it, the session stops, nothing is sent in clear.
unset SMTPD_PORT
if openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1 &&
    smtpd_start "$tmp/maildir3" --tls "$tmp/cert.pem" "$tmp/key.pem"; then
	db=$tmp/tlsbad.db
	"$drive" "$db" queue 1 >/dev/null 2>&1
	"$drive" "$db" deliver "$SMTPD_URL" --starttls required >"$tmp/d7b" 2>&1
	"$drive" "$db" list >"$tmp/l7b"
	if grep -q '^sent=0 deferred=1 failed=0 connections=1$' "$tmp/d7b" &&
	    grep -qi 'certificate' "$tmp/d7b" && [ "$(smtpd_messages)" -eq 0 ] &&
	    [ "$(field "$tmp/l7b" 1 2)" = queued ]; then
		ok "mail: STARTTLS with an untrusted certificate is refused, nothing sent"
	else
		nok "mail: STARTTLS untrusted certificate" "$(cat "$tmp/d7b")"
	fi
	# A 530 "must issue STARTTLS" is about the session: deferred, not failed.
	"$drive" "$db" deliver "$SMTPD_URL" --starttls none >"$tmp/d7c" 2>&1
	if grep -q '^sent=0 deferred=0 failed=0 connections=0$' "$tmp/d7c"; then
		KEYDESK_FAKE_NOW=$(($(date +%s) + 7200)) "$drive" "$db" deliver \
		    "$SMTPD_URL" --starttls none >"$tmp/d7c" 2>&1
	fi
	if grep -q '^sent=0 deferred=1 failed=0 connections=1$' "$tmp/d7c" &&
	    grep -q '530' "$tmp/d7c" && [ "$(smtpd_messages)" -eq 0 ]; then
		ok "mail: 530 (STARTTLS required by the server) defers instead of failing"
	else
		nok "mail: 530 defers" "$(cat "$tmp/d7c")"
	fi
	# smtp.cafile naming that certificate: verified, sent over TLS.
	KEYDESK_FAKE_NOW=$(($(date +%s) + 14400)) "$drive" "$db" deliver \
	    "$SMTPD_URL" --starttls required --cafile "$tmp/cert.pem" \
	    >"$tmp/d7d" 2>&1
	if grep -q '^sent=1 deferred=0 failed=0 connections=1$' "$tmp/d7d" &&
	    [ "$(smtpd_messages)" -eq 1 ] && [ "$(smtpd_count "$tmp/maildir3")" -eq 1 ]; then
		ok "mail: smtp.cafile trusts the server's certificate; delivered over STARTTLS"
	else
		nok "mail: smtp.cafile" "$(cat "$tmp/d7d")"
	fi
	smtpd_stop
else
	nok "mail: STARTTLS sink starts" "$(tail -n 3 "$tmp/maildir3.err" 2>/dev/null)"
fi

# 8. A server that accepts the connection and never answers: the timeout
#    from the config ends the session, the message stays queued.
"$PY" -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
__import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
conns = []
while True:
    conns.append(s.accept())
' "$tmp/silent.port" &
silent=$!
n=50
while [ ! -s "$tmp/silent.port" ] && [ "$n" -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
db=$tmp/silent.db
"$drive" "$db" queue 2 >/dev/null 2>&1
t0=$(date +%s)
"$drive" "$db" deliver "smtp://127.0.0.1:$(cat "$tmp/silent.port")" --timeout 2 >"$tmp/d9" 2>&1
t1=$(date +%s)
"$drive" "$db" list >"$tmp/l9"
if grep -q '^sent=0 deferred=2 failed=0 ' "$tmp/d9" &&
    grep -qi 'timed out' "$tmp/d9" && [ $((t1 - t0)) -le 10 ] &&
    [ "$(grep -c ' queued 0 .*| .*imed out' "$tmp/l9")" -eq 2 ]; then
	ok "mail: a silent server times out, messages stay queued with the error"
else
	nok "mail: silent server times out" "$(cat "$tmp/d9")"
fi
kill "$silent" 2>/dev/null
wait "$silent" 2>/dev/null
silent=

# 9. A message the server keeps deferring (4xx every time) does use up
#    its attempts, and then fails for good with the reply.
unset SMTPD_PORT
if smtpd_start "$tmp/maildir4" --tempfail 'later'; then
	db=$tmp/giveup.db
	"$drive" "$db" queue 1 --to 'later{n}@example.com' >/dev/null 2>&1
	"$drive" "$db" deliver "$SMTPD_URL" --max-attempts 2 >"$tmp/d10" 2>&1
	KEYDESK_FAKE_NOW=$(($(date +%s) + 7200)) "$drive" "$db" deliver \
	    "$SMTPD_URL" --max-attempts 2 >>"$tmp/d10" 2>&1
	"$drive" "$db" list >"$tmp/l10"
	if [ "$(sed -n 1p "$tmp/d10")" = "sent=0 deferred=1 failed=0 connections=1" ] &&
	    [ "$(sed -n 2p "$tmp/d10")" = "sent=0 deferred=0 failed=1 connections=1" ] &&
	    [ "$(field "$tmp/l10" 1 2)" = failed ] &&
	    lasterr "$tmp/l10" 1 | grep -q 'gave up after 2 attempts: .*451'; then
		ok "mail: a message deferred every time fails after max_attempts"
	else
		nok "mail: 4xx every time gives up" "$(cat "$tmp/d10" "$tmp/l10")"
	fi
	smtpd_stop
else
	nok "mail: tempfail sink starts" "see $tmp/maildir4.err"
fi
rm -rf "$tmp"
exit 0
