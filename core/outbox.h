/* Outbox delivery: sends queued mail after the changes that wrote it have
 * committed; marks a row sent only after the server accepted it; retries
 * temporary failures with backoff. */
#ifndef KD_OUTBOX_H
#define KD_OUTBOX_H

#include "config/config.h"
#include "core/kd.h"
#include "core/store.h"

struct kd_outbox_result {
	int	 sent;
	int	 deferred;	/* failed for now, will be retried */
	int	 failed;	/* refused for good */
	long	 connections;	/* SMTP connections opened */
	int64_t	 next_at;	/* the earliest retry of a deferred row */
	int	 left;		/* claimed but not tried (stopped, deadline) */
	char	 left_why[96];
	char	 last_error[256];
};

/* What to deliver.  Zeroed: every due row, the background schedule. */
struct kd_outbox_opts {
	int	 max;		/* at most this many rows (0: all) */
	int	 all;		/* a manual flush: due or not (postqueue -f) */
	int64_t	 after_id;	/* only rows with ids in (after_id, upto_id] */
	int64_t	 upto_id;	/* 0: no upper bound */
	int64_t	 deadline_ms;	/* kd_mono_ms() to stop at (0: none) */
};

typedef void (*kd_outbox_progress)(void *arg, int done, int total);

/* Delivers every due row (at most `max`, 0 = all) over one connection.
 * With no SMTP configured it sends nothing and returns KD_ERR_CONFIG with a
 * message saying mail waits in the outbox.  `cancel` (may be NULL) stops
 * between messages. */
int	outbox_deliver(struct kd_store *, const struct kd_config *, int max,
	    volatile int *cancel, kd_outbox_progress, void *arg,
	    struct kd_outbox_result *, struct kd_err *);
int	outbox_deliver_opts(struct kd_store *, const struct kd_config *,
	    const struct kd_outbox_opts *, volatile int *cancel,
	    kd_outbox_progress, void *arg, struct kd_outbox_result *,
	    struct kd_err *);
/* Seconds to wait before attempt n+1 (n >= 1): exponential with jitter,
 * capped at an hour. */
int64_t	outbox_backoff(int attempts);

#endif
