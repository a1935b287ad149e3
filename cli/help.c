/* Everything the CLI says about itself, from the one command table (each
 * cmd_*.c file's cli_cmds_*[]): `--help`, a group's help (`keydesk user
 * --help`), one command's help with its settings and an example, and the
 * hidden `keydesk help --man` / `--completion bash` that the install step
 * turns into the man page and the bash completion, so none can drift. */
#include "cli/cli_int.h"

#include <string.h>

const struct cli_cmd *const cli_tables[] = { cli_cmds_user, cli_cmds_key,
    cli_cmds_admin, cli_cmds_workflow, cli_cmds_import, cli_cmds_operator,
    cli_cmds_serve, cli_cmds_misc };
const size_t cli_ntables = KD_NELEM(cli_tables);

/* Worked examples, by command name; a command without one has none. */
static const struct { const char *name, *example; } examples[] = {
	{ "user add", "keydesk user add --id E1042 --name \"Ada Lovelace\" "
	    "--email ada@example.com --username ada --group Engineering "
	    "--key card --activate email --setting verification=pin" },
	{ "user list", "keydesk user list --status pending --json" },
	{ "user show", "keydesk user show E1042" },
	{ "key add", "keydesk key add E1042 --key fido2 --activate now "
	    "--default-settings" },
	{ "key settings", "keydesk key settings 12 --setting offline_login=on" },
	{ "key revoke", "keydesk key revoke 12 --reason \"lost on the train\"" },
	{ "import users", "keydesk import users staff.csv --dry-run" },
	{ "workflow add", "keydesk workflow add \"Floor keys\" --key fido2 "
	    "--group Floor --default-settings" },
	{ "operator add", "keydesk operator add desk1 --role kiosk" },
	{ "audit", "keydesk audit --since 7d --action key." },
};

static const char *global_help =
    "  --config FILE  configuration file (default: $XDG_CONFIG_HOME/"
    "keydesk/config.yaml,\n                 then /etc/keydesk/config.yaml, "
    "then built-in defaults)\n"
    "  --db PATH      database file (overrides the configuration)\n"
    "  --kiosk        the full-screen interface as a locked-down kiosk "
    "(no way out,\n                 idle lock, operators sign in)\n"
    "  --help, --version\n";

static const char *
cli_example(const char *name)
{
	size_t i;

	for (i = 0; i < KD_NELEM(examples); i++)
		if (strcmp(examples[i].name, name) == 0)
			return examples[i].example;
	return NULL;
}

void
cli_help_print(FILE *f)
{
	const struct cli_cmd *c;
	size_t t;

	fprintf(f, "usage: keydesk [--config FILE] [--db PATH] [--kiosk] "
	    "[COMMAND ...]\n\nWithout a command keydesk starts its "
	    "full-screen interface.\n\nCommands (keydesk COMMAND --help "
	    "for one):\n");
	for (t = 0; t < cli_ntables; t++)
		for (c = cli_tables[t]; c->name != NULL; c++)
			fprintf(f, "  %s %s\n      %s\n", c->name, c->usage, c->help);
	fprintf(f, "\nGlobal options (anywhere on the line):\n%s"
	    "Exit status: 0 success, 1 runtime error, 2 usage error.\n",
	    global_help);
}

/* "user" is a group when some command is "user SOMETHING". */
int
cli_help_group(FILE *f, const char *group)
{
	const struct cli_cmd *c;
	size_t t, len = strlen(group);
	int n = 0;

	for (t = 0; t < cli_ntables; t++)
		for (c = cli_tables[t]; c->name != NULL; c++) {
			if (strncmp(c->name, group, len) != 0 ||
			    c->name[len] != ' ')
				continue;
			if (n++ == 0)
				fprintf(f, "keydesk %s commands (keydesk %s "
				    "COMMAND --help for one):\n", group, group);
			fprintf(f, "  %s %s\n      %s\n", c->name, c->usage,
			    c->help);
		}
	return n;
}

/* The settings --setting takes, each with its values and the device
 * types it applies to (core/model.c decides which). */
static void
cli_help_settings(FILE *f)
{
	enum kd_setting s;
	int t, v, n, k;

	fprintf(f, "\nSettings (--setting NAME=VALUE):\n");
	for (s = 0; s < KD_NSETTINGS; s++) {
		fprintf(f, "  %s=%s\n      %s\n      applies to:", model_setting_name(s),
		    s == KD_SET_VERIFICATION ? "biometric|pin|pinless" : "on|off",
		    model_setting_help(s));
		for (t = 0, n = 0; t < KD_KEY_NTYPES; t++) {
			if (!model_setting_applies(t, s))
				continue;
			fprintf(f, "%s %s", n++ ? "," : "", model_key_type_name(t));
			if (s != KD_SET_VERIFICATION)
				continue;
			fprintf(f, " (");
			for (v = 0, k = 0; v <= KD_VERIFY_PINLESS; v++)
				if (model_verification_allowed(t, v))
					fprintf(f, "%s%s", k++ ? "|" : "",
					    model_verification_name(v));
			fprintf(f, ")");
		}
		fprintf(f, "\n");
	}
}

void
cli_help_cmd(FILE *f, const struct cli_cmd *c)
{
	const char *ex = cli_example(c->name);

	fprintf(f, "usage: keydesk %s %s\n  %s\n", c->name, c->usage, c->help);
	if (strstr(c->usage, "--setting") != NULL)
		cli_help_settings(f);
	if (ex != NULL)
		fprintf(f, "\nExample:\n  %s\n", ex);
}
