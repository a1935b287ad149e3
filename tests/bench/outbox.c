/* Outbox delivery benchmark (run by tests/bench/outbox.sh, which starts
 * the SMTP sink): queues N activation-sized messages in one transaction,
 * then delivers them with outbox_deliver over one reused connection.
 *
 *   bench/outbox DB URL N
 *
 * Prints "queue N S" and "deliver N S CONNECTIONS" (seconds), then a
 * human line; exits 1 if not every message was accepted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "core/mail.h"
#include "core/outbox.h"
#include "core/store.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
queue(struct kd_store *st, int n, struct kd_err *e)
{
	struct kd_outbox_row row;
	char to[64], id[128];
	int i, r;

	memset(&row, 0, sizeof(row));
	row.to_name = "Zoë Ångström-Łukasiewicz";
	row.subject = "Activate your security key";
	row.body = "Hello Zoë,\n\nan operator has set up a security key for you.\n"
	    "Activate it within 12 hours:\n\n  https://keydesk.example.com/"
	    "activate/3q2-7wEVf_0Qk9Zx1Yb8Ra\n\nor type this code at any "
	    "enrollment kiosk: 482-913\n\nkeydesk\n";
	row.kind = "activation";
	row.to_addr = to;
	row.message_id = id;
	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	for (i = 0; i < n; i++) {
		snprintf(to, sizeof(to), "user%d@example.com", i);
		if (mail_message_id_new("keydesk.example.com", id, sizeof(id)) ||
		    (r = store_outbox_add(st, &row, NULL, e)) != KD_OK) {
			store_rollback(st);
			return r ? r : KD_ERR_IO;
		}
	}
	return store_commit(st, e);
}

int
main(int argc, char **argv)
{
	struct kd_outbox_result res;
	struct kd_store *st = NULL;
	struct kd_config cfg;
	struct kd_err e;
	double t0, tq, td;
	int n, r;

	if (argc != 4 || (n = atoi(argv[3])) <= 0) {
		fprintf(stderr, "usage: outbox DB URL N\n");
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.smtp_url = argv[2];
	cfg.smtp_from = "keydesk <keydesk@keydesk.example.com>";
	cfg.smtp_starttls = KD_STARTTLS_NONE;
	cfg.smtp_connect_timeout = 5;
	cfg.smtp_timeout = 30;
	cfg.smtp_max_attempts = 10;
	if ((r = store_open(&st, argv[1], &e)) != KD_OK)
		goto fail;
	t0 = now();
	if ((r = queue(st, n, &e)) != KD_OK)
		goto fail;
	tq = now() - t0;
	t0 = now();
	r = outbox_deliver(st, &cfg, 0, NULL, NULL, NULL, &res, &e);
	td = now() - t0;
	if (r != KD_OK)
		goto fail;
	printf("queue %d %.3f\n", n, tq);
	printf("deliver %d %.3f %ld\n", res.sent, td, res.connections);
	printf("# outbox: %d messages queued in %.2f s; delivered %d in %.2f s "
	    "= %.0f msg/s over %ld connection(s); %d deferred, %d failed\n", n,
	    tq, res.sent, td, res.sent / td, res.connections, res.deferred,
	    res.failed);
	store_close(&st);
	return res.sent == n ? 0 : 1;
fail:
	fprintf(stderr, "outbox bench: %s\n", e.msg);
	store_close(&st);
	return 1;
}
