/* Operator sign-in (issue 5): opened from the kiosk's redemption screen. */
#ifndef KD_SCREENS_SIGNIN_H
#define KD_SCREENS_SIGNIN_H

#include "screens/screens.h"

/* Name and password, or F3 to tap the operator's own key.  On success
 * the session's actor and role become the operator's (tui_signin). */
struct tui_screen *screen_signin_new(const struct tui_app *);

#endif
