/* Modal dialog: a yes/no question whose default is No, or a message.
 * The screen that owns it sends it keys first while it is open and draws
 * it last, so it sits on top of that screen. */
#include "tui/widget.h"
#include "tui/draw.h"

#include <stdio.h>
#include <string.h>

static void
dialog_open(struct tui_dialog *d, int confirm, const char *title,
    const char *text)
{
	d->open = 1;
	d->confirm = confirm;
	snprintf(d->title, sizeof(d->title), "%s", title);
	snprintf(d->text, sizeof(d->text), "%s", text);
}

void
dialog_confirm(struct tui_dialog *d, const char *title, const char *text)
{
	dialog_open(d, 1, title, text);
}

void
dialog_message(struct tui_dialog *d, const char *title, const char *text)
{
	dialog_open(d, 0, title, text);
}

enum tui_wret
dialog_key(struct tui_dialog *d, const struct tui_key *k)
{
	int c = tui_key_letter(k);

	if (!d->open || k->act == TUI_K_NONE || k->act == TUI_K_RESIZE)
		return TUI_W_UNHANDLED;
	if (!d->confirm) {
		if (k->act == TUI_K_ENTER || k->act == TUI_K_ESC ||
		    k->act == TUI_K_SPACE || k->act == TUI_K_CTRL_C) {
			d->open = 0;
			return TUI_W_YES;
		}
		return TUI_W_HANDLED;
	}
	if (c == 'y') {
		d->open = 0;
		return TUI_W_YES;
	}
	/* Anything that means "no" or "get me out" keeps the work. */
	if (c == 'n' || k->act == TUI_K_ENTER || k->act == TUI_K_ESC ||
	    k->act == TUI_K_CTRL_C) {
		d->open = 0;
		return TUI_W_NO;
	}
	return TUI_W_HANDLED;
}

void
dialog_draw(const struct tui_dialog *d)
{
	attr_t a = tui_attr(TUI_DIALOG);
	int w = COLS - 8 > 60 ? 60 : COLS - 8, h = 7, y, x, i;

	if (!d->open)
		return;
	y = (LINES - h) / 2;
	x = (COLS - w) / 2;
	for (i = 0; i < h; i++)
		tui_fill(y + i, x, w, a);
	attrset(a);
	mvaddch(y, x, ACS_ULCORNER);
	mvhline(y, x + 1, ACS_HLINE, w - 2);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvvline(y + 1, x, ACS_VLINE, h - 2);
	mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	attrset(A_NORMAL);
	tui_textf(y, x + 2, w - 4, a | A_BOLD, " %s ", d->title);
	tui_wrap_draw(y + 2, x + 2, w - 4, 2, a, d->text);
	tui_text(y + h - 2, x + 2, w - 4, a | A_BOLD,
	    d->confirm ? "y Yes   n No (Enter, Esc)" : "Enter OK");
}
