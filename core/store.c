/* Opening the database, transactions, and the statement helpers. */
#include "core/store_int.h"
#include "core/fold.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUSY_TIMEOUT_MS 10000

/* Creates the directory part of `path` (mode 0700) if it is missing. */
static int
make_parent_dirs(const char *path, struct kd_err *e)
{
	char buf[4096];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return kd_err_set(e, KD_ERR_INVALID, "database path too long");
	for (p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST)
			return kd_err_set(e, KD_ERR_IO, "cannot create %s: %s",
			    buf, strerror(errno));
		*p = '/';
	}
	return KD_OK;
}

/* A new database file is created 0600: it holds personal data. */
static int
create_file_private(const char *path, struct kd_err *e)
{
	int fd;

	if (strcmp(path, ":memory:") == 0 || access(path, F_OK) == 0)
		return KD_OK;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		if (errno == EEXIST)
			return KD_OK;
		return kd_err_set(e, KD_ERR_IO, "cannot create database %s: %s",
		    path, strerror(errno));
	}
	close(fd);
	return KD_OK;
}

int
store_fail(struct kd_store *st, const char *what, struct kd_err *e)
{
	int rc = sqlite3_extended_errcode(st->db);

	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return kd_err_set(e, KD_ERR_BUSY, "%s: the database is locked "
		    "by another keydesk (waited %d s); try again", what,
		    BUSY_TIMEOUT_MS / 1000);
	/* A full disk shows as SQLITE_FULL, or as a bare "disk I/O error"
	 * when the -wal or -shm file cannot grow: say which it is. */
	if ((rc & 0xff) == SQLITE_FULL || ((rc & 0xff) == SQLITE_IOERR &&
	    sqlite3_system_errno(st->db) == ENOSPC))
		return kd_err_set(e, KD_ERR_IO, "%s: no space left on the disk "
		    "holding %s (the change was not made; free some space and "
		    "try again)", what, st->path);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return kd_err_set(e, KD_ERR_EXISTS, "%s: %s", what,
		    sqlite3_errmsg(st->db));
	return kd_err_set(e, KD_ERR_DB, "%s: %s", what, sqlite3_errmsg(st->db));
}

/* kd_fold_words(text): the folded words of a name, for the migration
 * that indexes the rows already there (store_schema.c, 6). */
static void
sql_fold_words(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const unsigned char *in = sqlite3_value_text(argv[0]);
	char out[1024];
	size_t n;

	(void)argc;
	if (in == NULL) {
		sqlite3_result_null(cx);
		return;
	}
	n = fold_words((const char *)in, out, sizeof(out));
	sqlite3_result_text(cx, out, (int)n, SQLITE_TRANSIENT);
}

static int
configure(struct kd_store *st, struct kd_err *e)
{
	static const char *pragmas =
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA secure_delete = ON;"
	    "PRAGMA trusted_schema = OFF;"
	    /* Statement journals in memory: once one spills to a temporary
	     * file, every later statement of a bulk transaction writes its
	     * pages there (16 page writes a user in an import). */
	    "PRAGMA temp_store = MEMORY;";

	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	if (sqlite3_create_function(st->db, "kd_fold_words", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, sql_fold_words,
	    NULL, NULL) != SQLITE_OK)
		return store_fail(st, "cannot configure the database", e);
	if (sqlite3_exec(st->db, pragmas, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(st, "cannot configure the database", e);
	return KD_OK;
}

static int
open_db(struct kd_store **out, const char *path, int create, struct kd_err *e)
{
	struct kd_store *st = NULL;
	int r;

	*out = NULL;
	if (strcmp(path, ":memory:") != 0 && create &&
	    ((r = make_parent_dirs(path, e)) != KD_OK ||
	    (r = create_file_private(path, e)) != KD_OK))
		return r;
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(path)) == NULL) {
		r = kd_err_set(e, KD_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_FULLMUTEX,
	    NULL) != SQLITE_OK) {
		r = kd_err_set(e, KD_ERR_DB, "cannot open database %s: %s",
		    path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	if ((r = configure(st, e)) != KD_OK || (r = store_migrate(st, e)) != KD_OK)
		goto fail;
	*out = st;
	return KD_OK;
fail:
	store_close(&st);
	return r;
}

int
store_open(struct kd_store **out, const char *path, struct kd_err *e)
{
	return open_db(out, path, 1, e);
}

/* A path typed by hand (--db, database:) that names no file is a mistake
 * far more often than a wish for a new, empty database. */
int
store_open_existing(struct kd_store **out, const char *path, struct kd_err *e)
{
	struct stat sb;

	*out = NULL;
	if (strcmp(path, ":memory:") != 0 && stat(path, &sb) != 0) {
		if (errno == ENOENT)
			return kd_err_set(e, KD_ERR_NOTFOUND, "database %s does "
			    "not exist (check --db or database: in the "
			    "configuration; keydesk init creates it)", path);
		return kd_err_set(e, KD_ERR_IO, "database %s: %s", path,
		    strerror(errno));
	}
	return open_db(out, path, 0, e);
}

int
store_check_private(const char *path, struct kd_err *e)
{
	struct stat sb;

	if (strcmp(path, ":memory:") == 0 || stat(path, &sb) != 0 ||
	    (sb.st_mode & 0077) == 0)
		return KD_OK;
	return kd_err_set(e, KD_ERR_DENIED, "warning: database %s can be read "
	    "by other users (mode %04o): run chmod 600 %s", path,
	    (unsigned)(sb.st_mode & 07777), path);
}

void
store_close(struct kd_store **stp)
{
	struct kd_store *st;

	if (stp == NULL || (st = *stp) == NULL)
		return;
	for (size_t i = 0; i < STORE_CACHE; i++)
		sqlite3_finalize(st->cache[i].stmt);
	if (st->db != NULL)
		sqlite3_close_v2(st->db);
	free(st->path);
	free(st);
	*stp = NULL;
}

sqlite3 *
store_db(struct kd_store *st)
{
	return st->db;
}

const char *
store_path(const struct kd_store *st)
{
	return st->path;
}

int
store_schema_version(struct kd_store *st)
{
	int64_t v = -1;

	store_int(st, &v, "PRAGMA user_version", "");
	return (int)v;
}

int
store_data_version(struct kd_store *st, int64_t *v)
{
	return store_int(st, v, "PRAGMA data_version", "");
}

/* A read transaction: many reads see one snapshot and take the WAL read
 * lock once, not once a statement (an import's checks of every row). */
int
store_read_begin(struct kd_store *st, struct kd_err *e)
{
	if (st->depth > 0)
		return KD_OK;
	if (sqlite3_exec(st->db, "BEGIN DEFERRED", NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(st, "cannot start a read", e);
	return KD_OK;
}

void
store_read_end(struct kd_store *st)
{
	if (st->depth == 0 && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
}

int
store_begin(struct kd_store *st, struct kd_err *e)
{
	if (st->depth++ > 0)
		return KD_OK;
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		st->depth = 0;
		return store_fail(st, "cannot start a write", e);
	}
	return KD_OK;
}

int
store_commit(struct kd_store *st, struct kd_err *e)
{
	if (st->depth == 0 || --st->depth > 0)
		return KD_OK;
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int r = store_fail(st, "cannot commit", e);

		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return r;
	}
	return KD_OK;
}

/* Rolls back the whole transaction, whatever the nesting. */
void
store_rollback(struct kd_store *st)
{
	if (st->depth == 0)
		return;
	st->depth = 0;
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static int
bind_args(sqlite3_stmt *s, const char *fmt, va_list ap)
{
	const char *t;
	const void *b;
	int i, rc = SQLITE_OK, n;

	for (i = 0; fmt[i] != '\0' && rc == SQLITE_OK; i++) {
		switch (fmt[i]) {
		case 't':
			t = va_arg(ap, const char *);
			rc = t ? sqlite3_bind_text(s, i + 1, t, -1, SQLITE_TRANSIENT) :
			    sqlite3_bind_null(s, i + 1);
			break;
		case 'i':
			rc = sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t));
			break;
		case 'd':
			rc = sqlite3_bind_int(s, i + 1, va_arg(ap, int));
			break;
		case 'b':
			b = va_arg(ap, const void *);
			n = va_arg(ap, int);
			rc = b ? sqlite3_bind_blob(s, i + 1, b, n, SQLITE_TRANSIENT) :
			    sqlite3_bind_null(s, i + 1);
			break;
		default:
			rc = sqlite3_bind_null(s, i + 1);
			break;
		}
	}
	return rc;
}

static void release(struct kd_store *, sqlite3_stmt *);

static int
prepare_v(struct kd_store *st, sqlite3_stmt **s, const char *sql,
    const char *fmt, va_list ap)
{
	*s = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
		return KD_ERR_DB;
	if (bind_args(*s, fmt, ap) != SQLITE_OK) {
		sqlite3_finalize(*s);
		*s = NULL;
		return KD_ERR_DB;
	}
	return KD_OK;
}

/* A cached statement for `sql`, reset and ready to bind; the cache is
 * keyed by the literal's address and checked against its text. */
static int
cached(struct kd_store *st, sqlite3_stmt **s, const char *sql,
    const char *fmt, va_list ap)
{
	size_t h = ((uintptr_t)sql >> 3) % STORE_CACHE, i, k;

	for (i = 0; i < STORE_CACHE; i++) {
		k = (h + i) % STORE_CACHE;
		if (st->cache[k].sql == sql &&
		    strcmp(sqlite3_sql(st->cache[k].stmt), sql) == 0)
			break;
		if (st->cache[k].sql == NULL) {
			if (sqlite3_prepare_v3(st->db, sql, -1,
			    SQLITE_PREPARE_PERSISTENT, &st->cache[k].stmt,
			    NULL) != SQLITE_OK) {
				sqlite3_finalize(st->cache[k].stmt);
				st->cache[k].stmt = NULL;
				return KD_ERR_DB;
			}
			st->cache[k].sql = sql;
			break;
		}
	}
	if (i == STORE_CACHE)		/* full: fall back to a one-off */
		return prepare_v(st, s, sql, fmt, ap);
	*s = st->cache[k].stmt;
	if (bind_args(*s, fmt, ap) != SQLITE_OK) {
		release(st, *s);
		return KD_ERR_DB;
	}
	return KD_OK;
}

/* Gives a statement back: cached ones are reset, others finalized. */
static void
release(struct kd_store *st, sqlite3_stmt *s)
{
	size_t i;

	for (i = 0; i < STORE_CACHE; i++)
		if (st->cache[i].stmt == s) {
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			return;
		}
	sqlite3_finalize(s);
}

int
store_prepare(struct kd_store *st, sqlite3_stmt **s, const char *sql,
    const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = prepare_v(st, s, sql, fmt, ap);
	va_end(ap);
	return r;
}

int
store_cached(struct kd_store *st, sqlite3_stmt **s, const char *sql,
    const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = cached(st, s, sql, fmt, ap);
	va_end(ap);
	return r;
}

void
store_release(struct kd_store *st, sqlite3_stmt *s)
{
	release(st, s);
}

int
store_exec(struct kd_store *st, struct kd_err *e, const char *sql,
    const char *fmt, ...)
{
	sqlite3_stmt *s;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = cached(st, &s, sql, fmt, ap);
	va_end(ap);
	if (r != KD_OK)
		return store_fail(st, "database statement failed", e);
	r = sqlite3_step(s);
	if (r != SQLITE_DONE && r != SQLITE_ROW) {
		r = store_fail(st, "database write failed", e);
		release(st, s);
		return r;
	}
	release(st, s);
	return KD_OK;
}

int
store_int(struct kd_store *st, int64_t *out, const char *sql,
    const char *fmt, ...)
{
	sqlite3_stmt *s;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = cached(st, &s, sql, fmt, ap);
	va_end(ap);
	if (r != KD_OK)
		return KD_ERR_DB;
	r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	release(st, s);
	return r == SQLITE_ROW ? KD_OK : r == SQLITE_DONE ? KD_ERR_NOTFOUND :
	    KD_ERR_DB;
}

char *
store_col_text(sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	return t == NULL ? NULL : strdup((const char *)t);
}
