#!/bin/sh
# Workflows › Security Key Device Assignment in the TUI at 80x24: define
# one over a group of 500 (review numbers), run it with the progress bar,
# mail delivered to the loopback sink, run again and see 0 created; then
# cancel a run over ten batches' worth of users mid-way and see whole
# batches only (WORKFLOW_BATCH in core/workflow.h), matching the stored
# run and the keys in the database.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/tmux.sh"
. "$KD_TOP/tests/lib/smtpd.sh"
trap 'tui_stop; smtpd_stop' EXIT

# users DB N GROUP: N users (W1..WN) in GROUP, straight into the database
# (the CLI would take minutes under ASan).
users() {
	sqlite3 "$1" "INSERT INTO groups (name, created_at) VALUES ('$3', 0);
	    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
	    WHERE i < $2) INSERT INTO users (user_id, name, email, username,
	    created_at, updated_at) SELECT 'W' || i, 'Worker ' || i,
	    'w' || i || '@example.com', 'w' || i, 0, 0 FROM n;
	    INSERT INTO memberships SELECT (SELECT id FROM groups WHERE
	    name = '$3'), id FROM users WHERE user_id LIKE 'W%';"
}
line_after_has() {	# line_after_has PATTERN TEXT: TEXT right under it
	tui_line_after "$1" | grep -qF -- "$2"
}
last_run() {	# last_run EXPR: over the first workflow's last run
	kd workflow list --json >"$T/w.json" && json_get "$T/w.json" "$1"
}

T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/config.yaml
smtpd_start "$T/mail" || { echo "not ok - smtp sink starts"; exit 1; }
tui_config "$CFG" "$SMTPD_URL"
kd group add Office >/dev/null
users "$DB" 500 Floor

tui_start "$KEYDESK" --config "$CFG" --db "$DB"
tui_wait "500 users" >/dev/null
tui_keys w
check "workflows: empty list" tui_wait "No workflows yet"
tui_keys n
check "new workflow: name and groups" tui_wait "New workflow: Name and groups"
tui_keys Enter
tui_wait "! " >/dev/null
check "new workflow: a name is required" line_after_has "  Name" "! Name is required"
tui_type "Floor keys"
tui_keys Tab Space
tui_keys Enter
check "new workflow: key type and settings" tui_wait "Key type and settings"
tui_keys Down Down
check "new workflow: FIDO2 has no verification" tui_wait "(*) FIDO2"
tui_keys Tab Space
check "new workflow: custom settings per type" tui_wait "[ ] Use default settings"
check "new workflow: only the FIDO2 settings" tui_lacks "Verification"
tui_keys Tab Space
tui_keys Enter
check "review: in scope" tui_wait "In scope         500 users"
check "review: already have one" tui_has "Already have one 0"
check "review: will get one" tui_has "Will get one     500"
check "review: the custom settings" tui_has "Auditable off, Offline Login off"
check "review: nothing stored yet" test "$(sqlite3 "$DB" "SELECT count(*) FROM workflows")" -eq 0
tui_keys Enter
check "submit: created" tui_wait "Created workflow \"Floor keys\"."
check "submit: stored" test "$(kd workflow list --json | /usr/bin/python3 -c 'import json,sys; w=json.load(sys.stdin)[0]; print(w["name"], w["key"], w["groups"], w["default_settings"])')" = "Floor keys fido2 ['Floor'] False"
tui_keys r
check "run: review first" tui_wait "Enter Start the run"
tui_keys Enter
check "run: the progress bar" tui_wait "[#"
check "run: the bar fills" tui_wait "#]  500 of 500" 60
check "run: result" tui_wait "500 in scope, 500 created, 0 skipped, 0 failed" 60
check "run: status" tui_has "Status           done"
check "run: mail delivered in the background" tui_wait "Mail: sent" 120
check "run: 500 messages at the sink" test "$(smtpd_count "$T/mail")" -eq 500
check "run: stored" test "$(last_run 'd[0]["last_run"]["created"]')" -eq 500
tui_keys Enter
check "list: last run shown" \
    tui_wait_re 'Floor keys +fido2 +done +500 +500 +0 +0'
tui_keys Enter
tui_wait "Enter Start the run" >/dev/null
check "again: review says nobody new" tui_has "Will get one     0"
tui_keys Enter
check "again: 0 created" tui_wait "500 in scope, 0 created, 500 skipped, 0 failed" 60
check "again: stored" test "$(last_run 'd[0]["last_run"]["created"]')" -eq 0
check "again: no new mail" test "$(smtpd_count "$T/mail")" -eq 500
tui_keys Enter Escape
tui_wait "500 users" >/dev/null
tui_keys q
check "quits cleanly" tui_wait "[tui exited 0; stty: icanon echo"
tui_stop
smtpd_stop

# Cancel mid-way: ten batches' worth of users; Esc as soon as the bar has
# moved.  No SMTP here: the mail waits in the outbox.
batch=$(sed -n 's/^#define WORKFLOW_BATCH \([0-9]*\).*/\1/p' "$KD_TOP/core/workflow.h")
big=$((10 * ${batch:-2000}))
DB=$T/big.db
tui_config "$CFG"
kd group list >/dev/null	# creates the database
users "$DB" "$big" Big
kd workflow add "Big rollout" --key card --group Big --default-settings >/dev/null
tui_start "$KEYDESK" --config "$CFG" --db "$DB"
tui_wait "$big users" >/dev/null
tui_keys w
tui_wait "Big rollout" >/dev/null
tui_keys Enter
check "cancel: review" tui_wait "Will get one     $big"
tui_keys Enter
tui_wait "[#" 60 >/dev/null
tui_keys Escape
check "cancel: cancelled" tui_wait "Status           cancelled" 60
check "cancel: says whole batches" tui_has "(whole batches only)"
made=$(tui_screen | sed -n 's/.*in scope, \([0-9]*\) created.*/\1/p')
stored=$(last_run 'd[0]["last_run"]["created"]')
keys=$(sqlite3 "$DB" "SELECT count(*) FROM keys")
check "cancel: stopped mid-way ($made of $big)" \
    test -n "$made" -a "${made:-0}" -gt 0 -a "${made:-0}" -lt "$big"
check "cancel: a whole number of batches of $batch" \
    test $(( ${made:-1} % ${batch:-2000} )) -eq 0
check "cancel: matches the stored run" test "$stored" = "$made"
check "cancel: matches the keys in the database" test "$keys" = "$made"
check "cancel: run status stored" test "$(last_run 'd[0]["last_run"]["status"]')" = cancelled
check "cancel: mail waits in the outbox" tui_wait "Mail: waiting in the outbox: no SMTP configured"
tui_keys Enter
check "cancel: the list shows it" tui_wait "cancelled"
tui_keys q
check "cancel: quits cleanly" tui_wait "[tui exited 0; stty: icanon echo"
tui_stop
e2e_done
