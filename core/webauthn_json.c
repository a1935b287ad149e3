/* The JSON half of WebAuthn: the bodies a page POSTs (a registration from
 * navigator.credentials.create, an assertion from .get) and the
 * clientDataJSON inside them, parsed with jansson.  Nothing is checked
 * against what the server expects here; that is webauthn.c's job.
 * Fuzzed by tests/fuzz/fuzz_webauthn_body.c. */
#include "core/webauthn_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A duplicate key is how two parsers come to disagree about one body. */
#define WA_JSON_FLAGS	JSON_REJECT_DUPLICATES

/* A JSON string without NUL bytes (jansson refuses \u0000 unless asked,
 * but the length is checked anyway before C string functions see it). */
static const char *
json_str(const json_t *v, size_t *len)
{
	const char *s;

	if (!json_is_string(v) || (s = json_string_value(v)) == NULL)
		return NULL;
	*len = json_string_length(v);
	return strlen(s) == *len ? s : NULL;
}

/* Decodes unpadded base64url (what browsers write) into out[cap]; -1 when
 * it is not that or does not fit.  A lone last character is not base64. */
static long
b64_into(const json_t *v, unsigned char *out, size_t cap)
{
	const char *s;
	size_t len;

	if ((s = json_str(v, &len)) == NULL || len % 4 == 1)
		return -1;
	return kd_b64url_decode(s, out, cap);
}

/* Field `name` of `obj` (where names obj in messages), base64url, into a
 * fresh buffer.  Absent, null or "" is an error when `required`, else
 * leaves *out NULL. */
static int
b64_dup(const json_t *v, const char *where, const char *name, int required,
    unsigned char **out, size_t *out_len, struct kd_err *err)
{
	size_t len, cap;
	long n;

	*out = NULL;
	*out_len = 0;
	if (v == NULL || json_is_null(v) ||
	    (json_is_string(v) && json_string_length(v) == 0)) {
		if (!required)
			return KD_OK;
		return kd_err_set(err, KD_ERR_INVALID, "%s has no %s", where,
		    name);
	}
	if (json_str(v, &len) == NULL)
		goto bad;
	cap = len / 4 * 3 + 2;
	if ((*out = malloc(cap)) == NULL)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	if ((n = b64_into(v, *out, cap)) <= 0) {
		free(*out);
		*out = NULL;
		goto bad;
	}
	*out_len = (size_t)n;
	return KD_OK;
bad:
	return kd_err_set(err, KD_ERR_INVALID, "in %s, %s is not base64url",
	    where, name);
}

/* A string field into a fixed buffer; too long is malformed, never cut
 * (a cut origin could come to equal the expected one). */
static int
str_copy(const json_t *obj, const char *name, char *out, size_t size,
    struct kd_err *err)
{
	const json_t *v = json_object_get(obj, name);
	const char *s;
	size_t len;

	if (v == NULL)
		return kd_err_set(err, KD_ERR_INVALID,
		    "clientDataJSON has no %s", name);
	if ((s = json_str(v, &len)) == NULL || len >= size)
		return kd_err_set(err, KD_ERR_INVALID,
		    "clientDataJSON's %s is not a string of at most %zu bytes",
		    name, size - 1);
	memcpy(out, s, len + 1);
	return KD_OK;
}

int
wa_client_parse(const unsigned char *cdj, size_t len, struct wa_client *c,
    struct kd_err *err)
{
	json_error_t jerr;
	json_t *root, *v;
	long n;
	int rc;

	memset(c, 0, sizeof(*c));
	if (cdj == NULL || (root = json_loadb((const char *)cdj, len,
	    WA_JSON_FLAGS, &jerr)) == NULL)
		return kd_err_set(err, KD_ERR_INVALID,
		    "clientDataJSON is not valid JSON");
	if (!json_is_object(root)) {
		rc = kd_err_set(err, KD_ERR_INVALID,
		    "clientDataJSON is not a JSON object");
		goto fail;
	}
	if ((rc = str_copy(root, "type", c->type, sizeof(c->type), err)) !=
	    KD_OK || (rc = str_copy(root, "origin", c->origin,
	    sizeof(c->origin), err)) != KD_OK)
		goto fail;
	if ((v = json_object_get(root, "challenge")) == NULL) {
		rc = kd_err_set(err, KD_ERR_INVALID,
		    "clientDataJSON has no challenge");
		goto fail;
	}
	if ((n = b64_into(v, c->challenge, sizeof(c->challenge))) <= 0) {
		rc = kd_err_set(err, KD_ERR_INVALID, "clientDataJSON's "
		    "challenge is not base64url of at most %zu bytes",
		    sizeof(c->challenge));
		goto fail;
	}
	c->challenge_len = (size_t)n;
	/* crossOrigin may be absent (older browsers); anything but a
	 * boolean is malformed */
	if ((v = json_object_get(root, "crossOrigin")) != NULL &&
	    !json_is_boolean(v)) {
		rc = kd_err_set(err, KD_ERR_INVALID,
		    "clientDataJSON's crossOrigin is not true or false");
		goto fail;
	}
	c->cross_origin = v != NULL && json_is_true(v);
	rc = KD_OK;
fail:
	json_decref(root);
	return rc;
}

/* The body as a JSON object and its "response" member (NULL if absent). */
static int
body_load(const char *body, size_t len, json_t **top, json_t **resp,
    struct kd_err *err)
{
	json_error_t jerr;
	const json_t *t;
	const char *s;
	size_t slen;

	*top = *resp = NULL;
	if (body == NULL || len == 0)
		return kd_err_set(err, KD_ERR_INVALID,
		    "the browser's answer is empty");
	if (len > WEBAUTHN_BODY_MAX)
		return kd_err_set(err, KD_ERR_INVALID, "the browser's answer "
		    "is too large (%zu bytes, at most %d)", len,
		    WEBAUTHN_BODY_MAX);
	if ((*top = json_loadb(body, len, WA_JSON_FLAGS, &jerr)) == NULL ||
	    !json_is_object(*top))
		return kd_err_set(err, KD_ERR_INVALID,
		    "the browser's answer is not valid JSON");
	*resp = json_object_get(*top, "response");
	if (*resp != NULL && !json_is_object(*resp))
		return kd_err_set(err, KD_ERR_INVALID, "the browser's "
		    "answer has a response that is not an object");
	/* PublicKeyCredential.type, when sent, is always "public-key" */
	if ((t = json_object_get(*top, "type")) != NULL &&
	    ((s = json_str(t, &slen)) == NULL || strcmp(s, "public-key") != 0))
		return kd_err_set(err, KD_ERR_INVALID, "the browser's "
		    "answer is not a public-key credential");
	return KD_OK;
}

/* `name` from the response object, else from the top level. */
static const json_t *
body_field(const json_t *top, const json_t *resp, const char *name)
{
	const json_t *v = NULL;

	if (resp != NULL)
		v = json_object_get(resp, name);
	return v != NULL ? v : json_object_get(top, name);
}

/* The credential ID: rawId, else id. */
static int
body_id(const json_t *top, int required, unsigned char **id, size_t *len,
    struct kd_err *err)
{
	const json_t *v = json_object_get(top, "rawId");
	int rc;

	if (v == NULL)
		v = json_object_get(top, "id");
	if ((rc = b64_dup(v, "the browser's answer", "credential id",
	    required, id, len, err)) != KD_OK)
		return rc;
	if (*len > WEBAUTHN_CRED_ID_MAX)
		return kd_err_set(err, KD_ERR_INVALID, "the browser's answer "
		    "has a credential id longer than %d bytes",
		    WEBAUTHN_CRED_ID_MAX);
	return KD_OK;
}

static int
name_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '-'))
			return 0;
	return len > 0;
}

/* ["usb","nfc"] -> "usb,nfc": only plain names, stopping at the first that
 * does not fit (never half a name).  A hint: anything odd is skipped. */
static void
transports_join(const json_t *arr, char *out, size_t size)
{
	const char *s;
	size_t i, len, o = 0;

	out[0] = '\0';
	if (!json_is_array(arr))
		return;
	for (i = 0; i < json_array_size(arr); i++) {
		if ((s = json_str(json_array_get(arr, i), &len)) == NULL ||
		    !name_ok(s, len))
			continue;
		if (o + (o > 0) + len + 1 > size)
			break;
		if (o > 0)
			out[o++] = ',';
		memcpy(out + o, s, len);
		o += len;
		out[o] = '\0';
	}
}

int
webauthn_reg_parse(const char *body, size_t len, struct kd_webauthn_reg *reg,
    struct kd_err *err)
{
	static const char who[] = "the browser's answer";
	json_t *top = NULL, *resp = NULL;
	struct wa_client c;
	int rc;

	memset(reg, 0, sizeof(*reg));
	if ((rc = body_load(body, len, &top, &resp, err)) != KD_OK ||
	    (rc = body_id(top, 1, &reg->id, &reg->id_len, err)) != KD_OK ||
	    (rc = b64_dup(body_field(top, resp, "attestationObject"), who,
	    "attestationObject", 1, &reg->att_obj, &reg->att_obj_len,
	    err)) != KD_OK ||
	    (rc = b64_dup(body_field(top, resp, "clientDataJSON"), who,
	    "clientDataJSON", 1, &reg->cdj, &reg->cdj_len, err)) != KD_OK ||
	    (rc = wa_client_parse(reg->cdj, reg->cdj_len, &c, err)) != KD_OK)
		goto fail;
	transports_join(body_field(top, resp, "transports"), reg->transports,
	    sizeof(reg->transports));
	memcpy(reg->type, c.type, sizeof(reg->type));
	memcpy(reg->challenge, c.challenge, sizeof(reg->challenge));
	reg->challenge_len = c.challenge_len;
	memcpy(reg->origin, c.origin, sizeof(reg->origin));
	reg->cross_origin = c.cross_origin;
fail:
	json_decref(top);
	if (rc != KD_OK)
		webauthn_reg_clear(reg);
	return rc;
}

void
webauthn_reg_clear(struct kd_webauthn_reg *reg)
{
	if (reg == NULL)
		return;
	free(reg->id);
	free(reg->att_obj);
	free(reg->cdj);
	memset(reg, 0, sizeof(*reg));
}

int
webauthn_assert_parse(const char *json, size_t len,
    struct kd_webauthn_assertion *a, struct kd_err *err)
{
	static const char who[] = "the browser's answer";
	json_t *top = NULL, *resp = NULL;
	struct wa_client c;
	int rc;

	memset(a, 0, sizeof(*a));
	if ((rc = body_load(json, len, &top, &resp, err)) != KD_OK ||
	    (rc = body_id(top, 0, &a->id, &a->id_len, err)) != KD_OK ||
	    (rc = b64_dup(body_field(top, resp, "authenticatorData"), who,
	    "authenticatorData", 1, &a->authdata, &a->authdata_len,
	    err)) != KD_OK ||
	    (rc = b64_dup(body_field(top, resp, "clientDataJSON"), who,
	    "clientDataJSON", 1, &a->cdj, &a->cdj_len, err)) != KD_OK ||
	    (rc = b64_dup(body_field(top, resp, "signature"), who,
	    "signature", 1, &a->sig, &a->sig_len, err)) != KD_OK ||
	    (rc = b64_dup(body_field(top, resp, "userHandle"), who,
	    "userHandle", 0, &a->user_handle, &a->user_handle_len,
	    err)) != KD_OK ||
	    (rc = wa_client_parse(a->cdj, a->cdj_len, &c, err)) != KD_OK)
		goto fail;
	memcpy(a->type, c.type, sizeof(a->type));
	memcpy(a->challenge, c.challenge, sizeof(a->challenge));
	a->challenge_len = c.challenge_len;
	memcpy(a->origin, c.origin, sizeof(a->origin));
	a->cross_origin = c.cross_origin;
fail:
	json_decref(top);
	if (rc != KD_OK)
		webauthn_assertion_clear(a);
	return rc;
}

void
webauthn_assertion_clear(struct kd_webauthn_assertion *a)
{
	if (a == NULL)
		return;
	free(a->id);
	free(a->authdata);
	free(a->cdj);
	free(a->sig);
	free(a->user_handle);
	memset(a, 0, sizeof(*a));
}
