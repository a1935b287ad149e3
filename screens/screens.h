/* The screens, one per file.  Each constructor returns a screen for the
 * loop in tui/loop.c, or NULL when memory ran out. */
#ifndef KD_SCREENS_H
#define KD_SCREENS_H

#include <stdint.h>

#include "tui/screen.h"

struct tui_screen *screen_users_new(const struct tui_app *);
struct tui_screen *screen_user_new(const struct tui_app *, int64_t row);
struct tui_screen *screen_groups_new(const struct tui_app *);
struct tui_screen *screen_outbox_new(const struct tui_app *);
/* The New User wizard (existing_user 0) or "+ New Security Key" for a
 * user (their row id). */
struct tui_screen *screen_wizard_new(const struct tui_app *,
	    int64_t existing_user);

#endif
