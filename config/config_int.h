/* Internals of config/: the YAML tree, the schema walk and the value
 * parsers.  Not for use outside config/. */
#ifndef KD_CONFIG_INT_H
#define KD_CONFIG_INT_H

#include <stddef.h>

#include "config/config.h"

/* The schema is three levels deep (defaults.card.pin); anything much
 * deeper is a mistake or an attack on the walker, so the tree refuses it. */
#define CONFIG_MAX_DEPTH	8
#define CONFIG_MAX_NODES	4096
#define CONFIG_MAX_SIZE		(1024 * 1024)	/* bytes of YAML */
#define CONFIG_MAX_SECRET	4096		/* bytes of password file */

enum config_node_kind {
	CONFIG_SCALAR,
	CONFIG_MAP,
	CONFIG_SEQ,
};

/* One YAML node.  A mapping's children alternate key, value. */
struct config_node {
	enum config_node_kind kind;
	int	 line;		/* 1-based */
	int	 col;		/* 1-based, in characters */
	char	*value;		/* scalar text, NUL-terminated */
	size_t	 len;
	int	 plain;		/* unquoted scalar: may be null */
	struct config_node *child;
	struct config_node *last;
	struct config_node *next;
};

/* Parses YAML text into a tree; *rootp is NULL for an empty document.
 * Aliases, anchors, several documents and deep nesting are errors. */
int	config_yaml_parse(const char *name, const char *text, size_t len,
	    struct config_node **rootp, struct kd_err *);
/* Frees a tree, wiping every scalar (a password may be among them). */
void	config_node_free(struct config_node *);
/* "NAME:LINE:COL: message" with KD_ERR_CONFIG. */
int	config_node_err(struct kd_err *, const char *name,
	    const struct config_node *, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
int	config_node_is_null(const struct config_node *);
/* What a node is, for messages: "a mapping", "a list", "\"abc\"". */
void	config_node_describe(const struct config_node *, char *, size_t);

struct config_walk;
struct config_field;

typedef int config_parse_fn(struct config_walk *, const struct config_field *,
    const struct config_node *, void *);

/* One key of a section.  `off` is from the section's base; a field with
 * `sub` is a nested section and has no parser. */
struct config_field {
	const char	*name;
	config_parse_fn	*parse;
	size_t		 off;
	long		 min;	/* ints, durations; key type for verification */
	long		 max;
	const struct config_section *sub;
};

struct config_section {
	const char	*path;	/* "smtp", "defaults.card"; "" at the top */
	const struct config_field *fields;
	size_t		 nfields;
};

struct config_walk {
	struct kd_config *cfg;
	const char	*name;		/* file name for messages */
	struct kd_err	*err;
	const char	*path;		/* section being walked */
	const struct config_node *password;	/* where they were set */
	const struct config_node *password_file;
	/* For the checks across keys (config_portal.c): */
	const struct config_node *rp_id;
	const struct config_node *base_url;
	const struct config_node *tls_cert;
	const struct config_node *tls_key;
};

/* Applies a parsed tree to `cfg` (which may be left half changed on
 * error: the caller works on a copy). */
int	config_apply(struct kd_config *, const char *name,
	    const struct config_node *, struct kd_err *);

/* Value parsers used by the schema tables (config_value.c). */
config_parse_fn config_parse_string;	/* non-empty string */
config_parse_fn config_parse_optional;	/* string, null/"" = unset */
config_parse_fn config_parse_path;	/* string, "~/" expanded */
config_parse_fn config_parse_password_file;	/* path, null = unset */
config_parse_fn config_parse_cafile;	/* readable file, null = unset */
config_parse_fn config_parse_secret;	/* password */
config_parse_fn config_parse_rp_id;
config_parse_fn config_parse_web_url;
config_parse_fn config_parse_smtp_url;
config_parse_fn config_parse_from;
config_parse_fn config_parse_int;
config_parse_fn config_parse_duration;
config_parse_fn config_parse_bool;
config_parse_fn config_parse_starttls;
config_parse_fn config_parse_verification;
config_parse_fn config_parse_names;	/* list of OS user names */
config_parse_fn config_parse_listen;	/* HOST:PORT */
config_parse_fn config_parse_tls_file;	/* path, null = unset; min 0 cert, 1 key */

/* Helpers for the parsers.  config_scalar: the text of a scalar or NULL
 * for null.  config_text: printable, non-empty unless `optional` (then
 * null and "" give NULL).  config_store: copies into a char * field. */
const char *config_key_name(const struct config_walk *,
	    const struct config_field *, char *, size_t);
int	config_bad_value(struct config_walk *, const struct config_field *,
	    const struct config_node *, const char *expected);
int	config_scalar(struct config_walk *, const struct config_field *,
	    const struct config_node *, const char **);
int	config_text(struct config_walk *, const struct config_field *,
	    const struct config_node *, int optional, const char **);
int	config_store(struct config_walk *, void *, const char *, int secret);

/* The checks across keys once the whole file is read: base_url against
 * relying_party.id, TLS certificate and key both or neither. */
int	config_portal_check(struct config_walk *);

/* Reads smtp.password_file into cfg->smtp_password. */
int	config_read_password_file(struct config_walk *);

/* Replaces *dst with a copy of src (NULL allowed); a secret is wiped. */
int	config_set_str(char **dst, const char *src, int secret);
/* "~/x" -> "$HOME/x"; anything else copied.  NULL on no memory. */
char	*config_expand_home(const char *);
/* 43200 -> "12h", 90 -> "90s", 0 -> "0". */
void	config_format_duration(long, char *, size_t);

#endif
