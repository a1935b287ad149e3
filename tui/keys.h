/* Keys are translated in one place (keys.c): widgets and screens see
 * actions, never raw curses codes, so a binding changes in one table. */
#ifndef KD_TUI_KEYS_H
#define KD_TUI_KEYS_H

#include <wchar.h>

enum tui_action {
	TUI_K_NONE = 0,		/* timeout: nothing was pressed */
	TUI_K_UP,
	TUI_K_DOWN,
	TUI_K_LEFT,
	TUI_K_RIGHT,
	TUI_K_TAB,
	TUI_K_BACKTAB,
	TUI_K_ENTER,
	TUI_K_ESC,
	TUI_K_BACKSPACE,
	TUI_K_DELETE,
	TUI_K_HOME,
	TUI_K_END,
	TUI_K_PGUP,
	TUI_K_PGDN,
	TUI_K_SPACE,
	TUI_K_CHAR,		/* a printable character in `ch` */
	TUI_K_CTRL_C,
	TUI_K_KILL_LINE,	/* Ctrl-U: clear the field */
	TUI_K_REDRAW,		/* Ctrl-L */
	TUI_K_RESIZE,
	TUI_K_F1, TUI_K_F2, TUI_K_F3, TUI_K_F4, TUI_K_F5,
	TUI_K_F6, TUI_K_F7, TUI_K_F8, TUI_K_F9, TUI_K_F10,
	TUI_K_OTHER,		/* a key keydesk does not use */
};

struct tui_key {
	enum tui_action	 act;
	wchar_t		 ch;	/* TUI_K_CHAR (and ' ' for TUI_K_SPACE) */
};

/* Waits up to `timeout_ms` (-1: forever) for a key. */
void	tui_key_read(int timeout_ms, struct tui_key *);
/* The letter of a TUI_K_CHAR key folded to lower case, or 0: screens use
 * letters as commands ('n', 'q') only where no text is being typed. */
int	tui_key_letter(const struct tui_key *);

#endif
