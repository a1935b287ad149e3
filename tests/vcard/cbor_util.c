/*
 * CBOR helpers: walk a CTAP request's top-level map keeping each value's
 * raw bytes (authenticatorConfig authenticates the exact bytes of
 * subCommandParams), and build responses in CTAP2 canonical form (shortest
 * integer encodings, definite lengths; callers add map keys in canonical
 * order) because python-fido2 rejects anything else.
 */
#include <stdlib.h>
#include <string.h>

#include "vcard.h"

int
vc_buf_add(struct vc_buf *b, const void *p, size_t n)
{
	uint8_t *np;
	size_t ncap;

	if (n == 0)
		return 0;
	if (b->len + n > b->cap) {
		ncap = b->cap ? b->cap : 256;
		while (ncap < b->len + n)
			ncap *= 2;
		if ((np = realloc(b->ptr, ncap)) == NULL)
			return -1;
		b->ptr = np;
		b->cap = ncap;
	}
	memcpy(b->ptr + b->len, p, n);
	b->len += n;
	return 0;
}

void
vc_buf_free(struct vc_buf *b)
{
	if (b->ptr != NULL)
		explicit_bzero(b->ptr, b->cap);
	free(b->ptr);
	memset(b, 0, sizeof(*b));
}

/* Decodes a CBOR head of major type 'mt'; returns its bytes or 0. */
static size_t
head_decode(const uint8_t *p, size_t len, int mt, uint64_t *val)
{
	uint8_t ai;
	size_t n, i;

	if (len < 1 || (p[0] >> 5) != mt)
		return 0;
	ai = p[0] & 0x1f;
	if (ai < 24) {
		*val = ai;
		return 1;
	}
	if (ai > 27)
		return 0; /* indefinite length: not allowed in CTAP2 */
	n = (size_t)1 << (ai - 24);
	if (len < 1 + n)
		return 0;
	*val = 0;
	for (i = 0; i < n; i++)
		*val = *val << 8 | p[1 + i];
	return 1 + n;
}

void
vc_req_free(struct vc_req *req)
{
	size_t i;

	for (i = 0; i < VC_REQ_KEYS; i++)
		if (req->f[i].item != NULL)
			cbor_decref(&req->f[i].item);
	memset(req, 0, sizeof(*req));
}

/*
 * Parses "map of uint -> any" (the body of every CTAP2 request).  Keys at
 * or above VC_REQ_KEYS are skipped: CTAP says unknown keys are ignored.
 */
int
vc_req_parse(const uint8_t *p, size_t len, struct vc_req *req)
{
	struct cbor_load_result res;
	cbor_item_t *key = NULL, *val = NULL;
	uint64_t n, i, k;
	size_t h;
	int r = CTAP2_ERR_INVALID_CBOR;

	memset(req, 0, sizeof(*req));
	if (len == 0)
		return CTAP2_OK; /* no parameters at all */
	if ((h = head_decode(p, len, 5, &n)) == 0) {
		r = (p[0] >> 5) == 5 ? CTAP2_ERR_INVALID_CBOR :
		    CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
		goto fail;
	}
	p += h;
	len -= h;
	for (i = 0; i < n; i++) {
		key = cbor_load(p, len, &res);
		if (key == NULL || res.error.code != CBOR_ERR_NONE)
			goto fail;
		p += res.read;
		len -= res.read;
		val = cbor_load(p, len, &res);
		if (val == NULL || res.error.code != CBOR_ERR_NONE)
			goto fail;
		if (!cbor_isa_uint(key)) {
			r = CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
			goto fail;
		}
		k = cbor_get_int(key);
		if (k < VC_REQ_KEYS) {
			if (req->f[k].item != NULL)
				goto fail; /* duplicate key */
			req->f[k].raw = p;
			req->f[k].raw_len = res.read;
			req->f[k].item = val;
			val = NULL;
		}
		p += res.read;
		len -= res.read;
		cbor_decref(&key);
		if (val != NULL)
			cbor_decref(&val);
	}
	if (len != 0)
		goto fail; /* trailing bytes */
	return CTAP2_OK;
fail:
	if (key != NULL)
		cbor_decref(&key);
	if (val != NULL)
		cbor_decref(&val);
	vc_req_free(req);
	return r;
}

cbor_item_t *
cb_uint(uint64_t v)
{
	if (v <= UINT8_MAX)
		return cbor_build_uint8((uint8_t)v);
	if (v <= UINT16_MAX)
		return cbor_build_uint16((uint16_t)v);
	if (v <= UINT32_MAX)
		return cbor_build_uint32((uint32_t)v);
	return cbor_build_uint64(v);
}

cbor_item_t *
cb_int(int64_t v)
{
	uint64_t m;

	if (v >= 0)
		return cb_uint((uint64_t)v);
	m = (uint64_t)(-(v + 1));
	if (m <= UINT8_MAX)
		return cbor_build_negint8((uint8_t)m);
	if (m <= UINT16_MAX)
		return cbor_build_negint16((uint16_t)m);
	if (m <= UINT32_MAX)
		return cbor_build_negint32((uint32_t)m);
	return cbor_build_negint64(m);
}

cbor_item_t *
cb_bytes(const void *p, size_t n)
{
	return cbor_build_bytestring((cbor_data)p, n);
}

cbor_item_t *
cb_text(const char *s)
{
	return cbor_build_string(s);
}

/* Adds k => v to a definite map; always consumes both references. */
int
cb_put(cbor_item_t *map, cbor_item_t *k, cbor_item_t *v)
{
	int ok = -1;

	if (map == NULL || k == NULL || v == NULL)
		goto fail;
	if (!cbor_map_add(map, (struct cbor_pair){ .key = k, .value = v }))
		goto fail;
	ok = 0;
fail:
	if (k != NULL)
		cbor_decref(&k);
	if (v != NULL)
		cbor_decref(&v);
	return ok;
}

/* Appends v to a definite array; always consumes the reference. */
int
cb_push(cbor_item_t *arr, cbor_item_t *v)
{
	int ok = -1;

	if (arr != NULL && v != NULL && cbor_array_push(arr, v))
		ok = 0;
	if (v != NULL)
		cbor_decref(&v);
	return ok;
}

/* Serializes *item after a CTAP2_OK status byte, and frees it. */
int
cb_finish(cbor_item_t **item, uint8_t status, struct vc_buf *out)
{
	unsigned char *p = NULL;
	size_t cap = 0, n;
	int ok = -1;

	if (*item == NULL)
		goto fail;
	if ((n = cbor_serialize_alloc(*item, &p, &cap)) == 0)
		goto fail;
	if (vc_buf_add(out, &status, 1) < 0 || vc_buf_add(out, p, n) < 0)
		goto fail;
	ok = 0;
fail:
	if (p != NULL)
		explicit_bzero(p, cap);
	free(p);
	if (*item != NULL)
		cbor_decref(item);
	return ok;
}

int
cb_get_uint(const cbor_item_t *it, uint64_t *v)
{
	if (it == NULL || !cbor_isa_uint(it))
		return -1;
	*v = cbor_get_int(it);
	return 0;
}

int
cb_get_int(const cbor_item_t *it, int64_t *v)
{
	uint64_t m;

	if (it == NULL || !(cbor_isa_uint(it) || cbor_isa_negint(it)))
		return -1;
	m = cbor_get_int(it);
	if (m > INT64_MAX)
		return -1;
	*v = cbor_isa_uint(it) ? (int64_t)m : -1 - (int64_t)m;
	return 0;
}

int
cb_get_bytes(const cbor_item_t *it, const uint8_t **p, size_t *n)
{
	if (it == NULL || !cbor_isa_bytestring(it) ||
	    !cbor_bytestring_is_definite(it))
		return -1;
	*p = cbor_bytestring_handle(it);
	*n = cbor_bytestring_length(it);
	return 0;
}

int
cb_get_text(const cbor_item_t *it, const char **p, size_t *n)
{
	if (it == NULL || !cbor_isa_string(it) || !cbor_string_is_definite(it))
		return -1;
	*p = (const char *)cbor_string_handle(it);
	*n = cbor_string_length(it);
	return 0;
}

int
cb_get_bool(const cbor_item_t *it, int *v)
{
	if (it == NULL || !cbor_isa_float_ctrl(it) || !cbor_is_bool(it))
		return -1;
	*v = cbor_ctrl_value(it) == CBOR_CTRL_TRUE;
	return 0;
}

int
cb_text_eq(const cbor_item_t *it, const char *s)
{
	const char *p;
	size_t n;

	if (cb_get_text(it, &p, &n) < 0)
		return 0;
	return n == strlen(s) && (n == 0 || memcmp(p, s, n) == 0);
}

const cbor_item_t *
cb_map_get(const cbor_item_t *map, const char *key)
{
	struct cbor_pair *v;
	size_t i, n;

	if (map == NULL || !cbor_isa_map(map))
		return NULL;
	v = cbor_map_handle(map);
	n = cbor_map_size(map);
	for (i = 0; i < n; i++)
		if (cb_text_eq(v[i].key, key))
			return v[i].value;
	return NULL;
}

const cbor_item_t *
cb_map_get_int(const cbor_item_t *map, int64_t key)
{
	struct cbor_pair *v;
	size_t i, n;
	int64_t k;

	if (map == NULL || !cbor_isa_map(map))
		return NULL;
	v = cbor_map_handle(map);
	n = cbor_map_size(map);
	for (i = 0; i < n; i++)
		if (cb_get_int(v[i].key, &k) == 0 && k == key)
			return v[i].value;
	return NULL;
}

/* COSE_Key for a P-256 point: {1: 2, 3: alg, -1: 1, -2: x, -3: y}. */
cbor_item_t *
cb_cose_es256(const uint8_t x[32], const uint8_t y[32], int64_t alg)
{
	cbor_item_t *m;

	if ((m = cbor_new_definite_map(5)) == NULL)
		return NULL;
	if (cb_put(m, cb_uint(1), cb_uint(2)) < 0 ||
	    cb_put(m, cb_uint(3), cb_int(alg)) < 0 ||
	    cb_put(m, cb_int(-1), cb_uint(1)) < 0 ||
	    cb_put(m, cb_int(-2), cb_bytes(x, 32)) < 0 ||
	    cb_put(m, cb_int(-3), cb_bytes(y, 32)) < 0) {
		cbor_decref(&m);
		return NULL;
	}
	return m;
}
