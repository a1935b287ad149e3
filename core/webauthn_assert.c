/* An assertion from navigator.credentials.get() checked against a stored
 * key: the clientDataJSON and authData checks by hand (as for a
 * registration, plus the challenge, which here is ours to compare), then
 * the signature by fidodev_assertion_check, the same check a card's
 * assertion gets at the kiosk. */
#include "core/webauthn_int.h"

#include <string.h>

#include "core/fido.h"

int
webauthn_assert_verify(const char *json, size_t len,
    const unsigned char *challenge, size_t challenge_len,
    const struct kd_webauthn_expect *expect, const unsigned char *cose,
    size_t cose_len, uint32_t *sign_count, struct kd_err *err)
{
	struct kd_webauthn_assertion a;
	struct kd_webauthn_authdata ad;
	struct kd_assertion ka;
	int rc;

	if (sign_count != NULL)
		*sign_count = 0;
	memset(&a, 0, sizeof(a));
	if (challenge == NULL || challenge_len == 0 || expect == NULL ||
	    expect->rp_id == NULL || expect->origin == NULL || cose == NULL)
		return kd_err_set(err, KD_ERR_INVALID, "incomplete assertion "
		    "check (challenge, rp id, origin, key)");
	if ((rc = webauthn_assert_parse(json, len, &a, err)) != KD_OK)
		return rc;
	if ((rc = wa_client_check(a.type, a.origin, a.cross_origin,
	    "webauthn.get", expect, err)) != KD_OK)
		goto fail;
	/* constant time: the challenge is what makes a replay fail */
	if (a.challenge_len != challenge_len ||
	    !kd_memeq(a.challenge, challenge, challenge_len)) {
		rc = kd_err_set(err, KD_ERR_DENIED, "this answer is for "
		    "another request (challenge): reload the page and try "
		    "again");
		goto fail;
	}
	if ((rc = webauthn_authdata_parse(a.authdata, a.authdata_len, &ad,
	    err)) != KD_OK || (rc = wa_authdata_check(&ad, expect, err)) !=
	    KD_OK)
		goto fail;
	memset(&ka, 0, sizeof(ka));
	kd_sha256(a.cdj, a.cdj_len, ka.cdh);	/* what the key signed */
	ka.authdata = a.authdata;
	ka.authdata_len = a.authdata_len;
	ka.sig = a.sig;
	ka.sig_len = a.sig_len;
	ka.flags = ad.flags;
	ka.sign_count = ad.sign_count;
	if ((rc = fidodev_assertion_check(&ka, expect->rp_id, cose, cose_len,
	    expect->require_uv, err)) != KD_OK)
		goto fail;
	if (sign_count != NULL)
		*sign_count = ad.sign_count;
fail:
	webauthn_assertion_clear(&a);	/* ka only borrowed its buffers */
	return rc;
}
