#include "core/model.h"
#include "core/kd.h"

#include <string.h>

static const char *type_names[] = { "smartphone", "card", "fido2" };
static const char *type_labels[] = { "Smartphone", "Contactless Card",
    "FIDO2 Hardware Security Key" };
static const char *verif_names[] = { "biometric", "pin", "pinless" };
static const char *verif_labels[] = { "Biometric (fingerprint/face)",
    "PIN verification", "PINless" };
static const char *kstatus_names[] = { "pending", "active", "revoked",
    "expired" };
static const char *ustatus_names[] = { "no-key", "pending", "active" };
static const char *ustatus_labels[] = { "No key", "Pending", "Active" };
static const char *setting_names[] = { "auditable", "bluetooth_proximity",
    "offline_login", "verification" };
static const char *setting_labels[] = { "Auditable", "Bluetooth proximity",
    "Offline Login", "Verification" };
/* One line each, for the Settings step, --help, the man page and docs. */
static const char *setting_helps[] = {
	"every sign-in with this key is written to the audit log",
	"the phone must be near the computer (Bluetooth) to sign in",
	"the key also signs in when the computer is offline",
	"how the user proves it is them: fingerprint/face, PIN, or none",
};

static int
lookup(const char **names, int n, const char *s)
{
	int i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

#define NAME(tab, v) ((unsigned)(v) < KD_NELEM(tab) ? tab[v] : "?")

const char *model_key_type_name(enum kd_key_type t) { return NAME(type_names, t); }
const char *model_key_type_label(enum kd_key_type t) { return NAME(type_labels, t); }
const char *model_verification_name(enum kd_verification v) { return NAME(verif_names, v); }
const char *model_verification_label(enum kd_verification v) { return NAME(verif_labels, v); }
const char *model_key_status_name(enum kd_key_status s) { return NAME(kstatus_names, s); }
const char *model_user_status_name(enum kd_user_status s) { return NAME(ustatus_names, s); }
const char *model_user_status_label(enum kd_user_status s) { return NAME(ustatus_labels, s); }
const char *model_setting_name(enum kd_setting s) { return NAME(setting_names, s); }
const char *model_setting_label(enum kd_setting s) { return NAME(setting_labels, s); }
const char *model_setting_help(enum kd_setting s) { return NAME(setting_helps, s); }

int
model_key_type_parse(const char *s, enum kd_key_type *t)
{
	int i = lookup(type_names, KD_NELEM(type_names), s);

	if (i < 0)
		return KD_ERR_INVALID;
	*t = (enum kd_key_type)i;
	return KD_OK;
}

int
model_verification_parse(const char *s, enum kd_verification *v)
{
	int i = lookup(verif_names, KD_NELEM(verif_names), s);

	if (i < 0)
		return KD_ERR_INVALID;
	*v = (enum kd_verification)i;
	return KD_OK;
}

int
model_key_status_parse(const char *s, enum kd_key_status *v)
{
	int i = lookup(kstatus_names, KD_NELEM(kstatus_names), s);

	if (i < 0)
		return KD_ERR_INVALID;
	*v = (enum kd_key_status)i;
	return KD_OK;
}

int
model_user_status_parse(const char *s, enum kd_user_status *v)
{
	int i = lookup(ustatus_names, KD_NELEM(ustatus_names), s);

	if (i < 0)
		return KD_ERR_INVALID;
	*v = (enum kd_user_status)i;
	return KD_OK;
}

int
model_setting_parse(const char *s, enum kd_setting *v)
{
	int i = lookup(setting_names, KD_NELEM(setting_names), s);

	if (i < 0)
		return KD_ERR_INVALID;
	*v = (enum kd_setting)i;
	return KD_OK;
}

int
model_setting_applies(enum kd_key_type t, enum kd_setting s)
{
	switch (t) {
	case KD_KEY_SMARTPHONE:
		return 1;
	case KD_KEY_CARD:
		return s == KD_SET_OFFLINE || s == KD_SET_VERIFICATION;
	case KD_KEY_FIDO2:
		return s == KD_SET_AUDITABLE || s == KD_SET_OFFLINE;
	default:
		return 0;
	}
}

int
model_verification_allowed(enum kd_key_type t, enum kd_verification v)
{
	switch (t) {
	case KD_KEY_SMARTPHONE:
		return v == KD_VERIFY_BIOMETRIC || v == KD_VERIFY_PIN;
	case KD_KEY_CARD:
		return v == KD_VERIFY_PINLESS || v == KD_VERIFY_PIN;
	case KD_KEY_FIDO2:
		return 1;	/* no choice offered; the default is kept */
	default:
		return 0;
	}
}

int
model_now_by_link(enum kd_key_type t)
{
	return t == KD_KEY_SMARTPHONE;
}
