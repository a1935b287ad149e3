/* Shared helpers: errors, clock, randomness, hashing, encodings, strings. */
#include "core/kd.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
kd_err_set(struct kd_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e != NULL) {
		e->code = code;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

void
kd_err_clear(struct kd_err *e)
{
	if (e != NULL) {
		e->code = KD_OK;
		e->msg[0] = '\0';
	}
}

const char *
kd_strerror(int code)
{
	switch (code) {
	case KD_OK: return "success";
	case KD_ERR_NOMEM: return "out of memory";
	case KD_ERR_INVALID: return "invalid input";
	case KD_ERR_EXISTS: return "already exists";
	case KD_ERR_NOTFOUND: return "not found";
	case KD_ERR_DB: return "database error";
	case KD_ERR_BUSY: return "database is busy";
	case KD_ERR_IO: return "input/output error";
	case KD_ERR_CONFIG: return "configuration error";
	case KD_ERR_MAIL: return "mail delivery error";
	case KD_ERR_CANCELLED: return "cancelled";
	case KD_ERR_DEVICE: return "device error";
	case KD_ERR_TIMEOUT: return "timed out";
	case KD_ERR_REMOVED: return "card removed";
	case KD_ERR_PIN: return "PIN error";
	case KD_ERR_DENIED: return "permission denied";
	case KD_ERR_LOCKED: return "locked out";
	case KD_ERR_EXPIRED: return "expired";
	case KD_ERR_NODEV: return "no device";
	case KD_ERR_HAS_PIN: return "the card already has a PIN";
	case KD_ERR_FULL: return "no free credential slots on the key";
	case KD_ERR_NOTFIDO: return "not a FIDO card";
	case KD_ERR_WRONGDEV: return "not the chosen device type";
	}
	return "unknown error";
}

static int64_t fake_now;

/* KEYDESK_FAKE_NOW is read only in test builds (KD_TEST_CLOCK, set by
 * SAN=1): in the production binary whoever runs keydesk would choose the
 * time behind audit stamps, expiry and every lock-out. */
int64_t
kd_now(void)
{
#ifdef KD_TEST_CLOCK
	const char *s;
#endif

	if (fake_now != 0)
		return fake_now;
#ifdef KD_TEST_CLOCK
	if ((s = getenv("KEYDESK_FAKE_NOW")) != NULL && *s != '\0')
		return strtoll(s, NULL, 10);
#endif
	return (int64_t)time(NULL);
}

int64_t
kd_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
kd_terminal_name(char *buf, size_t len, const char *notty)
{
	char host[128] = "localhost";
	const char *tty = ttyname(0);

	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	snprintf(buf, len, "%s:%s", host, tty ? tty : notty);
}

void
kd_clock_set(int64_t t)
{
	fake_now = t;
}

void
kd_time_format(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL) {
		snprintf(buf, len, "-");
		return;
	}
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

/* "2026-11-23", "2026-11-23 08:50", "2026-11-23T08:50:55Z" (UTC), or a
 * time ago: "90m", "12h", "7d". */
int
kd_time_parse(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n, k;
	long long v;
	char unit, sep, z[2];
	struct tm tm;

	if (s == NULL)
		return KD_ERR_INVALID;
	if (sscanf(s, "%lld%c%n", &v, &unit, &n) == 2 && s[n] == '\0' &&
	    v >= 0 && v <= 36500LL * 86400 && s[0] >= '0' && s[0] <= '9') {
		k = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 :
		    unit == 'd' ? 86400 : 0;
		if (k == 0 || v > 36500LL * 86400 / k)
			return KD_ERR_INVALID;
		*out = kd_now() - v * k;
		return KD_OK;
	}
	n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return KD_ERR_INVALID;
	if (s[n] != '\0') {
		k = 0;
		if (sscanf(s + n, "%c%2d:%2d%n", &sep, &h, &mi, &k) != 3 ||
		    (sep != ' ' && sep != 'T') || k != 6)
			return KD_ERR_INVALID;
		n += k;
		if (s[n] == ':') {
			k = 0;
			if (sscanf(s + n, ":%2d%n", &sec, &k) != 1 || k != 3)
				return KD_ERR_INVALID;
			n += k;
		}
		if (s[n] != '\0' && (sscanf(s + n, "%1[Z]", z) != 1 ||
		    s[n + 1] != '\0'))
			return KD_ERR_INVALID;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60 || h < 0 || mi < 0 || sec < 0)
		return KD_ERR_INVALID;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm);
	/* timegm normalises 2026-02-31 to March: refuse such a date */
	return tm.tm_mday == d && tm.tm_mon == mo - 1 ? KD_OK : KD_ERR_INVALID;
}

void
kd_time_iso(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL) {
		snprintf(buf, len, "1970-01-01T00:00:00Z");
		return;
	}
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* OpenSSL's DRBG, seeded from getrandom(): one system call per reseed
 * instead of one per token (a workflow draws 200,000 of them). */
int
kd_random(void *buf, size_t len)
{
	if (len > INT32_MAX || RAND_bytes(buf, (int)len) != 1)
		return KD_ERR_IO;
	return KD_OK;
}

void
kd_sha256(const void *data, size_t len, unsigned char out[32])
{
	SHA256(data, len, out);
}

int
kd_memeq(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

void
kd_wipe(void *p, size_t len)
{
	if (p != NULL)
		explicit_bzero(p, len);
}

void
kd_free_secret(char *s)
{
	if (s != NULL) {
		kd_wipe(s, strlen(s));
		free(s);
	}
}

static size_t
b64_encode(const char *alpha, int pad, const unsigned char *in, size_t n,
    char *out, size_t outlen)
{
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < n) v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n) v |= in[i + 2];
		if (o + 5 > outlen)
			break;
		out[o++] = alpha[(v >> 18) & 63];
		out[o++] = alpha[(v >> 12) & 63];
		if (i + 1 < n) out[o++] = alpha[(v >> 6) & 63];
		else if (pad) out[o++] = '=';
		if (i + 2 < n) out[o++] = alpha[v & 63];
		else if (pad) out[o++] = '=';
	}
	if (outlen > 0)
		out[o < outlen ? o : outlen - 1] = '\0';
	return o;
}

size_t
kd_b64url_encode(const unsigned char *in, size_t n, char *out, size_t outlen)
{
	return b64_encode("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_", 0, in, n, out, outlen);
}

size_t
kd_b64_encode(const unsigned char *in, size_t n, char *out, size_t outlen)
{
	return b64_encode("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/", 1, in, n, out, outlen);
}

static int
b64url_value(int c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '-') return 62;
	if (c == '_') return 63;
	return -1;
}

long
kd_b64url_decode(const char *in, unsigned char *out, size_t outlen)
{
	uint32_t acc = 0;
	size_t o = 0;
	int bits = 0, v;

	for (; *in != '\0'; in++) {
		if ((v = b64url_value((unsigned char)*in)) < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			if (o == outlen)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return (long)o;
}

void
kd_hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int
kd_grow(void *arrp, size_t *cap, size_t n, size_t size)
{
	void *old, *nv;
	size_t ncap;

	if (n < *cap)
		return KD_OK;
	ncap = *cap ? *cap * 2 : 8;
	memcpy(&old, arrp, sizeof(old));
	if ((nv = realloc(old, ncap * size)) == NULL)
		return KD_ERR_NOMEM;
	memcpy(arrp, &nv, sizeof(nv));
	*cap = ncap;
	return KD_OK;
}

char *
kd_strdup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

/* Decodes one UTF-8 sequence strictly (no overlongs, no surrogates).
 * Returns its length and stores the code point, or 0 if invalid. */
static size_t
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t n, i;

	if (c < 0x80) { *cp = c; return 1; }
	if (c >= 0xc2 && c <= 0xdf) { n = 2; c &= 0x1f; }
	else if (c >= 0xe0 && c <= 0xef) { n = 3; c &= 0x0f; }
	else if (c >= 0xf0 && c <= 0xf4) { n = 4; c &= 0x07; }
	else return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int
kd_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	while (*p != '\0') {
		if ((n = utf8_decode(p, &cp)) == 0)
			return 0;
		p += n;
	}
	return 1;
}

size_t
kd_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static int
is_unsafe(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	    cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

int
kd_has_control(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	while (*p != '\0') {
		if ((n = utf8_decode(p, &cp)) == 0)
			return 1;
		if (is_unsafe(cp))
			return 1;
		p += n;
	}
	return 0;
}

void
kd_sanitize(const char *in, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)(in ? in : "");
	uint32_t cp;
	size_t n, o = 0;

	if (outlen == 0)
		return;
	while (*p != '\0') {
		n = utf8_decode(p, &cp);
		if (n == 0 || is_unsafe(cp)) {
			if (o + 1 >= outlen)
				break;
			out[o++] = '?';
			p += n == 0 ? 1 : n;
			continue;
		}
		if (o + n >= outlen)
			break;
		memmove(out + o, p, n);	/* in place is allowed */
		o += n;
		p += n;
	}
	out[o] = '\0';
}

/* Audit details are "key=value ..." lines: a value with a space, a quote,
 * '=' or a control in it is quoted (\" \\ and \xHH inside), so a name
 * like "x reason=ok" stays one value instead of forging a pair. */
const char *
kd_quote_value(const char *in, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)(in ? in : "");
	size_t o = 0;
	int plain = *p != '\0';

	for (; *p != '\0' && plain; p++)
		plain = *p > ' ' && *p != 0x7f && *p != '"' && *p != '=' &&
		    *p != '\\';
	if (len == 0)
		return buf;
	if (plain) {
		snprintf(buf, len, "%s", in);
		return buf;
	}
	buf[o++] = '"';
	for (p = (const unsigned char *)(in ? in : ""); *p != '\0'; p++) {
		if (o + 6 >= len)
			break;
		if (*p == '"' || *p == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)*p;
		} else if (*p < ' ' || *p == 0x7f)
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", *p);
		else
			buf[o++] = (char)*p;
	}
	if (o + 1 < len)
		buf[o++] = '"';
	buf[o < len ? o : len - 1] = '\0';
	return buf;
}

char *
kd_sanitize_dup(const char *in)
{
	size_t len = strlen(in ? in : "") + 1;
	char *out;

	if ((out = malloc(len)) != NULL)
		kd_sanitize(in, out, len);
	return out;
}

const char *
kd_os_user(void)
{
	static char name[64];
	struct passwd *pw;
	const char *s;

	if (name[0] != '\0')
		return name;
	if ((pw = getpwuid(getuid())) != NULL)
		snprintf(name, sizeof(name), "%s", pw->pw_name);
	else if ((s = getenv("USER")) != NULL)
		snprintf(name, sizeof(name), "%s", s);
	else
		snprintf(name, sizeof(name), "uid-%ld", (long)getuid());
	return name;
}

int
kd_memdup(unsigned char **dst, size_t *dlen, const unsigned char *src,
    size_t len)
{
	*dst = NULL;
	*dlen = 0;
	if (src == NULL || len == 0)
		return 0;
	if ((*dst = malloc(len)) == NULL)
		return -1;
	memcpy(*dst, src, len);
	*dlen = len;
	return 0;
}
