#!/bin/sh
# The scriptable subcommands: exit codes, --json, validation, terminal
# safety, config errors.
. "$(dirname "$0")/../lib/e2e.sh"
T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/config.yaml
printf 'relying_party: {id: keydesk.example.com}\nactivation:\n  base_url: "https://keydesk.example.com/activate/"\n' >"$CFG"

kd --version >"$T/v" 2>&1
check "version" grep -q '^keydesk [0-9]' "$T/v"
kd --help >"$T/h" 2>&1
check "help lists commands" grep -q 'user add' "$T/h"

kd user add --id E100 --name 'Ada Lovelace' --email ada@example.com \
    --username ada --group Engineering >"$T/o" 2>"$T/e"
check "user add without key" test $? -eq 0
kd user add --id E101 --name 'Zoë Ångström' --email zoe@example.com \
    --username zoe --group Engineering --group 'Badge desk' --key card \
    --key-name "Zoë's card" --activate email --setting verification=pin \
    --setting offline_login=on >"$T/o" 2>"$T/e"
check "user add with card" test $? -eq 0
check "mail waits without SMTP" grep -q 'waits in the outbox' "$T/e"

kd user show E101 --json >"$T/show.json"
check "show json status pending" test "$(json_get "$T/show.json" 'd["status"]')" = pending
check "show json key" test "$(json_get "$T/show.json" 'd["keys"][0]["type"]+"/"+d["keys"][0]["settings"]["verification"]+"/"+str(d["keys"][0]["settings"]["offline_login"])')" = "card/pin/True"
check "show json groups" test "$(json_get "$T/show.json" '",".join(d["groups"])')" = "Badge desk,Engineering"

kd user list --json >"$T/list.json"
check "list json" test "$(json_get "$T/list.json" 'len(d)')" = 2
kd user list --search zo --json >"$T/s.json"
check "list search" test "$(json_get "$T/s.json" 'd[0]["user_id"]')" = E101
kd user list --status no-key --json >"$T/s.json"
check "list status filter" test "$(json_get "$T/s.json" '[u["user_id"] for u in d]')" = "['E100']"
kd user list --group 'badge desk' --json >"$T/s.json"
check "list group filter" test "$(json_get "$T/s.json" 'len(d)')" = 1

kd user add --id E100 --name X --email x@example.com --username x 2>"$T/e"
check "duplicate id exits 1" test $? -eq 1
check "duplicate id message" grep -q '^keydesk: .*already taken' "$T/e"
kd user add --id E102 --name X --email 'bad@' --username x 2>"$T/e"
check "bad email exits 1" test $? -eq 1
check "bad email names field" grep -q 'Email' "$T/e"
kd user add --id E102 --bogus 2>"$T/e"
check "unknown option exits 2" test $? -eq 2
kd user add --id E102 --name X --email x@example.com --username x --key card 2>"$T/e"
check "key without settings choice exits 2" test $? -eq 2
kd user add --id E102 --name X --email x@example.com --username x --key fido2 \
    --setting verification=pinless 2>"$T/e"
check "setting not for type exits 2" test $? -eq 2
kd frobnicate 2>"$T/e"
check "unknown command exits 2" test $? -eq 2
kd user show NOPE 2>"$T/e"
check "unknown user exits 1" test $? -eq 1
check "nothing half-written" test "$(kd user list --json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2

kd group add Ops >/dev/null && kd group list --json >"$T/g.json"
check "group list" test "$(json_get "$T/g.json" '[g["name"]+":"+str(g["members"]) for g in d]')" = "['Badge desk:1', 'Engineering:2', 'Ops:0']"
kd group add ops 2>"$T/e"
check "duplicate group exits 1" test $? -eq 1

kd outbox list --json >"$T/ob.json"
check "outbox queued" test "$(json_get "$T/ob.json" 'd[0]["status"]+"/"+d[0]["to"]')" = "queued/zoe@example.com"
check "outbox list has no body" sh -c "! grep -q 'activate/' '$T/ob.json'"
kd audit --json >"$T/a.json"
check "audit rows" test "$(json_get "$T/a.json" 'len([r for r in d if r["action"]=="user.create"])')" = 2

# Terminal safety: a name with an escape sequence put in the database
# behind keydesk's back is printed harmlessly.
sqlite3 "$DB" "UPDATE users SET name = 'Evil' || char(27) || '[2J' || char(7) WHERE user_id = 'E100'"
kd user show E100 >"$T/o"
check "no control chars printed" sh -c "! LC_ALL=C grep -q \"\$(printf '\\033')\" '$T/o'"
kd user show E100 --json >"$T/o"
check "json escapes control chars" grep -q 'u001b' "$T/o"

# Config errors name file, line and column.
printf 'smtp:\n  url: smtp://127.0.0.1:1\n  bogus: 1\n' >"$T/bad.yaml"
kd config check "$T/bad.yaml" 2>"$T/e"
check "config check bad exits 1" test $? -eq 1
check "config error has file:line:col" grep -q "bad.yaml:3:3:" "$T/e"
kd config check "$KD_TOP/config/keydesk.example.yaml" >"$T/o" 2>&1
check "example config checks" test $? -eq 0
printf 'smtp:\n  url: smtp://127.0.0.1:1\n  password: hunter2\n' >"$T/pw.yaml"
chmod 644 "$T/pw.yaml"
kd config check "$T/pw.yaml" >"$T/o" 2>&1
check "world-readable password refused" sh -c "grep -q 'other users can read it (mode 0644): run chmod 600' '$T/o' && ! grep -q hunter2 '$T/o'"
chmod 600 "$T/pw.yaml"
kd config check "$T/pw.yaml" >"$T/o" 2>&1
check "config check redacts password" sh -c "grep -q redacted '$T/o' && ! grep -q hunter2 '$T/o'"
printf 'hunter2\n' >"$T/pw.txt"; chmod 640 "$T/pw.txt"
printf 'smtp:\n  url: smtp://127.0.0.1:1\n  password_file: %s\n' "$T/pw.txt" >"$T/pwf.yaml"
kd config check "$T/pwf.yaml" >"$T/o" 2>&1
check "group-readable password file refused" grep -q 'pw.txt holds the SMTP password' "$T/o"
umask_db=$(e2e_dir)
"$KEYDESK" --config "$CFG" --db "$umask_db/new/dir/kd.db" init >/dev/null
check "database file 0600, directory 0700" test "$(stat -c %a "$umask_db/new/dir/kd.db")/$(stat -c %a "$umask_db/new/dir")" = "600/700"
"$KEYDESK" --config "$T/bad.yaml" --db "$DB" user list >/dev/null 2>"$T/e"
check "bad config refuses to run" test $? -eq 1
e2e_done
