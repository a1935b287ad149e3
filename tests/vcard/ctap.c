/*
 * The CTAP2 layer: one CTAP request (command byte || CBOR) in, one CTAP
 * response (status byte || CBOR) out.  getInfo, reset and
 * authenticatorConfig live here; credentials and PINs in their own files.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vcard.h"

#define CFG_ENTERPRISE  0x01
#define CFG_ALWAYS_UV   0x02
#define CFG_MIN_PIN_LEN 0x03

const uint8_t vc_aaguid[16] = {
	0x7c, 0x46, 0xa0, 0x92, 0x67, 0x29, 0x45, 0xd7,
	0x8a, 0x67, 0xd4, 0x74, 0xd2, 0xdf, 0x1b, 0x53,
};

static const struct {
	const char *name;
	int cmd;
} cmd_names[] = {
	{ "makeCredential", CTAP_MAKE_CREDENTIAL },
	{ "getAssertion", CTAP_GET_ASSERTION },
	{ "getInfo", CTAP_GET_INFO },
	{ "clientPIN", CTAP_CLIENT_PIN },
	{ "reset", CTAP_RESET },
	{ "getNextAssertion", CTAP_GET_NEXT_ASSERT },
	{ "config", CTAP_CONFIG },
};

const char *
vc_ctap_name(int cmd)
{
	size_t i;

	for (i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++)
		if (cmd_names[i].cmd == cmd)
			return cmd_names[i].name;
	return "unknown";
}

/* "makeCredential", "authenticatorMakeCredential", "1" or "0x01". */
int
vc_ctap_parse_name(const char *s)
{
	char *end;
	long v;
	size_t i;

	if (strncasecmp(s, "authenticator", 13) == 0)
		s += 13;
	for (i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++)
		if (strcasecmp(s, cmd_names[i].name) == 0)
			return cmd_names[i].cmd;
	v = strtol(s, &end, 0);
	if (*s == '\0' || *end != '\0' || v < 0 || v > 0xff)
		return -1;
	return (int)v;
}

int
vc_ctap_status(struct vc_buf *out, uint8_t status)
{
	out->len = 0;
	return vc_buf_add(out, &status, 1);
}

/* A power cycle: everything volatile is new (CTAP 2.1 6.5.5.1). */
void
vc_session_power(struct vcard *vc)
{
	vc_pin_new_ka(vc);
	vc_pin_token_reset(vc);
	vc->s.mismatches = 0;
	vc->s.next_active = 0;
}

void
vc_session_free(struct vcard *vc)
{
	struct vc_session *s = &vc->s;

	EVP_PKEY_free(s->ka_key);
	explicit_bzero(s, sizeof(*s));
}

static cbor_item_t *
info_options(const struct vcard *vc)
{
	cbor_item_t *o;

	/* Canonical order: shorter keys first, then bytewise. */
	if ((o = cbor_new_definite_map(6)) == NULL)
		return NULL;
	if (cb_put(o, cb_text("rk"), cbor_build_bool(true)) < 0 ||
	    cb_put(o, cb_text("up"), cbor_build_bool(true)) < 0 ||
	    cb_put(o, cb_text("authnrCfg"), cbor_build_bool(true)) < 0 ||
	    cb_put(o, cb_text("clientPin"),
	    cbor_build_bool(vc->st.pin_set)) < 0 ||
	    cb_put(o, cb_text("pinUvAuthToken"), cbor_build_bool(true)) < 0 ||
	    cb_put(o, cb_text("setMinPINLength"), cbor_build_bool(true)) < 0)
		cbor_decref(&o);
	return o;
}

static cbor_item_t *
info_arrays(int which)
{
	cbor_item_t *a, *alg;

	if ((a = cbor_new_definite_array(2)) == NULL)
		return NULL;
	switch (which) {
	case 1: /* versions */
		if (cb_push(a, cb_text("FIDO_2_0")) < 0 ||
		    cb_push(a, cb_text("FIDO_2_1")) < 0)
			cbor_decref(&a);
		break;
	case 6: /* pinUvAuthProtocols, preferred first */
		if (cb_push(a, cb_uint(2)) < 0 || cb_push(a, cb_uint(1)) < 0)
			cbor_decref(&a);
		break;
	case 9: /* transports */
		if (cb_push(a, cb_text("nfc")) < 0)
			cbor_decref(&a);
		break;
	default: /* 10: algorithms */
		if ((alg = cbor_new_definite_map(2)) == NULL ||
		    cb_put(alg, cb_text("alg"), cb_int(-7)) < 0 ||
		    cb_put(alg, cb_text("type"), cb_text("public-key")) < 0 ||
		    cb_push(a, alg) < 0)
			cbor_decref(&a);
		break;
	}
	return a;
}

static int
get_info(struct vcard *vc, struct vc_buf *out)
{
	cbor_item_t *m;

	if ((m = cbor_new_definite_map(13)) == NULL ||
	    cb_put(m, cb_uint(0x01), info_arrays(1)) < 0 ||
	    cb_put(m, cb_uint(0x03), cb_bytes(vc_aaguid, 16)) < 0 ||
	    cb_put(m, cb_uint(0x04), info_options(vc)) < 0 ||
	    cb_put(m, cb_uint(0x05), cb_uint(VC_MAX_MSG)) < 0 ||
	    cb_put(m, cb_uint(0x06), info_arrays(6)) < 0 ||
	    cb_put(m, cb_uint(0x07), cb_uint(VC_MAX_CREDS_LIST)) < 0 ||
	    cb_put(m, cb_uint(0x08), cb_uint(VC_CRED_ID_LEN)) < 0 ||
	    cb_put(m, cb_uint(0x09), info_arrays(9)) < 0 ||
	    cb_put(m, cb_uint(0x0a), info_arrays(10)) < 0 ||
	    cb_put(m, cb_uint(0x0c),
	    cbor_build_bool(vc->st.force_change)) < 0 ||
	    cb_put(m, cb_uint(0x0d), cb_uint(vc->st.min_pin)) < 0 ||
	    cb_put(m, cb_uint(0x0e), cb_uint(1)) < 0 ||
	    cb_put(m, cb_uint(0x14), cb_uint(vc_slots_free(vc))) < 0 ||
	    cb_finish(&m, CTAP2_OK, out) < 0) {
		if (m != NULL)
			cbor_decref(&m);
		return CTAP1_ERR_OTHER;
	}
	return CTAP2_OK;
}

/*
 * authenticatorReset.  Over NFC the tap is the user presence; the
 * 10-seconds-after-power-up rule is not enforced (pcscd decides when the
 * card is powered, which would make tests depend on timing).
 */
static int
reset(struct vcard *vc)
{
	if (vc_state_factory(vc) < 0)
		return CTAP1_ERR_OTHER;
	vc_session_power(vc);
	vc_state_save(vc);
	return CTAP2_OK;
}

/* setMinPINLength, CTAP 2.1 section 6.11.4. */
static int
cfg_min_pin(struct vcard *vc, const cbor_item_t *params)
{
	const cbor_item_t *it;
	uint64_t len = vc->st.min_pin;
	int force = 0;

	if (params != NULL && !cbor_isa_map(params))
		return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
	if ((it = cb_map_get_int(params, 1)) != NULL &&
	    cb_get_uint(it, &len) < 0)
		return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
	if ((it = cb_map_get_int(params, 3)) != NULL &&
	    cb_get_bool(it, &force) < 0)
		return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
	/* maxRPIDsForSetMinPINLength is 0: no RP may read the length. */
	if (cb_map_get_int(params, 2) != NULL)
		return CTAP1_ERR_INVALID_PARAMETER;
	if (len < vc->st.min_pin || len > 63)
		return CTAP2_ERR_PIN_POLICY_VIOLATION;
	if (force && !vc->st.pin_set)
		return CTAP2_ERR_PIN_NOT_SET;
	vc->st.min_pin = (unsigned)len;
	if (force || (vc->st.pin_set && vc->st.pin_len < len))
		vc->st.force_change = 1;
	vc_state_save(vc);
	return CTAP2_OK;
}

static int
config_run(struct vcard *vc, const struct vc_req *q)
{
	struct vc_buf msg = { 0 };
	uint8_t head[34];
	uint64_t sub;
	int uv, r;

	if (q->f[1].item == NULL)
		return CTAP2_ERR_MISSING_PARAMETER;
	if (cb_get_uint(q->f[1].item, &sub) < 0 || sub > 0xff)
		return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
	if (vc->st.pin_set) {
		if (q->f[4].item == NULL)
			return CTAP2_ERR_PUAT_REQUIRED;
		/* 32 x 0xff || 0x0d || uint8(subCommand) || params bytes */
		memset(head, 0xff, 32);
		head[32] = CTAP_CONFIG;
		head[33] = (uint8_t)sub;
		if (vc_buf_add(&msg, head, sizeof(head)) < 0 ||
		    vc_buf_add(&msg, q->f[2].raw, q->f[2].raw_len) < 0)
			return CTAP1_ERR_OTHER;
		r = vc_pin_check_param(vc, &q->f[4], &q->f[3], msg.ptr,
		    msg.len, VC_PERM_ACFG, NULL, &uv);
		vc_buf_free(&msg);
		if (r != CTAP2_OK)
			return r;
	}
	switch (sub) {
	case CFG_MIN_PIN_LEN:
		return cfg_min_pin(vc, q->f[2].item);
	case CFG_ENTERPRISE:
	case CFG_ALWAYS_UV:
		return CTAP2_ERR_UNSUPPORTED_OPTION;
	default:
		return CTAP2_ERR_INVALID_SUBCOMMAND;
	}
}

static int
config(struct vcard *vc, const uint8_t *p, size_t n)
{
	struct vc_req q;
	int r;

	if ((r = vc_req_parse(p, n, &q)) != CTAP2_OK)
		return r;
	r = config_run(vc, &q);
	vc_req_free(&q);
	return r;
}

int
vc_ctap_handle(struct vcard *vc, const uint8_t *req, size_t len,
    struct vc_buf *out)
{
	const uint8_t *p = req + 1;
	size_t n = len - 1;
	int r;

	out->len = 0;
	if (len == 0 || len > VC_MAX_MSG)
		return vc_ctap_status(out, CTAP1_ERR_INVALID_LENGTH);
	if (req[0] != CTAP_GET_NEXT_ASSERT)
		vc->s.next_active = 0;
	switch (req[0]) {
	case CTAP_MAKE_CREDENTIAL:
		r = vc_make_credential(vc, p, n, out);
		break;
	case CTAP_GET_ASSERTION:
		r = vc_get_assertion(vc, p, n, out);
		break;
	case CTAP_GET_INFO:
		r = get_info(vc, out);
		break;
	case CTAP_CLIENT_PIN:
		r = vc_client_pin(vc, p, n, out);
		break;
	case CTAP_RESET:
		r = reset(vc);
		break;
	case CTAP_GET_NEXT_ASSERT:
		r = vc_get_next_assertion(vc, out);
		break;
	case CTAP_CONFIG:
		r = config(vc, p, n);
		break;
	default:
		r = CTAP1_ERR_INVALID_COMMAND;
		break;
	}
	vc_log(vc, "ctap cmd=%02x status=%02x", req[0], (unsigned)r);
	if (r != CTAP2_OK || out->len == 0)
		return vc_ctap_status(out, (uint8_t)r);
	return 0;
}
