/*
 * fido_drive: drives core/fido and core/pcsc against real devices (pcscd +
 * vpcd + tests/vcard in the tests), printing plain "key=value" lines.
 *
 *   fido_drive list [--probe]
 *   fido_drive enroll [--reader NAME | --path PATH]
 *                     [--verification pin|pinless]
 *                     [--pin P] [--current-pin P] [--reset] [--force-change]
 *                     [--rp ID] [--user NAME] [--timeout-ms N]
 *                     [--cancel-after-ms N] [--save FILE]
 *   fido_drive changepin --reader NAME --old P --new Q
 *   fido_drive verify --reader NAME --load FILE [--pin P] [--rp ID]
 *                     [--tamper key|negy|sig]
 *     key: flip a bit of x (no longer a curve point); negy: y -> p - y (a
 *     valid but different key); sig: flip a bit of the signature
 *   fido_drive select --reader NAME        (SELECT only, no libfido2)
 *
 * Exit status: 0 on success, else the keydesk status as a positive number
 * (e.g. 19 = KD_ERR_HAS_PIN), 64 for usage errors.  The first line is
 * always "<command>: ok" or "<command>: error code=NAME msg=TEXT".
 * PINs given on the command line are test PINs; they are never printed.
 */
#include <fido.h>
#include <getopt.h>
#include <openssl/bn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/fido.h"
#include "core/kd.h"
#include "core/pcsc.h"

#define EX_USAGE_ 64

struct opts {
	const char	*reader;
	const char	*path;
	const char	*pin;
	const char	*current_pin;
	const char	*old_pin;
	const char	*new_pin;
	const char	*rp;
	const char	*user;
	const char	*save;
	const char	*load;
	const char	*tamper;
	enum kd_verification verification;
	int		 reset;
	int		 force_change;
	int		 probe;
	int		 timeout_ms;
	int		 cancel_after_ms;
};

static const char *
code_name(int rc)
{
	static const struct {
		int rc;
		const char *name;
	} t[] = {
		{ KD_OK, "OK" }, { KD_ERR_NOMEM, "NOMEM" },
		{ KD_ERR_INVALID, "INVALID" }, { KD_ERR_NOTFOUND, "NOTFOUND" },
		{ KD_ERR_IO, "IO" }, { KD_ERR_CANCELLED, "CANCELLED" },
		{ KD_ERR_DEVICE, "DEVICE" }, { KD_ERR_TIMEOUT, "TIMEOUT" },
		{ KD_ERR_REMOVED, "REMOVED" }, { KD_ERR_PIN, "PIN" },
		{ KD_ERR_DENIED, "DENIED" }, { KD_ERR_NODEV, "NODEV" },
		{ KD_ERR_HAS_PIN, "HAS_PIN" }, { KD_ERR_FULL, "FULL" },
		{ KD_ERR_NOTFIDO, "NOTFIDO" },
	};

	for (size_t i = 0; i < KD_NELEM(t); i++)
		if (t[i].rc == rc)
			return t[i].name;
	return "OTHER";
}

static int
report(const char *cmd, int rc, const struct kd_err *e)
{
	char safe[sizeof(e->msg)];

	if (rc == KD_OK) {
		printf("%s: ok\n", cmd);
		return 0;
	}
	kd_sanitize(e->msg, safe, sizeof(safe));
	printf("%s: error code=%s msg=%s\n", cmd, code_name(rc), safe);
	return -rc;
}

static void
print_hex(const char *key, const unsigned char *p, size_t n)
{
	printf("%s=", key);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static size_t
unhex(const char *s, unsigned char *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	while (s[0] != '\0' && s[1] != '\0' && n < cap &&
	    sscanf(s, "%2x", &v) == 1) {
		out[n++] = (unsigned char)v;
		s += 2;
	}
	return n;
}

static void
progress(void *arg, enum kd_tap_state st, const char *dev)
{
	char safe[256];

	(void)arg;
	kd_sanitize(dev ? dev : "", safe, sizeof(safe));
	printf("progress=%s %s\n", fidodev_tap_state_name(st), safe);
	fflush(stdout);
}

/* ---- list ---- */

static void
print_str(const char *key, const char *v)
{
	char safe[700];

	kd_sanitize(v ? v : "", safe, sizeof(safe));
	printf(" %s=\"%s\"", key, safe);
}

static int
cmd_list(const struct opts *o)
{
	struct kd_dev_list *l = NULL;
	struct kd_err e;
	int rc;

	if ((rc = fidodev_list(&l, o->probe, &e)) != KD_OK)
		return report("list", rc, &e);
	report("list", rc, &e);
	printf("pcsc_ok=%d", l->pcsc_ok);
	print_str("pcsc_msg", l->pcsc_msg);
	printf("\n");
	for (size_t i = 0; i < l->n; i++) {
		const struct kd_dev_info *d = &l->dev[i];

		printf("dev kind=%s",
		    d->kind == KD_DEV_READER ? "reader" : "usb");
		print_str("path", d->path);
		printf(" card=%d atr=%s probed=%d fido=%d applet=%s aaguid=%s",
		    d->card_present, d->atr_hex, d->probed, d->fido,
		    d->applet[0] ? d->applet : "-",
		    d->aaguid_hex[0] ? d->aaguid_hex : "-");
		print_str("versions", d->versions);
		printf(" pin_set=%d min_pin=%d rk_remaining=%lld force=%d "
		    "probe_status=%s", d->pin_set, d->min_pin_len,
		    (long long)d->rk_remaining, d->can_force_pin_change,
		    code_name(d->probe_status));
		print_str("probe_error", d->probe_error);
		printf("\n");
	}
	fidodev_list_free(&l);
	return 0;
}

/* ---- enroll ---- */

struct canceller {
	volatile int	*flag;
	int		 after_ms;
	struct timespec	 at;
};

static void *
cancel_later(void *arg)
{
	struct canceller *c = arg;
	struct timespec ts = { c->after_ms / 1000,
	    (long)(c->after_ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
	clock_gettime(CLOCK_MONOTONIC, &c->at);
	*c->flag = 1;
	return NULL;
}

static void
save_cred(const char *file, const struct kd_enroll_req *q,
    const struct kd_credential *c)
{
	FILE *f;

	if ((f = fopen(file, "w")) == NULL)
		return;
	fprintf(f, "%s\n", q->rp_id);
	for (size_t i = 0; i < c->id_len; i++)
		fprintf(f, "%02x", c->id[i]);
	fprintf(f, "\n");
	for (size_t i = 0; i < c->cose_pk_len; i++)
		fprintf(f, "%02x", c->cose_pk[i]);
	fprintf(f, "\n%d\n", c->uv);
	fclose(f);
}

static void
print_cred(const struct kd_credential *c)
{
	print_hex("cred_id", c->id, c->id_len);
	print_hex("cose", c->cose_pk, c->cose_pk_len);
	print_hex("pk", c->pk, sizeof(c->pk));
	printf("aaguid=%s\nfmt=%s\nx5c_len=%zu\nuv=%d\npin_forced=%d\n"
	    "sign_count=%u\n", c->aaguid_hex, c->fmt, c->x5c_len, c->uv,
	    c->pin_forced, c->sign_count);
	printf("info=%s\n", c->info_json ? c->info_json : "");
	printf("device=%s\n", c->device ? c->device : "");
}

static double
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static int
cmd_enroll(const struct opts *o)
{
	struct kd_enroll_req q;
	struct kd_credential c;
	struct kd_err e;
	struct canceller cn;
	struct timespec done;
	pthread_t t;
	volatile int cancel = 0;
	char path[300];
	int rc, ret;

	memset(&q, 0, sizeof(q));
	if (o->reader != NULL) {
		snprintf(path, sizeof(path), "%s%s", PCSC_PREFIX, o->reader);
		q.path = path;
	} else
		q.path = o->path;
	q.rp_id = o->rp != NULL ? o->rp : "keydesk.test";
	q.rp_name = "keydesk test";
	kd_random(q.user_id, sizeof(q.user_id));
	q.user_name = o->user;
	q.display_name = "Test User";
	q.verification = o->verification;
	q.new_pin = o->pin;
	q.current_pin = o->current_pin;
	q.reset_first = o->reset;
	q.force_pin_change = o->force_change;
	q.timeout_ms = o->timeout_ms;
	q.cancel = &cancel;
	q.progress = progress;
	memset(&cn, 0, sizeof(cn));
	cn.flag = &cancel;
	cn.after_ms = o->cancel_after_ms;
	if (o->cancel_after_ms > 0 &&
	    pthread_create(&t, NULL, cancel_later, &cn) != 0)
		return EX_USAGE_;
	rc = fidodev_enroll(&q, &c, &e);
	clock_gettime(CLOCK_MONOTONIC, &done);
	if (o->cancel_after_ms > 0)
		pthread_join(t, NULL);
	ret = report("enroll", rc, &e);
	printf("pin_set=%d\nreset=%d\n", c.pin_set, c.reset);
	if (o->cancel_after_ms > 0 && cancel)
		printf("cancel_to_return_ms=%.0f\n", ms_between(&cn.at, &done));
	if (rc == KD_OK) {
		print_cred(&c);
		if (o->save != NULL)
			save_cred(o->save, &q, &c);
	}
	fidodev_credential_clear(&c);
	return ret;
}

/* ---- changepin: plain libfido2 through keydesk's transport ---- */

static int
cmd_changepin(const struct opts *o)
{
	struct pcsc_ctx *ctx = NULL;
	struct ctapnfc *nfc = NULL;
	struct kd_err e;
	int rc, r, left = -1;

	kd_err_clear(&e);
	if (o->reader == NULL || o->old_pin == NULL || o->new_pin == NULL)
		return EX_USAGE_;
	if ((rc = pcsc_ctx_new(&ctx, &e)) != KD_OK ||
	    (rc = ctapnfc_open(ctx, o->reader, NULL, &nfc, &e)) != KD_OK)
		goto out;
	r = fido_dev_set_pin(ctapnfc_dev(nfc), o->new_pin, o->old_pin);
	if (r != FIDO_OK) {
		if (ctapnfc_error(nfc, &e) == KD_OK)
			kd_err_set(&e, r == FIDO_ERR_PIN_INVALID ? KD_ERR_PIN :
			    KD_ERR_DEVICE, "fido_dev_set_pin: %s",
			    fido_strerr(r));
		rc = e.code;
	}
	if (fido_dev_get_retry_count(ctapnfc_dev(nfc), &left) == FIDO_OK)
		printf("retries=%d\n", left);
out:
	ctapnfc_close(&nfc);
	pcsc_ctx_free(&ctx);
	return report("changepin", rc, &e);
}

/* ---- verify: assertion from the card, checked against a saved key ---- */

/* (x, y) -> (x, p - y): still on P-256, but another public key. */
static void
negate_y(unsigned char *cose, size_t len)
{
	static const char p256[] = "FFFFFFFF00000001000000000000000000000000"
	    "FFFFFFFFFFFFFFFFFFFFFFFF";
	BIGNUM *p = NULL, *y = NULL;

	if (len != KD_FIDO_COSE_ES256_LEN || BN_hex2bn(&p, p256) == 0 ||
	    (y = BN_bin2bn(cose + 45, 32, NULL)) == NULL ||
	    BN_sub(y, p, y) == 0 || BN_bn2binpad(y, cose + 45, 32) != 32)
		cose[20] ^= 0x01;	/* fall back to a plain bit flip */
	BN_free(p);
	BN_free(y);
}

struct saved {
	char		rp[256];
	unsigned char	id[256];
	size_t		id_len;
	unsigned char	cose[128];
	size_t		cose_len;
};

static int
load_cred(const char *file, struct saved *s)
{
	char line[1024];
	FILE *f;
	int ok = 0;

	memset(s, 0, sizeof(*s));
	if ((f = fopen(file, "r")) == NULL)
		return -1;
	if (fgets(s->rp, sizeof(s->rp), f) != NULL) {
		s->rp[strcspn(s->rp, "\n")] = '\0';
		if (fgets(line, sizeof(line), f) != NULL) {
			s->id_len = unhex(line, s->id, sizeof(s->id));
			if (fgets(line, sizeof(line), f) != NULL) {
				s->cose_len = unhex(line, s->cose,
				    sizeof(s->cose));
				ok = s->id_len > 0 && s->cose_len > 0;
			}
		}
	}
	fclose(f);
	return ok ? 0 : -1;
}

static int
cmd_verify(const struct opts *o)
{
	struct kd_assert_req q;
	struct kd_assertion a;
	struct saved s;
	struct kd_err e;
	char path[300];
	int rc;

	if (o->reader == NULL || o->load == NULL || load_cred(o->load, &s) < 0)
		return EX_USAGE_;
	memset(&q, 0, sizeof(q));
	snprintf(path, sizeof(path), "%s%s", PCSC_PREFIX, o->reader);
	q.path = path;
	q.rp_id = o->rp != NULL ? o->rp : s.rp;
	q.cred_id = s.id;
	q.cred_id_len = s.id_len;
	q.pin = o->pin;
	q.timeout_ms = o->timeout_ms;
	q.progress = progress;
	if ((rc = fidodev_get_assertion(&q, &a, &e)) != KD_OK)
		return report("verify", rc, &e);
	if (o->tamper != NULL && strcmp(o->tamper, "key") == 0)
		s.cose[20] ^= 0x01;	/* a bit of x */
	else if (o->tamper != NULL && strcmp(o->tamper, "negy") == 0)
		negate_y(s.cose, s.cose_len);
	else if (o->tamper != NULL && strcmp(o->tamper, "sig") == 0 &&
	    a.sig_len > 10)
		a.sig[a.sig_len - 3] ^= 0x01;
	rc = fidodev_assertion_check(&a, q.rp_id, s.cose, s.cose_len,
	    o->pin != NULL, &e);
	rc = report("verify", rc, &e);
	printf("flags=%02x\nsign_count=%u\n", a.flags, a.sign_count);
	fidodev_assertion_clear(&a);
	return rc;
}

/* ---- select: the applet answer alone ---- */

static int
cmd_select(const struct opts *o)
{
	struct pcsc_ctx *ctx = NULL;
	enum apdu_applet app = APDU_APPLET_NONE;
	struct kd_err e;
	int rc;

	if (o->reader == NULL)
		return EX_USAGE_;
	if ((rc = pcsc_ctx_new(&ctx, &e)) == KD_OK)
		rc = ctapnfc_probe_applet(ctx, o->reader, &app, &e);
	pcsc_ctx_free(&ctx);
	rc = report("select", rc, &e);
	printf("applet=%s\n", app == APDU_APPLET_FIDO2 ? "FIDO_2_0" :
	    app == APDU_APPLET_U2F ? "U2F_V2" : "none");
	return rc;
}

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "reader", required_argument, NULL, 'r' },
		{ "path", required_argument, NULL, 'P' },
		{ "pin", required_argument, NULL, 'p' },
		{ "current-pin", required_argument, NULL, 'c' },
		{ "old", required_argument, NULL, 'o' },
		{ "new", required_argument, NULL, 'n' },
		{ "verification", required_argument, NULL, 'v' },
		{ "reset", no_argument, NULL, 'R' },
		{ "force-change", no_argument, NULL, 'F' },
		{ "probe", no_argument, NULL, 'b' },
		{ "rp", required_argument, NULL, 'd' },
		{ "user", required_argument, NULL, 'u' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "cancel-after-ms", required_argument, NULL, 'C' },
		{ "save", required_argument, NULL, 's' },
		{ "load", required_argument, NULL, 'l' },
		{ "tamper", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->user = "alice";
	o->verification = KD_VERIFY_PIN;
	o->timeout_ms = 10000;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'r': o->reader = optarg; break;
		case 'P': o->path = optarg; break;
		case 'p': o->pin = optarg; break;
		case 'c': o->current_pin = optarg; break;
		case 'o': o->old_pin = optarg; break;
		case 'n': o->new_pin = optarg; break;
		case 'v':
			if (model_verification_parse(optarg,
			    &o->verification) != KD_OK)
				return -1;
			break;
		case 'R': o->reset = 1; break;
		case 'F': o->force_change = 1; break;
		case 'b': o->probe = 1; break;
		case 'd': o->rp = optarg; break;
		case 'u': o->user = optarg; break;
		case 't': o->timeout_ms = atoi(optarg); break;
		case 'C': o->cancel_after_ms = atoi(optarg); break;
		case 's': o->save = optarg; break;
		case 'l': o->load = optarg; break;
		case 'T': o->tamper = optarg; break;
		default: return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	const char *cmd;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: fido_drive list|enroll|changepin|"
		    "verify|select [options]\n");
		return EX_USAGE_;
	}
	cmd = argv[1];
	if (parse(argc - 1, argv + 1, &o) < 0) {
		fprintf(stderr, "fido_drive: bad options\n");
		return EX_USAGE_;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(cmd, "list") == 0)
		rc = cmd_list(&o);
	else if (strcmp(cmd, "enroll") == 0)
		rc = cmd_enroll(&o);
	else if (strcmp(cmd, "changepin") == 0)
		rc = cmd_changepin(&o);
	else if (strcmp(cmd, "verify") == 0)
		rc = cmd_verify(&o);
	else if (strcmp(cmd, "select") == 0)
		rc = cmd_select(&o);
	else {
		fprintf(stderr, "fido_drive: unknown command %s\n", cmd);
		rc = EX_USAGE_;
	}
	return rc;
}
