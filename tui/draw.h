/* Safe text drawing: every string passes kd_sanitize (no control, C1 or
 * bidi-override characters can reach the terminal), then is measured with
 * wcwidth and cut to the columns it was given.  Nothing in tui/ or
 * screens/ calls addstr on a string it did not write itself. */
#ifndef KD_TUI_DRAW_H
#define KD_TUI_DRAW_H

#include <stddef.h>
#include <wchar.h>

#include "tui/term.h"

/* Draws `s` at (y, x) in at most `width` columns; a string that does not
 * fit ends in an ellipsis.  Returns the columns used. */
int	tui_text(int y, int x, int width, attr_t, const char *s);
/* The same, padded with spaces to exactly `width` columns. */
int	tui_text_pad(int y, int x, int width, attr_t, const char *s);
/* printf into a buffer, then tui_text (so arguments are sanitised too). */
int	tui_textf(int y, int x, int width, attr_t, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* Columns `s` takes once sanitised. */
int	tui_text_width(const char *s);
/* Spaces over (y, x .. x+width-1). */
void	tui_fill(int y, int x, int width, attr_t);

/* Display width of one character: wcwidth, with unprintable ones counted
 * as the one column of the '?' drawn in their place. */
int	tui_wc_width(wchar_t);
/* Strict UTF-8 <-> wide conversions that do not depend on the locale.
 * Return the number of characters / bytes written (without the NUL). */
size_t	tui_utf8_to_wcs(const char *, wchar_t *, size_t);
size_t	tui_wcs_to_utf8(const wchar_t *, size_t n, char *, size_t);

#endif
