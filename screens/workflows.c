/* Workflows › Security Key Device Assignment: every workflow with its
 * last run (in scope, created, skipped, failed, status).  n defines a new
 * one (workflow_new.c); Enter opens its run (workflow_run.c), which shows
 * the review before anything starts. */
#include "screens/admin.h"
#include "core/workflow.h"
#include "tui/draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct workflows {
	struct tui_screen	 base;
	struct kd_workflow	*w;
	size_t			 n;
	struct tui_table	 table;
	char			 cell[32];
	char			 msg[600];
};

static const struct tui_column columns[] = {
	{ "Name", 0 }, { "Key", 10 }, { "Last run", 9 }, { "Scope", 7 },
	{ "Created", 7 }, { "Skipped", 7 }, { "Failed", 7 },
};

static const char *
wf_count(struct workflows *s, const struct kd_workflow *w, int64_t v)
{
	if (w->last.id == 0)
		return "";
	snprintf(s->cell, sizeof(s->cell), "%7lld", (long long)v);
	return s->cell;
}

static const char *
workflows_cell(void *arg, size_t row, int col, attr_t *a)
{
	struct workflows *s = arg;
	const struct kd_workflow *w = &s->w[row];

	switch (col) {
	case 0: return w->name;
	case 1: return model_key_type_name(w->type);
	case 2:
		if (w->last.id == 0) {
			*a = tui_attr(TUI_DIM);
			return "never";
		}
		*a = tui_attr(strcmp(w->last.status, "done") == 0 ? TUI_OK :
		    strcmp(w->last.status, "running") == 0 ? TUI_WARN : TUI_ERROR);
		return w->last.status;
	case 3: return wf_count(s, w, w->last.in_scope);
	case 4: return wf_count(s, w, w->last.created);
	case 5: return wf_count(s, w, w->last.skipped);
	default: return wf_count(s, w, w->last.failed);
	}
}

static void
workflows_load(struct workflows *s, const struct tui_app *app)
{
	struct kd_err e;

	workflow_list_free(s->w, s->n);
	s->w = NULL;
	s->n = 0;
	s->msg[0] = '\0';
	if (workflow_list(app->st, &s->w, &s->n, &e) != KD_OK)
		snprintf(s->msg, sizeof(s->msg), "%s", e.msg);
	s->table.n = s->n;
}

/* The selected workflow in full: its groups and its last run's times. */
static void
workflows_draw_detail(const struct workflows *s, int y)
{
	const struct kd_workflow *w = &s->w[s->table.cur];
	char buf[1024], t1[32], t2[32];
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < w->ngroups && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
		    i ? ", " : "", w->groups[i]);
	tui_text(y, 2, 10, A_BOLD, "Groups");
	tui_text(y, 12, COLS - 14, A_NORMAL, w->ngroups ? buf : "all users");
	kd_time_format(w->created_at, t1, sizeof(t1));
	tui_text(y + 1, 2, 10, A_BOLD, "Created");
	tui_textf(y + 1, 12, COLS - 14, A_NORMAL, "%s by %s, %s settings", t1,
	    w->created_by, w->use_defaults ? "default" : "custom");
	tui_text(y + 2, 2, 10, A_BOLD, "Last run");
	if (w->last.id == 0) {
		tui_text(y + 2, 12, COLS - 14, A_NORMAL, "never");
		return;
	}
	kd_time_format(w->last.started_at, t1, sizeof(t1));
	kd_time_format(w->last.finished_at, t2, sizeof(t2));
	tui_textf(y + 2, 12, COLS - 14, A_NORMAL, "%s, started %s, ended %s",
	    w->last.status, t1, w->last.finished_at ? t2 : "-");
}

static void
workflows_draw(struct tui_screen *sc, const struct tui_app *app)
{
	struct workflows *s = (struct workflows *)sc;
	static const struct tui_keyhint hints[] = {
		{ "Enter", "Run" }, { "n", "New workflow" }, { "r", "Reload" },
		{ "Esc", "Back" }, { "q", "Quit" },
	};
	char right[32];
	int h;

	(void)app;
	snprintf(right, sizeof(right), "%zu workflow%s", s->n,
	    s->n == 1 ? "" : "s");
	tui_header_draw("Workflows: Security Key Device Assignment", right);
	if (s->n == 0)
		tui_wrap_draw(TUI_TOP + 1, 2, COLS - 4, 3, tui_attr(TUI_DIM),
		    "No workflows yet.  Press n to define one: it gives every user "
		    "in some groups (or everyone) a key of one type.");
	else {
		h = TUI_BOTTOM - TUI_TOP - 3;
		table_draw(&s->table, TUI_TOP, 1, COLS - 2, h);
		workflows_draw_detail(s, TUI_BOTTOM - 2);
	}
	tui_status_draw(TUI_ERROR, s->msg);
	keybar_draw(hints, KD_NELEM(hints));
}

static enum tui_do
workflows_key(struct tui_screen *sc, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	struct workflows *s = (struct workflows *)sc;

	if (k->act == TUI_K_CTRL_C || k->act == TUI_K_F10)
		return app->opts->kiosk ? TUI_POP : TUI_QUIT;
	switch (table_key(&s->table, k, TUI_BOTTOM - TUI_TOP - 3)) {
	case TUI_W_ACTIVATE:
		*next = screen_workflow_run_new(app, s->w[s->table.cur].name);
		return TUI_PUSH;
	case TUI_W_UNHANDLED:
		break;
	default:
		return TUI_STAY;
	}
	if (k->act == TUI_K_ESC || k->act == TUI_K_LEFT)
		return TUI_POP;
	switch (k->act == TUI_K_F2 ? 'n' : tui_key_letter(k)) {
	case 'n':
		*next = screen_workflow_form_new(app);
		return TUI_PUSH;
	case 'r':
		workflows_load(s, app);
		return TUI_STAY;
	case 'q':
		return app->opts->kiosk ? TUI_POP : TUI_QUIT;
	default:
		return TUI_STAY;
	}
}

static void
workflows_resume(struct tui_screen *sc, const struct tui_app *app)
{
	workflows_load((struct workflows *)sc, app);	/* a run or a new one */
}

static void
workflows_free(struct tui_screen *sc)
{
	struct workflows *s = (struct workflows *)sc;

	workflow_list_free(s->w, s->n);
	free(s);
}

static const struct tui_screen_ops workflows_ops = {
	.name = "workflows",
	.draw = workflows_draw,
	.key = workflows_key,
	.resume = workflows_resume,
	.free = workflows_free,
};

struct tui_screen *
screen_workflows_new(const struct tui_app *app)
{
	struct workflows *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->base.ops = &workflows_ops;
	table_init(&s->table, columns, (int)KD_NELEM(columns), workflows_cell,
	    s, 1);
	workflows_load(s, app);
	return &s->base;
}
