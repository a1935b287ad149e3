/* GET <prefix>TOKEN: the activation page.  It only reads: mail scanners
 * and link previews fetch links, sometimes between the user's page load
 * and their click, and must spoil nothing. */
#include "web/web_int.h"

#include <string.h>

#include "core/model.h"
#include "core/portal.h"

static const char *
closed_heading(enum kd_link_state s)
{
	switch (s) {
	case KD_LINK_UNKNOWN:
		return "Link not found";
	case KD_LINK_EXPIRED:
		return "This link has expired";
	case KD_LINK_USED:
		return "This link was already used";
	case KD_LINK_REPLACED:
		return "This link was replaced";
	case KD_LINK_REVOKED:
		return "This key was revoked";
	case KD_LINK_ACTIVE:
		return "This key is already active";
	default:
		return "This link is closed";
	}
}

/* What the browser will ask of the user, by device type: they should
 * not be surprised by a passkey prompt or a PIN dialog. */
static void
add_how(struct web_buf *b, const struct kd_link *l)
{
	web_buf_add(b, "<p class=\"how\">");
	switch (l->type) {
	case KD_KEY_SMARTPHONE:
		web_buf_add(b, "Your phone will ask you to save a passkey: use "
		    "the phone this email reached, or scan the code on the "
		    "screen with your phone.");
		break;
	case KD_KEY_CARD:
		web_buf_add(b, "Have the card reader plugged into this "
		    "computer: tap your card when the browser asks.");
		if (l->settings.verification == KD_VERIFY_PIN)
			web_buf_add(b, "</p>\n<p class=\"how\">The browser will "
			    "ask you to choose a PIN for the card: remember it.");
		break;
	default:
		web_buf_add(b, "Plug in your security key and touch it when "
		    "it blinks.");
		if (l->settings.verification != KD_VERIFY_PINLESS)
			web_buf_add(b, "</p>\n<p class=\"how\">If the browser "
			    "asks for the key's PIN, enter it, or choose one: "
			    "remember it.");
		break;
	}
	web_buf_add(b, "</p>\n");
}

static void
add_key(struct web_buf *b, const struct kd_link *l)
{
	web_buf_add(b, "<dl class=\"key\">\n<dt>For</dt><dd>");
	web_buf_text(b, l->name);
	web_buf_add(b, "</dd>\n<dt>Security key</dt><dd>");
	web_buf_text(b, model_key_type_label(l->type));
	if (l->key_name[0] != '\0') {
		web_buf_add(b, " &ldquo;");
		web_buf_text(b, l->key_name);
		web_buf_add(b, "&rdquo;");
	}
	web_buf_add(b, "</dd>\n</dl>\n");
}

/* The form posts the code without the script too, and is then told the
 * page needs JavaScript; with it, portal.js takes over the submit. */
static void
add_form(struct web_buf *b, const struct web_req *r)
{
	web_buf_add(b, "<form id=\"form\" method=\"post\" action=\"");
	web_buf_text(b, r->srv->prefix);
	web_buf_text(b, r->token);
	web_buf_add(b, "/code\">\n"
	    "<label for=\"code\">Activation code from the email</label>\n"
	    "<input name=\"code\" id=\"code\" autocomplete=\"one-time-code\" "
	    "inputmode=\"text\" autocapitalize=\"characters\" "
	    "spellcheck=\"false\" autocorrect=\"off\" maxlength=\"32\" "
	    "required placeholder=\"ABCDE-FGHJK\">\n"
	    "<button id=\"go\" type=\"submit\">Activate my key</button>\n"
	    "</form>\n"
	    "<p id=\"status\" class=\"status\" role=\"status\" "
	    "aria-live=\"polite\"></p>\n"
	    "<noscript><p class=\"status error\">This page needs JavaScript "
	    "to talk to your security key: turn it on for this page, or "
	    "open the link in another browser.</p></noscript>\n");
}

static enum MHD_Result
open_page(struct web_req *r, const struct kd_link *l)
{
	struct web_buf b = { NULL, 0, 0, 0 };
	char until[32];

	web_page_begin(&b, "Activate your security key");
	web_buf_add(&b, "<main id=\"portal\" data-code-url=\"");
	web_buf_text(&b, r->srv->prefix);
	web_buf_text(&b, r->token);
	web_buf_add(&b, "/code\" data-register-url=\"");
	web_buf_text(&b, r->srv->prefix);
	web_buf_text(&b, r->token);
	web_buf_add(&b, "\">\n<p class=\"org\">");
	web_buf_text(&b, r->srv->cfg->rp_name);
	web_buf_add(&b, "</p>\n<h1>Activate your security key</h1>\n");
	add_key(&b, l);
	add_how(&b, l);
	add_form(&b, r);
	kd_time_format(l->link_expires_at, until, sizeof(until));
	web_buf_add(&b, "<p class=\"small\">This link works until ");
	web_buf_text(&b, until);
	web_buf_add(&b, " UTC, once.</p>\n</main>\n");
	web_page_end(&b);
	return web_reply_html(r, MHD_HTTP_OK, &b);
}

enum MHD_Result
web_page_activate(struct web_req *r)
{
	struct kd_link link;
	struct kd_store *st;
	struct kd_err e;
	size_t slot;
	int rc = KD_OK;

	memset(&link, 0, sizeof(link));
	link.state = KD_LINK_UNKNOWN;
	if (r->token_ok) {
		if ((st = web_store_get(r->srv, &slot)) == NULL)
			rc = KD_ERR_DB;
		else {
			rc = portal_link_find(st, r->token, &link, &e);
			web_store_put(r->srv, slot);
		}
	}
	if (rc != KD_OK)
		return web_reply_page(r, web_status_of(rc), "Try again later",
		    "The activation service cannot read its records just now. "
		    "Try again in a minute.");
	if (link.state != KD_LINK_OPEN)
		return web_reply_page(r, (unsigned)portal_link_http_status(
		    link.state), closed_heading(link.state),
		    portal_link_sentence(link.state));
	return open_page(r, &link);
}
