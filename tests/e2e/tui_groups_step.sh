#!/bin/sh
# The wizard's Groups step with no groups at 80x24: the focus is on the
# create field and the key bar says what Enter does there; Tab does not
# move to the empty list, so a typed name is never swallowed or lost.
# Also the 128-character limit of a text field is said, not silent.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/tmux.sh"
trap 'tui_stop' EXIT

T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/config.yaml
tui_config "$CFG"

tui_start "$KEYDESK" --config "$CFG" --db "$DB"
tui_wait "Users" >/dev/null
tui_keys n
tui_wait "User information" >/dev/null
tui_type G1; tui_keys Tab
long=$(printf 'x%.0s' $(seq 1 130))
tui_type "$long"
check "128 limit: said on the field" tui_wait "at most 128 characters"
tui_keys C-u
check "128 limit: note gone once the key is not refused" \
    tui_wait_gone "at most 128 characters"
tui_type "Gil Group"; tui_keys Tab
tui_type gil@example.com; tui_keys Tab
tui_type gil; tui_keys Enter
check "groups step" tui_wait "Step 2 of"
check "no groups: key bar says Enter goes on" tui_has "Enter Next"
check "no groups: no Tab to an empty list" tui_lacks "Tab "
tui_keys Tab
tui_type Floor
check "no groups: Tab kept the focus, the name is typed" \
    tui_wait "Floor"
check "no groups: key bar says Enter creates" tui_wait "Enter Create group"
tui_keys Enter
check "no groups: Enter created it" tui_wait "[x] Floor  (new)"
check "a group: Tab goes to the list" tui_has "Tab Groups list"
tui_keys Tab
check "list focus: key bar" tui_wait "Tab Create a group"
tui_keys Tab
tui_type Desk
tui_keys Tab
check "list focus with a typed name" tui_wait "Tab Create a group"
tui_keys Enter
check "Enter with a typed name creates it, wherever the focus" \
    tui_wait "[x] Desk  (new)"
check "and stays on the step" tui_has "Step 2 of"
e2e_done
