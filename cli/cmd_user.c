/* keydesk user add | list | show */
#include "cli/cli_int.h"
#include "core/operator.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "core/enroll.h"
#include "core/tap.h"
#include "core/wizard.h"

static int cmd_user_add(struct cli *, int, char **);

const struct cli_cmd cli_cmds_user[] = {
	{ "user add", "--id ID --name NAME --email EMAIL --username U "
	    "[--group G]... [--key smartphone|card|fido2 --key-name N "
	    "--activate email|now [--reader NAME] (--default-settings | "
	    "--setting NAME=VALUE...)]",
	    "create a user (and a pending key with an activation email)",
	    cmd_user_add, KD_PERM_ENROLL },
	{ "user list", "[--search Q] [--status no-key|pending|active] "
	    "[--group G] [--limit N] [--json]",
	    "list users, ordered by name; search matches the start of name, "
	    "username, user ID or email", cli_user_list, 0 },
	{ "user show", "ID [--json]", "show a user with groups and keys",
	    cli_user_show, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

/* --setting NAME=VALUE into settings for a key of type `type`. */
int
cli_setting_parse(enum kd_key_type type, struct kd_key_settings *set,
    const char *arg)
{
	char name[64];
	const char *eq = strchr(arg, '=');
	enum kd_setting s;
	int on;

	if (eq == NULL || (size_t)(eq - arg) >= sizeof(name))
		return cli_fail(CLI_USAGE, "--setting wants NAME=VALUE, not "
		    "\"%s\"", arg);
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	if (model_setting_parse(name, &s) != KD_OK)
		return cli_fail(CLI_USAGE, "unknown setting \"%s\" (auditable, "
		    "bluetooth_proximity, offline_login, verification)", name);
	if (!model_setting_applies(type, s))
		return cli_fail(CLI_USAGE, "setting %s does not apply to %s",
		    name, model_key_type_label(type));
	eq++;
	if (s == KD_SET_VERIFICATION) {
		if (model_verification_parse(eq, &set->verification) != KD_OK)
			return cli_fail(CLI_USAGE, "verification is biometric, pin "
			    "or pinless, not \"%s\"", eq);
		return CLI_OK;
	}
	if (strcmp(eq, "on") == 0 || strcmp(eq, "true") == 0)
		on = 1;
	else if (strcmp(eq, "off") == 0 || strcmp(eq, "false") == 0)
		on = 0;
	else
		return cli_fail(CLI_USAGE, "%s is on or off, not \"%s\"", name, eq);
	if (s == KD_SET_AUDITABLE)
		set->auditable = on;
	else if (s == KD_SET_BLUETOOTH)
		set->bluetooth_proximity = on;
	else
		set->offline_login = on;
	return CLI_OK;
}

static int
copy_arg(char *dst, size_t len, const char *arg, const char *opt)
{
	if (strlen(arg) >= len)
		return cli_fail(CLI_USAGE, "%s is too long", opt);
	memcpy(dst, arg, strlen(arg) + 1);
	return CLI_OK;
}


/* Parses the options of `user add` (user_fields) or `key add`. */
int
cli_draft_parse(int argc, char **argv, struct kd_wizard *w,
    struct cli_draft_args *a, int user_fields)
{
	static const struct option opts[] = {
		{ "id", required_argument, NULL, 'i' },
		{ "name", required_argument, NULL, 'n' },
		{ "email", required_argument, NULL, 'e' },
		{ "username", required_argument, NULL, 'u' },
		{ "group", required_argument, NULL, 'g' },
		{ "key", required_argument, NULL, 'k' },
		{ "key-name", required_argument, NULL, 'N' },
		{ "activate", required_argument, NULL, 'a' },
		{ "default-settings", no_argument, NULL, 'D' },
		{ "setting", required_argument, NULL, 's' },
		{ "reader", required_argument, NULL, 'r' },
		{ "current-pin-stdin", no_argument, NULL, 'P' },
		{ "reset-card", no_argument, NULL, 'R' },
		{ "timeout", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	struct kd_draft *d = wizard_draft(w);
	int ch, r = CLI_OK;

	optind = 1;
	opterr = 0;
	while (r == CLI_OK && (ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (!user_fields && strchr("ineug", ch) != NULL)
			return cli_fail(CLI_USAGE, "%s belongs to user add / user "
			    "edit", argv[optind - 1]);
		switch (ch) {
		case 'r': a->tap.reader = optarg; break;
		case 'P': a->tap.pin_stdin = 1; break;
		case 'R': a->tap.reset_card = 1; break;
		case 'T': a->tap.timeout_ms = atoi(optarg) * 1000; break;
		case 'i': r = copy_arg(d->user_id, sizeof(d->user_id), optarg, "--id"); break;
		case 'n': r = copy_arg(d->name, sizeof(d->name), optarg, "--name"); break;
		case 'e': r = copy_arg(d->email, sizeof(d->email), optarg, "--email"); break;
		case 'u': r = copy_arg(d->username, sizeof(d->username), optarg, "--username"); break;
		case 'N': r = copy_arg(d->key_name, sizeof(d->key_name), optarg, "--key-name"); break;
		case 'g':
			if (wizard_group_create(w, optarg, NULL) != KD_OK)
				r = cli_fail(CLI_USAGE, "--group \"%s\": %s", optarg,
				    wizard_field_error(w, KD_F_GROUPS));
			break;
		case 'k': a->key = optarg; break;
		case 'a': a->activate = optarg; break;
		case 'D': a->defaults = 1; break;
		case 's':
			if (a->nsettings == (int)KD_NELEM(a->settings))
				return cli_fail(CLI_USAGE, "too many --setting");
			a->settings[a->nsettings++] = optarg;
			break;
		default:
			return cli_fail(CLI_USAGE, "unknown or incomplete option "
			    "\"%s\"", argv[optind - 1]);
		}
	}
	if (r == CLI_OK && optind < argc && user_fields)
		r = cli_fail(CLI_USAGE, "unexpected argument \"%s\"", argv[optind]);
	return r;
}

/* Turns the key options into the draft, as the wizard's key steps do. */
int
cli_draft_key_options(struct kd_wizard *w, struct kd_config *cfg,
    const struct cli_draft_args *a)
{
	struct kd_draft *d = wizard_draft(w);
	int i, r;

	if (a->key == NULL) {
		if (a->activate || a->defaults || a->nsettings || d->key_name[0])
			return cli_fail(CLI_USAGE, "key options need --key TYPE");
		return CLI_OK;
	}
	if (model_key_type_parse(a->key, &d->type) != KD_OK)
		return cli_fail(CLI_USAGE, "--key is smartphone, card or fido2, "
		    "not \"%s\"", a->key);
	d->want_key = 1;
	d->settings = cfg->defaults[d->type];
	if (a->defaults && a->nsettings > 0)
		return cli_fail(CLI_USAGE, "--default-settings and --setting "
		    "exclude each other");
	if (!a->defaults && a->nsettings == 0)
		return cli_fail(CLI_USAGE, "choose --default-settings or give "
		    "--setting NAME=VALUE");
	d->use_defaults = a->defaults;
	for (i = 0; i < a->nsettings; i++)
		if ((r = cli_setting_parse(d->type, &d->settings,
		    a->settings[i])) != CLI_OK)
			return r;
	if (a->activate == NULL || strcmp(a->activate, "email") == 0)
		d->method = KD_METHOD_EMAIL;
	else if (strcmp(a->activate, "now") == 0)
		d->method = KD_METHOD_NOW;
	else
		return cli_fail(CLI_USAGE, "--activate is email or now");
	if (d->key_name[0] == '\0')
		wizard_suggest_key_name(w);
	return CLI_OK;
}

/* Commits a validated draft: for "activate now" the card is tapped first
 * (outside any transaction) and the user, key and credential are committed
 * together only once the credential verified; a phone's is committed
 * Pending with its email, and its link then printed as a QR code. */
int
cli_draft_commit(struct cli *c, struct kd_wizard *w,
    const struct cli_draft_args *a)
{
	struct kd_draft *d = wizard_draft(w);
	struct kd_enroll_result res;
	struct kd_tap tap;
	struct kd_err e;
	int r, now = d->want_key && d->method == KD_METHOD_NOW, link = 0;

	memset(&tap, 0, sizeof(tap));
	if (wizard_validate_all(w, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	/* A phone's "activate now" is committed as email is, then its link
	 * is shown as a QR code. */
	if (now && model_now_by_link(d->type)) {
		now = 0;
		link = 1;
	}
	if (now) {
		if (tap_init(&tap, c->cfg, wizard_settings(w).verification,
		    d->username, d->name, &e) != KD_OK)
			return cli_fail(CLI_ERR, "%s", e.msg);
		tap_want(&tap, d->type);
		if ((r = cli_tap_run(c, &tap, &a->tap)) != CLI_OK)
			goto out;
	}
	if (wizard_confirm(w, c->actor, now ? &tap.rec : NULL,
	    now ? tap_pin(&tap) : NULL, &res, &e) != KD_OK) {
		r = cli_fail(CLI_ERR, "%s", e.msg);
		goto out;
	}
	cli_printf_safe(stdout, "%s %s: %s%s\n", d->existing_user ?
	    "added a key for" : "created user", res.user_id, res.key_id == 0 ?
	    "no key" : res.key_active ? "key active" : "key pending",
	    res.mails == 0 ? "" : res.key_active ? ", PIN email queued" :
	    ", activation email queued");
	if (res.mails)
		cli_deliver(c);
	r = link ? cli_qr_show(c, res.key_id) : CLI_OK;
out:
	tap_clear(&tap);
	return r;
}

/* Every missing flag in one message, as a usage error: a script author
 * fixes them all at once rather than one run per flag. */
static int
user_add_missing(const struct kd_draft *d)
{
	const struct { const char *flag, *val; } req[] = {
		{ "--id", d->user_id }, { "--name", d->name },
		{ "--email", d->email }, { "--username", d->username },
	};
	char buf[128] = "";
	size_t i, n = 0;

	for (i = 0; i < KD_NELEM(req); i++)
		if (req[i].val[0] == '\0') {
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			    "%s%s", n++ ? ", " : "", req[i].flag);
		}
	if (n == 0)
		return CLI_OK;
	return cli_fail(CLI_USAGE, "user add: missing %s (keydesk user add "
	    "--help shows an example)", buf);
}

static int
cmd_user_add(struct cli *c, int argc, char **argv)
{
	struct cli_draft_args a;
	struct kd_wizard *w = NULL;
	struct kd_err e;
	int r;

	memset(&a, 0, sizeof(a));
	if (cli_store(c) == NULL)
		return CLI_ERR;
	if (wizard_new(&w, c->st, c->cfg, 0, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	if ((r = cli_draft_parse(argc, argv, w, &a, 1)) == CLI_OK &&
	    (r = user_add_missing(wizard_draft(w))) == CLI_OK &&
	    (r = cli_draft_key_options(w, c->cfg, &a)) == CLI_OK)
		r = cli_draft_commit(c, w, &a);
	wizard_free(&w);
	return r;
}
