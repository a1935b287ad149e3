/* Multi-select list: "[x] item" rows with a cursor, scrolling to keep the
 * cursor in view.  The list owns copies of its item strings. */
#include "tui/widget.h"
#include "tui/draw.h"

#include <stdlib.h>
#include <string.h>

void
listbox_clear(struct tui_listbox *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	free(l->checked);
	l->items = NULL;
	l->checked = NULL;
	l->n = l->cur = l->top = 0;
}

int
listbox_add(struct tui_listbox *l, const char *s, int checked)
{
	char **items;
	int *chk;

	if ((items = realloc(l->items, (l->n + 1) * sizeof(*items))) == NULL)
		return KD_ERR_NOMEM;
	l->items = items;
	if ((chk = realloc(l->checked, (l->n + 1) * sizeof(*chk))) == NULL)
		return KD_ERR_NOMEM;
	l->checked = chk;
	if ((l->items[l->n] = kd_strdup(s)) == NULL)
		return KD_ERR_NOMEM;
	l->checked[l->n++] = checked;
	return KD_OK;
}

enum tui_wret
listbox_key(struct tui_listbox *l, const struct tui_key *k)
{
	switch (k->act) {
	case TUI_K_UP:
		if (l->cur == 0)
			return TUI_W_UNHANDLED;
		l->cur--;
		return TUI_W_HANDLED;
	case TUI_K_DOWN:
		if (l->cur + 1 >= l->n)
			return TUI_W_UNHANDLED;
		l->cur++;
		return TUI_W_HANDLED;
	case TUI_K_HOME:
		l->cur = 0;
		return TUI_W_HANDLED;
	case TUI_K_END:
		l->cur = l->n > 0 ? l->n - 1 : 0;
		return TUI_W_HANDLED;
	case TUI_K_SPACE:
		if (l->n == 0)
			return TUI_W_HANDLED;
		l->checked[l->cur] = !l->checked[l->cur];
		return TUI_W_CHANGED;
	default:
		return TUI_W_UNHANDLED;
	}
}

void
listbox_draw(struct tui_listbox *l, int y, int x, int width, int height,
    int focused)
{
	size_t i;
	attr_t a;

	if (height <= 0)
		return;
	if (l->n == 0) {
		tui_text(y, x, width, tui_attr(TUI_DIM), l->empty ? l->empty : "");
		return;
	}
	if (l->cur < l->top)
		l->top = l->cur;
	if (l->cur >= l->top + (size_t)height)
		l->top = l->cur - (size_t)height + 1;
	for (i = l->top; i < l->n && i < l->top + (size_t)height; i++) {
		a = focused && i == l->cur ? tui_attr(TUI_SELECTED) : A_NORMAL;
		tui_fill(y + (int)(i - l->top), x, width, a);
		tui_textf(y + (int)(i - l->top), x, width, a, "[%s] %s",
		    l->checked[i] ? "x" : " ", l->items[i]);
	}
	/* Say there is more than fits, where the eye already is. */
	if (l->top > 0)
		tui_text(y, x + width - 1, 1, tui_attr(TUI_DIM), "^");
	if (i < l->n)
		tui_text(y + height - 1, x + width - 1, 1, tui_attr(TUI_DIM), "v");
	if (focused)
		tui_cursor_want(y + (int)(l->cur - l->top), x + 1);
}
