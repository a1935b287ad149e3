/* Workflows › Security Key Device Assignment: give every user in some
 * groups (or everyone) a pending key of one type plus an activation email,
 * unless they already have an active or pending key of that type.  A run
 * works in batches, each one transaction; cancel stops at a batch boundary;
 * running again creates nothing new. */
#ifndef KD_WORKFLOW_H
#define KD_WORKFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "core/kd.h"
#include "core/model.h"
#include "core/store.h"

#define WORKFLOW_MAX_GROUPS 32
/* Big batches: every batch commits and rewrites the index pages it
 * touched (the users' status index is spread by name), so fewer batches
 * mean fewer page writes; 10,000 keeps a cancel within a fraction of a
 * second (25,000 or 50,000 gained under 10 % at 100,000 users). */
#define WORKFLOW_BATCH 10000

struct kd_workflow_run {
	int64_t	 id;
	int64_t	 started_at, finished_at;
	int64_t	 in_scope, created, skipped, failed;
	char	 status[16];	/* running, done, cancelled, failed, interrupted */
};

struct kd_workflow {
	int64_t	 id;
	char	 name[256];
	enum kd_key_type type;
	int	 use_defaults;
	struct kd_key_settings settings;	/* when !use_defaults */
	char	*groups[WORKFLOW_MAX_GROUPS];	/* none = all users */
	size_t	 ngroups;
	int64_t	 created_at;
	char	 created_by[128];
	struct kd_workflow_run last;	/* id 0: never run */
};

struct kd_workflow_review {
	int64_t	 in_scope;	/* users the workflow covers */
	int64_t	 have_key;	/* of those, with an active or pending key */
	int64_t	 will_get;	/* the rest: what a run creates */
};

typedef void (*kd_workflow_progress)(void *arg, int64_t done, int64_t total);

int	workflow_add(struct kd_store *, const char *actor,
	    const struct kd_workflow *, struct kd_err *);
int	workflow_get(struct kd_store *, const char *name, struct kd_workflow *,
	    struct kd_err *);
int	workflow_list(struct kd_store *, struct kd_workflow **, size_t *,
	    struct kd_err *);
void	workflow_clear(struct kd_workflow *);
void	workflow_list_free(struct kd_workflow *, size_t);
int	workflow_group_add(struct kd_workflow *, const char *);

int	workflow_review(struct kd_store *, const struct kd_workflow *,
	    struct kd_workflow_review *, struct kd_err *);
/* Runs it.  `cancel` (may be NULL) is read between batches; progress is
 * called after each committed batch. */
int	workflow_run(struct kd_store *, const struct kd_config *,
	    const struct kd_workflow *, const char *actor, int batch,
	    volatile int *cancel, kd_workflow_progress, void *arg,
	    struct kd_workflow_run *, struct kd_err *);

#endif
