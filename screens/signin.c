/* Operator sign-in (issue 5): a name and a password (masked), or F3 to
 * tap the operator's own security key.  The tap (operator_signin_key)
 * blocks on the device, so it runs in a thread of this screen with its own
 * store handle; Esc sets its cancel flag.  Wrong names and passwords get
 * one message; a locked name counts its seconds down.  On success the
 * audit actor becomes the operator and the role theirs: in kiosk mode an
 * admin or operator goes on to the users list, a kiosk operator back to
 * redemption.  Ctrl-C does nothing in kiosk mode.  With access.signin this
 * is the start screen: the operator's screen opens on top of it, coming
 * back to it signs them out, and Esc leaves the program. */
#include "screens/signin.h"
#include "screens/tap.h"
#include "tui/draw.h"
#include "tui/widget.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fido.h"
#include "core/operator.h"

#define NAME_MAX_LEN	64
#define PASS_MAX_LEN	128

struct signin {
	struct tui_screen	 base;
	const struct tui_app	*app;
	struct tui_field	 name, pass;
	int			 focus;		/* 0 name, 1 password */
	char			 where[256];
	char			 err[512];
	int64_t			 locked_until;	/* clock_ms, 0 none */
	long			 locked_shown;
	/* the key tap */
	pthread_t		 thread;
	int			 joinable;
	atomic_int		 running;
	volatile int		 cancel;
	char			 tap_name[NAME_MAX_LEN * 4 + 1];
	char			 db[4096];
	int			 rc;
	struct kd_operator	 op;
	struct kd_err		 terr;
	unsigned		 spin;
	int			 signed_in;	/* the tap succeeded */
};

/* ---- the worker thread: no curses here ---- */

static void *
signin_main(void *arg)
{
	struct signin *s = arg;
	struct kd_store *st = NULL;
	struct kd_dev_list *l = NULL;
	char path[300] = "";

	kd_err_clear(&s->terr);
	if ((s->rc = store_open(&st, s->db, &s->terr)) != KD_OK)
		goto out;
	/* The reader the tap screen uses: KEYDESK_READER, else the first. */
	if (!tap_env_path(path, sizeof(path)) &&
	    fidodev_list(&l, 0, &s->terr) == KD_OK) {
		if (l->n > 0)
			snprintf(path, sizeof(path), "%s", l->dev[0].path);
		fidodev_list_free(&l);
	}
	if (path[0] == '\0') {
		s->rc = KD_ERR_NODEV;
		snprintf(s->terr.msg, sizeof(s->terr.msg), "no reader or "
		    "security key found: attach one and press F3 again");
		goto out;
	}
	kd_err_clear(&s->terr);
	s->rc = operator_signin_key(st, s->app->cfg, s->tap_name, path,
	    &s->cancel, s->where, &s->op, &s->terr);
out:
	store_close(&st);
	atomic_store_explicit(&s->running, 0, memory_order_release);
	return NULL;
}

static void
signin_join(struct signin *s)
{
	if (!s->joinable)
		return;
	s->cancel = 1;
	pthread_join(s->thread, NULL);
	s->joinable = 0;
}

/* ---- outcomes ---- */

static enum tui_do
signin_done(struct signin *s, const struct kd_operator *op,
    struct tui_screen **next)
{
	const struct tui_app *app = s->app;

	tui_signin(app, op->name, (int)op->role);
	if (app->opts->kiosk && op->role == KD_ROLE_KIOSK)
		return TUI_POP;		/* redemption is below */
	*next = op->role == KD_ROLE_KIOSK ? screen_redeem_new(app) :
	    screen_users_new(app);
	if (*next == NULL) {
		tui_signout(app);
		snprintf(s->err, sizeof(s->err), "cannot open the next screen "
		    "(out of memory)");
		return TUI_STAY;
	}
	/* access.signin: this screen stays below as the start screen. */
	return app->opts->kiosk ? TUI_REPLACE : TUI_PUSH;
}

/* `tap`: the key was tapped, so its own message says what was wrong. */
static void
signin_failed(struct signin *s, int rc, const struct kd_err *e, int tap)
{
	const char *in;
	long left = 0;

	if (rc == KD_ERR_LOCKED) {
		/* "... try again in N seconds" */
		if ((in = strstr(e->msg, "again in ")) != NULL)
			left = strtol(in + 9, NULL, 10);
		if (left < 1)
			left = 1;
		s->locked_until = kd_mono_ms() + (int64_t)left * 1000;
		s->locked_shown = left;
		s->err[0] = '\0';
		return;
	}
	if (rc == KD_ERR_DENIED && !tap)
		snprintf(s->err, sizeof(s->err), "wrong name or password");
	else
		snprintf(s->err, sizeof(s->err), "%s", e->msg[0] ? e->msg :
		    kd_strerror(rc));
}

static enum tui_do
signin_password(struct signin *s, struct tui_screen **next)
{
	char name[NAME_MAX_LEN * 4 + 1], pass[PASS_MAX_LEN * 4 + 1];
	struct kd_operator op;
	struct kd_err e;
	int rc;

	field_get(&s->name, name, sizeof(name));
	field_get(&s->pass, pass, sizeof(pass));
	if (name[0] == '\0') {
		s->focus = 0;
		snprintf(s->err, sizeof(s->err), "type your operator name");
		return TUI_STAY;
	}
	kd_err_clear(&e);
	memset(&op, 0, sizeof(op));
	rc = operator_signin_password(s->app->st, name, pass, s->where, &op,
	    &e);
	kd_wipe(pass, sizeof(pass));
	field_set(&s->pass, "");
	if (rc == KD_OK)
		return signin_done(s, &op, next);
	signin_failed(s, rc, &e, 0);
	return TUI_STAY;
}

static void
signin_tap(struct signin *s)
{
	field_get(&s->name, s->tap_name, sizeof(s->tap_name));
	if (s->tap_name[0] == '\0') {
		s->focus = 0;
		snprintf(s->err, sizeof(s->err), "type your operator name, "
		    "then press F3 and tap your key");
		return;
	}
	s->err[0] = '\0';
	s->cancel = 0;
	memset(&s->op, 0, sizeof(s->op));
	atomic_store(&s->running, 1);
	if (pthread_create(&s->thread, NULL, signin_main, s) != 0) {
		atomic_store(&s->running, 0);
		snprintf(s->err, sizeof(s->err), "cannot start the tap");
		return;
	}
	s->joinable = 1;
}

/* ---- drawing ---- */

static const struct tui_keyhint keys[] = {
	{ "Enter", "Sign in" }, { "Tab", "Next field" },
	{ "F3", "Tap your security key" }, { "Esc", "Back" },
};
static const struct tui_keyhint start_keys[] = {	/* access.signin */
	{ "Enter", "Sign in" }, { "Tab", "Next field" },
	{ "F3", "Tap your security key" }, { "Esc", "Quit" },
};
static const struct tui_keyhint tap_keys[] = { { "Esc", "Cancel" } };

static void
signin_draw(struct tui_screen *sc, const struct tui_app *app)
{
	struct signin *s = (struct signin *)sc;
	static const char spin[] = "|/-\\";
	char stars[PASS_MAX_LEN + 1];
	size_t n;
	int y = TUI_TOP + 1, tapping = atomic_load(&s->running);

	(void)app;
	tui_header_draw("Operator sign-in", NULL);
	tui_wrap_draw(y, 4, COLS - 8, 2, A_NORMAL, "Type your operator name "
	    "and password and press Enter, or type your name and press F3 to "
	    "tap your own security key.");
	tui_text(y + 3, 4, 14, A_BOLD, "Name");
	field_draw(&s->name, y + 3, 19, 30, !tapping && s->focus == 0);
	tui_text(y + 5, 4, 14, A_BOLD, "Password");
	n = s->pass.len < PASS_MAX_LEN ? s->pass.len : PASS_MAX_LEN;
	memset(stars, '*', n);
	stars[n] = '\0';
	tui_fill(y + 5, 19, 30, tui_attr(s->focus == 1 ? TUI_FIELD_FOCUS : TUI_FIELD));
	tui_text(y + 5, 19, 30, tui_attr(s->focus == 1 ? TUI_FIELD_FOCUS : TUI_FIELD),
	    stars);
	if (!tapping && s->focus == 1)
		tui_cursor_want(y + 5, 19 + (int)(n < 29 ? n : 29));
	if (s->locked_until > 0)
		tui_textf(y + 7, 19, COLS - 23, tui_attr(TUI_ERROR), "! too many "
		    "wrong passwords: try again in %ld seconds",
		    s->locked_shown);
	else if (s->err[0] != '\0')
		tui_wrap_draw(y + 7, 19, COLS - 23, 2, tui_attr(TUI_ERROR),
		    s->err);
	if (tapping) {
		tui_textf(y + 10, 4, COLS - 8, A_BOLD, "%c Tap or touch your "
		    "security key...", spin[s->spin % 4]);
		keybar_draw(tap_keys, KD_NELEM(tap_keys));
	} else if (sc->below == NULL)
		keybar_draw(start_keys, KD_NELEM(start_keys));
	else
		keybar_draw(keys, KD_NELEM(keys));
}

/* ---- keys ---- */

static enum tui_do
signin_key(struct tui_screen *sc, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	struct signin *s = (struct signin *)sc;
	struct tui_field *f = s->focus == 0 ? &s->name : &s->pass;

	if (k->act == TUI_K_NONE) {	/* after the tick's TUI_REPLACE */
		if (!s->signed_in)
			return TUI_STAY;
		s->signed_in = 0;
		return signin_done(s, &s->op, next);
	}
	if (atomic_load(&s->running)) {
		if (k->act == TUI_K_ESC)
			s->cancel = 1;
		return TUI_STAY;
	}
	switch (k->act) {
	case TUI_K_CTRL_C:
	case TUI_K_F10:
		return app->opts->kiosk ? TUI_STAY : TUI_QUIT;
	case TUI_K_ESC:
		return TUI_POP;
	case TUI_K_TAB:
	case TUI_K_BACKTAB:
	case TUI_K_UP:
	case TUI_K_DOWN:
		s->focus = !s->focus;
		return TUI_STAY;
	case TUI_K_F3:
		signin_tap(s);
		return TUI_STAY;
	case TUI_K_ENTER:
		if (s->focus == 0) {
			s->focus = 1;
			return TUI_STAY;
		}
		return signin_password(s, next);
	default:
		break;
	}
	if (field_key(f, k) == TUI_W_CHANGED)
		s->err[0] = '\0';
	return TUI_STAY;
}

static enum tui_do
signin_tick(struct tui_screen *sc, const struct tui_app *app)
{
	struct signin *s = (struct signin *)sc;
	enum tui_do what = TUI_IDLE;
	long left;

	(void)app;
	if (s->joinable && !atomic_load_explicit(&s->running,
	    memory_order_acquire)) {
		pthread_join(s->thread, NULL);
		s->joinable = 0;
		if (s->rc == KD_OK) {
			/* The loop asks key() with TUI_K_NONE for the screen
			 * a tick opens. */
			s->signed_in = 1;
			return TUI_REPLACE;
		}
		if (s->cancel)
			snprintf(s->err, sizeof(s->err), "cancelled");
		else
			signin_failed(s, s->rc, &s->terr, 1);
		return TUI_STAY;
	}
	if (atomic_load(&s->running)) {
		s->spin++;
		what = TUI_STAY;
	}
	if (s->locked_until > 0) {
		left = (long)((s->locked_until - kd_mono_ms() + 999) / 1000);
		if (left <= 0) {
			s->locked_until = 0;
			what = TUI_STAY;
		} else if (left != s->locked_shown) {
			s->locked_shown = left;
			what = TUI_STAY;
		}
	}
	return what;
}

/* Back on top (access.signin): whoever signed in here has left. */
static void
signin_resume(struct tui_screen *sc, const struct tui_app *app)
{
	struct signin *s = (struct signin *)sc;

	if (app->sess->signed_in)
		tui_signout(app);
	field_set(&s->name, "");
	field_set(&s->pass, "");
	s->focus = 0;
	s->err[0] = '\0';
}

static void
signin_free(struct tui_screen *sc)
{
	struct signin *s = (struct signin *)sc;

	signin_join(s);
	kd_wipe(s->pass.buf, sizeof(s->pass.buf));
	free(s);
}

static const struct tui_screen_ops signin_ops = {
	.name = "signin",
	.draw = signin_draw,
	.key = signin_key,
	.tick = signin_tick,
	.resume = signin_resume,
	.free = signin_free,
};

struct tui_screen *
screen_signin_new(const struct tui_app *app)
{
	struct signin *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->base.ops = &signin_ops;
	s->app = app;
	field_init(&s->name, NAME_MAX_LEN, "operator name");
	field_init(&s->pass, PASS_MAX_LEN, NULL);
	kd_terminal_name(s->where, sizeof(s->where), "tui");
	snprintf(s->db, sizeof(s->db), "%s", store_path(app->st));
	atomic_init(&s->running, 0);
	return &s->base;
}
