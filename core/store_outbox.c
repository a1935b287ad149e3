/* The outbox table: mail written inside a change's transaction and
 * delivered after commit (core/outbox.c). */
#include "core/store_int.h"

#include "core/holder.h"

#include <stdlib.h>
#include <string.h>

#define OUTBOX_COLS "id, to_name, to_addr, subject, body, message_id, kind, " \
	"secret, status, attempts, last_error, created_at, next_attempt_at, " \
	"sent_at, key"

int
store_outbox_add(struct kd_store *st, const struct kd_outbox_row *m,
    int64_t *id, struct kd_err *e)
{
	int64_t now = kd_now();
	int r;

	r = store_exec(st, e, "INSERT INTO outbox (to_name, to_addr, subject, "
	    "body, message_id, kind, secret, created_at, next_attempt_at, key) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0))", "ttttttdiii",
	    m->to_name, m->to_addr, m->subject, m->body, m->message_id, m->kind,
	    m->secret, now, now, m->key);
	if (r == KD_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return r;
}

static int
row_read(sqlite3_stmt *s, struct kd_outbox_row *m)
{
	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(s, 0);
	m->to_name = store_col_text(s, 1);
	m->to_addr = store_col_text(s, 2);
	m->subject = store_col_text(s, 3);
	m->body = store_col_text(s, 4);
	m->message_id = store_col_text(s, 5);
	m->kind = store_col_text(s, 6);
	m->secret = sqlite3_column_int(s, 7);
	m->status = store_col_text(s, 8);
	m->attempts = sqlite3_column_int(s, 9);
	m->last_error = store_col_text(s, 10);
	m->created_at = sqlite3_column_int64(s, 11);
	m->next_attempt_at = sqlite3_column_int64(s, 12);
	m->sent_at = sqlite3_column_int64(s, 13);
	m->key = sqlite3_column_int64(s, 14);
	return m->to_addr && m->subject && m->message_id && m->kind && m->status ?
	    KD_OK : KD_ERR_NOMEM;
}

void
store_outbox_free_row(struct kd_outbox_row *m)
{
	free(m->to_name);
	free(m->to_addr);
	free(m->subject);
	kd_free_secret(m->body);
	free(m->message_id);
	free(m->kind);
	free(m->status);
	free(m->last_error);
}

void
store_outbox_free(struct kd_outbox_row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_outbox_free_row(&v[i]);
	free(v);
}

static int
rows_read(struct kd_store *st, sqlite3_stmt *s, struct kd_outbox_row **out,
    size_t *n, struct kd_err *e)
{
	struct kd_outbox_row *v = NULL;
	size_t cap = 0;
	int r;

	*out = NULL;
	*n = 0;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (kd_grow(&v, &cap, *n, sizeof(*v)) != KD_OK)
			goto nomem;
		if (row_read(s, &v[(*n)++]) != KD_OK)
			goto nomem;
	}
	sqlite3_finalize(s);
	if (r != SQLITE_DONE) {
		store_outbox_free(v, *n);
		*n = 0;
		return store_fail(st, "cannot read the outbox", e);
	}
	*out = v;
	return KD_OK;
nomem:
	sqlite3_finalize(s);
	store_outbox_free(v, *n);
	*n = 0;
	return kd_err_set(e, KD_ERR_NOMEM, "out of memory");
}

int
store_outbox_due(struct kd_store *st, int64_t now, int limit,
    struct kd_outbox_row **out, size_t *n, struct kd_err *e)
{
	sqlite3_stmt *s;

	if (store_prepare(st, &s, "SELECT " OUTBOX_COLS " FROM outbox WHERE "
	    "status = 'queued' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
	    "id", now, limit) != KD_OK)
		return store_fail(st, "cannot read the outbox", e);
	return rows_read(st, s, out, n, e);
}

/* Due rows, claimed: their next attempt moves `lease` seconds ahead in
 * the same transaction, so a second deliverer (another kiosk) skips them;
 * a deliverer that dies leaves them due again once the lease runs out. */
static int
claim_one(struct kd_store *st, int64_t until, const struct kd_holder *h,
    kd_outbox_fill fill, void *arg, struct kd_outbox_row *row, int *keep,
    struct kd_err *e)
{
	struct kd_err fe;
	int r;

	*keep = 1;
	if ((r = store_exec(st, e, "UPDATE outbox SET next_attempt_at = ?, "
	    "claim_host = ?, claim_pid = ?, claim_start = ? WHERE id = ?",
	    "itiii", until, h->host, h->pid, h->start, row->id)) != KD_OK ||
	    fill == NULL)
		return r;
	kd_err_clear(&fe);
	if ((r = fill(arg, st, row, &fe)) == KD_OK)
		return KD_OK;
	if (r != KD_ERR_INVALID && r != KD_ERR_NOTFOUND)
		return kd_err_set(e, r, "%s", fe.msg);
	*keep = 0;
	return store_outbox_mark_failed(st, row->id, 0, fe.msg, 1, e);
}

/* Claims held by a process of this host that is gone (kill -9): given
 * back at once.  Claims of other hosts can only time out. */
static int
reclaim_dead(struct kd_store *st, int64_t now, struct kd_err *e)
{
	sqlite3_stmt *s;
	int64_t pid, start;
	char *host;
	int r = KD_OK, alive;

	if (store_prepare(st, &s, "SELECT DISTINCT claim_host, claim_pid, "
	    "claim_start FROM outbox WHERE status = 'queued' AND "
	    "claim_host IS NOT NULL AND next_attempt_at > ?", "i", now) != KD_OK)
		return store_fail(st, "cannot read the outbox", e);
	while (r == KD_OK && sqlite3_step(s) == SQLITE_ROW) {
		host = store_col_text(s, 0);
		pid = sqlite3_column_int64(s, 1);
		start = sqlite3_column_int64(s, 2);
		alive = holder_alive(host, pid, start);
		if (!alive)
			r = store_exec(st, e, "UPDATE outbox SET next_attempt_at "
			    "= ?, claim_host = NULL, claim_pid = NULL, "
			    "claim_start = NULL WHERE status = 'queued' AND "
			    "claim_host = ? AND claim_pid = ? AND "
			    "claim_start IS ?", "itii", now, host, pid, start);
		free(host);
	}
	sqlite3_finalize(s);
	return r;
}

/* Rows to claim: due ones, or with `all` every queued row no live
 * deliverer holds (a manual flush), with ids in (after, upto]. */
static int
claim_select(struct kd_store *st, const struct kd_outbox_claim *c,
    struct kd_outbox_row **out, size_t *n, struct kd_err *e)
{
	sqlite3_stmt *s;

	if (store_prepare(st, &s, "SELECT " OUTBOX_COLS " FROM outbox WHERE "
	    "status = 'queued' AND (next_attempt_at <= ?1 OR (?2 AND "
	    "claim_host IS NULL)) AND id > ?3 AND (?4 = 0 OR id <= ?4) "
	    "ORDER BY id LIMIT ?5", "iiiid", c->now, c->all, c->after_id,
	    c->upto_id, c->limit) != KD_OK)
		return store_fail(st, "cannot read the outbox", e);
	return rows_read(st, s, out, n, e);
}

int
store_outbox_claim(struct kd_store *st, int64_t now, int limit, int lease,
    kd_outbox_fill fill, void *arg, struct kd_outbox_row **out, size_t *n,
    struct kd_err *e)
{
	struct kd_outbox_claim c;

	memset(&c, 0, sizeof(c));
	c.now = now;
	c.limit = limit;
	c.lease = lease;
	return store_outbox_claim_ex(st, &c, fill, arg, out, n, e);
}

int
store_outbox_claim_ex(struct kd_store *st, const struct kd_outbox_claim *c,
    kd_outbox_fill fill, void *arg, struct kd_outbox_row **out, size_t *n,
    struct kd_err *e)
{
	struct kd_outbox_row *v;
	struct kd_holder h;
	size_t i, kept = 0;
	int r, keep;

	holder_self(&h);
	*out = NULL;
	*n = 0;
	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if ((r = reclaim_dead(st, c->now, e)) != KD_OK ||
	    (r = claim_select(st, c, out, n, e)) != KD_OK) {
		store_rollback(st);
		return r;
	}
	v = *out;
	for (i = 0; i < *n && r == KD_OK; i++) {
		r = claim_one(st, c->now + c->lease, &h, fill, arg, &v[i], &keep,
		    e);
		if (!keep) {	/* failed for good: an empty row, dropped below */
			store_outbox_free_row(&v[i]);
			memset(&v[i], 0, sizeof(v[i]));
		}
	}
	if (r == KD_OK)
		r = store_commit(st, e);
	if (r != KD_OK) {
		store_rollback(st);
		store_outbox_free(v, *n);
		*out = NULL;
		*n = 0;
		return r;
	}
	for (i = 0; i < *n; i++)
		if (v[i].id != 0)
			v[kept++] = v[i];
	*n = kept;
	return KD_OK;
}

int
store_outbox_unclaim(struct kd_store *st, int64_t id, int64_t now,
    struct kd_err *e)
{
	return store_exec(st, e, "UPDATE outbox SET next_attempt_at = ?, "
	    "claim_host = NULL, claim_pid = NULL, claim_start = NULL WHERE "
	    "id = ? AND status = 'queued'", "ii", now, id);
}

int
store_outbox_list(struct kd_store *st, const char *status, int limit,
    struct kd_outbox_row **out, size_t *n, struct kd_err *e)
{
	sqlite3_stmt *s;

	if (store_prepare(st, &s, "SELECT " OUTBOX_COLS " FROM outbox WHERE "
	    "?1 IS NULL OR status = ?1 ORDER BY id DESC LIMIT ?2", "td", status,
	    limit) != KD_OK)
		return store_fail(st, "cannot read the outbox", e);
	return rows_read(st, s, out, n, e);
}

/* A secret body (a PIN) is erased the moment the server has accepted it;
 * secure_delete (set in store_open) overwrites the freed pages, and the
 * WAL copy goes at the next checkpoint, which we ask for at once. */
int
store_outbox_mark_sent(struct kd_store *st, int64_t id, int64_t now,
    struct kd_err *e)
{
	int64_t secret = 0;
	int r;

	r = store_exec(st, e, "UPDATE outbox SET status = 'sent', sent_at = ?, "
	    "attempts = attempts + 1, last_error = NULL, body = CASE WHEN "
	    "secret THEN NULL ELSE body END, claim_host = NULL, claim_pid = "
	    "NULL, claim_start = NULL WHERE id = ?", "ii", now, id);
	if (r != KD_OK)
		return r;
	store_int(st, &secret, "SELECT secret FROM outbox WHERE id = ?", "i", id);
	if (secret && st->depth == 0)
		sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
		    NULL, NULL);
	return KD_OK;
}

int
store_outbox_mark_failed(struct kd_store *st, int64_t id, int64_t next_attempt,
    const char *error, int permanent, struct kd_err *e)
{
	return store_exec(st, e, "UPDATE outbox SET attempts = attempts + 1, "
	    "last_error = ?, next_attempt_at = ?, status = CASE WHEN ? THEN "
	    "'failed' ELSE 'queued' END, claim_host = NULL, claim_pid = NULL, "
	    "claim_start = NULL WHERE id = ?", "tidi", error,
	    next_attempt, permanent, id);
}

int
store_outbox_defer(struct kd_store *st, int64_t id, int64_t next_attempt,
    const char *error, struct kd_err *e)
{
	return store_exec(st, e, "UPDATE outbox SET last_error = ?, "
	    "next_attempt_at = ?, claim_host = NULL, claim_pid = NULL, "
	    "claim_start = NULL WHERE id = ? AND status = 'queued'", "tii",
	    error, next_attempt, id);
}

/* In WAL mode a commit at synchronous=NORMAL is written to the WAL before
 * COMMIT returns, so it survives a crash of the process (kill -9); only a
 * power cut can lose the last ones, which then resends their mail (at
 * least once, as ever).  That makes a mark per message cheap. */
int
store_outbox_marks_fast(struct kd_store *st, int on, struct kd_err *e)
{
	if (sqlite3_exec(st->db, on ? "PRAGMA synchronous = NORMAL" :
	    "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(st, "cannot set synchronous", e);
	return KD_OK;
}

int
store_outbox_set_message_id(struct kd_store *st, int64_t id, const char *mid,
    struct kd_err *e)
{
	return store_exec(st, e, "UPDATE outbox SET message_id = ? WHERE id = ?",
	    "ti", mid, id);
}

int
store_outbox_held(struct kd_store *st, int64_t now, int64_t *n)
{
	*n = 0;
	return store_int(st, n, "SELECT count(*) FROM outbox WHERE status = "
	    "'queued' AND claim_host IS NOT NULL AND next_attempt_at > ?", "i",
	    now);
}

int
store_outbox_max_id(struct kd_store *st, int64_t *id)
{
	*id = 0;
	return store_int(st, id, "SELECT coalesce(max(id), 0) FROM outbox", "");
}

int
store_outbox_cancel_key(struct kd_store *st, int64_t key, const char *why,
    struct kd_err *e)
{
	return store_exec(st, e, "UPDATE outbox SET status = 'failed', "
	    "last_error = ? WHERE key = ? AND kind = 'activation' AND "
	    "status = 'queued'", "ti", why, key);
}

int
store_outbox_counts(struct kd_store *st, int64_t *queued, int64_t *sent,
    int64_t *failed)
{
	*queued = *sent = *failed = 0;
	store_int(st, queued, "SELECT count(*) FROM outbox WHERE status = 'queued'", "");
	store_int(st, sent, "SELECT count(*) FROM outbox WHERE status = 'sent'", "");
	store_int(st, failed, "SELECT count(*) FROM outbox WHERE status = 'failed'", "");
	return KD_OK;
}
