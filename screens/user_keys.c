/* User details › Security Keys: every key (type, name, status, settings)
 * and the selected one in full (dates, AAGUID, credential, why revoked),
 * with its lifecycle: e settings, m rename, s resend the activation,
 * v revoke with a reason, x delete a pending key.  Each is one core call
 * in core/admin.h; the ones that cannot be undone ask first. */
#include "screens/user.h"
#include "core/validate.h"
#include "tui/draw.h"
#include "core/operator.h"

#include <stdio.h>
#include <string.h>

static const struct tui_column columns[] = {
	{ "Type", 16 }, { "Name", 18 }, { "Status", 8 }, { "Settings", 0 },
};

static const char *
keys_cell(void *arg, size_t row, int col, attr_t *a)
{
	struct user *s = arg;
	const struct kd_key *k = &s->keys[row];

	switch (col) {
	case 0: return model_key_type_label(k->type);
	case 1: return k->name;
	case 2:
		*a = tui_attr(k->status == KD_KS_ACTIVE ? TUI_OK :
		    k->status == KD_KS_PENDING ? TUI_WARN : TUI_ERROR);
		return user_key_status_label(k->status);
	default:
		wiz_settings_text(k->type, &k->settings, s->cell,
		    sizeof(s->cell));
		return s->cell;
	}
}

void
user_keys_init(struct user *s)
{
	table_init(&s->table, columns, (int)KD_NELEM(columns), keys_cell,
	    s, 1);
}

/* An open activation: the link runs out before the code, so each gets
 * its own date (and a link already gone says so). */
static void
keys_draw_open(const struct kd_key *k, int y, const char *code_at)
{
	char link_at[32];

	if (k->link_expires_at <= 0 || k->link_expires_at >= k->expires_at) {
		tui_textf(y, 19, COLS - 21, A_NORMAL, "link and code open "
		    "until %s", code_at);
		return;
	}
	kd_time_format(k->link_expires_at, link_at, sizeof(link_at));
	if (k->link_expires_at <= kd_now())
		tui_textf(y, 19, COLS - 21, A_NORMAL, "link expired %s; code "
		    "open until %s", link_at, code_at);
	else
		tui_textf(y, 19, COLS - 21, A_NORMAL, "link until %s, code "
		    "until %s", link_at, code_at);
}

/* Dates, and for a key still waiting for its user the activation's
 * state; returns the rows used. */
static int
keys_draw_dates(const struct kd_key *k, int y)
{
	char made[32], at[32];

	kd_time_format(k->created_at, made, sizeof(made));
	tui_text(y, 2, 16, A_BOLD, "Dates");
	if (k->status != KD_KS_ACTIVE) {
		tui_textf(y, 19, COLS - 21, A_NORMAL, "created %s", made);
		if (k->status == KD_KS_REVOKED || k->expires_at <= 0)
			return 1;
		kd_time_format(k->expires_at, at, sizeof(at));
		tui_text(y + 1, 2, 16, A_BOLD, "Activation");
		if (k->status == KD_KS_EXPIRED)
			tui_textf(y + 1, 19, COLS - 21, tui_attr(TUI_WARN),
			    "expired %s; s sends a new one", at);
		else
			keys_draw_open(k, y + 1, at);
		return 2;
	}
	kd_time_format(k->activated_at, at, sizeof(at));
	tui_textf(y, 19, COLS - 21, A_NORMAL, "created %s, activated %s by %s",
	    made, at, k->activated_by ? k->activated_by : "?");
	return 1;
}

/* The selected key in full: the table's columns are cut at 80. */
static void
keys_draw_detail(const struct kd_key *k, int y, int last)
{
	char set[256];

	tui_textf(y++, 2, COLS - 4, A_BOLD, "%s \"%s\"  (key #%lld)",
	    model_key_type_label(k->type), k->name, (long long)k->id);
	wiz_settings_text(k->type, &k->settings, set, sizeof(set));
	tui_text(y, 2, 16, A_BOLD, "Settings");
	y += tui_wrap_draw(y, 19, COLS - 21, 2, A_NORMAL, set);
	y += keys_draw_dates(k, y);
	if (k->aaguid != NULL && y <= last)
		wiz_line(y++, "AAGUID", A_NORMAL, k->aaguid);
	if (k->credential_id != NULL && y <= last)
		wiz_line(y++, "Credential ID", A_NORMAL, k->credential_id);
	if (k->status == KD_KS_REVOKED && y <= last)
		wiz_line(y, "Revoked", tui_attr(TUI_ERROR), k->revoked_reason ?
		    k->revoked_reason : "");
}

static const struct tui_keyhint list_hints[] = {
	{ "k", "New key" }, { "e", "Settings" }, { "m", "Rename" },
	{ "s", "Resend" }, { "v", "Revoke" }, { "x", "Delete" },
	{ "Esc", "Back" }, { "Tab", "Section" },
};
static const int list_perms[] = {
	KD_PERM_ENROLL, KD_PERM_EDIT, KD_PERM_EDIT, KD_PERM_ENROLL, KD_PERM_EDIT,
	KD_PERM_DELETE, -1, -1,
};
static const struct tui_keyhint field_hints[] = {
	{ "Enter", "OK" }, { "Esc", "Cancel" },
};
static const struct tui_keyhint set_hints[] = {
	{ "Space", "Toggle/Choose" }, { "Tab", "Next item" }, { "Enter", "Save" },
	{ "Esc", "Cancel" },
};

void
user_keys_draw(struct user *s, const struct tui_app *app, int y)
{
	int bottom = TUI_BOTTOM, h;
	const struct kd_key *k = user_key_current(s);

	(void)app;
	if (s->kmode == USER_KEYS_SETTINGS) {
		tui_textf(y, 2, COLS - 4, A_BOLD, "Settings of %s \"%s\"",
		    model_key_type_label(s->ks.type), k ? k->name : "?");
		y = keyset_draw(&s->ks, y + 2, 1);
		tui_wrap_draw(y + 1, 4, COLS - 8, 2, tui_attr(TUI_DIM), "A change "
		    "applies from now on and is written to the audit log.");
		keybar_draw(set_hints, KD_NELEM(set_hints));
		return;
	}
	if (s->kmode == USER_KEYS_LIST)
		tui_keybar_role(app, list_hints, list_perms,
		    KD_NELEM(list_hints));
	else
		keybar_draw(field_hints, KD_NELEM(field_hints));
	if (k == NULL) {
		tui_text(y, 2, COLS - 4, tui_attr(TUI_DIM),
		    "No keys.  Press k to add one.");
		return;
	}
	if (s->kmode != USER_KEYS_LIST) {
		bottom -= 2;
		field_draw_row(&s->input, bottom + 1, s->kmode ==
		    USER_KEYS_RENAME ? "New name" : "Reason to revoke", 1,
		    s->input_err[0] ? s->input_err : NULL);
	}
	h = (int)s->nkeys + 1;
	if (h > bottom - y + 1 - 8)	/* a gap and the detail under it */
		h = bottom - y + 1 - 8;
	table_draw(&s->table, y, 2, COLS - 4, h);
	keys_draw_detail(user_key_current(s), y + h + 1, bottom);
}

static int
keys_pending(const struct kd_key *k)
{
	return k->status == KD_KS_PENDING || k->status == KD_KS_EXPIRED;
}

static void
keys_field_open(struct user *s, enum user_kmode mode, const char *text)
{
	s->kmode = mode;
	field_init(&s->input, KD_KEY_NAME_MAX, NULL);
	field_set(&s->input, text);
	s->input_err[0] = '\0';
}

static void
keys_ask(struct user *s, const struct kd_key *k, enum user_ask ask)
{
	char text[600];

	s->key = k->id;
	s->ask = ask;
	/* The dialog shows two lines: what matters first. */
	switch (ask) {
	case USER_ASK_RESEND:
		snprintf(text, sizeof(text), "The old link and code stop working; "
		    "a new activation for \"%.64s\" goes to %.200s.", k->name,
		    s->u.email);
		dialog_confirm(&s->dlg, "Resend the activation? (y/N)", text);
		break;
	case USER_ASK_REVOKE:
		snprintf(text, sizeof(text), "\"%.64s\" stops working at once.  "
		    "Reason: %.100s", k->name, s->reason);
		dialog_confirm(&s->dlg, "Revoke this key? (y/N)", text);
		break;
	default:
		snprintf(text, sizeof(text), "The pending \"%.64s\" and its "
		    "activation link go for good.", k->name);
		dialog_confirm(&s->dlg, "Delete this key? (y/N)", text);
		break;
	}
}

/* A letter on the list: check what the key's status allows first, so a
 * dialog never asks about something the core would refuse. */
static int
keys_action(struct user *s, const struct kd_key *k, int c)
{
	switch (c) {
	case 'e':
		if (k->status == KD_KS_REVOKED) {
			user_msg(s, TUI_ERROR, "A revoked key's settings no longer "
			    "matter.");
			return 1;
		}
		keyset_open(&s->ks, k->type, &k->settings);
		s->setkey = k->id;
		s->kmode = USER_KEYS_SETTINGS;
		return 1;
	case 'm':
		keys_field_open(s, USER_KEYS_RENAME, k->name);
		return 1;
	case 's':
	case 'x':
		if (!keys_pending(k)) {
			user_msg(s, TUI_ERROR, "This key is %s: only a pending key "
			    "can %s.", model_key_status_name(k->status), c == 's' ?
			    "get a new activation" : "be deleted (v revokes it)");
			return 1;
		}
		keys_ask(s, k, c == 's' ? USER_ASK_RESEND : USER_ASK_DELETE_KEY);
		return 1;
	case 'v':
		if (k->status == KD_KS_REVOKED) {
			user_msg(s, TUI_ERROR, "This key is already revoked.");
			return 1;
		}
		keys_field_open(s, USER_KEYS_REASON, "");
		return 1;
	default:
		return 0;
	}
}

static void
keys_rename(struct user *s, const struct tui_app *app)
{
	char name[TUI_FIELD_MAX * 4 + 1];
	const struct kd_key *k = user_key_current(s);
	struct kd_err e;

	field_get(&s->input, name, sizeof(name));
	kd_err_clear(&e);
	if (admin_key_rename(app->st, app->actor, k->id, name, &e) != KD_OK) {
		snprintf(s->input_err, sizeof(s->input_err), "%.250s",
		    strncmp(e.msg, "Name: ", 6) == 0 ? e.msg + 6 : e.msg);
		return;
	}
	s->kmode = USER_KEYS_LIST;
	user_load(s, app);
	validate_trim(name);
	user_msg(s, TUI_OK, "Renamed to \"%s\".", name);
}

static void
keys_reason(struct user *s)
{
	const char *m = NULL;

	field_get(&s->input, s->reason, sizeof(s->reason));
	validate_trim(s->reason);
	/* The rule admin_key_revoke applies to a reason. */
	if (s->reason[0] == '\0' || (m = validate_key_name(s->reason)) != NULL) {
		snprintf(s->input_err, sizeof(s->input_err), "%s", s->reason[0] ?
		    m : "say why (lost, stolen, left the company)");
		return;
	}
	keys_ask(s, user_key_current(s), USER_ASK_REVOKE);
}

static void
keys_settings_save(struct user *s, const struct tui_app *app)
{
	const struct kd_key *k = user_key_current(s);
	struct kd_err e;

	if (k != NULL && k->id == s->setkey &&
	    k->settings.auditable == s->ks.s.auditable &&
	    k->settings.bluetooth_proximity == s->ks.s.bluetooth_proximity &&
	    k->settings.offline_login == s->ks.s.offline_login &&
	    k->settings.verification == s->ks.s.verification) {
		s->kmode = USER_KEYS_LIST;	/* no audit row for no change */
		user_msg(s, TUI_NORMAL, "Nothing changed.");
		return;
	}
	kd_err_clear(&e);
	if (admin_key_settings(app->st, app->actor, s->setkey, &s->ks.s,
	    &e) != KD_OK) {
		user_fail(s, &e);
		return;
	}
	s->kmode = USER_KEYS_LIST;
	user_load(s, app);
	user_msg(s, TUI_OK, "Settings saved.");
}

static int
keys_mode_key(struct user *s, const struct tui_app *app,
    const struct tui_key *k)
{
	if (k->act == TUI_K_ESC) {
		s->kmode = USER_KEYS_LIST;
		user_msg(s, TUI_NORMAL, "Nothing changed.");
		return 1;
	}
	if (s->kmode == USER_KEYS_SETTINGS) {
		if (k->act == TUI_K_ENTER || k->act == TUI_K_F9)
			keys_settings_save(s, app);
		else if (!keyset_key(&s->ks, k) && k->act == TUI_K_TAB)
			s->ks.focus = 0;	/* round again */
		return 1;
	}
	if (k->act == TUI_K_ENTER) {
		if (s->kmode == USER_KEYS_RENAME)
			keys_rename(s, app);
		else
			keys_reason(s);
	} else if (field_key(&s->input, k) == TUI_W_CHANGED)
		s->input_err[0] = '\0';
	return 1;
}

int
user_keys_key(struct user *s, const struct tui_app *app,
    const struct tui_key *k)
{
	const struct kd_key *cur = user_key_current(s);
	int c;

	if (s->kmode != USER_KEYS_LIST)
		return keys_mode_key(s, app, k);
	if (table_key(&s->table, k, TUI_BOTTOM - TUI_TOP) != TUI_W_UNHANDLED)
		return 1;
	if (cur == NULL)
		return 0;
	c = k->act == TUI_K_DELETE ? 'x' : tui_key_letter(k);
	/* What the role may not do is not offered (nor done). */
	if ((c == 'x' && !tui_permit(app, KD_PERM_DELETE)) ||
	    (c == 's' && !tui_permit(app, KD_PERM_ENROLL)) ||
	    ((c == 'e' || c == 'm' || c == 'v') &&
	    !tui_permit(app, KD_PERM_EDIT)))
		return 1;
	return keys_action(s, cur, c);
}

void
user_keys_confirmed(struct user *s, const struct tui_app *app,
    enum user_ask ask)
{
	const struct kd_key *k = user_key_current(s);
	char name[300], what[400];
	struct kd_err e;
	int r;

	if (k == NULL || k->id != s->key)
		return;		/* the list changed under the dialog */
	snprintf(name, sizeof(name), "%s", k->name);
	kd_err_clear(&e);
	if (ask == USER_ASK_RESEND)
		r = admin_key_resend(app->st, app->cfg, app->actor, s->key, &e);
	else if (ask == USER_ASK_REVOKE)
		r = admin_key_revoke(app->st, app->actor, s->key, s->reason, &e);
	else
		r = admin_key_delete(app->st, app->actor, s->key, &e);
	s->kmode = USER_KEYS_LIST;
	if (r != KD_OK) {
		user_fail(s, &e);
		return;
	}
	user_load(s, app);
	if (ask == USER_ASK_RESEND) {
		snprintf(what, sizeof(what), "New activation for \"%.100s\"", name);
		user_deliver(s, app, what);
	} else if (ask == USER_ASK_REVOKE)
		user_msg(s, TUI_OK, "Revoked \"%s\": %s.", name, s->reason);
	else
		user_msg(s, TUI_OK, "Deleted \"%s\".", name);
}
