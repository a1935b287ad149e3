/* Tiny test protocol shared by every test program: one line per case,
 * "ok - NAME" or "not ok - NAME: why"; tests/run.sh counts them. */
#ifndef TAP_H
#define TAP_H
#include <stdio.h>

extern int tap_failed;
void tap_result(int ok, const char *name, const char *file, int line, const char *expr);
void tap_skip(const char *name, const char *why);
int tap_done(void);

/* CHECK records a failed expression for the running case; a case passes
 * when none of its CHECKs failed.  TEST(name) { ... } defines a case. */
extern int tap_case_failed;
#define CHECK(e) do { if (!(e)) { tap_case_failed = 1; \
	fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #e); } } while (0)
#define CHECK_EQ_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
	if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) { tap_case_failed = 1; \
	fprintf(stderr, "  %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__, \
	    a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } } while (0)
#define RUN(fn) do { tap_case_failed = 0; fn(); \
	tap_result(!tap_case_failed, #fn, __FILE__, __LINE__, ""); } while (0)
#endif
