/* keydesk configuration: one YAML file parsed with libyaml into a
 * struct kd_config.  No curses here. */
#ifndef KD_CONFIG_H
#define KD_CONFIG_H

#include <stdio.h>

#include "core/kd.h"
#include "core/model.h"

enum kd_starttls {
	KD_STARTTLS_REQUIRED = 0,	/* smtp:// must upgrade; never plain */
	KD_STARTTLS_NONE = 1,		/* plain smtp:// (loopback relays, tests) */
};

struct kd_config {
	char	*source;	/* file it came from, or NULL: built-in defaults */
	char	*database;	/* path of the SQLite file */

	char	*rp_id;		/* relying party, e.g. "keydesk.example.com" */
	char	*rp_name;

	char	*activation_base_url;	/* the link is base_url + token */
	char	*code_key_file;	/* HMAC key for codes; NULL: beside the db */
	int	 link_lifetime;		/* seconds */
	int	 code_lifetime;		/* seconds */
	int	 pin_length;		/* generated card PINs, >= 6 */
	char	*activation_support;	/* who to ask, in every email; NULL none */

	char	*smtp_url;	/* NULL: no SMTP, mail waits in the outbox */
	enum kd_starttls smtp_starttls;
	char	*smtp_from;	/* "keydesk <keydesk@example.com>" or address */
	char	*smtp_username;
	char	*smtp_password;	/* from `password` or read from password_file */
	char	*smtp_password_file;
	char	*smtp_cafile;	/* PEM CA bundle for TLS; NULL: the system's */
	int	 smtp_connect_timeout;	/* seconds */
	int	 smtp_timeout;		/* seconds, whole message */
	int	 smtp_max_attempts;	/* then the row is failed */

	struct kd_key_settings defaults[KD_KEY_NTYPES];

	int	 kiosk_idle_lock;	/* seconds, 0 = never */

	/* Who may do what when keydesk runs as an OS user (SSH): names
	 * separated by commas, NULL for none.  An OS user on neither list is
	 * read-only, unless both lists are empty (first run: admin). */
	char	*access_admins;
	char	*access_operators;
	/* The full-screen interface (without --kiosk) opens on the operator
	 * sign-in: the operator's database role applies, not the lists. */
	int	 access_signin;

	/* keydesk serve, the activation portal. */
	char	*portal_listen;		/* "HOST:PORT" */
	char	*portal_tls_cert;	/* PEM files, both or neither (NULL): */
	char	*portal_tls_key;	/* read when the portal starts */
	int	 portal_max_connections;
	int	 portal_connection_timeout;	/* seconds */
	int	 portal_trust_proxy;	/* X-Forwarded-For of a loopback peer */
};

/* The role the configuration gives OS user `user`: "admin", "operator" or
 * "read-only". */
const char *config_role_of(const struct kd_config *, const char *user);

/* Splits portal.listen or `keydesk serve --listen`: "HOST:PORT" where
 * HOST is an IPv4 literal, an IPv6 literal in brackets or localhost
 * (127.0.0.1).  `host` gets the address without brackets.  KD_OK, or
 * KD_ERR_INVALID with *why saying what is wrong. */
int	config_listen_split(const char *, char *host, size_t, int *port,
	    const char **why);

/* Built-in defaults.  The database defaults to
 * $XDG_DATA_HOME/keydesk/keydesk.db (or ~/.local/share/keydesk/keydesk.db). */
struct kd_config *config_new(void);
void	config_free(struct kd_config **);
/* The database is the built-in default path (created on first use), not
 * one a configuration named (which must exist: keydesk init makes it). */
int	config_database_is_default(const struct kd_config *);

/* Loads YAML text (for tests: `name` is what errors call the file). */
int	config_load_string(struct kd_config *, const char *name,
	    const char *yaml, size_t len, struct kd_err *);
/* Loads a file.  Errors read "FILE:LINE:COLUMN: what is wrong". */
int	config_load_file(struct kd_config *, const char *path, struct kd_err *);
/* The lookup order: `path` if not NULL, else $XDG_CONFIG_HOME/keydesk/
 * config.yaml (~/.config/...), else /etc/keydesk/config.yaml, else the
 * built-in defaults (no file is not an error). */
int	config_load(struct kd_config *, const char *path, struct kd_err *);
/* Prints the effective configuration as YAML, password redacted. */
void	config_print(const struct kd_config *, FILE *);

#endif
