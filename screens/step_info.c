/* Step 1, User information: user ID, full name, email and username.
 * Each keystroke goes straight into the draft; leaving a field checks it
 * (wizard_check_field) so its error shows on the field at once. */
#include "screens/wizard.h"
#include "tui/draw.h"

#include <stdlib.h>

#define NINFO 4

struct info {
	struct tui_field	 f[NINFO];
	int			 focus;
};

static const struct {
	enum kd_field	 field;
	const char	*label;
	size_t		 max;
	const char	*placeholder;
} rows[NINFO] = {
	{ KD_F_USER_ID, "User ID", KD_USER_ID_MAX, "e.g. E1042" },
	{ KD_F_NAME, "Full name", KD_NAME_MAX, "e.g. Ada Lovelace" },
	{ KD_F_EMAIL, "Email", KD_EMAIL_MAX, "e.g. ada@example.com" },
	{ KD_F_USERNAME, "Username", KD_USERNAME_MAX, "e.g. ada" },
};

static char *
draft_text(struct kd_draft *d, int i)
{
	switch (i) {
	case 0: return d->user_id;
	case 1: return d->name;
	case 2: return d->email;
	default: return d->username;
	}
}

static void *
info_open(struct wiz *w)
{
	struct kd_draft *d = wizard_draft(w->wz);
	struct info *s;
	int i;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	for (i = 0; i < NINFO; i++) {
		field_init(&s->f[i], rows[i].max, rows[i].placeholder);
		field_set(&s->f[i], draft_text(d, i));
	}
	return s;
}

static void
info_draw(void *vs, struct wiz *w)
{
	struct info *s = vs;
	int i, y = TUI_TOP;

	tui_text(y, 2, COLS - 4, A_NORMAL, "Who is this user?  All four are "
	    "required; user ID and username are unique.");
	for (i = 0; i < NINFO; i++)
		field_draw_row(&s->f[i], y + 2 + 3 * i, rows[i].label,
		    i == s->focus, wizard_field_error(w->wz, rows[i].field));
}

/* Leaving a field: check it when there is something to check, or when it
 * shows an error that may now be gone. */
static void
info_leave(struct info *s, struct wiz *w)
{
	enum kd_field f = rows[s->focus].field;

	if (s->f[s->focus].len > 0 || wizard_field_error(w->wz, f) != NULL)
		wizard_check_field(w->wz, f);
}

static enum wiz_ret
info_move(struct info *s, struct wiz *w, int to)
{
	info_leave(s, w);
	s->focus = (to + NINFO) % NINFO;
	return WIZ_HANDLED;
}

static enum wiz_ret
info_key(void *vs, struct wiz *w, const struct tui_key *k)
{
	struct info *s = vs;
	struct kd_draft *d = wizard_draft(w->wz);

	switch (k->act) {
	case TUI_K_TAB:
	case TUI_K_DOWN:
		return info_move(s, w, s->focus + 1);
	case TUI_K_BACKTAB:
	case TUI_K_UP:
		return info_move(s, w, s->focus - 1);
	case TUI_K_ENTER:
		/* Enter walks the fields; on the last one it is Next. */
		if (s->focus + 1 < NINFO)
			return info_move(s, w, s->focus + 1);
		info_leave(s, w);
		return WIZ_NEXT;
	default:
		break;
	}
	switch (field_key(&s->f[s->focus], k)) {
	case TUI_W_CHANGED:
		wiz_field_to(&s->f[s->focus], draft_text(d, s->focus),
		    KD_DRAFT_TEXT);
		return WIZ_HANDLED;
	case TUI_W_UNHANDLED:
		return WIZ_UNHANDLED;
	default:
		return WIZ_HANDLED;
	}
}

static void
info_invalid(void *vs, struct wiz *w)
{
	struct info *s = vs;
	int i;

	for (i = 0; i < NINFO; i++)
		if (wizard_field_error(w->wz, rows[i].field) != NULL) {
			s->focus = i;
			return;
		}
}

static const struct tui_keyhint hints[] = {
	{ "Tab", "Next field" }, { "Enter", "Next" }, { "PgDn", "Next step" },
	{ "Esc", "Cancel" },
};

const struct wiz_view step_info_view = {
	.step = KD_STEP_INFO,
	.open = info_open,
	.draw = info_draw,
	.key = info_key,
	.invalid = info_invalid,
	.close = free,
	.hints = hints,
	.nhints = KD_NELEM(hints),
};
