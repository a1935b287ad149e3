/* The one lock-out: kiosk codes, operator sign-in and portal links count
 * failures per name in a scope; the Nth in a row locks the name for a
 * while, twice as long as the lock before.  A right answer clears the
 * count (not the doubling: a name that keeps getting locked stays slow). */
#ifndef KD_LOCKOUT_H
#define KD_LOCKOUT_H

#include <stdint.h>

#include "core/kd.h"
#include "core/store.h"

struct kd_lockout_rule {
	const char	*scope;		/* "kiosk", "signin", "portal" */
	int		 max_failures;	/* in a row before a lock */
	int		 first_lock;	/* seconds; doubles per lock, to 2^10 */
};

extern const struct kd_lockout_rule lockout_kiosk;
extern const struct kd_lockout_rule lockout_signin;
extern const struct kd_lockout_rule lockout_portal;

/* Seconds name `name` is still locked (0 if not). */
int64_t	lockout_left(struct kd_store *, const struct kd_lockout_rule *,
	    const char *name);
/* Counts a failure, inside the caller's transaction.  *failures gets the
 * count in a row, *locked the seconds of a lock this failure started (0
 * if none); either may be NULL. */
int	lockout_fail(struct kd_store *, const struct kd_lockout_rule *,
	    const char *name, int64_t *failures, int64_t *locked,
	    struct kd_err *);
/* A right answer: the count starts again. */
int	lockout_clear(struct kd_store *, const struct kd_lockout_rule *,
	    const char *name, struct kd_err *);
/* "30 seconds", "4 minutes", "2 hours": for the messages. */
void	lockout_duration(int64_t seconds, char *, size_t);

#endif
