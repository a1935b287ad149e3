/* tui_run: set the terminal up, run the screen stack from the users list
 * (a kiosk: from code redemption, and nothing else), and put the terminal
 * back on every way out. */
#include "tui/tui.h"
#include "tui/screen.h"
#include "tui/term.h"
#include "screens/screens.h"
#include "screens/tap.h"

#include <stdio.h>

int
tui_run(const struct kd_config *cfg, struct kd_store *st,
    const struct tui_opts *opts)
{
	static const struct tui_opts none;
	struct tui_app app;
	struct tui_screen *first;
	struct kd_err e;
	int rc;

	kd_err_clear(&e);
	app.cfg = cfg;
	app.st = st;
	app.opts = opts != NULL ? opts : &none;
	app.actor = app.opts->actor != NULL ? app.opts->actor : kd_os_user();
	if ((app.worker = tui_worker_new(cfg, store_path(st))) == NULL) {
		fprintf(stderr, "keydesk: out of memory\n");
		return 1;
	}
	if (tui_term_start(&e) != KD_OK) {
		tui_worker_free(&app.worker);
		fprintf(stderr, "keydesk: %s\n", e.msg);
		return 1;
	}
	first = app.opts->kiosk ? screen_redeem_new(&app) :
	    screen_users_new(&app);
	if (first == NULL) {
		tui_term_end();
		tui_worker_free(&app.worker);
		fprintf(stderr, "keydesk: out of memory\n");
		return 1;
	}
	rc = tui_loop(first, &app);
	tui_term_end();
	/* After the terminal is back: joining may wait for an SMTP timeout. */
	tui_worker_free(&app.worker);
	return rc;
}
