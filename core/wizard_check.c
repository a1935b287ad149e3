/* Validation of the wizard's fields and steps.  Messages are short enough
 * to sit under the field they belong to. */
#include "core/wizard_int.h"

#include <stdio.h>
#include <string.h>

#include "core/validate.h"

static int
set_error(struct kd_wizard *w, enum kd_field f, const char *msg)
{
	if (msg == NULL) {
		w->err[f][0] = '\0';
		return KD_OK;
	}
	snprintf(w->err[f], sizeof(w->err[f]), "%s", msg);
	return KD_ERR_INVALID;
}

/* Uniqueness is checked against the database; the commit checks again
 * inside its transaction, since another kiosk may take the name first. */
static const char *
check_unique(struct kd_wizard *w, enum kd_field f, const char *v)
{
	int taken;

	taken = f == KD_F_USER_ID ? store_user_id_taken(w->st, v, 0) :
	    store_username_taken(w->st, v, 0);
	if (taken < 0)
		return "cannot check: database error";
	if (taken)
		return f == KD_F_USER_ID ? "this user ID is already taken" :
		    "this username is already taken";
	return NULL;
}

static const char *
check_text_field(struct kd_wizard *w, enum kd_field f)
{
	struct kd_draft *d = &w->d;
	const char *m;

	switch (f) {
	case KD_F_USER_ID:
		validate_trim(d->user_id);
		if ((m = validate_user_id(d->user_id)) == NULL)
			m = check_unique(w, f, d->user_id);
		return m;
	case KD_F_NAME:
		validate_trim(d->name);
		return validate_name(d->name);
	case KD_F_EMAIL:
		validate_trim(d->email);
		return validate_email(d->email);
	case KD_F_USERNAME:
		validate_trim(d->username);
		if ((m = validate_username(d->username)) == NULL)
			m = check_unique(w, f, d->username);
		return m;
	case KD_F_KEY_NAME:
		validate_trim(d->key_name);
		return validate_key_name(d->key_name);
	default:
		return NULL;
	}
}

static const char *
check_groups(struct kd_wizard *w)
{
	const char *m;
	size_t i;

	for (i = 0; i < w->d.ngroups; i++)
		if ((m = validate_group_name(w->d.groups[i])) != NULL)
			return m;
	return NULL;
}

static const char *
check_settings(struct kd_wizard *w)
{
	const struct kd_key_settings s = wizard_settings(w);

	if ((unsigned)w->d.type >= KD_KEY_NTYPES)
		return "choose a device type";
	if (!model_verification_allowed(w->d.type, s.verification))
		return "this verification is not available for this device";
	return NULL;
}

static const char *
check_method(struct kd_wizard *w)
{
	if (w->d.method != KD_METHOD_EMAIL && w->d.method != KD_METHOD_NOW)
		return "choose how the key is activated";
	return NULL;
}

int
wizard_check_field(struct kd_wizard *w, enum kd_field f)
{
	switch (f) {
	case KD_F_GROUPS:
		return set_error(w, f, check_groups(w));
	case KD_F_TYPE:
	case KD_F_SETTINGS:
		return set_error(w, f, check_settings(w));
	case KD_F_METHOD:
		return set_error(w, f, check_method(w));
	default:
		return set_error(w, f, check_text_field(w, f));
	}
}

static const enum kd_field info_fields[] = { KD_F_USER_ID, KD_F_NAME,
    KD_F_EMAIL, KD_F_USERNAME };

int
wizard_check_step(struct kd_wizard *w, enum kd_step s)
{
	int r = KD_OK;
	size_t i;

	switch (s) {
	case KD_STEP_INFO:
		for (i = 0; i < KD_NELEM(info_fields); i++)
			if (wizard_check_field(w, info_fields[i]) != KD_OK)
				r = KD_ERR_INVALID;
		return r;
	case KD_STEP_GROUPS:
		return wizard_check_field(w, KD_F_GROUPS);
	case KD_STEP_TYPE:
		return (unsigned)w->d.type < KD_KEY_NTYPES ? KD_OK :
		    set_error(w, KD_F_TYPE, "choose a device type");
	case KD_STEP_SETTINGS:
		return wizard_check_field(w, KD_F_SETTINGS);
	case KD_STEP_ACTIVATION:
		if (wizard_check_field(w, KD_F_KEY_NAME) != KD_OK)
			r = KD_ERR_INVALID;
		if (wizard_check_field(w, KD_F_METHOD) != KD_OK)
			r = KD_ERR_INVALID;
		return r;
	default:
		return KD_OK;
	}
}

int
wizard_validate_all(struct kd_wizard *w, struct kd_err *e)
{
	int s, f;

	for (s = 0; s < KD_STEP_CONFIRM; s++) {
		if (!wizard_step_applies(w, (enum kd_step)s))
			continue;
		if (wizard_check_step(w, (enum kd_step)s) == KD_OK)
			continue;
		for (f = 0; f < KD_NFIELDS; f++)
			if (w->err[f][0] != '\0')
				return kd_err_set(e, KD_ERR_INVALID, "%s: %s",
				    wizard_field_label((enum kd_field)f), w->err[f]);
		return kd_err_set(e, KD_ERR_INVALID, "%s is not complete",
		    wizard_step_title((enum kd_step)s));
	}
	return KD_OK;
}

const char *
wizard_field_label(enum kd_field f)
{
	static const char *labels[KD_NFIELDS] = { "User ID", "Full name",
	    "Email", "Username", "Groups", "Device type", "Settings",
	    "Key name", "Activation method" };

	return (unsigned)f < KD_NFIELDS ? labels[f] : "?";
}
