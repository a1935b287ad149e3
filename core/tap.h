/* "Activate now": one tap session at the desk or kiosk.  Generates the PIN
 * for PIN verification, runs fidodev_enroll (in the caller's thread: the
 * TUI runs it in a worker), and turns the verified credential into the
 * record core/enroll and core/activate store.  A session survives Retry:
 * the PIN it generated stays the same, and a PIN already put on the card by
 * a failed attempt is used as the current PIN the next time. */
#ifndef KD_TAP_H
#define KD_TAP_H

#include "config/config.h"
#include "core/enroll.h"
#include "core/fido.h"
#include "core/kd.h"

struct kd_tap {
	/* in */
	const struct kd_config *cfg;
	const char	*path;		/* reader/key, NULL: first with a card */
	enum kd_transport transport;	/* from the chosen type: tap_want() */
	enum kd_verification verification;
	char		 user_name[256];
	char		 display_name[256];
	char		 operator_pin[64];	/* card's current PIN, if typed */
	int		 reset_first;	/* operator confirmed wiping the card */
	int		 timeout_ms;
	volatile int	 cancel;
	kd_tap_progress_fn *progress;
	void		*progress_arg;
	/* out */
	char		 pin[64];	/* PIN set on the card, "" if none */
	int		 pin_on_card;	/* a previous attempt set it */
	struct kd_credential cred;
	unsigned char	 user_handle[KD_FIDO_USER_ID_LEN];
	char		*cred_id;	/* base64url */
	char		*public_key;	/* base64url COSE */
	char		*cert;		/* base64 DER or NULL */
	struct kd_cred_record rec;
	int		 attempts;
};

/* Prepares a session (user handle, PIN when verification is PIN). */
int	tap_init(struct kd_tap *, const struct kd_config *,
	    enum kd_verification, const char *user_name,
	    const char *display_name, struct kd_err *);
/* The device must be of key type `type` (card: PC/SC, FIDO2: USB). */
void	tap_want(struct kd_tap *, enum kd_key_type);
/* One attempt.  KD_OK: tap->rec is ready to store.  Errors as
 * fidodev_enroll; the session can be tried again. */
int	tap_run(struct kd_tap *, struct kd_err *);
/* The PIN to mail, or NULL for PINless. */
const char *tap_pin(const struct kd_tap *);
/* Wipes the PIN and frees everything. */
void	tap_clear(struct kd_tap *);

#endif
