#!/bin/sh
# Safety of what keydesk opens and prints (issue 11, defects 7-12): a
# mistyped database path, the test clock, the database's mode, the CSV
# round trip, stored control characters, audit details.
. "$(dirname "$0")/../lib/e2e.sh"
T=$(e2e_dir)
CFG=$T/c.yaml
printf 'relying_party: {id: keydesk.example.com}\nactivation:\n  base_url: "https://keydesk.example.com/activate/"\n' >"$CFG"

# --- 7: only the default database is created on first use.
"$KEYDESK" --config "$CFG" --db "$T/typo.db" user list >"$T/o" 2>"$T/e"
check "missing --db is an error" test $? -eq 1
check "the error names the path" grep -q "database $T/typo.db does not exist" "$T/e"
check "nothing is created" test ! -e "$T/typo.db"
printf 'database: %s\n' "$T/cfgtypo.db" >"$T/db.yaml"
"$KEYDESK" --config "$T/db.yaml" user list >"$T/o" 2>"$T/e"
check "missing database: is an error" sh -c "test $? -eq 1 && grep -q 'cfgtypo.db does not exist' '$T/e' && test ! -e '$T/cfgtypo.db'"
"$KEYDESK" --config "$CFG" --db "$T/new/kd.db" init >"$T/o" 2>"$T/e"
check "init creates the database" sh -c "grep -q 'created database' '$T/o' && test \"\$(stat -c %a '$T/new/kd.db')\" = 600"
"$KEYDESK" --config "$CFG" --db "$T/new/kd.db" init >"$T/o" 2>"$T/e"
check "init again leaves it" sh -c "test $? -eq 0 && grep -q 'already exists' '$T/o'"
"$KEYDESK" --config "$CFG" --db "$T/new/kd.db" user list >"$T/o" 2>"$T/e"
check "an initialised database opens" test $? -eq 0
XDG_DATA_HOME=$T/xdg "$KEYDESK" --config "$CFG" user list >"$T/o" 2>"$T/e"
check "the default path is created on first use" sh -c "test $? -eq 0 && test -f '$T/xdg/keydesk/keydesk.db'"
timeout 10 "$KEYDESK" --config "$CFG" --db "$T/typo2.db" serve --listen 127.0.0.1:1 >"$T/o" 2>"$T/e"
check "serve refuses a missing --db" sh -c "grep -q 'typo2.db does not exist' '$T/e' && test ! -e '$T/typo2.db'"

# --- 12: a database others can read is opened with a warning naming chmod.
DB=$T/kd.db
kd user list >/dev/null 2>"$T/e"
check "a private database opens without a word" test ! -s "$T/e"
chmod 644 "$DB"
kd user list >/dev/null 2>"$T/e"
check "readable database warns once" sh -c "test \"\$(grep -c 'can be read by other users (mode 0644): run chmod 600 $DB' '$T/e')\" = 1"
chmod 640 "$DB"
kd user list >/dev/null 2>"$T/e"
check "group-readable database warns" grep -q 'mode 0640' "$T/e"
chmod 600 "$DB"

# --- 8: the production build (-O2, `make all`) ignores KEYDESK_FAKE_NOW.
PROD=$KD_TOP/build/keydesk
if [ -x "$PROD" ]; then
	"$PROD" --config "$CFG" --db "$T/prod.db" init >/dev/null 2>&1
	KEYDESK_FAKE_NOW=1000000000 "$PROD" --config "$CFG" --db "$T/prod.db" \
	    group add Clock >/dev/null 2>&1
	"$PROD" --config "$CFG" --db "$T/prod.db" audit --json >"$T/a.json"
	check "production build keeps the real clock" \
	    test "$(json_get "$T/a.json" 'd[0]["at"][:4]')" = "$(date -u +%Y)"
else
	echo "skip - production build keeps the real clock: $PROD not built (make all)"
fi
KEYDESK_FAKE_NOW=1000000000 kd group add Clock2 >/dev/null 2>&1
kd audit --json >"$T/a.json"
check "test build follows KEYDESK_FAKE_NOW" test "$(json_get "$T/a.json" 'd[0]["at"][:4]')" = 2001

# --- 10: export users --csv imports back, byte for byte.
for u in "C1|=Eq Sign|@bob" "C2|+Plus|-dash" "C3|-Minus|c3" "C4|@At'x|c4" \
    "C5|'=Quoted|c5"; do
	IFS='|' read -r id name uname <<EOU
$u
EOU
	kd user add --id "$id" --name "$name" --email "$id@example.com" \
	    --username "$uname" >/dev/null 2>&1
done
kd export users --csv >"$T/u.csv"
"$KEYDESK" --config "$CFG" --db "$T/rt.db" init >/dev/null
"$KEYDESK" --config "$CFG" --db "$T/rt.db" import users "$T/u.csv" >"$T/o" 2>"$T/e"
check "exported CSV imports back" grep -q 'imported 5 users' "$T/o"
"$KEYDESK" --config "$CFG" --db "$T/rt.db" export users --csv >"$T/u2.csv"
check "round trip keeps every value" cmp -s "$T/u.csv" "$T/u2.csv"
"$KEYDESK" --config "$CFG" --db "$T/rt.db" user show C3 --json >"$T/s.json"
check "the guard is undone exactly" test "$(json_get "$T/s.json" 'd["name"]')" = "-Minus"
printf 'user_id,name,email,username\nN1,"Nul\000Name",n@example.com,nul\n' >"$T/nul.csv"
kd import users "$T/nul.csv" >"$T/o" 2>"$T/e"
check "NUL in a quoted field: error with file and line" sh -c "test $? -eq 1 && grep -q 'nul.csv: line 2: a NUL byte' '$T/e'"
printf 'user_id,name,email,username\nB1,\351t\351,b@example.com,b1\n' >"$T/latin.csv"
kd import users "$T/latin.csv" >"$T/o" 2>"$T/e"
check "CSV errors name the file" grep -q 'latin.csv: line 2: not UTF-8' "$T/e"

# --- 11: stored controls never break a line or reach the terminal.
kd user add --id L1 --name 'Line Feed' --email lf@example.com --username lf >/dev/null 2>&1
sqlite3 "$DB" "UPDATE users SET name = 'Line' || char(10) || 'Feed' || char(27) || ']0;owned' || char(7) WHERE user_id = 'L1'; UPDATE audit SET details = details || char(10) || 'forged line' WHERE subject = 'L1'"
kd user list --search line >"$T/o"
check "user list: a stored LF stays on its row" test "$(grep -c . "$T/o")" = 1
check "user list: no ESC or BEL" sh -c "! grep -q \"\$(printf '\\033')\" '$T/o' && ! grep -q \"\$(printf '\\007')\" '$T/o'"
kd user show L1 >"$T/o"
check "user show: one Name line" sh -c "grep -q '^Name:      Line?Feed?]0;owned?' '$T/o' && ! grep -q '^Feed' '$T/o'"
kd audit --user L1 >"$T/o"
check "audit: one line per row" sh -c "! grep -q '^forged line' '$T/o'"
kd export users --csv >"$T/pipe.csv"
check "CSV to a pipe stays exact" grep -q "$(printf '\033')" "$T/pipe.csv"
script -qec "'$KEYDESK' --config '$CFG' --db '$DB' export users --csv" /dev/null >"$T/tty.csv" 2>&1
check "CSV to a terminal escapes controls" sh -c "grep -q 'L1,' '$T/tty.csv' && ! grep -q \"\$(printf '\\033')\" '$T/tty.csv'"
kd user add --id Q1 --name 'Eve groups=admins reason=ok' --email q@example.com --username q1 >/dev/null 2>&1
kd audit --user Q1 --json >"$T/a.json"
check "audit details quote a value with spaces and =" \
    sh -c "json_get() { /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \"\$1\" \"\$2\"; }; json_get '$T/a.json' 'd[0][\"details\"]' | grep -q '^name=\"Eve groups=admins reason=ok\" email=q@example.com username=q1 groups='"

# --- 9: activation codes are stored as HMAC-SHA256 under a key kept
# outside the database (DB.codekey, 0600, or activation.code_key_file).
. "$KD_TOP/tests/lib/smtpd.sh"
trap smtpd_stop EXIT
smtpd_start "$T/mail" || { echo "not ok - smtp sink starts"; exit 1; }
# code_check DB KEYFILE TO: "hmac" if the stored hash is the keyed one of
# the code mailed to TO, "sha256" if it is the plain hash, else "none".
code_check() {
	/usr/bin/python3 - "$1" "$2" "$T/mail" "$3" <<'EOP'
import hashlib, hmac, mailbox, re, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
body = [m.get_payload(decode=True).decode() for m in mailbox.Maildir(sys.argv[3], create=False) if sys.argv[4] in m["To"]][0]
code = re.search(r"\b([A-Z2-9]{5})-([A-Z2-9]{5})\b", body)
norm = (code.group(1) + code.group(2)).encode()
stored = [r[0] for r in db.execute("SELECT code_hash FROM activations")]
key = open(sys.argv[2], "rb").read()
if hmac.new(key, norm, hashlib.sha256).digest() in stored: print("hmac")
elif hashlib.sha256(norm).digest() in stored: print("sha256")
else: print("none")
EOP
}
cat >"$T/ck.yaml" <<EOC
relying_party: {id: keydesk.example.com}
smtp: {url: "$SMTPD_URL", starttls: none}
activation:
  base_url: "https://keydesk.example.com/activate/"
  code_key_file: $T/elsewhere.key
EOC
grep -v code_key_file "$T/ck.yaml" >"$T/cs.yaml"
"$KEYDESK" --config "$T/cs.yaml" --db "$DB" user add --id H1 --name 'Hash Code' \
    --email h1@example.com --username h1 --key card --key-name c \
    --activate email --default-settings >/dev/null 2>&1
check "the code key is made beside the database, 0600, 32 bytes" \
    test "$(stat -c %a/%s "$DB.codekey" 2>/dev/null)" = "600/32"
check "the stored code hash is keyed, not plain SHA-256" \
    test "$(code_check "$DB" "$DB.codekey" h1@)" = hmac
"$KEYDESK" --config "$T/ck.yaml" --db "$T/ck.db" init >/dev/null
"$KEYDESK" --config "$T/ck.yaml" --db "$T/ck.db" user add --id H2 --name 'Key File' \
    --email h2@example.com --username h2 --key card --key-name c \
    --activate email --default-settings >/dev/null 2>&1
check "activation.code_key_file is used" sh -c "test ! -e '$T/ck.db.codekey' && test \"\$(stat -c %a '$T/elsewhere.key')\" = 600"
check "codes hashed under the configured key" test "$(code_check "$T/ck.db" "$T/elsewhere.key" h2@)" = hmac
chmod 644 "$T/elsewhere.key"
"$KEYDESK" --config "$T/ck.yaml" --db "$T/ck.db" user list >/dev/null 2>"$T/e"
check "a readable code key is refused" sh -c "test $? -eq 1 && grep -q 'elsewhere.key can be read by other users (mode 0644): run chmod 600' '$T/e'"

# --- 7 in the TUI: a database: path that is missing is asked about (y/N).
. "$KD_TOP/tests/lib/tmux.sh"
trap 'tui_stop; smtpd_stop' EXIT
printf 'database: %s\nrelying_party: {id: keydesk.example.com}\nactivation:\n  base_url: "https://keydesk.example.com/activate/"\n' "$T/tui.db" >"$T/tui.yaml"
tui_start "$KEYDESK" --config "$T/tui.yaml"
check "TUI asks before creating a missing database" tui_wait "[y/N]"
tui_keys Enter
tui_wait "tui exited 1" >/dev/null 2>&1
check "TUI: no (the default) creates nothing" test ! -e "$T/tui.db"
tui_stop
tui_start "$KEYDESK" --config "$T/tui.yaml"
tui_wait "[y/N]" >/dev/null
tui_type y; tui_keys Enter
check "TUI: y creates it and starts" tui_wait "0 users"
check "TUI: the database is there" test -f "$T/tui.db"
tui_stop
e2e_done
