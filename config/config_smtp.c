/* The smtp section's own checks: the server URL, the sender and the
 * password file, read once at load time so a bad one fails early. */
#include "config/config_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
port_ok(const char *p, const char *end)
{
	long v = 0;

	if (p == end || end - p > 5)
		return 0;
	for (; p < end; p++) {
		if (!isdigit((unsigned char)*p))
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v >= 1 && v <= 65535;
}

/* host[:port] or [v6]:port, between `s` and `end`. */
static int
authority_ok(const char *s, const char *end)
{
	const char *host_end, *p;

	if (*s == '[') {
		if ((host_end = memchr(s, ']', (size_t)(end - s))) == NULL)
			return 0;
		for (p = s + 1; p < host_end; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':' &&
			    *p != '.')
				return 0;
		p = host_end + 1;
		if (host_end == s + 1)
			return 0;
	} else {
		for (p = s; p < end && *p != ':'; p++)
			if (!isalnum((unsigned char)*p) && *p != '.' &&
			    *p != '-' && *p != '_')
				return 0;
		if (p == s)
			return 0;
	}
	if (p == end)
		return 1;
	return *p == ':' && port_ok(p + 1, end);
}

int
config_parse_smtp_url(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, void *dst)
{
	const char *s, *rest, *end;
	int r;

	/* Null or "": no SMTP at all, mail waits in the outbox. */
	if ((r = config_text(w, f, n, 1, &s)) != KD_OK || s == NULL)
		return r != KD_OK ? r : config_store(w, dst, NULL, 0);
	if (strncmp(s, "smtp://", 7) == 0)
		rest = s + 7;
	else if (strncmp(s, "smtps://", 8) == 0)
		rest = s + 8;
	else
		return config_bad_value(w, f, n, "a URL starting with smtp:// "
		    "or smtps://, such as smtp://mail.example.com:587");
	end = rest + strcspn(rest, "/");
	if (memchr(rest, '@', (size_t)(end - rest)) != NULL)
		return config_node_err(w->err, w->name, n, "put the user name "
		    "and password in smtp.username and smtp.password, not in "
		    "smtp.url");
	if (!authority_ok(rest, end) || strpbrk(end, " ?#") != NULL)
		return config_bad_value(w, f, n, "smtp://HOST[:PORT] or "
		    "smtps://HOST[:PORT]");
	return config_store(w, dst, s, 0);
}

int
config_parse_from(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, void *dst)
{
	const char *s;
	int r;

	if ((r = config_text(w, f, n, 0, &s)) != KD_OK)
		return r;
	if (strchr(s, '@') == NULL)
		return config_bad_value(w, f, n, "an address such as "
		    "keydesk@example.com or \"keydesk <keydesk@example.com>\"");
	return config_store(w, dst, s, 0);
}

static int
pwfile_err(struct config_walk *w, const char *why)
{
	char path[256];

	kd_sanitize(w->cfg->smtp_password_file, path, sizeof(path));
	return config_node_err(w->err, w->name, w->password_file,
	    "cannot use smtp.password_file \"%s\": %s", path, why);
}

/* Reads up to CONFIG_MAX_SECRET bytes of a regular file into buf. */
static int
read_small(struct config_walk *w, char *buf, size_t *lenp)
{
	struct stat st;
	ssize_t got;
	size_t len = 0;
	int fd, r = KD_ERR_CONFIG;

	fd = open(w->cfg->smtp_password_file, O_RDONLY | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return pwfile_err(w, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		pwfile_err(w, "not a regular file");
		goto out;
	}
	while ((got = read(fd, buf + len, CONFIG_MAX_SECRET + 1 - len)) > 0)
		if ((len += (size_t)got) > CONFIG_MAX_SECRET)
			break;
	if (got < 0) {
		pwfile_err(w, strerror(errno));
		goto out;
	}
	if (len > CONFIG_MAX_SECRET) {
		pwfile_err(w, "larger than a password can be");
		goto out;
	}
	*lenp = len;
	r = KD_OK;
out:
	close(fd);
	return r;
}

int
config_read_password_file(struct config_walk *w)
{
	char buf[CONFIG_MAX_SECRET + 1];
	size_t len = 0;
	int r;

	if ((r = read_small(w, buf, &len)) != KD_OK)
		goto out;
	/* Editors and `echo` leave a newline; it is not part of it. */
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	if (len == 0)
		r = pwfile_err(w, "the file is empty");
	else if (memchr(buf, '\0', len) != NULL ||
	    strpbrk(buf, "\r\n") != NULL)
		r = pwfile_err(w, "it holds more than one line");
	else if (config_set_str(&w->cfg->smtp_password, buf, 1) != KD_OK)
		r = kd_err_set(w->err, KD_ERR_NOMEM, "%s: out of memory",
		    w->name);
out:
	kd_wipe(buf, sizeof(buf));
	return r;
}
