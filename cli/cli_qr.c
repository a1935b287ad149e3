/* A pending key's activation as a QR code on stdout: `key qr`, and a
 * phone's "activate now" (`user add`, `key add`, `activate CODE`).  The
 * link is issued afresh (activate_link_issue): a mailed one cannot be
 * shown again, since only its hash is stored; the mailed one stays open
 * beside it.  The code is the same as the screen's (core/qr): blocks are
 * dark modules, so on a terminal each line is drawn black on white. */
#include "cli/cli_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/activate.h"
#include "core/qr.h"

static void
qr_print(const struct kd_qr *q)
{
	const char *nc = getenv("NO_COLOR");
	int i, colour = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');

	for (i = 0; i < q->height; i++)
		printf("%s%s%s\n", colour ? "\033[30;47m" : "", q->lines[i],
		    colour ? "\033[0m" : "");
}

int
cli_qr_show(struct cli *c, int64_t key)
{
	struct kd_activation_secret sec;
	struct kd_qr *q = NULL;
	struct kd_err e;
	char *link = NULL, exp[32];
	int64_t lexp = 0;
	size_t len;
	int r = CLI_ERR;

	kd_err_clear(&e);
	if (activate_link_issue(c->st, c->cfg, key, c->actor, &sec, &lexp,
	    &e) != KD_OK)
		return cli_fail(CLI_ERR, "%s", e.msg);
	len = strlen(c->cfg->activation_base_url) + strlen(sec.token) + 1;
	if ((link = malloc(len)) == NULL) {
		cli_fail(CLI_ERR, "out of memory");
		goto out;
	}
	snprintf(link, len, "%s%s", c->cfg->activation_base_url, sec.token);
	if (qr_render(link, &q, &e) == KD_OK)
		qr_print(q);
	else
		cli_fail(0, "no QR code: %s", e.msg);
	kd_time_format(lexp, exp, sizeof(exp));
	cli_printf_safe(stdout, "\nScan it with the phone's camera, or open "
	    "this link:\n  %s\nType this code on the page: %s\nThe link works "
	    "until %s UTC.\n", link, sec.code, exp);
	r = CLI_OK;
out:
	kd_wipe(&sec, sizeof(sec));
	kd_free_secret(link);
	qr_free(&q);
	return r;
}
