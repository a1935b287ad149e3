/* Private to web/: the server, one request's state, and the helpers the
 * handlers share.  Handlers see core/portal.h and this, never SQL. */
#ifndef KD_WEB_INT_H
#define KD_WEB_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "core/kd.h"
#include "core/store.h"
#include "web/web.h"

#define WEB_CODE_BODY_MAX	4096	/* bytes of a code POST */
#define WEB_TOKEN_MAX		128	/* a link token is 43 characters */
#define WEB_STORES_MAX		8
/* MHD's thread pool.  Two, so a request waiting for the database (a
 * kiosk's write holds the lock for up to the busy timeout) does not hold
 * up every page: measured on 2 cores with 16 keep-alive clients, one
 * thread served 11.3-12.9k pages/s, two 11.2-11.6k, but with one thread
 * a GET behind such a wait took 1.6 s, with two 0.8 ms. */
#define WEB_THREADS		2

struct web_server {
	const struct kd_config *cfg;
	struct MHD_Daemon *daemon;
	char	 prefix[200];	/* path of activation.base_url: "/activate/" */
	size_t	 prefix_len;
	/* One database connection per thread that may run a handler, each
	 * used under its lock: SQLite connections are not shared. */
	size_t	 nstores;
	struct kd_store *stores[WEB_STORES_MAX];
	pthread_mutex_t locks[WEB_STORES_MAX];
	atomic_int inflight;	/* requests begun and not completed */
};

enum web_route {
	WEB_R_NOTFOUND = 0,
	WEB_R_LINK,	/* <prefix>TOKEN: GET the page, POST a registration */
	WEB_R_CODE,	/* <prefix>TOKEN/code: POST the code */
	WEB_R_STATIC,	/* /static/NAME */
	WEB_R_HEALTH,	/* /healthz */
};

/* One request, from its first call to MHD's "completed" notice. */
struct web_req {
	struct web_server *srv;
	struct MHD_Connection *conn;
	enum web_route route;
	int	 post;		/* POST, else GET or HEAD */
	int	 json;		/* answers are JSON (the page's script) */
	int	 form;		/* the body is form-encoded (else JSON) */
	char	 method[16];	/* for the log */
	char	 logpath[256];	/* the path, token replaced by its hash */
	char	 token[WEB_TOKEN_MAX + 1];
	int	 token_ok;	/* the token has a token's shape */
	char	 asset[32];	/* WEB_R_STATIC: the name after /static/ */
	char	 client[64];	/* numeric address: lock-out and log */
	char	*body;		/* POST body, NUL-terminated */
	size_t	 len;
	size_t	 limit;		/* most bytes a body may have */
	int	 too_big;
	int	 status;	/* the answer's, for the log; 0: none */
	int64_t	 start_us;
};

/* A growing string for pages and bodies; `oom` once memory ran out, so
 * callers check once at the end. */
struct web_buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 oom;
};

void	web_buf_add(struct web_buf *, const char *);
void	web_buf_addn(struct web_buf *, const char *, size_t);
void	web_buf_addf(struct web_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Text from a user or the database: made printable (kd_sanitize) and
 * escaped for HTML text and attribute values alike (& < > " '). */
void	web_buf_text(struct web_buf *, const char *);
void	web_buf_free(struct web_buf *);

/* The page frame: doctype, head (viewport, style, script), body. */
void	web_page_begin(struct web_buf *, const char *title);
void	web_page_end(struct web_buf *);

/* Answers: every one carries the security headers (reply.c). */
enum MHD_Result web_reply(struct web_req *, unsigned status,
	    const char *type, const void *body, size_t len);
enum MHD_Result web_reply_html(struct web_req *, unsigned status,
	    struct web_buf *);
/* A page with a heading and one sentence: errors, closed links. */
enum MHD_Result web_reply_page(struct web_req *, unsigned status,
	    const char *heading, const char *sentence);
/* {"ok":false,"error":sentence} */
enum MHD_Result web_reply_error(struct web_req *, unsigned status,
	    const char *sentence);
/* The error in the form the request wants: JSON or a page. */
enum MHD_Result web_reply_fail(struct web_req *, unsigned status,
	    const char *heading, const char *sentence);
/* A JSON object (stolen: freed here). */
enum MHD_Result web_reply_json(struct web_req *, unsigned status,
	    json_t *);

/* A database connection for this request, to give back with
 * web_store_put as soon as the core call returns. */
struct kd_store *web_store_get(struct web_server *, size_t *slot);
void	web_store_put(struct web_server *, size_t slot);

/* The core status of a portal call as an HTTP status. */
unsigned web_status_of(int kd_status);

/* Handlers, one per file. */
enum MHD_Result web_page_activate(struct web_req *);
enum MHD_Result web_post_code(struct web_req *);
enum MHD_Result web_post_register(struct web_req *);
enum MHD_Result web_static(struct web_req *);
enum MHD_Result web_healthz(struct web_req *);

/* MHD's callbacks (route.c, serve.c). */
enum MHD_Result web_access(void *, struct MHD_Connection *, const char *,
	    const char *, const char *, const char *, size_t *, void **);
void	web_completed(void *, struct MHD_Connection *, void **,
	    enum MHD_RequestTerminationCode);
int64_t	web_now_us(void);

/* The embedded files of web/ (generated from web/portal.js and
 * web/portal.css by mk/embed.sh), ended by a NULL name. */
struct web_asset {
	const char	*name;
	const unsigned char *data;
	size_t		 len;
};
extern const struct web_asset web_assets[];

#endif
