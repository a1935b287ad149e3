/* GET /static/NAME: the page's one script and its style sheet, built
 * into the binary (mk/embed.sh) so the portal is one file to install and
 * the page loads nothing from elsewhere. */
#include "web/web_int.h"

#include <string.h>

static const char *
type_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot != NULL && strcmp(dot, ".js") == 0)
		return "text/javascript; charset=utf-8";
	if (dot != NULL && strcmp(dot, ".css") == 0)
		return "text/css; charset=utf-8";
	return "application/octet-stream";
}

enum MHD_Result
web_static(struct web_req *r)
{
	const struct web_asset *a;

	for (a = web_assets; a->name != NULL; a++)
		if (strcmp(a->name, r->asset) == 0)
			return web_reply(r, MHD_HTTP_OK, type_of(a->name),
			    a->data, a->len);
	return web_reply_page(r, MHD_HTTP_NOT_FOUND, "Page not found",
	    "There is no such file.");
}
