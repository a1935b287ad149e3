/* Word wrap for dialogs and notes.  Breaks at spaces, measures words with
 * the same sanitising width as tui_text, cuts a word longer than a line. */
#include "tui/widget.h"
#include "tui/draw.h"

#include <string.h>

int
tui_wrap_draw(int y, int x, int width, int height, attr_t a, const char *s)
{
	char line[1024], word[512];
	const char *p = s ? s : "";
	size_t wl, ll = 0;
	int rows = 0;

	line[0] = '\0';
	while (rows < height) {
		while (*p == ' ')
			p++;
		wl = strcspn(p, " \n");
		if (wl >= sizeof(word))
			wl = sizeof(word) - 1;
		memcpy(word, p, wl);
		word[wl] = '\0';
		if (ll > 0 && (*p == '\0' || tui_text_width(line) + 1 +
		    tui_text_width(word) > width || ll + wl + 2 > sizeof(line))) {
			tui_text(y + rows++, x, width, a, line);
			line[0] = '\0';
			ll = 0;
			continue;
		}
		if (*p == '\0')
			break;
		if (ll > 0)
			line[ll++] = ' ';
		memcpy(line + ll, word, wl + 1);
		ll += wl;
		p += wl;
		if (*p == '\n') {
			p++;
			tui_text(y + rows++, x, width, a, line);
			line[0] = '\0';
			ll = 0;
		}
	}
	return rows;
}
