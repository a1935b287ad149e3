# tests/lib/tmux.sh — drive keydesk's TUI in a private tmux server (after
# tmux's own regress/ tests).  POSIX sh; source it after tests/lib/e2e.sh.
#
#   tui_start CMD [ARG...]  start CMD in a new detached 80x24 session on a
#                           private server (-L kd<pid>), LANG=C.UTF-8 and a
#                           colour TERM.  When CMD exits the pane stays and
#                           shows "[tui exited RC; stty: ...]" so a test can
#                           see the exit status and the restored terminal.
#   tui_keys KEY...         tmux send-keys (key names: Enter, Escape, C-c,
#                           Tab, BTab, Up, PPage, F2, ...)
#   tui_type TEXT           send TEXT literally (UTF-8 is fine)
#   tui_wait TEXT [SECS]    poll the screen every 50 ms until TEXT (a fixed
#                           string) is on it and the frame has settled; on
#                           timeout (default 10 s) print the screen to
#                           stderr and return 1
#   tui_wait_gone TEXT [SECS]  the same, until TEXT is no longer shown
#   tui_wait_re REGEX [SECS]   tui_wait for an extended regular expression
#   tui_screen              print the screen (capture-pane -p)
#   tui_resize W H          resize the window
#   tui_stop                kill the server (safe twice; put it in a trap)
#
# CMD's stderr goes to a file (shown when a tui_wait times out), so a
# message printed after curses ends cannot disturb the screen under test.
#
# Synchronisation is always by polling the screen, never by sleeping.

# PIDs repeat across PID namespaces sharing /tmp: add randomness.
TUI_SOCK=kd$$.$(od -An -N4 -tx4 /dev/urandom | tr -d " ")
TUI_TMUX="tmux -L $TUI_SOCK -f /dev/null"

# Quotes one argument for sh: 'it'\''s'.
tui_quote_() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# A --db path given to tui_start is created first when missing (with the
# --config given), as an operator would run keydesk init.
tui_init_db_() {
	_cfg= _db= _prev=
	for _a in "$@"; do
		case "$_prev" in
		--config) _cfg=$_a ;;
		--db) _db=$_a ;;
		esac
		_prev=$_a
	done
	[ -n "$_db" ] && [ ! -e "$_db" ] &&
	    "$KEYDESK" ${_cfg:+--config "$_cfg"} --db "$_db" init >/dev/null
	return 0
}

tui_start() {
	tui_init_db_ "$@"
	_dir=${KD_TESTTMP:-/tmp}
	_run=$(mktemp "$_dir/tui-run.XXXXXX") || return 1
	TUI_RUN=$_run
	{
		echo '#!/bin/sh'
		# The pane's environment is written out rather than inherited:
		# a tmux server keeps the environment of whoever started it.
		for _v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS NO_COLOR \
		    KEYDESK_FAKE_NOW HOME XDG_CONFIG_HOME XDG_DATA_HOME PATH; do
			eval "_val=\${$_v-__unset__}"
			[ "$_val" = __unset__ ] && continue
			printf 'export %s=%s\n' "$_v" "$(tui_quote_ "$_val")"
		done
		echo 'export LANG=C.UTF-8 LC_ALL=C.UTF-8'
		printf '%s' 'exec 2>>"$0.err"; '
		for _a in "$@"; do
			printf '%s ' "$(tui_quote_ "$_a")"
		done
		echo
		echo 'rc=$?'
		echo 'm=$(stty -a | tr " ;" "\n\n" | grep -E "^-?(icanon|echo)$" | tr "\n" " ")'
		echo 'printf "\n[tui exited %s; stty: %s]\n" "$rc" "$m"'
	} >"$_run"
	chmod +x "$_run"
	_term=screen-256color
	infocmp tmux-256color >/dev/null 2>&1 && _term=tmux-256color
	LANG=C.UTF-8 $TUI_TMUX start-server \; \
	    set-option -g default-terminal "$_term" \; \
	    set-option -g remain-on-exit on \; \
	    set-option -g history-limit 0 \; \
	    new-session -d -x 80 -y 24 "$_run"
}

tui_keys() {
	$TUI_TMUX send-keys "$@"
}

tui_type() {
	$TUI_TMUX send-keys -l -- "$1"
}

tui_screen() {
	LANG=C.UTF-8 $TUI_TMUX capture-pane -p
}

# tui_settle_: returns once two captures 50 ms apart are the same (at most
# about 1 s, for screens that animate).  TEXT can appear while curses is
# still writing the rest of its frame, and tmux shows a frame as it
# arrives: a check made on such a half-written screen can see old text,
# or text that an insert-character sequence has pushed past a field's end.
tui_settle_() {
	_prev=$(tui_screen 2>/dev/null) _k=0
	while [ "$_k" -lt 20 ]; do
		sleep 0.05
		_cur=$(tui_screen 2>/dev/null)
		[ "$_cur" = "$_prev" ] && return 0
		_prev=$_cur _k=$((_k + 1))
	done
	return 0
}

# tui_poll_ WANT F|E TEXT SECS: WANT 1 waits for TEXT (a fixed string, F,
# or an extended regular expression, E), 0 for it to go; then lets the
# frame settle.
tui_poll_() {
	_want=$1 _mode=$2 _text=$3 _n=$(( ${4:-10} * 20 ))
	while [ "$_n" -gt 0 ]; do
		if tui_screen 2>/dev/null | grep -q"$_mode" -- "$_text"; then
			[ "$_want" = 1 ] && { tui_settle_; return 0; }
		else
			[ "$_want" = 0 ] && { tui_settle_; return 0; }
		fi
		sleep 0.05
		_n=$((_n - 1))
	done
	{
		[ "$_want" = 1 ] && echo "tui_wait: \"$_text\" did not appear; screen:"
		[ "$_want" = 0 ] && echo "tui_wait_gone: \"$_text\" is still shown; screen:"
		tui_screen 2>&1 | sed 's/^/| /'
		if [ -s "${TUI_RUN:-}.err" ]; then
			echo "its stderr:"
			tail -n 20 "$TUI_RUN.err" | sed 's/^/| /'
		fi
	} >&2
	return 1
}

tui_wait() {
	tui_poll_ 1 F "$1" "${2:-10}"
}

tui_wait_gone() {
	tui_poll_ 0 F "$1" "${2:-10}"
}

tui_wait_re() {
	tui_poll_ 1 E "$1" "${2:-10}"
}

tui_resize() {
	$TUI_TMUX resize-window -x "$1" -y "$2"
}

tui_stop() {
	_sock=$($TUI_TMUX display-message -p '#{socket_path}' 2>/dev/null)
	$TUI_TMUX kill-server 2>/dev/null
	# tmux leaves the socket file behind after kill-server.
	[ -n "$_sock" ] && rm -f "$_sock"
	return 0
}

# tui_config FILE [SMTP_URL]: a keydesk config for TUI tests.  Card
# defaults are PINless with offline login off, so a test that picks PIN
# and offline login proves the custom settings were stored.
tui_config() {
	{
		echo 'relying_party: {id: keydesk.example.com}'
		echo 'activation: {base_url: "https://keydesk.example.com/activate/"}'
		[ -n "${2:-}" ] && printf 'smtp: {url: "%s", starttls: none, from: "keydesk <keydesk@example.com>"}\n' "$2"
		echo 'defaults:'
		echo '  card: {auditable: true, bluetooth_proximity: false, offline_login: false, verification: pinless}'
	} >"$1"
}

# tui_line_after PATTERN: the screen line right after the first line that
# contains PATTERN (for "the error is under this field").
tui_line_after() {
	tui_screen | awk -v p="$1" 'f { print; exit } index($0, p) { f = 1 }'
}

# tui_has TEXT / tui_lacks TEXT: whether the screen shows TEXT right now
# (use after a tui_wait has synchronised on the same frame).
tui_has() {
	tui_screen | grep -qF -- "$1"
}
tui_lacks() {
	! tui_screen | grep -qF -- "$1"
}

# tui_screen_attrs: the screen with its attributes as escape sequences
# (capture-pane -e), for colour / monochrome checks.
tui_screen_attrs() {
	LANG=C.UTF-8 $TUI_TMUX capture-pane -p -e
}
