/* Editing, disabling and deleting users; group membership; audit check. */
#include "core/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store_int.h"
#include "core/validate.h"

static int
edit_field(char *buf, size_t len, const char *v, const char *(*rule)(const char *),
    const char *label, struct kd_err *e)
{
	const char *m;

	snprintf(buf, len, "%s", v);
	validate_trim(buf);
	if ((m = rule(buf)) != NULL)
		return kd_err_set(e, KD_ERR_INVALID, "%s: %s", label, m);
	return KD_OK;
}

int
admin_user_edit(struct kd_store *st, const char *actor, const char *user_id,
    const struct kd_user_edit *ed, struct kd_err *e)
{
	char name[1024], email[1024], un[1024], details[3200];
	struct kd_user u = { 0 };
	int r;

	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if ((r = store_user_get(st, user_id, &u, e)) != KD_OK)
		goto fail;
	if ((r = edit_field(name, sizeof(name), ed->name ? ed->name : u.name,
	    validate_name, "Full name", e)) != KD_OK ||
	    (r = edit_field(email, sizeof(email), ed->email ? ed->email : u.email,
	    validate_email, "Email", e)) != KD_OK ||
	    (r = edit_field(un, sizeof(un), ed->username ? ed->username :
	    u.username, validate_username, "Username", e)) != KD_OK)
		goto fail;
	if (store_username_taken(st, un, u.id) > 0) {
		r = kd_err_set(e, KD_ERR_EXISTS, "Username: \"%s\" is already "
		    "taken", un);
		goto fail;
	}
	if ((r = store_user_update(st, u.id, name, email, un, e)) != KD_OK)
		goto fail;
	snprintf(details, sizeof(details), "name: %s -> %s; email: %s -> %s; "
	    "username: %s -> %s", u.name, name, u.email, email, u.username, un);
	if ((r = store_audit_add(st, actor, "user.edit", u.user_id, details,
	    e)) != KD_OK)
		goto fail;
	r = store_commit(st, e);
	store_user_clear(&u);
	return r;
fail:
	store_rollback(st);
	store_user_clear(&u);
	return r;
}

int
admin_user_disable(struct kd_store *st, const char *actor, const char *user_id,
    int disabled, struct kd_err *e)
{
	struct kd_user u = { 0 };
	int r;

	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if ((r = store_user_get(st, user_id, &u, e)) != KD_OK ||
	    (r = store_user_set_disabled(st, u.id, disabled, e)) != KD_OK ||
	    (r = store_audit_add(st, actor, disabled ? "user.disable" :
	    "user.enable", u.user_id, NULL, e)) != KD_OK)
		goto fail;
	store_user_clear(&u);
	return store_commit(st, e);
fail:
	store_rollback(st);
	store_user_clear(&u);
	return r;
}

/* What a deleted user was, for the audit row. */
static void
describe_user(struct kd_store *st, const struct kd_user *u, char *buf,
    size_t len)
{
	struct kd_key *k = NULL;
	struct kd_group *g = NULL;
	char q[4][512], groups[512], kv[512];
	size_t nk = 0, ng = 0, i, o = 0;

	groups[0] = '\0';
	store_user_groups(st, u->id, &g, &ng, NULL);
	for (i = 0; i < ng && o < sizeof(groups); i++)
		o += (size_t)snprintf(groups + o, sizeof(groups) - o, "%s%s",
		    i ? "," : "", g[i].name);
	o = (size_t)snprintf(buf, len, "name=%s email=%s username=%s groups=%s",
	    kd_quote_value(u->name, q[0], sizeof(q[0])),
	    kd_quote_value(u->email, q[1], sizeof(q[1])),
	    kd_quote_value(u->username, q[2], sizeof(q[2])),
	    ng ? kd_quote_value(groups, q[3], sizeof(q[3])) : "");
	store_key_list(st, u->id, &k, &nk, NULL);
	for (i = 0; i < nk && o < len; i++) {
		snprintf(kv, sizeof(kv), "%s/%s/%s%s%s",
		    model_key_type_name(k[i].type), k[i].name,
		    model_key_status_name(k[i].status), k[i].credential_id ?
		    "/credential:" : "", k[i].credential_id ? k[i].credential_id : "");
		o += (size_t)snprintf(buf + o, len - o, " key#%lld=%s",
		    (long long)k[i].id, kd_quote_value(kv, q[0], sizeof(q[0])));
	}
	store_groups_free(g, ng);
	store_keys_free(k, nk);
}

int
admin_user_delete(struct kd_store *st, const char *actor, const char *user_id,
    struct kd_err *e)
{
	struct kd_user u = { 0 };
	char details[4096];
	int r;

	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if ((r = store_user_get(st, user_id, &u, e)) != KD_OK)
		goto fail;
	describe_user(st, &u, details, sizeof(details));
	/* Queued mail to them stays: it was promised. */
	if ((r = store_user_delete(st, u.id, e)) != KD_OK ||
	    (r = store_audit_add(st, actor, "user.delete", u.user_id, details,
	    e)) != KD_OK)
		goto fail;
	store_user_clear(&u);
	return store_commit(st, e);
fail:
	store_rollback(st);
	store_user_clear(&u);
	return r;
}

int
admin_group_add(struct kd_store *st, const char *actor, const char *name,
    struct kd_err *e)
{
	char buf[1024];
	const char *m;
	int r;

	snprintf(buf, sizeof(buf), "%s", name);
	validate_trim(buf);
	if ((m = validate_group_name(buf)) != NULL)
		return kd_err_set(e, KD_ERR_INVALID, "Group name: %s", m);
	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if ((r = store_group_add(st, buf, NULL, e)) != KD_OK ||
	    (r = store_audit_add(st, actor, "group.create", buf, NULL, e)) != KD_OK) {
		store_rollback(st);
		return r;
	}
	return store_commit(st, e);
}

int
admin_member_set(struct kd_store *st, const char *actor, const char *user_id,
    const char *group, int member, struct kd_err *e)
{
	struct kd_user u = { 0 };
	int64_t g;
	int r;

	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if ((r = store_user_get(st, user_id, &u, e)) != KD_OK ||
	    (r = store_group_find(st, group, &g, e)) != KD_OK)
		goto fail;
	r = member ? store_member_add(st, g, u.id, e) :
	    store_exec(st, e, "DELETE FROM memberships WHERE group_id = ? AND "
	    "user = ?", "ii", g, u.id);
	if (r != KD_OK || (r = store_audit_add(st, actor, member ?
	    "group.member_add" : "group.member_remove", u.user_id, group,
	    e)) != KD_OK)
		goto fail;
	store_user_clear(&u);
	return store_commit(st, e);
fail:
	store_rollback(st);
	store_user_clear(&u);
	return r;
}

int
admin_audit_verify(struct kd_store *st, int64_t *bad, int64_t *rows,
    struct kd_err *e)
{
	unsigned char prev[32] = { 0 }, h[32];
	sqlite3_stmt *s;
	int r;

	*bad = 0;
	*rows = 0;
	if (store_prepare(st, &s, "SELECT id, at, actor, action, subject, "
	    "details, prev_hash, hash FROM audit ORDER BY id", "") != KD_OK)
		return store_fail(st, "cannot read the audit log", e);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		(*rows)++;
		store_audit_hash(prev, sqlite3_column_int64(s, 1),
		    (const char *)sqlite3_column_text(s, 2),
		    (const char *)sqlite3_column_text(s, 3),
		    (const char *)sqlite3_column_text(s, 4),
		    (const char *)sqlite3_column_text(s, 5), h);
		if (sqlite3_column_bytes(s, 6) != 32 || sqlite3_column_bytes(s, 7) != 32 ||
		    memcmp(sqlite3_column_blob(s, 6), prev, 32) != 0 ||
		    memcmp(sqlite3_column_blob(s, 7), h, 32) != 0) {
			*bad = sqlite3_column_int64(s, 0);
			break;
		}
		memcpy(prev, h, 32);
	}
	sqlite3_finalize(s);
	if (*bad != 0)
		return kd_err_set(e, KD_ERR_INVALID, "audit chain broken at row "
		    "%lld: the row was changed, or one before it was deleted",
		    (long long)*bad);
	if (r != SQLITE_DONE)
		return store_fail(st, "cannot read the audit log", e);
	return KD_OK;
}
