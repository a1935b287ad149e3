#!/bin/sh
# Operator sign-in in `keydesk --kiosk` (issue 5), in tmux at 80x24: only
# redemption is shown; Ctrl-C, Ctrl-Z and Ctrl-\ do nothing; F2 opens the
# sign-in; an operator signs in with a password and reaches the users list
# without delete actions (an admin's user details have them); five wrong
# passwords lock the name and the sixth try says so; the idle lock
# (kiosk.idle_lock) returns to redemption and signs the operator out.
# With access.signin (no --kiosk): keydesk opens on the sign-in, Esc and
# F10 there leave the program, the operator's database role applies (not
# the OS user's) and is the audit actor, q signs out, a kiosk operator gets
# redemption only; the idle lock signs out to the sign-in screen and drops
# a half-filled New User wizard (no user written).  Without sign-in (an OS
# user over SSH) nothing locks.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/tmux.sh"
trap 'tui_stop' EXIT

T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/c.yaml
tui_config "$CFG"
echo 'kiosk: {idle_lock: 5s}' >>"$CFG"
kd user add --id Q1 --name "Quentin Zyx" --email quentin@example.com \
    --username quentin >/dev/null 2>&1
kd operator add desk1 --role operator >/dev/null 2>&1
printf 'correct horse battery\n' | kd operator password desk1 >/dev/null 2>&1
kd operator add desk2 --role operator >/dev/null 2>&1
printf 'correct horse battery\n' | kd operator password desk2 >/dev/null 2>&1
check "operators created" sh -c "'$KEYDESK' --config '$CFG' --db '$DB' \
    operator list 2>/dev/null | grep -q desk1"

alive() {
	tui_lacks "[tui exited"
}
audit_last_actor() {
	sqlite3 "$DB" "SELECT actor FROM audit WHERE action='$1' ORDER BY id \
	    DESC LIMIT 1"
}

tui_start "$KEYDESK" --kiosk --config "$CFG" --db "$DB"
check "kiosk starts on redemption" tui_wait "Activate your security key"
check "kiosk: sign-in key in the key bar" tui_has "Operator sign-in"
check "kiosk: no users list" tui_lacks "Quentin"

# Ctrl-C, Ctrl-Z, Ctrl-\ do nothing: the screen stays, keys still work.
tui_keys C-c C-z 'C-\'
tui_type "MWQ7"
check "Ctrl-C/Ctrl-Z/Ctrl-\\ ignored, keys still work" tui_wait "MWQ7"
check "kiosk: process alive after Ctrl-C/Ctrl-Z" alive
check "kiosk: still on redemption" tui_has "Activate your security key"
tui_keys Escape

# Sign-in screen: Ctrl-C does nothing there either.
tui_keys F2
check "F2 opens the sign-in" tui_wait "Password"
tui_keys C-c C-z 'C-\'
tui_type "zq9"
check "sign-in: Ctrl-C/Ctrl-Z ignored" tui_wait "zq9"
check "sign-in: process alive" alive
check "sign-in: still shown" tui_has "Operator sign-in"
tui_keys BSpace BSpace BSpace

# Five wrong passwords lock desk2; the sixth try shows the lock-out.
tui_type "desk2"
tui_keys Enter
n=1
locked_ok=1
while [ $n -le 5 ]; do
	tui_type "wrong$n"
	tui_wait_gone "wrong name or password" 5 || locked_ok=0
	tui_keys Enter
	tui_wait "wrong name or password" 10 || locked_ok=0
	n=$((n + 1))
done
check "wrong passwords: wrong name or password" test $locked_ok = 1
tui_type "correct horse battery"
tui_keys Enter
check "sixth try: locked out with seconds left" \
    tui_wait "too many wrong passwords: try again in"
check "lock-out: not signed in" tui_lacks "Quentin"

# desk1 signs in with the password and reaches the users list.
tui_keys Escape
check "Esc: back to redemption" tui_wait "Activate your security key"
tui_keys F2
tui_wait "Password" >/dev/null 2>&1
tui_type "desk1"
tui_keys Enter
tui_type "correct horse battery"
tui_keys Enter
check "operator signs in: users list" tui_wait "Quentin Zyx"
check "operator: no workflows" tui_lacks "Workflows"
check "operator: no import" tui_lacks "Import"
check "operator: q signs out" tui_has "q Sign out"
tui_keys Enter
check "operator: user details" tui_wait "User details"
check "operator: F8 Delete not offered" tui_lacks "Delete"
tui_keys d
tui_wait "Disable this user? (y/N)" >/dev/null
tui_keys y
check "operator: may disable" tui_wait "Disabled: workflows"
check "operator: the audit names the operator" \
    test "$(sqlite3 "$DB" "SELECT actor FROM audit ORDER BY id DESC LIMIT 1")" = desk1

# The idle lock (5 s): back to an empty redemption screen, signed out.
check "idle lock: back to redemption" \
    tui_wait "Activate your security key" 15
check "idle lock: users list gone" tui_lacks "Quentin"
tui_type "ZZZZZ-ZZZZZ"
tui_keys Enter
tui_wait "!" 10 >/dev/null 2>&1
check "idle lock: signed out (actor kiosk)" \
    test "$(audit_last_actor activation.code_rejected)" = kiosk
check "kiosk: process alive at the end" alive
tui_stop

# An admin (the OS user, no access lists) is offered Delete.
tui_start "$KEYDESK" --config "$CFG" --db "$DB"
tui_wait "Quentin Zyx" >/dev/null 2>&1
tui_keys Enter
check "admin: user details" tui_wait "User details"
check "admin: F8 Delete offered" tui_has "Delete"
tui_keys F10
tui_stop

# --- access.signin: the sign-in screen first, outside kiosk mode --------
# The OS user is read-only by the lists; desk1's database role (operator)
# is what applies once signed in.
CFG2=$T/signin.yaml
tui_config "$CFG2"
printf 'kiosk: {idle_lock: 5s}\naccess: {admins: [someone-else], signin: true}\n' \
    >>"$CFG2"
kd operator add lobby --role kiosk >/dev/null 2>&1
printf 'correct horse battery\n' | kd operator password lobby >/dev/null 2>&1
sqlite3 "$DB" "DELETE FROM lockouts WHERE scope = 'signin'"
exited() {
	tui_wait "[tui exited 0;" 10
}
# signin_as NAME: types NAME and the password on the sign-in screen.
signin_as() {
	tui_type "$1"
	tui_keys Enter
	tui_type "correct horse battery"
	tui_keys Enter
}
last_id() {
	sqlite3 "$DB" "SELECT coalesce(max(id), 0) FROM audit"
}

tui_start "$KEYDESK" --config "$CFG2" --db "$DB"
check "access.signin: opens on the sign-in" tui_wait "Operator sign-in"
check "access.signin: nothing behind it shown" tui_lacks "Quentin"
check "access.signin: Esc quits from the start screen" tui_has "Esc Quit"
tui_keys Escape
check "access.signin: Esc leaves the program" exited
tui_stop

tui_start "$KEYDESK" --config "$CFG2" --db "$DB"
tui_wait "Operator sign-in" >/dev/null 2>&1
tui_keys F10
check "access.signin: F10 leaves the program" exited
tui_stop

tui_start "$KEYDESK" --config "$CFG2" --db "$DB"
tui_wait "Operator sign-in" >/dev/null 2>&1
tui_type "desk1"
tui_keys Enter
tui_type "not the password"
tui_keys Enter
check "access.signin: wrong password refused" tui_wait "wrong name or password"
check "access.signin: the failure audited" \
    test "$(audit_last_actor signin.failed)" = desk1
tui_keys BTab C-u
tui_wait_gone "desk1" 5 >/dev/null 2>&1
before=$(last_id)
signin_as desk1
check "access.signin: operator reaches the users list" tui_wait "Quentin Zyx"
check "access.signin: q signs out" tui_has "q Sign out"
check "access.signin: the header names who is signed in" \
    tui_has "signed in: desk1 (operator)"
check "access.signin: operator role, not the OS user's: n New offered" \
    tui_has "n New"
tui_keys Enter
check "access.signin: user details" tui_wait "User details"
check "access.signin: operator: Delete not offered" tui_lacks "Delete"
tui_keys F8
check "access.signin: a refused key says why" \
    tui_wait "Not allowed for the operator role."
tui_keys Right Left
check "access.signin: said once" tui_wait_gone "Not allowed for the"
tui_keys d
check "access.signin: operator may enable (read-only OS user may not)" \
    tui_wait "Enabled again"
check "access.signin: the audit names the operator" \
    test "$(sqlite3 "$DB" "SELECT actor FROM audit WHERE id > $before AND \
    action = 'user.enable'")" = desk1
tui_keys Escape
tui_wait "Quentin Zyx" >/dev/null 2>&1
tui_keys q
check "access.signin: q: back to the sign-in" tui_wait "Operator sign-in"
check "access.signin: signed out, name cleared" tui_lacks "desk1"

# A kiosk operator is given redemption only; Esc signs them out.
signin_as lobby
check "access.signin: kiosk operator gets redemption" \
    tui_wait "Activate your security key"
check "access.signin: kiosk operator: no users list" tui_lacks "Quentin"
check "access.signin: kiosk operator: the header says who and the role" \
    tui_has "signed in: lobby (kiosk)"
tui_keys Escape
check "access.signin: Esc from redemption: sign-in again" \
    tui_wait "Operator sign-in"

# The idle lock (5 s) mid-wizard: signed out, back to the sign-in, and
# the half-filled user is not written.
signin_as desk1
tui_wait "Quentin Zyx" >/dev/null 2>&1
tui_keys n
check "idle lock: wizard open" tui_wait "User information"
tui_type "IDLE7"; tui_keys Tab
tui_type "Ida Idle"; tui_keys Tab
tui_type "ida@example.com"; tui_keys Tab
tui_type "ida"; tui_keys Enter
check "idle lock: wizard at step 2" tui_wait "Step 2 of"
check "idle lock: back to the sign-in" tui_wait "Operator sign-in" 15
check "idle lock: the wizard is gone" tui_lacks "Step 2 of"
check "idle lock: no half-written user" \
    test "$(sqlite3 "$DB" "SELECT count(*) FROM users WHERE user_id = 'IDLE7'")" = 0
check "idle lock: the sign-in is the start screen (Esc quits)" \
    tui_has "Esc Quit"
signin_as desk1
check "idle lock: sign in again" tui_wait "Quentin Zyx"
check "idle lock: the dropped user is not listed" tui_lacks "Ida Idle"
tui_keys F10
check "access.signin: F10 on the users list leaves" exited
tui_stop

# Without sign-in (the OS user, SSH) nothing locks: the users list stays
# past two idle periods.
CFG3=$T/nolock.yaml
tui_config "$CFG3"
echo 'kiosk: {idle_lock: 2s}' >>"$CFG3"
tui_start "$KEYDESK" --config "$CFG3" --db "$DB"
check "no sign-in: users list" tui_wait "Quentin Zyx"
check "no sign-in: q quits (not sign out)" tui_has "q Quit"
stays() {
	! tui_wait_gone "Quentin Zyx" 5 2>/dev/null
}
check "no sign-in: no idle lock (5 s with idle_lock 2s)" stays
tui_keys F10
tui_stop

e2e_done
