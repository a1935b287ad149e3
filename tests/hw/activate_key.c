/* Activates a pending key from another process, as the portal will once a
 * phone's browser has registered a passkey: for tests/e2e/tui_phone.sh,
 * which proves that a screen waiting on the key (the phone's QR code)
 * sees it turn Active by itself.  It goes through the real core function
 * (activate_key_commit: one transaction, activate_key_mark, the audit
 * row); only the credential is made up, since no browser is involved.
 * The portal's own tests register real ones.
 *
 *   hw_activate_key DB KEY_ID
 *
 * Prints "activated KEY_ID", or "error: ..." and exits 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/codekey.h"
#include "core/activate.h"
#include "core/store.h"

int
main(int argc, char **argv)
{
	unsigned char handle[32];
	struct kd_cred_record rec;
	struct kd_config *cfg = NULL;
	struct kd_store *st = NULL;
	struct kd_err e;
	char cred_id[64];
	int64_t key;
	int r;

	if (argc != 3 || (key = strtoll(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: hw_activate_key DB KEY_ID\n");
		return 2;
	}
	kd_err_clear(&e);
	if ((cfg = config_new()) == NULL) {
		r = kd_err_set(&e, KD_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((r = store_open(&st, argv[1], &e)) != KD_OK ||
	    (r = codekey_load(NULL, argv[1], &e)) != KD_OK ||
	    (r = kd_random(handle, sizeof(handle))) != KD_OK)
		goto out;
	snprintf(cred_id, sizeof(cred_id), "dGVzdC1jcmVkZW50aWFs-%lld",
	    (long long)key);
	memset(&rec, 0, sizeof(rec));
	rec.user_handle = handle;
	rec.user_handle_len = sizeof(handle);
	rec.credential_id = cred_id;
	/* Not a usable COSE key: nothing verifies against it here. */
	rec.public_key = "pQECAyYgASFYIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	rec.aaguid = "00000000000000000000000000000000";
	rec.attestation_fmt = "none";
	rec.authenticator_info = "{}";
	rec.device = "tests/hw/activate_key";
	r = activate_key_commit(st, cfg, key, 0, &rec, NULL, "phone-test", &e);
out:
	store_close(&st);
	config_free(&cfg);
	if (r != KD_OK) {
		printf("error: %s\n", e.msg[0] ? e.msg : kd_strerror(r));
		return 1;
	}
	printf("activated %lld\n", (long long)key);
	return 0;
}
