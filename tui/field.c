/* Text field: UTF-8 line editing with a cursor, horizontal scrolling, a
 * placeholder and an inline error.  The text is kept as wide characters
 * so the cursor moves by character, and measured with wcwidth so wide
 * (CJK) and combining characters keep the cursor where it is drawn. */
#include "tui/widget.h"
#include "tui/draw.h"

#include <string.h>

#define LABEL_X 2
#define LABEL_W 18
#define INPUT_X (LABEL_X + LABEL_W + 1)

void
field_init(struct tui_field *f, size_t max, const char *placeholder)
{
	memset(f, 0, sizeof(*f));
	f->max = max == 0 || max > TUI_FIELD_MAX ? TUI_FIELD_MAX : max;
	f->placeholder = placeholder;
}

void
field_set(struct tui_field *f, const char *s)
{
	char clean[TUI_FIELD_MAX * 4 + 1];

	/* Whatever the draft or database holds, the field only ever holds
	 * characters that are safe to draw. */
	kd_sanitize(s, clean, sizeof(clean));
	f->len = tui_utf8_to_wcs(clean, f->buf, f->max + 1);
	f->cur = f->len;
	f->scroll = 0;
}

void
field_get(const struct tui_field *f, char *out, size_t outlen)
{
	tui_wcs_to_utf8(f->buf, f->len, out, outlen);
}

static int
insertable(wchar_t c)
{
	char u[8];

	/* The core's own idea of a control (C0, C1, bidi overrides). */
	tui_wcs_to_utf8(&c, 1, u, sizeof(u));
	return wcwidth(c) >= 0 && !kd_has_control(u);
}

static enum tui_wret
field_insert(struct tui_field *f, wchar_t c)
{
	if (f->len >= f->max) {
		f->full = 1;	/* silence here reads as a stuck keyboard */
		return TUI_W_HANDLED;
	}
	if (!insertable(c))
		return TUI_W_HANDLED;
	memmove(&f->buf[f->cur + 1], &f->buf[f->cur],
	    (f->len - f->cur) * sizeof(wchar_t));
	f->buf[f->cur++] = c;
	f->buf[++f->len] = L'\0';
	return TUI_W_CHANGED;
}

static enum tui_wret
field_erase(struct tui_field *f, size_t at)
{
	if (at >= f->len)
		return TUI_W_HANDLED;
	memmove(&f->buf[at], &f->buf[at + 1],
	    (f->len - at - 1) * sizeof(wchar_t));
	f->buf[--f->len] = L'\0';
	if (f->cur > at)
		f->cur--;
	return TUI_W_CHANGED;
}

enum tui_wret
field_key(struct tui_field *f, const struct tui_key *k)
{
	f->full = 0;
	switch (k->act) {
	case TUI_K_CHAR:
	case TUI_K_SPACE:
		return field_insert(f, k->ch);
	case TUI_K_BACKSPACE:
		return f->cur == 0 ? TUI_W_HANDLED : field_erase(f, f->cur - 1);
	case TUI_K_DELETE:
		return field_erase(f, f->cur);
	case TUI_K_LEFT:
		if (f->cur > 0)
			f->cur--;
		return TUI_W_HANDLED;
	case TUI_K_RIGHT:
		if (f->cur < f->len)
			f->cur++;
		return TUI_W_HANDLED;
	case TUI_K_HOME:
		f->cur = 0;
		return TUI_W_HANDLED;
	case TUI_K_END:
		f->cur = f->len;
		return TUI_W_HANDLED;
	case TUI_K_KILL_LINE:
		f->len = f->cur = f->scroll = 0;
		f->buf[0] = L'\0';
		return TUI_W_CHANGED;
	default:
		return TUI_W_UNHANDLED;
	}
}

static int
span_width(const struct tui_field *f, size_t from, size_t to)
{
	int w = 0;

	while (from < to)
		w += tui_wc_width(f->buf[from++]);
	return w;
}

void
field_draw(struct tui_field *f, int y, int x, int width, int focused)
{
	attr_t a = tui_attr(focused ? TUI_FIELD_FOCUS : TUI_FIELD);
	size_t end;
	int used;

	if (width < 2)
		return;
	/* Keep the cursor's cell inside the field. */
	if (f->cur < f->scroll)
		f->scroll = f->cur;
	while (f->scroll < f->cur && span_width(f, f->scroll, f->cur) >= width)
		f->scroll++;
	tui_fill(y, x, width, a);
	if (f->len == 0 && f->placeholder != NULL && !focused) {
		tui_text(y, x, width, tui_attr(TUI_DIM) | A_UNDERLINE,
		    f->placeholder);
	} else {
		for (end = f->scroll, used = 0; end < f->len; end++) {
			if (used + tui_wc_width(f->buf[end]) > width)
				break;
			used += tui_wc_width(f->buf[end]);
		}
		attrset(a);
		mvaddnwstr(y, x, &f->buf[f->scroll], (int)(end - f->scroll));
		attrset(A_NORMAL);
	}
	if (focused)
		tui_cursor_want(y, x + span_width(f, f->scroll, f->cur));
}

void
field_draw_row(struct tui_field *f, int y, const char *label, int focused,
    const char *error)
{
	int width = COLS - INPUT_X - 4;

	if (width > 50)
		width = 50;
	tui_text(y, LABEL_X, LABEL_W, focused ? A_BOLD : A_NORMAL, label);
	field_draw(f, y, INPUT_X, width, focused);
	if (error != NULL)
		tui_textf(y + 1, INPUT_X, COLS - INPUT_X - 1,
		    tui_attr(TUI_ERROR), "! %s", error);
	else if (f->full && focused)
		tui_textf(y + 1, INPUT_X, COLS - INPUT_X - 1,
		    tui_attr(TUI_WARN), "at most %zu characters", f->max);
}
