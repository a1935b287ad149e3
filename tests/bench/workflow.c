/* Benchmark: a Security Key Device Assignment workflow over 100,000 users
 * in one group: time to create the pending keys, audit rows and queued
 * mails (each mail's link and code are made when it is delivered).
 * Usage: bench_workflow DBPATH [N [TOTAL]]: the group's N members are
 * every (TOTAL / N)-th of TOTAL users (default TOTAL = N: everyone). */
#include <malloc.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "core/store.h"
#include "core/workflow.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	struct kd_workflow_run run;
	struct kd_config *cfg = config_new();
	struct kd_workflow w;
	struct kd_store *st;
	struct kd_err e;
	char sql[512];
	double t0;
	int n = argc > 2 ? atoi(argv[2]) : 100000;
	int total = argc > 3 ? atoi(argv[3]) : n;

	if (argc < 2)
		return 2;
	/* As keydesk's main() does. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, 4 << 20);
	unlink(argv[1]);
	if (store_open(&st, argv[1], &e) != KD_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	snprintf(sql, sizeof(sql), "BEGIN; INSERT INTO groups (name, created_at) "
	    "VALUES ('Everyone', 0); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
	    "SELECT i + 1 FROM n WHERE i < %d) INSERT INTO users (user_id, name, "
	    "email, username, created_at, updated_at) SELECT 'B' || i, 'Bench "
	    "User ' || i, 'b' || i || '@example.com', 'b' || i, 0, 0 FROM n; "
	    "INSERT INTO memberships SELECT 1, id FROM users WHERE id %% %d = 0 "
	    "LIMIT %d; COMMIT;", total < n ? n : total, total < n ? 1 :
	    total / n, n);
	if (sqlite3_exec(store_db(st), sql, NULL, NULL, NULL) != SQLITE_OK)
		return 1;
	memset(&w, 0, sizeof(w));
	snprintf(w.name, sizeof(w.name), "bench");
	w.type = KD_KEY_CARD;
	w.use_defaults = 1;
	workflow_group_add(&w, "Everyone");
	if (workflow_add(st, "bench", &w, &e) != KD_OK ||
	    (workflow_clear(&w), workflow_get(st, "bench", &w, &e)) != KD_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	t0 = now_ms();
	if (workflow_run(st, cfg, &w, "bench", 0, NULL, NULL, NULL, &run, &e) != KD_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	printf("workflow over %d users: %lld keys + queued mails + audit "
	    "rows in %.0f ms (%.0f users/s)\n", n, (long long)run.created,
	    now_ms() - t0, run.created / (now_ms() - t0) * 1e3);
	t0 = now_ms();
	workflow_run(st, cfg, &w, "bench", 0, NULL, NULL, NULL, &run, &e);
	printf("second run (nothing to do): %lld created in %.0f ms\n",
	    (long long)run.created, now_ms() - t0);
	workflow_clear(&w);
	store_close(&st);
	config_free(&cfg);
	return 0;
}
