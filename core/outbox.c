/* Outbox delivery: reads due rows in batches, sends them over one SMTP
 * session, and records each result after the fact.
 *
 * - A row is marked sent only after the server accepted it, and the mark
 *   is committed before the next message is sent (a short BEGIN IMMEDIATE
 *   transaction, never while a transfer is in flight), so a crash resends
 *   at most the one message whose mark it interrupted.  Only the waits of
 *   a failed session, which send nothing, are batched (MARKS_MAX).
 * - Claims name their holder (core/holder.h): a claim whose process died
 *   on this host is taken over at once by the next call.
 * - A manual flush (opts.all) tries every queued row, due or not, except
 *   rows a live deliverer holds; automatic runs keep the retry schedule.
 * - A 4xx reply defers the row: next attempt now + outbox_backoff().  A 5xx
 *   reply, an unbuildable row, or smtp_max_attempts attempts fail it for
 *   good, keeping the error.
 * - When the session fails (server unreachable, timeout, TLS, login), the
 *   server is not contacted again in this call: every remaining due row is
 *   deferred with that same error, so the outbox shows why each message
 *   waits, and the call returns KD_ERR_MAIL.  No attempt is counted for
 *   them (nor for the row being sent, unless the server had taken its
 *   data): a long outage or a wrong password never fails mail for good.
 * - Rows are read with the clock taken at the start; deferred rows are due
 *   at least a second later, so a call never sees a row twice. */
#include "core/outbox.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mail.h"
#include "core/mailtext.h"

#define BATCH		2000	/* rows read at a time */
#define MARKS_MAX	100	/* waits (nothing sent) written per transaction */
#define DEFAULT_MAX_ATTEMPTS 10
#define BACKOFF_BASE	60
#define BACKOFF_CAP	3600

/* MARK_WAIT: not tried, or the session failed before the message's data
 * (server down, TLS, login): due again later, no attempt used up, so an
 * outage of any length loses no mail. */
enum mark_kind { MARK_SENT, MARK_RETRY, MARK_WAIT, MARK_FAILED };

struct mark {
	int64_t	 id;
	enum mark_kind kind;
	int	 secret;
	int64_t	 next;
	char	 error[256];
};

struct run {
	struct kd_store *st;
	const struct kd_config *cfg;
	struct kd_smtp	*smtp;
	char		 from_addr[256];
	int64_t		 t0;
	int		 down;		/* the session failed: stop sending */
	char		 down_error[512];
	struct mark	 marks[MARKS_MAX];
	size_t		 nmarks;
	int64_t		 after_id;	/* the last row claimed */
	const struct kd_outbox_opts *opts;
	struct kd_outbox_result *res;
};

int64_t
outbox_backoff(int attempts)
{
	int64_t cap = BACKOFF_CAP;
	uint32_t rnd;

	if (attempts < 1)
		attempts = 1;
	if (attempts <= 7)
		cap = (int64_t)BACKOFF_BASE << (attempts - 1);
	if (cap > BACKOFF_CAP)
		cap = BACKOFF_CAP;
	/* Full jitter: uniform in [1, cap].  At least a second, so a deferred
	 * row is never due again within the same delivery call. */
	if (kd_random(&rnd, sizeof(rnd)) != KD_OK)
		return cap;
	return 1 + (int64_t)(rnd % (uint32_t)cap);
}

/* Writes the pending results in one transaction.  A secret body (a PIN)
 * is erased by store_outbox_mark_sent; the copy left in the WAL goes with
 * a checkpoint, which that function only does outside a transaction, so
 * it is asked for here after the commit. */
static int
marks_flush(struct run *run, struct kd_err *e)
{
	struct mark *m;
	size_t i;
	int r, secret = 0;

	if (run->nmarks == 0)
		return KD_OK;
	if ((r = store_begin(run->st, e)) != KD_OK)
		return r;
	for (i = 0; i < run->nmarks; i++) {
		m = &run->marks[i];
		if (m->kind == MARK_SENT) {
			secret |= m->secret;
			r = store_outbox_mark_sent(run->st, m->id, kd_now(), e);
		} else if (m->kind == MARK_WAIT)
			r = store_outbox_defer(run->st, m->id, m->next, m->error,
			    e);
		else
			r = store_outbox_mark_failed(run->st, m->id, m->next,
			    m->error, m->kind == MARK_FAILED, e);
		if (r != KD_OK) {
			store_rollback(run->st);
			return r;
		}
	}
	if ((r = store_commit(run->st, e)) != KD_OK)
		return r;
	run->nmarks = 0;
	if (secret)
		sqlite3_wal_checkpoint_v2(store_db(run->st), NULL,
		    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	return KD_OK;
}

static int
mark_add(struct run *run, const struct kd_outbox_row *row,
    enum mark_kind kind, const char *error, struct kd_err *e)
{
	struct mark *m;
	int r;

	if (run->nmarks == MARKS_MAX && (r = marks_flush(run, e)) != KD_OK)
		return r;
	m = &run->marks[run->nmarks++];
	m->id = row->id;
	m->kind = kind;
	m->secret = row->secret;
	m->next = kind == MARK_RETRY ? kd_now() + outbox_backoff(row->attempts + 1) :
	    kind == MARK_WAIT ? kd_now() + outbox_backoff(1) : 0;
	snprintf(m->error, sizeof(m->error), "%s", error ? error : "");
	if (kind == MARK_SENT)
		run->res->sent++;
	else {
		if (kind == MARK_RETRY || kind == MARK_WAIT) {
			run->res->deferred++;
			if (run->res->next_at == 0 || m->next < run->res->next_at)
				run->res->next_at = m->next;
		} else
			run->res->failed++;
		snprintf(run->res->last_error, sizeof(run->res->last_error),
		    "%s", m->error);
	}
	return KD_OK;
}

/* A failed attempt: retried later unless it was the last one allowed. */
static int
mark_attempt_failed(struct run *run, const struct kd_outbox_row *row,
    int permanent, const char *error, struct kd_err *e)
{
	int max = run->cfg->smtp_max_attempts > 0 ? run->cfg->smtp_max_attempts :
	    DEFAULT_MAX_ATTEMPTS;
	char buf[256];

	if (!permanent && row->attempts + 1 >= max) {
		snprintf(buf, sizeof(buf), "gave up after %d attempts: %s",
		    row->attempts + 1, error);
		return mark_add(run, row, MARK_FAILED, buf, e);
	}
	return mark_add(run, row, permanent ? MARK_FAILED : MARK_RETRY, error, e);
}

static int
row_build(struct run *run, const struct kd_outbox_row *row, char **msg,
    size_t *len, struct kd_err *e)
{
	struct kd_mail m;

	memset(&m, 0, sizeof(m));
	m.from = run->cfg->smtp_from;
	m.to_name = row->to_name;
	m.to_addr = row->to_addr;
	m.subject = row->subject;
	m.body = row->body;
	m.message_id = row->message_id;
	m.date = row->created_at;
	return mail_build(&m, msg, len, e);
}

/* Sends one row and queues the mark that records what happened. */
static int
deliver_one(struct run *run, const struct kd_outbox_row *row, struct kd_err *e)
{
	struct kd_err se;
	char *msg = NULL;
	size_t len = 0;
	int r, permanent = 0;

	if (run->down)
		return mark_add(run, row, MARK_WAIT, run->down_error, e);
	kd_err_clear(&se);
	if ((r = row_build(run, row, &msg, &len, &se)) == KD_ERR_NOMEM)
		return kd_err_set(e, r, "%s", se.msg);
	if (r != KD_OK)		/* a row that can never become a message */
		return mark_add(run, row, MARK_FAILED, se.msg, e);
	r = smtp_send(run->smtp, run->from_addr, row->to_addr, msg, len,
	    &permanent, &se);
	kd_wipe(msg, len);	/* it may carry a PIN or an activation code */
	free(msg);
	switch (r) {
	case KD_OK:
		return mark_add(run, row, MARK_SENT, NULL, e);
	case KD_ERR_NOMEM:
		return kd_err_set(e, r, "%s", se.msg);
	case KD_ERR_IO:
		run->down = 1;
		snprintf(run->down_error, sizeof(run->down_error), "%s", se.msg);
		/* Lost in its data: this message may be the cause, so it uses
		 * an attempt (a message that always breaks the session ends
		 * failed instead of blocking the queue). */
		if (smtp_data_started(run->smtp))
			return mark_attempt_failed(run, row, 0, se.msg, e);
		return mark_add(run, row, MARK_WAIT, se.msg, e);
	default:
		return mark_attempt_failed(run, row, permanent, se.msg, e);
	}
}

/* Called on each row as it is claimed: an activation mail gets its link
 * and code now, so they exist only in memory and in the sent message. */
static int
fill_row(void *arg, struct kd_store *st, struct kd_outbox_row *row,
    struct kd_err *e)
{
	struct run *run = arg;

	if (strcmp(row->kind, "activation") != 0 || row->body != NULL)
		return KD_OK;
	return mailtext_mint_activation(st, run->cfg, row, e);
}

/* Long enough for a batch at the slowest server we wait for. */
#define CLAIM_LEASE 600

static int
run_claim(struct run *run, int limit, struct kd_outbox_row **rows,
    size_t *n, struct kd_err *e)
{
	struct kd_outbox_claim c;
	int r;

	memset(&c, 0, sizeof(c));
	c.now = run->t0;
	c.all = run->opts->all;
	c.after_id = run->after_id;
	c.upto_id = run->opts->upto_id;
	c.limit = limit;
	c.lease = CLAIM_LEASE;
	if ((r = store_outbox_claim_ex(run->st, &c, fill_row, run, rows, n,
	    e)) == KD_OK && *n > 0)
		run->after_id = (*rows)[*n - 1].id;
	return r;
}

/* Stop between messages: cancelled, or past the caller's deadline. */
static int
run_stopped(struct run *run, volatile int *cancel)
{
	if (cancel != NULL && *cancel) {
		snprintf(run->res->left_why, sizeof(run->res->left_why),
		    "delivery stopped");
		return 1;
	}
	if (run->opts->deadline_ms > 0 && kd_mono_ms() >= run->opts->deadline_ms) {
		snprintf(run->res->left_why, sizeof(run->res->left_why),
		    "out of time, left for the next delivery");
		return 1;
	}
	return 0;
}

/* One batch of due rows.  Sets *more to 0 when there is nothing left. */
static int
deliver_batch(struct run *run, int max, volatile int *cancel,
    kd_outbox_progress progress, void *arg, int *done, int total, int *more,
    struct kd_err *e)
{
	struct kd_outbox_row *rows = NULL;
	size_t n, i;
	int r, limit = BATCH;

	if (max > 0 && max - *done < limit)
		limit = max - *done;
	if ((r = run_claim(run, limit, &rows, &n, e)) != KD_OK)
		return r;
	*more = n > 0;
	for (i = 0; i < n && r == KD_OK; i++) {
		if (run_stopped(run, cancel)) {
			if (cancel != NULL && *cancel)
				r = kd_err_set(e, KD_ERR_CANCELLED, "delivery "
				    "cancelled: %d of %d messages handled",
				    *done, total);
			*more = 0;
			break;
		}
		if ((r = deliver_one(run, &rows[i], e)) != KD_OK)
			break;
		++*done;
		if (progress != NULL)
			progress(arg, *done, total > *done ? total : *done);
		/* Durable before the next message goes: a crash resends at
		 * most this one.  Waits (nothing sent) may pile up. */
		if (!run->down || run->nmarks == MARKS_MAX)
			r = marks_flush(run, e);
	}
	/* Rows claimed but not tried (stopped) are due again at once. */
	for (; i < n; i++) {
		store_outbox_unclaim(run->st, rows[i].id, kd_now(), NULL);
		run->res->left++;
	}
	store_outbox_free(rows, n);
	if (max > 0 && *done >= max)
		*more = 0;
	/* The next read must not see these rows as queued again. */
	return r == KD_OK ? marks_flush(run, e) : r;
}

static int
run_start(struct run *run, int max, int *total, struct kd_err *e)
{
	int64_t queued, sent, failed;
	char name[256];
	int r;

	store_outbox_counts(run->st, &queued, &sent, &failed);
	if (run->cfg->smtp_url == NULL || *run->cfg->smtp_url == '\0')
		return kd_err_set(e, KD_ERR_CONFIG, "no SMTP server configured: "
		    "%lld messages wait in the outbox", (long long)queued);
	if (run->cfg->smtp_from == NULL || *run->cfg->smtp_from == '\0')
		return kd_err_set(e, KD_ERR_CONFIG, "smtp.from is not set: "
		    "%lld messages wait in the outbox", (long long)queued);
	if ((r = mail_from_split(run->cfg->smtp_from, name, sizeof(name),
	    run->from_addr, sizeof(run->from_addr), e)) != KD_OK)
		return r == KD_ERR_INVALID ? KD_ERR_CONFIG : r;
	/* Queued rows not yet due are counted too: the total is an upper
	 * bound, and the last progress call reports done == total. */
	*total = max > 0 && queued > max ? max : (int)queued;
	run->t0 = kd_now();
	return smtp_open(&run->smtp, run->cfg, e);
}

static int
run_finish(struct run *run, int r, struct kd_err *e)
{
	struct kd_err fe;
	int f;

	f = marks_flush(run, &fe);
	run->res->connections = smtp_connections(run->smtp);
	smtp_close(&run->smtp);
	if (r == KD_OK && f != KD_OK)
		return kd_err_set(e, f, "%s", fe.msg);
	if (r == KD_OK && run->down)
		return kd_err_set(e, KD_ERR_MAIL, "%s (%d message%s in the "
		    "outbox, to be retried)", run->down_error,
		    run->res->deferred, run->res->deferred == 1 ? " stays" :
		    "s stay");
	return r;
}

int
outbox_deliver(struct kd_store *st, const struct kd_config *cfg, int max,
    volatile int *cancel, kd_outbox_progress progress, void *arg,
    struct kd_outbox_result *res, struct kd_err *e)
{
	struct kd_outbox_opts o;

	memset(&o, 0, sizeof(o));
	o.max = max;
	return outbox_deliver_opts(st, cfg, &o, cancel, progress, arg, res, e);
}

int
outbox_deliver_opts(struct kd_store *st, const struct kd_config *cfg,
    const struct kd_outbox_opts *opts, volatile int *cancel,
    kd_outbox_progress progress, void *arg, struct kd_outbox_result *res,
    struct kd_err *e)
{
	struct run *run;
	int r, done = 0, total = 0, more = 1, max = opts->max;

	memset(res, 0, sizeof(*res));
	if ((run = calloc(1, sizeof(*run))) == NULL)
		return kd_err_set(e, KD_ERR_NOMEM, "out of memory");
	run->st = st;
	run->cfg = cfg;
	run->res = res;
	run->opts = opts;
	run->after_id = opts->after_id;
	if ((r = run_start(run, max, &total, e)) != KD_OK ||
	    (r = store_outbox_marks_fast(st, 1, e)) != KD_OK)
		goto fail;
	while (more && r == KD_OK)
		r = deliver_batch(run, max, cancel, progress, arg, &done, total,
		    &more, e);
	if (r == KD_OK && progress != NULL && done < total)
		progress(arg, done, done);
	r = run_finish(run, r, e);
fail:
	store_outbox_marks_fast(st, 0, NULL);
	smtp_close(&run->smtp);
	free(run);
	return r;
}
