/* keydesk core: status codes, error messages and small shared helpers.
 * Core functions return an int status (KD_OK or a negative KD_ERR_*) and
 * fill a struct kd_err for the caller; core never prints and never exits. */
#ifndef KD_H
#define KD_H

#include <stddef.h>
#include <stdint.h>

#define KD_VERSION "0.1.0"

enum {
	KD_OK = 0,
	KD_ERR_NOMEM = -1,
	KD_ERR_INVALID = -2,	/* bad input: a field, an argument, a value */
	KD_ERR_EXISTS = -3,
	KD_ERR_NOTFOUND = -4,
	KD_ERR_DB = -5,
	KD_ERR_BUSY = -6,	/* database locked by another process too long */
	KD_ERR_IO = -7,
	KD_ERR_CONFIG = -8,
	KD_ERR_MAIL = -9,
	KD_ERR_CANCELLED = -10,
	KD_ERR_DEVICE = -11,
	KD_ERR_TIMEOUT = -12,
	KD_ERR_REMOVED = -13,	/* card left the reader */
	KD_ERR_PIN = -14,
	KD_ERR_DENIED = -15,
	KD_ERR_LOCKED = -16,	/* rate limited */
	KD_ERR_EXPIRED = -17,
	KD_ERR_NODEV = -18,	/* no reader / no key / pcscd not running */
	KD_ERR_HAS_PIN = -19,	/* card already has a PIN: ask the operator */
	KD_ERR_FULL = -20,	/* no free discoverable-credential slots */
	KD_ERR_NOTFIDO = -21,	/* card does not answer the FIDO applet */
	KD_ERR_WRONGDEV = -22,	/* a card where a USB key was chosen, or back */
};

struct kd_err {
	int	code;
	char	msg[512];
};

int	kd_err_set(struct kd_err *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	kd_err_clear(struct kd_err *);
const char *kd_strerror(int);

/* Clock: seconds since the epoch.  kd_clock_set() and, in test builds
 * only (KD_TEST_CLOCK), KEYDESK_FAKE_NOW override it so expiry can be
 * tested without waiting. */
int64_t	kd_now(void);
void	kd_clock_set(int64_t);	/* 0 = real clock again */
/* Milliseconds on the monotonic clock: for timeouts and intervals. */
int64_t	kd_mono_ms(void);
/* "host:tty" (or "host:NOTTY" off a terminal): the kiosk's name in the
 * audit log and its lock-out. */
void	kd_terminal_name(char *, size_t, const char *notty);
void	kd_time_format(int64_t, char *, size_t);	/* "2026-11-23 08:50" UTC */
void	kd_time_iso(int64_t, char *, size_t);	/* "2026-11-23T08:50:55Z" */
/* "2026-11-23[ 08:50[:55]]" (UTC) or a time ago ("90m", "12h", "7d"). */
int	kd_time_parse(const char *, int64_t *);

/* Randomness and hashing (OpenSSL libcrypto). */
int	kd_random(void *, size_t);
void	kd_sha256(const void *, size_t, unsigned char out[32]);
int	kd_memeq(const void *, const void *, size_t);	/* constant time */
void	kd_wipe(void *, size_t);			/* explicit_bzero */
void	kd_free_secret(char *);				/* wipe a string, free it */
size_t	kd_b64url_encode(const unsigned char *, size_t, char *, size_t);
size_t	kd_b64_encode(const unsigned char *, size_t, char *, size_t);
/* Decodes base64url (no padding); returns the length or -1 if invalid. */
long	kd_b64url_decode(const char *, unsigned char *, size_t);
void	kd_hex_encode(const unsigned char *, size_t, char *);	/* 2n+1 */

/* Strings. */
/* Makes room for element n of a growing array: `arrp` points to the array
 * pointer, doubled (from 8) when n reaches *cap.  KD_ERR_NOMEM leaves the
 * array as it was. */
int	kd_grow(void *arrp, size_t *cap, size_t n, size_t size);
char	*kd_strdup(const char *);	/* NULL stays NULL */
/* A copy of `len` bytes in *dst (NULL and 0 when there are none); -1 when
 * out of memory. */
int	kd_memdup(unsigned char **dst, size_t *dlen, const unsigned char *src,
	    size_t len);
int	kd_utf8_valid(const char *);
size_t	kd_utf8_len(const char *);	/* code points; valid UTF-8 assumed */
int	kd_has_control(const char *);	/* C0, DEL, C1, bidi overrides */
/* Copies `in` to `out` with every control, C1, bidi override and invalid
 * byte replaced by '?': safe to print to a terminal. */
void	kd_sanitize(const char *, char *, size_t);
char	*kd_sanitize_dup(const char *);
/* `in` as one value of an audit "key=value" line: as it is when plain,
 * else in double quotes with \" \\ \xHH escapes.  Returns buf. */
const char *kd_quote_value(const char *in, char *buf, size_t len);
const char *kd_os_user(void);

#define KD_NELEM(a) (sizeof(a) / sizeof((a)[0]))

#endif
