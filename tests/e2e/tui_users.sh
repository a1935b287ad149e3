#!/bin/sh
# The users list and the other screens in tmux at 80x24: search as you type
# among a few hundred users, keyset paging, user details, hostile names
# drawn harmlessly, the groups screen, the outbox and "deliver now", and
# the monochrome fallback.
. "$(dirname "$0")/../lib/e2e.sh"
. "$KD_TOP/tests/lib/tmux.sh"
. "$KD_TOP/tests/lib/smtpd.sh"
trap 'tui_stop; smtpd_stop' EXIT

T=$(e2e_dir)
DB=$T/kd.db
CFG=$T/config.yaml
tui_config "$CFG"
kd group add Engineering >/dev/null
kd user add --id Q1 --name "Quentin Zyx" --email quentin@example.com \
    --username quentin --group Engineering --key card --key-name "Q card" \
    --activate email --default-settings >/dev/null 2>&1
# 400 more users straight into the database (the CLI would take minutes
# under ASan), with the words of their names (what store_user_insert
# adds: the counts come from triggers), and one whose name carries terminal escape sequences and a
# bidi override, which the CLI and the wizard refuse.
sqlite3 "$DB" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
    WHERE i < 400) INSERT INTO users (user_id, username, name, email,
    created_at, updated_at) SELECT printf('U%04d', i), printf('user%04d', i),
    printf('Person %04d', i), printf('p%04d@example.com', i), 0, 0 FROM n;
    INSERT INTO users (user_id, username, name, email, created_at, updated_at)
    VALUES ('EVIL', 'evil', 'Mallory ' || char(27) || '[2J' || char(27) ||
    ']0;pwned' || char(7) || char(27) || '[31mred ' || char(8238) || 'txt',
    'evil@example.com', 0, 0);
    INSERT INTO user_words SELECT 'person', id FROM users
    WHERE id BETWEEN 2 AND 401;
    INSERT INTO user_words SELECT printf('%04d', id - 1), id FROM users
    WHERE id BETWEEN 2 AND 401;
    INSERT INTO user_words SELECT 'mallory', id FROM users
    WHERE user_id = 'EVIL';"

tui_start "$KEYDESK" --config "$CFG" --db "$DB"
check "list shows the users" tui_wait "402 users"
check "first page sorted by name" tui_has "Person 0001"
check "status column" tui_has "No key"
# At 80 columns the key bar cannot hold every hint: it ends in F1, and F1
# lists them all (the ones dropped from the bar too).
check "key bar offers F1 for the keys that do not fit" tui_has "F1 All keys"
tui_keys F1
check "F1: every key of the users list" tui_wait "Keys on this screen"
check "F1: a key the bar had no room for" tui_has "Audit"
check "F1: and one it showed" tui_has "Search"
tui_keys Escape
check "F1 closes with any key" tui_wait "402 users"
tui_keys NPage
check "PgDn: next page" tui_wait "Page 2"
check "PgDn: keyset page shows later users" tui_has "Person 0020"
check "PgDn: earlier users gone" tui_lacks "Person 0001"
tui_keys NPage
tui_wait "Page 3" >/dev/null
tui_keys PPage PPage
check "PgUp twice: first page again" tui_wait "Page 1"
check "PgUp: first user back" tui_has "Person 0001"

tui_keys /
tui_type "Qu"
check "search as you type: one letter at a time" tui_wait "Quentin Zyx"
check "search: others filtered out" tui_lacks "Person 0001"
check "search: pending status shown" tui_has "Pending Q1"
tui_type "x"
check "search: no match says so" tui_wait "No users match"
tui_keys BSpace
tui_wait "Quentin Zyx" >/dev/null
tui_keys Enter Enter
check "details: opened from the search" tui_wait "User details"
check "details: groups" tui_has "Engineering"
check "details: key with type, name and status" \
    tui_wait_re 'Contactless Card +Q card +Pending'
check "details: key settings" tui_has "Offline Login off, PINless"
tui_keys Escape
check "Esc: back to the list, search kept" tui_wait "Quentin Zyx"
tui_keys /
tui_type "Person 0001"
check "/ starts a new search (not appended to the old one)" \
    tui_wait "Person 0001"
check "/: the old search is gone" tui_lacks "Quentin Zyx"
tui_keys Enter C-u
tui_keys /
tui_type "Qu"
tui_wait "Quentin Zyx" >/dev/null
tui_keys Enter
tui_keys Escape
check "Esc clears the search" tui_wait "Person 0001"

# Status filter: Tab cycles All -> No key -> Pending.
tui_keys Tab Tab
check "status filter Pending" tui_wait "Status: Pending"
check "status filter shows only pending users" tui_has "Quentin Zyx"
check "status filter: its count kept by the store" tui_has "1 of 402 users"
check "status filter hides users without keys" tui_lacks "Person 0001"
tui_keys Tab Tab
tui_wait "Status: All" >/dev/null
tui_keys f
check "group filter" tui_wait "Group: Engineering"
check "group filter shows members only" tui_has "Quentin Zyx"
check "group filter hides the rest" tui_lacks "Person 0001"
tui_keys f
tui_wait "Group: All" >/dev/null

# The hostile name: drawn with '?' for the controls, screen intact.
tui_keys /
tui_type Mall
check "escape sequences drawn harmlessly" tui_wait "Mallory ?[2J?]0;pw"
check "screen not cleared by the name" tui_has "keydesk  Users"
check "key bar intact" tui_has "Enter To the list"
tui_keys Enter Enter
check "details draw the name harmlessly" tui_wait "Mallory ?[2J?]0;pwned??[31mred ?txt"
tui_keys Escape Escape

# Search by any word of the name, case and accents folded, with the
# count of what matched beside the total.
tui_keys /
tui_type "ZYX"
check "search: a surname finds the user" tui_wait "Quentin Zyx"
check "search: N of TOTAL when the page tells" tui_has "1 of 402 users"
tui_keys Escape
tui_wait "Person 0001" >/dev/null
tui_keys /
tui_type "pers"
check "search: 50+ of TOTAL when more pages follow" tui_wait_re '[0-9]+\+ of 402 users'
tui_keys Escape
tui_wait "Person 0001" >/dev/null
# Another process adds a user: the list and its count follow by
# themselves (PRAGMA data_version on the tick), no key pressed.
kd user add --id M1 --name "Jörg Müller" --email jm@example.com \
    --username jmuller >/dev/null 2>&1
check "live: another process's user counted" tui_wait "403 users" 3
tui_keys /
tui_type "muller"
check "search: accents folded (muller finds Müller)" tui_wait "Jörg Müller"
tui_keys Escape
tui_wait "Person 0001" >/dev/null
kd user delete M1 >/dev/null 2>&1
check "live: a deleted user leaves the count" tui_wait "402 users" 3

# Groups screen: counts and create.
tui_keys g
check "groups screen" tui_wait "Members"
check "groups: member count" tui_wait_re 'Engineering +1 '
tui_keys n
tui_type "Night shift"; tui_keys Enter
check "groups: created" tui_wait "Created group Night shift"
check "groups: listed" tui_has "2 groups"
tui_keys Escape
tui_wait "402 users" >/dev/null
tui_keys q
tui_wait "[tui exited 0" >/dev/null
tui_stop
check "group created in the database" sh -c "'$KEYDESK' --config '$CFG' --db '$DB' group list | grep -q 'Night shift'"

# Outbox: without SMTP the mail waits and says why; with SMTP "d" sends.
tui_start "$KEYDESK" --config "$CFG" --db "$DB"
tui_wait "402 users" >/dev/null
tui_keys o
check "outbox: queued row" tui_wait "queued quentin@example.com"
check "outbox: no SMTP notice" tui_has "no SMTP configured"
check "outbox: a row says which key, when and the next try" \
    tui_wait_re 'queued +quentin@example.com +#[0-9]+ link +[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} +(now|[0-9]{2}-)'
check "outbox: the columns" tui_wait_re 'Status +To +Key +Queued +Next try'
tui_keys d
check "outbox: deliver now without SMTP" tui_wait "waiting in the outbox: no SMTP configured"
tui_keys q
tui_wait "[tui exited 0" >/dev/null
tui_stop
smtpd_start "$T/mail" || echo "not ok - smtp sink starts"
tui_config "$CFG" "$SMTPD_URL"
tui_start "$KEYDESK" --config "$CFG" --db "$DB"
tui_wait "402 users" >/dev/null
tui_keys o
tui_wait "queued" >/dev/null
tui_keys d
check "outbox: deliver now sends in the worker" tui_wait "Queued 0   Sent 1"
check "outbox: row marked sent" tui_wait_re '^ sent +quentin@example.com'
check "outbox: sent at" tui_wait_re 'sent [0-9]{2}:[0-9]{2}'
check "outbox: the server got it" test "$(smtpd_count "$T/mail")" = 1
tui_keys C-c
check "Ctrl-C on the list quits cleanly" tui_wait "[tui exited 0; stty: icanon echo"
tui_stop

# Colour by default; NO_COLOR gives the monochrome fallback.
has_colour() { tui_screen_attrs | grep -q "$(printf '\033')\\[[0-9;]*4[0-7]m"; }
tui_start "$KEYDESK" --config "$CFG" --db "$DB"
tui_wait "402 users" >/dev/null
check "colour terminal: colours used" has_colour
tui_stop
NO_COLOR=1 tui_start "$KEYDESK" --config "$CFG" --db "$DB"
tui_wait "402 users" >/dev/null
no_colour() { ! has_colour; }
check "NO_COLOR: no colours" no_colour
check "NO_COLOR: header in reverse video" sh -c "$TUI_TMUX capture-pane -p -e | head -n 1 | grep -q '7m'"
tui_stop

e2e_done
