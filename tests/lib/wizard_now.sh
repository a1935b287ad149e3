# tests/lib/wizard_now.sh — sourced after tmux.sh: the New User wizard
# driven to Confirm with "Activate now" (tui_tap.sh, tui_phone.sh,
# portal_tui.sh).

# wizard_to_confirm ID NAME USERNAME card|phone: the wizard with a
# Contactless Card or a Smartphone, default settings and "Activate now",
# up to Confirm.
wizard_to_confirm() {
	tui_keys n
	tui_wait "User information" >/dev/null || return 1
	tui_type "$1"; tui_keys Tab
	tui_type "$2"; tui_keys Tab
	tui_type "$3@example.com"; tui_keys Tab
	tui_type "$3"; tui_keys Enter
	tui_wait "Step 2 of" >/dev/null || return 1
	tui_keys Enter
	tui_wait "Assign a security key now" >/dev/null || return 1
	tui_keys Space
	tui_wait "[x] Assign a security key now" >/dev/null || return 1
	tui_keys Enter
	tui_wait "(*) Contactless Card" >/dev/null || return 1
	if [ "$4" = phone ]; then
		tui_keys Up
		tui_wait "(*) Smartphone" >/dev/null || return 1
	fi
	tui_keys Enter
	tui_wait "The defaults for this type" >/dev/null || return 1
	tui_keys Enter
	tui_wait "Method" >/dev/null || return 1
	tui_keys Tab Up
	if [ "$4" = phone ]; then
		tui_wait "(*) Activate now (the phone scans a QR code here)" \
		    >/dev/null || return 1
	else
		tui_wait "(*) Activate now" >/dev/null || return 1
		tui_has "tap the card on the reader" || return 1
	fi
	tui_keys Enter
	tui_wait "Check everything" >/dev/null
}
