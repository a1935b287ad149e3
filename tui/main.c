/* keydesk's entry point: global options and subcommands are parsed in
 * cli/; with no subcommand cli_main starts the TUI (tui_run). */
#include "cli/cli.h"

int
main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
