#!/bin/sh
# "Activate now" in the TUI at 80x24, through a real pcscd, the vpcd reader
# driver and the project's software FIDO2 card, with mail to a real SMTP
# server on loopback: the tap screen, Active, the PIN mail (and that it is
# the card's PIN), PINless, a card pulled mid-tap and Retry, Esc on a slow
# card, a card that already has a PIN (its PIN typed; a wrong PIN, then a
# confirmed reset), a new key for an existing user, and the readers screen.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/tmux.sh"
. "$KD_TOP/tests/lib/smtpd.sh"
. "$KD_TOP/tests/lib/pcscd.sh"
. "$KD_TOP/tests/lib/wizard_now.sh"
# tmux.sh names its server kd$$, but test runs in other PID namespaces share
# /tmp, and a PID repeats there: a random suffix keeps the server ours.
TUI_SOCK=kd$$.$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
TUI_TMUX="tmux -L $TUI_SOCK -f /dev/null"
trap 'tui_stop; pcsc_cleanup; smtpd_stop' EXIT

T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/pin.yaml
CFG_PINLESS=$T/pinless.yaml
DRIVE=$KD_BUILD/tests/hw_fido_drive
AAGUID=7c46a092672945d78a67d474d2df1b53
smtpd_start "$T/mail" || { echo "not ok - smtp sink starts"; exit 1; }
pcscd_start || { echo "not ok - pcscd starts"; exit 1; }
# config VERIFICATION: card defaults with that verification.
config() {
	cat <<EOC
smtp: {url: "$SMTPD_URL", starttls: none, from: "keydesk <keydesk@example.com>"}
relying_party: {id: keydesk.example.com}
activation: {base_url: "https://keydesk.example.com/activate/", pin_length: 8}
defaults:
  card: {auditable: true, bluetooth_proximity: false, offline_login: false, verification: $1}
EOC
}
config pin >"$CFG"
config pinless >"$CFG_PINLESS"

# mail_pin NAME: the PIN in the newest PIN mail to NAME.
mail_pin() {
	/usr/bin/python3 - "$T/mail" "$1" <<'EOP'
import mailbox, re, sys
pin = ""
for m in mailbox.Maildir(sys.argv[1], create=False):
    b = m.get_payload(decode=True).decode()
    if sys.argv[2] in b and "Its PIN is" in b:
        r = re.search(r"^  ([0-9]{8,})$", b, re.M)
        pin = r.group(1) if r else pin
print(pin)
EOP
}
mails_to() {
	grep -l "^To: .*<$1>" "$T"/mail/new/* "$T"/mail/cur/* 2>/dev/null | wc -l | tr -d ' '
}
keys_of() {
	sqlite3 "$DB" "SELECT count(*) FROM keys k JOIN users u ON u.id = k.user WHERE u.user_id = '$1'"
}
no_user() {
	! kd user show "$1" >/dev/null 2>&1
}

# card NAME [vcard args]: a fresh software card on a free vpcd slot.
card() {
	_name=$1; shift
	vcard_stop >/dev/null 2>&1
	vcard_start_free 20 --state "$T/card.$_name" "$@" >/dev/null 2>&1
}

# start CONFIG: the TUI on this test's reader (KEYDESK_READER).
start() {
	tui_stop
	tui_start env KEYDESK_READER="$VCARD_READER" "$KEYDESK" --config "$1" \
	    --db "$DB"
	tui_wait "Users" >/dev/null
}

# to_confirm ID NAME USERNAME: up to Confirm with a Contactless Card.
to_confirm() {
	wizard_to_confirm "$1" "$2" "$3" card
}

# 1. PIN verification, card pulled off the reader until the tap screen
# shows: the prompt, the reader, then Active and Done.
card pin || { echo "not ok - card starts"; exit 1; }
start "$CFG"
to_confirm T1 "Tia Tap" tia
check "confirm: activate now" tui_has "now, at this desk (tap the card next)"
kill -USR1 "$VCARD_PID"
pcsc_wait_card "$VCARD_READER" absent 10
tui_keys Enter
check "tap screen prompt" tui_wait "Tap the card on the reader"
check "tap screen: waiting for a card" tui_wait "waiting for a card"
kill -USR2 "$VCARD_PID"	# at once: an empty vpcd slot is free for others
check "tap screen names the reader" tui_has "$VCARD_READER"
check "tap: Active" tui_wait "Active" 30
check "done screen" tui_wait "Done: user T1 (Tia Tap) created." 15
check "done: key active" tui_has "Active (activated at this desk)"
check "done: PIN emailed, not shown" tui_has "emailed to tia@example.com (not shown here)"
check "done: delivery sent" tui_wait "Delivery         sent" 15
pin=$(mail_pin "Tia Tap")
check "PIN email received" test -n "$pin"
check "PIN not on the screen" test -z "$(tui_screen | grep -F "$pin")"
kd user show T1 --json >"$T/t1.json"
check "user show: active credential" test "$(json_get "$T/t1.json" \
    'd["status"]+"/"+d["keys"][0]["status"]+"/"+str(len(d["keys"][0]["credential_id"]) > 20)+"/"+d["keys"][0]["aaguid"]')" = \
    "active/active/True/$AAGUID"
tui_stop
timeout 30 "$DRIVE" changepin --reader "$VCARD_READER" --old "$pin" \
    --new 24681357 >"$T/cp" 2>&1
check "the card's PIN is the mailed one" test $? -eq 0

# 2. PINless: no PIN mail.
card pinless || { echo "not ok - card starts"; exit 1; }
start "$CFG_PINLESS"
to_confirm T2 "Lou Less" lou
tui_keys Enter
check "PINless: Active" tui_wait "Done: user T2 (Lou Less) created." 30
check "PINless: no PIN" tui_has "none (PINless)"
check "PINless: nothing mailed" tui_has "Mailed           nothing"
check "PINless: no mail to the user" test "$(mails_to lou@example.com)" = 0
check "PINless: key active" test "$(kd user show T2 --json | /usr/bin/python3 -c \
    'import json,sys; k=json.load(sys.stdin)["keys"][0]; print(k["status"], k["settings"]["verification"])')" = \
    "active pinless"

# 3. Card pulled mid-tap: a message, Enter retries, one key.  (Back soon:
# while it is off, another test may take the vpcd slot.)
card pulled --pull-at makeCredential --reinsert-ms 300 ||
    { echo "not ok - card starts"; exit 1; }
start "$CFG_PINLESS"
to_confirm T3 "Rae Retry" rae
vcard_mark
tui_keys Enter
# (The card layer says "card removed", or, when the link drops before pcscd
# sees the card go, that the answer was short: either way, Retry.)
check "pulled: message and Retry" tui_wait "Enter Retry / Esc Cancel" 30
pulled_msg() { tui_screen | grep -Eq "Card removed|short answer"; }
check "pulled: says what happened" pulled_msg

check "pulled: nothing written yet" no_user T3
vcard_wait_accepted 30 && pcsc_wait_card "$VCARD_READER" present 10
tui_keys Enter
check "pulled: retry succeeds" tui_wait "Done: user T3 (Rae Retry) created." 30
check "pulled: exactly one key" test "$(keys_of T3)" = 1

# 4. Esc on a slow card: cancelled quickly, back on Confirm, nothing written.
card slow --slow 5000 || { echo "not ok - card starts"; exit 1; }
start "$CFG_PINLESS"
to_confirm T4 "Sue Slow" sue
tui_keys Enter
check "slow: spinner while the card works" tui_wait "making the credential" 15
tui_keys Escape
check "slow: back on Confirm within 3 s" tui_wait "Check everything" 3
check "slow: says nothing was saved" tui_has "Not activated: nothing was saved"
check "slow: draft intact" tui_has "Sue Slow"
check "slow: no user written" no_user T4
tui_keys Escape
tui_wait "Discard this new user" >/dev/null && tui_keys y
tui_wait "Users" >/dev/null

# 5. A card that already has a PIN: the dialog, its PIN typed, Active; the
# card then has the mailed PIN.
card haspin --pin 11223344 || { echo "not ok - card starts"; exit 1; }
start "$CFG"
to_confirm T5 "Xi Pin" xi
tui_keys Enter
check "has PIN: the dialog" tui_wait "This card already has a PIN" 30
check "has PIN: reset names the loss" tui_has "every credential on it is erased"
tui_type 11223344
check "has PIN: typed PIN is masked" tui_wait "********"
check "has PIN: PIN not shown" tui_lacks 11223344
tui_keys Enter
check "has PIN: Done" tui_wait "Done: user T5 (Xi Pin) created." 30
check "has PIN: active" tui_has "Active (activated at this desk)"
tui_wait "Delivery         sent" 15 >/dev/null
pin=$(mail_pin "Xi Pin")
tui_stop
timeout 30 "$DRIVE" changepin --reader "$VCARD_READER" --old "$pin" \
    --new 99887766 >/dev/null 2>&1
check "has PIN: the card has the mailed PIN" test $? -eq 0

# 5b. A wrong PIN asks again (with the card's count); then the card is
# reset, after a confirmation that names the loss.
card reset --pin 11223344 || { echo "not ok - card starts"; exit 1; }
start "$CFG"
to_confirm T6 "Ria Reset" ria
tui_keys Enter
tui_wait "This card already has a PIN" 30 >/dev/null
tui_type 99999999; tui_keys Enter
check "wrong PIN: asked again with the reason" tui_wait "! wrong PIN" 30
tui_keys Down
tui_wait "(*) Reset the card" >/dev/null
tui_keys Enter
check "reset: confirmation names the loss" \
    tui_wait "Every credential on this card will be erased"
tui_keys n
check "reset: n goes back to the choice" tui_wait_gone "Reset the card? (y/N)"
check "reset: nothing written" no_user T6
tui_keys Enter
tui_wait "Reset the card? (y/N)" >/dev/null
tui_keys y
check "reset: Done" tui_wait "Done: user T6 (Ria Reset) created." 30
tui_wait "Delivery         sent" 15 >/dev/null
pin=$(mail_pin "Ria Reset")
tui_stop
timeout 30 "$DRIVE" changepin --reader "$VCARD_READER" --old "$pin" \
    --new 99887766 >/dev/null 2>&1
check "reset: the card has the mailed PIN" test $? -eq 0

# 6. "+ New Security Key" for an existing user: a smartphone's "Activate
# now" is offered (its QR code comes after Confirm: tests/e2e/tui_phone.sh);
# back to a card, which is tapped.
DB=$T/existing.db
kd user add --id E1 --name "Eve Existing" --email eve@example.com \
    --username eve >/dev/null 2>&1
card existing || { echo "not ok - card starts"; exit 1; }
start "$CFG_PINLESS"
tui_wait "Eve Existing" >/dev/null
tui_keys Enter
tui_wait "User details" >/dev/null
tui_keys k
check "new key: device type" tui_wait "New security key: Device type"
tui_keys Up
tui_wait "(*) Smartphone" >/dev/null
tui_keys Enter
tui_wait "Settings" >/dev/null
tui_keys Enter
tui_wait "Method" >/dev/null
tui_keys Tab Up
check "smartphone: activate now offered" \
    tui_wait "(*) Activate now (the phone scans a QR code here)"
tui_keys Enter
check "smartphone: activate now goes on to Confirm" \
    tui_wait "now, on the phone: a QR code next"
check "smartphone: no refusal" tui_lacks "smartphones are activated"
tui_keys PPage
tui_wait "Step 3 of 4" >/dev/null
tui_keys PPage PPage
tui_wait "(*) Smartphone" >/dev/null
tui_keys Down
tui_wait "(*) Contactless Card" >/dev/null
tui_keys Enter
tui_wait "The defaults for this type" >/dev/null
tui_keys Enter
tui_wait "(*) Activate now" >/dev/null
tui_keys NPage
check "new key: confirm" tui_wait "E1 (Eve Existing, eve@example.com)"
tui_keys Enter
check "new key: tap screen" tui_wait "New security key: Activate now"
check "new key: done" tui_wait "Done: key added for E1 (Eve Existing)." 30
check "new key: active" tui_has "Active (activated at this desk)"
tui_keys Enter
check "new key: active on the details" \
    tui_wait_re 'Contactless Card .* +Active'
kd user show E1 --json >"$T/e1.json"
check "new key: stored with its credential" test "$(json_get "$T/e1.json" \
    'd["status"]+"/"+str(len(d["keys"]))+"/"+d["keys"][0]["aaguid"]')" = \
    "active/1/$AAGUID"
tui_stop
DB=$T/kd.db

# 7. The readers screen: this test's reader with the card's AAGUID.
reader_row() {
	tui_screen | grep -F "$VCARD_READER" | grep -qF "$AAGUID"
}
start "$CFG"
tui_keys R
check "readers: pcscd status" tui_wait "pcscd: running"
check "readers: the reader with the card's AAGUID" eventually 15 reader_row
tui_keys Escape
check "readers: Esc back to the list" tui_wait "Users"
tui_stop
# pcscd unreachable (the client library's socket moved away): what to do.
tui_start env PCSCLITE_CSOCK_NAME="$T/no-pcscd" "$KEYDESK" --config "$CFG" \
    --db "$DB"
tui_wait "Users" >/dev/null
tui_keys R
check "readers: pcscd not running" tui_wait "pcscd: not running"
check "readers: what to install and start" \
    tui_wait "To fix: apt install pcscd; systemctl start pcscd"
tui_stop
vcard_stop
e2e_done
