#!/bin/sh
# Runs every test program and prints "N passed, N failed[, N skipped]" last.
# Each program prints "ok - X" / "not ok - X" / "skip - X: why" lines; a
# program that exits non-zero without reporting a failure counts as one.
# Usage: tests/run.sh BUILD_DIR [PATTERN]
set -u
build=${1:-build/san}
pattern=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export KEYDESK="$top/$build/keydesk"
export KD_BUILD="$top/$build"
export KD_TOP="$top"
work=$(mktemp -d /tmp/keydesk-test.XXXXXX)
export KD_TESTTMP="$work"
export ASAN_OPTIONS="log_path=$work/asan:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$work/ubsan"
export LSAN_OPTIONS="suppressions=$top/tests/lib/lsan.supp:print_suppressions=0"
pass=0 fail=0 skip=0
failed="$work/failed"
: >"$failed"
run_one() {
	name=$1; shift
	out="$work/out.$$"
	timeout 900 "$@" >"$out" 2>"$out.err"
	rc=$?
	p=$(grep -c '^ok - ' "$out"); f=$(grep -c '^not ok - ' "$out"); s=$(grep -c '^skip - ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with $rc" >>"$out"; f=$((f + 1))
	fi
	sed "s|^|[$name] |" "$out"
	grep '^not ok - ' "$out" | sed "s|^|[$name] |" >>"$failed"
	if [ "$f" -gt 0 ]; then sed "s|^|[$name] stderr: |" "$out.err" | tail -n 40; fi
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
	rm -f "$out" "$out.err"
}
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *"$pattern"*) ;; *) continue ;; esac
	run_one "$(basename "$t")" "$t"
done
for t in tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	case "$t" in *"$pattern"*) ;; *) continue ;; esac
	run_one "$(basename "$t" .sh)" sh "$t"
done
# Sanitizer reports from any keydesk process (including ones run inside tmux).
for r in "$work"/asan* "$work"/ubsan*; do
	[ -f "$r" ] || continue
	echo "not ok - sanitizer report $(basename "$r")"; head -n 30 "$r"
	echo "[sanitizer] not ok - $(basename "$r")" >>"$failed"
	fail=$((fail + 1))
done
# The failures again, just above the count, where a log's tail shows them.
if [ -s "$failed" ]; then echo "Failed:"; cat "$failed"; fi
rm -rf "$work"
line="$pass passed, $fail failed"
[ "$skip" -gt 0 ] && line="$line, $skip skipped"
echo "$line"
[ "$fail" -eq 0 ]
