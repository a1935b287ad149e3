/* Placeholder until core/webauthn_*.c lands: every registration is refused. */
#include "core/webauthn.h"
int webauthn_reg_parse(const char *b, size_t l, struct kd_webauthn_reg *r, struct kd_err *e) { (void)b; (void)l; (void)r; return kd_err_set(e, KD_ERR_INVALID, "stub"); }
void webauthn_reg_clear(struct kd_webauthn_reg *r) { (void)r; }
int webauthn_reg_verify(const struct kd_webauthn_reg *r, const struct kd_webauthn_expect *x, struct kd_webauthn_cred *c, struct kd_err *e) { (void)r; (void)x; (void)c; return kd_err_set(e, KD_ERR_INVALID, "stub"); }
void webauthn_cred_clear(struct kd_webauthn_cred *c) { (void)c; }
