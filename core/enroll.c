/* Committing the wizard: user, memberships, key, activation, audit row and
 * emails in ONE transaction.  Nothing is written before this. */
#include "core/enroll.h"

#include "core/activate.h"
#include "core/codekey.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mailtext.h"
#include "core/store_int.h"

/* Codes people type: no 0/O, 1/I/L, U; two groups of five. */
static const char code_alphabet[] = "ABCDEFGHJKMNPQRSTVWXYZ23456789";

struct kd_key_settings
enroll_settings(const struct kd_config *cfg, const struct kd_draft *d)
{
	return d->use_defaults ? cfg->defaults[d->type] : d->settings;
}

const char *
enroll_key_noun(enum kd_key_type type)
{
	static const char *noun[] = { "phone", "card", "security key" };

	return (unsigned)type < KD_NELEM(noun) ? noun[type] : "key";
}

void
enroll_key_name(enum kd_key_type type, const char *owner, char *buf,
    size_t len)
{
	snprintf(buf, len, "%.200s's %s", owner, enroll_key_noun(type));
}

int
enroll_secret_new(struct kd_activation_secret *s)
{
	unsigned char raw[64];
	size_t n = 0, i = 32, a = sizeof(code_alphabet) - 1;
	int r;

	/* One draw: 32 bytes of token, the rest for the code. */
	if ((r = kd_random(raw, sizeof(raw))) != KD_OK)
		return r;
	kd_b64url_encode(raw, 32, s->token, sizeof(s->token));
	while (n < 10) {
		if (i == sizeof(raw)) {
			if ((r = kd_random(raw + 32, 32)) != KD_OK)
				goto out;
			i = 32;
		}
		/* Rejection sampling keeps every symbol equally likely. */
		if (raw[i] >= 256 - 256 % a) {
			i++;
			continue;
		}
		s->code[n + (n >= 5)] = code_alphabet[raw[i++] % a];
		n++;
	}
	s->code[5] = '-';
	s->code[11] = '\0';
out:
	kd_wipe(raw, sizeof(raw));
	return r;
}

int
enroll_code_hash(const char *code, unsigned char out[32])
{
	char norm[16];
	size_t n = 0;

	for (; *code != '\0'; code++) {
		if (*code == '-' || *code == ' ')
			continue;
		if (n == 10 || strchr(code_alphabet, toupper((unsigned char)*code)) == NULL ||
		    *code == '\0') {
			kd_wipe(norm, sizeof(norm));
			return KD_ERR_INVALID;
		}
		norm[n++] = (char)toupper((unsigned char)*code);
	}
	if (n != 10) {
		kd_wipe(norm, sizeof(norm));
		return KD_ERR_INVALID;
	}
	codekey_mac(norm, n, out);	/* keyed: the code space is small */
	kd_wipe(norm, sizeof(norm));
	return KD_OK;
}

void
enroll_token_hash(const char *token, unsigned char out[32])
{
	kd_sha256(token, strlen(token), out);
}

static int
add_groups(struct kd_store *st, const struct kd_draft *d, int64_t user,
    const char *actor, struct kd_enroll_result *res, struct kd_err *e)
{
	int64_t gid;
	size_t i;
	int r;

	for (i = 0; i < d->ngroups; i++) {
		r = store_group_find(st, d->groups[i], &gid, e);
		if (r == KD_ERR_NOTFOUND) {
			if ((r = store_group_add(st, d->groups[i], &gid, e)) != KD_OK ||
			    (r = store_audit_add(st, actor, "group.create",
			    d->groups[i], NULL, e)) != KD_OK)
				return r;
			res->groups_created++;
		}
		if (r != KD_OK || (r = store_member_add(st, gid, user, e)) != KD_OK)
			return r;
	}
	return KD_OK;
}

static int
insert_user(struct kd_store *st, const struct kd_draft *d, int64_t *id,
    struct kd_err *e)
{
	struct kd_user u = { 0 };

	/* Checked again here: another kiosk may have taken them meanwhile. */
	if (store_user_id_taken(st, d->user_id, 0) > 0)
		return kd_err_set(e, KD_ERR_EXISTS, "User ID: \"%s\" is already "
		    "taken", d->user_id);
	if (store_username_taken(st, d->username, 0) > 0)
		return kd_err_set(e, KD_ERR_EXISTS, "Username: \"%s\" is already "
		    "taken", d->username);
	u.user_id = (char *)d->user_id;
	u.name = (char *)d->name;
	u.email = (char *)d->email;
	u.username = (char *)d->username;
	return store_user_insert(st, &u, id, e);
}

static int
add_key(struct kd_store *st, const struct kd_config *cfg,
    const struct kd_draft *d, int64_t user, const char *actor,
    const struct kd_cred_record *cred, const char *pin,
    struct kd_enroll_result *res, struct kd_err *e)
{
	struct kd_mail_to to = { d->name, d->email };
	struct kd_key k = { 0 };
	int r;

	k.user = user;
	k.type = d->type;
	k.name = (char *)d->key_name;
	k.status = KD_KS_PENDING;
	k.settings = enroll_settings(cfg, d);
	if ((r = store_key_insert(st, &k, &res->key_id, e)) != KD_OK)
		return r;
	if (cred != NULL) {
		if ((r = activate_key_mark(st, res->key_id, cred, actor, e)) !=
		    KD_OK)
			return r;
		res->key_active = 1;
		if (pin != NULL) {
			if ((r = mailtext_queue_pin(st, cfg, &to, d->key_name,
			    pin, 1, e)) != KD_OK)
				return r;
			res->mails++;
			snprintf(res->mail_kinds, sizeof(res->mail_kinds), "pin");
		}
		return KD_OK;
	}
	/* A smartphone activated now is written as for email: Pending, its
	 * email queued; the screen then shows a link as a QR code. */
	if (d->method != KD_METHOD_EMAIL && !model_now_by_link(d->type))
		return kd_err_set(e, KD_ERR_INVALID, "activate now needs a "
		    "verified credential");
	if ((r = mailtext_queue_activation(st, cfg, &to, res->key_id, e)) !=
	    KD_OK)
		return r;
	res->mails++;
	snprintf(res->mail_kinds, sizeof(res->mail_kinds), "activation");
	return KD_OK;
}

static void
audit_details(const struct kd_config *cfg, const struct kd_draft *d,
    const struct kd_enroll_result *res, char *buf, size_t len)
{
	struct kd_key_settings s = enroll_settings(cfg, d);
	char q[4][512], groups[512];
	size_t o = 0, i;

	groups[0] = '\0';
	for (i = 0; i < d->ngroups && o < sizeof(groups); i++)
		o += (size_t)snprintf(groups + o, sizeof(groups) - o, "%s%s",
		    i ? "," : "", d->groups[i]);
	o = (size_t)snprintf(buf, len, "name=%s email=%s username=%s groups=%s",
	    kd_quote_value(d->name, q[0], sizeof(q[0])),
	    kd_quote_value(d->email, q[1], sizeof(q[1])),
	    kd_quote_value(d->username, q[2], sizeof(q[2])),
	    d->ngroups ? kd_quote_value(groups, q[3], sizeof(q[3])) : "");
	if (d->want_key && o < len)
		snprintf(buf + o, len - o, " key=%lld type=%s status=%s "
		    "verification=%s auditable=%d offline_login=%d "
		    "bluetooth_proximity=%d method=%s", (long long)res->key_id,
		    model_key_type_name(d->type), res->key_active ? "active" :
		    "pending", model_verification_name(s.verification),
		    s.auditable, s.offline_login, s.bluetooth_proximity,
		    d->method == KD_METHOD_NOW ? "now" : "email");
}

int
enroll_commit(struct kd_store *st, const struct kd_config *cfg,
    const struct kd_draft *d, const char *actor,
    const struct kd_cred_record *cred, const char *pin,
    struct kd_enroll_result *res, struct kd_err *e)
{
	char details[2048];
	int64_t user = d->existing_user;
	int r;

	memset(res, 0, sizeof(*res));
	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if (user == 0 && ((r = insert_user(st, d, &user, e)) != KD_OK ||
	    (r = add_groups(st, d, user, actor, res, e)) != KD_OK))
		goto fail;
	if (d->want_key && (r = add_key(st, cfg, d, user, actor, cred, pin,
	    res, e)) != KD_OK)
		goto fail;
	if ((r = store_user_refresh_status(st, user, e)) != KD_OK)
		goto fail;
	audit_details(cfg, d, res, details, sizeof(details));
	if ((r = store_audit_add(st, actor, d->existing_user ? "key.add" :
	    "user.create", d->user_id, details, e)) != KD_OK)
		goto fail;
	if ((r = store_commit(st, e)) != KD_OK)
		goto fail;
	res->user_row = user;
	snprintf(res->user_id, sizeof(res->user_id), "%s", d->user_id);
	if (res->mails > 0)
		snprintf(res->mailed_to, sizeof(res->mailed_to), "%s", d->email);
	return KD_OK;
fail:
	store_rollback(st);
	memset(res, 0, sizeof(*res));
	return r;
}
