/* PC/SC readers through libpcsclite: listing, waiting for a card, one
 * connection per card, transactions, and APDU exchange with the PC/SC
 * errors turned into keydesk's status codes and plain messages. */
#include "core/pcsc.h"

#include <winscard.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WAIT_SLICE_MS	100	/* how often a wait looks at *cancel */
#define MAX_READERS	16
#define PNP_READER	"\\\\?PnP?\\Notification"
#define GONE_SETTLE_MS	1500	/* pcscd polls readers every 400 ms or so */

struct pcsc_ctx {
	SCARDCONTEXT	 ctx;
};

struct pcsc_card {
	SCARDHANDLE	 h;
	SCARDCONTEXT	 ctx;
	DWORD		 proto;
	int		 in_txn;
	DWORD		 events;	/* reader's event counter at connect */
	char		*reader;
	uint8_t		 atr[MAX_ATR_SIZE];
	size_t		 atr_len;
};

static atomic_uint_fast64_t stat_ns;
static atomic_uint_fast64_t stat_n;
static atomic_uint_fast64_t stat_other_ns;

static uint64_t mono_ns(void);

static const char msg_no_service[] = "pcscd is not running (start it: "
    "pcscd, or systemctl start pcscd.socket)";
static const char msg_no_reader[] = "no card reader found (is pcscd "
    "running and the reader plugged in?)";
static const char msg_removed[] = "card removed from the reader";

/* PC/SC status → keydesk status and a message a desk operator can act on. */
static int
pcsc_err(LONG rv, const char *what, struct kd_err *err)
{
	switch (rv) {
	case SCARD_E_NO_SERVICE:
	case SCARD_E_SERVICE_STOPPED:
		return kd_err_set(err, KD_ERR_NODEV, "%s", msg_no_service);
	case SCARD_E_NO_READERS_AVAILABLE:
		return kd_err_set(err, KD_ERR_NODEV, "%s", msg_no_reader);
	case SCARD_E_UNKNOWN_READER:
	case SCARD_E_READER_UNAVAILABLE:
		return kd_err_set(err, KD_ERR_NODEV,
		    "the card reader is gone (unplugged?)");
	case SCARD_W_REMOVED_CARD:
	case SCARD_W_RESET_CARD:
	case SCARD_E_NO_SMARTCARD:
		return kd_err_set(err, KD_ERR_REMOVED, "%s", msg_removed);
	case SCARD_W_UNRESPONSIVE_CARD:
	case SCARD_W_UNPOWERED_CARD:
		return kd_err_set(err, KD_ERR_DEVICE, "the card does not "
		    "answer (hold it flat and still on the reader)");
	case SCARD_E_SHARING_VIOLATION:
		return kd_err_set(err, KD_ERR_DEVICE,
		    "another program is using the card reader");
	case SCARD_E_TIMEOUT:
		return kd_err_set(err, KD_ERR_TIMEOUT, "timed out");
	case SCARD_E_CANCELLED:
		return kd_err_set(err, KD_ERR_CANCELLED, "cancelled");
	case SCARD_E_NO_MEMORY:
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	}
	return kd_err_set(err, KD_ERR_DEVICE, "card reader error while %s: %s "
	    "(0x%08lx)", what, pcsc_stringify_error(rv), (unsigned long)rv);
}

int
pcsc_no_reader_err(struct kd_err *err)
{
	return kd_err_set(err, KD_ERR_NODEV, "%s", msg_no_reader);
}

int
pcsc_ctx_new(struct pcsc_ctx **out, struct kd_err *err)
{
	struct pcsc_ctx *c;
	LONG rv;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	if ((rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL,
	    &c->ctx)) != SCARD_S_SUCCESS) {
		free(c);
		return pcsc_err(rv, "connecting to pcscd", err);
	}
	*out = c;
	return KD_OK;
}

void
pcsc_ctx_free(struct pcsc_ctx **cp)
{
	struct pcsc_ctx *c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	SCardReleaseContext(c->ctx);
	free(c);
	*cp = NULL;
}

void
pcsc_ctx_cancel(struct pcsc_ctx *c)
{
	if (c != NULL)
		SCardCancel(c->ctx);
}

/* The reader names, as a multi-string pcscd allocated (SCardFreeMemory),
 * NULL with KD_OK when there is no reader. */
static int
list_names(struct pcsc_ctx *c, char **names, struct kd_err *err)
{
	DWORD len = SCARD_AUTOALLOCATE;
	LONG rv;

	*names = NULL;
	rv = SCardListReaders(c->ctx, NULL, (LPSTR)names, &len);
	if (rv == SCARD_E_NO_READERS_AVAILABLE) {
		*names = NULL;
		return KD_OK;
	}
	if (rv != SCARD_S_SUCCESS) {
		*names = NULL;
		return pcsc_err(rv, "listing readers", err);
	}
	/* a multi-string ends in two NULs; anything else is not ours to walk */
	if (*names == NULL || len < 2 || (*names)[len - 1] != '\0' ||
	    (*names)[len - 2] != '\0') {
		if (*names != NULL)
			SCardFreeMemory(c->ctx, *names);
		*names = NULL;
		return kd_err_set(err, KD_ERR_DEVICE,
		    "pcscd gave a malformed reader list");
	}
	return KD_OK;
}

static void
reader_from_state(struct pcsc_reader *r, const SCARD_READERSTATE *st)
{
	r->present = (st->dwEventState & SCARD_STATE_PRESENT) != 0 &&
	    (st->dwEventState & SCARD_STATE_MUTE) == 0;
	r->mute = (st->dwEventState & SCARD_STATE_MUTE) != 0;
	r->exclusive = (st->dwEventState & SCARD_STATE_EXCLUSIVE) != 0;
	r->atr_len = 0;
	if (r->present && st->cbAtr <= sizeof(r->atr)) {
		memcpy(r->atr, st->rgbAtr, st->cbAtr);
		r->atr_len = st->cbAtr;
	}
}

/* Current state of up to MAX_READERS readers from a multi-string. */
static int
query_states(struct pcsc_ctx *c, const char *names, SCARD_READERSTATE *st,
    size_t *n, struct kd_err *err)
{
	LONG rv;

	*n = 0;
	for (const char *p = names; p != NULL && *p != '\0' &&
	    *n < MAX_READERS; p += strlen(p) + 1) {
		memset(&st[*n], 0, sizeof(st[*n]));
		st[*n].szReader = p;
		st[*n].dwCurrentState = SCARD_STATE_UNAWARE;
		(*n)++;
	}
	if (*n == 0)
		return KD_OK;
	rv = SCardGetStatusChange(c->ctx, 0, st, (DWORD)*n);
	if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT)
		return pcsc_err(rv, "reading the reader state", err);
	return KD_OK;
}

int
pcsc_readers(struct pcsc_ctx *c, struct pcsc_reader **out, size_t *nout,
    struct kd_err *err)
{
	SCARD_READERSTATE st[MAX_READERS];
	struct pcsc_reader *r = NULL;
	char *names = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*nout = 0;
	if ((rc = list_names(c, &names, err)) != KD_OK ||
	    (rc = query_states(c, names, st, &n, err)) != KD_OK || n == 0)
		goto fail;
	if ((r = calloc(n, sizeof(*r))) == NULL) {
		rc = kd_err_set(err, KD_ERR_NOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if ((r[i].name = kd_strdup(st[i].szReader)) == NULL) {
			pcsc_readers_free(&r, i);
			rc = kd_err_set(err, KD_ERR_NOMEM, "out of memory");
			goto fail;
		}
		reader_from_state(&r[i], &st[i]);
	}
	*out = r;
	*nout = n;
	rc = KD_OK;
fail:
	if (names != NULL)
		SCardFreeMemory(c->ctx, names);
	return rc;
}

void
pcsc_readers_free(struct pcsc_reader **rp, size_t n)
{
	if (rp == NULL || *rp == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free((*rp)[i].name);
	free(*rp);
	*rp = NULL;
}

/* Which of the readers in `st` satisfies the wait, or -1. */
static int
wait_match(const SCARD_READERSTATE *st, size_t n, const char *reader,
    int present)
{
	for (size_t i = 0; i < n; i++) {
		int has = (st[i].dwEventState & SCARD_STATE_PRESENT) != 0 &&
		    (st[i].dwEventState & SCARD_STATE_MUTE) == 0;

		if (reader != NULL && strcmp(st[i].szReader, reader) != 0)
			continue;
		if (has == (present != 0))
			return (int)i;
	}
	return -1;
}

/* One slice of a wait: look once, then sleep on "something changed"
 * (a card, or a reader coming or going) for at most `ms`. */
static int
wait_slice(struct pcsc_ctx *c, const char *reader, int present, int ms,
    char **found, size_t *nreaders, struct kd_err *err)
{
	SCARD_READERSTATE st[MAX_READERS + 1];
	char *names = NULL;
	size_t n;
	int rc, i;
	LONG rv;

	if ((rc = list_names(c, &names, err)) != KD_OK ||
	    (rc = query_states(c, names, st, &n, err)) != KD_OK)
		goto out;
	*nreaders = n;
	/* "Card gone" from a reader that vanished counts as gone. */
	if (!present && reader != NULL && wait_match(st, n, reader, 1) < 0) {
		rc = KD_OK;
		goto out;
	}
	if ((i = wait_match(st, n, reader, present)) >= 0) {
		if (found != NULL && (*found = kd_strdup(st[i].szReader)) ==
		    NULL)
			rc = kd_err_set(err, KD_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < n; k++)
		st[k].dwCurrentState = st[k].dwEventState;
	memset(&st[n], 0, sizeof(st[n]));
	st[n].szReader = PNP_READER;
	st[n].dwCurrentState = (DWORD)(n << 16);	/* reader count */
	rv = SCardGetStatusChange(c->ctx, (DWORD)ms, st, (DWORD)n + 1);
	if (rv == SCARD_E_TIMEOUT || rv == SCARD_S_SUCCESS ||
	    rv == SCARD_E_UNKNOWN_READER)	/* a reader left: look again */
		rc = KD_ERR_TIMEOUT;
	else
		rc = pcsc_err(rv, "waiting for a card", err);
out:
	if (names != NULL)
		SCardFreeMemory(c->ctx, names);
	return rc;
}

int
pcsc_wait(struct pcsc_ctx *c, const char *reader, int present,
    int timeout_ms, volatile int *cancel, pcsc_wait_fn *cb, void *arg,
    char **found, struct kd_err *err)
{
	int64_t end = kd_mono_ms() + (timeout_ms < 0 ? 0 : timeout_ms), left;
	size_t nreaders = 0, seen = (size_t)-1;
	int rc, slice;

	if (found != NULL)
		*found = NULL;
	for (;;) {
		if (cancel != NULL && *cancel)
			return kd_err_set(err, KD_ERR_CANCELLED, "cancelled");
		left = end - kd_mono_ms();
		slice = WAIT_SLICE_MS;
		if (timeout_ms >= 0 && left < slice)
			slice = left > 0 ? (int)left : 0;
		rc = wait_slice(c, reader, present, slice, found, &nreaders,
		    err);
		if (rc != KD_ERR_TIMEOUT)
			return rc;
		if (cb != NULL && nreaders != seen)
			cb(arg, nreaders, reader);
		seen = nreaders;
		if (timeout_ms >= 0 && kd_mono_ms() >= end)
			return kd_err_set(err, KD_ERR_TIMEOUT,
			    "%s after %.*f s",
			    present ? "no card on the reader" :
			    "the card is still on the reader",
			    timeout_ms % 1000 ? 1 : 0, timeout_ms / 1000.0);
	}
}

/* The reader's state word now (0 when pcscd cannot say). */
static DWORD
reader_state(SCARDCONTEXT ctx, const char *reader)
{
	SCARD_READERSTATE st;

	memset(&st, 0, sizeof(st));
	st.szReader = reader;
	st.dwCurrentState = SCARD_STATE_UNAWARE;
	if (SCardGetStatusChange(ctx, 0, &st, 1) != SCARD_S_SUCCESS)
		return 0;
	return st.dwEventState;
}

int
pcsc_card_connect(struct pcsc_ctx *c, const char *reader,
    struct pcsc_card **out, struct kd_err *err)
{
	struct pcsc_card *k;
	DWORD rlen = 0, state = 0, alen = MAX_ATR_SIZE;
	uint64_t t0;
	LONG rv;
	int rc;

	*out = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL ||
	    (k->reader = kd_strdup(reader)) == NULL) {
		free(k);
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	}
	k->ctx = c->ctx;
	t0 = mono_ns();
	rv = SCardConnect(c->ctx, reader, SCARD_SHARE_SHARED,
	    SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0, &k->h, &k->proto);
	if (rv != SCARD_S_SUCCESS) {
		atomic_fetch_add(&stat_other_ns, mono_ns() - t0);
		rc = pcsc_err(rv, "connecting to the card", err);
		free(k->reader);
		free(k);
		return rc;
	}
	if (SCardStatus(k->h, NULL, &rlen, &state, &k->proto, k->atr,
	    &alen) == SCARD_S_SUCCESS && alen <= sizeof(k->atr))
		k->atr_len = alen;
	k->events = reader_state(c->ctx, reader) & 0xffff0000u;
	atomic_fetch_add(&stat_other_ns, mono_ns() - t0);
	*out = k;
	return KD_OK;
}

void
pcsc_card_free(struct pcsc_card **kp)
{
	struct pcsc_card *k;
	uint64_t t0;

	if (kp == NULL || (k = *kp) == NULL)
		return;
	pcsc_card_end(k);
	t0 = mono_ns();
	SCardDisconnect(k->h, SCARD_LEAVE_CARD);
	atomic_fetch_add(&stat_other_ns, mono_ns() - t0);
	free(k->reader);
	free(k);
	*kp = NULL;
}

const char *
pcsc_card_reader(const struct pcsc_card *k)
{
	return k->reader;
}

const uint8_t *
pcsc_card_atr(const struct pcsc_card *k, size_t *len)
{
	*len = k->atr_len;
	return k->atr;
}

int
pcsc_card_begin(struct pcsc_card *k, struct kd_err *err)
{
	uint64_t t0;
	LONG rv;

	if (k->in_txn)
		return KD_OK;
	t0 = mono_ns();
	rv = SCardBeginTransaction(k->h);
	atomic_fetch_add(&stat_other_ns, mono_ns() - t0);
	if (rv != SCARD_S_SUCCESS)
		return pcsc_err(rv, "starting a card transaction", err);
	k->in_txn = 1;
	return KD_OK;
}

void
pcsc_card_end(struct pcsc_card *k)
{
	uint64_t t0;

	if (k != NULL && k->in_txn) {
		t0 = mono_ns();
		SCardEndTransaction(k->h, SCARD_LEAVE_CARD);
		atomic_fetch_add(&stat_other_ns, mono_ns() - t0);
		k->in_txn = 0;
	}
}

/* After a failed or empty transmit: is our card still there?  pcscd
 * reports a pulled card in several ways depending on the reader driver
 * (removed, not transacted, an empty answer from vpcd) and notices it only
 * at its next poll of the reader.  The reader's event counter (high 16 bits
 * of the state) moves on every removal and insertion, so a card swapped for
 * another one counts as gone too.  Waits up to GONE_SETTLE_MS. */
static int
card_gone(struct pcsc_card *k)
{
	SCARD_READERSTATE st;
	LONG rv;

	memset(&st, 0, sizeof(st));
	st.szReader = k->reader;
	st.dwCurrentState = SCARD_STATE_UNAWARE;
	if (SCardGetStatusChange(k->ctx, 0, &st, 1) != SCARD_S_SUCCESS)
		return 1;
	if ((st.dwEventState & SCARD_STATE_PRESENT) == 0 ||
	    (st.dwEventState & 0xffff0000u) != k->events)
		return 1;
	st.dwCurrentState = st.dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
	rv = SCardGetStatusChange(k->ctx, GONE_SETTLE_MS, &st, 1);
	if (rv == SCARD_E_TIMEOUT)
		return 0;
	return rv != SCARD_S_SUCCESS ||
	    (st.dwEventState & SCARD_STATE_PRESENT) == 0 ||
	    (st.dwEventState & 0xffff0000u) != k->events;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
pcsc_card_xchg(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
    size_t *resp_len, struct kd_err *err)
{
	struct pcsc_card *k = ctx;
	const SCARD_IO_REQUEST *pci;
	DWORD rlen;
	uint64_t t0;
	LONG rv;

	pci = k->proto == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
	rlen = *resp_len > APDU_RESP_MAX ? APDU_RESP_MAX : (DWORD)*resp_len;
	t0 = mono_ns();
	rv = SCardTransmit(k->h, pci, cmd, (DWORD)cmd_len, NULL, resp, &rlen);
	atomic_fetch_add(&stat_ns, mono_ns() - t0);
	atomic_fetch_add(&stat_n, 1);
	if (rv != SCARD_S_SUCCESS) {
		*resp_len = 0;
		if (rv != SCARD_E_INSUFFICIENT_BUFFER && card_gone(k))
			return kd_err_set(err, KD_ERR_REMOVED, "%s",
			    msg_removed);
		return pcsc_err(rv, "talking to the card", err);
	}
	/* vpcd answers an empty response when the card leaves mid-command;
	 * pcscd may not have seen it go yet (it polls), or may already have
	 * seen it come back.  No answer at all is a card that left the field
	 * either way: the operator's fix is the same, tap again. */
	if (rlen == 0 || (rlen < 2 && card_gone(k))) {
		*resp_len = 0;
		return kd_err_set(err, KD_ERR_REMOVED, "%s", msg_removed);
	}
	*resp_len = rlen;
	return KD_OK;
}

void
pcsc_stats_get(struct pcsc_stats *s)
{
	s->transmit_ns = atomic_load(&stat_ns);
	s->transmits = atomic_load(&stat_n);
	s->other_ns = atomic_load(&stat_other_ns);
}

void
pcsc_stats_reset(void)
{
	atomic_store(&stat_ns, 0);
	atomic_store(&stat_n, 0);
	atomic_store(&stat_other_ns, 0);
}
