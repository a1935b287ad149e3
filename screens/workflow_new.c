/* New workflow, in three pages: name and groups (none checked = all
 * users); key type and settings ("use default settings", or the type's
 * own settings as the wizard offers them); the review (in scope, already
 * have a key, will get one) with Submit.  Nothing is stored before
 * Submit (workflow_add). */
#include "screens/admin.h"
#include "screens/wizard.h"
#include "core/validate.h"
#include "core/workflow.h"
#include "tui/draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PAGE_NAME, PAGE_KEY, PAGE_REVIEW, PAGE_DONE };

struct wfnew {
	struct tui_screen	 base;
	int			 page, focus;
	struct tui_field	 name;
	char			 name_err[300];
	struct tui_listbox	 groups;
	struct tui_radio	 type;
	int			 use_defaults;
	struct keyset		 ks;
	struct kd_workflow_review rv;
	struct tui_dialog	 dlg;
	int			 quit_after;	/* Ctrl-C asked: "y" quits */
	char			 msg[600];
	enum tui_role		 role;
};

static void
wfnew_msg(struct wfnew *s, enum tui_role role, const char *msg)
{
	s->role = role;
	snprintf(s->msg, sizeof(s->msg), "%s", msg);
}

static enum kd_key_type
wfnew_type(const struct wfnew *s)
{
	return (enum kd_key_type)s->type.sel;
}

/* The workflow as the pages have it; the caller clears it. */
static int
wfnew_build(const struct wfnew *s, const struct tui_app *app,
    struct kd_workflow *w)
{
	size_t i;

	memset(w, 0, sizeof(*w));
	field_get(&s->name, w->name, sizeof(w->name));
	validate_trim(w->name);
	w->type = wfnew_type(s);
	w->use_defaults = s->use_defaults;
	w->settings = s->use_defaults ? app->cfg->defaults[w->type] : s->ks.s;
	for (i = 0; i < s->groups.n; i++)
		if (s->groups.checked[i] &&
		    workflow_group_add(w, s->groups.items[i]) != KD_OK)
			return KD_ERR_INVALID;
	return KD_OK;
}

/* workflow_review finds group members through the stored workflow (its
 * id), so one with groups is added inside a transaction of our own,
 * reviewed and rolled back: nothing is written, the numbers are the
 * core's own. */
static int
wfnew_review(struct wfnew *s, const struct tui_app *app, struct kd_err *e)
{
	struct kd_workflow w, saved;
	int r;

	memset(&saved, 0, sizeof(saved));
	if ((r = wfnew_build(s, app, &w)) != KD_OK) {
		workflow_clear(&w);
		return kd_err_set(e, r, "at most %d groups", WORKFLOW_MAX_GROUPS);
	}
	if (w.ngroups == 0)
		r = workflow_review(app->st, &w, &s->rv, e);
	else if ((r = store_begin(app->st, e)) == KD_OK) {
		if ((r = workflow_add(app->st, app->actor, &w, e)) == KD_OK &&
		    (r = workflow_get(app->st, w.name, &saved, e)) == KD_OK)
			r = workflow_review(app->st, &saved, &s->rv, e);
		store_rollback(app->st);
	}
	workflow_clear(&saved);
	workflow_clear(&w);
	return r;
}

static int
wfnew_check_name(struct wfnew *s, const struct tui_app *app)
{
	struct kd_workflow w;
	struct kd_err e;
	const char *m;
	char name[TUI_FIELD_MAX * 4 + 1];
	size_t i, n = 0;

	field_get(&s->name, name, sizeof(name));
	validate_trim(name);
	s->name_err[0] = '\0';
	if ((m = validate_key_name(name)) != NULL)
		snprintf(s->name_err, sizeof(s->name_err), "%s", m);
	else if (workflow_get(app->st, name, &w, &e) == KD_OK) {
		workflow_clear(&w);
		snprintf(s->name_err, sizeof(s->name_err), "a workflow named "
		    "\"%.200s\" already exists", name);
	}
	for (i = 0; i < s->groups.n; i++)
		n += s->groups.checked[i] != 0;
	if (s->name_err[0] != '\0') {
		s->focus = 0;
		return 0;
	}
	if (n > WORKFLOW_MAX_GROUPS) {
		wfnew_msg(s, TUI_ERROR, "A workflow covers at most 32 groups.");
		return 0;
	}
	return 1;
}

static void
wfnew_next(struct wfnew *s, const struct tui_app *app)
{
	struct kd_err e;

	kd_err_clear(&e);
	s->msg[0] = '\0';
	if (s->page == PAGE_NAME && !wfnew_check_name(s, app))
		return;
	if (s->page == PAGE_KEY && wfnew_review(s, app, &e) != KD_OK) {
		wfnew_msg(s, TUI_ERROR, e.msg);
		return;
	}
	s->page++;
	s->focus = 0;
}

static void
wfnew_submit(struct wfnew *s, const struct tui_app *app)
{
	struct kd_workflow w;
	struct kd_err e;
	int r;

	kd_err_clear(&e);
	if ((r = wfnew_build(s, app, &w)) == KD_OK)
		r = workflow_add(app->st, app->actor, &w, &e);
	workflow_clear(&w);
	if (r != KD_OK) {
		wfnew_msg(s, TUI_ERROR, e.msg[0] ? e.msg : kd_strerror(r));
		return;
	}
	s->page = PAGE_DONE;
	s->msg[0] = '\0';
}

static void
wfnew_draw_name(struct wfnew *s, int y)
{
	field_draw_row(&s->name, y, "Name", s->focus == 0,
	    s->name_err[0] ? s->name_err : NULL);
	tui_text(y + 3, 2, COLS - 4, s->focus == 1 ? A_BOLD : A_NORMAL,
	    "Groups (none checked: all users)");
	listbox_draw(&s->groups, y + 4, 4, COLS - 8, TUI_BOTTOM - y - 4,
	    s->focus == 1);
}

static void
wfnew_draw_key(struct wfnew *s, const struct tui_app *app, int y)
{
	char set[256];

	tui_text(y, 2, COLS - 4, A_BOLD, "Key type");
	radio_draw(&s->type, y + 1, 4, COLS - 8, s->focus == 0);
	y += 2 + s->type.n;
	toggle_draw(y, 4, COLS - 8, "Use default settings", s->use_defaults,
	    s->focus == 1);
	y += 2;
	if (s->use_defaults) {
		wiz_settings_text(wfnew_type(s), &app->cfg->defaults[wfnew_type(s)],
		    set, sizeof(set));
		tui_text(y, 4, COLS - 8, A_NORMAL, "The defaults for this type "
		    "(from the configuration):");
		tui_wrap_draw(y + 1, 6, COLS - 10, 2, tui_attr(TUI_DIM), set);
	} else
		keyset_draw(&s->ks, y, s->focus == 2);
}

static void
wfnew_draw_review(struct wfnew *s, const struct tui_app *app, int y)
{
	struct kd_workflow w;
	char buf[1024];
	size_t i, o = 0;

	wfnew_build(s, app, &w);
	buf[0] = '\0';
	for (i = 0; i < w.ngroups && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
		    i ? ", " : "", w.groups[i]);
	wiz_line(y++, "Name", A_BOLD, w.name);
	wiz_line(y++, "Groups", A_NORMAL, w.ngroups ? buf : "all users");
	wiz_line(y++, "Key type", A_NORMAL, model_key_type_label(w.type));
	wiz_settings_text(w.type, &w.settings, buf, sizeof(buf));
	wiz_line(y++, w.use_defaults ? "Settings (default)" : "Settings",
	    A_NORMAL, buf);
	workflow_clear(&w);
	y++;
	snprintf(buf, sizeof(buf), "%lld users", (long long)s->rv.in_scope);
	wiz_line(y++, "In scope", A_NORMAL, buf);
	snprintf(buf, sizeof(buf), "%lld (active or pending)",
	    (long long)s->rv.have_key);
	wiz_line(y++, "Already have one", A_NORMAL, buf);
	snprintf(buf, sizeof(buf), "%lld", (long long)s->rv.will_get);
	wiz_line(y++, "Will get one", A_BOLD, buf);
	tui_wrap_draw(y + 1, 2, COLS - 4, 2, tui_attr(TUI_DIM), "Submit stores "
	    "the workflow; run it from the workflows list.  A run gives each "
	    "of them a pending key and an activation email.");
}

static void
wfnew_draw_done(const struct wfnew *s)
{
	char name[TUI_FIELD_MAX * 4 + 1];

	field_get(&s->name, name, sizeof(name));
	validate_trim(name);
	tui_textf(TUI_TOP, 2, COLS - 4, tui_attr(TUI_OK), "Created workflow "
	    "\"%s\".", name);
	tui_wrap_draw(TUI_TOP + 2, 2, COLS - 4, 3, A_NORMAL, "Nothing has run "
	    "yet.  r runs it now (its review comes first); Enter goes back to "
	    "the workflows list.");
}

static void
wfnew_draw(struct tui_screen *sc, const struct tui_app *app)
{
	struct wfnew *s = (struct wfnew *)sc;
	static const char *titles[] = { "New workflow: Name and groups",
	    "New workflow: Key type and settings", "New workflow: Review",
	    "New workflow: Done" };
	static const struct tui_keyhint form_keys[] = {
		{ "Tab", "Next item" }, { "Space", "Toggle" }, { "Enter", "Next" },
		{ "PgUp", "Back" }, { "Esc", "Cancel" },
	};
	static const struct tui_keyhint review_keys[] = {
		{ "Enter", "Submit" }, { "PgUp", "Back" }, { "Esc", "Cancel" },
	};
	static const struct tui_keyhint done_keys[] = {
		{ "Enter", "Back to workflows" }, { "r", "Run it now" },
	};
	char right[32];

	snprintf(right, sizeof(right), "Page %d of 3", s->page < 3 ?
	    s->page + 1 : 3);
	tui_header_draw(titles[s->page], right);
	if (s->page == PAGE_NAME)
		wfnew_draw_name(s, TUI_TOP);
	else if (s->page == PAGE_KEY)
		wfnew_draw_key(s, app, TUI_TOP);
	else if (s->page == PAGE_REVIEW)
		wfnew_draw_review(s, app, TUI_TOP);
	else
		wfnew_draw_done(s);
	tui_status_draw(s->role, s->msg);
	if (s->page == PAGE_REVIEW)
		keybar_draw(review_keys, KD_NELEM(review_keys));
	else if (s->page == PAGE_DONE)
		keybar_draw(done_keys, KD_NELEM(done_keys));
	else
		keybar_draw(form_keys, KD_NELEM(form_keys));
	if (s->dlg.open) {
		tui_cursor_want(-1, -1);
		dialog_draw(&s->dlg);
	}
}

/* Page 2's widgets: the type, the defaults toggle, the settings. */
static void
wfnew_key_page(struct wfnew *s, const struct tui_app *app,
    const struct tui_key *k)
{
	int last = s->use_defaults ? 1 : 2, prev = s->type.sel;

	if (s->focus == 0 && radio_key(&s->type, k) != TUI_W_UNHANDLED) {
		s->type.sel = s->type.cur;
		if (s->type.sel != prev)
			keyset_open(&s->ks, wfnew_type(s),
			    &app->cfg->defaults[wfnew_type(s)]);
		return;
	}
	if (s->focus == 1 && toggle_key(&s->use_defaults, k) == TUI_W_CHANGED) {
		/* Customising starts from the defaults. */
		keyset_open(&s->ks, wfnew_type(s),
		    &app->cfg->defaults[wfnew_type(s)]);
		return;
	}
	if (s->focus == 2 && keyset_key(&s->ks, k))
		return;
	if (k->act == TUI_K_TAB || k->act == TUI_K_DOWN)
		s->focus = s->focus < last ? s->focus + 1 : 0;
	else if (k->act == TUI_K_BACKTAB || k->act == TUI_K_UP)
		s->focus = s->focus > 0 ? s->focus - 1 : last;
	if (s->focus == 2 && (k->act == TUI_K_BACKTAB || k->act == TUI_K_UP))
		s->ks.focus = s->ks.nbools + s->ks.has_verif - 1;
	else if (s->focus == 2)
		s->ks.focus = 0;
}

static void
wfnew_name_page(struct wfnew *s, const struct tui_key *k)
{
	if (k->act == TUI_K_TAB || k->act == TUI_K_BACKTAB ||
	    (s->focus == 0 && k->act == TUI_K_DOWN)) {
		s->focus = !s->focus;
		return;
	}
	if (s->focus == 1) {
		if (listbox_key(&s->groups, k) == TUI_W_UNHANDLED &&
		    k->act == TUI_K_UP)
			s->focus = 0;
		return;
	}
	if (field_key(&s->name, k) == TUI_W_CHANGED)
		s->name_err[0] = '\0';
}

static enum tui_do
wfnew_key(struct tui_screen *sc, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	struct wfnew *s = (struct wfnew *)sc;
	char name[TUI_FIELD_MAX * 4 + 1];

	if (s->dlg.open)
		return dialog_key(&s->dlg, k) != TUI_W_YES ? TUI_STAY :
		    s->quit_after ? TUI_QUIT : TUI_POP;
	if (s->page == PAGE_DONE) {
		if (k->act == TUI_K_CTRL_C)
			return app->opts->kiosk ? TUI_POP : TUI_QUIT;
		if (tui_key_letter(k) != 'r')
			return k->act == TUI_K_ENTER || k->act == TUI_K_ESC ?
			    TUI_POP : TUI_STAY;
		field_get(&s->name, name, sizeof(name));
		validate_trim(name);
		*next = screen_workflow_run_new(app, name);
		return *next != NULL ? TUI_REPLACE : TUI_STAY;
	}
	switch (k->act) {
	case TUI_K_ESC:
	case TUI_K_CTRL_C:
		s->quit_after = k->act == TUI_K_CTRL_C && !app->opts->kiosk;
		dialog_confirm(&s->dlg, "Discard this workflow? (y/N)", "Nothing "
		    "has been saved yet.  y discards it; n goes back to it.");
		return TUI_STAY;
	case TUI_K_ENTER:
	case TUI_K_PGDN:
		if (s->page == PAGE_REVIEW)
			wfnew_submit(s, app);
		else
			wfnew_next(s, app);
		return TUI_STAY;
	case TUI_K_PGUP:
		if (s->page > PAGE_NAME)
			s->page--;
		s->focus = 0;
		s->msg[0] = '\0';
		return TUI_STAY;
	default:
		break;
	}
	if (s->page == PAGE_NAME)
		wfnew_name_page(s, k);
	else if (s->page == PAGE_KEY)
		wfnew_key_page(s, app, k);
	return TUI_STAY;
}

static void
wfnew_free(struct tui_screen *sc)
{
	struct wfnew *s = (struct wfnew *)sc;

	listbox_clear(&s->groups);
	free(s);
}

static const struct tui_screen_ops wfnew_ops = {
	.name = "workflow-new",
	.draw = wfnew_draw,
	.key = wfnew_key,
	.free = wfnew_free,
};

struct tui_screen *
screen_workflow_form_new(const struct tui_app *app)
{
	struct kd_group *g = NULL;
	struct wfnew *s;
	struct kd_err e;
	size_t n = 0, i;
	int t;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->base.ops = &wfnew_ops;
	field_init(&s->name, KD_KEY_NAME_MAX, "e.g. Cards for the night shift");
	s->groups.empty = "No groups yet: the workflow covers all users.";
	if (store_group_list(app->st, &g, &n, &e) == KD_OK)
		for (i = 0; i < n; i++)
			listbox_add(&s->groups, g[i].name, 0);
	store_groups_free(g, n);
	radio_init(&s->type);
	for (t = 0; t < KD_KEY_NTYPES; t++)
		radio_add(&s->type, model_key_type_label((enum kd_key_type)t), 1);
	s->use_defaults = 1;
	keyset_open(&s->ks, wfnew_type(s), &app->cfg->defaults[wfnew_type(s)]);
	return &s->base;
}
