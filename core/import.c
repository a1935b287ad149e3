/* CSV import: parse, check every row, then write all or nothing. */
#include "core/import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/csv.h"
#include "core/store_int.h"
#include "core/validate.h"

enum { COL_ID, COL_NAME, COL_EMAIL, COL_USERNAME, COL_GROUPS, NCOLS };
static const char *colnames[NCOLS] = { "user_id", "name", "email",
    "username", "groups" };

struct row {
	int	 line;
	char	*f[NCOLS];
};

struct import {
	struct kd_store *st;
	const struct kd_import_opts *opts;
	struct kd_import_report *rep;
	int	 col[NCOLS];	/* header position of each column, -1 absent */
	struct row *rows;
	size_t	 n, cap;
};

static void issue(struct import *, int, const char *, const char *, ...)
    __attribute__((format(printf, 4, 5)));

static void
issue(struct import *im, int line, const char *field, const char *fmt, ...)
{
	struct kd_import_issue *is;
	va_list ap;

	if (im->rep->nissues++ >= IMPORT_MAX_ISSUES)
		return;
	is = &im->rep->issues[im->rep->nissues - 1];
	is->line = line;
	snprintf(is->field, sizeof(is->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(is->reason, sizeof(is->reason), fmt, ap);
	va_end(ap);
}

static int
header(struct import *im, const struct csv_record *h, struct kd_err *e)
{
	size_t i;
	int c;

	for (c = 0; c < NCOLS; c++)
		im->col[c] = -1;
	for (i = 0; i < h->n; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s", h->field[i]);
		validate_trim(name);
		for (c = 0; c < NCOLS && strcasecmp(name, colnames[c]) != 0; c++)
			;
		if (c == NCOLS)
			return kd_err_set(e, KD_ERR_INVALID, "line 1: unknown column "
			    "\"%.40s\" (columns: user_id, name, email, username, "
			    "groups)", h->field[i]);
		if (im->col[c] >= 0)
			return kd_err_set(e, KD_ERR_INVALID, "line 1: column %s "
			    "appears twice", colnames[c]);
		im->col[c] = (int)i;
	}
	for (c = 0; c < COL_GROUPS; c++)
		if (im->col[c] < 0)
			return kd_err_set(e, KD_ERR_INVALID, "line 1: the header "
			    "has no %s column", colnames[c]);
	return KD_OK;
}

struct key {
	const char *v;
	int	 line;
};

static int
key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = strcasecmp(x->v, y->v);

	return c != 0 ? c : x->line - y->line;
}

/* Duplicates within the file: sort the values, compare neighbours. */
static int
check_file_duplicates(struct import *im, int col, const char *label)
{
	struct key *k;
	size_t i;

	if ((k = calloc(im->n + 1, sizeof(*k))) == NULL)
		return KD_ERR_NOMEM;
	for (i = 0; i < im->n; i++) {
		k[i].v = im->rows[i].f[col];
		k[i].line = im->rows[i].line;
	}
	qsort(k, im->n, sizeof(*k), key_cmp);
	for (i = 1; i < im->n; i++)
		if (k[i].v[0] != '\0' && strcasecmp(k[i].v, k[i - 1].v) == 0) {
			char msg[64];

			snprintf(msg, sizeof(msg), "the same as on line %d",
			    k[i - 1].line);
			issue(im, k[i].line, label, "%s", msg);
		}
	free(k);
	return KD_OK;
}

/* Splits "a; b;c" into trimmed names; calls fn for each. */
static int
each_group(char *list, int (*fn)(void *, const char *), void *arg)
{
	char *save = NULL, *g;
	int r;

	for (g = strtok_r(list, ";", &save); g != NULL;
	    g = strtok_r(NULL, ";", &save)) {
		validate_trim(g);
		if (*g != '\0' && (r = fn(arg, g)) != KD_OK)
			return r;
	}
	return KD_OK;
}

struct gcheck {
	struct import *im;
	int	 line;
};

static int
check_group(void *arg, const char *g)
{
	struct gcheck *gc = arg;
	const char *m;
	int64_t id;

	if ((m = validate_group_name(g)) != NULL)
		issue(gc->im, gc->line, "groups", "%s", m);
	else if (!gc->im->opts->create_groups &&
	    store_group_find(gc->im->st, g, &id, NULL) == KD_ERR_NOTFOUND)
		issue(gc->im, gc->line, "groups", "no group \"%s\" (allow "
		    "creating unknown groups to have it made)", g);
	return KD_OK;
}

static void
check_row(struct import *im, struct row *r)
{
	static const char *(*rules[COL_GROUPS])(const char *) = {
		validate_user_id, validate_name, validate_email,
		validate_username };
	struct gcheck gc = { im, r->line };
	char *copy;
	const char *m;
	int c;

	for (c = 0; c < COL_GROUPS; c++) {
		validate_trim(r->f[c]);
		if ((m = rules[c](r->f[c])) != NULL)
			issue(im, r->line, colnames[c], "%s", m);
	}
	if (validate_user_id(r->f[COL_ID]) == NULL &&
	    store_user_id_taken(im->st, r->f[COL_ID], 0) > 0)
		issue(im, r->line, "user_id", "\"%s\" already exists", r->f[COL_ID]);
	if (validate_username(r->f[COL_USERNAME]) == NULL &&
	    store_username_taken(im->st, r->f[COL_USERNAME], 0) > 0)
		issue(im, r->line, "username", "\"%s\" already exists",
		    r->f[COL_USERNAME]);
	if ((copy = strdup(r->f[COL_GROUPS])) != NULL) {
		each_group(copy, check_group, &gc);
		free(copy);
	}
}

static int
add_row(struct import *im, const struct csv_record *rec)
{
	struct row *r, *nr;
	int c;

	if (im->n == im->cap) {
		im->cap = im->cap ? im->cap * 2 : 256;
		if ((nr = realloc(im->rows, im->cap * sizeof(*nr))) == NULL)
			return KD_ERR_NOMEM;
		im->rows = nr;
	}
	r = &im->rows[im->n];
	memset(r, 0, sizeof(*r));
	r->line = rec->line;
	for (c = 0; c < NCOLS; c++) {
		const char *v = im->col[c] >= 0 && (size_t)im->col[c] < rec->n ?
		    rec->field[im->col[c]] : "";

		if ((r->f[c] = strdup(v)) == NULL)
			return KD_ERR_NOMEM;
	}
	im->n++;
	return KD_OK;
}

static int
parse(struct import *im, const char *data, size_t len, struct kd_err *e)
{
	struct csv_reader *rd;
	struct csv_record rec;
	size_t ncols = 0;
	int r;

	if (csv_reader_new(&rd, data, len) != KD_OK)
		return kd_err_set(e, KD_ERR_NOMEM, "out of memory");
	if ((r = csv_read(rd, &rec, e)) == KD_ERR_NOTFOUND)
		r = kd_err_set(e, KD_ERR_INVALID, "the file is empty");
	if (r == KD_OK) {
		ncols = rec.n;
		r = header(im, &rec, e);
		csv_record_clear(&rec);
	}
	while (r == KD_OK && (r = csv_read(rd, &rec, e)) == KD_OK) {
		if (rec.n != ncols) {
			char msg[64];

			snprintf(msg, sizeof(msg), "%zu fields where the header has %zu",
			    rec.n, ncols);
			issue(im, rec.line, "-", "%s", msg);
		} else if (add_row(im, &rec) != KD_OK)
			r = kd_err_set(e, KD_ERR_NOMEM, "out of memory");
		csv_record_clear(&rec);
	}
	csv_reader_free(&rd);
	return r == KD_ERR_NOTFOUND ? KD_OK : r;
}

struct gwrite {
	struct import *im;
	int64_t	 user;
	const char *actor;
	struct kd_err *e;
};

static int
write_group(void *arg, const char *g)
{
	struct gwrite *gw = arg;
	int64_t id;
	int r;

	r = store_group_find(gw->im->st, g, &id, NULL);
	if (r == KD_ERR_NOTFOUND) {
		if ((r = store_group_add(gw->im->st, g, &id, gw->e)) != KD_OK ||
		    (r = store_audit_add(gw->im->st, gw->actor, "group.create", g,
		    "via=import", gw->e)) != KD_OK)
			return r;
		gw->im->rep->groups_created++;
	}
	return r != KD_OK ? r : store_member_add(gw->im->st, id, gw->user, gw->e);
}

static int
write_all(struct import *im, const char *actor, struct kd_err *e)
{
	struct gwrite gw = { im, 0, actor, e };
	struct kd_user u = { 0 };
	char details[200];
	size_t i;
	int r;

	if ((r = store_begin(im->st, e)) != KD_OK)
		return r;
	for (i = 0; i < im->n; i++) {
		struct row *row = &im->rows[i];

		u.user_id = row->f[COL_ID];
		u.name = row->f[COL_NAME];
		u.email = row->f[COL_EMAIL];
		u.username = row->f[COL_USERNAME];
		snprintf(details, sizeof(details), "via=import line=%d", row->line);
		if ((r = store_user_insert(im->st, &u, &gw.user, e)) != KD_OK ||
		    (r = each_group(row->f[COL_GROUPS], write_group, &gw)) != KD_OK ||
		    (r = store_audit_add(im->st, actor, "user.create", u.user_id,
		    details, e)) != KD_OK)
			goto fail;
	}
	snprintf(details, sizeof(details), "rows=%zu groups_created=%zu", im->n,
	    im->rep->groups_created);
	if ((r = store_audit_add(im->st, actor, "import.users", NULL, details,
	    e)) != KD_OK)
		goto fail;
	return store_commit(im->st, e);
fail:
	store_rollback(im->st);
	im->rep->groups_created = 0;
	return r;
}

int
import_users(struct kd_store *st, const char *actor, const char *data,
    size_t len, const struct kd_import_opts *opts,
    struct kd_import_report *rep, struct kd_err *e)
{
	struct import im;
	size_t i;
	int r, c;

	memset(rep, 0, sizeof(*rep));
	memset(&im, 0, sizeof(im));
	im.st = st;
	im.opts = opts;
	im.rep = rep;
	if ((rep->issues = calloc(IMPORT_MAX_ISSUES, sizeof(*rep->issues))) == NULL)
		return kd_err_set(e, KD_ERR_NOMEM, "out of memory");
	if ((r = parse(&im, data, len, e)) != KD_OK)
		goto out;
	/* One snapshot for every row's checks; the write re-checks through
	 * the unique indexes, so a user added meanwhile rolls it all back. */
	if ((r = store_read_begin(st, e)) != KD_OK)
		goto out;
	for (i = 0; i < im.n; i++)
		check_row(&im, &im.rows[i]);
	store_read_end(st);
	check_file_duplicates(&im, COL_ID, "user_id");
	check_file_duplicates(&im, COL_USERNAME, "username");
	rep->rows = im.n;
	if (rep->nissues > 0) {
		r = kd_err_set(e, KD_ERR_INVALID, "%zu problem%s in the file: "
		    "nothing was imported", rep->nissues, rep->nissues == 1 ? "" : "s");
		goto out;
	}
	if (!opts->dry_run && (r = write_all(&im, actor, e)) == KD_OK)
		rep->committed = 1;
out:
	for (i = 0; i < im.n; i++)
		for (c = 0; c < NCOLS; c++)
			free(im.rows[i].f[c]);
	free(im.rows);
	return r;
}

void
import_report_clear(struct kd_import_report *rep)
{
	free(rep->issues);
	memset(rep, 0, sizeof(*rep));
}
