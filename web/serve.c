/* keydesk serve: the daemon (libmicrohttpd, a pool of threads), its
 * database connections, SIGTERM/SIGINT, and the one log line per
 * request.  The log never holds a token, a code or a body. */
#include "web/web_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PEM_MAX		(1024 * 1024)
#define DRAIN_MS	1500	/* requests in flight get this long at exit */

int64_t
web_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct kd_store *
web_store_get(struct web_server *srv, size_t *slot)
{
	size_t i;

	for (i = 0; i < srv->nstores; i++)
		if (pthread_mutex_trylock(&srv->locks[i]) == 0) {
			*slot = i;
			return srv->stores[i];
		}
	*slot = 0;
	pthread_mutex_lock(&srv->locks[0]);
	return srv->stores[0];
}

void
web_store_put(struct web_server *srv, size_t slot)
{
	pthread_mutex_unlock(&srv->locks[slot]);
}

static const char *
ended_how(enum MHD_RequestTerminationCode toe)
{
	switch (toe) {
	case MHD_REQUEST_TERMINATED_COMPLETED_OK:
		return "";
	case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
		return " (timed out)";
	case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
		return " (client went away)";
	case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
		return " (shut down)";
	default:
		return " (failed)";
	}
}

/* One line per request: time, client, method, path (token hashed),
 * status, milliseconds.  Every field was made printable on the way in. */
void
web_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct web_server *srv = cls;
	struct web_req *r = *con_cls;
	char t[32], status[16];

	(void)conn;
	if (r == NULL)
		return;
	kd_time_iso(kd_now(), t, sizeof(t));
	if (r->status > 0)
		snprintf(status, sizeof(status), "%d", r->status);
	else
		snprintf(status, sizeof(status), "-");
	fprintf(stderr, "%s %s %s %s %s %.1fms%s\n", t, r->client, r->method,
	    r->logpath, status, (double)(web_now_us() - r->start_us) / 1000.0,
	    ended_how(toe));
	if (r->body != NULL) {
		kd_wipe(r->body, r->len);	/* a code, a registration */
		free(r->body);
	}
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->inflight, 1);
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	kd_sanitize(buf, buf, sizeof(buf));
	fprintf(stderr, "keydesk: libmicrohttpd: %s\n", buf);
}

/* Reads a PEM file whole, NUL-terminated (as MHD wants it). */
static char *
read_pem(const char *what, const char *path)
{
	struct stat sb;
	char *buf = NULL, safe[256];
	size_t len = 0;
	ssize_t got;
	int fd;

	kd_sanitize(path, safe, sizeof(safe));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0 ||
	    fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > PEM_MAX ||
	    (buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		fprintf(stderr, "keydesk: cannot read %s \"%s\": %s\n", what,
		    safe, fd < 0 || errno != 0 ? strerror(errno) :
		    "not a small regular file");
		goto fail;
	}
	while (len < (size_t)sb.st_size &&
	    (got = read(fd, buf + len, (size_t)sb.st_size - len)) > 0)
		len += (size_t)got;
	buf[len] = '\0';
	if (len == 0 || strstr(buf, "-----BEGIN ") == NULL) {
		fprintf(stderr, "keydesk: %s \"%s\" is not a PEM file\n", what,
		    safe);
		goto fail;
	}
	close(fd);
	return buf;
fail:
	if (buf != NULL) {
		kd_wipe(buf, len);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* The path of activation.base_url: the links' prefix ("/activate/"). */
static void
link_prefix(struct web_server *srv, const char *base_url)
{
	const char *p = strstr(base_url, "://");
	size_t n;

	p = p != NULL ? p + 3 : base_url;
	p += strcspn(p, "/?#");
	n = *p == '/' ? strcspn(p, "?#") : 0;
	if (n == 0 || n >= sizeof(srv->prefix))
		snprintf(srv->prefix, sizeof(srv->prefix), "/");
	else
		snprintf(srv->prefix, sizeof(srv->prefix), "%.*s", (int)n, p);
	srv->prefix_len = strlen(srv->prefix);
}

static int
listen_addr(const char *spec, struct sockaddr_storage *ss, int *v6,
    char *shown, size_t len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	const char *why;
	char host[64];
	int port;

	memset(ss, 0, sizeof(*ss));
	if (config_listen_split(spec, host, sizeof(host), &port, &why) !=
	    KD_OK) {
		kd_sanitize(spec, host, sizeof(host));
		fprintf(stderr, "keydesk: cannot listen on \"%s\": expected "
		    "%s\n", host, why);
		return -1;
	}
	if ((*v6 = strchr(host, ':') != NULL)) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, host, &s6->sin6_addr);
		snprintf(shown, len, "[%s]", host);
	} else {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, host, &s4->sin_addr);
		snprintf(shown, len, "%s", host);
	}
	return 0;
}

static int
stores_open(struct web_server *srv, const char *path, size_t n)
{
	struct kd_err e;

	for (srv->nstores = 0; srv->nstores < n; srv->nstores++) {
		if (store_open(&srv->stores[srv->nstores], path, &e) != KD_OK) {
			fprintf(stderr, "keydesk: %s\n", e.msg);
			return -1;
		}
		pthread_mutex_init(&srv->locks[srv->nstores], NULL);
	}
	return 0;
}

static void
stores_close(struct web_server *srv)
{
	size_t i;

	for (i = 0; i < srv->nstores; i++) {
		store_close(&srv->stores[i]);
		pthread_mutex_destroy(&srv->locks[i]);
	}
	srv->nstores = 0;
}

/* TLS options go through MHD_OPTION_ARRAY only when TLS is on: given
 * without MHD_USE_TLS they are an error in MHD's log. */
static struct MHD_Daemon *
daemon_start(struct web_server *srv, const struct sockaddr_storage *ss,
    int v6, char *cert, char *key)
{
	const struct kd_config *cfg = srv->cfg;
	struct MHD_OptionItem opts[4];
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
	    MHD_USE_ITC;
	size_t n = 0;

	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0,
	    (void *)ss };
	if (cert != NULL) {
		flags |= MHD_USE_TLS;
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT,
		    0, cert };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY,
		    0, key };
	}
	opts[n] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	if (v6)
		flags |= MHD_USE_IPv6;
	/* The logger first, or MHD's own may print what comes before it. */
	return MHD_start_daemon(flags, 0, NULL, NULL, web_access, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_ARRAY, opts,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)WEB_THREADS,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->portal_max_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)cfg->portal_connection_timeout,
	    MHD_OPTION_NOTIFY_COMPLETED, web_completed, srv,
	    MHD_OPTION_END);
}

/* Stops taking connections, gives the requests in flight a moment to
 * finish, then stops the threads. */
static void
daemon_stop(struct web_server *srv)
{
	MHD_socket fd;
	int waited;

	if ((fd = MHD_quiesce_daemon(srv->daemon)) != MHD_INVALID_SOCKET)
		close(fd);
	for (waited = 0; waited < DRAIN_MS &&
	    atomic_load(&srv->inflight) > 0; waited += 10)
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
}

static int
wait_for_stop(sigset_t *set)
{
	int sig = 0;

	while (sigwait(set, &sig) != 0)
		;
	return sig;
}

int
web_serve(const struct web_opts *o)
{
	const struct kd_config *cfg = o->cfg;
	struct web_server srv;
	struct sockaddr_storage ss;
	sigset_t set, old;
	char *cert = NULL, *key = NULL, shown[80];
	const union MHD_DaemonInfo *di;
	int v6 = 0, rc = 1, sig;

	memset(&srv, 0, sizeof(srv));
	srv.cfg = cfg;
	atomic_init(&srv.inflight, 0);
	link_prefix(&srv, cfg->activation_base_url);
	if (listen_addr(o->listen != NULL ? o->listen : cfg->portal_listen,
	    &ss, &v6, shown, sizeof(shown)) != 0)
		return 1;
	if (cfg->portal_tls_cert != NULL &&
	    ((cert = read_pem("portal.tls_cert", cfg->portal_tls_cert)) == NULL ||
	    (key = read_pem("portal.tls_key", cfg->portal_tls_key)) == NULL))
		goto out;
	if (stores_open(&srv, o->db_path, WEB_THREADS) != 0)
		goto out;
	/* Blocked here, so MHD's threads inherit it and sigwait gets them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	signal(SIGPIPE, SIG_IGN);
	if ((srv.daemon = daemon_start(&srv, &ss, v6, cert, key)) == NULL) {
		fprintf(stderr, "keydesk: the portal cannot listen on %s\n",
		    o->listen != NULL ? o->listen : cfg->portal_listen);
		goto restore;
	}
	di = MHD_get_daemon_info(srv.daemon, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "keydesk: portal listening on %s://%s:%u (base URL "
	    "%s)\n", cert != NULL ? "https" : "http", shown,
	    di != NULL ? (unsigned)di->port : 0u, cfg->activation_base_url);
	sig = wait_for_stop(&set);
	fprintf(stderr, "keydesk: portal stopping (%s)\n",
	    sig == SIGINT ? "SIGINT" : "SIGTERM");
	daemon_stop(&srv);
	rc = 0;
restore:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
out:
	stores_close(&srv);
	if (key != NULL)
		kd_free_secret(key);
	free(cert);
	return rc;
}
