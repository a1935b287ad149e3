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

/* Queues the activation email for pending key `key` inside the caller's
 * transaction.  The row has no body yet: see mailtext_mint_activation. */
int	mailtext_queue_activation(struct kd_store *, const struct kd_config *,
	    const struct kd_mail_to *, int64_t key, struct kd_err *);
/* The same for every pending key with an id above `after_key` (the keys a
 * bulk insert just made), in one statement. */
int	mailtext_queue_activations(struct kd_store *, const struct kd_config *,
	    int64_t after_key, struct kd_err *);
/* At delivery, inside the transaction that claims the row: makes the link
 * and code, stores their hashes (closing any earlier ones for the key)
 * and puts the body, with them, in row->body only.  KD_ERR_NOTFOUND or
 * KD_ERR_INVALID when the key is gone, no longer pending, or its user is
 * disabled: that mail is not to be sent. */
int	mailtext_mint_activation(struct kd_store *, const struct kd_config *,
	    struct kd_outbox_row *, struct kd_err *);
/* Queues the card-PIN email; its body is erased once delivered. */
int	mailtext_queue_pin(struct kd_store *, const struct kd_config *,
	    const struct kd_mail_to *, const char *key_name, const char *pin,
	    int force_change, struct kd_err *);

#endif
