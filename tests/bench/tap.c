/*
 * Benchmark: "card present" to "verified credential" through pcscd + vpcd
 * + tests/vcard, split into time waiting inside PC/SC (SCardTransmit, and
 * Begin/EndTransaction) and keydesk's own time (our code and libfido2:
 * CBOR, ECDH, PIN protocol, signature checks).
 *
 *   bench_tap --reader NAME [--n N] [--verification pin|pinless]
 *
 * Wants a fresh card (no PIN).  A first, uncounted round puts the PIN on
 * it; each round enrolls the same user handle (so the card's slot is
 * reused).  Prints one line per round and a summary; non-zero exit on any
 * failure.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/fido.h"
#include "core/pcsc.h"

#define PIN	"482915"

struct round {
	struct timespec	present;	/* wall, when the card was seen */
	struct timespec	cpu_present;
	int		seen;
};

static double
ts_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void
on_progress(void *arg, enum kd_tap_state st, const char *dev)
{
	struct round *r = arg;

	(void)dev;
	if (st == KD_TAP_CARD_PRESENT && !r->seen) {
		clock_gettime(CLOCK_MONOTONIC, &r->present);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &r->cpu_present);
		pcsc_stats_reset();
		r->seen = 1;
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "reader", required_argument, NULL, 'r' },
		{ "n", required_argument, NULL, 'n' },
		{ "verification", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	enum kd_verification ver = KD_VERIFY_PIN;
	const char *reader = NULL;
	char path[300];
	double wall[64], own[64], cpu[64], pcsc[64];
	double sw = 0, so = 0, sc = 0, sp = 0;
	struct kd_enroll_req q;
	unsigned char uid[KD_FIDO_USER_ID_LEN];
	int n = 5, c, first = 1;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == 'r')
			reader = optarg;
		else if (c == 'n')
			n = atoi(optarg);
		else if (c == 'v' && model_verification_parse(optarg, &ver) ==
		    KD_OK)
			;
		else
			return 64;
	}
	if (reader == NULL || n < 1 || n > 64) {
		fprintf(stderr, "usage: bench_tap --reader NAME [--n 1..64] "
		    "[--verification pin|pinless]\n");
		return 64;
	}
	snprintf(path, sizeof(path), "%s%s", PCSC_PREFIX, reader);
	kd_random(uid, sizeof(uid));
	for (int i = 0; i < n; i++) {
		struct kd_credential cred;
		struct kd_err e;
		struct round r;
		struct pcsc_stats st;
		struct timespec end, cpu_end;
		int rc;

		memset(&q, 0, sizeof(q));
		memset(&r, 0, sizeof(r));
		q.path = path;
		q.rp_id = "bench.keydesk.test";
		q.rp_name = "keydesk bench";
		memcpy(q.user_id, uid, sizeof(uid));
		q.user_name = "bench";
		q.display_name = "Bench User";
		q.verification = ver;
		q.new_pin = ver == KD_VERIFY_PIN ? PIN : NULL;
		/* after the first round the card has our PIN */
		q.current_pin = ver == KD_VERIFY_PIN && !first ? PIN : NULL;
		q.timeout_ms = 10000;
		q.progress = on_progress;
		q.progress_arg = &r;
		rc = fidodev_enroll(&q, &cred, &e);
		clock_gettime(CLOCK_MONOTONIC, &end);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_end);
		pcsc_stats_get(&st);
		fidodev_credential_clear(&cred);
		if (rc != KD_OK || !r.seen) {
			fprintf(stderr, "bench_tap: round %d: %s\n", i, e.msg);
			return 1;
		}
		if (first) {	/* warm-up: sets the PIN on a fresh card */
			first = 0;
			i--;
			continue;
		}
		wall[i] = ts_ms(&r.present, &end);
		pcsc[i] = (double)(st.transmit_ns + st.other_ns) / 1e6;
		own[i] = wall[i] - pcsc[i];
		cpu[i] = ts_ms(&r.cpu_present, &cpu_end);
		printf("round %d: wall %.1f ms, in PC/SC %.1f ms (%llu APDUs), "
		    "keydesk %.1f ms (%.1f %%), keydesk CPU %.1f ms\n", i + 1,
		    wall[i], pcsc[i], (unsigned long long)st.transmits, own[i],
		    100.0 * own[i] / wall[i], cpu[i]);
		sw += wall[i];
		sp += pcsc[i];
		so += own[i];
		sc += cpu[i];
	}
	qsort(wall, (size_t)n, sizeof(wall[0]), cmp_double);
	printf("bench tap (%s, %d rounds): card present -> verified credential "
	    "median %.1f ms, mean %.1f ms; waiting in PC/SC (pcscd + vpcd + "
	    "card) %.1f ms; keydesk own wall %.1f ms = %.1f %%, "
	    "keydesk CPU %.1f ms = %.1f %%\n", model_verification_name(ver), n,
	    wall[n / 2], sw / n, sp / n, so / n, 100.0 * so / sw, sc / n,
	    100.0 * sc / sw);
	return 0;
}
