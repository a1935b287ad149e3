/* The configuration schema as tables, and the walk that applies a YAML
 * tree to a struct kd_config.  Adding a key is one table row (and a line
 * in config_print.c and keydesk.example.yaml). */
#include "config/config_int.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define OFF(m)		offsetof(struct kd_config, m)
#define SOFF(m)		offsetof(struct kd_key_settings, m)
#define DAY		(24L * 3600)
#define MAX_FIELDS	16	/* per section, for duplicate detection */

static const struct config_field rp_fields[] = {
	{ "id", config_parse_rp_id, OFF(rp_id), 0, 0, NULL },
	{ "name", config_parse_string, OFF(rp_name), 0, 0, NULL },
};

static const struct config_field activation_fields[] = {
	{ "base_url", config_parse_web_url, OFF(activation_base_url), 0, 0,
	    NULL },
	{ "link_lifetime", config_parse_duration, OFF(link_lifetime),
	    60, 365 * DAY, NULL },
	{ "code_lifetime", config_parse_duration, OFF(code_lifetime),
	    60, 365 * DAY, NULL },
	/* 63: the most a CTAP2 PIN may have (bytes; ours are digits). */
	{ "pin_length", config_parse_int, OFF(pin_length), 6, 63, NULL },
	{ "code_key_file", config_parse_path, OFF(code_key_file), 0, 0, NULL },
	{ "support", config_parse_optional, OFF(activation_support), 0, 0,
	    NULL },
};

static const struct config_field smtp_fields[] = {
	{ "url", config_parse_smtp_url, OFF(smtp_url), 0, 0, NULL },
	{ "starttls", config_parse_starttls, OFF(smtp_starttls), 0, 0, NULL },
	{ "from", config_parse_from, OFF(smtp_from), 0, 0, NULL },
	{ "username", config_parse_optional, OFF(smtp_username), 0, 0, NULL },
	{ "password", config_parse_secret, OFF(smtp_password), 0, 0, NULL },
	{ "password_file", config_parse_password_file,
	    OFF(smtp_password_file), 0, 0, NULL },
	{ "cafile", config_parse_cafile, OFF(smtp_cafile), 0, 0, NULL },
	{ "connect_timeout", config_parse_duration, OFF(smtp_connect_timeout),
	    1, 3600, NULL },
	{ "timeout", config_parse_duration, OFF(smtp_timeout), 1, DAY, NULL },
	{ "max_attempts", config_parse_int, OFF(smtp_max_attempts), 1, 1000,
	    NULL },
};

/* For verification, `min` carries the key type. */
#define SETTINGS_FIELDS(type) {					\
	{ "auditable", config_parse_bool, SOFF(auditable), 0, 0, NULL },\
	{ "bluetooth_proximity", config_parse_bool,			\
	    SOFF(bluetooth_proximity), 0, 0, NULL },			\
	{ "offline_login", config_parse_bool, SOFF(offline_login),	\
	    0, 0, NULL },						\
	{ "verification", config_parse_verification,			\
	    SOFF(verification), (type), 0, NULL },			\
}

static const struct config_field smartphone_fields[] =
    SETTINGS_FIELDS(KD_KEY_SMARTPHONE);
static const struct config_field card_fields[] =
    SETTINGS_FIELDS(KD_KEY_CARD);
static const struct config_field fido2_fields[] =
    SETTINGS_FIELDS(KD_KEY_FIDO2);

#define SECTION(path, f) { path, f, KD_NELEM(f) }

static const struct config_section rp_section =
    SECTION("relying_party", rp_fields);
static const struct config_section activation_section =
    SECTION("activation", activation_fields);
static const struct config_section smtp_section =
    SECTION("smtp", smtp_fields);
static const struct config_section smartphone_section =
    SECTION("defaults.smartphone", smartphone_fields);
static const struct config_section card_section =
    SECTION("defaults.card", card_fields);
static const struct config_section fido2_section =
    SECTION("defaults.fido2", fido2_fields);

/* Sections are walked with the config itself as base; a type's settings
 * sit at defaults[type]. */
#define DEF_OFF(t) \
	(OFF(defaults) + (size_t)(t) * sizeof(struct kd_key_settings))

static const struct config_field defaults_fields[] = {
	{ "smartphone", NULL, DEF_OFF(KD_KEY_SMARTPHONE), 0, 0,
	    &smartphone_section },
	{ "card", NULL, DEF_OFF(KD_KEY_CARD), 0, 0, &card_section },
	{ "fido2", NULL, DEF_OFF(KD_KEY_FIDO2), 0, 0, &fido2_section },
};
static const struct config_section defaults_section =
    SECTION("defaults", defaults_fields);

static const struct config_field kiosk_fields[] = {
	{ "idle_lock", config_parse_duration, OFF(kiosk_idle_lock), 0, DAY,
	    NULL },
};
static const struct config_section kiosk_section =
    SECTION("kiosk", kiosk_fields);

static const struct config_field access_fields[] = {
	{ "admins", config_parse_names, OFF(access_admins), 0, 0, NULL },
	{ "operators", config_parse_names, OFF(access_operators), 0, 0, NULL },
	{ "signin", config_parse_bool, OFF(access_signin), 0, 0, NULL },
};
static const struct config_section access_section =
    SECTION("access", access_fields);

/* For the TLS files, `min` says which: 0 certificate, 1 key. */
static const struct config_field portal_fields[] = {
	{ "listen", config_parse_listen, OFF(portal_listen), 0, 0, NULL },
	{ "tls_cert", config_parse_tls_file, OFF(portal_tls_cert), 0, 0, NULL },
	{ "tls_key", config_parse_tls_file, OFF(portal_tls_key), 1, 0, NULL },
	{ "max_connections", config_parse_int, OFF(portal_max_connections),
	    1, 10000, NULL },
	{ "connection_timeout", config_parse_duration,
	    OFF(portal_connection_timeout), 1, 3600, NULL },
	{ "trust_proxy", config_parse_bool, OFF(portal_trust_proxy), 0, 0,
	    NULL },
};
static const struct config_section portal_section =
    SECTION("portal", portal_fields);

static const struct config_field top_fields[] = {
	{ "database", config_parse_path, OFF(database), 0, 0, NULL },
	{ "relying_party", NULL, 0, 0, 0, &rp_section },
	{ "activation", NULL, 0, 0, 0, &activation_section },
	{ "smtp", NULL, 0, 0, 0, &smtp_section },
	{ "defaults", NULL, 0, 0, 0, &defaults_section },
	{ "kiosk", NULL, 0, 0, 0, &kiosk_section },
	{ "access", NULL, 0, 0, 0, &access_section },
	{ "portal", NULL, 0, 0, 0, &portal_section },
};
static const struct config_section top_section = SECTION("", top_fields);

_Static_assert(KD_NELEM(smtp_fields) <= MAX_FIELDS, "raise MAX_FIELDS");

static const char *
in_section(const struct config_section *s, char *buf, size_t len)
{
	if (s->path[0] == '\0')
		snprintf(buf, len, "at the top level");
	else
		snprintf(buf, len, "in %s", s->path);
	return buf;
}

static int
unknown_key(struct config_walk *w, const struct config_section *s,
    const struct config_node *key)
{
	char names[400], where[64], safe[64];
	size_t i, o = 0;

	names[0] = '\0';
	for (i = 0; i < s->nfields && o < sizeof(names); i++)
		o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s",
		    i > 0 ? ", " : "", s->fields[i].name);
	kd_sanitize(key->value, safe, sizeof(safe));
	return config_node_err(w->err, w->name, key,
	    "unknown key \"%s\" %s (expected one of: %s)", safe,
	    in_section(s, where, sizeof(where)), names);
}

static int
walk_section(struct config_walk *, const struct config_section *,
    const struct config_node *, char *);

/* One key: value pair of a section. */
static int
walk_pair(struct config_walk *w, const struct config_section *s,
    const struct config_node *key, const struct config_node *val,
    const struct config_node **seen, char *base)
{
	const struct config_field *f = NULL;
	char where[64];
	size_t i;

	if (key->kind != CONFIG_SCALAR)
		return config_node_err(w->err, w->name, key,
		    "keys must be plain strings, not %s",
		    key->kind == CONFIG_MAP ? "a mapping" : "a list");
	for (i = 0; i < s->nfields; i++)
		if (strcmp(s->fields[i].name, key->value) == 0) {
			f = &s->fields[i];
			break;
		}
	if (f == NULL)
		return unknown_key(w, s, key);
	if (seen[i] != NULL)
		return config_node_err(w->err, w->name, key,
		    "duplicate key \"%s\" %s (first at line %d, column %d)",
		    f->name, in_section(s, where, sizeof(where)),
		    seen[i]->line, seen[i]->col);
	seen[i] = key;
	if (f->sub != NULL)
		return walk_section(w, f->sub, val, base + f->off);
	w->path = s->path;
	return f->parse(w, f, val, base + f->off);
}

static int
walk_section(struct config_walk *w, const struct config_section *s,
    const struct config_node *map, char *base)
{
	const struct config_node *seen[MAX_FIELDS] = { NULL };
	const struct config_node *key;
	char what[80];
	int r;

	/* "smtp:" with every key commented out is an empty section. */
	if (config_node_is_null(map))
		return KD_OK;
	if (map->kind != CONFIG_MAP) {
		config_node_describe(map, what, sizeof(what));
		if (s->path[0] == '\0')
			return config_node_err(w->err, w->name, map,
			    "expected a mapping of keys at the top level, "
			    "found %s", what);
		return config_node_err(w->err, w->name, map,
		    "expected a mapping for %s, found %s", s->path, what);
	}
	for (key = map->child; key != NULL; key = key->next->next) {
		if ((r = walk_pair(w, s, key, key->next, seen, base)) != KD_OK)
			return r;
	}
	return KD_OK;
}

int
config_apply(struct kd_config *cfg, const char *name,
    const struct config_node *root, struct kd_err *err)
{
	struct config_walk w;
	const struct config_node *later;
	int r;

	memset(&w, 0, sizeof(w));
	w.cfg = cfg;
	w.name = name;
	w.err = err;
	if ((r = walk_section(&w, &top_section, root, (char *)cfg)) != KD_OK)
		return r;
	if (w.password != NULL && w.password_file != NULL) {
		later = w.password->line > w.password_file->line ||
		    (w.password->line == w.password_file->line &&
		    w.password->col > w.password_file->col) ?
		    w.password : w.password_file;
		return config_node_err(err, name, later,
		    "smtp.password and smtp.password_file are both set "
		    "(use one)");
	}
	if (w.password_file != NULL &&
	    (r = config_read_password_file(&w)) != KD_OK)
		return r;
	return config_portal_check(&w);
}
