/* The New User wizard screen: a frame around one step view at a time.
 * What the steps are, their order, validation and the commit all come
 * from core/wizard; this file only turns keys into wizard_next/back, asks
 * before discarding, and after the commit starts the outbox delivery in
 * the worker so the Done screen can report it live.  "Activate now" opens
 * the tap screen (screens/tap.c) on top at the TAP step; it commits
 * through wiz_tap_commit once the credential is verified, and when it
 * closes without that the wizard is back on Confirm, draft intact.  A
 * smartphone's "Activate now" commits as email does (the key Pending, its
 * email queued), then opens the QR screen (screens/phone_qr.c) above
 * Done, which says whether the phone activated it. */
#include "screens/wizard.h"
#include "screens/tap.h"
#include "tui/draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct wiz_view *views[] = {
	&step_info_view, &step_groups_view, &step_key_view, &step_type_view,
	&step_settings_view, &step_activation_view, &step_confirm_view,
	&step_done_view,
};

static const char msg_correct[] = "Please correct the fields marked !";

void
wiz_status(struct wiz *w, enum tui_role role, const char *msg)
{
	w->status_role = role;
	snprintf(w->status, sizeof(w->status), "%s", msg ? msg : "");
}

void
wiz_field_to(const struct tui_field *f, char *dst, size_t len)
{
	field_get(f, dst, len);
}

void
wiz_line(int y, const char *label, attr_t a, const char *value)
{
	tui_text(y, 2, 16, A_BOLD, label);
	tui_text(y, 19, COLS - 21, a, value);
}

void
wiz_settings_text(enum kd_key_type t, const struct kd_key_settings *s,
    char *buf, size_t len)
{
	const int on[] = { s->auditable, s->bluetooth_proximity,
	    s->offline_login };
	size_t o = 0;
	int i;

	buf[0] = '\0';
	for (i = KD_SET_AUDITABLE; i <= KD_SET_OFFLINE && o < len; i++)
		if (model_setting_applies(t, (enum kd_setting)i))
			o += (size_t)snprintf(buf + o, len - o, "%s%s %s",
			    o ? ", " : "", model_setting_label((enum kd_setting)i),
			    on[i] ? "on" : "off");
	if (o < len && model_setting_applies(t, KD_SET_VERIFICATION))
		snprintf(buf + o, len - o, "%s%s", o ? ", " : "",
		    model_verification_label(s->verification));
}

static void
wiz_close_view(struct wiz *w)
{
	if (w->view != NULL && w->view->close != NULL)
		w->view->close(w->vs);
	w->view = NULL;
	w->vs = NULL;
}

/* Shows the view of the wizard's current step. */
static void
wiz_show(struct wiz *w)
{
	enum kd_step s = wizard_step(w->wz);
	size_t i;

	wiz_close_view(w);
	for (i = 0; i < KD_NELEM(views); i++)
		if (views[i]->step == s)
			w->view = views[i];
	if (w->view == NULL)		/* TAP: the tap screen is on top */
		w->view = &step_confirm_view;
	w->vs = w->view->open(w);
}

/* The step's key bar: where its focus is, when the step says. */
/* "Please correct..." goes once nothing is marked any more. */
static void
wiz_status_recheck(struct wiz *w)
{
	if (strcmp(w->status, msg_correct) == 0 && wizard_errors(w->wz) == 0)
		wiz_status(w, TUI_NORMAL, NULL);
}

static void
wiz_keybar_draw(struct wiz *w)
{
	const struct tui_keyhint *h = w->view->hints;
	size_t n = w->view->nhints;

	if (w->view->keys != NULL && w->vs != NULL)
		h = w->view->keys(w->vs, &n);
	keybar_draw(h, n);
}

static void
wiz_draw(struct tui_screen *s, const struct tui_app *app)
{
	struct wiz *w = (struct wiz *)s;
	enum kd_step step = wizard_step(w->wz);
	char title[128], right[32] = "";
	int n, of;

	(void)app;
	snprintf(title, sizeof(title), "%s: %s",
	    wizard_draft(w->wz)->existing_user ? "New security key" : "New user",
	    wizard_step_title(step));
	if (step != KD_STEP_DONE) {
		wizard_progress(w->wz, &n, &of);
		snprintf(right, sizeof(right), "Step %d of %d", n, of);
	}
	tui_header_draw(title, right);
	if (w->vs != NULL)
		w->view->draw(w->vs, w);
	tui_status_draw(w->status_role, w->status);
	wiz_keybar_draw(w);
	if (w->dlg.open) {
		tui_cursor_want(-1, -1);
		dialog_draw(&w->dlg);
	}
}

static void
wiz_deliver(struct wiz *w)
{
	if (w->delivering != 1)
		return;
	if (w->run == 0)
		w->run = tui_worker_start(w->app->worker);
	if (w->run != 0 && tui_worker_poll(w->app->worker, w->run,
	    &w->delivery) == TUI_WORKER_DONE)
		w->delivering = 2;
}

/* After a commit: the delivery starts now, in the background. */
static void
wiz_committed(struct wiz *w)
{
	wiz_status(w, TUI_NORMAL, NULL);
	if (wizard_step(w->wz) != KD_STEP_DONE)
		wizard_goto(w->wz, KD_STEP_DONE);
	if (w->result.mails > 0) {
		w->delivering = 1;
		wiz_deliver(w);
	}
}

/* Whether Confirm means a phone's "Activate now" (its QR code next). */
static int
wiz_by_link(struct wiz *w)
{
	const struct kd_draft *d = wizard_draft(w->wz);

	return d->want_key && d->method == KD_METHOD_NOW &&
	    model_now_by_link(d->type);
}

static enum tui_do
wiz_commit(struct wiz *w)
{
	struct kd_err e;

	kd_err_clear(&e);
	if (wizard_confirm(w->wz, w->app->actor, NULL, NULL, &w->result,
	    &e) != KD_OK) {
		wiz_status(w, TUI_ERROR, e.msg[0] ? e.msg : kd_strerror(e.code));
		return TUI_STAY;
	}
	wiz_committed(w);
	wiz_show(w);
	if (!wiz_by_link(w) || w->result.key_id == 0)
		return TUI_STAY;
	/* The loop asks key() with TUI_K_NONE for the screen a tick opens. */
	w->phone = 1;
	w->phone_open = 1;
	return TUI_PUSH;
}

/* The QR screen saw the key Active. */
static void
wiz_phone_active(void *arg)
{
	struct wiz *w = arg;

	w->phone = 2;
	w->result.key_active = 1;
}

static enum tui_do
wiz_phone(struct wiz *w, struct tui_screen **next)
{
	struct kd_draft *d = wizard_draft(w->wz);
	struct phone_job j;

	w->phone_open = 0;
	memset(&j, 0, sizeof(j));
	snprintf(j.title, sizeof(j.title), "%s: Activate now",
	    d->existing_user ? "New security key" : "New user");
	snprintf(j.who, sizeof(j.who), "%.250s (%.250s)", d->name, d->user_id);
	snprintf(j.what, sizeof(j.what), "%s \"%.200s\"",
	    model_key_type_label(d->type), d->key_name);
	j.key = w->result.key_id;
	j.active = wiz_phone_active;
	j.arg = w;
	if ((*next = screen_phone_qr_new(w->app, &j)) == NULL) {
		wiz_status(w, TUI_ERROR, "Cannot show the QR code (out of "
		    "memory): the key is Pending, its email queued.");
		return TUI_STAY;
	}
	return TUI_PUSH;
}

/* The tap screen's commit: user, key, credential and the PIN mail in one
 * transaction, only now that the credential is verified. */
static int
wiz_tap_commit(void *arg, const struct kd_tap *t, struct kd_err *e)
{
	struct wiz *w = arg;
	int r;

	if ((r = wizard_confirm(w->wz, w->app->actor, &t->rec, tap_pin(t),
	    &w->result, e)) == KD_OK)
		wiz_committed(w);
	return r;
}

static enum tui_do
wiz_tap(struct wiz *w, struct tui_screen **next)
{
	struct kd_draft *d = wizard_draft(w->wz);
	struct kd_key_settings ks = wizard_settings(w->wz);
	struct tap_job j;
	struct kd_err e;
	char set[256];

	/* Checked before the tap: the card is not worth touching for a
	 * draft the commit would refuse (a user ID taken meanwhile). */
	if (wizard_validate_all(w->wz, &e) != KD_OK) {
		wiz_status(w, TUI_ERROR, e.msg);
		return TUI_STAY;
	}
	memset(&j, 0, sizeof(j));
	snprintf(j.title, sizeof(j.title), "%s: Activate now",
	    d->existing_user ? "New security key" : "New user");
	snprintf(j.who, sizeof(j.who), "%.250s (%.250s)", d->name, d->user_id);
	wiz_settings_text(d->type, &ks, set, sizeof(set));
	snprintf(j.what, sizeof(j.what), "%s \"%.200s\", %s",
	    model_key_type_label(d->type), d->key_name, set);
	j.type = d->type;
	j.verification = ks.verification;
	snprintf(j.user_name, sizeof(j.user_name), "%s", d->username);
	snprintf(j.display_name, sizeof(j.display_name), "%s", d->name);
	j.commit = wiz_tap_commit;
	j.arg = w;
	if ((*next = screen_tap_new(w->app, &j)) == NULL) {
		wiz_status(w, TUI_ERROR, "Cannot start the tap (out of memory).");
		return TUI_STAY;
	}
	wiz_status(w, TUI_NORMAL, NULL);
	wizard_goto(w->wz, KD_STEP_TAP);
	return TUI_PUSH;
}

static enum tui_do
wiz_next(struct wiz *w, struct tui_screen **next)
{
	struct kd_draft *d = wizard_draft(w->wz);
	enum kd_step s = wizard_step(w->wz);

	if (s == KD_STEP_CONFIRM) {
		if (d->want_key && d->method == KD_METHOD_NOW && !wiz_by_link(w))
			return wiz_tap(w, next);
		/* Say so first: the write may wait (up to the store's busy
		 * timeout) for another keydesk that holds the database. */
		w->saving = 1;
		wiz_status(w, TUI_WARN, "Saving...");
		return TUI_STAY;
	}
	if (wizard_next(w->wz) != KD_OK) {
		wiz_status(w, TUI_ERROR, msg_correct);
		if (w->view->invalid != NULL)
			w->view->invalid(w->vs, w);
		return TUI_STAY;
	}
	wiz_status(w, TUI_NORMAL, NULL);
	wiz_show(w);
	return TUI_STAY;
}

static void
wiz_back(struct wiz *w)
{
	if (wizard_step(w->wz) == KD_STEP_INFO ||
	    wizard_back(w->wz) != KD_OK)
		return;
	wiz_status(w, TUI_NORMAL, NULL);
	wiz_show(w);
}

static void
wiz_ask_discard(struct wiz *w, int quit)
{
	w->quit_after = quit;
	dialog_confirm(&w->dlg, wizard_draft(w->wz)->existing_user ?
	    "Discard this new key? (y/N)" : "Discard this new user? (y/N)",
	    "Nothing has been saved yet. y discards what was typed; n goes "
	    "back to the wizard.");
}

static enum tui_do
wiz_frame_key(struct wiz *w, const struct tui_key *k, struct tui_screen **next)
{
	int done = wizard_step(w->wz) == KD_STEP_DONE;

	if (done) {
		if (k->act == TUI_K_CTRL_C)
			return w->app->opts->kiosk ? TUI_POP : TUI_QUIT;
		if (tui_key_letter(k) == 'n') {
			*next = screen_wizard_new(w->app, 0);
			return *next != NULL ? TUI_REPLACE : TUI_STAY;
		}
		if (k->act == TUI_K_ENTER || k->act == TUI_K_ESC)
			return TUI_POP;
		return TUI_STAY;
	}
	switch (k->act) {
	case TUI_K_ESC:
		wiz_ask_discard(w, 0);
		break;
	case TUI_K_CTRL_C:
		wiz_ask_discard(w, !w->app->opts->kiosk);
		break;
	case TUI_K_ENTER:
	case TUI_K_PGDN:
	case TUI_K_F9:
		return wiz_next(w, next);
	case TUI_K_PGUP:
	case TUI_K_F7:
		wiz_back(w);
		break;
	default:
		break;
	}
	return TUI_STAY;
}

static enum tui_do
wiz_key(struct tui_screen *s, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	struct wiz *w = (struct wiz *)s;

	(void)app;
	if (k->act == TUI_K_NONE)	/* after the tick's TUI_PUSH */
		return w->phone_open ? wiz_phone(w, next) : TUI_STAY;
	if (w->saving)
		return TUI_STAY;	/* nothing acts until the commit ends */
	if (w->dlg.open) {
		switch (dialog_key(&w->dlg, k)) {
		case TUI_W_YES:
			return w->quit_after ? TUI_QUIT : TUI_POP;
		default:
			return TUI_STAY;
		}
	}
	switch (w->view->key(w->vs, w, k)) {
	case WIZ_HANDLED:
		wiz_status_recheck(w);
		return TUI_STAY;
	case WIZ_NEXT:
		return wiz_next(w, next);
	case WIZ_BACK:
		wiz_back(w);
		return TUI_STAY;
	case WIZ_UNHANDLED:
		break;
	}
	return wiz_frame_key(w, k, next);
}

static enum tui_do
wiz_tick(struct tui_screen *s, const struct tui_app *app)
{
	struct wiz *w = (struct wiz *)s;

	(void)app;
	if (w->saving) {
		w->saving = 0;
		return wiz_commit(w);
	}
	if (w->delivering != 1)
		return TUI_IDLE;
	wiz_deliver(w);
	return TUI_STAY;
}

/* The tap screen closed: committed (Done), or not (back on Confirm with
 * nothing written). */
static void
wiz_resume(struct tui_screen *s, const struct tui_app *app)
{
	struct wiz *w = (struct wiz *)s;

	(void)app;
	if (wizard_step(w->wz) == KD_STEP_TAP) {
		wizard_goto(w->wz, KD_STEP_CONFIRM);
		wiz_status(w, TUI_WARN, "Not activated: nothing was saved. Enter "
		    "tries again.");
	}
	wiz_show(w);
}

static void
wiz_free(struct tui_screen *s)
{
	struct wiz *w = (struct wiz *)s;

	wiz_close_view(w);
	wizard_free(&w->wz);
	free(w);
}

static const struct tui_screen_ops wiz_ops = {
	.name = "wizard",
	.draw = wiz_draw,
	.key = wiz_key,
	.tick = wiz_tick,
	.resume = wiz_resume,
	.free = wiz_free,
};

struct tui_screen *
screen_wizard_new(const struct tui_app *app, int64_t existing_user)
{
	struct wiz *w;
	struct kd_err e;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->base.ops = &wiz_ops;
	w->app = app;
	if (wizard_new(&w->wz, app->st, app->cfg, existing_user, &e) != KD_OK) {
		free(w);
		return NULL;
	}
	wiz_show(w);
	if (w->vs == NULL) {
		wiz_free(&w->base);
		return NULL;
	}
	return &w->base;
}
