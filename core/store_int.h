/* Private to core/store*.c: the handle and statement helpers. */
#ifndef KD_STORE_INT_H
#define KD_STORE_INT_H

#include <sqlite3.h>

#include "core/store.h"

#define STORE_CACHE 64

struct kd_store {
	sqlite3	*db;
	char	*path;
	int	 depth;		/* nesting of store_begin() */
	/* Prepared statements of store_exec/store_int, kept by SQL text:
	 * bulk work (workflows) runs the same few statements 100,000 times. */
	struct {
		const char	*sql;
		sqlite3_stmt	*stmt;
	} cache[STORE_CACHE];
};

/* Prepares `sql` and binds arguments described by `fmt`, one character
 * each: 't' text (const char *, NULL binds NULL), 'i' int64_t, 'd' int,
 * 'b' blob (const void *, int length), 'n' NULL. */
int	store_prepare(struct kd_store *, sqlite3_stmt **, const char *sql,
	    const char *fmt, ...);
/* Runs a statement that returns no rows. */
int	store_exec(struct kd_store *, struct kd_err *, const char *sql,
	    const char *fmt, ...);
/* Runs a query whose first column of the first row is an integer;
 * *out is left alone when there is no row.  Returns KD_OK, KD_ERR_NOTFOUND
 * or KD_ERR_DB. */
int	store_int(struct kd_store *, int64_t *out, const char *sql,
	    const char *fmt, ...);
char	*store_col_text(sqlite3_stmt *, int);
/* A statement from the cache, bound and ready to step; give it back with
 * store_release (reset, not finalized).  For hot queries that return more
 * than one integer. */
int	store_cached(struct kd_store *, sqlite3_stmt **, const char *sql,
	    const char *fmt, ...);
void	store_release(struct kd_store *, sqlite3_stmt *);	/* strdup, NULL stays NULL */
int	store_user_from_row(sqlite3_stmt *, struct kd_user *);
void	store_audit_hash(const unsigned char prev[32], int64_t at,
	    const char *actor, const char *action, const char *subject,
	    const char *details, unsigned char out[32]);
int	store_migrate(struct kd_store *, struct kd_err *);

#endif
