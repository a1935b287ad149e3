/* The screen loop: draw the top screen, wait for a key (bounded, so a
 * signal flag or a worker's progress is seen within a fraction of a
 * second), hand the key to the screen and apply what it says. */
#include "tui/screen.h"
#include "core/operator.h"
#include "tui/draw.h"
#include "tui/term.h"
#include "tui/widget.h"

#include <stdio.h>
#include <string.h>

#define POLL_MS 100

/* The idle lock: after kiosk.idle_lock seconds without a key, every
 * screen closes (nothing unconfirmed is written: the wizard commits only
 * at Confirm), the operator is signed out and an empty start screen opens
 * (nothing happens when that is what is shown already).  It guards a
 * kiosk, and any signed-in operator; an OS user who never signed in (SSH)
 * is not locked out of their own session. */
struct idle {
	long long	 last;		/* the last key, or the sign-in */
	int		 signed_in;	/* as last seen */
};

static struct tui_screen *pop(struct tui_screen *);

static struct tui_screen *
idle_lock(struct tui_screen *top, const struct tui_app *app,
    struct idle *idle)
{
	struct tui_screen *home;

	/* A sign-in by tap ends without a key: the wait for the card is not
	 * idle time held against the operator. */
	if (app->sess->signed_in && !idle->signed_in)
		idle->last = kd_mono_ms();
	idle->signed_in = app->sess->signed_in;
	if ((!app->opts->kiosk && !app->sess->signed_in) ||
	    app->cfg->kiosk_idle_lock <= 0 || app->home == NULL ||
	    kd_mono_ms() - idle->last <
	    (long long)app->cfg->kiosk_idle_lock * 1000)
		return top;
	idle->last = kd_mono_ms();
	if (top->below == NULL && !app->sess->signed_in)
		return top;	/* the redemption screen resets itself */
	if ((home = app->home(app)) == NULL)
		return top;
	while (top != NULL)
		top = pop(top);
	tui_signout(app);
	idle->signed_in = 0;
	return home;
}

static void
draw_too_small(void)
{
	char msg[96];
	int y = LINES / 2 - 1;

	snprintf(msg, sizeof(msg), "Terminal too small: need %dx%d, have %dx%d",
	    TUI_MIN_COLS, TUI_MIN_ROWS, COLS, LINES);
	tui_wrap_draw(y < 0 ? 0 : y, 1, COLS - 2, LINES, tui_attr(TUI_WARN), msg);
	if (y + 2 < LINES)
		tui_text(y + 2, 1, COLS - 2, A_NORMAL,
		    "Enlarge the window; nothing is lost.");
}

/* Who is working, for every screen's header: "ada (operator)". */
static char header_who[160];

static void
draw_who(const struct tui_app *app)
{
	header_who[0] = '\0';
	if (app->sess == NULL || app->actor == NULL || *app->actor == '\0' ||
	    (app->opts->kiosk && !app->sess->signed_in))
		return;	/* a kiosk's public screen: nobody to name */
	snprintf(header_who, sizeof(header_who), "%s%s (%s)",
	    app->sess->signed_in ? "signed in: " : "", app->actor,
	    role_name((enum kd_role)app->sess->role));
}

static void
draw(struct tui_screen *top, const struct tui_app *app)
{
	erase();
	draw_who(app);
	if (tui_term_too_small())
		draw_too_small();
	else {
		top->ops->draw(top, app);
		if (app->sess != NULL && app->sess->notice[0] != '\0') {
			tui_fill(LINES - 2, 0, COLS, A_NORMAL);
			tui_status_draw(TUI_WARN, app->sess->notice);
		}
	}
	tui_cursor_place();
	refresh();
}

static struct tui_screen *
pop(struct tui_screen *top)
{
	struct tui_screen *below = top->below;

	top->ops->free(top);
	return below;
}

static struct tui_screen *
apply(struct tui_screen *top, enum tui_do what, struct tui_screen *next,
    const struct tui_app *app)
{
	switch (what) {
	case TUI_PUSH:
		if (next == NULL)
			break;
		next->below = top;
		return next;
	case TUI_REPLACE:
		if (next == NULL)
			break;
		next->below = top->below;
		top->ops->free(top);
		return next;
	case TUI_POP:
		top = pop(top);
		if (top != NULL && top->ops->resume != NULL)
			top->ops->resume(top, app);
		return top;
	case TUI_QUIT:
		while (top != NULL)
			top = pop(top);
		return NULL;
	case TUI_STAY:
	case TUI_IDLE:
		break;
	}
	return top;
}

/* F1, or `?` as htop, mc and less take it, unless a field has the
 * focus (its cursor is showing): there `?` is typed. */
static int
loop_wants_help(const struct tui_key *k)
{
	if (k->act == TUI_K_F1)
		return 1;
	return k->act == TUI_K_CHAR && k->ch == L'?' && !tui_cursor_shown();
}

int
tui_loop(struct tui_screen *top, const struct tui_app *app)
{
	struct tui_screen *next;
	struct tui_key k;
	enum tui_do what;
	int sig = 0, dirty = 1;
	struct idle idle = { kd_mono_ms(), 0 };

	while (top != NULL && (sig = tui_term_signalled()) == 0) {
		if (dirty)
			draw(top, app);
		tui_key_read(POLL_MS, &k);
		next = NULL;
		what = TUI_STAY;
		dirty = 1;
		if (k.act != TUI_K_NONE && k.act != TUI_K_RESIZE &&
		    app->sess != NULL)
			app->sess->notice[0] = '\0';	/* said once */
		if ((k.act != TUI_K_NONE && k.act != TUI_K_RESIZE) ||
		    (top->ops->busy != NULL && top->ops->busy(top)))
			idle.last = kd_mono_ms();
		if (k.act == TUI_K_NONE) {
			/* Idle: redraw only what a screen's tick changed. */
			if (top->ops->tick != NULL)
				what = top->ops->tick(top, app);
			/* A tick that opens a screen hands it over through
			 * key() with TUI_K_NONE. */
			if (what == TUI_PUSH || what == TUI_REPLACE)
				what = top->ops->key(top, app, &k, &next);
			if ((dirty = what != TUI_IDLE) == 0)
				what = TUI_STAY;
		} else if (k.act == TUI_K_REDRAW) {
			clearok(curscr, TRUE);
		} else if (loop_wants_help(&k) && !tui_term_too_small() &&
		    strcmp(top->ops->name, "help") != 0) {
			next = tui_help_new();
			what = TUI_PUSH;
		} else if (k.act != TUI_K_RESIZE && !tui_term_too_small()) {
			/* Below 80x24 keys would act on a screen not shown. */
			what = top->ops->key(top, app, &k, &next);
		}
		top = apply(top, what, next, app);
		if (top != NULL && k.act == TUI_K_NONE) {
			next = idle_lock(top, app, &idle);
			dirty |= next != top;
			top = next;
		}
	}
	while (top != NULL)
		top = pop(top);
	return sig != 0 ? 128 + sig : 0;
}

void
tui_header_draw(const char *title, const char *right)
{
	attr_t a = tui_attr(TUI_TITLE);
	int rw = right != NULL ? tui_text_width(right) : 0;
	int ww = tui_text_width(header_who), tw = tui_text_width(title);

	tui_fill(0, 0, COLS, a);
	tui_text(0, 1, 8, a, "keydesk");
	/* Who is signed in goes where it fits beside the title. */
	if (ww > 0 && 10 + tw + 2 + ww + 3 + rw < COLS)
		tui_text(0, COLS - 1 - rw - (rw ? 3 : 0) - ww, ww, a, header_who);
	tui_text(0, 10, COLS - 12 - rw, a, title);
	if (right != NULL)
		tui_text(0, COLS - 1 - rw, rw, a, right);
}

void
tui_status_draw(enum tui_role role, const char *msg)
{
	if (msg != NULL && *msg != '\0')
		tui_text(LINES - 2, 1, COLS - 2, tui_attr(role), msg);
}
