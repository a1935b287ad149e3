/* keydesk operator add | list | disable | enable | password | key | signin */
#include "cli/cli_int.h"
#include "core/operator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/tap.h"

static int cmd_operator_add(struct cli *, int, char **);
static int cmd_operator_list(struct cli *, int, char **);
static int cmd_operator_disable(struct cli *, int, char **);
static int cmd_operator_password(struct cli *, int, char **);
static int cmd_operator_key(struct cli *, int, char **);
static int cmd_operator_signin(struct cli *, int, char **);

const struct cli_cmd cli_cmds_operator[] = {
	{ "operator add", "NAME --role admin|operator|kiosk",
	    "add a kiosk operator", cmd_operator_add, KD_PERM_ADMIN },
	{ "operator list", "[--json]", "operators and how they sign in",
	    cmd_operator_list, 0 },
	{ "operator disable", "NAME", "stop an operator from signing in",
	    cmd_operator_disable, KD_PERM_ADMIN },
	{ "operator enable", "NAME", "let a disabled operator sign in again",
	    cmd_operator_disable, KD_PERM_ADMIN },
	{ "operator password", "NAME", "set an operator's password (asked "
	    "twice on a terminal, else one line of stdin; at least 10 "
	    "characters)", cmd_operator_password,
	    KD_PERM_ADMIN },
	{ "operator key", "NAME [--reader NAME]", "register the operator's "
	    "own security key: tap it now", cmd_operator_key, KD_PERM_ADMIN },
	{ "operator signin", "NAME (--password-stdin | --key [--reader NAME])",
	    "check an operator's sign-in (rate-limited, audited)",
	    cmd_operator_signin, KD_PERM_REDEEM },
	{ NULL, NULL, NULL, NULL, 0 },
};

static int
cmd_operator_add(struct cli *c, int argc, char **argv)
{
	enum kd_role role;
	struct kd_err e;

	if (argc != 4 || strcmp(argv[2], "--role") != 0 ||
	    role_parse(argv[3], &role) != KD_OK || role == KD_ROLE_READONLY)
		return cli_fail(CLI_USAGE, "usage: keydesk operator add NAME "
		    "--role admin|operator|kiosk");
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if (operator_add(c->st, c->actor, argv[1], role, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	cli_printf_safe(stdout, "added operator %s (%s)\n", argv[1], argv[3]);
	return CLI_OK;
}

static int
cmd_operator_list(struct cli *c, int argc, char **argv)
{
	struct kd_operator *v;
	struct kd_err e;
	struct json j;
	size_t n, i;
	int json = argc == 2 && strcmp(argv[1], "--json") == 0;

	if (argc > 2 || (argc == 2 && !json))
		return cli_fail(CLI_USAGE, "usage: keydesk operator list [--json]");
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if (operator_list(c->st, &v, &n, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	json_init(&j, stdout);
	if (json)
		json_arr_begin(&j);
	for (i = 0; i < n; i++) {
		if (!json) {
			cli_printf_safe(stdout, "%-24s %-9s password:%s key:%s%s\n",
			    v[i].name, role_name(v[i].role), v[i].has_password ?
			    "yes" : "no", v[i].has_key ? "yes" : "no",
			    v[i].disabled ? " (disabled)" : "");
			continue;
		}
		json_obj_begin(&j);
		json_kstr(&j, "name", v[i].name);
		json_kstr(&j, "role", role_name(v[i].role));
		json_kbool(&j, "password", v[i].has_password);
		json_kbool(&j, "key", v[i].has_key);
		json_kbool(&j, "disabled", v[i].disabled);
		json_obj_end(&j);
	}
	if (json) {
		json_arr_end(&j);
		json_end(&j);
	}
	free(v);
	return CLI_OK;
}

static int
cmd_operator_disable(struct cli *c, int argc, char **argv)
{
	struct kd_err e;
	int dis = strcmp(argv[0], "disable") == 0;

	if (argc != 2)
		return cli_fail(CLI_USAGE, "usage: keydesk operator %s NAME", argv[0]);
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if (operator_disable(c->st, c->actor, argv[1], dis, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	cli_printf_safe(stdout, "%s operator %s\n", dis ? "disabled" : "enabled",
	    argv[1]);
	return CLI_OK;
}

/* One line from stdin, without echo on a terminal. */
static int
read_secret(const char *prompt, char *buf, size_t len)
{
	struct termios t, saved;
	int tty = isatty(0), ok;

	if (tty) {
		tcgetattr(0, &saved);
		t = saved;
		t.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSAFLUSH, &t);
		/* Only now: what is typed once the prompt shows is kept. */
		fprintf(stderr, "%s", prompt);
	}
	ok = fgets(buf, (int)len, stdin) != NULL;
	if (tty) {
		tcsetattr(0, TCSAFLUSH, &saved);
		fputc('\n', stderr);
	}
	if (ok)
		buf[strcspn(buf, "\r\n")] = '\0';
	return ok ? CLI_OK : cli_fail(CLI_USAGE, "no password on stdin");
}

/* The same password typed again, or nothing is changed (pw is wiped). */
static int
password_again(char *pw, size_t len)
{
	char again[256];
	int same;

	if (read_secret("Again: ", again, sizeof(again)) != CLI_OK) {
		kd_wipe(pw, len);
		return CLI_USAGE;
	}
	same = strcmp(pw, again) == 0;
	kd_wipe(again, sizeof(again));
	if (same)
		return CLI_OK;
	kd_wipe(pw, len);
	return cli_fail(CLI_USAGE, "the passwords differ; nothing was changed");
}

static int
cmd_operator_password(struct cli *c, int argc, char **argv)
{
	char pw[256];
	struct kd_err e;
	int r;

	if (argc != 2)
		return cli_fail(CLI_USAGE, "usage: keydesk operator password NAME");
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if (read_secret("New password: ", pw, sizeof(pw)) != CLI_OK)
		return CLI_USAGE;
	/* On a terminal a typo would lock the operator out: ask twice.  A
	 * script's stdin gives it once. */
	if (isatty(0) && (r = password_again(pw, sizeof(pw))) != CLI_OK)
		return r;
	r = operator_set_password(c->st, c->actor, argv[1], pw, &e);
	kd_wipe(pw, sizeof(pw));
	if (r != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	cli_printf_safe(stdout, "password set for %s\n", argv[1]);
	return CLI_OK;
}

static int
cmd_operator_key(struct cli *c, int argc, char **argv)
{
	struct cli_tap_opts o = { 0 };
	struct kd_operator op;
	struct kd_tap tap;
	struct kd_err e;
	int r;

	if (argc == 4 && strcmp(argv[2], "--reader") == 0)
		o.reader = argv[3];
	else if (argc != 2)
		return cli_fail(CLI_USAGE, "usage: keydesk operator key NAME "
		    "[--reader NAME]");
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if (operator_get(c->st, argv[1], &op, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	if (tap_init(&tap, c->cfg, KD_VERIFY_PINLESS, op.name, op.name, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	if ((r = cli_tap_run(c, &tap, &o)) == CLI_OK) {
		if (operator_set_key(c->st, c->actor, op.name, &tap.rec, &e) != KD_OK)
			r = cli_fail(CLI_ERR, "%s", e.msg);
		else
			cli_printf_safe(stdout, "registered a key for %s\n", op.name);
	}
	tap_clear(&tap);
	return r;
}

static int
cmd_operator_signin(struct cli *c, int argc, char **argv)
{
	struct kd_operator op;
	struct kd_err e;
	char pw[256], where[160], path[300];
	const char *reader = NULL;
	int r;

	if (argc == 3 && strcmp(argv[2], "--password-stdin") == 0)
		reader = NULL;
	else if (argc >= 3 && strcmp(argv[2], "--key") == 0 &&
	    (argc == 3 || (argc == 5 && strcmp(argv[3], "--reader") == 0)))
		reader = argc == 5 ? argv[4] : "";
	else
		return cli_fail(CLI_USAGE, "usage: keydesk operator signin NAME "
		    "(--password-stdin | --key [--reader NAME])");
	if (cli_store(c) == NULL)
		return CLI_ERR;
	snprintf(where, sizeof(where), "cli:%s", c->actor);
	if (reader == NULL) {
		if (read_secret("Password: ", pw, sizeof(pw)) != CLI_OK)
			return CLI_USAGE;
		r = operator_signin_password(c->st, argv[1], pw, where, &op, &e);
		kd_wipe(pw, sizeof(pw));
	} else {
		snprintf(path, sizeof(path), "pcsc:%s", reader);
		fprintf(stderr, "keydesk: tap your security key\n");
		r = operator_signin_key(c->st, c->cfg, argv[1], reader[0] ? path :
		    NULL, NULL, where, &op, &e);
	}
	if (r != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	cli_printf_safe(stdout, "signed in: %s (%s)\n", op.name, role_name(op.role));
	return CLI_OK;
}
