/* Building RFC 5322 messages: addresses, RFC 2047 encoded-words, folded
 * headers, a CRLF body.  Every header value is checked for control
 * characters before anything is written, so user input can never add a
 * header (no "Bcc:" smuggled in through a name). */
#include "core/mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LINE_SOFT	78	/* RFC 5322 2.1.1: SHOULD */
#define LINE_HARD	998	/* MUST; aiosmtpd refuses longer lines */
#define EW_RAW_MAX	42	/* bytes per encoded-word: 68 chars, so even
				   "Subject: " + one word stays within 78 */
#define PLAIN_WORD_MAX	60	/* longer runs get encoded-words, which fold */
#define QP_LINE		76	/* RFC 2045 6.7 */

/* A growing output buffer.  It may hold a secret (a PIN in the body), so
 * growth copies and wipes instead of realloc(), which could leave the old
 * block unwiped in the heap. */
struct mbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	size_t	 col;	/* length of the current line */
	int	 nomem;
};

static void
mbuf_add(struct mbuf *b, const char *s, size_t n)
{
	size_t cap;
	char *np;
	size_t i;

	if (b->nomem)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((np = malloc(cap)) == NULL) {
			b->nomem = 1;
			return;
		}
		if (b->p != NULL) {
			memcpy(np, b->p, b->len);
			kd_wipe(b->p, b->cap);
			free(b->p);
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	for (i = 0; i < n; i++)
		b->col = s[i] == '\n' ? 0 : b->col + 1;
}

static void
mbuf_str(struct mbuf *b, const char *s)
{
	mbuf_add(b, s, strlen(s));
}

static void
mbuf_free(struct mbuf *b)
{
	if (b->p != NULL) {
		kd_wipe(b->p, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
}

/* RFC 5322 atext: the characters of an unquoted local part or atom. */
static int
is_atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int
dot_atom_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!(is_atext((unsigned char)s[i]) ||
		    (s[i] == '.' && s[i - 1] != '.')))
			return 0;
	return 1;
}

/* Host names only: LDH labels, at least two of them or "localhost". */
static int
domain_valid(const char *s, size_t n)
{
	size_t i, label = 0, dots = 0;
	char c;

	if (n == 0 || n > 253)
		return 0;
	if (n == 9 && strncasecmp(s, "localhost", 9) == 0)
		return 1;
	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			dots++;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c == '-' && label > 0)) {
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	return label > 0 && s[n - 1] != '-' && dots > 0;
}

int
mail_addr_valid(const char *addr)
{
	const char *at;
	size_t len;

	if (addr == NULL || (len = strlen(addr)) > 254 ||
	    (at = strchr(addr, '@')) == NULL || (size_t)(at - addr) > 64)
		return 0;
	return dot_atom_valid(addr, (size_t)(at - addr)) &&
	    domain_valid(at + 1, len - (size_t)(at - addr) - 1);
}

/* "<left@right>" with dot-atom sides, as mail_message_id_new makes them. */
static int
msgid_valid(const char *id)
{
	const char *at;
	size_t len;

	if (id == NULL || (len = strlen(id)) < 5 || len > 250 || id[0] != '<' ||
	    id[len - 1] != '>' || (at = strchr(id, '@')) == NULL)
		return 0;
	return dot_atom_valid(id + 1, (size_t)(at - id - 1)) &&
	    dot_atom_valid(at + 1, (size_t)(id + len - 1 - at - 1));
}

int
mail_message_id_new(const char *domain, char *buf, size_t len)
{
	unsigned char rnd[16];
	char hex[33];
	int n;

	if (domain == NULL)
		domain = "localhost";
	if (!domain_valid(domain, strlen(domain)))
		return KD_ERR_INVALID;
	if (kd_random(rnd, sizeof(rnd)) != KD_OK)
		return KD_ERR_IO;
	kd_hex_encode(rnd, sizeof(rnd), hex);
	n = snprintf(buf, len, "<%s@%s>", hex, domain);
	return n < 0 || (size_t)n >= len ? KD_ERR_INVALID : KD_OK;
}

/* Header values: valid UTF-8 and no C0/DEL/C1/bidi controls.  This is the
 * check that makes header injection impossible (CR and LF are C0). */
static int
value_check(const char *s, const char *what, int required, struct kd_err *e)
{
	if (s == NULL || *s == '\0')
		return required ? kd_err_set(e, KD_ERR_INVALID, "mail: the %s "
		    "is empty", what) : KD_OK;
	if (strlen(s) > 4 * LINE_HARD)
		return kd_err_set(e, KD_ERR_INVALID, "mail: the %s is too long",
		    what);
	if (kd_has_control(s))
		return kd_err_set(e, KD_ERR_INVALID, "mail: the %s contains a "
		    "line break, a control character or invalid UTF-8", what);
	return KD_OK;
}

static size_t
trim(const char **s, size_t n)
{
	while (n > 0 && **s == ' ') {
		(*s)++;
		n--;
	}
	while (n > 0 && (*s)[n - 1] == ' ')
		n--;
	return n;
}

/* Copies a display name, undoing the quoted-string form ("A, B" and \"). */
static int
name_copy(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;
	int quoted = n >= 2 && s[0] == '"' && s[n - 1] == '"';

	if (quoted) {
		s++;
		n -= 2;
	}
	for (i = 0; i < n; i++) {
		if (quoted && s[i] == '\\' && i + 1 < n)
			i++;
		if (o + 1 >= outlen)
			return KD_ERR_INVALID;
		out[o++] = s[i];
	}
	if (outlen > 0)
		out[o] = '\0';
	return outlen > 0 ? KD_OK : KD_ERR_INVALID;
}

int
mail_from_split(const char *from, char *name, size_t namelen, char *addr,
    size_t addrlen, struct kd_err *e)
{
	const char *lt, *gt, *a = from;
	size_t n, nlen;
	int r;

	if ((r = value_check(from, "sender (smtp.from)", 1, e)) != KD_OK)
		return r;
	n = strlen(from);
	if ((lt = strrchr(from, '<')) != NULL) {
		gt = strchr(lt, '>');
		if (gt == NULL || gt[strspn(gt + 1, " ") + 1] != '\0')
			goto bad;
		a = lt + 1;
		n = (size_t)(gt - a);
		nlen = trim(&from, (size_t)(lt - from));
		if (name_copy(from, nlen, name, namelen) != KD_OK)
			goto bad;
	} else {
		n = trim(&a, n);
		if (namelen > 0)
			name[0] = '\0';
	}
	if (n + 1 > addrlen)
		goto bad;
	memcpy(addr, a, n);
	addr[n] = '\0';
	if (!mail_addr_valid(addr))
		goto bad;
	return KD_OK;
bad:
	return kd_err_set(e, KD_ERR_INVALID, "mail: the sender (smtp.from) "
	    "is not \"Name <address@example.com>\" or a plain address");
}

/* Appends one word to a header, folding first (CRLF SP) if the line would
 * grow past 78 columns; the first word follows "Name:" on its line. */
static void
fold_word(struct mbuf *b, const char *w, size_t n, int first)
{
	if (!first && b->col + 1 + n > LINE_SOFT)
		mbuf_add(b, "\r\n", 2);
	mbuf_add(b, " ", 1);
	mbuf_add(b, w, n);
}

/* Length of the longest run of UTF-8 characters from `s` that fits in
 * `max` bytes, so an encoded-word never splits a character. */
static size_t
utf8_chunk(const char *s, size_t max)
{
	size_t n = 0, clen;
	unsigned char c;

	while (s[n] != '\0') {
		c = (unsigned char)s[n];
		clen = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		if (n + clen > max)
			break;
		n += clen;
	}
	return n;
}

/* RFC 2047 B encoded-words, each at most 68 characters, each on its own
 * folded segment; the whitespace between adjacent words is dropped by
 * decoders, so the text comes back exactly. */
static void
encode_words(struct mbuf *b, const char *s, int first)
{
	char word[80], b64[64];
	size_t n;

	while (*s != '\0') {
		n = utf8_chunk(s, EW_RAW_MAX);
		kd_b64_encode((const unsigned char *)s, n, b64, sizeof(b64));
		snprintf(word, sizeof(word), "=?UTF-8?B?%s?=", b64);
		fold_word(b, word, strlen(word), first);
		first = 0;
		s += n;
	}
}

static int
is_ascii_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* Plain text is safe unencoded when it is printable ASCII, cannot be
 * mistaken for an encoded-word, and has no run (of letters or of spaces)
 * too long to fold within a line. */
static int
plain_ok(const char *s)
{
	size_t run;

	if (!is_ascii_printable(s) || strstr(s, "=?") != NULL)
		return 0;
	for (; *s != '\0'; s += run) {
		run = *s == ' ' ? strspn(s, " ") : strcspn(s, " ");
		if (run > PLAIN_WORD_MAX / 2 && *s == ' ')
			return 0;
		if (run > PLAIN_WORD_MAX)
			return 0;
	}
	return 1;
}

/* The unstructured Subject: folds before an existing space, so unfolding
 * (removing the CRLFs) gives back exactly the original text. */
static void
header_text(struct mbuf *b, const char *name, const char *s)
{
	size_t seg;

	mbuf_str(b, name);
	mbuf_add(b, ":", 1);
	if (!plain_ok(s)) {
		encode_words(b, s, 1);
		mbuf_add(b, "\r\n", 2);
		return;
	}
	mbuf_add(b, " ", 1);
	for (; *s != '\0'; s += seg) {
		seg = strspn(s, " ");
		seg += strcspn(s + seg, " ");
		if (*s == ' ' && b->col + seg > LINE_SOFT)
			mbuf_add(b, "\r\n", 2);
		mbuf_add(b, s, seg);
	}
	mbuf_add(b, "\r\n", 2);
}

static int
is_atom_phrase(const char *s)
{
	if (*s == ' ')
		return 0;
	for (; *s != '\0'; s++)
		if (!is_atext((unsigned char)*s) &&
		    !(*s == ' ' && s[1] != ' ' && s[1] != '\0'))
			return 0;
	return 1;
}

/* A display name as atoms, a quoted-string, or encoded-words; then the
 * address, which is never encoded. */
static void
header_addr(struct mbuf *b, const char *hname, const char *dname,
    const char *addr)
{
	char q[2 * PLAIN_WORD_MAX + 3], a[260];
	size_t i, o = 0;

	mbuf_str(b, hname);
	mbuf_add(b, ":", 1);
	snprintf(a, sizeof(a), "<%s>", addr);
	if (dname == NULL || *dname == '\0') {
		fold_word(b, addr, strlen(addr), 1);
	} else if (plain_ok(dname) && is_atom_phrase(dname)) {
		for (i = 0; dname[i] != '\0'; i += o + (dname[i + o] == ' ')) {
			o = strcspn(dname + i, " ");
			fold_word(b, dname + i, o, i == 0);
		}
		fold_word(b, a, strlen(a), 0);
	} else if (is_ascii_printable(dname) && strlen(dname) <= PLAIN_WORD_MAX) {
		q[o++] = '"';
		for (i = 0; dname[i] != '\0'; i++) {
			if (dname[i] == '"' || dname[i] == '\\')
				q[o++] = '\\';
			q[o++] = dname[i];
		}
		q[o++] = '"';
		fold_word(b, q, o, 1);
		fold_word(b, a, strlen(a), 0);
	} else {
		encode_words(b, dname, 1);
		fold_word(b, a, strlen(a), 0);
	}
	mbuf_add(b, "\r\n", 2);
}

/* RFC 5322 3.3 date in UTC, with English names whatever the locale. */
static void
header_date(struct mbuf *b, int64_t t)
{
	static const char *days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
	    "Sat" };
	static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[64];

	if (gmtime_r(&tt, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	snprintf(buf, sizeof(buf), "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	mbuf_str(b, buf);
}

/* Length of the line at `s` and of its line end (CRLF, LF or a lone CR). */
static size_t
line_len(const char *s, size_t *eol)
{
	size_t n = strcspn(s, "\r\n");

	*eol = s[n] == '\0' ? 0 : s[n] == '\r' && s[n + 1] == '\n' ? 2 : 1;
	return n;
}

/* 1 if a line is longer than SMTP allows: then the body goes out
 * quoted-printable rather than be cut or refused by the server. */
static int
body_has_long_line(const char *s)
{
	size_t n, eol;

	for (; *s != '\0'; s += n + eol)
		if ((n = line_len(s, &eol)) > LINE_HARD)
			return 1;
	return 0;
}

/* Quoted-printable for a body with a line over 998 bytes: soft breaks
 * keep every encoded line within 76 characters. */
static void
qp_line(struct mbuf *b, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[3];
	size_t i, col = 0, w;
	int lit;

	for (i = 0; i < n; i++) {
		lit = (s[i] >= 33 && s[i] <= 126 && s[i] != '=') ||
		    ((s[i] == ' ' || s[i] == '\t') && i + 1 < n);
		w = lit ? 1 : 3;
		if (col + w > QP_LINE - 1) {
			mbuf_add(b, "=\r\n", 3);
			col = 0;
		}
		if (lit)
			mbuf_add(b, (const char *)&s[i], 1);
		else {
			esc[0] = '=';
			esc[1] = hex[s[i] >> 4];
			esc[2] = hex[s[i] & 15];
			mbuf_add(b, esc, 3);
		}
		col += w;
	}
}

static void
body_add(struct mbuf *b, const char *s, int qp)
{
	size_t n, eol;

	for (; *s != '\0'; s += n + eol) {
		n = line_len(s, &eol);
		if (qp)
			qp_line(b, (const unsigned char *)s, n);
		else
			mbuf_add(b, s, n);
		mbuf_add(b, "\r\n", 2);
	}
}

static int
body_check(const char *body, int *nonascii, int *longline, struct kd_err *e)
{
	const char *p;

	if (!kd_utf8_valid(body))
		return kd_err_set(e, KD_ERR_INVALID, "mail: the body is not "
		    "valid UTF-8");
	*longline = body_has_long_line(body);
	*nonascii = 0;
	for (p = body; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			*nonascii = 1;
	return KD_OK;
}

static int
mail_check(const struct kd_mail *m, struct kd_err *e)
{
	int r;

	if ((r = value_check(m->to_name, "recipient's name", 0, e)) != KD_OK ||
	    (r = value_check(m->to_addr, "recipient's address", 1, e)) != KD_OK ||
	    (r = value_check(m->subject, "subject", 1, e)) != KD_OK ||
	    (r = value_check(m->message_id, "Message-ID", 1, e)) != KD_OK)
		return r;
	if (!mail_addr_valid(m->to_addr))
		return kd_err_set(e, KD_ERR_INVALID, "mail: the recipient's "
		    "address is not a valid email address");
	if (!msgid_valid(m->message_id))
		return kd_err_set(e, KD_ERR_INVALID, "mail: the Message-ID is "
		    "not \"<id@domain>\"");
	if (m->body == NULL)
		return kd_err_set(e, KD_ERR_INVALID, "mail: the body is missing");
	return KD_OK;
}

static void
headers_add(struct mbuf *b, const struct kd_mail *m, const char *fname,
    const char *faddr, int nonascii, int qp)
{
	header_addr(b, "From", fname, faddr);
	header_addr(b, "To", m->to_name, m->to_addr);
	header_text(b, "Subject", m->subject);
	header_date(b, m->date);
	mbuf_str(b, "Message-ID: ");
	mbuf_str(b, m->message_id);
	mbuf_str(b, "\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: ");
	mbuf_str(b, qp ? "quoted-printable" : nonascii ? "8bit" : "7bit");
	mbuf_str(b, "\r\nAuto-Submitted: auto-generated\r\n\r\n");
}

int
mail_build(const struct kd_mail *m, char **msg, size_t *len, struct kd_err *e)
{
	struct mbuf b = { 0 };
	char fname[512], faddr[256];
	int r, nonascii = 0, longline = 0;

	*msg = NULL;
	*len = 0;
	if ((r = mail_check(m, e)) != KD_OK ||
	    (r = mail_from_split(m->from, fname, sizeof(fname), faddr,
	    sizeof(faddr), e)) != KD_OK ||
	    (r = body_check(m->body, &nonascii, &longline, e)) != KD_OK)
		goto fail;
	headers_add(&b, m, fname, faddr, nonascii, longline);
	body_add(&b, m->body, longline);
	if (b.nomem) {
		r = kd_err_set(e, KD_ERR_NOMEM, "out of memory");
		goto fail;
	}
	*msg = b.p;
	*len = b.len;
	return KD_OK;
fail:
	mbuf_free(&b);
	return r;
}
