/* Workflow definitions: add, get, list. */
#include "core/workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/holder.h"
#include "core/store_int.h"
#include "core/validate.h"

int
workflow_group_add(struct kd_workflow *w, const char *g)
{
	if (w->ngroups == WORKFLOW_MAX_GROUPS)
		return KD_ERR_INVALID;
	if ((w->groups[w->ngroups] = strdup(g)) == NULL)
		return KD_ERR_NOMEM;
	w->ngroups++;
	return KD_OK;
}

void
workflow_clear(struct kd_workflow *w)
{
	size_t i;

	for (i = 0; i < w->ngroups; i++)
		free(w->groups[i]);
	memset(w, 0, sizeof(*w));
}

void
workflow_list_free(struct kd_workflow *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		workflow_clear(&v[i]);
	free(v);
}

int
workflow_add(struct kd_store *st, const char *actor,
    const struct kd_workflow *w, struct kd_err *e)
{
	char details[1024];
	int64_t id, g;
	size_t i, o;
	const char *m;
	int r;

	if ((m = validate_key_name(w->name)) != NULL)
		return kd_err_set(e, KD_ERR_INVALID, "workflow name: %s", m);
	if (!w->use_defaults &&
	    !model_verification_allowed(w->type, w->settings.verification))
		return kd_err_set(e, KD_ERR_INVALID, "verification %s is not "
		    "available for a %s", model_verification_name(w->settings.verification),
		    model_key_type_label(w->type));
	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	r = store_exec(st, e, "INSERT INTO workflows (name, type, use_defaults, "
	    "auditable, bluetooth_proximity, offline_login, verification, "
	    "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "ttddddtit", w->name, model_key_type_name(w->type), w->use_defaults,
	    w->settings.auditable, w->settings.bluetooth_proximity,
	    w->settings.offline_login,
	    model_verification_name(w->settings.verification), kd_now(), actor);
	if (r == KD_ERR_EXISTS)
		kd_err_set(e, r, "a workflow named \"%s\" already exists", w->name);
	if (r != KD_OK)
		goto fail;
	id = sqlite3_last_insert_rowid(store_db(st));
	o = (size_t)snprintf(details, sizeof(details), "type=%s defaults=%d groups=",
	    model_key_type_name(w->type), w->use_defaults);
	for (i = 0; i < w->ngroups; i++) {
		if ((r = store_group_find(st, w->groups[i], &g, e)) != KD_OK ||
		    (r = store_exec(st, e, "INSERT OR IGNORE INTO workflow_groups "
		    "(workflow, group_id) VALUES (?, ?)", "ii", id, g)) != KD_OK)
			goto fail;
		if (o < sizeof(details))
			o += (size_t)snprintf(details + o, sizeof(details) - o,
			    "%s%s", i ? "," : "", w->groups[i]);
	}
	if ((r = store_audit_add(st, actor, "workflow.create", w->name, details,
	    e)) != KD_OK)
		goto fail;
	return store_commit(st, e);
fail:
	store_rollback(st);
	return r;
}

static int
load_groups(struct kd_store *st, struct kd_workflow *w)
{
	sqlite3_stmt *s;
	int r = KD_OK;

	if (store_prepare(st, &s, "SELECT g.name FROM workflow_groups wg JOIN "
	    "groups g ON g.id = wg.group_id WHERE wg.workflow = ? ORDER BY "
	    "g.name", "i", w->id) != KD_OK)
		return KD_ERR_DB;
	while (r == KD_OK && sqlite3_step(s) == SQLITE_ROW)
		r = workflow_group_add(w, (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return r;
}

static void
row_read(sqlite3_stmt *s, struct kd_workflow *w)
{
	const char *t;

	memset(w, 0, sizeof(*w));
	w->id = sqlite3_column_int64(s, 0);
	snprintf(w->name, sizeof(w->name), "%s", sqlite3_column_text(s, 1));
	if ((t = (const char *)sqlite3_column_text(s, 2)) != NULL)
		model_key_type_parse(t, &w->type);
	w->use_defaults = sqlite3_column_int(s, 3);
	w->settings.auditable = sqlite3_column_int(s, 4);
	w->settings.bluetooth_proximity = sqlite3_column_int(s, 5);
	w->settings.offline_login = sqlite3_column_int(s, 6);
	if ((t = (const char *)sqlite3_column_text(s, 7)) != NULL)
		model_verification_parse(t, &w->settings.verification);
	w->created_at = sqlite3_column_int64(s, 8);
	snprintf(w->created_by, sizeof(w->created_by), "%s",
	    sqlite3_column_text(s, 9));
	w->last.id = sqlite3_column_int64(s, 10);
	w->last.started_at = sqlite3_column_int64(s, 11);
	w->last.finished_at = sqlite3_column_int64(s, 12);
	w->last.in_scope = sqlite3_column_int64(s, 13);
	w->last.created = sqlite3_column_int64(s, 14);
	w->last.skipped = sqlite3_column_int64(s, 15);
	w->last.failed = sqlite3_column_int64(s, 16);
	snprintf(w->last.status, sizeof(w->last.status), "%s",
	    sqlite3_column_text(s, 17) ? (const char *)sqlite3_column_text(s, 17) : "");
	/* Running, by a process that is gone (kill -9): interrupted.  The
	 * next run closes it so in the database too. */
	if (strcmp(w->last.status, "running") == 0 &&
	    sqlite3_column_type(s, 18) != SQLITE_NULL &&
	    !holder_alive((const char *)sqlite3_column_text(s, 18),
	    sqlite3_column_int64(s, 19), sqlite3_column_int64(s, 20)))
		snprintf(w->last.status, sizeof(w->last.status), "interrupted");
}

#define WF_SELECT "SELECT w.id, w.name, w.type, w.use_defaults, w.auditable, " \
	"w.bluetooth_proximity, w.offline_login, w.verification, w.created_at, " \
	"w.created_by, r.id, r.started_at, r.finished_at, r.in_scope, " \
	"r.created, r.skipped, r.failed, r.status, r.holder_host, " \
	"r.holder_pid, r.holder_start FROM workflows w LEFT JOIN " \
	"workflow_runs r ON r.id = (SELECT max(id) FROM workflow_runs WHERE " \
	"workflow = w.id) "

int
workflow_get(struct kd_store *st, const char *name, struct kd_workflow *w,
    struct kd_err *e)
{
	sqlite3_stmt *s;
	int r;

	if (store_prepare(st, &s, WF_SELECT "WHERE w.name = ?", "t", name) != KD_OK)
		return store_fail(st, "cannot read workflows", e);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		row_read(s, w);
	sqlite3_finalize(s);
	if (r != SQLITE_ROW)
		return kd_err_set(e, KD_ERR_NOTFOUND, "no workflow named \"%.64s\"",
		    name);
	if (load_groups(st, w) != KD_OK)
		return kd_err_set(e, KD_ERR_DB, "cannot read workflow groups");
	return KD_OK;
}

int
workflow_list(struct kd_store *st, struct kd_workflow **out, size_t *n,
    struct kd_err *e)
{
	struct kd_workflow *v = NULL;
	sqlite3_stmt *s;
	size_t cap = 0, i;

	*out = NULL;
	*n = 0;
	if (store_prepare(st, &s, WF_SELECT "ORDER BY w.name", "") != KD_OK)
		return store_fail(st, "cannot read workflows", e);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (kd_grow(&v, &cap, *n, sizeof(*v)) != KD_OK) {
			sqlite3_finalize(s);
			workflow_list_free(v, *n);
			*n = 0;
			return kd_err_set(e, KD_ERR_NOMEM, "out of memory");
		}
		row_read(s, &v[(*n)++]);
	}
	sqlite3_finalize(s);
	for (i = 0; i < *n; i++)
		load_groups(st, &v[i]);
	*out = v;
	return KD_OK;
}
