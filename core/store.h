/* The SQLite store: one file, WAL, shared by several keydesk processes.
 * Every write runs inside store_begin()/store_commit() (BEGIN IMMEDIATE),
 * so a writer waits for another kiosk instead of failing half way. */
#ifndef KD_STORE_H
#define KD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/kd.h"
#include "core/model.h"

struct kd_store;
typedef struct sqlite3 sqlite3;

#define STORE_SCHEMA_VERSION 7

struct kd_user {
	int64_t	 id;		/* row id */
	char	*user_id;	/* the organisation's ID, unique */
	char	*name;
	char	*email;
	char	*username;	/* unique, case-insensitive */
	enum kd_user_status status;
	int	 disabled;
	int64_t	 created_at;
	int64_t	 updated_at;
};

struct kd_group {
	int64_t	 id;
	char	*name;
	int64_t	 members;
	int64_t	 created_at;
};

struct kd_key {
	int64_t	 id;
	int64_t	 user;		/* kd_user.id */
	enum kd_key_type type;
	char	*name;
	enum kd_key_status status;	/* pending past its expiry reads EXPIRED */
	struct kd_key_settings settings;
	int64_t	 created_at;
	int64_t	 activated_at;
	char	*activated_by;
	int64_t	 expires_at;	/* of the open activation, 0 if none */
	int64_t	 link_expires_at; /* its link's (earlier than the code's) */
	char	*credential_id;	/* base64url, NULL until active */
	char	*public_key;	/* base64url COSE key */
	char	*aaguid;	/* hex */
	char	*attestation_fmt;
	char	*revoked_reason;
	char	*owner;		/* the user's user ID */
};

struct kd_outbox_row {
	int64_t	 id;
	char	*to_name;
	char	*to_addr;
	char	*subject;
	char	*body;		/* NULL once erased after sending (secrets) */
	char	*message_id;
	char	*kind;		/* "activation", "pin", ... */
	int64_t	 key;		/* activation: the key it activates, or 0 */
	int	 secret;	/* body holds a secret: erase after delivery */
	char	*status;	/* "queued", "sent", "failed" */
	int	 attempts;
	char	*last_error;
	int64_t	 created_at;
	int64_t	 next_attempt_at;
	int64_t	 sent_at;
};

struct kd_audit_row {
	int64_t	 id;
	int64_t	 at;
	char	*actor;
	char	*action;
	char	*subject;
	char	*details;
};

/* Keyset cursor for the users list: where the last page ended. */
struct kd_user_cursor {
	int	 valid;
	int	 part;		/* which search field the page ended in */
	char	 key[512];	/* that field's value in the last row */
	int64_t	 id;
};

struct kd_user_query {
	const char *search;	/* words: each the start of a word of the name
				 * (folded, core/fold.h); or the start of
				 * username, user ID, email */
	int	 status;	/* enum kd_user_status, or -1 for any */
	const char *group;	/* group name, or NULL */
	int	 limit;		/* rows per page */
	struct kd_user_cursor after;	/* start after this row */
};

struct kd_user_page {
	struct kd_user *users;
	size_t	 n;
	int	 more;		/* another page follows */
	struct kd_user_cursor next;	/* pass as `after` for that page */
};

/* Opens the database at `path`, creating it (0600, parent directories
 * 0700) when it is missing: for the default path and `keydesk init`. */
int	store_open(struct kd_store **, const char *path, struct kd_err *);
/* The same for a path that must exist already: KD_ERR_NOTFOUND naming it
 * otherwise, and nothing is created. */
int	store_open_existing(struct kd_store **, const char *path,
	    struct kd_err *);
/* KD_ERR_DENIED with a warning naming the chmod when the database file can
 * be read or written by other users: it holds personal data. */
int	store_check_private(const char *path, struct kd_err *);
void	store_close(struct kd_store **);
sqlite3	*store_db(struct kd_store *);
const char *store_path(const struct kd_store *);
int	store_schema_version(struct kd_store *);
/* The most recent SQLite failure as a status + message in `e`. */
int	store_fail(struct kd_store *, const char *what, struct kd_err *);

/* Changes by other connections, cheaply: the value differs from the
 * last call's when another process (or connection) has committed since
 * (PRAGMA data_version; this connection's own commits do not count). */
int	store_data_version(struct kd_store *, int64_t *);

/* A read-only snapshot around many reads; end it before store_begin. */
int	store_read_begin(struct kd_store *, struct kd_err *);
void	store_read_end(struct kd_store *);

/* Write transactions: BEGIN IMMEDIATE, busy_timeout; nested calls are
 * counted so a helper can run inside a caller's transaction. */
int	store_begin(struct kd_store *, struct kd_err *);
int	store_commit(struct kd_store *, struct kd_err *);
void	store_rollback(struct kd_store *);

/* Users. */
int	store_user_insert(struct kd_store *, const struct kd_user *,
	    int64_t *id, struct kd_err *);
int	store_user_get(struct kd_store *, const char *user_id,
	    struct kd_user *, struct kd_err *);
int	store_user_get_by_row(struct kd_store *, int64_t id, struct kd_user *,
	    struct kd_err *);
/* 1 if taken (ignoring row `except`), 0 if free, <0 on error. */
int	store_user_id_taken(struct kd_store *, const char *, int64_t except);
int	store_username_taken(struct kd_store *, const char *, int64_t except);
int	store_user_refresh_status(struct kd_store *, int64_t id, struct kd_err *);
int	store_user_list(struct kd_store *, const struct kd_user_query *,
	    struct kd_user_page *, struct kd_err *);
/* Kept by the store as users come, go and change status (O(1)). */
struct kd_user_counts {
	int64_t	 total;
	int64_t	 by_status[3];	/* enum kd_user_status */
};
int	store_user_counts(struct kd_store *, struct kd_user_counts *,
	    struct kd_err *);
int64_t	store_user_count(struct kd_store *);
/* Changes to a user; each keeps the word index and the counts in the
 * same transaction. */
int	store_user_update(struct kd_store *, int64_t id, const char *name,
	    const char *email, const char *username, struct kd_err *);
int	store_user_set_disabled(struct kd_store *, int64_t id, int disabled,
	    struct kd_err *);
int	store_user_delete(struct kd_store *, int64_t id, struct kd_err *);
void	store_user_clear(struct kd_user *);
void	store_user_page_clear(struct kd_user_page *);

/* Groups and memberships. */
int	store_group_add(struct kd_store *, const char *name, int64_t *id,
	    struct kd_err *);
int	store_group_find(struct kd_store *, const char *name, int64_t *id,
	    struct kd_err *);
int	store_group_list(struct kd_store *, struct kd_group **, size_t *,
	    struct kd_err *);
int	store_user_groups(struct kd_store *, int64_t user, struct kd_group **,
	    size_t *, struct kd_err *);
int	store_member_add(struct kd_store *, int64_t group, int64_t user,
	    struct kd_err *);
void	store_groups_free(struct kd_group *, size_t);

/* Keys and activations. */
int	store_key_insert(struct kd_store *, const struct kd_key *, int64_t *id,
	    struct kd_err *);
/* The keys of user row `user`, or of everyone when `user` is 0. */
int	store_key_list(struct kd_store *, int64_t user, struct kd_key **,
	    size_t *, struct kd_err *);
void	store_keys_free(struct kd_key *, size_t);
void	store_key_clear(struct kd_key *);
/* Records the credential of pending key `key` and makes it active.
 * KD_ERR_INVALID if it is no longer pending, KD_ERR_EXISTS if another key
 * already has this credential ID. */
int	store_key_mark_active(struct kd_store *, int64_t key,
	    const unsigned char *user_handle, size_t user_handle_len,
	    const char *credential_id, const char *public_key,
	    const char *aaguid, const char *attestation_fmt,
	    const char *attestation_cert, const char *authenticator_info,
	    const char *actor, struct kd_err *);
/* A key's stored status ("pending" past its open activations' expiry
 * reads EXPIRED).  KD_ERR_NOTFOUND when there is no such key. */
int	store_key_status(struct kd_store *, int64_t key, enum kd_key_status *,
	    struct kd_err *);
/* The key's user handle (WebAuthn user.id), made (random, 32 bytes) and
 * stored on first use. */
int	store_key_user_handle(struct kd_store *, int64_t key,
	    unsigned char out[32], size_t *len, struct kd_err *);

/* Activations: where a link or code was shown, and why it closed. */
#define STORE_VIA_MAIL		"mail"
#define STORE_VIA_SCREEN	"screen"	/* a QR code on a screen */
#define STORE_CLOSED_REPLACED	"replaced"	/* a newer email (resend) */
#define STORE_CLOSED_REVOKED	"revoked"	/* the key was revoked */
#define STORE_CLOSED_ACTIVATED	"activated"	/* by another link or code */

int	store_activation_insert(struct kd_store *, int64_t key,
	    const unsigned char token_hash[32], const unsigned char code_hash[32],
	    int64_t link_expires, int64_t code_expires, const char *via,
	    int64_t *id, struct kd_err *);
/* Closes the open activations of `key` but `except` (0: none) with
 * `why`; only those shown by `via` when it is not NULL. */
int	store_activation_close(struct kd_store *, int64_t key, int64_t except,
	    const char *via, const char *why, struct kd_err *);
/* Marks activation `id` used. */
int	store_activation_use(struct kd_store *, int64_t id, struct kd_err *);

/* One activation with its key and user, as a link or a code finds it. */
struct kd_activation_row {
	int64_t	 id;
	int64_t	 key;
	int64_t	 user_row;
	unsigned char code_hash[32];
	int64_t	 link_expires_at;
	int64_t	 code_expires_at;
	int64_t	 used_at;	/* 0 if not */
	int64_t	 revoked_at;	/* 0 if not */
	char	 closed_why[16];	/* STORE_CLOSED_*, "" */
	char	 via[8];
	char	 key_status[12];	/* "pending", "active", "revoked" */
	enum kd_key_type type;
	struct kd_key_settings settings;
	int	 user_disabled;
	char	 key_name[256];
	char	 user_id[256];
	char	 name[512];
	char	 email[512];
	char	 username[256];
};

/* By the SHA-256 of a link token or of a normalised code (compared in
 * constant time).  KD_ERR_NOTFOUND when no activation has it. */
int	store_activation_by_token(struct kd_store *, const unsigned char[32],
	    struct kd_activation_row *, struct kd_err *);
int	store_activation_by_code(struct kd_store *, const unsigned char[32],
	    struct kd_activation_row *, struct kd_err *);

/* WebAuthn challenges issued for activation `id`, each valid until
 * `expires` and usable once.  store_challenge_take removes a matching
 * unexpired one (KD_OK) or says there is none (KD_ERR_NOTFOUND); expired
 * ones of the activation go at the same time. */
int	store_challenge_add(struct kd_store *, int64_t activation,
	    const unsigned char *, size_t, int64_t expires, struct kd_err *);
int	store_challenge_take(struct kd_store *, int64_t activation,
	    const unsigned char *, size_t, struct kd_err *);

/* Lock-out counters (core/lockout.c decides; this keeps them). */
struct kd_lockout_row {
	int64_t	 failures;
	int64_t	 locked_until;
	int64_t	 lockouts;
};
int	store_lockout_get(struct kd_store *, const char *scope,
	    const char *name, struct kd_lockout_row *);
int	store_lockout_put(struct kd_store *, const char *scope,
	    const char *name, const struct kd_lockout_row *, struct kd_err *);

/* Workflow runs: this process holds `run`; runs of `workflow` whose
 * holder died on this host become 'interrupted'. */
int	store_workflow_run_hold(struct kd_store *, int64_t run, struct kd_err *);
int	store_workflow_runs_interrupt(struct kd_store *, int64_t workflow,
	    struct kd_err *);

/* Outbox (the transactional outbox: rows are added inside the change's
 * own transaction; delivery happens after commit). */
int	store_outbox_add(struct kd_store *, const struct kd_outbox_row *,
	    int64_t *id, struct kd_err *);
/* Queued rows whose next attempt is due at `now`, oldest first. */
int	store_outbox_due(struct kd_store *, int64_t now, int limit,
	    struct kd_outbox_row **, size_t *, struct kd_err *);
/* The same, claimed for `lease` seconds against other deliverers.  In
 * the claiming transaction, `fill` (if not NULL) is called on each row,
 * e.g. to mint an activation mail's secrets; a row it fails is marked
 * failed for good with the error it gives and left out of the result. */
typedef int (*kd_outbox_fill)(void *, struct kd_store *,
	    struct kd_outbox_row *, struct kd_err *);
int	store_outbox_claim(struct kd_store *, int64_t now, int limit, int lease,
	    kd_outbox_fill fill, void *arg, struct kd_outbox_row **, size_t *,
	    struct kd_err *);
/* A claim: which rows, for how long.  The claim records this process as
 * holder (core/holder.h); claims of holders gone from this host are
 * taken over first. */
struct kd_outbox_claim {
	int64_t	 now;		/* due at this time */
	int	 all;		/* also queued rows not yet due (not held) */
	int64_t	 after_id;	/* only ids > after_id ... */
	int64_t	 upto_id;	/* ... and <= upto_id (0: no bound) */
	int	 limit;
	int	 lease;		/* seconds */
};
int	store_outbox_claim_ex(struct kd_store *, const struct kd_outbox_claim *,
	    kd_outbox_fill fill, void *arg, struct kd_outbox_row **, size_t *,
	    struct kd_err *);
/* A re-minted activation mail has new bytes, so a new Message-ID. */
int	store_outbox_set_message_id(struct kd_store *, int64_t id,
	    const char *mid, struct kd_err *);
/* Marks commit at synchronous=NORMAL (on) or FULL (off, the default):
 * NORMAL is durable against a process crash in WAL mode. */
int	store_outbox_marks_fast(struct kd_store *, int on, struct kd_err *);
/* Queued rows another deliverer holds a claim on right now. */
int	store_outbox_held(struct kd_store *, int64_t now, int64_t *n);
int	store_outbox_max_id(struct kd_store *, int64_t *id);
/* Queued activation mails of `key` will not be sent: they fail with
 * `why` (the key was revoked, or a newer mail replaces them). */
int	store_outbox_cancel_key(struct kd_store *, int64_t key, const char *why,
	    struct kd_err *);
/* Gives a claimed row back (cancelled before it was tried). */
int	store_outbox_unclaim(struct kd_store *, int64_t id, int64_t now,
	    struct kd_err *);
int	store_outbox_list(struct kd_store *, const char *status, int limit,
	    struct kd_outbox_row **, size_t *, struct kd_err *);
int	store_outbox_mark_sent(struct kd_store *, int64_t id, int64_t now,
	    struct kd_err *);
/* A failed attempt: `permanent` marks the row failed for good, otherwise
 * it is retried at `next_attempt`. */
int	store_outbox_mark_failed(struct kd_store *, int64_t id,
	    int64_t next_attempt, const char *error, int permanent,
	    struct kd_err *);
/* Not tried (the server was down): due again at `next_attempt`, with
 * `error` kept and no attempt counted. */
int	store_outbox_defer(struct kd_store *, int64_t id, int64_t next_attempt,
	    const char *error, struct kd_err *);
int	store_outbox_counts(struct kd_store *, int64_t *queued, int64_t *sent,
	    int64_t *failed);
void	store_outbox_free(struct kd_outbox_row *, size_t);
void	store_outbox_free_row(struct kd_outbox_row *);

/* Audit: one row per change, written in the change's transaction; each
 * row holds the SHA-256 of the previous row (hash chain). */
int	store_audit_add(struct kd_store *, const char *actor,
	    const char *action, const char *subject, const char *details,
	    struct kd_err *);
/* Which rows store_audit_list returns, newest first: all that match
 * every field set (NULL / 0 = any), at most `limit` (0 = 1000). */
struct kd_audit_query {
	const char	*subject;	/* exactly (user ID, workflow name...) */
	const char	*action;	/* prefix: "key." */
	int64_t		 since;		/* at >= since */
	int64_t		 before;	/* id < before: the page after a row */
	int		 limit;
};
int	store_audit_list(struct kd_store *, const struct kd_audit_query *,
	    struct kd_audit_row **, size_t *, struct kd_err *);
void	store_audit_free(struct kd_audit_row *, size_t);

#endif
