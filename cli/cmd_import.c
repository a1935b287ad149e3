/* keydesk import users | export users | export keys */
#include "cli/cli_int.h"
#include "core/operator.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/import.h"

static int cmd_import_users(struct cli *, int, char **);
static int cmd_export_users(struct cli *, int, char **);
static int cmd_export_keys(struct cli *, int, char **);

const struct cli_cmd cli_cmds_import[] = {
	{ "import users", "FILE.csv [--dry-run] [--create-groups]",
	    "import users from CSV (user_id,name,email,username,groups; groups "
	    "separated by ;): all rows or none", cmd_import_users, KD_PERM_BULK },
	{ "export users", "[--csv|--json]", "all users, in the import format",
	    cmd_export_users, 0 },
	{ "export keys", "[--csv|--json]", "keys with credential ID, public "
	    "key and AAGUID (base64url) for other systems", cmd_export_keys, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

static char *
read_file(const char *path, size_t *len)
{
	FILE *f;
	char *b = NULL, *nb;
	size_t cap = 0, n;

	*len = 0;
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (*len + 65536 > cap) {
			cap = cap ? cap * 2 : 131072;
			if ((nb = realloc(b, cap)) == NULL) {
				free(b);
				fclose(f);
				return NULL;
			}
			b = nb;
		}
		if ((n = fread(b + *len, 1, cap - *len, f)) == 0)
			break;
		*len += n;
	}
	fclose(f);
	return b;
}

static int
cmd_import_users(struct cli *c, int argc, char **argv)
{
	struct kd_import_opts o = { 0, 0 };
	struct kd_import_report rep;
	const char *path = NULL;
	struct kd_err e;
	size_t len, i;
	char *data;
	int a, r;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--dry-run") == 0)
			o.dry_run = 1;
		else if (strcmp(argv[a], "--create-groups") == 0)
			o.create_groups = 1;
		else if (path == NULL && argv[a][0] != '-')
			path = argv[a];
		else
			return cli_fail(CLI_USAGE, "usage: keydesk import users FILE.csv "
			    "[--dry-run] [--create-groups]");
	}
	if (path == NULL)
		return cli_fail(CLI_USAGE, "usage: keydesk import users FILE.csv");
	if ((data = read_file(path, &len)) == NULL)
		return cli_fail(CLI_ERR, "%s: %s", path, strerror(errno));
	if (cli_store(c) == NULL) {
		free(data);
		return CLI_ERR;
	}
	r = import_users(c->st, c->actor, data, len, &o, &rep, &e);
	free(data);
	for (i = 0; i < rep.nissues && i < IMPORT_MAX_ISSUES; i++)
		cli_printf_safe(stderr, "%s:%d: %s: %s\n", path, rep.issues[i].line,
		    rep.issues[i].field, rep.issues[i].reason);
	if (rep.nissues > IMPORT_MAX_ISSUES)
		fprintf(stderr, "... and %zu more\n", rep.nissues - IMPORT_MAX_ISSUES);
	if (r != KD_OK) {
		import_report_clear(&rep);
		/* What is wrong with the file names the file. */
		if (r == KD_ERR_INVALID)
			return cli_fail(CLI_ERR, "%s: %s", path, e.msg);
		return cli_fail(CLI_ERR, "%s", e.msg);
	}
	printf("%s %zu users%s", o.dry_run ? "would import" : "imported",
	    rep.rows, rep.groups_created ? "" : "\n");
	if (rep.groups_created)
		printf(", created %zu groups\n", rep.groups_created);
	import_report_clear(&rep);
	return CLI_OK;
}

static int
format_arg(int argc, char **argv, int *json)
{
	*json = 0;
	if (argc == 2 && strcmp(argv[1], "--json") == 0)
		*json = 1;
	else if (argc > 2 || (argc == 2 && strcmp(argv[1], "--csv") != 0))
		return cli_fail(CLI_USAGE, "usage: keydesk export %s [--csv|--json]",
		    argv[0]);
	return CLI_OK;
}

/* CSV for a file or a pipe is exact; on a terminal stored controls (ESC,
 * OSC, LF...) are shown as '?' so they cannot drive the terminal. */
static void
export_field(const char *s, int last)
{
	static int tty = -1;
	char *clean;

	if (tty < 0)
		tty = isatty(STDOUT_FILENO);
	if (!tty || (clean = kd_sanitize_dup(s)) == NULL) {
		csv_write_field(stdout, s, last);
		return;
	}
	csv_write_field(stdout, clean, last);
	free(clean);
}

static void
user_out(struct cli *c, struct json *j, const struct kd_user *u)
{
	struct kd_group *g = NULL;
	char groups[4096] = "";
	size_t ng = 0, i, o = 0;

	store_user_groups(c->st, u->id, &g, &ng, NULL);
	for (i = 0; i < ng && o < sizeof(groups); i++)
		o += (size_t)snprintf(groups + o, sizeof(groups) - o, "%s%s",
		    i ? ";" : "", g[i].name);
	if (j == NULL) {
		export_field(u->user_id, 0);
		export_field(u->name, 0);
		export_field(u->email, 0);
		export_field(u->username, 0);
		export_field(groups, 1);
	} else {
		json_obj_begin(j);
		json_kstr(j, "user_id", u->user_id);
		json_kstr(j, "name", u->name);
		json_kstr(j, "email", u->email);
		json_kstr(j, "username", u->username);
		json_kstr(j, "status", model_user_status_name(u->status));
		json_kbool(j, "disabled", u->disabled);
		json_key(j, "groups");
		json_arr_begin(j);
		for (i = 0; i < ng; i++)
			json_str(j, g[i].name);
		json_arr_end(j);
		json_obj_end(j);
	}
	store_groups_free(g, ng);
}

static int
cmd_export_users(struct cli *c, int argc, char **argv)
{
	struct kd_user_query q = { 0 };
	struct kd_user_page p;
	struct kd_err e;
	struct json j;
	size_t i;
	int json, more;

	if (format_arg(argc, argv, &json) != CLI_OK)
		return CLI_USAGE;
	if (cli_store(c) == NULL)
		return CLI_ERR;
	json_init(&j, stdout);
	if (json)
		json_arr_begin(&j);
	else
		printf("user_id,name,email,username,groups\r\n");
	q.status = -1;
	q.limit = 1000;
	do {
		if (store_user_list(c->st, &q, &p, &e) != KD_OK)
			return cli_fail(CLI_ERR, "%s", e.msg);
		for (i = 0; i < p.n; i++)
			user_out(c, json ? &j : NULL, &p.users[i]);
		q.after = p.next;
		more = p.more;
		store_user_page_clear(&p);
	} while (more);
	if (json) {
		json_arr_end(&j);
		json_end(&j);
	}
	return CLI_OK;
}

/* The stored AAGUID is hex; other systems want base64url like the rest. */
static void
aaguid_b64(const char *hex, char *out, size_t len)
{
	unsigned char raw[16];
	unsigned int v;
	size_t i;

	out[0] = '\0';
	if (hex == NULL || strlen(hex) != 32)
		return;
	for (i = 0; i < 16; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return;
		raw[i] = (unsigned char)v;
	}
	kd_b64url_encode(raw, 16, out, len);
}

static int
cmd_export_keys(struct cli *c, int argc, char **argv)
{
	struct kd_key *k;
	struct kd_err e;
	struct json j;
	char ag[32], t[32];
	size_t n, i;
	int json;

	if (format_arg(argc, argv, &json) != CLI_OK)
		return CLI_USAGE;
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if (store_key_list(c->st, 0, &k, &n, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	json_init(&j, stdout);
	if (json)
		json_arr_begin(&j);
	else
		printf("key_id,user_id,type,name,status,auditable,credential_id,"
		    "public_key,aaguid,activated_at\r\n");
	for (i = 0; i < n; i++) {
		aaguid_b64(k[i].aaguid, ag, sizeof(ag));
		if (json) {
			cli_key_json(&j, &k[i]);
			continue;
		}
		snprintf(t, sizeof(t), "%lld", (long long)k[i].id);
		export_field(t, 0);
		export_field(k[i].owner ? k[i].owner : "", 0);
		export_field(model_key_type_name(k[i].type), 0);
		export_field(k[i].name, 0);
		export_field(model_key_status_name(k[i].status), 0);
		export_field(k[i].settings.auditable ? "true" : "false", 0);
		export_field(k[i].credential_id ? k[i].credential_id : "", 0);
		export_field(k[i].public_key ? k[i].public_key : "", 0);
		export_field(ag, 0);
		kd_time_iso(k[i].activated_at, t, sizeof(t));
		export_field(k[i].activated_at ? t : "", 1);
	}
	if (json) {
		json_arr_end(&j);
		json_end(&j);
	}
	store_keys_free(k, n);
	return CLI_OK;
}
