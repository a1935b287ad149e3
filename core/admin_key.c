/* The key lifecycle after enrollment: revoke, resend, settings, rename,
 * delete a pending key. */
#include "core/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enroll.h"
#include "core/mailtext.h"
#include "core/store_int.h"
#include "core/validate.h"

int
admin_key_get(struct kd_store *st, int64_t key, struct kd_key *out,
    struct kd_err *e)
{
	struct kd_key *v = NULL;
	int64_t user = 0;
	size_t n = 0, i;
	int r;

	if (store_int(st, &user, "SELECT user FROM keys WHERE id = ?", "i",
	    key) != KD_OK)
		return kd_err_set(e, KD_ERR_NOTFOUND, "no key #%lld", (long long)key);
	if ((r = store_key_list(st, user, &v, &n, e)) != KD_OK)
		return r;
	for (i = 0; i < n && v[i].id != key; i++)
		;
	if (i == n) {
		store_keys_free(v, n);
		return kd_err_set(e, KD_ERR_NOTFOUND, "no key #%lld", (long long)key);
	}
	*out = v[i];
	memset(&v[i], 0, sizeof(v[i]));
	store_keys_free(v, n);
	return KD_OK;
}

static void
key_free(struct kd_key *k)
{
	store_key_clear(k);
	free(k);
}

/* Opens a write with the key and its user loaded. */
static int
key_begin(struct kd_store *st, int64_t key, struct kd_key **k,
    struct kd_user *u, struct kd_err *e)
{
	int r;

	*k = NULL;
	memset(u, 0, sizeof(*u));
	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if ((*k = calloc(1, sizeof(**k))) == NULL) {
		store_rollback(st);
		return kd_err_set(e, KD_ERR_NOMEM, "out of memory");
	}
	if ((r = admin_key_get(st, key, *k, e)) != KD_OK ||
	    (r = store_user_get_by_row(st, (*k)->user, u, e)) != KD_OK) {
		store_rollback(st);
		free(*k);
		*k = NULL;
		return r;
	}
	return KD_OK;
}

static int
key_end(struct kd_store *st, struct kd_key *k, struct kd_user *u, int r,
    struct kd_err *e)
{
	if (r == KD_OK)
		r = store_commit(st, e);
	else
		store_rollback(st);
	if (k != NULL)
		key_free(k);
	store_user_clear(u);
	return r;
}

int
admin_key_revoke(struct kd_store *st, const char *actor, int64_t key,
    const char *reason, struct kd_err *e)
{
	struct kd_key *k;
	struct kd_user u;
	char details[600], qn[256], qr[256];
	int r;

	if (reason == NULL || validate_key_name(reason) != NULL)
		return kd_err_set(e, KD_ERR_INVALID, "give a reason (plain text, "
		    "at most 64 characters)");
	if ((r = key_begin(st, key, &k, &u, e)) != KD_OK)
		return r;
	if (k->status == KD_KS_REVOKED) {
		r = kd_err_set(e, KD_ERR_INVALID, "key #%lld is already revoked",
		    (long long)key);
		return key_end(st, k, &u, r, e);
	}
	snprintf(details, sizeof(details), "key=%lld type=%s name=%s was=%s "
	    "credential=%s reason=%s", (long long)key,
	    model_key_type_name(k->type), kd_quote_value(k->name, qn, sizeof(qn)),
	    model_key_status_name(k->status),
	    k->credential_id ? k->credential_id : "-",
	    kd_quote_value(reason, qr, sizeof(qr)));
	if ((r = store_exec(st, e, "UPDATE keys SET status = 'revoked', "
	    "revoked_at = ?, revoked_reason = ? WHERE id = ?", "iti", kd_now(),
	    reason, key)) == KD_OK &&
	    (r = store_activation_close(st, key, 0, NULL,
	    STORE_CLOSED_REVOKED, e)) == KD_OK &&
	    (r = store_outbox_cancel_key(st, key, "the key was revoked before "
	    "this mail went out", e)) == KD_OK &&
	    (r = store_user_refresh_status(st, u.id, e)) == KD_OK)
		r = store_audit_add(st, actor, "key.revoke", u.user_id, details, e);
	return key_end(st, k, &u, r, e);
}

int
admin_key_resend(struct kd_store *st, const struct kd_config *cfg,
    const char *actor, int64_t key, struct kd_err *e)
{
	struct kd_mail_to to;
	struct kd_key *k;
	struct kd_user u;
	char details[128];
	int r;

	if ((r = key_begin(st, key, &k, &u, e)) != KD_OK)
		return r;
	if (k->status != KD_KS_PENDING && k->status != KD_KS_EXPIRED) {
		r = kd_err_set(e, KD_ERR_INVALID, "key #%lld is %s: only pending "
		    "keys get a new activation", (long long)key,
		    model_key_status_name(k->status));
		return key_end(st, k, &u, r, e);
	}
	to.name = u.name;
	to.email = u.email;
	snprintf(details, sizeof(details), "key=%lld", (long long)key);
	if ((r = store_activation_close(st, key, 0, NULL,
	    STORE_CLOSED_REPLACED, e)) == KD_OK &&
	    (r = store_outbox_cancel_key(st, key, "replaced by a newer "
	    "activation mail", e)) == KD_OK &&
	    (r = mailtext_queue_activation(st, cfg, &to, key, e)) == KD_OK)
		r = store_audit_add(st, actor, "key.resend", u.user_id, details, e);
	return key_end(st, k, &u, r, e);
}

int
admin_key_settings(struct kd_store *st, const char *actor, int64_t key,
    const struct kd_key_settings *s, struct kd_err *e)
{
	struct kd_key *k;
	struct kd_user u;
	char details[400];
	int r;

	if ((r = key_begin(st, key, &k, &u, e)) != KD_OK)
		return r;
	if (!model_verification_allowed(k->type, s->verification)) {
		r = kd_err_set(e, KD_ERR_INVALID, "verification %s is not "
		    "available for a %s", model_verification_name(s->verification),
		    model_key_type_label(k->type));
		return key_end(st, k, &u, r, e);
	}
	snprintf(details, sizeof(details), "key=%lld auditable: %d -> %d; "
	    "bluetooth_proximity: %d -> %d; offline_login: %d -> %d; "
	    "verification: %s -> %s", (long long)key, k->settings.auditable,
	    s->auditable, k->settings.bluetooth_proximity, s->bluetooth_proximity,
	    k->settings.offline_login, s->offline_login,
	    model_verification_name(k->settings.verification),
	    model_verification_name(s->verification));
	if ((r = store_exec(st, e, "UPDATE keys SET auditable = ?, "
	    "bluetooth_proximity = ?, offline_login = ?, verification = ? "
	    "WHERE id = ?", "dddti", s->auditable, s->bluetooth_proximity,
	    s->offline_login, model_verification_name(s->verification),
	    key)) == KD_OK)
		r = store_audit_add(st, actor, "key.settings", u.user_id, details, e);
	return key_end(st, k, &u, r, e);
}

int
admin_key_rename(struct kd_store *st, const char *actor, int64_t key,
    const char *name, struct kd_err *e)
{
	struct kd_key *k;
	struct kd_user u;
	char buf[1024], details[1200];
	const char *m;
	int r;

	snprintf(buf, sizeof(buf), "%s", name ? name : "");
	validate_trim(buf);
	if ((m = validate_key_name(buf)) != NULL)
		return kd_err_set(e, KD_ERR_INVALID, "Name: %s", m);
	if ((r = key_begin(st, key, &k, &u, e)) != KD_OK)
		return r;
	snprintf(details, sizeof(details), "key=%lld name: %s -> %s",
	    (long long)key, k->name, buf);
	if ((r = store_exec(st, e, "UPDATE keys SET name = ? WHERE id = ?",
	    "ti", buf, key)) == KD_OK)
		r = store_audit_add(st, actor, "key.rename", u.user_id, details, e);
	return key_end(st, k, &u, r, e);
}

int
admin_key_delete(struct kd_store *st, const char *actor, int64_t key,
    struct kd_err *e)
{
	struct kd_key *k;
	struct kd_user u;
	char details[400], qn[256];
	int r;

	if ((r = key_begin(st, key, &k, &u, e)) != KD_OK)
		return r;
	if (k->status != KD_KS_PENDING && k->status != KD_KS_EXPIRED) {
		r = kd_err_set(e, KD_ERR_INVALID, "key #%lld is %s: only pending "
		    "keys can be deleted (revoke it instead)", (long long)key,
		    model_key_status_name(k->status));
		return key_end(st, k, &u, r, e);
	}
	snprintf(details, sizeof(details), "key=%lld type=%s name=%s",
	    (long long)key, model_key_type_name(k->type),
	    kd_quote_value(k->name, qn, sizeof(qn)));
	if ((r = store_outbox_cancel_key(st, key, "the key was deleted before "
	    "this mail went out", e)) == KD_OK &&
	    (r = store_exec(st, e, "DELETE FROM keys WHERE id = ?", "i",
	    key)) == KD_OK &&
	    (r = store_user_refresh_status(st, u.id, e)) == KD_OK)
		r = store_audit_add(st, actor, "key.delete", u.user_id, details, e);
	return key_end(st, k, &u, r, e);
}
