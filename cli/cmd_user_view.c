/* keydesk user list | show: plain text for people, --json for scripts. */
#include "cli/cli_int.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"

static void
list_row_json(struct json *j, const struct kd_user *u)
{
	json_obj_begin(j);
	json_kstr(j, "user_id", u->user_id);
	json_kstr(j, "name", u->name);
	json_kstr(j, "email", u->email);
	json_kstr(j, "username", u->username);
	json_kstr(j, "status", model_user_status_name(u->status));
	json_kbool(j, "disabled", u->disabled);
	json_obj_end(j);
}

static void
list_row_text(const struct kd_user *u)
{
	cli_line_safe(stdout, "%-16.64s %-24.128s %-16.64s %-8s %s",
	    u->user_id, u->name, u->username,
	    model_user_status_label(u->status), u->email);
}

struct list_args {
	struct kd_user_query q;
	long	 max;
	int	 json;
};

static int
list_parse(int argc, char **argv, struct list_args *a)
{
	static const struct option opts[] = {
		{ "search", required_argument, NULL, 's' },
		{ "status", required_argument, NULL, 't' },
		{ "group", required_argument, NULL, 'g' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	enum kd_user_status s;
	char *end;
	int ch;

	a->q.status = -1;
	a->q.limit = 500;
	a->max = -1;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's': a->q.search = optarg; break;
		case 'g': a->q.group = optarg; break;
		case 'j': a->json = 1; break;
		case 't':
			if (model_user_status_parse(optarg, &s) != KD_OK)
				return cli_fail(CLI_USAGE, "--status is no-key, "
				    "pending or active");
			a->q.status = (int)s;
			break;
		case 'l':
			a->max = strtol(optarg, &end, 10);
			if (*end != '\0' || a->max < 0)
				return cli_fail(CLI_USAGE, "--limit wants a number");
			break;
		default:
			return cli_fail(CLI_USAGE, "unknown or incomplete option "
			    "\"%s\"", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_fail(CLI_USAGE, "unexpected argument \"%s\"", argv[optind]);
	/* --limit 1 reads one row (and one to know there is more), not a
	 * 500-row page of the table's pages. */
	if (a->max >= 0 && a->max < a->q.limit)
		a->q.limit = a->max > 0 ? (int)a->max : 1;
	return CLI_OK;
}

int
cli_user_list(struct cli *c, int argc, char **argv)
{
	struct list_args a;
	struct kd_user_page p;
	struct kd_err e;
	struct json j;
	long shown = 0;
	size_t i;
	int r;

	memset(&a, 0, sizeof(a));
	if ((r = list_parse(argc, argv, &a)) != CLI_OK)
		return r;
	if (cli_store(c) == NULL)
		return CLI_ERR;
	json_init(&j, stdout);
	if (a.json)
		json_arr_begin(&j);
	/* Page through with the keyset cursor: memory stays flat at any size. */
	do {
		if (store_user_list(c->st, &a.q, &p, &e) != KD_OK) {
			if (a.json)
				printf("]\n");
			return cli_fail(CLI_ERR, "%s", e.msg);
		}
		for (i = 0; i < p.n && (a.max < 0 || shown < a.max); i++, shown++) {
			if (a.json)
				list_row_json(&j, &p.users[i]);
			else
				list_row_text(&p.users[i]);
		}
		a.q.after = p.next;
		r = p.more && (a.max < 0 || shown < a.max);
		store_user_page_clear(&p);
	} while (r);
	if (a.json) {
		json_arr_end(&j);
		json_end(&j);
	}
	return CLI_OK;
}

/* Only the settings the type has (core/model.c): a FIDO2 key has no
 * verification to show. */
void
cli_settings_json(struct json *j, enum kd_key_type t,
    const struct kd_key_settings *s)
{
	const int on[] = { s->auditable, s->bluetooth_proximity,
	    s->offline_login };
	enum kd_setting i;

	json_key(j, "settings");
	json_obj_begin(j);
	for (i = KD_SET_AUDITABLE; i < KD_SET_VERIFICATION; i++)
		if (model_setting_applies(t, i))
			json_kbool(j, model_setting_name(i), on[i]);
	if (model_setting_applies(t, KD_SET_VERIFICATION))
		json_kstr(j, "verification",
		    model_verification_name(s->verification));
	json_obj_end(j);
}

void
cli_settings_text(enum kd_key_type t, const struct kd_key_settings *s,
    char *buf, size_t len)
{
	if (model_setting_applies(t, KD_SET_VERIFICATION))
		snprintf(buf, len, "verification=%s",
		    model_verification_name(s->verification));
	else
		snprintf(buf, len, "-");
}

void
cli_key_json(struct json *j, const struct kd_key *k)
{
	json_obj_begin(j);
	json_kint(j, "id", k->id);
	json_kstr(j, "user_id", k->owner);
	json_kstr(j, "type", model_key_type_name(k->type));
	json_kstr(j, "name", k->name);
	json_kstr(j, "status", model_key_status_name(k->status));
	cli_settings_json(j, k->type, &k->settings);
	json_ktime(j, "created_at", k->created_at);
	json_ktime(j, "activated_at", k->activated_at);
	json_kstr(j, "activated_by", k->activated_by);
	json_ktime(j, "activation_expires_at", k->expires_at);
	json_kstr(j, "credential_id", k->credential_id);
	json_kstr(j, "public_key", k->public_key);
	json_kstr(j, "aaguid", k->aaguid);
	json_kbool(j, "auditable", k->settings.auditable);
	json_kstr(j, "attestation_fmt", k->attestation_fmt);
	json_kstr(j, "revoked_reason", k->revoked_reason);
	json_obj_end(j);
}

static void
show_json(const struct kd_user *u, const struct kd_group *g, size_t ng,
    const struct kd_key *k, size_t nk)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_obj_begin(&j);
	json_kstr(&j, "user_id", u->user_id);
	json_kstr(&j, "name", u->name);
	json_kstr(&j, "email", u->email);
	json_kstr(&j, "username", u->username);
	json_kstr(&j, "status", model_user_status_name(u->status));
	json_kbool(&j, "disabled", u->disabled);
	json_ktime(&j, "created_at", u->created_at);
	json_ktime(&j, "updated_at", u->updated_at);
	json_key(&j, "groups");
	json_arr_begin(&j);
	for (i = 0; i < ng; i++)
		json_str(&j, g[i].name);
	json_arr_end(&j);
	json_key(&j, "keys");
	json_arr_begin(&j);
	for (i = 0; i < nk; i++)
		cli_key_json(&j, &k[i]);
	json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
}

static void
show_text(const struct kd_user *u, const struct kd_group *g, size_t ng,
    const struct kd_key *k, size_t nk)
{
	char t[32], set[64], groups[2048];
	size_t i, o = 0;

	cli_line_safe(stdout, "User ID:   %s", u->user_id);
	cli_line_safe(stdout, "Name:      %s", u->name);
	cli_line_safe(stdout, "Email:     %s", u->email);
	cli_line_safe(stdout, "Username:  %s", u->username);
	cli_line_safe(stdout, "Status:    %s%s", model_user_status_label(u->status),
	    u->disabled ? " (disabled)" : "");
	groups[0] = '\0';
	for (i = 0; i < ng && o < sizeof(groups); i++)
		o += (size_t)snprintf(groups + o, sizeof(groups) - o, "%s%s",
		    i ? ", " : "", g[i].name);
	cli_line_safe(stdout, "Groups:    %s", ng ? groups : "-");
	printf("Keys:\n");
	for (i = 0; i < nk; i++) {
		kd_time_format(k[i].created_at, t, sizeof(t));
		cli_settings_text(k[i].type, &k[i].settings, set, sizeof(set));
		cli_line_safe(stdout, "  #%lld %-28s %-20.64s %-8s %s "
		    "created %s", (long long)k[i].id,
		    model_key_type_label(k[i].type), k[i].name,
		    model_key_status_name(k[i].status), set, t);
	}
	if (nk == 0)
		printf("  (none)\n");
}

int
cli_user_show(struct cli *c, int argc, char **argv)
{
	struct kd_user u = { 0 };
	struct kd_group *g = NULL;
	struct kd_key *k = NULL;
	size_t ng = 0, nk = 0;
	struct kd_err e;
	int json = 0, i, r = CLI_ERR;
	const char *id = NULL;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (id == NULL && argv[i][0] != '-')
			id = argv[i];
		else
			return cli_fail(CLI_USAGE, "usage: keydesk user show ID [--json]");
	}
	if (id == NULL)
		return cli_fail(CLI_USAGE, "usage: keydesk user show ID [--json]");
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if (store_user_get(c->st, id, &u, &e) != KD_OK ||
	    store_user_groups(c->st, u.id, &g, &ng, &e) != KD_OK ||
	    store_key_list(c->st, u.id, &k, &nk, &e) != KD_OK) {
		cli_fail(CLI_ERR, "%s", e.msg);
		goto out;
	}
	if (json)
		show_json(&u, g, ng, k, nk);
	else
		show_text(&u, g, ng, k, nk);
	r = CLI_OK;
out:
	store_user_clear(&u);
	store_groups_free(g, ng);
	store_keys_free(k, nk);
	return r;
}
