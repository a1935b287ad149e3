#!/bin/sh
# The database locked by another kiosk (another process holds the write
# lock longer than keydesk waits): Confirm in the New User wizard says so,
# nothing is written, the wizard keeps what was typed, and Confirm again
# after the lock goes creates the user once.  The CLI says the same and
# exits 1.  The lock is a real SQLite write transaction in another process.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/tmux.sh"
trap 'tui_stop; unlock' EXIT

T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/config.yaml
tui_config "$CFG"
kd group add Desk >/dev/null

# lock SECS: another process holds the write lock for SECS seconds; returns
# once it holds it.
LOCKER=
lock() {
	rm -f "$T/locked"
	/usr/bin/python3 - "$DB" "$T/locked" "$1" <<'EOP' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
c.execute("BEGIN IMMEDIATE")
c.execute("INSERT INTO groups (name, created_at) VALUES ('held', 0)")
open(sys.argv[2], "w").close()
time.sleep(float(sys.argv[3]))
c.execute("ROLLBACK")
EOP
	LOCKER=$!
	n=100
	while [ ! -e "$T/locked" ] && [ "$n" -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	[ -e "$T/locked" ]
}
unlock() {
	[ -n "$LOCKER" ] && { kill "$LOCKER" 2>/dev/null; wait "$LOCKER" 2>/dev/null; }
	LOCKER=
}
users() { sqlite3 "$DB" "SELECT count(*) FROM users WHERE user_id = '$1'"; }

tui_start "$KEYDESK" --config "$CFG" --db "$DB"
tui_wait "No users yet" >/dev/null
tui_keys n
tui_wait "User information" >/dev/null
tui_type L1; tui_keys Tab
tui_type "Lena Locked"; tui_keys Tab
tui_type lena@example.com; tui_keys Tab
tui_type lena; tui_keys Enter
tui_wait "Step 2 of" >/dev/null
tui_keys Space
tui_wait "[x] Desk" >/dev/null
tui_keys Enter
tui_wait "Assign a security key now" >/dev/null
tui_keys Enter
check "wizard reaches Confirm" tui_wait "Nothing has been saved yet"

check "another process holds the write lock" lock 25
tui_keys Enter
check "Confirm: says it is saving while it waits" tui_wait "Saving..."
check "Confirm: says the database is locked" \
    tui_wait "locked by another keydesk" 30
check "locked: no user written" test "$(users L1)" = 0
check "locked: no membership or audit row" test "$(sqlite3 "$DB" \
    "SELECT (SELECT count(*) FROM memberships) + (SELECT count(*) FROM audit WHERE action = 'user.create')")" = 0
check "locked: still on Confirm with what was typed" tui_has "Lena Locked"

# The CLI while the lock is still held: exit 1, the same words, nothing.
kd user add --id L2 --name "Lou Locked" --email lou@example.com \
    --username lou >/dev/null 2>"$T/e"
rc=$?
check "CLI locked: exit 1" test "$rc" = 1
check "CLI locked: says so" grep -q "locked by another keydesk" "$T/e"
check "CLI locked: no user written" test "$(users L2)" = 0

unlock
tui_keys Enter
check "lock gone: Confirm again creates the user" tui_wait "Done" 15
check "created once, with the group" test "$(sqlite3 "$DB" "SELECT count(*) \
    FROM users u JOIN memberships m ON m.user = u.id WHERE u.user_id = 'L1'")" = 1
check "the other process's change was rolled back, not mixed in" \
    test "$(sqlite3 "$DB" "SELECT count(*) FROM groups WHERE name = 'held'")" = 0
tui_keys Enter
tui_keys q
check "quits cleanly" tui_wait "[tui exited 0"
tui_stop
e2e_done
