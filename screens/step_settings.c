/* Step 5, Settings: "Use default settings" on shows the configured
 * defaults read-only; off shows only the settings that apply to the
 * device type (model_setting_applies) and the verification choices the
 * type allows (model_verification_allowed). */
#include "screens/wizard.h"
#include "tui/draw.h"

#include <stdlib.h>
#include <string.h>

struct settings {
	enum kd_setting		 bools[3];	/* toggles shown, in order */
	int			 nbools;
	struct tui_radio	 verif;
	enum kd_verification	 vmap[3];	/* radio row -> choice */
	int			 has_verif;
	int			 focus;	/* 0 defaults, 1..nbools, nbools+1 */
};

static int *
setting_ptr(struct kd_key_settings *s, enum kd_setting which)
{
	switch (which) {
	case KD_SET_AUDITABLE: return &s->auditable;
	case KD_SET_BLUETOOTH: return &s->bluetooth_proximity;
	default: return &s->offline_login;
	}
}

/* What to show for the draft's type; a verification the type does not
 * allow (the type changed since) becomes the type's default. */
static void
settings_build(struct settings *s, struct wiz *w)
{
	struct kd_draft *d = wizard_draft(w->wz);
	enum kd_key_type t = d->type;
	int i;

	s->nbools = 0;
	for (i = KD_SET_AUDITABLE; i <= KD_SET_OFFLINE; i++)
		if (model_setting_applies(t, (enum kd_setting)i))
			s->bools[s->nbools++] = (enum kd_setting)i;
	radio_init(&s->verif);
	s->has_verif = model_setting_applies(t, KD_SET_VERIFICATION);
	if (!d->use_defaults && !model_verification_allowed(t,
	    d->settings.verification))
		d->settings.verification = w->app->cfg->defaults[t].verification;
	for (i = 0; s->has_verif && i <= KD_VERIFY_PINLESS; i++) {
		if (!model_verification_allowed(t, (enum kd_verification)i))
			continue;
		if (d->settings.verification == (enum kd_verification)i)
			s->verif.sel = s->verif.cur = s->verif.n;
		s->vmap[s->verif.n] = (enum kd_verification)i;
		radio_add(&s->verif,
		    model_verification_label((enum kd_verification)i), 1);
	}
}

static void *
settings_open(struct wiz *w)
{
	struct settings *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	settings_build(s, w);
	return s;
}

/* What a setting does, one dim line under it (core/model.c says). */
static void
settings_draw_help(int y, enum kd_setting set)
{
	tui_text(y, 8, COLS - 10, tui_attr(TUI_DIM), model_setting_help(set));
}

static void
settings_draw_defaults(struct wiz *w, int y)
{
	struct kd_key_settings ks = wizard_settings(w->wz);
	enum kd_key_type t = wizard_draft(w->wz)->type;
	const int on[] = { ks.auditable, ks.bluetooth_proximity,
	    ks.offline_login };
	attr_t dim = tui_attr(TUI_DIM);
	int i;

	tui_text(y++, 4, COLS - 8, A_NORMAL, "The defaults for this type "
	    "(from the configuration):");
	for (i = KD_SET_AUDITABLE; i <= KD_SET_VERIFICATION; i++) {
		if (!model_setting_applies(t, (enum kd_setting)i))
			continue;
		tui_text(y, 6, 24, dim, model_setting_label((enum kd_setting)i));
		tui_text(y++, 30, COLS - 32, dim, i == KD_SET_VERIFICATION ?
		    model_verification_label(ks.verification) :
		    on[i] ? "on" : "off");
		settings_draw_help(y++, (enum kd_setting)i);
	}
}

static void
settings_draw(void *vs, struct wiz *w)
{
	struct settings *s = vs;
	struct kd_draft *d = wizard_draft(w->wz);
	const char *err = wizard_field_error(w->wz, KD_F_SETTINGS);
	int y = TUI_TOP, i;

	tui_textf(y, 2, COLS - 4, A_NORMAL, "Settings for the %s.",
	    model_key_type_label(d->type));
	toggle_draw(y + 2, 4, COLS - 8, "Use default settings",
	    d->use_defaults, s->focus == 0);
	y += 4;
	if (d->use_defaults)
		settings_draw_defaults(w, y);
	else {
		for (i = 0; i < s->nbools; i++) {
			toggle_draw(y++, 4, COLS - 8,
			    model_setting_label(s->bools[i]),
			    *setting_ptr(&d->settings, s->bools[i]),
			    s->focus == i + 1);
			settings_draw_help(y++, s->bools[i]);
		}
		if (s->has_verif) {
			tui_text(++y, 4, COLS - 8, A_BOLD, "Verification");
			settings_draw_help(++y, KD_SET_VERIFICATION);
			radio_draw(&s->verif, y + 1, 6, COLS - 10,
			    s->focus == s->nbools + 1);
			y += 1 + s->verif.n;
		}
	}
	if (err != NULL)
		tui_textf(y + 1, 4, COLS - 8, tui_attr(TUI_ERROR), "! %s", err);
}

static int
settings_last(const struct settings *s, const struct kd_draft *d)
{
	return d->use_defaults ? 0 : s->nbools + (s->has_verif ? 1 : 0);
}

static enum wiz_ret
settings_space(struct settings *s, struct wiz *w)
{
	struct kd_draft *d = wizard_draft(w->wz);
	int *p;

	if (s->focus == 0) {
		if (d->use_defaults)	/* customise, starting from them */
			d->settings = wizard_settings(w->wz);
		d->use_defaults = !d->use_defaults;
		settings_build(s, w);
	} else if (s->focus <= s->nbools) {
		p = setting_ptr(&d->settings, s->bools[s->focus - 1]);
		*p = !*p;
	}
	return WIZ_HANDLED;
}

static enum wiz_ret
settings_key(void *vs, struct wiz *w, const struct tui_key *k)
{
	struct settings *s = vs;
	struct kd_draft *d = wizard_draft(w->wz);
	int last = settings_last(s, d);

	if (!d->use_defaults && s->has_verif && s->focus == s->nbools + 1 &&
	    radio_key(&s->verif, k) != TUI_W_UNHANDLED) {
		s->verif.sel = s->verif.cur;
		d->settings.verification = s->vmap[s->verif.sel];
		return WIZ_HANDLED;
	}
	switch (k->act) {
	case TUI_K_SPACE:
		return settings_space(s, w);
	case TUI_K_DOWN:
	case TUI_K_TAB:
		s->focus = s->focus < last ? s->focus + 1 :
		    k->act == TUI_K_TAB ? 0 : s->focus;
		return WIZ_HANDLED;
	case TUI_K_UP:
	case TUI_K_BACKTAB:
		s->focus = s->focus > 0 ? s->focus - 1 :
		    k->act == TUI_K_BACKTAB ? last : 0;
		return WIZ_HANDLED;
	default:
		return WIZ_UNHANDLED;
	}
}

static const struct tui_keyhint hints[] = {
	{ "Space", "Toggle/Choose" }, { "Tab", "Next item" },
	{ "Enter", "Next" }, { "PgUp", "Back" }, { "Esc", "Cancel" },
};

const struct wiz_view step_settings_view = {
	.step = KD_STEP_SETTINGS,
	.open = settings_open,
	.draw = settings_draw,
	.key = settings_key,
	.close = free,
	.hints = hints,
	.nhints = KD_NELEM(hints),
};
