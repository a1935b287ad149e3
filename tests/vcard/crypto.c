/*
 * Cryptography for the card, on OpenSSL 3 EVP interfaces only (the EC_KEY
 * family is deprecated and the build uses -Werror).
 *
 * Credential IDs wrap the credential's private key under the card's wrap
 * key with AES-256-GCM, the RP ID hash as associated data: so IDs for
 * non-discoverable credentials need no storage, an ID only works for its
 * RP, and authenticatorReset (new wrap key) invalidates them all.
 *   id = 0x01 || nonce(12) || ciphertext(32) || tag(16)
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "vcard.h"

#define WRAP_VERSION 0x01

int
vc_rand(void *p, size_t n)
{
	return RAND_bytes(p, (int)n) == 1 ? 0 : -1;
}

void
vc_sha256(const void *p, size_t n, uint8_t out[32])
{
	SHA256(p, n, out);
}

EVP_PKEY *
vc_ec_keygen(void)
{
	return EVP_EC_gen("P-256");
}

static int
bn_param(EVP_PKEY *pk, const char *name, uint8_t out[32])
{
	BIGNUM *bn = NULL;
	int ok = -1;

	if (EVP_PKEY_get_bn_param(pk, name, &bn) != 1)
		goto fail;
	if (BN_bn2binpad(bn, out, 32) != 32)
		goto fail;
	ok = 0;
fail:
	BN_clear_free(bn);
	return ok;
}

int
vc_ec_pub(EVP_PKEY *pk, uint8_t x[32], uint8_t y[32])
{
	if (bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_X, x) < 0 ||
	    bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_Y, y) < 0)
		return -1;
	return 0;
}

int
vc_ec_priv(EVP_PKEY *pk, uint8_t d[32])
{
	return bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, d);
}

/* Builds a P-256 key from its params; 'sel' is EVP_PKEY_KEYPAIR etc. */
static EVP_PKEY *
ec_fromdata(OSSL_PARAM_BLD *bld, int sel)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	OSSL_PARAM *params = NULL;

	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pk, sel, params) != 1)
		pk = NULL;
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

/* A signing key from a raw scalar (what a credential ID unwraps to). */
EVP_PKEY *
vc_ec_from_priv(const uint8_t d[32])
{
	OSSL_PARAM_BLD *bld = NULL;
	BIGNUM *bn = NULL;
	EVP_PKEY *pk = NULL;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    (bn = BN_secure_new()) == NULL ||
	    BN_bin2bn(d, 32, bn) == NULL ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn) != 1)
		goto fail;
	pk = ec_fromdata(bld, EVP_PKEY_KEYPAIR);
fail:
	BN_clear_free(bn);
	OSSL_PARAM_BLD_free(bld);
	return pk;
}

static EVP_PKEY *
ec_from_xy(const uint8_t x[32], const uint8_t y[32])
{
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pk = NULL;
	uint8_t pt[65];

	pt[0] = 0x04;
	memcpy(pt + 1, x, 32);
	memcpy(pt + 33, y, 32);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt,
	    sizeof(pt)) != 1)
		goto fail;
	pk = ec_fromdata(bld, EVP_PKEY_PUBLIC_KEY);
fail:
	OSSL_PARAM_BLD_free(bld);
	return pk;
}

/* ECDSA-SHA256 over a || b, DER signature (at most 72 bytes). */
int
vc_ec_sign(EVP_PKEY *pk, const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen, uint8_t *sig, size_t *siglen)
{
	EVP_MD_CTX *ctx = NULL;
	int ok = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pk) != 1 ||
	    EVP_DigestSignUpdate(ctx, a, alen) != 1 ||
	    EVP_DigestSignUpdate(ctx, b, blen) != 1 ||
	    EVP_DigestSignFinal(ctx, sig, siglen) != 1)
		goto fail;
	ok = 0;
fail:
	EVP_MD_CTX_free(ctx);
	return ok;
}

/*
 * Z = x-coordinate of own * peer.  OpenSSL checks the peer point is on
 * the curve (EVP_PKEY_fromdata, EVP_PKEY_derive_set_peer).
 */
int
vc_ecdh(EVP_PKEY *own, const uint8_t x[32], const uint8_t y[32],
    uint8_t z[32])
{
	EVP_PKEY *peer = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t zlen = 32;
	int ok = -1;

	if ((peer = ec_from_xy(x, y)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new(own, NULL)) == NULL ||
	    EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_derive_set_peer(ctx, peer) != 1 ||
	    EVP_PKEY_derive(ctx, z, &zlen) != 1 || zlen != 32)
		goto fail;
	ok = 0;
fail:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	return ok;
}

int
vc_hmac(const uint8_t *key, size_t klen, const uint8_t *msg, size_t mlen,
    uint8_t out[32])
{
	unsigned int n = 32;

	if (HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out, &n) == NULL ||
	    n != 32)
		return -1;
	return 0;
}

/* HKDF-SHA-256, salt 32 zero bytes, 32 bytes out (PIN protocol 2). */
int
vc_hkdf32(const uint8_t z[32], const char *info, uint8_t out[32])
{
	uint8_t salt[32], prk[32], t[64];
	size_t n = strlen(info);
	int ok = -1;

	memset(salt, 0, sizeof(salt));
	if (n + 1 > sizeof(t) ||
	    vc_hmac(salt, sizeof(salt), z, 32, prk) < 0)
		goto fail;
	memcpy(t, info, n);
	t[n] = 0x01; /* T(1): one block is all we need */
	if (vc_hmac(prk, sizeof(prk), t, n + 1, out) < 0)
		goto fail;
	ok = 0;
fail:
	explicit_bzero(prk, sizeof(prk));
	return ok;
}

/* AES-256-CBC without padding; len must be a multiple of 16. */
int
vc_aes_cbc(int enc, const uint8_t key[32], const uint8_t iv[16],
    const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = NULL;
	int n = 0, m = 0, ok = -1;

	if (len % 16 != 0 || len > INT32_MAX)
		return -1;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, iv, enc) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1 ||
	    EVP_CipherFinal_ex(ctx, out + n, &m) != 1 ||
	    (size_t)(n + m) != len)
		goto fail;
	ok = 0;
fail:
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

static int
gcm(int enc, const uint8_t key[32], const uint8_t nonce[12],
    const uint8_t aad[32], const uint8_t *in, uint8_t *out, uint8_t tag[16])
{
	EVP_CIPHER_CTX *ctx = NULL;
	int n = 0, ok = -1;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce,
	    enc) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &n, aad, 32) != 1 ||
	    EVP_CipherUpdate(ctx, out, &n, in, 32) != 1 || n != 32)
		goto fail;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16,
	    tag) != 1)
		goto fail;
	if (EVP_CipherFinal_ex(ctx, out + 32, &n) != 1)
		goto fail;
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16,
	    tag) != 1)
		goto fail;
	ok = 0;
fail:
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

int
vc_cred_wrap(const uint8_t key[32], const uint8_t rp_hash[32],
    const uint8_t d[32], uint8_t id[VC_CRED_ID_LEN])
{
	uint8_t ct[48];
	int ok;

	id[0] = WRAP_VERSION;
	if (vc_rand(id + 1, 12) < 0)
		return -1;
	ok = gcm(1, key, id + 1, rp_hash, d, ct, id + 45);
	memcpy(id + 13, ct, 32);
	explicit_bzero(ct, sizeof(ct));
	return ok;
}

int
vc_cred_unwrap(const uint8_t key[32], const uint8_t rp_hash[32],
    const uint8_t *id, size_t len, uint8_t d[32])
{
	uint8_t pt[48], tag[16];
	int ok = -1;

	if (len != VC_CRED_ID_LEN || id[0] != WRAP_VERSION)
		return -1;
	memcpy(tag, id + 45, 16);
	if (gcm(0, key, id + 1, rp_hash, id + 13, pt, tag) == 0) {
		memcpy(d, pt, 32);
		ok = 0;
	}
	explicit_bzero(pt, sizeof(pt));
	return ok;
}
