/* QR codes as lines of half blocks (core/qr.h), on libqrencode. */
#include "core/qr.h"

#include <errno.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#define QR_TEXT_MAX	1024

/* UTF-8 of the four cells: top and bottom module light or dark. */
static const char *const cells[4] = {
	" ",		/* both light */
	"\xe2\x96\x80",	/* U+2580 UPPER HALF BLOCK: top dark */
	"\xe2\x96\x84",	/* U+2584 LOWER HALF BLOCK: bottom dark */
	"\xe2\x96\x88",	/* U+2588 FULL BLOCK: both dark */
};

/* Whether module (x, y) of the bordered code is dark; the quiet zone and
 * anything past the edge are light. */
static int
qr_dark(const QRcode *c, int x, int y)
{
	x -= QR_QUIET;
	y -= QR_QUIET;
	if (x < 0 || y < 0 || x >= c->width || y >= c->width)
		return 0;
	return c->data[y * c->width + x] & 1;
}

static char *
qr_line(const QRcode *c, int row, int width)
{
	char *line, *p;
	const char *cell;
	int x, v;

	/* At most three bytes a column, and the NUL. */
	if ((line = malloc((size_t)width * 3 + 1)) == NULL)
		return NULL;
	for (x = 0, p = line; x < width; x++) {
		v = qr_dark(c, x, 2 * row) | qr_dark(c, x, 2 * row + 1) << 1;
		cell = cells[v];
		memcpy(p, cell, strlen(cell));
		p += strlen(cell);
	}
	*p = '\0';
	return line;
}

void
qr_free(struct kd_qr **qp)
{
	struct kd_qr *q;
	int i;

	if (qp == NULL || (q = *qp) == NULL)
		return;
	/* A link's token is in the code: wiped like the token. */
	for (i = 0; q->lines != NULL && i < q->height; i++)
		kd_free_secret(q->lines[i]);
	free(q->lines);
	free(q);
	*qp = NULL;
}

static QRcode *
qr_encode(const char *text, struct kd_err *e)
{
	QRcode *c;

	/* Version 0: the smallest that holds the text. */
	errno = 0;
	c = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	if (c == NULL)
		kd_err_set(e, errno == ENOMEM ? KD_ERR_NOMEM : KD_ERR_INVALID,
		    "cannot make a QR code of this text (%s)", errno == ERANGE ?
		    "too long" : errno == ENOMEM ? "out of memory" : "invalid");
	return c;
}

int
qr_render(const char *text, struct kd_qr **out, struct kd_err *e)
{
	struct kd_qr *q = NULL;
	QRcode *c = NULL;
	int r, i;

	*out = NULL;
	if (text == NULL || *text == '\0' || strlen(text) > QR_TEXT_MAX)
		return kd_err_set(e, KD_ERR_INVALID, "a QR code needs a text of "
		    "1 to %d bytes", QR_TEXT_MAX);
	if ((c = qr_encode(text, e)) == NULL)
		return e->code;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		goto nomem;
	q->version = c->version;
	q->modules = c->width;
	q->width = c->width + 2 * QR_QUIET;
	q->height = (q->width + 1) / 2;
	if ((q->lines = calloc((size_t)q->height, sizeof(*q->lines))) == NULL)
		goto nomem;
	for (i = 0; i < q->height; i++)
		if ((q->lines[i] = qr_line(c, i, q->width)) == NULL)
			goto nomem;
	QRcode_free(c);
	*out = q;
	return KD_OK;
nomem:
	r = kd_err_set(e, KD_ERR_NOMEM, "out of memory");
	QRcode_free(c);
	qr_free(&q);
	return r;
}
