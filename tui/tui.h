/* The full-screen terminal interface (ncursesw).  cli/ calls tui_run when
 * keydesk is started without a subcommand. */
#ifndef KD_TUI_H
#define KD_TUI_H

#include "config/config.h"
#include "core/store.h"

struct tui_opts {
	int	 kiosk;		/* --kiosk (issue 5) */
	const char *actor;	/* who the audit names */
	int	 role;		/* enum kd_role of the actor (not --kiosk) */
};

/* Runs until the operator quits.  Returns the process exit status. */
int	tui_run(const struct kd_config *, struct kd_store *,
	    const struct tui_opts *);

#endif
