/* The activation portal, `keydesk serve`: the page an emailed (or QR)
 * link opens, on libmicrohttpd.  web/ renders and answers HTTP; what is
 * decided (links, codes, registrations) is core/portal's. */
#ifndef KD_WEB_H
#define KD_WEB_H

#include "config/config.h"

struct web_opts {
	const struct kd_config *cfg;
	const char	*db_path;	/* the database to open */
	const char	*listen;	/* "HOST:PORT", or NULL: portal.listen */
};

/* Serves in the foreground until SIGTERM or SIGINT, then lets the
 * requests in flight finish and returns 0; 1 if it could not start (the
 * reason is on stderr).  Logs one line per request on stderr. */
int	web_serve(const struct web_opts *);

#endif
