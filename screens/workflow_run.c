/* Running a workflow: the review first (who is in scope, who already has
 * a key, who will get one), then workflow_run in a thread of its own with
 * its own store handle, a progress bar fed by the run's progress callback,
 * and Esc to cancel at the next batch boundary.  The thread never touches
 * curses: it publishes numbers through atomics and the screen polls them
 * on its tick (after tui/worker.c).  Afterwards the activation mail goes
 * out through the outbox worker. */
#include "screens/admin.h"
#include "screens/wizard.h"
#include "core/workflow.h"
#include "tui/draw.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the thread shares with the screen. */
struct wf_job {
	const struct kd_config	*cfg;
	char			*db;
	char			 name[256];
	char			 actor[128];
	pthread_t		 thread;
	int			 joined;
	volatile int		 cancel;	/* read between batches */
	atomic_llong		 done, total;
	atomic_int		 finished;
	/* Written by the thread before `finished`, read after it. */
	int			 rc;
	struct kd_err		 err;
	struct kd_workflow_run	 run;
};

enum { RUN_REVIEW, RUN_RUNNING, RUN_FINISHED };

struct wfrun {
	struct tui_screen	 base;
	struct kd_workflow	 w;
	int			 loaded;
	struct kd_workflow_review rv;
	int			 state;
	struct wf_job		*job;
	int64_t			 done, total;
	char			 msg[600];
	enum tui_role		 role;
	int			 delivering;	/* 1 until the outbox run ends */
	unsigned		 drun;
	struct tui_delivery	 delivery;
};

static void
job_progress(void *arg, int64_t done, int64_t total)
{
	struct wf_job *j = arg;

	atomic_store(&j->total, total);
	atomic_store(&j->done, done);
}

static void *
job_main(void *arg)
{
	struct wf_job *j = arg;
	struct kd_store *st = NULL;
	struct kd_workflow w;

	memset(&w, 0, sizeof(w));
	if ((j->rc = store_open(&st, j->db, &j->err)) == KD_OK) {
		if ((j->rc = workflow_get(st, j->name, &w, &j->err)) == KD_OK)
			j->rc = workflow_run(st, j->cfg, &w, j->actor, 0,
			    &j->cancel, job_progress, j, &j->run, &j->err);
		workflow_clear(&w);
		store_close(&st);
	}
	atomic_store_explicit(&j->finished, 1, memory_order_release);
	return NULL;
}

static void
job_free(struct wf_job **jp)
{
	struct wf_job *j = *jp;

	if (j == NULL)
		return;
	if (!j->joined) {
		j->cancel = 1;	/* stops at the next batch boundary */
		pthread_join(j->thread, NULL);
	}
	free(j->db);
	free(j);
	*jp = NULL;
}

static int
run_start(struct wfrun *s, const struct tui_app *app)
{
	struct wf_job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->db = kd_strdup(store_path(app->st))) == NULL) {
		free(j);
		return KD_ERR_NOMEM;
	}
	j->cfg = app->cfg;
	snprintf(j->name, sizeof(j->name), "%s", s->w.name);
	snprintf(j->actor, sizeof(j->actor), "%s", app->actor);
	atomic_init(&j->done, 0);
	atomic_init(&j->total, s->rv.will_get);
	atomic_init(&j->finished, 0);
	if (pthread_create(&j->thread, NULL, job_main, j) != 0) {
		free(j->db);
		free(j);
		return KD_ERR_IO;
	}
	s->job = j;
	s->state = RUN_RUNNING;
	s->total = s->rv.will_get;
	s->msg[0] = '\0';
	return KD_OK;
}

void
admin_progress_draw(int y, int x, int width, int64_t done, int64_t total)
{
	char bar[256], nums[64];
	int w, k;

	snprintf(nums, sizeof(nums), "  %lld of %lld", (long long)done,
	    (long long)total);
	w = width - 2 - (int)strlen(nums);
	if (w > (int)sizeof(bar) - 1)
		w = (int)sizeof(bar) - 1;
	if (w < 4)
		w = 4;
	k = total > 0 ? (int)(done * w / total) : w;
	memset(bar, '#', (size_t)k);
	memset(bar + k, '.', (size_t)(w - k));
	bar[w] = '\0';
	tui_textf(y, x, width, A_BOLD, "[%s]%s", bar, nums);
}

static void
run_draw_result(const struct wfrun *s, int y)
{
	const struct kd_workflow_run *r = &s->job->run;
	char buf[200];

	snprintf(buf, sizeof(buf), "%lld in scope, %lld created, %lld skipped, "
	    "%lld failed", (long long)r->in_scope, (long long)r->created,
	    (long long)r->skipped, (long long)r->failed);
	tui_text(y, 2, 16, A_BOLD, "Result");
	tui_text(y, 19, COLS - 21, A_BOLD, buf);
	tui_text(y + 1, 2, 16, A_BOLD, "Status");
	tui_text(y + 1, 19, COLS - 21, tui_attr(strcmp(r->status, "done") == 0 ?
	    TUI_OK : strcmp(r->status, "cancelled") == 0 ? TUI_WARN : TUI_ERROR),
	    r->status[0] ? r->status : "failed");
	if (s->job->rc != KD_OK)
		tui_wrap_draw(y + 2, 19, COLS - 21, 2, A_NORMAL, s->job->err.msg);
}

static void
run_draw_review(const struct wfrun *s, int y)
{
	char buf[96];

	snprintf(buf, sizeof(buf), "%lld user%s", (long long)s->rv.in_scope,
	    s->rv.in_scope == 1 ? "" : "s");
	wiz_line(y, "In scope", A_NORMAL, buf);
	snprintf(buf, sizeof(buf), "%lld (active or pending %s)",
	    (long long)s->rv.have_key, model_key_type_name(s->w.type));
	wiz_line(y + 1, "Already have one", A_NORMAL, buf);
	snprintf(buf, sizeof(buf), "%lld", (long long)s->rv.will_get);
	wiz_line(y + 2, "Will get one", A_BOLD, buf);
}

static void
run_draw(struct tui_screen *sc, const struct tui_app *app)
{
	struct wfrun *s = (struct wfrun *)sc;
	static const struct tui_keyhint review_keys[] = {
		{ "Enter", "Start the run" }, { "Esc", "Back" },
	};
	static const struct tui_keyhint running_keys[] = {
		{ "Esc", "Cancel (at the next batch)" },
	};
	static const struct tui_keyhint done_keys[] = {
		{ "Enter", "Back to workflows" }, { "o", "Outbox" },
	};
	char groups[1024];
	size_t i, o = 0;
	int y = TUI_TOP;

	(void)app;
	tui_header_draw("Run workflow", s->w.name);
	if (!s->loaded) {
		tui_status_draw(TUI_ERROR, s->msg);
		keybar_draw(review_keys + 1, 1);
		return;
	}
	groups[0] = '\0';
	for (i = 0; i < s->w.ngroups && o < sizeof(groups); i++)
		o += (size_t)snprintf(groups + o, sizeof(groups) - o, "%s%s",
		    i ? ", " : "", s->w.groups[i]);
	wiz_line(y++, "Workflow", A_BOLD, s->w.name);
	wiz_line(y++, "Key type", A_NORMAL, model_key_type_label(s->w.type));
	wiz_line(y++, "Groups", A_NORMAL, s->w.ngroups ? groups : "all users");
	run_draw_review(s, ++y);
	y += 4;
	if (s->state != RUN_REVIEW) {
		tui_text(y, 2, 16, A_BOLD, "Progress");
		admin_progress_draw(y, 19, COLS - 21, s->done, s->total);
		y += 2;
	}
	if (s->state == RUN_FINISHED)
		run_draw_result(s, y);
	tui_status_draw(s->role, s->msg);
	if (s->state == RUN_REVIEW)
		keybar_draw(review_keys, KD_NELEM(review_keys));
	else if (s->state == RUN_RUNNING)
		keybar_draw(running_keys, KD_NELEM(running_keys));
	else
		keybar_draw(done_keys, KD_NELEM(done_keys));
}

static enum tui_do
run_key(struct tui_screen *sc, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	struct wfrun *s = (struct wfrun *)sc;

	if (s->state == RUN_RUNNING) {
		/* Even Ctrl-C only cancels: the run ends at a batch boundary
		 * and says so, rather than being cut off by the exit. */
		if (k->act == TUI_K_ESC || k->act == TUI_K_CTRL_C ||
		    tui_key_letter(k) == 'c') {
			s->job->cancel = 1;
			snprintf(s->msg, sizeof(s->msg), "Cancelling: the batch in "
			    "progress finishes, then the run stops.");
			s->role = TUI_WARN;
		}
		return TUI_STAY;
	}
	if (k->act == TUI_K_CTRL_C || k->act == TUI_K_F10)
		return app->opts->kiosk ? TUI_POP : TUI_QUIT;
	if (s->state == RUN_REVIEW && s->loaded && k->act == TUI_K_ENTER) {
		if (run_start(s, app) != KD_OK) {
			snprintf(s->msg, sizeof(s->msg), "Cannot start the run "
			    "(out of memory or threads).");
			s->role = TUI_ERROR;
		}
		return TUI_STAY;
	}
	if (s->state == RUN_FINISHED && tui_key_letter(k) == 'o') {
		*next = screen_outbox_new(app);
		return TUI_PUSH;
	}
	if (k->act == TUI_K_ESC || k->act == TUI_K_ENTER)
		return TUI_POP;
	return TUI_STAY;
}

static void
run_finished(struct wfrun *s, const struct tui_app *app)
{
	const struct kd_workflow_run *r = &s->job->run;

	s->state = RUN_FINISHED;
	s->done = r->created;
	snprintf(s->msg, sizeof(s->msg), "%s", r->created > 0 ? "Mail: "
	    "delivering..." : "No new keys, no mail.");
	s->role = r->created > 0 ? TUI_WARN : TUI_NORMAL;
	s->delivering = r->created > 0;
	if (s->delivering)
		s->drun = tui_worker_start(app->worker);
}

/* The outbox delivery of the run's mail, reported on the status line. */
static enum tui_do
run_tick_delivery(struct wfrun *s, const struct tui_app *app)
{
	char how[400];

	if (s->drun == 0 && (s->drun = tui_worker_start(app->worker)) == 0)
		return TUI_IDLE;	/* another delivery still runs */
	switch (tui_worker_poll(app->worker, s->drun, &s->delivery)) {
	case TUI_WORKER_RUNNING:
		snprintf(s->msg, sizeof(s->msg), "Mail: delivering (%d of %d)...",
		    s->delivery.done, s->delivery.total);
		return TUI_STAY;
	case TUI_WORKER_DONE:
		tui_delivery_describe(&s->delivery, how, sizeof(how));
		snprintf(s->msg, sizeof(s->msg), "Mail: %s", how);
		s->role = s->delivery.rc == KD_OK && s->delivery.res.failed == 0 &&
		    s->delivery.res.deferred == 0 ? TUI_OK : TUI_WARN;
		break;
	default:
		break;
	}
	s->delivering = 0;
	return TUI_STAY;
}

static enum tui_do
run_tick(struct tui_screen *sc, const struct tui_app *app)
{
	struct wfrun *s = (struct wfrun *)sc;
	int64_t done, total;

	if (s->state == RUN_FINISHED)
		return s->delivering ? run_tick_delivery(s, app) : TUI_IDLE;
	if (s->state != RUN_RUNNING)
		return TUI_IDLE;
	if (atomic_load_explicit(&s->job->finished, memory_order_acquire)) {
		pthread_join(s->job->thread, NULL);
		s->job->joined = 1;
		run_finished(s, app);
		return TUI_STAY;
	}
	done = atomic_load(&s->job->done);
	total = atomic_load(&s->job->total);
	if (done == s->done && total == s->total)
		return TUI_IDLE;
	s->done = done;
	s->total = total;
	return TUI_STAY;
}

static void
run_free(struct tui_screen *sc)
{
	struct wfrun *s = (struct wfrun *)sc;

	job_free(&s->job);
	workflow_clear(&s->w);
	free(s);
}

static int
run_busy(struct tui_screen *sc)
{
	return ((struct wfrun *)sc)->state == RUN_RUNNING;
}

static const struct tui_screen_ops run_ops = {
	.name = "workflow-run",
	.draw = run_draw,
	.key = run_key,
	.tick = run_tick,
	.busy = run_busy,
	.free = run_free,
};

struct tui_screen *
screen_workflow_run_new(const struct tui_app *app, const char *name)
{
	struct wfrun *s;
	struct kd_err e;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->base.ops = &run_ops;
	s->role = TUI_ERROR;
	kd_err_clear(&e);
	if (workflow_get(app->st, name, &s->w, &e) != KD_OK ||
	    workflow_review(app->st, &s->w, &s->rv, &e) != KD_OK)
		snprintf(s->msg, sizeof(s->msg), "%s", e.msg);
	else
		s->loaded = 1;
	return &s->base;
}
