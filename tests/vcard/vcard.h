/*
 * vcard: keydesk's software FIDO2 contactless card for tests.
 *
 * It plugs into pcscd's vsmartcard "vpcd" reader driver over loopback TCP
 * and answers like a CTAP 2.1 NFC authenticator (ISO 7816-4 APDUs, FIDO
 * applet, NFCCTAP_MSG).  Byte-level facts: shared/notes/ctap-over-pcsc.md.
 *
 * Files:
 *   vcard_main.c  options, signals, the connect/serve loop
 *   vpcd_link.c   vpcd framing (2-byte length + payload), controls, ATR
 *   apdu.c        APDU parsing, chaining, GET RESPONSE, SELECT, NFCCTAP
 *   ctap.c        CTAP2 dispatcher, getInfo, reset, authenticatorConfig
 *   ctap_cred.c   makeCredential, getAssertion, getNextAssertion
 *   clientpin.c   clientPIN, PIN/UV auth protocols 1 and 2, token checks
 *   crypto.c      P-256, ECDH, KDFs, AES, HMAC, credential wrapping
 *   cbor_util.c   request map walking and canonical CBOR building
 *   state.c       persistent state: load, atomic save, reset, slots
 */
#ifndef VCARD_H
#define VCARD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <cbor.h>
#include <openssl/evp.h>

/*
 * AAGUID 7c46a092-6729-45d7-8a67-d474d2df1b53: a random version-4 UUID
 * chosen once for this test card.  Tests and keydesk's diagnostics may
 * match on it.
 */
#define VC_AAGUID_STR "7c46a092-6729-45d7-8a67-d474d2df1b53"
extern const uint8_t vc_aaguid[16];

#define VC_SLOTS          25   /* discoverable credential slots */
#define VC_MAX_MSG        1200 /* maxMsgSize advertised in getInfo */
#define VC_MAX_CREDS_LIST 8    /* maxCredentialCountInList */
#define VC_CRED_ID_LEN    61   /* 1 version + 12 nonce + 32 key + 16 tag */
#define VC_PIN_RETRIES    8
#define VC_PIN_MISMATCH   3    /* consecutive wrong PINs before power cycle */
#define VC_USER_ID_MAX    64
#define VC_NAME_MAX       64   /* user name / displayName kept, in bytes */
#define VC_TOKEN_LEN      32

/* CTAP2 command bytes. */
#define CTAP_MAKE_CREDENTIAL 0x01
#define CTAP_GET_ASSERTION   0x02
#define CTAP_GET_INFO        0x04
#define CTAP_CLIENT_PIN      0x06
#define CTAP_RESET           0x07
#define CTAP_GET_NEXT_ASSERT 0x08
#define CTAP_CONFIG          0x0d

/* CTAP status codes (CTAP 2.1 section 8.2). */
#define CTAP2_OK                       0x00
#define CTAP1_ERR_INVALID_COMMAND      0x01
#define CTAP1_ERR_INVALID_PARAMETER    0x02
#define CTAP1_ERR_INVALID_LENGTH       0x03
#define CTAP2_ERR_CBOR_UNEXPECTED_TYPE 0x11
#define CTAP2_ERR_INVALID_CBOR         0x12
#define CTAP2_ERR_MISSING_PARAMETER    0x14
#define CTAP2_ERR_CREDENTIAL_EXCLUDED  0x19
#define CTAP2_ERR_UNSUPPORTED_ALG      0x26
#define CTAP2_ERR_KEY_STORE_FULL       0x28
#define CTAP2_ERR_UNSUPPORTED_OPTION   0x2b
#define CTAP2_ERR_INVALID_OPTION       0x2c
#define CTAP2_ERR_KEEPALIVE_CANCEL     0x2d
#define CTAP2_ERR_NO_CREDENTIALS       0x2e
#define CTAP2_ERR_NOT_ALLOWED          0x30
#define CTAP2_ERR_PIN_INVALID          0x31
#define CTAP2_ERR_PIN_BLOCKED          0x32
#define CTAP2_ERR_PIN_AUTH_INVALID     0x33
#define CTAP2_ERR_PIN_AUTH_BLOCKED     0x34
#define CTAP2_ERR_PIN_NOT_SET          0x35
#define CTAP2_ERR_PUAT_REQUIRED        0x36 /* PIN_REQUIRED in CTAP 2.0 */
#define CTAP2_ERR_PIN_POLICY_VIOLATION 0x37
#define CTAP2_ERR_INVALID_SUBCOMMAND   0x3e
#define CTAP2_ERR_UNAUTHORIZED_PERM    0x40
#define CTAP1_ERR_OTHER                0x7f

/* pinUvAuthToken permissions (CTAP 2.1 section 6.5.5.7). */
#define VC_PERM_MC   0x01
#define VC_PERM_GA   0x02
#define VC_PERM_ACFG 0x20

/* A growable byte buffer for responses. */
struct vc_buf {
	uint8_t *ptr;
	size_t len;
	size_t cap;
};

/* One discoverable (resident) credential. */
struct vc_cred {
	int used;
	uint32_t serial; /* creation order; newest first in getAssertion */
	uint8_t id[VC_CRED_ID_LEN];
	uint8_t rp_hash[32];
	uint8_t user_id[VC_USER_ID_MAX];
	size_t user_id_len;
	char user_name[VC_NAME_MAX + 1];
	char display_name[VC_NAME_MAX + 1];
};

/* What survives power cycles (and, with --state, process restarts). */
struct vc_state {
	uint8_t wrap_key[32]; /* wraps credential private keys into IDs */
	int pin_set;
	uint8_t pin_hash[16]; /* LEFT(SHA-256(PIN), 16) */
	unsigned pin_len;     /* code points, for setMinPINLength */
	unsigned retries;
	int force_change;
	unsigned min_pin;
	uint32_t sign_count;
	uint32_t next_serial;
	struct vc_cred creds[VC_SLOTS];
};

/* State that a power cycle (or a pull) loses. */
struct vc_session {
	EVP_PKEY *ka_key;    /* authenticatorKeyAgreementKey */
	uint8_t token[VC_TOKEN_LEN];
	int token_valid;
	int token_proto;
	uint8_t token_perms;
	int token_has_rp;
	uint8_t token_rp[32];
	unsigned mismatches; /* consecutive wrong PINs since power-up */
	/* getNextAssertion */
	int next_active;
	size_t next_n, next_pos;
	int next_slot[VC_SLOTS];
	uint8_t next_cdh[32];
	size_t next_cdh_len;
	uint8_t next_flags;
	struct timespec next_at;
};

struct vc_opts {
	int port;
	const char *state_path;
	const char *pin;
	int pull_at;     /* CTAP command byte, -1 for none */
	int reinsert_ms;
	int slow_ms;
	int non_fido;
	int full;
	unsigned min_pin;
	size_t chunk;    /* 0: no limit beyond Le */
	const char *log_path;
};

struct vcard {
	struct vc_opts o;
	struct vc_state st;
	struct vc_session s;
	FILE *log;
	int pulled_once;
};

/* vcard_main.c */
void vc_log(struct vcard *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void vc_now(struct timespec *);
long vc_ms_since(const struct timespec *);

/* buffer helpers (cbor_util.c) */
int vc_buf_add(struct vc_buf *, const void *, size_t);
void vc_buf_free(struct vc_buf *);

/* cbor_util.c: top-level request maps with small uint keys */
#define VC_REQ_KEYS 16
struct vc_field {
	const uint8_t *raw;
	size_t raw_len;
	cbor_item_t *item;
};
struct vc_req {
	struct vc_field f[VC_REQ_KEYS];
};
int vc_req_parse(const uint8_t *, size_t, struct vc_req *);
void vc_req_free(struct vc_req *);
cbor_item_t *cb_uint(uint64_t);
cbor_item_t *cb_int(int64_t);
cbor_item_t *cb_bytes(const void *, size_t);
cbor_item_t *cb_text(const char *);
int cb_put(cbor_item_t *, cbor_item_t *, cbor_item_t *);
int cb_push(cbor_item_t *, cbor_item_t *);
int cb_finish(cbor_item_t **, uint8_t, struct vc_buf *);
int cb_get_uint(const cbor_item_t *, uint64_t *);
int cb_get_int(const cbor_item_t *, int64_t *);
int cb_get_bytes(const cbor_item_t *, const uint8_t **, size_t *);
int cb_get_text(const cbor_item_t *, const char **, size_t *);
int cb_get_bool(const cbor_item_t *, int *);
int cb_text_eq(const cbor_item_t *, const char *);
const cbor_item_t *cb_map_get(const cbor_item_t *, const char *);
const cbor_item_t *cb_map_get_int(const cbor_item_t *, int64_t);
cbor_item_t *cb_cose_es256(const uint8_t[32], const uint8_t[32], int64_t);

/* crypto.c */
int vc_rand(void *, size_t);
EVP_PKEY *vc_ec_keygen(void);
EVP_PKEY *vc_ec_from_priv(const uint8_t[32]);
int vc_ec_pub(EVP_PKEY *, uint8_t[32], uint8_t[32]);
int vc_ec_priv(EVP_PKEY *, uint8_t[32]);
int vc_ec_sign(EVP_PKEY *, const uint8_t *, size_t, const uint8_t *, size_t,
    uint8_t *, size_t *);
int vc_ecdh(EVP_PKEY *, const uint8_t[32], const uint8_t[32], uint8_t[32]);
int vc_hmac(const uint8_t *, size_t, const uint8_t *, size_t, uint8_t[32]);
int vc_hkdf32(const uint8_t[32], const char *, uint8_t[32]);
int vc_aes_cbc(int, const uint8_t[32], const uint8_t[16], const uint8_t *,
    size_t, uint8_t *);
int vc_cred_wrap(const uint8_t[32], const uint8_t[32], const uint8_t[32],
    uint8_t[VC_CRED_ID_LEN]);
int vc_cred_unwrap(const uint8_t[32], const uint8_t[32], const uint8_t *,
    size_t, uint8_t[32]);
void vc_sha256(const void *, size_t, uint8_t[32]);

/* state.c */
int vc_state_init(struct vcard *);
int vc_state_save(struct vcard *);
int vc_state_factory(struct vcard *);
int vc_state_set_pin(struct vcard *, const uint8_t *, size_t);
unsigned vc_slots_capacity(const struct vcard *);
unsigned vc_slots_free(const struct vcard *);
struct vc_cred *vc_slot_find(struct vcard *, const uint8_t *, size_t);
struct vc_cred *vc_slot_for_user(struct vcard *, const uint8_t[32],
    const uint8_t *, size_t);
struct vc_cred *vc_slot_alloc(struct vcard *);
size_t vc_slots_for_rp(struct vcard *, const uint8_t[32], int *, size_t);

/* ctap.c */
int vc_ctap_handle(struct vcard *, const uint8_t *, size_t, struct vc_buf *);
void vc_session_power(struct vcard *);
void vc_session_free(struct vcard *);
int vc_ctap_status(struct vc_buf *, uint8_t);
const char *vc_ctap_name(int);
int vc_ctap_parse_name(const char *);

/* ctap_cred.c */
int vc_make_credential(struct vcard *, const uint8_t *, size_t,
    struct vc_buf *);
int vc_get_assertion(struct vcard *, const uint8_t *, size_t,
    struct vc_buf *);
int vc_get_next_assertion(struct vcard *, struct vc_buf *);

/* clientpin.c */
int vc_client_pin(struct vcard *, const uint8_t *, size_t, struct vc_buf *);
int vc_pin_check_param(struct vcard *, const struct vc_field *,
    const struct vc_field *, const uint8_t *, size_t, uint8_t,
    const uint8_t *, int *);
void vc_pin_token_reset(struct vcard *);
int vc_pin_new_ka(struct vcard *);

/* apdu.c */
#define VC_APDU_REPLY 0 /* answer with the response */
#define VC_APDU_PULL  1 /* close the link: the card was "removed" */
struct vc_apdu;
struct vc_apdu *vc_apdu_new(void);
void vc_apdu_free(struct vc_apdu **);
void vc_apdu_power(struct vc_apdu *);
int vc_apdu_handle(struct vcard *, struct vc_apdu *, const uint8_t *, size_t,
    struct vc_buf *);

/* vpcd_link.c */
struct vc_link;
struct vc_link *vc_link_new(struct vcard *, int);
void vc_link_free(struct vc_link **);
int vc_link_connect(struct vc_link *);
void vc_link_close(struct vc_link *);
int vc_link_fd(const struct vc_link *);
int vc_link_serve_one(struct vc_link *);

#endif /* !VCARD_H */
