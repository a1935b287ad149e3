/* The effective configuration as YAML that config_load reads back
 * (except the password, which is never printed). */
#include "config/config_int.h"

#include <stdio.h>
#include <stdlib.h>

/* A double-quoted YAML string, made safe for the terminal first: the
 * database default comes from the environment, not from checked YAML. */
static void
print_str(FILE *fp, const char *indent, const char *key, const char *s)
{
	char *safe, *p;

	if (s == NULL) {
		fprintf(fp, "%s%s: null\n", indent, key);
		return;
	}
	if ((safe = kd_sanitize_dup(s)) == NULL) {
		fprintf(fp, "%s%s: null  # out of memory\n", indent, key);
		return;
	}
	fprintf(fp, "%s%s: \"", indent, key);
	for (p = safe; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', fp);
		fputc(*p, fp);
	}
	fputs("\"\n", fp);
	free(safe);
}

static void
print_duration(FILE *fp, const char *indent, const char *key, int secs)
{
	char buf[32];

	config_format_duration(secs, buf, sizeof(buf));
	fprintf(fp, "%s%s: %s\n", indent, key, buf);
}

static void
print_bool(FILE *fp, const char *indent, const char *key, int v)
{
	fprintf(fp, "%s%s: %s\n", indent, key, v ? "true" : "false");
}

static void
print_smtp(const struct kd_config *c, FILE *fp)
{
	const char *in = "  ";

	fputs("smtp:\n", fp);
	print_str(fp, in, "url", c->smtp_url);
	fprintf(fp, "%sstarttls: %s\n", in,
	    c->smtp_starttls == KD_STARTTLS_NONE ? "none" : "required");
	print_str(fp, in, "from", c->smtp_from);
	print_str(fp, in, "username", c->smtp_username);
	fprintf(fp, "%spassword: %s\n", in,
	    c->smtp_password != NULL ? "(redacted)" : "null");
	print_str(fp, in, "password_file", c->smtp_password_file);
	print_str(fp, in, "cafile", c->smtp_cafile);
	print_duration(fp, in, "connect_timeout", c->smtp_connect_timeout);
	print_duration(fp, in, "timeout", c->smtp_timeout);
	fprintf(fp, "%smax_attempts: %d\n", in, c->smtp_max_attempts);
}

static void
print_defaults(const struct kd_config *c, FILE *fp)
{
	const struct kd_key_settings *s;
	const char *in = "    ";
	int t;

	fputs("defaults:\n", fp);
	for (t = 0; t < KD_KEY_NTYPES; t++) {
		s = &c->defaults[t];
		fprintf(fp, "  %s:\n",
		    model_key_type_name((enum kd_key_type)t));
		print_bool(fp, in, "auditable", s->auditable);
		print_bool(fp, in, "bluetooth_proximity",
		    s->bluetooth_proximity);
		print_bool(fp, in, "offline_login", s->offline_login);
		fprintf(fp, "%sverification: %s\n", in,
		    model_verification_name(s->verification));
	}
}

void
config_print(const struct kd_config *c, FILE *fp)
{
	const char *in = "  ";
	char src[512];

	if (c->source != NULL) {
		kd_sanitize(c->source, src, sizeof(src));
		fprintf(fp, "# from %s\n", src);
	} else
		fputs("# built-in defaults\n", fp);
	print_str(fp, "", "database", c->database);
	fputs("relying_party:\n", fp);
	print_str(fp, in, "id", c->rp_id);
	print_str(fp, in, "name", c->rp_name);
	fputs("activation:\n", fp);
	print_str(fp, in, "base_url", c->activation_base_url);
	print_duration(fp, in, "link_lifetime", c->link_lifetime);
	print_duration(fp, in, "code_lifetime", c->code_lifetime);
	fprintf(fp, "%spin_length: %d\n", in, c->pin_length);
	if (c->code_key_file != NULL)
		print_str(fp, in, "code_key_file", c->code_key_file);
	if (c->activation_support != NULL)
		print_str(fp, in, "support", c->activation_support);
	print_smtp(c, fp);
	print_defaults(c, fp);
	fputs("kiosk:\n", fp);
	print_duration(fp, in, "idle_lock", c->kiosk_idle_lock);
	fprintf(fp, "access:\n%sadmins: [%s]\n%soperators: [%s]\n", in,
	    c->access_admins ? c->access_admins : "", in,
	    c->access_operators ? c->access_operators : "");
	print_bool(fp, in, "signin", c->access_signin);
	fputs("portal:\n", fp);
	print_str(fp, in, "listen", c->portal_listen);
	print_str(fp, in, "tls_cert", c->portal_tls_cert);
	print_str(fp, in, "tls_key", c->portal_tls_key);
	fprintf(fp, "%smax_connections: %d\n", in, c->portal_max_connections);
	print_duration(fp, in, "connection_timeout",
	    c->portal_connection_timeout);
	print_bool(fp, in, "trust_proxy", c->portal_trust_proxy);
}
