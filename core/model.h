/* The things keydesk manages: users, groups, keys and their settings. */
#ifndef KD_MODEL_H
#define KD_MODEL_H

#include <stdint.h>

enum kd_key_type {
	KD_KEY_SMARTPHONE = 0,
	KD_KEY_CARD = 1,
	KD_KEY_FIDO2 = 2,
	KD_KEY_NTYPES
};

enum kd_verification {
	KD_VERIFY_BIOMETRIC = 0,
	KD_VERIFY_PIN = 1,
	KD_VERIFY_PINLESS = 2,
};

enum kd_key_status {
	KD_KS_PENDING = 0,
	KD_KS_ACTIVE = 1,
	KD_KS_REVOKED = 2,
	KD_KS_EXPIRED = 3,
};

/* Derived from the user's keys: Active if any key is active, Pending if one
 * is pending, otherwise No key. */
enum kd_user_status {
	KD_US_NOKEY = 0,
	KD_US_PENDING = 1,
	KD_US_ACTIVE = 2,
};

enum kd_setting {
	KD_SET_AUDITABLE = 0,
	KD_SET_BLUETOOTH = 1,
	KD_SET_OFFLINE = 2,
	KD_SET_VERIFICATION = 3,
	KD_NSETTINGS
};

struct kd_key_settings {
	int	auditable;
	int	bluetooth_proximity;
	int	offline_login;
	enum kd_verification verification;
};

/* Field limits (in code points) shared by the wizard, CLI and import. */
#define KD_USER_ID_MAX	64
#define KD_NAME_MAX	128
#define KD_EMAIL_MAX	254
#define KD_USERNAME_MAX	64
#define KD_GROUP_MAX	64
#define KD_KEY_NAME_MAX	64

/* Names used in the database, config, CLI and JSON ("card", "pin", ...). */
const char *model_key_type_name(enum kd_key_type);	/* "smartphone" */
const char *model_key_type_label(enum kd_key_type);	/* "Contactless Card" */
int	model_key_type_parse(const char *, enum kd_key_type *);
const char *model_verification_name(enum kd_verification);
const char *model_verification_label(enum kd_verification);
int	model_verification_parse(const char *, enum kd_verification *);
const char *model_key_status_name(enum kd_key_status);
int	model_key_status_parse(const char *, enum kd_key_status *);
const char *model_user_status_name(enum kd_user_status);	/* "no-key" */
const char *model_user_status_label(enum kd_user_status);	/* "No key" */
int	model_user_status_parse(const char *, enum kd_user_status *);
const char *model_setting_name(enum kd_setting);	/* "bluetooth_proximity" */
const char *model_setting_label(enum kd_setting);	/* "Bluetooth proximity" */
const char *model_setting_help(enum kd_setting);	/* what it does, one line */
int	model_setting_parse(const char *, enum kd_setting *);

/* Which settings a device type has (DESIGN.md § flows, step 5). */
int	model_setting_applies(enum kd_key_type, enum kd_setting);
/* Which verification choices a device type offers. */
int	model_verification_allowed(enum kd_key_type, enum kd_verification);
/* Whether "Activate now" for this type goes through the activation link
 * (shown as a QR code that the phone scans, the key written Pending with
 * its email queued first) rather than a tap or touch at the desk:
 * smartphones. */
int	model_now_by_link(enum kd_key_type);

#endif
