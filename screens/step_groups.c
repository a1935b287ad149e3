/* Step 2, Groups: the existing groups as a multi-select list, and a field
 * to create a group inline (wizard_group_create: it is made at commit,
 * nothing is written now).  Tab moves between the list and the field;
 * with no groups the field is all there is, so Tab stays on it.  A name
 * typed in the field is never lost: Enter creates it wherever the focus. */
#include "screens/wizard.h"
#include "tui/draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct groups {
	struct tui_listbox	 list;
	char			**names;	/* list row -> group name */
	size_t			 nnames;
	struct tui_field	 create;
	int			 focus;		/* 0 list, 1 create field */
	char			 error[600];	/* from wizard_group_create */
};

static void
groups_forget(struct groups *s)
{
	size_t i;

	listbox_clear(&s->list);
	for (i = 0; i < s->nnames; i++)
		free(s->names[i]);
	free(s->names);
	s->names = NULL;
	s->nnames = 0;
}

static int
groups_push(struct groups *s, struct wiz *w, const char *name, int isnew)
{
	char label[KD_DRAFT_TEXT + 16], **v;

	if ((v = realloc(s->names, (s->nnames + 1) * sizeof(*v))) == NULL)
		return KD_ERR_NOMEM;
	s->names = v;
	if ((s->names[s->nnames] = kd_strdup(name)) == NULL)
		return KD_ERR_NOMEM;
	s->nnames++;
	snprintf(label, sizeof(label), "%s%s", name, isnew ? "  (new)" : "");
	return listbox_add(&s->list, label, wizard_group_selected(w->wz, name));
}

/* The database's groups, then the draft's new ones after them. */
static void
groups_load(struct groups *s, struct wiz *w)
{
	struct kd_draft *d = wizard_draft(w->wz);
	struct kd_group *g = NULL;
	struct kd_err e;
	size_t n = 0, i, j;
	int found;

	groups_forget(s);
	if (store_group_list(w->app->st, &g, &n, &e) != KD_OK)
		wiz_status(w, TUI_ERROR, e.msg);
	for (i = 0; i < n; i++)
		groups_push(s, w, g[i].name, 0);
	for (j = 0; j < d->ngroups; j++) {
		for (i = 0, found = 0; i < n && !found; i++)
			found = strcasecmp(g[i].name, d->groups[j]) == 0;
		if (!found)
			groups_push(s, w, d->groups[j], 1);
	}
	store_groups_free(g, n);
}

static void *
groups_open(struct wiz *w)
{
	struct groups *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->list.empty = "No groups yet: create one below, or go on without.";
	field_init(&s->create, KD_GROUP_MAX, "a new group's name");
	groups_load(s, w);
	if (s->nnames == 0)
		s->focus = 1;
	return s;
}

static void
groups_draw(void *vs, struct wiz *w)
{
	struct groups *s = vs;
	int y = TUI_TOP, h = TUI_BOTTOM - 4 - (y + 2);

	(void)w;
	tui_text(y, 2, COLS - 4, A_NORMAL, "Which groups is the user in?  "
	    "Space selects; none is fine.");
	listbox_draw(&s->list, y + 2, 4, COLS - 8, h, s->focus == 0);
	field_draw_row(&s->create, TUI_BOTTOM - 2, "Create a group",
	    s->focus == 1, s->error[0] ? s->error : NULL);
}

static enum wiz_ret
groups_create(struct groups *s, struct wiz *w)
{
	char name[KD_DRAFT_TEXT];
	struct kd_err e;
	size_t i;

	wiz_field_to(&s->create, name, sizeof(name));
	if (name[0] == '\0')
		return WIZ_NEXT;	/* Enter on an empty field: go on */
	kd_err_clear(&e);
	s->error[0] = '\0';
	if (wizard_group_create(w->wz, name, &e) != KD_OK) {
		snprintf(s->error, sizeof(s->error), "%s", e.msg);
		return WIZ_HANDLED;
	}
	field_set(&s->create, "");
	groups_load(s, w);
	for (i = 0; i < s->nnames; i++)
		if (strcasecmp(s->names[i], name) == 0)
			s->list.cur = i;
	return WIZ_HANDLED;
}

static enum wiz_ret
groups_key(void *vs, struct wiz *w, const struct tui_key *k)
{
	struct groups *s = vs;

	if (s->nnames == 0)
		s->focus = 1;
	else if (k->act == TUI_K_TAB || k->act == TUI_K_BACKTAB ||
	    (s->focus == 1 && k->act == TUI_K_UP) ||
	    (s->focus == 0 && k->act == TUI_K_DOWN &&
	    s->list.cur + 1 >= s->list.n)) {
		s->focus = !s->focus;
		return WIZ_HANDLED;
	}
	if (k->act == TUI_K_ENTER && (s->focus == 1 || s->create.len > 0))
		return groups_create(s, w);
	if (s->focus == 1) {
		switch (field_key(&s->create, k)) {
		case TUI_W_UNHANDLED:
			return WIZ_UNHANDLED;
		case TUI_W_CHANGED:
			s->error[0] = '\0';
			return WIZ_HANDLED;
		default:
			return WIZ_HANDLED;
		}
	}
	switch (listbox_key(&s->list, k)) {
	case TUI_W_CHANGED:
		wizard_group_toggle(w->wz, s->names[s->list.cur]);
		s->list.checked[s->list.cur] =
		    wizard_group_selected(w->wz, s->names[s->list.cur]);
		return WIZ_HANDLED;
	case TUI_W_UNHANDLED:
		return WIZ_UNHANDLED;
	default:
		return WIZ_HANDLED;
	}
}

static void
groups_close(void *vs)
{
	struct groups *s = vs;

	groups_forget(s);
	free(s);
}

static const struct tui_keyhint hints[] = {
	{ "Space", "Select" }, { "Tab", "Create a group" }, { "Enter", "Next" },
	{ "PgUp", "Back" }, { "Esc", "Cancel" },
};
#define FIELD_KEYS(enter) { "Enter", enter }, { "Tab", "Groups list" }, \
	{ "PgUp", "Back" }, { "Esc", "Cancel" }
#define ALONE_KEYS(enter) { "Enter", enter }, { "PgUp", "Back" }, \
	{ "Esc", "Cancel" }
static const struct tui_keyhint field_hints[] = { FIELD_KEYS("Create group") };
static const struct tui_keyhint field_empty_hints[] = { FIELD_KEYS("Next") };
static const struct tui_keyhint alone_hints[] = { ALONE_KEYS("Create group") };
static const struct tui_keyhint alone_empty_hints[] = { ALONE_KEYS("Next") };

/* The key bar follows the focus: on the field Enter creates (or, empty,
 * goes on), and with no groups there is no list for Tab to go to. */
static const struct tui_keyhint *
groups_keys(void *vs, size_t *n)
{
	struct groups *s = vs;
	int typed = s->create.len > 0;

	if (s->focus == 0) {
		*n = KD_NELEM(hints);
		return hints;
	}
	if (s->nnames == 0) {
		*n = KD_NELEM(alone_hints);
		return typed ? alone_hints : alone_empty_hints;
	}
	*n = KD_NELEM(field_hints);
	return typed ? field_hints : field_empty_hints;
}

const struct wiz_view step_groups_view = {
	.step = KD_STEP_GROUPS,
	.open = groups_open,
	.draw = groups_draw,
	.key = groups_key,
	.close = groups_close,
	.hints = hints,
	.nhints = KD_NELEM(hints),
	.keys = groups_keys,
};
