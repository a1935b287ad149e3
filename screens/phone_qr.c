/* A smartphone's "Activate now" (the wizard's, and a phone's code typed at
 * a kiosk): a fresh link for the pending key (activate_link_issue) shown
 * as a QR code on the left, drawn dark on light, beside it what to do and
 * the code to type on the page.  The phone does the rest in its browser,
 * against the portal (`keydesk serve`, another process on the same
 * database); the screen reads the key's status about every 300 ms and,
 * when it is Active, says so and closes, as a tap does.  Esc closes it
 * and leaves the key Pending: the link and the mailed one stay open.
 *
 * The code never shrinks below its 4-module quiet zone.  When it does not
 * fit beside the text, the screen says how large the terminal must be and
 * shows the link as text instead. */
#include "screens/tap.h"
#include "tui/draw.h"
#include "tui/widget.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/activate.h"
#include "core/qr.h"

#define POLL_MS		300	/* the key's status is read this often */
#define ACTIVE_MS	1000	/* "Active" stays this long, then it closes */
#define BUSY_MS		180000	/* the idle lock waits this long for a phone */
#define KIOSK_IDLE_MS	120000	/* a kiosk forgets a code left on screen */
#define SIDE_MIN	33	/* columns of text beside the code */

enum phq_phase {
	PQ_WAIT,	/* the code is shown; polling */
	PQ_ACTIVE,	/* the key turned Active */
	PQ_CLOSED,	/* revoked, expired or deleted meanwhile */
	PQ_FAILED,	/* no link could be issued; Enter tries again */
};

struct phoneqr {
	struct tui_screen	 base;
	const struct tui_app	*app;
	struct phone_job	 job;
	enum phq_phase		 phase;
	char			*link;		/* base_url + token */
	char			 code[16];
	char			 expires[32];
	struct kd_qr		*qr;		/* NULL: the link as text */
	int64_t			 opened, polled, active_at, last;
	unsigned		 spin;
	char			 msg[600];	/* why it failed or closed */
	char			 note[600];	/* a status read that failed */
	char			 qr_err[600];	/* why there is no code */
};

static const struct tui_keyhint wait_keys[] = {
	{ "Esc", "Leave pending" }, { "F1", "Help" },
};
static const struct tui_keyhint owner_keys[] = {
	{ "Esc", "Back" }, { "F1", "Help" },
};
static const struct tui_keyhint failed_keys[] = {
	{ "Enter", "Retry" }, { "Esc", "Back" },
};
static const struct tui_keyhint closed_keys[] = {
	{ "Esc", "Back" },
};
static const struct tui_keyhint active_keys[] = {
	{ "Enter", "Continue" },
};

/* The keys while the code is shown: an operator leaves the key pending,
 * its owner (at a kiosk) just goes back. */
static const struct tui_keyhint *
phq_wait_keys(const struct phoneqr *s, size_t *n)
{
	*n = s->job.owner ? KD_NELEM(owner_keys) : KD_NELEM(wait_keys);
	return s->job.owner ? owner_keys : wait_keys;
}

/* ---- the link ---- */

static void
phq_forget(struct phoneqr *s)
{
	kd_free_secret(s->link);
	s->link = NULL;
	kd_wipe(s->code, sizeof(s->code));
	qr_free(&s->qr);
}

static void
phq_fail(struct phoneqr *s, enum phq_phase ph, const char *msg)
{
	phq_forget(s);
	s->phase = ph;
	snprintf(s->msg, sizeof(s->msg), "%s", msg);
}

static void
phq_issue(struct phoneqr *s)
{
	const char *base = s->app->cfg->activation_base_url;
	struct kd_activation_secret sec;
	struct kd_err e;
	int64_t lexp = 0;
	size_t len;

	phq_forget(s);
	s->note[0] = s->qr_err[0] = '\0';
	kd_err_clear(&e);
	if (activate_link_issue(s->app->st, s->app->cfg, s->job.key,
	    s->app->actor, &sec, &lexp, &e) != KD_OK) {
		phq_fail(s, PQ_FAILED, e.msg[0] ? e.msg : kd_strerror(e.code));
		return;
	}
	len = strlen(base) + strlen(sec.token) + 1;
	if ((s->link = malloc(len)) == NULL) {
		kd_wipe(&sec, sizeof(sec));
		phq_fail(s, PQ_FAILED, "out of memory");
		return;
	}
	snprintf(s->link, len, "%s%s", base, sec.token);
	snprintf(s->code, sizeof(s->code), "%s", sec.code);
	kd_wipe(&sec, sizeof(sec));
	kd_time_format(lexp, s->expires, sizeof(s->expires));
	/* A link too long for a code is still shown as text. */
	if (qr_render(s->link, &s->qr, &e) != KD_OK)
		snprintf(s->qr_err, sizeof(s->qr_err), "%s", e.msg);
	s->phase = PQ_WAIT;
	s->opened = s->polled = kd_mono_ms();
}

/* ---- polling ---- */

static enum tui_do
phq_poll(struct phoneqr *s)
{
	enum kd_key_status ks;
	struct kd_err e;

	s->polled = kd_mono_ms();
	s->spin++;
	kd_err_clear(&e);
	switch (activate_key_status(s->app->st, s->job.key, &ks, &e)) {
	case KD_OK:
		break;
	case KD_ERR_NOTFOUND:
		phq_fail(s, PQ_CLOSED, "The key was deleted meanwhile.");
		return TUI_STAY;
	default:
		/* Busy or locked by another keydesk: read again next time. */
		snprintf(s->note, sizeof(s->note), "cannot read the key's "
		    "status (trying again): %s", e.msg[0] ? e.msg :
		    kd_strerror(e.code));
		return TUI_STAY;
	}
	s->note[0] = '\0';
	if (ks == KD_KS_ACTIVE) {
		phq_forget(s);
		s->phase = PQ_ACTIVE;
		s->active_at = kd_mono_ms();
		s->job.active(s->job.arg);
	} else if (ks == KD_KS_REVOKED)
		phq_fail(s, PQ_CLOSED, "The key was revoked meanwhile.");
	else if (ks == KD_KS_EXPIRED)
		phq_fail(s, PQ_CLOSED, "The key's activation expired: resend "
		    "it from the user's Security Keys.");
	return TUI_STAY;
}

/* ---- drawing ---- */

/* The link as text, cut into rows of `width` characters; returns the
 * rows used. */
static int
phq_draw_link(const char *link, int y, int x, int width, int rows)
{
	char row[512];
	const char *p = link;
	size_t n, o;
	int r, cols;

	for (r = 0; r < rows && *p != '\0'; r++) {
		for (o = 0, cols = 0; p[o] != '\0' && o + 4 < sizeof(row); o += n) {
			/* Whole UTF-8 sequences: a lead byte and its tail. */
			for (n = 1; n < 4 &&
			    ((unsigned char)p[o + n] & 0xc0) == 0x80; n++)
				;
			if (cols++ == width)
				break;
		}
		memcpy(row, p, o);
		row[o] = '\0';
		tui_text(y + r, x, width, tui_attr(TUI_DIM), row);
		p += o;
	}
	return r;
}

static void
phq_draw_waiting(const struct phoneqr *s, int y, int x, int width)
{
	static const char spin[] = "|/-\\";

	if (s->note[0] != '\0')
		tui_wrap_draw(y, x, width, 3, tui_attr(TUI_WARN), s->note);
	else
		tui_textf(y, x, width, A_NORMAL, "%c  waiting for the phone",
		    spin[s->spin % 4]);
}

static const char *
phq_steps(const struct phoneqr *s)
{
	return s->job.owner ? "On your phone: open the link, type the code, "
	    "save the passkey. This screen turns Active by itself." :
	    "On the phone: open the link, type the code, save the passkey. "
	    "This screen turns Active by itself.";
}

/* The text beside the code, in the columns from x to the edge. */
static void
phq_draw_side(const struct phoneqr *s, int x)
{
	const struct tui_keyhint *keys;
	int w = COLS - x - 1, y = TUI_TOP;
	size_t n;

	tui_text(y++, x, w, A_BOLD, s->job.owner ?
	    "Scan with your phone's camera" : "Scan with the phone's camera");
	tui_text(y++, x, w, A_NORMAL, s->job.who);
	y += tui_wrap_draw(y, x, w, 2, tui_attr(TUI_DIM), s->job.what) + 1;
	tui_text(y++, x, w, A_NORMAL, "Type this code on the page:");
	tui_textf(y++, x + 2, w - 2, A_BOLD, "%s", s->code);
	y++;
	y += tui_wrap_draw(y, x, w, 4, A_NORMAL, phq_steps(s)) + 1;
	tui_text(y++, x, w, A_NORMAL, "The link works until");
	tui_textf(y++, x + 2, w - 2, A_NORMAL, "%s UTC", s->expires);
	phq_draw_waiting(s, y + 1, x, w);
	keys = phq_wait_keys(s, &n);
	keybar_column_draw(LINES - (int)n, x, w, keys, n);
}

static void
phq_draw_code(const struct phoneqr *s)
{
	int i;

	for (i = 0; i < s->qr->height; i++)
		tui_text(1 + i, 0, s->qr->width, tui_attr(TUI_QR),
		    s->qr->lines[i]);
	phq_draw_side(s, s->qr->width + 1);
}

/* No room for the code: how large the terminal must be, and the link. */
static void
phq_draw_text(const struct phoneqr *s)
{
	const struct tui_keyhint *keys;
	int y = TUI_TOP, w = COLS - 4;
	size_t n;

	if (s->qr != NULL)
		tui_textf(y, 2, w, tui_attr(TUI_WARN), "make the terminal larger "
		    "(needs %dx%d) to show the QR code", s->qr->width + SIDE_MIN + 1,
		    s->qr->height + 1);
	else
		tui_textf(y, 2, w, tui_attr(TUI_WARN), "no QR code: %s",
		    s->qr_err);
	y += 2;
	tui_textf(y++, 2, w, A_NORMAL, "%s, %s", s->job.who, s->job.what);
	tui_text(y++, 2, w, A_BOLD, s->job.owner ? "Open this link on your "
	    "phone:" : "Open this link on the phone:");
	y += phq_draw_link(s->link, y, 4, COLS - 6, 8) + 1;
	tui_textf(y++, 2, w, A_NORMAL, "Type this code on the page:  %s",
	    s->code);
	y += tui_wrap_draw(y, 2, w, 2, A_NORMAL, phq_steps(s));
	tui_textf(y++, 2, w, A_NORMAL, "The link works until %s UTC",
	    s->expires);
	phq_draw_waiting(s, y + 1, 2, w);
	keys = phq_wait_keys(s, &n);
	keybar_draw(keys, n);
}

static void
phq_draw(struct tui_screen *sc, const struct tui_app *app)
{
	struct phoneqr *s = (struct phoneqr *)sc;
	int y = TUI_TOP + 3;

	(void)app;
	tui_header_draw(s->job.title, NULL);
	if (s->phase == PQ_WAIT) {
		if (s->qr != NULL && COLS >= s->qr->width + SIDE_MIN + 1 &&
		    LINES >= s->qr->height + 1)
			phq_draw_code(s);
		else
			phq_draw_text(s);
		return;
	}
	tui_text(TUI_TOP, 2, 16, A_BOLD, "Activating");
	tui_text(TUI_TOP, 19, COLS - 21, A_NORMAL, s->job.who);
	tui_text(TUI_TOP + 1, 19, COLS - 21, A_NORMAL, s->job.what);
	if (s->phase == PQ_ACTIVE) {
		tap_banner_draw(y, 5, TUI_OK, "Active");
		tui_text(y + 6, 6, COLS - 12, tui_attr(TUI_OK), "The key is active: "
		    "the phone registered its passkey.");
		keybar_draw(active_keys, KD_NELEM(active_keys));
		return;
	}
	tap_banner_draw(y, 5, TUI_ERROR, s->phase == PQ_FAILED ?
	    "No link" : "Not activated");
	tui_wrap_draw(y + 6, 6, COLS - 12, 3, tui_attr(TUI_ERROR), s->msg);
	if (s->phase == PQ_FAILED)
		keybar_draw(failed_keys, KD_NELEM(failed_keys));
	else
		keybar_draw(closed_keys, KD_NELEM(closed_keys));
}

/* ---- keys, ticks ---- */

static enum tui_do
phq_key(struct tui_screen *sc, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	struct phoneqr *s = (struct phoneqr *)sc;

	(void)app;
	(void)next;
	s->last = kd_mono_ms();
	switch (k->act) {
	case TUI_K_ESC:
	case TUI_K_CTRL_C:
		return TUI_POP;
	case TUI_K_ENTER:
		if (s->phase == PQ_ACTIVE)
			return TUI_POP;
		if (s->phase == PQ_FAILED)
			phq_issue(s);
		return TUI_STAY;
	default:
		return TUI_STAY;
	}
}

static enum tui_do
phq_tick(struct tui_screen *sc, const struct tui_app *app)
{
	struct phoneqr *s = (struct phoneqr *)sc;
	int64_t now = kd_mono_ms();

	if (s->phase == PQ_ACTIVE)
		return now - s->active_at >= ACTIVE_MS ? TUI_POP : TUI_IDLE;
	/* The person walked away: the next one must not see their code. */
	if (app->opts->kiosk && now - s->last >= KIOSK_IDLE_MS)
		return TUI_POP;
	if (s->phase != PQ_WAIT || now - s->polled < POLL_MS)
		return TUI_IDLE;
	return phq_poll(s);
}

/* Waiting for the phone is not idle, for a while. */
static int
phq_busy(struct tui_screen *sc)
{
	const struct phoneqr *s = (const struct phoneqr *)sc;

	return s->phase == PQ_WAIT && kd_mono_ms() - s->opened < BUSY_MS;
}

static void
phq_free(struct tui_screen *sc)
{
	struct phoneqr *s = (struct phoneqr *)sc;

	phq_forget(s);
	free(s);
}

static const struct tui_screen_ops phq_ops = {
	.name = "phone_qr",
	.draw = phq_draw,
	.key = phq_key,
	.tick = phq_tick,
	.busy = phq_busy,
	.free = phq_free,
};

struct tui_screen *
screen_phone_qr_new(const struct tui_app *app, const struct phone_job *job)
{
	struct phoneqr *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->base.ops = &phq_ops;
	s->app = app;
	s->job = *job;
	s->last = kd_mono_ms();
	phq_issue(s);
	return &s->base;
}
