/* Step 4, Device type: Smartphone / Contactless Card / FIDO2 Hardware
 * Security Key.  The highlighted type is the chosen one, so arrows and
 * Enter are all it takes. */
#include "screens/wizard.h"
#include "tui/draw.h"

#include <stdlib.h>

static void *
type_open(struct wiz *w)
{
	struct tui_radio *r;
	int t;

	if ((r = malloc(sizeof(*r))) == NULL)
		return NULL;
	radio_init(r);
	for (t = 0; t < KD_KEY_NTYPES; t++)
		radio_add(r, model_key_type_label((enum kd_key_type)t), 1);
	r->sel = r->cur = (int)wizard_draft(w->wz)->type;
	return r;
}

static void
type_draw(void *vs, struct wiz *w)
{
	struct tui_radio *r = vs;
	const char *err = wizard_field_error(w->wz, KD_F_TYPE);
	int y = TUI_TOP;

	tui_text(y, 2, COLS - 4, A_NORMAL, "Which kind of security key?");
	radio_draw(r, y + 2, 4, COLS - 8, 1);
	if (err != NULL)
		tui_textf(y + 2 + r->n, 4, COLS - 8, tui_attr(TUI_ERROR), "! %s",
		    err);
}

static enum wiz_ret
type_key(void *vs, struct wiz *w, const struct tui_key *k)
{
	struct tui_radio *r = vs;

	if (radio_key(r, k) == TUI_W_UNHANDLED)
		return WIZ_UNHANDLED;
	r->sel = r->cur;
	wizard_draft(w->wz)->type = (enum kd_key_type)r->sel;
	return WIZ_HANDLED;
}

static const struct tui_keyhint hints[] = {
	{ "Up/Down", "Choose" }, { "Enter", "Next" }, { "PgUp", "Back" },
	{ "Esc", "Cancel" },
};

const struct wiz_view step_type_view = {
	.step = KD_STEP_TYPE,
	.open = type_open,
	.draw = type_draw,
	.key = type_key,
	.close = free,
	.hints = hints,
	.nhints = KD_NELEM(hints),
};
