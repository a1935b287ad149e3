/* Integers, durations, booleans and the two enums of the configuration. */
#include "config/config_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_DIGITS	12	/* keeps every product below LONG_MAX */

/* Decimal digits at *sp (at least one), advancing *sp past them.  A
 * longer run than MAX_DIGITS saturates, so it fails the range check. */
static int
digits(const char **sp, long *v)
{
	const char *s = *sp;
	int sig = 0;

	*v = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((*v != 0 || *s != '0') && ++sig <= MAX_DIGITS)
			*v = *v * 10 + (*s - '0');
	if (s == *sp)
		return KD_ERR_INVALID;
	*sp = s;
	return KD_OK;
}

static int
out_of_range(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, int duration)
{
	char key[80], lo[32], hi[32];

	if (duration) {
		config_format_duration(f->min, lo, sizeof(lo));
		config_format_duration(f->max, hi, sizeof(hi));
	} else {
		snprintf(lo, sizeof(lo), "%ld", f->min);
		snprintf(hi, sizeof(hi), "%ld", f->max);
	}
	return config_node_err(w->err, w->name, n, "%s must be between %s and "
	    "%s, not %s", config_key_name(w, f, key, sizeof(key)), lo, hi,
	    n->value);
}

int
config_parse_int(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, void *dst)
{
	const char *s, *p;
	long v;
	int r, neg;

	if ((r = config_scalar(w, f, n, &s)) != KD_OK)
		return r;
	if (s == NULL)
		return config_bad_value(w, f, n, "an integer");
	p = s;
	if ((neg = *p == '-') || *p == '+')
		p++;
	if (digits(&p, &v) != KD_OK || *p != '\0')
		return config_bad_value(w, f, n, "an integer");
	if (neg)
		v = -v;
	if (v < f->min || v > f->max)
		return out_of_range(w, f, n, 0);
	*(int *)dst = (int)v;
	return KD_OK;
}

/* "90", "90s", "15m", "12h", "7d" -> seconds. */
static int
duration(const char *s, long *secs)
{
	long v, unit = 1;

	if (digits(&s, &v) != KD_OK)
		return KD_ERR_INVALID;
	switch (*s) {
	case '\0': break;
	case 's': unit = 1; s++; break;
	case 'm': unit = 60; s++; break;
	case 'h': unit = 3600; s++; break;
	case 'd': unit = 24 * 3600; s++; break;
	default: return KD_ERR_INVALID;
	}
	if (*s != '\0')
		return KD_ERR_INVALID;
	*secs = v * unit;
	return KD_OK;
}

int
config_parse_duration(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, void *dst)
{
	const char *s;
	long v;
	int r;

	if ((r = config_scalar(w, f, n, &s)) != KD_OK)
		return r;
	if (s == NULL || duration(s, &v) != KD_OK)
		return config_bad_value(w, f, n, "seconds, or a number with "
		    "s, m, h or d such as 90s, 15m, 12h, 7d");
	if (v < f->min || v > f->max)
		return out_of_range(w, f, n, 1);
	*(int *)dst = (int)v;
	return KD_OK;
}

void
config_format_duration(long secs, char *buf, size_t len)
{
	static const struct { long n; char c; } units[] = {
		{ 24 * 3600, 'd' }, { 3600, 'h' }, { 60, 'm' },
	};
	size_t i;

	if (secs == 0) {
		snprintf(buf, len, "0");
		return;
	}
	for (i = 0; i < KD_NELEM(units); i++)
		if (secs % units[i].n == 0) {
			snprintf(buf, len, "%ld%c", secs / units[i].n,
			    units[i].c);
			return;
		}
	snprintf(buf, len, "%lds", secs);
}

int
config_parse_bool(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, void *dst)
{
	static const char *yes[] = { "true", "yes", "on" };
	static const char *no[] = { "false", "no", "off" };
	const char *s;
	size_t i;
	int r;

	if ((r = config_scalar(w, f, n, &s)) != KD_OK)
		return r;
	for (i = 0; s != NULL && i < KD_NELEM(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*(int *)dst = 1;
			return KD_OK;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*(int *)dst = 0;
			return KD_OK;
		}
	}
	return config_bad_value(w, f, n, "true or false");
}

int
config_parse_starttls(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, void *dst)
{
	const char *s;
	int r;

	if ((r = config_scalar(w, f, n, &s)) != KD_OK)
		return r;
	if (s != NULL && strcmp(s, "required") == 0)
		*(enum kd_starttls *)dst = KD_STARTTLS_REQUIRED;
	else if (s != NULL && strcmp(s, "none") == 0)
		*(enum kd_starttls *)dst = KD_STARTTLS_NONE;
	else
		return config_bad_value(w, f, n, "required or none");
	return KD_OK;
}

/* `f->min` is the key type: a card has no biometric, for example. */
int
config_parse_verification(struct config_walk *w,
    const struct config_field *f, const struct config_node *n, void *dst)
{
	enum kd_key_type type = (enum kd_key_type)f->min;
	enum kd_verification v;
	char allowed[80], expected[100];
	const char *s;
	size_t o = 0;
	int r, i;

	allowed[0] = '\0';
	for (i = KD_VERIFY_BIOMETRIC; i <= KD_VERIFY_PINLESS; i++)
		if (model_verification_allowed(type, (enum kd_verification)i))
			o += (size_t)snprintf(allowed + o, sizeof(allowed) - o,
			    "%s%s", o > 0 ? ", " : "",
			    model_verification_name((enum kd_verification)i));
	if ((r = config_scalar(w, f, n, &s)) != KD_OK)
		return r;
	if (s == NULL || model_verification_parse(s, &v) != KD_OK) {
		snprintf(expected, sizeof(expected), "one of: %s", allowed);
		return config_bad_value(w, f, n, expected);
	}
	if (!model_verification_allowed(type, v))
		return config_node_err(w->err, w->name, n, "verification "
		    "\"%s\" is not offered for %s keys (expected one of: %s)",
		    s, model_key_type_name(type), allowed);
	*(enum kd_verification *)dst = v;
	return KD_OK;
}
