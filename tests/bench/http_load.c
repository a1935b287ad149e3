/* A small HTTP/1.1 load generator for the portal benchmark: N clients, each
 * on one keep-alive connection, GET the same path for a fixed time; prints
 * requests per second and latency percentiles.  Printed, not asserted.
 *
 *   http_load PORT PATH [--clients N] [--seconds S] [--label TEXT]
 *
 * Connects to 127.0.0.1:PORT with "Host: localhost".  Any answer counts
 * (a 404 or 410 page is still a page served); broken connections are
 * reopened and counted as errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS	256
#define MAX_SAMPLES	2000000

struct client {
	pthread_t	 th;
	int		 port;
	const char	*path;
	double		 until;
	double		*lat;		/* ms per request */
	size_t		 n, cap;
	long		 errors;
	long		 status[6];	/* 1xx..5xx */
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
dial(int port)
{
	struct sockaddr_in a;
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* strcasestr is a GNU extension; headers are short. */
static char *
find_ci(char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

/* Reads one whole response (headers + Content-Length body); returns the
 * status code, or -1 when the connection broke or closes after it. */
static int
read_response(int fd, char *buf, size_t cap)
{
	size_t have = 0, need = 0;
	char *hdr_end = NULL, *cl;
	ssize_t k;
	int status = -1, close_after = 0;

	for (;;) {
		if (hdr_end == NULL && have > 0) {
			buf[have] = '\0';
			if ((hdr_end = strstr(buf, "\r\n\r\n")) != NULL) {
				status = atoi(buf + 9);
				cl = find_ci(buf, "\r\ncontent-length:");
				need = (size_t)(hdr_end + 4 - buf) +
				    (cl && cl < hdr_end ? strtoul(cl + 17, NULL, 10) : 0);
				close_after = find_ci(buf, "\r\nconnection: close") !=
				    NULL;
			}
		}
		if (hdr_end != NULL && have >= need)
			return close_after ? -status : status;
		if (have >= cap - 1)
			return -1;
		k = read(fd, buf + have, cap - 1 - have);
		if (k <= 0)
			return -1;
		have += (size_t)k;
	}
}

static void *
client_run(void *arg)
{
	struct client *c = arg;
	char req[1024], *buf;
	double t0;
	int fd = -1, st, len;

	len = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: localhost\r\n"
	    "User-Agent: http_load\r\n\r\n", c->path);
	if ((buf = malloc(1 << 20)) == NULL)
		return NULL;
	while (now_s() < c->until) {
		if (fd < 0 && (fd = dial(c->port)) < 0) {
			c->errors++;
			usleep(1000);
			continue;
		}
		t0 = now_s();
		if (write(fd, req, (size_t)len) != len ||
		    (st = read_response(fd, buf, 1 << 20)) == -1) {
			c->errors++;
			close(fd);
			fd = -1;
			continue;
		}
		if (st < 0) {		/* served, then closed */
			st = -st;
			close(fd);
			fd = -1;
		}
		if (st >= 100 && st < 600)
			c->status[st / 100]++;
		if (c->n < c->cap)
			c->lat[c->n++] = (now_s() - t0) * 1000.0;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	static struct client cl[MAX_CLIENTS];
	const char *label = "";
	double secs = 3, *all, t0, took;
	size_t total = 0, i, k;
	long errors = 0, s2 = 0, s4 = 0;
	int n = 16, a;

	if (argc < 3) {
		fprintf(stderr, "usage: http_load PORT PATH [--clients N] "
		    "[--seconds S] [--label TEXT]\n");
		return 2;
	}
	for (a = 3; a + 1 < argc; a += 2) {
		if (strcmp(argv[a], "--clients") == 0)
			n = atoi(argv[a + 1]);
		else if (strcmp(argv[a], "--seconds") == 0)
			secs = atof(argv[a + 1]);
		else if (strcmp(argv[a], "--label") == 0)
			label = argv[a + 1];
	}
	if (n < 1 || n > MAX_CLIENTS)
		n = 16;
	t0 = now_s();
	for (i = 0; i < (size_t)n; i++) {
		cl[i].port = atoi(argv[1]);
		cl[i].path = argv[2];
		cl[i].until = t0 + secs;
		cl[i].cap = MAX_SAMPLES / (size_t)n;
		cl[i].lat = malloc(cl[i].cap * sizeof(double));
		pthread_create(&cl[i].th, NULL, client_run, &cl[i]);
	}
	for (i = 0; i < (size_t)n; i++) {
		pthread_join(cl[i].th, NULL);
		total += cl[i].n;
		errors += cl[i].errors;
		s2 += cl[i].status[2];
		s4 += cl[i].status[4];
	}
	took = now_s() - t0;
	if ((all = malloc((total + 1) * sizeof(double))) == NULL)
		return 1;
	for (i = 0, k = 0; i < (size_t)n; i++) {
		memcpy(all + k, cl[i].lat, cl[i].n * sizeof(double));
		k += cl[i].n;
		free(cl[i].lat);
	}
	qsort(all, total, sizeof(double), cmp_double);
	if (total == 0) {
		printf("%-28s no responses (%ld errors)\n", label, errors);
		free(all);
		return 1;
	}
	printf("%-28s %d clients %.1fs: %8.0f req/s  p50 %.2f ms  p99 %.2f ms  "
	    "max %.2f ms  (2xx %ld, 4xx %ld, errors %ld)\n", label, n, took,
	    (double)total / took, all[total / 2], all[total * 99 / 100],
	    all[total - 1], s2, s4, errors);
	free(all);
	return 0;
}
