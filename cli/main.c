/* Global options, the subcommand table and dispatch. */
#include "cli/cli_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/operator.h"
#include "core/outbox.h"
#include "tui/tui.h"

int
cli_fail(int status, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fputs("keydesk: ", stderr);
	cli_puts_safe(stderr, buf);
	fputc('\n', stderr);
	return status;
}

int
cli_usage(const struct cli_cmd *c)
{
	return cli_fail(CLI_USAGE, "usage: keydesk %s %s", c->name, c->usage);
}

int
cli_status(int r)
{
	return r == KD_OK ? CLI_OK : CLI_ERR;
}

/* Line breaks are kept (they cannot move the cursor back or change the
 * terminal); every other control character is replaced. */
void
cli_puts_safe(FILE *f, const char *s)
{
	const char *nl;
	char *clean;

	for (;;) {
		nl = strchr(s, '\n');
		if ((clean = strndup(s, nl ? (size_t)(nl - s) : strlen(s))) != NULL) {
			kd_sanitize(clean, clean, strlen(clean) + 1);
			fputs(clean, f);
			free(clean);
		}
		if (nl == NULL)
			break;
		fputc('\n', f);
		s = nl + 1;
	}
}

void
cli_printf_safe(FILE *f, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cli_puts_safe(f, buf);
}

struct kd_store *
cli_store(struct cli *c)
{
	struct kd_err e;

	if (c->st != NULL)
		return c->st;
	if (store_open(&c->st, c->db_path ? c->db_path : c->cfg->database,
	    &e) != KD_OK) {
		cli_fail(CLI_ERR, "%s", e.msg);
		return NULL;
	}
	return c->st;
}

void
cli_deliver(struct cli *c)
{
	struct kd_outbox_result res;
	struct kd_err e;

	if (c->st == NULL)
		return;
	if (c->cfg->smtp_url == NULL) {
		fprintf(stderr, "keydesk: no SMTP server configured: the email "
		    "waits in the outbox (keydesk outbox list)\n");
		return;
	}
	if (outbox_deliver(c->st, c->cfg, 0, NULL, NULL, NULL, &res, &e) != KD_OK ||
	    res.deferred > 0 || res.failed > 0)
		cli_fail(0, "mail not delivered yet, it stays in the outbox: %s",
		    res.last_error[0] ? res.last_error : e.msg);
}

/* Takes --config/--db/--help/--version out of argv wherever they are. */
static int
global_options(struct cli *c, int *argc, char **argv, int *help, int *version)
{
	int i, o = 0;

	for (i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "--db") == 0) {
			if (i + 1 >= *argc)
				return cli_fail(CLI_USAGE, "%s needs a value", argv[i]);
			if (argv[i][2] == 'c')
				c->config_path = argv[++i];
			else
				c->db_path = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0)
			c->config_path = argv[i] + 9;
		else if (strncmp(argv[i], "--db=", 5) == 0)
			c->db_path = argv[i] + 5;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			*help = 1;
		else if (strcmp(argv[i], "--version") == 0)
			*version = 1;
		else if (strcmp(argv[i], "--kiosk") == 0)
			c->kiosk = 1;
		else
			argv[o++] = argv[i];
	}
	*argc = o;
	return CLI_OK;
}

/* Finds the longest command name ("user add") matching the arguments. */
static const struct cli_cmd *
find_cmd(int argc, char **argv, int *used)
{
	const struct cli_cmd *c, *best = NULL;
	char name[128];
	size_t t;
	int n, i;

	for (t = 0; t < cli_ntables; t++)
		for (c = cli_tables[t]; c->name != NULL; c++) {
			name[0] = '\0';
			for (n = 0, i = 0; i < argc && i < 3; i++) {
				if (i > 0)
					strncat(name, " ", sizeof(name) - strlen(name) - 1);
				strncat(name, argv[i], sizeof(name) - strlen(name) - 1);
				if (strcmp(name, c->name) == 0)
					n = i + 1;
			}
			if (n > 0 && (best == NULL || n > *used)) {
				best = c;
				*used = n;
			}
		}
	return best;
}

/* `keydesk help [--man | --completion bash | GROUP]`: the hidden forms
 * print the man page and the completion at install time. */
static int
run_help(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--man") == 0)
		cli_help_man(stdout);
	else if (argc == 3 && strcmp(argv[1], "--completion") == 0 &&
	    strcmp(argv[2], "bash") == 0)
		cli_help_completion(stdout);
	else if (argc == 2 && cli_help_group(stdout, argv[1]) > 0)
		;
	else if (argc == 1)
		cli_help_print(stdout);
	else
		return cli_fail(CLI_USAGE, "usage: keydesk help [GROUP]");
	return CLI_OK;
}

/* Not a command: a group's first word lists the group's commands (on
 * stdout for --help, else on stderr as the usage error it is). */
static int
run_unknown(int argc, char **argv, int help)
{
	if (cli_help_group(help ? stdout : stderr, argv[0]) > 0)
		return help ? CLI_OK : CLI_USAGE;
	(void)argc;
	return cli_fail(CLI_USAGE, "unknown command \"%s\" (keydesk "
	    "--help lists them)", argv[0]);
}

static int
run(struct cli *c, int argc, char **argv, int help)
{
	const struct cli_cmd *cmd;
	struct tui_opts topts = { c->kiosk, c->actor, c->role };
	int used = 0;

	if (argc == 0) {
		if (help) {
			cli_help_print(stdout);
			return CLI_OK;
		}
		if (cli_store(c) == NULL)
			return CLI_ERR;
		return tui_run(c->cfg, c->st, &topts);
	}
	if (strcmp(argv[0], "help") == 0)
		return run_help(argc, argv);
	if ((cmd = find_cmd(argc, argv, &used)) == NULL)
		return run_unknown(argc, argv, help);
	if (help) {
		cli_help_cmd(stdout, cmd);
		return CLI_OK;
	}
	if (!role_allows((enum kd_role)c->role, (enum kd_perm)cmd->perm)) {
		/* The refusal is audited: someone tried. */
		if (cli_store(c) != NULL)
			operator_audit_denied(c->st, c->actor, cmd->name,
			    (enum kd_role)c->role);
		return cli_fail(CLI_ERR, "permission denied: \"%s\" needs more "
		    "than the %s role %s has (see access: in the configuration)",
		    cmd->name, role_name((enum kd_role)c->role), c->actor);
	}
	/* The command sees its own name as argv[0], as getopt expects. */
	return cmd->run(c, argc - used + 1, argv + used - 1);
}

int
cli_main(int argc, char **argv)
{
	struct cli c;
	struct kd_err e;
	int help = 0, version = 0, r;

	memset(&c, 0, sizeof(c));
	argc--;
	argv++;
	if ((r = global_options(&c, &argc, argv, &help, &version)) != CLI_OK)
		return r;
	if (version) {
		printf("keydesk %s\n", KD_VERSION);
		return CLI_OK;
	}
	c.actor = kd_os_user();
	if ((c.cfg = config_new()) == NULL)
		return cli_fail(CLI_ERR, "out of memory");
	/* `config check FILE` loads its own file and reports its errors; help
	 * needs none. */
	if (!(argc >= 2 && strcmp(argv[0], "config") == 0 &&
	    strcmp(argv[1], "check") == 0) &&
	    /* help is the table's, whatever this host's configuration */
	    !(argc >= 1 && strcmp(argv[0], "help") == 0) &&
	    config_load(c.cfg, c.config_path, &e) != KD_OK) {
		r = cli_fail(CLI_ERR, "%s", e.msg);
		goto out;
	}
	c.role = (int)role_of_os_user(c.cfg, c.actor);
	r = run(&c, argc, argv, help);
out:
	store_close(&c.st);
	config_free(&c.cfg);
	return r;
}
