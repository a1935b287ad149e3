/* POST <prefix>TOKEN/code: the code typed on the page.  A right one
 * earns the WebAuthn creation options with a fresh challenge; wrong ones
 * count towards the link's lock-out (per link and client address). */
#include "web/web_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/portal.h"

#define CODE_MAX	64	/* a code is 11 characters; room for spaces */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The `code` field of a form body, percent-decoded; controls refused. */
static int
form_code(const char *body, char *out, size_t len)
{
	const char *p = body, *end;
	size_t o = 0;
	int c;

	for (; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = p + strcspn(p, "&");
		if (strncmp(p, "code=", 5) != 0)
			continue;
		for (p += 5; p < end; p++) {
			c = (unsigned char)*p;
			if (c == '+')
				c = ' ';
			else if (c == '%' && end - p >= 3 && hexval(p[1]) >= 0 &&
			    hexval(p[2]) >= 0) {
				c = hexval(p[1]) * 16 + hexval(p[2]);
				p += 2;
			}
			if (c < 0x20 || c == 0x7f || o + 1 >= len)
				return KD_ERR_INVALID;
			out[o++] = (char)c;
		}
		out[o] = '\0';
		return KD_OK;
	}
	return KD_ERR_INVALID;
}

/* {"code":"..."} */
static int
json_code(const char *body, size_t blen, char *out, size_t len)
{
	json_error_t je;
	json_t *j;
	const char *s;
	int r = KD_ERR_INVALID;

	if ((j = json_loadb(body, blen, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return r;
	s = json_string_value(json_object_get(j, "code"));
	if (s != NULL && strlen(s) < len) {
		memcpy(out, s, strlen(s) + 1);
		r = KD_OK;
	}
	json_decref(j);
	return r;
}

static json_t *
hints(enum kd_key_type t)
{
	if (t == KD_KEY_SMARTPHONE)
		return json_pack("[s, s]", "client-device", "hybrid");
	return json_pack("[s]", "security-key");
}

/* The argument of navigator.credentials.create(), binary as base64url. */
static json_t *
creation_options(const struct kd_config *cfg, const struct kd_link *l,
    const struct kd_portal_options *o)
{
	char challenge[64], user_id[64];
	json_t *j;

	kd_b64url_encode(o->challenge, sizeof(o->challenge), challenge,
	    sizeof(challenge));
	kd_b64url_encode(o->user_handle, o->user_handle_len, user_id,
	    sizeof(user_id));
	j = json_pack("{s:b, s:{s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s}, "
	    "s:[{s:s, s:i}], s:{s:s, s:b, s:s}, s:s, s:i, s:o}}",
	    "ok", 1, "publicKey",
	    "challenge", challenge,
	    "rp", "id", cfg->rp_id, "name", cfg->rp_name,
	    "user", "id", user_id, "name", l->username, "displayName", l->name,
	    "pubKeyCredParams", "type", "public-key", "alg", -7,
	    "authenticatorSelection", "residentKey", "required",
	    "requireResidentKey", 1, "userVerification",
	    o->require_uv ? "required" : "discouraged",
	    "attestation", "direct",
	    "timeout", PORTAL_UV_TIMEOUT_MS,
	    "hints", hints(o->type));
	kd_wipe(challenge, sizeof(challenge));
	return j;
}

static enum MHD_Result
answer(struct web_req *r, int rc, const struct kd_link *l,
    const struct kd_portal_options *o, const struct kd_err *e)
{
	json_t *j;

	switch (rc) {
	case KD_OK:
		if ((j = creation_options(r->srv->cfg, l, o)) == NULL)
			return web_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
			    "The options for your key could not be made.");
		return web_reply_json(r, MHD_HTTP_OK, j);
	case KD_ERR_INVALID:
		if (l->state != KD_LINK_OPEN)
			return web_reply_error(r, (unsigned)
			    portal_link_http_status(l->state),
			    portal_link_sentence(l->state));
		/* FALLTHROUGH */
	case KD_ERR_DENIED:
	case KD_ERR_LOCKED:
		return web_reply_error(r, web_status_of(rc), e->msg);
	default:
		return web_reply_error(r, web_status_of(rc), "The activation "
		    "service cannot check codes just now. Try again in a "
		    "minute.");
	}
}

enum MHD_Result
web_post_code(struct web_req *r)
{
	struct kd_portal_options opt;
	struct kd_link link;
	struct kd_store *st;
	struct kd_err e;
	enum MHD_Result ret;
	char code[CODE_MAX];
	size_t slot;
	int rc;

	/* A browser without the script posted the form: nothing to do with
	 * the code but say what is missing. */
	if (!r->json)
		return web_reply_page(r, MHD_HTTP_OK, "JavaScript is needed",
		    "Registering a security key is done by your browser, which "
		    "needs JavaScript for it: turn JavaScript on for this page "
		    "(or open the link in another browser), then enter the "
		    "code again.");
	if (!r->token_ok)
		return web_reply_error(r, (unsigned)portal_link_http_status(
		    KD_LINK_UNKNOWN), portal_link_sentence(KD_LINK_UNKNOWN));
	if ((r->form ? form_code(r->body, code, sizeof(code)) :
	    json_code(r->body, r->len, code, sizeof(code))) != KD_OK)
		return web_reply_error(r, MHD_HTTP_BAD_REQUEST, "Send the code "
		    "from the email as {\"code\": \"...\"}.");
	memset(&link, 0, sizeof(link));
	memset(&opt, 0, sizeof(opt));
	kd_err_clear(&e);
	if ((st = web_store_get(r->srv, &slot)) == NULL)
		rc = KD_ERR_DB;
	else {
		rc = portal_code_check(st, r->srv->cfg, r->token, code,
		    r->client, &link, &opt, &e);
		web_store_put(r->srv, slot);
	}
	kd_wipe(code, sizeof(code));
	ret = answer(r, rc, &link, &opt, &e);
	kd_wipe(&opt, sizeof(opt));
	return ret;
}
