#!/bin/sh
# Disk full (issue 11): on a small tmpfs that this test mounts (root only),
# import, user add and outbox flush fail with a clear error; afterwards the
# database is intact (integrity check, audit chain) and nothing half-done
# is in it.
. "$(dirname "$0")/../lib/e2e.sh"
if [ "$(id -u)" -ne 0 ]; then
	echo "skip - disk full: mounting a tmpfs needs root"
	exit 0
fi
T=$(e2e_dir)
M=$T/small
mkdir -p "$M"
if ! mount -t tmpfs -o size=2m,mode=0700 tmpfs "$M" 2>"$T/mount.err"; then
	echo "skip - disk full: cannot mount a tmpfs here: $(head -1 "$T/mount.err")"
	exit 0
fi
trap 'umount "$M" 2>/dev/null' EXIT
DB=$M/kd.db
CFG=$T/c.yaml
printf 'smtp: {url: "smtp://127.0.0.1:1", starttls: none}\nrelying_party: {id: keydesk.example.com}\nactivation:\n  base_url: "https://keydesk.example.com/activate/"\n' >"$CFG"
full() { grep -q "no space left on the disk holding $DB (the change was not made" "$1"; }

kd user add --id U1 --name 'Una Before' --email u1@example.com --username u1 \
    --key card --key-name c --activate email --default-settings >/dev/null 2>&1
check "a user before the disk fills" test "$(kd user list | wc -l)" = 1
# Leave about 250 KB: the database opens, the import cannot fit.
used=$(du -sk "$M" | cut -f1)
dd if=/dev/zero of="$M/fill" bs=4k count=$(( (2048 - used - 250) / 4 )) 2>/dev/null
printf 'user_id,name,email,username\n' >"$T/imp.csv"
i=1
while [ $i -le 5000 ]; do
	echo "I$i,Imported person number $i with a long name,i$i@example.com,imp$i"
	i=$((i + 1))
done >>"$T/imp.csv"
kd import users "$T/imp.csv" >"$T/o" 2>"$T/e"
check "import on a full disk fails" test $? -eq 1
check "import: the error says the disk is full" full "$T/e"
check "import: all or nothing" test "$(kd user list | wc -l)" = 1
dd if=/dev/zero of="$M/fill2" bs=4k 2>/dev/null	# now nothing is left
kd user add --id U2 --name 'Uwe Full' --email u2@example.com --username u2 \
    --key card --key-name c --activate email --default-settings >"$T/o" 2>"$T/e"
check "user add on a full disk fails" test $? -eq 1
check "user add: the error says the disk is full" full "$T/e"
kd outbox flush >"$T/o" 2>"$T/e"
check "outbox flush on a full disk fails" test $? -eq 1
check "outbox flush: the error says the disk is full" full "$T/e"
rm -f "$M/fill" "$M/fill2"
check "afterwards: integrity check ok" test "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok
kd audit verify >"$T/o" 2>&1
check "afterwards: audit chain intact" grep -q 'audit chain intact' "$T/o"
check "afterwards: readable, no half user" test "$(kd user list | wc -l)/$(sqlite3 "$DB" "SELECT count(*) FROM users WHERE user_id <> 'U1'")" = 1/0
check "afterwards: the queued mail still waits" test "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE status = 'queued'")" = 1
e2e_done
