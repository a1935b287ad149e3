/* Workflow runs: batches are whole (keys, mails, audit rows and the run's
 * counters together), a rerun creates nothing, a cancel and a failure
 * both stop at a batch boundary and are stored as such, disabled users
 * and users outside the groups are left out. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/store.h"
#include "core/workflow.h"
#include "tests/lib/tap.h"

static struct kd_config *cfg;

static int64_t
count(struct kd_store *st, const char *sql)
{
	sqlite3_stmt *s;
	int64_t n = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* 30 users; 25 in group Floor, of whom U3 is disabled; a card workflow
 * over Floor. */
static struct kd_store *
setup(struct kd_workflow *w)
{
	struct kd_store *st = NULL;
	struct kd_err e;
	static const char sql[] =
	    "INSERT INTO groups (name, created_at) VALUES ('Floor', 0);"
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
	    "WHERE i < 30) INSERT INTO users (user_id, name, email, username, "
	    "created_at, updated_at) SELECT 'U' || i, 'User ' || i, 'u' || i || "
	    "'@example.com', 'u' || i, 0, 0 FROM n;"
	    "INSERT INTO memberships SELECT 1, id FROM users WHERE id <= 25;"
	    "UPDATE users SET disabled = 1 WHERE user_id = 'U3';";

	memset(w, 0, sizeof(*w));
	if (store_open(&st, ":memory:", &e) != KD_OK ||
	    sqlite3_exec(store_db(st), sql, NULL, NULL, NULL) != SQLITE_OK)
		return NULL;
	snprintf(w->name, sizeof(w->name), "Cards");
	w->type = KD_KEY_CARD;
	w->use_defaults = 1;
	if (workflow_group_add(w, "Floor") != KD_OK ||
	    workflow_add(st, "tester", w, &e) != KD_OK ||
	    (workflow_clear(w), workflow_get(st, "Cards", w, &e)) != KD_OK) {
		store_close(&st);
		return NULL;
	}
	return st;
}

static void
test_run_whole_and_rerun(void)
{
	struct kd_workflow_review rv;
	struct kd_workflow_run run;
	struct kd_workflow w;
	struct kd_store *st = setup(&w);
	struct kd_err e;

	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(workflow_review(st, &w, &rv, &e) == KD_OK);
	CHECK(rv.in_scope == 24 && rv.have_key == 0 && rv.will_get == 24);
	CHECK(workflow_run(st, cfg, &w, "tester", 10, NULL, NULL, NULL, &run,
	    &e) == KD_OK);
	CHECK(run.created == 24 && run.skipped == 0 && run.failed == 0);
	CHECK(strcmp(run.status, "done") == 0);
	CHECK(count(st, "SELECT count(*) FROM keys WHERE status = 'pending' "
	    "AND type = 'card' AND name = 'User ' || substr((SELECT user_id "
	    "FROM users WHERE id = keys.user), 2) || '''s card'") == 24);
	CHECK(count(st, "SELECT count(*) FROM keys k JOIN users u ON u.id = "
	    "k.user WHERE u.disabled OR u.id > 25") == 0);
	CHECK(count(st, "SELECT count(*) FROM outbox WHERE kind = 'activation' "
	    "AND body IS NULL AND key IS NOT NULL") == 24);
	CHECK(count(st, "SELECT count(DISTINCT message_id) FROM outbox") == 24);
	CHECK(count(st, "SELECT count(*) FROM audit WHERE action = "
	    "'key.assign'") == 24);
	CHECK(count(st, "SELECT count(*) FROM users WHERE status = 1") == 24);
	/* Again: nothing new, and the run says why. */
	CHECK(workflow_run(st, cfg, &w, "tester", 10, NULL, NULL, NULL, &run,
	    &e) == KD_OK);
	CHECK(run.created == 0 && run.skipped == 24 && run.in_scope == 24);
	CHECK(count(st, "SELECT count(*) FROM keys") == 24);
	workflow_clear(&w);
	store_close(&st);
}

struct stop {
	volatile int	 cancel;
	int64_t		 at;
};

static void
on_progress(void *arg, int64_t done, int64_t total)
{
	struct stop *s = arg;

	(void)total;
	if (done >= s->at && s->at > 0)
		s->cancel = 1;
}

static void
test_cancel_and_failure_stop_at_a_batch(void)
{
	struct kd_workflow_run run;
	struct kd_workflow w;
	struct stop stop = { 0, 10 };
	struct kd_store *st = setup(&w);
	struct kd_err e;

	CHECK(st != NULL);
	if (st == NULL)
		return;
	/* Cancelled after the first batch of 10. */
	CHECK(workflow_run(st, cfg, &w, "tester", 10, &stop.cancel,
	    on_progress, &stop, &run, &e) == KD_ERR_CANCELLED);
	CHECK(run.created == 10 && strcmp(run.status, "cancelled") == 0);
	CHECK(count(st, "SELECT count(*) FROM keys") == 10);
	CHECK(count(st, "SELECT count(*) FROM outbox") == 10);
	CHECK(count(st, "SELECT count(*) FROM workflow_runs WHERE created = 10 "
	    "AND status = 'cancelled'") == 1);
	/* The next batch fails half way: none of it stays. */
	sqlite3_exec(store_db(st), "CREATE TEMP TRIGGER boom BEFORE INSERT ON "
	    "outbox WHEN (SELECT count(*) FROM outbox) >= 15 BEGIN SELECT "
	    "RAISE(ABORT, 'disk on fire'); END;", NULL, NULL, NULL);
	CHECK(workflow_run(st, cfg, &w, "tester", 10, NULL, NULL, NULL, &run,
	    &e) != KD_OK);
	CHECK(strstr(e.msg, "disk on fire") != NULL);
	CHECK(run.created == 0 && run.skipped == 10 && run.failed == 14);
	CHECK(strcmp(run.status, "failed") == 0);
	CHECK(count(st, "SELECT count(*) FROM keys") == 10);
	CHECK(count(st, "SELECT count(*) FROM outbox") == 10);
	CHECK(count(st, "SELECT count(*) FROM audit WHERE action = "
	    "'key.assign'") == 10);
	CHECK(count(st, "SELECT count(*) FROM workflow_runs WHERE status = "
	    "'failed' AND failed = 14 AND created = 0") == 1);
	/* Fixed: the rest go in. */
	sqlite3_exec(store_db(st), "DROP TRIGGER boom", NULL, NULL, NULL);
	CHECK(workflow_run(st, cfg, &w, "tester", 10, NULL, NULL, NULL, &run,
	    &e) == KD_OK && run.created == 14);
	CHECK(count(st, "SELECT count(*) FROM keys") == 24);
	workflow_clear(&w);
	store_close(&st);
}

int
main(void)
{
	if ((cfg = config_new()) == NULL)
		return 1;
	RUN(test_run_whole_and_rerun);
	RUN(test_cancel_and_failure_stop_at_a_batch);
	config_free(&cfg);
	return tap_done();
}
