/* The CBOR half of a WebAuthn registration: the attestation object split
 * into fmt, authData and attStmt (libcbor), and authenticator data taken
 * apart by hand.  Every byte here came from a browser: lengths are checked
 * before anything is read, and libcbor only sees input that a small
 * well-formedness walk has already bounded.  Fuzzed by
 * tests/fuzz/fuzz_webauthn_att.c. */
#include "core/webauthn_int.h"

#include <cbor.h>
#include <stdlib.h>
#include <string.h>

/* One CBOR head: major type, argument, and its length in bytes.
 * Indefinite lengths, "break" and the reserved values are refused: CTAP2
 * canonical CBOR has none, and refusing them keeps the walk simple. */
static int
cbor_head(const unsigned char *p, size_t n, int *major, uint64_t *arg,
    size_t *hlen)
{
	unsigned ai;
	size_t k;

	if (n < 1)
		return -1;
	*major = p[0] >> 5;
	ai = p[0] & 0x1f;
	if (ai < 24) {
		*arg = ai;
		*hlen = 1;
		return 0;
	}
	if (ai > 27)
		return -1;
	*hlen = 1 + ((size_t)1 << (ai - 24));	/* 1, 2, 4 or 8 bytes */
	if (n < *hlen)
		return -1;
	*arg = 0;
	for (k = 1; k < *hlen; k++)
		*arg = *arg << 8 | p[k];
	return 0;
}

int
wa_cbor_item_len(const unsigned char *p, size_t n, size_t *used)
{
	uint64_t pending[WA_CBOR_DEPTH], arg;
	size_t off = 0, hlen, left;
	int depth = 0, major;

	pending[0] = 1;
	while (depth >= 0) {
		if (pending[depth] == 0) {
			depth--;
			continue;
		}
		pending[depth]--;
		if (cbor_head(p + off, n - off, &major, &arg, &hlen) < 0)
			return -1;
		off += hlen;
		left = n - off;
		switch (major) {
		case 2:		/* byte string */
		case 3:		/* text string */
			if (arg > left)
				return -1;
			off += (size_t)arg;
			break;
		case 4:		/* array: every item takes at least a byte */
		case 5:		/* map: two items per entry */
			if (arg > (major == 4 ? left : left / 2))
				return -1;
			if (arg == 0)
				break;
			if (depth + 1 == WA_CBOR_DEPTH)
				return -1;
			pending[++depth] = major == 4 ? arg : 2 * arg;
			break;
		case 6:		/* tag: one more item at this level */
			pending[depth]++;
			break;
		default:	/* integers, simple values, floats */
			break;
		}
	}
	*used = off;
	return 0;
}

/* A definite text string equal to `name`. */
static int
key_is(const cbor_item_t *k, const char *name)
{
	size_t len = strlen(name);

	return cbor_isa_string(k) && cbor_string_is_definite(k) &&
	    cbor_string_length(k) == len &&
	    memcmp(cbor_string_handle(k), name, len) == 0;
}

/* One entry of the attestation object into its slot. */
static int
att_take(const struct cbor_pair *kv, const cbor_item_t **fmt,
    const cbor_item_t **ad, const cbor_item_t **st, struct kd_err *err)
{
	const cbor_item_t **slot;
	const char *name;

	if (!cbor_isa_string(kv->key))
		return kd_err_set(err, KD_ERR_INVALID,
		    "the attestation object has a key that is not text");
	if (key_is(kv->key, "fmt")) {
		slot = fmt, name = "fmt";
		if (!cbor_isa_string(kv->value) ||
		    !cbor_string_is_definite(kv->value))
			goto type;
	} else if (key_is(kv->key, "authData")) {
		slot = ad, name = "authData";
		if (!cbor_isa_bytestring(kv->value) ||
		    !cbor_bytestring_is_definite(kv->value))
			goto type;
	} else if (key_is(kv->key, "attStmt")) {
		slot = st, name = "attStmt";
		if (!cbor_isa_map(kv->value))
			goto type;
	} else
		return KD_OK;	/* unknown entries: room for extensions */
	if (*slot != NULL)
		return kd_err_set(err, KD_ERR_INVALID,
		    "the attestation object has %s twice", name);
	*slot = kv->value;
	return KD_OK;
type:
	return kd_err_set(err, KD_ERR_INVALID,
	    "the attestation object's %s has the wrong type", name);
}

/* fmt into att->fmt: a short lowercase name (WebAuthn § 8.1 identifiers
 * are), so it is safe in a message and in the database. */
static int
att_copy_fmt(const cbor_item_t *fmt, struct kd_webauthn_att *att,
    struct kd_err *err)
{
	const unsigned char *s = cbor_string_handle(fmt);
	size_t i, len = cbor_string_length(fmt);

	if (len == 0 || len >= sizeof(att->fmt) || s == NULL)
		goto bad;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			goto bad;
	memcpy(att->fmt, s, len);
	att->fmt[len] = '\0';
	return KD_OK;
bad:
	return kd_err_set(err, KD_ERR_INVALID,
	    "the attestation object's fmt is not a format name");
}

static int
att_copy(const cbor_item_t *fmt, const cbor_item_t *ad, const cbor_item_t *st,
    struct kd_webauthn_att *att, struct kd_err *err)
{
	size_t len, cap = 0;
	int rc;

	if ((rc = att_copy_fmt(fmt, att, err)) != KD_OK)
		return rc;
	if ((len = cbor_bytestring_length(ad)) == 0)
		return kd_err_set(err, KD_ERR_INVALID,
		    "the attestation object's authData is empty");
	if ((att->authdata = malloc(len)) == NULL)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	memcpy(att->authdata, cbor_bytestring_handle(ad), len);
	att->authdata_len = len;
	/* libfido2 takes attStmt as CBOR bytes of its own */
	if ((att->attstmt_len = cbor_serialize_alloc(st, &att->attstmt,
	    &cap)) == 0)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	return KD_OK;
}

int
webauthn_att_split(const unsigned char *in, size_t len,
    struct kd_webauthn_att *att, struct kd_err *err)
{
	struct cbor_load_result res;
	const cbor_item_t *fmt = NULL, *ad = NULL, *st = NULL;
	cbor_item_t *map = NULL;
	struct cbor_pair *kv;
	size_t i, used;
	int rc;

	memset(att, 0, sizeof(*att));
	if (in == NULL || wa_cbor_item_len(in, len, &used) < 0 || used != len) {
		rc = kd_err_set(err, KD_ERR_INVALID,
		    "the attestation object is not well-formed CBOR");
		goto fail;
	}
	if ((map = cbor_load(in, len, &res)) == NULL ||
	    res.error.code != CBOR_ERR_NONE || res.read != len ||
	    !cbor_isa_map(map)) {
		rc = kd_err_set(err, KD_ERR_INVALID,
		    "the attestation object is not a CBOR map");
		goto fail;
	}
	kv = cbor_map_handle(map);
	for (i = 0; i < cbor_map_size(map); i++)
		if ((rc = att_take(&kv[i], &fmt, &ad, &st, err)) != KD_OK)
			goto fail;
	if (fmt == NULL || ad == NULL || st == NULL) {
		rc = kd_err_set(err, KD_ERR_INVALID, "the attestation object "
		    "has no %s", fmt == NULL ? "fmt" : ad == NULL ? "authData" :
		    "attStmt");
		goto fail;
	}
	rc = att_copy(fmt, ad, st, att, err);
fail:
	if (map != NULL)
		cbor_decref(&map);
	if (rc != KD_OK)
		webauthn_att_clear(att);
	return rc;
}

void
webauthn_att_clear(struct kd_webauthn_att *att)
{
	if (att == NULL)
		return;
	free(att->authdata);
	free(att->attstmt);
	memset(att, 0, sizeof(*att));
}

/* The CBOR item at *off, which must be a map (COSE key, extensions). */
static int
authdata_map(const unsigned char *p, size_t n, size_t *off,
    const unsigned char **item, size_t *item_len)
{
	size_t used;

	if (*off >= n || (p[*off] >> 5) != 5 ||
	    wa_cbor_item_len(p + *off, n - *off, &used) < 0)
		return -1;
	*item = p + *off;
	*item_len = used;
	*off += used;
	return 0;
}

int
webauthn_authdata_parse(const unsigned char *p, size_t n,
    struct kd_webauthn_authdata *ad, struct kd_err *err)
{
	size_t off = 37;	/* rpIdHash 32, flags 1, signCount 4 */

	memset(ad, 0, sizeof(*ad));
	if (p == NULL || n < off)
		return kd_err_set(err, KD_ERR_INVALID,
		    "the authenticator data is too short");
	memcpy(ad->rp_id_hash, p, 32);
	ad->flags = p[32];
	ad->sign_count = (uint32_t)p[33] << 24 | (uint32_t)p[34] << 16 |
	    (uint32_t)p[35] << 8 | p[36];
	if (ad->flags & WEBAUTHN_FLAG_AT) {
		if (n - off < 18)
			return kd_err_set(err, KD_ERR_INVALID, "the "
			    "authenticator data's credential is cut short");
		memcpy(ad->aaguid, p + off, 16);
		ad->cred_id_len = (size_t)p[off + 16] << 8 | p[off + 17];
		off += 18;
		if (ad->cred_id_len == 0 ||
		    ad->cred_id_len > WEBAUTHN_CRED_ID_MAX ||
		    ad->cred_id_len > n - off)
			return kd_err_set(err, KD_ERR_INVALID, "the "
			    "authenticator data's credential ID is malformed");
		ad->cred_id = p + off;
		off += ad->cred_id_len;
		if (authdata_map(p, n, &off, &ad->cose_pk, &ad->cose_pk_len) < 0)
			return kd_err_set(err, KD_ERR_INVALID, "the "
			    "authenticator data's public key is malformed");
	}
	if ((ad->flags & WEBAUTHN_FLAG_ED) &&
	    authdata_map(p, n, &off, &ad->ext, &ad->ext_len) < 0)
		return kd_err_set(err, KD_ERR_INVALID,
		    "the authenticator data's extensions are malformed");
	if (off != n)
		return kd_err_set(err, KD_ERR_INVALID,
		    "the authenticator data has trailing bytes");
	return KD_OK;
}

/* true or false.  Not cbor_is_bool alone: on a float, libcbor 0.8's
 * cbor_ctrl_value asserts (Debian builds it with assertions), and a
 * "credBlob": 1.5 from a browser would abort the portal. */
static int
ext_bool(const cbor_item_t *v, int *out)
{
	if (!cbor_isa_float_ctrl(v) || cbor_float_get_width(v) !=
	    CBOR_FLOAT_0 || !cbor_is_bool(v))
		return -1;
	*out = cbor_get_bool(v);
	return 0;
}

/* An unsigned integer of up to 64 bits. */
static int
ext_uint(const cbor_item_t *v, uint64_t *out)
{
	if (!cbor_isa_uint(v))
		return -1;
	*out = cbor_get_int(v);
	return 0;
}

int
wa_ext_parse(const unsigned char *p, size_t n, struct wa_ext *ext)
{
	struct cbor_load_result res;
	cbor_item_t *map;
	struct cbor_pair *kv;
	uint64_t u;
	size_t i, used;
	int rc = -1;

	memset(ext, 0, sizeof(*ext));
	if (wa_cbor_item_len(p, n, &used) < 0 || used != n ||
	    (map = cbor_load(p, n, &res)) == NULL)
		return -1;
	if (!cbor_isa_map(map))
		goto fail;
	kv = cbor_map_handle(map);
	for (i = 0; i < cbor_map_size(map); i++) {
		if (!cbor_isa_string(kv[i].key))
			goto fail;
		if (key_is(kv[i].key, "hmac-secret")) {
			if (ext_bool(kv[i].value, &ext->hmac_secret) < 0)
				goto fail;
		} else if (key_is(kv[i].key, "credBlob")) {
			if (ext_bool(kv[i].value, &ext->cred_blob) < 0)
				goto fail;
		} else if (key_is(kv[i].key, "credProtect")) {
			if (ext_uint(kv[i].value, &u) < 0 || u < 1 || u > 3)
				goto fail;
			ext->prot = (int)u;
		} else if (key_is(kv[i].key, "minPinLength")) {
			if (ext_uint(kv[i].value, &u) < 0)
				goto fail;
			ext->min_pin_len = u;
		}
	}
	rc = 0;
fail:
	cbor_decref(&map);
	return rc;
}
