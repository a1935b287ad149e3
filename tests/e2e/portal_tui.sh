#!/bin/sh
# The whole smartphone story with real parts: the New User wizard at 80x24
# in tmux, "Activate now" shows the QR code; it is captured and decoded
# (zbarimg), opened in headless Chromium with a passkey, the code read off
# the same screen is typed, the portal (`keydesk serve`, another process on
# the same database) verifies the registration, and the TUI turns Active
# and then Done by itself, without a key pressed.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/tmux.sh"
. "$KD_TOP/tests/lib/portal.sh"
. "$KD_TOP/tests/lib/wizard_now.sh"
trap 'tui_stop; portal_stop_all' EXIT
T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/c.yaml
PORT=$(portal_free_port)
BASE=http://localhost:$PORT/activate/
cat >"$CFG" <<EOC
relying_party: {id: localhost, name: "Example Org"}
activation: {base_url: "$BASE"}
EOC
kd group list >/dev/null 2>&1
portal_start "$PORT" "$CFG" "$T/serve.log" || { echo "not ok - keydesk serve starts"; exit 1; }

tui_start "$KEYDESK" --config "$CFG" --db "$DB"
tui_wait "Users" >/dev/null
wizard_to_confirm M1 "Mia Mobile" mia phone
tui_keys Enter
check "the QR screen" tui_wait "Scan with the phone's camera"
tui_screen >"$T/qr.txt"
link=$(/usr/bin/python3 "$KD_TOP/tests/lib/qr_decode.py" "$T/qr.txt")
code=$(grep -Eo '\b[A-HJ-NP-TV-Z2-9]{5}-[A-HJ-NP-TV-Z2-9]{5}\b' "$T/qr.txt" | head -n 1)
case "$link" in "$BASE"*) ok=0 ;; *) ok=1 ;; esac
check "the QR code decodes to a link on the portal" test "$ok" -eq 0
check "the code is on the screen" test -n "$code"
check "the key is pending while the code shows" test "$(kd key list M1 --json | json_get /dev/stdin 'd[0]["status"]')" = pending

/usr/bin/python3 "$KD_TOP/tests/e2e/portal_phone.py" "$link" "$code" >"$T/phone" 2>"$T/phone.err"
check "the phone registers its passkey on the portal" grep -q '^Active' "$T/phone"
check "the same TUI screen turns Active by itself" \
    tui_wait "The key is active: the phone registered its passkey." 3
check "then Done, no key pressed" tui_wait "Active (activated on the phone)" 3
cred=$(sed -n 2p "$T/phone")
check "the stored credential is the phone's" \
    test "$(kd key list M1 --json | json_get /dev/stdin 'd[0]["credential_id"]')" = "$cred"
check "the user is Active" test "$(kd user show M1 --json | json_get /dev/stdin 'd["status"]')" = active
audited() { kd audit --user M1 | grep -q 'portal.*key.activate'; }
check "the audit log says the portal activated it" audited
e2e_done
