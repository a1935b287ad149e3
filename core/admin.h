/* Administration of existing users and keys.  Each function is one
 * transaction with its audit row (and email, where one is sent). */
#ifndef KD_ADMIN_H
#define KD_ADMIN_H

#include "config/config.h"
#include "core/kd.h"
#include "core/store.h"

/* Fields left NULL are kept.  Same rules as the wizard. */
struct kd_user_edit {
	const char *name;
	const char *email;
	const char *username;
};

int	admin_user_edit(struct kd_store *, const char *actor, const char *user_id,
	    const struct kd_user_edit *, struct kd_err *);
int	admin_user_disable(struct kd_store *, const char *actor,
	    const char *user_id, int disabled, struct kd_err *);
/* Deletes the user, memberships, keys and activations; the audit row keeps
 * what was deleted. */
int	admin_user_delete(struct kd_store *, const char *actor,
	    const char *user_id, struct kd_err *);
/* Creates a group, with its audit row. */
int	admin_group_add(struct kd_store *, const char *actor, const char *name,
	    struct kd_err *);
int	admin_member_set(struct kd_store *, const char *actor,
	    const char *user_id, const char *group, int member, struct kd_err *);

int	admin_key_get(struct kd_store *, int64_t key, struct kd_key *,
	    struct kd_err *);
/* Lost or stolen: status revoked with the reason; the credential ID stays
 * recorded; open activations stop working. */
int	admin_key_revoke(struct kd_store *, const char *actor, int64_t key,
	    const char *reason, struct kd_err *);
/* A new code and link for a pending (or expired) key: the old ones stop
 * working at once, the email is queued. */
int	admin_key_resend(struct kd_store *, const struct kd_config *,
	    const char *actor, int64_t key, struct kd_err *);
int	admin_key_settings(struct kd_store *, const char *actor, int64_t key,
	    const struct kd_key_settings *, struct kd_err *);
int	admin_key_rename(struct kd_store *, const char *actor, int64_t key,
	    const char *name, struct kd_err *);
/* Only pending keys can be deleted; active ones are revoked instead. */
int	admin_key_delete(struct kd_store *, const char *actor, int64_t key,
	    struct kd_err *);

/* Recomputes the audit hash chain.  KD_OK when intact; otherwise
 * KD_ERR_INVALID with *bad the first row that does not match. */
int	admin_audit_verify(struct kd_store *, int64_t *bad, int64_t *rows,
	    struct kd_err *);

#endif
