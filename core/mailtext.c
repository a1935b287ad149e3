/* Email wording.  Bodies are plain text; mail.c turns them into RFC 5322
 * at delivery, with the Message-ID fixed here when the row is queued. */
#include "core/mailtext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mail.h"

static int
queue(struct kd_store *st, const struct kd_config *cfg,
    const struct kd_mail_to *to, const char *subject, const char *body,
    const char *kind, int secret, struct kd_err *e)
{
	struct kd_outbox_row row;
	char name[256], addr[320], mid[400];
	const char *domain;
	int r;

	if ((r = mail_from_split(cfg->smtp_from, name, sizeof(name), addr,
	    sizeof(addr), e)) != KD_OK)
		return r;
	domain = strchr(addr, '@') ? strchr(addr, '@') + 1 : "keydesk.local";
	if ((r = mail_message_id_new(domain, mid, sizeof(mid))) != KD_OK)
		return kd_err_set(e, r, "cannot make a Message-ID");
	memset(&row, 0, sizeof(row));
	row.to_name = (char *)to->name;
	row.to_addr = (char *)to->email;
	row.subject = (char *)subject;
	row.body = (char *)body;
	row.message_id = mid;
	row.kind = (char *)kind;
	row.secret = secret;
	return store_outbox_add(st, &row, NULL, e);
}

int
mailtext_queue_activation(struct kd_store *st, const struct kd_config *cfg,
    const struct kd_mail_to *to, enum kd_key_type type, const char *key_name,
    const struct kd_activation_secret *sec, int64_t link_expires,
    int64_t code_expires, struct kd_err *e)
{
	char body[4096], lexp[32], cexp[32];
	const char *action = type == KD_KEY_CARD ? "tap your card on the reader" :
	    type == KD_KEY_FIDO2 ? "touch your security key" :
	    "follow the steps on your phone";
	int r;

	kd_time_format(link_expires, lexp, sizeof(lexp));
	kd_time_format(code_expires, cexp, sizeof(cexp));
	snprintf(body, sizeof(body),
	    "Hello %s,\n\n"
	    "A security key has been assigned to you: %s \"%s\".\n\n"
	    "Activate it with this link:\n\n"
	    "  %s%s\n\n"
	    "Or, at any enrollment kiosk, enter this code and %s:\n\n"
	    "  %s\n\n"
	    "The link works until %s UTC and the code until %s UTC.\n"
	    "Each works once. If you did not expect this message, please\n"
	    "tell your IT helpdesk and do not use the link.\n",
	    to->name, model_key_type_label(type), key_name,
	    cfg->activation_base_url, sec->token, action, sec->code, lexp, cexp);
	r = queue(st, cfg, to, "Activate your security key", body,
	    "activation", 1, e);
	kd_wipe(body, sizeof(body));
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
	    "know it. Nobody from IT will ever ask you for it.\n",
	    to->name, key_name, pin, force_change ?
	    "You will be asked to choose a new PIN the first time you use it.\n\n" :
	    "");
	r = queue(st, cfg, to, "The PIN for your security key", body, "pin", 1, e);
	kd_wipe(body, sizeof(body));
	return r;
}
