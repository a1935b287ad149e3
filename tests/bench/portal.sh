#!/bin/sh
# The activation portal under load (make bench; printed, not asserted):
# 16 keep-alive clients GET an open activation page for a few seconds, on a
# database of imported users with groups, pending keys from a workflow and
# their audit rows; beside it, the same load on libmicrohttpd serving a
# constant page of the same size (http_floor: the library's floor), and a
# plain `curl` per request against both.  Then the portal's memory.
# Environment: KD_BUILD, KD_TOP, KD_TESTTMP; BENCH_PORTAL_USERS (20000).
set -u
build=$KD_BUILD
kd=$build/keydesk
n=${BENCH_PORTAL_USERS:-20000}
secs=${BENCH_PORTAL_SECONDS:-4}
T=$(mktemp -d "$KD_TESTTMP/portal.XXXXXX")
DB=$T/kd.db
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
floor_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$T/c.yaml" <<EOC
relying_party:
  id: localhost
  name: "Example Org"
activation:
  base_url: "http://localhost:$port/activate/"
EOC
k() { "$kd" --config "$T/c.yaml" --db "$DB" "$@"; }

/usr/bin/python3 - "$n" >"$T/users.csv" <<'EOP'
import sys
first = ["Zoe", "Ada", "Grace", "Alan", "Linus", "Margaret", "Dennis", "Barbara"]
last = ["Rossi", "Müller", "García", "Smith", "Nguyen", "Kowalski", "Okafor", "Larsen"]
print("user_id,name,email,username,groups")
for i in range(int(sys.argv[1])):
    f, l = first[i % 8], last[(i // 8) % 8]
    g = "staff" if i % 3 else "staff;badge-%d" % (i % 10)
    print("E%07d,%s %s %d,u%d@example.com,u%d,%s" % (i, f, l, i, i, i, g))
EOP
k import users "$T/users.csv" --create-groups >/dev/null || { echo "import failed"; exit 0; }
k workflow add phones --key smartphone --group staff --default-settings >/dev/null
k workflow run phones --no-send >/dev/null
key=$(k key list --json | /usr/bin/python3 -c 'import json,sys; print([x["id"] for x in json.load(sys.stdin) if x["status"] == "pending"][-1])')
link=$(k key qr "$key" | grep -o 'http://localhost:[0-9]*/activate/[A-Za-z0-9_-]*' | head -n 1)
[ -n "$link" ] || { echo "no link for key $key"; exit 0; }
path=/activate/${link##*/activate/}
users=$(sqlite3 "$DB" 'SELECT count(*) FROM users')
audit=$(sqlite3 "$DB" 'SELECT count(*) FROM audit')
keys=$(sqlite3 "$DB" 'SELECT count(*) FROM keys')
echo "database: $users users, $keys pending keys, $audit audit rows ($(du -h "$DB" | cut -f1))"

"$kd" --config "$T/c.yaml" --db "$DB" serve --listen "127.0.0.1:$port" 2>"$T/serve.log" &
spid=$!
i=0
until curl -sf -o /dev/null "http://localhost:$port/healthz"; do
	i=$((i + 1)); [ "$i" -gt 100 ] && { echo "serve did not start"; kill "$spid"; exit 0; }
	sleep 0.1
done
bytes=$(curl -s "http://localhost:$port$path" | wc -c)
"$build/bench/http_floor" "$floor_port" "$bytes" &
fpid=$!
sleep 0.3
echo "page: $bytes bytes"
"$build/bench/http_load" "$port" "$path" --clients 16 --seconds "$secs" --label "keydesk serve, open page"
"$build/bench/http_load" "$port" "/activate/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" --clients 16 --seconds "$secs" --label "keydesk serve, unknown link"
"$build/bench/http_load" "$floor_port" "$path" --clients 16 --seconds "$secs" --label "http_floor (peer)"

# One process per request, as a mail scanner or a shell loop would.
loop() {
	t0=$(date +%s%N)
	j=0
	while [ "$j" -lt 200 ]; do
		curl -s -o /dev/null "$1"
		j=$((j + 1))
	done
	echo $(( ($(date +%s%N) - t0) / 200000 ))
}
echo "curl per request (200 runs): keydesk $(loop "http://localhost:$port$path") us, http_floor $(loop "http://localhost:$floor_port$path") us"
rss=$(grep -E '^(VmRSS|VmHWM)' "/proc/$spid/status" | tr -s ' \t' ' ' | tr '\n' ' ')
echo "keydesk serve memory after the load: $rss"
frss=$(grep -E '^VmHWM' "/proc/$fpid/status" | tr -s ' \t' ' ')
echo "http_floor memory: $frss"
kill "$spid" "$fpid"
wait "$spid" 2>/dev/null
echo "keydesk serve exit status after SIGTERM: $?"
# Verified registrations: the browser's view, then the server's own time
# for each registration POST (the log's duration; code POSTs apart).
"$kd" --config "$T/c.yaml" --db "$DB" serve --listen "127.0.0.1:$port" 2>"$T/serve2.log" &
spid=$!
i=0
until curl -sf -o /dev/null "http://localhost:$port/healthz"; do
	i=$((i + 1)); [ "$i" -gt 100 ] && break
	sleep 0.1
done
KD_TOP=$KD_TOP /usr/bin/python3 "$KD_TOP/tests/bench/portal_post.py" "$kd" "$T/c.yaml" "$DB" "${BENCH_PORTAL_POSTS:-20}"
kill "$spid"; wait "$spid" 2>/dev/null
for kind in code register; do
	if [ "$kind" = code ]; then pat=' POST /activate/sha256:[0-9a-f]*/code 200 '; else pat=' POST /activate/sha256:[0-9a-f]* 200 '; fi
	grep -E "$pat" "$T/serve2.log" | grep -o '[0-9.]*ms' | tr -d 'ms' | sort -n |
	    awk -v k="$kind" '{ v[NR] = $1 } END { if (NR) printf "server time per %s POST: %d runs, min %.2f / median %.2f / max %.2f ms\n", k, NR, v[1], v[int((NR + 1) / 2)], v[NR] }'
done
rm -rf "$T"
