#!/bin/sh
# "Activate now" with nothing to talk to, at 80x24: a FIDO2 key with no USB
# key plugged in hears about the key (never about pcscd); a card with no
# reader service hears what to start; r with nothing else attached says so.
# pcscd is made unreachable by pointing the client library's socket away.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/tmux.sh"
trap 'tui_stop' EXIT

T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/config.yaml
tui_config "$CFG" "smtp://127.0.0.1:9"

# to_tap ID NAME TYPE_DOWNS: the wizard to the tap screen, default
# settings, "Activate now"; TYPE_DOWNS Down presses pick the device type.
to_tap() {
	tui_keys n
	tui_wait "User information" >/dev/null || return 1
	tui_type "$1"; tui_keys Tab
	tui_type "$2"; tui_keys Tab
	tui_type "$1@example.com"; tui_keys Tab
	tui_type "$1"; tui_keys Enter
	tui_wait "Step 2 of" >/dev/null || return 1
	tui_keys Enter
	tui_wait "Assign a security key now" >/dev/null || return 1
	tui_keys Space Enter
	tui_wait "Device type" >/dev/null || return 1
	_i=0
	while [ "$_i" -lt "$3" ]; do tui_keys Down; _i=$((_i + 1)); done
	tui_keys Enter
	tui_wait "The defaults for this type" >/dev/null || return 1
	tui_keys Enter
	tui_wait "Method" >/dev/null || return 1
	tui_keys Tab Up
	tui_wait "(*) Activate now" >/dev/null || return 1
	tui_keys Enter
	tui_wait "Check everything" >/dev/null || return 1
	tui_keys Enter
}

tui_start env PCSCLITE_CSOCK_NAME="$T/no-pcscd" \
    "$KEYDESK" --config "$CFG" --db "$DB"
tui_wait "Users" >/dev/null
to_tap u1 "Una Usb" 1
check "fido2: no USB key, plug one in" \
    tui_wait "No USB security key found: plug one in" 30
check "fido2: no word about pcscd" tui_lacks "pcscd"
tui_keys r
check "fido2: r with nothing else attached says so" \
    tui_wait "No other security key is plugged in."
tui_keys Escape
tui_wait "Users" 15 >/dev/null || tui_keys Escape
tui_stop

tui_start env PCSCLITE_CSOCK_NAME="$T/no-pcscd" \
    "$KEYDESK" --config "$CFG" --db "$DB"
tui_wait "Users" >/dev/null
to_tap c1 "Cara Card" 0
check "card: no reader service, what to do" \
    tui_wait "The card reader service (pcscd) is not running: start it" 30
check "card: headline" tui_has "No card reader"
tui_keys r
check "card: r with nothing else attached says so" \
    tui_wait "No other reader or security key is attached."
e2e_done
