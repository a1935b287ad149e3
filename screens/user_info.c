/* User details › Information: who the user is; e edits full name, email
 * and username with the wizard's rules (core/validate.h), checked as the
 * operator leaves a field and again by admin_user_edit on Save, whose
 * message lands on the field it names. */
#include "screens/user.h"
#include "core/validate.h"
#include "tui/draw.h"
#include "core/operator.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char	*label;
	size_t		 max;
	const char	*(*rule)(const char *);
} rows[USER_NINFO] = {
	{ "Full name", KD_NAME_MAX, validate_name },
	{ "Email", KD_EMAIL_MAX, validate_email },
	{ "Username", KD_USERNAME_MAX, validate_username },
};

static void
info_text(const struct user *s, int i, char *buf, size_t len)
{
	field_get(&s->f[i], buf, len);
	validate_trim(buf);
}

/* The same checks admin_user_edit makes, so the error shows on leaving
 * the field rather than on Save. */
static const char msg_correct[] = "Please correct the fields marked !";

static void
info_check(struct user *s, const struct tui_app *app, int i)
{
	char text[TUI_FIELD_MAX * 4 + 1];
	const char *m;

	info_text(s, i, text, sizeof(text));
	s->ferr[i][0] = '\0';
	if ((m = rows[i].rule(text)) != NULL)
		snprintf(s->ferr[i], sizeof(s->ferr[i]), "%s", m);
	else if (i == 2 && store_username_taken(app->st, text, s->u.id) > 0)
		snprintf(s->ferr[i], sizeof(s->ferr[i]), "\"%.200s\" is already "
		    "taken", text);
}

static void
info_start(struct user *s)
{
	const char *v[USER_NINFO] = { s->u.name, s->u.email, s->u.username };
	int i;

	for (i = 0; i < USER_NINFO; i++) {
		field_init(&s->f[i], rows[i].max, NULL);
		field_set(&s->f[i], v[i]);
		s->ferr[i][0] = '\0';
	}
	s->editing = 1;
	s->focus = 0;
}

/* A core error reads "Email: not a valid email": put it on its field. */
static int
info_error_to_field(struct user *s, const char *msg)
{
	size_t n;
	int i;

	for (i = 0; i < USER_NINFO; i++) {
		n = strlen(rows[i].label);
		if (strncmp(msg, rows[i].label, n) == 0 && msg[n] == ':') {
			snprintf(s->ferr[i], sizeof(s->ferr[i]), "%s",
			    msg + n + (msg[n + 1] == ' ' ? 2 : 1));
			s->focus = i;
			return 1;
		}
	}
	return 0;
}

static void
info_save(struct user *s, const struct tui_app *app)
{
	char v[USER_NINFO][TUI_FIELD_MAX * 4 + 1];
	struct kd_user_edit ed;
	struct kd_err e;
	int i, bad = -1;

	for (i = USER_NINFO - 1; i >= 0; i--) {
		info_check(s, app, i);
		info_text(s, i, v[i], sizeof(v[i]));
		if (s->ferr[i][0] != '\0')
			bad = i;
	}
	if (bad >= 0) {
		s->focus = bad;
		user_msg(s, TUI_ERROR, "%s", msg_correct);
		return;
	}
	ed.name = v[0];
	ed.email = v[1];
	ed.username = v[2];
	kd_err_clear(&e);
	if (admin_user_edit(app->st, app->actor, s->u.user_id, &ed, &e) != KD_OK) {
		if (info_error_to_field(s, e.msg))
			user_msg(s, TUI_ERROR, "%s", msg_correct);
		else
			user_fail(s, &e);
		return;
	}
	s->editing = 0;
	user_load(s, app);
	user_msg(s, TUI_OK, "Saved.");
}

static const struct tui_keyhint view_hints[] = {
	{ "e", "Edit" }, { "d", "Disable/Enable" }, { "F8", "Delete user" },
	{ "k", "New key" }, { "Tab", "Section" }, { "Esc", "Back" },
};
static const int view_perms[] = {
	KD_PERM_EDIT, KD_PERM_EDIT, KD_PERM_DELETE, KD_PERM_ENROLL, -1, -1,
};
static const struct tui_keyhint edit_hints[] = {
	{ "Tab", "Next field" }, { "Enter", "Save" }, { "Esc", "Cancel" },
};

void
user_info_draw(struct user *s, const struct tui_app *app, int y)
{
	char when[32], upd[32];
	int i;

	(void)app;
	if (s->editing) {
		/* In line with the fields below it. */
		tui_text(y, 2, 18, A_NORMAL, "User ID");
		tui_text(y, 21, COLS - 23, A_NORMAL, s->u.user_id);
		y += 2;
		for (i = 0; i < USER_NINFO; i++, y += 3)
			field_draw_row(&s->f[i], y, rows[i].label, i == s->focus,
			    s->ferr[i][0] ? s->ferr[i] : NULL);
		tui_text(y, 2, COLS - 4, tui_attr(TUI_DIM), "The user ID cannot "
		    "change.  Enter saves all three; Esc leaves them as they were.");
		keybar_draw(edit_hints, KD_NELEM(edit_hints));
		return;
	}
	wiz_line(y++, "User ID", A_NORMAL, s->u.user_id);
	wiz_line(y++, "Full name", A_NORMAL, s->u.name);
	wiz_line(y++, "Email", A_NORMAL, s->u.email);
	wiz_line(y++, "Username", A_NORMAL, s->u.username);
	wiz_line(y++, "Account", s->u.disabled ? tui_attr(TUI_ERROR) : A_NORMAL,
	    s->u.disabled ? "Disabled (d enables)" : "Enabled");
	kd_time_format(s->u.created_at, when, sizeof(when));
	kd_time_format(s->u.updated_at, upd, sizeof(upd));
	wiz_line(y++, "Created", A_NORMAL, when);
	wiz_line(y++, "Updated", A_NORMAL, upd);
	tui_keybar_role(app, view_hints, view_perms, KD_NELEM(view_hints));
}

static int
info_move(struct user *s, const struct tui_app *app, int to)
{
	int i, bad = 0;

	info_check(s, app, s->focus);
	s->focus = (to + USER_NINFO) % USER_NINFO;
	/* The request to correct goes once nothing is marked any more. */
	for (i = 0; i < USER_NINFO; i++)
		bad |= s->ferr[i][0] != '\0';
	if (!bad && strcmp(s->msg, msg_correct) == 0)
		s->msg[0] = '\0';
	return 1;
}

static int
info_edit_key(struct user *s, const struct tui_app *app,
    const struct tui_key *k)
{
	switch (k->act) {
	case TUI_K_TAB:
	case TUI_K_DOWN:
		return info_move(s, app, s->focus + 1);
	case TUI_K_BACKTAB:
	case TUI_K_UP:
		return info_move(s, app, s->focus - 1);
	case TUI_K_ENTER:
	case TUI_K_F9:
		info_save(s, app);
		return 1;
	case TUI_K_ESC:
		s->editing = 0;
		user_msg(s, TUI_NORMAL, "Nothing changed.");
		return 1;
	default:
		break;
	}
	if (field_key(&s->f[s->focus], k) == TUI_W_CHANGED)
		s->ferr[s->focus][0] = '\0';
	return 1;	/* a form takes every key while it is open */
}

int
user_info_key(struct user *s, const struct tui_app *app,
    const struct tui_key *k)
{
	if (s->editing)
		return info_edit_key(s, app, k);
	if ((k->act == TUI_K_ENTER || tui_key_letter(k) == 'e') &&
	    tui_allows(app, KD_PERM_EDIT)) {
		info_start(s);
		return 1;
	}
	return 0;
}
