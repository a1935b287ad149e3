/* keydesk serve: the activation portal in the foreground (web/). */
#include "cli/cli_int.h"

#include <string.h>

#include "core/operator.h"
#include "web/web.h"

static int cmd_serve(struct cli *, int, char **);

/* The portal activates keys for the people holding the links, audited
 * as "portal"; whoever starts it needs the right to activate keys. */
const struct cli_cmd cli_cmds_serve[] = {
	{ "serve", "[--listen HOST:PORT]", "run the activation portal (the "
	    "page the emailed link opens) in the foreground until SIGTERM",
	    cmd_serve, KD_PERM_REDEEM },
	{ NULL, NULL, NULL, NULL, 0 },
};

static int
cmd_serve(struct cli *c, int argc, char **argv)
{
	struct web_opts o;
	const char *listen = NULL, *why;
	char host[64];
	int i, port;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
			listen = argv[++i];
		else if (strncmp(argv[i], "--listen=", 9) == 0)
			listen = argv[i] + 9;
		else
			return cli_usage(&cli_cmds_serve[0]);
	}
	if (listen != NULL && config_listen_split(listen, host, sizeof(host),
	    &port, &why) != KD_OK)
		return cli_fail(CLI_USAGE, "--listen \"%s\": expected %s",
		    listen, why);
	/* Opened here once so a missing or readable-by-others database is
	 * reported as for every command; then by the portal, once per
	 * thread it runs. */
	if (cli_store(c) == NULL)
		return CLI_ERR;
	store_close(&c->st);
	o.cfg = c->cfg;
	o.db_path = c->db_path != NULL ? c->db_path : c->cfg->database;
	o.listen = listen;
	return web_serve(&o) == 0 ? CLI_OK : CLI_ERR;
}
