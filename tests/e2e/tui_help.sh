#!/bin/sh
# Help at 80x24: ? opens it as F1 does (htop, mc and less users press it
# first), any key goes back; in a field ? is typed, not help.  And
# `operator password` asks twice on a terminal.
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
tui_stop

# `operator password` on a terminal asks twice (its prompts are on stderr:
# into the pane); different answers change
# nothing (exit 2), the same ones set it.
kd operator add pat --role operator >/dev/null 2>&1
tui_start sh -c '"$@" 2>&1' sh "$KEYDESK" --config "$CFG" --db "$DB" \
    operator password pat
tui_wait "New password:" >/dev/null
tui_type "correct horse battery"; tui_keys Enter
check "operator password: asks again" tui_wait "Again:"
tui_type "correct horse battrey"; tui_keys Enter
check "operator password: different answers refused" \
    tui_wait "the passwords differ; nothing was changed"
check "operator password: exit 2" tui_wait "[tui exited 2"
tui_stop
tui_start sh -c '"$@" 2>&1' sh "$KEYDESK" --config "$CFG" --db "$DB" \
    operator password pat
tui_wait "New password:" >/dev/null
tui_type "correct horse battery"; tui_keys Enter
tui_wait "Again:" >/dev/null
tui_type "correct horse battery"; tui_keys Enter
check "operator password: the same twice sets it" \
    tui_wait "password set for pat"
e2e_done
