/* Audit log: the newest rows first, a filter applied as it is typed
 * (user:, action: and since: words query the database, so they reach
 * rows of any age; other words match the rows read), the selected row in
 * full, and whether the hash chain holds (admin_audit_verify). */
#include "screens/admin.h"
#include "core/admin.h"
#include "tui/draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AUDIT_ROWS 10000	/* newest rows kept on screen */

struct audit {
	struct tui_screen	 base;
	struct kd_audit_row	*rows;
	size_t			 n;
	size_t			*view;		/* rows that pass the filter */
	size_t			 nview;
	struct tui_table	 table;
	struct tui_field	 filter;
	int			 filtering;	/* keys go to the filter */
	int			 detail;	/* the selected row in full */
	int			 dtop;		/* its first line shown */
	int			 verified;	/* chain checked since the load */
	int64_t			 bad, chained;
	int			 loaded;
	char			 qkey[TUI_FIELD_MAX * 4 + 32]; /* query read */
	char			 cell[32];
	char			 msg[600];
};

static const struct tui_column columns[] = {
	{ "#", 6 }, { "Time", 16 }, { "Actor", 8 }, { "Action", 16 },
	{ "Subject", 10 }, { "Details", 0 },
};

static const char *
audit_cell(void *arg, size_t row, int col, attr_t *a)
{
	struct audit *s = arg;
	const struct kd_audit_row *r = &s->rows[s->view[row]];

	(void)a;
	switch (col) {
	case 0:
		snprintf(s->cell, sizeof(s->cell), "%6lld", (long long)r->id);
		return s->cell;
	case 1:
		kd_time_format(r->at, s->cell, sizeof(s->cell));
		return s->cell;
	case 2: return r->actor;
	case 3: return r->action;
	case 4: return r->subject;
	default: return r->details;
	}
}

/* ASCII case folding is enough: actions and IDs are ASCII, and other
 * text matches as typed. */
static int
fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
has_prefix(const char *s, const char *p)
{
	for (; *p != '\0'; s++, p++)
		if (*s == '\0' || fold((unsigned char)*s) != fold((unsigned char)*p))
			return 0;
	return 1;
}

static int
has_text(const char *hay, const char *needle)
{
	if (hay == NULL)
		return 0;
	for (; *hay != '\0'; hay++)
		if (has_prefix(hay, needle))
			return 1;
	return *needle == '\0';
}

/* A free filter word: text anywhere in the row, or "#ID". */
static int
word_matches(const struct kd_audit_row *r, const char *w)
{
	char id[24];

	snprintf(id, sizeof(id), "#%lld", (long long)r->id);
	return has_text(r->actor, w) || has_text(r->action, w) ||
	    has_text(r->subject, w) || has_text(r->details, w) ||
	    strcmp(id, w) == 0;
}

/* (Re)reads the rows the filter's user:, action: and since: words select,
 * from the database, so they reach rows of any age; the newest
 * AUDIT_ROWS of them are kept.  Nothing is read when those words are
 * what was read last, unless `force`. */
static void
audit_query(struct audit *s, const struct tui_app *app, char **words,
    size_t nw, int force)
{
	struct kd_audit_query q = { NULL, NULL, 0, 0, AUDIT_ROWS };
	struct kd_err e;
	char key[sizeof(s->qkey)];
	size_t i;

	for (i = 0; i < nw; i++) {
		if (strncmp(words[i], "user:", 5) == 0 && words[i][5] != '\0')
			q.subject = words[i] + 5;
		else if (strncmp(words[i], "action:", 7) == 0)
			q.action = words[i] + 7;
		else if (strncmp(words[i], "since:", 6) == 0)
			kd_time_parse(words[i] + 6, &q.since);	/* half typed: all */
	}
	snprintf(key, sizeof(key), "%s\n%s\n%lld", q.subject ? q.subject : "",
	    q.action ? q.action : "", (long long)q.since);
	if (!force && s->loaded && strcmp(key, s->qkey) == 0)
		return;
	store_audit_free(s->rows, s->n);
	free(s->view);
	s->rows = NULL;
	s->view = NULL;
	s->n = 0;
	s->msg[0] = '\0';
	s->loaded = 1;
	snprintf(s->qkey, sizeof(s->qkey), "%s", key);
	if (store_audit_list(app->st, &q, &s->rows, &s->n, &e) != KD_OK)
		snprintf(s->msg, sizeof(s->msg), "%s", e.msg);
	else if ((s->view = calloc(s->n + 1, sizeof(*s->view))) == NULL) {
		store_audit_free(s->rows, s->n);
		s->rows = NULL;
		s->n = 0;
		snprintf(s->msg, sizeof(s->msg), "out of memory");
	}
}

static int
is_query_word(const char *w)
{
	return strncmp(w, "user:", 5) == 0 || strncmp(w, "action:", 7) == 0 ||
	    strncmp(w, "since:", 6) == 0;
}

/* Applies the filter as typed: query words to the database, the other
 * words to the rows read. */
static void
audit_filter(struct audit *s, const struct tui_app *app, int force)
{
	char text[TUI_FIELD_MAX * 4 + 1], *words[16], *p;
	size_t i, nw = 0, w;

	field_get(&s->filter, text, sizeof(text));
	for (p = strtok(text, " "); p != NULL && nw < KD_NELEM(words);
	    p = strtok(NULL, " "))
		words[nw++] = p;
	audit_query(s, app, words, nw, force);
	s->nview = 0;
	for (i = 0; i < s->n && s->view != NULL; i++) {
		for (w = 0; w < nw && (is_query_word(words[w]) ||
		    word_matches(&s->rows[i], words[w])); w++)
			;
		if (w == nw)
			s->view[s->nview++] = i;
	}
	s->table.n = s->nview;
	s->table.cur = s->table.top = 0;
}

static void
audit_load(struct audit *s, const struct tui_app *app)
{
	s->verified = 0;
	audit_filter(s, app, 1);
}

static void
audit_draw_chain(const struct audit *s)
{
	char buf[96];
	enum tui_role r = TUI_DIM;

	if (!s->verified)
		snprintf(buf, sizeof(buf), "checking the chain...");
	else if (s->bad > 0) {
		snprintf(buf, sizeof(buf), "chain broken at row %lld",
		    (long long)s->bad);
		r = TUI_ERROR;
	} else if (s->chained < 0)
		snprintf(buf, sizeof(buf), "chain not checked (read error)");
	else {
		snprintf(buf, sizeof(buf), "chain intact: %lld rows",
		    (long long)s->chained);
		r = TUI_OK;
	}
	tui_text(TUI_TOP - 1, COLS - 1 - tui_text_width(buf), 40,
	    tui_attr(r) | A_BOLD, buf);
}

/* Lines of `s` at `width` columns before the line `skip` (word wrap as
 * tui_wrap_draw does it, close enough to scroll by). */
static const char *
audit_skip_lines(const char *s, int width, int skip)
{
	int col = 0, w;
	size_t wl;

	while (skip > 0 && *s != '\0') {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		wl = strcspn(s, " ");
		w = (int)wl;
		if (col > 0 && col + 1 + w > width) {
			skip--;
			col = 0;
			continue;
		}
		col += (col > 0) + (w > width ? width : w);
		s += wl > (size_t)width ? (size_t)width : wl;
	}
	return s;
}

static void
audit_draw_detail(struct audit *s)
{
	const struct kd_audit_row *r = &s->rows[s->view[s->table.cur]];
	char when[40], title[64];
	int y = TUI_TOP;
	static const struct tui_keyhint hints[] = {
		{ "Up/Down", "Scroll" }, { "PgUp/PgDn", "Newer/Older" },
		{ "Esc", "Back" },
	};

	snprintf(title, sizeof(title), "Audit row #%lld", (long long)r->id);
	tui_header_draw(title, NULL);
	kd_time_iso(r->at, when, sizeof(when));
	tui_text(y, 2, 16, A_BOLD, "Time");
	tui_text(y++, 19, COLS - 21, A_NORMAL, when);
	tui_text(y, 2, 16, A_BOLD, "Actor");
	tui_text(y++, 19, COLS - 21, A_NORMAL, r->actor);
	tui_text(y, 2, 16, A_BOLD, "Action");
	tui_text(y++, 19, COLS - 21, A_NORMAL, r->action);
	tui_text(y, 2, 16, A_BOLD, "Subject");
	tui_text(y++, 19, COLS - 21, A_NORMAL, r->subject ? r->subject : "-");
	tui_text(++y, 2, 16, A_BOLD, "Details");
	tui_wrap_draw(y + 1, 4, COLS - 6, TUI_BOTTOM - y, A_NORMAL,
	    audit_skip_lines(r->details ? r->details : "-", COLS - 6, s->dtop));
	keybar_draw(hints, KD_NELEM(hints));
}

static void
audit_draw(struct tui_screen *sc, const struct tui_app *app)
{
	struct audit *s = (struct audit *)sc;
	char right[64], st[160];
	static const struct tui_keyhint list_keys[] = {
		{ "/", "Filter" }, { "Enter", "Details" }, { "r", "Reload" },
		{ "Esc", "Back" }, { "q", "Quit" },
	};
	static const struct tui_keyhint filter_keys[] = {
		{ "Type", "to filter" }, { "Enter", "To the list" },
		{ "Esc", "Clear filter" },
	};

	(void)app;
	if (s->detail && s->nview > 0) {
		audit_draw_detail(s);
		return;
	}
	snprintf(right, sizeof(right), "newest first");
	tui_header_draw("Audit log", right);
	tui_text(TUI_TOP - 1, 1, 8, s->filtering ? A_BOLD : A_NORMAL, "Filter:");
	field_draw(&s->filter, TUI_TOP - 1, 9, 34, s->filtering);
	audit_draw_chain(s);
	if (s->nview == 0)
		tui_text(TUI_TOP + 1, 2, COLS - 4, tui_attr(TUI_DIM), s->n == 0 ?
		    "The audit log is empty." : "No rows match the filter.");
	else
		table_draw(&s->table, TUI_TOP, 1, COLS - 2, TUI_BOTTOM - TUI_TOP + 1);
	if (s->msg[0] != '\0')
		tui_status_draw(TUI_ERROR, s->msg);
	else if (s->filtering)
		tui_status_draw(TUI_DIM, "Words: user:ID  action:key.revoke  "
		    "since:2026-01-31 or since:7d  or any text");
	else {
		snprintf(st, sizeof(st), "%zu of %zu row%s%s", s->nview, s->n,
		    s->n == 1 ? "" : "s", s->n == AUDIT_ROWS ? " (the newest; "
		    "narrow with user: action: since:)" : "");
		tui_status_draw(TUI_DIM, st);
	}
	keybar_draw(s->filtering ? filter_keys : list_keys, s->filtering ?
	    KD_NELEM(filter_keys) : KD_NELEM(list_keys));
}

static enum tui_do
audit_detail_key(struct audit *s, const struct tui_key *k)
{
	const struct kd_audit_row *r;

	switch (k->act) {
	case TUI_K_UP:
		s->dtop -= s->dtop > 0;
		break;
	case TUI_K_DOWN:
		r = &s->rows[s->view[s->table.cur]];
		if (r->details != NULL &&
		    *audit_skip_lines(r->details, COLS - 6, s->dtop + 1) != '\0')
			s->dtop++;	/* not past the last line */
		break;
	case TUI_K_PGUP:
		s->table.cur -= s->table.cur > 0;
		s->dtop = 0;
		break;
	case TUI_K_PGDN:
		s->table.cur += s->table.cur + 1 < s->nview;
		s->dtop = 0;
		break;
	case TUI_K_ESC:
	case TUI_K_ENTER:
	case TUI_K_LEFT:
		s->detail = 0;
		break;
	default:
		break;
	}
	return TUI_STAY;
}

static enum tui_do
audit_filter_key(struct audit *s, const struct tui_app *app,
    const struct tui_key *k)
{
	switch (field_key(&s->filter, k)) {
	case TUI_W_CHANGED:
		audit_filter(s, app, 0);	/* as you type */
		return TUI_STAY;
	case TUI_W_HANDLED:
		return TUI_STAY;
	default:
		break;
	}
	if (k->act == TUI_K_ESC && s->filter.len > 0) {
		field_set(&s->filter, "");
		audit_filter(s, app, 0);
	}
	if (k->act == TUI_K_ESC || k->act == TUI_K_ENTER ||
	    k->act == TUI_K_DOWN || k->act == TUI_K_TAB)
		s->filtering = 0;
	return TUI_STAY;
}

static enum tui_do
audit_key(struct tui_screen *sc, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	struct audit *s = (struct audit *)sc;

	(void)next;
	if (k->act == TUI_K_CTRL_C || k->act == TUI_K_F10)
		return app->opts->kiosk ? TUI_POP : TUI_QUIT;
	if (s->detail)
		return audit_detail_key(s, k);
	if (s->filtering)
		return audit_filter_key(s, app, k);
	switch (table_key(&s->table, k, TUI_BOTTOM - TUI_TOP)) {
	case TUI_W_ACTIVATE:
		s->detail = 1;
		s->dtop = 0;
		return TUI_STAY;
	case TUI_W_UNHANDLED:
		break;
	default:
		return TUI_STAY;
	}
	if (k->act == TUI_K_ESC && s->filter.len > 0) {
		field_set(&s->filter, "");
		audit_filter(s, app, 0);
		return TUI_STAY;
	}
	if (k->act == TUI_K_ESC || k->act == TUI_K_LEFT)
		return TUI_POP;
	switch (k->act == TUI_K_F3 ? '/' : tui_key_letter(k)) {
	case '/':
		s->filtering = 1;
		return TUI_STAY;
	case 'r':
		audit_load(s, app);
		return TUI_STAY;
	case 'q':
		return app->opts->kiosk ? TUI_POP : TUI_QUIT;
	default:
		return TUI_STAY;
	}
}

/* Verifying hashes the whole log (a full scan): after the first frame,
 * not before it. */
static enum tui_do
audit_tick(struct tui_screen *sc, const struct tui_app *app)
{
	struct audit *s = (struct audit *)sc;
	struct kd_err e;

	if (s->verified)
		return TUI_IDLE;
	s->verified = 1;
	if (admin_audit_verify(app->st, &s->bad, &s->chained, &e) != KD_OK &&
	    s->bad == 0)
		s->chained = -1;
	return TUI_STAY;
}

static void
audit_free(struct tui_screen *sc)
{
	struct audit *s = (struct audit *)sc;

	store_audit_free(s->rows, s->n);
	free(s->view);
	free(s);
}

static const struct tui_screen_ops audit_ops = {
	.name = "audit",
	.draw = audit_draw,
	.key = audit_key,
	.tick = audit_tick,
	.free = audit_free,
};

struct tui_screen *
screen_audit_new(const struct tui_app *app)
{
	struct audit *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->base.ops = &audit_ops;
	table_init(&s->table, columns, (int)KD_NELEM(columns), audit_cell,
	    s, 1);
	field_init(&s->filter, 128, "press / to filter");
	audit_load(s, app);
	return &s->base;
}
