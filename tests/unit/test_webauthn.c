/* WebAuthn registrations and assertions as a browser would POST them,
 * built here from scratch: a P-256 credential key (OpenSSL), authData,
 * clientDataJSON, a packed attestation (self, or x5c with a self-signed
 * certificate) or "none", wrapped in a CBOR attestation object (libcbor)
 * and a JSON body (jansson).  Then every check of core/webauthn*.c, each
 * failing alone.  KD_WEBAUTHN_SEEDS=dir writes the vectors there (the fuzz
 * corpora in tests/fuzz/ came from it). */
#include <cbor.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fido.h"
#include "core/webauthn.h"
#include "core/webauthn_int.h"	/* wa_ext_parse */
#include "tests/lib/tap.h"

#define RP	"localhost"
#define ORIGIN	"http://localhost:18202"

static const struct kd_webauthn_expect EXPECT = { RP, ORIGIN, 0 };
static const struct kd_webauthn_expect EXPECT_UV = { RP, ORIGIN, 1 };

/* Made once: the credential key, another key, an attestation key and its
 * self-signed certificate. */
static struct {
	EVP_PKEY	*key, *other, *att_key;
	unsigned char	 xy[64], other_xy[64];
	unsigned char	 cred_id[40];
	unsigned char	 challenge[WEBAUTHN_CHALLENGE_LEN];
	unsigned char	*cert;
	int		 cert_len;
} F;

enum att { ATT_NONE, ATT_SELF, ATT_X5C };

/* One registration to build: zero values are the well-formed defaults. */
struct reg {
	const char	*fmt;		/* default by att */
	enum att	 att;
	const char	*ad_rp;		/* rp id hashed into authData */
	int		 flags;		/* 0: UP|UV|AT */
	const char	*type;		/* "webauthn.create" */
	const char	*origin;
	const char	*cross;		/* JSON value of crossOrigin; "-": none */
	int		 other_id;	/* the body names another credential */
	int		 flip_sig;	/* one bit of the signature */
	int		 sign_other_cdj;	/* signed another clientDataJSON */
	int		 att_other_key;	/* x5c: signed by another key */
	int		 ext;		/* 1 credProtect 2, 2 hmac-secret,
					 * 3 credBlob: 1.5 */
	int		 rs256;		/* an RS256 credential key */
	int		 stmt_in_none;	/* "none" with a statement */
	int		 top_level;	/* fields outside "response" */
};

static char *
b64(const unsigned char *p, size_t n)
{
	size_t cap = n / 3 * 4 + 8;
	char *s = malloc(cap);

	if (s != NULL)
		kd_b64url_encode(p, n, s, cap);
	return s;
}

static void
pub_xy(EVP_PKEY *k, unsigned char xy[64])
{
	unsigned char pt[65];
	size_t len = 0;

	if (EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pt,
	    sizeof(pt), &len) != 1 || len != 65 || pt[0] != 4)
		abort();
	memcpy(xy, pt + 1, 64);
}

/* ES256: ECDSA P-256 over SHA-256(m1 ‖ m2), DER. */
static unsigned char *
sign2(EVP_PKEY *k, const unsigned char *m1, size_t n1,
    const unsigned char *m2, size_t n2, size_t *sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *sig = NULL;

	if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL,
	    k) != 1 || EVP_DigestSignUpdate(ctx, m1, n1) != 1 ||
	    EVP_DigestSignUpdate(ctx, m2, n2) != 1 ||
	    EVP_DigestSignFinal(ctx, NULL, sig_len) != 1 ||
	    (sig = malloc(*sig_len)) == NULL ||
	    EVP_DigestSignFinal(ctx, sig, sig_len) != 1)
		abort();
	EVP_MD_CTX_free(ctx);
	return sig;
}

/* attestation signature: over authData ‖ SHA-256(clientDataJSON) */
static unsigned char *
sign_ad(EVP_PKEY *k, const unsigned char *ad, size_t ad_len,
    const char *cdj, size_t *sig_len)
{
	unsigned char h[32];

	kd_sha256(cdj, strlen(cdj), h);
	return sign2(k, ad, ad_len, h, sizeof(h), sig_len);
}

static void
make_cert(void)
{
	X509 *x = X509_new();
	X509_NAME *n;

	if (x == NULL || X509_set_version(x, 2) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 1) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 3600) == NULL ||
	    (n = X509_get_subject_name(x)) == NULL ||
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)"keydesk test attestation", -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, n) != 1 || X509_set_pubkey(x, F.att_key) != 1 ||
	    X509_sign(x, F.att_key, EVP_sha256()) == 0 ||
	    (F.cert_len = i2d_X509(x, &F.cert)) <= 0)
		abort();
	X509_free(x);
}

static void
fixture_init(void)
{
	if ((F.key = EVP_EC_gen("P-256")) == NULL ||
	    (F.other = EVP_EC_gen("P-256")) == NULL ||
	    (F.att_key = EVP_EC_gen("P-256")) == NULL)
		abort();
	pub_xy(F.key, F.xy);
	pub_xy(F.other, F.other_xy);
	for (size_t i = 0; i < sizeof(F.cred_id); i++)
		F.cred_id[i] = (unsigned char)(0xc0 + i);
	for (size_t i = 0; i < sizeof(F.challenge); i++)
		F.challenge[i] = (unsigned char)(i * 7 + 1);
	make_cert();
}

static void
fixture_free(void)
{
	EVP_PKEY_free(F.key);
	EVP_PKEY_free(F.other);
	EVP_PKEY_free(F.att_key);
	OPENSSL_free(F.cert);
}

static void
put(unsigned char *buf, size_t *o, const void *p, size_t n)
{
	memcpy(buf + *o, p, n);
	*o += n;
}

/* rpIdHash ‖ flags ‖ signCount [‖ AAGUID ‖ L ‖ credId ‖ COSE key]
 * [‖ extensions]; buf has room for 512 bytes. */
static size_t
authdata(unsigned char *buf, const char *rp, uint8_t flags, uint32_t count,
    int rs256, int ext)
{
	static const unsigned char aaguid[16] = { 1, 2, 3, 4, 5, 6, 7, 8,
	    1, 2, 3, 4, 5, 6, 7, 8 };
	/* {1:3, 3:-257, -1:n(4 bytes), -2:e} : an RSA key, abridged */
	static const unsigned char rsa[] = { 0xa4, 0x01, 0x03, 0x03, 0x39,
	    0x01, 0x00, 0x20, 0x44, 1, 2, 3, 4, 0x21, 0x43, 1, 0, 1 };
	/* {"credProtect": 2} and {"hmac-secret": true} */
	static const unsigned char cp[] = { 0xa1, 0x6b, 'c', 'r', 'e', 'd',
	    'P', 'r', 'o', 't', 'e', 'c', 't', 0x02 };
	static const unsigned char hs[] = { 0xa1, 0x6b, 'h', 'm', 'a', 'c',
	    '-', 's', 'e', 'c', 'r', 'e', 't', 0xf5 };
	/* {"credBlob": 1.5}: a float where a bool belongs */
	static const unsigned char cb[] = { 0xa1, 0x68, 'c', 'r', 'e', 'd',
	    'B', 'l', 'o', 'b', 0xf9, 0x3e, 0x00 };
	unsigned char h[32], cose[KD_FIDO_COSE_ES256_LEN], be[4];
	size_t o = 0;

	kd_sha256(rp, strlen(rp), h);
	put(buf, &o, h, 32);
	buf[o++] = flags;
	be[0] = (unsigned char)(count >> 24);
	be[1] = (unsigned char)(count >> 16);
	be[2] = (unsigned char)(count >> 8);
	be[3] = (unsigned char)count;
	put(buf, &o, be, 4);
	if (flags & WEBAUTHN_FLAG_AT) {
		put(buf, &o, aaguid, 16);
		buf[o++] = 0;
		buf[o++] = sizeof(F.cred_id);
		put(buf, &o, F.cred_id, sizeof(F.cred_id));
		fidodev_cose_es256_encode(F.xy, F.xy + 32, cose);
		if (rs256)
			put(buf, &o, rsa, sizeof(rsa));
		else
			put(buf, &o, cose, sizeof(cose));
	}
	if ((flags & WEBAUTHN_FLAG_ED) && ext == 3)
		put(buf, &o, cb, sizeof(cb));
	else if (flags & WEBAUTHN_FLAG_ED)
		put(buf, &o, ext == 2 ? hs : cp, ext == 2 ? sizeof(hs) :
		    sizeof(cp));
	return o;
}

static char *
client_data(const char *type, const unsigned char *chal, const char *origin,
    const char *cross)
{
	char *c = b64(chal, WEBAUTHN_CHALLENGE_LEN), *s = malloc(512);

	if (cross != NULL && strcmp(cross, "-") == 0)
		snprintf(s, 512, "{\"type\":\"%s\",\"challenge\":\"%s\","
		    "\"origin\":\"%s\"}", type, c, origin);
	else
		snprintf(s, 512, "{\"type\":\"%s\",\"challenge\":\"%s\","
		    "\"origin\":\"%s\",\"crossOrigin\":%s}", type, c, origin,
		    cross ? cross : "false");
	free(c);
	return s;
}

static void
map_put(cbor_item_t *map, const char *key, cbor_item_t *value)
{
	if (!cbor_map_add(map, (struct cbor_pair){
	    .key = cbor_move(cbor_build_string(key)),
	    .value = cbor_move(value) }))
		abort();
}

/* {"alg": -7, "sig": sig [, "x5c": [cert]]}; fido-u2f has no alg */
static cbor_item_t *
att_stmt(const unsigned char *sig, size_t sig_len, int x5c, int u2f)
{
	cbor_item_t *st = cbor_new_definite_map(3), *arr;

	if (!u2f)
		map_put(st, "alg", cbor_build_negint8(6));
	map_put(st, "sig", cbor_build_bytestring(sig, sig_len));
	if (x5c) {
		arr = cbor_new_definite_array(1);
		if (!cbor_array_push(arr, cbor_move(cbor_build_bytestring(
		    F.cert, (size_t)F.cert_len))))
			abort();
		map_put(st, "x5c", arr);
	}
	return st;
}

static unsigned char *
att_object(const char *fmt, cbor_item_t *st, const unsigned char *ad,
    size_t ad_len, size_t *len)
{
	cbor_item_t *m = cbor_new_definite_map(3);
	unsigned char *buf = NULL;
	size_t cap;

	map_put(m, "fmt", cbor_build_string(fmt));
	map_put(m, "attStmt", st);
	map_put(m, "authData", cbor_build_bytestring(ad, ad_len));
	if ((*len = cbor_serialize_alloc(m, &buf, &cap)) == 0)
		abort();
	cbor_decref(&m);
	return buf;
}

static char *
body_json(const unsigned char *id, size_t id_len, const char *k1,
    const unsigned char *v1, size_t n1, const char *cdj, int top_level,
    const char *extra_key, const unsigned char *extra, size_t extra_len)
{
	char *sid = b64(id, id_len), *s1 = b64(v1, n1);
	char *scd = b64((const unsigned char *)cdj, strlen(cdj)), *out;
	json_t *resp = json_object(), *top = json_object();

	json_object_set_new(top, "id", json_string(sid));
	json_object_set_new(top, "rawId", json_string(sid));
	json_object_set_new(top, "type", json_string("public-key"));
	json_object_set_new(resp, k1, json_string(s1));
	json_object_set_new(resp, "clientDataJSON", json_string(scd));
	if (extra_key != NULL) {
		char *se = b64(extra, extra_len);

		json_object_set_new(resp, extra_key, json_string(se));
		free(se);
	} else
		json_object_set_new(resp, "transports",
		    json_pack("[ssss]", "usb", "NFC", "nfc", "x y"));
	if (top_level)
		json_object_update(top, resp);
	else
		json_object_set(top, "response", resp);
	out = json_dumps(top, JSON_COMPACT);
	json_decref(resp);
	json_decref(top);
	free(sid);
	free(s1);
	free(scd);
	return out;
}

static void
seed(const char *dir, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) != NULL) {
		fwrite(p, 1, n, f);
		fclose(f);
	}
}

/* fido-u2f signs 00 ‖ rpIdHash ‖ SHA-256(clientDataJSON) ‖ credId ‖
 * 04 ‖ x ‖ y (WebAuthn § 8.6) */
static unsigned char *
sign_u2f(const unsigned char *ad, const char *cdj, size_t *sig_len)
{
	unsigned char m[1 + 32 + 32 + sizeof(F.cred_id) + 65];
	size_t o = 0;

	m[o++] = 0;
	put(m, &o, ad, 32);
	kd_sha256(cdj, strlen(cdj), m + o);
	o += 32;
	put(m, &o, F.cred_id, sizeof(F.cred_id));
	m[o++] = 4;
	put(m, &o, F.xy, 64);
	return sign2(F.att_key, m, o, NULL, 0, sig_len);
}

/* The POSTed body for r (malloc'd); *ao gets the attestation object when
 * not NULL. */
static char *
reg_body(const struct reg *r, unsigned char **ao, size_t *ao_len)
{
	unsigned char ad[512], other_id[sizeof(F.cred_id)], *sig = NULL, *obj;
	const char *fmt = r->fmt ? r->fmt : r->att == ATT_NONE ? "none" :
	    "packed";
	uint8_t flags = r->flags ? (uint8_t)r->flags : 0x45;
	char *cdj, *cdj2, *body;
	size_t ad_len, sig_len = 0, obj_len;
	cbor_item_t *st;

	if (r->ext)
		flags |= WEBAUTHN_FLAG_ED;
	ad_len = authdata(ad, r->ad_rp ? r->ad_rp : RP, flags, 1, r->rs256,
	    r->ext);
	cdj = client_data(r->type ? r->type : "webauthn.create", F.challenge,
	    r->origin ? r->origin : ORIGIN, r->cross);
	if (r->att == ATT_NONE && !r->stmt_in_none)
		st = cbor_new_definite_map(0);
	else {
		cdj2 = r->sign_other_cdj ? client_data("webauthn.create",
		    F.cred_id, ORIGIN, NULL) : NULL;
		if (strcmp(fmt, "fido-u2f") == 0 && r->att == ATT_X5C)
			sig = sign_u2f(ad, cdj2 ? cdj2 : cdj, &sig_len);
		else
			sig = sign_ad(r->att == ATT_X5C && !r->att_other_key ?
			    F.att_key : F.key, ad, ad_len, cdj2 ? cdj2 : cdj,
			    &sig_len);
		free(cdj2);
		if (r->flip_sig)
			sig[sig_len / 2] ^= 0x01;
		st = att_stmt(sig, sig_len, r->att == ATT_X5C,
		    strcmp(fmt, "fido-u2f") == 0);
	}
	obj = att_object(fmt, st, ad, ad_len, &obj_len);
	memcpy(other_id, F.cred_id, sizeof(other_id));
	other_id[0] ^= 0xff;
	body = body_json(r->other_id ? other_id : F.cred_id, sizeof(F.cred_id),
	    "attestationObject", obj, obj_len, cdj, r->top_level, NULL, NULL, 0);
	if (ao != NULL) {
		*ao = obj;
		*ao_len = obj_len;
	} else
		free(obj);
	free(sig);
	free(cdj);
	return body;
}

/* Parse and verify r; KD_OK or the status, err says why. */
static int
reg_run(const struct reg *r, const struct kd_webauthn_expect *ex,
    struct kd_webauthn_cred *cred, struct kd_err *err)
{
	struct kd_webauthn_reg reg;
	char *body = reg_body(r, NULL, NULL);
	int rc;

	memset(cred, 0, sizeof(*cred));
	if ((rc = webauthn_reg_parse(body, strlen(body), &reg, err)) == KD_OK) {
		if (reg.challenge_len != WEBAUTHN_CHALLENGE_LEN ||
		    memcmp(reg.challenge, F.challenge, reg.challenge_len) != 0)
			rc = -100;
		else
			rc = webauthn_reg_verify(&reg, ex, cred, err);
	}
	webauthn_reg_clear(&reg);
	free(body);
	return rc;
}

/* Expects status `want` with `words` in the message. */
static int
reg_fails(const struct reg *r, const struct kd_webauthn_expect *ex, int want,
    const char *words)
{
	struct kd_webauthn_cred cred;
	struct kd_err err;
	int rc = reg_run(r, ex, &cred, &err);

	webauthn_cred_clear(&cred);
	if (rc != want || strstr(err.msg, words) == NULL) {
		fprintf(stderr, "  got %d \"%s\", want %d \"%s\"\n", rc,
		    rc == KD_OK ? "" : err.msg, want, words);
		return 0;
	}
	return 1;
}

static void
test_packed_self_ok(void)
{
	struct reg r = { .att = ATT_SELF };
	struct kd_webauthn_cred c;
	struct kd_err err;
	unsigned char cose[KD_FIDO_COSE_ES256_LEN];

	CHECK(reg_run(&r, &EXPECT_UV, &c, &err) == KD_OK);
	fidodev_cose_es256_encode(F.xy, F.xy + 32, cose);
	CHECK(c.id_len == sizeof(F.cred_id) && c.id != NULL &&
	    memcmp(c.id, F.cred_id, c.id_len) == 0);
	CHECK(c.cose_pk_len == sizeof(cose) &&
	    memcmp(c.cose_pk, cose, sizeof(cose)) == 0);
	CHECK_EQ_STR(c.fmt, "packed");
	CHECK_EQ_STR(c.aaguid_hex, "01020304050607080102030405060708");
	CHECK_EQ_STR(c.transports, "usb,nfc");
	CHECK(c.x5c == NULL && c.x5c_len == 0);
	CHECK(c.sign_count == 1 && c.flags == 0x45 && c.uv == 1);
	webauthn_cred_clear(&c);
}

static void
test_packed_x5c_ok(void)
{
	struct reg r = { .att = ATT_X5C };
	struct kd_webauthn_cred c;
	struct kd_err err;

	CHECK(reg_run(&r, &EXPECT_UV, &c, &err) == KD_OK);
	CHECK_EQ_STR(c.fmt, "packed");
	CHECK(c.x5c_len == (size_t)F.cert_len && c.x5c != NULL &&
	    memcmp(c.x5c, F.cert, c.x5c_len) == 0);
	webauthn_cred_clear(&c);
}

static void
test_none_ok(void)
{
	struct reg r = { .att = ATT_NONE };
	struct reg r41 = { .att = ATT_NONE, .flags = 0x41 };
	struct kd_webauthn_cred c;
	struct kd_err err;

	CHECK(reg_run(&r, &EXPECT_UV, &c, &err) == KD_OK);
	CHECK_EQ_STR(c.fmt, "none");
	CHECK(c.uv == 1 && c.flags == 0x45 && c.x5c == NULL);
	webauthn_cred_clear(&c);
	/* no UV, and the policy does not need it */
	CHECK(reg_run(&r41, &EXPECT, &c, &err) == KD_OK);
	CHECK(c.uv == 0 && c.flags == 0x41);
	webauthn_cred_clear(&c);
}

static void
test_uv_required(void)
{
	struct reg none = { .att = ATT_NONE, .flags = 0x41 };
	struct reg self = { .att = ATT_SELF, .flags = 0x41 };
	struct reg x5c = { .att = ATT_X5C, .flags = 0x41 };
	const char *w = "did not verify you (PIN or fingerprint): this key "
	    "needs verification";

	CHECK(reg_fails(&none, &EXPECT_UV, KD_ERR_DENIED, w));
	CHECK(reg_fails(&self, &EXPECT_UV, KD_ERR_DENIED, w));
	CHECK(reg_fails(&x5c, &EXPECT_UV, KD_ERR_DENIED, w));
}

static void
test_no_user_presence(void)
{
	struct reg r = { .att = ATT_NONE, .flags = 0x44 };

	CHECK(reg_fails(&r, &EXPECT, KD_ERR_DENIED, "no touch"));
}

static void
test_wrong_origin(void)
{
	struct reg r = { .att = ATT_SELF, .origin = "http://evil.example" };
	struct reg port = { .att = ATT_NONE, .origin = "http://localhost:18203" };

	CHECK(reg_fails(&r, &EXPECT, KD_ERR_DENIED, "opened from another "
	    "address (origin http://evil.example"));
	CHECK(reg_fails(&port, &EXPECT, KD_ERR_DENIED, "another address"));
}

static void
test_wrong_type(void)
{
	struct reg r = { .att = ATT_SELF, .type = "webauthn.get" };

	CHECK(reg_fails(&r, &EXPECT, KD_ERR_DENIED, "type webauthn.get"));
}

static void
test_cross_origin(void)
{
	struct reg r = { .att = ATT_NONE, .cross = "true" };
	struct reg absent = { .att = ATT_NONE, .cross = "-" };
	struct reg junk = { .att = ATT_NONE, .cross = "\"no\"" };
	struct kd_webauthn_cred c;
	struct kd_err err;

	CHECK(reg_fails(&r, &EXPECT, KD_ERR_DENIED, "crossOrigin"));
	CHECK(reg_run(&absent, &EXPECT, &c, &err) == KD_OK);
	webauthn_cred_clear(&c);
	CHECK(reg_fails(&junk, &EXPECT, KD_ERR_INVALID, "crossOrigin"));
}

static void
test_other_rp(void)
{
	struct reg none = { .att = ATT_NONE, .ad_rp = "example.com" };
	struct reg self = { .att = ATT_SELF, .ad_rp = "example.com" };

	CHECK(reg_fails(&none, &EXPECT, KD_ERR_DENIED, "another site"));
	CHECK(reg_fails(&self, &EXPECT, KD_ERR_DENIED, "another site"));
}

static void
test_cred_id_mismatch(void)
{
	struct reg r = { .att = ATT_NONE, .other_id = 1 };

	CHECK(reg_fails(&r, &EXPECT, KD_ERR_DENIED, "another credential"));
}

static void
test_bad_signatures(void)
{
	struct reg flip = { .att = ATT_SELF, .flip_sig = 1 };
	struct reg cdj = { .att = ATT_SELF, .sign_other_cdj = 1 };
	struct reg x5c_flip = { .att = ATT_X5C, .flip_sig = 1 };
	struct reg x5c_key = { .att = ATT_X5C, .att_other_key = 1 };

	CHECK(reg_fails(&flip, &EXPECT, KD_ERR_DENIED, "does not verify"));
	CHECK(reg_fails(&cdj, &EXPECT, KD_ERR_DENIED, "does not verify"));
	CHECK(reg_fails(&x5c_flip, &EXPECT, KD_ERR_DENIED, "does not verify"));
	CHECK(reg_fails(&x5c_key, &EXPECT, KD_ERR_DENIED, "does not verify"));
}

static void
test_formats(void)
{
	struct reg apple = { .att = ATT_X5C, .fmt = "apple" };
	struct reg bogus = { .att = ATT_SELF, .fmt = "bogus" };
	struct reg u2f = { .att = ATT_SELF, .fmt = "fido-u2f" };
	struct reg u2f_ok = { .att = ATT_X5C, .fmt = "fido-u2f",
	    .flags = 0x41 };
	struct reg u2f_bad = { .att = ATT_X5C, .fmt = "fido-u2f",
	    .flags = 0x41, .flip_sig = 1 };
	struct reg stmt = { .att = ATT_NONE, .stmt_in_none = 1 };
	struct kd_webauthn_cred c;
	struct kd_err err;

	/* a format libfido2 cannot take counts (and is stored) as none */
	CHECK(reg_run(&apple, &EXPECT, &c, &err) == KD_OK);
	CHECK_EQ_STR(c.fmt, "none");
	CHECK(c.x5c == NULL);
	webauthn_cred_clear(&c);
	CHECK(reg_fails(&bogus, &EXPECT, KD_ERR_INVALID, "does not know "
	    "(bogus)"));
	CHECK(reg_fails(&u2f, &EXPECT, KD_ERR_DENIED, "has no certificate"));
	/* a U2F key (no UV, ever): fido_cred_verify on its x5c */
	CHECK(reg_run(&u2f_ok, &EXPECT, &c, &err) == KD_OK);
	CHECK_EQ_STR(c.fmt, "fido-u2f");
	CHECK(c.x5c_len == (size_t)F.cert_len && c.uv == 0);
	webauthn_cred_clear(&c);
	CHECK(reg_fails(&u2f_ok, &EXPECT_UV, KD_ERR_DENIED, "did not verify"));
	CHECK(reg_fails(&u2f_bad, &EXPECT, KD_ERR_DENIED, "does not verify"));
	CHECK(reg_fails(&stmt, &EXPECT, KD_ERR_INVALID, "has a statement"));
}

static void
test_rs256_refused(void)
{
	struct reg r = { .att = ATT_NONE, .rs256 = 1 };

	CHECK(reg_fails(&r, &EXPECT, KD_ERR_DENIED, "ES256"));
}

static void
test_extensions(void)
{
	struct reg cp = { .att = ATT_SELF, .ext = 1 };
	struct reg hs = { .att = ATT_X5C, .ext = 2 };
	struct reg none = { .att = ATT_NONE, .ext = 1 };
	struct reg fl = { .att = ATT_SELF, .ext = 3 };
	struct kd_webauthn_cred c;
	struct kd_err err;
	struct wa_ext ext;
	unsigned char ad[512];
	size_t n;

	CHECK(reg_run(&cp, &EXPECT, &c, &err) == KD_OK);
	CHECK(c.flags == 0xc5);
	webauthn_cred_clear(&c);
	CHECK(reg_run(&hs, &EXPECT, &c, &err) == KD_OK);
	webauthn_cred_clear(&c);
	CHECK(reg_run(&none, &EXPECT, &c, &err) == KD_OK);
	webauthn_cred_clear(&c);
	/* a float for a bool: libfido2 refuses the authData, and
	 * wa_ext_parse alone refuses it too, without the libcbor call that
	 * asserts on floats (found by fuzz_webauthn_att) */
	CHECK(reg_fails(&fl, &EXPECT, KD_ERR_INVALID, "libfido2 cannot read"));
	n = authdata(ad, RP, 0x85, 0, 0, 3);
	CHECK(wa_ext_parse(ad + 37, n - 37, &ext) == -1);
	n = authdata(ad, RP, 0x85, 0, 0, 2);
	CHECK(wa_ext_parse(ad + 37, n - 37, &ext) == 0 && ext.hmac_secret &&
	    !ext.cred_blob && ext.prot == 0);
	n = authdata(ad, RP, 0x85, 0, 0, 1);
	CHECK(wa_ext_parse(ad + 37, n - 37, &ext) == 0 && ext.prot == 2);
}

static void
test_top_level_fields(void)
{
	struct reg r = { .att = ATT_SELF, .top_level = 1 };
	struct kd_webauthn_cred c;
	struct kd_err err;

	CHECK(reg_run(&r, &EXPECT, &c, &err) == KD_OK);
	CHECK_EQ_STR(c.transports, "usb,nfc");
	webauthn_cred_clear(&c);
}

/* Parse only: KD_OK or the status; err.msg must contain words. */
static int
parse_fails(const char *body, size_t len, const char *words)
{
	struct kd_webauthn_reg reg;
	struct kd_err err;
	int rc = webauthn_reg_parse(body, len, &reg, &err);

	if (rc == KD_OK || rc != KD_ERR_INVALID ||
	    strstr(err.msg, words) == NULL) {
		fprintf(stderr, "  %.60s: got %d \"%s\", want \"%s\"\n", body,
		    rc, rc == KD_OK ? "" : err.msg, words);
		webauthn_reg_clear(&reg);
		return 0;
	}
	/* a failed parse leaves nothing to free */
	return reg.id == NULL && reg.att_obj == NULL && reg.cdj == NULL;
}

#define PF(body, words) CHECK(parse_fails(body, strlen(body), words))

static char *
cdj_b64(const char *json)
{
	return b64((const unsigned char *)json, strlen(json));
}

static void
test_body_malformed(void)
{
	char body[1024], *c;

	PF("", "empty");
	PF("{\"id\":", "not valid JSON");
	PF("[1,2]", "not valid JSON");
	PF("{\"id\":\"AAAA\",\"id\":\"AAAA\"}", "not valid JSON");
	PF("{\"response\":[]}", "response that is not an object");
	PF("{\"type\":\"password\",\"id\":\"AAAA\"}", "not a public-key");
	PF("{\"response\":{}}", "has no credential id");
	PF("{\"id\":\"A\"}", "credential id is not base64url");
	PF("{\"id\":\"AA+A\"}", "not base64url");
	PF("{\"id\":7}", "not base64url");
	PF("{\"id\":\"AAAA\",\"response\":{}}", "has no attestationObject");
	PF("{\"id\":\"AAAA\",\"response\":{\"attestationObject\":\"AAAA\"}}",
	    "has no clientDataJSON");
	PF("{\"id\":\"AAAA\",\"response\":{\"attestationObject\":\"AAAA\","
	    "\"clientDataJSON\":\"AAAA\"}}", "clientDataJSON is not valid JSON");
	c = cdj_b64("{\"type\":\"webauthn.create\",\"origin\":\"" ORIGIN "\"}");
	snprintf(body, sizeof(body), "{\"id\":\"AAAA\",\"response\":{"
	    "\"attestationObject\":\"AAAA\",\"clientDataJSON\":\"%s\"}}", c);
	PF(body, "clientDataJSON has no challenge");
	free(c);
	c = cdj_b64("{\"type\":\"webauthn.create\",\"challenge\":\"A\","
	    "\"origin\":\"" ORIGIN "\"}");
	snprintf(body, sizeof(body), "{\"id\":\"AAAA\",\"response\":{"
	    "\"attestationObject\":\"AAAA\",\"clientDataJSON\":\"%s\"}}", c);
	PF(body, "challenge is not base64url");
	free(c);
	c = cdj_b64("{\"challenge\":\"AAAA\",\"origin\":\"" ORIGIN "\"}");
	snprintf(body, sizeof(body), "{\"id\":\"AAAA\",\"response\":{"
	    "\"attestationObject\":\"AAAA\",\"clientDataJSON\":\"%s\"}}", c);
	PF(body, "clientDataJSON has no type");
	free(c);
	/* a challenge longer than ours: refused, not cut */
	c = cdj_b64("{\"type\":\"webauthn.create\",\"challenge\":\""
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
	    "\"origin\":\"" ORIGIN "\"}");
	snprintf(body, sizeof(body), "{\"id\":\"AAAA\",\"response\":{"
	    "\"attestationObject\":\"AAAA\",\"clientDataJSON\":\"%s\"}}", c);
	PF(body, "at most 32 bytes");
	free(c);
}

static void
test_body_size(void)
{
	struct reg r = { .att = ATT_NONE };
	struct kd_webauthn_reg reg;
	struct kd_err err;
	char *body = reg_body(&r, NULL, NULL), *big;
	size_t len = strlen(body);

	/* exactly the limit (padded with spaces) parses; a byte more does
	 * not, whatever it holds */
	big = malloc(WEBAUTHN_BODY_MAX + 1);
	memset(big, ' ', WEBAUTHN_BODY_MAX + 1);
	memcpy(big, body, len);
	CHECK(webauthn_reg_parse(big, WEBAUTHN_BODY_MAX, &reg, &err) == KD_OK);
	webauthn_reg_clear(&reg);
	CHECK(parse_fails(big, WEBAUTHN_BODY_MAX + 1, "too large"));
	free(big);
	free(body);
}

static void
test_transports(void)
{
	char body[2048], *c;
	struct kd_webauthn_reg reg;
	struct kd_err err;

	c = cdj_b64("{\"type\":\"webauthn.create\",\"challenge\":\"AAAA\","
	    "\"origin\":\"" ORIGIN "\"}");
	/* odd entries skipped; a name that does not fit is left out whole */
	snprintf(body, sizeof(body), "{\"id\":\"AAAA\",\"response\":{"
	    "\"attestationObject\":\"AAAA\",\"clientDataJSON\":\"%s\","
	    "\"transports\":[\"usb\",5,\"\\u001b[2J\",\"hybrid\",\"\","
	    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
	    "\"bbbbbbbbbbbbbbbb\",\"ble\"]}}", c);
	CHECK(webauthn_reg_parse(body, strlen(body), &reg, &err) == KD_OK);
	CHECK_EQ_STR(reg.transports, "usb,hybrid,"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	CHECK(reg.challenge_len == 3 && reg.cross_origin == 0);
	webauthn_reg_clear(&reg);
	snprintf(body, sizeof(body), "{\"id\":\"AAAA\",\"response\":{"
	    "\"attestationObject\":\"AAAA\",\"clientDataJSON\":\"%s\","
	    "\"transports\":\"usb\"}}", c);
	CHECK(webauthn_reg_parse(body, strlen(body), &reg, &err) == KD_OK);
	CHECK_EQ_STR(reg.transports, "");
	webauthn_reg_clear(&reg);
	free(c);
}

static void
test_raw_id_wins(void)
{
	struct reg r = { .att = ATT_NONE };
	struct kd_webauthn_reg reg;
	struct kd_webauthn_cred c;
	struct kd_err err;
	char *body = reg_body(&r, NULL, NULL), *p;

	/* spoil "id" only: rawId is the one that counts */
	CHECK((p = strstr(body, "\"id\":\"")) != NULL);
	if (p != NULL)
		p[6] = p[6] == 'A' ? 'B' : 'A';
	CHECK(webauthn_reg_parse(body, strlen(body), &reg, &err) == KD_OK);
	CHECK(webauthn_reg_verify(&reg, &EXPECT, &c, &err) == KD_OK);
	webauthn_cred_clear(&c);
	webauthn_reg_clear(&reg);
	free(body);
}

/* webauthn_att_split on raw bytes: KD_ERR_INVALID with words. */
static int
split_fails(const unsigned char *p, size_t n, const char *words)
{
	struct kd_webauthn_att att;
	struct kd_err err;
	int rc = webauthn_att_split(p, n, &att, &err);

	webauthn_att_clear(&att);
	if (rc != KD_ERR_INVALID || strstr(err.msg, words) == NULL) {
		fprintf(stderr, "  split: got %d \"%s\", want \"%s\"\n", rc,
		    rc == KD_OK ? "" : err.msg, words);
		return 0;
	}
	return 1;
}

#define SF(bytes, words) do { static const unsigned char b_[] = bytes; \
	CHECK(split_fails(b_, sizeof(b_), words)); } while (0)
#define B(...) { __VA_ARGS__ }

static void
test_att_split(void)
{
	struct reg r = { .att = ATT_SELF };
	struct kd_webauthn_att att;
	struct kd_err err;
	unsigned char *ao;
	size_t ao_len;
	char *body = reg_body(&r, &ao, &ao_len);

	CHECK(webauthn_att_split(ao, ao_len, &att, &err) == KD_OK);
	CHECK_EQ_STR(att.fmt, "packed");
	CHECK(att.authdata_len == 37 + 16 + 2 + sizeof(F.cred_id) +
	    KD_FIDO_COSE_ES256_LEN);
	CHECK(att.attstmt != NULL && (att.attstmt[0] & 0xe0) == 0xa0);
	webauthn_att_clear(&att);
	/* every truncation is refused */
	for (size_t n = 0; n < ao_len; n++)
		if (webauthn_att_split(ao, n, &att, &err) != KD_ERR_INVALID)
			CHECK(!"a truncated object split");
	CHECK(split_fails(ao, ao_len - 1, "not well-formed"));
	free(ao);
	free(body);
	SF(B(0x80), "not a CBOR map");
	SF(B(0xa0), "has no fmt");
	SF(B(0xa1, 0x01, 0x02), "not text");
	SF(B(0xa2, 0x63, 'f', 'm', 't', 0x64, 'n', 'o', 'n', 'e',
	    0x63, 'f', 'm', 't', 0x64, 'n', 'o', 'n', 'e'), "fmt twice");
	SF(B(0xa1, 0x63, 'f', 'm', 't', 0x01), "fmt has the wrong type");
	SF(B(0xa3, 0x63, 'f', 'm', 't', 0x64, 'N', 'O', 'N', 'E',
	    0x67, 'a', 't', 't', 'S', 't', 'm', 't', 0xa0,
	    0x68, 'a', 'u', 't', 'h', 'D', 'a', 't', 'a', 0x41, 0),
	    "not a format name");
	SF(B(0xa2, 0x63, 'f', 'm', 't', 0x64, 'n', 'o', 'n', 'e',
	    0x67, 'a', 't', 't', 'S', 't', 'm', 't', 0xa0), "no authData");
	SF(B(0xa3, 0x63, 'f', 'm', 't', 0x64, 'n', 'o', 'n', 'e',
	    0x67, 'a', 't', 't', 'S', 't', 'm', 't', 0xa0,
	    0x68, 'a', 'u', 't', 'h', 'D', 'a', 't', 'a', 0x61, 'x'),
	    "authData has the wrong type");
	SF(B(0xa3, 0x63, 'f', 'm', 't', 0x64, 'n', 'o', 'n', 'e',
	    0x67, 'a', 't', 't', 'S', 't', 'm', 't', 0x80,
	    0x68, 'a', 'u', 't', 'h', 'D', 'a', 't', 'a', 0x41, 0),
	    "attStmt has the wrong type");
	/* indefinite lengths, a hostile length, nesting, trailing bytes */
	SF(B(0xbf, 0xff), "not well-formed");
	SF(B(0x9b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0),
	    "not well-formed");
	SF(B(0xa1, 0x61, 'x', 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81,
	    0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x00),
	    "not well-formed");
	SF(B(0xa0, 0x00), "not well-formed");
	SF(B(0xff), "not well-formed");
}

static int
authdata_fails(const unsigned char *p, size_t n, const char *words)
{
	struct kd_webauthn_authdata ad;
	struct kd_err err;
	int rc = webauthn_authdata_parse(p, n, &ad, &err);

	if (rc != KD_ERR_INVALID || strstr(err.msg, words) == NULL) {
		fprintf(stderr, "  authdata: got %d \"%s\", want \"%s\"\n", rc,
		    rc == KD_OK ? "" : err.msg, words);
		return 0;
	}
	return 1;
}

static void
test_authdata_parse(void)
{
	unsigned char ad[600];
	struct kd_webauthn_authdata a;
	struct kd_err err;
	size_t n = authdata(ad, RP, 0x45, 7, 0, 0);

	CHECK(webauthn_authdata_parse(ad, n, &a, &err) == KD_OK);
	CHECK(a.flags == 0x45 && a.sign_count == 7);
	CHECK(a.cred_id_len == sizeof(F.cred_id) && a.cred_id == ad + 55);
	CHECK(a.cose_pk_len == KD_FIDO_COSE_ES256_LEN && a.ext == NULL);
	CHECK(authdata_fails(ad, 36, "too short"));
	CHECK(authdata_fails(ad, 50, "cut short"));
	CHECK(authdata_fails(ad, n - 1, "public key is malformed"));
	ad[n] = 0;
	CHECK(authdata_fails(ad, n + 1, "trailing bytes"));
	ad[54] = 0xff;	/* credential ID length beyond the data */
	CHECK(authdata_fails(ad, n, "credential ID is malformed"));
	n = authdata(ad, RP, 0x85, 0, 0, 1);	/* ED, no AT */
	CHECK(webauthn_authdata_parse(ad, n, &a, &err) == KD_OK);
	CHECK(a.cred_id == NULL && a.ext == ad + 37 && a.ext_len == 14);
	CHECK(authdata_fails(ad, 37, "extensions are malformed"));
}

/* ---- assertions ---- */

struct get {
	const char	*type;
	const char	*origin;
	const char	*ad_rp;
	int		 flags;		/* 0: UP|UV */
	int		 other_chal;	/* answers another challenge */
	int		 flip_sig;
	int		 tamper_ad;	/* authData changed after signing */
	int		 other_key;	/* signed by another key */
};

static char *
get_body(const struct get *g)
{
	unsigned char ad[512], chal[WEBAUTHN_CHALLENGE_LEN], h[32], *sig;
	static const unsigned char uh[] = { 'u', 's', 'e', 'r' };
	size_t ad_len, sig_len;
	char *cdj, *body;

	memcpy(chal, F.challenge, sizeof(chal));
	if (g->other_chal)
		chal[0] ^= 1;
	ad_len = authdata(ad, g->ad_rp ? g->ad_rp : RP,
	    g->flags ? (uint8_t)g->flags : 0x05, 2, 0, 0);
	cdj = client_data(g->type ? g->type : "webauthn.get", chal,
	    g->origin ? g->origin : ORIGIN, NULL);
	kd_sha256(cdj, strlen(cdj), h);
	sig = sign2(g->other_key ? F.other : F.key, ad, ad_len, h, 32,
	    &sig_len);
	if (g->flip_sig)
		sig[sig_len - 3] ^= 0x10;
	if (g->tamper_ad)
		ad[36] ^= 1;	/* the sign count */
	body = body_json(F.cred_id, sizeof(F.cred_id), "authenticatorData",
	    ad, ad_len, cdj, 0, "signature", sig, sig_len);
	/* add a userHandle, as browsers do */
	{
		json_t *j = json_loads(body, 0, NULL);
		char *su = b64(uh, sizeof(uh));

		json_object_set_new(json_object_get(j, "response"),
		    "userHandle", json_string(su));
		free(body);
		body = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		free(su);
	}
	free(sig);
	free(cdj);
	return body;
}

static int
get_run(const struct get *g, const struct kd_webauthn_expect *ex,
    uint32_t *count, struct kd_err *err)
{
	unsigned char cose[KD_FIDO_COSE_ES256_LEN];
	char *body = get_body(g);
	int rc;

	fidodev_cose_es256_encode(F.xy, F.xy + 32, cose);
	rc = webauthn_assert_verify(body, strlen(body), F.challenge,
	    sizeof(F.challenge), ex, cose, sizeof(cose), count, err);
	free(body);
	return rc;
}

static int
get_fails(const struct get *g, const struct kd_webauthn_expect *ex, int want,
    const char *words)
{
	struct kd_err err;
	uint32_t count = 99;
	int rc = get_run(g, ex, &count, &err);

	if (rc != want || strstr(err.msg, words) == NULL || count != 0) {
		fprintf(stderr, "  get: got %d \"%s\", want %d \"%s\"\n", rc,
		    rc == KD_OK ? "" : err.msg, want, words);
		return 0;
	}
	return 1;
}

static void
test_assert_ok(void)
{
	struct get g = { 0 };
	struct get nouv = { .flags = 0x01 };
	struct kd_webauthn_assertion a;
	struct kd_err err;
	uint32_t count = 0;
	char *body;

	CHECK(get_run(&g, &EXPECT_UV, &count, &err) == KD_OK);
	CHECK(count == 2);
	CHECK(get_run(&nouv, &EXPECT, &count, &err) == KD_OK);
	body = get_body(&g);
	CHECK(webauthn_assert_parse(body, strlen(body), &a, &err) == KD_OK);
	CHECK(a.user_handle_len == 4 && memcmp(a.user_handle, "user", 4) == 0);
	CHECK(a.id_len == sizeof(F.cred_id));
	CHECK_EQ_STR(a.type, "webauthn.get");
	webauthn_assertion_clear(&a);
	free(body);
}

static void
test_assert_refused(void)
{
	struct get flip = { .flip_sig = 1 };
	struct get tamper = { .tamper_ad = 1 };
	struct get other = { .other_key = 1 };
	struct get chal = { .other_chal = 1 };
	struct get type = { .type = "webauthn.create" };
	struct get origin = { .origin = "https://localhost:18202" };
	struct get rp = { .ad_rp = "example.com" };
	struct get nouv = { .flags = 0x01 };
	struct get noup = { .flags = 0x04 };

	CHECK(get_fails(&flip, &EXPECT, KD_ERR_DENIED, "does not match"));
	CHECK(get_fails(&tamper, &EXPECT, KD_ERR_DENIED, "does not match"));
	CHECK(get_fails(&other, &EXPECT, KD_ERR_DENIED, "does not match"));
	CHECK(get_fails(&chal, &EXPECT, KD_ERR_DENIED, "another request"));
	CHECK(get_fails(&type, &EXPECT, KD_ERR_DENIED, "another step"));
	CHECK(get_fails(&origin, &EXPECT, KD_ERR_DENIED, "another address"));
	CHECK(get_fails(&rp, &EXPECT, KD_ERR_DENIED, "another site"));
	CHECK(get_fails(&nouv, &EXPECT_UV, KD_ERR_DENIED, "did not verify"));
	CHECK(get_fails(&noup, &EXPECT, KD_ERR_DENIED, "no touch"));
}

static void
test_assert_malformed(void)
{
	unsigned char cose[KD_FIDO_COSE_ES256_LEN];
	struct get g = { 0 };
	struct kd_err err;
	char *body = get_body(&g), *p;
	const char *nosig = "{\"id\":\"AAAA\",\"response\":{"
	    "\"authenticatorData\":\"AAAA\",\"clientDataJSON\":\"AAAA\"}}";

	fidodev_cose_es256_encode(F.xy, F.xy + 32, cose);
	CHECK(webauthn_assert_verify("nope", 4, F.challenge, 32, &EXPECT, cose,
	    sizeof(cose), NULL, &err) == KD_ERR_INVALID);
	CHECK(webauthn_assert_verify(nosig, strlen(nosig), F.challenge, 32,
	    &EXPECT, cose, sizeof(cose), NULL, &err) == KD_ERR_INVALID &&
	    strstr(err.msg, "has no signature") != NULL);
	/* a stored key that is not one */
	CHECK(webauthn_assert_verify(body, strlen(body), F.challenge, 32,
	    &EXPECT, cose, sizeof(cose) - 1, NULL, &err) == KD_ERR_INVALID);
	/* authenticatorData cut short (base64url of fewer bytes) */
	p = strstr(body, "\"authenticatorData\":\"");
	CHECK(p != NULL);
	if (p != NULL)
		memmove(p + 21, p + 21 + 8, strlen(p + 21 + 8) + 1);
	CHECK(webauthn_assert_verify(body, strlen(body), F.challenge, 32,
	    &EXPECT, cose, sizeof(cose), NULL, &err) != KD_OK);
	free(body);
}

/* KD_WEBAUTHN_SEEDS: the vectors as fuzz seeds. */
static void
write_seeds(const char *dir)
{
	static const struct reg regs[] = {
		{ .att = ATT_SELF }, { .att = ATT_X5C }, { .att = ATT_NONE },
		{ .att = ATT_SELF, .ext = 1 }, { .att = ATT_NONE, .rs256 = 1 },
		{ .att = ATT_X5C, .fmt = "apple" },
	};
	static const char *names[] = { "self", "x5c", "none", "ext", "rs256",
	    "apple" };
	struct get g = { 0 };
	unsigned char *ao, *raw;
	size_t ao_len, cdj_len;
	char name[64], *body, *cdj;

	/* the default clientDataJSON, which the signatures cover */
	cdj = client_data("webauthn.create", F.challenge, ORIGIN, NULL);
	cdj_len = strlen(cdj);
	for (size_t i = 0; i < KD_NELEM(regs); i++) {
		body = reg_body(&regs[i], &ao, &ao_len);
		snprintf(name, sizeof(name), "body_%s", names[i]);
		seed(dir, name, body, strlen(body));
		snprintf(name, sizeof(name), "att_%s", names[i]);
		seed(dir, name, ao, ao_len);
		/* fuzz_webauthn_body's raw form: 01, length, object, cdj */
		raw = malloc(3 + ao_len + cdj_len);
		raw[0] = 0x01;
		raw[1] = (unsigned char)(ao_len >> 8);
		raw[2] = (unsigned char)ao_len;
		memcpy(raw + 3, ao, ao_len);
		memcpy(raw + 3 + ao_len, cdj, cdj_len);
		snprintf(name, sizeof(name), "raw_%s", names[i]);
		seed(dir, name, raw, 3 + ao_len + cdj_len);
		free(raw);
		free(ao);
		free(body);
	}
	free(cdj);
	body = get_body(&g);
	seed(dir, "body_get", body, strlen(body));
	free(body);
}

int
main(void)
{
	const char *seeds = getenv("KD_WEBAUTHN_SEEDS");

	fixture_init();
	if (seeds != NULL)
		write_seeds(seeds);
	RUN(test_packed_self_ok);
	RUN(test_packed_x5c_ok);
	RUN(test_none_ok);
	RUN(test_uv_required);
	RUN(test_no_user_presence);
	RUN(test_wrong_origin);
	RUN(test_wrong_type);
	RUN(test_cross_origin);
	RUN(test_other_rp);
	RUN(test_cred_id_mismatch);
	RUN(test_bad_signatures);
	RUN(test_formats);
	RUN(test_rs256_refused);
	RUN(test_extensions);
	RUN(test_top_level_fields);
	RUN(test_body_malformed);
	RUN(test_body_size);
	RUN(test_transports);
	RUN(test_raw_id_wins);
	RUN(test_att_split);
	RUN(test_authdata_parse);
	RUN(test_assert_ok);
	RUN(test_assert_refused);
	RUN(test_assert_malformed);
	fixture_free();
	return tap_done();
}
