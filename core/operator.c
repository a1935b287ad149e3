/* Roles, permissions and the operators table. */
#include "core/operator.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store_int.h"
#include "core/validate.h"

static const char *roles[] = { "read-only", "kiosk", "operator", "admin" };
static const char *perms[] = { "read", "redeem", "enroll", "edit", "delete",
    "bulk", "admin" };

const char *
role_name(enum kd_role r)
{
	return (unsigned)r < KD_NELEM(roles) ? roles[r] : "?";
}

const char *
perm_name(enum kd_perm p)
{
	return (unsigned)p < KD_NELEM(perms) ? perms[p] : "?";
}

int
role_parse(const char *s, enum kd_role *r)
{
	size_t i;

	for (i = 0; s != NULL && i < KD_NELEM(roles); i++)
		if (strcmp(s, roles[i]) == 0) {
			*r = (enum kd_role)i;
			return KD_OK;
		}
	return KD_ERR_INVALID;
}

int
role_allows(enum kd_role r, enum kd_perm p)
{
	switch (r) {
	case KD_ROLE_ADMIN:
		return 1;
	case KD_ROLE_OPERATOR:
		return p == KD_PERM_READ || p == KD_PERM_REDEEM ||
		    p == KD_PERM_ENROLL || p == KD_PERM_EDIT;
	case KD_ROLE_KIOSK:
		return p == KD_PERM_REDEEM;
	case KD_ROLE_READONLY:
		return p == KD_PERM_READ;
	}
	return 0;
}

enum kd_role
role_of_os_user(const struct kd_config *cfg, const char *user)
{
	enum kd_role r = KD_ROLE_READONLY;

	role_parse(config_role_of(cfg, user), &r);
	return r;
}

int
operator_add(struct kd_store *st, const char *actor, const char *name,
    enum kd_role role, struct kd_err *e)
{
	int r;

	if (validate_username(name) != NULL)
		return kd_err_set(e, KD_ERR_INVALID, "operator name: %s",
		    validate_username(name));
	if (role == KD_ROLE_READONLY)
		return kd_err_set(e, KD_ERR_INVALID, "role is admin, operator or kiosk");
	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	r = store_exec(st, e, "INSERT INTO operators (name, role, created_at) "
	    "VALUES (?, ?, ?)", "tti", name, role_name(role), kd_now());
	if (r == KD_ERR_EXISTS)
		kd_err_set(e, r, "an operator named \"%s\" already exists", name);
	if (r == KD_OK)
		r = store_audit_add(st, actor, "operator.add", name,
		    role_name(role), e);
	if (r != KD_OK) {
		store_rollback(st);
		return r;
	}
	return store_commit(st, e);
}

static void
row_read(sqlite3_stmt *s, struct kd_operator *o)
{
	const char *t;

	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(s, 0);
	snprintf(o->name, sizeof(o->name), "%s", sqlite3_column_text(s, 1));
	role_parse((const char *)sqlite3_column_text(s, 2), &o->role);
	o->has_password = sqlite3_column_type(s, 3) != SQLITE_NULL;
	if ((t = (const char *)sqlite3_column_text(s, 4)) != NULL)
		snprintf(o->credential_id, sizeof(o->credential_id), "%s", t);
	if ((t = (const char *)sqlite3_column_text(s, 5)) != NULL)
		snprintf(o->public_key, sizeof(o->public_key), "%s", t);
	o->has_key = o->public_key[0] != '\0';
	o->disabled = sqlite3_column_int(s, 6);
}

#define OP_COLS "id, name, role, password_hash, credential_id, public_key, disabled"

int
operator_get(struct kd_store *st, const char *name, struct kd_operator *o,
    struct kd_err *e)
{
	sqlite3_stmt *s;
	int r;

	if (store_prepare(st, &s, "SELECT " OP_COLS " FROM operators WHERE "
	    "name = ?", "t", name) != KD_OK)
		return store_fail(st, "cannot read operators", e);
	if ((r = sqlite3_step(s)) == SQLITE_ROW)
		row_read(s, o);
	sqlite3_finalize(s);
	return r == SQLITE_ROW ? KD_OK : kd_err_set(e, KD_ERR_NOTFOUND,
	    "no operator named \"%.64s\"", name);
}

int
operator_list(struct kd_store *st, struct kd_operator **out, size_t *n,
    struct kd_err *e)
{
	struct kd_operator *v = NULL;
	sqlite3_stmt *s;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (store_prepare(st, &s, "SELECT " OP_COLS " FROM operators ORDER BY "
	    "name", "") != KD_OK)
		return store_fail(st, "cannot read operators", e);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (kd_grow(&v, &cap, *n, sizeof(*v)) != KD_OK) {
			sqlite3_finalize(s);
			free(v);
			*n = 0;
			return kd_err_set(e, KD_ERR_NOMEM, "out of memory");
		}
		row_read(s, &v[(*n)++]);
	}
	sqlite3_finalize(s);
	*out = v;
	return KD_OK;
}

/* One UPDATE of an existing operator plus its audit row. */
static int
operator_update(struct kd_store *st, const char *actor, const char *name,
    const char *action, const char *details, const char *sql,
    const char *fmt, const void *a, const void *b, struct kd_err *e)
{
	struct kd_operator o;
	int r;

	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	if ((r = operator_get(st, name, &o, e)) == KD_OK) {
		if (fmt[0] == 'd')
			r = store_exec(st, e, sql, "di", *(const int *)a, o.id);
		else
			r = store_exec(st, e, sql, "tti", (const char *)a,
			    (const char *)b, o.id);
	}
	if (r == KD_OK)
		r = store_audit_add(st, actor, action, name, details, e);
	if (r != KD_OK) {
		store_rollback(st);
		return r;
	}
	return store_commit(st, e);
}

int
operator_disable(struct kd_store *st, const char *actor, const char *name,
    int disabled, struct kd_err *e)
{
	return operator_update(st, actor, name, disabled ? "operator.disable" :
	    "operator.enable", NULL, "UPDATE operators SET disabled = ? WHERE "
	    "id = ?", "d", &disabled, NULL, e);
}

int
operator_set_password(struct kd_store *st, const char *actor,
    const char *name, const char *password, struct kd_err *e)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *h;
	int r;

	if (password == NULL || kd_utf8_len(password) < 10)
		return kd_err_set(e, KD_ERR_INVALID, "a password needs at least "
		    "10 characters");
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return kd_err_set(e, KD_ERR_NOMEM, "out of memory");
	/* yescrypt with libxcrypt's default cost, salted from the OS. */
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL ||
	    (h = crypt_rn(password, salt, cd, sizeof(*cd))) == NULL || h[0] == '*') {
		free(cd);
		return kd_err_set(e, KD_ERR_IO, "cannot hash the password");
	}
	r = operator_update(st, actor, name, "operator.password", NULL,
	    "UPDATE operators SET password_hash = ?1 WHERE id = ?3 AND "
	    "?2 IS NOT NULL", "t", h, "", e);
	kd_wipe(cd, sizeof(*cd));
	free(cd);
	return r;
}

int
operator_set_key(struct kd_store *st, const char *actor, const char *name,
    const struct kd_cred_record *c, struct kd_err *e)
{
	char details[200];

	snprintf(details, sizeof(details), "credential=%.64s aaguid=%s",
	    c->credential_id, c->aaguid ? c->aaguid : "-");
	return operator_update(st, actor, name, "operator.key", details,
	    "UPDATE operators SET credential_id = ?, public_key = ? WHERE id = ?",
	    "t", c->credential_id, c->public_key, e);
}

void
operator_audit_denied(struct kd_store *st, const char *actor, const char *what,
    enum kd_role role)
{
	char details[160];
	struct kd_err e;

	snprintf(details, sizeof(details), "role=%s", role_name(role));
	if (store_begin(st, &e) != KD_OK)
		return;
	store_audit_add(st, actor, "denied", what, details, &e);
	if (store_commit(st, &e) != KD_OK)
		store_rollback(st);
}
