/*
 * vcard: options, signals and the serve loop.  See vcard.h for the map
 * of files and usage() for the switches.
 *
 * Signals: SIGTERM/SIGINT stop cleanly; SIGUSR1 pulls the card out of
 * the field (closes the link) until SIGUSR2 puts it back.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vcard.h"

#define CONNECT_TRIES 150 /* x 200 ms: give up on vpcd after 30 s */
#define RETRY_MS      200
#define TICK_MS       100

static volatile sig_atomic_t got_term, got_pull, got_insert;

static struct timespec t0;

void
vc_now(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

long
vc_ms_since(const struct timespec *ts)
{
	struct timespec now;

	vc_now(&now);
	return (long)(now.tv_sec - ts->tv_sec) * 1000 +
	    (now.tv_nsec - ts->tv_nsec) / 1000000;
}

void
vc_log(struct vcard *vc, const char *fmt, ...)
{
	va_list ap;
	long ms;

	if (vc->log == NULL)
		return;
	ms = vc_ms_since(&t0);
	fprintf(vc->log, "%ld.%03ld ", ms / 1000, ms % 1000);
	va_start(ap, fmt);
	vfprintf(vc->log, fmt, ap);
	va_end(ap);
	fputc('\n', vc->log);
	fflush(vc->log);
}

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_pull = 1;
	else if (sig == SIGUSR2)
		got_insert = 1;
	else
		got_term = 1;
}

static int
signals_setup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: poll() wakes up */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGUSR1, &sa, NULL) < 0 ||
	    sigaction(SIGUSR2, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: vcard [options]   software FIDO2 NFC card for pcscd's vpcd\n"
"  --port N         vpcd port (35963 = \"Virtual PCD 00 00\", 35964 = 00 01)\n"
"  --state FILE     keep PIN, retries, credentials, keys across runs\n"
"  --pin PIN        a new card starts with this PIN set\n"
"  --min-pin N      factory minPINLength (default 4)\n"
"  --pull-at CMD    leave the field when CTAP command CMD arrives (once)\n"
"  --reinsert-ms N  come back N ms after --pull-at (default 1000)\n"
"  --slow MS        take MS per command (polled with NFCCTAP_GETRESPONSE)\n"
"  --chunk N        at most N response bytes per APDU (61xx chaining)\n"
"  --non-fido       no FIDO applet (SELECT answers 6A82)\n"
"  --full           no free discoverable credential slots\n"
"  --log FILE       one line per APDU: INS, lengths, SW (no data)\n"
"signals: SIGUSR1 pull the card, SIGUSR2 put it back, SIGTERM stop\n"
"AAGUID " VC_AAGUID_STR "\n");
}

static int
num_arg(const char *s, long lo, long hi, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || *v < lo || *v > hi)
		return -1;
	return 0;
}

static int
parse_args(int argc, char **argv, struct vc_opts *o)
{
	static const struct option lo[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "state", required_argument, NULL, 's' },
		{ "pin", required_argument, NULL, 'P' },
		{ "min-pin", required_argument, NULL, 'm' },
		{ "pull-at", required_argument, NULL, 'u' },
		{ "reinsert-ms", required_argument, NULL, 'r' },
		{ "slow", required_argument, NULL, 'w' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "non-fido", no_argument, NULL, 'n' },
		{ "full", no_argument, NULL, 'f' },
		{ "log", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int c, bad = 0;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			bad |= num_arg(optarg, 1, 65535, &v);
			o->port = (int)v;
			break;
		case 's':
			o->state_path = optarg;
			break;
		case 'P':
			o->pin = optarg;
			break;
		case 'm':
			bad |= num_arg(optarg, 4, 63, &v);
			o->min_pin = (unsigned)v;
			break;
		case 'u':
			bad |= (o->pull_at = vc_ctap_parse_name(optarg)) < 0;
			break;
		case 'r':
			bad |= num_arg(optarg, 0, 600000, &v);
			o->reinsert_ms = (int)v;
			break;
		case 'w':
			bad |= num_arg(optarg, 0, 600000, &v);
			o->slow_ms = (int)v;
			break;
		case 'c':
			bad |= num_arg(optarg, 1, 65536, &v);
			o->chunk = (size_t)v;
			break;
		case 'n':
			o->non_fido = 1;
			break;
		case 'f':
			o->full = 1;
			break;
		case 'l':
			o->log_path = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			bad = 1;
			break;
		}
	}
	if (o->pin != NULL && (strlen(o->pin) < o->min_pin ||
	    strlen(o->pin) > 63)) {
		fprintf(stderr, "vcard: --pin must have %u to 63 characters\n",
		    o->min_pin);
		bad = 1;
	}
	if (bad || optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static void
tick(void)
{
	struct timespec ts = { 0, TICK_MS * 1000000L };

	nanosleep(&ts, NULL);
}

enum mode { DOWN, UP, PULLED };

/* One step of the loop; returns -1 when vpcd stays unreachable. */
static int
step(struct vcard *vc, struct vc_link *l, enum mode *m, int *tries,
    struct timespec *since, long *wait_ms)
{
	struct pollfd pfd;
	int r;

	if (got_pull) {
		got_pull = 0;
		vc_link_close(l);
		*m = PULLED;
		vc_log(vc, "event pulled-by-signal");
	}
	if (got_insert) {
		got_insert = 0;
		if (*m == PULLED) {
			*m = DOWN;
			*wait_ms = 0;
			*tries = 0;
		}
	}
	if (*m == PULLED || (*m == DOWN && vc_ms_since(since) < *wait_ms)) {
		tick();
		return 0;
	}
	if (*m == DOWN) {
		if (vc_link_connect(l) == 0) {
			*m = UP;
			*tries = 0;
			return 0;
		}
		vc_now(since);
		*wait_ms = RETRY_MS;
		return ++*tries >= CONNECT_TRIES ? -1 : 0;
	}
	pfd.fd = vc_link_fd(l);
	pfd.events = POLLIN;
	if (poll(&pfd, 1, TICK_MS) <= 0)
		return 0;
	if ((r = vc_link_serve_one(l)) == 0)
		return 0;
	/* Pulled (--pull-at) or vpcd went away: out of the field. */
	vc_link_close(l);
	*m = DOWN;
	*tries = 0;
	vc_now(since);
	*wait_ms = r == VC_APDU_PULL ? vc->o.reinsert_ms : RETRY_MS;
	return 0;
}

static int
serve(struct vcard *vc)
{
	struct vc_link *l;
	struct timespec since;
	enum mode m = DOWN;
	long wait_ms = 0;
	int tries = 0, rc = 0;

	if ((l = vc_link_new(vc, vc->o.port)) == NULL)
		return 1;
	vc_now(&since);
	while (!got_term) {
		if (step(vc, l, &m, &tries, &since, &wait_ms) < 0) {
			fprintf(stderr, "vcard: vpcd on 127.0.0.1:%d "
			    "unreachable\n", vc->o.port);
			rc = 1;
			break;
		}
	}
	vc_log(vc, "event stop");
	vc_link_free(&l);
	return rc;
}

int
main(int argc, char **argv)
{
	struct vcard vc;
	int rc = 1;

	vc_now(&t0);
	memset(&vc, 0, sizeof(vc));
	vc.o.port = 35963;
	vc.o.pull_at = -1;
	vc.o.reinsert_ms = 1000;
	vc.o.min_pin = 4;
	if (parse_args(argc, argv, &vc.o) < 0)
		return 2;
	if (vc.o.log_path != NULL && (vc.log = fopen(vc.o.log_path,
	    "a")) == NULL) {
		perror(vc.o.log_path);
		return 1;
	}
	if (signals_setup() < 0 || vc_state_init(&vc) < 0)
		goto out;
	vc_session_power(&vc);
	rc = serve(&vc);
	vc_state_save(&vc);
out:
	vc_session_free(&vc);
	explicit_bzero(&vc.st, sizeof(vc.st));
	if (vc.log != NULL)
		fclose(vc.log);
	return rc;
}
