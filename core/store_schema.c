/* The schema and its forward migrations, versioned with PRAGMA user_version.
 * Migration N takes the database from version N-1 to N; they run in one
 * write transaction so several processes opening a new file agree. */
#include "core/store_int.h"

#include <stdio.h>

static const char *migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id TEXT NOT NULL COLLATE NOCASE UNIQUE,"
	"  username TEXT NOT NULL COLLATE NOCASE UNIQUE,"
	"  name TEXT NOT NULL COLLATE NOCASE,"
	"  email TEXT NOT NULL COLLATE NOCASE,"
	"  status INTEGER NOT NULL DEFAULT 0,"	/* derived from keys, cached */
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX users_name ON users(name);"
	"CREATE INDEX users_email ON users(email);"
	"CREATE INDEX users_status_name ON users(status, name);"
	"CREATE TABLE groups ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL COLLATE NOCASE UNIQUE,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE memberships ("
	"  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
	"  user INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (group_id, user)) WITHOUT ROWID;"
	"CREATE INDEX memberships_user ON memberships(user);"
	"CREATE TABLE keys ("
	"  id INTEGER PRIMARY KEY,"
	"  user INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  type TEXT NOT NULL CHECK (type IN ('smartphone','card','fido2')),"
	"  name TEXT NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('pending','active','revoked')),"
	"  auditable INTEGER NOT NULL,"
	"  bluetooth_proximity INTEGER NOT NULL,"
	"  offline_login INTEGER NOT NULL,"
	"  verification TEXT NOT NULL,"
	"  user_handle BLOB,"
	"  credential_id TEXT,"
	"  public_key TEXT,"
	"  aaguid TEXT,"
	"  attestation_fmt TEXT,"
	"  attestation_cert TEXT,"
	"  authenticator_info TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  activated_at INTEGER,"
	"  activated_by TEXT,"
	"  revoked_at INTEGER,"
	"  revoked_reason TEXT);"
	"CREATE INDEX keys_user ON keys(user);"
	"CREATE TABLE activations ("
	"  id INTEGER PRIMARY KEY,"
	"  key INTEGER NOT NULL REFERENCES keys(id) ON DELETE CASCADE,"
	"  token_hash BLOB NOT NULL UNIQUE,"
	"  code_hash BLOB NOT NULL UNIQUE,"
	"  link_expires_at INTEGER NOT NULL,"
	"  code_expires_at INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  used_at INTEGER,"
	"  revoked_at INTEGER);"
	"CREATE INDEX activations_key ON activations(key);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  to_name TEXT,"
	"  to_addr TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  body TEXT,"
	"  message_id TEXT NOT NULL,"	/* random: unique without an index */
	"  kind TEXT NOT NULL,"
	"  secret INTEGER NOT NULL DEFAULT 0,"
	"  status TEXT NOT NULL DEFAULT 'queued'"
	"    CHECK (status IN ('queued','sent','failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  next_attempt_at INTEGER NOT NULL,"
	"  sent_at INTEGER);"
	"CREATE INDEX outbox_due ON outbox(status, next_attempt_at);"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  subject TEXT,"
	"  details TEXT,"
	"  prev_hash BLOB,"
	"  hash BLOB NOT NULL);"
	"CREATE TABLE kiosk_attempts ("
	"  kiosk TEXT PRIMARY KEY,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  locked_until INTEGER NOT NULL DEFAULT 0,"
	"  lockouts INTEGER NOT NULL DEFAULT 0);",

	/* 2: Security Key Device Assignment workflows */
	"CREATE TABLE workflows ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL COLLATE NOCASE UNIQUE,"
	"  type TEXT NOT NULL CHECK (type IN ('smartphone','card','fido2')),"
	"  use_defaults INTEGER NOT NULL,"
	"  auditable INTEGER NOT NULL,"
	"  bluetooth_proximity INTEGER NOT NULL,"
	"  offline_login INTEGER NOT NULL,"
	"  verification TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  created_by TEXT NOT NULL);"
	"CREATE TABLE workflow_groups ("
	"  workflow INTEGER NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,"
	"  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (workflow, group_id)) WITHOUT ROWID;"
	"CREATE TABLE workflow_runs ("
	"  id INTEGER PRIMARY KEY,"
	"  workflow INTEGER NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,"
	"  started_at INTEGER NOT NULL,"
	"  finished_at INTEGER,"
	"  actor TEXT NOT NULL,"
	"  in_scope INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL DEFAULT 0,"
	"  skipped INTEGER NOT NULL DEFAULT 0,"
	"  failed INTEGER NOT NULL DEFAULT 0,"
	"  status TEXT NOT NULL DEFAULT 'running');"
	"CREATE INDEX workflow_runs_wf ON workflow_runs(workflow, id);"
	"CREATE INDEX keys_user_type ON keys(user, type, status);"
	"CREATE INDEX outbox_queue ON outbox(status, id);",

	/* 3: operators who sign in at a kiosk, and their failed sign-ins */
	"CREATE TABLE operators ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL COLLATE NOCASE UNIQUE,"
	"  role TEXT NOT NULL CHECK (role IN ('admin','operator','kiosk')),"
	"  password_hash TEXT,"
	"  credential_id TEXT,"
	"  public_key TEXT,"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE signin_attempts ("
	"  who TEXT PRIMARY KEY,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  locked_until INTEGER NOT NULL DEFAULT 0,"
	"  lockouts INTEGER NOT NULL DEFAULT 0);",

	/* 4: activation mails are minted at delivery.  The row names its key;
	 * the link and code are made, hashed into activations and put in the
	 * body only in memory, so the database never holds them in clear.
	 * keys_user is covered by keys_user_type (same leading column). */
	"ALTER TABLE outbox ADD COLUMN key INTEGER "
	"  REFERENCES keys(id) ON DELETE SET NULL;"
	"CREATE INDEX outbox_key ON outbox(key) WHERE key IS NOT NULL;"
	"DROP INDEX keys_user;"
	/* audit --user and the audit screen's user: filter, at any depth */
	"CREATE INDEX audit_subject ON audit(subject COLLATE NOCASE, id);",

	/* 5: the activation portal.  One lock-out table for kiosk codes,
	 * operator sign-in and portal links (core/lockout.c); why a link
	 * closed, so its page can say so; where a link was shown (mail, or
	 * a screen's QR code: a new mail replaces only mailed ones); the
	 * WebAuthn challenges a right code earned, each used once. */
	"CREATE TABLE lockouts ("
	"  scope TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  locked_until INTEGER NOT NULL DEFAULT 0,"
	"  lockouts INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (scope, name)) WITHOUT ROWID;"
	"INSERT INTO lockouts SELECT 'kiosk', kiosk, failures, locked_until, "
	"  lockouts FROM kiosk_attempts;"
	"INSERT INTO lockouts SELECT 'signin', who, failures, locked_until, "
	"  lockouts FROM signin_attempts;"
	"DROP TABLE kiosk_attempts;"
	"DROP TABLE signin_attempts;"
	"ALTER TABLE activations ADD COLUMN via TEXT NOT NULL DEFAULT 'mail';"
	"ALTER TABLE activations ADD COLUMN closed_why TEXT;"
	"CREATE TABLE challenges ("
	"  activation INTEGER NOT NULL REFERENCES activations(id) "
	"    ON DELETE CASCADE,"
	"  challenge BLOB NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  PRIMARY KEY (activation, challenge)) WITHOUT ROWID;"
	"CREATE INDEX keys_credential ON keys(credential_id) "
	"  WHERE credential_id IS NOT NULL;",

	/* 6: search by the start of any word of a name, and counts kept as
	 * users and members come and go.  user_words holds each distinct folded word of
	 * a name (core/fold.c); the store keeps it in the transaction of
	 * every change to a name (store_user.c), and this builds it for the
	 * rows already there with kd_fold_words(), a function of the
	 * connection, split on its spaces.  user_counts is kept by triggers,
	 * so a status set by any statement (a workflow's bulk update, a key
	 * activated) is counted. */
	"CREATE TABLE user_words ("
	"  word TEXT NOT NULL,"
	"  user INTEGER NOT NULL,"
	"  PRIMARY KEY (word, user)) WITHOUT ROWID;"
	"WITH RECURSIVE split(user, word, rest) AS ("
	"  SELECT id, '', kd_fold_words(name) || ' ' FROM users"
	"  UNION ALL SELECT user, substr(rest, 1, instr(rest, ' ') - 1),"
	"    substr(rest, instr(rest, ' ') + 1) FROM split WHERE rest != '')"
	"INSERT OR IGNORE INTO user_words (word, user)"
	"  SELECT word, user FROM split WHERE word != '';"
	"CREATE TABLE user_counts ("
	"  status INTEGER PRIMARY KEY,"
	"  n INTEGER NOT NULL);"
	"INSERT INTO user_counts SELECT s, (SELECT count(*) FROM users "
	"  WHERE status = s) FROM (SELECT 0 AS s UNION ALL SELECT 1 "
	"  UNION ALL SELECT 2);"
	"CREATE TRIGGER users_count_insert AFTER INSERT ON users BEGIN"
	"  UPDATE user_counts SET n = n + 1 WHERE status = new.status; END;"
	"CREATE TRIGGER users_count_delete AFTER DELETE ON users BEGIN"
	"  UPDATE user_counts SET n = n - 1 WHERE status = old.status; END;"
	"CREATE TRIGGER users_count_status AFTER UPDATE OF status ON users "
	"  WHEN old.status IS NOT new.status BEGIN"
	"  UPDATE user_counts SET n = n - 1 WHERE status = old.status;"
	"  UPDATE user_counts SET n = n + 1 WHERE status = new.status; END;"
	/* A group's member count, shown in every group picker, the same way
	 * (foreign key cascades fire the delete trigger too). */
	"ALTER TABLE groups ADD COLUMN members INTEGER NOT NULL DEFAULT 0;"
	"UPDATE groups SET members = (SELECT count(*) FROM memberships "
	"  WHERE group_id = groups.id);"
	"CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships "
	"  BEGIN UPDATE groups SET members = members + 1 "
	"  WHERE id = new.group_id; END;"
	"CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships "
	"  BEGIN UPDATE groups SET members = members - 1 "
	"  WHERE id = old.group_id; END;",

	/* 7: who holds an outbox claim or a workflow run (core/holder.h), so
	 * a dead holder's lease is taken over at once. */
	"ALTER TABLE outbox ADD COLUMN claim_host TEXT;"
	"ALTER TABLE outbox ADD COLUMN claim_pid INTEGER;"
	"ALTER TABLE outbox ADD COLUMN claim_start INTEGER;"
	"ALTER TABLE workflow_runs ADD COLUMN holder_host TEXT;"
	"ALTER TABLE workflow_runs ADD COLUMN holder_pid INTEGER;"
	"ALTER TABLE workflow_runs ADD COLUMN holder_start INTEGER;",
};

int
store_migrate(struct kd_store *st, struct kd_err *e)
{
	char pragma[64];
	int64_t v = 0;
	size_t i;
	int r;

	/* Up to date: no write lock needed (another kiosk may hold it). */
	if (store_int(st, &v, "PRAGMA user_version", "") == KD_OK &&
	    v == (int64_t)KD_NELEM(migrations))
		return KD_OK;
	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if (store_int(st, &v, "PRAGMA user_version", "") != KD_OK) {
		r = store_fail(st, "cannot read the schema version", e);
		goto fail;
	}
	if (v > (int64_t)KD_NELEM(migrations)) {
		r = kd_err_set(e, KD_ERR_DB, "database %s has schema version "
		    "%lld, newer than this keydesk knows (%zu): upgrade keydesk",
		    st->path, (long long)v, KD_NELEM(migrations));
		goto fail;
	}
	for (i = (size_t)v; i < KD_NELEM(migrations); i++) {
		if (sqlite3_exec(st->db, migrations[i], NULL, NULL, NULL) !=
		    SQLITE_OK) {
			r = store_fail(st, "schema migration failed", e);
			goto fail;
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %zu", i + 1);
		if (sqlite3_exec(st->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
			r = store_fail(st, "schema migration failed", e);
			goto fail;
		}
	}
	return store_commit(st, e);
fail:
	store_rollback(st);
	return r;
}
