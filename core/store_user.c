/* Users: insert, look up, derived status, and the paged list/search. */
#include "core/store_int.h"
#include "core/fold.h"

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

/* Adds (or removes) the words of `name` to the word index of user `id`.
 * A name with the same word twice has it once (OR IGNORE). */
static int
words_apply(struct kd_store *st, int64_t id, const char *name, int add,
    struct kd_err *e)
{
	char folded[1024], w[FOLD_WORD_MAX + 1];
	const char *p = folded, *word;
	size_t n;
	int r;

	fold_words(name, folded, sizeof(folded));
	while ((n = fold_next(&p, &word)) > 0) {
		memcpy(w, word, n);
		w[n] = '\0';
		r = add ? store_exec(st, e, "INSERT OR IGNORE INTO user_words "
		    "(word, user) VALUES (?, ?)", "ti", w, id) :
		    store_exec(st, e, "DELETE FROM user_words WHERE word = ? "
		    "AND user = ?", "ti", w, id);
		if (r != KD_OK)
			return r;
	}
	return KD_OK;
}

/* The user row and its words in one transaction (the caller's, if any:
 * an import is one). */
int
store_user_insert(struct kd_store *st, const struct kd_user *u, int64_t *id,
    struct kd_err *e)
{
	int64_t now = kd_now(), row;
	int r;

	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	r = store_exec(st, e, "INSERT INTO users (user_id, name, email, "
	    "username, status, disabled, created_at, updated_at) "
	    "VALUES (?, ?, ?, ?, 0, 0, ?, ?)", "ttttii", u->user_id, u->name,
	    u->email, u->username, now, now);
	if (r == KD_ERR_EXISTS)
		kd_err_set(e, r, "a user with this user ID or username "
		    "already exists");
	if (r != KD_OK)
		goto fail;
	row = sqlite3_last_insert_rowid(st->db);
	if ((r = words_apply(st, row, u->name, 1, e)) != KD_OK)
		goto fail;
	if (id != NULL)
		*id = row;
	return store_commit(st, e);
fail:
	store_rollback(st);
	return r;
}

int
store_user_update(struct kd_store *st, int64_t id, const char *name,
    const char *email, const char *username, struct kd_err *e)
{
	struct kd_user old = { 0 };
	int r;

	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if ((r = store_user_get_by_row(st, id, &old, e)) != KD_OK ||
	    (r = store_exec(st, e, "UPDATE users SET name = ?, email = ?, "
	    "username = ?, updated_at = ? WHERE id = ?", "tttii", name, email,
	    username, kd_now(), id)) != KD_OK)
		goto fail;
	if (strcmp(old.name, name) != 0 &&
	    ((r = words_apply(st, id, old.name, 0, e)) != KD_OK ||
	    (r = words_apply(st, id, name, 1, e)) != KD_OK))
		goto fail;
	store_user_clear(&old);
	return store_commit(st, e);
fail:
	store_rollback(st);
	store_user_clear(&old);
	return r;
}

int
store_user_set_disabled(struct kd_store *st, int64_t id, int disabled,
    struct kd_err *e)
{
	return store_exec(st, e, "UPDATE users SET disabled = ?, updated_at = ? "
	    "WHERE id = ?", "dii", disabled, kd_now(), id);
}

/* Keys, activations and memberships go with the user (ON DELETE
 * CASCADE); the words by the name, through their primary key. */
int
store_user_delete(struct kd_store *st, int64_t id, struct kd_err *e)
{
	struct kd_user old = { 0 };
	int r;

	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if ((r = store_user_get_by_row(st, id, &old, e)) != KD_OK ||
	    (r = words_apply(st, id, old.name, 0, e)) != KD_OK ||
	    (r = store_exec(st, e, "DELETE FROM users WHERE id = ?", "i",
	    id)) != KD_OK)
		goto fail;
	store_user_clear(&old);
	return store_commit(st, e);
fail:
	store_rollback(st);
	store_user_clear(&old);
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

/* Three rows of user_counts, kept by triggers (store_schema.c, 6). */
int
store_user_counts(struct kd_store *st, struct kd_user_counts *c,
    struct kd_err *e)
{
	sqlite3_stmt *s;
	int64_t k;
	int r;

	memset(c, 0, sizeof(*c));
	if (store_cached(st, &s, "SELECT status, n FROM user_counts", "") !=
	    KD_OK)
		return store_fail(st, "cannot count users", e);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		k = sqlite3_column_int64(s, 0);
		if (k >= 0 && k < (int64_t)KD_NELEM(c->by_status))
			c->by_status[k] = sqlite3_column_int64(s, 1);
		c->total += sqlite3_column_int64(s, 1);
	}
	r = r == SQLITE_DONE ? KD_OK : store_fail(st, "cannot count users", e);
	store_release(st, s);
	return r;
}

int64_t
store_user_count(struct kd_store *st)
{
	struct kd_user_counts c;

	return store_user_counts(st, &c, NULL) == KD_OK ? c.total : 0;
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
