/*
 * libFuzzer harness for the COSE_Key decoder (core/fido_cose.c): stored
 * public keys come back from the database and from the card; a bad one must
 * be an error, and a good one must survive encode/decode unchanged.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/fido.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char x[32], y[32], x2[32], y2[32];
	unsigned char enc[KD_FIDO_COSE_ES256_LEN];
	struct kd_err err;

	if (fidodev_cose_es256_decode(data, size, x, y, &err) != KD_OK) {
		if (err.code != KD_ERR_INVALID)
			__builtin_trap();
		return 0;
	}
	fidodev_cose_es256_encode(x, y, enc);
	if (fidodev_cose_es256_decode(enc, sizeof(enc), x2, y2, &err) !=
	    KD_OK || memcmp(x, x2, 32) != 0 || memcmp(y, y2, 32) != 0)
		__builtin_trap();
	return 0;
}
