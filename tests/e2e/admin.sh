#!/bin/sh
# Administration from the command line: key lifecycle, resend against a real
# SMTP server, audit chain, CSV import/export, workflows over 500 users.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/smtpd.sh"
T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/c.yaml
trap smtpd_stop EXIT
smtpd_start "$T/mail" || { echo "not ok - smtp sink starts"; exit 1; }
cat >"$CFG" <<EOC
smtp:
  url: $SMTPD_URL
  starttls: none
  from: "keydesk <keydesk@example.com>"
relying_party: {id: keydesk.example.com}
activation:
  base_url: "https://keydesk.example.com/activate/"
EOC
# code_in_mail N: the activation code in the N-th newest message
code_of() {
	/usr/bin/python3 - "$T/mail" "$1" <<'EOP'
import mailbox, sys, re, email.policy
msgs = sorted(mailbox.Maildir(sys.argv[1], factory=None, create=False),
    key=lambda m: m["Date"] and email.utils.parsedate_to_datetime(m["Date"]))
bodies = [m.get_payload(decode=True).decode() for m in mailbox.Maildir(sys.argv[1], create=False)]
codes = [re.search(r"\b([A-Z2-9]{5}-[A-Z2-9]{5})\b", b).group(1) for b in bodies if "kiosk" in b and sys.argv[2] in b]
print("\n".join(codes))
EOP
}

kd user add --id A1 --name 'Ann Admin' --email ann@example.com --username ann \
    --key card --activate email --default-settings >/dev/null 2>"$T/e"
check "user with pending card, mail delivered" test "$(smtpd_count "$T/mail")" -eq 1
kid=$(kd key list A1 --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
old=$(code_of "Ann Admin")
check "activation code in the mail" test -n "$old"

kd key resend "$kid" >/dev/null 2>"$T/e"
check "resend delivers a second mail" test "$(smtpd_count "$T/mail")" -eq 2
new=$(code_of "Ann Admin" | grep -v "^$old\$")
check "resend makes a new code" test -n "$new"
kd activate "$old" </dev/null >"$T/o" 2>"$T/e"
check "old code: replaced by a newer email" grep -q 'replaced by a newer email' "$T/e"

kd key settings "$kid" --setting verification=pinless --setting offline_login=on >/dev/null
check "settings edited" test "$(kd key list A1 --json | /usr/bin/python3 -c 'import json,sys; k=json.load(sys.stdin)[0]; print(k["settings"]["verification"], k["settings"]["offline_login"])')" = "pinless True"
kd key settings "$kid" --setting bluetooth_proximity=on 2>/dev/null
check "setting not for a card refused" test $? -eq 2
kd key rename "$kid" "Badge 42" >/dev/null
kd key revoke "$kid" --reason "lost on the train" >/dev/null
kd key list A1 --json >"$T/k.json"
check "revoked with reason" test "$(json_get "$T/k.json" 'd[0]["status"]+"|"+d[0]["revoked_reason"]+"|"+d[0]["name"]')" = "revoked|lost on the train|Badge 42"
check "user no longer pending" test "$(kd user show A1 --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = no-key
kd key delete "$kid" 2>"$T/e"
check "revoked key cannot be deleted" test $? -eq 1

kd user edit A1 --email 'ann.admin@example.com' --add-group Ops 2>"$T/e"
check "edit refuses unknown group" test $? -eq 1
kd group add Ops >/dev/null
kd user edit A1 --email 'ann.admin@example.com' --add-group Ops >/dev/null
check "edit email and group" test "$(kd user show A1 --json | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["email"], d["groups"])')" = "ann.admin@example.com ['Ops']"
kd user edit A1 --email 'bad' 2>/dev/null
check "edit validates like the wizard" test $? -eq 1
kd user disable A1 >/dev/null
check "disable" test "$(kd user show A1 --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["disabled"])')" = True

# CSV import
printf '\357\273\277user_id,name,email,username,groups\r\nC1,"Lovelace, Ada",ada@example.com,ada,Ops;Research\r\nC2,"Bob, ""the builder""",bob@example.com,bob,\r\nC3,"Quote ""Q"" Person",q@example.com,qq,Ops\r\n' >"$T/good.csv"
kd import users "$T/good.csv" 2>"$T/e" >/dev/null
check "import without --create-groups refuses unknown group" sh -c "grep -q 'good.csv:2: groups' '$T/e'"
check "nothing imported on error" test "$(sqlite3 "$DB" "SELECT count(*) FROM users WHERE user_id LIKE 'C%'")" -eq 0
kd import users "$T/good.csv" --dry-run --create-groups >"$T/o" 2>&1
check "dry run" sh -c "grep -q 'would import 3' '$T/o' && [ \$(sqlite3 '$DB' \"SELECT count(*) FROM users WHERE user_id LIKE 'C%'\") -eq 0 ]"
kd import users "$T/good.csv" --create-groups >/dev/null 2>&1
check "import good file" test "$(sqlite3 "$DB" "SELECT count(*) FROM users WHERE user_id LIKE 'C%'")" -eq 3
check "quoting kept" test "$(kd user show C3 --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')" = 'Quote "Q" Person'
check "comma in quotes" test "$(kd user show C1 --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["groups"])')" = "['Ops', 'Research']"
check "doubled quotes and commas" test "$(kd user show C2 --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')" = 'Bob, "the builder"'
printf 'user_id,name,email,username,groups\nN1,"Two\nlines",n1@example.com,n1,\nN2,Fine,not-an-email,n2,\n' >"$T/nl.csv"
kd import users "$T/nl.csv" 2>"$T/e" >/dev/null
check "embedded newline parsed, refused in a name" grep -q 'nl.csv:2: name: must not contain control characters' "$T/e"
check "line numbers count embedded newlines" grep -q 'nl.csv:4: email' "$T/e"
printf 'user_id,name,email,username,groups\nD1,Dee,dee@example.com,dee,\nD2,,bad-email,dee,\nD3,"unterminated,x@example.com,x,\n' >"$T/bad.csv"
kd import users "$T/bad.csv" 2>"$T/e" >/dev/null
check "bad file exits 1" test $? -eq 1
check "bad quoting reported with line" grep -q 'line 4: a quoted field is never closed' "$T/e"
printf 'user_id,name,email,username,groups\nD1,Dee,dee@example.com,dee,\nD2,,bad-email,DEE,\nC1,Again,again@example.com,again,\n' >"$T/bad.csv"
kd import users "$T/bad.csv" 2>"$T/e" >/dev/null
check "report names name field" grep -q 'bad.csv:3: name: Full name is required' "$T/e"
check "report names email field" grep -q 'bad.csv:3: email: not a valid email' "$T/e"
check "report names duplicate in file" grep -q 'bad.csv:3: username: the same as on line 2' "$T/e"
check "report names existing user" grep -q 'bad.csv:4: user_id: "C1" already exists' "$T/e"
check "bad rows: nothing written" test "$(sqlite3 "$DB" "SELECT count(*) FROM users WHERE user_id LIKE 'D%'")" -eq 0
printf 'user_id,name,email,username,groups\nL1,Jos\351,jose@example.com,jose,\n' >"$T/latin1.csv"
kd import users "$T/latin1.csv" 2>"$T/e" >/dev/null
check "wrong encoding refused" grep -q 'line 2: not UTF-8' "$T/e"
kd export users >"$T/export.csv"
check "export users is importable CSV" sh -c "head -1 '$T/export.csv' | grep -q '^user_id,name,email,username,groups' && grep -q '\"Lovelace, Ada\"' '$T/export.csv'"

# Workflows over 500 users
sqlite3 "$DB" "INSERT INTO groups (name, created_at) VALUES ('Floor', 0); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 500) INSERT INTO users (user_id, name, email, username, created_at, updated_at) SELECT 'W'||i, 'Worker '||i, 'w'||i||'@example.com', 'w'||i, 0, 0 FROM n; INSERT INTO memberships SELECT (SELECT id FROM groups WHERE name='Floor'), id FROM users WHERE user_id LIKE 'W%';"
kd workflow add Rollout --key fido2 --group Floor --default-settings >/dev/null
kd workflow run Rollout --dry-run >"$T/o"
check "workflow review" grep -q '500 in scope, 0 already have a key, 500 would get one' "$T/o"
kd workflow run Rollout --no-send >"$T/o" 2>/dev/null
check "workflow creates 500" grep -q '500 in scope, 500 created, 0 skipped' "$T/o"
kd workflow run Rollout --no-send >"$T/o" 2>/dev/null
check "second run creates nothing" grep -q '500 in scope, 0 created, 500 skipped' "$T/o"
kd workflow list --json >"$T/w.json"
check "last run stored" test "$(json_get "$T/w.json" 'd[0]["last_run"]["skipped"]')" -eq 500
kd workflow add Custom --key card --group Floor --setting verification=pinless --setting offline_login=on >/dev/null
kd workflow list --json >"$T/w.json"
check "workflow list shows custom settings" test "$(json_get "$T/w.json" '[w for w in d if w["name"]=="Custom"][0]["settings"]["verification"]')" = "pinless"
check "workflow list shows the defaults a run uses" test "$(json_get "$T/w.json" '[w for w in d if w["name"]=="Rollout"][0]["settings"]["offline_login"]')" = "False"
check "workflow list: a FIDO2 key's settings have no verification" test "$(json_get "$T/w.json" 'sorted([w for w in d if w["name"]=="Rollout"][0]["settings"])')" = "['auditable', 'offline_login']"
kd key list >"$T/kl"
check "key list: no verification shown for a FIDO2 key" \
    sh -c "! grep ' fido2 ' '$T/kl' | grep -q 'verification\| pin\$'"
check "500 activation mails queued" test "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE status='queued'")" -eq 500
check "keys named as the wizard names them" test "$(sqlite3 "$DB" "SELECT k.name FROM keys k JOIN users u ON u.id = k.user WHERE u.user_id = 'W7' AND k.type = 'fido2'")" = "Worker 7's security key"
check "workflow users are Pending" test "$(sqlite3 "$DB" "SELECT count(*) FROM users WHERE user_id LIKE 'W%' AND status = 1")" -eq 500

# Audit queries: by user (any case), action prefix, time; bad input
kd audit --user w7 --json >"$T/a.json"
check "audit --user finds the workflow's row" test "$(json_get "$T/a.json" '",".join(r["action"] for r in d)')" = "key.assign"
check "audit --user names the workflow" sh -c "grep -q 'workflow=Rollout' '$T/a.json'"
check "audit --action key.assign: all 500" test "$(kd audit --action key.assign --limit 100000 | wc -l)" -eq 500
check "audit --since 1h has them" test "$(kd audit --since 1h --action key. --limit 100000 | wc -l)" -ge 500
check "audit --since future: none" test "$(kd audit --since 2099-01-01 | wc -l)" -eq 0
kd audit --since yesterday 2>"$T/e"
check "audit --since garbage: exit 2" test $? -eq 2
check "audit --since garbage says how" grep -q "give 2026-11-23" "$T/e"
kd audit --limit 0 2>/dev/null
check "audit --limit 0: exit 2" test $? -eq 2

# Two groups that overlap: each member counted and given a key once.
sqlite3 "$DB" "INSERT INTO groups (name, created_at) VALUES ('GA', 0), ('GB', 0); INSERT INTO memberships SELECT (SELECT id FROM groups WHERE name='GA'), id FROM users WHERE user_id IN ('W1','W2','W3','W4','W5','W6','W7','W8','W9','W10'); INSERT INTO memberships SELECT (SELECT id FROM groups WHERE name='GB'), id FROM users WHERE user_id IN ('W6','W7','W8','W9','W10','W11','W12','W13','W14','W15'); UPDATE users SET disabled = 1 WHERE user_id = 'W15';"
kd workflow add Both --key smartphone --group GA --group GB --default-settings >/dev/null
kd workflow run Both --no-send >"$T/o" 2>/dev/null
check "overlapping groups: 14 enabled users, one key each" grep -q '14 in scope, 14 created, 0 skipped' "$T/o"
check "overlapping groups: no user got two" test "$(sqlite3 "$DB" "SELECT count(*) FROM keys WHERE type = 'smartphone' GROUP BY user HAVING count(*) > 1" | wc -l)" -eq 0
sqlite3 "$DB" "UPDATE users SET disabled = 0 WHERE user_id = 'W15'"

# Audit chain: intact, then a row edited behind keydesk's back
kd audit verify >"$T/o"
check "audit verify passes" grep -q 'audit chain intact' "$T/o"
sqlite3 "$DB" "UPDATE audit SET actor = 'mallory' WHERE id = 3"
kd audit verify 2>"$T/e"
check "tampered audit fails" test $? -eq 1
check "names the row" grep -q 'row 3' "$T/e"
e2e_done
