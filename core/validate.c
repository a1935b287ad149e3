/* Field rules: UTF-8 only, no control characters, lengths in code points,
 * plus the syntax each field needs. */
#include "core/validate.h"

#include <stdio.h>
#include <string.h>

#include "core/kd.h"
#include "core/mail.h"
#include "core/model.h"

/* The checks every text field shares. */
static const char *
text_rule(const char *s, size_t max, const char *what)
{
	static char msg[96];

	if (s == NULL || s[0] == '\0') {
		snprintf(msg, sizeof(msg), "%s is required", what);
		return msg;
	}
	if (!kd_utf8_valid(s))
		return "must be valid UTF-8 text";
	if (kd_has_control(s))
		return "must not contain control characters";
	if (kd_utf8_len(s) > max) {
		snprintf(msg, sizeof(msg), "at most %zu characters", max);
		return msg;
	}
	return NULL;
}

const char *
validate_user_id(const char *s)
{
	const char *m;

	if ((m = text_rule(s, KD_USER_ID_MAX, "User ID")) != NULL)
		return m;
	if (strpbrk(s, " \t") != NULL)
		return "must not contain spaces";
	return NULL;
}

const char *
validate_name(const char *s)
{
	return text_rule(s, KD_NAME_MAX, "Full name");
}

const char *
validate_email(const char *s)
{
	const char *m;

	if ((m = text_rule(s, KD_EMAIL_MAX, "Email")) != NULL)
		return m;
	if (!mail_addr_valid(s))
		return "not a valid email address (name@example.com)";
	return NULL;
}

const char *
validate_username(const char *s)
{
	const char *m, *p;

	if ((m = text_rule(s, KD_USERNAME_MAX, "Username")) != NULL)
		return m;
	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("._-@", *p) != NULL))
			return "letters, digits and . _ - @ only";
	return NULL;
}

const char *
validate_group_name(const char *s)
{
	return text_rule(s, KD_GROUP_MAX, "Group name");
}

const char *
validate_key_name(const char *s)
{
	return text_rule(s, KD_KEY_NAME_MAX, "Name");
}

void
validate_trim(char *s)
{
	size_t n, i = 0;

	if (s == NULL)
		return;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (i > 0)
		memmove(s, s + i, strlen(s + i) + 1);
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}
