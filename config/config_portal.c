/* The portal section (keydesk serve) and the checks across keys that only
 * make sense once the whole file is read: the link's host against the
 * relying party, the TLS certificate and key as a pair. */
#include "config/config_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int
port_parse(const char *p, int *port)
{
	long v = 0;
	const char *s = p;

	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s) || s - p >= 5)
			return KD_ERR_INVALID;
		v = v * 10 + (*s - '0');
	}
	if (s == p || v > 65535)
		return KD_ERR_INVALID;
	*port = (int)v;
	return KD_OK;
}

int
config_listen_split(const char *s, char *host, size_t len, int *port,
    const char **why)
{
	unsigned char addr[16];
	const char *colon, *end;
	size_t n;
	int v6 = *s == '[';

	*why = "HOST:PORT, such as 127.0.0.1:8080, [::1]:8080 or "
	    "localhost:8080 (port 0: any free port)";
	if (v6) {
		if ((end = strchr(s, ']')) == NULL || end[1] != ':')
			return KD_ERR_INVALID;
		s++;
		colon = end + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return KD_ERR_INVALID;
		end = colon;
		if (memchr(s, ':', (size_t)(colon - s)) != NULL) {
			*why = "HOST:PORT with an IPv6 address in brackets, "
			    "such as [::1]:8080";
			return KD_ERR_INVALID;
		}
	}
	if ((n = (size_t)(end - s)) == 0 || n >= len || n >= 64 ||
	    port_parse(colon + 1, port) != KD_OK)
		return KD_ERR_INVALID;
	memcpy(host, s, n);
	host[n] = '\0';
	if (strcasecmp(host, "localhost") == 0 && !v6) {
		snprintf(host, len, "127.0.0.1");
		return KD_OK;
	}
	if (inet_pton(v6 ? AF_INET6 : AF_INET, host, addr) != 1) {
		*why = "HOST:PORT where HOST is an IP address or localhost "
		    "(names are not looked up)";
		return KD_ERR_INVALID;
	}
	return KD_OK;
}

int
config_parse_listen(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, void *dst)
{
	const char *s, *why;
	char host[64];
	int r, port;

	if ((r = config_text(w, f, n, 0, &s)) != KD_OK)
		return r;
	if (config_listen_split(s, host, sizeof(host), &port, &why) != KD_OK)
		return config_bad_value(w, f, n, why);
	return config_store(w, dst, s, 0);
}

/* Only the path is checked here: the files are read when the portal
 * starts, by the user it runs as (who may be the only one allowed to
 * read the key). */
int
config_parse_tls_file(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, void *dst)
{
	const char *s;
	char *p;
	int r;

	if ((r = config_text(w, f, n, 1, &s)) != KD_OK)
		return r;
	if (f->min == 0)
		w->tls_cert = s != NULL ? n : NULL;
	else
		w->tls_key = s != NULL ? n : NULL;
	if (s == NULL)
		return config_store(w, dst, NULL, 0);
	if ((p = config_expand_home(s)) == NULL)
		return kd_err_set(w->err, KD_ERR_NOMEM, "%s: out of memory",
		    w->name);
	free(*(char **)dst);
	*(char **)dst = p;
	return KD_OK;
}

/* An error at `n` if the file set it, else (a value from the defaults)
 * at the other key that made the pair wrong, else without a place. */
static int
cross_err(struct config_walk *w, const struct config_node *n,
    const struct config_node *other, const char *text)
{
	if (n == NULL)
		n = other;
	if (n == NULL)
		return kd_err_set(w->err, KD_ERR_CONFIG, "%s: %s", w->name,
		    text);
	return config_node_err(w->err, w->name, n, "%s", text);
}

/* The host of an http(s) URL, lower-cased, into `host`; `https` says
 * which scheme.  KD_ERR_INVALID if there is none. */
static int
url_host(const char *url, char *host, size_t len, int *https)
{
	const char *p, *end, *colon;
	size_t n, i;

	*https = strncmp(url, "https://", 8) == 0;
	p = url + (*https ? 8 : 7);
	end = p + strcspn(p, "/?#");
	if (memchr(p, '@', (size_t)(end - p)) != NULL)
		return KD_ERR_INVALID;
	if (*p == '[') {
		snprintf(host, len, "[");	/* an IPv6 literal */
		return KD_OK;
	}
	colon = memchr(p, ':', (size_t)(end - p));
	n = (size_t)((colon != NULL ? colon : end) - p);
	if (n == 0 || n >= len)
		return KD_ERR_INVALID;
	for (i = 0; i < n; i++)
		host[i] = (char)tolower((unsigned char)p[i]);
	host[n] = '\0';
	return KD_OK;
}

/* As browsers read a host: an IPv4 address when its last label is a
 * number (no top-level domain is). */
static int
host_is_ip(const char *host)
{
	const char *last = strrchr(host, '.');

	last = last != NULL ? last + 1 : host;
	if (host[0] == '[')
		return 1;
	if (strncmp(last, "0x", 2) == 0)
		last += 2;
	return *last != '\0' && strspn(last, "0123456789abcdef") ==
	    strlen(last) && strspn(last, "0123456789") > 0;
}

static int
host_is_local(const char *host)
{
	size_t n = strlen(host);

	return strcmp(host, "localhost") == 0 || (n > 10 &&
	    strcmp(host + n - 10, ".localhost") == 0);
}

/* WebAuthn binds a key to relying_party.id; a browser offers it only to
 * pages on that host or below it, on a domain name, in a secure context
 * (https://, or http:// on localhost). */
static int
check_base_url(struct config_walk *w)
{
	const struct kd_config *c = w->cfg;
	char host[256], text[600];
	size_t hl, rl;
	int https;

	if (url_host(c->activation_base_url, host, sizeof(host), &https) !=
	    KD_OK)
		return cross_err(w, w->base_url, w->rp_id, "activation.base_url "
		    "has no host name");
	if (host_is_ip(host))
		return cross_err(w, w->base_url, w->rp_id, "activation.base_url "
		    "names an IP address: browsers register security keys only "
		    "on a domain name (that of relying_party.id)");
	if (!https && !host_is_local(host))
		return cross_err(w, w->base_url, w->rp_id, "activation.base_url "
		    "must start with https:// (http:// works only for "
		    "localhost)");
	hl = strlen(host);
	rl = strlen(c->rp_id);
	if (strcmp(host, c->rp_id) != 0 && !(hl > rl + 1 &&
	    host[hl - rl - 1] == '.' && strcmp(host + hl - rl, c->rp_id) == 0)) {
		kd_sanitize(host, host, sizeof(host));
		snprintf(text, sizeof(text), "the host of activation.base_url "
		    "(\"%s\") must be relying_party.id (\"%s\") or a "
		    "subdomain of it", host, c->rp_id);
		return cross_err(w, w->base_url, w->rp_id, text);
	}
	return KD_OK;
}

int
config_portal_check(struct config_walk *w)
{
	const struct kd_config *c = w->cfg;

	if ((c->portal_tls_cert == NULL) != (c->portal_tls_key == NULL))
		return cross_err(w, w->tls_cert != NULL ? w->tls_cert :
		    w->tls_key, NULL, "portal.tls_cert and portal.tls_key go "
		    "together: set both (or neither)");
	return check_base_url(w);
}
