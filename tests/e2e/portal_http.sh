#!/bin/sh
# keydesk serve over HTTP with curl: the activation page, its headers and
# escaping, closed and unknown links, the code POST with its lock-out and
# the WebAuthn options it earns, body caps, methods, the log (never a
# token), SIGTERM, --listen and TLS.  Real parts only: the links and codes
# come from mail delivered to a loopback SMTP server.  The browser half
# (WebAuthn itself) is tests/e2e/portal_browser*.sh.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/smtpd.sh"
. "$KD_TOP/tests/lib/portal.sh"
T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/c.yaml
trap 'portal_stop_all; smtpd_stop' EXIT
smtpd_start "$T/mail" || { echo "not ok - smtp sink starts"; exit 1; }
PORT=$(portal_free_port)
URL=http://127.0.0.1:$PORT
EVIL='<script>alert(1)</script> & "Ö'"'"
CSP="default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

# config FILE [EXTRA-YAML]
config() {
	cat >"$1" <<EOC
smtp: {url: "$SMTPD_URL", starttls: none, from: "keydesk <keydesk@example.com>"}
relying_party: {id: localhost, name: "Acme & <Sons>"}
activation: {base_url: "http://localhost:$PORT/activate/"}
${2:-}
EOC
}
config "$CFG"

# mail_for ADDR: the body of the newest message to ADDR
mail_for() {
	/usr/bin/python3 - "$T/mail" "$1" <<'EOP'
import mailbox, sys
best = ""
for m in mailbox.Maildir(sys.argv[1], create=False):
    if sys.argv[2] in m["To"]:
        best = m.get_payload(decode=True).decode()
print(best)
EOP
}
link_of() { mail_for "$1" | grep -o 'http://localhost:[0-9]*/activate/[A-Za-z0-9_-]*' | head -1; }
code_of() { mail_for "$1" | grep -o '[A-HJ-NP-TV-Z2-9]\{5\}-[A-HJ-NP-TV-Z2-9]\{5\}' | head -1; }

# get NAME PATH [CURL-ARGS...]: body to $T/NAME, headers to $T/NAME.h,
# the status in $ST
get() {
	_n=$1 _p=$2; shift 2
	ST=$(curl -s -m 5 -o "$T/$_n" -D "$T/$_n.h" -w '%{http_code}' "$@" "$URL$_p")
}
# post_json NAME PATH JSON
post_json() {
	get "$1" "$2" -X POST -H 'Content-Type: application/json' \
	    -H 'Accept: application/json' --data-binary "$3"
}
header() { tr -d '\r' <"$T/$1.h" | grep -i "^$2: " | head -1 | cut -d' ' -f2-; }
has() { grep -qF -- "$2" "$T/$1"; }
db_state() { sqlite3 "$DB" .dump | md5sum; }

kd user add --id U1 --name "$EVIL" --email u1@example.com --username u1 \
    --key card --activate email --setting verification=pin >/dev/null 2>"$T/e"
check "user with a hostile name gets an activation mail" test $? -eq 0
kd user add --id U2 --name 'Pat Phone' --email u2@example.com --username u2 \
    --key smartphone --activate email --default-settings >/dev/null 2>&1
kd user add --id U3 --name 'Cy Card' --email u3@example.com --username u3 \
    --key card --activate email --setting verification=pinless >/dev/null 2>&1
L1=$(link_of u1@example.com) C1=$(code_of u1@example.com)
L2=$(link_of u2@example.com) C2=$(code_of u2@example.com)
L3=$(link_of u3@example.com) C3=$(code_of u3@example.com)
check "links and codes read from the mail" test -n "$L1" -a -n "$C1" -a -n "$L2" -a -n "$C2" -a -n "$L3"
P1=/activate/${L1##*/} P2=/activate/${L2##*/} P3=/activate/${L3##*/}

portal_start "$PORT" "$CFG" "$T/log" || { echo "not ok - portal starts"; exit 1; }
check "start line names the address and the base URL" grep -q "^keydesk: portal listening on http://127.0.0.1:$PORT (base URL http://localhost:$PORT/activate/)" "$T/log"

# --- the page
before=$(db_state)
get page "$P1"
check "GET page 200" test "$ST" = 200
check "page escapes the user's name" has page '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Ö&#39;'
check "page holds no markup from the database" sh -c "! grep -q '<script>alert' '$T/page'"
check "page names the organisation, escaped" has page '<p class="org">Acme &amp; &lt;Sons&gt;</p>'
check "page names the key type and the key" has page 'Contactless Card &ldquo;'
check "page says what the card will do, and the PIN" sh -c "grep -q 'tap your card when the browser asks' '$T/page' && grep -q 'choose a PIN for the card' '$T/page'"
check "page has the code field" has page '<input name="code" id="code" autocomplete="one-time-code" inputmode="text" autocapitalize="characters"'
check "code field is labelled" has page '<label for="code">'
check "page has one button" test "$(grep -c '<button' "$T/page")" -eq 1 -a "$(grep -c 'id="go"' "$T/page")" -eq 1
check "page has the live status area" has page 'id="status" class="status" role="status" aria-live="polite"'
check "page fits a phone" has page '<meta name="viewport" content="width=device-width, initial-scale=1">'
check "page loads only its own script and style" sh -c "! grep -Eq '(src|href)=\"(https?:)?//' '$T/page'"
check "header Cache-Control" test "$(header page Cache-Control)" = no-store
check "header Referrer-Policy" test "$(header page Referrer-Policy)" = no-referrer
check "header X-Content-Type-Options" test "$(header page X-Content-Type-Options)" = nosniff
check "header Content-Security-Policy" test "$(header page Content-Security-Policy)" = "$CSP"
check "header Content-Type" test "$(header page Content-Type)" = "text/html; charset=utf-8"
get page2 "$P2"
check "smartphone page says passkey" has page2 'save a passkey'
get page3 "$P3"
get page3b "$P3"
check "two more GETs change nothing in the database" test "$(db_state)" = "$before"
get head "$P1" -I
check "HEAD page 200" test "$ST" = 200

# --- static files and health
get js /static/portal.js
check "script served" test "$ST" = 200 -a "$(header js Content-Type)" = "text/javascript; charset=utf-8"
check "script has the security headers" test "$(header js Content-Security-Policy)" = "$CSP" -a "$(header js Cache-Control)" = no-store
check "script waits on the title" has js 'document.title = (ok ? "Active" : "Error")'
get css /static/portal.css
check "style sheet served" test "$ST" = 200 -a "$(header css Content-Type)" = "text/css; charset=utf-8"
get nojs /static/other.js
check "unknown static file 404" test "$ST" = 404
get hz /healthz
check "healthz 200 ok" test "$ST" = 200 -a "$(cat "$T/hz")" = ok

# --- links that open nothing, paths that do not exist
get unk /activate/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
check "unknown token 404" test "$ST" = 404
check "unknown token: its sentence" has unk 'This activation link is not valid'
check "unknown token: no button" sh -c "! grep -q '<button' '$T/unk'"
check "unknown token: security headers" test "$(header unk Content-Security-Policy)" = "$CSP"
get bad '/activate/x%3Cy%3E'
check "malformed token 404, not echoed" sh -c "[ '$ST' = 404 ] && ! grep -q '<y>' '$T/bad'"
get nf /nothing/here
check "unknown path 404 page" sh -c "[ '$ST' = 404 ] && grep -q 'Page not found' '$T/nf'"

# --- methods and bodies
get m1 "$P1" -X DELETE
check "DELETE 405 with Allow" test "$ST" = 405 -a "$(header m1 Allow)" = "GET, HEAD, POST"
get m2 "$P1/code"
check "GET of the code address 405" test "$ST" = 405 -a "$(header m2 Allow)" = POST
get m3 /healthz -X POST -d x
check "POST healthz 405" test "$ST" = 405
head -c 70000 /dev/zero | tr '\0' a >"$T/body70k"
head -c 5000 /dev/zero | tr '\0' a >"$T/body5k"
get big "$P3" -X POST -H 'Content-Type: application/json' --data-binary "@$T/body70k"
check "registration over 64 KiB: 413" test "$ST" = 413
get big2 "$P3/code" -X POST -H 'Content-Type: application/json' --data-binary "@$T/body5k"
check "code body over 4 KiB: 413" test "$ST" = 413
get big3 "$P3" -X POST -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary "@$T/body70k"
check "chunked body over the cap: 413" test "$ST" = 413
post_json bj "$P3" '{"id": '
check "registration that is not JSON: 400" sh -c "[ '$ST' = 400 ] && grep -q '\"ok\":false' '$T/bj'"
post_json bj2 "$P3/code" 'code=1'
check "code POST that is not JSON: 400" test "$ST" = 400
post_json bj3 "$P3/code" '{"kode": "x"}'
check "code POST without a code: 400" test "$ST" = 400
get form "$P3/code" -X POST -d "code=$C3"
check "form POST without JavaScript: a page saying so" sh -c "[ '$ST' = 200 ] && grep -q 'JavaScript is needed' '$T/form' && [ \"\$(sed -n 's/^Content-Type: //p' '$T/form.h' | tr -d '\r')\" = 'text/html; charset=utf-8' ]"

# --- wrong codes lock the link (per link and client)
i=1
while [ $i -le 4 ]; do
	post_json w$i "$P1/code" '{"code": "ZZZZZ-ZZZZ'$i'"}'
	[ "$ST" = 403 ] || break
	i=$((i + 1))
done
check "four wrong codes: 403 each" test $i -eq 5
check "wrong code: says how many tries are left" has w4 '1 try left'
post_json w5 "$P1/code" '{"code": "ZZZZZ-ZZZZ5"}'
check "fifth wrong code: locked (429)" sh -c "[ '$ST' = 429 ] && grep -q 'Too many wrong codes' '$T/w5'"
post_json w6 "$P1/code" "{\"code\": \"$C1\"}"
check "sixth, right code: still locked (429)" test "$ST" = 429
check "the lock-out is another link's business" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary '{\"code\":\"ZZZZZ-ZZZZZ\"}' '$URL$P3/code')\" = 403 ]"

# --- a right code earns the creation options
code2=$(echo "$C2" | tr 'A-Z' 'a-z' | tr -d '-')
post_json ok2 "$P2/code" "{\"code\": \" $code2 \"}"
check "right code (any case, no dash): 200" test "$ST" = 200
# jval FILE EXPR...: the values, space-separated
jval() { _f=$1; shift; json_get "$_f" "' '.join(str(x) for x in ($*,))"; }
opts() { jval "$T/ok2" "$@"; }
check "options: ok and the RP" test "$(opts 'd["ok"], d["publicKey"]["rp"]')" = "True {'id': 'localhost', 'name': 'Acme & <Sons>'}"
check "options: 43-character base64url challenge" test "$(opts 'len(d["publicKey"]["challenge"]), set(d["publicKey"]["challenge"]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")')" = "43 True"
check "options: the user" test "$(opts 'd["publicKey"]["user"]["name"], d["publicKey"]["user"]["displayName"], len(d["publicKey"]["user"]["id"]) > 20')" = "u2 Pat Phone True"
check "options: ES256, resident key, UV by policy" test "$(opts 'd["publicKey"]["pubKeyCredParams"], d["publicKey"]["authenticatorSelection"]')" = "[{'type': 'public-key', 'alg': -7}] {'residentKey': 'required', 'requireResidentKey': True, 'userVerification': 'required'}"
check "options: attestation, timeout, smartphone hints" test "$(opts 'd["publicKey"]["attestation"], d["publicKey"]["timeout"], d["publicKey"]["hints"]')" = "direct 120000 ['client-device', 'hybrid']"
check "options are not cached" test "$(header ok2 Cache-Control)" = no-store -a "$(header ok2 Content-Type)" = application/json
post_json ok3 "$P3/code" "{\"code\": \"$C3\"}"
check "PINless card: UV discouraged, security-key hint" test "$(jval "$T/ok3" 'd["publicKey"]["authenticatorSelection"]["userVerification"], d["publicKey"]["hints"]')" = "discouraged ['security-key']"
get pg2 "$P2"
check "the page still opens after the code was used" test "$ST" = 200
post_json reg2 "$P2" '{"id":"AA","rawId":"AA","type":"public-key","response":{"attestationObject":"AA","clientDataJSON":"AA"}}'
kd user show U2 --json >"$T/u2.json"
reg_st=$ST
check "a made-up registration is refused" test "$reg_st" = 400 -o "$reg_st" = 403
check "the key stays pending" test "$(json_get "$T/u2.json" 'd["keys"][0]["status"]')" = pending

# --- the log
for p in "$P1" "$P2" "$P3"; do
	tok=${p##*/}
	h=$(printf %s "$tok" | sha256sum | cut -c1-8)
	check "log: no token ${h}" sh -c "! grep -qF '$tok' '$T/log'"
	check "log: the token's hash ${h}" grep -q "GET /activate/sha256:$h 200 " "$T/log"
done
check "log: no code" sh -c "! grep -qiF -e '$C1' -e '$C2' -e '$C3' -e '$code2' '$T/log'"
check "log: one line per request, status and time" grep -Eq '^[0-9-]{10}T[0-9:]{8}Z 127\.0\.0\.1 POST /activate/sha256:[0-9a-f]{8}/code 429 [0-9.]+ms$' "$T/log"

# --- SIGTERM
eval "pid=\$PORTAL_PID_$PORT"
t0=$(date +%s%N)
portal_stop "$PORT"
t1=$(date +%s%N)
check "SIGTERM: exit 0" test "$PORTAL_RC" = 0
check "SIGTERM: gone within 2 s" test $(( (t1 - t0) / 1000000 )) -lt 2000
check "SIGTERM: said so" grep -q 'portal stopping (SIGTERM)' "$T/log"

# --- expiry is checked on every request (the clock moved on a day)
KEYDESK_FAKE_NOW=$(( $(date +%s) + 86400 ))
export KEYDESK_FAKE_NOW
portal_start "$PORT" "$CFG" "$T/log.x" || echo "not ok - portal starts with a later clock"
unset KEYDESK_FAKE_NOW
get exp "$P3"
check "expired link: 410 with its sentence, no button" sh -c "[ '$ST' = 410 ] && grep -q 'expired' '$T/exp' && ! grep -q '<button' '$T/exp'"
post_json exp2 "$P3/code" "{\"code\": \"$C3\"}"
check "expired link: the code POST says so" test "$ST" = 410
portal_stop "$PORT"

# --- --listen overrides portal.listen; a bad one is a usage error
P_CFG=$(portal_free_port)
config "$T/c2.yaml" "portal: {listen: \"127.0.0.1:$P_CFG\"}"
"$KEYDESK" --config "$T/c2.yaml" --db "$DB" serve 2>"$T/log.c" &
cpid=$!
eventually 10 curl -sf -o /dev/null "http://127.0.0.1:$P_CFG/healthz"
check "portal.listen is used" test $? -eq 0
kill -TERM "$cpid"; wait "$cpid"
check "portal.listen: SIGTERM exit 0" test $? -eq 0
portal_start "$PORT" "$T/c2.yaml" "$T/log.o" || echo "not ok - portal starts with --listen"
check "--listen wins over portal.listen" sh -c "curl -sf -o /dev/null http://127.0.0.1:$PORT/healthz && ! curl -s -o /dev/null http://127.0.0.1:$P_CFG/healthz"
portal_stop "$PORT"
timeout 10 "$KEYDESK" --config "$CFG" --db "$DB" serve --listen 'nohost:80' 2>"$T/e"
check "bad --listen: usage error" sh -c "[ $? -eq 2 ] && grep -q 'IP address or localhost' '$T/e'"

# --- an IPv6 listener, where the machine has ::1
if /usr/bin/python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	"$KEYDESK" --config "$CFG" --db "$DB" serve --listen "[::1]:$PORT" 2>"$T/log.6" &
	v6pid=$!
	eventually 10 curl -sfg -o /dev/null "http://[::1]:$PORT/healthz"
	check "--listen [::1]:PORT serves on IPv6" test $? -eq 0
	check "IPv6: start line and client address" sh -c "grep -q 'listening on http://\[::1\]:$PORT ' '$T/log.6' && grep -q ' ::1 GET /healthz 200 ' '$T/log.6'"
	kill -TERM "$v6pid"; wait "$v6pid"
else
	echo "skip - --listen [::1]:PORT: no IPv6 loopback here"
fi

# --- config check names the place of a base_url the browser would refuse
printf 'relying_party:\n  id: example.com\nactivation:\n  base_url: "https://keys.example.org/a/"\n' >"$T/bad.yaml"
"$KEYDESK" config check "$T/bad.yaml" >/dev/null 2>"$T/e"
check "config check: base_url on another domain, with file, line and column" sh -c "[ $? -eq 1 ] && grep -q '^keydesk: $T/bad.yaml:4:13: the host of activation.base_url (\"keys.example.org\") must be relying_party.id (\"example.com\") or a subdomain of it' '$T/e'"

# --- trust_proxy: the last X-Forwarded-For entry of a loopback peer
config "$T/c3.yaml" "portal: {trust_proxy: true}"
portal_start "$PORT" "$T/c3.yaml" "$T/log.p" || echo "not ok - portal starts with trust_proxy"
xff() { curl -s -o /dev/null -w '%{http_code}' -H "X-Forwarded-For: $1" -X POST -H 'Content-Type: application/json' --data-binary "{\"code\":\"$2\"}" "$URL$P3/code"; }
xff '198.51.100.9, 203.0.113.7' ZZZZZ-ZZZZZ >/dev/null
in_log_p() { grep -q "$1" "$T/log.p"; }
eventually 5 in_log_p '^[^ ]* 203\.0\.113\.7 POST '
check "trust_proxy: the proxy's entry is the client" test $? -eq 0
i=0; while [ $i -lt 5 ]; do xff 203.0.113.7 ZZZZZ-ZZZZZ >/dev/null; i=$((i + 1)); done
check "trust_proxy: one address locked out" test "$(xff 203.0.113.7 "$C3")" = 429
check "trust_proxy: another address is not" test "$(xff 203.0.113.8 "$C3")" = 200
xff 'not an address' ZZZZZ-ZZZZZ >/dev/null
check "trust_proxy: a junk entry is not logged" sh -c "! grep -q 'not an address' '$T/log.p'"
portal_stop "$PORT"
get np /healthz -H 'X-Forwarded-For: 203.0.113.99' 2>/dev/null
check "without trust_proxy X-Forwarded-For is ignored" sh -c "! grep -q '203.0.113.99' '$T/log'"

# --- TLS with a self-signed certificate
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost >/dev/null 2>&1
check "test certificate made" test -s "$T/cert.pem" -a -s "$T/key.pem"
config "$T/c4.yaml" "portal: {tls_cert: \"$T/cert.pem\", tls_key: \"$T/key.pem\"}"
portal_start "$PORT" "$T/c4.yaml" "$T/log.t" https || echo "not ok - portal starts with TLS"
check "TLS: start line says https" grep -q "portal listening on https://127.0.0.1:$PORT " "$T/log.t"
ST=$(curl -s -m 5 --cacert "$T/cert.pem" -o "$T/tls" -D "$T/tls.h" -w '%{http_code}' "https://localhost:$PORT$P3")
check "TLS: the page verifies with the CA and answers 200" sh -c "[ '$ST' = 200 ] && grep -q 'Activate your security key' '$T/tls'"
check "TLS: plain HTTP is not served" sh -c "! curl -s -m 3 -o /dev/null http://127.0.0.1:$PORT/healthz"
check "TLS: no MHD option warnings" sh -c "! grep -q 'option' '$T/log.t'"
portal_stop "$PORT"
check "TLS: SIGTERM exit 0" test "$PORTAL_RC" = 0
config "$T/c5.yaml" "portal: {tls_cert: \"$T/nope.pem\", tls_key: \"$T/key.pem\"}"
timeout 10 "$KEYDESK" --config "$T/c5.yaml" --db "$DB" serve --listen "127.0.0.1:$PORT" 2>"$T/e"
check "TLS: a missing certificate stops the start" sh -c "[ $? -eq 1 ] && grep -q 'cannot read portal.tls_cert' '$T/e'"
e2e_done
