#!/bin/sh
# The unit tests and a few subcommands under valgrind (memcheck) on a build
# without sanitizers: no invalid reads or writes, no leaks.
. "$(dirname "$0")/../lib/e2e.sh"
T=$(e2e_dir)
VB=$KD_TOP/build/vg
if ! make -s -C "$KD_TOP" BUILD=build/vg OPT="-O1 -g" build/vg/keydesk \
    $(cd "$KD_TOP" && ls tests/unit/test_*.c | sed 's|tests/unit/\(.*\)\.c|build/vg/tests/\1|') \
    >"$T/build.log" 2>&1; then
	echo "not ok - valgrind build"; tail -20 "$T/build.log" >&2
	exit 1
fi
vg() {
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    --show-leak-kinds=definite,indirect "$@"
}
unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
for t in "$VB"/tests/test_*; do
	KD_TESTTMP=$T vg "$t" >"$T/out" 2>"$T/err"
	check "valgrind $(basename "$t")" test $? -eq 0
	[ -s "$T/err" ] && grep -q '==' "$T/err" && head -30 "$T/err" >&2
done
DB=$T/vg.db
CFG=$T/c.yaml
: >"$CFG"
vg "$VB/keydesk" --config "$CFG" --db "$DB" init >/dev/null 2>"$T/err"
check "valgrind init" test $? -eq 0
vg "$VB/keydesk" --config "$CFG" --db "$DB" user add --id V1 --name 'Val Grind' \
    --email val@example.com --username val --group Tools --key card \
    --activate email --default-settings >/dev/null 2>"$T/err"
check "valgrind user add with key" test $? -eq 0
vg "$VB/keydesk" --config "$CFG" --db "$DB" user list --search va --json >/dev/null 2>"$T/err"
check "valgrind user list" test $? -eq 0
vg "$VB/keydesk" --config "$CFG" --db "$DB" user show V1 --json >/dev/null 2>"$T/err"
check "valgrind user show" test $? -eq 0
vg "$VB/keydesk" --config "$CFG" --db "$DB" audit verify >/dev/null 2>"$T/err"
check "valgrind audit verify" test $? -eq 0
vg "$VB/keydesk" --config "$KD_TOP/config/keydesk.example.yaml" config check >/dev/null 2>"$T/err"
check "valgrind config check" test $? -eq 0
# The portal: a page, a wrong and a right code, a refused registration,
# then SIGTERM; memcheck's verdict is the exit status.
. "$KD_TOP/tests/lib/portal.sh"
PORT=$(portal_free_port)
kid=$("$VB/keydesk" --config "$CFG" --db "$DB" key list V1 --json | json_get /dev/stdin 'd[0]["id"]')
"$VB/keydesk" --config "$CFG" --db "$DB" key qr "$kid" >"$T/qr" 2>&1
link=$(grep -o 'http://localhost:[0-9]*/activate/[A-Za-z0-9_-]*' "$T/qr" | head -n 1)
code=$(grep -Eo '\b[A-Z2-9]{5}-[A-Z2-9]{5}\b' "$T/qr" | head -n 1)
path=/activate/${link##*/activate/}
# Not through vg(): a shell function in the background is a subshell,
# and the signal must reach valgrind itself.
valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
    "$VB/keydesk" --config "$CFG" --db "$DB" serve --listen "127.0.0.1:$PORT" \
    </dev/null 2>"$T/serve.err" &
vpid=$!
n=300
until curl -sf -o /dev/null "http://localhost:$PORT/healthz" || [ "$n" -eq 0 ]; do
	sleep 0.1; n=$((n - 1))
done
u=http://localhost:$PORT$path
s1=$(curl -s -o /dev/null -w '%{http_code}' "$u")
s2=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{"code":"AAAAA-AAAAA"}' "$u/code")
s3=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d "{\"code\":\"$code\"}" "$u/code")
s4=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{"id":"AA","response":{}}' "$u")
kill -TERM "$vpid"
wait "$vpid"
vrc=$?
check "valgrind serve: page, wrong code, right code, refused registration" \
    test "$s1 $s2 $s3 $s4" = "200 403 200 400"
check "valgrind serve: clean after SIGTERM" test "$vrc" -eq 0
[ "$vrc" -eq 0 ] || { echo "exit $vrc"; head -40 "$T/serve.err"; } >&2
e2e_done
