/* The bottom key bar: "Tab Next field  Enter Next  Esc Cancel".  Hints
 * that do not fit are dropped from the end, so the first ones should be
 * the ones an operator needs most. */
#include "tui/widget.h"
#include "tui/draw.h"

void
keybar_draw(const struct tui_keyhint *h, size_t n)
{
	int y = LINES - 1, x = 0, need;
	size_t i;

	tui_fill(y, 0, COLS, tui_attr(TUI_KEYBAR));
	for (i = 0; i < n; i++) {
		need = tui_text_width(h[i].key) + 1 + tui_text_width(h[i].label);
		if (x + need > COLS)
			break;
		x += tui_text(y, x, COLS - x, tui_attr(TUI_KEYBAR_KEY), h[i].key);
		x += tui_text(y, x, COLS - x, tui_attr(TUI_KEYBAR), " ");
		x += tui_text(y, x, COLS - x, tui_attr(TUI_KEYBAR), h[i].label);
		x += 2;
	}
}
