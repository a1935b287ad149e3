#!/bin/sh
# Help at 80x24: ? opens it as F1 does (htop, mc and less users press it
# first), any key goes back; in a field ? is typed, not help.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/tmux.sh"
trap 'tui_stop' EXIT

T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/config.yaml
tui_config "$CFG"

tui_start "$KEYDESK" --config "$CFG" --db "$DB"
tui_wait "Users" >/dev/null
tui_keys '?'
check "? opens help on the users list" tui_wait "Keys on this screen"
check "help lists the list's keys" tui_has "Workflows"
check "help says how to open it" tui_has "F1 or ?"
tui_keys Escape
check "any key goes back" tui_wait_gone "Keys on this screen"
tui_keys F1
check "F1 opens the same help" tui_wait "Keys on this screen"
tui_keys Escape
tui_wait_gone "Keys on this screen" >/dev/null
tui_keys n
tui_wait "User information" >/dev/null
tui_type 'A?B'
check "in a field ? is typed" tui_wait "A?B"
check "in a field ? is not help" tui_lacks "Keys on this screen"
e2e_done
