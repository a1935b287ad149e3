/* keydesk key add | key qr | activate | readers */
#include "cli/cli_int.h"
#include "core/operator.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "core/activate.h"
#include "core/fido.h"
#include "core/tap.h"
#include "core/wizard.h"

static int cmd_key_add(struct cli *, int, char **);
static int cmd_key_qr(struct cli *, int, char **);
static int cmd_activate(struct cli *, int, char **);
static int cmd_readers(struct cli *, int, char **);

const struct cli_cmd cli_cmds_key[] = {
	{ "key add", "USER_ID --key smartphone|card|fido2 [--key-name N] "
	    "--activate email|now [--reader NAME] [--current-pin-stdin | "
	    "--reset-card] (--default-settings | --setting NAME=VALUE...)",
	    "add a security key to an existing user", cmd_key_add, KD_PERM_ENROLL },
	{ "key qr", "KEY_ID", "show a pending key's activation as a QR code, "
	    "with the link, the code and the expiry: a fresh link, since a "
	    "mailed one cannot be shown again (only its hash is stored); the "
	    "mailed one keeps working", cmd_key_qr, KD_PERM_ENROLL },
	{ "activate", "CODE [--reader NAME]", "redeem an emailed activation "
	    "code: tap the card or touch the key", cmd_activate, KD_PERM_REDEEM },
	{ "readers", "[--json]", "card readers, cards and USB security keys",
	    cmd_readers, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

static int
cmd_key_add(struct cli *c, int argc, char **argv)
{
	struct cli_draft_args a;
	struct kd_wizard *w = NULL;
	struct kd_user u = { 0 };
	struct kd_err e;
	int r;

	memset(&a, 0, sizeof(a));
	if (cli_store(c) == NULL)
		return CLI_ERR;
	/* The user ID may come before or after the options. */
	if (argc < 2)
		return cli_fail(CLI_USAGE, "usage: keydesk key add USER_ID ...");
	if (argv[1][0] != '-') {
		if (store_user_get(c->st, argv[1], &u, &e) != KD_OK)
			return cli_fail(CLI_ERR, "%s", e.msg);
		argv[1] = argv[0];
		argc--;
		argv++;
	}
	if (u.id == 0) {
		wizard_new(&w, c->st, c->cfg, 0, &e);
		r = cli_draft_parse(argc, argv, w, &a, 0);
		wizard_free(&w);
		if (r != CLI_OK)
			return r;
		if (optind >= argc)
			return cli_fail(CLI_USAGE, "usage: keydesk key add USER_ID ...");
		if (store_user_get(c->st, argv[optind], &u, &e) != KD_OK)
			return cli_fail(CLI_ERR, "%s", e.msg);
		memset(&a, 0, sizeof(a));
	}
	if (wizard_new(&w, c->st, c->cfg, u.id, &e) != KD_OK) {
		store_user_clear(&u);
		return cli_fail(CLI_ERR, "%s", e.msg);
	}
	store_user_clear(&u);
	if ((r = cli_draft_parse(argc, argv, w, &a, 0)) == CLI_OK) {
		if (a.key == NULL)
			r = cli_fail(CLI_USAGE, "key add needs --key TYPE");
		else if ((r = cli_draft_key_options(w, c->cfg, &a)) == CLI_OK)
			r = cli_draft_commit(c, w, &a);
	}
	wizard_free(&w);
	return r;
}

static int
cmd_key_qr(struct cli *c, int argc, char **argv)
{
	int64_t id;

	if (argc != 2)
		return cli_fail(CLI_USAGE, "usage: keydesk key qr KEY_ID");
	if (cli_key_id_parse(argv[1], &id) != CLI_OK)
		return CLI_USAGE;
	if (cli_store(c) == NULL)
		return CLI_ERR;
	return cli_qr_show(c, id);
}

static int
cmd_activate(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reader", required_argument, NULL, 'r' },
		{ "current-pin-stdin", no_argument, NULL, 'P' },
		{ "reset-card", no_argument, NULL, 'R' },
		{ "timeout", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_tap_opts o = { 0 };
	struct kd_redeem rd;
	struct kd_tap tap;
	struct kd_err e;
	char kiosk[256];
	int ch, r;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': o.reader = optarg; break;
		case 'P': o.pin_stdin = 1; break;
		case 'R': o.reset_card = 1; break;
		case 'T': o.timeout_ms = atoi(optarg) * 1000; break;
		default:
			return cli_fail(CLI_USAGE, "usage: keydesk activate CODE "
			    "[--reader NAME]");
		}
	}
	if (optind != argc - 1)
		return cli_fail(CLI_USAGE, "usage: keydesk activate CODE [--reader NAME]");
	if (cli_store(c) == NULL)
		return CLI_ERR;
	kd_terminal_name(kiosk, sizeof(kiosk), "cli");
	if (activate_check_code(c->st, kiosk, argv[optind], c->actor, &rd, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	cli_printf_safe(stderr, "keydesk: code accepted for %s (%s, %s)\n",
	    rd.name, rd.user_id, rd.key_name);
	/* A phone activates itself through the link: show it. */
	if (model_now_by_link(rd.type))
		return cli_qr_show(c, rd.key);
	memset(&tap, 0, sizeof(tap));
	if (tap_init(&tap, c->cfg, rd.settings.verification, rd.username,
	    rd.name, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	tap_want(&tap, rd.type);
	if ((r = cli_tap_run(c, &tap, &o)) == CLI_OK) {
		if (activate_key_commit(c->st, c->cfg, rd.key, rd.activation,
		    &tap.rec, tap_pin(&tap), c->actor, &e) != KD_OK)
			r = cli_fail(CLI_ERR, "%s", e.msg);
		else {
			cli_printf_safe(stdout, "activated %s for %s%s\n",
			    rd.key_name, rd.user_id, tap_pin(&tap) ?
			    ", PIN email queued" : "");
			if (tap_pin(&tap))
				cli_deliver(c);
		}
	}
	tap_clear(&tap);
	return r;
}

static void
reader_json(struct json *j, const struct kd_dev_info *d)
{
	json_obj_begin(j);
	json_kstr(j, "kind", d->kind == KD_DEV_READER ? "reader" : "usb");
	json_kstr(j, "path", d->path);
	json_kstr(j, "name", d->name);
	if (d->kind == KD_DEV_READER) {
		json_kbool(j, "card_present", d->card_present);
		json_kstr(j, "atr", d->card_present ? d->atr_hex : NULL);
	}
	if (d->probed) {
		json_kbool(j, "fido", d->fido);
		json_kstr(j, "applet", d->applet[0] ? d->applet : NULL);
		json_kstr(j, "aaguid", d->aaguid_hex[0] ? d->aaguid_hex : NULL);
		json_kstr(j, "versions", d->versions[0] ? d->versions : NULL);
		json_key(j, "pin_set");
		if (d->pin_set < 0)
			json_null(j);
		else
			json_bool(j, d->pin_set);
		json_kint(j, "min_pin_length", d->min_pin_len);
		json_kint(j, "remaining_discoverable_credentials", d->rk_remaining);
		json_kstr(j, "error", d->probe_status ? d->probe_error : NULL);
	}
	json_obj_end(j);
}

static void
reader_text(const struct kd_dev_info *d)
{
	cli_printf_safe(stdout, "%s %s\n", d->kind == KD_DEV_READER ?
	    "reader" : "usb key", d->name);
	if (d->kind == KD_DEV_READER && !d->card_present) {
		printf("  no card on the reader\n");
		return;
	}
	if (d->kind == KD_DEV_READER)
		cli_printf_safe(stdout, "  card present, ATR %s\n", d->atr_hex);
	if (!d->probed)
		return;
	if (!d->fido) {
		cli_printf_safe(stdout, "  not usable: %s\n", d->probe_error);
		return;
	}
	cli_printf_safe(stdout, "  FIDO applet %s, versions %s\n  AAGUID %s, "
	    "PIN %s, min PIN length %d, free discoverable slots %lld\n",
	    d->applet[0] ? d->applet : "(USB)", d->versions, d->aaguid_hex,
	    d->pin_set > 0 ? "set" : d->pin_set == 0 ? "not set" : "unsupported",
	    d->min_pin_len, (long long)d->rk_remaining);
}

static int
cmd_readers(struct cli *c, int argc, char **argv)
{
	struct kd_dev_list *l = NULL;
	struct kd_err e;
	struct json j;
	size_t i;
	int json = argc == 2 && strcmp(argv[1], "--json") == 0;

	(void)c;
	if (argc > 2 || (argc == 2 && !json))
		return cli_fail(CLI_USAGE, "usage: keydesk readers [--json]");
	if (fidodev_list(&l, 1, &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	if (json) {
		json_init(&j, stdout);
		json_obj_begin(&j);
		json_kbool(&j, "pcscd", l->pcsc_ok);
		json_kstr(&j, "pcscd_message", l->pcsc_ok ? NULL : l->pcsc_msg);
		json_key(&j, "devices");
		json_arr_begin(&j);
		for (i = 0; i < l->n; i++)
			reader_json(&j, &l->dev[i]);
		json_arr_end(&j);
		json_obj_end(&j);
		json_end(&j);
	} else {
		if (!l->pcsc_ok)
			cli_printf_safe(stdout, "pcscd: %s\n", l->pcsc_msg);
		for (i = 0; i < l->n; i++)
			reader_text(&l->dev[i]);
		if (l->n == 0)
			printf("no card reader and no USB security key found%s\n",
			    l->pcsc_ok ? " (plug in a PC/SC reader or a FIDO2 key)" : "");
	}
	fidodev_list_free(&l);
	return CLI_OK;
}
