#!/bin/sh
# `keydesk --kiosk` in tmux at 80x24: only the redemption screen, no way
# out (q, Ctrl-C), a mailed code redeemed by tapping the software card on
# a real pcscd + vpcd (PINless and with a PIN mailed), a smartphone code
# showing its QR code, the screen empty again after 30 s, and the lock-out
# after five wrong codes.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/tmux.sh"
. "$KD_TOP/tests/lib/smtpd.sh"
. "$KD_TOP/tests/lib/pcscd.sh"
# tmux.sh names its server kd$$, but test runs in other PID namespaces share
# /tmp, and a PID repeats there: a random suffix keeps the server ours.
TUI_SOCK=kd$$.$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
TUI_TMUX="tmux -L $TUI_SOCK -f /dev/null"
trap 'tui_stop; pcsc_cleanup; smtpd_stop' EXIT

T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/c.yaml
smtpd_start "$T/mail" || { echo "not ok - smtp sink starts"; exit 1; }
pcscd_start || { echo "not ok - pcscd starts"; exit 1; }
cat >"$CFG" <<EOC
smtp: {url: "$SMTPD_URL", starttls: none, from: "keydesk <keydesk@example.com>"}
relying_party: {id: keydesk.example.com}
activation: {base_url: "https://keydesk.example.com/activate/", pin_length: 8}
EOC

# mail_code NAME: the activation code mailed to NAME.
mail_code() {
	/usr/bin/python3 - "$T/mail" "$1" <<'EOP'
import mailbox, re, sys
code = ""
for m in mailbox.Maildir(sys.argv[1], create=False):
    b = m.get_payload(decode=True).decode()
    r = re.search(r"\b([A-HJ-NP-TV-Z2-9]{5}-[A-HJ-NP-TV-Z2-9]{5})\b", b)
    if sys.argv[2] in b and r:
        code = r.group(1)
print(code)
EOP
}
key_status() {
	kd user show "$1" --json | /usr/bin/python3 -c \
	    'import json,sys; print(json.load(sys.stdin)["keys"][0]["status"])'
}
# pending ID NAME USERNAME TYPE VERIFICATION: a user whose key waits for
# the code mailed to them.
pending() {
	kd user add --id "$1" --name "$2" --email "$3@example.com" --username "$3" \
	    --key "$4" --activate email ${5:+--setting verification=$5} \
	    $([ -n "$5" ] || echo --default-settings) \
	    >/dev/null 2>&1
}

vcard_start_free 20 --state "$T/card" >/dev/null 2>&1 ||
    { echo "not ok - card starts"; exit 1; }
pending K1 "Kim Kiosk" kim card pinless
code=$(mail_code "Kim Kiosk")
check "activation mail has a code" test -n "$code"

tui_start env KEYDESK_READER="$VCARD_READER" "$KEYDESK" --kiosk \
    --config "$CFG" --db "$DB"
check "kiosk starts on the redemption screen" tui_wait "Type the code from your"
check "kiosk: no users list" tui_lacks "Users"
tui_keys q
check "q is a letter of the code" tui_wait "Q"
tui_keys C-c
tui_keys F10
tui_keys n
check "Ctrl-C and F10 do nothing" tui_wait "QN"
check "still running" tui_lacks "tui exited"
tui_keys Escape
check "Esc clears the code" tui_wait_gone "QN"

# A mailed code, typed in lower case; the card taps; active.
tui_type "$(echo "$code" | tr 'A-Z' 'a-z')"
check "the code shows in upper case" tui_wait "$code"
tui_keys Enter
check "tap screen" tui_wait "Tap the card on the reader"
check "tap screen names the user" tui_has "Kim Kiosk"
check "your key is active" tui_wait "Your key is active" 30
check "the key is active" test "$(key_status K1)" = active
check "the code field is empty again" tui_lacks "$code"

# The same code again: used up.
tui_type "$code"; tui_keys Enter
check "a used code is refused inline" tui_wait "! this code has already been used"
tui_keys Escape

# PIN verification: the PIN is mailed, never shown.
pending K2 "Pat Pin" pat card pin
code2=$(mail_code "Pat Pin")
tui_type "$code2"; tui_keys Enter
check "PIN card: active" tui_wait "Your key is active" 30
check "PIN card: says the PIN was emailed" tui_has "Its PIN was emailed to you"
check "PIN card: PIN mail sent" tui_wait "PIN email: sent" 15
check "PIN card: key active" test "$(key_status K2)" = active

# A smartphone code: its QR code, for the phone to open the link
# (tests/e2e/tui_phone.sh decodes it and sees the key turn Active); Esc
# goes back with the key still pending.
pending K3 "Sam Phone" sam smartphone
code3=$(mail_code "Sam Phone")
tui_keys Escape
tui_type "$code3"; tui_keys Enter
check "smartphone code: its QR code to scan" \
    tui_wait "Scan with your phone's camera"
check "smartphone: the user is named" tui_has "Sam Phone"
tui_keys Escape
check "smartphone: Esc goes back, the link still works" \
    tui_wait "not activated yet: the link still works on the phone"
check "smartphone key still pending" test "$(key_status K3)" = pending

# 30 s without a key: empty again for the next person.
check "after 30 s idle the screen is empty" tui_wait_gone "not activated yet" 40

# Five wrong codes lock the kiosk out.
i=0
while [ $i -lt 5 ]; do
	tui_keys C-u; tui_type "ZZZZZ-ZZZZ$i"; tui_keys Enter
	tui_wait "!" >/dev/null
	i=$((i + 1))
done
check "fifth wrong code: locked" tui_wait "too many wrong codes: try again in"
tui_keys C-u; tui_type "$code"; tui_keys Enter
check "still locked" tui_wait "too many wrong codes: try again in"
rejected_ge() {
	test "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE \
	    action = 'activation.code_rejected'")" -ge "$1"
}
check "every attempt audited" eventually 10 rejected_ge 6
check "codes never in the audit log" sh -c \
    "! sqlite3 '$DB' 'SELECT details FROM audit' | grep -q 'ZZZZZ'"
tui_stop

# Not a kiosk: a from the users list opens the same screen, Esc goes back.
tui_start "$KEYDESK" --config "$CFG" --db "$DB"
tui_wait "Users" >/dev/null
tui_keys a
check "users list: a opens code redemption" tui_wait "Type the code from your"
tui_keys Escape
check "users list: Esc goes back" tui_wait "Kim Kiosk"
tui_stop
vcard_stop
e2e_done
