/*
 * ISO 7816-4 APDU layer of the FIDO applet over NFC (CTAP 2.1 section
 * 11.3): SELECT, NFCCTAP_MSG (80 10), NFCCTAP_GETRESPONSE (80 11), short
 * and extended APDUs, command chaining (CLA bit 0x10) and response
 * chaining (61xx + GET RESPONSE).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vcard.h"

#define CHAIN_MAX 4096 /* more than maxMsgSize; the CTAP layer checks */

#define SW_OK              0x9000
#define SW_UPDATE          0x9100 /* NFCCTAP status update */
#define SW_WRONG_LENGTH    0x6700
#define SW_LAST_CHAIN_EXP  0x6883
#define SW_CHAIN_UNSUPP    0x6884
#define SW_CONDITIONS      0x6985
#define SW_NOT_FOUND       0x6a82
#define SW_WRONG_P1P2      0x6a86
#define SW_INS_UNSUPP      0x6d00
#define SW_CLA_UNSUPP      0x6e00

#define INS_SELECT     0xa4
#define INS_GET_RESP   0xc0
#define INS_CTAP_MSG   0x10
#define INS_CTAP_GETRS 0x11

#define STATUS_PROCESSING 0x01

static const uint8_t fido_aid[] = { 0xa0, 0x00, 0x00, 0x06, 0x47, 0x2f,
    0x00, 0x01 };

struct vc_apdu {
	int selected;
	int chaining;
	uint8_t chain_hdr[4];
	struct vc_buf chain;
	struct vc_buf resp;     /* waiting for GET RESPONSE */
	size_t resp_off;
	int deferred;           /* --slow: request parked until ready */
	struct vc_buf dreq;
	struct timespec dstart;
};

struct apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;
	size_t lc;
	size_t ne;  /* expected length: Le 00 = 256, extended 0000 = 65536 */
	int has_le;
	int ext;
};

struct vc_apdu *
vc_apdu_new(void)
{
	return calloc(1, sizeof(struct vc_apdu));
}

/* Card powered off, on or reset: back to "nothing selected". */
void
vc_apdu_power(struct vc_apdu *st)
{
	st->selected = 0;
	st->chaining = 0;
	st->deferred = 0;
	st->resp_off = 0;
	vc_buf_free(&st->chain);
	vc_buf_free(&st->resp);
	vc_buf_free(&st->dreq);
}

void
vc_apdu_free(struct vc_apdu **stp)
{
	if (*stp == NULL)
		return;
	vc_apdu_power(*stp);
	free(*stp);
	*stp = NULL;
}

/* The four ISO cases, short and extended. */
static int
apdu_parse(const uint8_t *p, size_t n, struct apdu *a)
{
	memset(a, 0, sizeof(*a));
	if (n < 4)
		return -1;
	a->cla = p[0];
	a->ins = p[1];
	a->p1 = p[2];
	a->p2 = p[3];
	if (n == 4)
		return 0;
	if (n == 5) {
		a->has_le = 1;
		a->ne = p[4] ? p[4] : 256;
		return 0;
	}
	if (p[4] == 0 && n >= 7) { /* extended */
		a->ext = 1;
		if (n == 7) {
			a->has_le = 1;
			a->ne = (size_t)(p[5] << 8 | p[6]);
			a->ne = a->ne ? a->ne : 65536;
			return 0;
		}
		a->lc = (size_t)(p[5] << 8 | p[6]);
		a->data = p + 7;
		if (a->lc == 0 || (n != 7 + a->lc && n != 9 + a->lc))
			return -1;
		if (n == 9 + a->lc) {
			a->has_le = 1;
			a->ne = (size_t)(p[n - 2] << 8 | p[n - 1]);
			a->ne = a->ne ? a->ne : 65536;
		}
		return 0;
	}
	a->lc = p[4];
	a->data = p + 5;
	if (a->lc == 0 || (n != 5 + a->lc && n != 6 + a->lc))
		return -1;
	if (n == 6 + a->lc) {
		a->has_le = 1;
		a->ne = p[n - 1] ? p[n - 1] : 256;
	}
	return 0;
}

static int
put_sw(struct vc_buf *out, unsigned sw)
{
	uint8_t b[2] = { (uint8_t)(sw >> 8), (uint8_t)sw };

	return vc_buf_add(out, b, 2);
}

/*
 * Next piece of the pending response: at most ne bytes (and --chunk),
 * then 61xx while more is left (xx = what is left, 00 for 256 or more).
 */
static int
send_piece(struct vcard *vc, struct vc_apdu *st, size_t ne,
    struct vc_buf *out)
{
	size_t left = st->resp.len - st->resp_off, n = left;

	if (n > ne)
		n = ne;
	if (vc->o.chunk != 0 && n > vc->o.chunk)
		n = vc->o.chunk;
	if (vc_buf_add(out, st->resp.ptr + st->resp_off, n) < 0)
		return -1;
	st->resp_off += n;
	left -= n;
	if (left == 0) {
		vc_buf_free(&st->resp);
		st->resp_off = 0;
		return put_sw(out, SW_OK);
	}
	return put_sw(out, 0x6100 | (left > 0xff ? 0 : (unsigned)left));
}

/*
 * Starts a (possibly chained) response.  Without Le, real cards answer
 * anyway: as much as the APDU's form allows (python-fido2 sends
 * extended commands without Le).
 */
static int
reply(struct vcard *vc, struct vc_apdu *st, const struct apdu *a,
    const uint8_t *data, size_t len, struct vc_buf *out)
{
	vc_buf_free(&st->resp);
	st->resp_off = 0;
	if (vc_buf_add(&st->resp, data, len) < 0)
		return -1;
	if (len == 0) {
		vc_buf_free(&st->resp);
		return put_sw(out, SW_OK);
	}
	return send_piece(vc, st, a->has_le ? a->ne : a->ext ? 65536 : 256,
	    out);
}

static int
do_select(struct vcard *vc, struct vc_apdu *st, const struct apdu *a,
    struct vc_buf *out)
{
	static const char version[] = "FIDO_2_0";

	st->selected = 0;
	st->deferred = 0;
	if (a->cla != 0x00)
		return put_sw(out, SW_CLA_UNSUPP);
	if (a->p1 != 0x04)
		return put_sw(out, SW_WRONG_P1P2);
	if (vc->o.non_fido || a->lc != sizeof(fido_aid) ||
	    memcmp(a->data, fido_aid, sizeof(fido_aid)) != 0)
		return put_sw(out, SW_NOT_FOUND);
	st->selected = 1;
	return reply(vc, st, a, (const uint8_t *)version,
	    sizeof(version) - 1, out);
}

static int
run_ctap(struct vcard *vc, struct vc_apdu *st, const struct apdu *a,
    const uint8_t *req, size_t len, struct vc_buf *out)
{
	struct vc_buf res = { 0 };
	int r;

	if (vc_ctap_handle(vc, req, len, &res) < 0)
		r = put_sw(out, SW_CONDITIONS);
	else
		r = reply(vc, st, a, res.ptr, res.len, out);
	vc_buf_free(&res);
	return r;
}

static int
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	return nanosleep(&ts, NULL);
}

static int
do_ctap_msg(struct vcard *vc, struct vc_apdu *st, const struct apdu *a,
    const uint8_t *req, size_t len, struct vc_buf *out)
{
	static const uint8_t processing = STATUS_PROCESSING;

	st->deferred = 0;
	if ((a->p1 != 0x00 && a->p1 != 0x80) || a->p2 != 0x00)
		return put_sw(out, SW_WRONG_P1P2);
	if (len == 0)
		return put_sw(out, SW_WRONG_LENGTH);
	if (vc->o.pull_at == req[0] && !vc->pulled_once) {
		vc->pulled_once = 1;
		vc_log(vc, "event pull-at cmd=%02x", req[0]);
		return VC_APDU_PULL;
	}
	if (vc->o.slow_ms > 0 && a->p1 == 0x80) {
		/* The client polls with NFCCTAP_GETRESPONSE: park it. */
		vc_buf_free(&st->dreq);
		if (vc_buf_add(&st->dreq, req, len) < 0)
			return -1;
		st->deferred = 1;
		vc_now(&st->dstart);
		if (vc_buf_add(out, &processing, 1) < 0)
			return -1;
		return put_sw(out, SW_UPDATE);
	}
	if (vc->o.slow_ms > 0)
		sleep_ms(vc->o.slow_ms); /* no polling: the card just blocks */
	return run_ctap(vc, st, a, req, len, out);
}

/* NFCCTAP_GETRESPONSE: P1 00 polls, P1 11 cancels. */
static int
do_ctap_getresponse(struct vcard *vc, struct vc_apdu *st,
    const struct apdu *a, struct vc_buf *out)
{
	static const uint8_t processing = STATUS_PROCESSING;
	static const uint8_t cancelled = CTAP2_ERR_KEEPALIVE_CANCEL;
	struct vc_buf req = { 0 };
	int r;

	if ((a->p1 != 0x00 && a->p1 != 0x11) || a->p2 != 0x00)
		return put_sw(out, SW_WRONG_P1P2);
	if (!st->deferred)
		return put_sw(out, SW_CONDITIONS);
	if (a->p1 == 0x11) {
		st->deferred = 0;
		vc_buf_free(&st->dreq);
		vc_log(vc, "event cancel");
		return reply(vc, st, a, &cancelled, 1, out);
	}
	if (vc_ms_since(&st->dstart) < vc->o.slow_ms) {
		if (vc_buf_add(out, &processing, 1) < 0)
			return -1;
		return put_sw(out, SW_UPDATE);
	}
	st->deferred = 0;
	req = st->dreq;
	memset(&st->dreq, 0, sizeof(st->dreq));
	r = run_ctap(vc, st, a, req.ptr, req.len, out);
	vc_buf_free(&req);
	return r;
}

static int
dispatch(struct vcard *vc, struct vc_apdu *st, const struct apdu *a,
    const uint8_t *data, size_t len, struct vc_buf *out)
{
	if (a->ins == INS_SELECT)
		return do_select(vc, st, a, out);
	if (a->ins == INS_GET_RESP) {
		if (st->resp.len == 0)
			return put_sw(out, SW_CONDITIONS);
		return send_piece(vc, st, a->has_le ? a->ne : 256, out);
	}
	if (!st->selected || (a->ins != INS_CTAP_MSG &&
	    a->ins != INS_CTAP_GETRS))
		return put_sw(out, SW_INS_UNSUPP);
	if (a->cla != 0x80)
		return put_sw(out, SW_CLA_UNSUPP);
	if (a->ins == INS_CTAP_MSG)
		return do_ctap_msg(vc, st, a, data, len, out);
	return do_ctap_getresponse(vc, st, a, out);
}

/* Collects a chained command; returns 1 when this block completes one. */
static int
chain(struct vc_apdu *st, struct apdu *a, struct vc_buf *out, int *done)
{
	uint8_t hdr[4] = { (uint8_t)(a->cla & ~0x10), a->ins, a->p1, a->p2 };

	*done = 0;
	if (st->chaining && memcmp(hdr, st->chain_hdr, 4) != 0) {
		st->chaining = 0;
		vc_buf_free(&st->chain);
		return put_sw(out, SW_LAST_CHAIN_EXP);
	}
	if ((a->cla & 0x10) != 0 &&
	    (a->ins == INS_SELECT || a->ins == INS_GET_RESP))
		return put_sw(out, SW_CHAIN_UNSUPP);
	if (st->chain.len + a->lc > CHAIN_MAX) {
		st->chaining = 0;
		vc_buf_free(&st->chain);
		return put_sw(out, SW_WRONG_LENGTH);
	}
	if (vc_buf_add(&st->chain, a->data, a->lc) < 0)
		return -1;
	if ((a->cla & 0x10) != 0) {
		st->chaining = 1;
		memcpy(st->chain_hdr, hdr, 4);
		return put_sw(out, SW_OK);
	}
	st->chaining = 0;
	a->cla = hdr[0];
	*done = 1;
	return 0;
}

int
vc_apdu_handle(struct vcard *vc, struct vc_apdu *st, const uint8_t *in,
    size_t n, struct vc_buf *out)
{
	struct apdu a;
	struct vc_buf data = { 0 };
	int done = 0, r;

	out->len = 0;
	if (apdu_parse(in, n, &a) < 0) {
		r = put_sw(out, SW_WRONG_LENGTH);
		goto log;
	}
	if (a.ins != INS_GET_RESP && st->resp.len != 0) {
		vc_buf_free(&st->resp); /* an unread answer is dropped */
		st->resp_off = 0;
	}
	if ((a.cla & 0x10) != 0 || st->chaining) {
		if ((r = chain(st, &a, out, &done)) != 0 || !done)
			goto log;
		data = st->chain;
		memset(&st->chain, 0, sizeof(st->chain));
		r = dispatch(vc, st, &a, data.ptr, data.len, out);
	} else
		r = dispatch(vc, st, &a, a.data, a.lc, out);
log:
	vc_buf_free(&data);
	if (r == VC_APDU_PULL)
		return r;
	if (r < 0 || out->len < 2) {
		out->len = 0;
		put_sw(out, 0x6f00);
	}
	/* Only sizes and status words: never the data (PINs, keys). */
	vc_log(vc, "apdu ins=%02x lc=%zu le=%zu rlen=%zu sw=%02x%02x", a.ins,
	    a.lc, a.has_le ? a.ne : (size_t)0, out->len - 2,
	    out->ptr[out->len - 2], out->ptr[out->len - 1]);
	return VC_APDU_REPLY;
}
