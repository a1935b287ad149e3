/* Activations (links and codes), their WebAuthn challenges, marking a key
 * active, and lock-out counters. */
#include "core/store_int.h"

#include <stdio.h>
#include <string.h>

int
store_activation_insert(struct kd_store *st, int64_t key,
    const unsigned char token_hash[32], const unsigned char code_hash[32],
    int64_t link_expires, int64_t code_expires, const char *via, int64_t *id,
    struct kd_err *e)
{
	int r;

	r = store_exec(st, e, "INSERT INTO activations (key, token_hash, "
	    "code_hash, link_expires_at, code_expires_at, created_at, via) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?)", "ibbiiit", key, token_hash, 32,
	    code_hash, 32, link_expires, code_expires, kd_now(), via);
	if (r == KD_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return r;
}

int
store_activation_close(struct kd_store *st, int64_t key, int64_t except,
    const char *via, const char *why, struct kd_err *e)
{
	return store_exec(st, e, "UPDATE activations SET revoked_at = ?, "
	    "closed_why = ? WHERE key = ? AND id != ? AND (? IS NULL OR "
	    "via = ?5) AND used_at IS NULL AND revoked_at IS NULL", "itiit",
	    kd_now(), why, key, except, via);
}

int
store_activation_use(struct kd_store *st, int64_t id, struct kd_err *e)
{
	return store_exec(st, e, "UPDATE activations SET used_at = ? WHERE "
	    "id = ? AND used_at IS NULL", "ii", kd_now(), id);
}

static void
col_copy(sqlite3_stmt *s, int i, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	snprintf(buf, len, "%s", t != NULL ? (const char *)t : "");
}

static void
activation_from_row(sqlite3_stmt *s, struct kd_activation_row *a)
{
	const void *ch = sqlite3_column_blob(s, 2);

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	a->key = sqlite3_column_int64(s, 1);
	if (ch != NULL && sqlite3_column_bytes(s, 2) == 32)
		memcpy(a->code_hash, ch, 32);
	a->link_expires_at = sqlite3_column_int64(s, 3);
	a->code_expires_at = sqlite3_column_int64(s, 4);
	a->used_at = sqlite3_column_int64(s, 5);
	a->revoked_at = sqlite3_column_int64(s, 6);
	col_copy(s, 7, a->closed_why, sizeof(a->closed_why));
	col_copy(s, 8, a->via, sizeof(a->via));
	col_copy(s, 9, a->key_status, sizeof(a->key_status));
	model_key_type_parse((const char *)sqlite3_column_text(s, 10), &a->type);
	col_copy(s, 11, a->key_name, sizeof(a->key_name));
	a->settings.auditable = sqlite3_column_int(s, 12);
	a->settings.bluetooth_proximity = sqlite3_column_int(s, 13);
	a->settings.offline_login = sqlite3_column_int(s, 14);
	model_verification_parse((const char *)sqlite3_column_text(s, 15),
	    &a->settings.verification);
	a->user_row = sqlite3_column_int64(s, 16);
	a->user_disabled = sqlite3_column_int(s, 17);
	col_copy(s, 18, a->user_id, sizeof(a->user_id));
	col_copy(s, 19, a->name, sizeof(a->name));
	col_copy(s, 20, a->email, sizeof(a->email));
	col_copy(s, 21, a->username, sizeof(a->username));
}

#define ACTIVATION_SELECT						\
	"SELECT a.id, a.key, a.code_hash, a.link_expires_at, "		\
	"a.code_expires_at, coalesce(a.used_at, 0), "			\
	"coalesce(a.revoked_at, 0), a.closed_why, a.via, k.status, k.type, "\
	"k.name, k.auditable, k.bluetooth_proximity, k.offline_login, "	\
	"k.verification, u.id, u.disabled, u.user_id, u.name, u.email, "	\
	"u.username, a.%s FROM activations a JOIN keys k ON k.id = a.key "\
	"JOIN users u ON u.id = k.user WHERE a.%s = ?"

/* `col` is token_hash or code_hash: the index finds the row, the
 * constant-time comparison decides. */
static int
activation_by(struct kd_store *st, const char *col,
    const unsigned char hash[32], struct kd_activation_row *a,
    struct kd_err *e)
{
	char sql[1024];
	sqlite3_stmt *s;
	const void *stored;
	int rc;

	snprintf(sql, sizeof(sql), ACTIVATION_SELECT, col, col);
	if (store_prepare(st, &s, sql, "b", hash, 32) != KD_OK)
		return store_fail(st, "cannot read activations", e);
	rc = sqlite3_step(s);
	stored = rc == SQLITE_ROW ? sqlite3_column_blob(s, 22) : NULL;
	if (stored == NULL || sqlite3_column_bytes(s, 22) != 32 ||
	    !kd_memeq(stored, hash, 32)) {
		sqlite3_finalize(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return store_fail(st, "cannot read activations", e);
		return kd_err_set(e, KD_ERR_NOTFOUND, "no such activation");
	}
	activation_from_row(s, a);
	sqlite3_finalize(s);
	return KD_OK;
}

int
store_activation_by_token(struct kd_store *st, const unsigned char hash[32],
    struct kd_activation_row *a, struct kd_err *e)
{
	return activation_by(st, "token_hash", hash, a, e);
}

int
store_activation_by_code(struct kd_store *st, const unsigned char hash[32],
    struct kd_activation_row *a, struct kd_err *e)
{
	return activation_by(st, "code_hash", hash, a, e);
}

int
store_challenge_add(struct kd_store *st, int64_t activation,
    const unsigned char *ch, size_t len, int64_t expires, struct kd_err *e)
{
	return store_exec(st, e, "INSERT INTO challenges (activation, "
	    "challenge, expires_at) VALUES (?, ?, ?)", "ibi", activation, ch,
	    (int)len, expires);
}

int
store_challenge_take(struct kd_store *st, int64_t activation,
    const unsigned char *ch, size_t len, struct kd_err *e)
{
	int64_t found = 0;
	int r;

	if ((r = store_exec(st, e, "DELETE FROM challenges WHERE activation = ? "
	    "AND expires_at <= ?", "ii", activation, kd_now())) != KD_OK)
		return r;
	if ((r = store_exec(st, e, "DELETE FROM challenges WHERE activation = ? "
	    "AND challenge = ?", "ib", activation, ch, (int)len)) != KD_OK)
		return r;
	store_int(st, &found, "SELECT changes()", "");
	return found == 1 ? KD_OK : kd_err_set(e, KD_ERR_NOTFOUND,
	    "no such challenge");
}

int
store_key_mark_active(struct kd_store *st, int64_t key,
    const unsigned char *uh, size_t uh_len, const char *cred_id,
    const char *pk, const char *aaguid, const char *fmt, const char *cert,
    const char *info, const char *actor, struct kd_err *e)
{
	int64_t changed = 0, other = 0;
	int r;

	if (cred_id != NULL && store_int(st, &other, "SELECT id FROM keys "
	    "WHERE credential_id = ? AND id != ?", "ti", cred_id, key) ==
	    KD_OK && other != 0)
		return kd_err_set(e, KD_ERR_EXISTS, "this security key is "
		    "already registered (key #%lld)", (long long)other);
	r = store_exec(st, e, "UPDATE keys SET status = 'active', "
	    "user_handle = coalesce(?, user_handle), credential_id = ?, "
	    "public_key = ?, aaguid = ?, attestation_fmt = ?, "
	    "attestation_cert = ?, authenticator_info = ?, activated_at = ?, "
	    "activated_by = ? WHERE id = ? AND status = 'pending'",
	    "bttttttiti", uh, (int)uh_len, cred_id, pk, aaguid, fmt, cert, info,
	    kd_now(), actor, key);
	if (r != KD_OK)
		return r;
	store_int(st, &changed, "SELECT changes()", "");
	if (changed != 1)
		return kd_err_set(e, KD_ERR_INVALID, "this key is no longer "
		    "pending (activated or revoked meanwhile)");
	return KD_OK;
}

int
store_key_status(struct kd_store *st, int64_t key, enum kd_key_status *out,
    struct kd_err *e)
{
	sqlite3_stmt *s;
	int64_t exp;
	int rc;

	if (store_cached(st, &s, "SELECT k.status, (SELECT max(a.code_expires_at, "
	    "a.link_expires_at) FROM activations a WHERE a.key = k.id AND "
	    "a.used_at IS NULL AND a.revoked_at IS NULL ORDER BY a.id DESC "
	    "LIMIT 1) FROM keys k WHERE k.id = ?", "i", key) != KD_OK)
		return store_fail(st, "cannot read the key", e);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		store_release(st, s);
		return rc == SQLITE_DONE ? kd_err_set(e, KD_ERR_NOTFOUND,
		    "no key #%lld", (long long)key) :
		    store_fail(st, "cannot read the key", e);
	}
	model_key_status_parse((const char *)sqlite3_column_text(s, 0), out);
	exp = sqlite3_column_int64(s, 1);
	if (*out == KD_KS_PENDING && exp > 0 && exp <= kd_now())
		*out = KD_KS_EXPIRED;
	store_release(st, s);
	return KD_OK;
}

int
store_key_user_handle(struct kd_store *st, int64_t key, unsigned char out[32],
    size_t *len, struct kd_err *e)
{
	sqlite3_stmt *s;
	const void *b;
	int n = 0, r;

	if (store_prepare(st, &s, "SELECT user_handle FROM keys WHERE id = ?",
	    "i", key) != KD_OK)
		return store_fail(st, "cannot read the key", e);
	if (sqlite3_step(s) == SQLITE_ROW &&
	    (b = sqlite3_column_blob(s, 0)) != NULL &&
	    (n = sqlite3_column_bytes(s, 0)) > 0 && n <= 32)
		memcpy(out, b, (size_t)n);
	sqlite3_finalize(s);
	if (n > 0 && n <= 32) {
		*len = (size_t)n;
		return KD_OK;
	}
	if ((r = kd_random(out, 32)) != KD_OK)
		return kd_err_set(e, r, "no randomness for the user handle");
	*len = 32;
	return store_exec(st, e, "UPDATE keys SET user_handle = ? WHERE id = ?",
	    "bi", out, 32, key);
}

int
store_lockout_get(struct kd_store *st, const char *scope, const char *name,
    struct kd_lockout_row *l)
{
	sqlite3_stmt *s;
	int r = KD_ERR_NOTFOUND;

	memset(l, 0, sizeof(*l));
	if (store_cached(st, &s, "SELECT failures, locked_until, lockouts FROM "
	    "lockouts WHERE scope = ? AND name = ?", "tt", scope, name) != KD_OK)
		return KD_ERR_DB;
	if (sqlite3_step(s) == SQLITE_ROW) {
		l->failures = sqlite3_column_int64(s, 0);
		l->locked_until = sqlite3_column_int64(s, 1);
		l->lockouts = sqlite3_column_int64(s, 2);
		r = KD_OK;
	}
	store_release(st, s);
	return r;
}

int
store_lockout_put(struct kd_store *st, const char *scope, const char *name,
    const struct kd_lockout_row *l, struct kd_err *e)
{
	return store_exec(st, e, "INSERT INTO lockouts (scope, name, failures, "
	    "locked_until, lockouts) VALUES (?, ?, ?, ?, ?) ON CONFLICT "
	    "(scope, name) DO UPDATE SET failures = excluded.failures, "
	    "locked_until = excluded.locked_until, lockouts = "
	    "excluded.lockouts", "ttiii", scope, name, l->failures,
	    l->locked_until, l->lockouts);
}
