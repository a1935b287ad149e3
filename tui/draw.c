/* Safe text drawing and the UTF-8 conversions it needs. */
#include "tui/draw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TEXT_MAX 4096

static size_t
utf8_decode_one(const unsigned char *p, wchar_t *out)
{
	unsigned c = p[0], n, i, cp, min;

	if (c < 0x80) {
		*out = (wchar_t)c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 1, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 2, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 3, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*out = (wchar_t)cp;
	return n + 1;
}

size_t
tui_utf8_to_wcs(const char *s, wchar_t *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = 0, k;

	if (outlen == 0)
		return 0;
	while (*p != '\0' && n + 1 < outlen) {
		if ((k = utf8_decode_one(p, &out[n])) == 0) {
			out[n] = L'?';
			k = 1;
		}
		p += k;
		n++;
	}
	out[n] = L'\0';
	return n;
}

size_t
tui_wcs_to_utf8(const wchar_t *w, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0, k;
	unsigned long c;
	char b[4];

	if (outlen == 0)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned long)w[i];
		if (c < 0x80) {
			b[0] = (char)c;
			k = 1;
		} else if (c < 0x800) {
			b[0] = (char)(0xc0 | (c >> 6));
			b[1] = (char)(0x80 | (c & 0x3f));
			k = 2;
		} else if (c < 0x10000) {
			b[0] = (char)(0xe0 | (c >> 12));
			b[1] = (char)(0x80 | ((c >> 6) & 0x3f));
			b[2] = (char)(0x80 | (c & 0x3f));
			k = 3;
		} else {
			b[0] = (char)(0xf0 | (c >> 18));
			b[1] = (char)(0x80 | ((c >> 12) & 0x3f));
			b[2] = (char)(0x80 | ((c >> 6) & 0x3f));
			b[3] = (char)(0x80 | (c & 0x3f));
			k = 4;
		}
		if (o + k >= outlen)
			break;
		memcpy(out + o, b, k);
		o += k;
	}
	out[o] = '\0';
	return o;
}

int
tui_wc_width(wchar_t c)
{
	int w = wcwidth(c);

	return w < 0 ? 1 : w;
}

/* Sanitises and decodes `s`, then keeps what fits in `width` columns. */
static size_t
text_fit(const char *s, int width, wchar_t *w, size_t wlen, int *cols)
{
	char clean[TEXT_MAX];
	size_t n, i, keep = 0;
	int used = 0, cw, ell = wcwidth(L'\u2026') == 1;

	kd_sanitize(s, clean, sizeof(clean));
	n = tui_utf8_to_wcs(clean, w, wlen);
	for (i = 0; i < n; i++) {
		if (wcwidth(w[i]) < 0)
			w[i] = L'?';
		cw = wcwidth(w[i]);
		if (cw == 0 && i == 0)
			w[i] = L'?', cw = 1;	/* a lone combining mark */
		if (used + cw > width)
			break;
		used += cw;
		keep = i + 1;
	}
	if (keep < n && width > 0) {
		/* Cut: make room for one column that says so. */
		while (keep > 0 && used + 1 > width)
			used -= wcwidth(w[--keep]);
		w[keep++] = ell ? L'\u2026' : L'~';
		used++;
	}
	w[keep] = L'\0';
	*cols = used;
	return keep;
}

int
tui_text(int y, int x, int width, attr_t a, const char *s)
{
	wchar_t w[TEXT_MAX];
	size_t n;
	int cols;

	if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + width > COLS)
		width = COLS - x;
	n = text_fit(s, width, w, KD_NELEM(w), &cols);
	attrset(a);
	mvaddnwstr(y, x, w, (int)n);
	attrset(A_NORMAL);
	return cols;
}

int
tui_text_pad(int y, int x, int width, attr_t a, const char *s)
{
	int used;

	if (x + width > COLS)
		width = COLS - x;
	used = tui_text(y, x, width, a, s);
	tui_fill(y, x + used, width - used, a);
	return width;
}

int
tui_textf(int y, int x, int width, attr_t a, const char *fmt, ...)
{
	char buf[TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return tui_text(y, x, width, a, buf);
}

int
tui_text_width(const char *s)
{
	wchar_t w[TEXT_MAX];
	int cols;

	text_fit(s, TEXT_MAX, w, KD_NELEM(w), &cols);
	return cols;
}

void
tui_fill(int y, int x, int width, attr_t a)
{
	if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
		return;
	if (x + width > COLS)
		width = COLS - x;
	attrset(a);
	mvhline(y, x, (chtype)' ' | a, width);
	attrset(A_NORMAL);
}
