/* CSV import of users: every row is checked with the wizard's rules before
 * anything is written; then the whole file goes in, in one transaction,
 * or nothing does. */
#ifndef KD_IMPORT_H
#define KD_IMPORT_H

#include <stddef.h>

#include "core/kd.h"
#include "core/store.h"

struct kd_import_opts {
	int	 dry_run;
	int	 create_groups;	/* unknown groups are created, else refused */
};

struct kd_import_issue {
	int	 line;
	char	 field[32];
	char	 reason[200];
};

struct kd_import_report {
	size_t	 rows;
	size_t	 groups_created;
	size_t	 nissues;	/* all of them; `issues` keeps the first 1000 */
	struct kd_import_issue *issues;
	int	 committed;
};

#define IMPORT_MAX_ISSUES 1000

/* KD_OK when the file is good (and written, unless dry_run); KD_ERR_INVALID
 * when rows are bad (see report) or the file cannot be read as CSV. */
int	import_users(struct kd_store *, const char *actor, const char *data,
	    size_t len, const struct kd_import_opts *, struct kd_import_report *,
	    struct kd_err *);
void	import_report_clear(struct kd_import_report *);

#endif
