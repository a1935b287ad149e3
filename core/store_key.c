/* Keys and their activations. */
#include "core/store_int.h"

#include <stdlib.h>
#include <string.h>

int
store_key_insert(struct kd_store *st, const struct kd_key *k, int64_t *id,
    struct kd_err *e)
{
	int r;

	r = store_exec(st, e, "INSERT INTO keys (user, type, name, status, "
	    "auditable, bluetooth_proximity, offline_login, verification, "
	    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "itttdddti",
	    k->user, model_key_type_name(k->type), k->name,
	    model_key_status_name(k->status), k->settings.auditable,
	    k->settings.bluetooth_proximity, k->settings.offline_login,
	    model_verification_name(k->settings.verification), kd_now());
	if (r == KD_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return r;
}

static int
key_from_row(sqlite3_stmt *s, struct kd_key *k)
{
	const char *t;

	memset(k, 0, sizeof(*k));
	k->id = sqlite3_column_int64(s, 0);
	k->user = sqlite3_column_int64(s, 1);
	if ((t = (const char *)sqlite3_column_text(s, 2)) != NULL)
		model_key_type_parse(t, &k->type);
	k->name = store_col_text(s, 3);
	if ((t = (const char *)sqlite3_column_text(s, 4)) != NULL)
		model_key_status_parse(t, &k->status);
	k->settings.auditable = sqlite3_column_int(s, 5);
	k->settings.bluetooth_proximity = sqlite3_column_int(s, 6);
	k->settings.offline_login = sqlite3_column_int(s, 7);
	if ((t = (const char *)sqlite3_column_text(s, 8)) != NULL)
		model_verification_parse(t, &k->settings.verification);
	k->created_at = sqlite3_column_int64(s, 9);
	k->activated_at = sqlite3_column_int64(s, 10);
	k->activated_by = store_col_text(s, 11);
	k->credential_id = store_col_text(s, 12);
	k->public_key = store_col_text(s, 13);
	k->aaguid = store_col_text(s, 14);
	k->attestation_fmt = store_col_text(s, 15);
	k->revoked_reason = store_col_text(s, 16);
	k->expires_at = sqlite3_column_int64(s, 17);
	k->owner = store_col_text(s, 18);
	k->link_expires_at = sqlite3_column_int64(s, 19);
	/* A pending key whose activation ran out reads as expired. */
	if (k->status == KD_KS_PENDING && k->expires_at > 0 &&
	    k->expires_at <= kd_now())
		k->status = KD_KS_EXPIRED;
	return k->name == NULL ? KD_ERR_NOMEM : KD_OK;
}

void
store_key_clear(struct kd_key *k)
{
	free(k->name);
	free(k->activated_by);
	free(k->credential_id);
	free(k->public_key);
	free(k->aaguid);
	free(k->attestation_fmt);
	free(k->revoked_reason);
	free(k->owner);
	memset(k, 0, sizeof(*k));
}

int
store_key_list(struct kd_store *st, int64_t user, struct kd_key **out,
    size_t *n, struct kd_err *e)
{
	struct kd_key *v = NULL;
	sqlite3_stmt *s;
	size_t cap = 0;
	int r;

	*out = NULL;
	*n = 0;
	if (store_prepare(st, &s, "SELECT k.id, k.user, k.type, k.name, "
	    "k.status, k.auditable, k.bluetooth_proximity, k.offline_login, "
	    "k.verification, k.created_at, k.activated_at, k.activated_by, "
	    "k.credential_id, k.public_key, k.aaguid, k.attestation_fmt, "
	    "k.revoked_reason, (SELECT max(a.code_expires_at, a.link_expires_at) "
	    "FROM activations a WHERE a.key = k.id AND a.used_at IS NULL AND "
	    "a.revoked_at IS NULL ORDER BY a.id DESC LIMIT 1), u.user_id, "
	    "(SELECT a.link_expires_at FROM activations a WHERE a.key = k.id "
	    "AND a.used_at IS NULL AND a.revoked_at IS NULL ORDER BY a.id DESC "
	    "LIMIT 1) "
	    "FROM keys k JOIN users u ON u.id = k.user "
	    "WHERE ?1 = 0 OR k.user = ?1 ORDER BY k.id", "i", user) != KD_OK)
		return store_fail(st, "cannot read keys", e);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (kd_grow(&v, &cap, *n, sizeof(*v)) != KD_OK)
			goto nomem;
		if (key_from_row(s, &v[(*n)++]) != KD_OK)
			goto nomem;
	}
	sqlite3_finalize(s);
	if (r != SQLITE_DONE) {
		store_keys_free(v, *n);
		*n = 0;
		return store_fail(st, "cannot read keys", e);
	}
	*out = v;
	return KD_OK;
nomem:
	sqlite3_finalize(s);
	store_keys_free(v, *n);
	*n = 0;
	return kd_err_set(e, KD_ERR_NOMEM, "out of memory");
}

void
store_keys_free(struct kd_key *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_key_clear(&v[i]);
	free(v);
}
