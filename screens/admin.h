/* The administration screens (issue 4): workflows, CSV import and the
 * audit log, opened from the users list.  Kept apart from screens.h so
 * each group of screens declares its own constructors. */
#ifndef KD_SCREENS_ADMIN_H
#define KD_SCREENS_ADMIN_H

#include "screens/screens.h"
#include "tui/widget.h"

/* Workflows › Security Key Device Assignment: the list (workflows.c),
 * a new one (workflow_new.c) and a run with its progress (workflow_run.c). */
struct tui_screen *screen_workflows_new(const struct tui_app *);
struct tui_screen *screen_workflow_form_new(const struct tui_app *);
struct tui_screen *screen_workflow_run_new(const struct tui_app *,
	    const char *name);
/* CSV import of users (import.c). */
struct tui_screen *screen_import_new(const struct tui_app *);
/* The audit log, newest first, with the hash chain's status (audit.c). */
struct tui_screen *screen_audit_new(const struct tui_app *);

/* The settings form of a key or a workflow (user_keyset.c): only the
 * settings its type has and the verification choices the type allows,
 * as the wizard's Settings step shows them. */
struct keyset {
	enum kd_key_type	 type;
	struct kd_key_settings	 s;
	enum kd_setting		 bools[3];
	int			 nbools;
	struct tui_radio	 verif;
	enum kd_verification	 vmap[3];	/* radio row -> choice */
	int			 has_verif;
	int			 focus;		/* 0..nbools-1, nbools: radio */
};
void	keyset_open(struct keyset *, enum kd_key_type,
	    const struct kd_key_settings *);
/* Draws from row y; returns the row after it. */
int	keyset_draw(struct keyset *, int y, int focused);
/* 1 used the key, 0 not its key.  Tab and BackTab are left to the caller
 * on the last and first item, so a page can move on to its next widget. */
int	keyset_key(struct keyset *, const struct tui_key *);

/* A progress bar "[#####     ]  4,000 of 20,000" in `width` columns
 * (workflow_run.c). */
void	admin_progress_draw(int y, int x, int width, int64_t done,
	    int64_t total);

#endif
