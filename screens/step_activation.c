/* Step 6, Activation: the key's name (pre-filled with the wizard's
 * suggestion, re-suggested while the operator has not changed it) and
 * the method.  "Activate now" goes on to the tap after Confirm; for a
 * smartphone, to its QR code (the key is saved Pending first, with its
 * email queued).  The core's message for a bad choice shows under the
 * method. */
#include "screens/wizard.h"
#include "tui/draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct activation {
	struct tui_field	 name;
	struct tui_radio	 method;	/* row 0 now, row 1 email */
	int			 focus;		/* 0 name, 1 method */
};

static enum kd_method
row_method(int row)
{
	return row == 0 ? KD_METHOD_NOW : KD_METHOD_EMAIL;
}

static void *
activation_open(struct wiz *w)
{
	struct kd_draft *d = wizard_draft(w->wz);
	char typed[KD_DRAFT_TEXT];
	struct activation *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	/* Re-suggest (the type or name may have changed since) unless the
	 * operator typed a name of their own. */
	snprintf(typed, sizeof(typed), "%s", d->key_name);
	d->key_name[0] = '\0';
	wizard_suggest_key_name(w->wz);
	if (typed[0] != '\0' && w->suggested[0] != '\0' &&
	    strcmp(typed, w->suggested) != 0) {
		snprintf(w->suggested, sizeof(w->suggested), "%s", d->key_name);
		snprintf(d->key_name, sizeof(d->key_name), "%s", typed);
	} else
		snprintf(w->suggested, sizeof(w->suggested), "%s", d->key_name);
	field_init(&s->name, KD_KEY_NAME_MAX, "e.g. Ada's card");
	field_set(&s->name, d->key_name);
	radio_init(&s->method);
	radio_add(&s->method, model_now_by_link(d->type) ? "Activate now (the "
	    "phone scans a QR code here)" : "Activate now (tap the card / "
	    "touch the key here)", 1);
	radio_add(&s->method, "Activate by user via email (a link and a code)",
	    1);
	s->method.sel = s->method.cur = d->method == KD_METHOD_NOW ? 0 : 1;
	return s;
}

/* What happens after Confirm with "Activate now". */
static const char *
activation_now_text(const struct kd_draft *d, const struct kd_key_settings *ks)
{
	switch (d->type) {
	case KD_KEY_CARD:
		return ks->verification == KD_VERIFY_PIN ? "After Confirm, tap "
		    "the card on the reader: keydesk sets a new PIN on it and "
		    "emails the PIN to the user." : "After Confirm, tap the "
		    "card on the reader (PINless: no PIN is set).";
	case KD_KEY_FIDO2:
		return "After Confirm, plug the security key in and touch it "
		    "when asked.";
	default:
		return "After Confirm: saved Pending, its email queued, then a "
		    "QR code of the link: scan it with the phone, type the "
		    "code, save the passkey; it turns Active by itself.";
	}
}

static void
activation_draw(void *vs, struct wiz *w)
{
	struct activation *s = vs;
	struct kd_draft *d = wizard_draft(w->wz);
	const char *err = wizard_field_error(w->wz, KD_F_METHOD);
	struct kd_key_settings ks = wizard_settings(w->wz);
	int y = TUI_TOP;

	tui_textf(y, 2, COLS - 4, A_NORMAL, "Name the %s and choose how it "
	    "is activated.", model_key_type_label(d->type));
	field_draw_row(&s->name, y + 2, "Key name", s->focus == 0,
	    wizard_field_error(w->wz, KD_F_KEY_NAME));
	tui_text(y + 5, 2, 16, s->focus == 1 ? A_BOLD : A_NORMAL, "Method");
	radio_draw(&s->method, y + 6, 4, COLS - 8, s->focus == 1);
	y += 6 + s->method.n + 1;
	if (d->method == KD_METHOD_NOW)
		tui_wrap_draw(y, 4, COLS - 8, 3, tui_attr(TUI_DIM),
		    activation_now_text(d, &ks));
	else
		tui_wrap_draw(y, 4, COLS - 8, 3, tui_attr(TUI_DIM),
		    "The user gets an email with a registration link and a "
		    "code; the key stays Pending until they use it.");
	if (err != NULL)
		tui_textf(y + 3, 4, COLS - 8, tui_attr(TUI_ERROR), "! %s", err);
}

/* Validation (and its message under the method) is the frame's. */
static enum wiz_ret
activation_next(struct activation *s, struct wiz *w)
{
	(void)s;
	(void)w;
	return WIZ_NEXT;
}

static enum wiz_ret
activation_key(void *vs, struct wiz *w, const struct tui_key *k)
{
	struct activation *s = vs;
	struct kd_draft *d = wizard_draft(w->wz);

	if (k->act == TUI_K_TAB || k->act == TUI_K_BACKTAB ||
	    (s->focus == 0 && k->act == TUI_K_DOWN) ||
	    (s->focus == 1 && k->act == TUI_K_UP && s->method.cur == 0)) {
		if (s->focus == 0)
			wizard_check_field(w->wz, KD_F_KEY_NAME);
		s->focus = !s->focus;
		return WIZ_HANDLED;
	}
	if (k->act == TUI_K_ENTER) {
		if (s->focus == 0) {
			wizard_check_field(w->wz, KD_F_KEY_NAME);
			s->focus = 1;
			return WIZ_HANDLED;
		}
		return activation_next(s, w);
	}
	if (k->act == TUI_K_PGDN || k->act == TUI_K_F9)
		return activation_next(s, w);
	if (s->focus == 1) {
		if (radio_key(&s->method, k) == TUI_W_UNHANDLED)
			return WIZ_UNHANDLED;
		s->method.sel = s->method.cur;
		d->method = row_method(s->method.sel);
		wiz_status(w, TUI_NORMAL, NULL);
		return WIZ_HANDLED;
	}
	switch (field_key(&s->name, k)) {
	case TUI_W_CHANGED:
		wiz_field_to(&s->name, d->key_name, sizeof(d->key_name));
		return WIZ_HANDLED;
	case TUI_W_UNHANDLED:
		return WIZ_UNHANDLED;
	default:
		return WIZ_HANDLED;
	}
}

static void
activation_invalid(void *vs, struct wiz *w)
{
	struct activation *s = vs;

	s->focus = wizard_field_error(w->wz, KD_F_KEY_NAME) != NULL ? 0 : 1;
}

static const struct tui_keyhint hints[] = {
	{ "Tab", "Name/Method" }, { "Up/Down", "Choose" }, { "Enter", "Next" },
	{ "PgUp", "Back" }, { "Esc", "Cancel" },
};

const struct wiz_view step_activation_view = {
	.step = KD_STEP_ACTIVATION,
	.open = activation_open,
	.draw = activation_draw,
	.key = activation_key,
	.invalid = activation_invalid,
	.close = free,
	.hints = hints,
	.nhints = KD_NELEM(hints),
};
