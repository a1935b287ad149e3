/* The New User wizard screen: a frame around one step view at a time.
 * What the steps are, their order, validation and the commit all come
 * from core/wizard; this file only turns keys into wizard_next/back, asks
 * before discarding, and after the commit starts the outbox delivery in
 * the worker so the Done screen can report it live. */
#include "screens/wizard.h"
#include "tui/draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct wiz_view *views[] = {
	&step_info_view, &step_groups_view, &step_key_view, &step_type_view,
	&step_settings_view, &step_activation_view, &step_confirm_view,
	&step_done_view,
};

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
	if (w->view == NULL)		/* TAP: not built yet */
		w->view = &step_confirm_view;
	w->vs = w->view->open(w);
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
	keybar_draw(w->view->hints, w->view->nhints);
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

static void
wiz_commit(struct wiz *w)
{
	struct kd_err e;

	kd_err_clear(&e);
	if (wizard_confirm(w->wz, w->app->actor, NULL, NULL, &w->result,
	    &e) != KD_OK) {
		wiz_status(w, TUI_ERROR, e.msg[0] ? e.msg : kd_strerror(e.code));
		return;
	}
	wiz_status(w, TUI_NORMAL, NULL);
	if (wizard_step(w->wz) != KD_STEP_DONE)
		wizard_goto(w->wz, KD_STEP_DONE);
	if (w->result.mails > 0) {
		w->delivering = 1;
		wiz_deliver(w);
	}
	wiz_show(w);
}

static void
wiz_next(struct wiz *w)
{
	enum kd_step s = wizard_step(w->wz);

	if (s == KD_STEP_CONFIRM) {
		wiz_commit(w);
		return;
	}
	if (wizard_next(w->wz) != KD_OK) {
		wiz_status(w, TUI_ERROR, "Please correct the fields marked !");
		if (w->view->invalid != NULL)
			w->view->invalid(w->vs, w);
		return;
	}
	wiz_status(w, TUI_NORMAL, NULL);
	wiz_show(w);
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
		wiz_next(w);
		break;
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
		return TUI_STAY;
	case WIZ_NEXT:
		wiz_next(w);
		return TUI_STAY;
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
	if (w->delivering != 1)
		return TUI_IDLE;
	wiz_deliver(w);
	return TUI_STAY;
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
