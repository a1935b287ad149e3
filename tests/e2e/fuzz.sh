#!/bin/sh
# A short libFuzzer run of each parser harness (tests/fuzz/: card answers,
# browser POSTs, CSV imports, YAML configuration): malformed, short or hostile input must give errors, never crashes.
. "$(dirname "$0")/../lib/e2e.sh"
T=$(e2e_dir)
FB=$KD_TOP/build/fuzz
SECS=${KD_FUZZ_SECONDS:-15}
if ! make -s -C "$KD_TOP" BUILD=build/fuzz fuzz >"$T/build.log" 2>&1; then
	echo "not ok - fuzz harnesses build"; sed 's/^/  /' "$T/build.log" | tail -20 >&2
	exit 1
fi
for h in "$FB"/fuzz/fuzz_*; do
	name=$(basename "$h")
	corpus=$KD_TOP/tests/fuzz/corpus_${name#fuzz_}
	mkdir -p "$T/$name"
	[ -d "$corpus" ] && cp "$corpus"/* "$T/$name"/ 2>/dev/null
	# Our own ASAN_OPTIONS log_path would hide a crash from libFuzzer.
	ASAN_OPTIONS= UBSAN_OPTIONS= timeout $((SECS + 60)) "$h" \
	    -max_total_time="$SECS" -print_final_stats=1 "$T/$name" \
	    >"$T/$name.log" 2>&1
	rc=$?
	runs=$(sed -n 's/.*stat::number_of_executed_units: *//p' "$T/$name.log")
	check "$name: ${runs:-?} inputs in ${SECS}s, no crash" test "$rc" -eq 0
	[ "$rc" -eq 0 ] || tail -30 "$T/$name.log" >&2
done
e2e_done
