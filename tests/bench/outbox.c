/* Outbox delivery benchmark (run by tests/bench/outbox.sh, which starts
 * the SMTP sink): queues N activation mails in one transaction, then
 * delivers them (minting each one's link and code) with outbox_deliver over one reused connection.
 *
 *   bench/outbox DB URL N
 *
 * Prints "queue N S" and "deliver N S CONNECTIONS" (seconds), then a
 * human line; exits 1 if not every message was accepted. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "core/mailtext.h"
#include "core/outbox.h"
#include "core/store.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* N users, each with a pending card and its activation mail queued the
 * way a workflow queues them: the link and code are made at delivery, so
 * the delivery figure includes minting them. */
static int
queue(struct kd_store *st, const struct kd_config *cfg, int n,
    struct kd_err *e)
{
	char sql[1024];
	int r;

	snprintf(sql, sizeof(sql), "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
	    "SELECT i + 1 FROM n WHERE i < %d) INSERT INTO users (user_id, name, "
	    "email, username, status, created_at, updated_at) SELECT 'B' || i, "
	    "'Zoë Ångström-Łukasiewicz ' || i, 'user' || i || '@example.com', "
	    "'b' || i, 1, 0, 0 FROM n; INSERT INTO keys (user, type, name, "
	    "status, auditable, bluetooth_proximity, offline_login, verification, "
	    "created_at) SELECT id, 'card', 'card', 'pending', 0, 0, 0, 'pin', 0 "
	    "FROM users;", n);
	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if (sqlite3_exec(store_db(st), sql, NULL, NULL, NULL) != SQLITE_OK) {
		store_rollback(st);
		return kd_err_set(e, KD_ERR_DB, "%s", sqlite3_errmsg(store_db(st)));
	}
	if ((r = mailtext_queue_activations(st, cfg, 0, e)) != KD_OK) {
		store_rollback(st);
		return r;
	}
	return store_commit(st, e);
}

int
main(int argc, char **argv)
{
	struct kd_outbox_result res;
	struct kd_store *st = NULL;
	struct kd_config *cfg;
	struct kd_err e;
	double t0, tq, td;
	int n, r;

	if (argc != 4 || (n = atoi(argv[3])) <= 0) {
		fprintf(stderr, "usage: outbox DB URL N\n");
		return 2;
	}
	if ((cfg = config_new()) == NULL)
		return 1;
	free(cfg->smtp_url);
	free(cfg->smtp_from);
	cfg->smtp_url = strdup(argv[2]);
	cfg->smtp_from = strdup("keydesk <keydesk@keydesk.example.com>");
	cfg->smtp_starttls = KD_STARTTLS_NONE;
	cfg->smtp_connect_timeout = 5;
	cfg->smtp_timeout = 30;
	cfg->smtp_max_attempts = 10;
	if ((r = store_open(&st, argv[1], &e)) != KD_OK)
		goto fail;
	t0 = now();
	if ((r = queue(st, cfg, n, &e)) != KD_OK)
		goto fail;
	tq = now() - t0;
	t0 = now();
	r = outbox_deliver(st, cfg, 0, NULL, NULL, NULL, &res, &e);
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
	config_free(&cfg);
	return res.sent == n ? 0 : 1;
fail:
	fprintf(stderr, "outbox bench: %s\n", e.msg);
	store_close(&st);
	config_free(&cfg);
	return 1;
}
