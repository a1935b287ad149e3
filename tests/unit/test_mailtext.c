/* Activation mails are minted at delivery: queueing writes no secret;
 * claiming makes the link and code, stores only their hashes and puts
 * them in the body in memory; a retry, a resend, a revoked or deleted key
 * and a disabled user each do the right thing. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/admin.h"
#include "core/enroll.h"
#include "core/mailtext.h"
#include "core/store.h"
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

/* A store with one user and one pending card for them; returns the key. */
static int64_t
setup(struct kd_store **st)
{
	struct kd_err e;
	static const char sql[] =
	    "INSERT INTO users (user_id, name, email, username, created_at, "
	    "updated_at) VALUES ('U1', 'Ada Lovelace', 'ada@example.com', "
	    "'ada', 0, 0);"
	    "INSERT INTO keys (user, type, name, status, auditable, "
	    "bluetooth_proximity, offline_login, verification, created_at) "
	    "VALUES (1, 'card', 'Ada''s card', 'pending', 0, 0, 0, 'pin', 0);";

	*st = NULL;
	if (store_open(st, ":memory:", &e) != KD_OK ||
	    sqlite3_exec(store_db(*st), sql, NULL, NULL, NULL) != SQLITE_OK)
		return 0;
	return 1;
}

static int
queue(struct kd_store *st, int64_t key)
{
	struct kd_mail_to to = { "Ada Lovelace", "ada@example.com" };
	struct kd_err e;

	return mailtext_queue_activation(st, cfg, &to, key, &e);
}

static int
mint(void *arg, struct kd_store *st, struct kd_outbox_row *row,
    struct kd_err *e)
{
	(void)arg;
	return mailtext_mint_activation(st, cfg, row, e);
}

/* The code in a minted body: the line after "enter this code". */
static int
body_code(const char *body, char code[12])
{
	const char *p = body ? strstr(body, "enter this code") : NULL;

	if (p == NULL || (p = strstr(p, "\n\n  ")) == NULL)
		return 0;
	memcpy(code, p + 4, 11);
	code[11] = '\0';
	return 1;
}

static int
code_is_open(struct kd_store *st, const char *code)
{
	unsigned char h[32];
	sqlite3_stmt *s;
	int n = 0;

	if (enroll_code_hash(code, h) != KD_OK ||
	    sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM activations "
	    "WHERE code_hash = ? AND revoked_at IS NULL AND used_at IS NULL",
	    -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_blob(s, 1, h, 32, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

static void
test_queue_writes_no_secret_and_claim_mints(void)
{
	struct kd_outbox_row *rows = NULL;
	struct kd_store *st;
	struct kd_err e;
	char code[12] = "", code2[12] = "", mid[400] = "";
	size_t n = 0;
	int64_t key = setup(&st);

	CHECK(key == 1);
	CHECK(queue(st, key) == KD_OK);
	CHECK(count(st, "SELECT count(*) FROM activations") == 0);
	CHECK(count(st, "SELECT count(*) FROM outbox WHERE body IS NULL AND "
	    "key = 1 AND kind = 'activation' AND status = 'queued'") == 1);
	CHECK(store_outbox_claim(st, kd_now(), 10, 600, mint, NULL, &rows, &n,
	    &e) == KD_OK && n == 1);
	if (n == 1) {
		CHECK(rows[0].key == 1 && body_code(rows[0].body, code));
		CHECK(strstr(rows[0].body, "Hello Ada Lovelace,") != NULL);
		CHECK(strstr(rows[0].body, "\"Ada's card\"") != NULL);
		CHECK(strstr(rows[0].body, "tap your card on the reader") != NULL);
		CHECK(strstr(rows[0].body, cfg->activation_base_url) != NULL);
		snprintf(mid, sizeof(mid), "%s", rows[0].message_id);
	}
	store_outbox_free(rows, n);
	/* Only hashes are stored: the code is open, and nowhere in clear. */
	CHECK(code_is_open(st, code) == 1);
	CHECK(count(st, "SELECT count(*) FROM outbox WHERE body IS NOT NULL") == 0);
	/* A retry (the lease ran out, or the server deferred) mints afresh
	 * and closes the first code. */
	CHECK(store_outbox_claim(st, kd_now() + 601, 10, 600, mint, NULL, &rows,
	    &n, &e) == KD_OK && n == 1);
	if (n == 1) {
		CHECK(body_code(rows[0].body, code2) && strcmp(code, code2) != 0);
		/* New bytes, new Message-ID (issue 11): a client that drops a
		 * repeated Message-ID cannot keep the superseded copy. */
		CHECK(mid[0] == '<' && strcmp(rows[0].message_id, mid) != 0);
	}
	store_outbox_free(rows, n);
	CHECK(code_is_open(st, code) == 0 && code_is_open(st, code2) == 1);
	CHECK(count(st, "SELECT count(*) FROM activations") == 2);
	store_close(&st);
}

static void
test_revoked_resent_and_deleted_keys(void)
{
	struct kd_outbox_row *rows = NULL;
	struct kd_store *st;
	struct kd_err e;
	size_t n = 0;
	int64_t key = setup(&st);

	CHECK(key == 1);
	/* A resend replaces the queued mail: one goes out, not two. */
	CHECK(queue(st, key) == KD_OK);
	CHECK(admin_key_resend(st, cfg, "tester", key, &e) == KD_OK);
	CHECK(count(st, "SELECT count(*) FROM outbox WHERE status = 'queued'") == 1);
	CHECK(count(st, "SELECT count(*) FROM outbox WHERE status = 'failed' AND "
	    "last_error LIKE 'replaced by a newer%'") == 1);
	/* Revoked before delivery: the mail is not sent. */
	CHECK(admin_key_revoke(st, "tester", key, "lost", &e) == KD_OK);
	CHECK(count(st, "SELECT count(*) FROM outbox WHERE status = 'queued'") == 0);
	CHECK(count(st, "SELECT count(*) FROM outbox WHERE last_error LIKE "
	    "'the key was revoked%'") == 1);
	/* A row that still names a revoked key fails when claimed. */
	CHECK(queue(st, key) == KD_OK);
	CHECK(store_outbox_claim(st, kd_now(), 10, 600, mint, NULL, &rows, &n,
	    &e) == KD_OK && n == 0);
	store_outbox_free(rows, n);
	CHECK(count(st, "SELECT count(*) FROM outbox WHERE status = 'failed' AND "
	    "last_error LIKE 'key #1 is revoked%'") == 1);
	CHECK(count(st, "SELECT count(*) FROM activations WHERE revoked_at IS "
	    "NULL") == 0);
	/* A deleted key: its queued mail fails with a reason, none is minted. */
	sqlite3_exec(store_db(st), "INSERT INTO keys (user, type, name, status, "
	    "auditable, bluetooth_proximity, offline_login, verification, "
	    "created_at) VALUES (1, 'fido2', 'k2', 'pending', 0, 0, 0, 'pin', 0)",
	    NULL, NULL, NULL);
	CHECK(queue(st, 2) == KD_OK);
	sqlite3_exec(store_db(st), "DELETE FROM keys WHERE id = 2", NULL, NULL, NULL);
	CHECK(store_outbox_claim(st, kd_now(), 10, 600, mint, NULL, &rows, &n,
	    &e) == KD_OK && n == 0);
	store_outbox_free(rows, n);
	CHECK(count(st, "SELECT count(*) FROM outbox WHERE last_error LIKE "
	    "'the key was deleted%'") == 1);
	CHECK(count(st, "SELECT count(*) FROM activations") == 0);
	store_close(&st);
}

static void
test_disabled_user_and_mixed_batch(void)
{
	struct kd_outbox_row *rows = NULL;
	struct kd_store *st;
	struct kd_err e;
	size_t n = 0;
	int64_t key = setup(&st);

	CHECK(key == 1);
	/* Two good rows around a bad one: the good ones come back in order. */
	sqlite3_exec(store_db(st), "INSERT INTO users (user_id, name, email, "
	    "username, disabled, created_at, updated_at) VALUES ('U2', 'Bo', "
	    "'bo@example.com', 'bo', 1, 0, 0); INSERT INTO keys (user, type, "
	    "name, status, auditable, bluetooth_proximity, offline_login, "
	    "verification, created_at) VALUES (2, 'card', 'Bo''s card', "
	    "'pending', 0, 0, 0, 'pin', 0)", NULL, NULL, NULL);
	CHECK(queue(st, 1) == KD_OK && queue(st, 2) == KD_OK &&
	    queue(st, 1) == KD_OK);
	CHECK(store_outbox_claim(st, kd_now(), 10, 600, mint, NULL, &rows, &n,
	    &e) == KD_OK && n == 2);
	if (n == 2)
		CHECK(rows[0].id == 1 && rows[1].id == 3 && rows[1].body != NULL);
	store_outbox_free(rows, n);
	CHECK(count(st, "SELECT count(*) FROM outbox WHERE id = 2 AND status = "
	    "'failed' AND last_error LIKE 'the user is disabled%'") == 1);
	store_close(&st);
}

/* Lines of a body at most 72 columns, but the link's. */
static int
lines_fit(const char *body)
{
	const char *p = body, *nl;

	for (; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if (nl - p > 72 && strncmp(p, "  http", 6) != 0)
			return 0;
		if (*nl == '\0')
			break;
	}
	return 1;
}

/* Each device type's mail says where to open the link, names the
 * organisation first, and for a card with a PIN says the browser asks
 * for one (a kiosk sets it and mails it). */
static void
test_each_type_says_where(void)
{
	static const char *const types[] = { "smartphone", "card", "card",
	    "fido2" };
	static const char *const verif[] = { "biometric", "pin", "pinless",
	    "pinless" };
	struct kd_outbox_row *rows = NULL;
	struct kd_store *st;
	struct kd_err e;
	char sql[512], code[12];
	const char *b[4] = { NULL, NULL, NULL, NULL };
	size_t n = 0, i;
	char *org = cfg->rp_name;

	CHECK(setup(&st) == 1);
	sqlite3_exec(store_db(st), "DELETE FROM keys", NULL, NULL, NULL);
	for (i = 0; i < 4; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO keys (id, user, type, name, "
		    "status, auditable, bluetooth_proximity, offline_login, "
		    "verification, created_at) VALUES (%zu, 1, '%s', 'k%zu', "
		    "'pending', 0, 0, 0, '%s', 0)", i + 1, types[i], i + 1, verif[i]);
		CHECK(sqlite3_exec(store_db(st), sql, NULL, NULL, NULL) == SQLITE_OK);
		CHECK(queue(st, (int64_t)i + 1) == KD_OK);
	}
	cfg->rp_name = "Example Corp";
	cfg->activation_support = "Desk 4, extension 4455";
	CHECK(store_outbox_claim(st, kd_now(), 10, 600, mint, NULL, &rows, &n,
	    &e) == KD_OK && n == 4);
	for (i = 0; i < n && i < 4; i++) {
		b[i] = rows[i].body;
		CHECK(b[i] != NULL && body_code(b[i], code));
		CHECK(strncmp(b[i], "Hello Ada Lovelace,\n\nExample Corp has "
		    "assigned you a security key:", 52) == 0);
		CHECK(strstr(b[i], cfg->activation_base_url) != NULL);
		CHECK(lines_fit(b[i]));
		/* The subject says what it is for and from whom. */
		CHECK(strstr(rows[i].subject, "Activate your ") == rows[i].subject);
		CHECK(strstr(rows[i].subject, org) != NULL);
		CHECK(strstr(b[i], "\nQuestions? Desk 4, extension 4455\n") != NULL);
	}
	if (n == 4) {
		CHECK(strstr(rows[0].subject, "Smartphone") != NULL);
		CHECK(strstr(rows[1].subject, "Contactless Card") != NULL);
		CHECK(strstr(rows[3].subject, "FIDO2 Hardware Security Key") != NULL);
		CHECK(strstr(b[1], "Collect it at the badge desk") != NULL);
		CHECK(strstr(b[3], "badge desk") == NULL);
		CHECK(strstr(b[0], "open this link on your phone:") != NULL);
		CHECK(strstr(b[0], "save the passkey") != NULL);
		CHECK(strstr(b[0], "shows the link as a QR code") != NULL);
		CHECK(strstr(b[0], "card") == NULL);
		CHECK(strstr(b[1], "open this link on a computer with a card "
		    "reader:") != NULL);
		CHECK(strstr(b[1], "enter the code at an enrollment kiosk and tap "
		    "your card") != NULL);
		CHECK(strstr(b[1], "The browser will ask you to choose a PIN for "
		    "the card") != NULL);
		CHECK(strstr(b[1], "the kiosk then sets the card's PIN and emails it") !=
		    NULL);
		CHECK(strstr(b[2], "choose a PIN") == NULL);
		CHECK(strstr(b[2], "computer with a card reader") != NULL);
		CHECK(strstr(b[3], "on a computer where your\nsecurity key is "
		    "plugged in:") != NULL);
		CHECK(strstr(b[3], "at an enrollment kiosk") != NULL);
		CHECK(strstr(b[3], "PIN") == NULL && strstr(b[3], "QR") == NULL);
	}
	cfg->rp_name = org;
	cfg->activation_support = NULL;
	store_outbox_free(rows, n);
	store_close(&st);
}

int
main(void)
{
	if ((cfg = config_new()) == NULL)
		return 1;
	RUN(test_queue_writes_no_secret_and_claim_mints);
	RUN(test_revoked_resent_and_deleted_keys);
	RUN(test_disabled_user_and_mixed_batch);
	RUN(test_each_type_says_where);
	config_free(&cfg);
	return tap_done();
}
