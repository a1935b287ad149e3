/* FIDO authenticators for keydesk: list readers and USB keys, enroll a
 * card or key (PIN, discoverable ES256 credential, verified by an
 * assertion), and check assertions against a stored COSE key.
 *
 * Devices are named by path: "pcsc:<reader name>" for a contactless card on
 * a PC/SC reader, the hidraw path (e.g. "/dev/hidraw3") for a USB key.
 *
 * Everything here is plain data; strings that came from a card, a reader
 * or a key may hold anything, so sanitize them (kd_sanitize) before they
 * reach a terminal.  Nothing here prints, exits or logs a PIN.
 *
 * Blocking calls (fidodev_enroll, fidodev_get_assertion) are meant for a
 * worker thread: the caller sets *cancel from the UI thread and follows
 * progress through the callback, which runs in the worker thread. */
#ifndef KD_FIDO_H
#define KD_FIDO_H

#include <stddef.h>
#include <stdint.h>

#include "core/kd.h"
#include "core/model.h"

#define KD_FIDO_USER_ID_LEN	32
#define KD_FIDO_COSE_ES256_LEN	77	/* {1:2, 3:-7, -1:1, -2:x, -3:y} */

/* ---- Listing ---- */

enum kd_dev_kind {
	KD_DEV_READER = 1,	/* PC/SC reader, with or without a card */
	KD_DEV_USB = 2,		/* USB HID FIDO2 key */
};

struct kd_dev_info {
	enum kd_dev_kind kind;
	char	*path;		/* "pcsc:<reader>" or the hidraw path */
	char	*name;		/* reader name, or "manufacturer product" */
	int	 card_present;	/* readers: a card lies on the reader */
	char	 atr_hex[67];	/* readers with a card: its ATR, else "" */
	/* What a probe found (all zero / "" / -1 without a probe). */
	int	 probed;	/* 1 when the device was asked */
	int	 fido;		/* FIDO applet answered and getInfo worked */
	char	 applet[12];	/* SELECT answer: "FIDO_2_0", "U2F_V2", "" */
	char	 aaguid_hex[33];
	char	 versions[96];	/* "FIDO_2_0,FIDO_2_1" */
	int	 pin_set;	/* 1 PIN set, 0 no PIN, -1 no clientPin */
	int	 min_pin_len;	/* getInfo minPINLength (4 if unsaid) */
	int64_t	 rk_remaining;	/* free discoverable slots, -1 unknown */
	int	 can_force_pin_change;	/* authnrCfg + setMinPINLength */
	int	 probe_status;	/* KD_OK or the KD_ERR_* of the probe */
	char	 probe_error[512];	/* why the probe failed */
};

struct kd_dev_list {
	int	 pcsc_ok;	/* pcscd answered */
	char	 pcsc_msg[640];	/* otherwise: why, and what to start/install */
	size_t	 n;
	struct kd_dev_info *dev;	/* readers first, then USB keys */
};

/* All readers (with or without a card) and all USB FIDO keys.  With
 * `probe`, every card on a reader and every USB key is asked for its
 * getInfo (a card is SELECTed only; nothing is changed on it).  pcscd not
 * running is not an error: list->pcsc_ok is 0 and pcsc_msg says why. */
int	fidodev_list(struct kd_dev_list **, int probe, struct kd_err *);
void	fidodev_list_free(struct kd_dev_list **);

/* ---- Enrolling ---- */

enum kd_tap_state {
	KD_TAP_WAIT_READER = 0,	/* no reader attached: "Plug in the reader" */
	KD_TAP_WAIT_CARD,	/* "Tap the card on the reader" */
	KD_TAP_CARD_PRESENT,	/* card seen; opening it */
	KD_TAP_WORKING,		/* PIN and credential: spinner */
	KD_TAP_TOUCH,		/* "Touch your security key" */
	KD_TAP_VERIFYING,	/* checking the new credential */
	KD_TAP_DONE,
};

/* Called from the thread running the operation; keep it short (post the
 * state to the UI).  `device` is the reader name or key path, or NULL. */
typedef void kd_tap_progress_fn(void *arg, enum kd_tap_state,
    const char *device);

const char *fidodev_tap_state_name(enum kd_tap_state);	/* "wait-card" */

/* Where the chosen device type must be found: a contactless card on a
 * PC/SC reader, a FIDO2 key on USB HID, or either (operators, tests). */
enum kd_transport {
	KD_TRANSPORT_ANY = 0,
	KD_TRANSPORT_PCSC,
	KD_TRANSPORT_USB,
};

struct kd_enroll_req {
	/* "pcsc:<reader>", "pcsc:" (any reader), a hidraw path, or NULL:
	 * the first reader with a card, else the first USB key, else wait for
	 * a card on any reader. */
	const char	*path;
	/* A device found on the other transport is refused (KD_ERR_WRONGDEV,
	 * the message says what it is) before anything is written to it. */
	enum kd_transport transport;
	const char	*rp_id;
	const char	*rp_name;
	unsigned char	 user_id[KD_FIDO_USER_ID_LEN];	/* random, stored */
	const char	*user_name;
	const char	*display_name;
	enum kd_verification verification;	/* PIN or PINless */
	/* PIN verification: the PIN to put on the card (digits; it must meet
	 * the card's minPINLength).  With a card that already has a PIN and
	 * current_pin given, the PIN is changed to new_pin (so the mailed PIN
	 * is the card's PIN); NULL keeps the current one. */
	const char	*new_pin;
	/* The card's present PIN, typed by the operator, or (on a Retry after
	 * a failure with cred->pin_set) the new_pin of the failed attempt. */
	const char	*current_pin;
	int		 reset_first;	/* operator confirmed wiping the card */
	int		 force_pin_change;	/* where the card supports it */
	int		 timeout_ms;	/* for the card to appear; 0: 60 s */
	int		 touch_timeout_ms;	/* USB key touch; 0: 30 s */
	volatile int	*cancel;	/* set non-zero to stop (Esc) */
	kd_tap_progress_fn *progress;
	void		*progress_arg;
};

struct kd_credential {
	unsigned char	*id;		/* credential ID */
	size_t		 id_len;
	unsigned char	 cose_pk[KD_FIDO_COSE_ES256_LEN];	/* COSE_Key */
	size_t		 cose_pk_len;
	unsigned char	 pk[65];	/* 04 ‖ x ‖ y (uncompressed P-256) */
	unsigned char	 aaguid[16];
	char		 aaguid_hex[33];
	char		 fmt[32];	/* attestation format: "packed", ... */
	unsigned char	*x5c;		/* attestation certificate (DER) or */
	size_t		 x5c_len;	/* NULL/0 for self attestation */
	char		*info_json;	/* {"versions":[..],"pin_set":..,...} */
	char		*device;	/* path actually used */
	uint32_t	 sign_count;
	int		 uv;		/* made and verified with the PIN */
	int		 pin_forced;	/* the card will ask for a new PIN */
	/* Filled even when fidodev_enroll fails: pin_set is 1 when keydesk
	 * set or changed the card's PIN to new_pin before the failure (a
	 * Retry then passes new_pin as current_pin); reset is 1 when the card
	 * was wiped (a Retry need not wipe it again). */
	int		 pin_set;
	int		 reset;
};

/* Waits (bounded) for the card, opens it, handles the PIN as the request
 * says, makes a discoverable ES256 credential (rk, UV with the PIN for PIN
 * verification, no UV for PINless), checks it with a getAssertion on the
 * same card verified against the new public key, then forces a PIN change
 * where asked and supported.  KD_OK only when the assertion verified.
 * Errors: KD_ERR_TIMEOUT, KD_ERR_CANCELLED, KD_ERR_REMOVED, KD_ERR_NODEV,
 * KD_ERR_NOTFIDO, KD_ERR_HAS_PIN (card has a PIN, no current_pin, no
 * reset_first), KD_ERR_PIN (wrong PIN with tries left, blocked, too
 * short), KD_ERR_FULL, KD_ERR_DENIED, KD_ERR_DEVICE, KD_ERR_INVALID. */
int	fidodev_enroll(const struct kd_enroll_req *, struct kd_credential *,
	    struct kd_err *);
void	fidodev_credential_clear(struct kd_credential *);

/* ---- Assertions ---- */

struct kd_assert_req {
	const char	*path;		/* as kd_enroll_req.path */
	const char	*rp_id;
	const unsigned char *cred_id;	/* allow list of one; NULL: any */
	size_t		 cred_id_len;	/* discoverable credential */
	const char	*pin;		/* NULL: no UV */
	int		 timeout_ms;
	int		 touch_timeout_ms;
	volatile int	*cancel;
	kd_tap_progress_fn *progress;
	void		*progress_arg;
};

/* One assertion as the authenticator gave it: enough to check it later. */
struct kd_assertion {
	unsigned char	 cdh[32];	/* client data hash we sent */
	unsigned char	*authdata;	/* raw authenticator data */
	size_t		 authdata_len;
	unsigned char	*sig;		/* DER ECDSA signature */
	size_t		 sig_len;
	unsigned char	*cred_id;
	size_t		 cred_id_len;
	unsigned char	*user_id;	/* discoverable credentials only */
	size_t		 user_id_len;
	uint8_t		 flags;		/* UP 0x01, UV 0x04 */
	uint32_t	 sign_count;
};

int	fidodev_get_assertion(const struct kd_assert_req *,
	    struct kd_assertion *, struct kd_err *);
void	fidodev_assertion_clear(struct kd_assertion *);

/* Checks an assertion against a stored COSE ES256 public key: rpIdHash,
 * UP (and UV when require_uv), and the signature (fido_assert_verify).
 * KD_ERR_DENIED "the signature does not match the stored key" on a bad
 * signature or a tampered key; KD_ERR_INVALID for an unusable COSE key. */
int	fidodev_assertion_check(const struct kd_assertion *, const char *rp_id,
	    const unsigned char *cose, size_t cose_len, int require_uv,
	    struct kd_err *);

/* Sign-in: get an assertion from the device and check it against the
 * stored key (an operator tapping their card).  `out` (may be NULL)
 * receives the checked assertion: user handle, sign count, flags. */
int	fidodev_verify_assertion(const struct kd_assert_req *,
	    const unsigned char *cose, size_t cose_len, int require_uv,
	    struct kd_assertion *out, struct kd_err *);

/* ---- COSE keys ---- */

/* x, y (32 bytes each) → the 77-byte COSE_Key (EC2, P-256, ES256). */
void	fidodev_cose_es256_encode(const unsigned char x[32],
	    const unsigned char y[32],
	    unsigned char out[KD_FIDO_COSE_ES256_LEN]);
/* A COSE_Key → x, y.  Only EC2 / P-256 / ES256; any other key, a short or
 * malformed encoding, or trailing bytes is KD_ERR_INVALID. */
int	fidodev_cose_es256_decode(const unsigned char *, size_t,
	    unsigned char x[32], unsigned char y[32], struct kd_err *);

#endif
