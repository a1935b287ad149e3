/* The peer for the portal benchmark: libmicrohttpd answering every GET
 * with a constant page of the same size as the activation page, no
 * database, same threading as `keydesk serve`.  What the portal costs on
 * top of its HTTP library is the difference.
 *
 *   http_floor PORT BYTES     (runs until SIGTERM/SIGINT)
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static char *page;
static size_t page_len;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *data,
    size_t *data_len, void **state)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	(void)cls; (void)url; (void)method; (void)version; (void)data;
	(void)data_len; (void)state;
	r = MHD_create_response_from_buffer(page_len, page,
	    MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

int
main(int argc, char **argv)
{
	struct MHD_Daemon *d;

	if (argc < 3)
		return 2;
	page_len = (size_t)atol(argv[2]);
	if ((page = malloc(page_len + 1)) == NULL)
		return 1;
	memset(page, 'x', page_len);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_ERROR_LOG, (unsigned short)atoi(argv[1]), NULL, NULL,
	    answer, NULL, MHD_OPTION_CONNECTION_LIMIT, 64U,
	    MHD_OPTION_CONNECTION_TIMEOUT, 30U, MHD_OPTION_END);
	if (d == NULL)
		return 1;
	while (!stop)
		pause();
	MHD_stop_daemon(d);
	free(page);
	return 0;
}
