/* Users: insert, look up, derived status, and the paged list/search. */
#include "core/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USER_COLS "id, user_id, name, email, username, status, disabled, " \
	"created_at, updated_at"

int
store_user_from_row(sqlite3_stmt *s, struct kd_user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(s, 0);
	u->user_id = store_col_text(s, 1);
	u->name = store_col_text(s, 2);
	u->email = store_col_text(s, 3);
	u->username = store_col_text(s, 4);
	u->status = (enum kd_user_status)sqlite3_column_int(s, 5);
	u->disabled = sqlite3_column_int(s, 6);
	u->created_at = sqlite3_column_int64(s, 7);
	u->updated_at = sqlite3_column_int64(s, 8);
	if (u->user_id == NULL || u->name == NULL || u->email == NULL ||
	    u->username == NULL) {
		store_user_clear(u);
		return KD_ERR_NOMEM;
	}
	return KD_OK;
}

void
store_user_clear(struct kd_user *u)
{
	if (u == NULL)
		return;
	free(u->user_id);
	free(u->name);
	free(u->email);
	free(u->username);
	memset(u, 0, sizeof(*u));
}

int
store_user_insert(struct kd_store *st, const struct kd_user *u, int64_t *id,
    struct kd_err *e)
{
	int64_t now = kd_now();
	int r;

	r = store_exec(st, e, "INSERT INTO users (user_id, name, email, "
	    "username, status, disabled, created_at, updated_at) "
	    "VALUES (?, ?, ?, ?, 0, 0, ?, ?)", "ttttii", u->user_id, u->name,
	    u->email, u->username, now, now);
	if (r == KD_ERR_EXISTS)
		return kd_err_set(e, r, "a user with this user ID or username "
		    "already exists");
	if (r == KD_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return r;
}

static int
user_get(struct kd_store *st, const char *sql, const char *fmt,
    const void *key, int64_t rowid, struct kd_user *u, struct kd_err *e)
{
	sqlite3_stmt *s;
	int r;

	r = fmt[0] == 't' ? store_prepare(st, &s, sql, "t", (const char *)key) :
	    store_prepare(st, &s, sql, "i", rowid);
	if (r != KD_OK)
		return store_fail(st, "cannot read user", e);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		r = store_user_from_row(s, u) == KD_OK ? KD_OK :
		    kd_err_set(e, KD_ERR_NOMEM, "out of memory");
	else if (r == SQLITE_DONE)
		r = kd_err_set(e, KD_ERR_NOTFOUND, "no such user");
	else
		r = store_fail(st, "cannot read user", e);
	sqlite3_finalize(s);
	return r;
}

int
store_user_get(struct kd_store *st, const char *user_id, struct kd_user *u,
    struct kd_err *e)
{
	int r = user_get(st, "SELECT " USER_COLS " FROM users WHERE user_id = ?",
	    "t", user_id, 0, u, e);

	if (r == KD_ERR_NOTFOUND)
		kd_err_set(e, r, "no user with ID \"%.64s\"", user_id);
	return r;
}

int
store_user_get_by_row(struct kd_store *st, int64_t id, struct kd_user *u,
    struct kd_err *e)
{
	return user_get(st, "SELECT " USER_COLS " FROM users WHERE id = ?",
	    "i", NULL, id, u, e);
}

int
store_user_id_taken(struct kd_store *st, const char *v, int64_t except)
{
	int64_t n = 0;

	if (store_int(st, &n, "SELECT count(*) FROM users WHERE user_id = ? "
	    "AND id != ?", "ti", v, except) == KD_ERR_DB)
		return KD_ERR_DB;
	return n > 0;
}

int
store_username_taken(struct kd_store *st, const char *v, int64_t except)
{
	int64_t n = 0;

	if (store_int(st, &n, "SELECT count(*) FROM users WHERE username = ? "
	    "AND id != ?", "ti", v, except) == KD_ERR_DB)
		return KD_ERR_DB;
	return n > 0;
}

int
store_user_refresh_status(struct kd_store *st, int64_t id, struct kd_err *e)
{
	return store_exec(st, e, "UPDATE users SET status = CASE "
	    "WHEN EXISTS (SELECT 1 FROM keys WHERE user = ?1 AND status = 'active') THEN 2 "
	    "WHEN EXISTS (SELECT 1 FROM keys WHERE user = ?1 AND status = 'pending') THEN 1 "
	    "ELSE 0 END, updated_at = ?2 WHERE id = ?1", "ii", id, kd_now());
}

int64_t
store_user_count(struct kd_store *st)
{
	int64_t n = 0;

	store_int(st, &n, "SELECT count(*) FROM users", "");
	return n;
}

void
store_user_page_clear(struct kd_user_page *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		store_user_clear(&p->users[i]);
	free(p->users);
	memset(p, 0, sizeof(*p));
}
