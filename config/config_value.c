/* Scalar values of the configuration: strings, paths, URLs, numbers,
 * durations, booleans and enums, each checked as it is read so the error
 * can point at the line that holds it. */
#include "config/config_int.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DAY	(24L * 3600)

/* "smtp.timeout", or "database" at the top. */
const char *
config_key_name(const struct config_walk *w, const struct config_field *f,
    char *buf, size_t len)
{
	if (w->path[0] == '\0')
		snprintf(buf, len, "%s", f->name);
	else
		snprintf(buf, len, "%s.%s", w->path, f->name);
	return buf;
}

int
config_bad_value(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, const char *expected)
{
	char key[80], what[80];

	if (config_node_is_null(n))
		return config_node_err(w->err, w->name, n, "missing value for "
		    "%s (expected %s)", config_key_name(w, f, key, sizeof(key)),
		    expected);
	config_node_describe(n, what, sizeof(what));
	return config_node_err(w->err, w->name, n, "bad value %s for %s "
	    "(expected %s)", what, config_key_name(w, f, key, sizeof(key)),
	    expected);
}

/* The text of a scalar, or NULL for null; mappings and lists are type
 * errors. */
int
config_scalar(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, const char **out)
{
	char key[80], what[80];

	*out = NULL;
	if (n->kind != CONFIG_SCALAR) {
		config_node_describe(n, what, sizeof(what));
		return config_node_err(w->err, w->name, n,
		    "expected a single value for %s, found %s",
		    config_key_name(w, f, key, sizeof(key)), what);
	}
	if (!config_node_is_null(n))
		*out = n->value;
	return KD_OK;
}

/* Printable text: these values end up in mail headers, URLs and on the
 * screen.  `optional`: null and "" give NULL, else they are errors. */
int
config_text(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, int optional, const char **out)
{
	char key[80];
	int r;

	if ((r = config_scalar(w, f, n, out)) != KD_OK)
		return r;
	if (*out != NULL && (*out)[0] == '\0')
		*out = NULL;
	if (*out == NULL && !optional)
		return config_node_err(w->err, w->name, n, "%s must not be "
		    "empty", config_key_name(w, f, key, sizeof(key)));
	if (*out != NULL && kd_has_control(*out))
		return config_node_err(w->err, w->name, n,
		    "%s contains control characters",
		    config_key_name(w, f, key, sizeof(key)));
	return KD_OK;
}

int
config_store(struct config_walk *w, void *dst, const char *s, int secret)
{
	if (config_set_str(dst, s, secret) != KD_OK)
		return kd_err_set(w->err, KD_ERR_NOMEM, "%s: out of memory",
		    w->name);
	return KD_OK;
}

int
config_parse_string(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, void *dst)
{
	const char *s;
	int r;

	if ((r = config_text(w, f, n, 0, &s)) != KD_OK)
		return r;
	return config_store(w, dst, s, 0);
}

int
config_parse_optional(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, void *dst)
{
	const char *s;
	int r;

	if ((r = config_text(w, f, n, 1, &s)) != KD_OK)
		return r;
	return config_store(w, dst, s, 0);
}

static int
store_path(struct config_walk *w, void *dst, const char *s)
{
	char *p;

	if (s == NULL)
		return config_store(w, dst, NULL, 0);
	if ((p = config_expand_home(s)) == NULL)
		return kd_err_set(w->err, KD_ERR_NOMEM, "%s: out of memory",
		    w->name);
	free(*(char **)dst);
	*(char **)dst = p;
	return KD_OK;
}

int
config_parse_path(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, void *dst)
{
	const char *s;
	int r;

	if ((r = config_text(w, f, n, 0, &s)) != KD_OK)
		return r;
	return store_path(w, dst, s);
}

/* A CA bundle must be there to read now: a typo fails at load, on its
 * line, not at the first delivery. */
int
config_parse_cafile(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, void *dst)
{
	char safe[256];
	const char *s;
	int r;

	if ((r = config_text(w, f, n, 1, &s)) != KD_OK)
		return r;
	if ((r = store_path(w, dst, s)) != KD_OK || s == NULL)
		return r;
	if (access(*(char **)dst, R_OK) != 0) {
		kd_sanitize(*(char **)dst, safe, sizeof(safe));
		return config_node_err(w->err, w->name, n, "cannot read "
		    "smtp.cafile \"%s\": %s", safe, strerror(errno));
	}
	return KD_OK;
}

int
config_parse_password_file(struct config_walk *w,
    const struct config_field *f, const struct config_node *n, void *dst)
{
	const char *s;
	int r;

	if ((r = config_text(w, f, n, 1, &s)) != KD_OK)
		return r;
	w->password_file = s != NULL ? n : NULL;
	return store_path(w, dst, s);
}

int
config_parse_secret(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, void *dst)
{
	const char *s;
	int r;

	/* Any bytes may be in a password: no control check, and never
	 * echo it in a message. */
	if ((r = config_scalar(w, f, n, &s)) != KD_OK)
		return r;
	if (s != NULL && s[0] == '\0')
		s = NULL;
	w->password = s != NULL ? n : NULL;
	return config_store(w, dst, s, 1);
}

int
config_parse_rp_id(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, void *dst)
{
	const char *s, *p;
	int r;

	if ((r = config_text(w, f, n, 0, &s)) != KD_OK)
		return r;
	/* A WebAuthn RP ID is a domain: lower-case labels and dots. */
	for (p = s; *p != '\0'; p++)
		if (!(islower((unsigned char)*p) ||
		    isdigit((unsigned char)*p) || *p == '-' ||
		    (*p == '.' && p != s && p[1] != '\0' && p[1] != '.')))
			break;
	if (*p != '\0' || strlen(s) > 253)
		return config_bad_value(w, f, n,
		    "a lower-case domain name such as keydesk.example.com");
	w->rp_id = n;
	return config_store(w, dst, s, 0);
}

int
config_parse_web_url(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, void *dst)
{
	const char *s, *rest = NULL;
	int r;

	if ((r = config_text(w, f, n, 0, &s)) != KD_OK)
		return r;
	if (strncmp(s, "https://", 8) == 0)
		rest = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		rest = s + 7;
	if (rest == NULL || *rest == '\0' || *rest == '/' ||
	    strpbrk(s, " \"<>") != NULL)
		return config_bad_value(w, f, n,
		    "a URL starting with https:// or http://");
	w->base_url = n;
	return config_store(w, dst, s, 0);
}
