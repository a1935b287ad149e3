/* F1 or ?: every key of the screen below, as its key bar was given them (the
 * bar drops what does not fit at 80 columns).  Any key closes it. */
#include "tui/screen.h"
#include "tui/draw.h"
#include "tui/widget.h"

#include <stdlib.h>
#include <string.h>

struct help {
	struct tui_screen	 base;
	struct tui_keyhint	 hints[KEYBAR_MAX];
	size_t			 n;
};

static void
help_draw(struct tui_screen *sc, const struct tui_app *app)
{
	static const struct tui_keyhint keys[] = { { "Esc", "Close" } };
	struct help *s = (struct help *)sc;
	int y = TUI_TOP, col = 0, x, w = 0;
	size_t k;

	(void)app;
	tui_header_draw("Keys on this screen", NULL);
	for (k = 0; k < s->n; k++)
		if (tui_text_width(s->hints[k].key) > w)
			w = tui_text_width(s->hints[k].key);
	/* Two columns when one does not hold them all. */
	for (k = 0; k < s->n; k++) {
		if (y > TUI_BOTTOM) {
			if (col == 1)
				break;
			col = 1;
			y = TUI_TOP;
		}
		x = 2 + col * (COLS / 2);
		tui_text(y, x, w, A_BOLD, s->hints[k].key);
		tui_text(y, x + w + 2, COLS / 2 - w - 4, A_NORMAL,
		    s->hints[k].label);
		y++;
	}
	if (s->n == 0)
		tui_text(TUI_TOP, 2, COLS - 4, tui_attr(TUI_DIM),
		    "This screen has no keys of its own.");
	if (y <= TUI_BOTTOM && col == 0 && s->n > 0)
		tui_text(y + 1, 2, COLS - 4, tui_attr(TUI_DIM), "F1 or ? (when "
		    "no field is being typed in) shows this on any screen.");
	tui_status_draw(TUI_DIM, "Press any key to go back.");
	keybar_draw(keys, KD_NELEM(keys));
}

static enum tui_do
help_key(struct tui_screen *sc, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	(void)sc;
	(void)app;
	(void)next;
	return k->act == TUI_K_NONE ? TUI_STAY : TUI_POP;
}

static void
help_free(struct tui_screen *sc)
{
	free(sc);
}

static const struct tui_screen_ops help_ops = {
	.name = "help",
	.draw = help_draw,
	.key = help_key,
	.free = help_free,
};

struct tui_screen *
tui_help_new(void)
{
	const struct tui_keyhint *h;
	struct help *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->base.ops = &help_ops;
	s->n = keybar_last(&h);
	if (s->n > 0)
		memcpy(s->hints, h, s->n * sizeof(*h));
	return &s->base;
}
