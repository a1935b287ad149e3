#!/bin/sh
# The project's software FIDO2 card (tests/vcard) behind a real pcscd and
# vpcd, cross-checked with an independent client (python-fido2, through
# pyscard and pcscd).  One "ok - " / "not ok - " line per case.
# Needs KD_BUILD (with tests/vcard and tests/hw_pcsc_probe), KD_TOP,
# KD_TESTTMP; root unless a pcscd with the vpcd reader is already running.
set -u
top=${KD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/pcscd.sh"

py=/usr/bin/python3
check="$top/tests/vcard/check_card.py"
tmp=${KD_TESTTMP:-/tmp}/vcard.$$
mkdir -p "$tmp"

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; }
skip() { echo "skip - vcard: $1"; exit 0; }
t() { if "$@"; then ok "$name"; else notok "$name"; fi; }

for f in "$KD_BUILD/tests/vcard" "$KD_BUILD/tests/hw_pcsc_probe"; do
	[ -x "$f" ] || skip "$f not built"
done
command -v pcscd >/dev/null 2>&1 || skip "pcscd not installed"
[ -f /etc/reader.conf.d/vpcd ] || skip "vsmartcard-vpcd not installed"
"$py" -c 'import fido2.pcsc, smartcard' 2>/dev/null ||
	skip "python3-fido2 and python3-pyscard needed"

trap 'pcsc_cleanup' EXIT
trap 'exit 1' INT TERM

# Runs a check_card.py scenario; its own lines are the cases.
scenario() {
	_out="$tmp/check.$2.out"
	timeout 180 "$py" "$check" "$1" "$2" ${3:+"$3"} >"$_out" 2>>"$tmp/python.err"
	_rc=$?
	cat "$_out"
	if [ $_rc -ne 0 ] && ! grep -q '^not ok - ' "$_out"; then
		notok "check_card.py $2 exited with $_rc"
		tail -n 20 "$tmp/python.err" >&2
	fi
}

# Starts a card on a free slot; waits until the reader holds this card.
card() {
	vcard_start_free 120 --log "$tmp/card.log" "$@" || return 1
	reader=$VCARD_READER
}

stop_card() {
	kill -TERM "$VCARD_PID" 2>/dev/null
	_n=0
	while kill -0 "$VCARD_PID" 2>/dev/null && [ $_n -lt 50 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	wait "$VCARD_PID"
	_rc=$?
	vcard_stop "$VCARD_PID"
	return $_rc
}

name="pcscd running, its socket answers"
if ! pcscd_start; then
	notok "$name"
	exit 1
fi
ok "$name"

reader=""
name="card taken by a free vpcd reader, shown present"
if ! card --state "$tmp/card.state"; then
	notok "$name"
	pcsc_probe >&2
	exit 1
fi
ok "$name"
name="ATR is 3B 8D 80 01 \"keydesk vcard\" + TCK"
t eval 'pcsc_probe | grep -q "^$reader	present	3B8D80016B65796465736B207663617264"'

scenario "$reader" basic "$tmp/keep.cred"

name="short responses over 256 bytes chained with 61xx + GET RESPONSE"
t grep -q 'ins=c0 .*sw=9000' "$tmp/card.log"
name="long commands arrive chained (CLA 0x90 blocks of 250)"
t grep -q 'ins=10 lc=250 le=0 rlen=0 sw=9000' "$tmp/card.log"
name="card log holds no PIN"
t eval '! grep -q -e 123456 -e 654321 -e 87654321 -e 12345678 -e 313233 "$tmp/card.log"'

name="card stops cleanly on SIGTERM (exit 0)"
t stop_card

name="card back with the same --state"
t card --state "$tmp/card.state"
scenario "$reader" persist "$tmp/keep.cred"

name="SIGUSR1 pulls the card: reader shows absent"
kill -USR1 "$VCARD_PID"
t pcsc_wait_card "$reader" absent 10
name="SIGUSR2 puts it back: vpcd takes it, reader shows present"
vcard_mark
kill -USR2 "$VCARD_PID"
t eval 'vcard_wait_accepted 10 && pcsc_wait_card "$reader" present 10'
stop_card

card --pull-at makeCredential --reinsert-ms 3000
vcard_mark
scenario "$reader" pull
name="--pull-at: reader shows absent, then the card is back"
t eval 'pcsc_wait_card "$reader" absent 3 && vcard_wait_accepted 10 &&
    pcsc_wait_card "$reader" present 10'
stop_card

card --pin 246810 --min-pin 6
scenario "$reader" preset
stop_card

card --full
scenario "$reader" full
stop_card

card --slow 400 --chunk 17
scenario "$reader" slow
stop_card

name="--non-fido: card present but SELECT refused"
t card --non-fido
scenario "$reader" nonfido
name="--non-fido: SELECT of the FIDO AID answered 6A82"
t grep -q 'ins=a4 lc=8 .*sw=6a82' "$tmp/card.log"
stop_card

exit 0
