/* The wizard's steps, draft and "what comes next".  Validation of one step
 * lives in core/wizard_check.c. */
#include "core/wizard.h"
#include "core/wizard_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/enroll.h"
#include "core/validate.h"

static const char *titles[KD_NSTEPS] = {
	"User information", "Groups", "Security key", "Device type",
	"Settings", "Activation", "Confirm", "Activate now", "Done",
};

int
wizard_new(struct kd_wizard **out, struct kd_store *st,
    const struct kd_config *cfg, int64_t existing_user, struct kd_err *e)
{
	struct kd_wizard *w;
	struct kd_user u;
	int r;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return kd_err_set(e, KD_ERR_NOMEM, "out of memory");
	w->st = st;
	w->cfg = cfg;
	w->d.type = KD_KEY_CARD;
	w->d.use_defaults = 1;
	w->d.settings = cfg->defaults[KD_KEY_CARD];
	w->settings_type = KD_KEY_CARD;
	w->d.method = KD_METHOD_EMAIL;
	w->step = KD_STEP_INFO;
	if (existing_user > 0) {
		if ((r = store_user_get_by_row(st, existing_user, &u, e)) != KD_OK) {
			free(w);
			return r;
		}
		/* The user's details fill the draft so mail and names work. */
		snprintf(w->d.user_id, sizeof(w->d.user_id), "%s", u.user_id);
		snprintf(w->d.name, sizeof(w->d.name), "%s", u.name);
		snprintf(w->d.email, sizeof(w->d.email), "%s", u.email);
		snprintf(w->d.username, sizeof(w->d.username), "%s", u.username);
		store_user_clear(&u);
		w->d.existing_user = existing_user;
		w->d.want_key = 1;
		w->step = KD_STEP_TYPE;
	}
	*out = w;
	return KD_OK;
}

void
wizard_free(struct kd_wizard **wp)
{
	struct kd_wizard *w;
	size_t i;

	if (wp == NULL || (w = *wp) == NULL)
		return;
	for (i = 0; i < w->d.ngroups; i++)
		free(w->d.groups[i]);
	kd_wipe(w, sizeof(*w));
	free(w);
	*wp = NULL;
}

struct kd_draft *
wizard_draft(struct kd_wizard *w)
{
	return &w->d;
}

enum kd_step
wizard_step(const struct kd_wizard *w)
{
	return w->step;
}

const char *
wizard_step_title(enum kd_step s)
{
	return (unsigned)s < KD_NSTEPS ? titles[s] : "?";
}

/* Whether this draft visits step `s`. */
int
wizard_step_applies(const struct kd_wizard *w, enum kd_step s)
{
	const struct kd_draft *d = &w->d;

	switch (s) {
	case KD_STEP_INFO:
	case KD_STEP_GROUPS:
	case KD_STEP_KEY:
		return d->existing_user == 0;
	case KD_STEP_TYPE:
	case KD_STEP_SETTINGS:
	case KD_STEP_ACTIVATION:
		return d->want_key;
	case KD_STEP_TAP:
		return d->want_key && d->method == KD_METHOD_NOW;
	default:
		return 1;
	}
}

void
wizard_progress(const struct kd_wizard *w, int *n, int *of)
{
	int s;

	*n = *of = 0;
	for (s = 0; s <= KD_STEP_CONFIRM; s++) {
		if (!wizard_step_applies(w, (enum kd_step)s))
			continue;
		(*of)++;
		if (s <= (int)w->step)
			(*n)++;
	}
	if (w->step > KD_STEP_CONFIRM)
		*n = *of;
}

/* Entering the settings of a new device type starts from its defaults. */
static void
sync_settings_type(struct kd_wizard *w)
{
	if (w->settings_type != w->d.type) {
		w->d.settings = w->cfg->defaults[w->d.type];
		w->settings_type = w->d.type;
	}
}

int
wizard_next(struct kd_wizard *w)
{
	int s;

	if (w->step >= KD_STEP_CONFIRM)
		return KD_OK;
	if (wizard_check_step(w, w->step) != KD_OK)
		return KD_ERR_INVALID;
	if (w->step == KD_STEP_TYPE)
		sync_settings_type(w);
	if (w->step == KD_STEP_SETTINGS && w->d.key_name[0] == '\0')
		wizard_suggest_key_name(w);
	for (s = (int)w->step + 1; s <= KD_STEP_CONFIRM; s++)
		if (wizard_step_applies(w, (enum kd_step)s))
			break;
	w->step = (enum kd_step)s;
	return KD_OK;
}

int
wizard_back(struct kd_wizard *w)
{
	int s;

	if (w->step > KD_STEP_CONFIRM)
		return KD_ERR_INVALID;
	for (s = (int)w->step - 1; s >= 0; s--)
		if (wizard_step_applies(w, (enum kd_step)s)) {
			w->step = (enum kd_step)s;
			wizard_clear_errors(w);
			return KD_OK;
		}
	return KD_ERR_INVALID;	/* already at the first step */
}

void
wizard_goto(struct kd_wizard *w, enum kd_step s)
{
	w->step = s;
}

const char *
wizard_field_error(const struct kd_wizard *w, enum kd_field f)
{
	if ((unsigned)f >= KD_NFIELDS || w->err[f][0] == '\0')
		return NULL;
	return w->err[f];
}

int
wizard_errors(const struct kd_wizard *w)
{
	int f, n = 0;

	for (f = 0; f < KD_NFIELDS; f++)
		n += w->err[f][0] != '\0';
	return n;
}

void
wizard_clear_errors(struct kd_wizard *w)
{
	memset(w->err, 0, sizeof(w->err));
}

static int
group_index(const struct kd_wizard *w, const char *name)
{
	size_t i;

	for (i = 0; i < w->d.ngroups; i++)
		if (strcasecmp(w->d.groups[i], name) == 0)
			return (int)i;
	return -1;
}

int
wizard_group_selected(const struct kd_wizard *w, const char *name)
{
	return group_index(w, name) >= 0;
}

int
wizard_group_toggle(struct kd_wizard *w, const char *name)
{
	int i = group_index(w, name);

	if (i >= 0) {
		free(w->d.groups[i]);
		memmove(&w->d.groups[i], &w->d.groups[i + 1],
		    (w->d.ngroups - (size_t)i - 1) * sizeof(char *));
		w->d.ngroups--;
		return KD_OK;
	}
	if (w->d.ngroups == KD_DRAFT_MAX_GROUPS)
		return KD_ERR_INVALID;
	if ((w->d.groups[w->d.ngroups] = strdup(name)) == NULL)
		return KD_ERR_NOMEM;
	w->d.ngroups++;
	return KD_OK;
}

int
wizard_group_create(struct kd_wizard *w, const char *name, struct kd_err *e)
{
	char buf[KD_DRAFT_TEXT];
	const char *m;

	snprintf(buf, sizeof(buf), "%s", name);
	validate_trim(buf);
	if ((m = validate_group_name(buf)) != NULL) {
		snprintf(w->err[KD_F_GROUPS], sizeof(w->err[0]), "%s", m);
		return kd_err_set(e, KD_ERR_INVALID, "%s", m);
	}
	w->err[KD_F_GROUPS][0] = '\0';
	if (wizard_group_selected(w, buf))
		return KD_OK;
	return wizard_group_toggle(w, buf);
}

struct kd_key_settings
wizard_settings(const struct kd_wizard *w)
{
	return enroll_settings(w->cfg, &w->d);
}

void
wizard_suggest_key_name(struct kd_wizard *w)
{
	enroll_key_name(w->d.type, w->d.name[0] ? w->d.name : w->d.username,
	    w->d.key_name, sizeof(w->d.key_name));
}

int
wizard_confirm(struct kd_wizard *w, const char *actor,
    const struct kd_cred_record *cred, const char *pin,
    struct kd_enroll_result *res, struct kd_err *e)
{
	int r;

	if ((r = wizard_validate_all(w, e)) != KD_OK)
		return r;
	if ((r = enroll_commit(w->st, w->cfg, &w->d, actor, cred, pin, res,
	    e)) != KD_OK)
		return r;
	w->step = KD_STEP_DONE;
	return KD_OK;
}
