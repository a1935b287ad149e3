/* Drives the outbox for tests/e2e/mail.sh: queues messages in a store file
 * and delivers them with outbox_deliver to a real SMTP server.
 *
 *   hw_mail_drive DB queue N [--to T] [--name T] [--subject T] [--body T]
 *                            [--secret]
 *       queues N rows in one transaction; "{n}" in a template becomes the
 *       message number (1..N); prints "queued ID MESSAGE-ID" per row.
 *   hw_mail_drive DB deliver [URL|-] [--starttls required|none] [--max N]
 *                            [--max-attempts N] [--timeout S] [--cafile PEM]
 *       URL defaults to $SMTPD_URL; "-" means no SMTP configured.  Prints
 *       "sent=S deferred=D failed=F connections=C", then "error: ..." if it
 *       failed; exits 1 if outbox_deliver did not return KD_OK.
 *   hw_mail_drive DB list
 *       "ID STATUS ATTEMPTS MESSAGE-ID TO-ADDR BODY | LAST-ERROR" per row,
 *       BODY "body" or "-" once a secret body was erased.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/codekey.h"
#include "core/mail.h"
#include "core/outbox.h"
#include "core/store.h"

struct opts {
	const char *to, *name, *subject, *body, *url, *starttls, *cafile;
	int secret, max, max_attempts, timeout;
};

static void
usage(void)
{
	fprintf(stderr, "usage: hw_mail_drive DB queue N [--to T] [--name T] "
	    "[--subject T] [--body T] [--secret]\n"
	    "       hw_mail_drive DB deliver [URL|-] [--starttls required|none] "
	    "[--max N] [--max-attempts N] [--timeout S] [--cafile PEM]\n"
	    "       hw_mail_drive DB list\n");
	exit(2);
}

/* Copies `t` with every "{n}" replaced by `n`. */
static void
subst(const char *t, int n, char *out, size_t len)
{
	size_t o = 0;
	int w;

	while (*t != '\0' && o + 12 < len) {
		if (strncmp(t, "{n}", 3) == 0) {
			w = snprintf(out + o, len - o, "%d", n);
			o += w > 0 ? (size_t)w : 0;
			t += 3;
		} else
			out[o++] = *t++;
	}
	out[o] = '\0';
}

static void
opts_parse(int argc, char **argv, int i, struct opts *o)
{
	o->to = "user{n}@example.com";
	o->name = "Zoë Ångström-Łukasiewicz {n}";
	o->subject = "Activate your security key — Schlüssel {n}";
	o->body = "Hello,\n\nActivate your key: https://keydesk.example.com/a/"
	    "tok{n}\nCode: 123-456\n.\n..two dots\n.leading dot\nGrüße\n";
	o->url = getenv("SMTPD_URL");
	o->starttls = "none";
	if (i < argc && argv[i][0] != '-')
		o->url = argv[i++];
	else if (i < argc && strcmp(argv[i], "-") == 0) {
		o->url = NULL;
		i++;
	}
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--secret") == 0)
			o->secret = 1;
		else if (i + 1 >= argc)
			usage();
		else if (strcmp(argv[i], "--to") == 0) o->to = argv[++i];
		else if (strcmp(argv[i], "--name") == 0) o->name = argv[++i];
		else if (strcmp(argv[i], "--subject") == 0) o->subject = argv[++i];
		else if (strcmp(argv[i], "--body") == 0) o->body = argv[++i];
		else if (strcmp(argv[i], "--starttls") == 0) o->starttls = argv[++i];
		else if (strcmp(argv[i], "--max") == 0) o->max = atoi(argv[++i]);
		else if (strcmp(argv[i], "--max-attempts") == 0)
			o->max_attempts = atoi(argv[++i]);
		else if (strcmp(argv[i], "--timeout") == 0)
			o->timeout = atoi(argv[++i]);
		else if (strcmp(argv[i], "--cafile") == 0)
			o->cafile = argv[++i];
		else
			usage();
	}
}

static int
cmd_queue(struct kd_store *st, int n, const struct opts *o, struct kd_err *e)
{
	char to[256], name[256], subject[512], body[4096], id[128];
	struct kd_outbox_row row;
	int64_t rowid;
	int i, r;

	if ((r = store_begin(st, e)) != KD_OK)
		return r;
	for (i = 1; i <= n; i++) {
		subst(o->to, i, to, sizeof(to));
		subst(o->name, i, name, sizeof(name));
		subst(o->subject, i, subject, sizeof(subject));
		subst(o->body, i, body, sizeof(body));
		memset(&row, 0, sizeof(row));
		row.to_name = name[0] ? name : NULL;
		row.to_addr = to;
		row.subject = subject;
		row.body = body;
		row.kind = "test";
		row.secret = o->secret;
		row.message_id = id;
		if (mail_message_id_new("keydesk.example.com", id, sizeof(id)) ||
		    (r = store_outbox_add(st, &row, &rowid, e)) != KD_OK) {
			store_rollback(st);
			return r ? r : KD_ERR_IO;
		}
		printf("queued %lld %s\n", (long long)rowid, id);
	}
	return store_commit(st, e);
}

static int
cmd_deliver(struct kd_store *st, const struct opts *o, struct kd_err *e)
{
	struct kd_config cfg;
	struct kd_outbox_result res;
	int r;

	memset(&cfg, 0, sizeof(cfg));
	cfg.smtp_url = (char *)(uintptr_t)o->url;
	cfg.smtp_from = "keydesk <keydesk@keydesk.example.com>";
	cfg.smtp_starttls = strcmp(o->starttls, "required") == 0 ?
	    KD_STARTTLS_REQUIRED : KD_STARTTLS_NONE;
	cfg.smtp_connect_timeout = 5;
	cfg.smtp_timeout = o->timeout > 0 ? o->timeout : 30;
	cfg.smtp_max_attempts = o->max_attempts;
	cfg.smtp_cafile = (char *)(uintptr_t)o->cafile;
	r = outbox_deliver(st, &cfg, o->max, NULL, NULL, NULL, &res, e);
	printf("sent=%d deferred=%d failed=%d connections=%ld\n", res.sent,
	    res.deferred, res.failed, res.connections);
	return r;
}

static int
cmd_list(struct kd_store *st, struct kd_err *e)
{
	struct kd_outbox_row *rows;
	size_t n, i;
	int r;

	if ((r = store_outbox_list(st, NULL, 1000000, &rows, &n, e)) != KD_OK)
		return r;
	for (i = n; i-- > 0;)
		printf("%lld %s %d %s %s %s | %s\n", (long long)rows[i].id,
		    rows[i].status, rows[i].attempts, rows[i].message_id,
		    rows[i].to_addr, rows[i].body ? "body" : "-",
		    rows[i].last_error ? rows[i].last_error : "");
	store_outbox_free(rows, n);
	return KD_OK;
}

int
main(int argc, char **argv)
{
	struct kd_store *st = NULL;
	struct kd_err e;
	struct opts o;
	int r;

	if (argc < 3)
		usage();
	memset(&o, 0, sizeof(o));
	kd_err_clear(&e);
	/* The code key beside the database, as keydesk itself uses it. */
	if ((r = store_open(&st, argv[1], &e)) != KD_OK ||
	    (r = codekey_load(NULL, argv[1], &e)) != KD_OK)
		goto out;
	if (strcmp(argv[2], "queue") == 0 && argc >= 4) {
		opts_parse(argc, argv, 4, &o);
		r = cmd_queue(st, atoi(argv[3]), &o, &e);
	} else if (strcmp(argv[2], "deliver") == 0) {
		opts_parse(argc, argv, 3, &o);
		r = cmd_deliver(st, &o, &e);
	} else if (strcmp(argv[2], "list") == 0)
		r = cmd_list(st, &e);
	else
		usage();
out:
	store_close(&st);
	if (r != KD_OK)
		printf("error: %s\n", e.msg[0] ? e.msg : kd_strerror(r));
	return r == KD_OK ? 0 : 1;
}
