/* Outbox: queued, sent and failed mail with attempts and the last error;
 * d delivers now in the worker thread while the screen stays live. */
#include "screens/screens.h"
#include "tui/draw.h"
#include "tui/widget.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OUTBOX_ROWS 500

struct outbox {
	struct tui_screen	 base;
	struct kd_outbox_row	*rows;
	size_t			 n;
	int64_t			 queued, sent, failed;
	struct tui_table	 table;
	struct tui_dialog	 dlg;
	unsigned		 run;
	struct tui_delivery	 delivery;
	char			 cell[32];
	char			 msg[600];
	enum tui_role		 msg_role;
};

/* Rows told apart at 80 columns: whose, which key, when, and what next. */
static const struct tui_column columns[] = {
	{ "Status", 6 }, { "To", 22 }, { "Key", 10 }, { "Queued", 11 },
	{ "Next try", 11 }, { "Last error", 0 },
};

/* "12-04 23:05" (UTC), short enough for a column. */
static const char *
outbox_time(char *buf, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%m-%d %H:%M", &tm);
	return buf;
}

/* Queued: when the next try is due ("now" once it is); sent: when;
 * failed: nothing more will be tried. */
static const char *
outbox_next(char *buf, size_t len, const struct kd_outbox_row *r)
{
	if (strcmp(r->status, "sent") == 0) {
		char t[16];

		snprintf(buf, len, "sent %s", outbox_time(t, sizeof(t),
		    r->sent_at) + 6);
		return buf;
	}
	if (strcmp(r->status, "failed") == 0)
		return "gave up";
	if (r->next_attempt_at <= kd_now())
		return "now";
	return outbox_time(buf, len, r->next_attempt_at);
}

/* The mail's kind in a word that fits the Key column. */
static const char *
outbox_kind(const char *kind)
{
	if (kind == NULL)
		return "";
	if (strcmp(kind, "activation") == 0)
		return "link";
	if (strcmp(kind, "pin") == 0)
		return "PIN";
	return kind;
}

static const char *
outbox_cell(void *arg, size_t row, int col, attr_t *a)
{
	struct outbox *s = arg;
	const struct kd_outbox_row *r = &s->rows[row];

	switch (col) {
	case 0:
		*a = tui_attr(strcmp(r->status, "sent") == 0 ? TUI_OK :
		    strcmp(r->status, "failed") == 0 ? TUI_ERROR : TUI_WARN);
		return r->status;
	case 1:
		return r->to_addr;
	case 2:		/* the key as key list shows it, and what kind */
		snprintf(s->cell, sizeof(s->cell), r->key > 0 ? "#%lld %s" :
		    "%.0lld%s", (long long)r->key, outbox_kind(r->kind));
		return s->cell;
	case 3:
		return outbox_time(s->cell, sizeof(s->cell), r->created_at);
	case 4:
		return outbox_next(s->cell, sizeof(s->cell), r);
	default:
		*a = tui_attr(TUI_ERROR);
		return r->last_error ? r->last_error : "";
	}
}

static void
outbox_load(struct outbox *s, const struct tui_app *app)
{
	struct kd_err e;

	store_outbox_free(s->rows, s->n);
	s->rows = NULL;
	s->n = 0;
	if (store_outbox_list(app->st, NULL, OUTBOX_ROWS, &s->rows, &s->n,
	    &e) != KD_OK) {
		snprintf(s->msg, sizeof(s->msg), "%s", e.msg);
		s->msg_role = TUI_ERROR;
	}
	store_outbox_counts(app->st, &s->queued, &s->sent, &s->failed);
	s->table.n = s->n;
}

static void
outbox_draw(struct tui_screen *sc, const struct tui_app *app)
{
	struct outbox *s = (struct outbox *)sc;
	static const struct tui_keyhint hints[] = {
		{ "d", "Deliver now" }, { "Enter", "Details" }, { "r", "Reload" },
		{ "Esc", "Back" }, { "q", "Quit" },
	};

	tui_header_draw("Outbox", NULL);
	tui_textf(TUI_TOP - 1, 1, COLS - 2, A_NORMAL, "Queued %lld   Sent %lld"
	    "   Failed %lld%s", (long long)s->queued, (long long)s->sent,
	    (long long)s->failed, app->cfg->smtp_url == NULL ?
	    "   (no SMTP configured: mail waits here)" : "");
	if (s->n == 0)
		tui_text(TUI_TOP + 1, 2, COLS - 4, tui_attr(TUI_DIM),
		    "The outbox is empty.");
	else
		table_draw(&s->table, TUI_TOP, 1, COLS - 2,
		    TUI_BOTTOM - TUI_TOP + 1);
	tui_status_draw(s->msg_role, s->msg);
	keybar_draw(hints, KD_NELEM(hints));
	dialog_draw(&s->dlg);
}

static void
outbox_details(struct outbox *s)
{
	const struct kd_outbox_row *r;
	char text[640], when[32] = "";

	if (s->n == 0)
		return;
	r = &s->rows[s->table.cur];
	if (r->next_attempt_at > 0 && strcmp(r->status, "queued") == 0)
		kd_time_format(r->next_attempt_at, when, sizeof(when));
	snprintf(text, sizeof(text), "To %.200s. %d attempt%s.%s%s%s %.300s",
	    r->to_addr, r->attempts, r->attempts == 1 ? "" : "s",
	    when[0] ? " Next attempt " : "", when, when[0] ? "." : "",
	    r->last_error ? r->last_error : "");
	dialog_message(&s->dlg, r->status, text);
}

static enum tui_do
outbox_tick(struct tui_screen *sc, const struct tui_app *app)
{
	struct outbox *s = (struct outbox *)sc;

	if (s->run == 0)
		return TUI_IDLE;
	switch (tui_worker_poll(app->worker, s->run, &s->delivery)) {
	case TUI_WORKER_RUNNING:
		snprintf(s->msg, sizeof(s->msg), "Delivering (%d of %d)...",
		    s->delivery.done, s->delivery.total);
		s->msg_role = TUI_WARN;
		break;
	case TUI_WORKER_DONE:
		tui_delivery_describe(&s->delivery, s->msg, sizeof(s->msg));
		s->msg_role = s->delivery.rc == KD_OK &&
		    s->delivery.res.deferred == 0 &&
		    s->delivery.res.failed == 0 ? TUI_OK : TUI_ERROR;
		s->run = 0;
		outbox_load(s, app);
		break;
	default:
		s->run = 0;
		break;
	}
	return TUI_STAY;
}

static enum tui_do
outbox_key(struct tui_screen *sc, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	struct outbox *s = (struct outbox *)sc;

	(void)next;
	if (s->dlg.open) {
		dialog_key(&s->dlg, k);
		return TUI_STAY;
	}
	if (k->act == TUI_K_CTRL_C)
		return app->opts->kiosk ? TUI_POP : TUI_QUIT;
	switch (table_key(&s->table, k, TUI_BOTTOM - TUI_TOP)) {
	case TUI_W_ACTIVATE:
		outbox_details(s);
		return TUI_STAY;
	case TUI_W_UNHANDLED:
		break;
	default:
		return TUI_STAY;
	}
	if (k->act == TUI_K_ESC || k->act == TUI_K_LEFT)
		return TUI_POP;
	switch (tui_key_letter(k)) {
	case 'd':
		if (s->run == 0 && (s->run = tui_worker_start(app->worker)) == 0) {
			snprintf(s->msg, sizeof(s->msg), "A delivery is already "
			    "running; try again in a moment.");
			s->msg_role = TUI_WARN;
		} else if (s->run != 0) {
			snprintf(s->msg, sizeof(s->msg), "Delivering...");
			s->msg_role = TUI_WARN;
		}
		return TUI_STAY;
	case 'r':
		outbox_load(s, app);
		return TUI_STAY;
	case 'q':
		return app->opts->kiosk ? TUI_POP : TUI_QUIT;
	default:
		return TUI_STAY;
	}
}

static void
outbox_free(struct tui_screen *sc)
{
	struct outbox *s = (struct outbox *)sc;

	store_outbox_free(s->rows, s->n);
	free(s);
}

static const struct tui_screen_ops outbox_ops = {
	.name = "outbox",
	.draw = outbox_draw,
	.key = outbox_key,
	.tick = outbox_tick,
	.free = outbox_free,
};

struct tui_screen *
screen_outbox_new(const struct tui_app *app)
{
	struct outbox *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->base.ops = &outbox_ops;
	table_init(&s->table, columns, (int)KD_NELEM(columns), outbox_cell,
	    s, 1);
	outbox_load(s, app);
	return &s->base;
}
