/* Outbox delivery off the screen's thread.  SMTP can take seconds (or a
 * timeout), so outbox_deliver runs in a pthread with its OWN store handle
 * (SQLite connections are not shared across threads here) and publishes
 * its result through an atomic flag.  It never calls curses. */
#include "tui/screen.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tui_worker {
	const struct kd_config *cfg;
	char		*db;
	pthread_t	 thread;
	int		 joinable;
	unsigned	 run;		/* the run started last */
	atomic_int	 state;		/* enum tui_worker_state */
	atomic_int	 done, total;	/* progress */
	volatile int	 cancel;
	struct tui_delivery result;	/* written before state = DONE */
};

struct tui_worker *
tui_worker_new(const struct kd_config *cfg, const char *db)
{
	struct tui_worker *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	if ((w->db = kd_strdup(db)) == NULL) {
		free(w);
		return NULL;
	}
	w->cfg = cfg;
	atomic_init(&w->state, TUI_WORKER_IDLE);
	atomic_init(&w->done, 0);
	atomic_init(&w->total, 0);
	return w;
}

static void
on_progress(void *arg, int done, int total)
{
	struct tui_worker *w = arg;

	atomic_store(&w->done, done);
	atomic_store(&w->total, total);
}

static void *
worker_main(void *arg)
{
	struct tui_worker *w = arg;
	struct tui_delivery *r = &w->result;
	struct kd_store *st = NULL;

	memset(r, 0, sizeof(*r));
	if ((r->rc = store_open(&st, w->db, &r->err)) == KD_OK) {
		r->rc = outbox_deliver(st, w->cfg, 0, &w->cancel, on_progress,
		    w, &r->res, &r->err);
		store_close(&st);
	}
	atomic_store_explicit(&w->state, TUI_WORKER_DONE, memory_order_release);
	return NULL;
}

static void
worker_join(struct tui_worker *w)
{
	if (w->joinable) {
		pthread_join(w->thread, NULL);
		w->joinable = 0;
	}
}

unsigned
tui_worker_start(struct tui_worker *w)
{
	if (w == NULL || atomic_load(&w->state) == TUI_WORKER_RUNNING)
		return 0;
	worker_join(w);
	w->cancel = 0;
	atomic_store(&w->done, 0);
	atomic_store(&w->total, 0);
	atomic_store(&w->state, TUI_WORKER_RUNNING);
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		memset(&w->result, 0, sizeof(w->result));
		w->result.rc = kd_err_set(&w->result.err, KD_ERR_IO,
		    "cannot start the delivery thread");
		atomic_store(&w->state, TUI_WORKER_DONE);
	} else
		w->joinable = 1;
	return ++w->run == 0 ? ++w->run : w->run;
}

enum tui_worker_state
tui_worker_poll(struct tui_worker *w, unsigned run,
    struct tui_delivery *out)
{
	int s;

	if (w == NULL || run != w->run)
		return TUI_WORKER_IDLE;
	s = atomic_load_explicit(&w->state, memory_order_acquire);
	if (s == TUI_WORKER_RUNNING) {
		out->done = atomic_load(&w->done);
		out->total = atomic_load(&w->total);
		return TUI_WORKER_RUNNING;
	}
	if (s != TUI_WORKER_DONE)
		return TUI_WORKER_IDLE;
	worker_join(w);
	*out = w->result;
	atomic_store(&w->state, TUI_WORKER_IDLE);
	return TUI_WORKER_DONE;
}

void
tui_worker_free(struct tui_worker **wp)
{
	struct tui_worker *w = *wp;

	if (w == NULL)
		return;
	w->cancel = 1;	/* stops between messages */
	worker_join(w);
	free(w->db);
	free(w);
	*wp = NULL;
}

void
tui_delivery_describe(const struct tui_delivery *d, char *buf, size_t len)
{
	const char *why = d->res.last_error[0] ? d->res.last_error : d->err.msg;

	if (d->rc == KD_ERR_CONFIG)
		snprintf(buf, len, "waiting in the outbox: no SMTP configured");
	else if (d->rc != KD_OK)
		snprintf(buf, len, "delivery failed: %s, will retry", why);
	else if (d->res.failed > 0)
		snprintf(buf, len, "delivery failed: %s (refused, will not "
		    "retry)", why);
	else if (d->res.deferred > 0)
		snprintf(buf, len, "delivery failed: %s, will retry", why);
	else if (d->res.sent > 0)
		snprintf(buf, len, "sent");
	else
		snprintf(buf, len, "nothing waiting in the outbox");
}
