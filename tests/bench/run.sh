#!/bin/sh
# Runs the benchmarks (not part of `make test`; timings are printed, not
# asserted).  Usage: tests/bench/run.sh BUILD_DIR
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
work=$(mktemp -d /tmp/keydesk-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "== users (1,000,000) =="
"$build/bench/users" "$build/keydesk" "$work/users.db" "${BENCH_USERS:-1000000}"
echo "== workflow (100,000 users in one group) =="
"$build/bench/workflow" "$work/workflow.db" "${BENCH_WORKFLOW:-100000}"
echo "== workflow (a group of 100,000 among 1,000,000 users) =="
"$build/bench/workflow" "$work/workflow.db" "${BENCH_WORKFLOW:-100000}" \
    "${BENCH_USERS:-1000000}"
echo "== tap: card present to verified credential (pcscd + vpcd + software card) =="
(
	export KD_BUILD="$top/$build" KD_TOP="$top" KD_TESTTMP="$work"
	. "$top/tests/lib/pcscd.sh"
	trap pcsc_cleanup EXIT
	pcscd_start || exit 0
	for v in pin pinless; do
		vcard_start_free 30 --state "$work/tap.$v" >/dev/null 2>&1 || exit 0
		"$build/bench/tap" --reader "$VCARD_READER" --n 10 --verification $v
		vcard_stop >/dev/null 2>&1
	done
)
for b in tests/bench/*.sh; do
	case "$b" in */run.sh) continue ;; esac
	echo "== $(basename "$b" .sh) =="
	KD_BUILD="$top/$build" KD_TOP="$top" KD_TESTTMP="$work" sh "$b"
done
