/* Users list: search as you type (each keystroke re-queries the store
 * with the text), status and group filters, keyset paging with a stack
 * of cursors so PgUp goes back the way PgDn came.  Changes made by other
 * processes show within a tick (PRAGMA data_version). */
#include "screens/screens.h"
#include "screens/admin.h"
#include "screens/tap.h"
#include "tui/draw.h"
#include "tui/widget.h"
#include "core/operator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct users {
	struct tui_screen	 base;
	struct tui_field	 search;
	int			 searching;	/* keys go to the search field */
	int			 status;	/* enum kd_user_status or -1 */
	char			**groups;	/* names for the group filter */
	size_t			 ngroups, group;	/* 0: all groups */
	struct kd_user_page	 page;
	struct kd_user_cursor	*stack;		/* where each page started */
	size_t			 depth, cap;
	struct tui_table	 table;
	int			 limit;		/* rows per page */
	int64_t			 total;		/* -1: not read yet */
	struct kd_user_counts	 counts;	/* kept by the store */
	int64_t			 version;	/* PRAGMA data_version seen */
	char			 err[512];
};

static const struct tui_column columns[] = {
	{ "Status", 7 }, { "User ID", 12 }, { "Name", 0 },
	{ "Username", 12 }, { "Email", 22 },
};

static const char *
users_cell(void *arg, size_t row, int col, attr_t *a)
{
	struct users *u = arg;
	const struct kd_user *r = &u->page.users[row];

	switch (col) {
	case 0:
		*a = tui_attr(r->status == KD_US_ACTIVE ? TUI_OK :
		    r->status == KD_US_PENDING ? TUI_WARN : TUI_DIM);
		return model_user_status_label(r->status);
	case 1: return r->user_id;
	case 2: return r->name;
	case 3: return r->username;
	default: return r->email;
	}
}

static int
page_rows(void)
{
	return TUI_BOTTOM - TUI_TOP;	/* below the table's header */
}

/* Runs the query for the page that starts at the top of the stack. */
static void
users_query(struct users *u, const struct tui_app *app)
{
	struct kd_user_query q;
	char text[TUI_FIELD_MAX * 4 + 1];
	struct kd_err e;

	field_get(&u->search, text, sizeof(text));
	memset(&q, 0, sizeof(q));
	q.search = text[0] != '\0' ? text : NULL;
	q.status = u->status;
	q.group = u->group > 0 ? u->groups[u->group - 1] : NULL;
	q.limit = u->limit = page_rows();
	q.after = u->stack[u->depth];
	store_user_page_clear(&u->page);
	u->err[0] = '\0';
	if (store_user_list(app->st, &q, &u->page, &e) != KD_OK)
		snprintf(u->err, sizeof(u->err), "%s", e.msg);
	u->table.n = u->page.n;
}

static void
users_first_page(struct users *u, const struct tui_app *app)
{
	u->depth = 0;
	memset(&u->stack[0], 0, sizeof(u->stack[0]));
	u->table.cur = u->table.top = 0;
	users_query(u, app);
}

static int
users_page_down(struct users *u, const struct tui_app *app)
{
	struct kd_user_cursor *s;

	if (!u->page.more)
		return 0;
	if (u->depth + 1 >= u->cap) {
		if ((s = realloc(u->stack, 2 * u->cap * sizeof(*s))) == NULL)
			return 0;
		u->stack = s;
		u->cap *= 2;
	}
	u->stack[++u->depth] = u->page.next;
	u->table.cur = u->table.top = 0;
	users_query(u, app);
	return 1;
}

static int
users_page_up(struct users *u, const struct tui_app *app)
{
	if (u->depth == 0)
		return 0;
	u->depth--;
	u->table.cur = u->table.top = 0;
	users_query(u, app);
	return 1;
}

static void
users_load_groups(struct users *u, const struct tui_app *app)
{
	struct kd_group *g = NULL;
	struct kd_err e;
	size_t n = 0, i;
	/* The filter follows its group by name across a reload. */
	char *keep = kd_strdup(u->group > 0 ? u->groups[u->group - 1] : NULL);
	for (i = 0; i < u->ngroups; i++)
		free(u->groups[i]);
	free(u->groups);
	u->groups = NULL;
	u->ngroups = u->group = 0;
	if (store_group_list(app->st, &g, &n, &e) != KD_OK ||
	    (u->groups = calloc(n + 1, sizeof(char *))) == NULL) {
		store_groups_free(g, n);
		free(keep);
		return;
	}
	for (i = 0; i < n; i++) {
		u->groups[u->ngroups] = g[i].name;
		g[i].name = NULL;
		if (keep != NULL && strcmp(keep, u->groups[u->ngroups]) == 0)
			u->group = u->ngroups + 1;
		u->ngroups++;
	}
	store_groups_free(g, n);
	free(keep);
}

/* q early: at 80 columns the bar holds five or six of these (F1 lists
 * them all), and quitting or signing out must always show. */
#define LIST_KEY_Q 3
static const struct tui_keyhint list_keys[] = {
	{ "/", "Search" }, { "Enter", "Open" }, { "n", "New" },
	{ "q", "Quit" }, { "Tab", "Status" }, { "f", "Group" },
	{ "g", "Groups" }, { "o", "Outbox" }, { "a", "Activate code" },
	{ "R", "Readers" }, { "w", "Workflows" }, { "i", "Import" },
	{ "A", "Audit" },
};
static const int list_perms[] = {
	-1, -1, KD_PERM_ENROLL, -1, -1, -1, KD_PERM_EDIT, -1, KD_PERM_REDEEM,
	-1, KD_PERM_BULK, KD_PERM_BULK, -1,
};
static const struct tui_keyhint search_keys[] = {
	{ "Type", "to search" }, { "Enter", "To the list" },
	{ "Esc", "Clear search" }, { "F2", "New user" }, { "F10", "Quit" },
};
static const int search_perms[] = { -1, -1, -1, KD_PERM_ENROLL, -1 };

static void
users_draw_filters(struct users *u)
{
	const char *st = u->status < 0 ? "All" :
	    model_user_status_label((enum kd_user_status)u->status);
	const char *gr = u->group > 0 ? u->groups[u->group - 1] : "All";
	int x;

	tui_text(TUI_TOP - 1, 1, 8, u->searching ? A_BOLD : A_NORMAL, "Search:");
	field_draw(&u->search, TUI_TOP - 1, 9, 28, u->searching);
	x = 39;
	x += tui_text(TUI_TOP - 1, x, 20, A_NORMAL, "Status: ");
	x += tui_text(TUI_TOP - 1, x, 8, A_BOLD, st);
	x += 2;
	x += tui_text(TUI_TOP - 1, x, COLS - x, A_NORMAL, "Group: ");
	tui_text(TUI_TOP - 1, x, COLS - x - 1, A_BOLD, gr);
}

static void
users_draw_empty(const struct users *u)
{
	int y = TUI_TOP + 2;

	/* No rows without a search or filter: the database is empty. */
	if (u->search.len == 0 && u->status < 0 && u->group == 0) {
		tui_text(y, 2, COLS - 4, A_BOLD, "No users yet.");
		tui_wrap_draw(y + 2, 2, COLS - 4, 4, A_NORMAL,
		    "Press n (or F2) to add the first user with the New User "
		    "wizard, or from a shell: keydesk user add --id ID --name "
		    "NAME --email EMAIL --username NAME");
	} else
		tui_text(y, 2, COLS - 4, tui_attr(TUI_DIM),
		    "No users match the search and filters.");
}

/* The store keeps the counts, so reading them is three rows. */
static void
users_read_total(struct users *u, const struct tui_app *app)
{
	u->total = store_user_counts(app->st, &u->counts, NULL) == KD_OK ?
	    u->counts.total : -1;
}

/* The header's count: the total is kept by the store; a search or a
 * filter shows how many match when the pages so far tell ("12 of
 * 1000000 users"), and "50+ of" when another page follows. */
static void
users_count_text(const struct users *u, char *buf, size_t len)
{
	size_t shown = u->depth * (size_t)u->limit + u->page.n;
	const char *noun = u->total == 1 ? "user" : "users";

	buf[0] = '\0';
	if (u->total < 0)
		return;
	if (u->search.len == 0 && u->status < 0 && u->group == 0)
		snprintf(buf, len, "%lld %s", (long long)u->total, noun);
	else if (u->search.len == 0 && u->group == 0)	/* a status alone */
		snprintf(buf, len, "%lld of %lld %s",
		    (long long)u->counts.by_status[u->status],
		    (long long)u->total, noun);
	else
		snprintf(buf, len, "%zu%s of %lld %s", shown,
		    u->page.more ? "+" : "", (long long)u->total, noun);
}

static void
users_draw(struct tui_screen *s, const struct tui_app *app)
{
	struct users *u = (struct users *)s;
	char right[64], st[96];

	if (u->limit != page_rows())
		users_query(u, app);	/* the window changed size */
	users_count_text(u, right, sizeof(right));
	tui_header_draw("Users", right);
	users_draw_filters(u);
	if (u->page.n == 0 && u->err[0] == '\0')
		users_draw_empty(u);
	else {
		table_draw(&u->table, TUI_TOP, 1, COLS - 2, TUI_BOTTOM - TUI_TOP + 1);
	}
	if (u->err[0] != '\0')
		tui_status_draw(TUI_ERROR, u->err);
	else {
		snprintf(st, sizeof(st), "Page %zu%s", u->depth + 1,
		    u->page.more ? "  (PgDn for more)" : "");
		tui_status_draw(TUI_DIM, u->page.n > 0 ? st : "");
	}
	if (u->searching)
		tui_keybar_role(app, search_keys, search_perms,
		    KD_NELEM(search_keys));
	else if (app->opts->kiosk || app->sess->signed_in) {
		/* q signs the operator out, back to the start screen. */
		struct tui_keyhint kk[KD_NELEM(list_keys)];

		memcpy(kk, list_keys, sizeof(kk));
		kk[LIST_KEY_Q].label = "Sign out";
		tui_keybar_role(app, kk, list_perms, KD_NELEM(kk));
	} else
		tui_keybar_role(app, list_keys, list_perms, KD_NELEM(list_keys));
}

static enum tui_do
users_quit(const struct tui_app *app)
{
	/* A kiosk has no way out of the program. */
	return app->opts->kiosk ? TUI_STAY : TUI_QUIT;
}

static enum tui_do
users_new_user(struct users *u, const struct tui_app *app,
    struct tui_screen **next)
{
	if (!tui_permit(app, KD_PERM_ENROLL))
		return TUI_STAY;	/* not offered to this role: say why */
	if ((*next = screen_wizard_new(app, 0)) != NULL)
		return TUI_PUSH;
	snprintf(u->err, sizeof(u->err), "Cannot start the New User wizard "
	    "(out of memory or database error).");
	return TUI_STAY;
}

/* Keys that work whether or not the search field has the keys. */
static int
users_global(struct users *u, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next, enum tui_do *what)
{
	switch (k->act) {
	case TUI_K_F2:
		*what = users_new_user(u, app, next);
		return 1;
	case TUI_K_F10:
	case TUI_K_CTRL_C:
		*what = users_quit(app);
		return 1;
	default:
		return 0;
	}
}

static enum tui_do
users_search_key(struct users *u, const struct tui_app *app,
    const struct tui_key *k)
{
	switch (field_key(&u->search, k)) {
	case TUI_W_CHANGED:
		users_first_page(u, app);	/* search as you type */
		return TUI_STAY;
	case TUI_W_HANDLED:
		return TUI_STAY;
	default:
		break;
	}
	if (k->act == TUI_K_ESC && u->search.len > 0) {
		field_set(&u->search, "");
		users_first_page(u, app);
	}
	if (k->act == TUI_K_ESC || k->act == TUI_K_ENTER ||
	    k->act == TUI_K_DOWN || k->act == TUI_K_TAB)
		u->searching = 0;
	return TUI_STAY;
}

static void
users_cycle_filter(struct users *u, const struct tui_app *app, int group)
{
	if (group)
		u->group = u->ngroups == 0 ? 0 : (u->group + 1) % (u->ngroups + 1);
	else
		u->status = u->status >= KD_US_ACTIVE ? -1 : u->status + 1;
	users_first_page(u, app);
}

static enum tui_do
users_letter(struct users *u, const struct tui_app *app, int c,
    struct tui_screen **next)
{
	switch (c) {
	case '/':	/* a new search, as in less and vim */
		u->searching = 1;
		if (u->search.len > 0) {
			field_set(&u->search, "");
			users_first_page(u, app);
		}
		return TUI_STAY;
	case 'n':
		return users_new_user(u, app, next);
	case 'g':
		if (!tui_permit(app, KD_PERM_EDIT))
			return TUI_STAY;
		*next = screen_groups_new(app);
		return TUI_PUSH;
	case 'o':
		*next = screen_outbox_new(app);
		return TUI_PUSH;
	case 'w':
		if (!tui_permit(app, KD_PERM_BULK))
			return TUI_STAY;
		*next = screen_workflows_new(app);
		return *next != NULL ? TUI_PUSH : TUI_STAY;
	case 'i':
		if (!tui_permit(app, KD_PERM_BULK))
			return TUI_STAY;
		*next = screen_import_new(app);
		return *next != NULL ? TUI_PUSH : TUI_STAY;
	case 'a':
		if (!tui_permit(app, KD_PERM_REDEEM))
			return TUI_STAY;
		*next = screen_redeem_new(app);
		return *next != NULL ? TUI_PUSH : TUI_STAY;
	case 's':
		users_cycle_filter(u, app, 0);
		return TUI_STAY;
	case 'f':
		users_cycle_filter(u, app, 1);
		return TUI_STAY;
	case 'r':
		users_load_groups(u, app);
		users_query(u, app);
		users_read_total(u, app);
		return TUI_STAY;
	case 'q':
		/* Sign out, back to redemption or the sign-in below. */
		if (app->opts->kiosk || app->sess->signed_in) {
			tui_signout(app);
			return TUI_POP;
		}
		return users_quit(app);
	default:
		return TUI_STAY;
	}
}

static enum tui_do
users_list_key(struct users *u, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	int rows = TUI_BOTTOM - TUI_TOP + 1;

	if (k->act == TUI_K_PGDN || (k->act == TUI_K_DOWN &&
	    u->table.cur + 1 >= u->table.n)) {
		users_page_down(u, app);
		return TUI_STAY;
	}
	if (k->act == TUI_K_PGUP || (k->act == TUI_K_UP && u->table.cur == 0)) {
		if (users_page_up(u, app) && k->act == TUI_K_UP)
			u->table.cur = u->table.n > 0 ? u->table.n - 1 : 0;
		return TUI_STAY;
	}
	switch (table_key(&u->table, k, rows)) {
	case TUI_W_ACTIVATE:
		*next = screen_user_new(app, u->page.users[u->table.cur].id);
		return TUI_PUSH;
	case TUI_W_UNHANDLED:
		break;
	default:
		return TUI_STAY;
	}
	switch (k->act) {
	case TUI_K_TAB:
		users_cycle_filter(u, app, 0);
		return TUI_STAY;
	case TUI_K_BACKTAB:
		users_cycle_filter(u, app, 1);
		return TUI_STAY;
	case TUI_K_F3:
		u->searching = 1;
		return TUI_STAY;
	case TUI_K_ESC:
		if (u->search.len > 0) {
			field_set(&u->search, "");
			users_first_page(u, app);
		}
		return TUI_STAY;
	case TUI_K_CHAR:
		if (k->ch == L'A') {	/* a (lower case) is Activate code */
			*next = screen_audit_new(app);
			return *next != NULL ? TUI_PUSH : TUI_STAY;
		}
		if (k->ch == L'R') {	/* r (lower case) reloads */
			*next = screen_readers_new(app);
			return *next != NULL ? TUI_PUSH : TUI_STAY;
		}
		return users_letter(u, app, tui_key_letter(k), next);
	default:
		return TUI_STAY;
	}
}

static enum tui_do
users_key(struct tui_screen *s, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	struct users *u = (struct users *)s;
	enum tui_do what = TUI_STAY;

	if (users_global(u, app, k, next, &what))
		return what;
	if (u->searching)
		return users_search_key(u, app, k);
	return users_list_key(u, app, k, next);
}

/* Another kiosk, the portal or the CLI may have changed users: PRAGMA
 * data_version (no table read) says so, and then only the page on the
 * screen is read again, from where it starts, the cursor row kept. */
static enum tui_do
users_tick(struct tui_screen *s, const struct tui_app *app)
{
	struct users *u = (struct users *)s;
	int64_t v = u->version;
	size_t cur = u->table.cur;

	if (store_data_version(app->st, &v) != KD_OK || v == u->version)
		return TUI_IDLE;
	u->version = v;
	users_read_total(u, app);
	users_query(u, app);
	u->table.cur = u->table.n == 0 ? 0 : cur < u->table.n ? cur :
	    u->table.n - 1;
	return TUI_STAY;
}

static void
users_resume(struct tui_screen *s, const struct tui_app *app)
{
	struct users *u = (struct users *)s;

	/* A user or group may have been added: start over, keep filters. */
	users_load_groups(u, app);
	users_first_page(u, app);
	users_read_total(u, app);
}

static void
users_free(struct tui_screen *s)
{
	struct users *u = (struct users *)s;
	size_t i;

	store_user_page_clear(&u->page);
	for (i = 0; i < u->ngroups; i++)
		free(u->groups[i]);
	free(u->groups);
	free(u->stack);
	free(u);
}

static const struct tui_screen_ops users_ops = {
	.name = "users",
	.draw = users_draw,
	.key = users_key,
	.tick = users_tick,
	.resume = users_resume,
	.free = users_free,
};

struct tui_screen *
screen_users_new(const struct tui_app *app)
{
	struct users *u;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	u->cap = 16;
	if ((u->stack = calloc(u->cap, sizeof(*u->stack))) == NULL) {
		free(u);
		return NULL;
	}
	u->base.ops = &users_ops;
	u->status = -1;
	u->total = -1;
	field_init(&u->search, 64, "press / to search");
	table_init(&u->table, columns, (int)KD_NELEM(columns), users_cell,
	    u, 0);
	users_load_groups(u, app);
	store_data_version(app->st, &u->version);
	users_first_page(u, app);
	users_read_total(u, app);	/* in the first frame: O(1) now */
	return &u->base;
}
