#!/bin/sh
# Crashes and stops lose no mail and double at most one (issue 11, defects
# 1-4): kill -9 at random points of `outbox flush` against a slow loopback
# SMTP server (aiosmtpd, --delay), SIGTERM mid-flush, a manual flush of
# mail waiting for its retry, commands that send only their own mail, and
# a killed `workflow run`.  Real parts throughout: keydesk, SQLite, libcurl,
# aiosmtpd.  Bounded: about 20 s.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/smtpd.sh"
PY=/usr/bin/python3
trap smtpd_stop EXIT
N=60		# mails queued per case
KILLS=3
DELAY=40	# ms per message at the server

# fill DIR COUNT: a database in DIR with COUNT users in group Crew, each
# with a pending card and its activation mail queued (no SMTP yet).
fill() {
	T=$1 DB=$1/kd.db CFG=$1/none.yaml
	: >"$CFG"
	{
		printf 'user_id,name,email,username,groups\n'
		i=0
		while [ $i -lt "$2" ]; do
			printf 'u%d,User %d,u%d@example.com,user%d,Crew\n' $i $i $i $i
			i=$((i + 1))
		done
	} >"$T/users.csv"
	kd import users "$T/users.csv" --create-groups >/dev/null 2>&1 &&
	kd workflow add Cards --key card --group Crew --default-settings \
	    >/dev/null 2>&1 &&
	kd workflow run Cards >/dev/null 2>&1
	printf 'smtp:\n  url: %s\n  starttls: none\n  from: "keydesk <keydesk@example.com>"\n' \
	    "$SMTPD_URL" >"$T/smtp.yaml"
	CFG=$T/smtp.yaml
}

q() { sqlite3 "$DB" "$1"; }
# flush_bg: `outbox flush` in the background; $! is keydesk itself.
flush_bg() { "$KEYDESK" --config "$CFG" --db "$DB" outbox flush >"$1" 2>&1 & }

# received MAILDIR: "messages distinct-ids ids-with-differing-bytes"
received() {
	"$PY" - "$1" <<'EOF'
import email, os, sys
by = {}
for sub in ("new", "cur"):
    d = os.path.join(sys.argv[1], sub)
    for f in os.listdir(d):
        b = open(os.path.join(d, f), "rb").read()
        by.setdefault(email.message_from_bytes(b)["Message-ID"], set()).add(b)
print(sum(len(v) for v in by.values()), len(by),
      sum(1 for v in by.values() if len(v) > 1))
EOF
}

# 1, 2. kill -9 during a flush, several times at random points; then one
# flush at once.  Each kill may double the one message whose mark it
# interrupted, no more; the dead flush's claims are taken over at once.
smtpd_start "$KD_TESTTMP/crash-mail" --delay $DELAY || { echo "not ok - sink"; exit 1; }
fill "$(e2e_dir)" $N
seed=$$
k=0
while [ $k -lt $KILLS ]; do
	before=$(smtpd_messages)
	at=$((before + 3 + (seed + k * 7) % 9))	# a random message to die after
	flush_bg "$T/killed.$k"; pid=$!
	eventually 10 sh -c "[ \$(grep -c '^message ' '$SMTPD_LOG') -ge $at ]"
	sleep 0.0$(( (seed + k) % 4 ))		# mid-transfer or between marks
	kill -9 $pid
	wait $pid 2>/dev/null
	echo "# kill $k after message $at: $(cat "$T/killed.$k")"
	k=$((k + 1))
done
t0=$(date +%s)
kd outbox flush >"$T/last" 2>&1; rc=$?
t1=$(date +%s)
set -- $(received "$KD_TESTTMP/crash-mail")
dups=$(($1 - N))
echo "# crash: $KILLS kills, $N mails, $1 received, $dups duplicates"
check "crash: the flush after $KILLS kill -9 delivers the rest at once (exit 0, under 10 s)" \
    test "$rc" -eq 0 -a $((t1 - t0)) -lt 10
check "crash: every mail sent" test "$(q "SELECT count(*) FROM outbox WHERE status = 'sent'")" -eq $N
check "crash: every queued mail received ($2 Message-IDs for $N mails)" test "$2" -ge $N
check "crash: at most one duplicate per kill ($dups for $KILLS kills)" test "$dups" -le $KILLS
check "crash: one Message-ID, one content" test "$3" -eq 0
check "crash: each sent row's Message-ID was received" sh -c "
	for id in \$(sqlite3 '$DB' \"SELECT message_id FROM outbox\"); do
		grep -q \"id=\$id \" '$SMTPD_LOG' || exit 1
	done"
check "crash: the summary counts every message" grep -q '^[0-9]* sent, 0 deferred, 0 failed, 0 still queued$' "$T/last"

# 3. SIGTERM mid-flush: the message in flight is finished and recorded,
# the rest released; the next flush sends them at once, nothing doubled.
smtpd_stop
unset SMTPD_PORT
smtpd_start "$KD_TESTTMP/term-mail" --delay $DELAY || { echo "not ok - sink"; exit 1; }
fill "$(e2e_dir)" $N
flush_bg "$T/term"; pid=$!
eventually 10 sh -c "[ \$(grep -c '^message ' '$SMTPD_LOG') -ge 10 ]"
kill -TERM $pid
wait $pid; rc=$?
got=$(smtpd_messages)
check "term: the flush stops with a non-zero exit" test "$rc" -ne 0
check "term: what the server accepted is marked sent" test "$(q "SELECT count(*) FROM outbox WHERE status = 'sent'")" -eq "$got"
check "term: the rest is released (no claim left)" test "$(q "SELECT count(*) FROM outbox WHERE claim_host IS NOT NULL")" -eq 0
kd outbox flush >/dev/null 2>&1; rc=$?
set -- $(received "$KD_TESTTMP/term-mail")
check "term: the next flush delivers the rest, nothing doubled" test "$rc/$1/$2" = "0/$N/$N"

# 3. A manual flush sends mail waiting for its retry (postqueue -f), and
# says so; `outbox list` shows when the next attempt is.
fill "$(e2e_dir)" 4
q "UPDATE outbox SET next_attempt_at = strftime('%s','now') + 3600, last_error = '451 later'"
kd outbox list >"$T/list"
check "flush-now: outbox list shows the next attempt" grep -q 'next attempt 20' "$T/list"
before=$(smtpd_messages)
kd outbox flush >"$T/out" 2>&1; rc=$?
check "flush-now: mail waiting for a retry goes now" test "$rc/$(( $(smtpd_messages) - before ))" = "0/4"
check "flush-now: summary" grep -q '^4 sent, 0 deferred, 0 failed, 0 still queued$' "$T/out"
smtpd_stop
unset SMTPD_PORT
smtpd_start "$KD_TESTTMP/rej-mail" --reject 'u1@' --tempfail 'u2@' || { echo "not ok - sink"; exit 1; }
fill "$(e2e_dir)" 3
kd outbox flush >"$T/out" 2>&1; rc=$?
check "flush-now: a failed or deferred message makes the exit non-zero" test "$rc" -ne 0
check "flush-now: deferred until HH:MM" grep -q '^1 sent, 1 deferred until [0-2][0-9]:[0-5][0-9], 1 failed, 0 still queued$' "$T/out"

# 3. Who delivers: `user add` sends its own mail, not the backlog.
smtpd_stop
unset SMTPD_PORT
smtpd_start "$KD_TESTTMP/own-mail" || { echo "not ok - sink"; exit 1; }
fill "$(e2e_dir)" 20
kd user add --id new1 --name "New One" --email new1@example.com --username new1 \
    --key card --activate email --default-settings >/dev/null 2>&1
check "own mail: user add sends its mail only" test "$(smtpd_messages)" -eq 1
check "own mail: ... to its user" grep -q 'to=new1@example.com' "$SMTPD_LOG"
check "own mail: the backlog stays queued" test "$(q "SELECT count(*) FROM outbox WHERE status = 'queued'")" -eq 20

# 4. kill -9 during a workflow run: no key without its mail, the run shows
# interrupted (not running forever), the next run completes it, a third
# creates nothing.
T=$(e2e_dir) DB=$T/kd.db CFG=$T/none.yaml
fill "$T" 300
kd workflow add Keys --key fido2 --group Crew --default-settings >/dev/null 2>&1
"$KEYDESK" --config "$CFG" --db "$DB" workflow run Keys >/dev/null 2>&1 & pid=$!
sleep 0.$(( seed % 5 + 1 ))
kill -9 $pid
wait $pid 2>/dev/null
# A run left running by a process that is gone (the kill above may land
# before or after the run's end): also one written by a pid now dead.
sh -c 'exit 0' & dead=$!
wait $dead
q "INSERT INTO workflow_runs (workflow, started_at, actor, status, holder_host, holder_pid, holder_start) SELECT id, strftime('%s','now'), 'crash.sh', 'running', '$(uname -n)', $dead, 0 FROM workflows WHERE name = 'Keys'"
check "workflow: no key without its mail" test "$(q "SELECT count(*) FROM keys k WHERE k.status = 'pending' AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.key = k.id)")" -eq 0
kd workflow list >"$T/wl" 2>&1
check "workflow: a run whose process is gone shows interrupted" grep -q 'Keys.*interrupted' "$T/wl"
kd workflow run Keys >/dev/null 2>&1; rc=$?
check "workflow: the next run completes it" test "$rc/$(q "SELECT count(*) FROM keys WHERE type = 'fido2'")" = "0/300"
check "workflow: ... and closes the interrupted run" test "$(q "SELECT count(*) FROM workflow_runs WHERE status = 'running'")" -eq 0
kd workflow run Keys >"$T/again" 2>&1
check "workflow: a rerun creates nothing" test "$(q "SELECT count(*) FROM keys WHERE type = 'fido2'")/$(q "SELECT count(*) FROM outbox o JOIN keys k ON k.id = o.key WHERE k.type = 'fido2'")" = "300/300"
e2e_done
