/* Checks a browser's assertion (navigator.credentials.get) against a key
 * keydesk stored, with keydesk's own verifier (core/webauthn.c): proof for
 * tests/e2e/portal_browser.sh that the credential the portal recorded is
 * the one the authenticator holds.
 *
 *   hw_webauthn_check ASSERTION.json CHALLENGE ORIGIN RP_ID COSE_KEY [uv]
 *
 * CHALLENGE and COSE_KEY are base64url (the key as `keydesk export keys
 * --json` gives it).  Prints "ok sign_count=N" and exits 0, or
 * "error: ..." and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kd.h"
#include "core/webauthn.h"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	if (f == NULL)
		return NULL;
	buf = calloc(1, WEBAUTHN_BODY_MAX + 1);
	*len = buf ? fread(buf, 1, WEBAUTHN_BODY_MAX, f) : 0;
	fclose(f);
	return buf;
}

int
main(int argc, char **argv)
{
	struct kd_webauthn_expect ex;
	unsigned char ch[64], cose[256];
	struct kd_err e;
	uint32_t count = 0;
	long chl, cosel;
	size_t len = 0;
	char *json;
	int r;

	if (argc < 6) {
		fprintf(stderr, "usage: hw_webauthn_check ASSERTION.json "
		    "CHALLENGE ORIGIN RP_ID COSE_KEY [uv]\n");
		return 2;
	}
	if ((json = slurp(argv[1], &len)) == NULL) {
		printf("error: cannot read %s\n", argv[1]);
		return 1;
	}
	chl = kd_b64url_decode(argv[2], ch, sizeof(ch));
	cosel = kd_b64url_decode(argv[5], cose, sizeof(cose));
	if (chl <= 0 || cosel <= 0) {
		printf("error: bad base64url argument\n");
		free(json);
		return 1;
	}
	ex.origin = argv[3];
	ex.rp_id = argv[4];
	ex.require_uv = argc > 6 && strcmp(argv[6], "uv") == 0;
	kd_err_clear(&e);
	r = webauthn_assert_verify(json, len, ch, (size_t)chl, &ex, cose,
	    (size_t)cosel, &count, &e);
	free(json);
	if (r != KD_OK) {
		printf("error: %s\n", e.msg);
		return 1;
	}
	printf("ok sign_count=%lu\n", (unsigned long)count);
	return 0;
}
