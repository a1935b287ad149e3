/* Global options, the subcommand table and dispatch. */
#include "cli/cli_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/codekey.h"
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

/* The TUI asks before it makes a database at a path someone typed. */
static int
ask_create(const char *path)
{
	char line[16];

	/* On the terminal the TUI would draw on (stderr may be a log). */
	if (!isatty(0) || !isatty(1))
		return 0;
	fputs("keydesk: database ", stdout);
	cli_puts_safe(stdout, path);
	fputs(" does not exist. Create it? [y/N] ", stdout);
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

/* Warns once per process: the open happens once, the warning with it. */
static void
warn_private(const char *path)
{
	struct kd_err e;

	if (store_check_private(path, &e) != KD_OK)
		cli_fail(0, "%s", e.msg);
}

/* One line of a listing: a LF or any other control that was stored in a
 * field (written by other means than keydesk) becomes '?', so every row
 * stays one line. */
void
cli_line_safe(FILE *f, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kd_sanitize(buf, buf, sizeof(buf));
	fputs(buf, f);
	fputc('\n', f);
}

struct kd_store *
cli_store(struct cli *c)
{
	const char *path = c->db_path ? c->db_path : c->cfg->database;
	struct kd_err e;
	int r;

	if (c->st != NULL)
		return c->st;
	/* Only the built-in default is made on first use; a path from --db
	 * or database: must exist unless keydesk init (or the TUI's
	 * question) says to create it. */
	if (c->create_db || (c->db_path == NULL &&
	    config_database_is_default(c->cfg)))
		r = store_open(&c->st, path, &e);
	else if ((r = store_open_existing(&c->st, path, &e)) == KD_ERR_NOTFOUND &&
	    c->interactive && ask_create(path))
		r = store_open(&c->st, path, &e);
	if (r == KD_OK && (r = codekey_load(c->cfg->code_key_file, path,
	    &e)) != KD_OK)
		store_close(&c->st);
	if (r != KD_OK) {
		cli_fail(CLI_ERR, "%s", e.msg);
		return NULL;
	}
	/* Mail queued after this is the command's own (cli_deliver). */
	store_outbox_max_id(c->st, &c->outbox_base);
	warn_private(path);
	return c->st;
}

/* How long a command waits for its own mail before leaving the rest
 * queued for the next delivery. */
#define CLI_DELIVER_MS	20000

/* Sends the mail this command queued, and nobody else's backlog (that is
 * for `outbox flush` and the TUI's background delivery). */
void
cli_deliver(struct cli *c)
{
	struct kd_outbox_result res;
	struct kd_outbox_opts o;
	struct kd_err e;
	int r;

	if (c->st == NULL)
		return;
	if (c->cfg->smtp_url == NULL) {
		fprintf(stderr, "keydesk: no SMTP server configured: the email "
		    "waits in the outbox (keydesk outbox list)\n");
		return;
	}
	memset(&o, 0, sizeof(o));
	o.all = 1;		/* just queued: due now */
	o.after_id = c->outbox_base;
	if (store_outbox_max_id(c->st, &o.upto_id) != KD_OK ||
	    o.upto_id <= o.after_id)
		return;
	o.deadline_ms = kd_mono_ms() + CLI_DELIVER_MS;
	kd_err_clear(&e);
	r = outbox_deliver_opts(c->st, c->cfg, &o, NULL, NULL, NULL, &res, &e);
	if (r != KD_OK || res.deferred > 0 || res.failed > 0)
		cli_fail(0, "mail not delivered yet, it stays in the outbox: %s",
		    res.last_error[0] ? res.last_error : e.msg);
	else if (res.left > 0)
		cli_fail(0, "%d message%s left in the outbox (%s): keydesk "
		    "outbox flush sends %s now", res.left, res.left == 1 ? "" :
		    "s", res.left_why, res.left == 1 ? "it" : "them");
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
		c->interactive = !c->kiosk;
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
