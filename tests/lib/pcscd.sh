# pcscd.sh: real pcscd + vpcd + keydesk's software FIDO2 card, for tests.
# Source it from a POSIX sh test (needs KD_BUILD; logs go to KD_TESTTMP
# or /tmp).  Everything is bounded in time and stays on loopback.
#
#   pcscd_start                   reuse a running pcscd whose socket answers,
#                                 else start `pcscd -f` (root only)
#   vcard_start [vcard args]      start $KD_BUILD/tests/vcard in background;
#                                 its pid is in VCARD_PID (SIGUSR1 = pull,
#                                 SIGUSR2 = put back)
#   vcard_free_port               print the vpcd port of a reader with no
#                                 card (35963 = "Virtual PCD 00 00", 35964 =
#                                 "Virtual PCD 00 01"); fails if none
#   vcard_reader PORT             print the reader name for a vpcd port
#   pcsc_wait_card READER present|absent TIMEOUT_S
#                                 poll until the reader shows that state
#   pcsc_probe                    the probe's lines: READER\tstate\tATR
#   vcard_stop [PID]              stop that card, or every card started here
#   pcscd_stop                    stop pcscd only if this harness started it
#   pcsc_cleanup                  vcard_stop + pcscd_stop (for trap)

PCSCD_SOCK=/run/pcscd/pcscd.comm
VPCD_PORT0=35963
_pcscd_pid=""
_vcard_pids=""
VCARD_PID=""

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

pcscd_start() {
	_t=0
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
			return 1
		fi
		sleep 0.2
		_t=$((_t + 1))
	done
	echo "pcscd_start: pcscd did not answer within 10 s" >&2
	pcscd_stop
	return 1
}

pcscd_stop() {
	[ -n "$_pcscd_pid" ] || return 0
	_pcsc_kill "$_pcscd_pid"
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

vcard_start() {
	"$KD_BUILD/tests/vcard" "$@" >>"$(_pcsc_tmp)/vcard.out" 2>&1 &
	VCARD_PID=$!
	_vcard_pids="$_vcard_pids $VCARD_PID"
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
	_r=$1 _want=$2 _max=$(( ${3:-10} * 5 )) _n=0
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
