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

/* A link that opens nothing is answered for what it is before the body
 * is looked at; after that, a state other than open (the link closed
 * meanwhile) says why the registration was refused. */
enum MHD_Result
web_post_register(struct web_req *r)
{
	struct kd_link link;
	struct kd_store *st;
	struct kd_err e;
	size_t slot;
	int rc, tried = 0;

	if (!r->token_ok)
		return closed(r, KD_LINK_UNKNOWN);
	memset(&link, 0, sizeof(link));
	kd_err_clear(&e);
	if ((st = web_store_get(r->srv, &slot)) == NULL)
		rc = KD_ERR_DB;
	else {
		rc = portal_link_find(st, r->token, &link, &e);
		if (rc == KD_OK && link.state == KD_LINK_OPEN) {
			tried = 1;
			rc = portal_register(st, r->srv->cfg, r->token, r->body,
			    r->len, r->client, &link, &e);
		}
		web_store_put(r->srv, slot);
	}
	if (rc == KD_OK && !tried)
		return closed(r, link.state);
	if (rc == KD_OK)
		return web_reply_json(r, MHD_HTTP_OK, json_pack("{s:b, s:s}",
		    "ok", 1, "message", done));
	if (rc != KD_ERR_INVALID && rc != KD_ERR_DENIED)
		return web_reply_error(r, web_status_of(rc), "The activation "
		    "service cannot record your key just now. Try again in a "
		    "minute.");
	/* UNKNOWN here: the body was refused before the link was read. */
	if (link.state != KD_LINK_OPEN && link.state != KD_LINK_UNKNOWN)
		return closed(r, link.state);
	return web_reply_error(r, web_status_of(rc), e.msg);
}
