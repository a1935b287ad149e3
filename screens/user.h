/* User details (user.c) and its three sections, one file each:
 * Information (user_info.c), Groups (user_groups.c) and Security Keys
 * (user_keys.c, with the key settings form in user_keyset.c).  The frame
 * owns the loaded user, the section tabs, the dialog and the status line;
 * a section draws its rows and handles the keys it understands.  Every
 * change goes through core/admin.h, which writes the audit row. */
#ifndef KD_SCREENS_USER_H
#define KD_SCREENS_USER_H

#include "core/admin.h"
#include "screens/admin.h"
#include "screens/wizard.h"
#include "tui/widget.h"

enum user_tab {
	USER_TAB_INFO = 0,
	USER_TAB_GROUPS,
	USER_TAB_KEYS,
	USER_NTABS
};

/* What "y" in the dialog does. */
enum user_ask {
	USER_ASK_NONE = 0,
	USER_ASK_RESEND,
	USER_ASK_REVOKE,
	USER_ASK_DELETE_KEY,
	USER_ASK_DELETE_USER,
	USER_ASK_DISABLE_USER,
};

/* What the Security Keys section is doing with the selected key. */
enum user_kmode {
	USER_KEYS_LIST = 0,
	USER_KEYS_RENAME,	/* a name field under the table */
	USER_KEYS_REASON,	/* the revoke reason field */
	USER_KEYS_SETTINGS,	/* the settings form instead of the table */
};

#define USER_NINFO 3	/* full name, email, username */

struct user {
	struct tui_screen	 base;
	int64_t			 row;
	struct kd_user		 u;
	int			 loaded;
	char			 groups[1024];	/* "Ops, Research" */
	struct kd_key		*keys;
	size_t			 nkeys;
	struct tui_table	 table;
	char			 cell[512];
	enum user_tab		 tab;

	/* Information */
	struct tui_field	 f[USER_NINFO];
	char			 ferr[USER_NINFO][300];
	int			 editing, focus;

	/* Groups: every group, checked where the user is a member */
	struct tui_listbox	 all;

	/* Security Keys */
	enum user_kmode		 kmode;
	struct tui_field	 input;		/* new name or revoke reason */
	char			 input_err[300];
	char			 reason[300];	/* kept for the dialog's "y" */
	int64_t			 key;		/* the key the dialog is about */
	int64_t			 setkey;	/* the key the form edits */
	struct keyset		 ks;

	struct tui_dialog	 dlg;
	enum user_ask		 ask;
	char			 msg[600];
	enum tui_role		 msg_role;
	int			 delivering;	/* mail queued, not yet reported */
	unsigned		 run;		/* its outbox worker run */
	struct tui_delivery	 delivery;
	char			 what[300];	/* "New activation for ..." */
};

/* user.c: the frame's helpers for the sections. */
void	user_load(struct user *, const struct tui_app *);
void	user_msg(struct user *, enum tui_role, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* After a core call that failed: its message on the status line. */
void	user_fail(struct user *, const struct kd_err *);
/* Delivers what a change queued in the outbox worker; the status line
 * says `what` and then how the delivery went. */
void	user_deliver(struct user *, const struct tui_app *, const char *what);
const char *user_key_status_label(enum kd_key_status);
/* The key under the table's cursor, or NULL. */
const struct kd_key *user_key_current(const struct user *);

/* A section: draw from row y (and its key bar); key returns 1 when it
 * used the key.  A section that is mid-edit (a field open) takes every
 * key. */
void	user_info_draw(struct user *, const struct tui_app *, int y);
int	user_info_key(struct user *, const struct tui_app *,
	    const struct tui_key *);
void	user_groups_load(struct user *, const struct tui_app *);
void	user_groups_draw(struct user *, const struct tui_app *, int y);
int	user_groups_key(struct user *, const struct tui_app *,
	    const struct tui_key *);
void	user_keys_init(struct user *);
void	user_keys_draw(struct user *, const struct tui_app *, int y);
int	user_keys_key(struct user *, const struct tui_app *,
	    const struct tui_key *);
/* The dialog said yes to a key action. */
void	user_keys_confirmed(struct user *, const struct tui_app *,
	    enum user_ask);
int	user_busy(const struct user *);	/* a field or form is open */

#endif
