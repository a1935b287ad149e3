/* keydesk configuration: defaults, loading and the file lookup order.
 * The YAML tree is in config_yaml.c, the schema in config_schema.c. */
#include "config/config_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYSTEM_CONFIG	"/etc/keydesk/config.yaml"
#define NSTRINGS	18	/* string fields of struct kd_config */

static const struct kd_key_settings default_settings[KD_KEY_NTYPES] = {
	[KD_KEY_SMARTPHONE] = { 1, 0, 0, KD_VERIFY_BIOMETRIC },
	[KD_KEY_CARD] = { 1, 0, 0, KD_VERIFY_PIN },
	[KD_KEY_FIDO2] = { 1, 0, 0, KD_VERIFY_PIN },
};

static char *
join(const char *a, const char *b)
{
	size_t len = strlen(a) + strlen(b) + 1;
	char *s;

	if ((s = malloc(len)) != NULL)
		snprintf(s, len, "%s%s", a, b);
	return s;
}

static const char *
home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h != NULL && h[0] == '/')
		return h;
	if ((pw = getpwuid(getuid())) != NULL && pw->pw_dir != NULL &&
	    pw->pw_dir[0] == '/')
		return pw->pw_dir;
	return NULL;
}

/* An XDG base directory variable counts only if absolute (the spec says
 * to ignore relative ones). */
static char *
xdg_path(const char *var, const char *fallback, const char *file)
{
	const char *dir = getenv(var), *home;
	char *base, *s;

	if (dir != NULL && dir[0] == '/')
		return join(dir, file);
	if ((home = home_dir()) == NULL)
		return NULL;
	if ((base = join(home, fallback)) == NULL)
		return NULL;
	s = join(base, file);
	free(base);
	return s;
}

char *
config_expand_home(const char *path)
{
	const char *home;

	if (strncmp(path, "~/", 2) == 0 && (home = home_dir()) != NULL)
		return join(home, path + 1);
	return kd_strdup(path);
}

int
config_set_str(char **dst, const char *src, int secret)
{
	char *s = NULL;

	if (src != NULL && (s = strdup(src)) == NULL)
		return KD_ERR_NOMEM;
	if (secret)
		kd_free_secret(*dst);
	else
		free(*dst);
	*dst = s;
	return KD_OK;
}

/* Where the database goes when nothing names one. */
static char *
default_database(void)
{
	char *s = xdg_path("XDG_DATA_HOME", "/.local/share",
	    "/keydesk/keydesk.db");

	return s != NULL ? s : strdup("keydesk.db");	/* no home at all */
}

int
config_database_is_default(const struct kd_config *c)
{
	char *d = default_database();
	int same = d != NULL && c->database != NULL &&
	    strcmp(d, c->database) == 0;

	free(d);
	return same;
}

struct kd_config *
config_new(void)
{
	struct kd_config *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->database = default_database();
	/* localhost: `keydesk serve` on this machine works in a browser as
	 * it comes (a secure context without a certificate). */
	c->rp_id = strdup("localhost");
	c->rp_name = strdup("keydesk");
	c->activation_base_url = strdup("http://localhost:8080/activate/");
	c->link_lifetime = 12 * 3600;	/* Keycloak's admin-sent links */
	c->code_lifetime = 72 * 3600;
	c->pin_length = 6;
	c->smtp_starttls = KD_STARTTLS_REQUIRED;
	c->smtp_from = strdup("keydesk <keydesk@localhost>");
	c->smtp_connect_timeout = 10;
	c->smtp_timeout = 30;
	c->smtp_max_attempts = 8;
	memcpy(c->defaults, default_settings, sizeof(c->defaults));
	c->kiosk_idle_lock = 120;
	c->portal_listen = strdup("127.0.0.1:8080");
	c->portal_max_connections = 64;
	c->portal_connection_timeout = 30;
	if (c->database == NULL || c->rp_id == NULL || c->rp_name == NULL ||
	    c->activation_base_url == NULL || c->smtp_from == NULL ||
	    c->portal_listen == NULL)
		config_free(&c);
	return c;
}

/* Every string field, so a copy cannot forget one. */
static size_t
string_fields(struct kd_config *c, char ***v)
{
	v[0] = &c->source;
	v[1] = &c->database;
	v[2] = &c->rp_id;
	v[3] = &c->rp_name;
	v[4] = &c->activation_base_url;
	v[5] = &c->smtp_url;
	v[6] = &c->smtp_from;
	v[7] = &c->smtp_username;
	v[8] = &c->smtp_password;
	v[9] = &c->smtp_password_file;
	v[10] = &c->access_admins;
	v[11] = &c->access_operators;
	v[12] = &c->smtp_cafile;
	v[13] = &c->portal_listen;
	v[14] = &c->portal_tls_cert;
	v[15] = &c->portal_tls_key;
	v[16] = &c->code_key_file;
	v[17] = &c->activation_support;
	return NSTRINGS;
}

static struct kd_config *
config_copy(const struct kd_config *src)
{
	struct kd_config *c;
	char **v[NSTRINGS], *orig[NSTRINGS];
	size_t i, n;

	if ((c = malloc(sizeof(*c))) == NULL)
		return NULL;
	*c = *src;
	n = string_fields(c, v);
	for (i = 0; i < n; i++) {
		orig[i] = *v[i];
		*v[i] = NULL;
	}
	for (i = 0; i < n; i++)
		if (orig[i] != NULL && (*v[i] = strdup(orig[i])) == NULL) {
			config_free(&c);
			return NULL;
		}
	return c;
}

void
config_free(struct kd_config **cp)
{
	struct kd_config *c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	free(c->source);
	free(c->database);
	free(c->rp_id);
	free(c->rp_name);
	free(c->activation_base_url);
	free(c->code_key_file);
	free(c->activation_support);
	free(c->smtp_url);
	free(c->smtp_from);
	free(c->smtp_username);
	kd_free_secret(c->smtp_password);
	free(c->smtp_password_file);
	free(c->smtp_cafile);
	free(c->access_admins);
	free(c->access_operators);
	free(c->portal_listen);
	free(c->portal_tls_cert);
	free(c->portal_tls_key);
	kd_wipe(c, sizeof(*c));
	free(c);
	*cp = NULL;
}

/* Applies the YAML to a copy and swaps it in only when all of it was
 * good: a failed load leaves the caller's config as it was. */
int
config_load_string(struct kd_config *cfg, const char *name, const char *yaml,
    size_t len, struct kd_err *err)
{
	struct config_node *root = NULL;
	struct kd_config *c = NULL, tmp;
	int r;

	if (name == NULL)
		name = "(string)";
	if ((r = config_yaml_parse(name, yaml, len, &root, err)) != KD_OK)
		goto out;
	if ((c = config_copy(cfg)) == NULL) {
		r = kd_err_set(err, KD_ERR_NOMEM, "%s: out of memory", name);
		goto out;
	}
	if ((r = config_apply(c, name, root, err)) != KD_OK)
		goto out;
	if ((r = config_set_str(&c->source, name, 0)) != KD_OK) {
		r = kd_err_set(err, KD_ERR_NOMEM, "%s: out of memory", name);
		goto out;
	}
	tmp = *cfg;
	*cfg = *c;
	*c = tmp;
out:
	config_free(&c);
	config_node_free(root);
	return r;
}

/* Reads a whole file; KD_ERR_NOTFOUND (message set) if it is not there,
 * so the lookup can move on to the next place. */
static int
read_file(const char *path, char **bufp, size_t *lenp, struct kd_err *err)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t got;
	int fd, r = KD_ERR_CONFIG;

	*bufp = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) < 0)
		return kd_err_set(err, errno == ENOENT || errno == ENOTDIR ?
		    KD_ERR_NOTFOUND : KD_ERR_CONFIG, "%s: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		kd_err_set(err, r, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_size > CONFIG_MAX_SIZE) {
		kd_err_set(err, r, "%s: file too large (over %d bytes)", path,
		    CONFIG_MAX_SIZE);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		r = kd_err_set(err, KD_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	/* A file growing under us is cut at the size fstat saw. */
	while (len < (size_t)st.st_size &&
	    (got = read(fd, buf + len, (size_t)st.st_size - len)) != 0) {
		if (got < 0) {
			kd_err_set(err, r, "%s: %s", path, strerror(errno));
			goto out;
		}
		len += (size_t)got;
	}
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	r = KD_OK;
out:
	free(buf);
	close(fd);
	return r;
}

/* A file that holds the SMTP password must not be readable by others. */
static int
check_private(const char *path, struct kd_err *err)
{
	struct stat sb;

	if (stat(path, &sb) != 0 || (sb.st_mode & 0077) == 0)
		return KD_OK;
	return kd_err_set(err, KD_ERR_CONFIG, "%s holds the SMTP password but "
	    "other users can read it (mode %04o): run chmod 600 %s", path,
	    (unsigned)(sb.st_mode & 07777), path);
}

/* Loads `path`; KD_ERR_NOTFOUND (message set) if nothing is there. */
static int
load_path(struct kd_config *cfg, const char *path, struct kd_err *err)
{
	char *buf;
	size_t len = 0;
	int r;

	if ((r = read_file(path, &buf, &len, err)) != KD_OK)
		return r;
	r = config_load_string(cfg, path, buf, len, err);
	kd_wipe(buf, len);	/* it may hold the SMTP password */
	free(buf);
	if (r == KD_OK && cfg->smtp_password != NULL)
		r = check_private(cfg->smtp_password_file ?
		    cfg->smtp_password_file : path, err);
	return r;
}

int
config_load_file(struct kd_config *cfg, const char *path,
    struct kd_err *err)
{
	int r;

	if ((r = load_path(cfg, path, err)) == KD_ERR_NOTFOUND) {
		r = KD_ERR_CONFIG;
		if (err != NULL)
			err->code = r;
	}
	return r;
}

int
config_load(struct kd_config *cfg, const char *path, struct kd_err *err)
{
	char *user;
	int r;

	if (path != NULL)
		return config_load_file(cfg, path, err);
	user = xdg_path("XDG_CONFIG_HOME", "/.config", "/keydesk/config.yaml");
	r = user != NULL ? load_path(cfg, user, err) : KD_ERR_NOTFOUND;
	free(user);
	if (r == KD_ERR_NOTFOUND)
		r = load_path(cfg, SYSTEM_CONFIG, err);
	if (r == KD_ERR_NOTFOUND) {
		kd_err_clear(err);
		r = KD_OK;	/* no file anywhere: built-in defaults */
	}
	return r;
}

static int
on_list(const char *list, const char *user)
{
	size_t n = strlen(user);
	const char *p;

	for (p = list; p != NULL && *p != '\0'; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, user, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

const char *
config_role_of(const struct kd_config *c, const char *user)
{
	if (c->access_admins == NULL && c->access_operators == NULL)
		return "admin";
	if (on_list(c->access_admins, user))
		return "admin";
	if (on_list(c->access_operators, user))
		return "operator";
	return "read-only";
}
