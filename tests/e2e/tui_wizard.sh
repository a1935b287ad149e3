#!/bin/sh
# The New User wizard end to end in tmux at 80x24: a Contactless Card user
# with two groups (one created inline), custom settings with PIN
# verification, email activation; then the stored user and the message the
# loopback SMTP server received.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/tmux.sh"
. "$KD_TOP/tests/lib/smtpd.sh"
trap 'tui_stop; smtpd_stop' EXIT

T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/config.yaml
smtpd_start "$T/mail" || { echo "not ok - smtp sink starts"; exit 1; }
tui_config "$CFG" "$SMTPD_URL"
kd group add Engineering >/dev/null

tui_start "$KEYDESK" --config "$CFG" --db "$DB"
check "users list shows how to add the first user" tui_wait "No users yet"
tui_keys n
check "n opens the wizard at step 1" tui_wait "User information"

tui_type E1042; tui_keys Tab
tui_type "Zoë Ångström"; tui_keys Tab
tui_type zoe@example.com; tui_keys Tab
tui_type zoe; tui_keys Enter
check "groups step" tui_wait "Step 2 of"

tui_keys Space
tui_wait "[x] Engineering" >/dev/null
tui_keys Tab; tui_type "Badge desk"; tui_keys Enter
check "group created inline and selected" tui_wait "[x] Badge desk  (new)"
check "existing group selected" tui_wait "[x] Engineering"
tui_keys Enter
check "security key step" tui_wait "Assign a security key now"
tui_keys Space
tui_wait "[x] Assign a security key now" >/dev/null
tui_keys Enter
check "device type step" tui_wait "Device type"
check "device type offers the three types" tui_has "FIDO2 Hardware Security Key"
tui_keys Up Down
tui_wait "(*) Contactless Card" >/dev/null
tui_keys Enter
check "settings step shows the defaults read-only" tui_wait "The defaults for this type"
check "card defaults: PINless" tui_wait "PINless"
check "settings: each explained in a line" \
    tui_has "the key also signs in when the computer is offline"
tui_keys Space
check "default toggle off shows the card's settings" tui_wait "[ ] Offline Login"
check "smartphone-only settings are not offered for a card" tui_lacks Bluetooth
check "custom settings: explained too" \
    tui_has "how the user proves it is them: fingerprint/face, PIN, or none"
check "biometric is not offered for a card" tui_lacks Biometric
tui_keys Down Space
tui_wait "[x] Offline Login" >/dev/null
tui_keys Down
tui_keys Up
check "PIN verification chosen" tui_wait "(*) PIN verification"
tui_keys Enter
check "activation step with suggested key name" tui_wait "Zoë Ångström's card"
tui_keys Tab Up
check "activate now says what happens after Confirm" \
    tui_wait "tap the card on the reader: keydesk sets a new PIN"
tui_keys Down
tui_wait "(*) Activate by user via email" >/dev/null
tui_keys Enter
check "confirm page" tui_wait "Check everything"
check "confirm lists groups" tui_wait "Engineering, Badge desk (new)"
check "confirm lists the key" tui_wait "Contactless Card \"Zoë Ångström's card\""
check "confirm lists the settings" tui_wait "Offline Login on, PIN verification (custom)"
tui_keys Enter
check "done screen" tui_wait "Done: user E1042 (Zoë Ångström) created."
check "done: key pending" tui_wait "Pending (until the user activates it)"
check "done: mailed" tui_wait "1 email (activation) to"
check "done: delivery sent" tui_wait "Delivery         sent"
check "done: groups" tui_wait "Engineering, Badge desk (1 new)"
tui_keys Enter
check "back on the list, user pending" tui_wait "Pending E1042"
tui_keys q
check "q quits with the terminal restored" tui_wait "[tui exited 0; stty: icanon echo"
tui_stop

kd user show E1042 --json >"$T/show.json" 2>"$T/err"
check "user show --json" test -s "$T/show.json"
check "stored: pending" test "$(json_get "$T/show.json" 'd["status"]')" = pending
check "stored: name" test "$(json_get "$T/show.json" 'd["name"]')" = "Zoë Ångström"
check "stored: groups" test "$(json_get "$T/show.json" '",".join(sorted(d["groups"]))')" = "Badge desk,Engineering"
check "stored: card key pending" test "$(json_get "$T/show.json" 'd["keys"][0]["type"]+"/"+d["keys"][0]["status"]+"/"+d["keys"][0]["name"]')" = "card/pending/Zoë Ångström's card"
check "stored: custom settings" test "$(json_get "$T/show.json" 'd["keys"][0]["settings"]["verification"]+"/"+str(d["keys"][0]["settings"]["offline_login"])')" = "pin/True"

check "one message received" test "$(smtpd_count "$T/mail")" = 1
MSG=$(find "$T/mail/new" "$T/mail/cur" -type f 2>/dev/null | head -n 1)
mail_get() {
	/usr/bin/python3 - "$MSG" "$1" <<'PY'
import email, email.header, re, sys
raw = open(sys.argv[1], 'rb').read()
m = email.message_from_bytes(raw)
what = sys.argv[2]
body = m.get_payload(decode=True).decode('utf-8')
if what == 'to-raw':
    print(m['To'])
elif what == 'to':
    print(str(email.header.make_header(email.header.decode_header(m['To']))))
elif what == 'subject':
    print(m['Subject'])
elif what == 'body':
    print(body)
elif what == 'link':
    r = re.search(r'https://keydesk\.example\.com/activate/([A-Za-z0-9_-]{20,})', body)
    print(r.group(0) if r else '')
elif what == 'code':
    r = re.search(r'^\s+([A-Z0-9]{4,6}-[A-Z0-9]{4,6})\s*$', body, re.M)
    print(r.group(1) if r else '')
PY
}
to_encoded() { mail_get to-raw | grep -qi '^=?utf-8?[bq]?.*?= <zoe@example.com>$'; }
check "mail To is RFC 2047 encoded" to_encoded
check "mail To decodes to the name" test "$(mail_get to)" = "Zoë Ångström <zoe@example.com>"
check "mail Subject names the device type and the organisation" \
    test "$(mail_get subject)" = "Activate your Contactless Card for keydesk"
check "card mail: where the card comes from" \
    sh -c "printf '%s' \"\$1\" | grep -q 'Collect it at the badge desk'" sh "$(mail_get body)"
check "mail has the link" test -n "$(mail_get link)"
check "mail has the code" test -n "$(mail_get code)"

e2e_done
