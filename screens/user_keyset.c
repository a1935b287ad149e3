/* The settings form of a key (user details) or of a workflow: only the
 * settings its type has (model_setting_applies) and only the verification
 * choices it allows (model_verification_allowed), as the wizard's
 * Settings step shows them.  The caller saves what it holds. */
#include "screens/admin.h"
#include "tui/draw.h"

#include <string.h>

static int *
keyset_ptr(struct kd_key_settings *s, enum kd_setting which)
{
	switch (which) {
	case KD_SET_AUDITABLE: return &s->auditable;
	case KD_SET_BLUETOOTH: return &s->bluetooth_proximity;
	default: return &s->offline_login;
	}
}

void
keyset_open(struct keyset *f, enum kd_key_type type,
    const struct kd_key_settings *from)
{
	int i;

	memset(f, 0, sizeof(*f));
	f->type = type;
	f->s = *from;
	for (i = KD_SET_AUDITABLE; i <= KD_SET_OFFLINE; i++)
		if (model_setting_applies(type, (enum kd_setting)i))
			f->bools[f->nbools++] = (enum kd_setting)i;
	radio_init(&f->verif);
	f->has_verif = model_setting_applies(type, KD_SET_VERIFICATION);
	for (i = 0; f->has_verif && i <= KD_VERIFY_PINLESS; i++) {
		if (!model_verification_allowed(type, (enum kd_verification)i))
			continue;
		if (f->s.verification == (enum kd_verification)i)
			f->verif.sel = f->verif.cur = f->verif.n;
		f->vmap[f->verif.n] = (enum kd_verification)i;
		radio_add(&f->verif,
		    model_verification_label((enum kd_verification)i), 1);
	}
	/* A stored choice the type does not offer becomes the first one. */
	if (f->has_verif && f->verif.n > 0)
		f->s.verification = f->vmap[f->verif.sel];
}

int
keyset_draw(struct keyset *f, int y, int focused)
{
	int i;

	for (i = 0; i < f->nbools; i++)
		toggle_draw(y++, 4, COLS - 8, model_setting_label(f->bools[i]),
		    *keyset_ptr(&f->s, f->bools[i]), focused && f->focus == i);
	if (f->has_verif) {
		tui_text(++y, 4, COLS - 8, A_BOLD, "Verification");
		radio_draw(&f->verif, y + 1, 6, COLS - 10,
		    focused && f->focus == f->nbools);
		y += 1 + f->verif.n;
	}
	return y;
}

int
keyset_key(struct keyset *f, const struct tui_key *k)
{
	int last = f->nbools + (f->has_verif ? 1 : 0) - 1, *p;

	if (f->has_verif && f->focus == f->nbools &&
	    radio_key(&f->verif, k) != TUI_W_UNHANDLED) {
		f->verif.sel = f->verif.cur;
		f->s.verification = f->vmap[f->verif.sel];
		return 1;
	}
	switch (k->act) {
	case TUI_K_SPACE:
		if (f->focus < f->nbools) {
			p = keyset_ptr(&f->s, f->bools[f->focus]);
			*p = !*p;
		}
		return 1;
	case TUI_K_DOWN:
	case TUI_K_TAB:
		if (f->focus >= last)
			return k->act == TUI_K_DOWN;
		f->focus++;
		return 1;
	case TUI_K_UP:
	case TUI_K_BACKTAB:
		if (f->focus <= 0)
			return k->act == TUI_K_UP;
		f->focus--;
		return 1;
	default:
		return 0;
	}
}
