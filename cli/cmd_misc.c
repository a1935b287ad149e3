/* keydesk group add | list, outbox list | flush, audit, config check */
#include "cli/cli_int.h"
#include "core/operator.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/admin.h"
#include "core/outbox.h"
#include "core/validate.h"

static int cmd_group_add(struct cli *, int, char **);
static int cmd_group_list(struct cli *, int, char **);
static int cmd_outbox_list(struct cli *, int, char **);
static int cmd_outbox_flush(struct cli *, int, char **);
static int cmd_audit(struct cli *, int, char **);
static int cmd_config_check(struct cli *, int, char **);
static int cmd_init(struct cli *, int, char **);

const struct cli_cmd cli_cmds_misc[] = {
	/* Any role: an empty database grants nothing, and the file system
	 * already decides who may create a file there. */
	{ "init", "", "create the database at the configured or --db path",
	    cmd_init, 0 },
	{ "group add", "NAME", "create a group", cmd_group_add, KD_PERM_EDIT },
	{ "group list", "[--json]", "list groups with member counts",
	    cmd_group_list, 0 },
	{ "outbox list", "[--json]", "show queued, sent and failed mail "
	    "(never the bodies)", cmd_outbox_list, 0 },
	{ "outbox flush", "", "deliver queued mail now", cmd_outbox_flush, KD_PERM_ENROLL },
	{ "audit", "[--user ID] [--action PREFIX] [--since T] [--limit N] [--json]",
	    "show the audit log, newest first (T: 2026-11-23[ 08:50], 12h, 7d)",
	    cmd_audit, 0 },
	{ "config check", "[FILE]", "validate a configuration and print the "
	    "effective settings", cmd_config_check, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

/* Parses "[--json]" and at most `npos` positional arguments. */
static int
simple_args(int argc, char **argv, int *json, const char **pos, int npos,
    const char *usage)
{
	int i, n = 0;

	if (json != NULL)
		*json = 0;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 && json != NULL)
			*json = 1;
		else if (argv[i][0] != '-' && n < npos)
			pos[n++] = argv[i];
		else
			return cli_fail(CLI_USAGE, "usage: keydesk %s", usage);
	}
	return CLI_OK;
}

static int
cmd_group_add(struct cli *c, int argc, char **argv)
{
	const char *name = NULL;
	struct kd_err e;
	int json;

	if (simple_args(argc, argv, &json, &name, 1, "group add NAME") != CLI_OK ||
	    name == NULL)
		return cli_fail(CLI_USAGE, "usage: keydesk group add NAME");
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if (admin_group_add(c->st, c->actor, name, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	cli_printf_safe(stdout, "created group %s\n", name);
	return CLI_OK;
}

static int
cmd_group_list(struct cli *c, int argc, char **argv)
{
	struct kd_group *g;
	struct kd_err e;
	struct json j;
	size_t n, i;
	int json;

	if (simple_args(argc, argv, &json, NULL, 0, "group list [--json]") != CLI_OK)
		return CLI_USAGE;
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if (store_group_list(c->st, &g, &n, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	json_init(&j, stdout);
	if (json)
		json_arr_begin(&j);
	for (i = 0; i < n; i++) {
		if (!json) {
			cli_line_safe(stdout, "%-32.64s %lld", g[i].name,
			    (long long)g[i].members);
			continue;
		}
		json_obj_begin(&j);
		json_kstr(&j, "name", g[i].name);
		json_kint(&j, "members", g[i].members);
		json_ktime(&j, "created_at", g[i].created_at);
		json_obj_end(&j);
	}
	if (json) {
		json_arr_end(&j);
		json_end(&j);
	}
	store_groups_free(g, n);
	return CLI_OK;
}

static void
outbox_json(struct json *j, const struct kd_outbox_row *m)
{
	json_obj_begin(j);
	json_kint(j, "id", m->id);
	json_kstr(j, "to", m->to_addr);
	json_kstr(j, "to_name", m->to_name);
	json_kstr(j, "subject", m->subject);
	json_kstr(j, "kind", m->kind);
	json_kstr(j, "status", m->status);
	json_kint(j, "attempts", m->attempts);
	json_kstr(j, "last_error", m->last_error);
	json_kstr(j, "message_id", m->message_id);
	json_ktime(j, "created_at", m->created_at);
	json_ktime(j, "next_attempt_at", m->status[0] == 'q' ? m->next_attempt_at : 0);
	json_ktime(j, "sent_at", m->sent_at);
	json_obj_end(j);
}

static int
cmd_outbox_list(struct cli *c, int argc, char **argv)
{
	struct kd_outbox_row *m;
	struct kd_err e;
	struct json j;
	char t[32], next[32];
	size_t n, i;
	int json;

	if (simple_args(argc, argv, &json, NULL, 0, "outbox list [--json]") != CLI_OK)
		return CLI_USAGE;
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if (store_outbox_list(c->st, NULL, 100000, &m, &n, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	json_init(&j, stdout);
	if (json)
		json_arr_begin(&j);
	for (i = 0; i < n; i++) {
		if (json) {
			outbox_json(&j, &m[i]);
			continue;
		}
		kd_time_format(m[i].created_at, t, sizeof(t));
		kd_time_format(m[i].next_attempt_at, next, sizeof(next));
		cli_line_safe(stdout, "#%-6lld %-7s %s %-32.254s %s%s%s%s%s",
		    (long long)m[i].id, m[i].status, t, m[i].to_addr,
		    m[i].subject, m[i].status[0] == 'q' ? " | next attempt " :
		    "", m[i].status[0] == 'q' ? next : "",
		    m[i].last_error ? " | " : "",
		    m[i].last_error ? m[i].last_error : "");
	}
	if (json) {
		json_arr_end(&j);
		json_end(&j);
	} else if (n == 0)
		printf("the outbox is empty\n");
	store_outbox_free(m, n);
	return CLI_OK;
}

/* A stop (systemctl stop, Ctrl-C, a closed SSH session) ends the flush
 * between messages: the one in flight finishes and is recorded, the rest
 * are given back at once for the next delivery. */
static volatile int flush_stop;

static void
flush_on_signal(int sig)
{
	(void)sig;
	flush_stop = 1;
}

static void
flush_signals(int on, struct sigaction old[3])
{
	static const int sigs[3] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = flush_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 3; i++) {
		if (on)
			sigaction(sigs[i], &sa, &old[i]);
		else
			sigaction(sigs[i], &old[i], NULL);
	}
}

/* "3 sent, 2 deferred until 09:14, 0 failed, 5 still queued: why": every
 * message queued when the flush ends is in one of the four.  Mail another
 * keydesk is delivering right now is not a failure of this flush. */
static int
flush_summary(struct cli *c, const struct kd_outbox_result *res)
{
	int64_t queued = 0, sent, failed, held = 0, still;
	char t[32], hm[32] = "";
	const char *why;

	store_outbox_counts(c->st, &queued, &sent, &failed);
	store_outbox_held(c->st, kd_now(), &held);
	still = queued - res->deferred;
	if (still < 0)
		still = 0;
	if (held > still)
		held = still;
	if (res->next_at > 0) {	/* "2026-11-23 09:14": the time part */
		kd_time_format(res->next_at, t, sizeof(t));
		snprintf(hm, sizeof(hm), "%s", strlen(t) > 11 ? t + 11 : t);
	}
	why = still > held ? (res->left_why[0] ? res->left_why :
	    "queued during the flush") : "being delivered by another keydesk";
	printf("%d sent, %d deferred%s%s, %d failed, %lld still queued%s%s\n",
	    res->sent, res->deferred, res->deferred ? " until " : "", hm,
	    res->failed, (long long)still, still ? ": " : "", still ? why : "");
	return res->deferred || res->failed || still > held ? CLI_ERR : CLI_OK;
}

/* Delivers every queued message now, due or not, as postqueue -f does
 * (the retry schedule is for automatic deliveries). */
static int
cmd_outbox_flush(struct cli *c, int argc, char **argv)
{
	struct kd_outbox_result res;
	struct kd_outbox_opts o;
	struct sigaction old[3];
	struct kd_err e;
	int r, rc;

	if (argc > 1)
		return cli_fail(CLI_USAGE, "usage: keydesk outbox flush (not "
		    "\"%s\")", argv[1]);
	if (cli_store(c) == NULL)
		return CLI_ERR;
	memset(&o, 0, sizeof(o));
	o.all = 1;
	flush_stop = 0;
	flush_signals(1, old);
	r = outbox_deliver_opts(c->st, c->cfg, &o, &flush_stop, NULL, NULL,
	    &res, &e);
	flush_signals(0, old);
	if (r == KD_ERR_CONFIG || r == KD_ERR_NOMEM || r == KD_ERR_DB)
		return cli_fail(CLI_ERR, "%s", e.msg);
	rc = flush_summary(c, &res);
	if (r == KD_ERR_CANCELLED)
		return cli_fail(CLI_ERR, "stopped by a signal: the message in "
		    "flight was finished, the rest stay queued");
	if (r != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	if (rc != CLI_OK && res.last_error[0])
		return cli_fail(CLI_ERR, "%s", res.last_error);
	return rc;
}

static int
cmd_audit(struct cli *c, int argc, char **argv)
{
	static const char usage[] = "usage: keydesk audit [--user ID] "
	    "[--action PREFIX] [--since T] [--limit N] [--json]";
	struct kd_audit_query q = { NULL, NULL, 0, 0, 1000 };
	struct kd_audit_row *a;
	struct kd_err e;
	struct json j;
	char t[32], *end;
	size_t n, i;
	long v;
	int json = 0, k;

	for (k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--json") == 0)
			json = 1;
		else if (k + 1 == argc)
			return cli_fail(CLI_USAGE, "%s", usage);
		else if (strcmp(argv[k], "--user") == 0)
			q.subject = argv[++k];
		else if (strcmp(argv[k], "--action") == 0)
			q.action = argv[++k];
		else if (strcmp(argv[k], "--since") == 0) {
			if (kd_time_parse(argv[++k], &q.since) != KD_OK)
				return cli_fail(CLI_USAGE, "--since: '%s' is not a "
				    "time: give 2026-11-23, \"2026-11-23 08:50\" "
				    "(UTC), or a time ago such as 12h or 7d",
				    argv[k]);
		} else if (strcmp(argv[k], "--limit") == 0) {
			v = strtol(argv[++k], &end, 10);
			if (*argv[k] == '\0' || *end != '\0' || v < 1 ||
			    v > 1000000)
				return cli_fail(CLI_USAGE, "--limit: give a number "
				    "from 1 to 1000000");
			q.limit = (int)v;
		} else
			return cli_fail(CLI_USAGE, "%s", usage);
	}
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if (store_audit_list(c->st, &q, &a, &n, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	json_init(&j, stdout);
	if (json)
		json_arr_begin(&j);
	for (i = 0; i < n; i++) {
		if (!json) {
			kd_time_format(a[i].at, t, sizeof(t));
			cli_line_safe(stdout, "%s %-12s %-14s %-16s %s", t,
			    a[i].actor, a[i].action, a[i].subject ? a[i].subject : "-",
			    a[i].details ? a[i].details : "");
			continue;
		}
		json_obj_begin(&j);
		json_kint(&j, "id", a[i].id);
		json_ktime(&j, "at", a[i].at);
		json_kstr(&j, "actor", a[i].actor);
		json_kstr(&j, "action", a[i].action);
		json_kstr(&j, "subject", a[i].subject);
		json_kstr(&j, "details", a[i].details);
		json_obj_end(&j);
	}
	if (json) {
		json_arr_end(&j);
		json_end(&j);
	}
	store_audit_free(a, n);
	return CLI_OK;
}

static int
cmd_init(struct cli *c, int argc, char **argv)
{
	const char *path = c->db_path ? c->db_path : c->cfg->database;
	int existed;

	if (simple_args(argc, argv, NULL, NULL, 0, "init") != CLI_OK)
		return CLI_USAGE;
	existed = access(path, F_OK) == 0;
	c->create_db = 1;
	if (cli_store(c) == NULL)
		return CLI_ERR;
	cli_printf_safe(stdout, "%s %s (schema version %d)\n", existed ?
	    "database already exists:" : "created database", path,
	    store_schema_version(c->st));
	return CLI_OK;
}

static int
cmd_config_check(struct cli *c, int argc, char **argv)
{
	const char *path = NULL;
	struct kd_err e;

	if (simple_args(argc, argv, NULL, &path, 1, "config check [FILE]") != CLI_OK)
		return CLI_USAGE;
	if (config_load(c->cfg, path ? path : c->config_path, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	config_print(c->cfg, stdout);
	return CLI_OK;
}
