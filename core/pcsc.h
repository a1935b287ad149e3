/* PC/SC card readers (libpcsclite) and the CTAP-over-NFC transport that
 * hands a contactless FIDO card to libfido2.
 *
 * Debian's libfido2 is built without PC/SC, so keydesk brings the
 * transport (ctap_nfc.c) and gives it to libfido2 through
 * fido_dev_info_set / fido_dev_new_with_info / fido_dev_open_with_info.
 * Everything above the transport (getInfo, clientPIN, makeCredential) is
 * plain libfido2.
 *
 * A pcsc_ctx belongs to one thread (a PC/SC context must not be shared);
 * only pcsc_ctx_cancel may be called from another thread. */
#ifndef KD_PCSC_H
#define KD_PCSC_H

#include <stddef.h>
#include <stdint.h>

#include "core/apdu.h"
#include "core/kd.h"

struct fido_dev;

#define PCSC_PREFIX	"pcsc:"	/* device paths: "pcsc:<reader name>" */

struct pcsc_ctx;	/* one SCARDCONTEXT */
struct pcsc_card;	/* one SCARDHANDLE: a connection to the card */

struct pcsc_reader {
	char		*name;
	int		 present;	/* a card is on the reader */
	int		 mute;		/* a card is there but gives no ATR */
	int		 exclusive;	/* another program holds the card */
	uint8_t		 atr[33];
	size_t		 atr_len;
};

/* KD_ERR_NODEV "pcscd is not running (...)" when the service is absent. */
int	pcsc_ctx_new(struct pcsc_ctx **, struct kd_err *);
void	pcsc_ctx_free(struct pcsc_ctx **);
/* Wakes a pcsc_wait in another thread (SCardCancel); it then returns
 * KD_ERR_CANCELLED.  Safe to call from any thread. */
void	pcsc_ctx_cancel(struct pcsc_ctx *);

/* All readers with their state.  No reader at all is KD_OK with n == 0
 * (the caller decides whether that is an error: pcsc_no_reader_err). */
int	pcsc_readers(struct pcsc_ctx *, struct pcsc_reader **, size_t *,
	    struct kd_err *);
void	pcsc_readers_free(struct pcsc_reader **, size_t);
int	pcsc_no_reader_err(struct kd_err *);

/* Told when the wait starts, and each time readers come or go: `nreaders`
 * is how many are attached, `reader` the one being watched (or NULL). */
typedef void pcsc_wait_fn(void *arg, size_t nreaders, const char *reader);

/* Waits until `reader` (NULL: any reader) has a card (`present` 1) or no
 * longer has one (`present` 0).  Returns the reader in *found (free it) when
 * found != NULL.  Bounded by timeout_ms (< 0: no limit); checks *cancel at
 * least every 100 ms; KD_ERR_TIMEOUT, KD_ERR_CANCELLED, KD_ERR_NODEV. */
int	pcsc_wait(struct pcsc_ctx *, const char *reader, int present,
	    int timeout_ms, volatile int *cancel, pcsc_wait_fn *, void *arg,
	    char **found, struct kd_err *);

/* Connects (shared, T=1 or T=0).  KD_ERR_REMOVED when no card is there. */
int	pcsc_card_connect(struct pcsc_ctx *, const char *reader,
	    struct pcsc_card **, struct kd_err *);
void	pcsc_card_free(struct pcsc_card **);
const char *pcsc_card_reader(const struct pcsc_card *);
const uint8_t *pcsc_card_atr(const struct pcsc_card *, size_t *);
/* One CTAP exchange runs inside a transaction so nobody else's APDUs land
 * between our chained blocks and GET RESPONSEs. */
int	pcsc_card_begin(struct pcsc_card *, struct kd_err *);
void	pcsc_card_end(struct pcsc_card *);
/* apdu_xchg_fn for a pcsc_card (ctx is the card). */
int	pcsc_card_xchg(void *card, const uint8_t *cmd, size_t cmd_len,
	    uint8_t *resp, size_t *resp_len, struct kd_err *);

/* Time spent inside SCardTransmit, and in the other PC/SC calls of a card
 * session (Connect, Status, Begin/EndTransaction), process-wide: what the
 * benchmark counts as waiting on pcscd, the reader and the card. */
struct pcsc_stats {
	uint64_t	transmit_ns;
	uint64_t	transmits;
	uint64_t	other_ns;
};
void	pcsc_stats_get(struct pcsc_stats *);
void	pcsc_stats_reset(void);

/* ---- CTAP over NFC as a libfido2 transport (ctap_nfc.c) ---- */

struct ctapnfc;	/* a card opened as a fido_dev_t */

struct ctapnfc_opts {
	volatile int	*cancel;	/* non-zero: stop (NFCCTAP cancel) */
	apdu_busy_fn	*busy;		/* 9100 status: 1 working, 2 presence */
	void		*busy_arg;
	int		 extended;	/* extended APDUs instead of chaining */
	size_t		 chunk;		/* bytes per chained block (0: 255) */
	int		 max_ms;	/* per command when libfido2 says -1 */
};

/* Calls fido_init(FIDO_DISABLE_U2F_FALLBACK) once. */
void	ctapnfc_init(void);

/* Connects to the card on `reader`, SELECTs the FIDO applet and opens it
 * as a libfido2 device (getInfo included).  KD_ERR_NOTFIDO when the card
 * has no FIDO applet, KD_ERR_REMOVED when it leaves, ... */
int	ctapnfc_open(struct pcsc_ctx *, const char *reader,
	    const struct ctapnfc_opts *, struct ctapnfc **, struct kd_err *);
void	ctapnfc_close(struct ctapnfc **);
struct fido_dev *ctapnfc_dev(const struct ctapnfc *);
const struct pcsc_card *ctapnfc_card(const struct ctapnfc *);
enum apdu_applet ctapnfc_applet(const struct ctapnfc *);
/* The transport's own error behind the last failed libfido2 call (card
 * removed, cancelled, malformed answer...): copies it into `err` and
 * returns its code, or KD_OK when the transport saw nothing wrong. */
int	ctapnfc_error(const struct ctapnfc *, struct kd_err *);
void	ctapnfc_clear_error(struct ctapnfc *);
/* Exchange counters of the card's APDU engine (tests, benchmark). */
const struct apdu_io *ctapnfc_io(const struct ctapnfc *);

/* Connects and SELECTs only (no libfido2): for the readers listing. */
int	ctapnfc_probe_applet(struct pcsc_ctx *, const char *reader,
	    enum apdu_applet *, struct kd_err *);

#endif
