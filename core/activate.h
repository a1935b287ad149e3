/* Activating pending keys: with a code typed at a kiosk (rate-limited,
 * audited), and recording a verified credential for a pending key.  The
 * hardware work (core/fido) happens between the two, outside any
 * transaction. */
#ifndef KD_ACTIVATE_H
#define KD_ACTIVATE_H

#include <stdint.h>

#include "config/config.h"
#include "core/enroll.h"
#include "core/kd.h"
#include "core/store.h"

#define ACTIVATE_MAX_FAILURES	5	/* wrong codes before a lock-out */
#define ACTIVATE_LOCK_SECONDS	30	/* first lock-out; doubles each time */

/* What a link or a code opens, or why it opens nothing.  The portal's
 * pages and the kiosk say the same thing in their own words
 * (activate_state_sentence). */
enum kd_link_state {
	KD_LINK_OPEN = 0,	/* pending key, in date */
	KD_LINK_UNKNOWN,	/* no such link or code (mistyped, never sent) */
	KD_LINK_EXPIRED,	/* its lifetime passed */
	KD_LINK_USED,		/* it activated its key */
	KD_LINK_REPLACED,	/* a newer email replaced it (resend) */
	KD_LINK_REVOKED,	/* the key was revoked */
	KD_LINK_ACTIVE,		/* the key is already active another way */
	KD_LINK_CLOSED,		/* closed otherwise */
	KD_LINK_DISABLED,	/* the user is disabled */
};

/* The state of an activation found by link (`code` 0: the link's
 * lifetime counts) or by code (1: the code's). */
enum kd_link_state activate_state(const struct kd_activation_row *, int code);
/* One sentence for the user: for a page (`code` 0, capitalised, with
 * what to do) or for a kiosk's inline error (1, short, lower case). */
const char *activate_state_sentence(enum kd_link_state, int code);

/* What a valid code opens: a pending key and its user. */
struct kd_redeem {
	int64_t	 activation;
	int64_t	 key;
	int64_t	 user_row;
	enum kd_key_type type;
	struct kd_key_settings settings;
	char	 key_name[256];
	char	 user_id[256];
	char	 name[512];
	char	 email[512];
	char	 username[256];
};

/* Checks a code typed at kiosk `kiosk`.  Wrong, used or expired codes
 * count towards the kiosk's lock-out; every attempt is audited (never the
 * code).  KD_ERR_LOCKED (message says for how long), KD_ERR_DENIED for a
 * code that opens nothing, KD_ERR_EXPIRED, KD_OK with `out` filled. */
int	activate_check_code(struct kd_store *, const char *kiosk,
	    const char *code, const char *actor, struct kd_redeem *,
	    struct kd_err *);
/* Seconds the kiosk is still locked (0 if not). */
int64_t	activate_locked_for(struct kd_store *, const char *kiosk);

/* Makes pending key `key` active with the verified credential, uses up
 * `activation` (0: none, e.g. the badge desk activating a pending key; it
 * must still be open, else KD_ERR_INVALID), closes the key's other links,
 * queues the PIN email when `pin` is set, audits: one transaction.
 * KD_ERR_INVALID if the key is no longer pending. */
int	activate_key_commit(struct kd_store *, const struct kd_config *,
	    int64_t key, int64_t activation, const struct kd_cred_record *,
	    const char *pin, const char *actor, struct kd_err *);

/* The one place a pending key becomes Active, whoever activates it (tap
 * at the desk, kiosk code, portal): records the credential inside the
 * caller's transaction.  KD_ERR_INVALID if the key is no longer pending. */
int	activate_key_mark(struct kd_store *, int64_t key,
	    const struct kd_cred_record *, const char *actor, struct kd_err *);

/* Issues a link and code for pending key `key` outside mail (the QR code
 * on a screen, `keydesk key qr`): one transaction, audited.  Mailed links
 * stay open beside it; a resend or the key's activation closes it.
 * `link_expires` (may be NULL) gets the link's expiry. */
int	activate_link_issue(struct kd_store *, const struct kd_config *,
	    int64_t key, const char *actor, struct kd_activation_secret *,
	    int64_t *link_expires, struct kd_err *);

/* Key `key`'s status now (pending past its expiry reads EXPIRED): for a
 * screen waiting for another process (the portal) to activate it.  One
 * indexed read. */
int	activate_key_status(struct kd_store *, int64_t key,
	    enum kd_key_status *, struct kd_err *);

/* A random numeric PIN of `len` digits (at least 6) for a card. */
int	activate_pin_new(char *buf, size_t len, int digits);

#endif
