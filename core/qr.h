/* QR codes as text: a link encoded with libqrencode (level L, the smallest
 * version, 8-bit mode) and drawn as UTF-8 half blocks, one character one
 * module wide and two modules tall.  The blocks (U+2580 upper half,
 * U+2584 lower half, U+2588 full) are the DARK modules and spaces the
 * light ones, so the text must be shown dark on light: a screen draws it
 * black on white, a terminal with no colours as it is.  The full
 * 4-module quiet zone is always part of the text; it never shrinks.
 * Sizes (columns x rows): a 74-character link is version 4, 41x21; a
 * 90-character one version 5, 45x23. */
#ifndef KD_QR_H
#define KD_QR_H

#include "core/kd.h"

#define QR_QUIET	4	/* modules of light border on every side */

struct kd_qr {
	int	 version;	/* 1..40 */
	int	 modules;	/* of the code itself, without the quiet zone */
	int	 width;		/* columns of every line: modules + 2 * QR_QUIET */
	int	 height;	/* lines: (modules + 2 * QR_QUIET + 1) / 2 */
	char	**lines;	/* `height` NUL-terminated UTF-8 strings */
};

/* Encodes `text` (at most 1024 bytes).  KD_ERR_INVALID for an empty or
 * too long text, KD_ERR_NOMEM. */
int	qr_render(const char *text, struct kd_qr **, struct kd_err *);
/* Wipes the lines (an activation link holds its token) and frees. */
void	qr_free(struct kd_qr **);

#endif
