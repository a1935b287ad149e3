/*
 * libFuzzer harness for core/apdu.c: the code that reads a card's answers
 * (chained-block acks, 61xx GET RESPONSE, 9100 polling, cancel, SELECT).
 *
 * Input: one option byte, then the card's answers, each as a 1-byte length
 * and that many bytes.  The fake card hands them out in order and fails
 * once they run out, so every run is bounded.  See tests/fuzz/README.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/apdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct script {
	const uint8_t	*p;
	size_t		 n;
	unsigned	 calls;
	unsigned	 cancel_at;
	volatile int	*cancel;
};

static int
fake_xchg(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
    size_t *resp_len, struct kd_err *err)
{
	struct script *s = ctx;
	size_t len;

	(void)cmd;
	(void)cmd_len;
	if (++s->calls == s->cancel_at)
		*s->cancel = 1;
	if (s->n < 1)
		return kd_err_set(err, KD_ERR_REMOVED, "card removed");
	len = s->p[0];
	if (len > s->n - 1)
		len = s->n - 1;
	if (len > *resp_len)
		return kd_err_set(err, KD_ERR_DEVICE, "too long");
	memcpy(resp, s->p + 1, len);
	*resp_len = len;
	s->p += 1 + len;
	s->n -= 1 + len;
	return KD_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[700];
	uint8_t out[2048];
	struct apdu_io io;
	struct script s;
	struct kd_err err;
	volatile int cancel = 0;
	enum apdu_applet app;
	size_t out_len;
	uint16_t sw;
	uint8_t opt;
	int rc;

	if (size < 1)
		return 0;
	opt = data[0];
	memset(&s, 0, sizeof(s));
	s.p = data + 1;
	s.n = size - 1;
	s.cancel = &cancel;
	s.cancel_at = (opt >> 4) & 0x0f;	/* 0: never */
	apdu_io_init(&io, fake_xchg, &s);
	io.poll_ms = 0;
	io.cancel = &cancel;
	io.extended = opt & 1;
	io.chunk = (opt & 2) ? 64 : 255;
	memset(msg, 0x04, sizeof(msg));
	switch ((opt >> 2) & 3) {
	case 0:	/* a CTAP2 command, chained, polled */
		rc = apdu_ctap_cbor(&io, msg, (opt & 0x80) ? sizeof(msg) : 9,
		    2000, out, sizeof(out), &out_len, &err);
		if (rc == KD_OK && (out_len == 0 || out_len > sizeof(out)))
			__builtin_trap();
		break;
	case 1:	/* SELECT */
		rc = apdu_transceive(&io, 0, APDU_INS_SELECT, 4, 0, msg, 8, 0,
		    2000, out, sizeof(out), &out_len, &sw, &err);
		if (rc == KD_OK)
			apdu_parse_select(out, out_len, sw, &app, &err);
		break;
	case 2:	/* a small answer buffer: overflow must be an error */
		rc = apdu_transceive(&io, 0x80, 0x10, 0x80, 0, msg, 300, 1,
		    2000, out, 16, &out_len, &sw, &err);
		if (rc == KD_OK && out_len > 16)
			__builtin_trap();
		break;
	default:	/* the collector alone, first answer from the input */
		rc = apdu_collect(&io, 0x80, 1, 2000, data + 1, size - 1 >
		    APDU_RESP_MAX ? APDU_RESP_MAX : size - 1, out, sizeof(out),
		    &out_len, &sw, &err);
		break;
	}
	if (rc != KD_OK && err.msg[0] == '\0')
		__builtin_trap();	/* every error must say why */
	return 0;
}
