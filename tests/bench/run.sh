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
for b in tests/bench/*.sh; do
	case "$b" in */run.sh) continue ;; esac
	echo "== $(basename "$b" .sh) =="
	KD_BUILD="$top/$build" KD_TOP="$top" KD_TESTTMP="$work" sh "$b"
done
