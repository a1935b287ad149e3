/* Placeholder until core/webauthn_*.c lands: every registration is refused. */
#include "core/webauthn.h"
int webauthn_reg_parse(const char *b, size_t l, struct kd_webauthn_reg *r, struct kd_err *e) { (void)b; (void)l; (void)r; return kd_err_set(e, KD_ERR_INVALID, "stub"); }
void webauthn_reg_clear(struct kd_webauthn_reg *r) { (void)r; }
int webauthn_reg_verify(const struct kd_webauthn_reg *r, const struct kd_webauthn_expect *x, struct kd_webauthn_cred *c, struct kd_err *e) { (void)r; (void)x; (void)c; return kd_err_set(e, KD_ERR_INVALID, "stub"); }
void webauthn_cred_clear(struct kd_webauthn_cred *c) { (void)c; }
int webauthn_assert_verify(const char *j, size_t l, const unsigned char *c, size_t cl, const struct kd_webauthn_expect *x, const unsigned char *k, size_t kl, uint32_t *n, struct kd_err *e) { (void)j; (void)l; (void)c; (void)cl; (void)x; (void)k; (void)kl; (void)n; return kd_err_set(e, KD_ERR_INVALID, "stub"); }
