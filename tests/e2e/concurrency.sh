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
check "all keys and mails, no secret yet" test "$(sqlite3 "$DB" 'SELECT (SELECT count(*) FROM keys) || "/" || (SELECT count(*) FROM activations) || "/" || (SELECT count(*) FROM outbox WHERE body IS NULL)')" = "$((2 * N))/0/$((2 * N))"
check "memberships" test "$(sqlite3 "$DB" 'SELECT count(*) FROM memberships')" -eq $((2 * N))

# Two deliverers at once (two kiosks flushing the outbox): the claim
# lease means each mail goes out exactly once, and the link and code are
# made as it is claimed, so every code mailed is the one that works.
. "$KD_TOP/tests/lib/smtpd.sh"
trap smtpd_stop EXIT
smtpd_start "$T/mail" || { echo "not ok - smtp sink starts"; exit 1; }
printf 'smtp:\n  url: %s\n  starttls: none\n  from: "keydesk <keydesk@example.com>"\n' "$SMTPD_URL" >"$CFG"
kd outbox flush >/dev/null 2>"$T/f1" & pa=$!
kd outbox flush >/dev/null 2>"$T/f2" & pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
check "both deliverers succeed" test "$ra/$rb" = "0/0"
check "each mail delivered once" test "$(smtpd_count "$T/mail")" -eq $((2 * N))
check "one open activation per key" test "$(sqlite3 "$DB" "SELECT count(DISTINCT key) || '/' || count(*) FROM activations WHERE revoked_at IS NULL")" = "$((2 * N))/$((2 * N))"
/usr/bin/python3 - "$T/mail" "$DB" >"$T/codes" <<'EOP'
import glob, hashlib, hmac, mailbox, re, sqlite3, sys
ck = open(sys.argv[2] + ".codekey", "rb").read()
db = sqlite3.connect(sys.argv[2])
open_ = {r[0] for r in db.execute("SELECT code_hash FROM activations WHERE revoked_at IS NULL")}
db.close()
raw = b"".join(open(f, "rb").read() for f in glob.glob(sys.argv[2] + "*"))
good = bad = leaked = 0
for m in mailbox.Maildir(sys.argv[1], create=False):
    body = m.get_payload(decode=True).decode()
    code = re.search(r"\n  ([A-Z2-9]{5}-[A-Z2-9]{5})\n", body).group(1)
    token = re.search(r"/activate/([A-Za-z0-9_-]{43})\n", body).group(1)
    h = hmac.new(ck, code.replace("-", "").encode(), hashlib.sha256).digest()
    good, bad = (good + 1, bad) if h in open_ else (good, bad + 1)
    for s in (code.encode(), code.replace("-", "").encode(), token.encode()):
        leaked += s in raw
print(good, bad, leaked)
EOP
check "every mailed code works; no code or link in the database files" test "$(cat "$T/codes")" = "$((2 * N)) 0 0"
e2e_done
