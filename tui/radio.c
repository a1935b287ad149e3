/* Radio choice: one of a few options; unavailable ones are shown dimmed
 * and cannot be chosen, so the operator sees what exists. */
#include "tui/widget.h"
#include "tui/draw.h"

#include <string.h>

void
radio_init(struct tui_radio *r)
{
	memset(r, 0, sizeof(*r));
}

void
radio_add(struct tui_radio *r, const char *label, int enabled)
{
	if (r->n >= (int)KD_NELEM(r->labels))
		return;
	r->labels[r->n] = label;
	r->enabled[r->n] = enabled;
	r->n++;
}

static int
radio_move(struct tui_radio *r, int dir)
{
	int i;

	for (i = r->cur + dir; i >= 0 && i < r->n; i += dir)
		if (r->enabled[i]) {
			r->cur = i;
			return 1;
		}
	return 0;
}

enum tui_wret
radio_key(struct tui_radio *r, const struct tui_key *k)
{
	switch (k->act) {
	case TUI_K_UP:
		return radio_move(r, -1) ? TUI_W_HANDLED : TUI_W_UNHANDLED;
	case TUI_K_DOWN:
		return radio_move(r, 1) ? TUI_W_HANDLED : TUI_W_UNHANDLED;
	case TUI_K_SPACE:
		if (r->cur < r->n && r->enabled[r->cur] && r->sel != r->cur) {
			r->sel = r->cur;
			return TUI_W_CHANGED;
		}
		return TUI_W_HANDLED;
	default:
		return TUI_W_UNHANDLED;
	}
}

void
radio_draw(const struct tui_radio *r, int y, int x, int width, int focused)
{
	attr_t a;
	int i;

	for (i = 0; i < r->n; i++) {
		a = !r->enabled[i] ? tui_attr(TUI_DIM) :
		    focused && i == r->cur ? tui_attr(TUI_SELECTED) : A_NORMAL;
		tui_textf(y + i, x, width, a, "(%s) %s",
		    i == r->sel ? "*" : " ", r->labels[i]);
	}
	if (focused)
		tui_cursor_want(y + r->cur, x + 1);
}
