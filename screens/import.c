/* CSV import of users: a file path, "create unknown groups", then Dry run
 * or Import through import_users, which checks every row before writing
 * anything.  The report lists each bad row (line, field, reason). */
#include "screens/admin.h"
#include "core/import.h"
#include "tui/draw.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT_MAX_BYTES (256L << 20)	/* far beyond a million users */

enum { F_PATH, F_GROUPS, F_DRY, F_IMPORT, F_REPORT, F_N };

struct import {
	struct tui_screen	 base;
	struct tui_field	 path;
	char			 path_err[300];
	int			 create_groups;
	int			 focus;
	int			 pending;	/* 1 dry run, 2 import: next tick */
	struct kd_import_report	 rep;
	struct tui_table	 table;
	char			 summary[700];
	enum tui_role		 role;
	char			 cell[16];
};

static const struct tui_column columns[] = {
	{ "Line", 6 }, { "Field", 10 }, { "Reason", 0 },
};

static const char *
import_cell(void *arg, size_t row, int col, attr_t *a)
{
	struct import *s = arg;
	const struct kd_import_issue *is = &s->rep.issues[row];

	switch (col) {
	case 0:
		snprintf(s->cell, sizeof(s->cell), "%6d", is->line);
		return s->cell;
	case 1:
		return is->field;
	default:
		*a = tui_attr(TUI_ERROR);
		return is->reason;
	}
}

static int
issue_cmp(const void *a, const void *b)
{
	const struct kd_import_issue *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return strcmp(x->field, y->field);
}

/* The whole file; "~/" is the operator's home. */
static char *
import_read(const char *in, size_t *len, char *err, size_t errlen)
{
	char path[2048], *b = NULL, *nb;
	const char *home = getenv("HOME");
	size_t cap = 0, n;
	FILE *f;

	*len = 0;
	if (strncmp(in, "~/", 2) == 0 && home != NULL)
		snprintf(path, sizeof(path), "%s/%s", home, in + 2);
	else
		snprintf(path, sizeof(path), "%s", in);
	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	for (;;) {
		if (*len + 65536 > cap) {
			cap = cap ? cap * 2 : 131072;
			if (cap > (size_t)IMPORT_MAX_BYTES ||
			    (nb = realloc(b, cap)) == NULL) {
				snprintf(err, errlen, "too large to import here "
				    "(keydesk import users FILE)");
				free(b);
				fclose(f);
				return NULL;
			}
			b = nb;
		}
		if ((n = fread(b + *len, 1, cap - *len, f)) == 0)
			break;
		*len += n;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read it");
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

static void
import_summary(struct import *s, int rc, int dry, const struct kd_err *e)
{
	const struct kd_import_report *r = &s->rep;

	s->role = TUI_ERROR;
	if (rc != KD_OK)
		snprintf(s->summary, sizeof(s->summary), "%s%s", e->msg,
		    r->nissues > IMPORT_MAX_ISSUES ? " (the first 1000 shown)" : "");
	else if (dry) {
		snprintf(s->summary, sizeof(s->summary), "Dry run: all %zu row%s "
		    "are good; nothing was written.  Import writes them.", r->rows,
		    r->rows == 1 ? "" : "s");
		s->role = TUI_OK;
	} else {
		snprintf(s->summary, sizeof(s->summary), "Imported %zu user%s; "
		    "created %zu group%s.", r->rows, r->rows == 1 ? "" : "s",
		    r->groups_created, r->groups_created == 1 ? "" : "s");
		s->role = TUI_OK;
	}
}

static void
import_run(struct import *s, const struct tui_app *app, int dry)
{
	struct kd_import_opts o;
	char path[TUI_FIELD_MAX * 4 + 1], *data;
	struct kd_err e;
	size_t len;
	int rc;

	import_report_clear(&s->rep);
	s->table.n = s->table.cur = s->table.top = 0;
	s->summary[0] = '\0';
	field_get(&s->path, path, sizeof(path));
	if (path[0] == '\0') {
		snprintf(s->path_err, sizeof(s->path_err), "which file?");
		s->focus = F_PATH;
		return;
	}
	if ((data = import_read(path, &len, s->path_err,
	    sizeof(s->path_err))) == NULL) {
		s->focus = F_PATH;
		return;
	}
	o.dry_run = dry;
	o.create_groups = s->create_groups;
	kd_err_clear(&e);
	rc = import_users(app->st, app->actor, data, len, &o, &s->rep, &e);
	free(data);
	if (s->rep.issues != NULL) {
		s->table.n = s->rep.nissues < IMPORT_MAX_ISSUES ? s->rep.nissues :
		    IMPORT_MAX_ISSUES;
		qsort(s->rep.issues, s->table.n, sizeof(*s->rep.issues),
		    issue_cmp);
	}
	import_summary(s, rc, dry, &e);
}

static void
import_draw(struct tui_screen *sc, const struct tui_app *app)
{
	struct import *s = (struct import *)sc;
	static const struct tui_keyhint hints[] = {
		{ "Tab", "Next" }, { "Enter", "Dry run/Import" },
		{ "Space", "Toggle" }, { "PgUp/PgDn", "Report" }, { "Esc", "Back" },
	};
	int y = TUI_TOP;

	(void)app;
	tui_header_draw("Import users from CSV", NULL);
	tui_wrap_draw(y, 2, COLS - 4, 2, A_NORMAL, "Header: user_id,name,"
	    "email,username,groups (groups separated by ;), UTF-8.  Every row "
	    "is checked first: all rows go in, or none.");
	field_draw_row(&s->path, y + 3, "CSV file", s->focus == F_PATH,
	    s->path_err[0] ? s->path_err : NULL);
	toggle_draw(y + 5, 21, COLS - 23, "Create groups that do not exist",
	    s->create_groups, s->focus == F_GROUPS);
	tui_text(y + 7, 21, 11, tui_attr(s->focus == F_DRY ? TUI_SELECTED :
	    TUI_NORMAL) | A_BOLD, "[ Dry run ]");
	tui_text(y + 7, 35, 10, tui_attr(s->focus == F_IMPORT ? TUI_SELECTED :
	    TUI_NORMAL) | A_BOLD, "[ Import ]");
	if (s->pending)
		tui_text(y + 9, 2, COLS - 4, tui_attr(TUI_WARN), "Reading and "
		    "checking the file...");
	else
		tui_text(y + 9, 2, COLS - 4, tui_attr(s->role) | A_BOLD, s->summary);
	if (s->table.n > 0)
		table_draw(&s->table, y + 10, 2, COLS - 4, TUI_BOTTOM - y - 9);
	keybar_draw(hints, KD_NELEM(hints));
	if (s->focus == F_DRY || s->focus == F_IMPORT)
		tui_cursor_want(y + 7, s->focus == F_DRY ? 23 : 37);
}

/* Tab goes round; the arrows stop at the ends. */
static int
import_move(struct import *s, int by, int wrap)
{
	int last = s->table.n > 0 ? F_REPORT : F_IMPORT;

	s->focus += by;
	if (s->focus > last)
		s->focus = wrap ? F_PATH : last;
	if (s->focus < F_PATH)
		s->focus = wrap ? last : F_PATH;
	return 1;
}

/* Keys for whichever item has the focus; 0 when it does not use it. */
static int
import_item_key(struct import *s, const struct tui_key *k)
{
	switch (s->focus) {
	case F_PATH:
		if (field_key(&s->path, k) == TUI_W_UNHANDLED)
			return 0;
		s->path_err[0] = '\0';
		return 1;
	case F_GROUPS:
		return toggle_key(&s->create_groups, k) != TUI_W_UNHANDLED;
	case F_REPORT:
		if (k->act == TUI_K_UP && s->table.cur == 0)
			return import_move(s, -1, 0);
		return table_key(&s->table, k, TUI_BOTTOM - TUI_TOP - 10) !=
		    TUI_W_UNHANDLED && k->act != TUI_K_ENTER;
	default:
		return 0;
	}
}

static enum tui_do
import_key(struct tui_screen *sc, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	struct import *s = (struct import *)sc;

	(void)next;
	if (k->act == TUI_K_CTRL_C || k->act == TUI_K_F10)
		return app->opts->kiosk ? TUI_POP : TUI_QUIT;
	if (s->pending)
		return TUI_STAY;
	if ((k->act == TUI_K_PGUP || k->act == TUI_K_PGDN) && s->table.n > 0) {
		table_key(&s->table, k, TUI_BOTTOM - TUI_TOP - 10);
		return TUI_STAY;
	}
	if (import_item_key(s, k))
		return TUI_STAY;
	switch (k->act) {
	case TUI_K_TAB:
	case TUI_K_DOWN:
		import_move(s, 1, k->act == TUI_K_TAB);
		return TUI_STAY;
	case TUI_K_BACKTAB:
	case TUI_K_UP:
		import_move(s, -1, k->act == TUI_K_BACKTAB);
		return TUI_STAY;
	case TUI_K_ENTER:
		/* The file is read and checked on the next tick, so the
		 * "checking" line is on the screen while it runs. */
		s->pending = s->focus == F_IMPORT ? 2 : 1;
		return TUI_STAY;
	case TUI_K_ESC:
		return TUI_POP;
	default:
		return TUI_STAY;
	}
}

static enum tui_do
import_tick(struct tui_screen *sc, const struct tui_app *app)
{
	struct import *s = (struct import *)sc;
	int dry = s->pending == 1;

	if (s->pending == 0)
		return TUI_IDLE;
	s->pending = 0;
	import_run(s, app, dry);
	return TUI_STAY;
}

static void
import_free(struct tui_screen *sc)
{
	struct import *s = (struct import *)sc;

	import_report_clear(&s->rep);
	free(s);
}

static const struct tui_screen_ops import_ops = {
	.name = "import",
	.draw = import_draw,
	.key = import_key,
	.tick = import_tick,
	.free = import_free,
};

struct tui_screen *
screen_import_new(const struct tui_app *app)
{
	struct import *s;

	(void)app;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->base.ops = &import_ops;
	field_init(&s->path, TUI_FIELD_MAX, "path of the .csv file");
	table_init(&s->table, columns, (int)KD_NELEM(columns), import_cell,
	    s, 0);
	return &s->base;
}
