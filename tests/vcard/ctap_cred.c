/*
 * authenticatorMakeCredential (0x01), authenticatorGetAssertion (0x02)
 * and authenticatorGetNextAssertion (0x08), following the step lists of
 * CTAP 2.1 sections 6.1-6.3 for an authenticator with clientPin, no
 * built-in UV, ES256 only, and user presence given by the tap itself.
 */
#include <stdlib.h>
#include <string.h>

#include "vcard.h"

#define FLAG_UP 0x01
#define FLAG_UV 0x04
#define FLAG_AT 0x40

#define NEXT_ASSERT_MS 30000 /* getNextAssertion window */

struct mc_args {
	const uint8_t *cdh;
	size_t cdh_len;
	const char *rp_id;
	size_t rp_id_len;
	uint8_t rp_hash[32];
	const uint8_t *uid;
	size_t uid_len;
	const char *name, *display;
	size_t name_len, display_len;
	int rk;
};

/* Copies text, cut to VC_NAME_MAX bytes on a UTF-8 boundary. */
static void
name_copy(char dst[VC_NAME_MAX + 1], const char *s, size_t n)
{
	if (s == NULL)
		n = 0;
	if (n > VC_NAME_MAX) {
		n = VC_NAME_MAX;
		while (n > 0 && ((uint8_t)s[n] & 0xc0) == 0x80)
			n--;
	}
	if (n > 0)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

static int
get_bool_opt(const cbor_item_t *opts, const char *key, int *v)
{
	const cbor_item_t *it;

	if ((it = cb_map_get(opts, key)) == NULL)
		return CTAP2_OK;
	return cb_get_bool(it, v) < 0 ? CTAP2_ERR_CBOR_UNEXPECTED_TYPE :
	    CTAP2_OK;
}

/* A credential descriptor {"id": bytes, "type": text}. */
static int
descriptor(const cbor_item_t *d, const uint8_t **id, size_t *len,
    int *pubkey)
{
	if (!cbor_isa_map(d) || cb_get_bytes(cb_map_get(d, "id"), id,
	    len) < 0 || !cbor_isa_string(cb_map_get(d, "type")))
		return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
	*pubkey = cb_text_eq(cb_map_get(d, "type"), "public-key");
	return CTAP2_OK;
}

static int
mc_entities(const struct vc_req *q, struct mc_args *a)
{
	const cbor_item_t *rp = q->f[2].item, *user = q->f[3].item, *it;

	if (q->f[1].item == NULL || rp == NULL || user == NULL ||
	    q->f[4].item == NULL)
		return CTAP2_ERR_MISSING_PARAMETER;
	if (cb_get_bytes(q->f[1].item, &a->cdh, &a->cdh_len) < 0 ||
	    !cbor_isa_map(rp) || !cbor_isa_map(user) ||
	    !cbor_isa_array(q->f[4].item))
		return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
	if ((it = cb_map_get(rp, "id")) == NULL ||
	    cb_map_get(user, "id") == NULL)
		return CTAP2_ERR_MISSING_PARAMETER;
	if (cb_get_text(it, &a->rp_id, &a->rp_id_len) < 0 ||
	    cb_get_bytes(cb_map_get(user, "id"), &a->uid, &a->uid_len) < 0)
		return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
	if (a->uid_len > VC_USER_ID_MAX || a->cdh_len != 32)
		return CTAP1_ERR_INVALID_LENGTH;
	if (((it = cb_map_get(user, "name")) != NULL &&
	    cb_get_text(it, &a->name, &a->name_len) < 0) ||
	    ((it = cb_map_get(user, "displayName")) != NULL &&
	    cb_get_text(it, &a->display, &a->display_len) < 0))
		return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
	vc_sha256(a->rp_id, a->rp_id_len, a->rp_hash);
	return CTAP2_OK;
}

static int
mc_alg(const cbor_item_t *params)
{
	cbor_item_t **v = cbor_array_handle(params);
	size_t i, n = cbor_array_size(params);
	int64_t alg;
	int found = 0;

	for (i = 0; i < n; i++) {
		if (!cbor_isa_map(v[i]) ||
		    !cbor_isa_string(cb_map_get(v[i], "type")) ||
		    cb_get_int(cb_map_get(v[i], "alg"), &alg) < 0)
			return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
		if (alg == -7 && cb_text_eq(cb_map_get(v[i], "type"),
		    "public-key"))
			found = 1;
	}
	return found ? CTAP2_OK : CTAP2_ERR_UNSUPPORTED_ALG;
}

/* Options; "uv" is ignored when pinUvAuthParam is present. */
static int
parse_options(const cbor_item_t *opts, int has_param, int mc, int *rk,
    int *up)
{
	int uv = 0, r;

	if (opts == NULL)
		return CTAP2_OK;
	if (!cbor_isa_map(opts))
		return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
	if ((r = get_bool_opt(opts, "rk", rk)) != CTAP2_OK ||
	    (r = get_bool_opt(opts, "up", up)) != CTAP2_OK ||
	    (r = get_bool_opt(opts, "uv", &uv)) != CTAP2_OK)
		return r;
	if (!mc && cb_map_get(opts, "rk") != NULL)
		return CTAP2_ERR_UNSUPPORTED_OPTION;
	if (mc && !*up)
		return CTAP2_ERR_INVALID_OPTION;
	if (uv && !has_param)
		return CTAP2_ERR_INVALID_OPTION; /* no built-in UV */
	return CTAP2_OK;
}

static int
mc_excluded(struct vcard *vc, const cbor_item_t *list, const uint8_t *rp)
{
	cbor_item_t **v;
	const uint8_t *id;
	uint8_t d[32];
	size_t i, n, len;
	int pk, r, hit = 0;

	if (list == NULL)
		return CTAP2_OK;
	if (!cbor_isa_array(list))
		return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
	v = cbor_array_handle(list);
	n = cbor_array_size(list);
	for (i = 0; i < n; i++) {
		if ((r = descriptor(v[i], &id, &len, &pk)) != CTAP2_OK)
			return r;
		if (pk && vc_cred_unwrap(vc->st.wrap_key, rp, id, len, d) == 0)
			hit = 1;
	}
	explicit_bzero(d, sizeof(d));
	return hit ? CTAP2_ERR_CREDENTIAL_EXCLUDED : CTAP2_OK;
}

static int
auth_data(struct vc_buf *ad, const uint8_t rp[32], uint8_t flags,
    uint32_t count)
{
	uint8_t c[4] = { (uint8_t)(count >> 24), (uint8_t)(count >> 16),
	    (uint8_t)(count >> 8), (uint8_t)count };

	if (vc_buf_add(ad, rp, 32) < 0 || vc_buf_add(ad, &flags, 1) < 0 ||
	    vc_buf_add(ad, c, 4) < 0)
		return -1;
	return 0;
}

/* aaguid || L || credentialId || COSE key */
static int
attested_data(struct vc_buf *ad, const uint8_t id[VC_CRED_ID_LEN],
    EVP_PKEY *pk)
{
	cbor_item_t *cose = NULL;
	unsigned char *p = NULL;
	uint8_t x[32], y[32], l[2] = { 0, VC_CRED_ID_LEN };
	size_t cap = 0, n;
	int ok = -1;

	if (vc_ec_pub(pk, x, y) < 0 ||
	    (cose = cb_cose_es256(x, y, -7)) == NULL ||
	    (n = cbor_serialize_alloc(cose, &p, &cap)) == 0)
		goto fail;
	if (vc_buf_add(ad, vc_aaguid, 16) < 0 || vc_buf_add(ad, l, 2) < 0 ||
	    vc_buf_add(ad, id, VC_CRED_ID_LEN) < 0 ||
	    vc_buf_add(ad, p, n) < 0)
		goto fail;
	ok = 0;
fail:
	if (cose != NULL)
		cbor_decref(&cose);
	free(p);
	return ok;
}

/* Packed self attestation: no x5c, signed with the credential key. */
static int
mc_response(struct vcard *vc, const struct mc_args *a, EVP_PKEY *pk,
    const uint8_t id[VC_CRED_ID_LEN], uint8_t flags, struct vc_buf *out)
{
	struct vc_buf ad = { 0 };
	cbor_item_t *m = NULL, *st = NULL;
	uint8_t sig[80];
	size_t siglen = sizeof(sig);
	int r = CTAP1_ERR_OTHER;

	vc->st.sign_count++;
	if (auth_data(&ad, a->rp_hash, flags, vc->st.sign_count) < 0 ||
	    attested_data(&ad, id, pk) < 0 ||
	    vc_ec_sign(pk, ad.ptr, ad.len, a->cdh, a->cdh_len, sig,
	    &siglen) < 0)
		goto fail;
	if ((st = cbor_new_definite_map(2)) == NULL ||
	    cb_put(st, cb_text("alg"), cb_int(-7)) < 0 ||
	    cb_put(st, cb_text("sig"), cb_bytes(sig, siglen)) < 0)
		goto fail;
	if ((m = cbor_new_definite_map(3)) == NULL ||
	    cb_put(m, cb_uint(1), cb_text("packed")) < 0 ||
	    cb_put(m, cb_uint(2), cb_bytes(ad.ptr, ad.len)) < 0 ||
	    cb_put(m, cb_uint(3), st) < 0) {
		st = NULL;
		goto fail;
	}
	st = NULL;
	if (cb_finish(&m, CTAP2_OK, out) < 0)
		goto fail;
	r = CTAP2_OK;
fail:
	if (st != NULL)
		cbor_decref(&st);
	if (m != NULL)
		cbor_decref(&m);
	vc_buf_free(&ad);
	return r;
}

static int
mc_store(struct vcard *vc, const struct mc_args *a,
    const uint8_t id[VC_CRED_ID_LEN])
{
	struct vc_cred *c;

	/* Same RP and user: the new credential replaces the old one. */
	if ((c = vc_slot_for_user(vc, a->rp_hash, a->uid, a->uid_len)) == NULL &&
	    (c = vc_slot_alloc(vc)) == NULL)
		return CTAP2_ERR_KEY_STORE_FULL;
	memset(c, 0, sizeof(*c));
	c->used = 1;
	c->serial = ++vc->st.next_serial;
	memcpy(c->id, id, VC_CRED_ID_LEN);
	memcpy(c->rp_hash, a->rp_hash, 32);
	memcpy(c->user_id, a->uid, a->uid_len);
	c->user_id_len = a->uid_len;
	name_copy(c->user_name, a->name, a->name_len);
	name_copy(c->display_name, a->display, a->display_len);
	return CTAP2_OK;
}

static int
mc_run(struct vcard *vc, const struct vc_req *q, struct vc_buf *out)
{
	struct mc_args a;
	EVP_PKEY *pk = NULL;
	uint8_t id[VC_CRED_ID_LEN], d[32];
	int up = 1, uv = 0, r, has_param = q->f[8].item != NULL;

	memset(&a, 0, sizeof(a));
	if (has_param && cbor_isa_bytestring(q->f[8].item) &&
	    cbor_bytestring_length(q->f[8].item) == 0)
		return vc_pin_check_param(vc, &q->f[8], &q->f[9], NULL, 0, 0,
		    NULL, &uv);
	if ((r = mc_entities(q, &a)) != CTAP2_OK ||
	    (r = mc_alg(q->f[4].item)) != CTAP2_OK ||
	    (r = parse_options(q->f[7].item, has_param, 1, &a.rk,
	    &up)) != CTAP2_OK)
		return r;
	if (q->f[10].item != NULL)
		return CTAP1_ERR_INVALID_PARAMETER; /* no enterprise att. */
	if (!has_param && vc->st.pin_set)
		return CTAP2_ERR_PUAT_REQUIRED;
	if (has_param && (r = vc_pin_check_param(vc, &q->f[8], &q->f[9],
	    a.cdh, a.cdh_len, VC_PERM_MC, a.rp_hash, &uv)) != CTAP2_OK)
		return r;
	if ((r = mc_excluded(vc, q->f[5].item, a.rp_hash)) != CTAP2_OK)
		return r;
	/* User presence is the tap; a used token loses its permissions. */
	if (has_param)
		vc->s.token_perms = 0;
	r = CTAP1_ERR_OTHER;
	if ((pk = vc_ec_keygen()) == NULL || vc_ec_priv(pk, d) < 0 ||
	    vc_cred_wrap(vc->st.wrap_key, a.rp_hash, d, id) < 0)
		goto fail;
	if (a.rk && (r = mc_store(vc, &a, id)) != CTAP2_OK)
		goto fail;
	r = mc_response(vc, &a, pk, id, FLAG_UP | (uv ? FLAG_UV : 0) |
	    FLAG_AT, out);
	vc_state_save(vc);
fail:
	explicit_bzero(d, sizeof(d));
	EVP_PKEY_free(pk);
	return r;
}

int
vc_make_credential(struct vcard *vc, const uint8_t *p, size_t n,
    struct vc_buf *out)
{
	struct vc_req q;
	int r;

	if ((r = vc_req_parse(p, n, &q)) != CTAP2_OK)
		return r;
	r = mc_run(vc, &q, out);
	vc_req_free(&q);
	return r;
}

static cbor_item_t *
user_entity(const struct vc_cred *c, int uv)
{
	cbor_item_t *u;
	int bad = 0;

	if ((u = cbor_new_definite_map(3)) == NULL)
		return NULL;
	bad |= cb_put(u, cb_text("id"), cb_bytes(c->user_id,
	    c->user_id_len));
	/* Names identify the user: only after user verification. */
	if (uv && c->user_name[0] != '\0')
		bad |= cb_put(u, cb_text("name"), cb_text(c->user_name));
	if (uv && c->display_name[0] != '\0')
		bad |= cb_put(u, cb_text("displayName"),
		    cb_text(c->display_name));
	if (bad)
		cbor_decref(&u);
	return u;
}

/* One assertion: {1: cred, 2: authData, 3: sig, 4: user, 5: count}. */
static int
ga_response(struct vcard *vc, const uint8_t *id, const uint8_t rp[32],
    const struct vc_cred *slot, uint8_t flags, const uint8_t *cdh,
    size_t cdh_len, size_t count, struct vc_buf *out)
{
	struct vc_buf ad = { 0 };
	cbor_item_t *m = NULL, *desc = NULL;
	EVP_PKEY *pk = NULL;
	uint8_t d[32], sig[80];
	size_t siglen = sizeof(sig);
	int r = CTAP1_ERR_OTHER;

	vc->st.sign_count++;
	if (vc_cred_unwrap(vc->st.wrap_key, rp, id, VC_CRED_ID_LEN, d) < 0 ||
	    (pk = vc_ec_from_priv(d)) == NULL ||
	    auth_data(&ad, rp, flags, vc->st.sign_count) < 0 ||
	    vc_ec_sign(pk, ad.ptr, ad.len, cdh, cdh_len, sig, &siglen) < 0)
		goto fail;
	if ((desc = cbor_new_definite_map(2)) == NULL ||
	    cb_put(desc, cb_text("id"), cb_bytes(id, VC_CRED_ID_LEN)) < 0 ||
	    cb_put(desc, cb_text("type"), cb_text("public-key")) < 0 ||
	    (m = cbor_new_definite_map(5)) == NULL)
		goto fail;
	if (cb_put(m, cb_uint(1), desc) < 0) {
		desc = NULL;
		goto fail;
	}
	desc = NULL;
	if (cb_put(m, cb_uint(2), cb_bytes(ad.ptr, ad.len)) < 0 ||
	    cb_put(m, cb_uint(3), cb_bytes(sig, siglen)) < 0 ||
	    (slot != NULL && cb_put(m, cb_uint(4), user_entity(slot,
	    (flags & FLAG_UV) != 0)) < 0) ||
	    (count > 1 && cb_put(m, cb_uint(5), cb_uint(count)) < 0) ||
	    cb_finish(&m, CTAP2_OK, out) < 0)
		goto fail;
	vc_state_save(vc);
	r = CTAP2_OK;
fail:
	explicit_bzero(d, sizeof(d));
	EVP_PKEY_free(pk);
	if (desc != NULL)
		cbor_decref(&desc);
	if (m != NULL)
		cbor_decref(&m);
	vc_buf_free(&ad);
	return r;
}

/* First allowList entry that is ours for this RP, or NULL. */
static const uint8_t *
ga_allowed(struct vcard *vc, const cbor_item_t *list, const uint8_t rp[32],
    int *r)
{
	cbor_item_t **v = cbor_array_handle(list);
	const uint8_t *id, *found = NULL;
	uint8_t d[32];
	size_t i, n = cbor_array_size(list), len;
	int pk;

	*r = CTAP2_OK;
	for (i = 0; i < n; i++) {
		if ((*r = descriptor(v[i], &id, &len, &pk)) != CTAP2_OK)
			return NULL;
		if (found == NULL && pk &&
		    vc_cred_unwrap(vc->st.wrap_key, rp, id, len, d) == 0)
			found = id;
	}
	explicit_bzero(d, sizeof(d));
	return found;
}

static int
ga_run(struct vcard *vc, const struct vc_req *q, struct vc_buf *out)
{
	const uint8_t *cdh, *id = NULL;
	const char *rp_id;
	const cbor_item_t *list = q->f[3].item;
	uint8_t rp[32], flags;
	size_t cdh_len, rp_len, n = 0;
	int rk = 0, up = 1, uv = 0, r, has_param = q->f[6].item != NULL;
	int *idx = vc->s.next_slot;

	if (has_param && cbor_isa_bytestring(q->f[6].item) &&
	    cbor_bytestring_length(q->f[6].item) == 0)
		return vc_pin_check_param(vc, &q->f[6], &q->f[7], NULL, 0, 0,
		    NULL, &uv);
	if (q->f[1].item == NULL || q->f[2].item == NULL)
		return CTAP2_ERR_MISSING_PARAMETER;
	if (cb_get_text(q->f[1].item, &rp_id, &rp_len) < 0 ||
	    cb_get_bytes(q->f[2].item, &cdh, &cdh_len) < 0 ||
	    (list != NULL && !cbor_isa_array(list)))
		return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
	if (cdh_len != sizeof(vc->s.next_cdh))
		return CTAP1_ERR_INVALID_LENGTH;
	if ((r = parse_options(q->f[5].item, has_param, 0, &rk,
	    &up)) != CTAP2_OK)
		return r;
	vc_sha256(rp_id, rp_len, rp);
	if (has_param && (r = vc_pin_check_param(vc, &q->f[6], &q->f[7], cdh,
	    cdh_len, VC_PERM_GA, rp, &uv)) != CTAP2_OK)
		return r;
	if (list != NULL && cbor_array_size(list) > 0) {
		if ((id = ga_allowed(vc, list, rp, &r)) == NULL)
			return r != CTAP2_OK ? r : CTAP2_ERR_NO_CREDENTIALS;
	} else if ((n = vc_slots_for_rp(vc, rp, idx, VC_SLOTS)) == 0)
		return CTAP2_ERR_NO_CREDENTIALS;
	if (has_param && up)
		vc->s.token_perms = 0;
	flags = (up ? FLAG_UP : 0) | (uv ? FLAG_UV : 0);
	if (id != NULL)
		return ga_response(vc, id, rp, vc_slot_find(vc, id,
		    VC_CRED_ID_LEN), flags, cdh, cdh_len, 1, out);
	if ((r = ga_response(vc, vc->st.creds[idx[0]].id, rp,
	    &vc->st.creds[idx[0]], flags, cdh, cdh_len, n, out)) != CTAP2_OK)
		return r;
	if (n > 1) {
		vc->s.next_active = 1;
		vc->s.next_n = n;
		vc->s.next_pos = 1;
		memcpy(vc->s.next_cdh, cdh, cdh_len);
		vc->s.next_cdh_len = cdh_len;
		vc->s.next_flags = flags;
		vc_now(&vc->s.next_at);
	}
	return CTAP2_OK;
}

int
vc_get_assertion(struct vcard *vc, const uint8_t *p, size_t n,
    struct vc_buf *out)
{
	struct vc_req q;
	int r;

	vc->s.next_active = 0;
	if ((r = vc_req_parse(p, n, &q)) != CTAP2_OK)
		return r;
	r = ga_run(vc, &q, out);
	vc_req_free(&q);
	return r;
}

int
vc_get_next_assertion(struct vcard *vc, struct vc_buf *out)
{
	struct vc_cred *c;
	int r;

	if (!vc->s.next_active || vc->s.next_pos >= vc->s.next_n ||
	    vc_ms_since(&vc->s.next_at) > NEXT_ASSERT_MS) {
		vc->s.next_active = 0;
		return CTAP2_ERR_NOT_ALLOWED;
	}
	c = &vc->st.creds[vc->s.next_slot[vc->s.next_pos++]];
	if (!c->used) {
		vc->s.next_active = 0;
		return CTAP2_ERR_NOT_ALLOWED;
	}
	r = ga_response(vc, c->id, c->rp_hash, c, vc->s.next_flags,
	    vc->s.next_cdh, vc->s.next_cdh_len, 0, out);
	vc_now(&vc->s.next_at);
	return r;
}
