# pcscd.sh: real pcscd + vpcd + keydesk's software FIDO2 card, for tests.
# Source it from a POSIX sh test (needs KD_BUILD; logs go to KD_TESTTMP
# or /tmp).  Everything is bounded in time and stays on loopback.
#
#   pcscd_start                   reuse a running pcscd whose socket answers,
#                                 else start `pcscd -f` (root only)
#   vcard_start_free TIMEOUT_S [vcard args, no --port]
#                                 start a card on a free vpcd slot and wait
#                                 until the reader has *this* card; retries
#                                 other slots until TIMEOUT_S.  Sets
#                                 VCARD_PID, VCARD_PORT, VCARD_READER, VCARD_LOG
#   vcard_start [vcard args]      start $KD_BUILD/tests/vcard in background
#                                 (adds --log unless given); sets VCARD_PID,
#                                 VCARD_LOG.  SIGUSR1 = pull, SIGUSR2 = put back
#   vcard_mark                    remember the end of VCARD_LOG
#   vcard_wait_accepted TIMEOUT_S vpcd took the card since the mark: a card
#                                 queued behind another on the same slot
#                                 never gets there
#   vcard_free_port               print the vpcd port of a reader with no
#                                 card (35963 = "Virtual PCD 00 00", 35964 =
#                                 "Virtual PCD 00 01"); fails if none
#   vcard_reader PORT             print the reader name for a vpcd port
#   pcsc_wait_card READER present|absent TIMEOUT_S
#                                 poll until the reader shows that state
#   pcsc_probe                    the probe's lines: READER\tstate\tATR
#   vcard_stop [PID]              stop that card, or every card started here
#   pcscd_stop                    stop pcscd only if this harness started it
#                                 and no other live harness still uses it
#   pcsc_cleanup                  vcard_stop + pcscd_stop (for trap)
#
# pcscd has one socket per machine, so tests running at the same time share
# it and its two vpcd slots: use vcard_start_free, and open the card
# exclusively (SCARD_SHARE_EXCLUSIVE) when an exchange spans several APDUs.

PCSCD_SOCK=/run/pcscd/pcscd.comm
PCSCD_USERS=/tmp/keydesk-pcscd.users  # one file per harness shell (pid)
VPCD_PORT0=35963
_pcscd_pid=""
_vcard_pids=""
_vcard_n=0
VCARD_PID=""
VCARD_PORT=""
VCARD_READER=""
VCARD_LOG=""
VCARD_LOG_LINES=0

_pcsc_tmp() {
	echo "${KD_TESTTMP:-/tmp}"
}

pcsc_probe() {
	timeout 10 "$KD_BUILD/tests/hw_pcsc_probe"
}

# 0 when pcscd's socket exists and a PC/SC client gets an answer.
pcscd_alive() {
	[ -S "$PCSCD_SOCK" ] || return 1
	pcsc_probe >/dev/null 2>&1
	_rc=$?
	[ $_rc -ne 3 ] && [ $_rc -ne 124 ]
}

# Harnesses share one pcscd: each registers, so the one that started it
# does not stop it under another's feet.
_pcscd_register() {
	mkdir -p "$PCSCD_USERS" 2>/dev/null && chmod 1777 "$PCSCD_USERS" 2>/dev/null
	: >"$PCSCD_USERS/$$" 2>/dev/null
	return 0
}

_pcscd_other_users() {
	for _u in "$PCSCD_USERS"/*; do
		[ -f "$_u" ] || continue
		_up=${_u##*/}
		[ "$_up" = "$$" ] && continue
		if kill -0 "$_up" 2>/dev/null; then
			return 0
		fi
		rm -f "$_u" 2>/dev/null
	done
	return 1
}

pcscd_start() {
	_t=0
	_pcscd_register
	if pcscd_alive; then
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "pcscd_start: pcscd is not running and starting it needs root" >&2
		return 1
	fi
	if ! command -v pcscd >/dev/null 2>&1; then
		echo "pcscd_start: pcscd not installed" >&2
		return 1
	fi
	if [ ! -f /etc/reader.conf.d/vpcd ]; then
		echo "pcscd_start: /etc/reader.conf.d/vpcd missing (vsmartcard-vpcd)" >&2
		return 1
	fi
	mkdir -p /run/pcscd
	# -f: foreground, so this shell owns the process and can stop it.
	pcscd -f ${PCSCD_DEBUG:+-d -a} >>"$(_pcsc_tmp)/pcscd.log" 2>&1 &
	_pcscd_pid=$!
	while [ $_t -lt 50 ]; do
		if pcscd_alive; then
			return 0
		fi
		if ! kill -0 "$_pcscd_pid" 2>/dev/null; then
			echo "pcscd_start: pcscd exited; see $(_pcsc_tmp)/pcscd.log" >&2
			_pcscd_pid=""
			# Another harness may have won the race to start it.
			pcscd_alive
			return $?
		fi
		sleep 0.2
		_t=$((_t + 1))
	done
	echo "pcscd_start: pcscd did not answer within 10 s" >&2
	pcscd_stop
	return 1
}

pcscd_stop() {
	rm -f "$PCSCD_USERS/$$" 2>/dev/null
	[ -n "$_pcscd_pid" ] || return 0
	if _pcscd_other_users; then
		echo "pcscd_stop: other tests still use pcscd; left running" >&2
	else
		_pcsc_kill "$_pcscd_pid"
	fi
	_pcscd_pid=""
}

# TERM, wait up to 5 s, then KILL.
_pcsc_kill() {
	_k=0
	kill -TERM "$1" 2>/dev/null || return 0
	while kill -0 "$1" 2>/dev/null && [ $_k -lt 25 ]; do
		sleep 0.2
		_k=$((_k + 1))
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

vcard_reader() {
	echo "Virtual PCD 00 0$(($1 - VPCD_PORT0))"
}

vcard_free_port() {
	for _p in $VPCD_PORT0 $((VPCD_PORT0 + 1)); do
		if pcsc_probe 2>/dev/null | awk -F '\t' -v r="$(vcard_reader "$_p")" \
		    '$1 == r && $2 == "absent" { f = 1 } END { exit !f }'; then
			echo "$_p"
			return 0
		fi
	done
	return 1
}

vcard_mark() {
	VCARD_LOG_LINES=0
	if [ -f "$VCARD_LOG" ]; then
		VCARD_LOG_LINES=$(wc -l <"$VCARD_LOG")
	fi
}

vcard_start() {
	_prev="" VCARD_LOG=""
	for _a in "$@"; do
		[ "$_prev" = "--log" ] && VCARD_LOG=$_a
		case $_a in --log=*) VCARD_LOG=${_a#--log=} ;; esac
		_prev=$_a
	done
	if [ -z "$VCARD_LOG" ]; then
		_vcard_n=$((_vcard_n + 1))
		VCARD_LOG="$(_pcsc_tmp)/vcard.$$.$_vcard_n.log"
		set -- "$@" --log "$VCARD_LOG"
	fi
	vcard_mark
	"$KD_BUILD/tests/vcard" "$@" >>"$(_pcsc_tmp)/vcard.out" 2>&1 &
	VCARD_PID=$!
	_vcard_pids="$_vcard_pids $VCARD_PID"
}

vcard_wait_accepted() {
	_max=$(( ${1:-10} * 5 )) _n=0
	while [ $_n -lt $_max ]; do
		if tail -n +$((VCARD_LOG_LINES + 1)) "$VCARD_LOG" 2>/dev/null |
		    grep -q '^[0-9.]* event accepted'; then
			return 0
		fi
		kill -0 "$VCARD_PID" 2>/dev/null || return 1
		sleep 0.2
		_n=$((_n + 1))
	done
	return 1
}

vcard_start_free() {
	_end=$(( $(date +%s) + $1 ))
	shift
	while [ "$(date +%s)" -lt "$_end" ]; do
		if VCARD_PORT=$(vcard_free_port); then
			VCARD_READER=$(vcard_reader "$VCARD_PORT")
			vcard_start --port "$VCARD_PORT" "$@"
			if vcard_wait_accepted 5 &&
			    pcsc_wait_card "$VCARD_READER" present 10; then
				return 0
			fi
			vcard_stop "$VCARD_PID"
		fi
		sleep 0.5
	done
	echo "vcard_start_free: no free vpcd slot took the card" >&2
	return 1
}

vcard_stop() {
	if [ -n "${1:-}" ]; then
		_pcsc_kill "$1"
		_vcard_pids=$(echo "$_vcard_pids" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
		return 0
	fi
	for _v in $_vcard_pids; do
		_pcsc_kill "$_v"
	done
	_vcard_pids=""
	VCARD_PID=""
}

pcsc_wait_card() {
	_r=$1 _want=$2 _max=$(( ${3:-10} * 5 )) _n=0 _st=""
	while [ $_n -lt $_max ]; do
		_st=$(pcsc_probe 2>/dev/null | awk -F '\t' -v r="$_r" '$1 == r { print $2 }')
		[ "$_st" = "$_want" ] && return 0
		sleep 0.2
		_n=$((_n + 1))
	done
	echo "pcsc_wait_card: '$_r' not $_want after ${3:-10} s (is: ${_st:-no reader})" >&2
	return 1
}

pcsc_cleanup() {
	vcard_stop
	pcscd_stop
}
