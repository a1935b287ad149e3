/* GET /healthz: for the proxy's and systemd's checks.  One trivial read
 * shows the database opens; nothing about any user. */
#include "web/web_int.h"

enum MHD_Result
web_healthz(struct web_req *r)
{
	struct kd_store *st;
	size_t slot;
	int v = 0;

	if ((st = web_store_get(r->srv, &slot)) != NULL) {
		v = store_schema_version(st);
		web_store_put(r->srv, slot);
	}
	if (v <= 0)
		return web_reply(r, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "text/plain; charset=utf-8", "database unavailable\n", 21);
	return web_reply(r, MHD_HTTP_OK, "text/plain; charset=utf-8", "ok\n",
	    3);
}
