/* Lock-outs after repeated wrong answers, one rule per scope. */
#include "core/lockout.h"

#include <stdio.h>

#include "core/activate.h"
#include "core/operator.h"

const struct kd_lockout_rule lockout_kiosk = {
	"kiosk", ACTIVATE_MAX_FAILURES, ACTIVATE_LOCK_SECONDS
};
const struct kd_lockout_rule lockout_signin = {
	"signin", OPERATOR_MAX_FAILURES, OPERATOR_LOCK_SECONDS
};
/* Per link and client address: someone who has the mail gets five tries
 * a while, and a stranger elsewhere cannot lock the owner out. */
const struct kd_lockout_rule lockout_portal = {
	"portal", ACTIVATE_MAX_FAILURES, ACTIVATE_LOCK_SECONDS
};

int64_t
lockout_left(struct kd_store *st, const struct kd_lockout_rule *rule,
    const char *name)
{
	struct kd_lockout_row l;
	int64_t now = kd_now();

	if (store_lockout_get(st, rule->scope, name, &l) != KD_OK)
		return 0;
	return l.locked_until > now ? l.locked_until - now : 0;
}

int
lockout_fail(struct kd_store *st, const struct kd_lockout_rule *rule,
    const char *name, int64_t *failures, int64_t *locked, struct kd_err *e)
{
	struct kd_lockout_row l;
	int64_t lock = 0;

	store_lockout_get(st, rule->scope, name, &l);
	l.failures++;
	if (failures != NULL)
		*failures = l.failures;
	if (l.failures >= rule->max_failures) {
		lock = (int64_t)rule->first_lock << (l.lockouts < 10 ?
		    l.lockouts : 10);
		l.failures = 0;
		l.lockouts++;
		l.locked_until = kd_now() + lock;
	}
	if (locked != NULL)
		*locked = lock;
	return store_lockout_put(st, rule->scope, name, &l, e);
}

int
lockout_clear(struct kd_store *st, const struct kd_lockout_rule *rule,
    const char *name, struct kd_err *e)
{
	struct kd_lockout_row l;

	if (store_lockout_get(st, rule->scope, name, &l) != KD_OK ||
	    l.failures == 0)
		return KD_OK;
	l.failures = 0;
	return store_lockout_put(st, rule->scope, name, &l, e);
}

void
lockout_duration(int64_t s, char *buf, size_t len)
{
	if (s < 120)
		snprintf(buf, len, "%lld seconds", (long long)s);
	else if (s < 7200)
		snprintf(buf, len, "%lld minutes", (long long)((s + 59) / 60));
	else
		snprintf(buf, len, "%lld hours", (long long)((s + 3599) / 3600));
}
