/* The man page and the bash completion, printed from the command table
 * by the hidden `keydesk help --man` and `keydesk help --completion bash`
 * (make install runs them), so they say what --help says. */
#include "cli/cli_int.h"

#include <string.h>

/* Text made safe for roff: backslashes, hyphens as \-, and a leading dot
 * or quote that roff would read as a request. */
static void
man_text(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

static void
man_commands(FILE *f)
{
	const struct cli_cmd *c;
	size_t t;

	fprintf(f, ".SH COMMANDS\n");
	for (t = 0; t < cli_ntables; t++)
		for (c = cli_tables[t]; c->name != NULL; c++) {
			fprintf(f, ".TP\n.B ");
			man_text(f, c->name);
			fputc(' ', f);
			man_text(f, c->usage);
			fputc('\n', f);
			man_text(f, c->help);
			fprintf(f, ".\n");
		}
}

static void
man_settings(FILE *f)
{
	enum kd_setting s;
	int t, n;

	fprintf(f, ".SH SETTINGS\nA key's settings, as "
	    ".B \\-\\-setting NAME=VALUE\ntakes them; each applies to the "
	    "device types named.\n");
	for (s = 0; s < KD_NSETTINGS; s++) {
		fprintf(f, ".TP\n.B ");
		man_text(f, model_setting_name(s));
		fputc('\n', f);
		man_text(f, model_setting_help(s));
		fprintf(f, " (");
		for (t = 0, n = 0; t < KD_KEY_NTYPES; t++)
			if (model_setting_applies(t, s))
				fprintf(f, "%s%s", n++ ? ", " : "",
				    model_key_type_name(t));
		fprintf(f, ").\n");
	}
}

void
cli_help_man(FILE *f)
{
	fprintf(f, ".TH KEYDESK 1 \"\" \"keydesk %s\" \"User Commands\"\n"
	    ".SH NAME\nkeydesk \\- enroll people and give them FIDO security "
	    "keys\n.SH SYNOPSIS\n.B keydesk\n[\\-\\-config FILE] [\\-\\-db PATH] "
	    "[\\-\\-kiosk]\n.br\n.B keydesk\n[\\-\\-config FILE] [\\-\\-db PATH] "
	    "COMMAND [ARGS ...]\n.SH DESCRIPTION\nWithout a command keydesk "
	    "starts its full\\-screen interface.  Every action is also a "
	    "command; most take\n.B \\-\\-json\nfor scripts.\n", KD_VERSION);
	man_commands(f);
	man_settings(f);
	fprintf(f, ".SH OPTIONS\n.TP\n.B \\-\\-config FILE\nconfiguration "
	    "file.\n.TP\n.B \\-\\-db PATH\ndatabase file (overrides the "
	    "configuration).\n.TP\n.B \\-\\-kiosk\nthe full\\-screen interface "
	    "as a locked\\-down kiosk.\n.TP\n.B \\-\\-help\nhelp; after a "
	    "command, that command's help.\n.TP\n.B \\-\\-version\nthe "
	    "version.\n.SH EXIT STATUS\n0 success, 1 runtime error, 2 usage "
	    "error.\n.SH FILES\n.TP\n.I $XDG_CONFIG_HOME/keydesk/config.yaml\n"
	    "the configuration; if absent,\n.TP\n.I /etc/keydesk/config.yaml\n"
	    "the system\\-wide configuration.\n.TP\n.I $XDG_DATA_HOME/keydesk/keydesk.db\nthe database "
	    "by default.\n");
}

/* "user add" -> its --options, from the usage string. */
static void
comp_options(FILE *f, const char *usage)
{
	const char *p = usage;
	size_t n;

	while ((p = strstr(p, "--")) != NULL) {
		n = strspn(p, "-abcdefghijklmnopqrstuvwxyz0123456789");
		fprintf(f, " %.*s", (int)n, p);
		p += n;
	}
}

static int
comp_seen(const char *name, size_t len, const struct cli_cmd *upto)
{
	const struct cli_cmd *c;
	size_t t;

	for (t = 0; t < cli_ntables; t++)
		for (c = cli_tables[t]; c->name != NULL; c++) {
			if (c == upto)
				return 0;
			if (strncmp(c->name, name, len) == 0 &&
			    (c->name[len] == ' ' || c->name[len] == '\0'))
				return 1;
		}
	return 0;
}

/* The first words, each once. */
static void
comp_first_words(FILE *f)
{
	const struct cli_cmd *c;
	size_t t, len;

	for (t = 0; t < cli_ntables; t++)
		for (c = cli_tables[t]; c->name != NULL; c++) {
			len = strcspn(c->name, " ");
			if (!comp_seen(c->name, len, c))
				fprintf(f, " %.*s", (int)len, c->name);
		}
}

/* The second words of the group a first word starts. */
static void
comp_groups(FILE *f)
{
	const struct cli_cmd *c, *d;
	size_t t, u, len;

	for (t = 0; t < cli_ntables; t++)
		for (c = cli_tables[t]; c->name != NULL; c++) {
			len = strcspn(c->name, " ");
			if (c->name[len] == '\0' || comp_seen(c->name, len, c))
				continue;
			fprintf(f, "\t\t%.*s) words=\"", (int)len, c->name);
			for (u = 0; u < cli_ntables; u++)
				for (d = cli_tables[u]; d->name != NULL; d++)
					if (strncmp(d->name, c->name, len + 1) == 0)
						fprintf(f, " %s", d->name + len + 1);
			fprintf(f, "\" ;;\n");
		}
}

void
cli_help_completion(FILE *f)
{
	const struct cli_cmd *c;
	size_t t;

	fprintf(f, "# bash completion for keydesk (made by keydesk help "
	    "--completion bash)\n_keydesk()\n{\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} words opts\n"
	    "\tlocal global=\"--config --db --kiosk --help --version\"\n"
	    "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n\t\twords=\"");
	comp_first_words(f);
	fprintf(f, "\"\n\t\tCOMPREPLY=($(compgen -W \"$words $global\" -- "
	    "\"$cur\"))\n\t\treturn\n\tfi\n"
	    "\tif [ \"$COMP_CWORD\" -eq 2 ]; then\n\t\tcase "
	    "\"${COMP_WORDS[1]}\" in\n");
	comp_groups(f);
	fprintf(f, "\t\t*) words= ;;\n\t\tesac\n\t\tif [ -n \"$words\" ]; "
	    "then\n\t\t\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
	    "\t\t\treturn\n\t\tfi\n\tfi\n"
	    "\tcase \"${COMP_WORDS[1]} ${COMP_WORDS[2]}\" in\n");
	for (t = 0; t < cli_ntables; t++)
		for (c = cli_tables[t]; c->name != NULL; c++) {
			if (strchr(c->name, ' ') == NULL)
				fprintf(f, "\t\"%s \"*) opts=\"", c->name);
			else
				fprintf(f, "\t\"%s\") opts=\"", c->name);
			comp_options(f, c->usage);
			fprintf(f, "\" ;;\n");
		}
	fprintf(f, "\t*) opts= ;;\n\tesac\n"
	    "\tCOMPREPLY=($(compgen -W \"$opts $global\" -- \"$cur\"))\n"
	    "}\ncomplete -F _keydesk keydesk\n");
}
