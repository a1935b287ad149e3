/* The one place that wraps curses set-up and tear-down, and colours named
 * by what they mean (after htop's CRT.c).  Every other file draws with
 * tui_attr(role) and never picks a colour itself. */
#ifndef KD_TUI_TERM_H
#define KD_TUI_TERM_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#include "core/kd.h"

#define TUI_MIN_COLS 80
#define TUI_MIN_ROWS 24

enum tui_role {
	TUI_NORMAL = 0,
	TUI_TITLE,	/* the header line */
	TUI_SELECTED,	/* the selected row of a list or table */
	TUI_ERROR,	/* field errors, failures */
	TUI_OK,		/* active, sent, done */
	TUI_WARN,	/* pending, queued, "not supported yet" */
	TUI_DIM,	/* read-only values, placeholders, hints */
	TUI_KEYBAR,	/* the bottom key bar's labels */
	TUI_KEYBAR_KEY,	/* the key names in it */
	TUI_FIELD,	/* a text field's input area */
	TUI_FIELD_FOCUS,	/* the same, while the cursor is in it */
	TUI_DIALOG,	/* a modal dialog's box */
	TUI_QR,		/* a QR code's blocks: dark modules on light, in any
			 * terminal (black on white; plain without colours) */
	TUI_NROLES
};

/* Installs SIGTERM/SIGHUP handlers (before curses, so curses leaves them
 * alone), sets the locale and starts curses in raw mode.  Fails cleanly,
 * without exiting, when stdin/stdout is not a terminal. */
int	tui_term_start(struct kd_err *);
/* Ends curses and puts the terminal back; safe to call twice. */
void	tui_term_end(void);
/* The signal that asked us to stop (SIGTERM, SIGHUP), or 0. */
int	tui_term_signalled(void);
/* Below 80x24 screens are not drawn; their state is kept. */
int	tui_term_too_small(void);
int	tui_term_has_colour(void);

attr_t	tui_attr(enum tui_role);
/* Places the hardware cursor where the focused field wants it after a
 * frame is drawn; hidden when no field asked for it. */
void	tui_cursor_want(int y, int x);
void	tui_cursor_place(void);
/* The last frame showed a text cursor (a field has the focus): `?` is
 * then a character, not help. */
int	tui_cursor_shown(void);

#endif
