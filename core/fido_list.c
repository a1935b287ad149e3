/* One list of everything the desk could enroll with: PC/SC readers (with
 * or without a card) and USB FIDO2 keys, optionally probed for getInfo. */
#include "core/fido_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USB_MAX		16
#define PROBE_MS	5000

static struct kd_dev_info *
list_add(struct kd_dev_list *l, enum kd_dev_kind kind)
{
	struct kd_dev_info *d;

	if ((d = realloc(l->dev, (l->n + 1) * sizeof(*d))) == NULL)
		return NULL;
	l->dev = d;
	d = &l->dev[l->n++];
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->pin_set = -1;
	d->rk_remaining = -1;
	return d;
}

static void
fill_info(struct kd_dev_info *d, const fido_cbor_info_t *ci)
{
	d->fido = 1;
	fdev_info_aaguid_hex(ci, d->aaguid_hex);
	fdev_info_versions(ci, d->versions, sizeof(d->versions));
	d->pin_set = fdev_info_option(ci, "clientPin");
	d->min_pin_len = fdev_info_min_pin(ci);
	d->rk_remaining = fido_cbor_info_rk_remaining(ci);
	d->can_force_pin_change = fdev_info_can_force(ci);
}

static void
probe_failed(struct kd_dev_info *d, const struct kd_err *e)
{
	d->probe_status = e->code;
	snprintf(d->probe_error, sizeof(d->probe_error), "%s", e->msg);
}

/* getInfo through our transport (cards) or libfido2's HID (USB keys). */
static void
probe_dev(struct kd_dev_info *d)
{
	struct fdev_args a;
	struct fdev *f = NULL;
	struct kd_err e;

	kd_err_clear(&e);
	memset(&a, 0, sizeof(a));
	a.path = d->path;
	a.timeout_ms = 1;	/* the card is there, or it is not */
	a.touch_ms = PROBE_MS;
	if (fdev_acquire(&a, &f, &e) != KD_OK)
		probe_failed(d, &e);
	else
		fill_info(d, f->info);
	fdev_release(&f);
}

static void
probe_card(struct pcsc_ctx *ctx, struct kd_dev_info *d)
{
	enum apdu_applet app;
	struct kd_err e;

	d->probed = 1;
	kd_err_clear(&e);
	if (ctapnfc_probe_applet(ctx, d->name, &app, &e) != KD_OK) {
		probe_failed(d, &e);
		return;
	}
	snprintf(d->applet, sizeof(d->applet), "%s",
	    app == APDU_APPLET_FIDO2 ? "FIDO_2_0" : "U2F_V2");
	probe_dev(d);
}

static int
add_readers(struct kd_dev_list *l, int probe, struct kd_err *err)
{
	struct pcsc_ctx *ctx = NULL;
	struct pcsc_reader *r = NULL;
	struct kd_dev_info *d;
	struct kd_err e;
	size_t n = 0, len;
	int rc = KD_OK;

	kd_err_clear(&e);
	if (pcsc_ctx_new(&ctx, &e) != KD_OK ||
	    pcsc_readers(ctx, &r, &n, &e) != KD_OK) {
		snprintf(l->pcsc_msg, sizeof(l->pcsc_msg), "%s%s", e.msg,
		    e.code == KD_ERR_NODEV ? "; if it is missing: apt install "
		    "pcscd (and the reader's driver, e.g. libccid)" : "");
		goto out;
	}
	l->pcsc_ok = 1;
	if (n == 0) {
		pcsc_no_reader_err(&e);
		snprintf(l->pcsc_msg, sizeof(l->pcsc_msg), "%s", e.msg);
	}
	for (size_t i = 0; i < n; i++) {
		len = strlen(PCSC_PREFIX) + strlen(r[i].name) + 1;
		if ((d = list_add(l, KD_DEV_READER)) == NULL ||
		    (d->name = kd_strdup(r[i].name)) == NULL ||
		    (d->path = malloc(len)) == NULL) {
			rc = kd_err_set(err, KD_ERR_NOMEM, "out of memory");
			goto out;
		}
		snprintf(d->path, len, "%s%s", PCSC_PREFIX, r[i].name);
		d->card_present = r[i].present;
		if (r[i].atr_len <= 33)
			kd_hex_encode(r[i].atr, r[i].atr_len, d->atr_hex);
		if (probe && r[i].present)
			probe_card(ctx, d);
	}
out:
	pcsc_readers_free(&r, n);
	pcsc_ctx_free(&ctx);
	return rc;
}

static const char *
str_or(const char *s)
{
	return s != NULL ? s : "";
}

static int
add_usb(struct kd_dev_list *l, int probe, struct kd_err *err)
{
	fido_dev_info_t *di;
	const fido_dev_info_t *p;
	struct kd_dev_info *d;
	char name[256];
	size_t n = 0;
	int rc = KD_OK;

	if ((di = fido_dev_info_new(USB_MAX)) == NULL)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	if (fido_dev_info_manifest(di, USB_MAX, &n) != FIDO_OK)
		n = 0;
	for (size_t i = 0; i < n && rc == KD_OK; i++) {
		p = fido_dev_info_ptr(di, i);
		snprintf(name, sizeof(name), "%s %s",
		    str_or(fido_dev_info_manufacturer_string(p)),
		    str_or(fido_dev_info_product_string(p)));
		if ((d = list_add(l, KD_DEV_USB)) == NULL ||
		    (d->name = kd_strdup(name)) == NULL ||
		    (d->path = kd_strdup(fido_dev_info_path(p))) == NULL) {
			rc = kd_err_set(err, KD_ERR_NOMEM, "out of memory");
			break;
		}
		if (probe) {
			d->probed = 1;
			probe_dev(d);
		}
	}
	fido_dev_info_free(&di, USB_MAX);
	return rc;
}

int
fidodev_list(struct kd_dev_list **out, int probe, struct kd_err *err)
{
	struct kd_dev_list *l;
	int rc;

	*out = NULL;
	kd_err_clear(err);
	ctapnfc_init();
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	if ((rc = add_readers(l, probe, err)) != KD_OK ||
	    (rc = add_usb(l, probe, err)) != KD_OK) {
		fidodev_list_free(&l);
		return rc;
	}
	*out = l;
	return KD_OK;
}

void
fidodev_list_free(struct kd_dev_list **lp)
{
	struct kd_dev_list *l;

	if (lp == NULL || (l = *lp) == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->dev[i].path);
		free(l->dev[i].name);
	}
	free(l->dev);
	free(l);
	*lp = NULL;
}
