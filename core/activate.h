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
 * `activation` (0: none, e.g. the badge desk activating a pending key),
 * queues the PIN email when `pin` is set, audits: one transaction.
 * KD_ERR_INVALID if the key is no longer pending. */
int	activate_key_commit(struct kd_store *, const struct kd_config *,
	    int64_t key, int64_t activation, const struct kd_cred_record *,
	    const char *pin, const char *actor, struct kd_err *);

/* A random numeric PIN of `len` digits (at least 6) for a card. */
int	activate_pin_new(char *buf, size_t len, int digits);

#endif
