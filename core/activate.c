/* Kiosk redemption and recording activated keys. */
#include "core/activate.h"

#include <stdio.h>
#include <string.h>

#include "core/lockout.h"
#include "core/mailtext.h"
#include "core/store_int.h"

int64_t
activate_locked_for(struct kd_store *st, const char *kiosk)
{
	return lockout_left(st, &lockout_kiosk, kiosk);
}

enum kd_link_state
activate_state(const struct kd_activation_row *a, int code)
{
	if (a->used_at != 0)
		return KD_LINK_USED;
	if (strcmp(a->key_status, "revoked") == 0)
		return KD_LINK_REVOKED;
	if (strcmp(a->key_status, "active") == 0)
		return KD_LINK_ACTIVE;
	if (a->revoked_at != 0)
		return strcmp(a->closed_why, STORE_CLOSED_REPLACED) == 0 ?
		    KD_LINK_REPLACED : strcmp(a->closed_why,
		    STORE_CLOSED_REVOKED) == 0 ? KD_LINK_REVOKED :
		    strcmp(a->closed_why, STORE_CLOSED_ACTIVATED) == 0 ?
		    KD_LINK_ACTIVE : KD_LINK_CLOSED;
	if (a->user_disabled)
		return KD_LINK_DISABLED;
	if ((code ? a->code_expires_at : a->link_expires_at) <= kd_now())
		return KD_LINK_EXPIRED;
	return KD_LINK_OPEN;
}

static const struct {
	const char *page;	/* the portal: a sentence and what to do */
	const char *kiosk;	/* an inline error under the code field */
} state_words[] = {
	[KD_LINK_OPEN] = { "This link is ready to activate your security key.",
	    "this code is valid" },
	[KD_LINK_UNKNOWN] = { "This activation link is not valid. Check that "
	    "the whole link was opened (some mail programs break long links), "
	    "or ask your IT helpdesk for a new activation email.",
	    "this code is not valid (it looks like ABCDE-FGHJK)" },
	[KD_LINK_EXPIRED] = { "This activation link has expired. Ask your IT "
	    "helpdesk to send you a new activation email.",
	    "this code has expired: ask for a new activation email" },
	[KD_LINK_USED] = { "This activation link was already used: the "
	    "security key is active.",
	    "this code has already been used: the key is active" },
	[KD_LINK_REPLACED] = { "This link was replaced by a newer email: use "
	    "the link in the most recent activation email.",
	    "this code was replaced by a newer email: use the newest one" },
	[KD_LINK_REVOKED] = { "This key was revoked, so its activation link no "
	    "longer works. Ask your IT helpdesk if you need a new key.",
	    "this key was revoked: its code no longer works" },
	[KD_LINK_ACTIVE] = { "This security key is already active: there is "
	    "nothing more to do.",
	    "this key is already active: there is nothing to do" },
	[KD_LINK_CLOSED] = { "This activation link is closed. Ask your IT "
	    "helpdesk for a new activation email.",
	    "this code is closed: ask for a new activation email" },
	[KD_LINK_DISABLED] = { "This account is disabled, so its security key "
	    "cannot be activated. Ask your IT helpdesk.",
	    "this account is disabled: ask the helpdesk" },
};

const char *
activate_state_sentence(enum kd_link_state st, int code)
{
	if ((size_t)st >= KD_NELEM(state_words))
		st = KD_LINK_CLOSED;
	return code ? state_words[st].kiosk : state_words[st].page;
}

/* A wrong code: count it; the fifth in a row locks the kiosk, for twice
 * as long as the lock before. */
static int
note_failure(struct kd_store *st, const char *kiosk, const char *actor,
    const char *why, struct kd_err *e)
{
	int64_t fails = 0, lock = 0;
	struct kd_err e2;
	char details[160];

	if (store_begin(st, &e2) != KD_OK)
		return e->code;
	lockout_fail(st, &lockout_kiosk, kiosk, &fails, &lock, &e2);
	snprintf(details, sizeof(details), "kiosk=%s reason=%s failures=%lld",
	    kiosk, why, (long long)fails);
	if (lock > 0)
		snprintf(details + strlen(details), sizeof(details) - strlen(details),
		    " locked=%llds", (long long)lock);
	store_audit_add(st, actor, "activation.code_rejected", kiosk, details, &e2);
	if (store_commit(st, &e2) != KD_OK)
		store_rollback(st);
	return e->code;
}

static void
redeem_from(const struct kd_activation_row *a, struct kd_redeem *r)
{
	memset(r, 0, sizeof(*r));
	r->activation = a->id;
	r->key = a->key;
	r->user_row = a->user_row;
	r->type = a->type;
	r->settings = a->settings;
	snprintf(r->key_name, sizeof(r->key_name), "%s", a->key_name);
	snprintf(r->user_id, sizeof(r->user_id), "%s", a->user_id);
	snprintf(r->name, sizeof(r->name), "%s", a->name);
	snprintf(r->email, sizeof(r->email), "%s", a->email);
	snprintf(r->username, sizeof(r->username), "%s", a->username);
}

static const char *state_reason[] = {
	[KD_LINK_OPEN] = "ok", [KD_LINK_UNKNOWN] = "unknown",
	[KD_LINK_EXPIRED] = "expired", [KD_LINK_USED] = "used",
	[KD_LINK_REPLACED] = "replaced", [KD_LINK_REVOKED] = "revoked",
	[KD_LINK_ACTIVE] = "active", [KD_LINK_CLOSED] = "closed",
	[KD_LINK_DISABLED] = "disabled",
};

int
activate_check_code(struct kd_store *st, const char *kiosk, const char *code,
    const char *actor, struct kd_redeem *out, struct kd_err *e)
{
	struct kd_activation_row a;
	enum kd_link_state state;
	unsigned char hash[32];
	int64_t left;
	struct kd_err e2;
	char details[160], wait[32];
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
		lockout_duration(left, wait, sizeof(wait));
		return kd_err_set(e, KD_ERR_LOCKED, "too many wrong codes: try "
		    "again in %s", wait);
	}
	if (enroll_code_hash(code, hash) != KD_OK) {
		kd_err_set(e, KD_ERR_DENIED, "%s",
		    activate_state_sentence(KD_LINK_UNKNOWN, 1));
		return note_failure(st, kiosk, actor, "malformed", e);
	}
	if ((r = store_activation_by_code(st, hash, &a, e)) == KD_ERR_NOTFOUND)
		state = KD_LINK_UNKNOWN;
	else if (r != KD_OK)
		return r;
	else
		state = activate_state(&a, 1);
	if (state != KD_LINK_OPEN) {
		kd_err_set(e, state == KD_LINK_EXPIRED ? KD_ERR_EXPIRED :
		    KD_ERR_DENIED, "%s", activate_state_sentence(state, 1));
		return note_failure(st, kiosk, actor, state_reason[state], e);
	}
	redeem_from(&a, out);
	snprintf(details, sizeof(details), "kiosk=%s key=%lld", kiosk,
	    (long long)out->key);
	if (store_begin(st, &e2) == KD_OK) {
		lockout_clear(st, &lockout_kiosk, kiosk, &e2);
		store_audit_add(st, actor, "activation.code_accepted",
		    out->user_id, details, &e2);
		if (store_commit(st, &e2) != KD_OK)
			store_rollback(st);
	}
	return KD_OK;
}

int
activate_key_mark(struct kd_store *st, int64_t key,
    const struct kd_cred_record *c, const char *actor, struct kd_err *e)
{
	return store_key_mark_active(st, key, c->user_handle,
	    c->user_handle_len, c->credential_id, c->public_key, c->aaguid,
	    c->attestation_fmt, c->attestation_cert, c->authenticator_info,
	    actor, e);
}

/* The activation a code or link gave must still be open when its key is
 * recorded: a resend or a revoke may have come in between. */
static int
activation_still_open(struct kd_store *st, int64_t activation,
    struct kd_err *e)
{
	int64_t open = 0;

	if (activation == 0)
		return KD_OK;
	store_int(st, &open, "SELECT count(*) FROM activations WHERE id = ? "
	    "AND used_at IS NULL AND revoked_at IS NULL", "i", activation);
	return open == 1 ? KD_OK : kd_err_set(e, KD_ERR_INVALID, "this "
	    "activation was closed meanwhile (a newer email, or the key was "
	    "revoked)");
}

int
activate_key_commit(struct kd_store *st, const struct kd_config *cfg,
    int64_t key, int64_t activation, const struct kd_cred_record *cred,
    const char *pin, const char *actor, struct kd_err *e)
{
	struct kd_user u = { 0 };
	char details[512], kname[256] = "", uid[256] = "", qd[300];
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
	    (r = activation_still_open(st, activation, e)) != KD_OK ||
	    (r = activate_key_mark(st, key, cred, actor, e)) != KD_OK)
		goto fail;
	/* Using the key's activation ends every other open one for it. */
	if (activation != 0 &&
	    (r = store_activation_use(st, activation, e)) != KD_OK)
		goto fail;
	if ((r = store_activation_close(st, key, activation, NULL,
	    STORE_CLOSED_ACTIVATED, e)) != KD_OK)
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
	    kd_quote_value(cred->device ? cred->device : "-", qd, sizeof(qd)),
	    activation ? "code" : "desk",
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
activate_link_issue(struct kd_store *st, const struct kd_config *cfg,
    int64_t key, const char *actor, struct kd_activation_secret *sec,
    int64_t *link_expires, struct kd_err *e)
{
	enum kd_key_status ks;
	unsigned char th[32], ch[32];
	int64_t lexp = kd_now() + cfg->link_lifetime, id = 0;
	char details[64];
	int r, tries;

	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if ((r = store_key_status(st, key, &ks, e)) != KD_OK)
		goto fail;
	if (ks != KD_KS_PENDING && ks != KD_KS_EXPIRED) {
		r = kd_err_set(e, KD_ERR_INVALID, "key #%lld is %s: there is "
		    "nothing to activate", (long long)key,
		    model_key_status_name(ks));
		goto fail;
	}
	/* A code collision with another open activation is rare (49 bits)
	 * but possible; draw again. */
	for (tries = 0; tries < 4; tries++) {
		if ((r = enroll_secret_new(sec)) != KD_OK)
			goto fail;
		enroll_token_hash(sec->token, th);
		enroll_code_hash(sec->code, ch);
		r = store_activation_insert(st, key, th, ch, lexp,
		    kd_now() + cfg->code_lifetime, STORE_VIA_SCREEN, &id, e);
		if (r != KD_ERR_EXISTS)
			break;
	}
	if (r != KD_OK)
		goto fail;
	snprintf(details, sizeof(details), "key=%lld via=screen", (long long)key);
	if ((r = store_audit_add(st, actor, "key.link_issued", NULL, details,
	    e)) != KD_OK || (r = store_commit(st, e)) != KD_OK)
		goto fail;
	if (link_expires != NULL)
		*link_expires = lexp;
	return KD_OK;
fail:
	store_rollback(st);
	kd_wipe(sec, sizeof(*sec));
	return r;
}

int
activate_key_status(struct kd_store *st, int64_t key,
    enum kd_key_status *out, struct kd_err *e)
{
	return store_key_status(st, key, out, e);
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
