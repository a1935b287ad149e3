#!/bin/sh
# Operator sign-in by tapping their own security key in `keydesk --kiosk`
# (issue 5), in tmux at 80x24, through a real pcscd + vpcd and the
# project's software FIDO2 card.  Each operator's key is registered from
# the command line (`keydesk operator key`).  Another operator's card is
# refused for desk1 with a message that says so, the failure is audited
# and nobody is signed in; the same card signs its own operator in.
# desk1's own card signs desk1 in to the admin users list, and what desk1
# does next is audited under desk1.  One vpcd slot at a time, so tests
# running at the same time keep the other.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/tmux.sh"
. "$KD_TOP/tests/lib/pcscd.sh"
trap 'tui_stop; pcsc_cleanup' EXIT

T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/c.yaml
# The built-in idle lock (2 min): a slow tap is not cut short.
tui_config "$CFG"
kd user add --id Q1 --name "Quentin Zyx" --email quentin@example.com \
    --username quentin >/dev/null 2>&1
kd operator add desk1 --role admin >/dev/null 2>&1
kd operator add desk2 --role operator >/dev/null 2>&1

pcscd_start || { echo "not ok - pcscd starts"; exit 1; }

# card STATE: the software card with that state file in a free slot.
card() {
	vcard_start_free 20 --state "$1" >/dev/null 2>&1
}
# register NAME: the card in the reader becomes NAME's key.
register() {
	kd operator key "$1" --reader "$VCARD_READER" >"$T/o" 2>"$T/e"
	grep -q "registered a key for $1" "$T/o"
}
# kiosk: keydesk --kiosk on the reader of the card now in, at sign-in.
kiosk() {
	tui_stop
	tui_start env KEYDESK_READER="$VCARD_READER" "$KEYDESK" --kiosk \
	    --config "$CFG" --db "$DB"
	tui_wait "Activate your security key" 15 || return 1
	tui_keys F2
	tui_wait "Operator sign-in"
}
audit_count() {
	sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action = '$1' AND \
	    actor = '$2' AND details LIKE 'how=key%'"
}

card "$T/desk1.card" || { echo "not ok - desk1's card starts"; exit 1; }
check "desk1's card registered to desk1" register desk1
vcard_stop "$VCARD_PID"
card "$T/desk2.card" || { echo "not ok - desk2's card starts"; exit 1; }
check "desk2's card registered to desk2" register desk2

# desk2's card tapped for desk1: refused, said so, audited.
check "kiosk: sign-in screen" kiosk
check "sign-in offers F3 to tap" tui_has "F3 Tap your security key"
tui_keys F3
check "F3 without a name asks for it" tui_wait "type your operator name"
tui_type "desk1"
tui_keys F3
check "another operator's card refused" \
    tui_wait "this is not the security key registered to desk1" 30
check "wrong card: not signed in" tui_lacks "Quentin"
check "wrong card: still on the sign-in" tui_has "Operator sign-in"
check "wrong card: the failure audited" \
    test "$(audit_count signin.failed desk1)" = 1
check "wrong card: no sign-in recorded" \
    test "$(audit_count signin.ok desk1)" = 0

# The same card signs its own operator in.
tui_keys C-u
tui_wait_gone "desk1" 5 >/dev/null 2>&1
tui_type "desk2"
tui_keys F3
check "desk2's card signs desk2 in" tui_wait "Quentin Zyx" 30
check "desk2: q signs out" tui_has "q Sign out"
check "desk2: signed in by key, audited" \
    test "$(audit_count signin.ok desk2)" = 1
tui_keys q
check "desk2 signs out: redemption" tui_wait "Activate your security key"

# desk1's own card: the admin users list, then an audited action.
vcard_stop "$VCARD_PID"
card "$T/desk1.card" || { echo "not ok - desk1's card back in"; exit 1; }
check "kiosk again on desk1's reader" kiosk
tui_type "desk1"
tui_keys F3
check "desk1 taps their own key: the users list" tui_wait "Quentin Zyx" 30
check "desk1: signed in by key, audited" \
    test "$(audit_count signin.ok desk1)" = 1
tui_keys Enter
check "desk1: user details" tui_wait "User details"
check "desk1 is an admin: F8 Delete offered" tui_has "Delete"
tui_keys d
tui_wait "Disable this user? (y/N)" >/dev/null
tui_keys y
check "desk1 disables a user" tui_wait "Disabled: workflows"
check "the audit names desk1" test "$(sqlite3 "$DB" "SELECT actor FROM \
    audit WHERE action = 'user.disable' ORDER BY id DESC LIMIT 1")" = desk1
check "kiosk still running" tui_lacks "[tui exited"

# The idle lock waits while a tap waits for its card: with idle_lock 5s,
# desk1 starts "Activate now" for Quentin with the reader empty; 9 s
# later the tap screen still waits.  Once it is cancelled, the lock comes.
tui_stop
tui_config "$T/idle.yaml"
echo 'kiosk: {idle_lock: 5s}' >>"$T/idle.yaml"
CFG=$T/idle.yaml
check "idle: kiosk on desk1's reader" kiosk
tui_type "desk1"
tui_keys F3
check "idle: desk1 signs in" tui_wait "Quentin Zyx" 30
vcard_stop "$VCARD_PID"
tui_keys Enter
tui_wait "User details" >/dev/null
tui_keys k
tui_wait "(*) Contactless Card" >/dev/null
tui_keys Enter
tui_wait "The defaults for this type" >/dev/null
tui_keys Enter
tui_wait "Method" >/dev/null
tui_keys Tab Up
tui_wait "(*) Activate now" >/dev/null
tui_keys NPage
tui_wait "Q1 (Quentin Zyx" >/dev/null
tui_keys Enter
check "idle: the tap waits for a card" tui_wait "Tap the card on the reader"
not_locked() {
	! tui_wait "Activate your security key" 9 >/dev/null 2>&1
}
check "idle: no lock while the tap waits (9 s, idle_lock 5s)" not_locked
check "idle: still on the tap screen" tui_has "Tap the card on the reader"
tui_keys Escape
check "idle: then the lock: redemption" \
    tui_wait "Activate your security key" 15
check "idle: signed out" tui_lacks "Quentin"
check "idle: no key was added" test "$(sqlite3 "$DB" "SELECT count(*) FROM \
    keys k JOIN users u ON u.id = k.user WHERE u.user_id = 'Q1'")" = 0
tui_stop
e2e_done
