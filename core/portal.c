/* The activation portal's decisions: what a link opens, the code check
 * that earns a WebAuthn challenge, and recording a verified registration. */
#include "core/portal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lockout.h"

#define TOKEN_LEN	43	/* base64url of 32 bytes, no padding */

const char *
portal_link_sentence(enum kd_link_state st)
{
	return activate_state_sentence(st, 0);
}

int
portal_link_http_status(enum kd_link_state st)
{
	switch (st) {
	case KD_LINK_OPEN:
		return 200;
	case KD_LINK_UNKNOWN:
		return 404;
	case KD_LINK_DISABLED:
		return 403;
	default:
		return 410;	/* Gone: it was real, it will not come back */
	}
}

/* Only a well-formed token is looked up; anything else is unknown. */
static int
token_shape_ok(const char *t)
{
	size_t i;

	if (t == NULL || strlen(t) != TOKEN_LEN)
		return 0;
	for (i = 0; i < TOKEN_LEN; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_", t[i]) == NULL)
			return 0;
	return 1;
}

static void
link_from(const struct kd_activation_row *a, struct kd_link *l)
{
	l->state = activate_state(a, 0);
	l->activation = a->id;
	l->key = a->key;
	l->user_row = a->user_row;
	l->type = a->type;
	l->settings = a->settings;
	l->link_expires_at = a->link_expires_at;
	snprintf(l->key_name, sizeof(l->key_name), "%s", a->key_name);
	snprintf(l->user_id, sizeof(l->user_id), "%s", a->user_id);
	snprintf(l->name, sizeof(l->name), "%s", a->name);
	snprintf(l->username, sizeof(l->username), "%s", a->username);
}

/* The activation of `token`, or state UNKNOWN; `a` may be NULL. */
static int
link_lookup(struct kd_store *st, const char *token, struct kd_link *l,
    struct kd_activation_row *a, struct kd_err *e)
{
	struct kd_activation_row row;
	unsigned char h[32];
	int r;

	memset(l, 0, sizeof(*l));
	l->state = KD_LINK_UNKNOWN;
	if (!token_shape_ok(token))
		return KD_OK;
	enroll_token_hash(token, h);
	if ((r = store_activation_by_token(st, h, &row, e)) == KD_ERR_NOTFOUND)
		return KD_OK;
	if (r != KD_OK)
		return r;
	link_from(&row, l);
	if (a != NULL)
		*a = row;
	return KD_OK;
}

int
portal_link_find(struct kd_store *st, const char *token, struct kd_link *l,
    struct kd_err *e)
{
	return link_lookup(st, token, l, NULL, e);
}

/* The lock-out name of a link seen from one client address: a hash prefix
 * of the token (never the token) and the address. */
static void
lock_name(const char *token, const char *client, char *buf, size_t len)
{
	unsigned char h[32];
	char hex[17];

	enroll_token_hash(token, h);
	kd_hex_encode(h, 8, hex);
	snprintf(buf, len, "%.16s@%.64s", hex, client ? client : "-");
}

static int
code_audit(struct kd_store *st, const struct kd_link *l, const char *client,
    const char *action, const char *why, int64_t fails, struct kd_err *e)
{
	char details[200], actor[160];

	snprintf(actor, sizeof(actor), "portal:%.64s", client ? client : "-");
	snprintf(details, sizeof(details), "key=%lld via=portal reason=%s "
	    "failures=%lld", (long long)l->key, why, (long long)fails);
	return store_audit_add(st, actor, action, l->user_id, details, e);
}

/* A wrong code, inside the caller's transaction: counted, audited. */
static int
code_wrong(struct kd_store *st, const struct kd_link *l, const char *name,
    const char *client, struct kd_err *e)
{
	int64_t fails = 0, lock = 0;
	char wait[32];
	int r;

	if ((r = lockout_fail(st, &lockout_portal, name, &fails, &lock, e)) !=
	    KD_OK || (r = code_audit(st, l, client, "activation.code_rejected",
	    lock ? "wrong-locked" : "wrong", fails, e)) != KD_OK)
		return r;
	if (lock > 0) {
		lockout_duration(lock, wait, sizeof(wait));
		return kd_err_set(e, KD_ERR_LOCKED, "Too many wrong codes: this "
		    "link is locked for %s. Check the code in the email, then "
		    "try again.", wait);
	}
	return kd_err_set(e, KD_ERR_DENIED, "That code is not right: check the "
	    "code in the activation email (%lld %s left before a pause).",
	    (long long)(lockout_portal.max_failures - fails),
	    lockout_portal.max_failures - fails == 1 ? "try" : "tries");
}

static int
code_right(struct kd_store *st, const struct kd_link *l, const char *name,
    const char *client, struct kd_portal_options *opt, struct kd_err *e)
{
	int r;

	memset(opt, 0, sizeof(*opt));
	opt->type = l->type;
	opt->require_uv = l->settings.verification != KD_VERIFY_PINLESS;
	if ((r = kd_random(opt->challenge, sizeof(opt->challenge))) != KD_OK)
		return kd_err_set(e, r, "no randomness for the challenge");
	if ((r = lockout_clear(st, &lockout_portal, name, e)) != KD_OK ||
	    (r = store_key_user_handle(st, l->key, opt->user_handle,
	    &opt->user_handle_len, e)) != KD_OK ||
	    (r = store_challenge_add(st, l->activation, opt->challenge,
	    sizeof(opt->challenge), kd_now() + PORTAL_CHALLENGE_TTL, e)) != KD_OK)
		return r;
	return code_audit(st, l, client, "activation.code_accepted", "ok", 0, e);
}

int
portal_code_check(struct kd_store *st, const struct kd_config *cfg,
    const char *token, const char *code, const char *client,
    struct kd_link *l, struct kd_portal_options *opt, struct kd_err *e)
{
	struct kd_activation_row a;
	unsigned char h[32];
	int64_t left;
	char name[128], wait[32];
	int r, ok;

	(void)cfg;
	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if ((r = link_lookup(st, token, l, &a, e)) != KD_OK)
		goto fail;
	if (l->state != KD_LINK_OPEN) {
		r = kd_err_set(e, KD_ERR_INVALID, "%s",
		    portal_link_sentence(l->state));
		goto fail;
	}
	lock_name(token, client, name, sizeof(name));
	if ((left = lockout_left(st, &lockout_portal, name)) > 0) {
		lockout_duration(left, wait, sizeof(wait));
		code_audit(st, l, client, "activation.code_rejected", "locked",
		    0, e);
		store_commit(st, e);
		return kd_err_set(e, KD_ERR_LOCKED, "Too many wrong codes: this "
		    "link is locked for %s more.", wait);
	}
	ok = code != NULL && enroll_code_hash(code, h) == KD_OK &&
	    kd_memeq(h, a.code_hash, 32);
	kd_wipe(h, sizeof(h));
	if (!ok) {
		r = code_wrong(st, l, name, client, e);
		/* The count must stick even though the answer is "no". */
		if (r == KD_ERR_DENIED || r == KD_ERR_LOCKED) {
			struct kd_err e2;

			if (store_commit(st, &e2) != KD_OK) {
				store_rollback(st);
				return kd_err_set(e, e2.code, "%s", e2.msg);
			}
			return r;
		}
		goto fail;
	}
	if ((r = code_right(st, l, name, client, opt, e)) != KD_OK ||
	    (r = store_commit(st, e)) != KD_OK)
		goto fail;
	return KD_OK;
fail:
	store_rollback(st);
	return r;
}

/* The stored form of a verified browser credential. */
struct cred_text {
	char	 id[512];
	char	 pk[160];
	char	*cert;
	char	 info[256];
	char	 device[96];
};

static int
cred_text_make(const struct kd_webauthn_cred *c, struct cred_text *t)
{
	size_t n;

	memset(t, 0, sizeof(*t));
	if (c->id_len > 340)
		return KD_ERR_INVALID;
	kd_b64url_encode(c->id, c->id_len, t->id, sizeof(t->id));
	kd_b64url_encode(c->cose_pk, c->cose_pk_len, t->pk, sizeof(t->pk));
	if (c->x5c != NULL && c->x5c_len > 0) {
		n = (c->x5c_len + 2) / 3 * 4 + 1;
		if ((t->cert = malloc(n)) == NULL)
			return KD_ERR_NOMEM;
		kd_b64_encode(c->x5c, c->x5c_len, t->cert, n);
	}
	/* Transports are an unauthenticated hint from the browser; the
	 * parser kept only [a-z-] names, so they are safe in JSON. */
	snprintf(t->info, sizeof(t->info), "{\"via\":\"browser\",\"transports\":"
	    "\"%s\",\"sign_count\":%lu,\"uv\":%s,\"flags\":%u}", c->transports,
	    (unsigned long)c->sign_count, c->uv ? "true" : "false",
	    (unsigned)c->flags);
	snprintf(t->device, sizeof(t->device), "browser(%s)",
	    c->transports[0] ? c->transports : "-");
	return KD_OK;
}

/* Takes the challenge the browser signed: it must be one this link
 * issued, unexpired, and it is used up whatever happens next. */
static int
challenge_take(struct kd_store *st, const char *token,
    const struct kd_webauthn_reg *reg, struct kd_link *l, struct kd_err *e)
{
	int r;

	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if ((r = link_lookup(st, token, l, NULL, e)) != KD_OK)
		goto fail;
	if (l->state != KD_LINK_OPEN) {
		r = kd_err_set(e, KD_ERR_INVALID, "%s",
		    portal_link_sentence(l->state));
		goto fail;
	}
	if (store_challenge_take(st, l->activation, reg->challenge,
	    reg->challenge_len, e) != KD_OK) {
		r = kd_err_set(e, KD_ERR_DENIED, "This page's request has "
		    "expired or was already used. Type the code again and "
		    "retry.");
		goto fail;
	}
	return store_commit(st, e);
fail:
	store_rollback(st);
	return r;
}

int
portal_register(struct kd_store *st, const struct kd_config *cfg,
    const char *token, const char *body, size_t len, const char *client,
    struct kd_link *l, struct kd_err *e)
{
	struct kd_webauthn_reg reg;
	struct kd_webauthn_cred cred;
	struct kd_webauthn_expect ex;
	struct kd_cred_record rec;
	struct cred_text t;
	unsigned char uh[32];
	size_t uh_len = 0;
	char origin[256], actor[160];
	int r;

	memset(&reg, 0, sizeof(reg));
	memset(&cred, 0, sizeof(cred));
	memset(&t, 0, sizeof(t));
	memset(l, 0, sizeof(*l));
	if ((r = portal_origin(cfg->activation_base_url, origin,
	    sizeof(origin))) != KD_OK) {
		r = kd_err_set(e, KD_ERR_CONFIG, "activation.base_url is not an "
		    "http(s) URL");
		goto out;
	}
	/* What the link opens is said before the body is looked at. */
	if ((r = link_lookup(st, token, l, NULL, e)) != KD_OK)
		goto out;
	if (l->state != KD_LINK_OPEN) {
		r = kd_err_set(e, KD_ERR_INVALID, "%s",
		    portal_link_sentence(l->state));
		goto out;
	}
	if ((r = webauthn_reg_parse(body, len, &reg, e)) != KD_OK ||
	    (r = challenge_take(st, token, &reg, l, e)) != KD_OK)
		goto out;
	ex.rp_id = cfg->rp_id;
	ex.origin = origin;
	ex.require_uv = l->settings.verification != KD_VERIFY_PINLESS;
	if ((r = webauthn_reg_verify(&reg, &ex, &cred, e)) != KD_OK)
		goto out;
	if ((r = cred_text_make(&cred, &t)) != KD_OK) {
		r = kd_err_set(e, KD_ERR_INVALID, "the credential is too large");
		goto out;
	}
	if ((r = store_key_user_handle(st, l->key, uh, &uh_len, e)) != KD_OK)
		goto out;
	memset(&rec, 0, sizeof(rec));
	rec.user_handle = uh;
	rec.user_handle_len = uh_len;
	rec.credential_id = t.id;
	rec.public_key = t.pk;
	rec.aaguid = cred.aaguid_hex;
	rec.attestation_fmt = cred.fmt;
	rec.attestation_cert = t.cert;
	rec.authenticator_info = t.info;
	rec.device = t.device;
	snprintf(actor, sizeof(actor), "portal:%.64s", client ? client : "-");
	if ((r = activate_key_commit(st, cfg, l->key, l->activation, &rec, NULL,
	    actor, e)) == KD_OK)
		l->state = KD_LINK_USED;
	else if (r == KD_ERR_EXISTS)
		r = kd_err_set(e, KD_ERR_DENIED, "This security key is already "
		    "registered to an account: use another key.");
out:
	webauthn_reg_clear(&reg);
	webauthn_cred_clear(&cred);
	free(t.cert);
	return r;
}

int
portal_origin(const char *url, char *buf, size_t len)
{
	const char *p, *host, *end;
	char scheme[8], hostport[256];
	size_t n;

	if (url == NULL || (p = strstr(url, "://")) == NULL ||
	    (size_t)(p - url) >= sizeof(scheme))
		return KD_ERR_INVALID;
	n = (size_t)(p - url);
	for (size_t i = 0; i < n; i++)
		scheme[i] = (char)(url[i] >= 'A' && url[i] <= 'Z' ?
		    url[i] + 32 : url[i]);
	scheme[n] = '\0';
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		return KD_ERR_INVALID;
	host = p + 3;
	end = host + strcspn(host, "/?#");
	if (end == host || (size_t)(end - host) >= sizeof(hostport) ||
	    memchr(host, '@', (size_t)(end - host)) != NULL)
		return KD_ERR_INVALID;
	for (n = 0; host + n < end; n++)
		hostport[n] = (char)(host[n] >= 'A' && host[n] <= 'Z' ?
		    host[n] + 32 : host[n]);
	hostport[n] = '\0';
	/* Browsers leave the default port out of an origin. */
	if ((strcmp(scheme, "https") == 0 && n > 4 &&
	    strcmp(hostport + n - 4, ":443") == 0) ||
	    (strcmp(scheme, "http") == 0 && n > 3 &&
	    strcmp(hostport + n - 3, ":80") == 0))
		*strrchr(hostport, ':') = '\0';
	if ((size_t)snprintf(buf, len, "%s://%s", scheme, hostport) >= len)
		return KD_ERR_INVALID;
	return KD_OK;
}
