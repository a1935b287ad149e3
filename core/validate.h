/* Field rules shared by the wizard, the CLI, user edits and CSV import. */
#ifndef KD_VALIDATE_H
#define KD_VALIDATE_H

#include <stddef.h>

/* Each returns NULL when `s` is acceptable, else a short message fit to
 * show under the field.  They do not check uniqueness (the store does). */
const char *validate_user_id(const char *);
const char *validate_name(const char *);
const char *validate_email(const char *);
const char *validate_username(const char *);
const char *validate_group_name(const char *);
const char *validate_key_name(const char *);

/* Strips leading and trailing spaces and tabs in place. */
void	validate_trim(char *);

#endif
