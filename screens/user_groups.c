/* User details › Groups: every group, checked where the user is a member;
 * Space adds or removes at once (admin_member_set, audited).  New groups
 * are made on the Groups screen (g on the users list). */
#include "screens/user.h"
#include "tui/draw.h"
#include "core/operator.h"

#include <stdio.h>
#include <string.h>

/* Rebuilds the list; the cursor stays on the same row. */
void
user_groups_load(struct user *s, const struct tui_app *app)
{
	struct kd_group *all = NULL, *mine = NULL;
	size_t nall = 0, nmine = 0, i, j, cur = s->all.cur, top = s->all.top;
	struct kd_err e;
	int member;

	listbox_clear(&s->all);
	s->all.empty = "No groups yet (g on the users list creates them).";
	if (store_group_list(app->st, &all, &nall, &e) != KD_OK ||
	    store_user_groups(app->st, s->row, &mine, &nmine, &e) != KD_OK) {
		user_fail(s, &e);
		goto out;
	}
	for (i = 0; i < nall; i++) {
		for (member = 0, j = 0; j < nmine && !member; j++)
			member = mine[j].id == all[i].id;
		if (listbox_add(&s->all, all[i].name, member) != KD_OK)
			break;
	}
	s->all.cur = cur < s->all.n ? cur : 0;
	s->all.top = top <= s->all.cur ? top : s->all.cur;
out:
	store_groups_free(all, nall);
	store_groups_free(mine, nmine);
}

static const struct tui_keyhint hints[] = {
	{ "Space", "Add/Remove" }, { "Up/Down", "Group" }, { "Tab", "Section" },
	{ "Esc", "Back" }, { "d", "Disable/Enable" }, { "F8", "Delete user" },
};
static const int perms[] = {
	KD_PERM_EDIT, -1, -1, -1, KD_PERM_EDIT, KD_PERM_DELETE,
};

void
user_groups_draw(struct user *s, const struct tui_app *app, int y)
{
	int h = TUI_BOTTOM - y;

	(void)app;
	tui_textf(y, 2, COLS - 4, A_NORMAL, "Member of the checked groups "
	    "(%zu group%s).  Space adds or removes.", s->all.n,
	    s->all.n == 1 ? "" : "s");
	listbox_draw(&s->all, y + 2, 4, COLS - 8, h - 1, 1);
	tui_keybar_role(app, hints, perms, KD_NELEM(hints));
}

static void
groups_set(struct user *s, const struct tui_app *app)
{
	size_t i = s->all.cur;
	int member = s->all.checked[i];
	char name[300];
	struct kd_err e;

	/* The row's name is about to be freed by the reload. */
	snprintf(name, sizeof(name), "%s", s->all.items[i]);
	kd_err_clear(&e);
	if (admin_member_set(app->st, app->actor, s->u.user_id, name, member,
	    &e) != KD_OK) {
		s->all.checked[i] = !member;
		user_fail(s, &e);
		return;
	}
	user_load(s, app);
	user_msg(s, TUI_OK, member ? "Added to %s." : "Removed from %s.", name);
}

int
user_groups_key(struct user *s, const struct tui_app *app,
    const struct tui_key *k)
{
	if (k->act == TUI_K_SPACE && !tui_permit(app, KD_PERM_EDIT))
		return 1;	/* membership is an edit */
	switch (listbox_key(&s->all, k)) {
	case TUI_W_CHANGED:
		groups_set(s, app);
		return 1;
	case TUI_W_UNHANDLED:
		return 0;
	default:
		return 1;
	}
}
