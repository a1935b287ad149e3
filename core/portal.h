/* The activation portal's core: what an emailed (or QR) link opens, the
 * code check that hands out WebAuthn challenges, and recording a verified
 * browser registration.  web/ renders; everything that decides is here.
 *
 * A GET only reads (portal_link_find).  The code is checked by a POST
 * (portal_code_check), which counts wrong codes against the link per
 * client address (core/lockout) and, on a right one, issues a fresh
 * challenge kept with the link until it expires; every challenge issued
 * stays valid until used or expired, so a mail scanner's fetch never
 * spoils the user's page.  portal_register consumes one challenge and,
 * once libfido2 verified the registration, marks the key Active through
 * the one function that does it everywhere (activate_key_commit). */
#ifndef KD_PORTAL_H
#define KD_PORTAL_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "core/activate.h"
#include "core/kd.h"
#include "core/model.h"
#include "core/store.h"
#include "core/webauthn.h"

#define PORTAL_CHALLENGE_TTL	300	/* seconds a challenge stays valid */
#define PORTAL_UV_TIMEOUT_MS	120000	/* the browser's create() timeout */

/* What a link opens: the key and its user, for the page. */
struct kd_link {
	enum kd_link_state state;
	int64_t	 activation;
	int64_t	 key;
	int64_t	 user_row;
	enum kd_key_type type;
	struct kd_key_settings settings;
	int64_t	 link_expires_at;
	char	 key_name[256];
	char	 user_id[256];
	char	 name[512];
	char	 username[256];
};

/* One sentence for the user, e.g. "This link was replaced by a newer
 * email: use the link in the most recent message." */
const char *portal_link_sentence(enum kd_link_state);
/* The HTTP status a page in that state answers with (200, 404, 410, 403). */
int	portal_link_http_status(enum kd_link_state);

/* Looks up a link token (only its SHA-256 is stored) and says what it
 * opens.  Read-only.  KD_OK with link->state set for any token, known or
 * not; KD_ERR_DB on a store failure. */
int	portal_link_find(struct kd_store *, const char *token,
	    struct kd_link *, struct kd_err *);

/* The WebAuthn creation options a right code earns. */
struct kd_portal_options {
	unsigned char	 challenge[WEBAUTHN_CHALLENGE_LEN];
	unsigned char	 user_handle[32];	/* the key's user handle */
	size_t		 user_handle_len;
	int		 require_uv;	/* userVerification "required" */
	enum kd_key_type type;		/* hints by device type */
};

/* Checks the code typed on the page of link `token`, from client address
 * `client` (lock-out key with the token).  KD_OK: `opt` filled and a new
 * challenge stored.  KD_ERR_DENIED "that code is not right" (counted),
 * KD_ERR_LOCKED "too many wrong codes: try again in N minutes",
 * KD_ERR_INVALID when the link opens nothing (link->state says why).
 * The code is accepted in any case, with or without dash or spaces. */
int	portal_code_check(struct kd_store *, const struct kd_config *,
	    const char *token, const char *code, const char *client,
	    struct kd_link *, struct kd_portal_options *, struct kd_err *);

/* Verifies a POSTed registration for link `token` (body as sent, at most
 * WEBAUTHN_BODY_MAX bytes) and, on success, makes the key Active with the
 * credential, uses up the link and its code, audits: one transaction.
 * `origin` is the origin of activation.base_url.  KD_ERR_INVALID for a
 * malformed body, KD_ERR_DENIED (wrong challenge, origin, no UV, bad
 * attestation, credential already registered) with a sentence, or with
 * link->state not OPEN when the link opens nothing. */
int	portal_register(struct kd_store *, const struct kd_config *,
	    const char *token, const char *body, size_t len,
	    const char *client, struct kd_link *, struct kd_err *);

/* The origin ("scheme://host[:port]") of a base URL; KD_ERR_INVALID if it
 * is not an http(s) URL. */
int	portal_origin(const char *base_url, char *, size_t);

#endif
