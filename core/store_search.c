/* The users list: search as you type and keyset paging.
 *
 * Without a search the list is ordered by name.  With a search the results
 * come in parts, each an index range scan: first users with a word of the
 * name starting with each word of the search (user_words, folded by
 * core/fold.c: "rossi", "MÜLLER", "zoe r"), ordered by the matching word;
 * then users whose username, user ID or email starts with the text.  A
 * user shown in an earlier part is skipped in the later ones.  Each part
 * is a prefix range (field >= q AND field < q || U+10FFFF), so a page
 * costs the same at any depth and for any prefix length.
 *
 * A search of several words scans the range of its longest word (the
 * most selective guess) and keeps the rows whose name has the others too;
 * a name with two words that match is kept at the first of them only, so
 * it is listed once. */
#include "core/store_int.h"
#include "core/fold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TERMS_MAX 8

static const char *parts[] = { "name", "username", "user_id", "email" };

#define COLS "id, user_id, name, email, username, status, disabled, " \
	"created_at, updated_at"
#define U_COLS "u.id, u.user_id, u.name, u.email, u.username, u.status, " \
	"u.disabled, u.created_at, u.updated_at"

/* The search's words, folded; `drive` is the one whose range is scanned. */
struct terms {
	char	 buf[1024];
	const char *w[TERMS_MAX];
	size_t	 n[TERMS_MAX];
	int	 count;
	int	 drive;
};

/* What one call collects: rows, and the part and key each was found by. */
struct collect {
	struct kd_user_page *p;
	int	*part;
	char	(*word)[FOLD_WORD_MAX + 1];
	size_t	 want;		/* rows to have in p, the extra one included */
};

static void
terms_parse(struct terms *t, const char *search)
{
	const char *s = t->buf, *w;
	size_t n;

	memset(t, 0, sizeof(*t));
	fold_words(search, t->buf, sizeof(t->buf));
	while (t->count < TERMS_MAX && (n = fold_next(&s, &w)) > 0) {
		t->w[t->count] = w;
		t->n[t->count] = n;
		if (n > t->n[t->drive])
			t->drive = t->count;
		t->count++;
	}
}

/* 1 if every term starts a word of the name; `*first` (if not NULL) gets
 * the smallest word that the driving term starts, the one its row in the
 * word index is listed under. */
static int
terms_match(const struct terms *t, const char *name, char *first)
{
	char folded[1024];
	const char *p = folded, *w;
	size_t n, best = 0;
	const char *bw = NULL;
	int i;

	if (t->count == 0)
		return 0;
	fold_words(name, folded, sizeof(folded));
	for (i = 0; i < t->count; i++)
		if (!fold_has_prefix(folded, t->w[i], t->n[i]))
			return 0;
	if (first == NULL)
		return 1;
	while ((n = fold_next(&p, &w)) > 0) {
		if (n < t->n[t->drive] || n > FOLD_WORD_MAX ||
		    memcmp(w, t->w[t->drive], t->n[t->drive]) != 0)
			continue;
		if (bw == NULL || strncmp(w, bw, n < best ? n : best) < 0 ||
		    (strncmp(w, bw, n < best ? n : best) == 0 && n < best)) {
			bw = w;
			best = n;
		}
	}
	memcpy(first, bw, best);
	first[best] = '\0';
	return 1;
}

/* The filters every part shares: status and group, then the cursor. */
static size_t
sql_filters(char *buf, size_t len, const char *u, const struct kd_user_query *q,
    int has_group)
{
	size_t o = 0;

	if (q->status >= 0)
		o += (size_t)snprintf(buf + o, len - o, " AND %s.status = ?3", u);
	if (has_group)
		o += (size_t)snprintf(buf + o, len - o, " AND EXISTS (SELECT 1 "
		    "FROM memberships WHERE group_id = ?4 AND user = %s.id)", u);
	return o;
}

/* Part 0 of a search: the word index in (word, user) order, each row
 * joined to its user (CROSS JOIN keeps the index as the outer loop). */
static void
sql_words(char *buf, size_t len, const struct kd_user_query *q,
    int has_cursor, int has_group)
{
	size_t o;

	o = (size_t)snprintf(buf, len, "SELECT " U_COLS ", w.word FROM "
	    "user_words w CROSS JOIN users u ON u.id = w.user "
	    "WHERE w.word >= ?1 AND w.word < ?2");
	o += sql_filters(buf + o, len - o, "u", q, has_group);
	if (has_cursor)
		o += (size_t)snprintf(buf + o, len - o,
		    " AND (w.word, w.user) > (?5, ?6)");
	snprintf(buf + o, len - o, " ORDER BY w.word, w.user");
}

/* The list without a search (part 0, by name) or parts 1-3 of one. */
static void
sql_field(char *buf, size_t len, int part, const struct kd_user_query *q,
    int has_cursor, int has_group)
{
	const char *f = parts[part];
	size_t o;
	int i;

	o = (size_t)snprintf(buf, len, "SELECT " COLS " FROM users WHERE 1");
	if (q->search != NULL) {
		o += (size_t)snprintf(buf + o, len - o,
		    " AND %s >= ?1 AND %s < ?2", f, f);
		for (i = 1; i < part; i++)
			o += (size_t)snprintf(buf + o, len - o,
			    " AND NOT (%s >= ?1 AND %s < ?2)", parts[i], parts[i]);
	}
	o += sql_filters(buf + o, len - o, "users", q, has_group);
	if (has_cursor)
		o += (size_t)snprintf(buf + o, len - o, " AND (%s, id) > (?5, ?6)", f);
	snprintf(buf + o, len - o, " ORDER BY %s, id", f);
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

/* Whether a row of `part` belongs in the result; part 0 of a search also
 * checks that it is listed under this word (not twice). */
static int
row_keep(const struct terms *t, int part, const struct kd_user *u,
    const char *word)
{
	char first[FOLD_WORD_MAX + 1];

	if (t == NULL)
		return 1;
	if (part == 0)
		return terms_match(t, u->name, first) &&
		    strcmp(first, word) == 0;
	return !terms_match(t, u->name, NULL);
}

/* Parameters a statement does not use are left out by SQLite
 * (SQLITE_RANGE), so the results are not checked. */
static void
bind_all(sqlite3_stmt *s, const char *lo, const char *hi,
    const struct kd_user_query *q, int64_t group,
    const struct kd_user_cursor *cur)
{
	if (lo != NULL) {
		sqlite3_bind_text(s, 1, lo, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, hi, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int(s, 3, q->status);
	sqlite3_bind_int64(s, 4, group);
	if (cur != NULL) {
		sqlite3_bind_text(s, 5, cur->key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 6, cur->id);
	}
}

/* Steps the part's statement until the page has what it wants: the rows
 * are read lazily, so a part that fills the page stops there. */
static int
collect_rows(struct kd_store *st, sqlite3_stmt *s, int part,
    const struct terms *t, struct collect *c, struct kd_err *e)
{
	struct kd_user *u;
	const char *word;
	int r = SQLITE_DONE;

	while (c->p->n < c->want && (r = sqlite3_step(s)) == SQLITE_ROW) {
		u = &c->p->users[c->p->n];
		if (store_user_from_row(s, u) != KD_OK)
			return kd_err_set(e, KD_ERR_NOMEM, "out of memory");
		word = t != NULL && part == 0 ?
		    (const char *)sqlite3_column_text(s, 9) : NULL;
		if (!row_keep(t, part, u, word != NULL ? word : "")) {
			store_user_clear(u);
			continue;
		}
		snprintf(c->word[c->p->n], sizeof(c->word[0]), "%s",
		    word != NULL ? word : "");
		c->part[c->p->n++] = part;
	}
	if (c->p->n >= c->want)
		return KD_OK;
	return r == SQLITE_DONE ? KD_OK : store_fail(st, "cannot list users", e);
}

static int
query_part(struct kd_store *st, int part, const struct kd_user_query *q,
    const struct terms *t, int64_t group, const struct kd_user_cursor *cur,
    struct collect *c, struct kd_err *e)
{
	char sql[1024], lo[1024], hi[1030];
	sqlite3_stmt *s = NULL;
	int r;

	lo[0] = '\0';
	if (t != NULL && part == 0) {
		/* The driving term's range in the word index. */
		snprintf(lo, sizeof(lo), "%.*s", (int)t->n[t->drive],
		    t->w[t->drive]);
		sql_words(sql, sizeof(sql), q, cur != NULL, group > 0);
	} else {
		if (q->search != NULL)
			snprintf(lo, sizeof(lo), "%s", q->search);
		sql_field(sql, sizeof(sql), part, q, cur != NULL, group > 0);
	}
	/* U+10FFFF sorts after anything a field can continue with. */
	snprintf(hi, sizeof(hi), "%s\xf4\x8f\xbf\xbf", lo);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		r = store_fail(st, "cannot list users", e);
		sqlite3_finalize(s);
		return r;
	}
	bind_all(s, q->search != NULL ? lo : NULL, hi, q, group, cur);
	r = collect_rows(st, s, part, t, c, e);
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

static void
page_finish(struct kd_user_page *p, const struct collect *c, size_t limit)
{
	const struct kd_user *u;
	size_t i;

	if (p->n > limit) {
		store_user_clear(&p->users[--p->n]);
		p->more = 1;
	}
	if (p->n == 0)
		return;
	/* The cursor is the last row kept, not the extra one. */
	i = p->n - 1;
	u = &p->users[i];
	p->next.valid = 1;
	p->next.id = u->id;
	p->next.part = c->part[i];
	snprintf(p->next.key, sizeof(p->next.key), "%s", c->word[i][0] ?
	    c->word[i] : part_key(u, p->next.part));
}

int
store_user_list(struct kd_store *st, const struct kd_user_query *q,
    struct kd_user_page *p, struct kd_err *e)
{
	struct kd_user_query plain = { NULL, q->status, q->group, 0, { 0 } };
	struct terms *t = NULL;
	struct collect c = { p, NULL, NULL, 0 };
	int64_t group;
	int part, last, limit = q->limit > 0 ? q->limit : 50, r = KD_OK;

	memset(p, 0, sizeof(*p));
	if (q->search != NULL && strlen(q->search) > 500)
		return kd_err_set(e, KD_ERR_INVALID, "search text too long");
	if ((r = resolve_group(st, q->group, &group, e)) != KD_OK)
		return r;
	/* One row more than asked tells whether another page follows. */
	c.want = (size_t)limit + 1;
	if ((p->users = calloc(c.want, sizeof(*p->users))) == NULL ||
	    (c.part = calloc(c.want, sizeof(*c.part))) == NULL ||
	    (c.word = calloc(c.want, sizeof(*c.word))) == NULL) {
		r = kd_err_set(e, KD_ERR_NOMEM, "out of memory");
		goto fail;
	}
	last = q->search != NULL && q->search[0] != '\0' ? 3 : 0;
	if (last > 0) {
		if ((t = malloc(sizeof(*t))) == NULL) {
			r = kd_err_set(e, KD_ERR_NOMEM, "out of memory");
			goto fail;
		}
		terms_parse(t, q->search);
	}
	part = q->after.valid ? q->after.part : 0;
	/* A search with no word (punctuation only) has no part 0. */
	if (part == 0 && t != NULL && t->count == 0)
		part = 1;
	for (; part <= last && p->n < c.want; part++) {
		r = query_part(st, part, last ? q : &plain, t, group,
		    q->after.valid && part == q->after.part ? &q->after : NULL,
		    &c, e);
		if (r != KD_OK)
			goto fail;
	}
	page_finish(p, &c, (size_t)limit);
	free(t);
	free(c.part);
	free(c.word);
	return KD_OK;
fail:
	free(t);
	free(c.part);
	free(c.word);
	store_user_page_clear(p);
	return r;
}
