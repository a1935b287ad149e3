/* The bottom key bar: "Tab Next field  Enter Next  Esc Cancel".  Hints
 * that do not fit are dropped from the end, so the first ones should be
 * the ones an operator needs most; then the bar ends in "F1 All keys",
 * and F1 (help.c) lists every hint the bar was given. */
#include "tui/widget.h"
#include "tui/draw.h"

#include <string.h>

static struct tui_keyhint last[KEYBAR_MAX];
static size_t nlast;

static int
hint_width(const struct tui_keyhint *h)
{
	return tui_text_width(h->key) + 1 + tui_text_width(h->label) + 2;
}

static int
hint_draw(int y, int x, const struct tui_keyhint *h)
{
	x += tui_text(y, x, COLS - x, tui_attr(TUI_KEYBAR_KEY), h->key);
	x += tui_text(y, x, COLS - x, tui_attr(TUI_KEYBAR), " ");
	x += tui_text(y, x, COLS - x, tui_attr(TUI_KEYBAR), h->label);
	return x + 2;
}

static void
keybar_remember(const struct tui_keyhint *h, size_t n)
{
	nlast = n < KEYBAR_MAX ? n : KEYBAR_MAX;
	if (nlast > 0)
		memcpy(last, h, nlast * sizeof(*h));
}

void
keybar_draw(const struct tui_keyhint *h, size_t n)
{
	static const struct tui_keyhint more = { "F1", "All keys" };
	int y = LINES - 1, x = 0, total = 0, room;
	size_t i;

	keybar_remember(h, n);
	for (i = 0; i < n; i++)
		total += hint_width(&h[i]);
	/* All fit (the last one's trailing gap may hang over the edge). */
	room = total - 2 <= COLS ? COLS + 2 : COLS - hint_width(&more) + 2;
	tui_fill(y, 0, COLS, tui_attr(TUI_KEYBAR));
	for (i = 0; i < n && x + hint_width(&h[i]) <= room; i++)
		x = hint_draw(y, x, &h[i]);
	if (i < n)
		hint_draw(y, x, &more);
}

int
keybar_column_draw(int y, int x, int width, const struct tui_keyhint *h,
    size_t n)
{
	int kw = 0, i;

	keybar_remember(h, n);
	for (i = 0; i < (int)n; i++)
		if (tui_text_width(h[i].key) > kw)
			kw = tui_text_width(h[i].key);
	for (i = 0; i < (int)n && kw + 2 < width; i++) {
		tui_text_pad(y + i, x, kw + 1, tui_attr(TUI_KEYBAR_KEY), h[i].key);
		tui_text_pad(y + i, x + kw + 1, width - kw - 1,
		    tui_attr(TUI_KEYBAR), h[i].label);
	}
	return i;
}

size_t
keybar_last(const struct tui_keyhint **out)
{
	*out = last;
	return nlast;
}
