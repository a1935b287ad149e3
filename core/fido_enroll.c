/* Enrolling a card or key: PIN per the verification setting, a
 * discoverable ES256 credential, and proof that it works (an assertion on
 * the same card verified against the new public key) before success. */
#include "core/fido_int.h"

#include <fido/config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PIN_MAX_BYTES	63	/* CTAP: at most 63 bytes of UTF-8 */

const char *
fidodev_tap_state_name(enum kd_tap_state st)
{
	static const char *names[] = {
		"wait-reader", "wait-card", "card-present", "working",
		"touch", "verifying", "done",
	};

	if ((size_t)st < KD_NELEM(names))
		return names[st];
	return "unknown";
}

static int
check_req(const struct kd_enroll_req *q, struct kd_err *err)
{
	if (q->rp_id == NULL || *q->rp_id == '\0' || q->user_name == NULL ||
	    *q->user_name == '\0')
		return kd_err_set(err, KD_ERR_INVALID,
		    "relying party id and user name are required");
	if (q->verification != KD_VERIFY_PIN &&
	    q->verification != KD_VERIFY_PINLESS)
		return kd_err_set(err, KD_ERR_INVALID, "cards and keys take "
		    "PIN or PINless verification, not %s",
		    model_verification_name(q->verification));
	if (q->verification == KD_VERIFY_PIN && q->new_pin == NULL &&
	    q->current_pin == NULL)
		return kd_err_set(err, KD_ERR_INVALID,
		    "PIN verification needs a PIN to set on the card");
	return KD_OK;
}

/* The PIN has to pass the card's policy before we try to set it: a
 * refused setPIN would look like a card fault to the operator. */
static int
check_new_pin(struct fdev *f, const char *pin, struct kd_err *err)
{
	size_t len = strlen(pin);
	int min = fdev_info_min_pin(f->info);

	if (len > PIN_MAX_BYTES)
		return kd_err_set(err, KD_ERR_PIN, "the new PIN is too long "
		    "(%zu characters, at most %d)", len, PIN_MAX_BYTES);
	if (!kd_utf8_valid(pin) || kd_utf8_len(pin) < (size_t)min)
		return kd_err_set(err, KD_ERR_PIN, "the new PIN is too short "
		    "for this card (it needs at least %d characters)", min);
	return KD_OK;
}

static int
do_reset(struct fdev *f, struct kd_credential *cred, struct kd_err *err)
{
	int r;

	fdev_busy_begin(f);
	r = fido_dev_reset(f->dev);
	fdev_busy_end(f);
	fdev_progress(f, KD_TAP_WORKING);
	if (r != FIDO_OK)
		return fdev_err(f, r, "resetting the card", err);
	cred->reset = 1;
	return fdev_refresh_info(f, err);
}

static int
set_pin(struct fdev *f, const char *pin, const char *old,
    struct kd_credential *cred, struct kd_err *err)
{
	int r, rc;

	if ((rc = check_new_pin(f, pin, err)) != KD_OK)
		return rc;
	if ((r = fido_dev_set_pin(f->dev, pin, old)) != FIDO_OK)
		return fdev_err(f, r, old ? "changing the card's PIN" :
		    "setting the card's PIN", err);
	cred->pin_set = 1;
	return KD_OK;
}

/* Decides and does the PIN part; *uv_pin is the PIN the credential and
 * the assertion are made with (NULL: PINless). */
static int
enroll_pin(struct fdev *f, const struct kd_enroll_req *q,
    struct kd_credential *cred, const char **uv_pin, struct kd_err *err)
{
	int has_pin = fdev_info_option(f->info, "clientPin");
	int rc;

	*uv_pin = NULL;
	if (has_pin == 1 && !q->reset_first &&
	    (q->verification == KD_VERIFY_PINLESS || q->current_pin == NULL))
		return kd_err_set(err, KD_ERR_HAS_PIN, "the card already has "
		    "a PIN: %s, or reset the card (this erases every "
		    "credential on it)", q->verification == KD_VERIFY_PIN ?
		    "enter the card's current PIN" :
		    "PINless verification needs a card without one");
	if (!q->reset_first && fido_cbor_info_rk_remaining(f->info) == 0)
		return kd_err_set(err, KD_ERR_FULL, "the card has no free "
		    "slot for another credential");
	if (q->reset_first) {
		if ((rc = do_reset(f, cred, err)) != KD_OK)
			return rc;
		has_pin = fdev_info_option(f->info, "clientPin");
	}
	if (q->verification == KD_VERIFY_PINLESS)
		return KD_OK;
	if (has_pin == -1)
		return kd_err_set(err, KD_ERR_DEVICE,
		    "this card does not support a PIN (no clientPin)");
	if (has_pin == 0) {
		if (q->new_pin == NULL)
			return kd_err_set(err, KD_ERR_INVALID,
			    "the card has no PIN and no new PIN was given");
		*uv_pin = q->new_pin;
		return set_pin(f, q->new_pin, NULL, cred, err);
	}
	if (fido_cbor_info_new_pin_required(f->info) && (q->new_pin == NULL ||
	    strcmp(q->new_pin, q->current_pin) == 0))
		return kd_err_set(err, KD_ERR_PIN, "the card wants its PIN "
		    "changed before anything else (a change was forced): "
		    "enroll with a different new PIN, or reset the card");
	if (q->new_pin != NULL && strcmp(q->new_pin, q->current_pin) != 0) {
		*uv_pin = q->new_pin;
		return set_pin(f, q->new_pin, q->current_pin, cred, err);
	}
	*uv_pin = q->current_pin;
	return KD_OK;
}

static int
cred_copy(struct kd_credential *c, const fido_cred_t *fc,
    struct kd_err *err)
{
	const char *fmt = fido_cred_fmt(fc);

	c->id_len = fido_cred_id_len(fc);
	if (c->id_len == 0 || fido_cred_pubkey_len(fc) != 64 ||
	    fido_cred_aaguid_len(fc) != 16)
		return kd_err_set(err, KD_ERR_DEVICE,
		    "the card returned an incomplete credential");
	if ((c->id = malloc(c->id_len)) == NULL)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	memcpy(c->id, fido_cred_id_ptr(fc), c->id_len);
	c->pk[0] = 0x04;
	memcpy(c->pk + 1, fido_cred_pubkey_ptr(fc), 64);
	fidodev_cose_es256_encode(c->pk + 1, c->pk + 33, c->cose_pk);
	c->cose_pk_len = KD_FIDO_COSE_ES256_LEN;
	memcpy(c->aaguid, fido_cred_aaguid_ptr(fc), 16);
	kd_hex_encode(c->aaguid, 16, c->aaguid_hex);
	snprintf(c->fmt, sizeof(c->fmt), "%s", fmt ? fmt : "");
	c->sign_count = fido_cred_sigcount(fc);
	c->uv = (fido_cred_flags(fc) & 0x04) != 0;
	if ((c->x5c_len = fido_cred_x5c_len(fc)) > 0) {
		if ((c->x5c = malloc(c->x5c_len)) == NULL)
			return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
		memcpy(c->x5c, fido_cred_x5c_ptr(fc), c->x5c_len);
	}
	return KD_OK;
}

/* The attestation must at least be internally consistent: a signature by
 * the certificate's key (x5c) or by the new credential itself (self). */
static int
cred_attest_ok(const fido_cred_t *fc)
{
	const char *fmt = fido_cred_fmt(fc);

	if (fmt != NULL && strcmp(fmt, "none") == 0)
		return 1;
	if (fido_cred_x5c_len(fc) > 0)
		return fido_cred_verify(fc) == FIDO_OK;
	return fido_cred_verify_self(fc) == FIDO_OK;
}

static int
make_cred(struct fdev *f, const struct kd_enroll_req *q, const char *pin,
    struct kd_credential *cred, struct kd_err *err)
{
	fido_cred_t *fc = NULL;
	unsigned char cdh[32];
	int r, rc;

	if ((fc = fido_cred_new()) == NULL)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	if (kd_random(cdh, sizeof(cdh)) != 0 ||
	    fido_cred_set_type(fc, COSE_ES256) != FIDO_OK ||
	    fido_cred_set_clientdata_hash(fc, cdh, sizeof(cdh)) != FIDO_OK ||
	    fido_cred_set_rp(fc, q->rp_id, q->rp_name) != FIDO_OK ||
	    fido_cred_set_user(fc, q->user_id, sizeof(q->user_id),
	    q->user_name, q->display_name, NULL) != FIDO_OK ||
	    fido_cred_set_rk(fc, FIDO_OPT_TRUE) != FIDO_OK) {
		rc = kd_err_set(err, KD_ERR_INVALID,
		    "bad credential parameters (rp id, user name)");
		goto out;
	}
	fdev_busy_begin(f);
	r = fido_dev_make_cred(f->dev, fc, pin);
	fdev_busy_end(f);
	fdev_progress(f, KD_TAP_WORKING);
	if (r != FIDO_OK) {
		rc = fdev_err(f, r, "making the credential", err);
		goto out;
	}
	if (!cred_attest_ok(fc)) {
		rc = kd_err_set(err, KD_ERR_DEVICE, "the card's attestation "
		    "of the new credential does not verify");
		goto out;
	}
	if ((rc = cred_copy(cred, fc, err)) != KD_OK)
		goto out;
	if (pin != NULL && !cred->uv)
		rc = kd_err_set(err, KD_ERR_DEVICE, "the card made the "
		    "credential without checking the PIN");
out:
	fido_cred_free(&fc);
	return rc;
}

/* A getAssertion for the new credential on the same card, checked against
 * the COSE key we are about to store: if this passes, sign-in will. */
static int
verify_cred(struct fdev *f, const struct kd_enroll_req *q, const char *pin,
    struct kd_credential *cred, struct kd_err *err)
{
	struct kd_assertion a;
	int rc;

	fdev_progress(f, KD_TAP_VERIFYING);
	memset(&a, 0, sizeof(a));
	if ((rc = fdev_assert(f, q->rp_id, cred->id, cred->id_len, pin,
	    &a, err)) == KD_OK)
		rc = fidodev_assertion_check(&a, q->rp_id, cred->cose_pk,
		    cred->cose_pk_len, pin != NULL, err);
	if (rc == KD_OK && (a.cred_id_len != cred->id_len ||
	    memcmp(a.cred_id, cred->id, a.cred_id_len) != 0))
		rc = kd_err_set(err, KD_ERR_DEVICE, "the card answered for "
		    "another credential");
	if (rc == KD_OK)
		cred->sign_count = a.sign_count;
	fidodev_assertion_clear(&a);
	return rc;
}

static int
force_change(struct fdev *f, const struct kd_enroll_req *q, const char *pin,
    struct kd_credential *cred, struct kd_err *err)
{
	int r;

	if (!q->force_pin_change || pin == NULL ||
	    !fdev_info_can_force(f->info))
		return KD_OK;
	if ((r = fido_dev_force_pin_change(f->dev, pin)) != FIDO_OK)
		return fdev_err(f, r, "asking the card to force a PIN change",
		    err);
	cred->pin_forced = 1;
	return KD_OK;
}

static int
enroll_on(struct fdev *f, const struct kd_enroll_req *q,
    struct kd_credential *cred, struct kd_err *err)
{
	const char *pin = NULL;
	int rc;

	fdev_progress(f, KD_TAP_WORKING);
	if ((rc = enroll_pin(f, q, cred, &pin, err)) != KD_OK ||
	    (rc = make_cred(f, q, pin, cred, err)) != KD_OK ||
	    (rc = verify_cred(f, q, pin, cred, err)) != KD_OK)
		return rc;
	/* After the assertion: once forced, the card refuses the PIN for
	 * anything but changePIN. */
	if ((rc = force_change(f, q, pin, cred, err)) != KD_OK)
		return rc;
	if (fdev_refresh_info(f, err) != KD_OK)
		kd_err_clear(err);	/* the old info still describes it */
	if ((cred->info_json = fdev_info_json(f->info)) == NULL ||
	    (cred->device = kd_strdup(f->path)) == NULL)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	return KD_OK;
}

/* Checked before the first command that changes the device: a USB key
 * chosen but a card tapped (or the other way) must not be stored as the
 * wrong type. */
static int
check_transport(const struct fdev *f, const struct kd_enroll_req *q,
    struct kd_err *err)
{
	int card = strncmp(f->path, PCSC_PREFIX, strlen(PCSC_PREFIX)) == 0;

	if (q->transport == KD_TRANSPORT_USB && card)
		return kd_err_set(err, KD_ERR_WRONGDEV, "a contactless card was "
		    "found on the reader %s, but a FIDO2 hardware key (USB) was "
		    "chosen: touch the USB key, or choose Contactless Card",
		    f->name ? f->name : f->path + strlen(PCSC_PREFIX));
	if (q->transport == KD_TRANSPORT_PCSC && !card)
		return kd_err_set(err, KD_ERR_WRONGDEV, "a USB FIDO2 key was "
		    "found (%s), but a contactless card was chosen: tap the "
		    "card on the reader, or choose FIDO2 Hardware Security Key",
		    f->path);
	return KD_OK;
}

int
fidodev_enroll(const struct kd_enroll_req *q, struct kd_credential *cred,
    struct kd_err *err)
{
	struct fdev_args a;
	struct fdev *f = NULL;
	int rc;

	memset(cred, 0, sizeof(*cred));
	kd_err_clear(err);
	if ((rc = check_req(q, err)) != KD_OK)
		return rc;
	memset(&a, 0, sizeof(a));
	a.path = q->path;
	a.timeout_ms = q->timeout_ms;
	a.touch_ms = q->touch_timeout_ms;
	a.cancel = q->cancel;
	a.progress = q->progress;
	a.progress_arg = q->progress_arg;
	if ((rc = fdev_acquire(&a, &f, err)) == KD_OK &&
	    (rc = check_transport(f, q, err)) == KD_OK &&
	    (rc = enroll_on(f, q, cred, err)) == KD_OK)
		fdev_progress(f, KD_TAP_DONE);
	fdev_release(&f);
	if (rc != KD_OK) {
		int pin_set = cred->pin_set, reset = cred->reset;

		fidodev_credential_clear(cred);
		cred->pin_set = pin_set;
		cred->reset = reset;
	}
	return rc;
}

void
fidodev_credential_clear(struct kd_credential *c)
{
	if (c == NULL)
		return;
	free(c->id);
	free(c->x5c);
	free(c->info_json);
	free(c->device);
	memset(c, 0, sizeof(*c));
}
