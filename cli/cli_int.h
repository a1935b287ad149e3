/* Private to cli/: the context every subcommand gets and the table entry
 * each cmd_*.c file provides (after tmux's cmd-*.c). */
#ifndef KD_CLI_INT_H
#define KD_CLI_INT_H

#include <stdio.h>

#include "cli/cli.h"
#include "cli/json.h"
#include "config/config.h"
#include "core/kd.h"
#include "core/store.h"

struct cli {
	struct kd_config *cfg;
	struct kd_store	*st;		/* opened by cli_store() on first use */
	const char	*config_path;	/* --config */
	const char	*db_path;	/* --db overrides the config */
	const char	*actor;
	int		 kiosk;
	int		 role;		/* enum kd_role of the OS user */
	int64_t		 outbox_base;	/* the last outbox id before this command */
	int		 create_db;	/* keydesk init: a missing database is made */
	int		 interactive;	/* the TUI: ask before making one */
};

struct cli_cmd {
	const char	*name;		/* "user add" */
	const char	*usage;		/* arguments after the name */
	const char	*help;		/* one line */
	int		(*run)(struct cli *, int, char **);
	int		 perm;		/* enum kd_perm it needs; 0 = read */
};

/* Every table, in --help order (help.c). */
extern const struct cli_cmd *const cli_tables[];
extern const size_t cli_ntables;
void	cli_help_print(FILE *);
/* A group's commands ("user": user add, user list, ...); how many. */
int	cli_help_group(FILE *, const char *group);
/* One command: usage, help, its settings if it takes any, an example. */
void	cli_help_cmd(FILE *, const struct cli_cmd *);
/* The man page and the bash completion (help_gen.c). */
void	cli_help_man(FILE *);
void	cli_help_completion(FILE *);

extern const struct cli_cmd cli_cmds_user[];
extern const struct cli_cmd cli_cmds_misc[];

int	cli_user_list(struct cli *, int, char **);
int	cli_user_show(struct cli *, int, char **);

struct kd_tap;
struct cli_tap_opts {
	const char	*reader;	/* --reader NAME */
	int		 pin_stdin;	/* --current-pin-stdin */
	int		 reset_card;	/* --reset-card */
	int		 timeout_ms;
};
/* Runs one "activate now" attempt with progress on stderr. */
int	cli_tap_run(struct cli *, struct kd_tap *, const struct cli_tap_opts *);
/* Prints pending key `key`'s activation as a QR code, with the link, the
 * code and the expiry, from a fresh link (cli_qr.c). */
int	cli_qr_show(struct cli *, int64_t key);
/* "12" or "#12" (as key list shows it); a usage error otherwise. */
int	cli_key_id_parse(const char *, int64_t *);
extern const struct cli_cmd cli_cmds_key[];
extern const struct cli_cmd cli_cmds_admin[];
extern const struct cli_cmd cli_cmds_workflow[];
extern const struct cli_cmd cli_cmds_import[];
extern const struct cli_cmd cli_cmds_operator[];
extern const struct cli_cmd cli_cmds_serve[];

int	cli_setting_parse(enum kd_key_type, struct kd_key_settings *,
	    const char *);
struct kd_key;
struct json;
void	cli_key_json(struct json *, const struct kd_key *);
/* "settings": {the ones the type has: auditable, bluetooth_proximity,
 * offline_login, verification} */
void	cli_settings_json(struct json *, enum kd_key_type,
	    const struct kd_key_settings *);
/* "verification=pin", or "-" for a type without one. */
void	cli_settings_text(enum kd_key_type, const struct kd_key_settings *,
	    char *, size_t);

struct kd_wizard;
struct cli_draft_args {
	const char	*key, *activate;
	const char	*settings[16];
	int		 nsettings, defaults;
	struct cli_tap_opts tap;
};
int	cli_draft_parse(int, char **, struct kd_wizard *,
	    struct cli_draft_args *, int user_fields);
int	cli_draft_key_options(struct kd_wizard *, struct kd_config *,
	    const struct cli_draft_args *);
int	cli_draft_commit(struct cli *, struct kd_wizard *,
	    const struct cli_draft_args *);

/* Opens the database named by --db or the config; prints its own error. */
struct kd_store *cli_store(struct cli *);
/* "keydesk: message" on stderr; returns `status` for `return cli_fail()`. */
int	cli_fail(int status, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	cli_usage(const struct cli_cmd *);
/* Exit status for a core status code. */
int	cli_status(int);
/* Prints text made safe for a terminal (no control sequences). */
void	cli_puts_safe(FILE *, const char *);
/* Prints one line (the newline added here) with every control in it,
 * LF included, made safe: for rows built from stored fields. */
void	cli_line_safe(FILE *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	cli_printf_safe(FILE *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Sends queued mail after a change, when SMTP is configured; reports on
 * stderr, never fails the command (the mail stays queued). */
void	cli_deliver(struct cli *);

#endif
