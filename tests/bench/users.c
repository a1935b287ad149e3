/* Benchmark: a million users.  Prints the time to create them, the users
 * list's first page, a page deep in the list, search as you type for 1-,
 * 2-, 3- and 6-character prefixes, `keydesk user list --search` end to
 * end, the TUI's start to its first full frame, and peak RSS.
 * Usage: bench_users KEYDESK DBPATH [N] */
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/kd.h"
#include "core/store.h"

static const char *first[] = { "Ada", "Alan", "Grace", "Linus", "Maria",
    "Marie", "Mark", "Barbara", "Edsger", "Donald", "Ken", "Dennis", "Radia",
    "Frances", "John", "Margaret", "Tim", "Vint", "Hedy", "Katherine",
    "Sophie", "Niklaus", "Bjarne", "Guido", "Yukihiro", "Zoë", "Åsa",
    "Oluwaseun", "Priya", "Wei" };
static const char *last[] = { "Lovelace", "Turing", "Hopper", "Torvalds",
    "Curie", "Liskov", "Dijkstra", "Knuth", "Thompson", "Ritchie",
    "Perlman", "Allen", "McCarthy", "Hamilton", "Berners-Lee", "Cerf",
    "Lamarr", "Johnson", "Wilson", "Wirth", "Stroustrup", "van Rossum",
    "Matsumoto", "Ångström", "Adeyemi", "Raman", "Zhang", "Martins",
    "Marchetti", "Okafor" };

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
create_users(sqlite3 *db, int n)
{
	char id[32], name[128], un[128], em[160];
	sqlite3_stmt *s;
	unsigned r = 12345;
	int i;

	sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO users (user_id, name, email, "
	    "username, status, created_at, updated_at) VALUES (?,?,?,?,?,0,0)",
	    -1, &s, NULL);
	for (i = 0; i < n; i++) {
		const char *f, *l;

		r = r * 1103515245u + 12345u;
		f = first[(r >> 8) % KD_NELEM(first)];
		l = last[(r >> 16) % KD_NELEM(last)];
		snprintf(id, sizeof(id), "E%07d", i);
		snprintf(name, sizeof(name), "%s %s %d", f, l, i);
		snprintf(un, sizeof(un), "%c%s%d", f[0] | 0x20, "user", i);
		snprintf(em, sizeof(em), "user%d@example.com", i);
		sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, em, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, un, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 5, (int)(r % 3));
		if (sqlite3_step(s) != SQLITE_DONE)
			return -1;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Mean time of `reps` runs of one users-list query, in ms. */
static double
time_query(struct kd_store *st, struct kd_user_query *q, int reps, size_t *rows)
{
	struct kd_user_page p;
	struct kd_err e;
	double t0 = now_ms();
	int i;

	for (i = 0; i < reps; i++) {
		if (store_user_list(st, q, &p, &e) != KD_OK) {
			fprintf(stderr, "query: %s\n", e.msg);
			return -1;
		}
		*rows = p.n;
		store_user_page_clear(&p);
	}
	return (now_ms() - t0) / reps;
}

static double
run_cli(const char *kd, const char *db, long *rss_kb)
{
	struct rusage ru;
	double t0 = now_ms();
	pid_t pid;
	int st, fd;

	if ((pid = fork()) == 0) {
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		execl(kd, kd, "--db", db, "user", "list", "--search", "mar",
		    "--limit", "50", (char *)NULL);
		_exit(127);
	}
	wait4(pid, &st, 0, &ru);
	*rss_kb = ru.ru_maxrss;
	return now_ms() - t0;
}

/* Starts the TUI on a pseudo-terminal at 80x24 and waits for the users
 * list's key bar, the last thing drawn on the first frame. */
static double
run_tui(const char *kd, const char *db, const char *marker, long *rss_kb)
{
	struct winsize ws = { 24, 80, 0, 0 };
	char buf[65536];
	size_t have = 0;
	struct rusage ru;
	double t0 = now_ms(), t = -1;
	struct pollfd pfd;
	ssize_t n;
	pid_t pid;
	int master, st;

	if ((pid = forkpty(&master, NULL, NULL, &ws)) == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("LANG", "C.UTF-8", 1);
		execl(kd, kd, "--db", db, (char *)NULL);
		_exit(127);
	}
	pfd.fd = master;
	pfd.events = POLLIN;
	while (now_ms() - t0 < 10000 && poll(&pfd, 1, 100) >= 0) {
		if (!(pfd.revents & POLLIN))
			continue;
		if ((n = read(master, buf + have, sizeof(buf) - 1 - have)) <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		if (strstr(buf, marker) != NULL) {
			t = now_ms() - t0;
			break;
		}
		if (have > sizeof(buf) - 4096)
			have = 0;
	}
	kill(pid, SIGTERM);
	wait4(pid, &st, 0, &ru);
	close(master);
	*rss_kb = ru.ru_maxrss;
	return t;
}

int
main(int argc, char **argv)
{
	struct kd_user_query q;
	struct kd_store *st;
	struct kd_err e;
	static const char *prefixes[] = { "m", "ma", "mar", "margar" };
	double t0, t;
	size_t rows, i;
	long rss;
	int n = argc > 3 ? atoi(argv[3]) : 1000000;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_users KEYDESK DBPATH [N]\n");
		return 2;
	}
	unlink(argv[2]);
	if (store_open(&st, argv[2], &e) != KD_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	t0 = now_ms();
	if (create_users(store_db(st), n) != 0)
		return 1;
	t = now_ms() - t0;
	printf("create %d users: %.0f ms (%.0f users/s)\n", n, t, n / t * 1e3);
	memset(&q, 0, sizeof(q));
	q.status = -1;
	q.limit = 20;
	printf("users list, first page: %.3f ms\n", time_query(st, &q, 200, &rows));
	/* A cursor half way down: the cost of a page must not grow with depth. */
	{
		sqlite3_stmt *s;

		sqlite3_prepare_v2(store_db(st), "SELECT name, id FROM users ORDER "
		    "BY name, id LIMIT 1 OFFSET ?", -1, &s, NULL);
		sqlite3_bind_int(s, 1, n / 2);
		if (sqlite3_step(s) == SQLITE_ROW) {
			q.after.valid = 1;
			snprintf(q.after.key, sizeof(q.after.key), "%s",
			    (const char *)sqlite3_column_text(s, 0));
			q.after.id = sqlite3_column_int64(s, 1);
		}
		sqlite3_finalize(s);
	}
	printf("users list, page at row %d: %.3f ms\n", n / 2,
	    time_query(st, &q, 200, &rows));
	memset(&q.after, 0, sizeof(q.after));
	for (i = 0; i < KD_NELEM(prefixes); i++) {
		q.search = prefixes[i];
		t = time_query(st, &q, 200, &rows);
		printf("search \"%s\" (%zu chars): %.3f ms, %zu rows\n",
		    prefixes[i], strlen(prefixes[i]), t, rows);
	}
	q.search = "nobody-has-this";
	printf("search with no match: %.3f ms\n", time_query(st, &q, 200, &rows));
	store_close(&st);
	/* Processes: the median of 9 runs (the first one warms the cache). */
	{
		double v[9];
		long peak = 0;
		int k;

		for (k = 0; k < 9; k++) {
			v[k] = run_cli(argv[1], argv[2], &rss);
			peak = rss > peak ? rss : peak;
		}
		qsort(v, 9, sizeof(v[0]), cmp_double);
		printf("keydesk user list --search mar (end to end): median %.1f ms "
		    "(min %.1f), peak RSS %.1f MiB\n", v[4], v[0], peak / 1024.0);
		peak = 0;
		for (k = 0; k < 9; k++) {
			v[k] = run_tui(argv[1], argv[2], argc > 4 ? argv[4] : "Quit", &rss);
			peak = rss > peak ? rss : peak;
		}
		qsort(v, 9, sizeof(v[0]), cmp_double);
		printf("TUI start to first full frame: median %.1f ms (min %.1f), "
		    "peak RSS %.1f MiB\n", v[4], v[0], peak / 1024.0);
	}
	return 0;
}
