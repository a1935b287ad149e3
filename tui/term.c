/* Terminal set-up, tear-down and colours.  Signals: raw() turns Ctrl-C,
 * Ctrl-Z and Ctrl-\ into keys; SIGTERM and SIGHUP (the SSH session went
 * away) only set a flag here, and the screen loop, which never blocks for
 * long, ends curses on its normal path.  endwin() in a handler is not
 * async-signal-safe. */
#include "tui/term.h"

#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;
static SCREEN *screen;
static int colour;
static int cursor_y = -1, cursor_x = -1;
static attr_t attrs[TUI_NROLES];

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static void
signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a read in getch returns and the loop sees the flag. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A dead SSH peer must not kill us in the middle of a write. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* Colour pairs by meaning; fg/bg -1 is the terminal's own. */
static const struct {
	enum tui_role	 role;
	short		 fg, bg;
	attr_t		 extra;
	attr_t		 mono;
} palette[] = {
	{ TUI_TITLE, COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE | A_BOLD },
	{ TUI_SELECTED, COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
	{ TUI_ERROR, COLOR_RED, -1, A_BOLD, A_BOLD },
	{ TUI_OK, COLOR_GREEN, -1, A_BOLD, A_BOLD },
	{ TUI_WARN, COLOR_YELLOW, -1, A_BOLD, A_UNDERLINE },
	{ TUI_DIM, COLOR_CYAN, -1, 0, A_NORMAL },
	{ TUI_KEYBAR, COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
	{ TUI_KEYBAR_KEY, COLOR_WHITE, COLOR_BLACK, A_BOLD, A_BOLD },
	{ TUI_FIELD, COLOR_WHITE, COLOR_BLUE, 0, A_UNDERLINE },
	{ TUI_FIELD_FOCUS, COLOR_BLACK, COLOR_WHITE, 0, A_UNDERLINE | A_BOLD },
	{ TUI_DIALOG, COLOR_BLACK, COLOR_WHITE, 0, A_REVERSE },
	{ TUI_QR, COLOR_BLACK, COLOR_WHITE, 0, A_NORMAL },
};

static void
colours_init(void)
{
	const char *nc = getenv("NO_COLOR");
	size_t i;

	colour = has_colors() && (nc == NULL || *nc == '\0');
	if (colour && start_color() == ERR)
		colour = 0;
	if (colour)
		use_default_colors();
	for (i = 0; i < KD_NELEM(palette); i++) {
		if (!colour) {
			attrs[palette[i].role] = palette[i].mono;
			continue;
		}
		init_pair((short)(i + 1), palette[i].fg, palette[i].bg);
		attrs[palette[i].role] = COLOR_PAIR(i + 1) | palette[i].extra;
	}
	attrs[TUI_NORMAL] = A_NORMAL;
}

int
tui_term_start(struct kd_err *e)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return kd_err_set(e, KD_ERR_IO, "the full-screen interface "
		    "needs a terminal (use a subcommand for scripts)");
	signals_install();
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");	/* numbers in files stay "1.5" */
	if ((screen = newterm(NULL, stdout, stdin)) == NULL)
		return kd_err_set(e, KD_ERR_IO, "cannot start the terminal "
		    "interface: unknown terminal type \"%s\"",
		    getenv("TERM") ? getenv("TERM") : "");
	set_term(screen);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);	/* Esc cancels at once, arrows still parse */
	curs_set(0);
	colours_init();
	return KD_OK;
}

void
tui_term_end(void)
{
	if (screen == NULL)
		return;
	curs_set(1);
	endwin();
	delscreen(screen);
	screen = NULL;
}

int
tui_term_signalled(void)
{
	return (int)stop_signal;
}

int
tui_term_too_small(void)
{
	return COLS < TUI_MIN_COLS || LINES < TUI_MIN_ROWS;
}

int
tui_term_has_colour(void)
{
	return colour;
}

attr_t
tui_attr(enum tui_role r)
{
	return (unsigned)r < TUI_NROLES ? attrs[r] : A_NORMAL;
}

/* Whether the last frame showed a text cursor: someone is typing. */
static int cursor_shown;

void
tui_cursor_want(int y, int x)
{
	cursor_y = y;
	cursor_x = x;
}

int
tui_cursor_shown(void)
{
	return cursor_shown;
}

void
tui_cursor_place(void)
{
	cursor_shown = cursor_y >= 0;
	if (cursor_y < 0) {
		curs_set(0);
		return;
	}
	move(cursor_y, cursor_x);
	curs_set(1);
	cursor_y = cursor_x = -1;
}
