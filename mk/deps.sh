#!/bin/sh
# Installs the Debian packages keydesk needs (as root) or prints the exact
# apt-get line to run (otherwise).  Usage: deps.sh run|test
set -u
build="gcc make pkg-config libncurses-dev libsqlite3-dev libyaml-dev libcurl4-openssl-dev libfido2-dev libpcsclite-dev libssl-dev libcrypt-dev libmicrohttpd-dev libjansson-dev libcbor-dev libqrencode-dev"
test_only="tmux sqlite3 python3 python3-aiosmtpd python3-fido2 python3-pyscard pcscd vsmartcard-vpcd libclang-rt-14-dev clang valgrind chromium python3-websocket python3-pil zbar-tools openssl curl groff"
case "${1:-run}" in
run) want="$build" ;;
test) want="$build $test_only" ;;
*) echo "usage: $0 run|test" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in *" installed") ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "keydesk: missing Debian packages; run as root:" >&2
	echo "  $line" >&2
	exit 1
fi
echo "keydesk: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends $missing >/dev/null; then
	apt-get update >/dev/null && apt-get install -y --no-install-recommends $missing >/dev/null || {
		echo "keydesk: failed: $line" >&2; exit 1; }
fi
