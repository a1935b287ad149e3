/* Workflow runs' holders: the process that runs one (core/holder.h), so
 * a run whose process died is shown interrupted, not running forever. */
#include "core/store_int.h"

#include <stdlib.h>

#include "core/holder.h"

int
store_workflow_run_hold(struct kd_store *st, int64_t run, struct kd_err *e)
{
	struct kd_holder h;

	holder_self(&h);
	return store_exec(st, e, "UPDATE workflow_runs SET holder_host = ?, "
	    "holder_pid = ?, holder_start = ? WHERE id = ?", "tiii", h.host,
	    h.pid, h.start, run);
}

/* Runs of `workflow` still marked running whose holder is gone from this
 * host: closed as interrupted (the next run completes their work; a run
 * is idempotent).  Inside the caller's transaction. */
int
store_workflow_runs_interrupt(struct kd_store *st, int64_t workflow,
    struct kd_err *e)
{
	sqlite3_stmt *s;
	int64_t id, pid, start;
	char *host;
	int r = KD_OK;

	if (store_prepare(st, &s, "SELECT id, holder_host, holder_pid, "
	    "holder_start FROM workflow_runs WHERE workflow = ? AND status = "
	    "'running' AND holder_host IS NOT NULL", "i", workflow) != KD_OK)
		return store_fail(st, "cannot read workflow runs", e);
	while (r == KD_OK && sqlite3_step(s) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		host = store_col_text(s, 1);
		pid = sqlite3_column_int64(s, 2);
		start = sqlite3_column_int64(s, 3);
		if (host != NULL && !holder_alive(host, pid, start))
			r = store_exec(st, e, "UPDATE workflow_runs SET status = "
			    "'interrupted', finished_at = ? WHERE id = ?", "ii",
			    kd_now(), id);
		free(host);
	}
	sqlite3_finalize(s);
	return r;
}
