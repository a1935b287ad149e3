#!/bin/sh
# The activation portal in a real browser: every device type from the
# emailed link to Active, a later assertion verified against the stored
# key, fetches before the click, replays, a wrong origin, expired,
# replaced, revoked and unknown links, the lock-out, user verification,
# hostile names, and TLS.  Debian's chromium headless with DevTools
# virtual authenticators (tests/lib/cdp.py), the real SMTP sink, three
# `keydesk serve` processes on one database.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/smtpd.sh"
. "$KD_TOP/tests/lib/portal.sh"
T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/c.yaml
if [ ! -x /usr/bin/chromium ]; then
	echo "not ok - chromium is installed (make test installs it as root)"
	exit 1
fi
trap 'portal_stop_all; smtpd_stop' EXIT
smtpd_start "$T/mail" || { echo "not ok - smtp sink starts"; exit 1; }
PORT=$(portal_free_port)
cat >"$CFG" <<EOC
relying_party:
  id: localhost
  name: "Example Org"
activation:
  base_url: "http://localhost:$PORT/activate/"
smtp:
  url: $SMTPD_URL
  starttls: none
  from: "keydesk <keydesk@example.com>"
EOC
kd group list >/dev/null 2>&1	# creates the database before three servers open it
portal_start "$PORT" "$CFG" "$T/serve1.log" || { echo "not ok - keydesk serve starts"; exit 1; }
echo "ok - keydesk serve answers on localhost:$PORT"
PORT2=$(portal_free_port)
portal_start "$PORT2" "$CFG" "$T/serve2.log" || { echo "not ok - a second portal starts"; exit 1; }
# A portal whose clock is past activation.link_lifetime (12 h).
PORT3=$(portal_free_port)
KEYDESK_FAKE_NOW=$(($(date +%s) + 13 * 3600)) \
    portal_start "$PORT3" "$CFG" "$T/serve3.log" || { echo "not ok - a third portal starts"; exit 1; }

MAILDIR=$T/mail PORT=$PORT PORT2=$PORT2 PORT3=$PORT3 T=$T CFG=$CFG DB=$DB \
    /usr/bin/python3 "$KD_TOP/tests/e2e/portal_browser.py"
rc=$?

# TLS mode: libmicrohttpd's own TLS with a certificate made here.
TLS_PORT=$(portal_free_port)
TLS_CFG=$T/tls.yaml
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    -keyout "$T/tls.key" -out "$T/tls.crt" >/dev/null 2>&1
sed -e "s|http://localhost:$PORT/|https://localhost:$TLS_PORT/|" "$CFG" >"$TLS_CFG"
cat >>"$TLS_CFG" <<EOC
portal:
  tls_cert: $T/tls.crt
  tls_key: $T/tls.key
EOC
if portal_start "$TLS_PORT" "$TLS_CFG" "$T/serve-tls.log" https; then
	echo "ok - keydesk serve answers over TLS"
	check "tls: curl verifies the certificate" curl -sf --cacert "$T/tls.crt" -o /dev/null "https://localhost:$TLS_PORT/healthz"
	TLS_SPKI=$(openssl x509 -in "$T/tls.crt" -pubkey -noout | openssl pkey -pubin -outform der |
	    openssl dgst -sha256 -binary | base64)
	MAILDIR=$T/mail PORT=$PORT PORT2=$PORT2 PORT3=$PORT3 T=$T CFG=$CFG DB=$DB \
	    TLS_CFG=$TLS_CFG TLS_PORT=$TLS_PORT TLS_SPKI=$TLS_SPKI \
	    /usr/bin/python3 "$KD_TOP/tests/e2e/portal_browser.py" tls || rc=1
else
	echo "not ok - keydesk serve starts with TLS"
	rc=1
fi

# What the logs never hold: the tokens and codes that went through.
tokens=$(grep -ho '/activate/[A-Za-z0-9_-]\{43\}' "$T"/mail/new/* "$T"/mail/cur/* 2>/dev/null |
    sed 's|/activate/||' | sort -u)
codes=$(grep -ho '\b[A-Z2-9]\{5\}-[A-Z2-9]\{5\}\b' "$T"/mail/new/* "$T"/mail/cur/* 2>/dev/null | sort -u)
leak=0
for s in $tokens $codes; do
	grep -qF "$s" "$T"/serve*.log && leak=1
done
check "no token or code in the portal's log" test "$leak" -eq 0 -a -n "$tokens"
check "one log line per request, with a hashed link" grep -q 'GET /activate/sha256:[0-9a-f]\{8\} 200' "$T/serve1.log"

# SIGTERM stops the portal cleanly.
portal_stop "$PORT"
check "SIGTERM: the portal exits 0" test "$PORTAL_RC" -eq 0
[ "$rc" -eq 0 ] && e2e_done
