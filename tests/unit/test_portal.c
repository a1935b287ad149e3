/* The portal's core: what a link opens and says, the code check with its
 * lock-out per link and client address, challenges that a second fetch
 * never spoils, and links issued for a screen beside the mailed ones.
 * (The browser half is tests/e2e/portal_browser.sh.) */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/activate.h"
#include "core/admin.h"
#include "core/lockout.h"
#include "core/mailtext.h"
#include "core/portal.h"
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

/* One user with one pending smartphone key (#1, biometric). */
static struct kd_store *
setup(void)
{
	struct kd_store *st = NULL;
	struct kd_err e;
	static const char sql[] =
	    "INSERT INTO users (user_id, name, email, username, created_at, "
	    "updated_at) VALUES ('U1', 'Ada <b>Lovelace</b>', "
	    "'ada@example.com', 'ada', 0, 0);"
	    "INSERT INTO keys (user, type, name, status, auditable, "
	    "bluetooth_proximity, offline_login, verification, created_at) "
	    "VALUES (1, 'smartphone', 'Ada''s phone', 'pending', 0, 0, 0, "
	    "'biometric', 0);";

	kd_clock_set(0);
	if (store_open(&st, ":memory:", &e) != KD_OK ||
	    sqlite3_exec(store_db(st), sql, NULL, NULL, NULL) != SQLITE_OK)
		return NULL;
	return st;
}

static void
link_states(void)
{
	struct kd_activation_secret a, b;
	struct kd_store *st = setup();
	struct kd_link l;
	struct kd_err e;

	CHECK(st != NULL);
	CHECK(portal_link_find(st, "nope", &l, &e) == KD_OK &&
	    l.state == KD_LINK_UNKNOWN);
	CHECK(portal_link_http_status(l.state) == 404);
	CHECK(portal_link_find(st, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    &l, &e) == KD_OK && l.state == KD_LINK_UNKNOWN);
	CHECK(activate_link_issue(st, cfg, 1, "test", &a, NULL, &e) == KD_OK);
	CHECK(strlen(a.token) == 43);
	CHECK(portal_link_find(st, a.token, &l, &e) == KD_OK &&
	    l.state == KD_LINK_OPEN && l.key == 1 && l.type == KD_KEY_SMARTPHONE);
	CHECK_EQ_STR(l.name, "Ada <b>Lovelace</b>");
	CHECK_EQ_STR(l.key_name, "Ada's phone");
	/* A second screen link leaves the first open. */
	CHECK(activate_link_issue(st, cfg, 1, "test", &b, NULL, &e) == KD_OK);
	CHECK(portal_link_find(st, a.token, &l, &e) == KD_OK &&
	    l.state == KD_LINK_OPEN);
	/* The link's lifetime, checked on every request. */
	kd_clock_set(kd_now() + cfg->link_lifetime + 1);
	CHECK(portal_link_find(st, a.token, &l, &e) == KD_OK &&
	    l.state == KD_LINK_EXPIRED && portal_link_http_status(l.state) == 410);
	kd_clock_set(0);
	/* A resend replaces them; a revoke says so. */
	CHECK(admin_key_resend(st, cfg, "test", 1, &e) == KD_OK);
	CHECK(portal_link_find(st, a.token, &l, &e) == KD_OK &&
	    l.state == KD_LINK_REPLACED);
	CHECK(strstr(portal_link_sentence(l.state), "replaced by a newer email"));
	CHECK(activate_link_issue(st, cfg, 1, "test", &a, NULL, &e) == KD_OK);
	CHECK(admin_key_revoke(st, "test", 1, "lost", &e) == KD_OK);
	CHECK(portal_link_find(st, a.token, &l, &e) == KD_OK &&
	    l.state == KD_LINK_REVOKED);
	CHECK(strstr(portal_link_sentence(l.state), "revoked"));
	CHECK(activate_link_issue(st, cfg, 1, "test", &a, NULL, &e) ==
	    KD_ERR_INVALID);
	store_close(&st);
}

static void
code_lockout(void)
{
	struct kd_activation_secret a;
	struct kd_portal_options o;
	struct kd_store *st = setup();
	struct kd_link l;
	struct kd_err e;
	char lower[16];
	int i, r;

	CHECK(st != NULL);
	CHECK(activate_link_issue(st, cfg, 1, "test", &a, NULL, &e) == KD_OK);
	for (i = 0; i < 4; i++)
		CHECK(portal_code_check(st, cfg, a.token, "AAAAA-AAAAA", "10.0.0.1",
		    &l, &o, &e) == KD_ERR_DENIED);
	r = portal_code_check(st, cfg, a.token, "AAAAA-AAAAA", "10.0.0.1", &l,
	    &o, &e);
	CHECK(r == KD_ERR_LOCKED && strstr(e.msg, "locked") != NULL);
	/* Locked: even the right code waits. */
	CHECK(portal_code_check(st, cfg, a.token, a.code, "10.0.0.1", &l, &o,
	    &e) == KD_ERR_LOCKED);
	/* Another address is not locked out by this one. */
	CHECK(portal_code_check(st, cfg, a.token, a.code, "10.0.0.2", &l, &o,
	    &e) == KD_OK);
	CHECK(count(st, "SELECT count(*) FROM audit WHERE action = "
	    "'activation.code_rejected'") == 6);
	/* Any case, without the dash, with spaces. */
	for (i = 0; a.code[i] != '\0'; i++)
		lower[i] = (char)(a.code[i] >= 'A' && a.code[i] <= 'Z' ?
		    a.code[i] + 32 : a.code[i]);
	lower[i] = '\0';
	CHECK(portal_code_check(st, cfg, a.token, lower, "10.0.0.3", &l, &o,
	    &e) == KD_OK);
	CHECK(o.require_uv == 1 && o.user_handle_len == 32);
	kd_clock_set(kd_now() + 31);
	CHECK(portal_code_check(st, cfg, a.token, a.code, "10.0.0.1", &l, &o,
	    &e) == KD_OK);
	kd_clock_set(0);
	store_close(&st);
}

static void
challenges_kept(void)
{
	struct kd_activation_secret a;
	struct kd_portal_options o1, o2;
	struct kd_store *st = setup();
	struct kd_link l;
	struct kd_err e;

	CHECK(st != NULL);
	CHECK(activate_link_issue(st, cfg, 1, "test", &a, NULL, &e) == KD_OK);
	CHECK(portal_code_check(st, cfg, a.token, a.code, "c", &l, &o1, &e) ==
	    KD_OK);
	CHECK(portal_code_check(st, cfg, a.token, a.code, "c", &l, &o2, &e) ==
	    KD_OK);
	CHECK(memcmp(o1.challenge, o2.challenge, 32) != 0);
	/* The same user handle each time: it is the key's. */
	CHECK(memcmp(o1.user_handle, o2.user_handle, 32) == 0);
	/* Both stay valid, each once; expired ones go. */
	CHECK(store_challenge_take(st, l.activation, o1.challenge, 32, &e) ==
	    KD_OK);
	CHECK(store_challenge_take(st, l.activation, o1.challenge, 32, &e) ==
	    KD_ERR_NOTFOUND);
	kd_clock_set(kd_now() + PORTAL_CHALLENGE_TTL + 1);
	CHECK(store_challenge_take(st, l.activation, o2.challenge, 32, &e) ==
	    KD_ERR_NOTFOUND);
	kd_clock_set(0);
	CHECK(count(st, "SELECT count(*) FROM challenges") == 0);
	/* A registration body that is not one changes nothing. */
	CHECK(portal_register(st, cfg, a.token, "{}", 2, "c", &l, &e) ==
	    KD_ERR_INVALID);
	CHECK(count(st, "SELECT count(*) FROM keys WHERE status = 'active'") == 0);
	store_close(&st);
}

/* Mail minted at delivery replaces older mailed links but not a QR code
 * shown on a screen. */
static void
mail_beside_screen(void)
{
	struct kd_mail_to to = { "Ada", "ada@example.com" };
	struct kd_activation_secret a;
	struct kd_outbox_row *rows = NULL;
	struct kd_store *st = setup();
	struct kd_link l;
	struct kd_err e;
	size_t n = 0;

	CHECK(st != NULL);
	CHECK(activate_link_issue(st, cfg, 1, "test", &a, NULL, &e) == KD_OK);
	CHECK(store_begin(st, &e) == KD_OK &&
	    mailtext_queue_activation(st, cfg, &to, 1, &e) == KD_OK &&
	    store_commit(st, &e) == KD_OK);
	CHECK(store_outbox_due(st, kd_now(), 10, &rows, &n, &e) == KD_OK &&
	    n == 1);
	CHECK(n == 1 && store_begin(st, &e) == KD_OK &&
	    mailtext_mint_activation(st, cfg, &rows[0], &e) == KD_OK &&
	    store_commit(st, &e) == KD_OK);
	CHECK(portal_link_find(st, a.token, &l, &e) == KD_OK &&
	    l.state == KD_LINK_OPEN);
	CHECK(count(st, "SELECT count(*) FROM activations WHERE revoked_at IS "
	    "NULL") == 2);
	store_outbox_free(rows, n);
	store_close(&st);
}

static void
origins(void)
{
	char o[128];

	CHECK(portal_origin("https://Enroll.Example.com/activate/", o,
	    sizeof(o)) == KD_OK);
	CHECK_EQ_STR(o, "https://enroll.example.com");
	CHECK(portal_origin("https://a.example:443/x", o, sizeof(o)) == KD_OK);
	CHECK_EQ_STR(o, "https://a.example");
	CHECK(portal_origin("http://localhost:8080/activate/", o, sizeof(o)) ==
	    KD_OK);
	CHECK_EQ_STR(o, "http://localhost:8080");
	CHECK(portal_origin("ftp://x/", o, sizeof(o)) == KD_ERR_INVALID);
	CHECK(portal_origin("https://u@x/", o, sizeof(o)) == KD_ERR_INVALID);
	CHECK(portal_origin("https:///", o, sizeof(o)) == KD_ERR_INVALID);
}

static void
lockout_doubles(void)
{
	struct kd_store *st = setup();
	struct kd_err e;
	int64_t fails, lock;
	int i;

	CHECK(st != NULL);
	for (i = 0; i < 5; i++)
		CHECK(lockout_fail(st, &lockout_kiosk, "k1", &fails, &lock, &e) ==
		    KD_OK);
	CHECK(fails == 5 && lock == ACTIVATE_LOCK_SECONDS);
	CHECK(lockout_left(st, &lockout_kiosk, "k1") > 0);
	CHECK(lockout_left(st, &lockout_kiosk, "k2") == 0);
	CHECK(lockout_left(st, &lockout_signin, "k1") == 0);
	for (i = 0; i < 5; i++)
		lockout_fail(st, &lockout_kiosk, "k1", &fails, &lock, &e);
	CHECK(lock == 2 * ACTIVATE_LOCK_SECONDS);
	store_close(&st);
}

int
main(void)
{
	cfg = config_new();
	RUN(link_states);
	RUN(code_lockout);
	RUN(challenges_kept);
	RUN(mail_beside_screen);
	RUN(origins);
	RUN(lockout_doubles);
	config_free(&cfg);
	return tap_done();
}
