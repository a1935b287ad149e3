/* Step 3, Security key: assign one now or not.  With no key the wizard
 * goes straight to Confirm (core/wizard decides that). */
#include "screens/wizard.h"
#include "tui/draw.h"

static void *
key_open(struct wiz *w)
{
	return w;	/* no state of its own: the draft holds the toggle */
}

static void
key_draw(void *vs, struct wiz *w)
{
	struct kd_draft *d = wizard_draft(w->wz);
	int y = TUI_TOP;

	(void)vs;
	tui_text(y, 2, COLS - 4, A_NORMAL, "Does the user get a security key "
	    "now?  Space changes the answer.");
	toggle_draw(y + 2, 4, COLS - 8, "Assign a security key now",
	    d->want_key, 1);
	tui_wrap_draw(y + 4, 4, COLS - 8, 3, tui_attr(TUI_DIM), d->want_key ?
	    "Next: choose the kind of key (smartphone, contactless card or "
	    "FIDO2 hardware key), its settings and how it is activated." :
	    "The user is created without a key (status No key); a key can be "
	    "added later from the user's details.");
}

static enum wiz_ret
key_key(void *vs, struct wiz *w, const struct tui_key *k)
{
	struct kd_draft *d = wizard_draft(w->wz);

	(void)vs;
	return toggle_key(&d->want_key, k) == TUI_W_UNHANDLED ?
	    WIZ_UNHANDLED : WIZ_HANDLED;
}

static const struct tui_keyhint hints[] = {
	{ "Space", "Yes/No" }, { "Enter", "Next" }, { "PgUp", "Back" },
	{ "Esc", "Cancel" },
};

const struct wiz_view step_key_view = {
	.step = KD_STEP_KEY,
	.open = key_open,
	.draw = key_draw,
	.key = key_key,
	.hints = hints,
	.nhints = KD_NELEM(hints),
};
