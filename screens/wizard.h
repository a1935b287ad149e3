/* The wizard screen (wizard.c) and its step views (step_*.c).  The frame
 * owns the core wizard, the header, the key bar, Back/Next/Cancel and the
 * commit; a step view only shows one step's fields and edits the draft
 * through core/wizard.h. */
#ifndef KD_SCREENS_WIZARD_H
#define KD_SCREENS_WIZARD_H

#include "core/enroll.h"
#include "core/wizard.h"
#include "screens/screens.h"
#include "tui/widget.h"

enum wiz_ret {
	WIZ_UNHANDLED = 0,	/* the frame's keys apply (Esc, PgUp, ...) */
	WIZ_HANDLED,
	WIZ_NEXT,		/* validate and go on */
	WIZ_BACK,
};

struct wiz {
	struct tui_screen	 base;
	const struct tui_app	*app;
	struct kd_wizard	*wz;
	const struct wiz_view	*view;	/* the step on screen */
	void			*vs;	/* its state */
	struct tui_dialog	 dlg;
	int			 quit_after;	/* Ctrl-C: leave on "yes" */
	enum tui_role		 status_role;
	char			 status[600];
	char			 suggested[KD_DRAFT_TEXT];	/* key name */
	struct kd_enroll_result	 result;
	unsigned		 run;		/* outbox delivery after Done */
	int			 delivering;	/* 0 none, 1 running, 2 done */
	int			 saving;	/* Confirm pressed: commit next tick */
	int			 phone;		/* a phone's "Activate now": 1 its
						 * QR screen is due or was left,
						 * 2 the phone activated it */
	int			 phone_open;	/* the tick asks key() to open it */
	struct tui_delivery	 delivery;
};

struct wiz_view {
	enum kd_step		 step;
	void			*(*open)(struct wiz *);
	void			 (*draw)(void *, struct wiz *);
	enum wiz_ret		 (*key)(void *, struct wiz *,
				    const struct tui_key *);
	/* Next failed validation: put the focus on the first bad field. */
	void			 (*invalid)(void *, struct wiz *);
	void			 (*close)(void *);
	const struct tui_keyhint *hints;
	size_t			 nhints;
	/* Optional: the key bar for where the focus is now (else hints). */
	const struct tui_keyhint *(*keys)(void *, size_t *);
};

extern const struct wiz_view step_info_view, step_groups_view,
    step_key_view, step_type_view, step_settings_view,
    step_activation_view, step_confirm_view, step_done_view;

void	wiz_status(struct wiz *, enum tui_role, const char *msg);
/* Copies a field's text into a draft string. */
void	wiz_field_to(const struct tui_field *, char *dst, size_t);
/* A label column and a value, for read-only summaries. */
void	wiz_line(int y, const char *label, attr_t, const char *value);
/* "Offline Login on, PIN verification": the settings a type has. */
void	wiz_settings_text(enum kd_key_type, const struct kd_key_settings *,
	    char *, size_t);

#endif
