#!/bin/sh
# Administration in the TUI at 80x24 (issue 4): find a user among 5,000
# by typing part of the name; user details (edit with inline errors,
# groups, disable); add a key to the existing user; resend its activation
# (old code dead, new mail at the loopback sink); revoke with a reason;
# activation expiry and renewal; delete a user; CSV import (bad file: report, nothing written; good file);
# the audit screen (newest first, filter, details, chain status, tamper).
# Workflows are in tui_workflow.sh.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/tmux.sh"
. "$KD_TOP/tests/lib/smtpd.sh"
trap 'tui_stop; smtpd_stop' EXIT

T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/config.yaml
smtpd_start "$T/mail" || { echo "not ok - smtp sink starts"; exit 1; }
tui_config "$CFG" "$SMTPD_URL"

# codes NAME: the activation codes mailed to NAME, one a line.
codes() {
	/usr/bin/python3 - "$T/mail" "$1" <<'EOP'
import mailbox, re, sys
for m in mailbox.Maildir(sys.argv[1], create=False):
    b = m.get_payload(decode=True).decode()
    if "kiosk" in b and sys.argv[2] in b:
        c = re.search(r"\b([A-Z2-9]{5}-[A-Z2-9]{5})\b", b)
        if c:
            print(c.group(1))
EOP
}
line_after_has() {	# line_after_has PATTERN TEXT: TEXT right under it
	tui_line_after "$1" | grep -qF -- "$2"
}
show() {	# show ID EXPR: a field of `user show ID --json`
	kd user show "$1" --json >"$T/show.json" 2>/dev/null &&
	    json_get "$T/show.json" "$2"
}

kd group add Ops >/dev/null
kd user add --id H1 --name "Margaret Hamilton" --email margaret@example.com \
    --username margaret >/dev/null 2>&1
sqlite3 "$DB" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
    WHERE i < 5000) INSERT INTO users (user_id, username, name, email,
    created_at, updated_at) SELECT printf('P%04d', i), printf('p%04d', i),
    printf('Person %04d', i), printf('p%04d@example.com', i), 0, 0 FROM n;
    INSERT INTO user_words SELECT 'person', id FROM users
    WHERE user_id LIKE 'P%';
    INSERT INTO user_words SELECT substr(name, 8), id FROM users
    WHERE user_id LIKE 'P%';"

tui_start "$KEYDESK" --config "$CFG" --db "$DB"
check "list counts 5001 users" tui_wait "5001 users"
tui_keys /
tui_type "Mar"
check "find among 5,000: part of the name" tui_wait "Margaret Hamilton"
check "find: the others are filtered out" tui_lacks "Person 0001"
tui_type "garet H"
tui_wait "Search: Margaret H" >/dev/null
check "find: more of the name still matches" tui_has "Margaret Hamilton"
tui_keys Enter Enter
check "details open on Security Keys" tui_wait "3 Security Keys"
check "details: no keys yet" tui_has "No keys.  Press k to add one."

# Information: the wizard's rules, the error under the field.
tui_keys 1 e
tui_wait "Enter saves all three" >/dev/null
tui_keys Tab C-u
tui_type "not-an-email"
tui_keys Tab
tui_wait "! not a valid email" >/dev/null
check "edit: inline error under Email" line_after_has "Email" "! not a valid email"
tui_keys C-u
tui_type "maggie"
tui_keys BTab C-u
tui_type "maggie@example.com"
tui_keys Enter
check "edit: saved" tui_wait "Saved."
check "edit: stored through the core" \
    test "$(show H1 'd["email"]+" "+d["username"]')" = "maggie@example.com maggie"

# Groups: Space adds at once.
tui_keys 2
tui_wait "Member of the checked groups" >/dev/null
tui_keys Space
check "groups: added" tui_wait "Added to Ops."
check "groups: stored" test "$(show H1 'd["groups"]')" = "['Ops']"

# Disable (asked first, with what happens to the keys) and enable.
tui_keys d
check "disable: asks first" tui_wait "Disable this user? (y/N)"
check "disable: says what happens to the keys" tui_has "no pending activation"
tui_keys n
check "disable: n changes nothing" tui_wait_gone "Disable this user?"
check "disable: not stored on n" test "$(show H1 'd["disabled"]')" = False
tui_keys d
tui_wait "Disable this user? (y/N)" >/dev/null
tui_keys y
check "disable: says so" tui_wait "Disabled: workflows leave this user out"
check "disable: stored" test "$(show H1 'd["disabled"]')" = True
tui_keys d
tui_wait "Enabled again." >/dev/null
check "enable: stored" test "$(show H1 'd["disabled"]')" = False

# "+ New Security Key" for this existing user (k), activation by email.
tui_keys 3 k
check "new key: the key steps" tui_wait "New security key: Device type"
tui_keys Down Enter
tui_wait "Settings for the FIDO2" >/dev/null
tui_keys Enter
tui_wait "Margaret Hamilton's security key" >/dev/null
tui_keys Enter Enter
tui_wait "Enter Create" >/dev/null
tui_keys Enter
check "new key: done and mailed" tui_wait "Delivery         sent" 30
tui_keys Enter
check "new key: pending on the details" \
    tui_wait_re 'FIDO2 Hardware.* +Margaret Ham.* +Pending'
kd key list H1 --json >"$T/k.json"
check "new key: stored pending" test "$(json_get "$T/k.json" 'd[0]["type"]+"/"+d[0]["status"]')" = "fido2/pending"
old=$(codes "Margaret Hamilton")
check "new key: the mail carries a code" test -n "$old"

# Resend: a new code and link; the old code is dead.
tui_keys s
check "resend: asks" tui_wait "Resend the activation? (y/N)"
tui_keys y
check "resend: delivered in the background" tui_wait "New activation for \"Margaret Hamilton's security key\": sent" 30
check "resend: the new mail reached the sink" test "$(smtpd_count "$T/mail")" -eq 2
new=$(codes "Margaret Hamilton" | grep -v "^$old\$")
check "resend: a different code" test -n "$new"
kd activate "$old" </dev/null >"$T/o" 2>"$T/e"
check "resend: the old code was replaced by a newer email" grep -q 'replaced by a newer email' "$T/e"

# Revoke with a reason.
tui_keys v
tui_wait "Reason to revoke" >/dev/null
tui_keys Enter
check "revoke: a reason is required" tui_wait "! say why"
tui_type "lost on the train"
tui_keys Enter
check "revoke: asks" tui_wait "Revoke this key? (y/N)"
check "revoke: the dialog names the reason" tui_has "Reason: lost on the train"
tui_keys y
check "revoke: done" tui_wait "Revoked \"Margaret Hamilton's security key\""
check "revoke: status and reason on screen" \
    tui_wait_re 'Revoked +lost on the train'
kd key list H1 --json >"$T/k.json"
check "revoke: stored with the reason" test "$(json_get "$T/k.json" 'd[0]["status"]+"|"+d[0]["revoked_reason"]')" = "revoked|lost on the train"
tui_keys x
check "revoke: a revoked key cannot be deleted" tui_wait "only a pending key can be deleted"
tui_keys Escape
tui_wait "5001 users" >/dev/null

# Delete a user: asks with the name.
tui_keys / C-u
tui_type "Person 0001"
tui_wait "P0001" >/dev/null
tui_keys Enter Enter
tui_wait "User details" >/dev/null
tui_keys F8
check "delete user: asks with the name" tui_wait "Delete Person 0001 (P0001)"
tui_keys y
check "delete user: back on the list" tui_wait "No users match"
kd user show P0001 >/dev/null 2>&1
check "delete user: gone" test $? -ne 0
tui_keys Escape
tui_wait "5000 users" >/dev/null

# Activation expiry: a pending key past its lifetime shows Expired, and a
# resend renews it.  The clock moves 40 days on (KEYDESK_FAKE_NOW).
kd user add --id E1 --name "Edsger Expiry" --email edsger@example.com \
    --username edsger --key smartphone --activate email --default-settings \
    >/dev/null 2>&1
sent=$(smtpd_count "$T/mail")
tui_keys q
tui_wait "[tui exited 0" >/dev/null
tui_stop
KEYDESK_FAKE_NOW=$(($(date +%s) + 40 * 86400))
export KEYDESK_FAKE_NOW
tui_start "$KEYDESK" --config "$CFG" --db "$DB"
tui_wait "5001 users" >/dev/null
tui_keys /
tui_type "Edsger"
tui_wait "Edsger Expiry" >/dev/null
tui_keys Enter Enter
check "expiry: the pending key shows Expired" \
    tui_wait_re 'Smartphone .* +Expired'
check "expiry: says a resend renews it" tui_has "; s sends a new one"
tui_keys s y
check "expiry: resend delivered" tui_wait ": sent" 30
check "expiry: pending again" \
    tui_wait_re 'Smartphone .* +Pending'
check "expiry: the new mail reached the sink" \
    test "$(smtpd_count "$T/mail")" -eq $((sent + 1))
tui_keys Escape Escape
tui_wait "5001 users" >/dev/null

# CSV import: a bad file is reported row by row and nothing is written.
printf 'user_id,name,email,username,groups\nD1,Dee,dee@example.com,dee,\nD2,,bad-email,DEE,\n' >"$T/bad.csv"
printf 'user_id,name,email,username,groups\nC1,"Lovelace, Ada",ada@example.com,ada,Ops;Analytical\nC2,Bob Two,bob2@example.com,bob2,\n' >"$T/good.csv"
tui_keys i
tui_wait "Import users from CSV" >/dev/null
tui_type "$T/bad.csv"
tui_keys Enter
check "import bad: says nothing was imported" tui_wait "nothing was imported"
check "import bad: line and field of a bad row" \
    tui_wait_re '^ +3 email +not a valid email'
check "import bad: the duplicate in the file" \
    tui_wait_re '^ +3 username +the same as on line 2'
check "import bad: nothing written" test "$(sqlite3 "$DB" "SELECT count(*) FROM users WHERE user_id LIKE 'D%'")" -eq 0
tui_keys C-u
tui_type "$T/good.csv"
tui_keys Enter
check "import: unknown group refused without the toggle" tui_wait "no group \"Analytical\""
tui_keys Tab Space Tab Enter
check "import: dry run" tui_wait "Dry run: all 2 rows are good"
check "import: dry run writes nothing" test "$(sqlite3 "$DB" "SELECT count(*) FROM users WHERE user_id LIKE 'C%'")" -eq 0
tui_keys Tab Enter
check "import: good file" tui_wait "Imported 2 users; created 1 group."
check "import: stored with quoting and groups" \
    test "$(show C1 'd["name"]+"|"+",".join(d["groups"])')" = "Lovelace, Ada|Analytical,Ops"
tui_keys Escape
tui_wait "5003 users" >/dev/null

# Audit: newest first, the chain, a filter, a row in full, tampering.
# Two workflows over everyone first: 10,006 newer rows push H1's key
# changes out of the newest 10,000 the screen reads, so finding them
# proves user: queries the database.
kd workflow add Cards --key card --default-settings >/dev/null
kd workflow run Cards --no-send >/dev/null 2>&1
kd workflow add Phones --key smartphone --default-settings >/dev/null
kd workflow run Phones --no-send >/dev/null 2>&1
check "audit: H1's rows are older than the newest 10,000" test "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE id > (SELECT max(id) FROM audit WHERE subject = 'H1' AND action = 'key.revoke')")" -gt 10000
newest=$(sqlite3 "$DB" "SELECT max(id) FROM audit")
tui_keys A
check "audit: chain intact" tui_wait "chain intact: $newest rows"
first=$(tui_screen | awk '/^ #  /{getline; print $1; exit}')
check "audit: newest row first" test "$first" = "$newest"
check "audit: the workflow run is the newest action" \
    sh -c "$TUI_TMUX capture-pane -p | sed -n 4p | grep -q workflow.run"
check "audit: says only the newest rows are read" tui_wait "narrow with user:"
tui_keys /
tui_type "user:H1 action:key.re"
tui_wait "user:H1 action:key.re" >/dev/null
check "audit: filter by user and action" tui_wait "key.revoke"
check "audit: filter keeps the user's key rows" tui_has "key.resend"
check "audit: filter drops other actions" tui_lacks "user.edit"
check "audit: filter drops the workflow rows" tui_lacks "key.assign"
tui_keys Enter Enter
check "audit: details view" tui_wait "Audit row #"
check "audit: details in full" tui_has "reason=\"lost on the train\""
tui_keys Escape Escape
sqlite3 "$DB" "UPDATE audit SET actor = 'mallory' WHERE id = 3"
tui_keys r
check "audit: a tampered row breaks the chain" tui_wait "chain broken at row 3"
tui_keys q
check "quits cleanly" tui_wait "[tui exited 0; stty: icanon echo"
tui_stop
e2e_done
