#!/bin/sh
# Operators and roles from the command line: access lists for OS users,
# refusals audited, password sign-in with lock-out, key sign-in through a
# real pcscd with the software card.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/pcscd.sh"
T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/c.yaml
me=$(id -un)
trap pcsc_cleanup EXIT
: >"$CFG"

kd operator add desk1 --role operator >/dev/null
kd operator add lobby --role kiosk >/dev/null
check "first run: OS user is admin" test $? -eq 0
kd operator add desk1 --role admin 2>/dev/null
check "duplicate operator refused" test $? -eq 1
printf 'short\n' | kd operator password desk1 2>"$T/e"
check "short password refused" grep -q 'at least 10' "$T/e"
printf 'correct horse battery\n' | kd operator password desk1 >/dev/null
hash=$(sqlite3 "$DB" "SELECT password_hash FROM operators WHERE name='desk1'")
check "hash is salted yescrypt" test "$(printf '%s' "$hash" | cut -c1-3)" = '$y$'
check "password never stored" sh -c "! sqlite3 '$DB' .dump | grep -q 'correct horse'"
printf 'correct horse battery\n' | kd operator signin desk1 --password-stdin >"$T/o"
check "right password signs in" grep -q 'signed in: desk1 (operator)' "$T/o"
i=0
while [ $i -lt 5 ]; do
	printf 'wrong password!\n' | kd operator signin desk1 --password-stdin 2>>"$T/wrong"
	i=$((i + 1))
done
check "wrong passwords: same message as unknown names" test "$(grep -c 'wrong name or password' "$T/wrong")" -eq 5
printf 'correct horse battery\n' | kd operator signin desk1 --password-stdin 2>"$T/e"
check "locked after 5 wrong passwords" grep -q 'too many failed sign-ins' "$T/e"
printf 'whatever12345\n' | kd operator signin nobody --password-stdin 2>"$T/e"
check "unknown name: same message" grep -q 'wrong name or password' "$T/e"
check "sign-ins audited" test "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action='signin.failed'")" -ge 7
kd operator list --json >"$T/ops.json"
check "operator list" test "$(json_get "$T/ops.json" '[o["name"]+":"+o["role"]+":"+str(o["password"]) for o in d]')" = "['desk1:operator:True', 'lobby:kiosk:False']"

# Access lists: this OS user as operator can enroll but not delete.
printf 'access:\n  admins: [someone-else]\n  operators: [%s]\n' "$me" >"$CFG"
kd user add --id O1 --name 'Op Created' --email op@example.com --username op >/dev/null
check "operator role can create users" test $? -eq 0
kd user delete O1 2>"$T/e"
check "operator role cannot delete (exit 1)" test $? -eq 1
check "refusal says why" grep -q 'permission denied: "user delete"' "$T/e"
check "refusal audited" test "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action='denied' AND subject='user delete'")" -eq 1
kd workflow add W --key card --default-settings 2>/dev/null
check "operator role cannot run workflows" test $? -eq 1
printf 'access:\n  admins: [someone-else]\n' >"$CFG"
kd user list >/dev/null
check "not on a list: read-only can read" test $? -eq 0
kd user add --id O2 --name 'Nope' --email nope@example.com --username nope 2>/dev/null
check "not on a list: read-only cannot write" test $? -eq 1
: >"$CFG"

# Key sign-in with the software card.
if pcscd_start && vcard_start_free 20 --state "$T/op.card" >/dev/null 2>&1; then
	kd operator key desk1 --reader "$VCARD_READER" >"$T/o" 2>"$T/e"
	check "operator key registered" grep -q 'registered a key for desk1' "$T/o"
	sqlite3 "$DB" "DELETE FROM lockouts WHERE scope = 'signin'"
	kd operator signin desk1 --key --reader "$VCARD_READER" >"$T/o" 2>"$T/e"
	check "key sign-in verified" grep -q 'signed in: desk1' "$T/o"
	# A stored key that is not the card's: the assertion must not verify.
	pk=$(sqlite3 "$DB" "SELECT public_key FROM operators WHERE name='desk1'")
	bad=$(printf '%s' "$pk" | /usr/bin/python3 -c 'import sys,base64; s=sys.stdin.read(); b=bytearray(base64.urlsafe_b64decode(s+"="*(-len(s)%4))); b[-1]^=1; print(base64.urlsafe_b64encode(bytes(b)).decode().rstrip("="))')
	sqlite3 "$DB" "UPDATE operators SET public_key='$bad' WHERE name='desk1'"
	kd operator signin desk1 --key --reader "$VCARD_READER" >"$T/o" 2>"$T/e"
	check "tampered stored key refused" test $? -eq 1
	# Unknown names, and operators with no key, get the tap and the answer
	# a wrong card gets: the kiosk does not say which names exist.
	kd operator signin nobody --key --reader "$VCARD_READER" >"$T/o" 2>"$T/e1"
	r1=$?
	kd operator add nokey --role operator >/dev/null 2>&1
	kd operator signin nokey --key --reader "$VCARD_READER" >"$T/o" 2>"$T/e2"
	r2=$?
	check "unknown name: refused like a wrong card" sh -c "[ $r1 = 1 ] && grep -q 'not the security key registered to nobody' '$T/e1'"
	check "no key: refused like a wrong card" sh -c "[ $r2 = 1 ] && grep -q 'not the security key registered to nokey' '$T/e2'"
	check "the audit says why" test "$(sqlite3 "$DB" "SELECT group_concat(subject || ':' || substr(details, instr(details, 'why=')), ',') FROM audit WHERE action = 'signin.failed' AND details LIKE 'how=key%why=%' AND subject IN ('nobody', 'nokey')")" = "nobody:why=unknown-name,nokey:why=no-key"
else
	echo "not ok - software card for key sign-in"
fi
e2e_done
