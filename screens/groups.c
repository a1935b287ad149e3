/* Groups: every group with its member count, and creating one.  The
 * create is one transaction with its audit row, as `keydesk group add`
 * does it. */
#include "screens/screens.h"
#include "core/admin.h"
#include "core/validate.h"
#include "tui/draw.h"
#include "tui/widget.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct groups {
	struct tui_screen	 base;
	struct kd_group		*g;
	size_t			 n;
	struct tui_table	 table;
	struct tui_field	 name;
	int			 creating;	/* keys go to the name field */
	char			 cell[32];
	char			 msg[600];
	enum tui_role		 msg_role;
};

static const struct tui_column columns[] = {
	{ "Group", 0 }, { "Members", 8 }, { "Created", 17 },
};

static const char *
groups_cell(void *arg, size_t row, int col, attr_t *a)
{
	struct groups *s = arg;

	(void)a;
	switch (col) {
	case 0:
		return s->g[row].name;
	case 1:
		snprintf(s->cell, sizeof(s->cell), "%7lld",
		    (long long)s->g[row].members);
		return s->cell;
	default:
		kd_time_format(s->g[row].created_at, s->cell, sizeof(s->cell));
		return s->cell;
	}
}

static void
groups_load(struct groups *s, const struct tui_app *app)
{
	struct kd_err e;

	store_groups_free(s->g, s->n);
	s->g = NULL;
	s->n = 0;
	if (store_group_list(app->st, &s->g, &s->n, &e) != KD_OK) {
		snprintf(s->msg, sizeof(s->msg), "%s", e.msg);
		s->msg_role = TUI_ERROR;
	}
	s->table.n = s->n;
}

static int
groups_create(struct groups *s, const struct tui_app *app)
{
	char name[TUI_FIELD_MAX * 4 + 1];
	struct kd_err e;

	field_get(&s->name, name, sizeof(name));
	validate_trim(name);
	s->msg_role = TUI_ERROR;
	kd_err_clear(&e);
	if (admin_group_add(app->st, app->actor, name, &e) != KD_OK) {
		snprintf(s->msg, sizeof(s->msg), "%s", e.msg);
		return e.code;
	}
	snprintf(s->msg, sizeof(s->msg), "Created group %.500s", name);
	s->msg_role = TUI_OK;
	field_set(&s->name, "");
	groups_load(s, app);
	return KD_OK;
}

static void
groups_draw(struct tui_screen *sc, const struct tui_app *app)
{
	struct groups *s = (struct groups *)sc;
	char right[32];
	static const struct tui_keyhint list_keys[] = {
		{ "n", "New group" }, { "Esc", "Back" }, { "r", "Reload" },
		{ "q", "Quit" },
	};
	static const struct tui_keyhint create_keys[] = {
		{ "Enter", "Create" }, { "Esc", "Cancel" },
	};

	(void)app;
	snprintf(right, sizeof(right), "%zu group%s", s->n, s->n == 1 ? "" : "s");
	tui_header_draw("Groups", right);
	if (s->n == 0)
		tui_text(TUI_TOP + 1, 2, COLS - 4, tui_attr(TUI_DIM),
		    "No groups yet.  Press n to create one.");
	else
		table_draw(&s->table, TUI_TOP, 1, COLS - 2,
		    TUI_BOTTOM - TUI_TOP - (s->creating ? 2 : 0));
	if (s->creating)
		field_draw_row(&s->name, TUI_BOTTOM, "New group", 1, NULL);
	tui_status_draw(s->msg_role, s->msg);
	if (s->creating)
		keybar_draw(create_keys, KD_NELEM(create_keys));
	else
		keybar_draw(list_keys, KD_NELEM(list_keys));
}

static enum tui_do
groups_create_key(struct groups *s, const struct tui_app *app,
    const struct tui_key *k)
{
	if (k->act == TUI_K_ENTER) {
		if (groups_create(s, app) == KD_OK)
			s->creating = 0;
	} else if (k->act == TUI_K_ESC) {
		s->creating = 0;
		s->msg[0] = '\0';
	} else if (field_key(&s->name, k) == TUI_W_CHANGED)
		s->msg[0] = '\0';
	return TUI_STAY;
}

static enum tui_do
groups_key(struct tui_screen *sc, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	struct groups *s = (struct groups *)sc;

	(void)next;
	if (k->act == TUI_K_CTRL_C)
		return app->opts->kiosk ? TUI_POP : TUI_QUIT;
	if (s->creating)
		return groups_create_key(s, app, k);
	if (table_key(&s->table, k, TUI_BOTTOM - TUI_TOP) != TUI_W_UNHANDLED)
		return TUI_STAY;
	if (k->act == TUI_K_ESC || k->act == TUI_K_LEFT)
		return TUI_POP;
	switch (k->act == TUI_K_F2 ? 'n' : tui_key_letter(k)) {
	case 'n':
		s->creating = 1;
		s->msg[0] = '\0';
		return TUI_STAY;
	case 'r':
		groups_load(s, app);
		return TUI_STAY;
	case 'q':
		return app->opts->kiosk ? TUI_POP : TUI_QUIT;
	default:
		return TUI_STAY;
	}
}

static void
groups_free(struct tui_screen *sc)
{
	struct groups *s = (struct groups *)sc;

	store_groups_free(s->g, s->n);
	free(s);
}

static const struct tui_screen_ops groups_ops = {
	.name = "groups",
	.draw = groups_draw,
	.key = groups_key,
	.free = groups_free,
};

struct tui_screen *
screen_groups_new(const struct tui_app *app)
{
	struct groups *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->base.ops = &groups_ops;
	table_init(&s->table, columns, (int)KD_NELEM(columns), groups_cell,
	    s, 1);
	field_init(&s->name, KD_GROUP_MAX, NULL);
	groups_load(s, app);
	return &s->base;
}
