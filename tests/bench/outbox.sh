#!/bin/sh
# Outbox delivery benchmark (issue 4): keydesk's outbox_deliver over one
# reused SMTP connection against a loop that sends each message with a new
# `curl` process, both to the same loopback sink.  Not a timed test.
#
#   sh tests/bench/outbox.sh [BUILD_DIR]     (default: build)
#
# Needs BUILD_DIR/bench/outbox (built here if missing: make BUILD=DIR
# DIR/bench/outbox).  Env: BENCH_OUTBOX_N (10000; 100000 follows when 10000
# took under 12 s, i.e. 100000 fits in 2 minutes), BENCH_CURL_N (200),
# BENCH_AIOSMTPD_N (2000: aiosmtpd is slow, see below).
#
# Three sinks (tests/lib/smtpd.py), each labelled in the output:
#   fast      a minimal SMTP responder (blocking sockets), NOT aiosmtpd:
#             shows what keydesk's side can do;
#   aiosmtpd  Debian's aiosmtpd, logging only (no Maildir writes);
#   maildir   aiosmtpd storing to a Maildir: the sink the tests use.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
bench=$build/bench/outbox
KD_TOP=$top
. "$top/tests/lib/smtpd.sh"

N=${BENCH_OUTBOX_N:-10000}
CURL_N=${BENCH_CURL_N:-200}
SMALL=${BENCH_AIOSMTPD_N:-2000}
tmp=$(mktemp -d /tmp/keydesk-bench-outbox.XXXXXX) || exit 1
trap 'smtpd_stop; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

if [ ! -x "$bench" ]; then
	rel=${build#"$top"/}
	make -s -C "$top" BUILD="$rel" "$rel/bench/outbox" || exit 1
fi

# A message like keydesk's activation mail, CRLF line ends.
printf 'From: keydesk <keydesk@keydesk.example.com>\r\nTo: =?UTF-8?B?Wm/DqyDDhW5nc3Ryw7ZtLcWBdWthc2lld2ljeg==?= <user@example.com>\r\nSubject: Activate your security key\r\nDate: Mon, 23 Nov 2026 08:58:53 +0000\r\nMessage-ID: <0123456789abcdef0123456789abcdef@keydesk.example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\nHello Zo\303\253,\r\n\r\nan operator has set up a security key for you.\r\nActivate it within 12 hours:\r\n\r\n  https://keydesk.example.com/activate/3q2-7wEVf_0Qk9Zx1Yb8Ra\r\n\r\nor type this code at any enrollment kiosk: 482-913\r\n\r\nkeydesk\r\n' >"$tmp/msg.eml"

ns() { date +%s%N; }
rate() { awk -v n="$1" -v t0="$2" -v t1="$3" 'BEGIN { printf "%.1f", n / ((t1 - t0) / 1e9) }'; }

# outbox N: sets O_RATE, O_CONN, O_SECS (keydesk, one session).
outbox() {
	rm -f "$tmp"/db "$tmp"/db-*
	if ! "$bench" "$tmp/db" "$SMTPD_URL" "$1" >"$tmp/out" 2>&1; then
		cat "$tmp/out" >&2
		return 1
	fi
	set -- $(grep '^deliver ' "$tmp/out")
	O_SECS=$3
	O_CONN=$4
	O_RATE=$(awk -v n="$2" -v t="$3" 'BEGIN { printf "%.1f", n / t }')
}

# curl_loop N: sets C_RATE (a new curl process per message).
curl_loop() {
	_i=0
	_t0=$(ns)
	while [ "$_i" -lt "$1" ]; do
		curl -sS --url "$SMTPD_URL" --mail-from keydesk@keydesk.example.com \
		    --mail-rcpt "user$_i@example.com" --upload-file "$tmp/msg.eml" ||
		    return 1
		_i=$((_i + 1))
	done
	C_RATE=$(rate "$1" "$_t0" "$(ns)")
}

line() {
	ratio=$(awk -v a="$O_RATE" -v b="$C_RATE" 'BEGIN { printf "%.1f", a / b }')
	printf '%-9s %7s msgs  %8s msg/s  %4s conn  %6.2f s | curl x%s: %6s msg/s | ratio %sx\n' \
	    "$1" "$2" "$O_RATE" "$O_CONN" "$O_SECS" "$CURL_N" "$C_RATE" "$ratio"
}

# run LABEL N [smtpd.py options]
run() {
	label=$1 n=$2
	shift 2
	unset SMTPD_PORT
	smtpd_start "$tmp/$label" "$@" || return 1
	outbox "$n" || return 1
	curl_loop "$CURL_N" || return 1
	line "$label" "$n"
	if [ "$label" = fast ] && [ "$n" -lt 100000 ] &&
	    awk -v t="$O_SECS" 'BEGIN { exit !(t * 10 < 120) }'; then
		outbox 100000 && line "$label" 100000
	fi
	smtpd_stop
}

echo "outbox delivery: keydesk outbox_deliver on one reused connection vs one curl process per message"
echo "(loopback, $(nproc) CPUs, curl $(curl --version | sed -n '1s/^curl \([^ ]*\).*/\1/p'))"
run fast "$N" --fast || exit 1
run aiosmtpd "$SMALL" --count-only || exit 1
run maildir "$SMALL" || exit 1
echo "fast = minimal responder in tests/lib/smtpd.py (not aiosmtpd); aiosmtpd = Debian aiosmtpd, no storage; maildir = aiosmtpd + Maildir (the test sink)"
