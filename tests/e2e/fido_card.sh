#!/bin/sh
# End to end: keydesk's CTAP-over-PC/SC transport and core/fido against a
# real pcscd with the vsmartcard vpcd driver and tests/vcard, through
# tests/hw/fido_drive.  One "ok - NAME" / "not ok - NAME: why" per case.
# Env (from tests/run.sh): KD_BUILD, KD_TOP, KD_TESTTMP.
set -u
top=${KD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
KD_BUILD=${KD_BUILD:-$top/build/san}
base=${KD_TESTTMP:-/tmp}
tmp=$(mktemp -d "$base/fido_card.XXXXXX")
KD_TESTTMP=$tmp
export KD_BUILD KD_TESTTMP
. "$top/tests/lib/pcscd.sh"

D="$KD_BUILD/tests/hw_fido_drive"
log="$tmp/card.log"
out=""
rc=0

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1: $2"; }

# Runs the driver (bounded); its output in $out, exit status in $rc.
drive() {
	out=$(timeout 60 "$D" "$@" 2>>"$tmp/drive.err")
	rc=$?
}

# summary of the last run for failure messages
last() {
	printf '%s\n' "$out" | grep -v '^progress=' | head -n 3 | tr '\n' ' '
}

# check NAME PATTERN...: every pattern (grep -E) is in the last output
check() {
	_name=$1
	shift
	for _p in "$@"; do
		if ! printf '%s\n' "$out" | grep -Eq -- "$_p"; then
			notok "$_name" "no '$_p' in: $(last) (exit $rc)"
			return 1
		fi
	done
	ok "$_name"
}

# A fresh card on a free vpcd slot (tests may run side by side and share
# pcscd's two slots): card [vcard args...]; sets $reader.
card() {
	card_off
	: >"$log"
	if ! vcard_start_free 30 --log "$log" "$@"; then
		echo "not ok - fido_card: no vpcd slot took the card"
		exit 0
	fi
	reader=$VCARD_READER
}

card_off() {
	if [ -n "$VCARD_PID" ]; then
		vcard_stop "$VCARD_PID"
		VCARD_PID=""
		pcsc_wait_card "$reader" absent 10
	fi
}

cleanup() {
	pcsc_cleanup
	[ -n "${noreader_pid:-}" ] && _pcsc_kill "$noreader_pid"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if [ ! -x "$D" ] || [ ! -x "$KD_BUILD/tests/vcard" ] ||
    [ ! -x "$KD_BUILD/tests/hw_pcsc_probe" ]; then
	echo "not ok - fido_card: driver, vcard or pcsc_probe not built in $KD_BUILD"
	exit 0
fi
if ! pcscd_start 2>"$tmp/pcscd.err"; then
	echo "skip - fido_card: no pcscd: $(head -n 1 "$tmp/pcscd.err")"
	exit 0
fi
reader=""

# --- listing and a PIN enrollment ---
card
drive list --probe
check "list shows the reader, the card and its FIDO info" \
    "^list: ok" "pcsc_ok=1" \
    "path=\"pcsc:$reader\" card=1 atr=[0-9a-f]+ probed=1 fido=1 applet=FIDO_2_0 aaguid=7c46a092672945d78a67d474d2df1b53" \
    "versions=\"FIDO_2_0,FIDO_2_1\" pin_set=0 min_pin=4 rk_remaining=25"

drive enroll --reader "$reader" --verification pin --pin 135790 \
    --save "$tmp/c1"
check "enroll with PIN: PIN set, credential made and verified" \
    "^enroll: ok" "^pin_set=1" "^uv=1" "^fmt=packed" \
    "^cose=a5010203262001215820" "\"pin_set\":true" "\"rk_remaining\":24" \
    "^progress=card-present" "^progress=verifying" "^progress=done"

drive changepin --reader "$reader" --old 135790 --new 246801
check "the mailed PIN is the card's PIN (libfido2 changes it)" \
    "^changepin: ok"
drive changepin --reader "$reader" --old 135790 --new 999000
check "the old PIN no longer works" "^changepin: error code=PIN" \
    "^retries=7"

drive verify --reader "$reader" --load "$tmp/c1" --pin 246801
check "assertion verifies against the stored COSE key" "^verify: ok" \
    "^flags=05"
drive verify --reader "$reader" --load "$tmp/c1" --tamper negy
check "tampered public key (another curve point) fails" \
    "^verify: error code=DENIED msg=.*signature does not match"
drive verify --reader "$reader" --load "$tmp/c1" --tamper key
check "tampered public key (bit flip) fails" "^verify: error code=DENIED"
drive verify --reader "$reader" --load "$tmp/c1" --tamper sig
check "tampered signature fails" "^verify: error code=DENIED"

drive enroll --reader "$reader" --pin 135790
if printf '%s\n' "$out" | grep -q '^enroll: error code=HAS_PIN'; then
	ok "enrolling again without the current PIN asks for it"
else
	notok "enrolling again without the current PIN asks for it" "$(last)"
fi

# --- PINless ---
card
drive enroll --reader "$reader" --verification pinless --save "$tmp/c2"
check "enroll PINless: no PIN, credential without UV, verified" \
    "^enroll: ok" "^pin_set=0" "^uv=0" "\"pin_set\":false"
drive verify --reader "$reader" --load "$tmp/c2"
check "PINless assertion verifies" "^verify: ok" "^flags=01"

# --- a card that already has a PIN ---
card --pin 11223344 --state "$tmp/haspin.state"
drive enroll --reader "$reader" --pin 135790
check "card with a PIN: KD_ERR_HAS_PIN, nothing changed" \
    "^enroll: error code=HAS_PIN msg=the card already has a PIN" \
    "^pin_set=0"
[ "$rc" -eq 19 ] || notok "HAS_PIN exit status" "exit $rc, want 19"
drive enroll --reader "$reader" --pin 135790 --current-pin 99999999
check "wrong current PIN: KD_ERR_PIN with tries left" \
    "^enroll: error code=PIN msg=wrong PIN \\(7 tries left"
drive enroll --reader "$reader" --pin 135790 --current-pin 11223344 \
    --force-change
check "with the current PIN: PIN changed to the new one, enrolled" \
    "^enroll: ok" "^pin_set=1" "^uv=1" "^pin_forced=1"
drive enroll --reader "$reader" --pin 135790 --current-pin 135790
check "PIN change pending and no new PIN: clear message" \
    "^enroll: error code=PIN msg=the card wants its PIN changed"
drive changepin --reader "$reader" --old 135790 --new 864200
check "the new PIN is on the card (forced change accepted)" \
    "^changepin: ok"
card --pin 11223344
drive enroll --reader "$reader" --pin 135790 --reset
check "with --reset: card wiped, PIN set, enrolled" "^enroll: ok" \
    "^pin_set=1" "^reset=1" "\"rk_remaining\":24"
drive changepin --reader "$reader" --old 135790 --new 864200
check "after reset the new PIN is the card's PIN" "^changepin: ok"

# --- pulled mid-makeCredential, then Retry ---
card --pull-at 1 --reinsert-ms 2000 --state "$tmp/pull.state"
drive enroll --reader "$reader" --pin 135790
check "card pulled during makeCredential: card removed" \
    "^enroll: error code=REMOVED msg=card removed from the reader" \
    "^pin_set=1"
# The card is away for 2 s: let pcscd see it go, then come back.
pcsc_wait_card "$reader" absent 5 || true
pcsc_wait_card "$reader" present 10
drive enroll --reader "$reader" --pin 135790 --current-pin 135790
check "retry after the pull succeeds" "^enroll: ok" "^uv=1"

# --- slow card: NFCCTAP_GETRESPONSE polling ---
card --slow 400
drive enroll --reader "$reader" --pin 135790
if check "slow card (9100, polled) succeeds" "^enroll: ok"; then
	n=$(grep -c 'apdu ins=11 .*sw=9100' "$log")
	if [ "$n" -gt 0 ]; then
		ok "slow card was polled ($n busy answers)"
	else
		notok "slow card was polled" "no 9100 polls in the card's log"
	fi
fi

# --- cancel while the slow card works ---
card --slow 4000
drive enroll --reader "$reader" --pin 135790 --cancel-after-ms 1500
check "cancel during a slow card: cancelled" \
    "^enroll: error code=CANCELLED" "^cancel_to_return_ms=[0-9]+"
ms=$(printf '%s\n' "$out" | sed -n 's/^cancel_to_return_ms=//p')
if [ -n "$ms" ] && [ "$ms" -lt 1500 ]; then
	ok "cancel returned quickly (${ms} ms)"
else
	notok "cancel returned quickly" "took ${ms:-?} ms"
fi
if grep -q 'event cancel' "$log"; then
	ok "the card got the NFCCTAP cancel (80 11 11 00)"
else
	notok "the card got the NFCCTAP cancel (80 11 11 00)" "not in its log"
fi

# --- cards that cannot be enrolled ---
card --non-fido
drive enroll --reader "$reader" --pin 135790
check "non-FIDO card: clear error" \
    "^enroll: error code=NOTFIDO msg=this card is not a FIDO security key"
drive list --probe
check "readers list says the card is not FIDO" \
    "card=1 .*fido=0 .*probe_status=NOTFIDO"

card --full
drive enroll --reader "$reader" --pin 135790
check "full card: KD_ERR_FULL" "^enroll: error code=FULL" "^pin_set=0"

card --min-pin 8
drive enroll --reader "$reader" --pin 135790
check "PIN shorter than the card's minPINLength: KD_ERR_PIN" \
    "^enroll: error code=PIN msg=the new PIN is too short .*at least 8"

# --- long answers cut into 16-byte pieces (61xx GET RESPONSE) ---
card --chunk 16
drive enroll --reader "$reader" --pin 135790
check "chunked answers (GET RESPONSE chaining) work" "^enroll: ok"
n=$(grep -c 'apdu ins=c0' "$log")
if [ "$n" -gt 5 ]; then
	ok "GET RESPONSE was used ($n times)"
else
	notok "GET RESPONSE was used" "only $n GET RESPONSE in the card's log"
fi

# --- nothing to talk to ---
# (read-only: if a test running beside us puts its card on this slot
# meanwhile, it gets an assertion request, not a new PIN)
card_off
drive verify --reader "$reader" --load "$tmp/c1" --timeout-ms 1500
if printf '%s\n' "$out" | grep -q '^progress=card-present'; then
	echo "skip - no card: another test's card took the slot"
else
	check "no card: timeout with a clear message" \
	    "^verify: error code=TIMEOUT msg=no card on the reader after 1.5 s" \
	    "^progress=wait-card"
fi
drive enroll --reader "No Such Reader 99" --pin 135790 --timeout-ms 1000
check "unknown reader: clear message" \
    "^enroll: error code=NODEV msg=there is no reader named"

PCSCLITE_CSOCK_NAME="$tmp/no-pcscd.comm"
export PCSCLITE_CSOCK_NAME
drive list
check "no pcscd: the list says what to start or install" "^list: ok" \
    "pcsc_ok=0 pcsc_msg=\"pcscd is not running \\(start it: pcscd, or systemctl start pcscd.socket\\)"
drive enroll --pin 135790 --timeout-ms 1000
check "no pcscd: enroll says so" \
    "^enroll: error code=NODEV msg=pcscd is not running"
unset PCSCLITE_CSOCK_NAME

# No reader at all needs a pcscd without the vpcd driver: only when this
# test started pcscd itself and nobody else uses it (one pcscd per machine).
noreader_case() {
	pcsc_cleanup
	if pcscd_alive; then
		echo "skip - no reader: pcscd is shared with another test"
		return
	fi
	mkdir -p "$tmp/noreaders"
	pcscd -f -c "$tmp/noreaders" >>"$tmp/pcscd-noreaders.log" 2>&1 &
	noreader_pid=$!
	i=0
	while [ $i -lt 50 ] && ! pcscd_alive; do
		sleep 0.2
		i=$((i + 1))
	done
	if ! kill -0 "$noreader_pid" 2>/dev/null; then
		echo "skip - no reader: another pcscd started meanwhile"
		noreader_pid=""
		return
	fi
	drive list
	check "no reader: the list says so" "pcsc_ok=1" \
	    "pcsc_msg=\"no card reader found \\(is pcscd running and the reader plugged in\\?\\)"
	drive enroll --pin 135790 --timeout-ms 1000
	check "no reader: enroll says so" \
	    "^enroll: error code=NODEV msg=no card reader found" \
	    "^progress=wait-reader"
	_pcsc_kill "$noreader_pid"
	noreader_pid=""
}

card_off
if [ -n "$_pcscd_pid" ]; then
	noreader_case
else
	echo "skip - no reader: pcscd was already running (shared)"
fi
exit 0
