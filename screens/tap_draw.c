/* Drawing the tap screen (tap.c runs it): the activating line, the
 * reader, the state, a big banner with the prompt and a spinner, and the
 * has-PIN dialog.  Reads the state the worker posts; changes nothing. */
#include "screens/tap_int.h"
#include "tui/draw.h"

#include <stdio.h>
#include <string.h>

void
tap_banner_draw(int y, int height, enum tui_role role, const char *text)
{
	attr_t a = tui_attr(role) | A_BOLD;
	int w = COLS - 8, x = 4, i, tw = tui_text_width(text);

	if (height < 3)
		height = 3;
	attrset(a);
	mvaddch(y, x, ACS_ULCORNER);
	mvhline(y, x + 1, ACS_HLINE, w - 2);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	for (i = 1; i < height - 1; i++) {
		tui_fill(y + i, x + 1, w - 2, a);
		attrset(a);
		mvaddch(y + i, x, ACS_VLINE);
		mvaddch(y + i, x + w - 1, ACS_VLINE);
	}
	mvaddch(y + height - 1, x, ACS_LLCORNER);
	mvhline(y + height - 1, x + 1, ACS_HLINE, w - 2);
	mvaddch(y + height - 1, x + w - 1, ACS_LRCORNER);
	attrset(A_NORMAL);
	if (tw > w - 4)
		tw = w - 4;
	tui_text(y + height / 2, x + (w - tw) / 2, w - 4, a, text);
}

static const char *
tap_prompt(const struct tapscr *s, int st)
{
	int key = s->job.type == KD_KEY_FIDO2;

	switch (st) {
	case KD_TAP_WAIT_READER:
		return key ? "Plug in your USB security key" :
		    "Plug in a card reader";
	case KD_TAP_TOUCH:
		return "Touch your security key";
	case KD_TAP_CARD_PRESENT:
	case KD_TAP_WORKING:
	case KD_TAP_VERIFYING:
	case KD_TAP_DONE:
		return key ? "Keep the security key plugged in" :
		    "Keep the card on the reader";
	default:
		return key ? "Plug in and touch your security key" :
		    "Tap the card on the reader";
	}
}

static void
tap_state_text(const struct tapscr *s, int st, char *buf, size_t len)
{
	long left = (s->tap.timeout_ms - (kd_mono_ms() - s->started)) / 1000;

	switch (st) {
	case KD_TAP_WAIT_READER:
		snprintf(buf, len, "no %s attached (%ld s left)",
		    s->job.type == KD_KEY_FIDO2 ? "security key" : "reader",
		    left);
		break;
	case KD_TAP_CARD_PRESENT:
		snprintf(buf, len, "card found, opening it");
		break;
	case KD_TAP_WORKING:
		snprintf(buf, len, "%s", s->tap.verification == KD_VERIFY_PIN ?
		    "setting the PIN and making the credential" :
		    "making the credential");
		break;
	case KD_TAP_TOUCH:
		snprintf(buf, len, "waiting for a touch");
		break;
	case KD_TAP_VERIFYING:
		snprintf(buf, len, "checking the new credential");
		break;
	case KD_TAP_DONE:
		snprintf(buf, len, "verified, saving");
		break;
	case KD_TAP_WAIT_CARD:
		snprintf(buf, len, "waiting for a card (%ld s left)",
		    left > 0 ? left : 0);
		break;
	default:
		snprintf(buf, len, "looking for the reader");
		break;
	}
}

static void
tap_draw_reader(struct tapscr *s, int y)
{
	char dev[256];

	pthread_mutex_lock(&s->mu);
	snprintf(dev, sizeof(dev), "%s", s->device);
	pthread_mutex_unlock(&s->mu);
	if (dev[0] == '\0' && s->path[0] != '\0')
		snprintf(dev, sizeof(dev), "%s", strncmp(s->path, "pcsc:", 5) == 0 ?
		    s->path + 5 : s->path);
	tui_text(y, 2, 16, A_BOLD, "Reader");
	tui_text(y, 19, COLS - 21, A_NORMAL, dev[0] ? dev :
	    "any (the first card or key found)");
}

/* The card's PIN, drawn as stars. */
static void
tap_draw_masked(const struct tui_field *f, int y, int x, int width)
{
	char stars[TUI_FIELD_MAX + 1];
	size_t n = f->len < (size_t)width - 1 ? f->len : (size_t)width - 1;

	memset(stars, '*', n);
	stars[n] = '\0';
	tui_text_pad(y, x, width, tui_attr(TUI_FIELD_FOCUS), stars);
	tui_cursor_want(y, x + (int)(f->cur < n ? f->cur : n));
}

static void
tap_draw_ask_pin(struct tapscr *s, int y)
{
	tap_banner_draw(y, 3, TUI_WARN, "This card already has a PIN");
	y += 4;
	y += tui_wrap_draw(y, 4, COLS - 8, 2, A_NORMAL, "keydesk needs the "
	    "card's current PIN to go on (the card then gets the PIN that is "
	    "emailed to the user), or the card must be reset.");
	radio_draw(&s->choice, y + 1, 4, COLS - 8, 1);
	if (s->choice.sel == 0) {
		tui_text(y + 3, 8, 14, A_BOLD, "Current PIN");
		tap_draw_masked(&s->pin, y + 3, 22, 24);
	}
	if (s->pin_err[0] != '\0')
		tui_textf(y + 4, 8, COLS - 12, tui_attr(TUI_ERROR), "! %s",
		    s->pin_err);
}

static const struct tui_keyhint run_keys[] = {
	{ "Esc", "Cancel" }, { "r", "Another reader" },
};
static const struct tui_keyhint failed_keys[] = {
	{ "Enter", "Retry" }, { "Esc", "Cancel" }, { "r", "Another reader" },
};
static const struct tui_keyhint pin_keys[] = {
	{ "Enter", "OK" }, { "Up/Down", "Choose" }, { "Esc", "Cancel" },
};
static const struct tui_keyhint active_keys[] = {
	{ "Enter", "Continue" },
};

static void
tap_draw_phase(struct tapscr *s, int st, int y)
{
	static const char spin[] = "|/-\\";
	char buf[256];

	switch (s->phase) {
	case PH_RUN:
		tap_banner_draw(y, 5, TUI_NORMAL, tap_prompt(s, st));
		tap_state_text(s, st, buf, sizeof(buf));
		tui_textf(y + 6, 6, COLS - 12, A_NORMAL, "%c  %s",
		    spin[s->spin % 4], buf);
		keybar_draw(run_keys, KD_NELEM(run_keys));
		break;
	case PH_STOP:
		tap_banner_draw(y, 5, TUI_WARN, "Cancelling...");
		keybar_draw(NULL, 0);
		break;
	case PH_FAILED:
		tap_banner_draw(y, 5, TUI_ERROR, s->head);
		tui_wrap_draw(y + 6, 6, COLS - 12, 3, tui_attr(TUI_ERROR), s->msg);
		tui_text(y + 10, 6, COLS - 12, A_BOLD, "Enter Retry / Esc Cancel");
		keybar_draw(failed_keys, KD_NELEM(failed_keys));
		break;
	case PH_ASK_PIN:
		tap_draw_ask_pin(s, y);
		keybar_draw(pin_keys, KD_NELEM(pin_keys));
		break;
	case PH_ACTIVE:
		tap_banner_draw(y, 5, TUI_OK, "Active");
		tui_text(y + 6, 6, COLS - 12, tui_attr(TUI_OK), "The key is "
		    "active: its credential was verified and saved.");
		keybar_draw(active_keys, KD_NELEM(active_keys));
		break;
	}
}

void
tap_draw(struct tui_screen *sc, const struct tui_app *app)
{
	struct tapscr *s = (struct tapscr *)sc;
	int st = atomic_load(&s->state), y = TUI_TOP;
	char buf[256];

	(void)app;
	tui_header_draw(s->job.title, NULL);
	tui_text(y, 2, 16, A_BOLD, "Activating");
	tui_text(y, 19, COLS - 21, A_NORMAL, s->job.who);
	tui_wrap_draw(y + 1, 19, COLS - 21, 2, A_NORMAL, s->job.what);
	tap_draw_reader(s, y + 3);
	tui_text(y + 4, 2, 16, A_BOLD, "State");
	if (s->phase == PH_RUN)	/* the spinner line has the details */
		snprintf(buf, sizeof(buf), "%s", st == KD_TAP_WAIT_READER ?
		    (s->job.type == KD_KEY_FIDO2 ? "no security key yet" :
		    "no reader") : st < 0 || st == KD_TAP_WAIT_CARD ?
		    "no card yet" : st == KD_TAP_TOUCH ? "key found" :
		    "card on the reader");
	else
		snprintf(buf, sizeof(buf), "%s", s->phase == PH_STOP ?
		    "cancelling" : s->phase == PH_ASK_PIN ? "the card has a PIN" :
		    s->phase == PH_ACTIVE ? "active" : s->head);
	tui_text(y + 4, 19, COLS - 21, A_NORMAL, buf);
	if (s->note[0] != '\0')
		tui_text(y + 5, 2, COLS - 4, tui_attr(TUI_WARN), s->note);
	tap_draw_phase(s, st, y + 6);
	if (s->reset.open) {
		tui_cursor_want(-1, -1);
		dialog_draw(&s->reset);
	}
}
