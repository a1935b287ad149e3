/* Every answer the portal gives goes out through web_reply, which adds
 * the headers a page holding a secret in its URL needs: never cached,
 * never sent on as a Referer, no framing, no inline script. */
#include "web/web_int.h"

#include <stdlib.h>
#include <string.h>

static const char csp[] = "default-src 'none'; script-src 'self'; "
    "style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

static const char *const headers[][2] = {
	{ "Cache-Control", "no-store" },
	{ "Referrer-Policy", "no-referrer" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "Content-Security-Policy", csp },
};

enum MHD_Result
web_reply(struct web_req *r, unsigned status, const char *type,
    const void *body, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t i;

	resp = MHD_create_response_from_buffer(len, (void *)body,
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	for (i = 0; i < KD_NELEM(headers); i++)
		MHD_add_response_header(resp, headers[i][0], headers[i][1]);
	MHD_add_response_header(resp, "Content-Type", type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, "Allow", r->route == WEB_R_CODE ?
		    "POST" : r->route == WEB_R_LINK ? "GET, HEAD, POST" :
		    "GET, HEAD");
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	if (ret == MHD_YES)
		r->status = (int)status;
	return ret;
}

enum MHD_Result
web_reply_html(struct web_req *r, unsigned status, struct web_buf *b)
{
	enum MHD_Result ret;

	if (b->oom) {
		web_buf_free(b);
		return MHD_NO;
	}
	ret = web_reply(r, status, "text/html; charset=utf-8", b->p, b->len);
	web_buf_free(b);
	return ret;
}

enum MHD_Result
web_reply_page(struct web_req *r, unsigned status, const char *heading,
    const char *sentence)
{
	struct web_buf b = { NULL, 0, 0, 0 };

	web_page_begin(&b, heading);
	web_buf_add(&b, "<main>\n<h1>");
	web_buf_text(&b, heading);
	web_buf_add(&b, "</h1>\n<p class=\"sentence\">");
	web_buf_text(&b, sentence);
	web_buf_add(&b, "</p>\n</main>\n");
	web_page_end(&b);
	return web_reply_html(r, status, &b);
}

enum MHD_Result
web_reply_json(struct web_req *r, unsigned status, json_t *j)
{
	enum MHD_Result ret;
	char *s;

	if (j == NULL)
		return MHD_NO;
	s = json_dumps(j, JSON_COMPACT | JSON_ESCAPE_SLASH);
	json_decref(j);
	if (s == NULL)
		return MHD_NO;
	ret = web_reply(r, status, "application/json", s, strlen(s));
	kd_wipe(s, strlen(s));	/* a challenge is in it */
	free(s);
	return ret;
}

enum MHD_Result
web_reply_error(struct web_req *r, unsigned status, const char *sentence)
{
	json_t *j = json_pack("{s:b, s:s}", "ok", 0, "error", sentence);

	/* Not UTF-8 (it should always be): still an answer. */
	if (j == NULL)
		j = json_pack("{s:b, s:s}", "ok", 0, "error", "The request "
		    "failed.");
	return web_reply_json(r, status, j);
}

enum MHD_Result
web_reply_fail(struct web_req *r, unsigned status, const char *heading,
    const char *sentence)
{
	if (r->json)
		return web_reply_error(r, status, sentence);
	return web_reply_page(r, status, heading, sentence);
}

unsigned
web_status_of(int rc)
{
	switch (rc) {
	case KD_OK:
		return MHD_HTTP_OK;
	case KD_ERR_INVALID:
		return MHD_HTTP_BAD_REQUEST;
	case KD_ERR_DENIED:
		return MHD_HTTP_FORBIDDEN;
	case KD_ERR_LOCKED:
		return MHD_HTTP_TOO_MANY_REQUESTS;
	case KD_ERR_NOTFOUND:
		return MHD_HTTP_NOT_FOUND;
	case KD_ERR_EXPIRED:
		return MHD_HTTP_GONE;
	case KD_ERR_BUSY:
	case KD_ERR_DB:
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	default:
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}
