/* Every change of state is one function here that runs one SQLite
 * transaction and writes its audit row and any email in that same
 * transaction (transactional outbox).  Hardware work happens before, its
 * verified result is passed in. */
#ifndef KD_ENROLL_H
#define KD_ENROLL_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "core/kd.h"
#include "core/store.h"
#include "core/wizard.h"

/* A verified credential from core/fido, as stored with an active key. */
struct kd_cred_record {
	const unsigned char *user_handle;	/* the handle the card got */
	size_t	 user_handle_len;
	const char *credential_id;	/* base64url */
	const char *public_key;		/* base64url COSE key */
	const char *aaguid;		/* hex */
	const char *attestation_fmt;
	const char *attestation_cert;	/* base64, may be NULL */
	const char *authenticator_info;	/* JSON */
	const char *device;		/* reader or key that did it */
};

struct kd_enroll_result {
	int64_t	 user_row;
	int64_t	 key_id;	/* 0 when no key */
	int	 key_active;
	int	 mails;		/* emails queued */
	char	 user_id[KD_DRAFT_TEXT];
	char	 mailed_to[KD_DRAFT_TEXT];
	char	 mail_kinds[64];	/* "activation", "pin" */
	int	 groups_created;
};

/* The activation secret shown to nobody but the user's mail: a link token
 * and a short code.  Only their SHA-256 is stored. */
struct kd_activation_secret {
	char	 token[64];	/* base64url of 32 random bytes */
	char	 code[16];	/* "ABCD-EFGH", unambiguous alphabet */
};

int	enroll_commit(struct kd_store *, const struct kd_config *,
	    const struct kd_draft *, const char *actor,
	    const struct kd_cred_record *, const char *pin,
	    struct kd_enroll_result *, struct kd_err *);

/* The settings a key from this draft gets: the configured defaults for its
 * type, or the draft's own when "use default settings" is off. */
struct kd_key_settings enroll_settings(const struct kd_config *,
	    const struct kd_draft *);

/* The name a key gets when nobody typed one: "Ada Lovelace's card".
 * (Workflows build the same name in SQL from enroll_key_noun.) */
void	enroll_key_name(enum kd_key_type, const char *owner, char *, size_t);
const char *enroll_key_noun(enum kd_key_type);

/* Generating and hashing activation secrets (tests use them too). */
int	enroll_secret_new(struct kd_activation_secret *);
/* Normalises a typed code (case, spaces, dashes) and hashes it with the
 * code key (HMAC-SHA256, core/codekey.h). */
int	enroll_code_hash(const char *code, unsigned char out[32]);
void	enroll_token_hash(const char *token, unsigned char out[32]);

#endif
