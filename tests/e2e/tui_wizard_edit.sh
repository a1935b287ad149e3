#!/bin/sh
# The wizard's editing paths in tmux at 80x24: Back keeps what was typed,
# an invalid email shows its error on the field and does not advance,
# Esc and Ctrl-C ask before discarding and leave nothing behind, the
# terminal is restored, and resizing below 80x24 keeps the draft.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/tmux.sh"
trap 'tui_stop' EXIT

T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/config.yaml
tui_config "$CFG"
kd group add Engineering >/dev/null

no_users() {
	kd user list --json >"$T/list.json" &&
	    test "$(json_get "$T/list.json" 'len(d)')" = 0
}

start_wizard() {
	tui_start "$KEYDESK" --config "$CFG" --db "$DB"
	tui_wait "Users" >/dev/null && tui_keys n && tui_wait "User information"
}

fill_info() {
	tui_type "$1"; tui_keys Tab
	tui_type "$2"; tui_keys Tab
	tui_type "$3"; tui_keys Tab
	tui_type "$4"
}

# Invalid email: the error is on the row under the Email field.
start_wizard
fill_info E2000 "Ada Lovelace" "ada-at-example" ada
tui_keys Enter
check "invalid email: inline error" tui_wait "! not a valid email address"
check "invalid email: the error sits under the Email field" \
    sh -c "printf '%s\n' '$(tui_line_after "Email ")' | grep -q '! not a valid email'"
check "invalid email: does not advance" tui_has "Step 1 of"
check "invalid email: other fields have no error" test "$(tui_screen | grep -c '! ')" = 1
check "invalid email: asks to correct" tui_has "Please correct the fields marked !"
# Fix it: the cursor went to the bad field.
tui_keys C-u; tui_type ada@example.com; tui_keys Tab
check "fixed email: error gone on leaving the field" tui_wait_gone "! not a valid email"
check "fixed email: 'Please correct' gone too" \
    tui_wait_gone "Please correct the fields marked"
tui_keys PPage
check "PgUp on step 1 stays" tui_has "Step 1 of"
tui_keys NPage
check "PgDn is Next" tui_wait "Step 2 of"

# A group name the wizard refuses: the error sits under the create field.
tui_keys Tab; tui_type "   "; tui_keys Enter
check "group create: inline error" tui_wait "! Group name is required"
tui_keys C-u Tab

# Back keeps values, through two steps.
tui_keys Space Enter
tui_wait "Assign a security key now" >/dev/null
tui_keys Space PPage
check "back to groups keeps the selection" tui_wait "[x] Engineering"
tui_keys PPage
check "back to user information" tui_wait "User information"
check "back keeps the user ID" tui_has "E2000"
check "back keeps the name" tui_has "Ada Lovelace"
check "back keeps the fixed email" tui_has "ada@example.com"
check "back keeps the username" tui_has "Username           ada"
tui_keys NPage NPage
check "forward again keeps the key toggle" tui_wait "[x] Assign a security key now"

# Esc asks; n keeps the wizard; y discards and returns to the list.
tui_keys Escape
check "Esc asks" tui_wait "Discard this new user? (y/N)"
tui_keys n
check "n keeps the draft" tui_wait_gone "Discard this new user?"
check "n keeps the step" tui_has "[x] Assign a security key now"
tui_keys Escape
tui_wait "Discard this new user?" >/dev/null
tui_keys y
check "y discards and shows the list" tui_wait "No users yet"
check "cancel leaves no user" no_users
tui_keys q
check "q quits" tui_wait "[tui exited 0"
tui_stop

# Resize mid-wizard: below 80x24 a notice, back at 80x24 the draft is intact.
start_wizard
fill_info E3000 "Zoë Ångström" zoe@example.com zoe
tui_resize 60 20
check "too small notice" tui_wait "Terminal too small: need 80x24, have 60x20"
tui_keys x	# ignored while the screen is not shown
tui_resize 80 24
check "resize back: wizard again" tui_wait "User information"
check "resize back: user ID intact" tui_has "E3000"
check "resize back: name intact" tui_has "Zoë Ångström"
check "resize back: email intact" tui_has "zoe@example.com"
username_is_zoe() { tui_screen | grep -qE '^  Username +zoe *$'; }
check "resize back: username intact (key typed while small ignored)" \
    username_is_zoe
tui_resize 120 40
check "larger window lays out again" tui_wait "Step 1 of"

# Text longer than the field scrolls; Home shows the start again.
tui_resize 80 24
tui_wait "Step 1 of" >/dev/null
tui_keys Tab Tab C-u	# from Username round to Full name
tui_type "Maximiliane Wilhelmina Friederike von Hohenzollern-Sigmaringen-Ende"
check "long text: the end is shown while typing" tui_wait "Sigmaringen-Ende"
check "long text: the start scrolled out" tui_lacks "Maximiliane Wilhelmina"
tui_keys Home
check "long text: Home scrolls back" tui_wait "Maximiliane Wilhelmina"
field_fits() {
	tui_screen | awk '/Full name/ { ok = length($0) <= 71 } END { exit !ok }' && return 0
	tui_screen | cat -A >&2; return 1
}
check "long text: stays inside its 50-column field" field_fits
tui_keys End
tui_type " Ü"
check "long text: typing at the end after End" tui_wait "Ende Ü"

# Ctrl-C mid-wizard asks, then quits with the terminal restored.
tui_keys C-c
check "Ctrl-C asks" tui_wait "Discard this new user? (y/N)"
tui_keys y
check "Ctrl-C + y quits, terminal restored" tui_wait "[tui exited 0; stty: icanon echo"
check "Ctrl-C leaves no user" no_users
tui_stop

# SIGTERM (and SIGHUP) end curses cleanly too.
start_wizard
tui_type E4000
pane=$($TUI_TMUX list-panes -F '#{pane_pid}')
kid=$(ps -o pid= --ppid "$pane" | tr -d ' ' | head -n 1)
kill -TERM "$kid"
check "SIGTERM: exits 143 with the terminal restored" \
    tui_wait "[tui exited 143; stty: icanon echo"
check "SIGTERM leaves no user" no_users
tui_stop

# "+ New Security Key" for an existing user: the key steps only.
kd user add --id E5000 --name "Grace Hopper" --email grace@example.com \
    --username grace >/dev/null 2>&1
tui_start "$KEYDESK" --config "$CFG" --db "$DB"
tui_wait "Grace Hopper" >/dev/null
tui_keys Enter
tui_wait "User details" >/dev/null
check "details: no keys yet" tui_has "No keys."
tui_keys k
check "new key: starts at device type" tui_wait "New security key: Device type"
check "new key: four steps" tui_has "Step 1 of 4"
tui_keys Down Enter
tui_wait "Settings for the FIDO2" >/dev/null
check "new key: FIDO2 has no verification choice" tui_lacks "Verification"
tui_keys Enter
check "new key: name suggested" tui_wait "Grace Hopper's security key"
tui_keys Enter Enter
check "new key: confirm names the user" tui_wait "E5000 (Grace Hopper, grace@example.com)"
tui_keys Enter
check "new key: done" tui_wait "Done: key added for E5000 (Grace Hopper)."
check "new key: Enter goes back to the user, and says so" \
    tui_has "Enter Back to the user"
tui_keys Enter
check "new key: back on the details with the key" \
    tui_wait_re 'FIDO2 Hardware.* +Grace Hopper.s.* +Pending'
tui_keys q
tui_wait "[tui exited 0" >/dev/null
tui_stop
kd user show E5000 --json >"$T/show.json"
check "new key: stored pending fido2" test "$(json_get "$T/show.json" 'd["keys"][0]["type"]+"/"+d["keys"][0]["status"]+"/"+d["status"]')" = "fido2/pending/pending"

e2e_done
