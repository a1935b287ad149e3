/*
 * libFuzzer harness for the CBOR half of a WebAuthn registration
 * (core/webauthn_att.c): the attestation object split (libcbor, behind a
 * well-formedness walk that bounds every length), authenticator data taken
 * apart by hand, and its extensions.  The same bytes are also read as
 * authenticator data.  See tests/fuzz/README.
 */
#include <cbor.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/fido.h"
#include "core/webauthn_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Every part of authData lies inside it, in order, with no gaps. */
static void
authdata(const uint8_t *p, size_t n)
{
	struct kd_webauthn_authdata ad;
	struct kd_err err;
	struct wa_ext ext;
	unsigned char x[32], y[32];
	size_t end = 37;

	if (webauthn_authdata_parse(p, n, &ad, &err) != KD_OK) {
		if (err.code != KD_ERR_INVALID || err.msg[0] == '\0')
			__builtin_trap();
		return;
	}
	if (ad.cred_id != NULL) {
		if (ad.cred_id != p + end + 18 || ad.cred_id_len == 0 ||
		    ad.cred_id_len > WEBAUTHN_CRED_ID_MAX ||
		    ad.cose_pk != ad.cred_id + ad.cred_id_len)
			__builtin_trap();
		end += 18 + ad.cred_id_len + ad.cose_pk_len;
		(void)fidodev_cose_es256_decode(ad.cose_pk, ad.cose_pk_len, x,
		    y, &err);
	}
	if (ad.ext != NULL) {
		if (ad.ext != p + end)
			__builtin_trap();
		end += ad.ext_len;
		(void)wa_ext_parse(ad.ext, ad.ext_len, &ext);
	}
	if (end != n)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kd_webauthn_att att;
	struct cbor_load_result res;
	struct kd_err err;
	cbor_item_t *item;
	size_t used;

	if (webauthn_att_split(data, size, &att, &err) == KD_OK) {
		if (att.fmt[0] == '\0' || att.authdata_len == 0 ||
		    att.attstmt_len == 0 || (att.attstmt[0] & 0xe0) != 0xa0)
			__builtin_trap();
		authdata(att.authdata, att.authdata_len);
	} else if (err.code != KD_ERR_INVALID || err.msg[0] == '\0')
		__builtin_trap();
	webauthn_att_clear(&att);
	authdata(data, size);
	/* what the walk lets through is what libcbor gets: it must cope */
	if (wa_cbor_item_len(data, size, &used) == 0) {
		if (used == 0 || used > size)
			__builtin_trap();
		if ((item = cbor_load(data, used, &res)) != NULL)
			cbor_decref(&item);
	}
	return 0;
}
