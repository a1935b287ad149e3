/* POST <prefix>TOKEN: the registration the browser made, as the page's
 * script sends it.  core/portal checks the challenge, verifies it with
 * libfido2 and makes the key Active; this only answers. */
#include "web/web_int.h"

#include <string.h>

#include "core/portal.h"

static const char done[] = "Your security key is active. You can close "
    "this page and sign in with your key.";

static enum MHD_Result
closed(struct web_req *r, enum kd_link_state s)
{
	return web_reply_error(r, (unsigned)portal_link_http_status(s),
	    portal_link_sentence(s));
}

/* portal_register says what the link opens before it reads the body: a
 * state other than open (from the start, or closed meanwhile) is why the
 * registration was refused. */
enum MHD_Result
web_post_register(struct web_req *r)
{
	struct kd_link link;
	struct kd_store *st;
	struct kd_err e;
	size_t slot;
	int rc;

	if (!r->token_ok)
		return closed(r, KD_LINK_UNKNOWN);
	memset(&link, 0, sizeof(link));
	kd_err_clear(&e);
	if ((st = web_store_get(r->srv, &slot)) == NULL)
		rc = KD_ERR_DB;
	else {
		rc = portal_register(st, r->srv->cfg, r->token, r->body, r->len,
		    r->client, &link, &e);
		web_store_put(r->srv, slot);
	}
	if (rc == KD_OK)
		return web_reply_json(r, MHD_HTTP_OK, json_pack("{s:b, s:s}",
		    "ok", 1, "message", done));
	if (rc != KD_ERR_INVALID && rc != KD_ERR_DENIED)
		return web_reply_error(r, web_status_of(rc), "The activation "
		    "service cannot record your key just now. Try again in a "
		    "minute.");
	if (link.state != KD_LINK_OPEN)
		return closed(r, link.state);
	return web_reply_error(r, web_status_of(rc), e.msg);
}
