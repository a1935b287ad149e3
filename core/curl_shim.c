/* libcurl, loaded when the first mail is sent rather than at start-up.
 *
 * libcurl pulls in some thirty shared libraries (TLS, HTTP/2, SSH, LDAP,
 * Kerberos, ...); mapping and relocating them took about two thirds of
 * keydesk's start-up, and a kiosk that only redeems codes never mails at
 * all.  So keydesk is not linked against libcurl: these definitions of the
 * few libcurl functions core/smtp.c uses open libcurl.so.4 with dlopen on
 * first use and forward to it.  If it cannot be loaded, curl_global_init
 * fails and smtp_open reports it. */
#define CURL_DISABLE_TYPECHECK	/* we define curl_easy_setopt itself */
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>

static struct {
	CURLcode	(*global_init)(long);
	void		(*global_cleanup)(void);
	CURL		*(*easy_init)(void);
	CURLcode	(*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	(*easy_perform)(CURL *);
	void		(*easy_cleanup)(CURL *);
	CURLcode	(*easy_getinfo)(CURL *, CURLINFO, ...);
	const char	*(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		(*slist_free_all)(struct curl_slist *);
	CURLU		*(*url)(void);
	CURLUcode	(*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
	CURLUcode	(*url_get)(CURLU *, CURLUPart, char **, unsigned int);
	void		(*url_cleanup)(CURLU *);
	void		(*free)(void *);
} f;
static int loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* dlsym returns an object pointer; POSIX guarantees it converts. */
#define SYM(field, name) do {						\
	void *p_ = dlsym(h, name);					\
	if (p_ == NULL) return;						\
	*(void **)&f.field = p_;					\
} while (0)

static void
load(void)
{
	void *h;

	if ((h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)) == NULL)
		return;
	SYM(global_init, "curl_global_init");
	SYM(global_cleanup, "curl_global_cleanup");
	SYM(easy_init, "curl_easy_init");
	SYM(easy_setopt, "curl_easy_setopt");
	SYM(easy_perform, "curl_easy_perform");
	SYM(easy_cleanup, "curl_easy_cleanup");
	SYM(easy_getinfo, "curl_easy_getinfo");
	SYM(easy_strerror, "curl_easy_strerror");
	SYM(slist_append, "curl_slist_append");
	SYM(slist_free_all, "curl_slist_free_all");
	SYM(url, "curl_url");
	SYM(url_set, "curl_url_set");
	SYM(url_get, "curl_url_get");
	SYM(url_cleanup, "curl_url_cleanup");
	SYM(free, "curl_free");
	loaded = 1;
}

static int
ready(void)
{
	pthread_once(&once, load);
	return loaded;
}

CURLcode
curl_global_init(long flags)
{
	return ready() ? f.global_init(flags) : CURLE_FAILED_INIT;
}

void
curl_global_cleanup(void)
{
	if (ready())
		f.global_cleanup();
}

CURL *
curl_easy_init(void)
{
	return ready() ? f.easy_init() : NULL;
}

/* The one variadic argument's type follows from the option's number. */
CURLcode
curl_easy_setopt(CURL *c, CURLoption o, ...)
{
	CURLcode r;
	va_list ap;

	if (!ready())
		return CURLE_FAILED_INIT;
	va_start(ap, o);
	if (o < CURLOPTTYPE_OBJECTPOINT)
		r = f.easy_setopt(c, o, va_arg(ap, long));
	else if (o < CURLOPTTYPE_FUNCTIONPOINT)
		r = f.easy_setopt(c, o, va_arg(ap, void *));
	else if (o < CURLOPTTYPE_OFF_T)
		r = f.easy_setopt(c, o, va_arg(ap, void (*)(void)));
	else if (o < CURLOPTTYPE_BLOB)
		r = f.easy_setopt(c, o, va_arg(ap, curl_off_t));
	else
		r = f.easy_setopt(c, o, va_arg(ap, void *));
	va_end(ap);
	return r;
}

CURLcode
curl_easy_perform(CURL *c)
{
	return ready() ? f.easy_perform(c) : CURLE_FAILED_INIT;
}

void
curl_easy_cleanup(CURL *c)
{
	if (ready())
		f.easy_cleanup(c);
}

CURLcode
curl_easy_getinfo(CURL *c, CURLINFO i, ...)
{
	CURLcode r;
	va_list ap;

	if (!ready())
		return CURLE_FAILED_INIT;
	va_start(ap, i);
	r = f.easy_getinfo(c, i, va_arg(ap, void *));
	va_end(ap);
	return r;
}

const char *
curl_easy_strerror(CURLcode r)
{
	return ready() ? f.easy_strerror(r) : "libcurl (libcurl4) could not be loaded";
}

struct curl_slist *
curl_slist_append(struct curl_slist *l, const char *s)
{
	return ready() ? f.slist_append(l, s) : NULL;
}

void
curl_slist_free_all(struct curl_slist *l)
{
	if (ready())
		f.slist_free_all(l);
}

CURLU *
curl_url(void)
{
	return ready() ? f.url() : NULL;
}

CURLUcode
curl_url_set(CURLU *u, CURLUPart p, const char *s, unsigned int fl)
{
	return ready() ? f.url_set(u, p, s, fl) : CURLUE_OUT_OF_MEMORY;
}

CURLUcode
curl_url_get(CURLU *u, CURLUPart p, char **s, unsigned int fl)
{
	return ready() ? f.url_get(u, p, s, fl) : CURLUE_OUT_OF_MEMORY;
}

void
curl_url_cleanup(CURLU *u)
{
	if (ready())
		f.url_cleanup(u);
}

void
curl_free(void *p)
{
	if (ready())
		f.free(p);
}
