/* The scriptable subcommands: the same core as the TUI, no curses. */
#ifndef KD_CLI_H
#define KD_CLI_H

/* Exit statuses: 0 success, 1 runtime error, 2 usage error. */
#define CLI_OK		0
#define CLI_ERR		1
#define CLI_USAGE	2

int	cli_main(int, char **);

#endif
