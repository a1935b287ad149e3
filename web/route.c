/* MHD's access handler: which route and method, the client's address,
 * the body up to its cap, then the one handler.  A GET is answered on
 * the first call; a POST once its body is in. */
#include "web/web_int.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/webauthn.h"

static const char token_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "abcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t
token_run(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0' && strchr(token_chars, s[n]) != NULL)
		n++;
	return n;
}

/* "sha256:1a2b3c4d": enough to follow one link through the log, nothing
 * to open it with. */
static void
token_tag(const char *tok, size_t n, char out[16])
{
	unsigned char h[32];

	kd_sha256(tok, n, h);
	memcpy(out, "sha256:", 7);
	kd_hex_encode(h, 4, out + 7);
}

/* The path for the log.  Any run of 16 or more token characters is
 * hashed too, so a mangled link (cut, doubled slash) leaves no token in
 * the log either. */
static void
log_path(const char *url, char *out, size_t len)
{
	char tag[16];
	size_t o = 0, run;
	const char *p = url;

	while (*p != '\0' && o + sizeof(tag) < len) {
		run = token_run(p);
		if (run >= 16) {
			token_tag(p, run, tag);
			memcpy(out + o, tag, strlen(tag));
			o += strlen(tag);
			p += run;
		} else if (run > 0) {
			run = run < len - o - 1 ? run : len - o - 1;
			memcpy(out + o, p, run);
			o += run;
			p += run;
		} else
			out[o++] = *p++;
	}
	out[o] = '\0';
	kd_sanitize(out, out, len);
}

static void
route(struct web_req *r, const char *url)
{
	const struct web_server *srv = r->srv;
	const char *tok, *tail;
	char tag[16];
	size_t n;

	if (strcmp(url, "/healthz") == 0)
		r->route = WEB_R_HEALTH;
	else if (strncmp(url, "/static/", 8) == 0 &&
	    strlen(url + 8) < sizeof(r->asset)) {
		r->route = WEB_R_STATIC;
		snprintf(r->asset, sizeof(r->asset), "%s", url + 8);
	} else if (strncmp(url, srv->prefix, srv->prefix_len) == 0 &&
	    url[srv->prefix_len] != '\0' && url[srv->prefix_len] != '/') {
		tok = url + srv->prefix_len;
		n = strcspn(tok, "/");
		tail = tok + n;
		if (strcmp(tail, "") == 0 || strcmp(tail, "/") == 0)
			r->route = WEB_R_LINK;
		else if (strcmp(tail, "/code") == 0)
			r->route = WEB_R_CODE;
		if (r->route != WEB_R_NOTFOUND) {
			r->token_ok = n <= WEB_TOKEN_MAX && token_run(tok) == n;
			if (r->token_ok) {
				memcpy(r->token, tok, n);
				r->token[n] = '\0';
			}
			token_tag(tok, n, tag);
			/* The prefix is shorter than logpath, the rest fits. */
			snprintf(r->logpath, sizeof(r->logpath), "%.200s%s%s",
			    srv->prefix, tag, tail);
			kd_sanitize(r->logpath, r->logpath, sizeof(r->logpath));
			return;
		}
	}
	log_path(url, r->logpath, sizeof(r->logpath));
}

static enum MHD_Result
last_forwarded(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	(void)kind;
	if (key != NULL && value != NULL &&
	    strcasecmp(key, "X-Forwarded-For") == 0)
		*(const char **)cls = value;
	return MHD_YES;
}

/* Behind a proxy on this machine, the last X-Forwarded-For entry is the
 * address the proxy saw (earlier ones are the client's own claims).
 * Only an IP address is taken: the value reaches the log. */
static void
forwarded_for(struct web_req *r)
{
	const char *v = NULL, *last;
	unsigned char bin[16];
	char ip[64];
	size_t n;

	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, last_forwarded, &v);
	if (v == NULL)
		return;
	last = strrchr(v, ',') != NULL ? strrchr(v, ',') + 1 : v;
	last += strspn(last, " \t");
	if ((n = strcspn(last, " \t")) == 0 || n >= sizeof(ip))
		return;
	memcpy(ip, last, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET, ip, bin) == 1 || inet_pton(AF_INET6, ip, bin) == 1)
		snprintf(r->client, sizeof(r->client), "%s", ip);
}

static int
loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
	const unsigned char *a = s6->sin6_addr.s6_addr;

	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr)
		    >> 24) == 127;
	if (sa->sa_family != AF_INET6)
		return 0;
	if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
		return 1;
	return IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) && a[12] == 127;
}

static void
client_address(struct web_req *r)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;
	socklen_t len;

	snprintf(r->client, sizeof(r->client), "-");
	ci = MHD_get_connection_info(r->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
	if (getnameinfo(sa, len, r->client, sizeof(r->client), NULL, 0,
	    NI_NUMERICHOST) != 0)
		snprintf(r->client, sizeof(r->client), "-");
	if (r->srv->cfg->portal_trust_proxy && loopback(sa))
		forwarded_for(r);
}

/* The page's script sends JSON; a browser without it posts the form
 * and wants a page back. */
static void
body_kind(struct web_req *r)
{
	const char *ct, *accept;

	ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    "Content-Type");
	accept = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    "Accept");
	r->form = ct != NULL && strncasecmp(ct,
	    "application/x-www-form-urlencoded", 33) == 0;
	r->json = !r->form || (accept != NULL &&
	    strstr(accept, "application/json") != NULL);
}

static enum MHD_Result
not_found(struct web_req *r)
{
	return web_reply_fail(r, MHD_HTTP_NOT_FOUND, "Page not found",
	    "There is no page at this address. Open the link in your "
	    "activation email exactly as it is.");
}

static enum MHD_Result
not_allowed(struct web_req *r)
{
	return web_reply_fail(r, MHD_HTTP_METHOD_NOT_ALLOWED, "Not allowed",
	    "This address does not answer that kind of request. Open the "
	    "link in your activation email.");
}

static enum MHD_Result
get(struct web_req *r)
{
	switch (r->route) {
	case WEB_R_LINK:
		return web_page_activate(r);
	case WEB_R_CODE:
		return not_allowed(r);
	case WEB_R_STATIC:
		return web_static(r);
	case WEB_R_HEALTH:
		return web_healthz(r);
	default:
		return not_found(r);
	}
}

/* A body announced larger than the cap is refused before it is read. */
static enum MHD_Result
post_begin(struct web_req *r)
{
	const char *cl;
	unsigned long long n;
	char *end;

	if (r->route != WEB_R_LINK && r->route != WEB_R_CODE)
		return r->route == WEB_R_NOTFOUND ? not_found(r) :
		    not_allowed(r);
	body_kind(r);
	r->limit = r->route == WEB_R_CODE ? WEB_CODE_BODY_MAX :
	    WEBAUTHN_BODY_MAX;
	cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    "Content-Length");
	if (cl != NULL) {
		n = strtoull(cl, &end, 10);
		if (end != cl && n > r->limit)
			r->too_big = 1;
	}
	if (r->too_big)
		return web_reply_fail(r, MHD_HTTP_CONTENT_TOO_LARGE,
		    "Too large", "The request is larger than this page ever "
		    "sends.");
	return MHD_YES;
}

static enum MHD_Result
begin(struct web_server *srv, struct MHD_Connection *conn, const char *url,
    const char *method, void **con_cls)
{
	struct web_req *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return MHD_NO;
	r->srv = srv;
	r->conn = conn;
	r->start_us = web_now_us();
	kd_sanitize(method, r->method, sizeof(r->method));
	*con_cls = r;
	atomic_fetch_add(&srv->inflight, 1);
	client_address(r);
	route(r, url);
	if (strcmp(method, "POST") == 0) {
		r->post = 1;
		return post_begin(r);
	}
	/* A GET is answered on the next call, once MHD has the whole
	 * request: an answer queued earlier closes the connection. */
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return MHD_YES;
	return not_allowed(r);
}

/* Collects the body; past the cap the rest is dropped, not stored. */
static void
body_add(struct web_req *r, const char *data, size_t n)
{
	if (r->too_big)
		return;
	if (n > r->limit - r->len) {
		r->too_big = 1;
		kd_wipe(r->body, r->len);
		free(r->body);
		r->body = NULL;
		r->len = 0;
		return;
	}
	if (r->body == NULL && (r->body = malloc(r->limit + 1)) == NULL) {
		r->too_big = 1;
		return;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
}

enum MHD_Result
web_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct web_req *r = *con_cls;

	(void)version;
	if (r == NULL)
		return begin(cls, conn, url, method, con_cls);
	if (*upload_size > 0) {
		if (r->status == 0)
			body_add(r, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->status != 0)
		return MHD_YES;		/* answered already (405, 413) */
	if (!r->post)
		return get(r);
	if (r->too_big)
		return web_reply_fail(r, MHD_HTTP_CONTENT_TOO_LARGE,
		    "Too large", "The request is larger than this page ever "
		    "sends.");
	if (r->body == NULL && (r->body = calloc(1, 1)) == NULL)
		return MHD_NO;
	return r->route == WEB_R_CODE ? web_post_code(r) :
	    web_post_register(r);
}
