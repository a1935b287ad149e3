/* "Activate now" from the command line: progress on stderr, Ctrl-C
 * cancels the card cleanly, a card that already has a PIN is never
 * changed without --current-pin-stdin or --reset-card. */
#include "cli/cli_int.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/tap.h"

static struct kd_tap *running;

static void
on_sigint(int sig)
{
	(void)sig;
	if (running != NULL)
		running->cancel = 1;
}

static void
progress(void *arg, enum kd_tap_state s, const char *device)
{
	static enum kd_tap_state last = (enum kd_tap_state)-1;
	const char *msg = NULL;

	(void)arg;
	if (s == last)
		return;
	last = s;
	switch (s) {
	case KD_TAP_WAIT_READER: msg = "Plug in a card reader or security key"; break;
	case KD_TAP_WAIT_CARD: msg = "Tap the card on the reader"; break;
	case KD_TAP_CARD_PRESENT: msg = "Card found"; break;
	case KD_TAP_WORKING: msg = "Working, keep the card on the reader"; break;
	case KD_TAP_TOUCH: msg = "Touch your security key"; break;
	case KD_TAP_VERIFYING: msg = "Checking the new credential"; break;
	case KD_TAP_DONE: msg = "Done"; break;
	}
	if (msg != NULL)
		cli_printf_safe(stderr, "keydesk: %s%s%s\n", msg, device ? ": " : "",
		    device ? device : "");
}

/* Reads the card's current PIN from stdin (no echo on a terminal). */
static int
read_pin(char *buf, size_t len)
{
	struct termios t, saved;
	int tty = isatty(0), ok;
	size_t n;

	if (tty) {
		fprintf(stderr, "Current PIN of the card: ");
		tcgetattr(0, &saved);
		t = saved;
		t.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSAFLUSH, &t);
	}
	ok = fgets(buf, (int)len, stdin) != NULL;
	if (tty) {
		tcsetattr(0, TCSAFLUSH, &saved);
		fputc('\n', stderr);
	}
	n = ok ? strcspn(buf, "\r\n") : 0;
	buf[n] = '\0';
	return ok && n > 0 ? CLI_OK : cli_fail(CLI_USAGE, "no PIN on stdin");
}

int
cli_tap_run(struct cli *c, struct kd_tap *t, const struct cli_tap_opts *o)
{
	struct sigaction sa, old;
	struct kd_err e;
	int r;

	char path[512];

	(void)c;
	/* A reader is named as `keydesk readers` shows it; USB keys by path. */
	if (o->reader != NULL && strncmp(o->reader, "pcsc:", 5) != 0 &&
	    o->reader[0] != '/') {
		snprintf(path, sizeof(path), "pcsc:%s", o->reader);
		t->path = path;
	} else
		t->path = o->reader;
	t->reset_first = o->reset_card;
	if (o->timeout_ms > 0)
		t->timeout_ms = o->timeout_ms;
	t->progress = progress;
	if (o->pin_stdin && read_pin(t->operator_pin, sizeof(t->operator_pin)) != CLI_OK)
		return CLI_USAGE;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, &old);
	running = t;
	r = tap_run(t, &e);
	running = NULL;
	sigaction(SIGINT, &old, NULL);
	if (r == KD_OK)
		return CLI_OK;
	if (r == KD_ERR_HAS_PIN)
		return cli_fail(CLI_ERR, "the card already has a PIN: run again "
		    "with --current-pin-stdin (the card's PIN on stdin), or with "
		    "--reset-card to wipe the card (every credential on it is "
		    "lost)");
	return cli_fail(CLI_ERR, "%s", e.msg);
}
