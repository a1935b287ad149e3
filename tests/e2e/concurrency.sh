#!/bin/sh
# Two keydesk processes adding users to one database at the same time:
# BEGIN IMMEDIATE + busy_timeout means no SQLITE_BUSY reaches anyone and no
# user is lost.
. "$(dirname "$0")/../lib/e2e.sh"
T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/c.yaml
: >"$CFG"
N=60
kd group add Shared >/dev/null
writer() {
	i=0
	while [ $i -lt $N ]; do
		kd user add --id "$1-$i" --name "User $1 $i" --email "$1.$i@example.com" \
		    --username "$1.$i" --group Shared --key card --default-settings \
		    >/dev/null 2>>"$T/err.$1" || echo "fail $1 $i" >>"$T/fail"
		i=$((i + 1))
	done
}
writer a & pa=$!
writer b & pb=$!
wait $pa
wait $pb
check "no writer failed" test ! -s "$T/fail"
check "no busy errors" sh -c "! grep -qi 'locked\|busy' '$T'/err.*"
check "all users stored" test "$(sqlite3 "$DB" 'SELECT count(*) FROM users')" -eq $((2 * N))
check "all keys, activations and mails" test "$(sqlite3 "$DB" 'SELECT (SELECT count(*) FROM keys) || "/" || (SELECT count(*) FROM activations) || "/" || (SELECT count(*) FROM outbox)')" = "$((2 * N))/$((2 * N))/$((2 * N))"
check "memberships" test "$(sqlite3 "$DB" 'SELECT count(*) FROM memberships')" -eq $((2 * N))
e2e_done
