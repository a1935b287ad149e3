/* Opening the authenticator a request names: a card on a PC/SC reader
 * (waiting for it, bounded and cancellable) or a USB key; turning libfido2
 * failures into keydesk statuses with messages an operator can act on. */
#include "core/fido_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define USB_MAX		16
#define WAIT_ROUND_MS	1000	/* between looks for USB keys while waiting */

void
fdev_progress(struct fdev *f, enum kd_tap_state st)
{
	if (f->progress != NULL)
		f->progress(f->progress_arg, st, f->name);
}

/* The card said 9100 with status 2: it wants user presence. */
static void
card_busy(void *arg, int status)
{
	struct fdev *f = arg;

	if (status == 2)
		fdev_progress(f, KD_TAP_TOUCH);
}

/* First USB FIDO key's path, or NULL. */
static char *
usb_first(void)
{
	fido_dev_info_t *di;
	size_t n = 0;
	char *path = NULL;

	if ((di = fido_dev_info_new(USB_MAX)) == NULL)
		return NULL;
	if (fido_dev_info_manifest(di, USB_MAX, &n) == FIDO_OK && n > 0)
		path = kd_strdup(fido_dev_info_path(fido_dev_info_ptr(di, 0)));
	fido_dev_info_free(&di, USB_MAX);
	return path;
}

static int
open_usb(struct fdev *f, const char *path, struct kd_err *err)
{
	int r;

	if ((f->path = kd_strdup(path)) == NULL ||
	    (f->name = kd_strdup(path)) == NULL ||
	    (f->dev = fido_dev_new()) == NULL)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	f->usb = 1;
	fdev_progress(f, KD_TAP_CARD_PRESENT);
	if ((r = fido_dev_open(f->dev, path)) != FIDO_OK) {
		fido_dev_free(&f->dev);
		return kd_err_set(err, KD_ERR_NODEV, "cannot open the security "
		    "key %s (%s)", path, fido_strerr(r));
	}
	if (!fido_dev_is_fido2(f->dev)) {
		fido_dev_close(f->dev);
		fido_dev_free(&f->dev);
		return kd_err_set(err, KD_ERR_NOTFIDO, "the security key %s "
		    "is U2F-only; keydesk needs a FIDO2 key", path);
	}
	fido_dev_set_timeout(f->dev, f->touch_ms);
	return KD_OK;
}

static void
wait_cb(void *arg, size_t nreaders, const char *reader)
{
	struct fdev *f = arg;

	f->nreaders = (long)nreaders;
	if (f->progress != NULL)
		f->progress(f->progress_arg, nreaders ? KD_TAP_WAIT_CARD :
		    KD_TAP_WAIT_READER, reader);
}

/* Why nothing came: no reader at all, no reader of that name, or no card
 * (timeout_ms shown as "2 s" or "1.5 s"). */
static int
wait_timeout_err(struct fdev *f, const char *reader, int timeout_ms,
    struct kd_err *err)
{
	struct pcsc_reader *r = NULL;
	size_t n = 0;
	int named = 0;
	double s = timeout_ms / 1000.0;

	if (f->nreaders == 0)
		return pcsc_no_reader_err(err);
	if (reader != NULL && pcsc_readers(f->pcsc, &r, &n, NULL) == KD_OK) {
		for (size_t i = 0; i < n; i++)
			named |= strcmp(r[i].name, reader) == 0;
		pcsc_readers_free(&r, n);
		if (!named)
			return kd_err_set(err, KD_ERR_NODEV, "there is no "
			    "reader named \"%s\" (%zu other reader%s attached)",
			    reader, n, n == 1 ? "" : "s");
	}
	return kd_err_set(err, KD_ERR_TIMEOUT, "no card on the reader after "
	    "%.*f s", timeout_ms % 1000 ? 1 : 0, s);
}

/* Waits for a card on `reader` (NULL: any); with `usb_too`, a USB key
 * plugged in meanwhile also ends the wait (*usb gets its path). */
static int
wait_card(struct fdev *f, const char *reader, int timeout_ms, int usb_too,
    char **found, char **usb, struct kd_err *err)
{
	int64_t end = kd_mono_ms() + timeout_ms, left;
	int rc;

	for (;;) {
		left = end - kd_mono_ms();
		rc = pcsc_wait(f->pcsc, reader, 1, left < WAIT_ROUND_MS ?
		    (int)(left > 0 ? left : 0) : WAIT_ROUND_MS, f->cancel,
		    wait_cb, f, found, err);
		if (rc != KD_ERR_TIMEOUT)
			return rc;
		if (usb_too && (*usb = usb_first()) != NULL)
			return KD_OK;
		if (kd_mono_ms() >= end)
			return wait_timeout_err(f, reader, timeout_ms, err);
	}
}

static int
open_card(struct fdev *f, const char *reader, struct kd_err *err)
{
	struct ctapnfc_opts o;
	size_t len = strlen(PCSC_PREFIX) + strlen(reader) + 1;
	int rc;

	if ((f->name = kd_strdup(reader)) == NULL ||
	    (f->path = malloc(len)) == NULL)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	snprintf(f->path, len, "%s%s", PCSC_PREFIX, reader);
	fdev_progress(f, KD_TAP_CARD_PRESENT);
	memset(&o, 0, sizeof(o));
	o.cancel = f->cancel;
	o.busy = card_busy;
	o.busy_arg = f;
	o.max_ms = f->touch_ms;
	if ((rc = ctapnfc_open(f->pcsc, reader, &o, &f->nfc, err)) != KD_OK)
		return rc;
	f->dev = ctapnfc_dev(f->nfc);
	fido_dev_set_timeout(f->dev, f->touch_ms);
	return KD_OK;
}

/* NULL or "pcsc:" or "pcsc:NAME": a card (NULL also takes a USB key). */
static int
acquire_card(struct fdev *f, const char *path, int timeout_ms,
    struct kd_err *err)
{
	const char *reader = NULL;
	char *found = NULL, *usb = NULL;
	int rc;

	if (path != NULL && path[strlen(PCSC_PREFIX)] != '\0')
		reader = path + strlen(PCSC_PREFIX);
	if ((rc = pcsc_ctx_new(&f->pcsc, err)) != KD_OK) {
		/* no pcscd: a USB key still does when no reader was named */
		if (path == NULL && (usb = usb_first()) != NULL)
			goto usb;
		return rc;
	}
	/* a card already on a reader wins, then a USB key, then wait */
	if ((rc = pcsc_wait(f->pcsc, reader, 1, 0, f->cancel, NULL, NULL,
	    &found, err)) == KD_ERR_TIMEOUT) {
		if (path == NULL && (usb = usb_first()) != NULL)
			goto usb;
		rc = wait_card(f, reader, timeout_ms, path == NULL, &found,
		    &usb, err);
	}
	if (rc != KD_OK)
		goto out;
	if (usb != NULL)
		goto usb;
	rc = open_card(f, found, err);
	goto out;
usb:
	pcsc_ctx_free(&f->pcsc);
	rc = open_usb(f, usb, err);
out:
	free(found);
	free(usb);
	return rc;
}

int
fdev_refresh_info(struct fdev *f, struct kd_err *err)
{
	int r;

	fido_cbor_info_free(&f->info);
	if ((f->info = fido_cbor_info_new()) == NULL)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	if ((r = fido_dev_get_cbor_info(f->dev, f->info)) != FIDO_OK)
		return fdev_err(f, r, "reading the authenticator's info", err);
	return KD_OK;
}

int
fdev_acquire(const struct fdev_args *a, struct fdev **out, struct kd_err *err)
{
	struct fdev *f;
	int rc;

	*out = NULL;
	ctapnfc_init();
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	f->cancel = a->cancel;
	f->progress = a->progress;
	f->progress_arg = a->progress_arg;
	f->touch_ms = a->touch_ms > 0 ? a->touch_ms : FDEV_TOUCH_DEFAULT_MS;
	f->nreaders = -1;
	if (a->path == NULL ||
	    strncmp(a->path, PCSC_PREFIX, strlen(PCSC_PREFIX)) == 0)
		rc = acquire_card(f, a->path, a->timeout_ms > 0 ?
		    a->timeout_ms : FDEV_WAIT_DEFAULT_MS, err);
	else
		rc = open_usb(f, a->path, err);
	if (rc == KD_OK)
		rc = fdev_refresh_info(f, err);
	if (rc != KD_OK) {
		fdev_release(&f);
		return rc;
	}
	*out = f;
	return KD_OK;
}

void
fdev_release(struct fdev **fp)
{
	struct fdev *f;

	if (fp == NULL || (f = *fp) == NULL)
		return;
	fdev_busy_end(f);
	fido_cbor_info_free(&f->info);
	if (f->nfc != NULL)
		ctapnfc_close(&f->nfc);
	else if (f->dev != NULL) {
		fido_dev_close(f->dev);
		fido_dev_free(&f->dev);
	}
	pcsc_ctx_free(&f->pcsc);
	free(f->path);
	free(f->name);
	free(f);
	*fp = NULL;
}

static void *
watch_cancel(void *arg)
{
	struct fdev *f = arg;
	const struct timespec tick = { 0, 50 * 1000000L };

	while (!f->watch_stop) {
		if (*f->cancel) {
			fido_dev_cancel(f->dev);
			break;
		}
		nanosleep(&tick, NULL);
	}
	return NULL;
}

void
fdev_busy_begin(struct fdev *f)
{
	if (f->nfc != NULL)
		ctapnfc_clear_error(f->nfc);
	if (!f->usb)
		return;		/* cards poll *cancel themselves (9100) */
	fdev_progress(f, KD_TAP_TOUCH);
	if (f->cancel == NULL || f->watching)
		return;
	f->watch_stop = 0;
	if (pthread_create(&f->watcher, NULL, watch_cancel, f) == 0)
		f->watching = 1;
}

void
fdev_busy_end(struct fdev *f)
{
	if (f->watching) {
		f->watch_stop = 1;
		pthread_join(f->watcher, NULL);
		f->watching = 0;
	}
}

static int
pin_err(struct fdev *f, int r, struct kd_err *err)
{
	int left = -1;

	switch (r) {
	case FIDO_ERR_PIN_INVALID:
		if (fido_dev_get_retry_count(f->dev, &left) != FIDO_OK)
			left = -1;
		if (left >= 0)
			return kd_err_set(err, KD_ERR_PIN, "wrong PIN (%d %s "
			    "left before the card locks)", left,
			    left == 1 ? "try" : "tries");
		return kd_err_set(err, KD_ERR_PIN, "wrong PIN");
	case FIDO_ERR_PIN_BLOCKED:
		return kd_err_set(err, KD_ERR_PIN, "the card's PIN is blocked "
		    "(too many wrong PINs); only a reset makes it usable");
	case FIDO_ERR_PIN_AUTH_BLOCKED:
		return kd_err_set(err, KD_ERR_PIN, "too many wrong PINs in a "
		    "row: lift the card off the reader, tap it again, retry");
	case FIDO_ERR_PIN_NOT_SET:
		return kd_err_set(err, KD_ERR_PIN, "the card has no PIN");
	case FIDO_ERR_PIN_REQUIRED:
		return kd_err_set(err, KD_ERR_PIN, "the card asks for its PIN");
	case FIDO_ERR_PIN_POLICY_VIOLATION:
		return kd_err_set(err, KD_ERR_PIN, "the card refused the PIN "
		    "(too short or not allowed by its policy)");
	case FIDO_ERR_PIN_AUTH_INVALID:
	case FIDO_ERR_PIN_TOKEN_EXPIRED:
		return kd_err_set(err, KD_ERR_PIN, "the card rejected the PIN "
		    "token (%s)", fido_strerr(r));
	}
	return KD_OK;
}

int
fdev_err(struct fdev *f, int r, const char *what, struct kd_err *err)
{
	int rc;

	if (f->nfc != NULL && (rc = ctapnfc_error(f->nfc, err)) != KD_OK)
		return rc;
	if (f->cancel != NULL && *f->cancel)
		return kd_err_set(err, KD_ERR_CANCELLED, "cancelled");
	if ((rc = pin_err(f, r, err)) != KD_OK)
		return rc;
	switch (r) {
	case FIDO_ERR_KEY_STORE_FULL:
		return kd_err_set(err, KD_ERR_FULL, "the key has no free slot "
		    "for another credential");
	case FIDO_ERR_KEEPALIVE_CANCEL:
		return kd_err_set(err, KD_ERR_CANCELLED, "cancelled");
	case FIDO_ERR_ACTION_TIMEOUT:
	case FIDO_ERR_USER_ACTION_TIMEOUT:
		return kd_err_set(err, KD_ERR_TIMEOUT, "the security key was "
		    "not touched in time");
	case FIDO_ERR_OPERATION_DENIED:
		return kd_err_set(err, KD_ERR_DENIED, "the key refused while "
		    "%s (touch declined?)", what);
	case FIDO_ERR_NOT_ALLOWED:
		return kd_err_set(err, KD_ERR_DENIED, "the key does not allow "
		    "%s now (a reset works only right after the card is "
		    "tapped or the key plugged in)", what);
	case FIDO_ERR_NO_CREDENTIALS:
		return kd_err_set(err, KD_ERR_NOTFOUND, "the credential is not "
		    "on this card or key");
	case FIDO_ERR_UNSUPPORTED_ALGORITHM:
		return kd_err_set(err, KD_ERR_DEVICE, "the key does not "
		    "support ES256 (P-256) credentials");
	case FIDO_ERR_RX:
		if (f->usb)
			return kd_err_set(err, KD_ERR_TIMEOUT, "the security "
			    "key did not answer in %d s while %s (not "
			    "touched?)", (f->touch_ms + 999) / 1000, what);
		break;
	}
	return kd_err_set(err, KD_ERR_DEVICE, "%s failed: %s", what,
	    fido_strerr(r));
}
