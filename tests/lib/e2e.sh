# Shared helpers for end-to-end test scripts (sourced).  Each script
# prints "ok - NAME" or "not ok - NAME" per case; tests/run.sh counts them.
# The runner exports KEYDESK (binary), KD_BUILD, KD_TOP and KD_TESTTMP.
: "${KD_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${KD_BUILD:=$KD_TOP/build/san}"
: "${KEYDESK:=$KD_BUILD/keydesk}"
: "${KD_TESTTMP:=$(mktemp -d /tmp/kd-e2e.XXXXXX)}"
E2E_FAILED=0

# ok NAME CONDITION-STATUS: report one case from the last command's status.
check() {
	name=$1; shift
	if "$@"; then
		echo "ok - $name"
	else
		echo "not ok - $name"
		E2E_FAILED=$((E2E_FAILED + 1))
	fi
}

# A fresh directory for one test with its own database and config.
e2e_dir() {
	d=$(mktemp -d "$KD_TESTTMP/e2e.XXXXXX")
	echo "$d"
}

# kd_init PATH [CONFIG]: creates the database PATH unless it is there
# (keydesk opens an existing --db path only; see keydesk init).
kd_init() {
	[ -e "$1" ] && return 0
	"$KEYDESK" ${2:+--config "$2"} --db "$1" init >/dev/null
}

# kd ARGS...: keydesk against the test's database ($DB, created on first
# use) and config ($CFG).
kd() {
	if [ -n "${DB:-}" ]; then kd_init "$DB" "${CFG:-}" || return 1; fi
	"$KEYDESK" ${CFG:+--config "$CFG"} ${DB:+--db "$DB"} "$@"
}

# json_get FILE EXPR: evaluates a Python expression over the parsed JSON
# document `d` (python3 is a test dependency).
json_get() {
	/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# eventually SECS CMD...: runs CMD every 50 ms until it succeeds (0) or SECS
# pass (1), for state that another process writes after the screen shows.
eventually() {
	_ev_n=$(( $1 * 20 )); shift
	while [ "$_ev_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		_ev_n=$((_ev_n - 1))
	done
	return 1
}

e2e_done() {
	[ "$E2E_FAILED" -eq 0 ]
}
