#!/bin/sh
# CLI discovery: a group's help, --kiosk in --help, per-command help with
# the settings and an example, every missing flag in one usage error (exit
# 2), and `make install` putting a clean man page and a bash completion
# (both made from the command table) where they belong.
. "$(dirname "$0")/../lib/e2e.sh"
T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/config.yaml
printf 'relying_party: {id: keydesk.example.com}\nactivation:\n  base_url: "https://keydesk.example.com/activate/"\n' >"$CFG"

kd user --help >"$T/o" 2>"$T/e"
check "user --help exits 0" test $? -eq 0
check "user --help lists the group" grep -q '^  user add ' "$T/o"
check "user --help lists user delete" grep -q '^  user delete ID' "$T/o"
check "user --help: no other group" test "$(grep -c '^  key ' "$T/o")" = 0
kd user >"$T/o" 2>"$T/e"
check "bare group is a usage error" test $? -eq 2
check "bare group lists its commands" grep -q 'user list' "$T/e"
kd --help >"$T/h"
check "--help names --kiosk" grep -q -- '--kiosk' "$T/h"
check "--help names the exit statuses" grep -q '2 usage error' "$T/h"
kd user add --help >"$T/o"
check "user add --help: settings with values" \
    grep -q '^  verification=biometric|pin|pinless' "$T/o"
check "user add --help: which types a setting applies to" \
    grep -q 'applies to: smartphone (biometric|pin), card (pin|pinless)' "$T/o"
check "user add --help: an example" grep -q '^  keydesk user add --id ' "$T/o"
kd user add --email a@example.com 2>"$T/e"
check "missing flags exit 2" test $? -eq 2
check "missing flags: all named in one message" \
    grep -q '^keydesk: user add: missing --id, --name, --username' "$T/e"
check "missing flags: one line" test "$(wc -l <"$T/e")" = 1

"$KEYDESK" help --man >"$T/k.1"
check "help --man" grep -q '^\.TH KEYDESK 1' "$T/k.1"
if command -v groff >/dev/null 2>&1; then
	check "man page is clean under groff -man -ww -z" \
	    sh -c "groff -man -ww -z '$T/k.1' 2>'$T/groff' && ! test -s '$T/groff'"
else
	echo "skip - groff -man -ww -z: groff is not installed (mk/deps.sh test)"
fi
"$KEYDESK" help --completion bash >"$T/c"
check "completion is bash" bash -n "$T/c"
# comp WORDS...: what the completion offers for the last word.
comp() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
	    _keydesk; printf "%s\n" "${COMPREPLY[@]}"' comp "$T/c" keydesk "$@"
}
check "completion: first words" test "$(comp us)" = user
check "completion: a group's commands" \
    test "$(comp user a | tr '\n' ' ')" = "add "
check "completion: a command's options" \
    sh -c "printf '%s\n' \"$(comp user add --user)\" | grep -qx -- --username"

make -s -C "$KD_TOP" BUILD="${KD_BUILD#$KD_TOP/}" SAN=1 install \
    DESTDIR="$T/root" PREFIX=/usr >"$T/inst" 2>&1
check "make install" test $? -eq 0
check "installs the man page" test -s "$T/root/usr/share/man/man1/keydesk.1"
check "installs the bash completion" \
    test -s "$T/root/usr/share/bash-completion/completions/keydesk"
check "installed man page is the table's" cmp -s "$T/k.1" \
    "$T/root/usr/share/man/man1/keydesk.1"
e2e_done
