/* tui_run: set the terminal up, run the screen stack from the users list
 * (a kiosk: from code redemption, and nothing else; with access.signin:
 * from the operator sign-in), and put the terminal back on every way
 * out. */
#include "tui/tui.h"
#include "tui/screen.h"
#include "tui/term.h"
#include "tui/widget.h"
#include "screens/screens.h"
#include "screens/signin.h"
#include "screens/tap.h"

#include <stdio.h>
#include <string.h>

#include "core/operator.h"

int
tui_allows(const struct tui_app *app, int perm)
{
	return role_allows((enum kd_role)app->sess->role, (enum kd_perm)perm);
}

int
tui_permit(const struct tui_app *app, int perm)
{
	if (tui_allows(app, perm))
		return 1;
	snprintf(app->sess->notice, sizeof(app->sess->notice), "Not allowed "
	    "for the %s role.", role_name((enum kd_role)app->sess->role));
	return 0;
}

void
tui_signin(const struct tui_app *app, const char *name, int role)
{
	snprintf(app->sess->actor, sizeof(app->sess->actor), "%s", name);
	app->sess->role = role;
	app->sess->signed_in = 1;
}

void
tui_keybar_role(const struct tui_app *app, const struct tui_keyhint *h,
    const int *perms, size_t n)
{
	struct tui_keyhint keep[32];
	size_t i, m = 0;

	for (i = 0; i < n && m < KD_NELEM(keep); i++)
		if (perms[i] < 0 || tui_allows(app, perms[i]))
			keep[m++] = h[i];
	keybar_draw(keep, m);
}

void
tui_signout(const struct tui_app *app)
{
	snprintf(app->sess->actor, sizeof(app->sess->actor), "%.127s",
	    app->sess->base_actor);
	app->sess->role = app->sess->base_role;
	app->sess->signed_in = 0;
}

/* Who works before anyone signs in, and on which screen they start. */
static void
run_session_init(struct tui_app *app, struct tui_session *sess,
    int have_opts)
{
	const struct tui_opts *o = app->opts;

	memset(sess, 0, sizeof(*sess));
	/* A kiosk acts as "kiosk" until an operator signs in. */
	snprintf(sess->base_actor, sizeof(sess->base_actor), "%s",
	    o->kiosk ? "kiosk" : o->actor != NULL ? o->actor : kd_os_user());
	if (o->kiosk) {
		sess->base_role = KD_ROLE_KIOSK;
		app->home = screen_redeem_new;
	} else if (app->cfg->access_signin) {
		/* Nothing is behind the sign-in but what the operator's own
		 * role allows: signed out, the OS user may do nothing. */
		sess->base_role = KD_ROLE_READONLY;
		app->home = screen_signin_new;
	} else {
		sess->base_role = have_opts ? o->role : KD_ROLE_ADMIN;
		app->home = screen_users_new;
	}
	app->sess = sess;
	tui_signout(app);
	app->actor = sess->actor;
}

int
tui_run(const struct kd_config *cfg, struct kd_store *st,
    const struct tui_opts *opts)
{
	static const struct tui_opts none;
	struct tui_app app;
	struct tui_session sess;
	struct tui_screen *first;
	struct kd_err e;
	int rc;

	kd_err_clear(&e);
	app.cfg = cfg;
	app.st = st;
	app.opts = opts != NULL ? opts : &none;
	run_session_init(&app, &sess, opts != NULL);
	if ((app.worker = tui_worker_new(cfg, store_path(st))) == NULL) {
		fprintf(stderr, "keydesk: out of memory\n");
		return 1;
	}
	if (tui_term_start(&e) != KD_OK) {
		tui_worker_free(&app.worker);
		fprintf(stderr, "keydesk: %s\n", e.msg);
		return 1;
	}
	if ((first = app.home(&app)) == NULL) {
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
