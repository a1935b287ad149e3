/* Step 7, Confirm: everything on one page.  Nothing has been written
 * yet; Enter commits it all in one transaction (wizard_confirm), or for
 * "Activate now" first runs the tap, which commits once the credential
 * is verified (a phone: commits, then shows its QR code). */
#include "screens/wizard.h"
#include "tui/draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct confirm {
	char	 groups[1024];	/* "Engineering, Badge desk (new)" */
};

static void
confirm_groups(struct confirm *s, struct wiz *w)
{
	struct kd_draft *d = wizard_draft(w->wz);
	struct kd_err e;
	int64_t id;
	size_t i, o = 0;

	snprintf(s->groups, sizeof(s->groups), "none");
	for (i = 0; i < d->ngroups && o < sizeof(s->groups); i++)
		o += (size_t)snprintf(s->groups + o, sizeof(s->groups) - o,
		    "%s%s%s", i ? ", " : "", d->groups[i],
		    store_group_find(w->app->st, d->groups[i], &id, &e) ==
		    KD_ERR_NOTFOUND ? " (new)" : "");
}

static void *
confirm_open(struct wiz *w)
{
	struct confirm *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	confirm_groups(s, w);
	return s;
}

static int
confirm_key_lines(struct wiz *w, int y)
{
	struct kd_draft *d = wizard_draft(w->wz);
	struct kd_key_settings ks = wizard_settings(w->wz);
	char buf[512], set[256];

	if (!d->want_key) {
		wiz_line(y++, "Security key", A_NORMAL, "none (status: No key)");
		return y;
	}
	snprintf(buf, sizeof(buf), "%s \"%.300s\"", model_key_type_label(d->type),
	    d->key_name);
	wiz_line(y++, "Security key", A_NORMAL, buf);
	wiz_settings_text(d->type, &ks, set, sizeof(set));
	snprintf(buf, sizeof(buf), "%s (%s)", set, d->use_defaults ?
	    "defaults" : "custom");
	tui_text(y, 2, 16, A_BOLD, "Settings");
	y += tui_wrap_draw(y, 19, COLS - 21, 2, A_NORMAL, buf);
	if (d->method == KD_METHOD_EMAIL)
		snprintf(buf, sizeof(buf), "by the user via email: a link and "
		    "a code to %.300s", d->email);
	else if (model_now_by_link(d->type))
		snprintf(buf, sizeof(buf), "now, on the phone: a QR code next "
		    "(the email is queued too)");
	else
		snprintf(buf, sizeof(buf), "now, at this desk (%s next)",
		    d->type == KD_KEY_FIDO2 ? "touch the key" : "tap the card");
	wiz_line(y++, "Activation", A_NORMAL, buf);
	return y;
}

static void
confirm_draw(void *vs, struct wiz *w)
{
	struct confirm *s = vs;
	struct kd_draft *d = wizard_draft(w->wz);
	char who[1000];
	int y = TUI_TOP;

	tui_text(y, 2, COLS - 4, A_NORMAL, !d->want_key ||
	    d->method != KD_METHOD_NOW ? "Check everything, then press Enter "
	    "to create it." : model_now_by_link(d->type) ? "Check everything, "
	    "then press Enter to create it and show the QR code." : "Check "
	    "everything, then press Enter to activate the key and create it.");
	y += 2;
	if (!d->existing_user) {
		wiz_line(y++, "User ID", A_NORMAL, d->user_id);
		wiz_line(y++, "Full name", A_NORMAL, d->name);
		wiz_line(y++, "Email", A_NORMAL, d->email);
		wiz_line(y++, "Username", A_NORMAL, d->username);
		wiz_line(y++, "Groups", A_NORMAL, s->groups);
	} else {
		snprintf(who, sizeof(who), "%.300s (%.300s, %.300s)", d->user_id,
		    d->name, d->email);
		wiz_line(y++, "User", A_NORMAL, who);
	}
	y = confirm_key_lines(w, y);
	tui_text(y + 1, 2, COLS - 4, tui_attr(TUI_DIM), "Nothing has been "
	    "saved yet.  PgUp goes back to change something.");
}

static enum wiz_ret
confirm_key(void *vs, struct wiz *w, const struct tui_key *k)
{
	(void)vs;
	(void)w;
	(void)k;
	return WIZ_UNHANDLED;	/* Enter (Next) commits, in the frame */
}

static const struct tui_keyhint hints[] = {
	{ "Enter", "Create" }, { "PgUp", "Back" }, { "Esc", "Cancel" },
};

const struct wiz_view step_confirm_view = {
	.step = KD_STEP_CONFIRM,
	.open = confirm_open,
	.draw = confirm_draw,
	.key = confirm_key,
	.close = free,
	.hints = hints,
	.nhints = KD_NELEM(hints),
};
