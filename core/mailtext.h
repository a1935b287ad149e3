/* The words of keydesk's emails, and queueing them in the outbox. */
#ifndef KD_MAILTEXT_H
#define KD_MAILTEXT_H

#include "config/config.h"
#include "core/enroll.h"
#include "core/store.h"

struct kd_mail_to {
	const char *name;
	const char *email;
};

/* Queues the activation email (link + code) inside the caller's
 * transaction. */
int	mailtext_queue_activation(struct kd_store *, const struct kd_config *,
	    const struct kd_mail_to *, enum kd_key_type, const char *key_name,
	    const struct kd_activation_secret *, int64_t link_expires,
	    int64_t code_expires, struct kd_err *);
/* Queues the card-PIN email; its body is erased once delivered. */
int	mailtext_queue_pin(struct kd_store *, const struct kd_config *,
	    const struct kd_mail_to *, const char *key_name, const char *pin,
	    int force_change, struct kd_err *);

#endif
