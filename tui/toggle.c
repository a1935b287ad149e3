/* Toggle: an on/off choice drawn as a checkbox.  Space (or Enter, when
 * the caller does not use Enter for Next) flips it. */
#include "tui/widget.h"
#include "tui/draw.h"

enum tui_wret
toggle_key(int *on, const struct tui_key *k)
{
	if (k->act != TUI_K_SPACE)
		return TUI_W_UNHANDLED;
	*on = !*on;
	return TUI_W_CHANGED;
}

void
toggle_draw(int y, int x, int width, const char *label, int on, int focused)
{
	attr_t a = focused ? tui_attr(TUI_SELECTED) : A_NORMAL;

	tui_textf(y, x, width, a, "[%s] %s", on ? "x" : " ", label);
	if (focused)
		tui_cursor_want(y, x + 1);
}
