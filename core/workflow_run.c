/* Reviewing and running a workflow. */
#include "core/workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enroll.h"
#include "core/mailtext.h"
#include "core/store_int.h"

/* Users the workflow covers: enabled, and in one of its groups (or all). */
#define SCOPE(w) ((w)->ngroups == 0 ? "u.disabled = 0" : \
	"u.disabled = 0 AND EXISTS (SELECT 1 FROM memberships m JOIN " \
	"workflow_groups wg ON wg.group_id = m.group_id WHERE " \
	"wg.workflow = ?1 AND m.user = u.id)")
#define HAS_KEY "EXISTS (SELECT 1 FROM keys k WHERE k.user = u.id AND " \
	"k.type = ?2 AND k.status IN ('pending', 'active'))"

static int
count_users(struct kd_store *st, const struct kd_workflow *w, int with_key,
    int64_t *n, struct kd_err *e)
{
	char sql[1024];
	sqlite3_stmt *s;
	int r;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM users u WHERE %s%s",
	    SCOPE(w), with_key ? " AND " HAS_KEY : "");
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "cannot review the workflow", e);
	sqlite3_bind_int64(s, 1, w->id);
	sqlite3_bind_text(s, 2, model_key_type_name(w->type), -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	*n = r == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return r == SQLITE_ROW ? KD_OK : store_fail(st, "cannot review", e);
}

int
workflow_review(struct kd_store *st, const struct kd_workflow *w,
    struct kd_workflow_review *rv, struct kd_err *e)
{
	int r;

	memset(rv, 0, sizeof(*rv));
	if ((r = count_users(st, w, 0, &rv->in_scope, e)) != KD_OK ||
	    (r = count_users(st, w, 1, &rv->have_key, e)) != KD_OK)
		return r;
	rv->will_get = rv->in_scope - rv->have_key;
	return KD_OK;
}

struct cand {
	int64_t	 id;
	char	*user_id, *name, *email;
};

static void
cands_clear(struct cand *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(c[i].user_id);
		free(c[i].name);
		free(c[i].email);
	}
}

/* The next users without a key of the type, after row `after`. */
static int
next_batch(struct kd_store *st, const struct kd_workflow *w, int64_t after,
    int batch, struct cand *c, size_t *n, struct kd_err *e)
{
	char sql[1024];
	sqlite3_stmt *s;
	int r;

	*n = 0;
	snprintf(sql, sizeof(sql), "SELECT u.id, u.user_id, u.name, u.email "
	    "FROM users u WHERE u.id > ?3 AND %s AND NOT %s ORDER BY u.id "
	    "LIMIT ?4", SCOPE(w), HAS_KEY);
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "cannot run the workflow", e);
	sqlite3_bind_int64(s, 1, w->id);
	sqlite3_bind_text(s, 2, model_key_type_name(w->type), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, after);
	sqlite3_bind_int(s, 4, batch);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		c[*n].id = sqlite3_column_int64(s, 0);
		c[*n].user_id = store_col_text(s, 1);
		c[*n].name = store_col_text(s, 2);
		c[*n].email = store_col_text(s, 3);
		(*n)++;
	}
	sqlite3_finalize(s);
	return r == SQLITE_DONE ? KD_OK : store_fail(st, "cannot run", e);
}

static int
give_key(struct kd_store *st, const struct kd_config *cfg,
    const struct kd_workflow *w, const struct cand *c, const char *actor,
    struct kd_err *e)
{
	struct kd_mail_to to = { c->name, c->email };
	struct kd_key k = { 0 };
	char name[300], details[400];
	int64_t key;
	int r;

	enroll_key_name(w->type, c->name, name, sizeof(name));
	k.user = c->id;
	k.type = w->type;
	k.name = name;
	k.status = KD_KS_PENDING;
	k.settings = w->use_defaults ? cfg->defaults[w->type] : w->settings;
	if ((r = store_key_insert(st, &k, &key, e)) != KD_OK ||
	    (r = enroll_queue_activation(st, cfg, key, &to, w->type, name,
	    e)) != KD_OK ||
	    (r = store_exec(st, e, "UPDATE users SET status = max(status, 1) "
	    "WHERE id = ?", "i", c->id)) != KD_OK)
		return r;
	snprintf(details, sizeof(details), "key=%lld type=%s workflow=%s",
	    (long long)key, model_key_type_name(w->type), w->name);
	return store_audit_add(st, actor, "key.assign", c->user_id, details, e);
}

/* One batch: its keys, mails, audit rows and the run's counters commit
 * together, so a cancelled or failed run leaves whole batches only. */
static int
run_batch(struct kd_store *st, const struct kd_config *cfg,
    const struct kd_workflow *w, const char *actor, struct cand *c, size_t n,
    struct kd_workflow_run *run, struct kd_err *e)
{
	size_t i;
	int r;

	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	for (i = 0; i < n; i++)
		if ((r = give_key(st, cfg, w, &c[i], actor, e)) != KD_OK)
			goto fail;
	if ((r = store_exec(st, e, "UPDATE workflow_runs SET created = created "
	    "+ ? WHERE id = ?", "ii", (int64_t)n, run->id)) != KD_OK)
		goto fail;
	if ((r = store_commit(st, e)) != KD_OK)
		goto fail;
	run->created += (int64_t)n;
	return KD_OK;
fail:
	store_rollback(st);
	return r;
}

static int
run_start(struct kd_store *st, const struct kd_workflow *w, const char *actor,
    struct kd_workflow_run *run, struct kd_err *e)
{
	struct kd_workflow_review rv;
	int r;

	memset(run, 0, sizeof(*run));
	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if ((r = workflow_review(st, w, &rv, e)) != KD_OK ||
	    (r = store_exec(st, e, "INSERT INTO workflow_runs (workflow, "
	    "started_at, actor, in_scope, skipped) VALUES (?, ?, ?, ?, ?)",
	    "iitii", w->id, kd_now(), actor, rv.in_scope, rv.have_key)) != KD_OK) {
		store_rollback(st);
		return r;
	}
	run->id = sqlite3_last_insert_rowid(store_db(st));
	run->in_scope = rv.in_scope;
	run->skipped = rv.have_key;
	run->started_at = kd_now();
	return store_commit(st, e);
}

static int
run_finish(struct kd_store *st, const struct kd_workflow *w, const char *actor,
    struct kd_workflow_run *run, const char *status, struct kd_err *e)
{
	char details[256];
	struct kd_err e2;
	int r;

	snprintf(run->status, sizeof(run->status), "%s", status);
	run->finished_at = kd_now();
	snprintf(details, sizeof(details), "run=%lld status=%s in_scope=%lld "
	    "created=%lld skipped=%lld failed=%lld", (long long)run->id, status,
	    (long long)run->in_scope, (long long)run->created,
	    (long long)run->skipped, (long long)run->failed);
	if ((r = store_begin(st, &e2)) != KD_OK)
		return r;
	if (store_exec(st, &e2, "UPDATE workflow_runs SET finished_at = ?, "
	    "status = ?, failed = ? WHERE id = ?", "itii", run->finished_at,
	    status, run->failed, run->id) != KD_OK ||
	    store_audit_add(st, actor, "workflow.run", w->name, details, &e2) != KD_OK) {
		store_rollback(st);
		return e ? kd_err_set(e, e2.code, "%s", e2.msg) : e2.code;
	}
	return store_commit(st, &e2);
}

int
workflow_run(struct kd_store *st, const struct kd_config *cfg,
    const struct kd_workflow *w, const char *actor, int batch,
    volatile int *cancel, kd_workflow_progress progress, void *arg,
    struct kd_workflow_run *run, struct kd_err *e)
{
	struct cand *c;
	int64_t after = 0, total;
	size_t n = 0;
	int r = KD_OK;

	if (batch <= 0)
		batch = WORKFLOW_BATCH;
	if ((c = calloc((size_t)batch, sizeof(*c))) == NULL)
		return kd_err_set(e, KD_ERR_NOMEM, "out of memory");
	/* Bulk work touches far more pages than the default 2 MB cache holds;
	 * without this, every batch re-reads index pages from the file. */
	sqlite3_exec(store_db(st), "PRAGMA cache_size = -2000", NULL, NULL, NULL);
	if ((r = run_start(st, w, actor, run, e)) != KD_OK)
		goto out;
	total = run->in_scope - run->skipped;
	if (progress != NULL)
		progress(arg, 0, total);
	for (;;) {
		if (cancel != NULL && *cancel) {
			r = run_finish(st, w, actor, run, "cancelled", NULL);
			r = r == KD_OK ? kd_err_set(e, KD_ERR_CANCELLED, "cancelled "
			    "after %lld keys (whole batches only)",
			    (long long)run->created) : r;
			goto out;
		}
		cands_clear(c, n);
		if ((r = next_batch(st, w, after, batch, c, &n, e)) != KD_OK)
			break;
		if (n == 0)
			break;
		after = c[n - 1].id;
		if ((r = run_batch(st, cfg, w, actor, c, n, run, e)) != KD_OK) {
			run->failed += (int64_t)n;
			break;
		}
		if (progress != NULL)
			progress(arg, run->created, total);
	}
	if (r == KD_OK)
		r = run_finish(st, w, actor, run, "done", e);
	else
		run_finish(st, w, actor, run, "failed", NULL);
out:
	sqlite3_exec(store_db(st), "PRAGMA cache_size = -2000", NULL, NULL, NULL);
	cands_clear(c, n);
	free(c);
	return r;
}
