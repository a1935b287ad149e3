/* COSE_Key (RFC 9052/9053) for ES256 public keys: the form keydesk stores.
 * Hand-written and strict on purpose: core does not link libcbor, and a
 * stored key is either exactly an EC2/P-256/ES256 key or it is rejected.
 * The decoder is fuzzed (tests/fuzz/fuzz_cose.c). */
#include "core/fido.h"

#include <string.h>

/* COSE labels and values (RFC 9053 § 7.1, IANA COSE registries). */
#define COSE_KTY	1
#define COSE_ALG	3
#define COSE_CRV	(-1)
#define COSE_X		(-2)
#define COSE_Y		(-3)
#define COSE_KTY_EC2	2
#define COSE_ES256	(-7)
#define COSE_P256	1

void
fidodev_cose_es256_encode(const unsigned char x[32], const unsigned char y[32],
    unsigned char out[KD_FIDO_COSE_ES256_LEN])
{
	/* Canonical CBOR, keys in the order CTAP authenticators use. */
	static const unsigned char head[] = {
		0xa5,			/* map(5) */
		0x01, 0x02,		/* kty: EC2 */
		0x03, 0x26,		/* alg: ES256 (-7) */
		0x20, 0x01,		/* crv: P-256 */
		0x21, 0x58, 0x20,	/* x: bstr(32) */
	};

	memcpy(out, head, sizeof(head));
	memcpy(out + sizeof(head), x, 32);
	out[42] = 0x22;			/* y: bstr(32) */
	out[43] = 0x58;
	out[44] = 0x20;
	memcpy(out + 45, y, 32);
}

struct rd {
	const unsigned char *p;
	size_t n;
};

/* A CBOR head: major type and argument (up to 2 bytes is all a COSE key
 * of ours needs; longer arguments are refused). */
static int
rd_head(struct rd *r, int *major, size_t *arg)
{
	unsigned ai;

	if (r->n < 1)
		return -1;
	*major = r->p[0] >> 5;
	ai = r->p[0] & 0x1f;
	if (ai < 24) {
		*arg = ai;
		r->p++, r->n--;
	} else if (ai == 24 && r->n >= 2) {
		*arg = r->p[1];
		r->p += 2, r->n -= 2;
	} else if (ai == 25 && r->n >= 3) {
		*arg = (size_t)r->p[1] << 8 | r->p[2];
		r->p += 3, r->n -= 3;
	} else
		return -1;
	return 0;
}

/* An integer (major 0 or 1) into *v. */
static int
rd_int(struct rd *r, long *v)
{
	int major;
	size_t arg;

	if (rd_head(r, &major, &arg) < 0 || (major != 0 && major != 1))
		return -1;
	*v = major == 0 ? (long)arg : -1 - (long)arg;
	return 0;
}

/* One value: an int, or a byte string (its bytes come back in b, blen). */
static int
rd_value(struct rd *r, int *is_bstr, long *v, const unsigned char **b,
    size_t *blen)
{
	int major;
	size_t arg;
	struct rd save = *r;

	if (rd_head(r, &major, &arg) < 0)
		return -1;
	if (major == 0 || major == 1) {
		*r = save;
		*is_bstr = 0;
		return rd_int(r, v);
	}
	if (major != 2 || arg > r->n)
		return -1;
	*is_bstr = 1;
	*b = r->p;
	*blen = arg;
	r->p += arg;
	r->n -= arg;
	return 0;
}

int
fidodev_cose_es256_decode(const unsigned char *in, size_t len,
    unsigned char x[32], unsigned char y[32], struct kd_err *err)
{
	struct rd r = { in, len };
	const unsigned char *b = NULL;
	size_t entries, blen = 0;
	unsigned seen = 0, bit;
	long key, v = 0;
	int major, is_bstr;

	if (in == NULL || rd_head(&r, &major, &entries) < 0 || major != 5 ||
	    entries < 5 || entries > 16)
		goto bad;
	for (size_t i = 0; i < entries; i++) {
		if (rd_int(&r, &key) < 0 ||
		    rd_value(&r, &is_bstr, &v, &b, &blen) < 0)
			goto bad;
		switch (key) {
		case COSE_KTY: bit = 1; break;
		case COSE_ALG: bit = 2; break;
		case COSE_CRV: bit = 4; break;
		case COSE_X: bit = 8; break;
		case COSE_Y: bit = 16; break;
		default: continue;	/* e.g. kid: allowed, ignored */
		}
		if (seen & bit)
			goto bad;	/* the same label twice */
		seen |= bit;
		if ((key == COSE_KTY && (is_bstr || v != COSE_KTY_EC2)) ||
		    (key == COSE_ALG && (is_bstr || v != COSE_ES256)) ||
		    (key == COSE_CRV && (is_bstr || v != COSE_P256)) ||
		    ((key == COSE_X || key == COSE_Y) &&
		    (!is_bstr || blen != 32)))
			goto bad;
		if (key == COSE_X)
			memcpy(x, b, 32);
		else if (key == COSE_Y)
			memcpy(y, b, 32);
	}
	if (seen != 31 || r.n != 0)
		goto bad;
	return KD_OK;
bad:
	return kd_err_set(err, KD_ERR_INVALID, "the stored public key is not "
	    "a valid ES256 COSE key");
}
