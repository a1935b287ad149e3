/* Reviewing and running a workflow. */
#include "core/workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enroll.h"
#include "core/mailtext.h"
#include "core/store_int.h"

/* Users the workflow covers: enabled, and in one of its groups (or all).
 * The members are listed from memberships' (group, user) key and the
 * users found by id, rather than every user tested for membership: in a
 * million users, a group of 100,000 is then read, not the whole table.
 * SCOPE_AFTER starts the list after user row ?3. */
#define SCOPE_IN(w, after) ((w)->ngroups == 0 ? "u.disabled = 0" : \
	"u.disabled = 0 AND u.id IN (SELECT m.user FROM memberships m JOIN " \
	"workflow_groups wg ON wg.group_id = m.group_id WHERE " \
	"wg.workflow = ?1" after ")")
#define SCOPE(w) SCOPE_IN(w, "")
#define SCOPE_AFTER(w) SCOPE_IN(w, " AND m.user > ?3")
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

/* The batch's keys, one statement: a pending key for each of the next
 * `batch` users in scope (after user row `after`) without one of the
 * type.  Named as enroll_key_name names them. */
static int
insert_keys(struct kd_store *st, const struct kd_config *cfg,
    const struct kd_workflow *w, int64_t after, int batch, int64_t *n,
    struct kd_err *e)
{
	struct kd_key_settings ks = w->use_defaults ? cfg->defaults[w->type] :
	    w->settings;
	char sql[1024];
	int r;

	snprintf(sql, sizeof(sql), "INSERT INTO keys (user, type, name, "
	    "status, auditable, bluetooth_proximity, offline_login, "
	    "verification, created_at) SELECT u.id, ?2, substr(u.name, 1, 200) "
	    "|| '''s ' || ?5, 'pending', ?6, ?7, ?8, ?9, ?10 FROM users u "
	    "WHERE u.id > ?3 AND %s AND NOT %s ORDER BY u.id LIMIT ?4",
	    SCOPE_AFTER(w), HAS_KEY);
	if ((r = store_exec(st, e, sql, "itidtdddti", w->id,
	    model_key_type_name(w->type), after, batch,
	    enroll_key_noun(w->type), ks.auditable, ks.bluetooth_proximity,
	    ks.offline_login, model_verification_name(ks.verification),
	    kd_now())) != KD_OK)
		return r;
	*n = sqlite3_changes(store_db(st));
	return KD_OK;
}

/* One audit row per key made (keys above `first`), and the last user
 * row they went to: where the next batch starts. */
static int
audit_keys(struct kd_store *st, const struct kd_workflow *w,
    const char *actor, int64_t first, int64_t *after, struct kd_err *e)
{
	char details[400], qn[256];
	sqlite3_stmt *s;
	int r = KD_OK, sr = SQLITE_DONE;

	if (store_prepare(st, &s, "SELECT k.id, k.user, u.user_id FROM keys k "
	    "JOIN users u ON u.id = k.user WHERE k.id > ? ORDER BY k.id", "i",
	    first) != KD_OK)
		return store_fail(st, "cannot run the workflow", e);
	while (r == KD_OK && (sr = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(details, sizeof(details), "key=%lld type=%s workflow=%s",
		    (long long)sqlite3_column_int64(s, 0),
		    model_key_type_name(w->type),
		    kd_quote_value(w->name, qn, sizeof(qn)));
		if (sqlite3_column_int64(s, 1) > *after)
			*after = sqlite3_column_int64(s, 1);
		r = store_audit_add(st, actor, "key.assign",
		    (const char *)sqlite3_column_text(s, 2), details, e);
	}
	if (r == KD_OK && sr != SQLITE_DONE)
		r = store_fail(st, "cannot run the workflow", e);
	sqlite3_finalize(s);
	return r;
}

/* One batch: its keys, mails, audit rows and the run's counters commit
 * together, so a cancelled or failed run leaves whole batches only.
 * Each step is one statement over the batch, not one per user. */
static int
run_batch(struct kd_store *st, const struct kd_config *cfg,
    const struct kd_workflow *w, const char *actor, int64_t *after,
    int batch, int64_t *n, struct kd_workflow_run *run, struct kd_err *e)
{
	int64_t first = 0;
	int r;

	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if (store_int(st, &first, "SELECT coalesce(max(id), 0) FROM keys",
	    "") != KD_OK) {
		r = store_fail(st, "cannot run the workflow", e);
		goto fail;
	}
	if ((r = insert_keys(st, cfg, w, *after, batch, n, e)) != KD_OK)
		goto fail;
	if (*n == 0) {
		store_rollback(st);
		return KD_OK;
	}
	if ((r = store_exec(st, e, "UPDATE users SET status = max(status, 1) "
	    "WHERE id IN (SELECT user FROM keys WHERE id > ?)", "i",
	    first)) != KD_OK ||
	    (r = mailtext_queue_activations(st, cfg, first, e)) != KD_OK ||
	    (r = audit_keys(st, w, actor, first, after, e)) != KD_OK ||
	    (r = store_exec(st, e, "UPDATE workflow_runs SET created = created "
	    "+ ? WHERE id = ?", "ii", *n, run->id)) != KD_OK ||
	    (r = store_commit(st, e)) != KD_OK)
		goto fail;
	run->created += *n;
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
	if ((r = store_workflow_runs_interrupt(st, w->id, e)) != KD_OK ||
	    (r = workflow_review(st, w, &rv, e)) != KD_OK ||
	    (r = store_exec(st, e, "INSERT INTO workflow_runs (workflow, "
	    "started_at, actor, in_scope, skipped) VALUES (?, ?, ?, ?, ?)",
	    "iitii", w->id, kd_now(), actor, rv.in_scope, rv.have_key)) != KD_OK ||
	    (r = store_workflow_run_hold(st, sqlite3_last_insert_rowid(
	    store_db(st)), e)) != KD_OK) {
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
	int64_t after = 0, total, n;
	int r = KD_OK;

	if (batch <= 0)
		batch = WORKFLOW_BATCH;
	if ((r = run_start(st, w, actor, run, e)) != KD_OK)
		return r;
	total = run->in_scope - run->skipped;
	if (progress != NULL)
		progress(arg, 0, total);
	for (;;) {
		if (cancel != NULL && *cancel) {
			r = run_finish(st, w, actor, run, "cancelled", NULL);
			return r == KD_OK ? kd_err_set(e, KD_ERR_CANCELLED,
			    "cancelled after %lld keys (whole batches only)",
			    (long long)run->created) : r;
		}
		if ((r = run_batch(st, cfg, w, actor, &after, batch, &n, run,
		    e)) != KD_OK) {
			/* The failed batch and the ones never tried (members
			 * added since the review can make created pass total). */
			run->failed = total > run->created ? total - run->created :
			    0;
			break;
		}
		if (n == 0)
			break;
		if (progress != NULL)
			progress(arg, run->created, total);
	}
	if (r == KD_OK)
		return run_finish(st, w, actor, run, "done", e);
	run_finish(st, w, actor, run, "failed", NULL);
	return r;
}
