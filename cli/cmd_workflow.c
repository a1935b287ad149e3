/* keydesk workflow add | list | run */
#include "cli/cli_int.h"
#include "core/operator.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/workflow.h"

static int cmd_workflow_add(struct cli *, int, char **);
static int cmd_workflow_list(struct cli *, int, char **);
static int cmd_workflow_run(struct cli *, int, char **);

const struct cli_cmd cli_cmds_workflow[] = {
	{ "workflow add", "NAME --key smartphone|card|fido2 [--group G]... "
	    "(--default-settings | --setting NAME=VALUE...)",
	    "define a Security Key Device Assignment workflow (no group: all "
	    "users)", cmd_workflow_add, KD_PERM_BULK },
	{ "workflow list", "[--json]", "workflows and their last run",
	    cmd_workflow_list, 0 },
	{ "workflow run", "NAME [--dry-run] [--no-send]", "give every user in "
	    "scope without such a key a pending key and an activation email",
	    cmd_workflow_run, KD_PERM_BULK },
	{ NULL, NULL, NULL, NULL, 0 },
};

static int
cmd_workflow_add(struct cli *c, int argc, char **argv)
{
	struct kd_workflow w;
	struct kd_err e;
	int i, r = CLI_OK, defaults = 0, nset = 0, have_type = 0;

	memset(&w, 0, sizeof(w));
	if (argc < 2 || argv[1][0] == '-')
		return cli_fail(CLI_USAGE, "usage: keydesk workflow add NAME --key TYPE ...");
	snprintf(w.name, sizeof(w.name), "%s", argv[1]);
	for (i = 2; i < argc && r == CLI_OK; i++) {
		if (strcmp(argv[i], "--default-settings") == 0) {
			defaults = 1;
			continue;
		}
		if (i + 1 >= argc) {
			r = cli_fail(CLI_USAGE, "%s needs a value", argv[i]);
			break;
		}
		if (strcmp(argv[i], "--key") == 0) {
			if (model_key_type_parse(argv[++i], &w.type) != KD_OK)
				r = cli_fail(CLI_USAGE, "--key is smartphone, card or fido2");
			w.settings = c->cfg->defaults[w.type];
			have_type = 1;
		} else if (strcmp(argv[i], "--group") == 0) {
			if (workflow_group_add(&w, argv[++i]) != KD_OK)
				r = cli_fail(CLI_USAGE, "too many groups");
		} else if (strcmp(argv[i], "--setting") == 0) {
			if (!have_type)
				r = cli_fail(CLI_USAGE, "--key must come before --setting");
			else
				r = cli_setting_parse(w.type, &w.settings, argv[++i]);
			nset++;
		} else
			r = cli_fail(CLI_USAGE, "unknown option \"%s\"", argv[i]);
	}
	if (r == CLI_OK && !have_type)
		r = cli_fail(CLI_USAGE, "workflow add needs --key TYPE");
	if (r == CLI_OK && defaults == (nset > 0))
		r = cli_fail(CLI_USAGE, "choose --default-settings or --setting");
	w.use_defaults = defaults;
	if (r == CLI_OK && cli_store(c) == NULL)
		r = CLI_ERR;
	if (r == CLI_OK && workflow_add(c->st, c->actor, &w, &e) != KD_OK)
		r = cli_fail(CLI_ERR, "%s", e.msg);
	if (r == CLI_OK)
		cli_printf_safe(stdout, "created workflow %s\n", w.name);
	workflow_clear(&w);
	return r;
}

/* The settings shown are those a run gives its keys: the configured
 * defaults for the type when the workflow uses them. */
static void
workflow_json(struct json *j, const struct kd_config *cfg,
    const struct kd_workflow *w)
{
	size_t i;

	json_obj_begin(j);
	json_kstr(j, "name", w->name);
	json_kstr(j, "key", model_key_type_name(w->type));
	json_kbool(j, "default_settings", w->use_defaults);
	cli_settings_json(j, w->type, w->use_defaults ? &cfg->defaults[w->type] :
	    &w->settings);
	json_key(j, "groups");
	json_arr_begin(j);
	for (i = 0; i < w->ngroups; i++)
		json_str(j, w->groups[i]);
	json_arr_end(j);
	json_key(j, "last_run");
	if (w->last.id == 0)
		json_null(j);
	else {
		json_obj_begin(j);
		json_ktime(j, "started_at", w->last.started_at);
		json_ktime(j, "finished_at", w->last.finished_at);
		json_kstr(j, "status", w->last.status);
		json_kint(j, "in_scope", w->last.in_scope);
		json_kint(j, "created", w->last.created);
		json_kint(j, "skipped", w->last.skipped);
		json_kint(j, "failed", w->last.failed);
		json_obj_end(j);
	}
	json_obj_end(j);
}

static int
cmd_workflow_list(struct cli *c, int argc, char **argv)
{
	struct kd_workflow *v;
	struct kd_err e;
	struct json j;
	char t[32];
	size_t n, i;
	int json = argc == 2 && strcmp(argv[1], "--json") == 0;

	if (argc > 2 || (argc == 2 && !json))
		return cli_fail(CLI_USAGE, "usage: keydesk workflow list [--json]");
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if (workflow_list(c->st, &v, &n, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	json_init(&j, stdout);
	if (json)
		json_arr_begin(&j);
	for (i = 0; i < n; i++) {
		if (json) {
			workflow_json(&j, c->cfg, &v[i]);
			continue;
		}
		kd_time_format(v[i].last.started_at, t, sizeof(t));
		cli_printf_safe(stdout, "%-24s %-10s %s", v[i].name,
		    model_key_type_name(v[i].type), v[i].ngroups ? "" : "all users");
		for (size_t g = 0; g < v[i].ngroups; g++)
			cli_printf_safe(stdout, "%s%s", g ? "," : "", v[i].groups[g]);
		if (v[i].last.id)
			cli_printf_safe(stdout, "  last run %s %s: %lld in scope, %lld "
			    "created, %lld skipped, %lld failed\n", t, v[i].last.status,
			    (long long)v[i].last.in_scope, (long long)v[i].last.created,
			    (long long)v[i].last.skipped, (long long)v[i].last.failed);
		else
			printf("  never run\n");
	}
	if (json) {
		json_arr_end(&j);
		json_end(&j);
	}
	workflow_list_free(v, n);
	return CLI_OK;
}

/* A bar on a terminal, a line per step otherwise. */
static void
progress(void *arg, int64_t done, int64_t total)
{
	int tty = *(int *)arg, w = 40, k;

	if (!tty) {
		printf("%lld of %lld\n", (long long)done, (long long)total);
		fflush(stdout);
		return;
	}
	k = total > 0 ? (int)(done * w / total) : w;
	fprintf(stderr, "\r[%.*s%*s] %lld/%lld", k,
	    "########################################", w - k, "",
	    (long long)done, (long long)total);
	if (done == total)
		fputc('\n', stderr);
	fflush(stderr);
}

static int
cmd_workflow_run(struct cli *c, int argc, char **argv)
{
	struct kd_workflow_review rv;
	struct kd_workflow_run run;
	struct kd_workflow w;
	struct kd_err e;
	int i, dry = 0, send = 1, tty = isatty(2), r;
	const char *name = NULL;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0)
			dry = 1;
		else if (strcmp(argv[i], "--no-send") == 0)
			send = 0;
		else if (name == NULL && argv[i][0] != '-')
			name = argv[i];
		else
			return cli_fail(CLI_USAGE, "usage: keydesk workflow run NAME "
			    "[--dry-run] [--no-send]");
	}
	if (name == NULL)
		return cli_fail(CLI_USAGE, "usage: keydesk workflow run NAME");
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if (workflow_get(c->st, name, &w, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	if (dry) {
		r = workflow_review(c->st, &w, &rv, &e);
		if (r == KD_OK)
			printf("%lld in scope, %lld already have a key, %lld would "
			    "get one\n", (long long)rv.in_scope, (long long)rv.have_key,
			    (long long)rv.will_get);
		workflow_clear(&w);
		return r == KD_OK ? CLI_OK : cli_fail(CLI_ERR, "%s", e.msg);
	}
	r = workflow_run(c->st, c->cfg, &w, c->actor, 0, NULL, progress, &tty,
	    &run, &e);
	workflow_clear(&w);
	if (r != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	printf("%lld in scope, %lld created, %lld skipped, %lld failed\n",
	    (long long)run.in_scope, (long long)run.created,
	    (long long)run.skipped, (long long)run.failed);
	if (run.created > 0 && send)
		cli_deliver(c);
	return CLI_OK;
}
