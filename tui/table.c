/* Table: a header row and rows from a callback, one of them selected,
 * scrolled so the selection stays in view.  Cells are drawn through
 * tui_text, so whatever the callback returns is sanitised and cut. */
#include "tui/widget.h"
#include "tui/draw.h"

#include <string.h>

static enum tui_wret
table_move(struct tui_table *t, long by)
{
	long c = (long)t->cur + by;

	if (t->n == 0)
		return TUI_W_HANDLED;
	if (c < 0)
		c = 0;
	if (c >= (long)t->n)
		c = (long)t->n - 1;
	t->cur = (size_t)c;
	return TUI_W_HANDLED;
}

void
table_init(struct tui_table *t, const struct tui_column *cols, int ncols,
    tui_cell_fn cell, void *arg, int page_keys)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols;
	t->cell = cell;
	t->arg = arg;
	t->page_keys = page_keys;
}

enum tui_wret
table_key(struct tui_table *t, const struct tui_key *k, int height)
{
	long page = height > 2 ? height - 2 : 1;

	switch (k->act) {
	case TUI_K_UP:
		return t->cur == 0 ? TUI_W_UNHANDLED : table_move(t, -1);
	case TUI_K_DOWN:
		return t->cur + 1 >= t->n ? TUI_W_UNHANDLED : table_move(t, 1);
	case TUI_K_HOME:
		return table_move(t, -(long)t->n);
	case TUI_K_END:
		return table_move(t, (long)t->n);
	case TUI_K_PGUP:
		return t->page_keys ? table_move(t, -page) : TUI_W_UNHANDLED;
	case TUI_K_PGDN:
		return t->page_keys ? table_move(t, page) : TUI_W_UNHANDLED;
	case TUI_K_ENTER:
		return t->n > 0 ? TUI_W_ACTIVATE : TUI_W_HANDLED;
	default:
		return TUI_W_UNHANDLED;
	}
}

static int
column_width(const struct tui_table *t, int c, int width)
{
	int i, used = 0;

	if (t->cols[c].width > 0)
		return t->cols[c].width;
	for (i = 0; i < t->ncols; i++)
		if (i != c)
			used += t->cols[i].width + 1;
	return width - used > 1 ? width - used : 1;
}

static void
table_row(struct tui_table *t, size_t r, int y, int x, int width)
{
	attr_t sel = tui_attr(TUI_SELECTED), a;
	const char *s;
	int c, cx = x, cw;

	if (r == t->cur)
		tui_fill(y, x, width, sel);
	for (c = 0; c < t->ncols && cx < x + width; c++) {
		cw = column_width(t, c, width);
		if (cx + cw > x + width)
			cw = x + width - cx;
		a = A_NORMAL;
		s = t->cell(t->arg, r, c, &a);
		/* The selection wins over a cell's own colour, but keeps
		 * its boldness so a status still stands out. */
		if (r == t->cur)
			a = sel | (a & A_BOLD);
		tui_text(y, cx, cw, a, s ? s : "");
		cx += cw + 1;
	}
}

void
table_draw(struct tui_table *t, int y, int x, int width, int height)
{
	size_t r, rows = height > 1 ? (size_t)height - 1 : 0;
	int c, cx = x, cw;

	for (c = 0; c < t->ncols; c++) {
		cw = column_width(t, c, width);
		tui_text(y, cx, cw, A_BOLD | A_UNDERLINE, t->cols[c].title);
		cx += cw + 1;
	}
	if (t->cur >= t->n)
		t->cur = t->n > 0 ? t->n - 1 : 0;
	if (t->cur < t->top)
		t->top = t->cur;
	if (rows > 0 && t->cur >= t->top + rows)
		t->top = t->cur - rows + 1;
	for (r = t->top; r < t->n && r < t->top + rows; r++)
		table_row(t, r, y + 1 + (int)(r - t->top), x, width);
}
