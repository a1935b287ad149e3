/* User details: a summary of who the user is, then three sections as
 * tabs (Information | Groups | Security Keys).  This file is the frame:
 * loading, the tabs, the dialog, user-wide actions (disable/enable,
 * delete) and the outbox delivery after a resend.  The sections are in
 * user_info.c, user_groups.c and user_keys.c. */
#include "screens/user.h"
#include "tui/draw.h"
#include "core/operator.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *tab_names[USER_NTABS] = {
	"Information", "Groups", "Security Keys",
};

void
user_msg(struct user *s, enum tui_role role, const char *fmt, ...)
{
	va_list ap;

	s->msg_role = role;
	va_start(ap, fmt);
	vsnprintf(s->msg, sizeof(s->msg), fmt, ap);
	va_end(ap);
}

void
user_fail(struct user *s, const struct kd_err *e)
{
	user_msg(s, TUI_ERROR, "%s", e->msg[0] ? e->msg : kd_strerror(e->code));
}

const char *
user_key_status_label(enum kd_key_status st)
{
	switch (st) {
	case KD_KS_PENDING: return "Pending";
	case KD_KS_ACTIVE: return "Active";
	case KD_KS_REVOKED: return "Revoked";
	case KD_KS_EXPIRED: return "Expired";
	}
	return "?";
}

const struct kd_key *
user_key_current(const struct user *s)
{
	return s->nkeys > 0 && s->table.cur < s->nkeys ?
	    &s->keys[s->table.cur] : NULL;
}

static void
user_unload(struct user *s)
{
	if (s->loaded)
		store_user_clear(&s->u);
	store_keys_free(s->keys, s->nkeys);
	s->keys = NULL;
	s->nkeys = s->table.n = 0;
	s->loaded = 0;
}

static void
user_load_groups_text(struct user *s, const struct tui_app *app)
{
	struct kd_group *g = NULL;
	struct kd_err e;
	size_t n = 0, i, o = 0;

	snprintf(s->groups, sizeof(s->groups), "none");
	if (store_user_groups(app->st, s->row, &g, &n, &e) == KD_OK)
		for (i = 0; i < n && o < sizeof(s->groups); i++)
			o += (size_t)snprintf(s->groups + o, sizeof(s->groups) - o,
			    "%s%s", i ? ", " : "", g[i].name);
	store_groups_free(g, n);
}

/* (Re)reads the user and their keys; the selection follows its key. */
void
user_load(struct user *s, const struct tui_app *app)
{
	const struct kd_key *cur = user_key_current(s);
	int64_t keep = cur != NULL ? cur->id : 0;
	struct kd_err e;
	size_t i;

	user_unload(s);
	if (store_user_get_by_row(app->st, s->row, &s->u, &e) != KD_OK) {
		user_msg(s, TUI_ERROR, "This user no longer exists.");
		return;
	}
	s->loaded = 1;
	user_load_groups_text(s, app);
	if (store_key_list(app->st, s->row, &s->keys, &s->nkeys, &e) != KD_OK)
		user_fail(s, &e);
	s->table.n = s->nkeys;
	for (i = 0; i < s->nkeys; i++)
		if (s->keys[i].id == keep)
			s->table.cur = i;
	user_groups_load(s, app);
}

void
user_deliver(struct user *s, const struct tui_app *app, const char *what)
{
	snprintf(s->what, sizeof(s->what), "%s", what);
	user_msg(s, TUI_WARN, "%s: delivering...", s->what);
	memset(&s->delivery, 0, sizeof(s->delivery));
	s->delivering = 1;
	s->run = tui_worker_start(app->worker);	/* 0: one runs; tick retries */
}

static void
user_draw_tabs(const struct user *s)
{
	int i, x = 1;
	attr_t a;

	for (i = 0; i < USER_NTABS; i++) {
		a = i == (int)s->tab ? tui_attr(TUI_SELECTED) | A_BOLD : A_NORMAL;
		x += tui_textf(TUI_TOP - 1, x, COLS - x, a, " %d %s ", i + 1,
		    tab_names[i]);
		x += 1;
	}
	tui_text(TUI_TOP - 1, COLS - 25, 24, tui_attr(TUI_DIM),
	    "Tab/Left/Right: section");
}

/* Two lines that stay whatever the section: who, status, groups. */
static int
user_draw_summary(const struct user *s, int y)
{
	enum tui_role r = s->u.status == KD_US_ACTIVE ? TUI_OK :
	    s->u.status == KD_US_PENDING ? TUI_WARN : TUI_DIM;
	int x;

	x = 2 + tui_text(y, 2, COLS - 4, A_BOLD, s->u.name);
	tui_textf(y, x, COLS - x - 2, A_NORMAL, "  <%s>  username %s",
	    s->u.email, s->u.username);
	x = 2 + tui_text(y + 1, 2, 8, A_NORMAL, "Status ");
	x += tui_text(y + 1, x, 10, tui_attr(r),
	    model_user_status_label(s->u.status));
	if (s->u.disabled)
		x += 1 + tui_text(y + 1, x + 1, 10, tui_attr(TUI_ERROR),
		    "Disabled");
	x += tui_text(y + 1, x, 10, A_NORMAL, "   Groups ");
	tui_text(y + 1, x, COLS - x - 2, A_NORMAL, s->groups);
	return y + 3;
}

static void
user_draw(struct tui_screen *sc, const struct tui_app *app)
{
	struct user *s = (struct user *)sc;
	static const struct tui_keyhint gone_keys[] = { { "Esc", "Back" } };
	int y;

	tui_header_draw("User details", s->loaded ? s->u.user_id : NULL);
	if (!s->loaded) {
		keybar_draw(gone_keys, KD_NELEM(gone_keys));
		tui_status_draw(s->msg_role, s->msg);
		return;
	}
	user_draw_tabs(s);
	y = user_draw_summary(s, TUI_TOP);
	switch (s->tab) {
	case USER_TAB_INFO:
		user_info_draw(s, app, y);
		break;
	case USER_TAB_GROUPS:
		user_groups_draw(s, app, y);
		break;
	default:
		user_keys_draw(s, app, y);
		break;
	}
	tui_status_draw(s->msg_role, s->msg);
	if (s->dlg.open) {
		tui_cursor_want(-1, -1);
		dialog_draw(&s->dlg);
	}
}

static void
user_toggle_disabled(struct user *s, const struct tui_app *app)
{
	int off = !s->u.disabled;
	struct kd_err e;

	kd_err_clear(&e);
	if (admin_user_disable(app->st, app->actor, s->u.user_id, off,
	    &e) != KD_OK) {
		user_fail(s, &e);
		return;
	}
	user_load(s, app);
	user_msg(s, off ? TUI_WARN : TUI_OK, off ? "Disabled: workflows leave "
	    "this user out.  Press d to enable again." : "Enabled again.");
}

/* Disabling says what it does to the keys first; enabling needs no
 * question. */
static void
user_ask_disable(struct user *s, const struct tui_app *app)
{
	char text[600];

	if (s->u.disabled) {
		user_toggle_disabled(s, app);
		return;
	}
	snprintf(text, sizeof(text), "Disable %.200s (%.100s)? Their %zu "
	    "key%s stay%s as %s, but no pending activation can be used (link, "
	    "code or kiosk) and workflows leave them out until d enables "
	    "them again.", s->u.name, s->u.user_id, s->nkeys,
	    s->nkeys == 1 ? "" : "s", s->nkeys == 1 ? "s" : "",
	    s->nkeys == 1 ? "it is" : "they are");
	s->ask = USER_ASK_DISABLE_USER;
	dialog_confirm(&s->dlg, "Disable this user? (y/N)", text);
}

static void
user_ask_delete(struct user *s)
{
	char text[600];

	snprintf(text, sizeof(text), "Delete %.200s (%.100s) with %zu key%s? "
	    "The audit log keeps what was deleted.", s->u.name, s->u.user_id,
	    s->nkeys, s->nkeys == 1 ? "" : "s");
	s->ask = USER_ASK_DELETE_USER;
	dialog_confirm(&s->dlg, "Delete this user? (y/N)", text);
}

int
user_busy(const struct user *s)
{
	return s->editing || s->kmode != USER_KEYS_LIST;
}

static enum tui_do
user_delete(struct user *s, const struct tui_app *app)
{
	struct kd_err e;

	kd_err_clear(&e);
	if (admin_user_delete(app->st, app->actor, s->u.user_id, &e) != KD_OK) {
		user_fail(s, &e);
		return TUI_STAY;
	}
	return TUI_POP;		/* the list reloads on resume */
}

static enum tui_do
user_dialog_key(struct user *s, const struct tui_app *app,
    const struct tui_key *k)
{
	enum user_ask ask = s->ask;

	if (dialog_key(&s->dlg, k) != TUI_W_YES || ask == USER_ASK_NONE)
		return TUI_STAY;
	s->ask = USER_ASK_NONE;
	if (ask == USER_ASK_DELETE_USER)
		return user_delete(s, app);
	if (ask == USER_ASK_DISABLE_USER) {
		user_toggle_disabled(s, app);
		return TUI_STAY;
	}
	user_keys_confirmed(s, app, ask);
	return TUI_STAY;
}

static int
user_switch_tab(struct user *s, const struct tui_key *k)
{
	int c = tui_key_letter(k), t = (int)s->tab;

	if (k->act == TUI_K_TAB || k->act == TUI_K_RIGHT)
		t = k->act == TUI_K_TAB ? (t + 1) % USER_NTABS :
		    t + 1 < USER_NTABS ? t + 1 : t;
	else if (k->act == TUI_K_BACKTAB || k->act == TUI_K_LEFT)
		t = k->act == TUI_K_BACKTAB ? (t + USER_NTABS - 1) % USER_NTABS :
		    t > 0 ? t - 1 : t;
	else if (c >= '1' && c < '1' + USER_NTABS)
		t = c - '1';
	else
		return 0;
	s->tab = (enum user_tab)t;
	return 1;
}

static enum tui_do
user_frame_key(struct user *s, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	if (user_switch_tab(s, k))
		return TUI_STAY;
	switch (k->act) {
	case TUI_K_ESC:
	case TUI_K_BACKSPACE:
		return TUI_POP;
	case TUI_K_F8:
		if (tui_permit(app, KD_PERM_DELETE))
			user_ask_delete(s);
		return TUI_STAY;
	default:
		break;
	}
	switch (tui_key_letter(k)) {
	case 'k':
		if (!tui_permit(app, KD_PERM_ENROLL))
			return TUI_STAY;
		if ((*next = screen_wizard_new(app, s->row)) != NULL)
			return TUI_PUSH;
		user_msg(s, TUI_ERROR, "Cannot start the new key steps.");
		return TUI_STAY;
	case 'd':
		if (!tui_permit(app, KD_PERM_EDIT))
			return TUI_STAY;
		user_ask_disable(s, app);
		return TUI_STAY;
	case 'r':
		user_load(s, app);
		return TUI_STAY;
	case 'q':
		return app->opts->kiosk ? TUI_POP : TUI_QUIT;
	default:
		return TUI_STAY;
	}
}

static enum tui_do
user_key(struct tui_screen *sc, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	struct user *s = (struct user *)sc;
	int used;

	if (s->dlg.open)
		return user_dialog_key(s, app, k);
	if (k->act == TUI_K_CTRL_C || k->act == TUI_K_F10)
		return app->opts->kiosk ? TUI_POP : TUI_QUIT;
	if (!s->loaded)
		return k->act == TUI_K_ESC || tui_key_letter(k) == 'q' ?
		    TUI_POP : TUI_STAY;
	if (!user_busy(s) && !s->delivering)
		s->msg[0] = '\0';	/* a new action: the old news goes */
	switch (s->tab) {
	case USER_TAB_INFO:
		used = user_info_key(s, app, k);
		break;
	case USER_TAB_GROUPS:
		used = user_groups_key(s, app, k);
		break;
	default:
		used = user_keys_key(s, app, k);
		break;
	}
	return used ? TUI_STAY : user_frame_key(s, app, k, next);
}

static enum tui_do
user_tick(struct tui_screen *sc, const struct tui_app *app)
{
	struct user *s = (struct user *)sc;

	if (!s->delivering)
		return TUI_IDLE;
	if (s->run == 0 && (s->run = tui_worker_start(app->worker)) == 0)
		return TUI_IDLE;	/* another delivery still runs */
	switch (tui_worker_poll(app->worker, s->run, &s->delivery)) {
	case TUI_WORKER_RUNNING:
		if (s->delivery.total == 0)
			return TUI_IDLE;
		user_msg(s, TUI_WARN, "%s: delivering (%d of %d)...", s->what,
		    s->delivery.done, s->delivery.total);
		return TUI_STAY;
	case TUI_WORKER_DONE: {
		char how[400];

		tui_delivery_describe(&s->delivery, how, sizeof(how));
		user_msg(s, s->delivery.rc == KD_OK && s->delivery.res.failed == 0 &&
		    s->delivery.res.deferred == 0 ? TUI_OK : TUI_ERROR, "%s: %s",
		    s->what, how);
		break;
	}
	default:
		break;
	}
	s->delivering = 0;
	s->run = 0;
	return TUI_STAY;
}

static void
user_resume(struct tui_screen *sc, const struct tui_app *app)
{
	user_load((struct user *)sc, app);
}

static void
user_free(struct tui_screen *sc)
{
	struct user *s = (struct user *)sc;

	user_unload(s);
	listbox_clear(&s->all);
	free(s);
}

static const struct tui_screen_ops user_ops = {
	.name = "user",
	.draw = user_draw,
	.key = user_key,
	.tick = user_tick,
	.resume = user_resume,
	.free = user_free,
};

struct tui_screen *
screen_user_new(const struct tui_app *app, int64_t row)
{
	struct user *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->base.ops = &user_ops;
	s->row = row;
	s->tab = USER_TAB_KEYS;		/* where most of the work is */
	user_keys_init(s);
	user_load(s, app);
	return &s->base;
}
