/* ISO 7816-4 APDUs for CTAP over NFC (CTAP 2.1 § 11.3): building command
 * APDUs (short with command chaining, or extended), and reading the card's
 * answers (61xx GET RESPONSE, NFCCTAP_GETRESPONSE polling on 9100, cancel).
 *
 * Nothing here knows about PC/SC: the caller hands in one exchange function
 * (one command APDU in, one response APDU out), so the unit test and the
 * fuzzer drive the same code with a fake card.  Every answer is treated as
 * untrusted: short, oversized or malformed answers are errors, never reads
 * past a buffer. */
#ifndef KD_APDU_H
#define KD_APDU_H

#include <stddef.h>
#include <stdint.h>

#include "core/kd.h"

#define APDU_SHORT_MAX	255	/* data bytes in one short command APDU */
#define APDU_EXT_MAX	65535	/* data bytes in one extended command APDU */
#define APDU_RESP_MAX	(65536 + 2)	/* largest response APDU: data + SW */

/* Instruction bytes (CTAP 2.1 § 11.3.3 - 11.3.5, ISO 7816-4). */
#define APDU_INS_SELECT		0xa4
#define APDU_INS_GET_RESPONSE	0xc0
#define APDU_INS_NFCCTAP_MSG	0x10
#define APDU_INS_NFCCTAP_GETRSP	0x11
#define APDU_CLA_CHAIN		0x10	/* "more blocks follow" */

#define APDU_SW_OK		0x9000
#define APDU_SW_NFCCTAP_BUSY	0x9100	/* status byte: 01 processing, 02 UP */

/* What the FIDO applet said it is, from the SELECT answer. */
enum apdu_applet {
	APDU_APPLET_NONE = 0,
	APDU_APPLET_U2F = 1,	/* "U2F_V2": CTAP1 only */
	APDU_APPLET_FIDO2 = 2,	/* "FIDO_2_0": CTAP2 over NFCCTAP_MSG */
};

/* One exchange: send `cmd`, put the whole response APDU (data ‖ SW1 SW2)
 * into `resp` (capacity *resp_len on entry, length on return).  Returns
 * KD_OK or a KD_ERR_* with `err` filled (KD_ERR_REMOVED when the card left). */
typedef int apdu_xchg_fn(void *ctx, const uint8_t *cmd, size_t cmd_len,
    uint8_t *resp, size_t *resp_len, struct kd_err *err);

/* Called while the card answers 9100: 1 processing, 2 waiting for user
 * presence.  Lets the tap screen say "touch" or keep its spinner. */
typedef void apdu_busy_fn(void *arg, int status);

struct apdu_io {
	apdu_xchg_fn	*xchg;
	void		*ctx;
	volatile int	*cancel;	/* non-zero: send NFCCTAP cancel */
	volatile int	*cancel2;	/* a second source (libfido2's own) */
	apdu_busy_fn	*busy;
	void		*busy_arg;
	int		 extended;	/* 1: extended APDUs, 0: chaining */
	size_t		 chunk;		/* bytes per chained block, 1..255 */
	int		 poll_ms;	/* pause between 9100 polls */
	int		 max_ms;	/* budget when the caller passes -1 */
	/* Counters, for tests and the benchmark. */
	unsigned	 n_xchg;
	unsigned	 n_polls;
	unsigned	 n_cancel;
	unsigned	 n_getrsp;
};

/* Sensible defaults: short APDUs, 255-byte blocks, 10 ms polls, 30 s. */
void	apdu_io_init(struct apdu_io *, apdu_xchg_fn *, void *ctx);

/* Encoders.  Each writes into `out` (capacity `cap`) and returns the APDU
 * length, or 0 when it does not fit or the arguments are impossible. */
size_t	apdu_encode_short(uint8_t *out, size_t cap, uint8_t cla, uint8_t ins,
	    uint8_t p1, uint8_t p2, const uint8_t *data, size_t len, int le);
size_t	apdu_encode_ext(uint8_t *out, size_t cap, uint8_t cla, uint8_t ins,
	    uint8_t p1, uint8_t p2, const uint8_t *data, size_t len, int le);
size_t	apdu_encode_select_fido(uint8_t *out, size_t cap);

/* Sends one command (chained or extended as io says; every intermediate
 * block must answer 9000) and collects the answer: GET RESPONSE while SW1
 * is 61, NFCCTAP_GETRESPONSE polls while it is 9100 (when `poll`), within
 * `ms` (-1: io->max_ms), sending the NFCCTAP cancel when *io->cancel or
 * *io->cancel2 is set.  `out` receives the data (no SW), *sw the final
 * status word.  A final SW other than 9000 is not an error here: the
 * caller decides. */
int	apdu_transceive(struct apdu_io *, uint8_t cla, uint8_t ins, uint8_t p1,
	    uint8_t p2, const uint8_t *data, size_t len, int poll, int ms,
	    uint8_t *out, size_t cap, size_t *out_len, uint16_t *sw,
	    struct kd_err *);

/* The two halves of apdu_transceive, for transports where sending and
 * receiving are separate calls (libfido2's tx/rx).  `first` is the raw
 * response to the last block (data ‖ SW), at most APDU_RESP_MAX bytes. */
int	apdu_send(struct apdu_io *, uint8_t cla, uint8_t ins, uint8_t p1,
	    uint8_t p2, const uint8_t *data, size_t len, uint8_t *first,
	    size_t *first_len, struct kd_err *);
int	apdu_collect(struct apdu_io *, uint8_t cla, int poll, int ms,
	    const uint8_t *first, size_t first_len, uint8_t *out, size_t cap,
	    size_t *out_len, uint16_t *sw, struct kd_err *);

/* SELECT answer (data and final SW, as apdu_transceive returns them) →
 * applet, or KD_ERR_NOTFIDO "this card is not a FIDO security key" (no
 * such applet, wrong applet, unknown version string). */
int	apdu_parse_select(const uint8_t *data, size_t len, uint16_t sw,
	    enum apdu_applet *, struct kd_err *);

/* Wraps a CTAP2 CBOR command (command byte ‖ CBOR) in NFCCTAP_MSG with
 * P1 0x80 ("client polls"), and returns the CTAP status byte ‖ CBOR in
 * `out`.  A non-9000 final SW is KD_ERR_DEVICE; cancel is KD_ERR_CANCELLED. */
int	apdu_ctap_cbor(struct apdu_io *, const uint8_t *msg, size_t len, int ms,
	    uint8_t *out, size_t cap, size_t *out_len, struct kd_err *);

/* Names the status word for messages ("6A82 file or application not
 * found"); never NULL. */
const char *apdu_sw_text(uint16_t sw);

#endif
