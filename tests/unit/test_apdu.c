/* APDU building and card-answer parsing (core/apdu.c) against a scripted
 * fake card: chaining split points, extended APDUs, 61xx accumulation,
 * 9100 polling, timeout, cancel, malformed and wrong-applet answers. */
#include <stdlib.h>
#include <string.h>

#include "core/apdu.h"
#include "tests/lib/tap.h"

#define MAXCMD	64

/* A scripted card: answers commands in order from `rsp` (hex strings);
 * chained blocks get 9000 by themselves when auto_chain is set. */
struct fake {
	const char	*rsp[32];
	size_t		 next;
	int		 auto_chain;
	int		 fail;		/* KD_ERR_* to return ... */
	size_t		 fail_at;	/* ... at this command index */
	volatile int	*cancel;	/* set *cancel after `cancel_after` */
	size_t		 cancel_after;
	const char	*repeat;	/* answer forever once rsp runs out */
	uint8_t		 cmd[MAXCMD][600];
	size_t		 cmd_len[MAXCMD];
	size_t		 ncmd;
};

static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	while (*s != '\0') {
		if (*s == ' ') {
			s++;
			continue;
		}
		if (n == cap || sscanf(s, "%2x", &v) != 1)
			abort();
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static int
fake_xchg(void *ctx, const uint8_t *cmd, size_t len, uint8_t *rsp,
    size_t *rlen, struct kd_err *err)
{
	struct fake *f = ctx;
	const char *r;
	size_t idx = f->ncmd;

	if (f->ncmd < MAXCMD) {
		memcpy(f->cmd[f->ncmd], cmd, len < 600 ? len : 600);
		f->cmd_len[f->ncmd] = len;
	}
	f->ncmd++;
	if (f->cancel != NULL && f->ncmd == f->cancel_after)
		*f->cancel = 1;
	if (f->fail != 0 && idx == f->fail_at)
		return kd_err_set(err, f->fail, "card removed from the reader");
	if (f->auto_chain && (cmd[0] & 0x10)) {
		*rlen = unhex("9000", rsp, *rlen);
		return KD_OK;
	}
	if (f->next < KD_NELEM(f->rsp) && f->rsp[f->next] != NULL)
		r = f->rsp[f->next++];
	else if (f->repeat != NULL)
		r = f->repeat;
	else
		return kd_err_set(err, KD_ERR_IO, "fake card: script ended");
	*rlen = unhex(r, rsp, *rlen);
	return KD_OK;
}

static void
io_fake(struct apdu_io *io, struct fake *f)
{
	memset(f, 0, sizeof(*f));
	apdu_io_init(io, fake_xchg, f);
	io->poll_ms = 0;
}

static int
bytes_eq(const uint8_t *a, size_t n, const char *hex)
{
	uint8_t b[700];
	size_t m = unhex(hex, b, sizeof(b));

	return m == n && memcmp(a, b, n) == 0;
}

static void
test_encode_short_cases(void)
{
	uint8_t b[300], d[3] = { 1, 2, 3 };

	CHECK(bytes_eq(b, apdu_encode_short(b, sizeof(b), 0x80, 0x11, 0x11, 0,
	    NULL, 0, -1), "80111100"));
	CHECK(bytes_eq(b, apdu_encode_short(b, sizeof(b), 0x80, 0x11, 0, 0,
	    NULL, 0, 256), "8011000000"));
	CHECK(bytes_eq(b, apdu_encode_short(b, sizeof(b), 0, 0xc0, 0, 0,
	    NULL, 0, 0x10), "00c0000010"));
	CHECK(bytes_eq(b, apdu_encode_short(b, sizeof(b), 0x90, 0x10, 0x80, 0,
	    d, 3, -1), "9010800003010203"));
	CHECK(bytes_eq(b, apdu_encode_short(b, sizeof(b), 0x80, 0x10, 0x80, 0,
	    d, 3, 256), "801080000301020300"));
	CHECK(apdu_encode_short(b, sizeof(b), 0, 0, 0, 0, b, 256, -1) == 0);
	CHECK(apdu_encode_short(b, 8, 0, 0, 0, 0, d, 3, 256) == 0);
	CHECK(apdu_encode_short(b, 9, 0, 0, 0, 0, d, 3, 256) == 9);
	CHECK(bytes_eq(b, apdu_encode_select_fido(b, sizeof(b)),
	    "00a4040008a0000006472f000100"));
}

static void
test_encode_extended(void)
{
	uint8_t b[700], d[300];

	memset(d, 0xab, sizeof(d));
	CHECK(bytes_eq(b, apdu_encode_ext(b, sizeof(b), 0x80, 0x10, 0x80, 0,
	    NULL, 0, 65536), "80108000000000"));
	CHECK(apdu_encode_ext(b, sizeof(b), 0x80, 0x10, 0x80, 0, d, 300,
	    65536) == 4 + 3 + 300 + 2);
	CHECK(b[4] == 0x00 && b[5] == 0x01 && b[6] == 0x2c);
	CHECK(b[7] == 0xab && b[306] == 0xab);
	CHECK(b[307] == 0x00 && b[308] == 0x00);
	CHECK(apdu_encode_ext(b, sizeof(b), 0, 0, 0, 0, d, 300, -1) == 307);
	CHECK(apdu_encode_ext(b, 308, 0, 0, 0, 0, d, 300, 65536) == 0);
	CHECK(bytes_eq(b, apdu_encode_ext(b, sizeof(b), 0, 0xc0, 0, 0, NULL, 0,
	    0x1234), "00c00000001234"));
}

/* Sends `len` bytes and checks how the command was cut into blocks. */
static void
check_chain(size_t len, size_t chunk, size_t nblocks)
{
	struct apdu_io io;
	struct fake f;
	uint8_t data[1000], out[16];
	size_t out_len, off = 0;
	uint16_t sw;
	int r;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	io_fake(&io, &f);
	f.auto_chain = 1;
	f.rsp[0] = "00 9000";
	if (chunk)
		io.chunk = chunk;
	else
		chunk = 255;
	r = apdu_transceive(&io, 0x80, 0x10, 0x80, 0x00, data, len, 1, -1,
	    out, sizeof(out), &out_len, &sw, NULL);
	CHECK(r == KD_OK && sw == 0x9000 && out_len == 1 && out[0] == 0);
	CHECK(f.ncmd == nblocks);
	for (size_t i = 0; i < f.ncmd && i < MAXCMD; i++) {
		size_t blk = i + 1 < f.ncmd ? chunk : len - off;
		int last = i + 1 == f.ncmd;

		CHECK(f.cmd[i][0] == (last ? 0x80 : 0x90));
		CHECK(f.cmd[i][1] == 0x10 && f.cmd[i][2] == 0x80);
		CHECK(f.cmd[i][4] == blk);
		/* no Le on chained blocks, Le 00 on the last */
		CHECK(f.cmd_len[i] == 5 + blk + (last ? 1 : 0));
		if (last)
			CHECK(f.cmd[i][5 + blk] == 0x00);
		CHECK(memcmp(&f.cmd[i][5], data + off, blk) == 0);
		off += blk;
	}
	CHECK(off == len);
}

static void
test_chain_split_points(void)
{
	check_chain(1, 0, 1);
	check_chain(255, 0, 1);
	check_chain(256, 0, 2);
	check_chain(510, 0, 2);
	check_chain(511, 0, 3);
	check_chain(240, 240, 1);
	check_chain(241, 240, 2);
	check_chain(900, 100, 9);
}

static void
test_chain_refused(void)
{
	struct apdu_io io;
	struct fake f;
	uint8_t data[300] = { 0 }, out[16];
	size_t out_len;
	uint16_t sw;
	struct kd_err e;

	io_fake(&io, &f);
	f.rsp[0] = "6884";
	CHECK(apdu_transceive(&io, 0x80, 0x10, 0x80, 0, data, sizeof(data), 1,
	    -1, out, sizeof(out), &out_len, &sw, &e) == KD_ERR_DEVICE);
	CHECK(strstr(e.msg, "6884") != NULL && f.ncmd == 1);
	/* a chained block answered with data is not a block ack either */
	io_fake(&io, &f);
	f.rsp[0] = "01 9000";
	CHECK(apdu_transceive(&io, 0x80, 0x10, 0x80, 0, data, sizeof(data), 1,
	    -1, out, sizeof(out), &out_len, &sw, &e) == KD_ERR_DEVICE);
}

static void
test_extended_apdu(void)
{
	struct apdu_io io;
	struct fake f;
	uint8_t data[300], out[16];
	size_t out_len;
	uint16_t sw;

	memset(data, 0x5a, sizeof(data));
	io_fake(&io, &f);
	io.extended = 1;
	f.rsp[0] = "00 9000";
	CHECK(apdu_transceive(&io, 0x80, 0x10, 0x80, 0, data, sizeof(data), 1,
	    -1, out, sizeof(out), &out_len, &sw, NULL) == KD_OK);
	CHECK(f.ncmd == 1 && f.cmd_len[0] == 309);
	CHECK(f.cmd[0][0] == 0x80 && f.cmd[0][4] == 0 && f.cmd[0][5] == 1 &&
	    f.cmd[0][6] == 0x2c && f.cmd[0][307] == 0 && f.cmd[0][308] == 0);
	/* short enough: stays a short APDU even in extended mode */
	io_fake(&io, &f);
	io.extended = 1;
	f.rsp[0] = "00 9000";
	CHECK(apdu_transceive(&io, 0x80, 0x10, 0x80, 0, data, 10, 1, -1, out,
	    sizeof(out), &out_len, &sw, NULL) == KD_OK);
	CHECK(f.cmd_len[0] == 16);
}

static void
test_get_response_chain(void)
{
	struct apdu_io io;
	struct fake f;
	uint8_t out[64];
	size_t out_len;
	uint16_t sw;

	io_fake(&io, &f);
	f.rsp[0] = "00 a1 02 6103";
	f.rsp[1] = "03 04 05 6100";
	f.rsp[2] = "06 9000";
	CHECK(apdu_transceive(&io, 0x80, 0x10, 0x80, 0, (const uint8_t *)"\4",
	    1, 1, -1, out, sizeof(out), &out_len, &sw, NULL) == KD_OK);
	CHECK(sw == 0x9000 && out_len == 7);
	CHECK(bytes_eq(out, out_len, "00a10203040506"));
	/* GET RESPONSE: CLA of the command, Le from SW2, 00 for 6100 */
	CHECK(f.ncmd == 3 && io.n_getrsp == 2);
	CHECK(bytes_eq(f.cmd[1], f.cmd_len[1], "80c0000003"));
	CHECK(bytes_eq(f.cmd[2], f.cmd_len[2], "80c0000000"));
}

static void
busy_seen(void *arg, int status)
{
	int *seen = arg;

	*seen = *seen * 10 + status;
}

static void
test_poll_9100(void)
{
	struct apdu_io io;
	struct fake f;
	uint8_t out[64];
	size_t out_len;
	int seen = 0;
	struct kd_err e;

	io_fake(&io, &f);
	io.busy = busy_seen;
	io.busy_arg = &seen;
	f.rsp[0] = "01 9100";
	f.rsp[1] = "01 9100";
	f.rsp[2] = "02 9100";
	f.rsp[3] = "00 a0 6101";
	f.rsp[4] = "ff 9000";
	CHECK(apdu_ctap_cbor(&io, (const uint8_t *)"\4", 1, 5000, out,
	    sizeof(out), &out_len, &e) == KD_OK);
	CHECK(bytes_eq(out, out_len, "00a0ff"));
	CHECK(io.n_polls == 3 && seen == 112);
	CHECK(bytes_eq(f.cmd[0], f.cmd_len[0], "80108000010400"));
	CHECK(bytes_eq(f.cmd[1], f.cmd_len[1], "8011000000"));
	CHECK(bytes_eq(f.cmd[3], f.cmd_len[3], "8011000000"));
	CHECK(bytes_eq(f.cmd[4], f.cmd_len[4], "80c0000001"));
	/* a 9100 with no status byte is still a busy answer */
	io_fake(&io, &f);
	f.rsp[0] = "9100";
	f.rsp[1] = "00 9000";
	CHECK(apdu_ctap_cbor(&io, (const uint8_t *)"\4", 1, 5000, out,
	    sizeof(out), &out_len, &e) == KD_OK && io.n_polls == 1);
}

static void
test_poll_timeout_sends_cancel(void)
{
	struct apdu_io io;
	struct fake f;
	uint8_t out[64];
	size_t out_len;
	struct kd_err e;

	io_fake(&io, &f);
	io.poll_ms = 5;
	f.repeat = "01 9100";
	f.rsp[0] = NULL;
	CHECK(apdu_ctap_cbor(&io, (const uint8_t *)"\4", 1, 60, out,
	    sizeof(out), &out_len, &e) == KD_ERR_TIMEOUT);
	CHECK(strstr(e.msg, "60 ms") != NULL);
	CHECK(io.n_cancel == 1 && io.n_polls >= 2);
	/* the cancel went out as 80 11 11 00 after the polls */
	{
		int found = 0;

		for (size_t i = 0; i < f.ncmd && i < MAXCMD; i++)
			found |= bytes_eq(f.cmd[i], f.cmd_len[i], "80111100");
		CHECK(found);
	}
}

static void
test_cancel_flag(void)
{
	struct apdu_io io;
	struct fake f;
	volatile int cancel = 0;
	uint8_t out[64];
	size_t out_len;
	struct kd_err e;

	io_fake(&io, &f);
	io.cancel = &cancel;
	f.cancel = &cancel;
	f.cancel_after = 3;	/* the operator presses Esc during polling */
	f.rsp[0] = "01 9100";
	f.rsp[1] = "01 9100";
	f.rsp[2] = "01 9100";
	f.rsp[3] = "2d 9000";	/* CTAP2_ERR_KEEPALIVE_CANCEL */
	CHECK(apdu_ctap_cbor(&io, (const uint8_t *)"\4", 1, 5000, out,
	    sizeof(out), &out_len, &e) == KD_ERR_CANCELLED);
	CHECK(f.ncmd == 4 && io.n_cancel == 1);
	CHECK(bytes_eq(f.cmd[3], f.cmd_len[3], "80111100"));
	/* already cancelled: nothing is sent at all */
	io_fake(&io, &f);
	io.cancel = &cancel;
	CHECK(apdu_ctap_cbor(&io, (const uint8_t *)"\4", 1, 5000, out,
	    sizeof(out), &out_len, &e) == KD_ERR_CANCELLED && f.ncmd == 0);
	/* a card that stays busy after the cancel: bounded, still cancelled */
	cancel = 0;
	io_fake(&io, &f);
	io.cancel = &cancel;
	io.poll_ms = 20;
	f.cancel = &cancel;
	f.cancel_after = 2;
	f.repeat = "01 9100";
	CHECK(apdu_ctap_cbor(&io, (const uint8_t *)"\4", 1, 60000, out,
	    sizeof(out), &out_len, &e) == KD_ERR_CANCELLED);
	CHECK(io.n_cancel == 1 && f.ncmd < 200);
}

static void
test_malformed_answers(void)
{
	struct apdu_io io;
	struct fake f;
	uint8_t out[8];
	size_t out_len;
	uint16_t sw;
	struct kd_err e;

	static const char *bad[] = {
		"",		/* nothing at all */
		"90",		/* half a status word */
		"01 02 03 04 05 06 07 08 09 9000",	/* longer than out */
		"01 02 9100",	/* busy with two status bytes */
		"6985",		/* refused */
	};
	for (size_t i = 0; i < KD_NELEM(bad); i++) {
		io_fake(&io, &f);
		f.rsp[0] = bad[i];
		out_len = 99;
		CHECK(apdu_ctap_cbor(&io, (const uint8_t *)"\4", 1, 1000, out,
		    sizeof(out), &out_len, &e) == KD_ERR_DEVICE);
		CHECK(out_len == 0 && e.msg[0] != '\0');
	}
	/* empty 9000: no CTAP status byte */
	io_fake(&io, &f);
	f.rsp[0] = "9000";
	CHECK(apdu_ctap_cbor(&io, (const uint8_t *)"\4", 1, 1000, out,
	    sizeof(out), &out_len, &e) == KD_ERR_DEVICE);
	/* 61xx that never ends is bounded */
	io_fake(&io, &f);
	f.repeat = "6100";
	CHECK(apdu_transceive(&io, 0x80, 0x10, 0x80, 0, (const uint8_t *)"\4",
	    1, 1, 1000, out, sizeof(out), &out_len, &sw, &e) == KD_ERR_DEVICE);
	CHECK(strstr(e.msg, "never ends") != NULL);
	/* 61xx chain adding up to more than the buffer */
	io_fake(&io, &f);
	f.repeat = "01 02 03 6103";
	CHECK(apdu_transceive(&io, 0x80, 0x10, 0x80, 0, (const uint8_t *)"\4",
	    1, 1, 1000, out, sizeof(out), &out_len, &sw, &e) == KD_ERR_DEVICE);
	CHECK(strstr(e.msg, "too long") != NULL);
	/* busy in the middle of a 61xx chain */
	io_fake(&io, &f);
	f.rsp[0] = "01 6101";
	f.rsp[1] = "01 9100";
	CHECK(apdu_ctap_cbor(&io, (const uint8_t *)"\4", 1, 1000, out,
	    sizeof(out), &out_len, &e) == KD_ERR_DEVICE);
	/* the collector refuses a first answer with no status word */
	CHECK(apdu_collect(&io, 0x80, 1, 1000, out, 1, out, sizeof(out),
	    &out_len, &sw, &e) == KD_ERR_DEVICE);
}

static void
test_card_removed(void)
{
	struct apdu_io io;
	struct fake f;
	uint8_t data[600] = { 0 }, out[8];
	size_t out_len;
	struct kd_err e;

	io_fake(&io, &f);
	f.auto_chain = 1;
	f.fail = KD_ERR_REMOVED;
	f.fail_at = 1;	/* during the second chained block */
	CHECK(apdu_ctap_cbor(&io, data, sizeof(data), 1000, out, sizeof(out),
	    &out_len, &e) == KD_ERR_REMOVED);
	CHECK(strstr(e.msg, "removed") != NULL && f.ncmd == 2);
	/* during polling */
	io_fake(&io, &f);
	f.repeat = "01 9100";
	f.fail = KD_ERR_REMOVED;
	f.fail_at = 3;
	CHECK(apdu_ctap_cbor(&io, data, 1, 1000, out, sizeof(out), &out_len,
	    &e) == KD_ERR_REMOVED);
}

static void
test_select_applets(void)
{
	enum apdu_applet a;
	struct kd_err e;

	CHECK(apdu_parse_select((const uint8_t *)"FIDO_2_0", 8, 0x9000, &a,
	    &e) == KD_OK && a == APDU_APPLET_FIDO2);
	CHECK(apdu_parse_select((const uint8_t *)"U2F_V2", 6, 0x9000, &a,
	    &e) == KD_OK && a == APDU_APPLET_U2F);
	CHECK(apdu_parse_select((const uint8_t *)"", 0, 0x6a82, &a, &e) ==
	    KD_ERR_NOTFIDO && a == APDU_APPLET_NONE);
	CHECK(strstr(e.msg, "not a FIDO security key") != NULL);
	CHECK(strstr(e.msg, "6A82") != NULL);
	CHECK(apdu_parse_select((const uint8_t *)"FIDO_2_1", 8, 0x9000, &a,
	    &e) == KD_ERR_NOTFIDO);
	CHECK(apdu_parse_select((const uint8_t *)"FIDO_2_0X", 9, 0x9000, &a,
	    &e) == KD_ERR_NOTFIDO);
	CHECK(apdu_parse_select((const uint8_t *)"U2F", 3, 0x9000, &a,
	    &e) == KD_ERR_NOTFIDO);
	CHECK(apdu_parse_select(NULL, 0, 0x9000, &a, &e) == KD_ERR_NOTFIDO);
}

static void
test_select_through_transceive(void)
{
	struct apdu_io io;
	struct fake f;
	uint8_t out[64];
	size_t out_len;
	uint16_t sw;
	enum apdu_applet a;
	static const uint8_t aid[] = { 0xa0, 0, 0, 6, 0x47, 0x2f, 0, 1 };

	/* an applet answering the SELECT in two pieces */
	io_fake(&io, &f);
	f.rsp[0] = "46 49 44 4f 6104";
	f.rsp[1] = "5f 32 5f 30 9000";
	CHECK(apdu_transceive(&io, 0, 0xa4, 4, 0, aid, sizeof(aid), 0, 1000,
	    out, sizeof(out), &out_len, &sw, NULL) == KD_OK);
	CHECK(apdu_parse_select(out, out_len, sw, &a, NULL) == KD_OK &&
	    a == APDU_APPLET_FIDO2);
	CHECK(bytes_eq(f.cmd[0], f.cmd_len[0], "00a4040008a0000006472f000100"));
	CHECK(bytes_eq(f.cmd[1], f.cmd_len[1], "00c0000004"));
	/* without polling, 9100 is just a final status word */
	io_fake(&io, &f);
	f.rsp[0] = "9100";
	CHECK(apdu_transceive(&io, 0, 0xa4, 4, 0, aid, sizeof(aid), 0, 1000,
	    out, sizeof(out), &out_len, &sw, NULL) == KD_OK && sw == 0x9100);
	CHECK(apdu_parse_select(out, out_len, sw, &a, NULL) == KD_ERR_NOTFIDO);
}

static void
test_sw_text(void)
{
	CHECK_EQ_STR(apdu_sw_text(0x6a82), "file or application not found");
	CHECK_EQ_STR(apdu_sw_text(0x6110), "more data");
	CHECK_EQ_STR(apdu_sw_text(0x1234), "unknown status");
}

int
main(void)
{
	RUN(test_encode_short_cases);
	RUN(test_encode_extended);
	RUN(test_chain_split_points);
	RUN(test_chain_refused);
	RUN(test_extended_apdu);
	RUN(test_get_response_chain);
	RUN(test_poll_9100);
	RUN(test_poll_timeout_sends_cancel);
	RUN(test_cancel_flag);
	RUN(test_malformed_answers);
	RUN(test_card_removed);
	RUN(test_select_applets);
	RUN(test_select_through_transceive);
	RUN(test_sw_text);
	return tap_done();
}
