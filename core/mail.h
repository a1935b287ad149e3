/* Email: RFC 5322 messages built by keydesk, and SMTP delivery with
 * libcurl over one reused connection per batch. */
#ifndef KD_MAIL_H
#define KD_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "core/kd.h"

struct kd_mail {
	const char *from;	/* config smtp.from: "Name <addr>" or "addr" */
	const char *to_name;	/* display name, may be non-ASCII, may be NULL */
	const char *to_addr;
	const char *subject;	/* UTF-8 */
	const char *body;	/* UTF-8 text, LF or CRLF line ends */
	const char *message_id;	/* "<...@...>", fixed per outbox row */
	int64_t	 date;		/* seconds since the epoch */
};

/* 1 if `addr` is a plain addr-spec we are willing to send to: local@domain,
 * ASCII, no whitespace, no control characters, no CR/LF, <= 254 bytes. */
int	mail_addr_valid(const char *addr);
/* Splits a From setting into display name and address. */
int	mail_from_split(const char *from, char *name, size_t namelen,
	    char *addr, size_t addrlen, struct kd_err *);
/* A new unique Message-ID "<random@domain>" for an outbox row. */
int	mail_message_id_new(const char *domain, char *buf, size_t len);
/* Builds the whole message (headers + body, CRLF line ends, RFC 2047
 * encoded-words for non-ASCII display names and subject).  Any CR or LF
 * in a header value is refused (KD_ERR_INVALID), never passed through. */
int	mail_build(const struct kd_mail *, char **msg, size_t *len,
	    struct kd_err *);

/* An SMTP session.  The connection opens on the first send and is reused
 * by the following ones. */
struct kd_smtp;
int	smtp_open(struct kd_smtp **, const struct kd_config *, struct kd_err *);
/* KD_OK once the server accepted the message.  On failure *permanent
 * tells a 5xx refusal (do not retry) from a temporary failure. */
int	smtp_send(struct kd_smtp *, const char *from_addr, const char *to_addr,
	    const char *msg, size_t len, int *permanent, struct kd_err *);
/* After a failed smtp_send: did the server get as far as taking the
 * message's data (354)?  Before that, a session failure (no connection,
 * TLS, login) says nothing about the message itself. */
int	smtp_data_started(const struct kd_smtp *);
/* How many TCP connections this session has opened (tests, benchmark). */
long	smtp_connections(const struct kd_smtp *);
void	smtp_close(struct kd_smtp **);

#endif
