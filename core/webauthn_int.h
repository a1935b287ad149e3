/* Inside core/webauthn: what the JSON, CBOR, registration and assertion
 * halves share.  Not for use outside core/webauthn*.c. */
#ifndef KD_WEBAUTHN_INT_H
#define KD_WEBAUTHN_INT_H

#include "core/webauthn.h"

/* What clientDataJSON says (WebAuthn § 5.8.1). */
struct wa_client {
	char		 type[32];
	unsigned char	 challenge[WEBAUTHN_CHALLENGE_LEN];
	size_t		 challenge_len;
	char		 origin[256];
	int		 cross_origin;
};

/* Parses clientDataJSON (jansson).  KD_ERR_INVALID when malformed. */
int	wa_client_parse(const unsigned char *, size_t, struct wa_client *,
	    struct kd_err *);

/* type == want_type, origin == expect->origin, crossOrigin false.
 * KD_ERR_DENIED with a sentence for the user. */
int	wa_client_check(const char *type, const char *origin, int cross_origin,
	    const char *want_type, const struct kd_webauthn_expect *,
	    struct kd_err *);

/* rpIdHash == SHA-256(rp_id), UP, and UV when required: the checks every
 * response needs, done by hand so each failure has its own sentence. */
int	wa_authdata_check(const struct kd_webauthn_authdata *,
	    const struct kd_webauthn_expect *, struct kd_err *);

/* Authenticator extension outputs in authData (CTAP 2.1 § 12), the ones
 * libfido2 decodes: fido_cred_verify wants them requested, so a
 * registration the browser asked them for is verified by asking the same. */
struct wa_ext {
	int		 hmac_secret;	/* "hmac-secret": true */
	int		 cred_blob;	/* "credBlob": true */
	int		 prot;		/* "credProtect": 1..3, 0 absent */
	uint64_t	 min_pin_len;	/* "minPinLength", 0 absent */
};

/* -1 when the extensions are not a map of text keys. */
int	wa_ext_parse(const unsigned char *, size_t, struct wa_ext *);

/* The length of the one CBOR item at the start of p: definite lengths
 * only, nesting at most WA_CBOR_DEPTH, every declared length within the
 * n bytes.  -1 when there is no such item.  Run before libcbor so a
 * hostile header never makes it allocate (an array "of 2^31 items") or
 * recurse without bound. */
#define WA_CBOR_DEPTH	16
int	wa_cbor_item_len(const unsigned char *p, size_t n, size_t *used);

#endif
