/* keydesk user edit | disable | enable | delete, key list | revoke |
 * resend | settings | rename | delete, audit verify */
#include "cli/cli_int.h"
#include "core/operator.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "core/admin.h"

static int cmd_user_edit(struct cli *, int, char **);
static int cmd_user_disable(struct cli *, int, char **);
static int cmd_user_delete(struct cli *, int, char **);
static int cmd_key_list(struct cli *, int, char **);
static int cmd_key_one(struct cli *, int, char **);
static int cmd_key_settings(struct cli *, int, char **);
static int cmd_audit_verify(struct cli *, int, char **);

const struct cli_cmd cli_cmds_admin[] = {
	{ "user edit", "ID [--name N] [--email E] [--username U] "
	    "[--add-group G]... [--remove-group G]...",
	    "change a user's details or groups", cmd_user_edit, KD_PERM_EDIT },
	{ "user disable", "ID", "disable a user", cmd_user_disable,
	    KD_PERM_EDIT },
	{ "user enable", "ID", "enable a disabled user", cmd_user_disable,
	    KD_PERM_EDIT },
	{ "user delete", "ID", "delete a user and their keys (the audit log "
	    "keeps what was deleted)", cmd_user_delete, KD_PERM_DELETE },
	{ "key list", "[USER_ID] [--json]", "list keys (of one user)",
	    cmd_key_list, 0 },
	{ "key revoke", "KEY_ID --reason TEXT", "revoke a lost or stolen key",
	    cmd_key_one, KD_PERM_EDIT },
	{ "key resend", "KEY_ID", "send a new activation code and link (the "
	    "old ones stop working)", cmd_key_one, KD_PERM_ENROLL },
	{ "key rename", "KEY_ID NAME", "rename a key", cmd_key_one,
	    KD_PERM_EDIT },
	{ "key delete", "KEY_ID", "delete a pending key", cmd_key_one,
	    KD_PERM_DELETE },
	{ "key settings", "KEY_ID --setting NAME=VALUE...",
	    "change a key's settings", cmd_key_settings, KD_PERM_EDIT },
	{ "audit verify", "", "check the audit log's hash chain",
	    cmd_audit_verify, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

static int
done(int r, const struct kd_err *e, const char *what, const char *id)
{
	if (r != KD_OK)
		return cli_fail(CLI_ERR, "%s", e->msg);
	cli_printf_safe(stdout, "%s %s\n", what, id);
	return CLI_OK;
}

static int
cmd_user_edit(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "email", required_argument, NULL, 'e' },
		{ "username", required_argument, NULL, 'u' },
		{ "add-group", required_argument, NULL, 'a' },
		{ "remove-group", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct kd_user_edit ed = { NULL, NULL, NULL };
	const char *groups[64];
	int member[64], ng = 0, ch, i, r = KD_OK;
	struct kd_err e;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': ed.name = optarg; break;
		case 'e': ed.email = optarg; break;
		case 'u': ed.username = optarg; break;
		case 'a':
		case 'r':
			if (ng == 64)
				return cli_fail(CLI_USAGE, "too many groups");
			member[ng] = ch == 'a';
			groups[ng++] = optarg;
			break;
		default:
			return cli_fail(CLI_USAGE, "usage: keydesk user edit ID "
			    "[--name N] [--email E] [--username U] [--add-group G] "
			    "[--remove-group G]");
		}
	}
	if (optind != argc - 1)
		return cli_fail(CLI_USAGE, "usage: keydesk user edit ID [options]");
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if (ed.name || ed.email || ed.username)
		r = admin_user_edit(c->st, c->actor, argv[optind], &ed, &e);
	for (i = 0; i < ng && r == KD_OK; i++)
		r = admin_member_set(c->st, c->actor, argv[optind], groups[i],
		    member[i], &e);
	return done(r, &e, "updated", argv[optind]);
}

static int
cmd_user_disable(struct cli *c, int argc, char **argv)
{
	struct kd_err e;
	int dis = strcmp(argv[0], "disable") == 0;

	if (argc != 2)
		return cli_fail(CLI_USAGE, "usage: keydesk user %s ID", argv[0]);
	if (cli_store(c) == NULL)
		return CLI_ERR;
	return done(admin_user_disable(c->st, c->actor, argv[1], dis, &e), &e,
	    dis ? "disabled" : "enabled", argv[1]);
}

static int
cmd_user_delete(struct cli *c, int argc, char **argv)
{
	struct kd_err e;

	if (argc != 2)
		return cli_fail(CLI_USAGE, "usage: keydesk user delete ID");
	if (cli_store(c) == NULL)
		return CLI_ERR;
	return done(admin_user_delete(c->st, c->actor, argv[1], &e), &e,
	    "deleted", argv[1]);
}

int
cli_key_id_parse(const char *s, int64_t *id)
{
	char *end;

	*id = strtoll(s[0] == '#' ? s + 1 : s, &end, 10);
	if (*end != '\0' || *id <= 0)
		return cli_fail(CLI_USAGE, "\"%s\" is not a key ID (see keydesk "
		    "key list)", s);
	return CLI_OK;
}

/* revoke, resend, rename, delete: KEY_ID plus one argument at most. */
static int
cmd_key_one(struct cli *c, int argc, char **argv)
{
	const char *verb = argv[0], *arg = NULL;
	struct kd_err e;
	int64_t id;
	int r;

	if (strcmp(verb, "revoke") == 0 && argc == 4 &&
	    strcmp(argv[2], "--reason") == 0)
		arg = argv[3];
	else if (strcmp(verb, "rename") == 0 && argc == 3)
		arg = argv[2];
	else if (argc != 2 || strcmp(verb, "revoke") == 0 ||
	    strcmp(verb, "rename") == 0)
		return cli_fail(CLI_USAGE, "usage: keydesk key %s KEY_ID%s", verb,
		    strcmp(verb, "revoke") == 0 ? " --reason TEXT" :
		    strcmp(verb, "rename") == 0 ? " NAME" : "");
	if (cli_key_id_parse(argv[1], &id) != CLI_OK)
		return CLI_USAGE;
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if (strcmp(verb, "revoke") == 0)
		r = admin_key_revoke(c->st, c->actor, id, arg, &e);
	else if (strcmp(verb, "resend") == 0) {
		r = admin_key_resend(c->st, c->cfg, c->actor, id, &e);
		if (r == KD_OK)
			cli_deliver(c);
	} else if (strcmp(verb, "rename") == 0)
		r = admin_key_rename(c->st, c->actor, id, arg, &e);
	else
		r = admin_key_delete(c->st, c->actor, id, &e);
	return done(r, &e, strcmp(verb, "resend") == 0 ? "new activation sent "
	    "for key" : "done: key", argv[1]);
}

static int
cmd_key_settings(struct cli *c, int argc, char **argv)
{
	struct kd_key k;
	struct kd_err e;
	int64_t id;
	int i, r;

	if (argc < 4 || cli_key_id_parse(argv[1], &id) != CLI_OK)
		return cli_fail(CLI_USAGE, "usage: keydesk key settings KEY_ID "
		    "--setting NAME=VALUE...");
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if (admin_key_get(c->st, id, &k, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	for (i = 2, r = CLI_OK; i < argc && r == CLI_OK; i += 2) {
		if (strcmp(argv[i], "--setting") != 0 || i + 1 >= argc)
			r = cli_fail(CLI_USAGE, "usage: keydesk key settings KEY_ID "
			    "--setting NAME=VALUE...");
		else
			r = cli_setting_parse(k.type, &k.settings, argv[i + 1]);
	}
	if (r == CLI_OK)
		r = done(admin_key_settings(c->st, c->actor, id, &k.settings, &e),
		    &e, "updated key", argv[1]);
	store_key_clear(&k);
	return r;
}

/* One key; its verification only when its type has one. */
static void
key_list_line(const struct kd_key *k)
{
	char set[64];

	cli_settings_text(k->type, &k->settings, set, sizeof(set));
	cli_line_safe(stdout, "#%-6lld %-16.64s %-10s %-24.64s %-8s %s",
	    (long long)k->id, k->owner, model_key_type_name(k->type), k->name,
	    model_key_status_name(k->status), set);
}

static int
cmd_key_list(struct cli *c, int argc, char **argv)
{
	struct kd_user u = { 0 };
	struct kd_key *k = NULL;
	const char *uid = NULL;
	struct kd_err e;
	struct json j;
	size_t n = 0, i;
	int json = 0, a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0)
			json = 1;
		else if (uid == NULL && argv[a][0] != '-')
			uid = argv[a];
		else
			return cli_fail(CLI_USAGE, "usage: keydesk key list [USER_ID] [--json]");
	}
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if ((uid != NULL && store_user_get(c->st, uid, &u, &e) != KD_OK) ||
	    store_key_list(c->st, u.id, &k, &n, &e) != KD_OK) {
		store_user_clear(&u);
		return cli_fail(CLI_ERR, "%s", e.msg);
	}
	json_init(&j, stdout);
	if (json)
		json_arr_begin(&j);
	for (i = 0; i < n; i++) {
		if (json)
			cli_key_json(&j, &k[i]);
		else
			key_list_line(&k[i]);
	}
	if (json) {
		json_arr_end(&j);
		json_end(&j);
	}
	store_keys_free(k, n);
	store_user_clear(&u);
	return CLI_OK;
}

static int
cmd_audit_verify(struct cli *c, int argc, char **argv)
{
	int64_t bad, rows;
	struct kd_err e;

	if (argc != 1)
		return cli_fail(CLI_USAGE, "usage: keydesk audit verify (not %s)",
		    argv[1]);
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if (admin_audit_verify(c->st, &bad, &rows, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	printf("audit chain intact: %lld rows\n", (long long)rows);
	return CLI_OK;
}
