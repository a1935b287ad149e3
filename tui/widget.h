/* Widgets, one per file (after dialog): a text field, a toggle, a radio
 * choice, a multi-select list, a table, the key bar and a modal dialog.
 * Each takes translated keys and returns what happened; none of them
 * touches the wizard, the store or another widget. */
#ifndef KD_TUI_WIDGET_H
#define KD_TUI_WIDGET_H

#include <stddef.h>
#include <wchar.h>

#include "tui/keys.h"
#include "tui/term.h"

enum tui_wret {
	TUI_W_UNHANDLED = 0,	/* not for this widget: the caller decides */
	TUI_W_HANDLED,		/* consumed, nothing the caller must do */
	TUI_W_CHANGED,		/* the value changed */
	TUI_W_ACTIVATE,		/* Enter on it */
	TUI_W_YES,		/* dialog answered yes / ok */
	TUI_W_NO,		/* dialog answered no / dismissed */
};

/* Text field (field.c): one line of UTF-8 text with a cursor and
 * horizontal scrolling. */
#define TUI_FIELD_MAX 256
struct tui_field {
	wchar_t		 buf[TUI_FIELD_MAX + 1];
	size_t		 len, cur, scroll, max;
	const char	*placeholder;
	int		 full;		/* the last key hit max: say so */
};
void	field_init(struct tui_field *, size_t max, const char *placeholder);
void	field_set(struct tui_field *, const char *utf8);
void	field_get(const struct tui_field *, char *, size_t);
enum tui_wret field_key(struct tui_field *, const struct tui_key *);
void	field_draw(struct tui_field *, int y, int x, int width, int focused);
/* A labelled field on row y with its error (if any) on the row below, in
 * the error colour, right under the input. */
void	field_draw_row(struct tui_field *, int y, const char *label,
	    int focused, const char *error);

/* Toggle (toggle.c): "[x] label". */
enum tui_wret toggle_key(int *on, const struct tui_key *);
void	toggle_draw(int y, int x, int width, const char *label, int on,
	    int focused);

/* Radio choice (radio.c): one of n options, some possibly unavailable. */
struct tui_radio {
	const char	*labels[8];
	int		 enabled[8];
	int		 n, sel, cur;
};
void	radio_init(struct tui_radio *);
void	radio_add(struct tui_radio *, const char *label, int enabled);
/* Up/Down move, Space selects; Up on the first or Down on the last
 * option is left to the caller (to move to the next widget). */
enum tui_wret radio_key(struct tui_radio *, const struct tui_key *);
void	radio_draw(const struct tui_radio *, int y, int x, int width,
	    int focused);

/* Multi-select list (listbox.c). */
struct tui_listbox {
	char		**items;
	int		*checked;
	size_t		 n, cur, top;
	const char	*empty;		/* shown when there are no items */
};
void	listbox_clear(struct tui_listbox *);
int	listbox_add(struct tui_listbox *, const char *, int checked);
enum tui_wret listbox_key(struct tui_listbox *, const struct tui_key *);
void	listbox_draw(struct tui_listbox *, int y, int x, int width,
	    int height, int focused);

/* Table (table.c): rows come from a callback; a selected row; scrolls. */
struct tui_column {
	const char	*title;
	int		 width;		/* 0: what is left */
};
typedef const char *(*tui_cell_fn)(void *arg, size_t row, int col,
    attr_t *);
struct tui_table {
	const struct tui_column *cols;
	int		 ncols;
	size_t		 n, cur, top;
	tui_cell_fn	 cell;
	void		*arg;
	int		 page_keys;	/* PgUp/PgDn move within the table */
};
/* Columns, the cell callback and its argument; page_keys as above. */
void	table_init(struct tui_table *, const struct tui_column *, int ncols,
	    tui_cell_fn, void *arg, int page_keys);
/* Up/Down/Home/End (and PgUp/PgDn with page_keys) move; Enter is
 * TUI_W_ACTIVATE; Down on the last row is TUI_W_UNHANDLED. */
enum tui_wret table_key(struct tui_table *, const struct tui_key *,
	    int height);
void	table_draw(struct tui_table *, int y, int x, int width, int height);

/* Key bar (keybar.c) on the bottom line. */
struct tui_keyhint {
	const char	*key;
	const char	*label;
};
#define KEYBAR_MAX 32
void	keybar_draw(const struct tui_keyhint *, size_t n);
/* The same hints as a column, one a row from (y, x) in `width` columns,
 * for a screen whose bottom line is taken (the QR code); F1 lists them
 * as it lists a key bar's.  Returns the rows used. */
int	keybar_column_draw(int y, int x, int width,
	    const struct tui_keyhint *, size_t n);
/* Every hint the last keybar_draw was given, fitted or not (F1 help). */
size_t	keybar_last(const struct tui_keyhint **);

/* Modal dialog (dialog.c): a yes/no question (default No) or a message. */
struct tui_dialog {
	int		 open;
	int		 confirm;
	char		 title[64];
	char		 text[640];
};
void	dialog_confirm(struct tui_dialog *, const char *title,
	    const char *text);
void	dialog_message(struct tui_dialog *, const char *title,
	    const char *text);
enum tui_wret dialog_key(struct tui_dialog *, const struct tui_key *);
void	dialog_draw(const struct tui_dialog *);

/* Word wrap (wrap.c) for dialogs and notes: draws `s` in the box
 * (y, x, width, height); returns the rows used. */
int	tui_wrap_draw(int y, int x, int width, int height, attr_t,
	    const char *s);

#endif
