/* The New User wizard (and "+ New Security Key" for an existing user):
 * steps, the draft, per-field validation and what comes next.  A screen is
 * a thin view of one step; the CLI's `user add` fills a draft and goes
 * through the same validation and the same commit.  Nothing is written to
 * the database before wizard_confirm(). */
#ifndef KD_WIZARD_H
#define KD_WIZARD_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "core/kd.h"
#include "core/model.h"
#include "core/store.h"

enum kd_step {
	KD_STEP_INFO = 0,	/* user ID, name, email, username */
	KD_STEP_GROUPS,		/* multi-select, create inline */
	KD_STEP_KEY,		/* assign a security key: on/off */
	KD_STEP_TYPE,		/* smartphone / card / FIDO2 key */
	KD_STEP_SETTINGS,	/* use defaults, or per-type settings */
	KD_STEP_ACTIVATION,	/* key name, method */
	KD_STEP_CONFIRM,	/* everything on one page */
	KD_STEP_TAP,		/* activate now: tap / touch (after confirm) */
	KD_STEP_DONE,
	KD_NSTEPS
};

enum kd_field {
	KD_F_USER_ID = 0,
	KD_F_NAME,
	KD_F_EMAIL,
	KD_F_USERNAME,
	KD_F_GROUPS,
	KD_F_TYPE,
	KD_F_SETTINGS,
	KD_F_KEY_NAME,
	KD_F_METHOD,
	KD_NFIELDS
};

enum kd_method {
	KD_METHOD_EMAIL = 0,	/* the user activates through a link + code */
	KD_METHOD_NOW = 1,	/* tap the card / touch the key at the desk */
};

#define KD_DRAFT_TEXT 1024	/* bytes; the code-point limits are in model.h */
#define KD_DRAFT_MAX_GROUPS 64

struct kd_draft {
	char	 user_id[KD_DRAFT_TEXT];
	char	 name[KD_DRAFT_TEXT];
	char	 email[KD_DRAFT_TEXT];
	char	 username[KD_DRAFT_TEXT];
	char	*groups[KD_DRAFT_MAX_GROUPS];	/* names; new ones made at commit */
	size_t	 ngroups;
	int	 want_key;
	enum kd_key_type type;
	int	 use_defaults;
	struct kd_key_settings settings;	/* used when !use_defaults */
	char	 key_name[KD_DRAFT_TEXT];
	enum kd_method method;
	int64_t	 existing_user;	/* row id: add a key to this user */
};

struct kd_wizard;

/* existing_user 0: the New User wizard; otherwise the key steps for that
 * user (starts at Device type). */
int	wizard_new(struct kd_wizard **, struct kd_store *,
	    const struct kd_config *, int64_t existing_user, struct kd_err *);
void	wizard_free(struct kd_wizard **);

struct kd_draft *wizard_draft(struct kd_wizard *);
enum kd_step wizard_step(const struct kd_wizard *);
const char *wizard_step_title(enum kd_step);
/* "Step N of M" for the steps this draft will visit (skipped ones are not
 * counted). */
void	wizard_progress(const struct kd_wizard *, int *n, int *of);

/* Validates the current step's fields; on success moves to the next step
 * that applies and returns KD_OK; otherwise KD_ERR_INVALID with the field
 * errors set (wizard_field_error).  From CONFIRM it does not move: call
 * wizard_confirm (email, and a phone's "activate now"), or go to TAP
 * (method now) with wizard_goto. */
int	wizard_next(struct kd_wizard *);
/* Back to the previous step that applies; the draft keeps what was typed. */
int	wizard_back(struct kd_wizard *);
/* Validates one field now (for inline messages as the operator leaves it). */
int	wizard_check_field(struct kd_wizard *, enum kd_field);
/* NULL when the field is fine, else a short message for under the field. */
const char *wizard_field_error(const struct kd_wizard *, enum kd_field);
const char *wizard_field_label(enum kd_field);	/* "User ID" */
int	wizard_errors(const struct kd_wizard *);	/* how many fields are bad */
void	wizard_clear_errors(struct kd_wizard *);

/* Group selection in the draft (names, case-insensitive). */
int	wizard_group_toggle(struct kd_wizard *, const char *name);
int	wizard_group_selected(const struct kd_wizard *, const char *name);
/* Adds a new group name to the draft (validated; created at commit). */
int	wizard_group_create(struct kd_wizard *, const char *name,
	    struct kd_err *);

/* The settings the key will get: the configured defaults for its type when
 * use_defaults is on, else the draft's own. */
struct kd_key_settings wizard_settings(const struct kd_wizard *);
/* Suggested key name for the type, e.g. "Ada Lovelace's card". */
void	wizard_suggest_key_name(struct kd_wizard *);

/* Validates the whole draft (every step), as the CLI needs. */
int	wizard_validate_all(struct kd_wizard *, struct kd_err *);

struct kd_enroll_result;
struct kd_cred_record;
/* Commits the draft in one transaction (core/enroll.c).  `cred` is the
 * verified credential for "activate now" (NULL for email activation, and
 * for a smartphone's "activate now", which is committed as email is and
 * then goes through its link: model_now_by_link) and `pin` the PIN just
 * set on a card (mailed in the same transaction). */
int	wizard_confirm(struct kd_wizard *, const char *actor,
	    const struct kd_cred_record *cred, const char *pin,
	    struct kd_enroll_result *, struct kd_err *);
/* After confirm (or for TAP): moves to TAP / DONE. */
void	wizard_goto(struct kd_wizard *, enum kd_step);

#endif
