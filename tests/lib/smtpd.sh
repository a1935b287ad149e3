# tests/lib/smtpd.sh — a real SMTP server on loopback for keydesk's tests.
# POSIX sh; source it:  . "$KD_TOP/tests/lib/smtpd.sh"
#
#   smtpd_start DIR [OPTION...]  start tests/lib/smtpd.py (aiosmtpd) in the
#                                background, storing every message in the
#                                Maildir DIR; returns once it listens.
#                                Sets and exports SMTPD_PORT, SMTPD_URL
#                                (smtp://127.0.0.1:PORT), SMTPD_PID, SMTPD_LOG
#                                (DIR.log) and SMTPD_DIR.
#                                OPTIONs go to smtpd.py:
#                                  --reject REGEX     550 for matching RCPT
#                                  --tempfail REGEX   451 for matching RCPT
#                                  --tempfail-times N only the first N get 451
#                                  --tls CERT KEY     offer and require STARTTLS
#                                  --delay MS         a slow server: MS per message
#                                  --count-only       no Maildir (benchmark)
#                                  --fast             not aiosmtpd (benchmark)
#   smtpd_stop                   stop it (bounded wait); safe to call twice,
#                                so it can sit in a trap.
#   smtpd_count DIR              number of messages in the Maildir DIR
#   smtpd_connections            TCP connections accepted so far (log lines)
#   smtpd_messages               messages accepted so far (log lines)
#
# The kernel picks a free port (port 0) the first time.  SMTPD_PORT stays
# set after smtpd_stop, so stop + start brings the server back on the SAME
# URL (the "server down, server up" case); unset SMTPD_PORT for a new one.
# The log persists across restarts of one DIR, so counts are cumulative.
# Readiness is the port file the server writes after listen(): no probe
# connection, which would show up in smtpd_connections.
# Example:
#   . "$KD_TOP/tests/lib/smtpd.sh"
#   trap smtpd_stop EXIT
#   smtpd_start "$KD_TESTTMP/mail" || exit 1
#   ... deliver to "$SMTPD_URL" ...
#   [ "$(smtpd_count "$KD_TESTTMP/mail")" -eq 1 ]

SMTPD_PY=${SMTPD_PY:-${KD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/smtpd.py}
SMTPD_PYTHON=${SMTPD_PYTHON:-/usr/bin/python3}

# Polls `cmd` every 0.1 s, at most $1 times.
smtpd_poll() {
	_n=$1; shift
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

# One start attempt: 0 listening, 3 port taken, 1 other failure.
smtpd_try_() {
	rm -f "$SMTPD_DIR.port"
	"$SMTPD_PYTHON" "$SMTPD_PY" --port "${SMTPD_PORT:-0}" --maildir "$SMTPD_DIR" \
	    --log "$SMTPD_LOG" --ready "$SMTPD_DIR.port" "$@" \
	    </dev/null >>"$SMTPD_DIR.err" 2>&1 &
	SMTPD_PID=$!
	_n=100
	while [ "$_n" -gt 0 ]; do
		[ -s "$SMTPD_DIR.port" ] && return 0
		kill -0 "$SMTPD_PID" 2>/dev/null || break
		sleep 0.1
		_n=$((_n - 1))
	done
	if kill -0 "$SMTPD_PID" 2>/dev/null; then
		kill -KILL "$SMTPD_PID" 2>/dev/null
		wait "$SMTPD_PID" 2>/dev/null
		SMTPD_PID=
		return 1
	fi
	wait "$SMTPD_PID"
	_rc=$?
	SMTPD_PID=
	return "$_rc"
}

smtpd_start() {
	[ $# -ge 1 ] || { echo "usage: smtpd_start DIR [OPTION...]" >&2; return 2; }
	SMTPD_DIR=$1; shift
	SMTPD_LOG=$SMTPD_DIR.log
	mkdir -p "$(dirname "$SMTPD_DIR")" || return 1
	: >>"$SMTPD_LOG"
	_try=0
	while [ "$_try" -lt 20 ]; do
		smtpd_try_ "$@"
		case $? in
		0) break ;;
		3) _try=$((_try + 1)); sleep 0.1 ;;	# port still taken
		*) break ;;
		esac
	done
	if [ -z "$SMTPD_PID" ]; then
		echo "smtpd_start: the SMTP sink did not start:" >&2
		tail -n 5 "$SMTPD_DIR.err" >&2
		return 1
	fi
	SMTPD_PORT=$(cat "$SMTPD_DIR.port")
	SMTPD_URL=smtp://127.0.0.1:$SMTPD_PORT
	export SMTPD_PORT SMTPD_URL SMTPD_PID SMTPD_LOG SMTPD_DIR
	return 0
}

smtpd_gone_() { ! kill -0 "$SMTPD_PID" 2>/dev/null; }

smtpd_stop() {
	[ -n "${SMTPD_PID:-}" ] || return 0
	kill -TERM "$SMTPD_PID" 2>/dev/null
	if ! smtpd_poll 50 smtpd_gone_; then
		kill -KILL "$SMTPD_PID" 2>/dev/null
	fi
	wait "$SMTPD_PID" 2>/dev/null
	SMTPD_PID=
	return 0
}

smtpd_count() {
	find "$1/new" "$1/cur" -type f 2>/dev/null | wc -l | tr -d ' '
}

smtpd_connections() {
	grep -c '^connect ' "$SMTPD_LOG" 2>/dev/null || true
}

smtpd_messages() {
	grep -c '^message ' "$SMTPD_LOG" 2>/dev/null || true
}
