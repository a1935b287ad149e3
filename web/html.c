/* Pages as strings: a growing buffer, HTML escaping, the page frame.
 * Everything from a user or the database goes through web_buf_text. */
#include "web/web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
grow(struct web_buf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->oom)
		return -1;
	if (b->len + more + 1 <= b->cap)
		return 0;
	for (cap = b->cap ? b->cap : 2048; cap < b->len + more + 1; cap *= 2)
		;
	if ((p = realloc(b->p, cap)) == NULL) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void
web_buf_addn(struct web_buf *b, const char *s, size_t n)
{
	if (grow(b, n) != 0)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
web_buf_add(struct web_buf *b, const char *s)
{
	web_buf_addn(b, s, strlen(s));
}

void
web_buf_addf(struct web_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* One rule for text and attribute values: all five characters that can
 * end either are escaped, so a value is safe wherever it is put. */
void
web_buf_text(struct web_buf *b, const char *s)
{
	const char *p, *run;
	char *clean;

	if (s == NULL)
		return;
	if ((clean = kd_sanitize_dup(s)) == NULL) {
		b->oom = 1;
		return;
	}
	for (p = run = clean; *p != '\0'; p++) {
		const char *esc = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" :
		    *p == '>' ? "&gt;" : *p == '"' ? "&quot;" :
		    *p == '\'' ? "&#39;" : NULL;

		if (esc == NULL)
			continue;
		web_buf_addn(b, run, (size_t)(p - run));
		web_buf_add(b, esc);
		run = p + 1;
	}
	web_buf_addn(b, run, (size_t)(p - run));
	free(clean);
}

void
web_buf_free(struct web_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* No inline style or script (the Content-Security-Policy forbids them):
 * the look is /static/portal.css, the behaviour /static/portal.js. */
void
web_page_begin(struct web_buf *b, const char *title)
{
	web_buf_add(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n"
	    "<meta name=\"robots\" content=\"noindex, nofollow\">\n"
	    "<title>");
	web_buf_text(b, title);
	web_buf_add(b, "</title>\n"
	    "<link rel=\"stylesheet\" href=\"/static/portal.css\">\n"
	    "<script src=\"/static/portal.js\" defer></script>\n"
	    "</head>\n<body>\n");
}

void
web_page_end(struct web_buf *b)
{
	web_buf_add(b, "</body>\n</html>\n");
}
