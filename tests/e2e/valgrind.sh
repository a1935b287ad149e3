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
e2e_done
