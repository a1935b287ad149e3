/* User details: who they are, their groups, and their security keys with
 * type, name, status and settings. */
#include "screens/wizard.h"
#include "tui/draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct user {
	struct tui_screen	 base;
	int64_t			 row;
	struct kd_user		 u;
	int			 loaded;
	char			 groups[1024];
	struct kd_key		*keys;
	size_t			 nkeys;
	struct tui_table	 table;
	char			 cell[512];
	char			 err[512];
};

static const struct tui_column columns[] = {
	{ "Type", 16 }, { "Name", 18 }, { "Status", 8 }, { "Settings", 0 },
};

static const char *
key_status_label(enum kd_key_status s)
{
	switch (s) {
	case KD_KS_PENDING: return "Pending";
	case KD_KS_ACTIVE: return "Active";
	case KD_KS_REVOKED: return "Revoked";
	case KD_KS_EXPIRED: return "Expired";
	}
	return "?";
}

static const char *
user_cell(void *arg, size_t row, int col, attr_t *a)
{
	struct user *s = arg;
	const struct kd_key *k = &s->keys[row];

	switch (col) {
	case 0: return model_key_type_label(k->type);
	case 1: return k->name;
	case 2:
		*a = tui_attr(k->status == KD_KS_ACTIVE ? TUI_OK :
		    k->status == KD_KS_PENDING ? TUI_WARN : TUI_ERROR);
		return key_status_label(k->status);
	default:
		wiz_settings_text(k->type, &k->settings, s->cell,
		    sizeof(s->cell));
		return s->cell;
	}
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
user_load(struct user *s, const struct tui_app *app)
{
	struct kd_group *g = NULL;
	struct kd_err e;
	size_t n = 0, i, o = 0;

	user_unload(s);
	s->err[0] = '\0';
	if (store_user_get_by_row(app->st, s->row, &s->u, &e) != KD_OK) {
		snprintf(s->err, sizeof(s->err), "%s", e.msg);
		return;
	}
	s->loaded = 1;
	snprintf(s->groups, sizeof(s->groups), "none");
	if (store_user_groups(app->st, s->row, &g, &n, &e) == KD_OK)
		for (i = 0; i < n && o < sizeof(s->groups); i++)
			o += (size_t)snprintf(s->groups + o, sizeof(s->groups) - o,
			    "%s%s", i ? ", " : "", g[i].name);
	store_groups_free(g, n);
	if (store_key_list(app->st, s->row, &s->keys, &s->nkeys, &e) != KD_OK)
		snprintf(s->err, sizeof(s->err), "%s", e.msg);
	s->table.n = s->nkeys;
}

static const struct tui_keyhint hints[] = {
	{ "Esc", "Back" }, { "Up/Down", "Key" }, { "k", "New security key" },
	{ "r", "Reload" }, { "q", "Quit" },
};

/* The keys table, and under it the selected key in full: the table's
 * settings column is cut at 80 columns. */
static void
user_draw_keys(struct user *s, int y)
{
	const struct kd_key *k;
	char when[32], exp[32], set[256];
	int h = (int)s->nkeys + 1, room = TUI_BOTTOM - y + 1 - 5;

	if (h > room)
		h = room;
	table_draw(&s->table, y, 2, COLS - 4, h);
	k = &s->keys[s->table.cur];
	y += h + 1;
	kd_time_format(k->created_at, when, sizeof(when));
	tui_textf(y++, 2, COLS - 4, A_BOLD, "%s \"%s\"",
	    model_key_type_label(k->type), k->name);
	wiz_settings_text(k->type, &k->settings, set, sizeof(set));
	tui_text(y, 2, 16, A_BOLD, "Settings");
	y += tui_wrap_draw(y, 19, COLS - 21, 2, A_NORMAL, set);
	if (k->status == KD_KS_ACTIVE) {
		kd_time_format(k->activated_at, exp, sizeof(exp));
		tui_textf(y, 19, COLS - 21, A_NORMAL, "created %s, activated "
		    "%s by %s", when, exp, k->activated_by ? k->activated_by : "?");
	} else if (k->status == KD_KS_PENDING && k->expires_at > 0) {
		kd_time_format(k->expires_at, exp, sizeof(exp));
		tui_textf(y, 19, COLS - 21, A_NORMAL, "created %s, link open "
		    "until %s", when, exp);
	} else
		tui_textf(y, 19, COLS - 21, A_NORMAL, "created %s", when);
	tui_text(y, 2, 16, A_BOLD, "Dates");
}

static void
user_draw(struct tui_screen *sc, const struct tui_app *app)
{
	struct user *s = (struct user *)sc;
	char when[32];
	int y = TUI_TOP;

	(void)app;
	tui_header_draw("User details", s->loaded ? s->u.user_id : NULL);
	if (s->loaded) {
		wiz_line(y++, "User ID", A_NORMAL, s->u.user_id);
		wiz_line(y++, "Full name", A_NORMAL, s->u.name);
		wiz_line(y++, "Email", A_NORMAL, s->u.email);
		wiz_line(y++, "Username", A_NORMAL, s->u.username);
		wiz_line(y++, "Status", tui_attr(s->u.status == KD_US_ACTIVE ?
		    TUI_OK : s->u.status == KD_US_PENDING ? TUI_WARN : TUI_DIM),
		    model_user_status_label(s->u.status));
		kd_time_format(s->u.created_at, when, sizeof(when));
		wiz_line(y++, "Created", A_NORMAL, when);
		wiz_line(y++, "Groups", A_NORMAL, s->groups);
		y++;
		tui_text(y++, 2, COLS - 4, A_BOLD, "Security keys");
		if (s->nkeys == 0)
			tui_text(y, 4, COLS - 6, tui_attr(TUI_DIM),
			    "No keys.  Press k to add one.");
		else
			user_draw_keys(s, y);
	}
	tui_status_draw(TUI_ERROR, s->err);
	keybar_draw(hints, KD_NELEM(hints));
}

static enum tui_do
user_key(struct tui_screen *sc, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	struct user *s = (struct user *)sc;

	if (table_key(&s->table, k, TUI_BOTTOM - TUI_TOP) != TUI_W_UNHANDLED)
		return TUI_STAY;
	switch (k->act) {
	case TUI_K_ESC:
	case TUI_K_BACKSPACE:
	case TUI_K_LEFT:
		return TUI_POP;
	case TUI_K_CTRL_C:
	case TUI_K_F10:
		return app->opts->kiosk ? TUI_POP : TUI_QUIT;
	default:
		break;
	}
	switch (tui_key_letter(k)) {
	case 'k':
		if (!s->loaded)
			return TUI_STAY;
		*next = screen_wizard_new(app, s->row);
		return TUI_PUSH;
	case 'r':
		user_load(s, app);
		return TUI_STAY;
	case 'q':
		return app->opts->kiosk ? TUI_POP : TUI_QUIT;
	default:
		return TUI_STAY;
	}
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
	free(s);
}

static const struct tui_screen_ops user_ops = {
	.name = "user",
	.draw = user_draw,
	.key = user_key,
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
	s->table.cols = columns;
	s->table.ncols = (int)KD_NELEM(columns);
	s->table.cell = user_cell;
	s->table.arg = s;
	s->table.page_keys = 1;
	user_load(s, app);
	return &s->base;
}
