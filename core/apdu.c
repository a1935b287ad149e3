/* ISO 7816-4 APDUs for CTAP over NFC; see apdu.h.  The card is untrusted:
 * every length it sends is checked against the buffer it goes into. */
#include "core/apdu.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GETRSP_MAX	1024	/* 61xx rounds before we call the card broken */
#define CANCEL_GRACE_MS	1000	/* how long a cancelled card may keep busy */

static const uint8_t fido_aid[] = {
	0xa0, 0x00, 0x00, 0x06, 0x47, 0x2f, 0x00, 0x01
};
static const char v_fido2[] = "FIDO_2_0";
static const char v_u2f[] = "U2F_V2";

void
apdu_io_init(struct apdu_io *io, apdu_xchg_fn *xchg, void *ctx)
{
	memset(io, 0, sizeof(*io));
	io->xchg = xchg;
	io->ctx = ctx;
	io->chunk = APDU_SHORT_MAX;
	io->poll_ms = 10;
	io->max_ms = 30000;
}

size_t
apdu_encode_short(uint8_t *out, size_t cap, uint8_t cla, uint8_t ins,
    uint8_t p1, uint8_t p2, const uint8_t *data, size_t len, int le)
{
	size_t n = 4;

	if (len > APDU_SHORT_MAX || (len > 0 && data == NULL) || le > 256 ||
	    cap < 4 + (len ? 1 + len : 0) + (le >= 0 ? 1 : 0))
		return 0;
	out[0] = cla;
	out[1] = ins;
	out[2] = p1;
	out[3] = p2;
	if (len > 0) {
		out[n++] = (uint8_t)len;
		memcpy(out + n, data, len);
		n += len;
	}
	if (le >= 0)
		out[n++] = (uint8_t)(le & 0xff);	/* 256 is sent as 00 */
	return n;
}

size_t
apdu_encode_ext(uint8_t *out, size_t cap, uint8_t cla, uint8_t ins,
    uint8_t p1, uint8_t p2, const uint8_t *data, size_t len, int le)
{
	size_t n = 4;

	if (len > APDU_EXT_MAX || (len > 0 && data == NULL) || le > 65536 ||
	    cap < 4 + (len ? 3 + len : 0) + (le >= 0 ? (len ? 2 : 3) : 0))
		return 0;
	out[0] = cla;
	out[1] = ins;
	out[2] = p1;
	out[3] = p2;
	if (len > 0) {
		out[n++] = 0;
		out[n++] = (uint8_t)(len >> 8);
		out[n++] = (uint8_t)len;
		memcpy(out + n, data, len);
		n += len;
	}
	if (le >= 0) {
		if (len == 0)
			out[n++] = 0;	/* case 2E: the 00 marker comes first */
		out[n++] = (uint8_t)((le >> 8) & 0xff);	/* 65536 is 00 00 */
		out[n++] = (uint8_t)(le & 0xff);
	}
	return n;
}

size_t
apdu_encode_select_fido(uint8_t *out, size_t cap)
{
	return apdu_encode_short(out, cap, 0x00, APDU_INS_SELECT, 0x04, 0x00,
	    fido_aid, sizeof(fido_aid), 256);
}

static void
sleep_ms(int ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

static int
cancelled(const struct apdu_io *io)
{
	return (io->cancel != NULL && *io->cancel) ||
	    (io->cancel2 != NULL && *io->cancel2);
}

static uint16_t
sw_of(const uint8_t *resp, size_t len)
{
	return (uint16_t)(resp[len - 2] << 8 | resp[len - 1]);
}

/* One exchange with the length checks every caller needs. */
static int
xchg(struct apdu_io *io, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
    size_t *resp_len, struct kd_err *err)
{
	size_t cap = *resp_len;
	int r;

	io->n_xchg++;
	if ((r = io->xchg(io->ctx, cmd, cmd_len, resp, resp_len, err)) != KD_OK)
		return r;
	if (*resp_len > cap)
		return kd_err_set(err, KD_ERR_DEVICE,
		    "the card sent a longer answer than the reader can take");
	if (*resp_len < 2)
		return kd_err_set(err, KD_ERR_DEVICE,
		    "the card gave a short answer (%zu bytes, no status word)",
		    *resp_len);
	return KD_OK;
}

static int
send_chained(struct apdu_io *io, uint8_t cla, uint8_t ins, uint8_t p1,
    uint8_t p2, const uint8_t *data, size_t len, uint8_t *first,
    size_t *first_len, struct kd_err *err)
{
	uint8_t cmd[5 + APDU_SHORT_MAX + 1], rsp[2 + 256];
	size_t chunk = io->chunk, off = 0, n, rlen;
	uint16_t sw;
	int r;

	if (chunk == 0 || chunk > APDU_SHORT_MAX)
		chunk = APDU_SHORT_MAX;
	/* Every block but the last: CLA bit 0x10, no Le, answer must be 9000
	 * and nothing else (CTAP 2.1 § 11.3.2; libfido2 1.12 wrongly adds
	 * Le to these). */
	while (len - off > chunk) {
		n = apdu_encode_short(cmd, sizeof(cmd), cla | APDU_CLA_CHAIN,
		    ins, p1, p2, data + off, chunk, -1);
		rlen = sizeof(rsp);
		if ((r = xchg(io, cmd, n, rsp, &rlen, err)) != KD_OK)
			goto out;
		if ((sw = sw_of(rsp, rlen)) != APDU_SW_OK || rlen != 2) {
			r = kd_err_set(err, KD_ERR_DEVICE,
			    "the card refused a chained command block "
			    "(SW %04X: %s)", sw, apdu_sw_text(sw));
			goto out;
		}
		off += chunk;
	}
	n = apdu_encode_short(cmd, sizeof(cmd), cla, ins, p1, p2,
	    len > 0 ? data + off : NULL, len - off, 256);
	r = xchg(io, cmd, n, first, first_len, err);
out:
	kd_wipe(cmd, sizeof(cmd));	/* may carry PIN-protocol material */
	return r;
}

int
apdu_send(struct apdu_io *io, uint8_t cla, uint8_t ins, uint8_t p1,
    uint8_t p2, const uint8_t *data, size_t len, uint8_t *first,
    size_t *first_len, struct kd_err *err)
{
	uint8_t *cmd;
	size_t n;
	int r;

	if (cancelled(io))
		return kd_err_set(err, KD_ERR_CANCELLED, "cancelled");
	if (len > APDU_EXT_MAX || (len > 0 && data == NULL))
		return kd_err_set(err, KD_ERR_INVALID,
		    "command too long for one APDU (%zu bytes)", len);
	if (!io->extended || len <= APDU_SHORT_MAX)
		return send_chained(io, cla, ins, p1, p2, data, len, first,
		    first_len, err);
	if ((cmd = malloc(7 + len + 2)) == NULL)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	n = apdu_encode_ext(cmd, 7 + len + 2, cla, ins, p1, p2, data, len,
	    65536);
	r = xchg(io, cmd, n, first, first_len, err);
	kd_wipe(cmd, n);
	free(cmd);
	return r;
}

/* State of one answer being collected. */
struct collect {
	uint8_t		*buf;	/* current raw response: data ‖ SW */
	size_t		 len;
	int		 ms;	/* the budget, for the message */
	int64_t		 deadline;
	int		 stop;	/* why we sent the NFCCTAP cancel, or 0 */
	int64_t		 stop_deadline;
	unsigned	 getrsp;
};

static int
collect_stop_err(const struct collect *c, struct kd_err *err)
{
	if (c->stop == KD_ERR_TIMEOUT)
		return kd_err_set(err, KD_ERR_TIMEOUT,
		    "the card did not finish within %d ms", c->ms);
	return kd_err_set(err, KD_ERR_CANCELLED, "cancelled");
}

/* Sends a case-1/2 command built from the header and reads its answer
 * into c->buf. */
static int
collect_next(struct apdu_io *io, struct collect *c, uint8_t cla, uint8_t ins,
    uint8_t p1, uint8_t p2, int le, struct kd_err *err)
{
	uint8_t cmd[5];
	size_t n;

	n = apdu_encode_short(cmd, sizeof(cmd), cla, ins, p1, p2, NULL, 0, le);
	c->len = APDU_RESP_MAX;
	return xchg(io, cmd, n, c->buf, &c->len, err);
}

/* The card said 9100 (still working): poll, or cancel, or give up. */
static int
collect_busy(struct apdu_io *io, struct collect *c, struct kd_err *err)
{
	int64_t t = kd_mono_ms(), left;

	if (c->len > 3)
		return kd_err_set(err, KD_ERR_DEVICE, "the card gave a "
		    "malformed busy answer (%zu bytes)", c->len);
	if (c->len == 3 && io->busy != NULL)
		io->busy(io->busy_arg, c->buf[0]);
	if (c->stop == 0) {
		if (cancelled(io))
			c->stop = KD_ERR_CANCELLED;
		else if (t >= c->deadline)
			c->stop = KD_ERR_TIMEOUT;
		if (c->stop != 0) {
			/* Tell the card to stop (80 11 11 00) rather than
			 * leave it working on a command nobody waits for. */
			io->n_cancel++;
			c->stop_deadline = t + CANCEL_GRACE_MS;
			return collect_next(io, c, 0x80,
			    APDU_INS_NFCCTAP_GETRSP, 0x11, 0x00, -1, err);
		}
	} else if (t >= c->stop_deadline)
		return collect_stop_err(c, err);
	left = (c->stop ? c->stop_deadline : c->deadline) - t;
	sleep_ms(io->poll_ms < left ? io->poll_ms : (int)left);
	io->n_polls++;
	return collect_next(io, c, 0x80, APDU_INS_NFCCTAP_GETRSP, 0x00, 0x00,
	    256, err);
}

static int
collect_loop(struct apdu_io *io, struct collect *c, uint8_t cla, int poll,
    uint8_t *out, size_t cap, size_t *out_len, uint16_t *sw,
    struct kd_err *err)
{
	size_t n = 0, data;
	int r;

	for (;;) {
		*sw = sw_of(c->buf, c->len);
		data = c->len - 2;
		if (*sw == APDU_SW_NFCCTAP_BUSY && poll) {
			if (n > 0)
				return kd_err_set(err, KD_ERR_DEVICE,
				    "the card said 'busy' in the middle of "
				    "an answer");
			if ((r = collect_busy(io, c, err)) != KD_OK)
				return r;
			continue;
		}
		if (data > cap - n)
			return kd_err_set(err, KD_ERR_DEVICE,
			    "the card's answer is too long (over %zu bytes)",
			    cap);
		memcpy(out + n, c->buf, data);
		n += data;
		if ((*sw >> 8) != 0x61)
			break;
		if (++c->getrsp > GETRSP_MAX)
			return kd_err_set(err, KD_ERR_DEVICE,
			    "the card's answer never ends (61xx)");
		io->n_getrsp++;
		if ((r = collect_next(io, c, cla & (uint8_t)~APDU_CLA_CHAIN,
		    APDU_INS_GET_RESPONSE, 0x00, 0x00,
		    (*sw & 0xff) ? (*sw & 0xff) : 256, err)) != KD_OK)
			return r;
	}
	*out_len = n;
	if (c->stop != 0)
		return collect_stop_err(c, err);
	return KD_OK;
}

int
apdu_collect(struct apdu_io *io, uint8_t cla, int poll, int ms,
    const uint8_t *first, size_t first_len, uint8_t *out, size_t cap,
    size_t *out_len, uint16_t *sw, struct kd_err *err)
{
	struct collect c;
	int r;

	*out_len = 0;
	*sw = 0;
	if (first_len < 2 || first_len > APDU_RESP_MAX)
		return kd_err_set(err, KD_ERR_DEVICE,
		    "the card gave a malformed answer (%zu bytes)", first_len);
	memset(&c, 0, sizeof(c));
	if ((c.buf = malloc(APDU_RESP_MAX)) == NULL)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	memcpy(c.buf, first, first_len);
	c.len = first_len;
	c.ms = ms < 0 ? io->max_ms : ms;
	c.deadline = kd_mono_ms() + c.ms;
	r = collect_loop(io, &c, cla, poll, out, cap, out_len, sw, err);
	if (r != KD_OK)
		*out_len = 0;
	kd_wipe(c.buf, APDU_RESP_MAX);
	free(c.buf);
	return r;
}

int
apdu_transceive(struct apdu_io *io, uint8_t cla, uint8_t ins, uint8_t p1,
    uint8_t p2, const uint8_t *data, size_t len, int poll, int ms,
    uint8_t *out, size_t cap, size_t *out_len, uint16_t *sw,
    struct kd_err *err)
{
	uint8_t *first;
	size_t first_len = APDU_RESP_MAX;
	int r;

	*out_len = 0;
	if ((first = malloc(APDU_RESP_MAX)) == NULL)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	if ((r = apdu_send(io, cla, ins, p1, p2, data, len, first, &first_len,
	    err)) == KD_OK)
		r = apdu_collect(io, cla, poll, ms, first, first_len, out, cap,
		    out_len, sw, err);
	kd_wipe(first, APDU_RESP_MAX);
	free(first);
	return r;
}

int
apdu_parse_select(const uint8_t *data, size_t len, uint16_t sw,
    enum apdu_applet *applet, struct kd_err *err)
{
	*applet = APDU_APPLET_NONE;
	if (sw != APDU_SW_OK)
		return kd_err_set(err, KD_ERR_NOTFIDO, "this card is not a "
		    "FIDO security key (it answered %04X: %s)", sw,
		    apdu_sw_text(sw));
	if (len == strlen(v_fido2) && memcmp(data, v_fido2, len) == 0)
		*applet = APDU_APPLET_FIDO2;
	else if (len == strlen(v_u2f) && memcmp(data, v_u2f, len) == 0)
		*applet = APDU_APPLET_U2F;
	else
		return kd_err_set(err, KD_ERR_NOTFIDO, "this card is not a "
		    "FIDO security key (its FIDO applet gave an unknown "
		    "version, %zu bytes)", len);
	return KD_OK;
}

int
apdu_ctap_cbor(struct apdu_io *io, const uint8_t *msg, size_t len, int ms,
    uint8_t *out, size_t cap, size_t *out_len, struct kd_err *err)
{
	uint16_t sw;
	int r;

	if ((r = apdu_transceive(io, 0x80, APDU_INS_NFCCTAP_MSG, 0x80, 0x00,
	    msg, len, 1, ms, out, cap, out_len, &sw, err)) != KD_OK)
		return r;
	if (sw != APDU_SW_OK) {
		*out_len = 0;
		return kd_err_set(err, KD_ERR_DEVICE, "the card refused the "
		    "FIDO command (SW %04X: %s)", sw, apdu_sw_text(sw));
	}
	if (*out_len == 0)
		return kd_err_set(err, KD_ERR_DEVICE,
		    "the card gave an empty FIDO answer");
	return KD_OK;
}

const char *
apdu_sw_text(uint16_t sw)
{
	static const struct {
		uint16_t sw;
		const char *text;
	} t[] = {
		{ 0x9000, "success" },
		{ 0x9100, "still working" },
		{ 0x6700, "wrong length" },
		{ 0x6882, "secure messaging not supported" },
		{ 0x6883, "last command of the chain expected" },
		{ 0x6884, "command chaining not supported" },
		{ 0x6982, "security status not satisfied" },
		{ 0x6985, "conditions of use not satisfied" },
		{ 0x6a80, "incorrect data" },
		{ 0x6a81, "function not supported" },
		{ 0x6a82, "file or application not found" },
		{ 0x6a86, "incorrect P1/P2" },
		{ 0x6d00, "instruction not supported" },
		{ 0x6e00, "class not supported" },
		{ 0x6f00, "no precise diagnosis" },
	};

	for (size_t i = 0; i < KD_NELEM(t); i++)
		if (t[i].sw == sw)
			return t[i].text;
	if ((sw >> 8) == 0x61)
		return "more data";
	if ((sw >> 8) == 0x6c)
		return "wrong Le";
	return "unknown status";
}
