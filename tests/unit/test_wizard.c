/* Wizard: validation, transitions, back keeps values, skipped steps, and
 * the one-transaction commit (user, groups, key, activation, mail, audit). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/enroll.h"
#include "core/store.h"
#include "core/wizard.h"
#include "tests/lib/tap.h"

static int tolower_ascii(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static struct kd_config *cfg;

static struct kd_store *
mem_store(void)
{
	struct kd_store *st = NULL;
	struct kd_err e;

	if (store_open(&st, ":memory:", &e) != KD_OK)
		fprintf(stderr, "%s\n", e.msg);
	return st;
}

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

static void
fill_info(struct kd_draft *d, const char *id, const char *email)
{
	snprintf(d->user_id, sizeof(d->user_id), "%s", id);
	snprintf(d->name, sizeof(d->name), "Zoë Ångström");
	snprintf(d->email, sizeof(d->email), "%s", email);
	snprintf(d->username, sizeof(d->username), "zoe.%s", id);
}

static void
test_info_validation_inline(void)
{
	struct kd_store *st = mem_store();
	struct kd_wizard *w;
	struct kd_err e;

	CHECK(wizard_new(&w, st, cfg, 0, &e) == KD_OK);
	CHECK(wizard_step(w) == KD_STEP_INFO);
	CHECK(wizard_next(w) == KD_ERR_INVALID);
	CHECK(wizard_field_error(w, KD_F_USER_ID) != NULL);
	CHECK(wizard_errors(w) == 4);
	fill_info(wizard_draft(w), "E1", "not-an-email");
	CHECK(wizard_next(w) == KD_ERR_INVALID);
	CHECK(wizard_step(w) == KD_STEP_INFO);
	CHECK(wizard_field_error(w, KD_F_EMAIL) != NULL);
	CHECK(wizard_field_error(w, KD_F_NAME) == NULL);
	snprintf(wizard_draft(w)->email, KD_DRAFT_TEXT, "  zoe@example.com ");
	CHECK(wizard_next(w) == KD_OK);
	CHECK(strcmp(wizard_draft(w)->email, "zoe@example.com") == 0);
	CHECK(wizard_step(w) == KD_STEP_GROUPS);
	wizard_free(&w);
	store_close(&st);
}

static void
test_control_chars_and_lengths_refused(void)
{
	struct kd_store *st = mem_store();
	struct kd_wizard *w;
	struct kd_err e;
	struct kd_draft *d;

	wizard_new(&w, st, cfg, 0, &e);
	d = wizard_draft(w);
	fill_info(d, "E2", "a@example.com");
	snprintf(d->name, sizeof(d->name), "Evil\x1b[2JName");
	CHECK(wizard_check_field(w, KD_F_NAME) == KD_ERR_INVALID);
	snprintf(d->name, sizeof(d->name), "bad \xff utf8");
	CHECK(wizard_check_field(w, KD_F_NAME) == KD_ERR_INVALID);
	snprintf(d->name, sizeof(d->name), "bidi \xe2\x80\xae override");
	CHECK(wizard_check_field(w, KD_F_NAME) == KD_ERR_INVALID);
	memset(d->name, 'a', 129);
	d->name[129] = '\0';
	CHECK(wizard_check_field(w, KD_F_NAME) == KD_ERR_INVALID);
	snprintf(d->username, sizeof(d->username), "has space");
	CHECK(wizard_check_field(w, KD_F_USERNAME) == KD_ERR_INVALID);
	snprintf(d->user_id, sizeof(d->user_id), "has space");
	CHECK(wizard_check_field(w, KD_F_USER_ID) == KD_ERR_INVALID);
	wizard_free(&w);
	store_close(&st);
}

static void
walk_to_confirm(struct kd_wizard *w)
{
	CHECK(wizard_next(w) == KD_OK);	/* info */
	CHECK(wizard_next(w) == KD_OK);	/* groups */
	CHECK(wizard_next(w) == KD_OK);	/* key toggle */
	if (wizard_draft(w)->want_key) {
		CHECK(wizard_next(w) == KD_OK);	/* type */
		CHECK(wizard_next(w) == KD_OK);	/* settings */
		CHECK(wizard_next(w) == KD_OK);	/* activation */
	}
	CHECK(wizard_step(w) == KD_STEP_CONFIRM);
}

static void
test_no_key_skips_to_confirm(void)
{
	struct kd_store *st = mem_store();
	struct kd_wizard *w;
	struct kd_err e;
	int n, of;

	wizard_new(&w, st, cfg, 0, &e);
	fill_info(wizard_draft(w), "E3", "e3@example.com");
	walk_to_confirm(w);
	wizard_progress(w, &n, &of);
	CHECK(n == 4 && of == 4);
	CHECK(wizard_back(w) == KD_OK && wizard_step(w) == KD_STEP_KEY);
	wizard_free(&w);
	store_close(&st);
}

static void
test_back_keeps_values_and_type_change_resets_settings(void)
{
	struct kd_store *st = mem_store();
	struct kd_wizard *w;
	struct kd_draft *d;
	struct kd_err e;

	wizard_new(&w, st, cfg, 0, &e);
	d = wizard_draft(w);
	fill_info(d, "E4", "e4@example.com");
	CHECK(wizard_next(w) == KD_OK);
	CHECK(wizard_back(w) == KD_OK);
	CHECK(strcmp(d->user_id, "E4") == 0 && strcmp(d->name, "Zoë Ångström") == 0);
	CHECK(wizard_next(w) == KD_OK && wizard_next(w) == KD_OK);
	d->want_key = 1;
	CHECK(wizard_next(w) == KD_OK && wizard_step(w) == KD_STEP_TYPE);
	d->type = KD_KEY_SMARTPHONE;
	CHECK(wizard_next(w) == KD_OK);
	CHECK(d->settings.verification == cfg->defaults[KD_KEY_SMARTPHONE].verification);
	d->use_defaults = 0;
	d->settings.verification = KD_VERIFY_PINLESS;	/* not for phones */
	CHECK(wizard_next(w) == KD_ERR_INVALID);
	CHECK(wizard_field_error(w, KD_F_SETTINGS) != NULL);
	d->settings.verification = KD_VERIFY_BIOMETRIC;
	CHECK(wizard_next(w) == KD_OK && wizard_step(w) == KD_STEP_ACTIVATION);
	CHECK(strstr(d->key_name, "phone") != NULL);
	/* A phone can be activated now (through its QR code). */
	d->method = KD_METHOD_NOW;
	CHECK(wizard_next(w) == KD_OK && wizard_step(w) == KD_STEP_CONFIRM);
	CHECK(wizard_field_error(w, KD_F_METHOD) == NULL);
	CHECK(wizard_back(w) == KD_OK && wizard_step(w) == KD_STEP_ACTIVATION);
	d->method = KD_METHOD_EMAIL;
	CHECK(wizard_next(w) == KD_OK && wizard_step(w) == KD_STEP_CONFIRM);
	wizard_free(&w);
	store_close(&st);
}

static void
test_confirm_commits_everything_once(void)
{
	struct kd_store *st = mem_store();
	struct kd_enroll_result res;
	struct kd_wizard *w;
	struct kd_draft *d;
	struct kd_err e;

	wizard_new(&w, st, cfg, 0, &e);
	d = wizard_draft(w);
	fill_info(d, "E5", "e5@example.com");
	CHECK(wizard_next(w) == KD_OK);
	CHECK(wizard_group_create(w, "Engineering", &e) == KD_OK);
	CHECK(wizard_group_create(w, "Badge desk", &e) == KD_OK);
	CHECK(wizard_group_selected(w, "engineering"));
	CHECK(wizard_next(w) == KD_OK);
	d->want_key = 1;
	CHECK(wizard_next(w) == KD_OK);
	d->type = KD_KEY_CARD;
	CHECK(wizard_next(w) == KD_OK);
	d->use_defaults = 0;
	d->settings.verification = KD_VERIFY_PIN;
	d->settings.offline_login = 1;
	CHECK(wizard_next(w) == KD_OK);
	CHECK(wizard_next(w) == KD_OK && wizard_step(w) == KD_STEP_CONFIRM);
	/* Nothing is written before Confirm. */
	CHECK(count(st, "SELECT count(*) FROM users") == 0);
	CHECK(count(st, "SELECT count(*) FROM groups") == 0);
	CHECK(wizard_confirm(w, "tester", NULL, NULL, &res, &e) == KD_OK);
	CHECK(wizard_step(w) == KD_STEP_DONE);
	CHECK(res.mails == 1 && res.key_id > 0 && !res.key_active);
	CHECK(res.groups_created == 2);
	CHECK(count(st, "SELECT count(*) FROM users WHERE status = 1") == 1);
	CHECK(count(st, "SELECT count(*) FROM memberships") == 2);
	CHECK(count(st, "SELECT count(*) FROM keys WHERE status = 'pending' AND "
	    "verification = 'pin' AND offline_login = 1") == 1);
	/* The link and code are made when the mail goes out, not before. */
	CHECK(count(st, "SELECT count(*) FROM activations") == 0);
	CHECK(count(st, "SELECT count(*) FROM outbox WHERE to_addr = "
	    "'e5@example.com' AND kind = 'activation' AND body IS NULL AND "
	    "key IS NOT NULL") == 1);
	CHECK(count(st, "SELECT count(*) FROM audit WHERE action = 'user.create'") == 1);
	wizard_free(&w);
	store_close(&st);
}

/* "Activate now" for a smartphone commits as email does (Pending, the
 * activation email queued, no credential); a card's still needs one. */
static void
test_phone_now_commits_pending_with_mail(void)
{
	struct kd_store *st = mem_store();
	struct kd_enroll_result res;
	struct kd_wizard *w;
	struct kd_draft *d;
	struct kd_err e;

	wizard_new(&w, st, cfg, 0, &e);
	d = wizard_draft(w);
	fill_info(d, "E7", "e7@example.com");
	d->want_key = 1;
	d->type = KD_KEY_CARD;
	d->method = KD_METHOD_NOW;
	wizard_suggest_key_name(w);
	CHECK(wizard_confirm(w, "t", NULL, NULL, &res, &e) == KD_ERR_INVALID);
	CHECK(strstr(e.msg, "verified credential") != NULL);
	CHECK(count(st, "SELECT count(*) FROM users") == 0);
	d->type = KD_KEY_SMARTPHONE;
	d->settings = cfg->defaults[KD_KEY_SMARTPHONE];
	wizard_suggest_key_name(w);
	CHECK(wizard_confirm(w, "t", NULL, NULL, &res, &e) == KD_OK);
	CHECK(wizard_step(w) == KD_STEP_DONE);
	CHECK(res.key_id > 0 && !res.key_active && res.mails == 1);
	CHECK(strcmp(res.mail_kinds, "activation") == 0);
	CHECK(strcmp(res.mailed_to, "e7@example.com") == 0);
	CHECK(count(st, "SELECT count(*) FROM keys WHERE type = 'smartphone' "
	    "AND status = 'pending'") == 1);
	CHECK(count(st, "SELECT count(*) FROM outbox WHERE to_addr = "
	    "'e7@example.com' AND kind = 'activation' AND status = 'queued'") == 1);
	CHECK(count(st, "SELECT count(*) FROM users WHERE status = 1") == 1);
	CHECK(count(st, "SELECT count(*) FROM audit WHERE action = 'user.create' "
	    "AND details LIKE '%status=pending%method=now%'") == 1);
	wizard_free(&w);
	store_close(&st);
}

static void
test_commit_failure_leaves_nothing(void)
{
	struct kd_store *st = mem_store();
	struct kd_enroll_result res;
	struct kd_wizard *a, *b;
	struct kd_err e;

	wizard_new(&a, st, cfg, 0, &e);
	wizard_new(&b, st, cfg, 0, &e);
	fill_info(wizard_draft(a), "E6", "e6@example.com");
	fill_info(wizard_draft(b), "E6", "e6@example.com");
	wizard_group_create(b, "Only-b", &e);
	walk_to_confirm(a);
	walk_to_confirm(b);
	CHECK(wizard_confirm(a, "t", NULL, NULL, &res, &e) == KD_OK);
	/* b validated before a committed; the commit re-checks. */
	CHECK(wizard_confirm(b, "t", NULL, NULL, &res, &e) == KD_ERR_INVALID ||
	    e.code == KD_ERR_EXISTS);
	CHECK(count(st, "SELECT count(*) FROM users") == 1);
	CHECK(count(st, "SELECT count(*) FROM groups") == 0);
	wizard_free(&a);
	wizard_free(&b);
	store_close(&st);
}

static void
test_secret_codes_hash_and_normalise(void)
{
	struct kd_activation_secret s;
	unsigned char h1[32], h2[32];
	char typed[32];
	size_t i;

	CHECK(enroll_secret_new(&s) == KD_OK);
	CHECK(strlen(s.token) == 43 && strlen(s.code) == 11 && s.code[5] == '-');
	for (i = 0; s.token[i]; i++)
		CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_", s.token[i]) != NULL);
	CHECK(enroll_code_hash(s.code, h1) == KD_OK);
	snprintf(typed, sizeof(typed), " %.5s %.5s", s.code, s.code + 6);
	for (i = 0; typed[i]; i++)
		typed[i] = (char)tolower_ascii(typed[i]);
	CHECK(enroll_code_hash(typed, h2) == KD_OK);
	CHECK(memcmp(h1, h2, 32) == 0);
	CHECK(enroll_code_hash("ABCDE", h2) == KD_ERR_INVALID);
	CHECK(enroll_code_hash("ABCDE-FGHI0", h2) == KD_ERR_INVALID);
}

int
main(void)
{
	cfg = config_new();
	RUN(test_info_validation_inline);
	RUN(test_control_chars_and_lengths_refused);
	RUN(test_no_key_skips_to_confirm);
	RUN(test_back_keeps_values_and_type_change_resets_settings);
	RUN(test_confirm_commits_everything_once);
	RUN(test_phone_now_commits_pending_with_mail);
	RUN(test_commit_failure_leaves_nothing);
	RUN(test_secret_codes_hash_and_normalise);
	config_free(&cfg);
	return tap_done();
}
