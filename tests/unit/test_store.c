/* Store: migrations, uniqueness, transactions, search and paging, outbox,
 * audit chain. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/admin.h"
#include "core/kd.h"
#include "core/store.h"
#include "tests/lib/tap.h"

static char dir[256];

static struct kd_store *
open_tmp(const char *name)
{
	struct kd_store *st = NULL;
	struct kd_err e;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (store_open(&st, path, &e) != KD_OK)
		fprintf(stderr, "store_open: %s\n", e.msg);
	return st;
}

static int64_t
add_user(struct kd_store *st, const char *id, const char *name,
    const char *username, const char *email)
{
	struct kd_user u = { 0 };
	int64_t row = 0;
	struct kd_err e;

	u.user_id = (char *)id;
	u.name = (char *)name;
	u.username = (char *)username;
	u.email = (char *)email;
	if (store_begin(st, &e) != KD_OK || store_user_insert(st, &u, &row, &e) != KD_OK) {
		store_rollback(st);
		return -1;
	}
	store_commit(st, &e);
	return row;
}

static int64_t
count_rows(struct kd_store *st, const char *sql)
{
	sqlite3_stmt *s;
	int64_t n = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static void
test_open_creates_private_file(void)
{
	struct kd_store *st;
	char path[512];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/sub/dir/kd.db", dir);
	{
		struct kd_err e;

		CHECK(store_open(&st, path, &e) == KD_OK);
	}
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	snprintf(path, sizeof(path), "%s/sub/dir", dir);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0700);
	CHECK(store_schema_version(st) == STORE_SCHEMA_VERSION);
	store_close(&st);
	CHECK(st == NULL);
}

static void
test_migration_is_idempotent(void)
{
	struct kd_store *a = open_tmp("m.db"), *b;

	CHECK(add_user(a, "u1", "Ada", "ada", "ada@example.com") > 0);
	store_close(&a);
	b = open_tmp("m.db");
	CHECK(b != NULL && store_schema_version(b) == STORE_SCHEMA_VERSION);
	CHECK(store_user_count(b) == 1);
	store_close(&b);
}

static void
test_newer_schema_refused(void)
{
	struct kd_store *st = open_tmp("new.db");
	struct kd_err e;
	char path[512];

	sqlite3_exec(store_db(st), "PRAGMA user_version = 99", NULL, NULL, NULL);
	store_close(&st);
	snprintf(path, sizeof(path), "%s/new.db", dir);
	CHECK(store_open(&st, path, &e) == KD_ERR_DB);
	CHECK(strstr(e.msg, "newer") != NULL);
}

static void
test_unique_user_id_and_username(void)
{
	struct kd_store *st = open_tmp("u.db");

	CHECK(add_user(st, "u1", "Ada", "ada", "ada@example.com") > 0);
	CHECK(add_user(st, "U1", "Other", "other", "o@example.com") < 0);
	CHECK(add_user(st, "u2", "Other", "ADA", "o@example.com") < 0);
	CHECK(store_user_id_taken(st, "u1", 0) == 1);
	CHECK(store_username_taken(st, "Ada", 0) == 1);
	CHECK(store_username_taken(st, "bob", 0) == 0);
	CHECK(store_user_count(st) == 1);
	store_close(&st);
}

static void
test_rollback_leaves_nothing(void)
{
	struct kd_store *st = open_tmp("r.db");
	struct kd_user u = { 0 };
	struct kd_err e;

	u.user_id = "x";
	u.name = "X";
	u.username = "x";
	u.email = "x@example.com";
	CHECK(store_begin(st, &e) == KD_OK);
	CHECK(store_user_insert(st, &u, NULL, &e) == KD_OK);
	CHECK(store_group_add(st, "g", NULL, &e) == KD_OK);
	store_rollback(st);
	CHECK(store_user_count(st) == 0);
	CHECK(store_group_find(st, "g", &(int64_t){0}, &e) == KD_ERR_NOTFOUND);
	store_close(&st);
}

static void
test_search_parts_and_paging(void)
{
	struct kd_store *st = open_tmp("s.db");
	struct kd_user_query q = { 0 };
	struct kd_user_page p;
	struct kd_err e;
	char id[32], name[64], un[32], em[64];
	int i, seen = 0;

	for (i = 0; i < 120; i++) {
		snprintf(id, sizeof(id), "E%04d", i);
		snprintf(name, sizeof(name), "%s %03d", i % 2 ? "Maria" : "Zed", i);
		snprintf(un, sizeof(un), "user%03d", i);
		snprintf(em, sizeof(em), "u%03d@example.com", i);
		add_user(st, id, name, un, em);
	}
	add_user(st, "mar-1", "Albert", "albert", "al@example.com");
	q.status = -1;
	q.limit = 25;
	q.search = "mar";
	/* 60 Marias by name, then Albert by user ID "mar-1": 61 rows. */
	do {
		CHECK(store_user_list(st, &q, &p, &e) == KD_OK);
		seen += (int)p.n;
		q.after = p.next;
		if (seen == 61)
			CHECK(strcmp(p.users[p.n - 1].user_id, "mar-1") == 0);
		i = p.more;
		store_user_page_clear(&p);
	} while (i && seen < 1000);
	CHECK(seen == 61);
	q.search = "USER00";	/* case-insensitive, username part */
	memset(&q.after, 0, sizeof(q.after));
	CHECK(store_user_list(st, &q, &p, &e) == KD_OK);
	CHECK(p.n == 10 && !p.more);
	store_user_page_clear(&p);
	q.search = NULL;
	q.limit = 50;
	CHECK(store_user_list(st, &q, &p, &e) == KD_OK);
	CHECK(p.n == 50 && p.more && strcmp(p.users[0].name, "Albert") == 0);
	store_user_page_clear(&p);
	store_close(&st);
}

static void
test_status_and_group_filters(void)
{
	struct kd_store *st = open_tmp("f.db");
	struct kd_user_query q = { 0 };
	struct kd_user_page p;
	struct kd_key k = { 0 };
	struct kd_err e;
	int64_t a, b, g;

	a = add_user(st, "a", "Ann", "ann", "a@example.com");
	b = add_user(st, "b", "Bob", "bob", "b@example.com");
	store_begin(st, &e);
	store_group_add(st, "Staff", &g, &e);
	store_member_add(st, g, b, &e);
	k.user = a;
	k.type = KD_KEY_CARD;
	k.name = "card";
	k.status = KD_KS_PENDING;
	CHECK(store_key_insert(st, &k, NULL, &e) == KD_OK);
	CHECK(store_user_refresh_status(st, a, &e) == KD_OK);
	CHECK(store_commit(st, &e) == KD_OK);
	q.status = KD_US_PENDING;
	CHECK(store_user_list(st, &q, &p, &e) == KD_OK);
	CHECK(p.n == 1 && strcmp(p.users[0].user_id, "a") == 0);
	store_user_page_clear(&p);
	q.status = -1;
	q.group = "staff";
	CHECK(store_user_list(st, &q, &p, &e) == KD_OK);
	CHECK(p.n == 1 && strcmp(p.users[0].user_id, "b") == 0);
	store_user_page_clear(&p);
	q.group = "nope";
	CHECK(store_user_list(st, &q, &p, &e) == KD_ERR_NOTFOUND);
	store_close(&st);
}

static void
test_outbox_states_and_secret_erase(void)
{
	struct kd_store *st = open_tmp("o.db");
	struct kd_outbox_row m = { 0 }, *rows;
	int64_t id, q, s, f;
	struct kd_err e;
	size_t n;

	m.to_addr = "a@example.com";
	m.subject = "s";
	m.body = "PIN 123456";
	m.message_id = "<1@x>";
	m.kind = "pin";
	m.secret = 1;
	store_begin(st, &e);
	CHECK(store_outbox_add(st, &m, &id, &e) == KD_OK);
	store_commit(st, &e);
	CHECK(store_outbox_due(st, kd_now(), 10, &rows, &n, &e) == KD_OK && n == 1);
	store_outbox_free(rows, n);
	CHECK(store_outbox_mark_failed(st, id, kd_now() + 60, "421 busy", 0, &e) == KD_OK);
	CHECK(store_outbox_due(st, kd_now(), 10, &rows, &n, &e) == KD_OK && n == 0);
	store_outbox_free(rows, n);
	CHECK(store_outbox_mark_sent(st, id, kd_now(), &e) == KD_OK);
	store_outbox_counts(st, &q, &s, &f);
	CHECK(q == 0 && s == 1 && f == 0);
	CHECK(store_outbox_list(st, "sent", 10, &rows, &n, &e) == KD_OK && n == 1);
	CHECK(n == 1 && rows[0].body == NULL && rows[0].attempts == 2);
	store_outbox_free(rows, n);
	store_close(&st);
}

/* audit --user / --action / --since and paging, over more rows than a
 * page: the filters run in the database, not on a window of it. */
static void
test_audit_query_filters(void)
{
	struct kd_store *st = open_tmp("q.db");
	struct kd_audit_query q = { NULL, NULL, 0, 0, 10 };
	struct kd_audit_row *a = NULL;
	struct kd_err e;
	char subj[16];
	size_t n = 0;
	int i;

	store_begin(st, &e);
	kd_clock_set(1000);
	CHECK(store_audit_add(st, "root", "user.create", "Old1", "x", &e) == KD_OK);
	kd_clock_set(0);
	for (i = 0; i < 3000; i++) {
		snprintf(subj, sizeof(subj), "U%d", i % 300);
		CHECK(store_audit_add(st, "root", i % 2 ? "key.assign" :
		    "user.edit", subj, NULL, &e) == KD_OK);
	}
	store_commit(st, &e);
	q.subject = "old1";	/* user IDs match without case */
	CHECK(store_audit_list(st, &q, &a, &n, &e) == KD_OK && n == 1);
	if (n == 1)
		CHECK(strcmp(a[0].subject, "Old1") == 0 && a[0].id == 1);
	store_audit_free(a, n);
	q.subject = "U7";
	q.limit = 100;
	CHECK(store_audit_list(st, &q, &a, &n, &e) == KD_OK && n == 10);
	store_audit_free(a, n);
	q.action = "Key.";
	CHECK(store_audit_list(st, &q, &a, &n, &e) == KD_OK && n == 10);
	store_audit_free(a, n);	/* U7: i = 7, 307, ... all odd */
	q.subject = NULL;
	q.action = "user.";
	q.limit = 2000;
	CHECK(store_audit_list(st, &q, &a, &n, &e) == KD_OK && n == 1501);
	store_audit_free(a, n);
	q.since = 2000;		/* everything but the row made at t=1000 */
	CHECK(store_audit_list(st, &q, &a, &n, &e) == KD_OK && n == 1500);
	/* The next page starts after the last row shown. */
	q.limit = 1000;
	store_audit_free(a, n);
	CHECK(store_audit_list(st, &q, &a, &n, &e) == KD_OK && n == 1000);
	if (n == 1000)
		q.before = a[999].id;
	store_audit_free(a, n);
	CHECK(store_audit_list(st, &q, &a, &n, &e) == KD_OK && n == 500);
	if (n > 0)
		CHECK(a[0].id < q.before);
	store_audit_free(a, n);
	store_close(&st);
}

static void
test_time_parse(void)
{
	int64_t t = 0;

	CHECK(kd_time_parse("2026-11-23", &t) == KD_OK && t == 1795392000);
	CHECK(kd_time_parse("2026-11-23 08:50", &t) == KD_OK &&
	    t == 1795392000 + 8 * 3600 + 50 * 60);
	CHECK(kd_time_parse("2026-11-23T08:50:55Z", &t) == KD_OK &&
	    t == 1795392000 + 8 * 3600 + 50 * 60 + 55);
	kd_clock_set(1000000);
	CHECK(kd_time_parse("7d", &t) == KD_OK && t == 1000000 - 7 * 86400);
	CHECK(kd_time_parse("90m", &t) == KD_OK && t == 1000000 - 90 * 60);
	kd_clock_set(0);
	CHECK(kd_time_parse("2026-02-31", &t) == KD_ERR_INVALID);
	CHECK(kd_time_parse("2026-11-23 25:00", &t) == KD_ERR_INVALID);
	CHECK(kd_time_parse("yesterday", &t) == KD_ERR_INVALID);
	CHECK(kd_time_parse("7w", &t) == KD_ERR_INVALID);
	CHECK(kd_time_parse("-7d", &t) == KD_ERR_INVALID);
	CHECK(kd_time_parse("2026-11-23x", &t) == KD_ERR_INVALID);
	CHECK(kd_time_parse("", &t) == KD_ERR_INVALID);
}

static void
test_audit_chain_links_rows(void)
{
	struct kd_store *st = open_tmp("a.db");
	struct kd_audit_row *a;
	struct kd_err e;
	int64_t linked = -1;
	size_t n;

	store_begin(st, &e);
	CHECK(store_audit_add(st, "root", "user.create", "u1", "x", &e) == KD_OK);
	CHECK(store_audit_add(st, "root", "group.create", "g", NULL, &e) == KD_OK);
	store_commit(st, &e);
	struct kd_audit_query q = { NULL, NULL, 0, 0, 10 };
	CHECK(store_audit_list(st, &q, &a, &n, &e) == KD_OK && n == 2);
	CHECK(strcmp(a[0].action, "group.create") == 0);
	store_audit_free(a, n);
	sqlite3_stmt *s;
	sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM audit a JOIN audit "
	    "b ON b.id = a.id + 1 WHERE b.prev_hash = a.hash", -1, &s, NULL);
	if (sqlite3_step(s) == SQLITE_ROW)
		linked = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	CHECK(linked == 1);
	store_close(&st);
}

/* Every user the search finds, across pages of `limit`, as "U1,U2,..."
 * in the order listed; also checks no user comes twice. */
static int
search_all(struct kd_store *st, const char *text, int limit, char *out,
    size_t len)
{
	struct kd_user_query q = { 0 };
	struct kd_user_page p;
	struct kd_err e;
	size_t o = 0, i;
	int n = 0, more;

	out[0] = '\0';
	q.status = -1;
	q.limit = limit;
	q.search = text;
	do {
		if (store_user_list(st, &q, &p, &e) != KD_OK)
			return -1;
		for (i = 0; i < p.n; i++, n++) {
			char tag[40], all[8200];

			snprintf(tag, sizeof(tag), ",%s,", p.users[i].user_id);
			snprintf(all, sizeof(all), ",%s,", out);
			CHECK(strstr(all, tag) == NULL);	/* not twice */
			o += (size_t)snprintf(out + o, len - o, "%s%s",
			    o ? "," : "", p.users[i].user_id);
		}
		q.after = p.next;
		more = p.more;
		store_user_page_clear(&p);
	} while (more && n < 100000);
	return n;
}

static void
test_search_any_word(void)
{
	struct kd_store *st = open_tmp("w.db");
	char got[4096];

	add_user(st, "u1", "Zoe Rossi 100651", "zrossi", "zoe@example.com");
	add_user(st, "u2", "Jörg Müller", "jm", "jm@example.com");
	add_user(st, "u3", "Ana García-López", "ag", "ana@example.com");
	add_user(st, "u4", "Rita Zoepfel", "rz", "rita@example.com");
	add_user(st, "u5", "ÉMILE ŁUKASZ", "el", "el@example.com");
	add_user(st, "u6", "Anna Annelie Annett", "aaa", "x@example.com");
	CHECK(search_all(st, "rossi", 10, got, sizeof(got)) == 1);
	CHECK_EQ_STR(got, "u1");
	CHECK(search_all(st, "ROSS", 10, got, sizeof(got)) == 1);
	CHECK(search_all(st, "100651", 10, got, sizeof(got)) == 1);
	CHECK(search_all(st, "mül", 10, got, sizeof(got)) == 1);
	CHECK_EQ_STR(got, "u2");
	CHECK(search_all(st, "MÜLLER", 10, got, sizeof(got)) == 1);
	CHECK(search_all(st, "muller", 10, got, sizeof(got)) == 1);
	CHECK(search_all(st, "jorg", 10, got, sizeof(got)) == 1);
	CHECK(search_all(st, "garc", 10, got, sizeof(got)) == 1);
	CHECK_EQ_STR(got, "u3");
	CHECK(search_all(st, "lopez", 10, got, sizeof(got)) == 1);
	CHECK(search_all(st, "émile", 10, got, sizeof(got)) == 1);
	CHECK_EQ_STR(got, "u5");
	CHECK(search_all(st, "lukasz", 10, got, sizeof(got)) == 1);
	CHECK(search_all(st, "łuk", 10, got, sizeof(got)) == 1);
	/* Several words: each starts a word of the name, in any order. */
	CHECK(search_all(st, "zoe r", 10, got, sizeof(got)) == 2);
	CHECK_EQ_STR(got, "u1,u4");	/* Rita Zoepfel too */
	CHECK(search_all(st, "zoe ro", 10, got, sizeof(got)) == 1);
	CHECK_EQ_STR(got, "u1");
	CHECK(search_all(st, "r zoe", 10, got, sizeof(got)) == 2);
	CHECK(search_all(st, "zoe", 10, got, sizeof(got)) == 2);
	/* Listed by the word that matched: "rossi" < "rita". */
	CHECK(search_all(st, "r", 1, got, sizeof(got)) == 2);
	CHECK_EQ_STR(got, "u4,u1");
	/* Three words match "ann": listed once, at the first. */
	CHECK(search_all(st, "ann", 1, got, sizeof(got)) == 1);
	CHECK_EQ_STR(got, "u6");
	/* Username, user ID and email parts still come after the names. */
	CHECK(search_all(st, "zr", 10, got, sizeof(got)) == 1);
	CHECK(search_all(st, "jm@", 10, got, sizeof(got)) == 1);
	CHECK(search_all(st, "nobody", 10, got, sizeof(got)) == 0);
	CHECK(search_all(st, "--", 10, got, sizeof(got)) == 0);
	store_close(&st);
}

static void
test_search_pages_across_words(void)
{
	struct kd_store *st = open_tmp("wp.db");
	char id[32], name[96], un[32], em[64], got[8192];
	int i, n;

	/* 150 users, each with two words starting "ro" (Rosa Rossi): every
	 * one must come once whatever the page size. */
	for (i = 0; i < 150; i++) {
		snprintf(id, sizeof(id), "P%03d", i);
		snprintf(name, sizeof(name), "%s Rossi %d", i % 3 ? "Rosa" :
		    "Róża", i);
		snprintf(un, sizeof(un), "p%03d", i);
		snprintf(em, sizeof(em), "p%03d@example.com", i);
		add_user(st, id, name, un, em);
	}
	add_user(st, "ro-1", "Albert", "albert", "al@example.com");
	for (n = 1; n <= 64; n = n * 3 + 1)
		CHECK(search_all(st, "ro", n, got, sizeof(got)) == 151);
	CHECK(strstr(got, "ro-1") == got + strlen(got) - 4);
	CHECK(search_all(st, "roza", 7, got, sizeof(got)) == 50);
	CHECK(search_all(st, "rossi ros", 7, got, sizeof(got)) == 150);
	store_close(&st);
}

static int64_t
group_members(struct kd_store *st)
{
	struct kd_group *g = NULL;
	struct kd_err e;
	size_t n = 0;
	int64_t m = -1;

	if (store_group_list(st, &g, &n, &e) == KD_OK && n == 1)
		m = g[0].members;
	store_groups_free(g, n);
	return m;
}

static void
test_search_follows_edits_and_counts(void)
{
	struct kd_store *st = open_tmp("we.db");
	struct kd_user_counts c;
	struct kd_user_edit ed = { 0 };
	struct kd_key k = { 0 };
	struct kd_err e;
	char got[256];
	int64_t a, g;

	a = add_user(st, "e1", "Zoe Rossi", "zr", "z@example.com");
	add_user(st, "e2", "Max Mustermann", "mm", "m@example.com");
	CHECK(store_user_counts(st, &c, &e) == KD_OK);
	CHECK(c.total == 2 && c.by_status[KD_US_NOKEY] == 2);
	ed.name = "Zoe Bianchi";
	CHECK(admin_user_edit(st, "test", "e1", &ed, &e) == KD_OK);
	CHECK(search_all(st, "rossi", 10, got, sizeof(got)) == 0);
	CHECK(search_all(st, "bian", 10, got, sizeof(got)) == 1);
	CHECK(search_all(st, "zoe", 10, got, sizeof(got)) == 1);
	k.user = a;
	k.type = KD_KEY_CARD;
	k.name = "card";
	k.status = KD_KS_PENDING;
	store_begin(st, &e);
	CHECK(store_key_insert(st, &k, NULL, &e) == KD_OK);
	CHECK(store_user_refresh_status(st, a, &e) == KD_OK);
	CHECK(store_commit(st, &e) == KD_OK);
	CHECK(store_user_counts(st, &c, &e) == KD_OK);
	CHECK(c.total == 2 && c.by_status[KD_US_PENDING] == 1 &&
	    c.by_status[KD_US_NOKEY] == 1);
	store_begin(st, &e);
	CHECK(store_group_add(st, "Staff", &g, &e) == KD_OK);
	CHECK(store_member_add(st, g, a, &e) == KD_OK);
	CHECK(store_commit(st, &e) == KD_OK);
	CHECK(group_members(st) == 1);
	CHECK(admin_user_delete(st, "test", "e1", &e) == KD_OK);
	CHECK(group_members(st) == 0);	/* the cascade is counted */
	CHECK(search_all(st, "zoe", 10, got, sizeof(got)) == 0);
	CHECK(search_all(st, "bianchi", 10, got, sizeof(got)) == 0);
	CHECK(count_rows(st, "SELECT count(*) FROM user_words") == 2);
	CHECK(store_user_counts(st, &c, &e) == KD_OK);
	CHECK(c.total == 1 && c.by_status[KD_US_PENDING] == 0);
	CHECK(store_user_count(st) == 1);
	store_close(&st);
}

/* A database of the schema before the word index gets it, and its
 * counts, when it is opened. */
static void
test_migration_builds_words_and_counts(void)
{
	struct kd_store *st = open_tmp("m6.db");
	struct kd_user_counts c;
	struct kd_err e;
	char got[256];

	CHECK(sqlite3_exec(store_db(st), "DROP TABLE user_words;"
	    "DROP TRIGGER users_count_insert; DROP TRIGGER users_count_delete;"
	    "DROP TRIGGER users_count_status; DROP TABLE user_counts;"
	    "DROP TRIGGER memberships_count_insert;"
	    "DROP TRIGGER memberships_count_delete;"
	    "ALTER TABLE groups DROP COLUMN members;"
	    /* and 7's holder columns: back to a version-5 file */
	    "ALTER TABLE outbox DROP COLUMN claim_host;"
	    "ALTER TABLE outbox DROP COLUMN claim_pid;"
	    "ALTER TABLE outbox DROP COLUMN claim_start;"
	    "ALTER TABLE workflow_runs DROP COLUMN holder_host;"
	    "ALTER TABLE workflow_runs DROP COLUMN holder_pid;"
	    "ALTER TABLE workflow_runs DROP COLUMN holder_start;"
	    "PRAGMA user_version = 5;"
	    "INSERT INTO users (user_id, name, email, username, status, "
	    "created_at, updated_at) VALUES ('o1', 'Jörg Müller', 'j@x', "
	    "'j', 2, 0, 0), ('o2', 'Ana García García', 'a@x', 'a', 0, 0, 0);"
	    "INSERT INTO groups (name, created_at) VALUES ('G', 0);"
	    "INSERT INTO memberships SELECT 1, id FROM users;",
	    NULL, NULL, NULL) == SQLITE_OK);
	store_close(&st);
	st = open_tmp("m6.db");
	CHECK(st != NULL && store_schema_version(st) == STORE_SCHEMA_VERSION);
	if (st == NULL)
		return;
	CHECK(search_all(st, "muller", 10, got, sizeof(got)) == 1);
	CHECK(search_all(st, "garcia", 10, got, sizeof(got)) == 1);
	CHECK(count_rows(st, "SELECT count(*) FROM user_words") == 4);
	CHECK(store_user_counts(st, &c, &e) == KD_OK);
	CHECK(c.total == 2 && c.by_status[KD_US_ACTIVE] == 1);
	CHECK(group_members(st) == 2);
	store_close(&st);
}

int
main(void)
{
	snprintf(dir, sizeof(dir), "%s/kdstore.XXXXXX",
	    getenv("KD_TESTTMP") ? getenv("KD_TESTTMP") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 1;
	RUN(test_open_creates_private_file);
	RUN(test_migration_is_idempotent);
	RUN(test_newer_schema_refused);
	RUN(test_unique_user_id_and_username);
	RUN(test_rollback_leaves_nothing);
	RUN(test_search_parts_and_paging);
	RUN(test_status_and_group_filters);
	RUN(test_search_any_word);
	RUN(test_search_pages_across_words);
	RUN(test_search_follows_edits_and_counts);
	RUN(test_migration_builds_words_and_counts);
	RUN(test_outbox_states_and_secret_erase);
	RUN(test_audit_chain_links_rows);
	RUN(test_audit_query_filters);
	RUN(test_time_parse);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return tap_done();
}
