/* What an authenticator's getInfo says, in the forms keydesk keeps and
 * shows: options, minimum PIN length, versions, AAGUID, a small JSON. */
#include "core/fido_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
fdev_info_option(const fido_cbor_info_t *ci, const char *name)
{
	char * const *names = fido_cbor_info_options_name_ptr(ci);
	const bool *vals = fido_cbor_info_options_value_ptr(ci);
	size_t n = fido_cbor_info_options_len(ci);

	for (size_t i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], name) == 0)
			return vals[i] ? 1 : 0;
	return -1;
}

int
fdev_info_min_pin(const fido_cbor_info_t *ci)
{
	uint64_t n = fido_cbor_info_minpinlen(ci);

	/* CTAP 2.1: absent means the default of 4 code points. */
	return n == 0 ? 4 : n > 63 ? 63 : (int)n;
}

int
fdev_info_can_force(const fido_cbor_info_t *ci)
{
	/* forcePINChange travels in authenticatorConfig setMinPINLength. */
	return fdev_info_option(ci, "authnrCfg") == 1 &&
	    fdev_info_option(ci, "setMinPINLength") == 1;
}

void
fdev_info_versions(const fido_cbor_info_t *ci, char *out, size_t cap)
{
	char * const *v = fido_cbor_info_versions_ptr(ci);
	size_t n = fido_cbor_info_versions_len(ci), len = 0;
	int w;

	if (cap == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < n && len < cap; i++) {
		w = snprintf(out + len, cap - len, "%s%s", i ? "," : "",
		    v[i] != NULL ? v[i] : "");
		if (w < 0 || (size_t)w >= cap - len) {
			out[len] = '\0';	/* whole names only */
			break;
		}
		len += (size_t)w;
	}
}

void
fdev_info_aaguid_hex(const fido_cbor_info_t *ci, char out[33])
{
	out[0] = '\0';
	if (fido_cbor_info_aaguid_len(ci) == 16)
		kd_hex_encode(fido_cbor_info_aaguid_ptr(ci), 16, out);
}

/* Appends `s` as a JSON string; returns 0 or -1 when out of room. */
static int
json_str(char *out, size_t cap, size_t *len, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c;

	if (*len + 1 >= cap)
		return -1;
	out[(*len)++] = '"';
	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (*len + 7 >= cap)
			return -1;
		if (c == '"' || c == '\\') {
			out[(*len)++] = '\\';
			out[(*len)++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(out + *len, "\\u00", 4);
			out[*len + 4] = hex[c >> 4];
			out[*len + 5] = hex[c & 15];
			*len += 6;
		} else
			out[(*len)++] = (char)c;
	}
	out[(*len)++] = '"';
	out[*len] = '\0';
	return 0;
}

/* Appends text as is (`key` then, with `with_num`, the number). */
static int
json_raw(char *out, size_t cap, size_t *len, const char *key, int with_num,
    long long v)
{
	int w;

	if (with_num)
		w = snprintf(out + *len, cap - *len, "%s%lld", key, v);
	else
		w = snprintf(out + *len, cap - *len, "%s", key);
	if (w < 0 || (size_t)w >= cap - *len)
		return -1;
	*len += (size_t)w;
	return 0;
}

/* {"versions":["FIDO_2_0"],"aaguid":"..","pin_set":true,
 *  "min_pin_length":4,"rk_remaining":24,
 *  "force_pin_change_supported":false} */
char *
fdev_info_json(const fido_cbor_info_t *ci)
{
	char * const *v = fido_cbor_info_versions_ptr(ci);
	size_t n = fido_cbor_info_versions_len(ci), cap = 512, len = 0;
	char *out, aaguid[33];
	int pin = fdev_info_option(ci, "clientPin"), ok = 0;

	if ((out = malloc(cap)) == NULL)
		return NULL;
	fdev_info_aaguid_hex(ci, aaguid);
	len = (size_t)snprintf(out, cap, "{\"versions\":[");
	for (size_t i = 0; i < n && ok == 0; i++) {
		if (i > 0)
			ok = json_raw(out, cap, &len, ",", 0, 0);
		if (ok == 0)
			ok = json_str(out, cap, &len, v[i] ? v[i] : "");
	}
	if (ok == 0)
		ok = json_raw(out, cap, &len, "],\"aaguid\":", 0, 0);
	if (ok == 0)
		ok = json_str(out, cap, &len, aaguid);
	if (ok == 0)
		ok = json_raw(out, cap, &len, pin == 1 ? ",\"pin_set\":true" :
		    pin == 0 ? ",\"pin_set\":false" : ",\"pin_set\":null",
		    0, 0);
	if (ok == 0)
		ok = json_raw(out, cap, &len, ",\"min_pin_length\":", 1,
		    fdev_info_min_pin(ci));
	if (ok == 0)
		ok = json_raw(out, cap, &len, ",\"rk_remaining\":", 1,
		    (long long)fido_cbor_info_rk_remaining(ci));
	if (ok == 0)
		ok = json_raw(out, cap, &len, fdev_info_can_force(ci) ?
		    ",\"force_pin_change_supported\":true}" :
		    ",\"force_pin_change_supported\":false}", 0, 0);
	if (ok != 0) {
		free(out);
		return NULL;
	}
	return out;
}

int
fdev_cbor_bstr(const unsigned char *p, size_t n, const unsigned char **data,
    size_t *len)
{
	size_t hdr, l;

	if (n < 1 || (p[0] & 0xe0) != 0x40)
		return -1;
	if ((p[0] & 0x1f) < 24) {
		hdr = 1;
		l = p[0] & 0x1f;
	} else if (p[0] == 0x58 && n >= 2) {
		hdr = 2;
		l = p[1];
	} else if (p[0] == 0x59 && n >= 3) {
		hdr = 3;
		l = (size_t)p[1] << 8 | p[2];
	} else
		return -1;
	if (l != n - hdr)
		return -1;
	*data = p + hdr;
	*len = l;
	return 0;
}
