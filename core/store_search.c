/* The users list: search as you type and keyset paging.
 *
 * Without a search the list is ordered by name.  With a search the results
 * come in parts, each an index range scan on one field: users whose name
 * starts with the text first, then username, then user ID, then email; a
 * user already shown in an earlier part is skipped in the later ones.  Each
 * part is a prefix range (field >= q AND field < q || U+10FFFF) on a
 * NOCASE index, so a page costs the same at any depth and for any prefix
 * length, which a single query ordered by name cannot do. */
#include "core/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *parts[] = { "name", "username", "user_id", "email" };

#define COLS "id, user_id, name, email, username, status, disabled, " \
	"created_at, updated_at"

/* Builds the query for one part.  Parameters: ?1 prefix low, ?2 prefix high,
 * ?3 status, ?4 group, ?5 cursor key, ?6 cursor id, ?7 limit. */
static void
build_sql(char *buf, size_t len, int part, const struct kd_user_query *q,
    int has_cursor, int has_group)
{
	const char *f = parts[part];
	size_t o;
	int i;

	o = (size_t)snprintf(buf, len, "SELECT " COLS " FROM users WHERE 1");
	if (q->search != NULL) {
		o += (size_t)snprintf(buf + o, len - o,
		    " AND %s >= ?1 AND %s < ?2", f, f);
		for (i = 0; i < part; i++)
			o += (size_t)snprintf(buf + o, len - o,
			    " AND NOT (%s >= ?1 AND %s < ?2)", parts[i], parts[i]);
	}
	if (q->status >= 0)
		o += (size_t)snprintf(buf + o, len - o, " AND status = ?3");
	if (has_group)
		o += (size_t)snprintf(buf + o, len - o, " AND EXISTS (SELECT 1 "
		    "FROM memberships WHERE group_id = ?4 AND user = users.id)");
	if (has_cursor)
		o += (size_t)snprintf(buf + o, len - o, " AND (%s, id) > (?5, ?6)", f);
	snprintf(buf + o, len - o, " ORDER BY %s, id LIMIT ?7", f);
}

static const char *
part_key(const struct kd_user *u, int part)
{
	switch (part) {
	case 1: return u->username;
	case 2: return u->user_id;
	case 3: return u->email;
	default: return u->name;
	}
}

static int
query_part(struct kd_store *st, int part, const struct kd_user_query *q,
    int64_t group, const struct kd_user_cursor *cur, int want,
    struct kd_user_page *p, int *row_part, struct kd_err *e)
{
	char sql[1024], hi[600];
	sqlite3_stmt *s = NULL;
	int r;

	build_sql(sql, sizeof(sql), part, q, cur != NULL, group > 0);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "cannot list users", e);
	if (q->search != NULL) {
		/* U+10FFFF sorts after anything a field can continue with. */
		snprintf(hi, sizeof(hi), "%s\xf4\x8f\xbf\xbf", q->search);
		sqlite3_bind_text(s, 1, q->search, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, hi, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int(s, 3, q->status);
	sqlite3_bind_int64(s, 4, group);
	if (cur != NULL) {
		sqlite3_bind_text(s, 5, cur->key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 6, cur->id);
	}
	sqlite3_bind_int(s, 7, want);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (store_user_from_row(s, &p->users[p->n]) != KD_OK) {
			r = kd_err_set(e, KD_ERR_NOMEM, "out of memory");
			goto out;
		}
		row_part[p->n++] = part;
	}
	r = r == SQLITE_DONE ? KD_OK : store_fail(st, "cannot list users", e);
out:
	sqlite3_finalize(s);
	return r;
}

static int
resolve_group(struct kd_store *st, const char *name, int64_t *id,
    struct kd_err *e)
{
	*id = 0;
	if (name == NULL)
		return KD_OK;
	return store_group_find(st, name, id, e);
}

int
store_user_list(struct kd_store *st, const struct kd_user_query *q,
    struct kd_user_page *p, struct kd_err *e)
{
	struct kd_user_query plain = { NULL, q->status, q->group, 0, { 0 } };
	int64_t group;
	int part, last, limit = q->limit > 0 ? q->limit : 50, r = KD_OK;
	int *row_part = NULL;
	const struct kd_user *u;

	memset(p, 0, sizeof(*p));
	if (q->search != NULL && strlen(q->search) > 500)
		return kd_err_set(e, KD_ERR_INVALID, "search text too long");
	if ((r = resolve_group(st, q->group, &group, e)) != KD_OK)
		return r;
	/* One row more than asked tells whether another page follows. */
	if ((p->users = calloc((size_t)limit + 1, sizeof(*p->users))) == NULL ||
	    (row_part = calloc((size_t)limit + 1, sizeof(*row_part))) == NULL) {
		r = kd_err_set(e, KD_ERR_NOMEM, "out of memory");
		goto fail;
	}
	last = q->search != NULL && q->search[0] != '\0' ? 3 : 0;
	part = q->after.valid ? q->after.part : 0;
	for (; part <= last && p->n <= (size_t)limit; part++) {
		r = query_part(st, part, last ? q : &plain, group,
		    q->after.valid && part == q->after.part ? &q->after : NULL,
		    limit + 1 - (int)p->n, p, row_part, e);
		if (r != KD_OK)
			goto fail;
	}
	if (p->n > (size_t)limit) {
		store_user_clear(&p->users[--p->n]);
		p->more = 1;
	}
	if (p->n > 0) {
		/* The cursor is the last row kept, not the extra one. */
		u = &p->users[p->n - 1];
		p->next.valid = 1;
		p->next.id = u->id;
		p->next.part = row_part[p->n - 1];
		snprintf(p->next.key, sizeof(p->next.key), "%s",
		    part_key(u, p->next.part));
	}
	free(row_part);
	return KD_OK;
fail:
	free(row_part);
	store_user_page_clear(p);
	return r;
}
