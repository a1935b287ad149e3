/* CTAP over NFC (ISO 7816 through PC/SC) as a libfido2 1.12 transport.
 *
 * libfido2 drives a custom transport with tx(cmd, data) then rx(cmd, buf,
 * ms) (io.c).  We send the command APDU(s) in tx and keep the card's first
 * answer; rx collects the rest (61xx, 9100 polling within `ms`) and hands
 * libfido2 what its HID code would have produced: for INIT a 17-byte reply
 * echoing the nonce, for CBOR the CTAP status byte and CBOR, for MSG the
 * U2F answer and its SW.  A failure keeps the precise reason (card removed,
 * cancelled, ...) in the handle, since libfido2 only reports FIDO_ERR_TX/RX.
 */
#include "core/pcsc.h"

#include <fido.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libfido2's transport-level command bytes (CTAPHID numbering). */
#define CMD_MSG		0x03
#define CMD_INIT	0x06
#define CMD_CBOR	0x10
#define CMD_CANCEL	0x11

/* INIT reply: nonce 8, cid 4, protocol, major, minor, build, flags. */
#define INIT_REPLY_LEN	17
#define CAP_CBOR	0x04
#define CAP_NMSG	0x08

struct ctapnfc {
	struct pcsc_card	*card;
	fido_dev_t		*dev;
	struct apdu_io		 io;
	enum apdu_applet	 applet;
	volatile int		 cancel_req;	/* libfido2's CTAP_CMD_CANCEL */
	int			 opened;	/* io.open .. io.close */
	uint8_t			 nonce[8];
	uint8_t			 pending;	/* command rx has to collect */
	uint8_t			 pending_cla;
	uint8_t			*first;		/* answer to the last block */
	size_t			 first_len;
	struct kd_err		 err;
};

/* io.open only gets a path; the handle is made before fido_dev_open and
 * handed over through this (per thread: the TUI's worker and a readers
 * probe may open cards at the same time). */
static _Thread_local struct ctapnfc *opening;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void
init_fido(void)
{
	/* A card whose getInfo fails is an error, not a silent U2F device
	 * that fails later with FIDO_ERR_INTERNAL. */
	fido_init(FIDO_DISABLE_U2F_FALLBACK);
}

void
ctapnfc_init(void)
{
	pthread_once(&init_once, init_fido);
}

static void *
io_open(const char *path)
{
	struct ctapnfc *h = opening;

	(void)path;
	opening = NULL;
	if (h != NULL)
		h->opened = 1;
	return h;
}

static void
io_close(void *handle)
{
	struct ctapnfc *h = handle;

	if (h != NULL) {
		pcsc_card_end(h->card);
		h->opened = 0;
	}
}

/* Never called: the transport does the work.  libfido2 wants all four. */
static int
io_read(void *handle, unsigned char *buf, size_t len, int ms)
{
	(void)handle; (void)buf; (void)len; (void)ms;
	return -1;
}

static int
io_write(void *handle, const unsigned char *buf, size_t len)
{
	(void)handle; (void)buf; (void)len;
	return -1;
}

/* Ends the exchange after an error; `rc` is what went wrong, normally
 * already described in h->err by the callee. */
static int
fail(struct ctapnfc *h, int rc)
{
	if (h->err.code == KD_OK)
		kd_err_set(&h->err, rc, "%s", kd_strerror(rc));
	pcsc_card_end(h->card);
	h->pending = 0;
	return -1;
}

static int
send_apdu(struct ctapnfc *h, uint8_t cmd, uint8_t cla, uint8_t ins,
    uint8_t p1, uint8_t p2, const uint8_t *data, size_t len)
{
	int rc;

	if ((rc = pcsc_card_begin(h->card, &h->err)) != KD_OK)
		return fail(h, rc);
	h->first_len = APDU_RESP_MAX;
	if ((rc = apdu_send(&h->io, cla, ins, p1, p2, data, len, h->first,
	    &h->first_len, &h->err)) != KD_OK)
		return fail(h, rc);
	h->pending = cmd;
	h->pending_cla = cla;
	return 0;
}

/* A U2F APDU as libfido2 builds it: CLA INS P1 P2 00 Lc1 Lc2, data, and
 * two Le bytes. */
static int
tx_msg(struct ctapnfc *h, const unsigned char *buf, size_t count)
{
	size_t lc;

	if (count < 9 || (lc = (size_t)buf[5] << 8 | buf[6]) != count - 9)
		return fail(h, kd_err_set(&h->err, KD_ERR_INVALID,
		    "malformed U2F command from libfido2"));
	return send_apdu(h, CMD_MSG, buf[0], buf[1], buf[2], buf[3],
	    lc ? buf + 7 : NULL, lc);
}

static int
transport_tx(fido_dev_t *d, uint8_t cmd, const unsigned char *buf,
    size_t count)
{
	static const uint8_t aid[] = {
		0xa0, 0x00, 0x00, 0x06, 0x47, 0x2f, 0x00, 0x01
	};
	struct ctapnfc *h = fido_dev_io_handle(d);

	if (h == NULL)
		return -1;
	kd_err_clear(&h->err);
	switch (cmd) {
	case CMD_INIT:
		if (count != sizeof(h->nonce))
			return fail(h, kd_err_set(&h->err, KD_ERR_INVALID,
			    "bad INIT from libfido2"));
		memcpy(h->nonce, buf, sizeof(h->nonce));
		return send_apdu(h, cmd, 0x00, APDU_INS_SELECT, 0x04, 0x00,
		    aid, sizeof(aid));
	case CMD_CBOR:
		/* P1 0x80: we poll with NFCCTAP_GETRESPONSE, so a busy card
		 * may answer 9100 at once instead of holding the field. */
		return send_apdu(h, cmd, 0x80, APDU_INS_NFCCTAP_MSG, 0x80,
		    0x00, buf, count);
	case CMD_MSG:
		return tx_msg(h, buf, count);
	case CMD_CANCEL:
		/* The running command (if any) sees this at its next poll and
		 * sends the NFCCTAP cancel (80 11 11 00). */
		h->cancel_req = 1;
		return 0;
	}
	return fail(h, kd_err_set(&h->err, KD_ERR_INVALID,
	    "libfido2 sent a command this transport does not know (0x%02x)",
	    cmd));
}

static int
rx_init(struct ctapnfc *h, unsigned char *buf, size_t count, int ms)
{
	uint8_t data[64];
	size_t n;
	uint16_t sw;
	int rc;

	if (count != INIT_REPLY_LEN)
		return fail(h, kd_err_set(&h->err, KD_ERR_INVALID,
		    "bad INIT length from libfido2"));
	if ((rc = apdu_collect(&h->io, 0x00, 0, ms, h->first, h->first_len,
	    data, sizeof(data), &n, &sw, &h->err)) != KD_OK ||
	    (rc = apdu_parse_select(data, n, sw, &h->applet, &h->err)) !=
	    KD_OK)
		return fail(h, rc);
	memset(buf, 0, count);
	memcpy(buf, h->nonce, sizeof(h->nonce));	/* cid 0, versions 0 */
	/* "U2F_V2" may still be a FIDO2 card: let libfido2 try getInfo. */
	buf[16] = h->applet == APDU_APPLET_FIDO2 ? CAP_CBOR | CAP_NMSG :
	    CAP_CBOR;
	pcsc_card_end(h->card);
	return INIT_REPLY_LEN;
}

static int
rx_cbor(struct ctapnfc *h, unsigned char *buf, size_t count, int ms)
{
	size_t n;
	uint16_t sw;
	int rc;

	if ((rc = apdu_collect(&h->io, 0x80, 1, ms, h->first, h->first_len,
	    buf, count, &n, &sw, &h->err)) != KD_OK)
		return fail(h, rc);
	if (sw != APDU_SW_OK)
		return fail(h, kd_err_set(&h->err, KD_ERR_DEVICE, "the card "
		    "refused the FIDO command (SW %04X: %s)", sw,
		    apdu_sw_text(sw)));
	if (n == 0 || n > INT32_MAX)
		return fail(h, kd_err_set(&h->err, KD_ERR_DEVICE,
		    "the card gave an empty FIDO answer"));
	pcsc_card_end(h->card);
	return (int)n;
}

static int
rx_msg(struct ctapnfc *h, unsigned char *buf, size_t count, int ms)
{
	size_t n;
	uint16_t sw;
	int rc;

	if (count < 2)
		return fail(h, kd_err_set(&h->err, KD_ERR_INVALID,
		    "U2F answer buffer too small"));
	if ((rc = apdu_collect(&h->io, h->pending_cla, 0, ms, h->first,
	    h->first_len, buf, count - 2, &n, &sw, &h->err)) != KD_OK)
		return fail(h, rc);
	buf[n] = (uint8_t)(sw >> 8);
	buf[n + 1] = (uint8_t)sw;
	pcsc_card_end(h->card);
	return n + 2 > INT32_MAX ? -1 : (int)(n + 2);
}

static int
transport_rx(fido_dev_t *d, uint8_t cmd, unsigned char *buf, size_t count,
    int ms)
{
	struct ctapnfc *h = fido_dev_io_handle(d);
	uint8_t pending;

	if (h == NULL)
		return -1;
	pending = h->pending;
	h->pending = 0;
	if (pending != cmd)
		return fail(h, kd_err_set(&h->err, KD_ERR_INVALID,
		    "libfido2 asked for an answer to a command not sent"));
	switch (cmd) {
	case CMD_INIT:
		return rx_init(h, buf, count, ms);
	case CMD_CBOR:
		return rx_cbor(h, buf, count, ms);
	case CMD_MSG:
		return rx_msg(h, buf, count, ms);
	}
	return fail(h, KD_ERR_INVALID);
}

static const fido_dev_io_t nfc_io = { io_open, io_close, io_read, io_write };
static const fido_dev_transport_t nfc_transport = { transport_rx,
    transport_tx };

static void
handle_free(struct ctapnfc *h)
{
	if (h == NULL)
		return;
	if (h->dev != NULL) {
		if (h->opened)
			fido_dev_close(h->dev);
		fido_dev_free(&h->dev);
	}
	pcsc_card_free(&h->card);
	if (h->first != NULL) {
		kd_wipe(h->first, APDU_RESP_MAX);
		free(h->first);
	}
	free(h);
}

/* fido_dev_t for our handle, through a one-entry device list. */
static int
make_dev(struct ctapnfc *h, const char *reader, struct kd_err *err)
{
	fido_dev_info_t *di = NULL;
	char *path = NULL;
	size_t len = strlen(PCSC_PREFIX) + strlen(reader) + 1;
	int rc = KD_ERR_NOMEM;

	if ((path = malloc(len)) == NULL ||
	    (di = fido_dev_info_new(1)) == NULL)
		goto fail;
	snprintf(path, len, "%s%s", PCSC_PREFIX, reader);
	if (fido_dev_info_set(di, 0, path, "PC/SC", reader, &nfc_io,
	    &nfc_transport) != FIDO_OK ||
	    (h->dev = fido_dev_new_with_info(fido_dev_info_ptr(di, 0))) ==
	    NULL)
		goto fail;
	rc = KD_OK;
fail:
	if (rc != KD_OK)
		kd_err_set(err, rc, "out of memory");
	fido_dev_info_free(&di, 1);
	free(path);
	return rc;
}

static int
open_err(struct ctapnfc *h, int r, struct kd_err *err)
{
	if (h->err.code != KD_OK)
		return kd_err_set(err, h->err.code, "%s", h->err.msg);
	if (h->applet == APDU_APPLET_U2F)
		return kd_err_set(err, KD_ERR_NOTFIDO, "this card is an older "
		    "U2F-only key; keydesk needs a FIDO2 card");
	return kd_err_set(err, KD_ERR_DEVICE, "the card did not answer "
	    "the FIDO2 getInfo command (%s)", fido_strerr(r));
}

int
ctapnfc_open(struct pcsc_ctx *ctx, const char *reader,
    const struct ctapnfc_opts *opts, struct ctapnfc **out, struct kd_err *err)
{
	struct ctapnfc *h;
	int rc, r;

	*out = NULL;
	ctapnfc_init();
	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->first = malloc(APDU_RESP_MAX)) == NULL) {
		free(h);
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	}
	if ((rc = pcsc_card_connect(ctx, reader, &h->card, err)) != KD_OK ||
	    (rc = make_dev(h, reader, err)) != KD_OK)
		goto fail;
	apdu_io_init(&h->io, pcsc_card_xchg, h->card);
	h->io.cancel2 = &h->cancel_req;
	if (opts != NULL) {
		h->io.cancel = opts->cancel;
		h->io.busy = opts->busy;
		h->io.busy_arg = opts->busy_arg;
		h->io.extended = opts->extended;
		if (opts->chunk > 0)
			h->io.chunk = opts->chunk;
		if (opts->max_ms > 0)
			h->io.max_ms = opts->max_ms;
	}
	opening = h;
	r = fido_dev_open_with_info(h->dev);
	opening = NULL;
	if (r != FIDO_OK) {
		rc = open_err(h, r, err);
		goto fail;
	}
	*out = h;
	return KD_OK;
fail:
	handle_free(h);
	return rc;
}

void
ctapnfc_close(struct ctapnfc **hp)
{
	if (hp == NULL)
		return;
	handle_free(*hp);
	*hp = NULL;
}

struct fido_dev *
ctapnfc_dev(const struct ctapnfc *h)
{
	return h->dev;
}

const struct pcsc_card *
ctapnfc_card(const struct ctapnfc *h)
{
	return h->card;
}

enum apdu_applet
ctapnfc_applet(const struct ctapnfc *h)
{
	return h->applet;
}

int
ctapnfc_error(const struct ctapnfc *h, struct kd_err *err)
{
	if (h == NULL || h->err.code == KD_OK)
		return KD_OK;
	return kd_err_set(err, h->err.code, "%s", h->err.msg);
}

void
ctapnfc_clear_error(struct ctapnfc *h)
{
	if (h != NULL) {
		kd_err_clear(&h->err);
		h->cancel_req = 0;
	}
}

const struct apdu_io *
ctapnfc_io(const struct ctapnfc *h)
{
	return &h->io;
}

int
ctapnfc_probe_applet(struct pcsc_ctx *ctx, const char *reader,
    enum apdu_applet *applet, struct kd_err *err)
{
	static const uint8_t aid[] = {
		0xa0, 0x00, 0x00, 0x06, 0x47, 0x2f, 0x00, 0x01
	};
	struct pcsc_card *card = NULL;
	struct apdu_io io;
	uint8_t data[64];
	size_t n;
	uint16_t sw;
	int rc;

	*applet = APDU_APPLET_NONE;
	if ((rc = pcsc_card_connect(ctx, reader, &card, err)) != KD_OK)
		return rc;
	apdu_io_init(&io, pcsc_card_xchg, card);
	if ((rc = pcsc_card_begin(card, err)) == KD_OK) {
		if ((rc = apdu_transceive(&io, 0x00, APDU_INS_SELECT, 0x04,
		    0x00, aid, sizeof(aid), 0, 2000, data, sizeof(data), &n,
		    &sw, err)) == KD_OK)
			rc = apdu_parse_select(data, n, sw, applet, err);
		pcsc_card_end(card);
	}
	pcsc_card_free(&card);
	return rc;
}
