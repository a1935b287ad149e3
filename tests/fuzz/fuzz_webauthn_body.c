/*
 * libFuzzer harness for what a browser POSTs to the activation portal:
 * webauthn_reg_parse + webauthn_reg_verify (core/webauthn_json.c,
 * core/webauthn.c) and webauthn_assert_parse, on hostile bytes.
 *
 * Input: a JSON body ('{' first), parsed both as a registration and as an
 * assertion; or 0x01, a 2-byte length, an attestation object, then
 * clientDataJSON: a registration built without JSON or base64url, so the
 * mutations reach the CBOR, authData and libfido2 checks directly (the
 * credential ID is taken from authData, as an honest browser would send
 * it).  See tests/fuzz/README.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/fido.h"
#include "core/webauthn.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct kd_webauthn_expect expect[2] = {
	{ "localhost", "http://localhost:18202", 0 },
	{ "localhost", "http://localhost:18202", 1 },
};

static void
must_say_why(int rc, const struct kd_err *err)
{
	if (rc != KD_OK && (err->msg[0] == '\0' || (rc != KD_ERR_INVALID &&
	    rc != KD_ERR_DENIED && rc != KD_ERR_NOMEM)))
		__builtin_trap();
}

static void
verify(const struct kd_webauthn_reg *reg, int uv)
{
	struct kd_webauthn_cred cred;
	struct kd_err err;
	unsigned char x[32], y[32];
	int rc;

	rc = webauthn_reg_verify(reg, &expect[uv], &cred, &err);
	must_say_why(rc, &err);
	if (rc == KD_OK) {
		/* what gets stored must be what was sent, and decode again */
		if (cred.id_len != reg->id_len ||
		    memcmp(cred.id, reg->id, reg->id_len) != 0 ||
		    cred.cose_pk_len != KD_FIDO_COSE_ES256_LEN ||
		    fidodev_cose_es256_decode(cred.cose_pk, cred.cose_pk_len,
		    x, y, &err) != KD_OK || cred.fmt[0] == '\0' ||
		    !(cred.flags & WEBAUTHN_FLAG_UP) ||
		    (uv && !cred.uv) || memchr(cred.transports, '\0',
		    sizeof(cred.transports)) == NULL)
			__builtin_trap();
	}
	webauthn_cred_clear(&cred);
}

static void
body(const uint8_t *data, size_t size)
{
	struct kd_webauthn_reg reg;
	struct kd_webauthn_assertion a;
	struct kd_err err;
	int rc;

	rc = webauthn_reg_parse((const char *)data, size, &reg, &err);
	must_say_why(rc, &err);
	if (rc == KD_OK) {
		if (memchr(reg.origin, '\0', sizeof(reg.origin)) == NULL ||
		    memchr(reg.type, '\0', sizeof(reg.type)) == NULL ||
		    reg.challenge_len > sizeof(reg.challenge))
			__builtin_trap();
		verify(&reg, size & 1);
	}
	webauthn_reg_clear(&reg);
	rc = webauthn_assert_parse((const char *)data, size, &a, &err);
	must_say_why(rc, &err);
	webauthn_assertion_clear(&a);
}

static void
raw(const uint8_t *data, size_t size)
{
	struct kd_webauthn_reg reg;
	struct kd_webauthn_att att;
	struct kd_webauthn_authdata ad;
	struct kd_err err;
	size_t n;

	if (size < 3 || (n = (size_t)data[1] << 8 | data[2]) > size - 3)
		return;
	memset(&reg, 0, sizeof(reg));
	reg.att_obj = (unsigned char *)(uintptr_t)(data + 3);
	reg.att_obj_len = n;
	reg.cdj = (unsigned char *)(uintptr_t)(data + 3 + n);
	reg.cdj_len = size - 3 - n;
	strcpy(reg.type, "webauthn.create");
	strcpy(reg.origin, expect[0].origin);
	strcpy(reg.transports, "usb");
	if (webauthn_att_split(reg.att_obj, n, &att, &err) != KD_OK)
		return;
	if (webauthn_authdata_parse(att.authdata, att.authdata_len, &ad,
	    &err) == KD_OK && ad.cred_id != NULL &&
	    (reg.id = malloc(ad.cred_id_len)) != NULL) {
		memcpy(reg.id, ad.cred_id, ad.cred_id_len);
		reg.id_len = ad.cred_id_len;
		verify(&reg, 0);
		verify(&reg, 1);
		free(reg.id);
	}
	webauthn_att_clear(&att);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 0 && data[0] == 0x01)
		raw(data, size);
	else
		body(data, size);
	return 0;
}
