/* The audit log.  Rows are hash-chained: each holds the SHA-256 of the
 * previous row's hash and its own fields, so an edited or deleted row
 * breaks the chain from there on. */
#include "core/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* hash = SHA-256(prev ‖ len-prefixed fields): the lengths keep
 * ("ab","c") and ("a","bc") apart. */
void
store_audit_hash(const unsigned char prev[32], int64_t at, const char *actor,
    const char *action, const char *subject, const char *details,
    unsigned char out[32])
{
	const char *f[4] = { actor, action, subject, details };
	size_t len = 32 + 20, i, o;
	unsigned char *buf;
	char num[24];

	for (i = 0; i < 4; i++)
		len += 12 + (f[i] ? strlen(f[i]) : 0);
	if ((buf = malloc(len)) == NULL) {
		memset(out, 0, 32);
		return;
	}
	memcpy(buf, prev, 32);
	o = 32;
	o += (size_t)snprintf((char *)buf + o, 21, "%lld", (long long)at);
	for (i = 0; i < 4; i++) {
		size_t n = f[i] ? strlen(f[i]) : 0;

		snprintf(num, sizeof(num), "%zu:", n);
		memcpy(buf + o, num, strlen(num));
		o += strlen(num);
		if (n > 0)
			memcpy(buf + o, f[i], n);
		o += n;
	}
	kd_sha256(buf, o, out);
	free(buf);
}

int
store_audit_add(struct kd_store *st, const char *actor, const char *action,
    const char *subject, const char *details, struct kd_err *e)
{
	unsigned char prev[32] = { 0 }, hash[32];
	sqlite3_stmt *s;
	int64_t at = kd_now();

	if (store_cached(st, &s, "SELECT hash FROM audit ORDER BY id DESC "
	    "LIMIT 1", "") != KD_OK)
		return store_fail(st, "cannot write the audit log", e);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_bytes(s, 0) == 32)
		memcpy(prev, sqlite3_column_blob(s, 0), 32);
	store_release(st, s);
	store_audit_hash(prev, at, actor, action, subject, details, hash);
	return store_exec(st, e, "INSERT INTO audit (at, actor, action, subject, "
	    "details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)", "ittttbb",
	    at, actor, action, subject, details, prev, 32, hash, 32);
}

int
store_audit_list(struct kd_store *st, const struct kd_audit_query *q,
    struct kd_audit_row **out, size_t *n, struct kd_err *e)
{
	struct kd_audit_row *v;
	sqlite3_stmt *s;
	int r, limit = q->limit > 0 ? q->limit : 1000;

	*out = NULL;
	*n = 0;
	if ((v = calloc((size_t)limit, sizeof(*v))) == NULL)
		return kd_err_set(e, KD_ERR_NOMEM, "out of memory");
	/* A subject uses the audit_subject index; the rest filter the
	 * newest-first walk of the table. */
	if (store_prepare(st, &s, "SELECT id, at, actor, action, subject, "
	    "details FROM audit WHERE (?1 IS NULL OR subject = ?1 COLLATE "
	    "NOCASE) AND (?2 IS NULL OR substr(action, 1, length(?2)) = "
	    "lower(?2)) AND at >= ?3 "
	    "AND (?4 = 0 OR id < ?4) ORDER BY id DESC LIMIT ?5", "ttiid",
	    q->subject, q->action, q->since, q->before, limit) != KD_OK) {
		free(v);
		return store_fail(st, "cannot read the audit log", e);
	}
	while ((r = sqlite3_step(s)) == SQLITE_ROW && *n < (size_t)limit) {
		struct kd_audit_row *a = &v[(*n)++];

		a->id = sqlite3_column_int64(s, 0);
		a->at = sqlite3_column_int64(s, 1);
		a->actor = store_col_text(s, 2);
		a->action = store_col_text(s, 3);
		a->subject = store_col_text(s, 4);
		a->details = store_col_text(s, 5);
	}
	sqlite3_finalize(s);
	if (r != SQLITE_DONE && r != SQLITE_ROW) {
		store_audit_free(v, *n);
		*n = 0;
		return store_fail(st, "cannot read the audit log", e);
	}
	*out = v;
	return KD_OK;
}

void
store_audit_free(struct kd_audit_row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].actor);
		free(v[i].action);
		free(v[i].subject);
		free(v[i].details);
	}
	free(v);
}
