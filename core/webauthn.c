/* A browser registration verified in C.  libfido2 only hashes
 * clientDataJSON and, for "none", verifies nothing at all, so everything
 * the server must know is checked here by hand first: the step (type),
 * the page's origin, crossOrigin, rpIdHash, the flags, that the credential
 * is the one the browser named and an ES256 key.  Then libfido2 checks the
 * attestation signature where there is one (x5c or self).  Each failure
 * gets its own sentence, for the page to show. */
#include "core/webauthn_int.h"

#include <fido.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fido.h"

_Static_assert(sizeof(((struct kd_webauthn_cred *)0)->cose_pk) ==
    KD_FIDO_COSE_ES256_LEN, "cose_pk holds one ES256 COSE key");

enum att_kind {
	ATT_NONE,	/* "none": nothing is signed */
	ATT_FULL,	/* x5c: fido_cred_verify against its leaf */
	ATT_SELF,	/* packed without x5c: the credential's own key */
	ATT_UNCHECKED,	/* a format libfido2 cannot take: as "none" */
};

/* Registered formats (WebAuthn § 8) libfido2 1.12 refuses.  They attest
 * only where the authenticator came from, which keydesk could not judge
 * without trust anchors anyway, so they count as "none" (§ 7.1 step 21
 * lets a relying party do that). */
static const char *const fmt_unchecked[] = {
	"apple", "android-key", "android-safetynet", "compound",
};

int
wa_client_check(const char *type, const char *origin, int cross_origin,
    const char *want_type, const struct kd_webauthn_expect *expect,
    struct kd_err *err)
{
	char safe[256];

	if (strcmp(type, want_type) != 0) {
		kd_sanitize(type, safe, sizeof(safe));
		return kd_err_set(err, KD_ERR_DENIED, "the browser answered "
		    "for another step (type %s, expected %s): reload the page "
		    "and try again", safe, want_type);
	}
	if (strcmp(origin, expect->origin) != 0) {
		kd_sanitize(origin, safe, sizeof(safe));
		return kd_err_set(err, KD_ERR_DENIED, "this page was opened "
		    "from another address (origin %s, expected %s): open the "
		    "link from your email", safe, expect->origin);
	}
	if (cross_origin)
		return kd_err_set(err, KD_ERR_DENIED, "this page was shown "
		    "inside another site (crossOrigin): open the link from "
		    "your email directly");
	return KD_OK;
}

int
wa_authdata_check(const struct kd_webauthn_authdata *ad,
    const struct kd_webauthn_expect *expect, struct kd_err *err)
{
	unsigned char h[32];

	kd_sha256(expect->rp_id, strlen(expect->rp_id), h);
	if (!kd_memeq(h, ad->rp_id_hash, sizeof(h)))
		return kd_err_set(err, KD_ERR_DENIED, "your security key "
		    "answered for another site (relying party), not %s",
		    expect->rp_id);
	if (!(ad->flags & WEBAUTHN_FLAG_UP))
		return kd_err_set(err, KD_ERR_DENIED, "your security key did "
		    "not confirm that you were there (no touch)");
	if (expect->require_uv && !(ad->flags & WEBAUTHN_FLAG_UV))
		return kd_err_set(err, KD_ERR_DENIED, "your security key did "
		    "not verify you (PIN or fingerprint): this key needs "
		    "verification");
	return KD_OK;
}

static int
expect_ok(const struct kd_webauthn_expect *expect)
{
	return expect != NULL && expect->rp_id != NULL &&
	    *expect->rp_id != '\0' && expect->origin != NULL &&
	    *expect->origin != '\0';
}

/* authData by hand: what "none" never gets from libfido2, and the same
 * sentences for every format.  xy gets the public key (x ‖ y). */
static int
reg_authdata(const struct kd_webauthn_att *att,
    const struct kd_webauthn_reg *reg, const struct kd_webauthn_expect *expect,
    struct kd_webauthn_authdata *ad, unsigned char xy[64], struct kd_err *err)
{
	struct kd_err e2;
	int rc;

	if ((rc = webauthn_authdata_parse(att->authdata, att->authdata_len,
	    ad, err)) != KD_OK)
		return rc;
	if (ad->cred_id == NULL)
		return kd_err_set(err, KD_ERR_INVALID,
		    "the key's answer holds no new credential (no AT flag)");
	if ((rc = wa_authdata_check(ad, expect, err)) != KD_OK)
		return rc;
	if (ad->cred_id_len != reg->id_len ||
	    memcmp(ad->cred_id, reg->id, reg->id_len) != 0)
		return kd_err_set(err, KD_ERR_DENIED, "the key's answer is "
		    "for another credential than the one the browser sent");
	if (fidodev_cose_es256_decode(ad->cose_pk, ad->cose_pk_len, xy,
	    xy + 32, &e2) != KD_OK)
		return kd_err_set(err, KD_ERR_DENIED, "your security key made "
		    "a kind of key keydesk cannot use (it takes ES256 on "
		    "P-256 only)");
	return KD_OK;
}

/* Which check the format gets, before libfido2 has seen the statement. */
static int
att_classify(const struct kd_webauthn_att *att, enum att_kind *kind,
    struct kd_err *err)
{
	size_t i;

	if (strcmp(att->fmt, "none") == 0) {
		/* an empty map: a "none" that carries a statement is odd */
		if (att->attstmt_len != 1 || att->attstmt[0] != 0xa0)
			return kd_err_set(err, KD_ERR_INVALID, "the key's "
			    "\"none\" attestation has a statement");
		*kind = ATT_NONE;
		return KD_OK;
	}
	if (strcmp(att->fmt, "packed") == 0 ||
	    strcmp(att->fmt, "fido-u2f") == 0 || strcmp(att->fmt, "tpm") == 0) {
		*kind = ATT_FULL;	/* or ATT_SELF: see reg_attest */
		return KD_OK;
	}
	for (i = 0; i < KD_NELEM(fmt_unchecked); i++)
		if (strcmp(att->fmt, fmt_unchecked[i]) == 0) {
			*kind = ATT_UNCHECKED;
			return KD_OK;
		}
	return kd_err_set(err, KD_ERR_INVALID, "the key's answer has an "
	    "attestation format keydesk does not know (%s)", att->fmt);
}

/* fido_cred_verify compares the extension outputs in authData with the
 * ones requested; the browser, not keydesk, requested them (Chrome asks
 * credProtect for discoverable credentials), so ask the same. */
static int
reg_mirror_ext(fido_cred_t *fc, const struct kd_webauthn_authdata *ad,
    struct kd_err *err)
{
	struct wa_ext ext;
	int mask = 0;

	if (ad->ext == NULL)
		return KD_OK;
	if (wa_ext_parse(ad->ext, ad->ext_len, &ext) < 0)
		return kd_err_set(err, KD_ERR_INVALID,
		    "the key's answer has malformed extensions");
	if (ext.hmac_secret)
		mask |= FIDO_EXT_HMAC_SECRET;
	if (ext.cred_blob)
		mask |= FIDO_EXT_CRED_BLOB;
	if ((mask != 0 && fido_cred_set_extensions(fc, mask) != FIDO_OK) ||
	    (ext.prot != 0 && fido_cred_set_prot(fc, ext.prot) != FIDO_OK) ||
	    (ext.min_pin_len != 0 && (ext.min_pin_len > SIZE_MAX ||
	    fido_cred_set_pin_minlen(fc, (size_t)ext.min_pin_len) != FIDO_OK)))
		return kd_err_set(err, KD_ERR_INVALID,
		    "the key's answer has extensions libfido2 cannot take");
	return KD_OK;
}

/* The credential as libfido2 sees it.  Order matters: the type first
 * (authData's key algorithm is checked against it), fmt before attStmt. */
static int
reg_fido(const struct kd_webauthn_att *att, const struct kd_webauthn_reg *reg,
    const struct kd_webauthn_expect *expect,
    const struct kd_webauthn_authdata *ad, enum att_kind kind,
    fido_cred_t **fcp, struct kd_err *err)
{
	fido_cred_t *fc;
	int r;

	if ((*fcp = fc = fido_cred_new()) == NULL)
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	if ((r = fido_cred_set_type(fc, COSE_ES256)) != FIDO_OK ||
	    (r = fido_cred_set_rp(fc, expect->rp_id, NULL)) != FIDO_OK ||
	    (r = fido_cred_set_clientdata(fc, reg->cdj, reg->cdj_len)) !=
	    FIDO_OK ||
	    (r = fido_cred_set_authdata_raw(fc, att->authdata,
	    att->authdata_len)) != FIDO_OK ||
	    (r = fido_cred_set_fmt(fc, kind == ATT_UNCHECKED ? "none" :
	    att->fmt)) != FIDO_OK ||
	    (r = fido_cred_set_uv(fc, expect->require_uv ? FIDO_OPT_TRUE :
	    FIDO_OPT_OMIT)) != FIDO_OK)
		return kd_err_set(err, KD_ERR_INVALID, "libfido2 cannot read "
		    "the key's answer (%s)", fido_strerr(r));
	/* an unchecked format's statement is not libfido2's to read */
	if (kind != ATT_UNCHECKED && (r = fido_cred_set_attstmt(fc,
	    att->attstmt, att->attstmt_len)) != FIDO_OK)
		return kd_err_set(err, KD_ERR_INVALID, "the key's attestation "
		    "statement is malformed (%s)", fido_strerr(r));
	return reg_mirror_ext(fc, ad, err);
}

/* The signature, where there is one: against the x5c leaf (no chain:
 * keydesk has no trust anchors) or the credential's own key. */
static int
reg_attest(const fido_cred_t *fc, const struct kd_webauthn_att *att,
    enum att_kind *kind, struct kd_err *err)
{
	int r;

	if (*kind == ATT_NONE || *kind == ATT_UNCHECKED)
		return KD_OK;	/* checked by hand in reg_authdata */
	if (fido_cred_x5c_len(fc) > 0) {
		*kind = ATT_FULL;
		r = fido_cred_verify(fc);
	} else if (strcmp(att->fmt, "packed") == 0) {
		*kind = ATT_SELF;
		r = fido_cred_verify_self(fc);
	} else
		return kd_err_set(err, KD_ERR_DENIED, "the key's answer does "
		    "not verify: its %s attestation has no certificate",
		    att->fmt);
	if (r != FIDO_OK)
		return kd_err_set(err, KD_ERR_DENIED, "the key's answer does "
		    "not verify (%s attestation: %s)", att->fmt,
		    fido_strerr(r));
	return KD_OK;
}

/* What to store.  libfido2 parsed the same authData: if it disagrees with
 * reg_authdata about the key or the ID, one of the two parsers is wrong,
 * and nothing is stored. */
static int
cred_fill(const fido_cred_t *fc, const struct kd_webauthn_authdata *ad,
    const struct kd_webauthn_att *att, const struct kd_webauthn_reg *reg,
    const unsigned char xy[64], enum att_kind kind,
    struct kd_webauthn_cred *cred, struct kd_err *err)
{
	const unsigned char *pk = fido_cred_pubkey_ptr(fc);

	if (pk == NULL || fido_cred_pubkey_len(fc) != 64 ||
	    memcmp(pk, xy, 64) != 0 || fido_cred_id_len(fc) != reg->id_len ||
	    memcmp(fido_cred_id_ptr(fc), reg->id, reg->id_len) != 0)
		return kd_err_set(err, KD_ERR_INVALID, "libfido2 reads the "
		    "key's answer differently");
	if (kd_memdup(&cred->id, &cred->id_len, reg->id, reg->id_len) < 0 ||
	    (kind == ATT_FULL && kd_memdup(&cred->x5c, &cred->x5c_len,
	    fido_cred_x5c_ptr(fc), fido_cred_x5c_len(fc)) < 0))
		return kd_err_set(err, KD_ERR_NOMEM, "out of memory");
	fidodev_cose_es256_encode(xy, xy + 32, cred->cose_pk);
	cred->cose_pk_len = KD_FIDO_COSE_ES256_LEN;
	memcpy(cred->aaguid, ad->aaguid, sizeof(cred->aaguid));
	kd_hex_encode(cred->aaguid, sizeof(cred->aaguid), cred->aaguid_hex);
	/* the stored format says what was verified */
	snprintf(cred->fmt, sizeof(cred->fmt), "%s",
	    kind == ATT_UNCHECKED ? "none" : att->fmt);
	cred->sign_count = ad->sign_count;
	cred->flags = ad->flags;
	cred->uv = (ad->flags & WEBAUTHN_FLAG_UV) != 0;
	memcpy(cred->transports, reg->transports, sizeof(cred->transports));
	cred->transports[sizeof(cred->transports) - 1] = '\0';
	return KD_OK;
}

int
webauthn_reg_verify(const struct kd_webauthn_reg *reg,
    const struct kd_webauthn_expect *expect, struct kd_webauthn_cred *cred,
    struct kd_err *err)
{
	struct kd_webauthn_att att;
	struct kd_webauthn_authdata ad;
	enum att_kind kind = ATT_NONE;
	unsigned char xy[64];
	fido_cred_t *fc = NULL;
	int rc;

	memset(cred, 0, sizeof(*cred));
	memset(&att, 0, sizeof(att));
	if (reg == NULL || reg->id == NULL || reg->att_obj == NULL ||
	    reg->cdj == NULL || !expect_ok(expect)) {
		rc = kd_err_set(err, KD_ERR_INVALID, "incomplete registration "
		    "(credential, attestation, client data, rp id, origin)");
		goto fail;
	}
	if ((rc = wa_client_check(reg->type, reg->origin, reg->cross_origin,
	    "webauthn.create", expect, err)) != KD_OK ||
	    (rc = webauthn_att_split(reg->att_obj, reg->att_obj_len, &att,
	    err)) != KD_OK ||
	    (rc = att_classify(&att, &kind, err)) != KD_OK ||
	    (rc = reg_authdata(&att, reg, expect, &ad, xy, err)) != KD_OK ||
	    (rc = reg_fido(&att, reg, expect, &ad, kind, &fc, err)) != KD_OK ||
	    (rc = reg_attest(fc, &att, &kind, err)) != KD_OK)
		goto fail;
	rc = cred_fill(fc, &ad, &att, reg, xy, kind, cred, err);
fail:
	fido_cred_free(&fc);
	webauthn_att_clear(&att);	/* ad pointed into it */
	if (rc != KD_OK)
		webauthn_cred_clear(cred);
	return rc;
}

void
webauthn_cred_clear(struct kd_webauthn_cred *cred)
{
	if (cred == NULL)
		return;
	free(cred->id);
	free(cred->x5c);
	memset(cred, 0, sizeof(*cred));
}
