/* Message building (CRLF, RFC 2047, quoting, header injection), address
 * validation, Message-IDs, backoff, and delivery without a server. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mail.h"
#include "core/outbox.h"
#include "core/store.h"
#include "tests/lib/tap.h"

static const char *FROM = "keydesk <keydesk@example.com>";

static char *
build(const char *name, const char *addr, const char *subject,
    const char *body, int *rc)
{
	struct kd_mail m = { FROM, name, addr, subject, body,
	    "<0123abcd@example.com>", 1795424333 };
	struct kd_err e;
	size_t len;
	char *msg = NULL;

	*rc = mail_build(&m, &msg, &len, &e);
	if (*rc == KD_OK && strlen(msg) != len)
		*rc = -100;
	return msg;
}

/* The unfolded value of header `name` (CRLF before whitespace removed). */
static char *
header(const char *msg, const char *name)
{
	size_t nlen = strlen(name), o = 0;
	const char *p = msg, *end = strstr(msg, "\r\n\r\n");
	char *v;

	while (p != NULL && p < end) {
		if (strncasecmp(p, name, nlen) == 0 && p[nlen] == ':')
			break;
		p = strstr(p, "\r\n");
		p = p ? p + 2 : NULL;
	}
	if (p == NULL || p >= end || (v = malloc(strlen(p) + 1)) == NULL)
		return NULL;
	for (p += nlen + 1; *p == ' '; p++)
		;
	while (*p != '\0' && !(p[0] == '\r' && p[1] == '\n' && p[2] != ' ' &&
	    p[2] != '\t')) {
		if (p[0] == '\r' && p[1] == '\n')
			p += 2;
		else
			v[o++] = *p++;
	}
	v[o] = '\0';
	return v;
}

static int
b64val(int c)
{
	const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(a, c) : NULL;

	return p ? (int)(p - a) : -1;
}

static size_t
b64_decode(const char *s, size_t n, char *out)
{
	uint32_t v = 0;
	size_t i, o = 0;
	int bits = 0, d;

	for (i = 0; i < n && s[i] != '='; i++) {
		if ((d = b64val((unsigned char)s[i])) < 0)
			return (size_t)-1;
		v = (v << 6) | (uint32_t)d;
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[o++] = (char)((v >> bits) & 0xff);
		}
	}
	return o;
}

/* Decodes RFC 2047 B words (UTF-8) in an unfolded value; whitespace between
 * two encoded-words is dropped, as RFC 2047 6.2 says.  *maxword gets the
 * longest encoded-word seen. */
static char *
decode_2047(const char *s, size_t *maxword)
{
	char *out = calloc(1, strlen(s) + 1);
	const char *end, *q;
	size_t o = 0, n;
	int prev_word = 0;

	*maxword = 0;
	while (out != NULL && *s != '\0') {
		if (strncmp(s, "=?UTF-8?B?", 10) == 0 &&
		    (end = strstr(s + 10, "?=")) != NULL) {
			if ((size_t)(end + 2 - s) > *maxword)
				*maxword = (size_t)(end + 2 - s);
			n = b64_decode(s + 10, (size_t)(end - s - 10), out + o);
			if (n == (size_t)-1) {
				free(out);
				return NULL;
			}
			o += n;
			s = end + 2;
			prev_word = 1;
			continue;
		}
		if (*s == ' ' && prev_word) {
			for (q = s; *q == ' '; q++)
				;
			if (strncmp(q, "=?", 2) == 0) {
				s = q;
				continue;
			}
		}
		prev_word = 0;
		out[o++] = *s++;
	}
	return out;
}

static int
lines_within(const char *msg, size_t max)
{
	const char *p;

	for (p = msg; *p != '\0'; p += 2) {
		const char *eol = strstr(p, "\r\n");

		if (eol == NULL || (size_t)(eol - p) > max)
			return 0;
		p = eol;
	}
	return 1;
}

static int
crlf_only(const char *msg)
{
	const char *p;

	for (p = msg; *p != '\0'; p++) {
		if (*p == '\n' && (p == msg || p[-1] != '\r'))
			return 0;
		if (*p == '\r' && p[1] != '\n')
			return 0;
	}
	return 1;
}

static void
test_crlf_everywhere(void)
{
	int rc;
	char *m = build("Ada", "ada@example.com", "Hello",
	    "line1\nline2\r\nline3\rline4\n\nend", &rc);

	CHECK(rc == KD_OK);
	if (m == NULL)
		return;
	CHECK(crlf_only(m));
	CHECK(strstr(m, "\r\n\r\nline1\r\nline2\r\nline3\r\nline4\r\n\r\nend\r\n") != NULL);
	CHECK(m[strlen(m) - 1] == '\n');
	free(m);
}

static void
test_headers(void)
{
	int rc;
	char *m = build(NULL, "ada@example.com", "Activate your key",
	    "plain ascii\n", &rc), *v;

	CHECK(rc == KD_OK);
	if (m == NULL)
		return;
	CHECK(strncmp(m, "From: keydesk <keydesk@example.com>\r\n", 37) == 0);
	CHECK(strstr(m, "\r\nTo: ada@example.com\r\n") != NULL);
	CHECK(strstr(m, "\r\nSubject: Activate your key\r\n") != NULL);
	CHECK(strstr(m, "\r\nDate: Mon, 23 Nov 2026 08:58:53 +0000\r\n") != NULL);
	CHECK(strstr(m, "\r\nMessage-ID: <0123abcd@example.com>\r\n") != NULL);
	CHECK(strstr(m, "\r\nMIME-Version: 1.0\r\n") != NULL);
	CHECK(strstr(m, "\r\nContent-Type: text/plain; charset=UTF-8\r\n") != NULL);
	CHECK(strstr(m, "\r\nContent-Transfer-Encoding: 7bit\r\n") != NULL);
	CHECK(strstr(m, "\r\nAuto-Submitted: auto-generated\r\n\r\n") != NULL);
	CHECK_EQ_STR(v = header(m, "to"), "ada@example.com");
	free(v);
	free(m);
	m = build(NULL, "ada@example.com", "x", "Grüße\n", &rc);
	CHECK(rc == KD_OK && strstr(m, "Content-Transfer-Encoding: 8bit\r\n"));
	CHECK(m != NULL && strstr(m, "\r\n\r\nGrüße\r\n") != NULL);
	free(m);
}

static void
test_date_epoch(void)
{
	struct kd_mail mm = { FROM, NULL, "a@example.com", "s", "b",
	    "<1@example.com>", 0 };
	struct kd_err e;
	size_t len;
	char *m = NULL;

	CHECK(mail_build(&mm, &m, &len, &e) == KD_OK);
	CHECK(m != NULL && strstr(m, "\r\nDate: Thu, 01 Jan 1970 00:00:00 +0000\r\n"));
	free(m);
}

/* Checks that the To: name decodes back to `name`, the address stays plain
 * and outside any encoded-word, and the limits hold. */
static void
check_name_roundtrip(const char *name, size_t min_words)
{
	char want[512], *m, *v, *d;
	size_t maxword, words = 0;
	const char *p;
	int rc;

	m = build(name, "zoe@example.com", "s", "b\n", &rc);
	CHECK(rc == KD_OK);
	if (m == NULL)
		return;
	v = header(m, "To");
	d = v ? decode_2047(v, &maxword) : NULL;
	snprintf(want, sizeof(want), "%s <zoe@example.com>", name);
	CHECK_EQ_STR(d, want);
	CHECK(maxword > 0 && maxword <= 75);
	for (p = v; p && (p = strstr(p, "=?UTF-8?B?")) != NULL; p++)
		words++;
	CHECK(words >= min_words);
	CHECK(v != NULL && strstr(v, "?= <zoe@example.com>") != NULL);
	CHECK(lines_within(m, 78));
	free(d);
	free(v);
	free(m);
}

static void
test_rfc2047_latin_name(void)
{
	check_name_roundtrip("Zoë Ångström-Łukasiewicz", 1);
}

static void
test_rfc2047_long_cjk_name(void)
{
	/* 40 CJK characters, 120 bytes: several words, split on characters. */
	check_name_roundtrip("山田太郎山田花子佐藤一郎鈴木次郎高橋三郎田中四郎伊藤五郎"
	    "渡辺六郎山本七郎中村八郎", 3);
	check_name_roundtrip("Ünïcödé 😀 émoji 𝄞 and a long tail of text that keeps "
	    "going past one encoded word", 2);
}

static void
test_rfc2047_subject(void)
{
	const char *s = "Aktivieren Sie Ihren Sicherheitsschlüssel — Schritt 1 "
	    "von 2 für Zoë Ångström-Łukasiewicz (Büro München)";
	size_t maxword;
	int rc;
	char *m = build("Zoë", "zoe@example.com", s, "b\n", &rc), *v, *d;

	CHECK(rc == KD_OK);
	if (m == NULL)
		return;
	v = header(m, "Subject");
	d = v ? decode_2047(v, &maxword) : NULL;
	CHECK_EQ_STR(d, s);
	CHECK(maxword <= 75);
	CHECK(lines_within(m, 78));
	free(d);
	free(v);
	free(m);
}

static void
check_subject_roundtrip(const char *s)
{
	size_t maxword;
	int rc;
	char *m = build(NULL, "a@example.com", s, "b\n", &rc), *v, *d;

	CHECK(rc == KD_OK);
	v = m ? header(m, "Subject") : NULL;
	d = v ? decode_2047(v, &maxword) : NULL;
	CHECK_EQ_STR(d, s);
	CHECK(m != NULL && lines_within(m, 78));
	free(d);
	free(v);
	free(m);
}

static void
test_long_ascii_subject_folds(void)
{
	const char *s = "Your keydesk security key is ready to be activated: "
	    "follow the link  and type the code at any enrollment kiosk today";
	int rc;
	char *m = build(NULL, "a@example.com", s, "b\n", &rc), *v;

	CHECK(rc == KD_OK);
	if (m == NULL)
		return;
	CHECK(strstr(m, "=?") == NULL);
	CHECK_EQ_STR(v = header(m, "Subject"), s);
	CHECK(lines_within(m, 78));
	free(v);
	free(m);
	/* Runs too long to fold go out as encoded-words, still exact. */
	check_subject_roundtrip("a                                                  "
	    "                                                              b");
	check_subject_roundtrip("https://keydesk.example.com/a/very/long/path/that/"
	    "has/no/spaces/at/all/and/keeps/going/on");
}

static void
test_ascii_name_quoted(void)
{
	int rc;
	char *m = build("Lovelace, Ada \"Countess\" \\o/", "ada@example.com",
	    "s", "b\n", &rc);

	CHECK(rc == KD_OK);
	CHECK(m != NULL && strstr(m, "\r\nTo: \"Lovelace, Ada \\\"Countess\\\" "
	    "\\\\o/\" <ada@example.com>\r\n") != NULL);
	free(m);
	m = build("Ada Lovelace", "ada@example.com", "s", "b\n", &rc);
	CHECK(m != NULL && strstr(m, "\r\nTo: Ada Lovelace <ada@example.com>\r\n"));
	free(m);
	/* Looks like an encoded-word: quoted, so no reader decodes it. */
	m = build("=?UTF-8?B?QWRh?=", "ada@example.com", "s", "b\n", &rc);
	CHECK(m != NULL && strstr(m, "\r\nTo: \"=?UTF-8?B?QWRh?=\" "
	    "<ada@example.com>\r\n") != NULL);
	free(m);
}

static void
test_header_injection_refused(void)
{
	static const char *evil[] = { "x\r\nBcc: evil@x.com", "x\nBcc: evil@x.com",
	    "x\rBcc: evil@x.com", "x\tBcc", "x\x1b[2J", "x\xc2\x85y", "bad \xff utf8" };
	struct kd_mail m = { FROM, "Ada", "ada@example.com", "s", "b",
	    "<1@example.com>", 0 };
	struct kd_mail t;
	struct kd_err e;
	size_t i, len;
	char *msg;

	for (i = 0; i < KD_NELEM(evil); i++) {
		t = m; t.to_name = evil[i]; msg = NULL;
		CHECK(mail_build(&t, &msg, &len, &e) == KD_ERR_INVALID && !msg);
		t = m; t.subject = evil[i];
		CHECK(mail_build(&t, &msg, &len, &e) == KD_ERR_INVALID && !msg);
		t = m; t.from = evil[i];
		CHECK(mail_build(&t, &msg, &len, &e) == KD_ERR_INVALID && !msg);
	}
	t = m; t.to_addr = "ada@example.com\r\nBcc: evil@x.com";
	CHECK(mail_build(&t, &msg, &len, &e) == KD_ERR_INVALID);
	CHECK(strstr(e.msg, "recipient's address") != NULL);
	t = m; t.message_id = "<1@example.com>\r\nBcc: evil@x.com";
	CHECK(mail_build(&t, &msg, &len, &e) == KD_ERR_INVALID);
	t = m; t.from = "keydesk <k@example.com>\r\nBcc: evil@x.com";
	CHECK(mail_build(&t, &msg, &len, &e) == KD_ERR_INVALID);
	t = m; t.message_id = "no-brackets@example.com";
	CHECK(mail_build(&t, &msg, &len, &e) == KD_ERR_INVALID);
	t = m; t.body = "bad \xff utf8";
	CHECK(mail_build(&t, &msg, &len, &e) == KD_ERR_INVALID);
}

static char *
qp_decode(const char *s)
{
	char *out = malloc(strlen(s) + 1), hex[3] = { 0 };
	size_t o = 0;

	while (out != NULL && *s != '\0') {
		if (s[0] == '=' && s[1] == '\r' && s[2] == '\n')
			s += 3;
		else if (s[0] == '=' && s[1] && s[2]) {
			hex[0] = s[1]; hex[1] = s[2];
			out[o++] = (char)strtol(hex, NULL, 16);
			s += 3;
		} else
			out[o++] = *s++;
	}
	if (out != NULL)
		out[o] = '\0';
	return out;
}

static void
test_long_body_line(void)
{
	char *body = malloc(3100), *m, *d;
	size_t i;
	int rc;

	if (body == NULL)
		return;
	memcpy(body, "first\n", 6);
	for (i = 6; i < 3000; i++)
		body[i] = "aé=x \t"[i % 6];	/* 'é' is 2 bytes: stays whole */
	memcpy(body + 3000, " \nlast line.\n", 14);
	m = build(NULL, "a@example.com", "s", body, &rc);
	CHECK(rc == KD_OK);
	if (m == NULL) {
		free(body);
		return;
	}
	CHECK(strstr(m, "Content-Transfer-Encoding: quoted-printable\r\n") != NULL);
	CHECK(lines_within(m, 76));
	d = qp_decode(strstr(m, "\r\n\r\n") + 4);
	CHECK(d != NULL && strncmp(d, "first\r\n", 7) == 0);
	CHECK(d != NULL && strncmp(d + 7, body + 6, 2994) == 0);
	CHECK(d != NULL && strcmp(d + 7 + 2994, " \r\nlast line.\r\n") == 0);
	free(d);
	free(m);
	free(body);
}

static void
test_dot_lines_not_stuffed(void)
{
	int rc;
	char *m = build(NULL, "a@example.com", "s", "a\n.\n..b\n.", &rc);

	CHECK(rc == KD_OK);
	CHECK(m != NULL && strstr(m, "\r\n\r\na\r\n.\r\n..b\r\n.\r\n") != NULL);
	free(m);
}

static void
test_from_nonascii_and_split(void)
{
	struct kd_mail mm = { "\"Schlüsseldienst, Büro\" <k@example.com>", NULL,
	    "a@example.com", "s", "b", "<1@example.com>", 0 };
	char name[128], addr[128], *m = NULL, *v, *d;
	struct kd_err e;
	size_t len, maxword;

	CHECK(mail_from_split("keydesk <keydesk@example.com>", name, sizeof(name),
	    addr, sizeof(addr), &e) == KD_OK);
	CHECK_EQ_STR(name, "keydesk");
	CHECK_EQ_STR(addr, "keydesk@example.com");
	CHECK(mail_from_split("\"Desk, \\\"Key\\\"\" <k@example.com> ", name,
	    sizeof(name), addr, sizeof(addr), &e) == KD_OK);
	CHECK_EQ_STR(name, "Desk, \"Key\"");
	CHECK(mail_from_split("  k@example.com ", name, sizeof(name), addr,
	    sizeof(addr), &e) == KD_OK);
	CHECK_EQ_STR(name, "");
	CHECK_EQ_STR(addr, "k@example.com");
	CHECK(mail_from_split("<k@example.com>", name, sizeof(name), addr,
	    sizeof(addr), &e) == KD_OK);
	CHECK_EQ_STR(addr, "k@example.com");
	CHECK(mail_from_split("keydesk", name, sizeof(name), addr, sizeof(addr),
	    &e) == KD_ERR_INVALID);
	CHECK(mail_from_split("a <b>", name, sizeof(name), addr, sizeof(addr),
	    &e) == KD_ERR_INVALID);
	CHECK(mail_from_split("x <a@b.cd> y", name, sizeof(name), addr,
	    sizeof(addr), &e) == KD_ERR_INVALID);
	CHECK(mail_from_split("k@example.com", name, sizeof(name), addr, 5,
	    &e) == KD_ERR_INVALID);
	CHECK(mail_build(&mm, &m, &len, &e) == KD_OK);
	v = m ? header(m, "From") : NULL;
	d = v ? decode_2047(v, &maxword) : NULL;
	CHECK_EQ_STR(d, "Schlüsseldienst, Büro <k@example.com>");
	free(d);
	free(v);
	free(m);
}

static void
test_addr_valid_table(void)
{
	static const struct { const char *a; int ok; } t[] = {
		{ "ada.lovelace+kd@example.co.uk", 1 }, { "a@b.co", 1 },
		{ "user@localhost", 1 }, { "o'brien@example.ie", 1 },
		{ "x_y-z@sub-domain.example.com", 1 }, { "a@b", 0 },
		{ "a b@c.d", 0 }, { "a@@b.c", 0 }, { "<a@b.c>", 0 },
		{ "a@b.c\r\n", 0 }, { "a\n@b.c", 0 }, { "", 0 }, { "@b.c", 0 },
		{ "a@", 0 }, { ".a@b.c", 0 }, { "a.@b.c", 0 }, { "a..b@c.d", 0 },
		{ "a@b..c", 0 }, { "a@.b.c", 0 }, { "a@b.c.", 0 }, { "a@-b.c", 0 },
		{ "a@b-.c", 0 }, { "a@b_c.d", 0 }, { "zoë@example.com", 0 },
		{ "a@exämple.com", 0 }, { "\"a\"@b.c", 0 }, { "a@[127.0.0.1]", 0 },
		{ "a(b)@c.d", 0 }, { "a,b@c.d", 0 }, { "a@b.c d", 0 },
	};
	char local[80], big[300];
	size_t i;

	for (i = 0; i < KD_NELEM(t); i++)
		if (mail_addr_valid(t[i].a) != t[i].ok) {
			CHECK(!"address table");
			fprintf(stderr, "  mail_addr_valid(\"%s\") != %d\n", t[i].a, t[i].ok);
		}
	CHECK(!mail_addr_valid(NULL));
	memset(local, 'a', 64);
	strcpy(local + 64, "@example.com");
	CHECK(mail_addr_valid(local));
	memset(local, 'a', 65);
	strcpy(local + 65, "@example.com");
	CHECK(!mail_addr_valid(local));
	strcpy(big, "a@");
	for (i = 2; i < 250; i += 10)
		memcpy(big + i, "abcdefghi.", 10);
	strcpy(big + 250, "com");	/* 253 bytes */
	CHECK(mail_addr_valid(big));
	strcpy(big + 250, "comx.");
	CHECK(!mail_addr_valid(big));
}

static void
test_message_id(void)
{
	char a[128], b[128], tiny[10];
	size_t i;

	CHECK(mail_message_id_new("example.com", a, sizeof(a)) == KD_OK);
	CHECK(mail_message_id_new("example.com", b, sizeof(b)) == KD_OK);
	CHECK(strlen(a) == 1 + 32 + 1 + 11 + 1 && a[0] == '<' && a[33] == '@');
	CHECK(strcmp(a + 33, "@example.com>") == 0);
	for (i = 1; i < 33; i++)
		CHECK(strchr("0123456789abcdef", a[i]) != NULL);
	CHECK(strcmp(a, b) != 0);
	CHECK(mail_message_id_new(NULL, a, sizeof(a)) == KD_OK);
	CHECK(strstr(a, "@localhost>") != NULL);
	CHECK(mail_message_id_new("bad domain", a, sizeof(a)) == KD_ERR_INVALID);
	CHECK(mail_message_id_new("x.com\r\nBcc: y", a, sizeof(a)) == KD_ERR_INVALID);
	CHECK(mail_message_id_new("example.com", tiny, sizeof(tiny)) == KD_ERR_INVALID);
}

static void
test_backoff_bounds(void)
{
	int n, i;
	int64_t b, cap, hi;

	for (n = 0; n <= 40; n++) {
		cap = n <= 1 ? 60 : n >= 7 ? 3600 : (int64_t)60 << (n - 1);
		hi = 0;
		for (i = 0; i < 2000; i++) {
			b = outbox_backoff(n);
			CHECK(b >= 1 && b <= cap);
			if (b > hi)
				hi = b;
		}
		CHECK(hi > cap / 2);	/* jitter spreads over the range */
	}
}

static struct kd_config *
cfg_new(const char *url)
{
	struct kd_config *c = calloc(1, sizeof(*c));

	if (c != NULL) {
		c->smtp_url = url ? strdup(url) : NULL;
		c->smtp_from = strdup("keydesk <keydesk@example.com>");
		c->smtp_starttls = KD_STARTTLS_NONE;
		c->smtp_connect_timeout = 5;
		c->smtp_timeout = 10;
		c->smtp_max_attempts = 3;
	}
	return c;
}

static void
cfg_free(struct kd_config *c)
{
	if (c != NULL) {
		free(c->smtp_url);
		free(c->smtp_from);
		free(c);
	}
}

static int
queue(struct kd_store *st, int n)
{
	struct kd_outbox_row row;
	struct kd_err e;
	char id[128];
	int i, r = KD_OK;

	memset(&row, 0, sizeof(row));
	row.to_name = "Zoë";
	row.to_addr = "zoe@example.com";
	row.subject = "Activate";
	row.body = "code 123456\n";
	row.kind = "activation";
	row.message_id = id;
	for (i = 0; i < n && r == KD_OK; i++) {
		mail_message_id_new("example.com", id, sizeof(id));
		r = store_outbox_add(st, &row, NULL, &e);
	}
	return r;
}

static void
test_deliver_without_smtp(void)
{
	struct kd_config *c = cfg_new(NULL);
	struct kd_outbox_result res;
	struct kd_store *st = NULL;
	struct kd_err e;
	int64_t q, s, f;

	CHECK(store_open(&st, ":memory:", &e) == KD_OK);
	if (st == NULL || c == NULL)
		goto out;
	CHECK(queue(st, 3) == KD_OK);
	CHECK(outbox_deliver(st, c, 0, NULL, NULL, NULL, &res, &e) == KD_ERR_CONFIG);
	CHECK(strcmp(e.msg, "no SMTP server configured: 3 messages wait in the "
	    "outbox") == 0);
	store_outbox_counts(st, &q, &s, &f);
	CHECK(q == 3 && s == 0 && f == 0 && res.sent == 0);
out:
	store_close(&st);
	cfg_free(c);
}

static void
test_smtp_open_rejects_bad_urls(void)
{
	struct kd_config *c = cfg_new("http://127.0.0.1/");
	struct kd_smtp *s = NULL;
	struct kd_err e;

	CHECK(smtp_open(&s, c, &e) == KD_ERR_CONFIG && s == NULL);
	CHECK(strstr(e.msg, "smtp://") != NULL);
	free(c->smtp_url);
	c->smtp_url = strdup("smtp://[nonsense");
	CHECK(smtp_open(&s, c, &e) == KD_ERR_CONFIG && s == NULL);
	free(c->smtp_url);
	c->smtp_url = strdup("smtps://mail.example.com");
	CHECK(smtp_open(&s, c, &e) == KD_OK && s != NULL);
	CHECK(smtp_connections(s) == 0);
	smtp_close(&s);
	CHECK(s == NULL);
	cfg_free(c);
}

/* Port 1 on loopback refuses: the first message records the failure, the
 * rest are deferred with the same error without new connection attempts.
 * No attempt is used up: however long the outage, nothing fails. */
static void
test_deliver_server_down(void)
{
	struct kd_config *c = cfg_new("smtp://127.0.0.1:1");
	struct kd_outbox_result res;
	struct kd_outbox_row *rows = NULL;
	struct kd_store *st = NULL;
	struct kd_err e;
	size_t n = 0, i;
	int64_t q, s, f;

	CHECK(store_open(&st, ":memory:", &e) == KD_OK);
	if (st == NULL || c == NULL)
		goto out;
	CHECK(queue(st, 4) == KD_OK);
	CHECK(outbox_deliver(st, c, 0, NULL, NULL, NULL, &res, &e) == KD_ERR_MAIL);
	CHECK(strstr(e.msg, "127.0.0.1:1") != NULL);
	CHECK(strstr(e.msg, "4 messages stay in the outbox") != NULL);
	CHECK(res.sent == 0 && res.deferred == 4 && res.failed == 0);
	store_outbox_counts(st, &q, &s, &f);
	CHECK(q == 4);
	CHECK(store_outbox_list(st, NULL, 10, &rows, &n, &e) == KD_OK && n == 4);
	for (i = 0; i < n; i++) {
		CHECK(rows[i].attempts == 0 && rows[i].last_error != NULL);
		CHECK(rows[i].next_attempt_at > kd_now());
	}
	store_outbox_free(rows, n);
	/* Nothing is due now: a second run does nothing. */
	CHECK(outbox_deliver(st, c, 0, NULL, NULL, NULL, &res, &e) == KD_OK);
	CHECK(res.deferred == 0 && res.connections == 0);
	/* Later, many times over max_attempts 3: still waiting, none failed. */
	for (i = 0; i < 6; i++) {
		kd_clock_set(kd_now() + 7200);
		CHECK(outbox_deliver(st, c, 0, NULL, NULL, NULL, &res, &e) ==
		    KD_ERR_MAIL);
		CHECK(res.deferred == 4 && res.failed == 0);
	}
	store_outbox_counts(st, &q, &s, &f);
	CHECK(q == 4 && f == 0);
	kd_clock_set(0);
out:
	store_close(&st);
	cfg_free(c);
}

struct progress {
	int	 calls, last_done, last_total, cancel_at;
	volatile int *cancel;
};

static void
on_progress(void *arg, int done, int total)
{
	struct progress *p = arg;

	if (done != p->last_done + 1)
		p->calls = -1000;	/* must count up one by one */
	p->calls++;
	p->last_done = done;
	p->last_total = total;
	if (done == p->cancel_at)
		*p->cancel = 1;
}

/* Progress counts up one message at a time; cancel stops between
 * messages and leaves the rest untouched; `max` limits a run. */
static void
test_deliver_progress_cancel_max(void)
{
	struct kd_config *c = cfg_new("smtp://127.0.0.1:1");
	struct kd_outbox_result res;
	struct kd_outbox_row *rows = NULL;
	struct kd_store *st = NULL;
	volatile int cancel = 0;
	struct progress p = { 0, 0, 0, 2, &cancel };
	struct kd_err e;
	size_t n = 0;

	CHECK(store_open(&st, ":memory:", &e) == KD_OK);
	if (st == NULL || c == NULL)
		goto out;
	CHECK(queue(st, 5) == KD_OK);
	CHECK(outbox_deliver(st, c, 0, &cancel, on_progress, &p, &res, &e) ==
	    KD_ERR_CANCELLED);
	CHECK(p.calls == 2 && p.last_done == 2 && p.last_total == 5);
	CHECK(res.deferred == 2);
	CHECK(store_outbox_list(st, NULL, 10, &rows, &n, &e) == KD_OK && n == 5);
	if (n == 5)	/* newest first */
		CHECK(rows[0].last_error == NULL && rows[2].last_error == NULL &&
		    rows[3].last_error != NULL && rows[4].last_error != NULL &&
		    rows[3].attempts == 0);
	store_outbox_free(rows, n);
	cancel = 0;
	memset(&p, 0, sizeof(p));
	p.cancel = &cancel;
	outbox_deliver(st, c, 2, &cancel, on_progress, &p, &res, &e);
	CHECK(res.deferred == 2 && p.calls == 2 && p.last_total == 2);
out:
	store_close(&st);
	cfg_free(c);
}

int
main(void)
{
	RUN(test_crlf_everywhere);
	RUN(test_headers);
	RUN(test_date_epoch);
	RUN(test_rfc2047_latin_name);
	RUN(test_rfc2047_long_cjk_name);
	RUN(test_rfc2047_subject);
	RUN(test_long_ascii_subject_folds);
	RUN(test_ascii_name_quoted);
	RUN(test_header_injection_refused);
	RUN(test_long_body_line);
	RUN(test_dot_lines_not_stuffed);
	RUN(test_from_nonascii_and_split);
	RUN(test_addr_valid_table);
	RUN(test_message_id);
	RUN(test_backoff_bounds);
	RUN(test_deliver_without_smtp);
	RUN(test_smtp_open_rejects_bad_urls);
	RUN(test_deliver_server_down);
	RUN(test_deliver_progress_cancel_max);
	return tap_done();
}
