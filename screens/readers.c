/* Readers: is pcscd reachable, which readers and USB keys are attached,
 * is a card on the reader, does it answer the FIDO applet and what the
 * authenticator reports.  Probing talks to the cards (a SELECT and a
 * getInfo, nothing is changed) and can take a second, so it runs in a
 * thread of this screen, again 2 s after the last answer and at once on
 * r; the thread never touches curses and hands over a whole list. */
#include "screens/tap.h"
#include "tui/draw.h"
#include "tui/widget.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REFRESH_MS	2000

struct readers {
	struct tui_screen	 base;
	/* the probe thread's result, handed over when `busy` drops */
	pthread_t		 thread;
	int			 joinable;
	atomic_int		 busy;
	struct kd_dev_list	*fresh;
	struct kd_err		 fresh_err;
	int			 fresh_rc;
	/* what is shown */
	struct kd_dev_list	*list;
	struct kd_err		 err;
	int			 rc, probed;
	int64_t			 at;		/* clock_ms of the last answer */
	struct tui_table	 table;
	char			 cell[64];
};

static const struct tui_column columns[] = {
	{ "Reader / key", 19 }, { "Card", 5 }, { "FIDO", 5 }, { "PIN", 5 },
	{ "Slots", 5 }, { "AAGUID", 0 },
};

static void *
readers_main(void *arg)
{
	struct readers *r = arg;

	kd_err_clear(&r->fresh_err);
	r->fresh = NULL;
	r->fresh_rc = fidodev_list(&r->fresh, 1, &r->fresh_err);
	atomic_store_explicit(&r->busy, 0, memory_order_release);
	return NULL;
}

static void
readers_probe(struct readers *r)
{
	atomic_store(&r->busy, 1);
	if (pthread_create(&r->thread, NULL, readers_main, r) != 0) {
		atomic_store(&r->busy, 0);
		r->rc = kd_err_set(&r->err, KD_ERR_IO, "cannot start the probe "
		    "thread");
		r->at = kd_mono_ms();
		return;
	}
	r->joinable = 1;
}

/* The probe is back: show its list, the same device still selected. */
static void
readers_take(struct readers *r)
{
	char *sel = NULL;
	size_t i;

	pthread_join(r->thread, NULL);
	r->joinable = 0;
	if (r->list != NULL && r->table.cur < r->list->n)
		sel = kd_strdup(r->list->dev[r->table.cur].path);
	fidodev_list_free(&r->list);
	r->list = r->fresh;
	r->fresh = NULL;
	r->rc = r->fresh_rc;
	r->err = r->fresh_err;
	r->probed = 1;
	r->at = kd_mono_ms();
	r->table.n = r->list != NULL ? r->list->n : 0;
	for (i = 0; sel != NULL && i < r->table.n; i++)
		if (r->list->dev[i].path != NULL &&
		    strcmp(r->list->dev[i].path, sel) == 0)
			r->table.cur = i;
	free(sel);
}

static const char *
yes_no(int v, int known)
{
	return !known ? "-" : v ? "yes" : "no";
}

static const char *
readers_cell(void *arg, size_t row, int col, attr_t *a)
{
	struct readers *r = arg;
	const struct kd_dev_info *d = &r->list->dev[row];
	int usb = d->kind == KD_DEV_USB, known = d->probed &&
	    d->probe_status == KD_OK;

	switch (col) {
	case 0:
		return d->name;
	case 1:
		return usb ? "USB" : yes_no(d->card_present, 1);
	case 2:
		if (d->probed && !known)
			*a = tui_attr(TUI_ERROR);
		else if (known)
			*a = tui_attr(d->fido ? TUI_OK : TUI_ERROR);
		return d->probed && !known ? "err" : yes_no(d->fido, known);
	case 3:
		return !known || d->pin_set < 0 ? "-" : d->pin_set ? "set" : "no";
	case 4:
		if (!known || d->rk_remaining < 0)
			return "-";
		snprintf(r->cell, sizeof(r->cell), "%lld",
		    (long long)d->rk_remaining);
		return r->cell;
	default:
		return d->aaguid_hex;
	}
}

/* ---- drawing ---- */

/* pcscd's state and what to do about it; returns the rows used. */
static int
readers_draw_status(struct readers *r, int y)
{
	const struct kd_dev_list *l = r->list;
	int n;

	if (!r->probed) {
		tui_text(y, 2, COLS - 4, tui_attr(TUI_DIM), "pcscd: asking...");
		return 1;
	}
	if (r->rc != KD_OK || l == NULL) {
		tui_textf(y, 2, COLS - 4, tui_attr(TUI_ERROR), "cannot list the "
		    "devices: %s", r->err.msg);
		return 1;
	}
	if (!l->pcsc_ok) {
		tui_text(y, 2, COLS - 4, tui_attr(TUI_ERROR), "pcscd: not running");
		n = tui_wrap_draw(y + 1, 4, COLS - 6, 3, A_NORMAL, l->pcsc_msg);
		tui_text(y + 1 + n, 4, COLS - 6, A_BOLD, "To fix: apt install "
		    "pcscd; systemctl start pcscd");
		return n + 2;
	}
	tui_text(y, 2, COLS - 4, tui_attr(TUI_OK), "pcscd: running");
	if (l->pcsc_msg[0] == '\0')
		return 1;
	/* No reader attached. */
	tui_textf(y + 1, 4, COLS - 6, tui_attr(TUI_WARN), "%s", l->pcsc_msg);
	tui_text(y + 2, 4, COLS - 6, A_BOLD, "To fix: plug in a PC/SC reader");
	return 3;
}

static void
readers_line(int y, const char *label, const char *value)
{
	tui_text(y, 4, 6, A_BOLD, label);
	tui_text(y, 11, COLS - 13, A_NORMAL, value);
}

static void
readers_draw_info(const struct kd_dev_info *d, int y)
{
	int b = TUI_BOTTOM;

	tui_text(y, 2, COLS - 4, A_BOLD, d->name);
	if (y + 1 <= b)
		readers_line(y + 1, "Path", d->path);
	if (d->kind == KD_DEV_READER && y + 2 <= b)
		readers_line(y + 2, "ATR", d->card_present ? d->atr_hex :
		    "no card on the reader");
	if (!d->probed)
		return;
	if (d->probe_status != KD_OK) {
		tui_wrap_draw(y + 3, 4, COLS - 6, b - y - 2, tui_attr(TUI_ERROR),
		    d->probe_error);
		return;
	}
	if (y + 3 <= b)
		tui_textf(y + 3, 4, COLS - 6, A_NORMAL, "Applet %s   Versions %s",
		    d->applet[0] ? d->applet : "-", d->versions);
	if (y + 4 <= b)
		tui_textf(y + 4, 4, COLS - 6, A_NORMAL, "PIN %s (min length %d)"
		    "   Free slots %lld   Forced PIN change %s",
		    d->pin_set < 0 ? "not supported" : d->pin_set ? "set" :
		    "not set", d->min_pin_len, (long long)d->rk_remaining,
		    d->can_force_pin_change ? "yes" : "no");
}

static const struct tui_keyhint hints[] = {
	{ "Esc", "Back" }, { "Up/Down", "Select" }, { "r", "Refresh" },
	{ "q", "Quit" },
};

static void
readers_draw(struct tui_screen *sc, const struct tui_app *app)
{
	struct readers *r = (struct readers *)sc;
	char right[32] = "";
	int y = TUI_TOP, h;

	(void)app;
	if (r->list != NULL)
		snprintf(right, sizeof(right), "%zu device%s", r->list->n,
		    r->list->n == 1 ? "" : "s");
	tui_header_draw("Readers and keys", right);
	y += readers_draw_status(r, y) + 1;
	if (r->table.n > 0) {
		h = (int)r->table.n + 1;
		if (h > TUI_BOTTOM - y - 6)
			h = TUI_BOTTOM - y - 6;
		table_draw(&r->table, y, 1, COLS - 2, h);
		readers_draw_info(&r->list->dev[r->table.cur], y + h + 1);
	} else if (r->probed && r->list != NULL && r->list->pcsc_ok)
		tui_wrap_draw(y, 2, COLS - 4, 3, A_NORMAL, "No reader and no "
		    "USB security key attached: plug in a PC/SC reader (or a "
		    "FIDO2 key).");
	tui_status_draw(TUI_DIM, atomic_load(&r->busy) ? "probing..." :
	    "probed every 2 s; r probes now");
	keybar_draw(hints, KD_NELEM(hints));
}

static enum tui_do
readers_key(struct tui_screen *sc, const struct tui_app *app,
    const struct tui_key *k, struct tui_screen **next)
{
	struct readers *r = (struct readers *)sc;

	(void)next;
	if (table_key(&r->table, k, TUI_BOTTOM - TUI_TOP) != TUI_W_UNHANDLED)
		return TUI_STAY;
	switch (k->act) {
	case TUI_K_ESC:
	case TUI_K_BACKSPACE:
	case TUI_K_LEFT:
		return TUI_POP;
	case TUI_K_CTRL_C:
	case TUI_K_F10:
		return app->opts->kiosk ? TUI_POP : TUI_QUIT;
	default:
		break;
	}
	switch (tui_key_letter(k)) {
	case 'r':
		r->at = 0;	/* the tick starts one when none runs */
		return TUI_STAY;
	case 'q':
		return app->opts->kiosk ? TUI_POP : TUI_QUIT;
	default:
		return TUI_STAY;
	}
}

static enum tui_do
readers_tick(struct tui_screen *sc, const struct tui_app *app)
{
	struct readers *r = (struct readers *)sc;

	(void)app;
	if (atomic_load_explicit(&r->busy, memory_order_acquire))
		return TUI_IDLE;
	if (r->joinable) {
		readers_take(r);
		return TUI_STAY;
	}
	if (kd_mono_ms() - r->at < REFRESH_MS)
		return TUI_IDLE;
	readers_probe(r);
	return TUI_STAY;
}

static void
readers_free(struct tui_screen *sc)
{
	struct readers *r = (struct readers *)sc;

	if (r->joinable)	/* a probe is bounded (a few seconds) */
		pthread_join(r->thread, NULL);
	fidodev_list_free(&r->fresh);
	fidodev_list_free(&r->list);
	free(r);
}

static const struct tui_screen_ops readers_ops = {
	.name = "readers",
	.draw = readers_draw,
	.key = readers_key,
	.tick = readers_tick,
	.free = readers_free,
};

struct tui_screen *
screen_readers_new(const struct tui_app *app)
{
	struct readers *r;

	(void)app;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->base.ops = &readers_ops;
	atomic_init(&r->busy, 0);
	table_init(&r->table, columns, (int)KD_NELEM(columns), readers_cell,
	    r, 0);
	readers_probe(r);
	return &r->base;
}
