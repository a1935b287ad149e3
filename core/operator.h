/* Operators and roles.  admin: everything; operator: the badge desk
 * (create users, assign and activate keys, resend, edit, revoke; no
 * deletes, no workflows, no imports, no operators); kiosk: only the public
 * redemption screen.  OS users (SSH) get their role from the config's
 * access lists; kiosk operators sign in with a password (yescrypt) or by
 * tapping their own FIDO key (an assertion checked against the stored
 * key). */
#ifndef KD_OPERATOR_H
#define KD_OPERATOR_H

#include <stdint.h>

#include "config/config.h"
#include "core/enroll.h"
#include "core/kd.h"
#include "core/store.h"

enum kd_role {
	KD_ROLE_READONLY = 0,
	KD_ROLE_KIOSK,
	KD_ROLE_OPERATOR,
	KD_ROLE_ADMIN,
};

enum kd_perm {
	KD_PERM_READ = 0,	/* look at users, keys, outbox, audit */
	KD_PERM_REDEEM,		/* the public redemption screen */
	KD_PERM_ENROLL,		/* create users, assign/activate keys, resend */
	KD_PERM_EDIT,		/* edit users, groups, key settings, revoke */
	KD_PERM_DELETE,		/* delete users and keys */
	KD_PERM_BULK,		/* workflows, imports */
	KD_PERM_ADMIN,		/* operators */
};

#define OPERATOR_MAX_FAILURES	5	/* wrong passwords before a lock */
#define OPERATOR_LOCK_SECONDS	60	/* first lock; doubles each time */

struct kd_operator {
	int64_t	 id;
	char	 name[128];
	enum kd_role role;
	int	 has_password;
	int	 has_key;
	int	 disabled;
	char	 credential_id[256];	/* base64url, "" if none */
	char	 public_key[256];	/* base64url COSE, "" if none */
};

const char *role_name(enum kd_role);
int	role_parse(const char *, enum kd_role *);
int	role_allows(enum kd_role, enum kd_perm);
const char *perm_name(enum kd_perm);

/* The role of the OS user running keydesk (config access lists). */
enum kd_role role_of_os_user(const struct kd_config *, const char *user);

int	operator_add(struct kd_store *, const char *actor, const char *name,
	    enum kd_role, struct kd_err *);
int	operator_get(struct kd_store *, const char *name, struct kd_operator *,
	    struct kd_err *);
int	operator_list(struct kd_store *, struct kd_operator **, size_t *,
	    struct kd_err *);
int	operator_disable(struct kd_store *, const char *actor, const char *name,
	    int disabled, struct kd_err *);
/* Stores a salted yescrypt hash (crypt(3)); the password is not kept. */
int	operator_set_password(struct kd_store *, const char *actor,
	    const char *name, const char *password, struct kd_err *);
/* Registers the operator's own FIDO key (a verified credential). */
int	operator_set_key(struct kd_store *, const char *actor, const char *name,
	    const struct kd_cred_record *, struct kd_err *);

/* Sign-in with a password at terminal `where`.  Wrong passwords are
 * counted per operator: the fifth in a row locks the name for a minute,
 * doubling each time.  Every attempt is audited.  KD_ERR_DENIED (unknown
 * name or wrong password: the same message), KD_ERR_LOCKED. */
int	operator_signin_password(struct kd_store *, const char *name,
	    const char *password, const char *where, struct kd_operator *,
	    struct kd_err *);
/* Sign-in by tapping the operator's key: a fresh assertion from the device
 * at `path` is checked against the stored public key (fido_assert_verify).
 * Blocking: run it in a worker.  `cancel` may be NULL. */
int	operator_signin_key(struct kd_store *, const struct kd_config *,
	    const char *name, const char *path, volatile int *cancel,
	    const char *where, struct kd_operator *, struct kd_err *);

/* Records a refused action (permission) in the audit log. */
void	operator_audit_denied(struct kd_store *, const char *actor,
	    const char *what, enum kd_role);

#endif
