/* Done: what was created, what was mailed to whom, and the outbox
 * delivery as the worker reports it ("sent", "waiting in the outbox: no
 * SMTP configured", "delivery failed: ..., will retry").  After a phone's
 * QR code: whether the phone activated the key, or it was left pending. */
#include "screens/wizard.h"
#include "tui/draw.h"

#include <stdio.h>
#include <string.h>

static void *
done_open(struct wiz *w)
{
	return w;
}

static void
done_delivery(struct wiz *w, int y)
{
	char buf[400];
	enum tui_role role = TUI_WARN;

	if (w->result.mails == 0)
		return;
	if (w->delivering == 1) {
		if (w->delivery.total > 0)
			snprintf(buf, sizeof(buf), "delivering (%d of %d)...",
			    w->delivery.done, w->delivery.total);
		else
			snprintf(buf, sizeof(buf), "delivering...");
	} else {
		tui_delivery_describe(&w->delivery, buf, sizeof(buf));
		if (w->delivery.rc == KD_OK && w->delivery.res.deferred == 0 &&
		    w->delivery.res.failed == 0)
			role = TUI_OK;
		else if (w->delivery.rc != KD_ERR_CONFIG)
			role = TUI_ERROR;
	}
	wiz_line(y, "Delivery", tui_attr(role), buf);
}

static void
done_groups(const struct kd_draft *d, const struct kd_enroll_result *r,
    int y)
{
	char buf[1024];
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < d->ngroups && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
		    i ? ", " : "", d->groups[i]);
	if (d->ngroups == 0)
		snprintf(buf, sizeof(buf), "none");
	else if (r->groups_created > 0 && o < sizeof(buf))
		snprintf(buf + o, sizeof(buf) - o, " (%d new)",
		    r->groups_created);
	wiz_line(y, "Groups", A_NORMAL, buf);
}

/* The PIN itself is never shown: it is in the user's mail only. */
static void
done_pin(const struct kd_enroll_result *r, int y)
{
	char buf[1200];

	if (strcmp(r->mail_kinds, "pin") == 0)
		snprintf(buf, sizeof(buf), "emailed to %.1000s (not shown here)",
		    r->mailed_to);
	else
		snprintf(buf, sizeof(buf), "none (PINless)");
	wiz_line(y, "PIN", A_NORMAL, buf);
}

static const char *
done_status(const struct wiz *w)
{
	if (w->result.key_active)
		return w->phone ? "Active (activated on the phone)" :
		    "Active (activated at this desk)";
	return w->phone ? "Pending (left pending: the activation email is "
	    "queued)" : "Pending (until the user activates it)";
}

static void
done_draw(void *vs, struct wiz *w)
{
	struct kd_draft *d = wizard_draft(w->wz);
	struct kd_enroll_result *r = &w->result;
	char buf[1200];
	int y = TUI_TOP;

	(void)vs;
	if (d->existing_user)
		snprintf(buf, sizeof(buf), "Done: key added for %.300s (%.400s).",
		    r->user_id, d->name);
	else
		snprintf(buf, sizeof(buf), "Done: user %.300s (%.400s) created.",
		    r->user_id, d->name);
	tui_text(y, 2, COLS - 4, tui_attr(TUI_OK), buf);
	y += 2;
	wiz_line(y++, "User", A_NORMAL, r->user_id);
	if (!d->existing_user)
		done_groups(d, r, y++);
	if (r->key_id != 0) {
		snprintf(buf, sizeof(buf), "%s \"%.300s\"", model_key_type_label(d->type),
		    d->key_name);
		wiz_line(y++, "Security key", A_NORMAL, buf);
		wiz_line(y++, "Status", tui_attr(r->key_active ? TUI_OK : TUI_WARN),
		    done_status(w));
		if (r->key_active && !w->phone)
			done_pin(r, y++);
	} else
		wiz_line(y++, "Security key", A_NORMAL, "none (status: No key)");
	if (r->mails > 0) {
		snprintf(buf, sizeof(buf), "%d email%s (%s) to %s", r->mails,
		    r->mails == 1 ? "" : "s", r->mail_kinds, r->mailed_to);
		wiz_line(y++, "Mailed", A_NORMAL, buf);
		done_delivery(w, y++);
	} else
		wiz_line(y++, "Mailed", A_NORMAL, "nothing");
}

static enum wiz_ret
done_key(void *vs, struct wiz *w, const struct tui_key *k)
{
	(void)vs;
	(void)w;
	(void)k;
	return WIZ_UNHANDLED;	/* Enter/Esc back to the list, n another */
}

static const struct tui_keyhint hints[] = {
	{ "Enter", "Back to users" }, { "n", "Another user" },
};
/* A new key for an existing user came from that user's details. */
static const struct tui_keyhint key_hints[] = {
	{ "Enter", "Back to the user" }, { "n", "New user" },
};

static const struct tui_keyhint *
done_keys(void *vs, size_t *n)
{
	const struct wiz *w = vs;

	if (wizard_draft(w->wz)->existing_user) {
		*n = KD_NELEM(key_hints);
		return key_hints;
	}
	*n = KD_NELEM(hints);
	return hints;
}

const struct wiz_view step_done_view = {
	.step = KD_STEP_DONE,
	.open = done_open,
	.draw = done_draw,
	.key = done_key,
	.hints = hints,
	.nhints = KD_NELEM(hints),
	.keys = done_keys,
};
