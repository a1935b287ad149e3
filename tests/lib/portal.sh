# tests/lib/portal.sh — `keydesk serve` for the tests (sourced, after
# e2e.sh).  POSIX sh.
#
#   portal_free_port              a loopback TCP port nobody listens on now
#   portal_start PORT CFG LOG [SCHEME]
#                                 keydesk --config CFG --db $DB serve on
#                                 127.0.0.1:PORT, stderr to LOG; returns
#                                 once /healthz answers (10 s at most).
#                                 SCHEME https: checked with curl -k.
#   portal_stop PORT              SIGTERM, waits (5 s, then KILL); the exit
#                                 status is left in PORTAL_RC
#   portal_stop_all               every portal this script started (traps)
PORTAL_PIDS=

portal_free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

portal_start() {
	_pp=$1 _pc=$2 _pl=$3 _ps=${4:-http}
	"$KEYDESK" --config "$_pc" --db "$DB" serve --listen "127.0.0.1:$_pp" \
	    </dev/null 2>"$_pl" &
	_pid=$!
	eval "PORTAL_PID_$_pp=$_pid"
	PORTAL_PIDS="$PORTAL_PIDS $_pp"
	_n=100
	while [ "$_n" -gt 0 ]; do
		curl -sfk -o /dev/null "$_ps://localhost:$_pp/healthz" 2>/dev/null && return 0
		kill -0 "$_pid" 2>/dev/null || { tail -n 5 "$_pl" >&2; return 1; }
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

portal_stop() {
	eval "_pid=\${PORTAL_PID_$1:-}"
	PORTAL_RC=
	[ -n "$_pid" ] || return 0
	kill -TERM "$_pid" 2>/dev/null
	_n=50
	while [ "$_n" -gt 0 ] && kill -0 "$_pid" 2>/dev/null; do
		sleep 0.1
		_n=$((_n - 1))
	done
	kill -KILL "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	PORTAL_RC=$?
	eval "PORTAL_PID_$1="
}

portal_stop_all() {
	for _p in $PORTAL_PIDS; do
		portal_stop "$_p"
	done
}
