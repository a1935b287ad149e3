/* Assertions: getting one from a card or key, and checking one against a
 * stored COSE public key with libfido2's fido_assert_verify. */
#include "core/fido_int.h"

#include <fido/es256.h>
#include <stdlib.h>
#include <string.h>

/* The first assertion of `fa` into plain data. */
static int
assert_copy(const fido_assert_t *fa, const unsigned char cdh[32],
    struct kd_assertion *out, struct kd_err *err)
{
	const unsigned char *raw;
	size_t raw_len;

	if (fido_assert_count(fa) < 1)
		return kd_err_set(err, KD_ERR_DEVICE,
		    "the card returned no assertion");
	/* libfido2 1.12 hands authenticator data CBOR-wrapped */
	if (fdev_cbor_bstr(fido_assert_authdata_ptr(fa, 0),
	    fido_assert_authdata_len(fa, 0), &raw, &raw_len) < 0)
		return kd_err_set(err, KD_ERR_DEVICE,
		    "the card returned malformed authenticator data");
	memcpy(out->cdh, cdh, 32);
	if (kd_memdup(&out->authdata, &out->authdata_len, raw, raw_len) < 0 ||
	    kd_memdup(&out->sig, &out->sig_len, fido_assert_sig_ptr(fa, 0),
	    fido_assert_sig_len(fa, 0)) < 0 ||
	    kd_memdup(&out->cred_id, &out->cred_id_len,
	    fido_assert_id_ptr(fa, 0), fido_assert_id_len(fa, 0)) < 0 ||
	    kd_memdup(&out->user_id, &out->user_id_len,
	    fido_assert_user_id_ptr(fa, 0), fido_assert_user_id_len(fa, 0)) < 0)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	out->flags = fido_assert_flags(fa, 0);
	out->sign_count = fido_assert_sigcount(fa, 0);
	return KD_OK;
}

int
fdev_assert(struct fdev *f, const char *rp_id, const unsigned char *cred_id,
    size_t cred_id_len, const char *pin, struct kd_assertion *out,
    struct kd_err *err)
{
	fido_assert_t *fa;
	unsigned char cdh[32];
	int r, rc;

	memset(out, 0, sizeof(*out));
	if ((fa = fido_assert_new()) == NULL)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	if (kd_random(cdh, sizeof(cdh)) != 0 ||
	    fido_assert_set_clientdata_hash(fa, cdh, sizeof(cdh)) != FIDO_OK ||
	    fido_assert_set_rp(fa, rp_id) != FIDO_OK ||
	    (cred_id != NULL && fido_assert_allow_cred(fa, cred_id,
	    cred_id_len) != FIDO_OK)) {
		rc = kd_err_set(err, KD_ERR_INVALID,
		    "bad assertion parameters (rp id, credential id)");
		goto out;
	}
	fdev_busy_begin(f);
	r = fido_dev_get_assert(f->dev, fa, pin);
	fdev_busy_end(f);
	if (r != FIDO_OK) {
		rc = fdev_err(f, r, "getting an assertion", err);
		goto out;
	}
	rc = assert_copy(fa, cdh, out, err);
out:
	if (rc != KD_OK)
		fidodev_assertion_clear(out);
	fido_assert_free(&fa);
	return rc;
}

static int
pk_from_cose(const unsigned char *cose, size_t cose_len, es256_pk_t **pk,
    struct kd_err *err)
{
	unsigned char xy[64];
	int rc;

	*pk = NULL;
	if ((rc = fidodev_cose_es256_decode(cose, cose_len, xy, xy + 32,
	    err)) != KD_OK)
		return rc;
	if ((*pk = es256_pk_new()) == NULL)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	if (es256_pk_from_ptr(*pk, xy, sizeof(xy)) != FIDO_OK) {
		es256_pk_free(pk);
		/* a flipped bit in x or y mostly leaves the curve */
		return kd_err_set(err, KD_ERR_DENIED, "the assertion does not "
		    "verify: the stored public key is not a P-256 point");
	}
	return KD_OK;
}

int
fidodev_assertion_check(const struct kd_assertion *a, const char *rp_id,
    const unsigned char *cose, size_t cose_len, int require_uv,
    struct kd_err *err)
{
	fido_assert_t *fa = NULL;
	es256_pk_t *pk = NULL;
	int r, rc;

	if (a->authdata == NULL || a->sig == NULL || rp_id == NULL)
		return kd_err_set(err, KD_ERR_INVALID, "incomplete assertion");
	if ((rc = pk_from_cose(cose, cose_len, &pk, err)) != KD_OK)
		return rc;
	if ((fa = fido_assert_new()) == NULL) {
		rc = kd_err_set(err, KD_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (fido_assert_set_count(fa, 1) != FIDO_OK ||
	    fido_assert_set_rp(fa, rp_id) != FIDO_OK ||
	    fido_assert_set_clientdata_hash(fa, a->cdh, 32) != FIDO_OK ||
	    fido_assert_set_authdata_raw(fa, 0, a->authdata,
	    a->authdata_len) != FIDO_OK ||
	    fido_assert_set_sig(fa, 0, a->sig, a->sig_len) != FIDO_OK ||
	    fido_assert_set_up(fa, FIDO_OPT_TRUE) != FIDO_OK ||
	    fido_assert_set_uv(fa, require_uv ? FIDO_OPT_TRUE :
	    FIDO_OPT_OMIT) != FIDO_OK) {
		rc = kd_err_set(err, KD_ERR_DENIED,
		    "the assertion is malformed (authenticator data)");
		goto out;
	}
	r = fido_assert_verify(fa, 0, COSE_ES256, pk);
	if (r == FIDO_ERR_INVALID_SIG)
		rc = kd_err_set(err, KD_ERR_DENIED, "the assertion does not "
		    "verify: the signature does not match the stored key");
	else if (r != FIDO_OK)
		rc = kd_err_set(err, KD_ERR_DENIED, "the assertion does not "
		    "verify: wrong relying party, or the key did not confirm "
		    "presence%s (%s)", require_uv ? " and PIN" : "",
		    fido_strerr(r));
	else
		rc = KD_OK;
out:
	fido_assert_free(&fa);
	es256_pk_free(&pk);
	return rc;
}

static void
args_from(const struct kd_assert_req *q, struct fdev_args *a)
{
	memset(a, 0, sizeof(*a));
	a->path = q->path;
	a->timeout_ms = q->timeout_ms;
	a->touch_ms = q->touch_timeout_ms;
	a->cancel = q->cancel;
	a->progress = q->progress;
	a->progress_arg = q->progress_arg;
}

int
fidodev_get_assertion(const struct kd_assert_req *q, struct kd_assertion *out,
    struct kd_err *err)
{
	struct fdev_args a;
	struct fdev *f = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	kd_err_clear(err);
	if (q->rp_id == NULL)
		return kd_err_set(err, KD_ERR_INVALID, "no relying party id");
	args_from(q, &a);
	if ((rc = fdev_acquire(&a, &f, err)) == KD_OK) {
		fdev_progress(f, KD_TAP_WORKING);
		if ((rc = fdev_assert(f, q->rp_id, q->cred_id, q->cred_id_len,
		    q->pin, out, err)) == KD_OK)
			fdev_progress(f, KD_TAP_DONE);
	}
	fdev_release(&f);
	return rc;
}

int
fidodev_verify_assertion(const struct kd_assert_req *q,
    const unsigned char *cose, size_t cose_len, int require_uv,
    struct kd_assertion *out, struct kd_err *err)
{
	struct kd_assertion a;
	int rc;

	if ((rc = fidodev_get_assertion(q, &a, err)) != KD_OK)
		return rc;
	rc = fidodev_assertion_check(&a, q->rp_id, cose, cose_len, require_uv,
	    err);
	if (rc == KD_OK && out != NULL)
		*out = a;	/* the caller owns it now */
	else
		fidodev_assertion_clear(&a);
	return rc;
}

void
fidodev_assertion_clear(struct kd_assertion *a)
{
	if (a == NULL)
		return;
	free(a->authdata);
	free(a->sig);
	free(a->cred_id);
	free(a->user_id);
	memset(a, 0, sizeof(*a));
}
