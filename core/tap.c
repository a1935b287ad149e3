/* One "Activate now" session: PIN, enroll, record. */
#include "core/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/activate.h"

int
tap_init(struct kd_tap *t, const struct kd_config *cfg,
    enum kd_verification v, const char *user_name, const char *display_name,
    struct kd_err *e)
{
	memset(t, 0, sizeof(*t));
	t->cfg = cfg;
	t->verification = v;
	snprintf(t->user_name, sizeof(t->user_name), "%s", user_name);
	snprintf(t->display_name, sizeof(t->display_name), "%s", display_name);
	t->timeout_ms = 60000;
	if (kd_random(t->user_handle, sizeof(t->user_handle)) != KD_OK)
		return kd_err_set(e, KD_ERR_IO, "no randomness");
	if (v == KD_VERIFY_PIN &&
	    activate_pin_new(t->pin, sizeof(t->pin), cfg->pin_length) != KD_OK)
		return kd_err_set(e, KD_ERR_IO, "cannot make a PIN");
	return KD_OK;
}

static void
free_outputs(struct kd_tap *t)
{
	fidodev_credential_clear(&t->cred);
	free(t->cred_id);
	free(t->public_key);
	free(t->cert);
	t->cred_id = t->public_key = t->cert = NULL;
	memset(&t->rec, 0, sizeof(t->rec));
}

static char *
b64_dup(const unsigned char *p, size_t n, int url)
{
	size_t len = (n + 2) / 3 * 4 + 1;
	char *s;

	if ((s = malloc(len)) == NULL)
		return NULL;
	if (url)
		kd_b64url_encode(p, n, s, len);
	else
		kd_b64_encode(p, n, s, len);
	return s;
}

static int
make_record(struct kd_tap *t, struct kd_err *e)
{
	t->cred_id = b64_dup(t->cred.id, t->cred.id_len, 1);
	t->public_key = b64_dup(t->cred.cose_pk, t->cred.cose_pk_len, 1);
	if (t->cred.x5c_len > 0)
		t->cert = b64_dup(t->cred.x5c, t->cred.x5c_len, 0);
	if (t->cred_id == NULL || t->public_key == NULL ||
	    (t->cred.x5c_len > 0 && t->cert == NULL))
		return kd_err_set(e, KD_ERR_NOMEM, "out of memory");
	t->rec.user_handle = t->user_handle;
	t->rec.user_handle_len = sizeof(t->user_handle);
	t->rec.credential_id = t->cred_id;
	t->rec.public_key = t->public_key;
	t->rec.aaguid = t->cred.aaguid_hex;
	t->rec.attestation_fmt = t->cred.fmt;
	t->rec.attestation_cert = t->cert;
	t->rec.authenticator_info = t->cred.info_json;
	t->rec.device = t->cred.device;
	return KD_OK;
}

void
tap_want(struct kd_tap *t, enum kd_key_type type)
{
	t->transport = type == KD_KEY_CARD ? KD_TRANSPORT_PCSC :
	    type == KD_KEY_FIDO2 ? KD_TRANSPORT_USB : KD_TRANSPORT_ANY;
}

int
tap_run(struct kd_tap *t, struct kd_err *e)
{
	struct kd_enroll_req req;
	int r;

	free_outputs(t);
	memset(&req, 0, sizeof(req));
	req.path = t->path;
	req.transport = t->transport;
	req.rp_id = t->cfg->rp_id;
	req.rp_name = t->cfg->rp_name;
	memcpy(req.user_id, t->user_handle, sizeof(req.user_id));
	req.user_name = t->user_name;
	req.display_name = t->display_name;
	req.verification = t->verification;
	req.new_pin = t->pin[0] ? t->pin : NULL;
	/* A PIN this session already put on the card is its current PIN. */
	req.current_pin = t->operator_pin[0] ? t->operator_pin :
	    t->pin_on_card ? t->pin : NULL;
	req.reset_first = t->reset_first;
	req.force_pin_change = 1;
	req.timeout_ms = t->timeout_ms;
	req.cancel = &t->cancel;
	req.progress = t->progress;
	req.progress_arg = t->progress_arg;
	t->attempts++;
	r = fidodev_enroll(&req, &t->cred, e);
	if (t->cred.pin_set && t->pin[0]) {
		t->pin_on_card = 1;
		/* The operator's PIN is no longer the card's. */
		kd_wipe(t->operator_pin, sizeof(t->operator_pin));
	}
	/* A reset is done once, never again on a Retry. */
	if (t->cred.pin_set || t->cred.reset || r == KD_OK)
		t->reset_first = 0;
	if (r != KD_OK)
		return r;
	return make_record(t, e);
}

const char *
tap_pin(const struct kd_tap *t)
{
	return t->pin[0] ? t->pin : NULL;
}

void
tap_clear(struct kd_tap *t)
{
	free_outputs(t);
	kd_wipe(t->pin, sizeof(t->pin));
	kd_wipe(t->operator_pin, sizeof(t->operator_pin));
}
