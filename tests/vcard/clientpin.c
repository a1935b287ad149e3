/*
 * authenticatorClientPIN (0x06) with PIN/UV auth protocols 1 and 2, as in
 * CTAP 2.1 section 6.5, and the pinUvAuthParam check the other commands
 * use.  Nothing here logs or keeps a PIN: the card stores only
 * LEFT(SHA-256(PIN), 16), and buffers holding PIN material are wiped.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "vcard.h"

#define SUB_GET_RETRIES   0x01
#define SUB_GET_KA        0x02
#define SUB_SET_PIN       0x03
#define SUB_CHANGE_PIN    0x04
#define SUB_GET_TOKEN     0x05
#define SUB_GET_TOKEN_UV  0x06
#define SUB_GET_UV_RETRY  0x07
#define SUB_GET_TOKEN_PERM 0x09

/* Request keys. */
#define K_PROTO   1
#define K_SUB     2
#define K_KA      3
#define K_PARAM   4
#define K_NEWPIN  5
#define K_PINHASH 6
#define K_PERMS   9
#define K_RPID    10

/* Shared secret: protocol 1 one 32-byte key; 2 HMAC key || AES key. */
struct shared {
	int proto;
	uint8_t key[64];
};

static const uint8_t *
ss_aes(const struct shared *ss)
{
	return ss->proto == 1 ? ss->key : ss->key + 32;
}

int
vc_pin_new_ka(struct vcard *vc)
{
	EVP_PKEY_free(vc->s.ka_key);
	vc->s.ka_key = vc_ec_keygen();
	return vc->s.ka_key != NULL ? 0 : -1;
}

/* Forgets the token: earlier tokens stop working. */
void
vc_pin_token_reset(struct vcard *vc)
{
	explicit_bzero(vc->s.token, sizeof(vc->s.token));
	vc->s.token_valid = 0;
	vc->s.token_perms = 0;
	vc->s.token_has_rp = 0;
}

static int
proto_of(const struct vc_field *f, int *proto)
{
	uint64_t v;

	if (f->item == NULL)
		return CTAP2_ERR_MISSING_PARAMETER;
	if (cb_get_uint(f->item, &v) < 0)
		return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
	if (v != 1 && v != 2)
		return CTAP1_ERR_INVALID_PARAMETER;
	*proto = (int)v;
	return CTAP2_OK;
}

/* decapsulate(): ECDH with the platform's COSE key, then the KDF. */
static int
shared_derive(struct vcard *vc, int proto, const cbor_item_t *cose,
    struct shared *ss)
{
	const uint8_t *x, *y;
	size_t xl, yl;
	int64_t kty, crv;
	uint8_t z[32];
	int r = CTAP1_ERR_INVALID_PARAMETER;

	if (cose == NULL)
		return CTAP2_ERR_MISSING_PARAMETER;
	if (!cbor_isa_map(cose))
		return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
	if (cb_get_int(cb_map_get_int(cose, 1), &kty) < 0 || kty != 2 ||
	    cb_get_int(cb_map_get_int(cose, -1), &crv) < 0 || crv != 1 ||
	    cb_get_bytes(cb_map_get_int(cose, -2), &x, &xl) < 0 || xl != 32 ||
	    cb_get_bytes(cb_map_get_int(cose, -3), &y, &yl) < 0 || yl != 32)
		return CTAP1_ERR_INVALID_PARAMETER;
	if (vc->s.ka_key == NULL || vc_ecdh(vc->s.ka_key, x, y, z) < 0)
		goto fail;
	ss->proto = proto;
	if (proto == 1)
		vc_sha256(z, sizeof(z), ss->key);
	else if (vc_hkdf32(z, "CTAP2 HMAC key", ss->key) < 0 ||
	    vc_hkdf32(z, "CTAP2 AES key", ss->key + 32) < 0)
		goto fail;
	r = CTAP2_OK;
fail:
	explicit_bzero(z, sizeof(z));
	return r;
}

/* Protocol 1: zero IV; protocol 2: IV || ciphertext. */
static int
ss_decrypt(const struct shared *ss, const struct vc_field *f, uint8_t *out,
    size_t want)
{
	static const uint8_t zero_iv[16];
	const uint8_t *p;
	size_t n;

	if (f->item == NULL)
		return CTAP2_ERR_MISSING_PARAMETER;
	if (cb_get_bytes(f->item, &p, &n) < 0)
		return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
	if (ss->proto == 1) {
		if (n != want || vc_aes_cbc(0, ss_aes(ss), zero_iv, p, n,
		    out) < 0)
			return CTAP1_ERR_INVALID_PARAMETER;
	} else if (n != want + 16 || vc_aes_cbc(0, ss_aes(ss), p, p + 16,
	    want, out) < 0)
		return CTAP1_ERR_INVALID_PARAMETER;
	return CTAP2_OK;
}

static int
ss_encrypt(const struct shared *ss, const uint8_t *in, size_t n,
    uint8_t *out, size_t *outlen)
{
	static const uint8_t zero_iv[16];

	if (ss->proto == 1) {
		*outlen = n;
		return vc_aes_cbc(1, ss_aes(ss), zero_iv, in, n, out);
	}
	*outlen = n + 16;
	if (vc_rand(out, 16) < 0)
		return -1;
	return vc_aes_cbc(1, ss_aes(ss), out, in, n, out + 16);
}

/* verify(): protocol 1 takes the first 16 bytes of the HMAC, 2 all 32. */
static int
auth_ok(int proto, const uint8_t *key, const uint8_t *msg, size_t mlen,
    const uint8_t *param, size_t plen)
{
	uint8_t mac[32];
	int ok;

	if (plen != (proto == 1 ? 16u : 32u) ||
	    vc_hmac(key, 32, msg, mlen, mac) < 0)
		return 0;
	ok = CRYPTO_memcmp(mac, param, plen) == 0;
	explicit_bzero(mac, sizeof(mac));
	return ok;
}

static int
param_ok(const struct shared *ss, const struct vc_field *param,
    const uint8_t *msg, size_t mlen)
{
	const uint8_t *p;
	size_t n;

	if (cb_get_bytes(param->item, &p, &n) < 0)
		return 0;
	return auth_ok(ss->proto, ss->key, msg, mlen, p, n);
}

/*
 * Checks pinHashEnc against the stored hash, counting retries: the
 * counter drops before the comparison so pulling the card mid-way cannot
 * give free guesses.
 */
static int
pin_hash_check(struct vcard *vc, const struct shared *ss,
    const struct vc_field *f)
{
	uint8_t h[16];
	int r;

	if (f->item == NULL)
		return CTAP2_ERR_MISSING_PARAMETER;
	vc->st.retries--;
	vc_state_save(vc);
	if ((r = ss_decrypt(ss, f, h, sizeof(h))) != CTAP2_OK)
		goto fail;
	if (CRYPTO_memcmp(h, vc->st.pin_hash, sizeof(h)) != 0) {
		vc_pin_new_ka(vc);
		vc->s.mismatches++;
		if (vc->st.retries == 0)
			r = CTAP2_ERR_PIN_BLOCKED;
		else if (vc->s.mismatches >= VC_PIN_MISMATCH)
			r = CTAP2_ERR_PIN_AUTH_BLOCKED;
		else
			r = CTAP2_ERR_PIN_INVALID;
		goto fail;
	}
	vc->st.retries = VC_PIN_RETRIES;
	vc->s.mismatches = 0;
	vc_state_save(vc);
	r = CTAP2_OK;
fail:
	explicit_bzero(h, sizeof(h));
	return r;
}

/* Decrypts newPinEnc and applies the PIN policy; stores on success. */
static int
new_pin_store(struct vcard *vc, const struct shared *ss,
    const struct vc_field *f)
{
	uint8_t padded[64];
	size_t len, i;
	unsigned cp = 0;
	int r;

	if ((r = ss_decrypt(ss, f, padded, sizeof(padded))) != CTAP2_OK)
		goto fail;
	for (len = 0; len < sizeof(padded) && padded[len] != 0; len++)
		;
	for (i = 0; i < len; i++)
		cp += (padded[i] & 0xc0) != 0x80;
	r = CTAP2_ERR_PIN_POLICY_VIOLATION;
	if (len == sizeof(padded) || cp < 4 || cp < vc->st.min_pin)
		goto fail;
	/* forcePINChange: the new PIN must differ from the current one. */
	if (vc->st.force_change && vc->st.pin_set) {
		uint8_t h[32];
		int same;

		vc_sha256(padded, len, h);
		same = CRYPTO_memcmp(h, vc->st.pin_hash, 16) == 0;
		explicit_bzero(h, sizeof(h));
		if (same)
			goto fail;
	}
	vc_state_set_pin(vc, padded, len);
	vc->st.force_change = 0;
	vc_pin_token_reset(vc);
	vc_state_save(vc);
	r = CTAP2_OK;
fail:
	explicit_bzero(padded, sizeof(padded));
	return r;
}

static int
sub_set_pin(struct vcard *vc, const struct vc_req *q, int proto)
{
	struct shared ss;
	const uint8_t *enc;
	size_t enclen;
	int r;

	if (q->f[K_KA].item == NULL || q->f[K_NEWPIN].item == NULL ||
	    q->f[K_PARAM].item == NULL)
		return CTAP2_ERR_MISSING_PARAMETER;
	if (vc->st.pin_set)
		return CTAP2_ERR_NOT_ALLOWED;
	if ((r = shared_derive(vc, proto, q->f[K_KA].item, &ss)) != CTAP2_OK)
		goto fail;
	if (cb_get_bytes(q->f[K_NEWPIN].item, &enc, &enclen) < 0) {
		r = CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
		goto fail;
	}
	if (!param_ok(&ss, &q->f[K_PARAM], enc, enclen)) {
		r = CTAP2_ERR_PIN_AUTH_INVALID;
		goto fail;
	}
	r = new_pin_store(vc, &ss, &q->f[K_NEWPIN]);
fail:
	explicit_bzero(&ss, sizeof(ss));
	return r;
}

static int
sub_change_pin(struct vcard *vc, const struct vc_req *q, int proto)
{
	struct shared ss;
	struct vc_buf msg = { 0 };
	int r;

	if (q->f[K_KA].item == NULL || q->f[K_NEWPIN].item == NULL ||
	    q->f[K_PINHASH].item == NULL || q->f[K_PARAM].item == NULL)
		return CTAP2_ERR_MISSING_PARAMETER;
	if (!vc->st.pin_set)
		return CTAP2_ERR_PIN_NOT_SET;
	if (vc->st.retries == 0)
		return CTAP2_ERR_PIN_BLOCKED;
	if (vc->s.mismatches >= VC_PIN_MISMATCH)
		return CTAP2_ERR_PIN_AUTH_BLOCKED;
	if ((r = shared_derive(vc, proto, q->f[K_KA].item, &ss)) != CTAP2_OK)
		goto fail;
	/* pinUvAuthParam covers newPinEnc || pinHashEnc, as bytes. */
	if (!cbor_isa_bytestring(q->f[K_NEWPIN].item) ||
	    !cbor_isa_bytestring(q->f[K_PINHASH].item)) {
		r = CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
		goto fail;
	}
	if (vc_buf_add(&msg, cbor_bytestring_handle(q->f[K_NEWPIN].item),
	    cbor_bytestring_length(q->f[K_NEWPIN].item)) < 0 ||
	    vc_buf_add(&msg, cbor_bytestring_handle(q->f[K_PINHASH].item),
	    cbor_bytestring_length(q->f[K_PINHASH].item)) < 0) {
		r = CTAP1_ERR_OTHER;
		goto fail;
	}
	if (!param_ok(&ss, &q->f[K_PARAM], msg.ptr, msg.len)) {
		r = CTAP2_ERR_PIN_AUTH_INVALID;
		goto fail;
	}
	if ((r = pin_hash_check(vc, &ss, &q->f[K_PINHASH])) != CTAP2_OK)
		goto fail;
	r = new_pin_store(vc, &ss, &q->f[K_NEWPIN]);
fail:
	vc_buf_free(&msg);
	explicit_bzero(&ss, sizeof(ss));
	return r;
}

/* Issues a fresh token, encrypted to the platform: {2: enc}. */
static int
token_issue(struct vcard *vc, const struct shared *ss, uint8_t perms,
    const char *rp, size_t rplen, struct vc_buf *out)
{
	cbor_item_t *m = NULL;
	uint8_t enc[VC_TOKEN_LEN + 16];
	size_t enclen;
	int r = CTAP1_ERR_OTHER;

	vc_pin_token_reset(vc);
	if (vc_rand(vc->s.token, sizeof(vc->s.token)) < 0 ||
	    ss_encrypt(ss, vc->s.token, sizeof(vc->s.token), enc,
	    &enclen) < 0)
		goto fail;
	vc->s.token_valid = 1;
	vc->s.token_proto = ss->proto;
	vc->s.token_perms = perms;
	if (rp != NULL) {
		vc_sha256(rp, rplen, vc->s.token_rp);
		vc->s.token_has_rp = 1;
	}
	if ((m = cbor_new_definite_map(1)) == NULL ||
	    cb_put(m, cb_uint(2), cb_bytes(enc, enclen)) < 0 ||
	    cb_finish(&m, CTAP2_OK, out) < 0)
		goto fail;
	r = CTAP2_OK;
fail:
	if (m != NULL)
		cbor_decref(&m);
	explicit_bzero(enc, sizeof(enc));
	return r;
}

/* getPinToken (0x05) and getPinUvAuthTokenUsingPinWithPermissions. */
static int
sub_get_token(struct vcard *vc, const struct vc_req *q, int proto, int sub,
    struct vc_buf *out)
{
	struct shared ss;
	const char *rp = NULL;
	size_t rplen = 0;
	uint64_t perms = VC_PERM_MC | VC_PERM_GA;
	int r;

	if (q->f[K_KA].item == NULL || q->f[K_PINHASH].item == NULL)
		return CTAP2_ERR_MISSING_PARAMETER;
	if (sub == SUB_GET_TOKEN_PERM) {
		if (q->f[K_PERMS].item == NULL)
			return CTAP2_ERR_MISSING_PARAMETER;
		if (cb_get_uint(q->f[K_PERMS].item, &perms) < 0 ||
		    (q->f[K_RPID].item != NULL &&
		    cb_get_text(q->f[K_RPID].item, &rp, &rplen) < 0))
			return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
		if (perms == 0)
			return CTAP1_ERR_INVALID_PARAMETER;
		if (perms & ~(uint64_t)(VC_PERM_MC | VC_PERM_GA | VC_PERM_ACFG))
			return CTAP2_ERR_UNAUTHORIZED_PERM;
	} else if (q->f[K_PERMS].item != NULL || q->f[K_RPID].item != NULL)
		return CTAP1_ERR_INVALID_PARAMETER;
	if (!vc->st.pin_set)
		return CTAP2_ERR_PIN_NOT_SET;
	if (vc->st.retries == 0)
		return CTAP2_ERR_PIN_BLOCKED;
	if (vc->s.mismatches >= VC_PIN_MISMATCH)
		return CTAP2_ERR_PIN_AUTH_BLOCKED;
	if ((r = shared_derive(vc, proto, q->f[K_KA].item, &ss)) != CTAP2_OK)
		goto fail;
	if ((r = pin_hash_check(vc, &ss, &q->f[K_PINHASH])) != CTAP2_OK)
		goto fail;
	/* The PIN was right, but it must be changed before any use. */
	if (vc->st.force_change) {
		r = CTAP2_ERR_PIN_POLICY_VIOLATION;
		goto fail;
	}
	r = token_issue(vc, &ss, (uint8_t)perms, rp, rplen, out);
fail:
	explicit_bzero(&ss, sizeof(ss));
	return r;
}

static int
sub_get_ka(struct vcard *vc, struct vc_buf *out)
{
	cbor_item_t *m = NULL;
	uint8_t x[32], y[32];
	int r = CTAP1_ERR_OTHER;

	if (vc->s.ka_key == NULL && vc_pin_new_ka(vc) < 0)
		goto fail;
	if (vc_ec_pub(vc->s.ka_key, x, y) < 0)
		goto fail;
	/* alg -25 (ECDH-ES+HKDF-256), though not what is really used. */
	if ((m = cbor_new_definite_map(1)) == NULL ||
	    cb_put(m, cb_uint(1), cb_cose_es256(x, y, -25)) < 0 ||
	    cb_finish(&m, CTAP2_OK, out) < 0)
		goto fail;
	r = CTAP2_OK;
fail:
	if (m != NULL)
		cbor_decref(&m);
	return r;
}

static int
sub_get_retries(struct vcard *vc, struct vc_buf *out)
{
	cbor_item_t *m;

	if ((m = cbor_new_definite_map(2)) == NULL ||
	    cb_put(m, cb_uint(3), cb_uint(vc->st.retries)) < 0 ||
	    cb_put(m, cb_uint(4),
	    cbor_build_bool(vc->s.mismatches >= VC_PIN_MISMATCH)) < 0 ||
	    cb_finish(&m, CTAP2_OK, out) < 0) {
		if (m != NULL)
			cbor_decref(&m);
		return CTAP1_ERR_OTHER;
	}
	return CTAP2_OK;
}

static int
client_pin_sub(struct vcard *vc, const struct vc_req *q, uint64_t sub,
    struct vc_buf *out)
{
	int proto = 0, r;

	if (sub == SUB_GET_RETRIES) {
		/* The protocol is optional here, but must be known if sent. */
		if (q->f[K_PROTO].item != NULL &&
		    (r = proto_of(&q->f[K_PROTO], &proto)) != CTAP2_OK)
			return r;
		return sub_get_retries(vc, out);
	}
	if (sub == SUB_GET_TOKEN_UV || sub == SUB_GET_UV_RETRY ||
	    sub == 0 || sub > SUB_GET_TOKEN_PERM || sub == 0x08)
		return CTAP2_ERR_INVALID_SUBCOMMAND; /* no built-in UV */
	if ((r = proto_of(&q->f[K_PROTO], &proto)) != CTAP2_OK)
		return r;
	switch (sub) {
	case SUB_GET_KA:
		return sub_get_ka(vc, out);
	case SUB_SET_PIN:
		return sub_set_pin(vc, q, proto);
	case SUB_CHANGE_PIN:
		return sub_change_pin(vc, q, proto);
	default:
		return sub_get_token(vc, q, proto, (int)sub, out);
	}
}

int
vc_client_pin(struct vcard *vc, const uint8_t *p, size_t n,
    struct vc_buf *out)
{
	struct vc_req q;
	uint64_t sub;
	int r;

	if ((r = vc_req_parse(p, n, &q)) != CTAP2_OK)
		return r;
	if (q.f[K_SUB].item == NULL)
		r = CTAP2_ERR_MISSING_PARAMETER;
	else if (cb_get_uint(q.f[K_SUB].item, &sub) < 0)
		r = CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
	else
		r = client_pin_sub(vc, &q, sub, out);
	vc_req_free(&q);
	return r;
}

/*
 * The pinUvAuthParam check of makeCredential, getAssertion and
 * authenticatorConfig: verify(token, msg) with the token's permission
 * 'perm' and, when rp_hash is given, its RP binding (a token without one
 * gets bound to this RP).  On success *uv = 1.
 */
int
vc_pin_check_param(struct vcard *vc, const struct vc_field *param,
    const struct vc_field *proto_f, const uint8_t *msg, size_t mlen,
    uint8_t perm, const uint8_t *rp_hash, int *uv)
{
	const uint8_t *p;
	size_t n;
	int proto, r;

	*uv = 0;
	if (cb_get_bytes(param->item, &p, &n) < 0)
		return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
	/* Zero-length pinUvAuthParam: a platform asking "is a PIN set?". */
	if (n == 0)
		return vc->st.pin_set ? CTAP2_ERR_PIN_INVALID :
		    CTAP2_ERR_PIN_NOT_SET;
	if ((r = proto_of(proto_f, &proto)) != CTAP2_OK)
		return r;
	if (!vc->s.token_valid || proto != vc->s.token_proto ||
	    !auth_ok(proto, vc->s.token, msg, mlen, p, n))
		return CTAP2_ERR_PIN_AUTH_INVALID;
	if ((vc->s.token_perms & perm) == 0)
		return CTAP2_ERR_PIN_AUTH_INVALID;
	if (rp_hash != NULL) {
		if (vc->s.token_has_rp &&
		    memcmp(vc->s.token_rp, rp_hash, 32) != 0)
			return CTAP2_ERR_PIN_AUTH_INVALID;
		memcpy(vc->s.token_rp, rp_hash, 32);
		vc->s.token_has_rp = 1;
	}
	*uv = 1;
	return CTAP2_OK;
}
