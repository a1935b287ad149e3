/* The one place that knows curses key codes.  raw() mode is on, so Ctrl-C
 * and Ctrl-Z arrive here as characters instead of signals. */
#include "tui/term.h"
#include "tui/keys.h"

#include <wctype.h>

#define CTRL(c) ((c) & 0x1f)

static const struct {
	int		 code;
	enum tui_action	 act;
} fkeys[] = {
	{ KEY_UP, TUI_K_UP }, { KEY_DOWN, TUI_K_DOWN },
	{ KEY_LEFT, TUI_K_LEFT }, { KEY_RIGHT, TUI_K_RIGHT },
	{ KEY_BTAB, TUI_K_BACKTAB }, { KEY_ENTER, TUI_K_ENTER },
	{ KEY_BACKSPACE, TUI_K_BACKSPACE }, { KEY_DC, TUI_K_DELETE },
	{ KEY_HOME, TUI_K_HOME }, { KEY_END, TUI_K_END },
	{ KEY_PPAGE, TUI_K_PGUP }, { KEY_NPAGE, TUI_K_PGDN },
	{ KEY_RESIZE, TUI_K_RESIZE },
	{ KEY_F(1), TUI_K_F1 }, { KEY_F(2), TUI_K_F2 }, { KEY_F(3), TUI_K_F3 },
	{ KEY_F(4), TUI_K_F4 }, { KEY_F(5), TUI_K_F5 }, { KEY_F(6), TUI_K_F6 },
	{ KEY_F(7), TUI_K_F7 }, { KEY_F(8), TUI_K_F8 }, { KEY_F(9), TUI_K_F9 },
	{ KEY_F(10), TUI_K_F10 },
};

static const struct {
	wint_t		 ch;
	enum tui_action	 act;
} ckeys[] = {
	{ '\t', TUI_K_TAB }, { '\n', TUI_K_ENTER }, { '\r', TUI_K_ENTER },
	{ 27, TUI_K_ESC }, { 127, TUI_K_BACKSPACE }, { CTRL('h'), TUI_K_BACKSPACE },
	{ CTRL('c'), TUI_K_CTRL_C }, { CTRL('a'), TUI_K_HOME },
	{ CTRL('e'), TUI_K_END }, { CTRL('u'), TUI_K_KILL_LINE },
	{ CTRL('l'), TUI_K_REDRAW }, { CTRL('n'), TUI_K_DOWN },
	{ CTRL('p'), TUI_K_UP }, { ' ', TUI_K_SPACE },
};

static void
translate_code(int code, struct tui_key *k)
{
	size_t i;

	for (i = 0; i < KD_NELEM(fkeys); i++)
		if (fkeys[i].code == code) {
			k->act = fkeys[i].act;
			return;
		}
	k->act = TUI_K_OTHER;
}

static void
translate_char(wint_t c, struct tui_key *k)
{
	size_t i;

	k->ch = (wchar_t)c;
	for (i = 0; i < KD_NELEM(ckeys); i++)
		if (ckeys[i].ch == c) {
			k->act = ckeys[i].act;
			return;
		}
	/* Everything else that is not printable (Ctrl-Z, Ctrl-\, C1) is
	 * swallowed: nothing typed may reach a field as a control. */
	k->act = iswprint(c) ? TUI_K_CHAR : TUI_K_OTHER;
}

void
tui_key_read(int timeout_ms, struct tui_key *k)
{
	wint_t c;
	int r;

	k->act = TUI_K_NONE;
	k->ch = 0;
	timeout(timeout_ms);
	r = get_wch(&c);
	if (r == ERR)
		return;
	if (r == KEY_CODE_YES)
		translate_code((int)c, k);
	else
		translate_char(c, k);
}

int
tui_key_letter(const struct tui_key *k)
{
	if (k->act != TUI_K_CHAR || k->ch > 127)
		return 0;
	return (int)towlower((wint_t)k->ch);
}
