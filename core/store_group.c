/* Groups and memberships. */
#include "core/store_int.h"

#include <stdlib.h>
#include <string.h>

int
store_group_add(struct kd_store *st, const char *name, int64_t *id,
    struct kd_err *e)
{
	int r;

	r = store_exec(st, e, "INSERT INTO groups (name, created_at) "
	    "VALUES (?, ?)", "ti", name, kd_now());
	if (r == KD_ERR_EXISTS)
		return kd_err_set(e, r, "group \"%.64s\" already exists", name);
	if (r == KD_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return r;
}

int
store_group_find(struct kd_store *st, const char *name, int64_t *id,
    struct kd_err *e)
{
	int r = store_int(st, id, "SELECT id FROM groups WHERE name = ?", "t",
	    name);

	if (r == KD_ERR_NOTFOUND)
		return kd_err_set(e, r, "no group named \"%.64s\"", name);
	if (r != KD_OK)
		return store_fail(st, "cannot read groups", e);
	return KD_OK;
}

static int
groups_query(struct kd_store *st, sqlite3_stmt *s, struct kd_group **out,
    size_t *n, struct kd_err *e)
{
	struct kd_group *v = NULL;
	size_t cap = 0;
	int r;

	*out = NULL;
	*n = 0;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (kd_grow(&v, &cap, *n, sizeof(*v)) != KD_OK)
			goto nomem;
		v[*n].id = sqlite3_column_int64(s, 0);
		v[*n].name = store_col_text(s, 1);
		v[*n].members = sqlite3_column_int64(s, 2);
		v[*n].created_at = sqlite3_column_int64(s, 3);
		if (v[(*n)++].name == NULL)
			goto nomem;
	}
	sqlite3_finalize(s);
	if (r != SQLITE_DONE) {
		store_groups_free(v, *n);
		*n = 0;
		return store_fail(st, "cannot read groups", e);
	}
	*out = v;
	return KD_OK;
nomem:
	sqlite3_finalize(s);
	store_groups_free(v, *n);
	*n = 0;
	return kd_err_set(e, KD_ERR_NOMEM, "out of memory");
}

int
store_group_list(struct kd_store *st, struct kd_group **out, size_t *n,
    struct kd_err *e)
{
	sqlite3_stmt *s;

	/* members is kept by triggers (store_schema.c, 6): no count over a
	 * million memberships when a screen opens. */
	if (store_prepare(st, &s, "SELECT g.id, g.name, g.members, "
	    "g.created_at FROM groups g ORDER BY g.name", "") != KD_OK)
		return store_fail(st, "cannot read groups", e);
	return groups_query(st, s, out, n, e);
}

int
store_user_groups(struct kd_store *st, int64_t user, struct kd_group **out,
    size_t *n, struct kd_err *e)
{
	sqlite3_stmt *s;

	if (store_prepare(st, &s, "SELECT g.id, g.name, 0, g.created_at FROM "
	    "groups g JOIN memberships m ON m.group_id = g.id WHERE m.user = ? "
	    "ORDER BY g.name", "i", user) != KD_OK)
		return store_fail(st, "cannot read groups", e);
	return groups_query(st, s, out, n, e);
}

int
store_member_add(struct kd_store *st, int64_t group, int64_t user,
    struct kd_err *e)
{
	return store_exec(st, e, "INSERT OR IGNORE INTO memberships "
	    "(group_id, user) VALUES (?, ?)", "ii", group, user);
}

void
store_groups_free(struct kd_group *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}
