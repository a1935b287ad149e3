/* config/: defaults, the schema, every kind of error with its location,
 * the password file, printing and the lookup order. */
#include "config/config.h"
#include "tests/lib/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[512];

static const char *
tmp(void)
{
	const char *base = getenv("KD_TESTTMP");

	if (tmpdir[0] == '\0') {
		snprintf(tmpdir, sizeof(tmpdir), "%s/cfg.XXXXXX",
		    base != NULL ? base : "/tmp");
		if (mkdtemp(tmpdir) == NULL) {
			perror("mkdtemp");
			exit(1);
		}
	}
	return tmpdir;
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, fp);
	fclose(fp);
}

/* Loads `yaml` (called t.yaml) over fresh defaults. */
static int
load(const char *yaml, struct kd_config **cp, struct kd_err *err)
{
	kd_err_clear(err);
	if ((*cp = config_new()) == NULL)
		return KD_ERR_NOMEM;
	return config_load_string(*cp, "t.yaml", yaml, strlen(yaml), err);
}

/* Expects `yaml` to fail with exactly `msg`. */
static int
fails_with(const char *yaml, const char *msg)
{
	struct kd_config *c;
	struct kd_err err;
	int r = load(yaml, &c, &err), ok;

	ok = r == KD_ERR_CONFIG && err.code == KD_ERR_CONFIG &&
	    strcmp(err.msg, msg) == 0;
	if (!ok)
		fprintf(stderr, "  yaml: %s\n  got %d: %s\n  want: %s\n", yaml,
		    r, err.msg, msg);
	config_free(&c);
	return ok;
}

/* Expects `yaml` to fail with a message starting with `prefix`. */
static int
fails_at(const char *yaml, const char *prefix)
{
	struct kd_config *c;
	struct kd_err err;
	int r = load(yaml, &c, &err), ok;

	ok = r == KD_ERR_CONFIG && strncmp(err.msg, prefix,
	    strlen(prefix)) == 0;
	if (!ok)
		fprintf(stderr, "  yaml: %s\n  got %d: %s\n  want: %s...\n",
		    yaml, r, err.msg, prefix);
	config_free(&c);
	return ok;
}

static void
test_defaults(void)
{
	struct kd_config *c;

	setenv("XDG_DATA_HOME", "/srv/data", 1);
	c = config_new();
	CHECK(c != NULL);
	CHECK(c->source == NULL);
	CHECK_EQ_STR(c->database, "/srv/data/keydesk/keydesk.db");
	CHECK_EQ_STR(c->rp_id, "localhost");
	CHECK_EQ_STR(c->rp_name, "keydesk");
	CHECK_EQ_STR(c->activation_base_url, "http://localhost:8080/activate/");
	CHECK(c->link_lifetime == 12 * 3600);
	CHECK(c->code_lifetime == 72 * 3600);
	CHECK(c->pin_length == 6);
	CHECK(c->activation_support == NULL);
	CHECK(c->smtp_url == NULL && c->smtp_password == NULL);
	CHECK(c->smtp_starttls == KD_STARTTLS_REQUIRED);
	CHECK_EQ_STR(c->smtp_from, "keydesk <keydesk@localhost>");
	CHECK(c->smtp_connect_timeout == 10 && c->smtp_timeout == 30);
	CHECK(c->smtp_max_attempts == 8);
	CHECK(c->defaults[KD_KEY_SMARTPHONE].verification ==
	    KD_VERIFY_BIOMETRIC);
	CHECK(c->defaults[KD_KEY_CARD].verification == KD_VERIFY_PIN);
	CHECK(c->defaults[KD_KEY_FIDO2].verification == KD_VERIFY_PIN);
	CHECK(c->defaults[KD_KEY_CARD].auditable == 1);
	CHECK(c->defaults[KD_KEY_CARD].bluetooth_proximity == 0);
	CHECK(c->defaults[KD_KEY_FIDO2].offline_login == 0);
	CHECK(c->kiosk_idle_lock == 120);
	CHECK(c->access_signin == 0);
	CHECK_EQ_STR(c->portal_listen, "127.0.0.1:8080");
	CHECK(c->portal_tls_cert == NULL && c->portal_tls_key == NULL);
	CHECK(c->portal_max_connections == 64);
	CHECK(c->portal_connection_timeout == 30);
	CHECK(c->portal_trust_proxy == 0);
	config_free(&c);
	CHECK(c == NULL);

	/* A relative XDG_DATA_HOME is ignored, as the spec says. */
	setenv("XDG_DATA_HOME", "rel", 1);
	setenv("HOME", "/home/op", 1);
	c = config_new();
	CHECK(c != NULL);
	CHECK_EQ_STR(c->database, "/home/op/.local/share/keydesk/keydesk.db");
	config_free(&c);
	unsetenv("XDG_DATA_HOME");
}

static void
test_empty(void)
{
	static const char *texts[] = { "", "# only a comment\n", "---\n",
	    "~\n", "smtp:\n" };
	struct kd_config *c;
	struct kd_err err;
	size_t i;

	for (i = 0; i < KD_NELEM(texts); i++) {
		CHECK(load(texts[i], &c, &err) == KD_OK);
		CHECK_EQ_STR(c->source, "t.yaml");
		CHECK_EQ_STR(c->rp_id, "localhost");
		CHECK(c->smtp_url == NULL);
		config_free(&c);
	}
}

static const char full[] =
    "database: /var/lib/keydesk/kd.db\n"
    "relying_party: {id: auth.example.com, name: Example Corp}\n"
    "activation:\n"
    "  base_url: https://auth.example.com/a/\n"
    "  link_lifetime: 90m\n"
    "  code_lifetime: 7d\n"
    "  pin_length: 8\n"
    "  support: \"IT helpdesk, room 2.14, extension 4455\"\n"
    "smtp:\n"
    "  url: smtps://mail.example.com:465\n"
    "  starttls: none\n"
    "  from: \"Example <keys@example.com>\"\n"
    "  username: keydesk\n"
    "  password: 'p@ss: word'\n"
    "  connect_timeout: 5\n"
    "  timeout: 2m\n"
    "  max_attempts: 3\n"
    "defaults:\n"
    "  smartphone: {auditable: no, bluetooth_proximity: yes,\n"
    "    offline_login: on, verification: pin}\n"
    "  card:\n"
    "    verification: pinless\n"
    "    offline_login: True\n"
    "  fido2:\n"
    "    auditable: off\n"
    "kiosk:\n"
    "  idle_lock: 0\n";

static void
test_full(void)
{
	struct kd_config *c;
	struct kd_err err;

	CHECK(load(full, &c, &err) == KD_OK);
	CHECK_EQ_STR(c->database, "/var/lib/keydesk/kd.db");
	CHECK_EQ_STR(c->rp_id, "auth.example.com");
	CHECK_EQ_STR(c->rp_name, "Example Corp");
	CHECK_EQ_STR(c->activation_base_url, "https://auth.example.com/a/");
	CHECK(c->link_lifetime == 90 * 60);
	CHECK(c->code_lifetime == 7 * 86400);
	CHECK(c->pin_length == 8);
	CHECK_EQ_STR(c->activation_support,
	    "IT helpdesk, room 2.14, extension 4455");
	CHECK_EQ_STR(c->smtp_url, "smtps://mail.example.com:465");
	CHECK(c->smtp_starttls == KD_STARTTLS_NONE);
	CHECK_EQ_STR(c->smtp_from, "Example <keys@example.com>");
	CHECK_EQ_STR(c->smtp_username, "keydesk");
	CHECK_EQ_STR(c->smtp_password, "p@ss: word");
	CHECK(c->smtp_connect_timeout == 5 && c->smtp_timeout == 120);
	CHECK(c->smtp_max_attempts == 3);
	CHECK(c->defaults[KD_KEY_SMARTPHONE].auditable == 0);
	CHECK(c->defaults[KD_KEY_SMARTPHONE].bluetooth_proximity == 1);
	CHECK(c->defaults[KD_KEY_SMARTPHONE].offline_login == 1);
	CHECK(c->defaults[KD_KEY_SMARTPHONE].verification == KD_VERIFY_PIN);
	CHECK(c->defaults[KD_KEY_CARD].verification == KD_VERIFY_PINLESS);
	CHECK(c->defaults[KD_KEY_CARD].offline_login == 1);
	CHECK(c->defaults[KD_KEY_CARD].auditable == 1);	/* untouched */
	CHECK(c->defaults[KD_KEY_FIDO2].auditable == 0);
	CHECK(c->kiosk_idle_lock == 0);
	config_free(&c);
}

static void
test_example_file(void)
{
	const char *top = getenv("KD_TOP");
	struct kd_config *c = config_new(), *d = config_new();
	struct kd_err err;
	char path[1024];

	kd_err_clear(&err);
	setenv("HOME", "/home/op", 1);
	snprintf(path, sizeof(path), "%s/config/keydesk.example.yaml",
	    top != NULL ? top : ".");
	CHECK(config_load_file(c, path, &err) == KD_OK);
	if (err.code != KD_OK)
		fprintf(stderr, "  %s\n", err.msg);
	CHECK_EQ_STR(c->source, path);
	/* It documents the defaults: the same values as none at all. */
	CHECK_EQ_STR(c->database, "/home/op/.local/share/keydesk/keydesk.db");
	CHECK_EQ_STR(c->rp_id, d->rp_id);
	CHECK_EQ_STR(c->activation_base_url, d->activation_base_url);
	CHECK(c->link_lifetime == d->link_lifetime);
	CHECK(c->code_lifetime == d->code_lifetime);
	CHECK(c->smtp_url == NULL && c->smtp_password == NULL);
	CHECK(c->smtp_password_file == NULL);
	CHECK_EQ_STR(c->smtp_from, d->smtp_from);
	CHECK(c->smtp_timeout == d->smtp_timeout);
	CHECK(c->kiosk_idle_lock == d->kiosk_idle_lock);
	CHECK(c->access_signin == d->access_signin);
	CHECK(memcmp(c->defaults, d->defaults, sizeof(c->defaults)) == 0);
	CHECK_EQ_STR(c->portal_listen, d->portal_listen);
	CHECK(c->portal_tls_cert == NULL && c->portal_tls_key == NULL);
	CHECK(c->portal_max_connections == d->portal_max_connections);
	CHECK(c->portal_connection_timeout == d->portal_connection_timeout);
	CHECK(c->portal_trust_proxy == d->portal_trust_proxy);
	config_free(&c);
	config_free(&d);
}

static void
test_unknown_key(void)
{
	CHECK(fails_with("smtp:\n  url: smtp://mail.example.com\n"
	    "  smtpp: 1\n",
	    "t.yaml:3:3: unknown key \"smtpp\" in smtp (expected one of: "
	    "url, starttls, from, username, password, password_file, cafile, "
	    "connect_timeout, timeout, max_attempts)"));
	CHECK(fails_with("kiosk: {idle_lock: 5}\ndatabse: x\n",
	    "t.yaml:2:1: unknown key \"databse\" at the top level (expected "
	    "one of: database, relying_party, activation, smtp, defaults, "
	    "kiosk, access, portal)"));
	CHECK(fails_at("defaults:\n  card:\n    pin: yes\n",
	    "t.yaml:3:5: unknown key \"pin\" in defaults.card"));
	CHECK(fails_at("defaults:\n  phone: {}\n",
	    "t.yaml:2:3: unknown key \"phone\" in defaults (expected one of: "
	    "smartphone, card, fido2)"));
}

static void
test_wrong_type(void)
{
	CHECK(fails_with("activation:\n  pin_length: {a: 1}\n",
	    "t.yaml:2:15: expected a single value for activation.pin_length, "
	    "found a mapping"));
	CHECK(fails_with("activation:\n  pin_length: abc\n",
	    "t.yaml:2:15: bad value \"abc\" for activation.pin_length "
	    "(expected an integer)"));
	CHECK(fails_with("smtp: smtp://x\n",
	    "t.yaml:1:7: expected a mapping for smtp, found \"smtp://x\""));
	CHECK(fails_with("- a\n- b\n", "t.yaml:1:1: expected a mapping of "
	    "keys at the top level, found a list"));
	CHECK(fails_with("database: [a, b]\n",
	    "t.yaml:1:11: expected a single value for database, found a "
	    "list"));
	CHECK(fails_at("? [a]\n: b\n", "t.yaml:1:3: keys must be plain "
	    "strings"));
	CHECK(fails_with("activation:\n  pin_length: 5\n",
	    "t.yaml:2:15: activation.pin_length must be between 6 and 63, "
	    "not 5"));
	CHECK(fails_at("activation: {pin_length: 99999999999999999999}\n",
	    "t.yaml:1:26: activation.pin_length must be between 6 and 63"));
	CHECK(fails_with("relying_party:\n  name: \"\"\n",
	    "t.yaml:2:9: relying_party.name must not be empty"));
}

static void
test_bad_enum(void)
{
	CHECK(fails_with("smtp:\n  starttls: maybe\n",
	    "t.yaml:2:13: bad value \"maybe\" for smtp.starttls (expected "
	    "required or none)"));
	CHECK(fails_with("defaults:\n  smartphone:\n    verification: face\n",
	    "t.yaml:3:19: bad value \"face\" for "
	    "defaults.smartphone.verification (expected one of: biometric, "
	    "pin)"));
	/* Valid for some type, but not offered for this one. */
	CHECK(fails_with("defaults:\n  card: {verification: biometric}\n",
	    "t.yaml:2:24: verification \"biometric\" is not offered for card "
	    "keys (expected one of: pin, pinless)"));
	CHECK(fails_with("defaults:\n  card: {auditable: maybe}\n",
	    "t.yaml:2:21: bad value \"maybe\" for defaults.card.auditable "
	    "(expected true or false)"));
	CHECK(fails_at("relying_party: {id: Keydesk.Example.COM}\n",
	    "t.yaml:1:21: bad value \"Keydesk.Example.COM\" for "
	    "relying_party.id"));
}

static void
test_bad_duration(void)
{
	static const char *bad[] = { "12x", "-5", "1.5h", "h", "12 h", "\"\"",
	    "~" };
	char yaml[128];
	size_t i;

	for (i = 0; i < KD_NELEM(bad); i++) {
		snprintf(yaml, sizeof(yaml), "smtp:\n  timeout: %s\n", bad[i]);
		CHECK(fails_at(yaml, "t.yaml:2:12: "));
	}
	CHECK(fails_at("smtp:\n  timeout:\n", "t.yaml:2:11: missing value "
	    "for smtp.timeout (expected seconds"));
	CHECK(fails_with("smtp:\n  timeout: 12x\n",
	    "t.yaml:2:12: bad value \"12x\" for smtp.timeout (expected "
	    "seconds, or a number with s, m, h or d such as 90s, 15m, 12h, "
	    "7d)"));
	CHECK(fails_with("activation:\n  link_lifetime: 30s\n",
	    "t.yaml:2:18: activation.link_lifetime must be between 1m and "
	    "365d, not 30s"));
	CHECK(fails_at("activation:\n  link_lifetime: 999999999999999d\n",
	    "t.yaml:2:18: activation.link_lifetime must be between"));
	CHECK(fails_at("activation:\n  code_lifetime: 0\n",
	    "t.yaml:2:18: activation.code_lifetime must be between"));
}

static void
test_bad_url(void)
{
	struct kd_config *c;
	struct kd_err err;

	CHECK(fails_with("activation:\n  base_url: ftp://x/\n",
	    "t.yaml:2:13: bad value \"ftp://x/\" for activation.base_url "
	    "(expected a URL starting with https:// or http://)"));
	CHECK(fails_at("activation: {base_url: \"https://\"}\n",
	    "t.yaml:1:24: bad value"));
	CHECK(fails_at("smtp:\n  url: http://mail.example.com\n",
	    "t.yaml:2:8: bad value \"http://mail.example.com\" for smtp.url"));
	CHECK(fails_at("smtp: {url: \"smtp://mail.example.com:99999\"}\n",
	    "t.yaml:1:13: bad value"));
	CHECK(fails_at("smtp: {url: \"smtp://:25\"}\n", "t.yaml:1:13: bad"));
	CHECK(fails_with("smtp:\n  url: smtp://me:pw@mail.example.com\n",
	    "t.yaml:2:8: put the user name and password in smtp.username and "
	    "smtp.password, not in smtp.url"));
	CHECK(load("smtp: {url: \"smtp://[::1]:2525\", starttls: none}\n", &c,
	    &err) == KD_OK);
	CHECK_EQ_STR(c->smtp_url, "smtp://[::1]:2525");
	config_free(&c);
	CHECK(load("smtp: {url: smtps://mail.example.com, starttls: required}"
	    "\n", &c, &err) == KD_OK);
	CHECK(c->smtp_starttls == KD_STARTTLS_REQUIRED);
	config_free(&c);
}

static void
test_duplicate_key(void)
{
	CHECK(fails_with("smtp:\n  timeout: 5\n  url: smtp://a\n"
	    "  timeout: 6\n",
	    "t.yaml:4:3: duplicate key \"timeout\" in smtp (first at line 2, "
	    "column 3)"));
	CHECK(fails_with("kiosk: {}\nkiosk: {}\n", "t.yaml:2:1: duplicate "
	    "key \"kiosk\" at the top level (first at line 1, column 1)"));
}

static void
test_alias(void)
{
	CHECK(fails_with("defaults:\n  smartphone: &s {auditable: true}\n"
	    "  card: *s\n",
	    "t.yaml:2:15: anchors and aliases are not supported"));
	CHECK(fails_with("defaults:\n  card: *s\n",
	    "t.yaml:2:9: aliases are not supported"));
}

static void
test_syntax_error(void)
{
	CHECK(fails_with("smtp:\n  url: smtp://a\n   from: x\n",
	    "t.yaml:3:8: mapping values are not allowed in this context"));
	CHECK(fails_at("kiosk: {idle_lock: 5\n", "t.yaml:2:1: did not find "
	    "expected ',' or '}' (while parsing a flow mapping at line 1, "
	    "column 8)"));
	CHECK(fails_with("kiosk:\n\tidle_lock: 5\n", "t.yaml:2:1: found "
	    "character that cannot start any token (while scanning for the "
	    "next token at line 2, column 1); tabs are not allowed for "
	    "indentation, use spaces"));
	/* Bad UTF-8 is a reader error: no mark from libyaml, we count. */
	CHECK(fails_at("kiosk:\n  idle_lock: \xff\n", "t.yaml:2:14: "));
	CHECK(fails_with("relying_party: {name: \"a\\0b\"}\n",
	    "t.yaml:1:23: NUL characters are not allowed"));
	CHECK(fails_with("relying_party: {name: \"a\\x1bb\"}\n",
	    "t.yaml:1:23: relying_party.name contains control characters"));
}

static void
test_documents_and_depth(void)
{
	CHECK(fails_with("kiosk: {idle_lock: 5}\n---\nkiosk: {}\n",
	    "t.yaml:2:1: more than one YAML document (only one is allowed)"));
	CHECK(fails_with("kiosk: [[[[[[[[1]]]]]]]]\n",
	    "t.yaml:1:15: nested deeper than 8 levels"));
	/* Seven levels below the top parse, then fail on the schema. */
	CHECK(fails_at("kiosk: [[[[[[1]]]]]]\n", "t.yaml:1:8: expected a "
	    "mapping for kiosk"));
}

static void
test_password_file(void)
{
	struct kd_config *c;
	struct kd_err err;
	char path[600], yaml[800];

	snprintf(path, sizeof(path), "%s/smtp-pass", tmp());
	write_file(path, "s3cret pass\n");
	snprintf(yaml, sizeof(yaml), "smtp:\n  username: u\n"
	    "  password_file: %s\n", path);
	CHECK(load(yaml, &c, &err) == KD_OK);
	CHECK_EQ_STR(c->smtp_password, "s3cret pass");
	CHECK_EQ_STR(c->smtp_password_file, path);
	config_free(&c);

	write_file(path, "crlf\r\n");
	CHECK(load(yaml, &c, &err) == KD_OK);
	CHECK_EQ_STR(c->smtp_password, "crlf");
	config_free(&c);

	write_file(path, "\n");
	CHECK(load(yaml, &c, &err) == KD_ERR_CONFIG);
	CHECK(strstr(err.msg, "t.yaml:3:18: cannot use smtp.password_file")
	    != NULL && strstr(err.msg, "empty") != NULL);
	config_free(&c);
	unlink(path);
}

static void
test_password_file_missing(void)
{
	char yaml[800], want[900];

	snprintf(yaml, sizeof(yaml), "smtp:\n  password_file: %s/nope\n",
	    tmp());
	snprintf(want, sizeof(want), "t.yaml:2:18: cannot use "
	    "smtp.password_file \"%s/nope\": No such file or directory",
	    tmp());
	CHECK(fails_with(yaml, want));
}

static char *print_to_string(const struct kd_config *);

/* smtp.cafile: a readable file, checked at load; printed; null unsets. */
static void
test_cafile(void)
{
	struct kd_config *c;
	struct kd_err err;
	char path[600], yaml[800], want[900], *out;

	snprintf(path, sizeof(path), "%s/ca.pem", tmp());
	write_file(path, "-----BEGIN CERTIFICATE-----\n");
	snprintf(yaml, sizeof(yaml), "smtp:\n  cafile: %s\n", path);
	CHECK(load(yaml, &c, &err) == KD_OK);
	CHECK_EQ_STR(c->smtp_cafile, path);
	out = print_to_string(c);
	snprintf(want, sizeof(want), "  cafile: \"%s\"\n", path);
	CHECK(out != NULL && strstr(out, want) != NULL);
	free(out);
	config_free(&c);
	CHECK(load("smtp:\n  cafile: null\n", &c, &err) == KD_OK &&
	    c->smtp_cafile == NULL);
	config_free(&c);
	unlink(path);
	snprintf(want, sizeof(want), "t.yaml:2:11: cannot read smtp.cafile "
	    "\"%s\": No such file or directory", path);
	CHECK(fails_with(yaml, want));
}

static void
test_password_both(void)
{
	CHECK(fails_with("smtp:\n  password: a\n  password_file: /x\n",
	    "t.yaml:3:18: smtp.password and smtp.password_file are both set "
	    "(use one)"));
	CHECK(fails_with("smtp:\n  password_file: /x\n  password: a\n",
	    "t.yaml:3:13: smtp.password and smtp.password_file are both set "
	    "(use one)"));
}

static char *
print_to_string(const struct kd_config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (fp == NULL)
		return NULL;
	config_print(c, fp);
	fclose(fp);
	return buf;
}

static void
test_print_redacts(void)
{
	struct kd_config *c;
	struct kd_err err;
	char *out;

	CHECK(load(full, &c, &err) == KD_OK);
	out = print_to_string(c);
	CHECK(out != NULL);
	CHECK(strncmp(out, "# from t.yaml\n", 14) == 0);
	CHECK(strstr(out, "  password: (redacted)\n") != NULL);
	CHECK(strstr(out, "p@ss") == NULL);
	CHECK(strstr(out, "  url: \"smtps://mail.example.com:465\"\n") != NULL);
	CHECK(strstr(out, "  link_lifetime: 90m\n") != NULL);
	CHECK(strstr(out, "    verification: pinless\n") != NULL);
	free(out);
	config_free(&c);
}

/* What config_print writes, config_load_string reads back the same. */
static void
test_print_round_trip(void)
{
	struct kd_config *a = config_new(), *b = config_new();
	struct kd_err err;
	char *out;

	CHECK(a != NULL && b != NULL);
	out = print_to_string(a);
	CHECK(out != NULL && strncmp(out, "# built-in defaults\n", 20) == 0);
	CHECK(strstr(out, "  password: null\n") != NULL);
	CHECK(config_load_string(b, "p.yaml", out, strlen(out), &err) ==
	    KD_OK);
	CHECK_EQ_STR(a->database, b->database);
	CHECK_EQ_STR(a->smtp_from, b->smtp_from);
	CHECK(a->link_lifetime == b->link_lifetime);
	CHECK(a->kiosk_idle_lock == b->kiosk_idle_lock);
	CHECK(a->access_signin == b->access_signin);
	CHECK(memcmp(a->defaults, b->defaults, sizeof(a->defaults)) == 0);
	CHECK_EQ_STR(a->portal_listen, b->portal_listen);
	CHECK(b->portal_tls_cert == NULL && b->portal_tls_key == NULL);
	CHECK(a->portal_max_connections == b->portal_max_connections);
	CHECK(a->portal_connection_timeout == b->portal_connection_timeout);
	CHECK(a->portal_trust_proxy == b->portal_trust_proxy);
	free(out);
	config_free(&a);
	config_free(&b);
}

static void
test_failed_load_keeps_config(void)
{
	struct kd_config *c;
	struct kd_err err;
	const char *bad = "relying_party: {id: other.example}\nsmtp: {x: 1}\n";

	CHECK(load(full, &c, &err) == KD_OK);
	CHECK(config_load_string(c, "u.yaml", bad, strlen(bad), &err) ==
	    KD_ERR_CONFIG);
	CHECK_EQ_STR(c->rp_id, "auth.example.com");
	CHECK_EQ_STR(c->source, "t.yaml");
	CHECK_EQ_STR(c->smtp_password, "p@ss: word");
	config_free(&c);
}

static void
test_lookup_order(void)
{
	struct kd_config *c;
	struct kd_err err;
	char dir[600], path[700];

	snprintf(dir, sizeof(dir), "%s/xdg", tmp());
	mkdir(dir, 0700);
	setenv("XDG_CONFIG_HOME", dir, 1);
	/* Nothing in XDG_CONFIG_HOME: /etc, else defaults. */
	c = config_new();
	CHECK(config_load(c, NULL, &err) == KD_OK);
	if (access("/etc/keydesk/config.yaml", F_OK) != 0)
		CHECK(c->source == NULL);
	config_free(&c);

	snprintf(path, sizeof(path), "%s/keydesk", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/keydesk/config.yaml", dir);
	write_file(path, "relying_party:\n  id: xdg.example\n"
	    "activation: {base_url: \"https://keys.xdg.example/a/\"}\n");
	c = config_new();
	CHECK(config_load(c, NULL, &err) == KD_OK);
	CHECK_EQ_STR(c->source, path);
	CHECK_EQ_STR(c->rp_id, "xdg.example");
	config_free(&c);

	/* An error in the file found is an error, with its name. */
	write_file(path, "relying_party:\n  idd: x\n");
	c = config_new();
	CHECK(config_load(c, NULL, &err) == KD_ERR_CONFIG);
	CHECK(strncmp(err.msg, path, strlen(path)) == 0 &&
	    strncmp(err.msg + strlen(path), ":2:3: unknown key", 17) == 0);
	config_free(&c);
	unlink(path);
	snprintf(path, sizeof(path), "%s/keydesk", dir);
	rmdir(path);
	rmdir(dir);
	unsetenv("XDG_CONFIG_HOME");
}

static void
test_explicit_path(void)
{
	struct kd_config *c = config_new();
	struct kd_err err;
	char path[600], want[700];

	snprintf(path, sizeof(path), "%s/missing.yaml", tmp());
	CHECK(config_load(c, path, &err) == KD_ERR_CONFIG);
	CHECK(err.code == KD_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	CHECK_EQ_STR(err.msg, want);
	CHECK(c->source == NULL);

	snprintf(path, sizeof(path), "%s/given.yaml", tmp());
	write_file(path, "kiosk:\n  idle_lock: 15m\n");
	CHECK(config_load(c, path, &err) == KD_OK);
	CHECK(c->kiosk_idle_lock == 900);
	CHECK_EQ_STR(c->source, path);
	CHECK(config_load(c, tmp(), &err) == KD_ERR_CONFIG);	/* a dir */
	config_free(&c);
	unlink(path);
}

static void
test_access_lists_and_roles(void)
{
	struct kd_config *c = config_new();
	struct kd_err e;
	const char *y = "access:\n  admins: [alice, root]\n  operators: [bob]\n";

	CHECK(strcmp(config_role_of(c, "anyone"), "admin") == 0);
	CHECK(config_load_string(c, "a.yaml", y, strlen(y), &e) == KD_OK);
	CHECK(strcmp(config_role_of(c, "root"), "admin") == 0);
	CHECK(strcmp(config_role_of(c, "bob"), "operator") == 0);
	CHECK(strcmp(config_role_of(c, "bo"), "read-only") == 0);
	CHECK(strcmp(config_role_of(c, "mallory"), "read-only") == 0);
	y = "access:\n  admins: [\"a,b\"]\n";
	CHECK(config_load_string(c, "a.yaml", y, strlen(y), &e) == KD_ERR_CONFIG);
	CHECK(strstr(e.msg, "a.yaml:2:12:") != NULL);
	config_free(&c);
}

/* access.signin: off unless set; a boolean; printed and read back. */
static void
test_access_signin(void)
{
	struct kd_config *c, *b = config_new();
	struct kd_err e;
	char *out;

	CHECK(load("access: {signin: yes}\n", &c, &e) == KD_OK);
	CHECK(c->access_signin == 1);
	CHECK(c->access_admins == NULL && c->access_operators == NULL);
	out = print_to_string(c);
	CHECK(out != NULL && strstr(out, "access:\n  admins: []\n  "
	    "operators: []\n  signin: true\n") != NULL);
	CHECK(out != NULL && b != NULL && config_load_string(b, "p.yaml", out,
	    strlen(out), &e) == KD_OK && b->access_signin == 1);
	free(out);
	config_free(&b);
	config_free(&c);
	CHECK(load("access:\n  admins: [root]\n  signin: off\n", &c, &e) ==
	    KD_OK);
	CHECK(c->access_signin == 0);
	config_free(&c);
	CHECK(fails_with("access:\n  signin: sometimes\n",
	    "t.yaml:2:11: bad value \"sometimes\" for access.signin "
	    "(expected true or false)"));
	CHECK(fails_with("access: {signin: [true]}\n",
	    "t.yaml:1:18: expected a single value for access.signin, found a "
	    "list"));
	CHECK(fails_with("access: {sign_in: true}\n",
	    "t.yaml:1:10: unknown key \"sign_in\" in access (expected one "
	    "of: admins, operators, signin)"));
	CHECK(fails_with("access: {signin: true, signin: false}\n",
	    "t.yaml:1:24: duplicate key \"signin\" in access (first at line "
	    "1, column 10)"));
}

/* The portal section: every key read, printed and read back. */
static void
test_portal(void)
{
	struct kd_config *c, *b = config_new();
	struct kd_err e;
	char *out;

	CHECK(load("portal:\n  listen: \"[::1]:8443\"\n"
	    "  tls_cert: /etc/kd/cert.pem\n  tls_key: ~/key.pem\n"
	    "  max_connections: 200\n  connection_timeout: 2m\n"
	    "  trust_proxy: yes\n", &c, &e) == KD_OK);
	CHECK_EQ_STR(c->portal_listen, "[::1]:8443");
	CHECK_EQ_STR(c->portal_tls_cert, "/etc/kd/cert.pem");
	CHECK_EQ_STR(c->portal_tls_key, "/home/op/key.pem");
	CHECK(c->portal_max_connections == 200);
	CHECK(c->portal_connection_timeout == 120);
	CHECK(c->portal_trust_proxy == 1);
	out = print_to_string(c);
	CHECK(out != NULL && strstr(out, "portal:\n  listen: \"[::1]:8443\"\n"
	    "  tls_cert: \"/etc/kd/cert.pem\"\n  tls_key: \"/home/op/key.pem\"\n"
	    "  max_connections: 200\n  connection_timeout: 2m\n"
	    "  trust_proxy: true\n") != NULL);
	CHECK(out != NULL && b != NULL && config_load_string(b, "p.yaml", out,
	    strlen(out), &e) == KD_OK);
	CHECK(b != NULL && b->portal_trust_proxy == 1 &&
	    b->portal_max_connections == 200);
	CHECK_EQ_STR(b != NULL ? b->portal_tls_key : NULL, "/home/op/key.pem");
	free(out);
	config_free(&b);
	config_free(&c);
	CHECK(load("portal: {listen: \"localhost:0\", tls_cert: null, "
	    "tls_key: \"\"}\n", &c, &e) == KD_OK);
	CHECK_EQ_STR(c->portal_listen, "localhost:0");
	CHECK(c->portal_tls_cert == NULL && c->portal_tls_key == NULL);
	config_free(&c);
}

static void
test_portal_bad(void)
{
	static const char *bad[] = { "8080", "127.0.0.1", "127.0.0.1:", ":80",
	    "127.0.0.1:65536", "127.0.0.1:http", "portal.example:80",
	    "[::1]", "[::1:80", "[nope]:80", "256.1.1.1:80", "1.2.3.4:123456" };
	char yaml[128];
	size_t i;

	for (i = 0; i < KD_NELEM(bad); i++) {
		snprintf(yaml, sizeof(yaml), "portal:\n  listen: \"%s\"\n",
		    bad[i]);
		CHECK(fails_at(yaml, "t.yaml:2:11: bad value \""));
	}
	CHECK(fails_with("portal:\n  listen: \"::1:8080\"\n",
	    "t.yaml:2:11: bad value \"::1:8080\" for portal.listen (expected "
	    "HOST:PORT with an IPv6 address in brackets, such as "
	    "[::1]:8080)"));
	CHECK(fails_with("portal:\n  listen: \"db.example:8080\"\n",
	    "t.yaml:2:11: bad value \"db.example:8080\" for portal.listen "
	    "(expected HOST:PORT where HOST is an IP address or localhost "
	    "(names are not looked up))"));
	CHECK(fails_with("portal:\n  tls_cert: /a.pem\n",
	    "t.yaml:2:13: portal.tls_cert and portal.tls_key go together: "
	    "set both (or neither)"));
	CHECK(fails_with("portal: {tls_key: /k.pem}\n",
	    "t.yaml:1:19: portal.tls_cert and portal.tls_key go together: "
	    "set both (or neither)"));
	CHECK(fails_with("portal: {max_connections: 0}\n",
	    "t.yaml:1:27: portal.max_connections must be between 1 and "
	    "10000, not 0"));
	CHECK(fails_with("portal: {connection_timeout: 2h}\n",
	    "t.yaml:1:30: portal.connection_timeout must be between 1s and "
	    "1h, not 2h"));
	CHECK(fails_with("portal: {trust_proxy: maybe}\n",
	    "t.yaml:1:23: bad value \"maybe\" for portal.trust_proxy "
	    "(expected true or false)"));
	CHECK(fails_at("portal: {listn: x}\n", "t.yaml:1:10: unknown key "
	    "\"listn\" in portal (expected one of: listen, tls_cert, tls_key, "
	    "max_connections, connection_timeout, trust_proxy)"));
}

/* activation.base_url against relying_party.id: what a browser accepts. */
static void
test_base_url_rule(void)
{
	static const char *good[] = {
	    "relying_party: {id: example.com}\n"
	    "activation: {base_url: \"https://keys.example.com/activate/\"}\n",
	    "relying_party: {id: example.com}\n"
	    "activation: {base_url: \"https://Example.COM:8443/a/\"}\n",
	    "activation: {base_url: \"http://localhost:18080/activate/\"}\n",
	    "relying_party: {id: portal.localhost}\n"
	    "activation: {base_url: \"http://portal.localhost/a/\"}\n",
	    "relying_party: {id: localhost}\n"
	    "activation: {base_url: \"https://localhost/activate/\"}\n",
	};
	struct kd_config *c;
	struct kd_err e;
	size_t i;

	for (i = 0; i < KD_NELEM(good); i++) {
		CHECK(load(good[i], &c, &e) == KD_OK);
		if (e.code != KD_OK)
			fprintf(stderr, "  %s\n", e.msg);
		config_free(&c);
	}
	CHECK(fails_with("relying_party: {id: example.com}\n"
	    "activation:\n  base_url: \"https://keys.example.org/a/\"\n",
	    "t.yaml:3:13: the host of activation.base_url (\"keys.example.org\") "
	    "must be relying_party.id (\"example.com\") or a subdomain of it"));
	/* A suffix that is not a label boundary is another domain. */
	CHECK(fails_at("relying_party: {id: example.com}\n"
	    "activation: {base_url: \"https://badexample.com/a/\"}\n",
	    "t.yaml:2:24: the host of activation.base_url"));
	/* The file set only the RP ID: the error points at it. */
	CHECK(fails_with("relying_party:\n  id: example.com\n",
	    "t.yaml:2:7: the host of activation.base_url (\"localhost\") must "
	    "be relying_party.id (\"example.com\") or a subdomain of it"));
	CHECK(fails_with("activation: {base_url: \"http://127.0.0.1:8080/a/\"}\n",
	    "t.yaml:1:24: activation.base_url names an IP address: browsers "
	    "register security keys only on a domain name (that of "
	    "relying_party.id)"));
	CHECK(fails_at("activation: {base_url: \"https://[::1]/a/\"}\n",
	    "t.yaml:1:24: activation.base_url names an IP address"));
	CHECK(fails_at("relying_party: {id: \"10.0.0.1\"}\n"
	    "activation: {base_url: \"https://10.0.0.1/a/\"}\n",
	    "t.yaml:2:24: activation.base_url names an IP address"));
	CHECK(fails_with("relying_party: {id: example.com}\n"
	    "activation: {base_url: \"http://keys.example.com/a/\"}\n",
	    "t.yaml:2:24: activation.base_url must start with https:// "
	    "(http:// works only for localhost)"));
	CHECK(fails_at("relying_party: {id: example.com}\n"
	    "activation: {base_url: \"https://u@keys.example.com/a/\"}\n",
	    "t.yaml:2:24: activation.base_url has no host name"));
}

int
main(void)
{
	RUN(test_defaults);
	RUN(test_empty);
	RUN(test_full);
	RUN(test_example_file);
	RUN(test_unknown_key);
	RUN(test_wrong_type);
	RUN(test_bad_enum);
	RUN(test_bad_duration);
	RUN(test_bad_url);
	RUN(test_duplicate_key);
	RUN(test_alias);
	RUN(test_syntax_error);
	RUN(test_documents_and_depth);
	RUN(test_password_file);
	RUN(test_password_file_missing);
	RUN(test_cafile);
	RUN(test_password_both);
	RUN(test_print_redacts);
	RUN(test_print_round_trip);
	RUN(test_failed_load_keeps_config);
	RUN(test_lookup_order);
	RUN(test_explicit_path);
	rmdir(tmp());
	RUN(test_access_lists_and_roles);
	RUN(test_access_signin);
	RUN(test_portal);
	RUN(test_portal_bad);
	RUN(test_base_url_rule);
	return tap_done();
}
