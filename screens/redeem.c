/* Kiosk redemption: the user types the code from their activation email,
 * taps their card or touches their key (the tap screen), and the pending
 * key becomes Active; a phone's code shows the phone's QR code screen
 * (phone_qr.c), with a fresh link, and the phone activates it there.  The start screen of `keydesk --kiosk`, where there
 * is no way out of it (q is a letter of a code, Ctrl-C does nothing); from
 * the users list, Esc goes back.  Wrong codes are counted per kiosk by the
 * core (activate_check_code), which locks the kiosk out for a while; the
 * screen counts the lock down.  After a success, or 30 s without a key,
 * the screen is empty again for the next person.  In kiosk mode F2 opens
 * the operator sign-in (signin.c). */
#include "screens/signin.h"
#include "screens/tap.h"
#include "tui/draw.h"
#include "tui/widget.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "core/activate.h"

#define IDLE_MS		30000
#define CODE_MAX	16	/* "ABCDE-FGHJK" and some slack for spaces */

struct redeem {
	struct tui_screen	 base;
	const struct tui_app	*app;
	struct tui_field	 code;
	char			 kiosk[256];
	char			 err[512];	/* under the field */
	int64_t			 locked_until;	/* clock_ms, 0 none */
	long			 locked_shown;	/* seconds drawn last */
	struct kd_redeem	 rd;		/* what the code opened */
	int			 tapping;	/* the tap or QR screen is on top */
	int			 active;	/* "Your key is active" */
	int			 pin_mailed;
	char			 done[600];
	unsigned		 run;		/* PIN mail delivery */
	int			 delivering;
	struct tui_delivery	 delivery;
	int64_t			 last;		/* last key or event */
};

static void
redeem_reset(struct redeem *r)
{
	field_set(&r->code, "");
	r->err[0] = '\0';
	r->active = 0;
	r->done[0] = '\0';
	memset(&r->rd, 0, sizeof(r->rd));
}

static void
redeem_locked(struct redeem *r, int64_t seconds)
{
	r->locked_until = kd_mono_ms() + seconds * 1000;
	r->locked_shown = (long)seconds;
}

/* The tap screen's commit: the key becomes active, the code is used up
 * and the PIN mail queued, in one transaction. */
static int
redeem_commit(void *arg, const struct kd_tap *t, struct kd_err *e)
{
	struct redeem *r = arg;
	int rc;

	rc = activate_key_commit(r->app->st, r->app->cfg, r->rd.key,
	    r->rd.activation, &t->rec, tap_pin(t), r->app->actor, e);
	if (rc != KD_OK)
		return rc;
	r->active = 1;
	r->pin_mailed = tap_pin(t) != NULL;
	snprintf(r->done, sizeof(r->done), "%s \"%.250s\" for %.250s.",
	    model_key_type_label(r->rd.type), r->rd.key_name, r->rd.name);
	if (r->pin_mailed) {
		r->delivering = 1;
		r->run = tui_worker_start(r->app->worker);
	}
	return KD_OK;
}

/* The header the tap and the QR screens show for the redeemed key. */
static void
redeem_heading(const struct redeem *r, char *title, size_t tlen, char *who,
    size_t wlen, char *what, size_t len)
{
	snprintf(title, tlen, "Activate your security key");
	snprintf(who, wlen, "%.500s", r->rd.name);
	snprintf(what, len, "%s \"%.300s\"", model_key_type_label(r->rd.type),
	    r->rd.key_name);
}

static enum tui_do
redeem_tap(struct redeem *r, struct tui_screen **next)
{
	struct tap_job j;

	memset(&j, 0, sizeof(j));
	redeem_heading(r, j.title, sizeof(j.title), j.who, sizeof(j.who),
	    j.what, sizeof(j.what));
	j.type = r->rd.type;
	j.verification = r->rd.settings.verification;
	snprintf(j.user_name, sizeof(j.user_name), "%s", r->rd.username);
	snprintf(j.display_name, sizeof(j.display_name), "%s", r->rd.name);
	j.commit = redeem_commit;
	j.arg = r;
	if ((*next = screen_tap_new(r->app, &j)) == NULL) {
		snprintf(r->err, sizeof(r->err), "cannot start the tap (out of "
		    "memory)");
		return TUI_STAY;
	}
	r->tapping = 1;
	return TUI_PUSH;
}

/* The phone's QR screen saw the key Active. */
static void
redeem_phone_active(void *arg)
{
	struct redeem *r = arg;

	r->active = 1;
	r->pin_mailed = 0;
	snprintf(r->done, sizeof(r->done), "%s \"%.250s\" for %.250s.",
	    model_key_type_label(r->rd.type), r->rd.key_name, r->rd.name);
}

static enum tui_do
redeem_phone(struct redeem *r, struct tui_screen **next)
{
	struct phone_job j;

	memset(&j, 0, sizeof(j));
	redeem_heading(r, j.title, sizeof(j.title), j.who, sizeof(j.who),
	    j.what, sizeof(j.what));
	j.key = r->rd.key;
	j.owner = 1;
	j.active = redeem_phone_active;
	j.arg = r;
	if ((*next = screen_phone_qr_new(r->app, &j)) == NULL) {
		snprintf(r->err, sizeof(r->err), "cannot show the QR code (out "
		    "of memory)");
		return TUI_STAY;
	}
	r->tapping = 1;
	return TUI_PUSH;
}

static enum tui_do
redeem_check(struct redeem *r, struct tui_screen **next)
{
	char code[CODE_MAX * 4 + 1];
	struct kd_err e;
	int64_t left;
	int rc;

	field_get(&r->code, code, sizeof(code));
	if (code[0] == '\0') {
		snprintf(r->err, sizeof(r->err), "type the code from your "
		    "activation email");
		return TUI_STAY;
	}
	kd_err_clear(&e);
	rc = activate_check_code(r->app->st, r->kiosk, code, r->app->actor,
	    &r->rd, &e);
	kd_wipe(code, sizeof(code));
	r->err[0] = '\0';
	if (rc == KD_OK && model_now_by_link(r->rd.type))
		return redeem_phone(r, next);
	if (rc == KD_OK)
		return redeem_tap(r, next);
	snprintf(r->err, sizeof(r->err), "%s", e.msg[0] ? e.msg :
	    kd_strerror(rc));
	/* The fifth wrong code is refused as wrong and starts the lock. */
	if ((left = activate_locked_for(r->app->st, r->kiosk)) > 0)
		redeem_locked(r, left);
	return TUI_STAY;
}

/* ---- drawing ---- */

static void
redeem_draw_done(struct redeem *r, int y)
{
	char buf[400];

	tap_banner_draw(y, 5, TUI_OK, "Your key is active");
	tui_text(y + 6, 4, COLS - 8, A_NORMAL, r->done);
	if (r->pin_mailed)
		tui_wrap_draw(y + 7, 4, COLS - 8, 2, A_NORMAL, "Its PIN was "
		    "emailed to you: the card asks for it, and for a new one, "
		    "the first time you use it.");
	if (r->delivering == 2) {
		tui_delivery_describe(&r->delivery, buf, sizeof(buf));
		tui_textf(y + 9, 4, COLS - 8, tui_attr(TUI_DIM), "PIN email: %s",
		    buf);
	}
}

static const struct tui_keyhint keys[] = {
	{ "Enter", "Activate" }, { "Esc", "Clear" },
	{ "F2", "Operator sign-in" },
};
static const struct tui_keyhint keys_back[] = {
	{ "Enter", "Activate" }, { "Esc", "Clear / Back" },
};

static void
redeem_draw(struct tui_screen *sc, const struct tui_app *app)
{
	struct redeem *r = (struct redeem *)sc;
	char buf[600];
	int y = TUI_TOP + 1;

	tui_header_draw("Activate your security key", NULL);
	tui_wrap_draw(y, 4, COLS - 8, 2, A_NORMAL, "Type the code from your "
	    "activation email and press Enter; then tap your card, touch your "
	    "security key, or scan the QR code with your phone.");
	tui_text(y + 3, 4, 14, A_BOLD, "Code");
	field_draw(&r->code, y + 3, 19, 20, !r->active);
	tui_text(y + 3, 41, COLS - 45, tui_attr(TUI_DIM), "like ABCDE-FGHJK");
	if (r->locked_until > 0)
		tui_textf(y + 4, 19, COLS - 23, tui_attr(TUI_ERROR), "! too many "
		    "wrong codes: try again in %ld seconds", r->locked_shown);
	else if (r->err[0] != '\0') {
		snprintf(buf, sizeof(buf), "! %s", r->err);
		tui_wrap_draw(y + 4, 19, COLS - 23, 2, tui_attr(TUI_ERROR), buf);
	}
	if (r->active)
		redeem_draw_done(r, y + 7);
	if (app->opts->kiosk)
		keybar_draw(keys, KD_NELEM(keys));
	else
		keybar_draw(keys_back, KD_NELEM(keys_back));
}

/* ---- keys ---- */

static enum tui_do
redeem_key(struct tui_screen *sc, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	struct redeem *r = (struct redeem *)sc;
	struct tui_key up = *k;

	r->last = kd_mono_ms();
	switch (k->act) {
	case TUI_K_CTRL_C:
	case TUI_K_F10:
		/* A kiosk has no way out of the program. */
		return app->opts->kiosk ? TUI_STAY : TUI_QUIT;
	case TUI_K_F2:
		/* A kiosk's only way to the admin screens. */
		if (!app->opts->kiosk)
			return TUI_STAY;
		redeem_reset(r);
		*next = screen_signin_new(app);
		return *next != NULL ? TUI_PUSH : TUI_STAY;
	case TUI_K_ESC:
		if (!app->opts->kiosk && r->code.len == 0 && !r->active)
			return TUI_POP;
		redeem_reset(r);
		return TUI_STAY;
	case TUI_K_ENTER:
		if (r->active) {
			redeem_reset(r);
			return TUI_STAY;
		}
		return redeem_check(r, next);
	default:
		break;
	}
	/* Codes are shown as mailed: upper case. */
	if (up.act == TUI_K_CHAR)
		up.ch = (wchar_t)towupper((wint_t)up.ch);
	if (r->active && up.act == TUI_K_CHAR)
		redeem_reset(r);	/* the next person starts typing */
	if (field_key(&r->code, &up) == TUI_W_CHANGED)
		r->err[0] = '\0';
	return TUI_STAY;
}

static enum tui_do
redeem_tick(struct tui_screen *sc, const struct tui_app *app)
{
	struct redeem *r = (struct redeem *)sc;
	enum tui_do what = TUI_IDLE;
	int64_t now = kd_mono_ms();
	long left;

	if (r->delivering == 1 && r->run == 0)	/* another was running */
		r->run = tui_worker_start(app->worker);
	if (r->delivering == 1 && tui_worker_poll(app->worker, r->run,
	    &r->delivery) == TUI_WORKER_DONE) {
		r->delivering = 2;
		what = TUI_STAY;
	}
	if (r->locked_until > 0) {
		left = (long)((r->locked_until - now + 999) / 1000);
		if (left <= 0) {
			r->locked_until = 0;
			r->err[0] = '\0';
			what = TUI_STAY;
		} else if (left != r->locked_shown) {
			r->locked_shown = left;
			what = TUI_STAY;
		}
	}
	if (now - r->last >= IDLE_MS && (r->code.len > 0 || r->active ||
	    r->err[0] != '\0')) {
		redeem_reset(r);
		what = TUI_STAY;
	}
	return what;
}

static void
redeem_resume(struct tui_screen *sc, const struct tui_app *app)
{
	struct redeem *r = (struct redeem *)sc;

	(void)app;
	r->last = kd_mono_ms();
	if (!r->tapping)
		return;
	r->tapping = 0;
	if (r->active)
		field_set(&r->code, "");
	else if (model_now_by_link(r->rd.type))
		snprintf(r->err, sizeof(r->err), "not activated yet: the link "
		    "still works on the phone; Enter shows a QR code again");
	else
		snprintf(r->err, sizeof(r->err), "not activated: Enter tries "
		    "again, Esc clears the code");
}

static void
redeem_free(struct tui_screen *sc)
{
	struct redeem *r = (struct redeem *)sc;

	kd_wipe(r->code.buf, sizeof(r->code.buf));
	free(r);
}

static const struct tui_screen_ops redeem_ops = {
	.name = "redeem",
	.draw = redeem_draw,
	.key = redeem_key,
	.tick = redeem_tick,
	.resume = redeem_resume,
	.free = redeem_free,
};

struct tui_screen *
screen_redeem_new(const struct tui_app *app)
{
	struct redeem *r;
	int64_t left;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->base.ops = &redeem_ops;
	r->app = app;
	field_init(&r->code, CODE_MAX, "ABCDE-FGHJK");
	kd_terminal_name(r->kiosk, sizeof(r->kiosk), "tui");
	r->last = kd_mono_ms();
	/* A kiosk restarted during a lock-out is still locked. */
	if ((left = activate_locked_for(app->st, r->kiosk)) > 0)
		redeem_locked(r, left);
	return &r->base;
}
