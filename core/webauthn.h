/* WebAuthn in a browser, verified in C: the registration a page POSTs
 * (navigator.credentials.create) and, for checks, an assertion
 * (navigator.credentials.get).  JSON with jansson, the attestation object
 * with libcbor, signatures with libfido2.  Nothing here touches the store:
 * the caller looks up the challenge and records the credential.
 *
 * Everything in a request is hostile until verified; nothing here prints
 * or logs. */
#ifndef KD_WEBAUTHN_H
#define KD_WEBAUTHN_H

#include <stddef.h>
#include <stdint.h>

#include "core/kd.h"

#define WEBAUTHN_BODY_MAX	65536	/* bytes of a POSTed JSON body */
#define WEBAUTHN_CHALLENGE_LEN	32
#define WEBAUTHN_CRED_ID_MAX	1023	/* WebAuthn § 5.1: at most 1023 bytes */

/* authenticator data flags (WebAuthn § 6.1) */
#define WEBAUTHN_FLAG_UP	0x01	/* user present (touch) */
#define WEBAUTHN_FLAG_UV	0x04	/* user verified (PIN, biometric) */
#define WEBAUTHN_FLAG_BE	0x08	/* backup eligible (synced passkey) */
#define WEBAUTHN_FLAG_BS	0x10	/* backed up */
#define WEBAUTHN_FLAG_AT	0x40	/* attested credential data follows */
#define WEBAUTHN_FLAG_ED	0x80	/* extensions follow */

/* A registration as POSTed by the page: base64url fields decoded. */
struct kd_webauthn_reg {
	unsigned char	*id;		/* credential ID (rawId) */
	size_t		 id_len;
	unsigned char	*att_obj;	/* attestationObject (CBOR) */
	size_t		 att_obj_len;
	unsigned char	*cdj;		/* clientDataJSON, as signed */
	size_t		 cdj_len;
	char		 transports[64];	/* "usb,nfc": a hint, unchecked */
	/* From clientDataJSON, parsed by webauthn_reg_parse: */
	char		 type[32];	/* "webauthn.create" */
	unsigned char	 challenge[WEBAUTHN_CHALLENGE_LEN];
	size_t		 challenge_len;	/* as decoded; 32 when well formed */
	char		 origin[256];
	int		 cross_origin;	/* crossOrigin true */
};

/* The attestation object split (libcbor): fmt, authData, attStmt. */
struct kd_webauthn_att {
	char		 fmt[32];
	unsigned char	*authdata;	/* raw authenticator data */
	size_t		 authdata_len;
	unsigned char	*attstmt;	/* attStmt re-encoded as CBOR */
	size_t		 attstmt_len;
};

/* What a verified registration yields, ready to store. */
struct kd_webauthn_cred {
	unsigned char	*id;		/* credential ID */
	size_t		 id_len;
	unsigned char	 cose_pk[77];	/* COSE_Key, ES256 */
	size_t		 cose_pk_len;
	unsigned char	 aaguid[16];
	char		 aaguid_hex[33];
	char		 fmt[32];	/* "packed", "none", "fido-u2f", ... */
	unsigned char	*x5c;		/* attestation certificate (DER) */
	size_t		 x5c_len;	/* or NULL/0 */
	uint32_t	 sign_count;
	uint8_t		 flags;		/* UP 0x01, UV 0x04, AT 0x40 */
	int		 uv;
	char		 transports[64];
};

/* What the server expects of every response. */
struct kd_webauthn_expect {
	const char	*rp_id;		/* relying_party.id */
	const char	*origin;	/* "https://host[:port]" of base_url */
	int		 require_uv;	/* the key's policy needs verification */
};

/* Parses a POSTed body {"id","rawId","type","response":{
 * "attestationObject","clientDataJSON","transports"}} (rawId wins over
 * id; fields may also sit at the top level) and its clientDataJSON.
 * KD_ERR_INVALID with a short reason for anything malformed. */
int	webauthn_reg_parse(const char *body, size_t len,
	    struct kd_webauthn_reg *, struct kd_err *);
void	webauthn_reg_clear(struct kd_webauthn_reg *);

/* Splits a CBOR attestation object.  KD_ERR_INVALID when malformed. */
int	webauthn_att_split(const unsigned char *, size_t,
	    struct kd_webauthn_att *, struct kd_err *);
void	webauthn_att_clear(struct kd_webauthn_att *);

/* Authenticator data (WebAuthn § 6.1) taken apart, pointers into the
 * bytes parsed (nothing to free).  cred_id, cose_pk only with AT, ext only
 * with ED; each CBOR part is checked to be exactly one well-formed item, so
 * libfido2 is never handed more or less than it expects. */
struct kd_webauthn_authdata {
	unsigned char	 rp_id_hash[32];
	uint8_t		 flags;		/* WEBAUTHN_FLAG_* */
	uint32_t	 sign_count;
	unsigned char	 aaguid[16];	/* AT; else zero */
	const unsigned char *cred_id;
	size_t		 cred_id_len;
	const unsigned char *cose_pk;	/* credential public key (COSE_Key) */
	size_t		 cose_pk_len;
	const unsigned char *ext;	/* extensions map (CBOR) */
	size_t		 ext_len;
};

/* KD_ERR_INVALID when short, with trailing bytes, or with malformed CBOR. */
int	webauthn_authdata_parse(const unsigned char *, size_t,
	    struct kd_webauthn_authdata *, struct kd_err *);

/* Verifies a parsed registration whose challenge the caller has already
 * matched: type, origin, crossOrigin, rpIdHash, UP/AT (and UV when
 * required), the attestation (libfido2: x5c, self; "none" by hand), an
 * ES256 credential whose ID matches the one POSTed.  KD_ERR_DENIED with a
 * sentence for the user; KD_ERR_INVALID for malformed input.
 * cred->fmt says what was verified: "packed" with x5c (the leaf's signature
 * only: no chain, no trust anchors), "packed" without (self), "fido-u2f",
 * "tpm", or "none"; the registered formats libfido2 1.12 cannot take
 * (apple, android-key, android-safetynet, compound) are accepted as, and
 * stored as, "none".  Unknown formats are KD_ERR_INVALID. */
int	webauthn_reg_verify(const struct kd_webauthn_reg *,
	    const struct kd_webauthn_expect *, struct kd_webauthn_cred *,
	    struct kd_err *);
void	webauthn_cred_clear(struct kd_webauthn_cred *);

/* An assertion as POSTed by the page, base64url fields decoded and its
 * clientDataJSON parsed (as for a registration).  Nothing checked yet. */
struct kd_webauthn_assertion {
	unsigned char	*id;		/* credential ID (rawId), or NULL */
	size_t		 id_len;
	unsigned char	*authdata;	/* raw authenticator data */
	size_t		 authdata_len;
	unsigned char	*cdj;		/* clientDataJSON, as signed */
	size_t		 cdj_len;
	unsigned char	*sig;		/* DER ECDSA signature */
	size_t		 sig_len;
	unsigned char	*user_handle;	/* or NULL */
	size_t		 user_handle_len;
	char		 type[32];	/* "webauthn.get" */
	unsigned char	 challenge[WEBAUTHN_CHALLENGE_LEN];
	size_t		 challenge_len;
	char		 origin[256];
	int		 cross_origin;
};

/* The parsing half of webauthn_assert_verify (same JSON, same errors). */
int	webauthn_assert_parse(const char *json, size_t len,
	    struct kd_webauthn_assertion *, struct kd_err *);
void	webauthn_assertion_clear(struct kd_webauthn_assertion *);

/* An assertion from navigator.credentials.get(), JSON as the page gives
 * it: {"id","response":{"authenticatorData","clientDataJSON",
 * "signature","userHandle"}}.  Checked against the challenge given, the
 * expected origin and rp ID, UP (UV when required), and the stored COSE
 * ES256 key (fido_assert_verify).  sign_count (may be NULL) gets the
 * authenticator's counter. */
int	webauthn_assert_verify(const char *json, size_t len,
	    const unsigned char *challenge, size_t challenge_len,
	    const struct kd_webauthn_expect *, const unsigned char *cose,
	    size_t cose_len, uint32_t *sign_count, struct kd_err *);

#endif
