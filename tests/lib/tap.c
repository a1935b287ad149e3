#include "tests/lib/tap.h"

int tap_failed;
int tap_case_failed;

void
tap_result(int ok, const char *name, const char *file, int line, const char *expr)
{
	(void)file; (void)line; (void)expr;
	if (ok)
		printf("ok - %s\n", name);
	else {
		printf("not ok - %s\n", name);
		tap_failed++;
	}
	fflush(stdout);
}

void
tap_skip(const char *name, const char *why)
{
	printf("skip - %s: %s\n", name, why);
	fflush(stdout);
}

int
tap_done(void)
{
	return tap_failed ? 1 : 0;
}
