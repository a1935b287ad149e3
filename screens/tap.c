/* The tap screen: one "Activate now" session.  tap_run blocks on the card
 * for up to a minute, so it runs in a thread of this screen; the thread
 * never touches curses: it posts the card's state through atomics (and
 * the device name under a mutex), and the screen's tick draws it with a
 * spinner.  Esc sets the session's cancel flag, which the card layer
 * honours within a poll round.  Failures (card pulled, wrong card,
 * timeout, PIN) show a message and Enter tries the same session again; a
 * card that already has a PIN opens a dialog: its current PIN, or a reset
 * after a confirmation that names what is lost.  Only when the credential
 * is verified does the job's commit store anything.
 *
 * The reader: KEYDESK_READER (a reader name as `keydesk readers` shows
 * it, or a USB key's path) when set, else the first reader with a card,
 * else the first USB key; r cycles through what is attached. */
#include "screens/tap_int.h"
#include "tui/draw.h"
#include "tui/widget.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTIVE_MS	1500	/* "Active" stays this long, then Done */
#define KIOSK_IDLE_MS	30000	/* a kiosk forgets a failed tap (and whose) */

/* ---- the worker thread: no curses here ---- */

static void
tap_progress(void *arg, enum kd_tap_state st, const char *device)
{
	struct tapscr *s = arg;

	pthread_mutex_lock(&s->mu);
	if (device != NULL)
		snprintf(s->device, sizeof(s->device), "%s", device);
	pthread_mutex_unlock(&s->mu);
	atomic_store(&s->state, (int)st);
}

/* What is attached, for r (no card is talked to). */
static void
tap_list_paths(struct tapscr *s)
{
	struct kd_dev_list *l = NULL;
	struct kd_err e;
	size_t i;

	if (fidodev_list(&l, 0, &e) != KD_OK)
		return;
	pthread_mutex_lock(&s->mu);
	for (i = 0, s->npaths = 0; i < l->n && s->npaths < NPATHS; i++)
		snprintf(s->paths[s->npaths++], sizeof(s->paths[0]), "%s",
		    l->dev[i].path);
	pthread_mutex_unlock(&s->mu);
	fidodev_list_free(&l);
}

static void *
tap_main(void *arg)
{
	struct tapscr *s = arg;

	tap_list_paths(s);
	kd_err_clear(&s->err);
	s->rc = tap_run(&s->tap, &s->err);
	atomic_store_explicit(&s->running, 0, memory_order_release);
	return NULL;
}

/* ---- starting, stopping, outcomes (UI thread) ---- */

static void
tap_fail(struct tapscr *s, const char *head, const char *msg)
{
	s->phase = PH_FAILED;
	s->last = kd_mono_ms();
	snprintf(s->head, sizeof(s->head), "%s", head);
	snprintf(s->msg, sizeof(s->msg), "%s", msg);
}

static void
tap_start(struct tapscr *s)
{
	s->tap.cancel = 0;
	s->tap.path = s->path[0] != '\0' ? s->path : NULL;
	s->switching = 0;
	s->device[0] = '\0';	/* the thread is not running */
	atomic_store(&s->state, -1);
	atomic_store(&s->running, 1);
	s->started = kd_mono_ms();
	s->phase = PH_RUN;
	if (pthread_create(&s->thread, NULL, tap_main, s) != 0) {
		atomic_store(&s->running, 0);
		tap_fail(s, "Not activated", "cannot start the card thread");
		return;
	}
	s->joinable = 1;
}

static void
tap_join(struct tapscr *s)
{
	if (s->joinable) {
		pthread_join(s->thread, NULL);
		s->joinable = 0;
	}
}

static void
tap_ask_pin(struct tapscr *s, const char *why)
{
	s->phase = PH_ASK_PIN;
	s->last = kd_mono_ms();
	radio_init(&s->choice);
	radio_add(&s->choice, "Enter the card's current PIN", 1);
	radio_add(&s->choice, "Reset the card (every credential on it is "
	    "erased)", 1);
	field_init(&s->pin, 63, NULL);
	snprintf(s->pin_err, sizeof(s->pin_err), "%s", why ? why : "");
}

/* Nothing to talk to.  A USB key needs no pcscd, so its operator hears
 * only about the key; a card's operator hears what to fix: the service,
 * or the reader. */
static void
tap_nodev(struct tapscr *s, const char *m)
{
	char buf[600];

	if (s->job.type == KD_KEY_FIDO2) {
		tap_fail(s, "No security key", "No USB security key found: "
		    "plug one in, then Enter tries again.");
		return;
	}
	if (strstr(m, "pcscd") != NULL && strstr(m, "not running") != NULL)
		snprintf(buf, sizeof(buf), "The card reader service (pcscd) "
		    "is not running: start it (systemctl start pcscd.socket) "
		    "or ask your administrator, then Enter tries again.");
	else if (strstr(m, "no card reader") != NULL)
		snprintf(buf, sizeof(buf), "No card reader found: plug in a "
		    "USB card reader, then Enter tries again (Readers on the "
		    "users screen shows what keydesk sees).");
	else
		snprintf(buf, sizeof(buf), "%s. Check the reader, then Enter "
		    "tries again.", m);
	tap_fail(s, "No card reader", buf);
}

static void
tap_failed(struct tapscr *s)
{
	const char *m = s->err.msg[0] ? s->err.msg : kd_strerror(s->rc);
	char buf[600];

	switch (s->rc) {
	case KD_ERR_REMOVED:
		snprintf(buf, sizeof(buf), "The card left the reader before "
		    "it was done (%s). Put it back, then Enter tries again.", m);
		tap_fail(s, "Card removed", buf);
		break;
	case KD_ERR_TIMEOUT:
		tap_fail(s, "No card", m);
		break;
	case KD_ERR_NOTFIDO:
		tap_fail(s, "Not a FIDO security key", m);
		break;
	case KD_ERR_NODEV:
		tap_nodev(s, m);
		break;
	case KD_ERR_FULL:
		tap_fail(s, "The card is full", m);
		break;
	case KD_ERR_PIN:
		tap_fail(s, "PIN problem", m);
		break;
	default:
		tap_fail(s, "Not activated", m);
		break;
	}
}

static void
tap_done(struct tapscr *s)
{
	struct kd_err e;

	kd_err_clear(&e);
	if (s->job.commit(s->job.arg, &s->tap, &e) != KD_OK) {
		tap_fail(s, "Not saved", e.msg[0] ? e.msg : kd_strerror(e.code));
		return;
	}
	/* Stored (and the PIN is in the queued mail): wipe it here. */
	tap_clear(&s->tap);
	s->phase = PH_ACTIVE;
	s->active_at = kd_mono_ms();
}

/* The thread has ended: what now. */
static enum tui_do
tap_finished(struct tapscr *s)
{
	int had_pin = s->tap.operator_pin[0] != '\0';

	tap_join(s);
	if (s->phase == PH_STOP)
		return TUI_POP;
	/* r while it ran: whatever the cancelled attempt says, try the
	 * reader chosen now (a verified credential is still kept). */
	if (s->switching && s->rc != KD_OK) {
		tap_start(s);
		return TUI_STAY;
	}
	if (s->rc == KD_OK)
		tap_done(s);
	else if (s->rc == KD_ERR_HAS_PIN)
		tap_ask_pin(s, NULL);
	else if (s->rc == KD_ERR_PIN && had_pin) {
		/* The operator's PIN was wrong: ask again, never resend it. */
		kd_wipe(s->tap.operator_pin, sizeof(s->tap.operator_pin));
		tap_ask_pin(s, s->err.msg);
	} else
		tap_failed(s);
	return TUI_STAY;
}

static void
tap_cancel(struct tapscr *s)
{
	s->phase = PH_STOP;
	s->tap.cancel = 1;
}

/* r: the next attached reader or key, or any. */
static void
tap_next_path(struct tapscr *s)
{
	int i, at = -1;

	pthread_mutex_lock(&s->mu);
	if (s->npaths == 0)	/* say so rather than restart in silence */
		snprintf(s->note, sizeof(s->note), "%s", s->job.type ==
		    KD_KEY_FIDO2 ? "No other security key is plugged in." :
		    "No other reader or security key is attached.");
	else
		s->note[0] = '\0';
	for (i = 0; i < s->npaths; i++)
		if (strcmp(s->paths[i], s->path) == 0)
			at = i;
	if (at + 1 < s->npaths)
		snprintf(s->path, sizeof(s->path), "%s", s->paths[at + 1]);
	else
		s->path[0] = '\0';
	pthread_mutex_unlock(&s->mu);
	if (s->npaths == 0 && s->phase == PH_RUN)
		return;
	if (s->phase == PH_RUN) {
		s->switching = 1;
		s->tap.cancel = 1;
	} else
		tap_start(s);
}

/* ---- keys ---- */

static void
tap_pin_wipe(struct tapscr *s)
{
	kd_wipe(s->pin.buf, sizeof(s->pin.buf));
	s->pin.len = s->pin.cur = s->pin.scroll = 0;
}

static enum tui_do
tap_pin_enter(struct tapscr *s)
{
	if (s->choice.sel == 1) {
		dialog_confirm(&s->reset, "Reset the card? (y/N)", "Every "
		    "credential on this card will be erased. y resets it and "
		    "goes on; n goes back.");
		return TUI_STAY;
	}
	if (s->pin.len == 0) {
		snprintf(s->pin_err, sizeof(s->pin_err), "type the card's PIN "
		    "first (or choose Reset)");
		return TUI_STAY;
	}
	field_get(&s->pin, s->tap.operator_pin, sizeof(s->tap.operator_pin));
	tap_pin_wipe(s);
	tap_start(s);
	return TUI_STAY;
}

static enum tui_do
tap_pin_key(struct tapscr *s, const struct tui_key *k)
{
	if (s->reset.open) {
		if (dialog_key(&s->reset, k) == TUI_W_YES) {
			s->tap.reset_first = 1;
			tap_start(s);
		}
		return TUI_STAY;
	}
	switch (k->act) {
	case TUI_K_ESC:
	case TUI_K_CTRL_C:
		return TUI_POP;
	case TUI_K_UP:
	case TUI_K_DOWN:
	case TUI_K_TAB:
	case TUI_K_BACKTAB:
		s->choice.sel = s->choice.cur = !s->choice.sel;
		s->pin_err[0] = '\0';
		return TUI_STAY;
	case TUI_K_ENTER:
		return tap_pin_enter(s);
	default:
		break;
	}
	if (s->choice.sel == 0 && field_key(&s->pin, k) == TUI_W_CHANGED)
		s->pin_err[0] = '\0';
	return TUI_STAY;
}

static enum tui_do
tap_key(struct tui_screen *sc, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	struct tapscr *s = (struct tapscr *)sc;
	int esc = k->act == TUI_K_ESC || k->act == TUI_K_CTRL_C;

	(void)app;
	(void)next;
	s->last = kd_mono_ms();
	switch (s->phase) {
	case PH_ASK_PIN:
		return tap_pin_key(s, k);
	case PH_ACTIVE:
		return k->act == TUI_K_ENTER || esc ? TUI_POP : TUI_STAY;
	case PH_STOP:
		return TUI_STAY;
	case PH_RUN:
		if (esc)
			tap_cancel(s);
		else if (tui_key_letter(k) == 'r')
			tap_next_path(s);
		return TUI_STAY;
	case PH_FAILED:
		if (esc)
			return TUI_POP;
		if (k->act == TUI_K_ENTER) {
			s->note[0] = '\0';
			tap_start(s);
		}
		else if (tui_key_letter(k) == 'r')
			tap_next_path(s);
		return TUI_STAY;
	}
	return TUI_STAY;
}

static enum tui_do
tap_tick(struct tui_screen *sc, const struct tui_app *app)
{
	struct tapscr *s = (struct tapscr *)sc;

	if (s->phase == PH_ACTIVE)
		return kd_mono_ms() - s->active_at >= ACTIVE_MS ? TUI_POP :
		    TUI_IDLE;
	/* The person walked away: the next one starts from the code. */
	if (app->opts->kiosk && (s->phase == PH_FAILED ||
	    s->phase == PH_ASK_PIN) && kd_mono_ms() - s->last >= KIOSK_IDLE_MS)
		return TUI_POP;
	if (!s->joinable)
		return TUI_IDLE;
	if (atomic_load_explicit(&s->running, memory_order_acquire)) {
		s->spin++;	/* the spinner, and the seconds left */
		return TUI_STAY;
	}
	return tap_finished(s);
}

static void
tap_free(struct tui_screen *sc)
{
	struct tapscr *s = (struct tapscr *)sc;

	s->tap.cancel = 1;	/* quitting: the card gets the cancel too */
	tap_join(s);
	tap_clear(&s->tap);
	tap_pin_wipe(s);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* Waiting for the card (up to the tap's own timeout) is not idle. */
static int
tap_busy(struct tui_screen *sc)
{
	const struct tapscr *s = (const struct tapscr *)sc;

	return s->phase == PH_RUN || s->phase == PH_STOP;
}

static const struct tui_screen_ops tap_ops = {
	.name = "tap",
	.draw = tap_draw,
	.key = tap_key,
	.tick = tap_tick,
	.busy = tap_busy,
	.free = tap_free,
};

int
tap_env_path(char *buf, size_t len)
{
	const char *r = getenv("KEYDESK_READER");

	if (r == NULL || *r == '\0')
		return 0;
	/* As the CLI's --reader: a reader's name, or a USB key's path. */
	snprintf(buf, len, "%s%s", strncmp(r, "pcsc:", 5) != 0 &&
	    r[0] != '/' ? "pcsc:" : "", r);
	return 1;
}

struct tui_screen *
screen_tap_new(const struct tui_app *app, const struct tap_job *job)
{
	struct tapscr *s;
	struct kd_err e;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if (pthread_mutex_init(&s->mu, NULL) != 0) {
		free(s);
		return NULL;
	}
	s->base.ops = &tap_ops;
	s->app = app;
	s->job = *job;
	atomic_init(&s->running, 0);
	atomic_init(&s->state, -1);
	tap_env_path(s->path, sizeof(s->path));
	kd_err_clear(&e);
	if (tap_init(&s->tap, app->cfg, job->verification, job->user_name,
	    job->display_name, &e) != KD_OK) {
		tap_fail(s, "Not activated", e.msg);
		return &s->base;
	}
	tap_want(&s->tap, job->type);
	s->tap.progress = tap_progress;
	s->tap.progress_arg = s;
	tap_start(s);
	return &s->base;
}
