/* keydesk's entry point: global options and subcommands are parsed in
 * cli/; with no subcommand cli_main starts the TUI (tui_run). */
#include <malloc.h>

#include "cli/cli.h"

int
main(int argc, char **argv)
{
	/* Bulk work (workflows, imports) frees and reallocates SQLite's pages
	 * all the time; without a trim threshold glibc hands the top of the
	 * heap back to the kernel and takes it again, thousands of times. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, 4 << 20);
	return cli_main(argc, argv);
}
