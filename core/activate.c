/* Kiosk redemption and recording activated keys. */
#include "core/activate.h"

#include <stdio.h>
#include <string.h>

#include "core/mailtext.h"
#include "core/store_int.h"

int64_t
activate_locked_for(struct kd_store *st, const char *kiosk)
{
	int64_t until = 0;

	store_int(st, &until, "SELECT locked_until FROM kiosk_attempts "
	    "WHERE kiosk = ?", "t", kiosk);
	return until > kd_now() ? until - kd_now() : 0;
}

/* A wrong code: count it; the fifth in a row locks the kiosk, for twice
 * as long as the lock before. */
static int
note_failure(struct kd_store *st, const char *kiosk, const char *actor,
    const char *why, struct kd_err *e)
{
	int64_t fails = 0, lockouts = 0, lock;
	struct kd_err e2;
	char details[160];

	if (store_begin(st, &e2) != KD_OK)
		return e->code;
	store_exec(st, &e2, "INSERT OR IGNORE INTO kiosk_attempts (kiosk) "
	    "VALUES (?)", "t", kiosk);
	store_exec(st, &e2, "UPDATE kiosk_attempts SET failures = failures + 1 "
	    "WHERE kiosk = ?", "t", kiosk);
	store_int(st, &fails, "SELECT failures FROM kiosk_attempts WHERE "
	    "kiosk = ?", "t", kiosk);
	store_int(st, &lockouts, "SELECT lockouts FROM kiosk_attempts WHERE "
	    "kiosk = ?", "t", kiosk);
	snprintf(details, sizeof(details), "kiosk=%s reason=%s failures=%lld",
	    kiosk, why, (long long)fails);
	if (fails >= ACTIVATE_MAX_FAILURES) {
		lock = (int64_t)ACTIVATE_LOCK_SECONDS << (lockouts < 10 ? lockouts : 10);
		store_exec(st, &e2, "UPDATE kiosk_attempts SET failures = 0, "
		    "lockouts = lockouts + 1, locked_until = ? WHERE kiosk = ?",
		    "it", kd_now() + lock, kiosk);
		snprintf(details + strlen(details), sizeof(details) - strlen(details),
		    " locked=%llds", (long long)lock);
	}
	store_audit_add(st, actor, "activation.code_rejected", kiosk, details, &e2);
	if (store_commit(st, &e2) != KD_OK)
		store_rollback(st);
	return e->code;
}

static int
load_redeem(struct kd_store *st, const unsigned char hash[32],
    struct kd_redeem *r, int64_t *code_exp, int64_t *used, struct kd_err *e)
{
	sqlite3_stmt *s;
	const void *stored;
	int rc;

	if (store_prepare(st, &s, "SELECT a.id, a.code_hash, a.code_expires_at, "
	    "coalesce(a.used_at, a.revoked_at, 0), k.id, k.type, k.name, "
	    "k.status, k.verification, u.id, u.user_id, u.name, u.email, "
	    "u.username, k.auditable, k.bluetooth_proximity, k.offline_login "
	    "FROM activations a JOIN keys k ON k.id = a.key JOIN users u ON "
	    "u.id = k.user WHERE a.code_hash = ?", "b", hash, 32) != KD_OK)
		return store_fail(st, "cannot read activations", e);
	rc = sqlite3_step(s);
	/* The index found the row; the comparison that decides is the
	 * constant-time one. */
	stored = rc == SQLITE_ROW ? sqlite3_column_blob(s, 1) : NULL;
	if (stored == NULL || sqlite3_column_bytes(s, 1) != 32 ||
	    !kd_memeq(stored, hash, 32)) {
		sqlite3_finalize(s);
		return kd_err_set(e, KD_ERR_DENIED, "this code is not valid");
	}
	memset(r, 0, sizeof(*r));
	r->activation = sqlite3_column_int64(s, 0);
	*code_exp = sqlite3_column_int64(s, 2);
	*used = sqlite3_column_int64(s, 3);
	r->key = sqlite3_column_int64(s, 4);
	model_key_type_parse((const char *)sqlite3_column_text(s, 5), &r->type);
	snprintf(r->key_name, sizeof(r->key_name), "%s", sqlite3_column_text(s, 6));
	if (strcmp((const char *)sqlite3_column_text(s, 7), "pending") != 0)
		*used = 1;
	model_verification_parse((const char *)sqlite3_column_text(s, 8),
	    &r->settings.verification);
	r->user_row = sqlite3_column_int64(s, 9);
	snprintf(r->user_id, sizeof(r->user_id), "%s", sqlite3_column_text(s, 10));
	snprintf(r->name, sizeof(r->name), "%s", sqlite3_column_text(s, 11));
	snprintf(r->email, sizeof(r->email), "%s", sqlite3_column_text(s, 12));
	snprintf(r->username, sizeof(r->username), "%s", sqlite3_column_text(s, 13));
	r->settings.auditable = sqlite3_column_int(s, 14);
	r->settings.bluetooth_proximity = sqlite3_column_int(s, 15);
	r->settings.offline_login = sqlite3_column_int(s, 16);
	sqlite3_finalize(s);
	return KD_OK;
}

int
activate_check_code(struct kd_store *st, const char *kiosk, const char *code,
    const char *actor, struct kd_redeem *out, struct kd_err *e)
{
	unsigned char hash[32];
	int64_t left, exp = 0, used = 0;
	struct kd_err e2;
	char details[160];
	int r;

	if ((left = activate_locked_for(st, kiosk)) > 0) {
		snprintf(details, sizeof(details), "kiosk=%s reason=locked "
		    "seconds_left=%lld", kiosk, (long long)left);
		if (store_begin(st, &e2) == KD_OK) {
			store_audit_add(st, actor, "activation.code_rejected", kiosk,
			    details, &e2);
			if (store_commit(st, &e2) != KD_OK)
				store_rollback(st);
		}
		return kd_err_set(e, KD_ERR_LOCKED, "too many wrong codes: try "
		    "again in %lld seconds", (long long)left);
	}
	if (enroll_code_hash(code, hash) != KD_OK) {
		kd_err_set(e, KD_ERR_DENIED, "this code is not valid (it looks "
		    "like ABCDE-FGHJK)");
		return note_failure(st, kiosk, actor, "malformed", e);
	}
	if ((r = load_redeem(st, hash, out, &exp, &used, e)) == KD_ERR_DENIED)
		return note_failure(st, kiosk, actor, "unknown", e);
	if (r != KD_OK)
		return r;
	if (used) {
		kd_err_set(e, KD_ERR_DENIED, "this code has already been used");
		return note_failure(st, kiosk, actor, "used", e);
	}
	if (exp <= kd_now()) {
		kd_err_set(e, KD_ERR_EXPIRED, "this code has expired: ask for a "
		    "new activation email");
		return note_failure(st, kiosk, actor, "expired", e);
	}
	snprintf(details, sizeof(details), "kiosk=%s key=%lld", kiosk,
	    (long long)out->key);
	if (store_begin(st, &e2) == KD_OK) {
		store_exec(st, &e2, "UPDATE kiosk_attempts SET failures = 0 "
		    "WHERE kiosk = ?", "t", kiosk);
		store_audit_add(st, actor, "activation.code_accepted",
		    out->user_id, details, &e2);
		if (store_commit(st, &e2) != KD_OK)
			store_rollback(st);
	}
	return KD_OK;
}

static int
mark_active(struct kd_store *st, int64_t key, const struct kd_cred_record *c,
    const char *actor, struct kd_err *e)
{
	int64_t changed = 0;
	int r;

	r = store_exec(st, e, "UPDATE keys SET status = 'active', "
	    "user_handle = ?, credential_id = ?, public_key = ?, aaguid = ?, "
	    "attestation_fmt = ?, attestation_cert = ?, authenticator_info = ?, "
	    "activated_at = ?, activated_by = ? WHERE id = ? AND "
	    "status = 'pending'", "bttttttiti", c->user_handle,
	    (int)c->user_handle_len, c->credential_id, c->public_key, c->aaguid,
	    c->attestation_fmt, c->attestation_cert, c->authenticator_info,
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
activate_key_commit(struct kd_store *st, const struct kd_config *cfg,
    int64_t key, int64_t activation, const struct kd_cred_record *cred,
    const char *pin, const char *actor, struct kd_err *e)
{
	struct kd_user u = { 0 };
	char details[512], kname[256] = "", uid[256] = "";
	sqlite3_stmt *s;
	int64_t user = 0;
	int r;

	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if (store_prepare(st, &s, "SELECT user, name FROM keys WHERE id = ?",
	    "i", key) == KD_OK && sqlite3_step(s) == SQLITE_ROW) {
		user = sqlite3_column_int64(s, 0);
		snprintf(kname, sizeof(kname), "%s", sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	if (user == 0) {
		r = kd_err_set(e, KD_ERR_NOTFOUND, "no such key");
		goto fail;
	}
	if ((r = store_user_get_by_row(st, user, &u, e)) != KD_OK ||
	    (r = mark_active(st, key, cred, actor, e)) != KD_OK)
		goto fail;
	/* Using the key's activation ends every open one for it. */
	if ((r = store_exec(st, e, "UPDATE activations SET used_at = CASE "
	    "WHEN id = ? THEN ?2 ELSE used_at END, revoked_at = CASE WHEN "
	    "id != ?1 THEN ?2 ELSE revoked_at END WHERE key = ?3 AND used_at "
	    "IS NULL AND revoked_at IS NULL", "iii", activation, kd_now(),
	    key)) != KD_OK)
		goto fail;
	if (pin != NULL) {
		struct kd_mail_to to = { u.name, u.email };

		if ((r = mailtext_queue_pin(st, cfg, &to, kname, pin, 1, e)) != KD_OK)
			goto fail;
	}
	if ((r = store_user_refresh_status(st, user, e)) != KD_OK)
		goto fail;
	snprintf(uid, sizeof(uid), "%s", u.user_id);
	snprintf(details, sizeof(details), "key=%lld credential=%.64s aaguid=%s "
	    "device=%.128s via=%s pin_mailed=%d", (long long)key,
	    cred->credential_id, cred->aaguid ? cred->aaguid : "-",
	    cred->device ? cred->device : "-", activation ? "code" : "desk",
	    pin != NULL);
	if ((r = store_audit_add(st, actor, "key.activate", uid, details, e)) != KD_OK)
		goto fail;
	r = store_commit(st, e);
	if (r != KD_OK)
		goto fail;
	store_user_clear(&u);
	return KD_OK;
fail:
	store_rollback(st);
	store_user_clear(&u);
	return r;
}

int
activate_pin_new(char *buf, size_t len, int digits)
{
	unsigned char b;
	int n = 0, r;

	if (digits < 6)
		digits = 6;
	if ((size_t)digits + 1 > len)
		return KD_ERR_INVALID;
	while (n < digits) {
		if ((r = kd_random(&b, 1)) != KD_OK)
			return r;
		if (b >= 250)	/* keep the digits uniform */
			continue;
		buf[n++] = (char)('0' + b % 10);
	}
	buf[n] = '\0';
	kd_wipe(&b, sizeof(b));
	return KD_OK;
}
