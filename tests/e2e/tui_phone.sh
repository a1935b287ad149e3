#!/bin/sh
# A smartphone's "Activate now" in the TUI at 80x24: the QR code of a fresh
# link captured from tmux and decoded with zbarimg (tests/lib/qr_decode.py)
# equals base_url + a 43-character token, with the code beside it, both
# open in the database; drawn black on white (plain without colours).
# Another process marks the key Active through the core
# (tests/hw/activate_key.c; the browser test drives the real portal) and
# the same screen shows Active, then Done, with no key pressed.  Esc
# leaves the key Pending with its email queued, and the mailed link does
# not close the screen's.  `keydesk key qr`, its errors, a terminal too
# small for the code, "+ New Security Key", a phone's code at the kiosk,
# and the command line's "activate now" and `activate CODE`.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/tmux.sh"
. "$KD_TOP/tests/lib/smtpd.sh"
. "$KD_TOP/tests/lib/wizard_now.sh"
trap 'tui_stop; smtpd_stop' EXIT

T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/c.yaml			# no SMTP: mail stays queued
CFG_SMTP=$T/smtp.yaml
CFG_LONG=$T/long.yaml		# a base_url too long for 80x24
DECODE="/usr/bin/python3 $KD_TOP/tests/lib/qr_decode.py"
ACTIVATE=$KD_BUILD/tests/hw_activate_key
BASE=https://keydesk.example.com/activate/
LONG_BASE=https://enroll.keydesk.example.com/portal/activation/for-the-people-of-example-corporation/
smtpd_start "$T/mail" || { echo "not ok - smtp sink starts"; exit 1; }
tui_config "$CFG"
tui_config "$CFG_SMTP" "$SMTPD_URL"
printf 'relying_party: {id: keydesk.example.com}\nactivation: {base_url: "%s"}\n' "$LONG_BASE" >"$CFG_LONG"

# key_of USER_ID: the id of the user's (first) key.
key_of() {
	kd key list "$1" --json | /usr/bin/python3 -c \
	    'import json,sys; print(json.load(sys.stdin)[0]["id"])'
}
key_status() {
	kd key list "$1" --json | /usr/bin/python3 -c \
	    'import json,sys; print(json.load(sys.stdin)[0]["status"])'
}
# is_link TEXT BASE: TEXT is BASE followed by a 43-character token.
is_link() {
	case "$1" in "$2"*) ;; *) return 1 ;; esac
	printf '%s\n' "${1#"$2"}" | grep -Eqx '[A-Za-z0-9_-]{43}'
}
# code_in: the activation code (ABCDE-FGHJK) shown on the screen / stdin.
code_in() {
	grep -Eo '\b[A-HJ-NP-TV-Z2-9]{5}-[A-HJ-NP-TV-Z2-9]{5}\b' | head -n 1
}
# link_open LINK CODE KEY [VIA]: LINK and CODE are one open activation of
# KEY (shown by VIA: screen, mail); only the link's SHA-256 and the code's
# HMAC-SHA256 under DB.codekey are stored.
link_open() {
	/usr/bin/python3 - "$DB" "$1" "$2" "$3" "${4:-}" <<'EOP'
import hashlib, hmac, sqlite3, sys
db, link, code, key, via = sys.argv[1:]
tok = link.rsplit("/", 1)[1]
th = hashlib.sha256(tok.encode()).digest()
ck = open(db + ".codekey", "rb").read()
ch = hmac.new(ck, code.replace("-", "").upper().encode(), hashlib.sha256).digest()
r = sqlite3.connect(db).execute(
    "SELECT key, via FROM activations WHERE token_hash = ? AND code_hash = ?"
    " AND used_at IS NULL AND revoked_at IS NULL", (th, ch)).fetchone()
sys.exit(0 if r and str(r[0]) == key and via in ("", r[1]) else 1)
EOP
}
# mail_code ADDR: the activation code mailed to ADDR.
mail_code() {
	/usr/bin/python3 - "$T/mail" "$1" <<'EOP'
import mailbox, re, sys
for m in mailbox.Maildir(sys.argv[1], create=False):
    b = m.get_payload(decode=True).decode()
    r = re.search(r"\b([A-HJ-NP-TV-Z2-9]{5}-[A-HJ-NP-TV-Z2-9]{5})\b", b)
    if sys.argv[2] in m["To"] and r:
        print(r.group(1))
EOP
}
link_closed() {
	! link_open "$@"
}
# qr_geometry: "ROWS LEFT WIDTH SIDE" of the code on the screen: text rows
# holding blocks, the first and the count of their columns, and the column
# of the text beside it.
qr_geometry() {
	tui_screen | /usr/bin/python3 -c '
import sys
rows = [l.rstrip("\n") for l in sys.stdin]
b = [l for l in rows if any(c in "\u2580\u2584\u2588" for c in l)]
left = min(min(i for i, c in enumerate(l) if c in "\u2580\u2584\u2588") for l in b)
right = max(max(i for i, c in enumerate(l) if c in "\u2580\u2584\u2588") for l in b)
side = min((l.find("Scan with") for l in rows if "Scan with" in l), default=-1)
print(len(b), left, right - left + 1, side)'
}
# qr_rows_coloured YES|NO: every block of the code is drawn black on white
# (YES), or in the terminal's own colours (NO); never in reverse video.
# The attributes are followed through capture-pane -e's SGR sequences,
# which tmux only writes where they change.
qr_rows_coloured() {
	tui_screen_attrs | /usr/bin/python3 -c '
import re, sys
want = sys.argv[1] == "YES"
fg = bg = None
rev = False
seen = ok = 0
for part in re.split(r"(\x1b\[[0-9;]*m)", sys.stdin.read()):
    m = re.fullmatch(r"\x1b\[([0-9;]*)m", part)
    if m:
        for p in (m.group(1) or "0").split(";"):
            p = int(p or 0)
            if p == 0:
                fg = bg = None
                rev = False
            elif p == 7:
                rev = True
            elif p == 27:
                rev = False
            elif 30 <= p <= 37 or p == 39:
                fg = None if p == 39 else p
            elif 40 <= p <= 47 or p == 49:
                bg = None if p == 49 else p
        continue
    for c in part:
        if c in "\u2580\u2584\u2588":
            seen += 1
            good = (fg, bg) == ((30, 47) if want else (None, None))
            ok += good and not rev
sys.exit(0 if seen and ok == seen else 1)' "$1"
}

# 1. The wizard: Confirm writes the user and the Pending key with the
# email queued, then the QR code; another process activates the key and
# the screen turns Active, then Done, by itself.
tui_start "$KEYDESK" --config "$CFG" --db "$DB"
tui_wait "Users" >/dev/null
wizard_to_confirm P1 "Pia Phone" pia phone
check "confirm: a QR code next" \
    tui_has "now, on the phone: a QR code next (the email is queued too)"
tui_keys Enter
check "QR screen" tui_wait "Scan with the phone's camera"
check "QR screen: who" tui_has "Pia Phone (P1)"
check "QR screen: type the code on the page" tui_has "Type this code on the page:"
check "QR screen: what to do" tui_has "open the link, type"
check "QR screen: the link's expiry" tui_has "The link works until"
check "QR screen: Esc leaves pending" tui_has "Esc Leave pending"
check "QR screen: F1" tui_has "F1  Help"
check "written before the code shows: pending" test "$(key_status P1)" = pending
check "the activation email is queued" test "$(kd outbox list --json |
    json_get /dev/stdin 'd[0]["status"]+" "+d[0]["to"]+" "+d[0]["kind"]')" = \
    "queued pia@example.com activation"
tui_screen >"$T/p1.txt"
link=$($DECODE "$T/p1.txt")
check "the QR code decodes" test -n "$link"
check "it is base_url + a 43-character token" is_link "$link" "$BASE"
check "the link is not printed as text" test "$(grep -cF "$link" "$T/p1.txt")" = 0
code=$(code_in <"$T/p1.txt")
check "the code shown has its shape" test -n "$code"
key=$(key_of P1)
check "link and code are one open activation, issued for the screen" \
    link_open "$link" "$code" "$key" screen
# An 80-character link: version 5, 45x23 with the 4-module quiet zone, from
# row 1 (under the header) at column 0; the text beside it at column 46.
check "QR at 80x24: 37 modules from column 4, 19 rows of blocks, text at 46" \
    test "$(qr_geometry)" = "19 4 37 46"
check "the rows under the header are the quiet zone" \
    test -z "$(sed -n '2,3p' "$T/p1.txt" | cut -c1-45 | tr -d ' ')"
check "drawn black on white" qr_rows_coloured YES
check "the key bar column keeps F1's list" tui_lacks "All keys"
# Marked Active by another process: no key pressed from here on.
"$ACTIVATE" "$DB" "$key" >"$T/act" 2>&1
check "another process activates the key" grep -q "^activated $key" "$T/act"
t0=$(date +%s%N)
check "the same screen shows Active by itself" \
    tui_wait "The key is active: the phone registered its passkey." 2
check "then Done by itself" tui_wait "Done: user P1 (Pia Phone) created." 3
t1=$(date +%s%N)
check "Active then Done within 2.5 s" test $(( (t1 - t0) / 1000000 )) -lt 2500
check "Done: active on the phone" tui_has "Active (activated on the phone)"
check "Done: no PIN line for a phone" tui_lacks "PIN "
check "key list: active" test "$(key_status P1)" = active
check "user: active" test "$(kd user show P1 --json | json_get /dev/stdin 'd["status"]')" = active
kd key qr "$key" >"$T/qa" 2>&1
check "key qr: an active key exits 1" test $? -eq 1
check "key qr: says it is active" grep -q "key #$key is active" "$T/qa"
check "key qr: no code printed for it" test -z "$(code_in <"$T/qa")"
tui_keys Enter
tui_wait "Users" >/dev/null
tui_stop

# 2. Esc leaves the key Pending with its email queued; without colours the
# blocks are drawn plain (no reverse) and still read as the code.
NO_COLOR=1
export NO_COLOR
tui_start "$KEYDESK" --config "$CFG" --db "$DB"
unset NO_COLOR
tui_wait "Users" >/dev/null
wizard_to_confirm P2 "Pat Pending" pat phone
tui_keys Enter
tui_wait "Scan with the phone's camera" >/dev/null
tui_screen >"$T/p2.txt"
link2=$($DECODE "$T/p2.txt")
code2=$(code_in <"$T/p2.txt")
key2=$(key_of P2)
check "no colours: the code still decodes" is_link "$link2" "$BASE"
check "no colours: plain blocks, no reverse video" qr_rows_coloured NO
check "a new screen, a new link" test "$link2" != "$link"
tui_keys F1
check "F1 lists the screen's keys" tui_wait "Keys on this screen"
check "F1: Esc leaves the key pending" tui_has "Leave pending"
tui_keys Enter
check "back from F1: the code again" tui_wait "Scan with the phone's camera"
check "back from F1: the same link" test "$(tui_screen | $DECODE)" = "$link2"
tui_keys Escape
check "Esc: Done says left pending" \
    tui_wait "Pending (left pending: the activation email is queued)"
check "Esc: Done says what was mailed" tui_has "1 email (activation) to pat@example.com"
check "Esc: the key is pending" test "$(key_status P2)" = pending
kd outbox list >"$T/ob"
check "Esc: the email is queued" grep -q "queued.*pat@example.com" "$T/ob"
check "Esc: the screen's link stays open" link_open "$link2" "$code2" "$key2"
tui_stop
# The email goes out (minted now): the screen's link stays open beside it.
kd --config "$CFG_SMTP" outbox flush >/dev/null 2>&1
check "the email is sent" test "$(smtpd_count "$T/mail")" = 1
check "the mailed link does not close the screen's" \
    link_open "$link2" "$code2" "$key2" screen
mailed=$(cat "$T"/mail/new/* 2>/dev/null)
check "the phone's mail: open this link on your phone" \
    sh -c 'printf "%s" "$1" | grep -q "open this link on your phone:"' sh "$mailed"
check "the phone's mail: a kiosk shows it as a QR code" \
    sh -c 'printf "%s" "$1" | grep -q "it shows the link as a QR code"' sh "$mailed"

# 3. keydesk key qr: a fresh link each time, printed as the same code.
kd key qr "$key2" >"$T/q2" 2>"$T/q2.err"
check "key qr: exit 0 for a pending key" test $? -eq 0
link3=$($DECODE "$T/q2")
code3=$(code_in <"$T/q2")
check "key qr: the code decodes to a link" is_link "$link3" "$BASE"
check "key qr: prints the link too" grep -qxF "  $link3" "$T/q2"
check "key qr: the code, and the expiry" grep -q "^The link works until .* UTC\.$" "$T/q2"
check "key qr: a fresh link, open" link_open "$link3" "$code3" "$key2" screen
check "key qr: the earlier links stay open" link_open "$link2" "$code2" "$key2"
check "key qr: no colour codes into a pipe" test "$(grep -c "$(printf '\033')" "$T/q2")" = 0
check "key qr --help says why a fresh link" sh -c \
    "\"$KEYDESK\" key qr --help | grep -q 'a mailed one cannot be shown again'"
kd key qr 999 >"$T/q9" 2>&1
check "key qr: an unknown key exits 1" test $? -eq 1
check "key qr: says so" grep -q "no key #999" "$T/q9"
kd key qr nope >/dev/null 2>&1
check "key qr: not a key ID is a usage error" test $? -eq 2
kd key revoke "$key2" --reason lost >/dev/null 2>&1
kd key qr "$key2" >"$T/qr" 2>&1
check "key qr: a revoked key exits 1" test $? -eq 1
check "key qr: says it is revoked" grep -q "is revoked" "$T/qr"
check "revoked: its links are closed" link_closed "$link3" "$code3" "$key2"

# 4. "+ New Security Key" for an existing user, a base_url too long for
# the code at 80x24: how large the terminal must be, the link as text;
# larger, the code.
DB_MAIN=$DB
DB=$T/existing.db
kd user add --id E1 --name "Eve Existing" --email eve@example.com \
    --username eve >/dev/null 2>&1
tui_start "$KEYDESK" --config "$CFG_LONG" --db "$DB"
tui_wait "Eve Existing" >/dev/null
tui_keys Enter
tui_wait "User details" >/dev/null
tui_keys k
tui_wait "New security key: Device type" >/dev/null
tui_keys Up
tui_wait "(*) Smartphone" >/dev/null
tui_keys Enter
tui_wait "Settings" >/dev/null
tui_keys Enter
tui_wait "Method" >/dev/null
tui_keys Tab Up
tui_wait "(*) Activate now" >/dev/null
tui_keys NPage
tui_wait "E1 (Eve Existing, eve@example.com)" >/dev/null
tui_keys Enter
check "new key: the QR screen's title" tui_wait "New security key: Activate now"
check "too small: says how large" \
    tui_wait_re "make the terminal larger \(needs [0-9]+x[0-9]+\) to show the QR code"
check "too small: no code drawn" test "$(tui_screen | grep -c '[▀▄█]')" = 0
tui_screen >"$T/e1.txt"
text_link=$(awk '/Open this link on the phone:/ { f = 1; next }
    f && /^    [^ ]/ { sub(/^ +/, ""); printf "%s", $0; next } f { exit }' "$T/e1.txt")
code4=$(code_in <"$T/e1.txt")
check "too small: the link as text" is_link "$text_link" "$LONG_BASE"
check "too small: the code" test -n "$code4"
need=$(tui_screen | sed -n 's/.*needs \([0-9]*\)x\([0-9]*\).*/\1 \2/p')
tui_resize $need
check "larger: the code" tui_wait "Scan with the phone's camera"
check "larger: it decodes to the same link" test "$(tui_screen | $DECODE)" = "$text_link"
tui_resize 80 24
tui_wait "make the terminal larger" >/dev/null
tui_keys Escape
check "new key: Done, left pending" tui_wait "Done: key added for E1 (Eve Existing)."
check "new key: pending" tui_has "Pending (left pending: the activation email is queued)"
tui_stop
DB=$DB_MAIN

# 5. A phone's code at the kiosk: the same QR screen with a fresh link (the
# mail and the kiosk agree), Active by itself, then "Your key is active".
kd --config "$CFG_SMTP" user add --id K1 --name "Kai Kiosk" \
    --email kai@example.com --username kai --key smartphone \
    --activate email --default-settings >/dev/null 2>&1
kcode=$(mail_code kai@example.com)
check "kiosk: the phone's code was mailed" test -n "$kcode"
tui_start "$KEYDESK" --kiosk --config "$CFG_SMTP" --db "$DB"
check "kiosk: the screen mentions the phone" \
    tui_wait "scan the QR code with your phone"
tui_type "$kcode"; tui_keys Enter
check "kiosk: a phone's code shows its QR code" \
    tui_wait "Scan with your phone's camera"
check "kiosk: the owner goes back with Esc" tui_has "Esc Back"
klink=$(tui_screen | $DECODE)
check "kiosk: the code decodes to a link" is_link "$klink" "$BASE"
check "kiosk: the QR link is not the mailed one" \
    sh -c '! grep -rqF "$1" "$2"' sh "$klink" "$T/mail"
kkey=$(key_of K1)
"$ACTIVATE" "$DB" "$kkey" >/dev/null 2>&1
check "kiosk: Active by itself" \
    tui_wait "The key is active: the phone registered its passkey." 2
check "kiosk: then your key is active" tui_wait "Your key is active" 3
check "kiosk: says which key" tui_has "Smartphone \"Kai Kiosk's phone\" for Kai Kiosk."
check "kiosk: no PIN for a phone" tui_lacks "PIN"
check "kiosk: the key is active" test "$(key_status K1)" = active
tui_stop

# 6. The command line: a phone's "activate now", and its code, print the
# same QR code.
kd --config "$CFG_SMTP" user add --id C1 --name "Cy Cli" \
    --email cy@example.com --username cy --key smartphone --activate now \
    --default-settings >"$T/c1" 2>"$T/c1.err"
check "user add --activate now: exit 0" test $? -eq 0
check "user add: pending, its email queued" \
    grep -q "created user C1: key pending, activation email queued" "$T/c1"
check "user add: a phone's QR code" is_link "$($DECODE "$T/c1")" "$BASE"
ccode=$(mail_code cy@example.com)
check "user add: the email was sent" test -n "$ccode"
kd activate "$ccode" >"$T/c2" 2>"$T/c2.err"
check "activate CODE: a phone's code exits 0" test $? -eq 0
check "activate CODE: its QR code" is_link "$($DECODE "$T/c2")" "$BASE"
check "activate CODE: still pending" test "$(key_status C1)" = pending
e2e_done
