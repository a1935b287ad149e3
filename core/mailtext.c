/* Email wording.  Bodies are plain text; mail.c turns them into RFC 5322
 * at delivery, with the Message-ID fixed here when the row is queued. */
#include "core/mailtext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mail.h"
#include "core/store_int.h"

/* A new Message-ID in the sender's domain. */
static int
message_id(const struct kd_config *cfg, char *mid, size_t len,
    struct kd_err *e)
{
	char name[256], addr[320];
	const char *domain;
	int r;

	if ((r = mail_from_split(cfg->smtp_from, name, sizeof(name), addr,
	    sizeof(addr), e)) != KD_OK)
		return r;
	domain = strchr(addr, '@') ? strchr(addr, '@') + 1 : "keydesk.local";
	if ((r = mail_message_id_new(domain, mid, len)) != KD_OK)
		return kd_err_set(e, r, "cannot make a Message-ID");
	return KD_OK;
}

static int
queue(struct kd_store *st, const struct kd_config *cfg,
    const struct kd_mail_to *to, const char *subject, const char *body,
    const char *kind, int secret, int64_t key, struct kd_err *e)
{
	struct kd_outbox_row row;
	char mid[400];
	int r;

	if ((r = message_id(cfg, mid, sizeof(mid), e)) != KD_OK)
		return r;
	memset(&row, 0, sizeof(row));
	row.to_name = (char *)to->name;
	row.to_addr = (char *)to->email;
	row.subject = (char *)subject;
	row.body = (char *)body;
	row.message_id = mid;
	row.kind = (char *)kind;
	row.secret = secret;
	row.key = key;
	return store_outbox_add(st, &row, NULL, e);
}

/* "Activate your Contactless Card for Example Corp": who is asking and
 * for what, so the mail is not taken for phishing or ignored. */
static void
activation_subject(const struct kd_config *cfg, enum kd_key_type t,
    char *buf, size_t len)
{
	snprintf(buf, len, "Activate your %s for %s", (unsigned)t <
	    KD_KEY_NTYPES ? model_key_type_label(t) : "security key",
	    cfg->rp_name);
}

/* The type of key `key`, for its mail's subject. */
static enum kd_key_type
activation_key_type(struct kd_store *st, int64_t key)
{
	enum kd_key_type t = KD_KEY_NTYPES;
	sqlite3_stmt *s;

	if (store_cached(st, &s, "SELECT type FROM keys WHERE id = ?", "i",
	    key) != KD_OK)
		return t;
	if (sqlite3_step(s) == SQLITE_ROW &&
	    model_key_type_parse((const char *)sqlite3_column_text(s, 0),
	    &t) != KD_OK)
		t = KD_KEY_NTYPES;
	store_release(st, s);
	return t;
}

int
mailtext_queue_activation(struct kd_store *st, const struct kd_config *cfg,
    const struct kd_mail_to *to, int64_t key, struct kd_err *e)
{
	char subject[256];

	activation_subject(cfg, activation_key_type(st, key), subject,
	    sizeof(subject));
	/* No body and no secret yet: mailtext_mint_activation makes both
	 * when the mail goes out. */
	return queue(st, cfg, to, subject, NULL, "activation", 0, key, e);
}

int
mailtext_queue_activations(struct kd_store *st, const struct kd_config *cfg,
    int64_t after_key, struct kd_err *e)
{
	char mid[400], sub[KD_KEY_NTYPES][256];
	int r, t;

	if ((r = message_id(cfg, mid, sizeof(mid), e)) != KD_OK)
		return r;
	for (t = 0; t < KD_KEY_NTYPES; t++)
		activation_subject(cfg, (enum kd_key_type)t, sub[t],
		    sizeof(sub[t]));
	/* One random Message-ID per call, made unique per row by the key id:
	 * "<KEY.RANDOM@domain>". */
	return store_exec(st, e, "INSERT INTO outbox (to_name, to_addr, "
	    "subject, body, message_id, kind, secret, created_at, "
	    "next_attempt_at, key) SELECT u.name, u.email, CASE k.type WHEN "
	    "'card' THEN ?5 WHEN 'fido2' THEN ?6 ELSE ?1 END, NULL, '<' || "
	    "k.id || '.' || substr(?2, 2), 'activation', 0, ?3, ?3, k.id "
	    "FROM keys k JOIN users u ON u.id = k.user WHERE k.id > ?4 AND "
	    "k.status = 'pending' ORDER BY k.id", "ttiitt",
	    sub[KD_KEY_SMARTPHONE], mid, kd_now(), after_key, sub[KD_KEY_CARD],
	    sub[KD_KEY_FIDO2]);
}

/* Where each device type opens its link, what it does on the page, and
 * the kiosk's way: the kiosk screens and the portal's pages say the same. */
static const struct {
	const char *where;	/* "open this link ..." */
	const char *then;	/* after the code is typed */
	const char *kiosk;	/* the way without a browser */
	const char *from;	/* where the device itself comes from */
} activation_how[KD_KEY_NTYPES] = {
	[KD_KEY_SMARTPHONE] = {
		"open this link on your phone",
		"then save the passkey when your phone\nasks",
		"Reading this on a computer? Enter the code at an enrollment kiosk:\n"
		"it shows the link as a QR code to scan with your phone's camera (so\n"
		"can the badge desk).",
	},
	[KD_KEY_CARD] = {
		"open this link on a computer with a card reader",
		"then tap your card on the reader when\nthe browser asks",
		"Or enter the code at an enrollment kiosk and tap your card on its\n"
		"reader",
		"No card yet? Collect it at the badge desk, then activate it.\n\n",
	},
	[KD_KEY_FIDO2] = {
		"open this link on a computer where your\nsecurity key is plugged in",
		"then touch your security key when the\nbrowser asks",
		"Or enter the code at an enrollment kiosk and touch your security\n"
		"key there.",
	},
};

/* A card with PIN verification: the browser has the user choose the PIN
 * (a page cannot set one); a kiosk sets it and mails it, as today. */
static void
activation_pin_text(enum kd_key_type type, enum kd_verification v,
    char *pin, size_t plen, char *kiosk, size_t klen)
{
	int card_pin = type == KD_KEY_CARD && v == KD_VERIFY_PIN;

	snprintf(pin, plen, "%s", card_pin ? "The browser will ask you to "
	    "choose a PIN for the card: remember it,\nyou will need it "
	    "whenever you use the card.\n\n" : "");
	snprintf(kiosk, klen, "%s", type != KD_KEY_CARD ? "" : card_pin ?
	    " (the kiosk then sets the card's PIN and emails it\nto you)." :
	    ".");
}

static char *
activation_body(const struct kd_config *cfg, const char *to_name,
    enum kd_key_type type, enum kd_verification verif, const char *key_name,
    const struct kd_activation_secret *sec, int64_t link_expires,
    int64_t code_expires)
{
	char body[4096], lexp[32], cexp[32], pin[256], kiosk[128], *out;

	if ((unsigned)type >= KD_KEY_NTYPES)
		type = KD_KEY_FIDO2;
	kd_time_format(link_expires, lexp, sizeof(lexp));
	kd_time_format(code_expires, cexp, sizeof(cexp));
	activation_pin_text(type, verif, pin, sizeof(pin), kiosk, sizeof(kiosk));
	snprintf(body, sizeof(body),
	    "Hello %s,\n\n"
	    "%s has assigned you a security key:\n\n"
	    "  %s \"%s\"\n\n"
	    "%s"
	    "To activate it, %s:\n\n"
	    "  %s%s\n\n"
	    "On the page, enter this code, %s:\n\n"
	    "  %s\n\n"
	    "%s"
	    "%s%s\n\n"
	    "The link works until %s UTC, the code until\n"
	    "%s UTC; each works once. If you did not expect this\n"
	    "message, please tell %s and do not use the link.\n%s%s%s",
	    to_name ? to_name : "", cfg->rp_name, model_key_type_label(type),
	    key_name, activation_how[type].from ? activation_how[type].from :
	    "", activation_how[type].where, cfg->activation_base_url,
	    sec->token, activation_how[type].then, sec->code, pin,
	    activation_how[type].kiosk, kiosk, lexp, cexp,
	    cfg->activation_support ? "the people below" : "your IT helpdesk",
	    cfg->activation_support ? "\nQuestions? " : "",
	    cfg->activation_support ? cfg->activation_support : "",
	    cfg->activation_support ? "\n" : "");
	out = strdup(body);
	kd_wipe(body, sizeof(body));
	return out;
}

/* The key an activation mail is for, if it still waits for one. */
static int
mint_key(struct kd_store *st, int64_t key, enum kd_key_type *type,
    enum kd_verification *verif, char **name, struct kd_err *e)
{
	sqlite3_stmt *s;
	int r;

	*name = NULL;
	if (key == 0)
		return kd_err_set(e, KD_ERR_NOTFOUND, "the key was deleted "
		    "before its activation mail went out");
	if (store_cached(st, &s, "SELECT k.type, k.name, k.status, u.disabled, "
	    "k.verification FROM keys k JOIN users u ON u.id = k.user WHERE k.id = ?", "i",
	    key) != KD_OK)
		return store_fail(st, "cannot read the key", e);
	if ((r = sqlite3_step(s)) != SQLITE_ROW) {
		store_release(st, s);
		return r == SQLITE_DONE ? kd_err_set(e, KD_ERR_NOTFOUND, "the key "
		    "was deleted before its activation mail went out") :
		    store_fail(st, "cannot read the key", e);
	}
	r = KD_OK;
	if (strcmp((const char *)sqlite3_column_text(s, 2), "pending") != 0)
		r = kd_err_set(e, KD_ERR_INVALID, "key #%lld is %s: there is "
		    "nothing to activate", (long long)key,
		    (const char *)sqlite3_column_text(s, 2));
	else if (sqlite3_column_int(s, 3))
		r = kd_err_set(e, KD_ERR_INVALID, "the user is disabled; resend "
		    "the activation once they are enabled");
	else if (model_key_type_parse((const char *)sqlite3_column_text(s, 0),
	    type) != KD_OK || (*name = store_col_text(s, 1)) == NULL)
		r = kd_err_set(e, KD_ERR_NOMEM, "out of memory");
	else if (model_verification_parse((const char *)sqlite3_column_text(s,
	    4), verif) != KD_OK)
		*verif = KD_VERIFY_PINLESS;
	store_release(st, s);
	return r;
}

int
mailtext_mint_activation(struct kd_store *st, const struct kd_config *cfg,
    struct kd_outbox_row *row, struct kd_err *e)
{
	struct kd_activation_secret sec;
	enum kd_key_type type;
	enum kd_verification verif = KD_VERIFY_PINLESS;
	unsigned char th[32], ch[32];
	int64_t now = kd_now(), lexp, cexp, id = 0;
	char *name = NULL, mid[400];
	int r, tries;

	if ((r = mint_key(st, row->key, &type, &verif, &name, e)) != KD_OK)
		return r;
	lexp = now + cfg->link_lifetime;
	cexp = now + cfg->code_lifetime;
	/* A code collision with another open activation is rare (49 bits)
	 * but possible; draw again. */
	for (tries = 0; tries < 4; tries++) {
		if ((r = enroll_secret_new(&sec)) != KD_OK)
			goto out;
		enroll_token_hash(sec.token, th);
		enroll_code_hash(sec.code, ch);
		r = store_activation_insert(st, row->key, th, ch, lexp, cexp,
		    STORE_VIA_MAIL, &id, e);
		if (r != KD_ERR_EXISTS)
			break;
	}
	if (r != KD_OK)
		goto out;
	/* This mail replaces any earlier mailed link or code for the key (a
	 * retry after a deferral mints afresh); a QR code on a screen stays
	 * open beside it. */
	if ((r = store_activation_close(st, row->key, id, STORE_VIA_MAIL,
	    STORE_CLOSED_REPLACED, e)) != KD_OK)
		goto out;
	/* New bytes, so a new Message-ID: a copy of an earlier mint that did
	 * reach the user (a crash before its mark) is then not taken for
	 * this one by a client that drops repeated Message-IDs; its link
	 * says "replaced by a newer email". */
	if ((r = message_id(cfg, mid, sizeof(mid), e)) != KD_OK ||
	    (r = store_outbox_set_message_id(st, row->id, mid, e)) != KD_OK)
		goto out;
	free(row->message_id);
	if ((row->message_id = strdup(mid)) == NULL) {
		r = kd_err_set(e, KD_ERR_NOMEM, "out of memory");
		goto out;
	}
	kd_free_secret(row->body);
	if ((row->body = activation_body(cfg, row->to_name, type,
	    verif, name, &sec, lexp, cexp)) == NULL)
		r = kd_err_set(e, KD_ERR_NOMEM, "out of memory");
out:
	kd_wipe(&sec, sizeof(sec));
	free(name);
	return r;
}

int
mailtext_queue_pin(struct kd_store *st, const struct kd_config *cfg,
    const struct kd_mail_to *to, const char *key_name, const char *pin,
    int force_change, struct kd_err *e)
{
	char body[2048];
	int r;

	snprintf(body, sizeof(body),
	    "Hello %s,\n\n"
	    "Your card \"%s\" is active. Its PIN is:\n\n"
	    "  %s\n\n"
	    "%s"
	    "Keep this PIN to yourself and delete this message once you\n"
	    "know it. Nobody from IT will ever ask you for it.\n%s%s%s",
	    to->name, key_name, pin, force_change ?
	    "You will be asked to choose a new PIN the first time you use it.\n\n" :
	    "", cfg->activation_support ? "\nQuestions? " : "",
	    cfg->activation_support ? cfg->activation_support : "",
	    cfg->activation_support ? "\n" : "");
	r = queue(st, cfg, to, "The PIN for your security key", body, "pin", 1,
	    0, e);
	kd_wipe(body, sizeof(body));
	return r;
}
