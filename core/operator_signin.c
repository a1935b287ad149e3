/* Operator sign-in: password (yescrypt) or the operator's own FIDO key,
 * rate-limited per operator name, every attempt audited. */
#include "core/operator.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fido.h"
#include "core/lockout.h"
#include "core/store_int.h"

/* Records the outcome; the fifth failure in a row locks the name. */
static void
record_why(struct kd_store *st, const char *who, const char *where, int ok,
    const char *how, const char *why)
{
	int64_t fails = 0;
	char details[256];
	struct kd_err e;

	if (store_begin(st, &e) != KD_OK)
		return;
	if (ok)
		lockout_clear(st, &lockout_signin, who, &e);
	else if (strcmp(how, "locked") != 0)	/* a lock is not a guess */
		lockout_fail(st, &lockout_signin, who, &fails, NULL, &e);
	snprintf(details, sizeof(details), "how=%s where=%s failures=%lld%s%s",
	    how, where, (long long)fails, why ? " why=" : "", why ? why : "");
	store_audit_add(st, who, ok ? "signin.ok" : "signin.failed", who,
	    details, &e);
	if (store_commit(st, &e) != KD_OK)
		store_rollback(st);
}

static void
record(struct kd_store *st, const char *who, const char *where, int ok,
    const char *how)
{
	record_why(st, who, where, ok, how, NULL);
}

static int
check_locked(struct kd_store *st, const char *name, const char *where,
    struct kd_err *e)
{
	int64_t left = lockout_left(st, &lockout_signin, name);

	if (left == 0)
		return KD_OK;
	record(st, name, where, 0, "locked");
	return kd_err_set(e, KD_ERR_LOCKED, "too many failed sign-ins: try "
	    "again in %lld seconds", (long long)left);
}

static int
password_matches(struct kd_store *st, int64_t id, const char *password)
{
	struct crypt_data *cd;
	sqlite3_stmt *s;
	const char *stored, *h;
	int ok = 0;

	if (store_prepare(st, &s, "SELECT password_hash FROM operators WHERE "
	    "id = ?", "i", id) != KD_OK)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW &&
	    (stored = (const char *)sqlite3_column_text(s, 0)) != NULL &&
	    (cd = calloc(1, sizeof(*cd))) != NULL) {
		h = crypt_rn(password, stored, cd, sizeof(*cd));
		ok = h != NULL && h[0] != '*' && strlen(h) == strlen(stored) &&
		    kd_memeq(h, stored, strlen(h));
		kd_wipe(cd, sizeof(*cd));
		free(cd);
	}
	sqlite3_finalize(s);
	return ok;
}

int
operator_signin_password(struct kd_store *st, const char *name,
    const char *password, const char *where, struct kd_operator *o,
    struct kd_err *e)
{
	int r;

	if ((r = check_locked(st, name, where, e)) != KD_OK)
		return r;
	/* Unknown names and wrong passwords read the same. */
	if (operator_get(st, name, o, NULL) != KD_OK || o->disabled ||
	    !o->has_password || !password_matches(st, o->id, password)) {
		record(st, name, where, 0, "password");
		return kd_err_set(e, KD_ERR_DENIED, "wrong name or password");
	}
	record(st, name, where, 1, "password");
	return KD_OK;
}

/* An unknown, disabled or keyless name is asked for a credential no card
 * has (a random ID), so it takes the same tap, time and answer as a wrong
 * card: the kiosk does not tell which names exist or have a key.  The
 * audit row says which it was. */
int
operator_signin_key(struct kd_store *st, const struct kd_config *cfg,
    const char *name, const char *path, volatile int *cancel,
    const char *where, struct kd_operator *o, struct kd_err *e)
{
	unsigned char id[256], cose[256];
	struct kd_assert_req req;
	const char *why = NULL;
	long idlen = 32, coselen = 0;
	int r;

	if ((r = check_locked(st, name, where, e)) != KD_OK)
		return r;
	if (operator_get(st, name, o, NULL) != KD_OK)
		why = "unknown-name";
	else if (o->disabled)
		why = "disabled";
	else if (!o->has_key)
		why = "no-key";
	else {
		idlen = kd_b64url_decode(o->credential_id, id, sizeof(id));
		coselen = kd_b64url_decode(o->public_key, cose, sizeof(cose));
		if (idlen <= 0 || coselen <= 0)
			return kd_err_set(e, KD_ERR_INVALID, "the stored key is "
			    "damaged");
	}
	if (why != NULL && (r = kd_random(id, (size_t)idlen)) != KD_OK)
		return kd_err_set(e, r, "no randomness");
	memset(&req, 0, sizeof(req));
	req.path = path;
	req.rp_id = cfg->rp_id;
	req.cred_id = id;
	req.cred_id_len = (size_t)idlen;
	req.timeout_ms = 30000;
	req.cancel = cancel;
	r = fidodev_verify_assertion(&req, why ? NULL : cose,
	    why ? 0 : (size_t)coselen, 0, NULL, e);
	if (r == KD_ERR_CANCELLED || r == KD_ERR_TIMEOUT || r == KD_ERR_NODEV ||
	    r == KD_ERR_REMOVED)
		return r;	/* no attempt was made: nothing to count */
	if (why != NULL)
		r = KD_ERR_NOTFOUND;	/* never a sign-in, whatever the card */
	else if (r == KD_ERR_NOTFOUND)
		why = "wrong-key";
	record_why(st, name, where, r == KD_OK, "key", why);
	/* The card lacks the credential: someone else's key, which the one
	 * at the desk should hear in those words. */
	if (r == KD_ERR_NOTFOUND)
		r = kd_err_set(e, KD_ERR_DENIED, "this is not the security key "
		    "registered to %s", name);
	return r;
}
