/*
 * pcsc_probe: the PC/SC view of the readers, for shell tests.
 *
 * Prints one line per reader, "READER<TAB>present|absent<TAB>ATRHEX"
 * (ATRHEX empty when absent), and exits 0; exits 3 when pcscd cannot be
 * reached, 1 on any other PC/SC error.  No readers: no lines, exit 0.
 * Bounded: the whole run is cut off after PROBE_SECONDS.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <winscard.h>

#define PROBE_SECONDS 5
#define MAX_READERS   16
#define EXIT_NO_PCSCD 3

static void
on_alarm(int sig)
{
	(void)sig;
	_exit(EXIT_NO_PCSCD); /* pcscd did not answer in time */
}

static int
unreachable(LONG rv)
{
	return rv == SCARD_E_NO_SERVICE || rv == SCARD_E_SERVICE_STOPPED ||
	    rv == SCARD_F_COMM_ERROR;
}

static void
print_reader(const SCARD_READERSTATE *rs)
{
	DWORD i;
	int present = (rs->dwEventState & SCARD_STATE_PRESENT) != 0;

	printf("%s\t%s\t", rs->szReader, present ? "present" : "absent");
	if (present)
		for (i = 0; i < rs->cbAtr && i < sizeof(rs->rgbAtr); i++)
			printf("%02X", rs->rgbAtr[i]);
	putchar('\n');
}

static int
probe(SCARDCONTEXT ctx)
{
	SCARD_READERSTATE rs[MAX_READERS];
	char *names = NULL, *p;
	DWORD len = 0, n = 0, i;
	LONG rv;
	int r = 1;

	rv = SCardListReaders(ctx, NULL, NULL, &len);
	if (rv == SCARD_E_NO_READERS_AVAILABLE)
		return 0;
	if (rv != SCARD_S_SUCCESS || (names = calloc(1, len)) == NULL ||
	    (rv = SCardListReaders(ctx, NULL, names, &len)) != SCARD_S_SUCCESS)
		goto fail;
	memset(rs, 0, sizeof(rs));
	for (p = names; *p != '\0' && n < MAX_READERS; p += strlen(p) + 1) {
		rs[n].szReader = p;
		rs[n].dwCurrentState = SCARD_STATE_UNAWARE;
		n++;
	}
	/* UNAWARE + timeout 0: report the current state at once. */
	if ((rv = SCardGetStatusChange(ctx, 0, rs, n)) != SCARD_S_SUCCESS &&
	    rv != SCARD_E_TIMEOUT)
		goto fail;
	for (i = 0; i < n; i++)
		print_reader(&rs[i]);
	r = 0;
fail:
	if (r != 0)
		fprintf(stderr, "pcsc_probe: %s\n", pcsc_stringify_error(rv));
	if (r != 0 && unreachable(rv))
		r = EXIT_NO_PCSCD;
	free(names);
	return r;
}

int
main(void)
{
	SCARDCONTEXT ctx;
	LONG rv;
	int r;

	signal(SIGALRM, on_alarm);
	alarm(PROBE_SECONDS);
	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
	if (rv != SCARD_S_SUCCESS) {
		fprintf(stderr, "pcsc_probe: %s\n", pcsc_stringify_error(rv));
		return unreachable(rv) ? EXIT_NO_PCSCD : 1;
	}
	r = probe(ctx);
	SCardReleaseContext(ctx);
	return r;
}
