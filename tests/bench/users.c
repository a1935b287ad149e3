/* Benchmark: a realistic directory of a million users, imported from
 * CSV (1-2 groups each, an audit row each).  Each figure is printed
 * beside its peer measured in the same run, and the ratio: the import vs
 * `sqlite3 .import` into the same table and indexes, search per keystroke
 * (target < 1 ms), `keydesk user list --search` vs the sqlite3 CLI
 * running the same query, the TUI's first full frame vs `less` on a
 * file of the same million lines, and peak RSS.
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

static const char *first[] = { "Zoe", "Ada", "Alan", "Grace", "Linus",
    "Maria", "Marie", "Mark", "Barbara", "Jörg", "Donald", "Ken", "Dennis",
    "Radia", "Frances", "John", "Margaret", "Tim", "Vint", "Hedy", "Sophie",
    "Niklaus", "Ana", "Guido", "Yukihiro", "Zoë", "Åsa", "Oluwaseun",
    "Priya", "Wei", "Émile", "Łukasz" };
static const char *last[] = { "Rossi", "Müller", "García", "Lovelace",
    "Turing", "Hopper", "Torvalds", "Curie", "Liskov", "Dijkstra", "Knuth",
    "Thompson", "Ritchie", "Perlman", "Allen", "McCarthy", "Hamilton",
    "Berners-Lee", "Cerf", "Lamarr", "Johnson", "Wilson", "Wirth",
    "van Rossum", "Matsumoto", "Ångström", "Adeyemi", "Raman", "Zhang",
    "Martins", "Marchetti", "Okafor", "Nowak", "Dubois", "Smith", "Kim" };
static const char *groups[] = { "Engineering", "Sales", "Support",
    "Finance", "Operations", "Research", "Legal", "Facilities" };

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

/* The realistic directory as the import's CSV: names like "Zoe Rossi
 * 100651", one or two groups each (so ~1.33 memberships per user).  The
 * same rows, one a line, for `less`. */
static int
write_csv(const char *csv, const char *lines, int n)
{
	FILE *f = fopen(csv, "w"), *l = fopen(lines, "w");
	unsigned r = 12345;
	int i;

	if (f == NULL || l == NULL)
		return -1;
	fprintf(f, "user_id,name,email,username,groups\n");
	for (i = 0; i < n; i++) {
		const char *fn, *ln;

		r = r * 1103515245u + 12345u;
		fn = first[(r >> 8) % KD_NELEM(first)];
		ln = last[(r >> 16) % KD_NELEM(last)];
		fprintf(f, "E%07d,%s %s %d,user%d@example.com,u%d,%s%s%s\n", i,
		    fn, ln, i, i, i, groups[i % KD_NELEM(groups)],
		    (r >> 4) % 3 == 0 ? ";" : "", (r >> 4) % 3 == 0 ?
		    groups[(i + 3) % KD_NELEM(groups)] : "");
		fprintf(l, "E%07d  %s %s %d  user%d@example.com\n", i, fn, ln,
		    i, i);
	}
	return fclose(f) | fclose(l);
}

/* Runs argv to the end with stdout and stderr to /dev/null (stdin from
 * `in` if not NULL); returns ms, peak RSS in *rss_kb. */
static double
run_cmd(char *const argv[], const char *in, long *rss_kb)
{
	struct rusage ru;
	double t0 = now_ms();
	pid_t pid;
	int st, fd;

	if ((pid = fork()) == 0) {
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		if (in != NULL && (fd = open(in, O_RDONLY)) >= 0)
			dup2(fd, 0);
		execvp(argv[0], argv);
		_exit(127);
	}
	wait4(pid, &st, 0, &ru);
	*rss_kb = ru.ru_maxrss;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fprintf(stderr, "%s exited %d\n", argv[0], st);
	return now_ms() - t0;
}

static void
ratio(const char *what, double mine, const char *peer, double theirs)
{
	printf("%-44s %9.1f ms   %-22s %9.1f ms   %5.2fx\n", what, mine, peer,
	    theirs, theirs > 0 ? mine / theirs : 0);
}

/* The users table and indexes of the schema, for sqlite3 .import, with
 * the import's CSV columns. */
static const char peer_sql[] =
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;\n"
    "CREATE TABLE users (user_id TEXT NOT NULL COLLATE NOCASE UNIQUE,"
    " name TEXT NOT NULL COLLATE NOCASE, email TEXT NOT NULL COLLATE NOCASE,"
    " username TEXT NOT NULL COLLATE NOCASE UNIQUE, groups TEXT);\n"
    "CREATE INDEX users_name ON users(name);\n"
    "CREATE INDEX users_email ON users(email);\n"
    ".import --csv --skip 1 %s users\n";

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

/* Starts the TUI on a pseudo-terminal at 80x24 and waits for the users
 * list's key bar, the last thing drawn on the first frame. */
static double
run_tui(char *const argv[], const char *marker, long *rss_kb)
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
		execvp(argv[0], argv);
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

static double
median9(double v[9])
{
	qsort(v, 9, sizeof(v[0]), cmp_double);
	return v[4];
}

/* Per keystroke, as a badge desk types a surname or a first name and
 * the start of a surname. */
static void
bench_search(struct kd_store *st)
{
	static const char *texts[] = { "r", "ro", "ros", "rossi", "MÜLLER",
	    "muller", "garc", "zoe r", "zoe ro", "nobody-has-this" };
	struct kd_user_query q;
	size_t rows, i;
	double t;

	memset(&q, 0, sizeof(q));
	q.status = -1;
	q.limit = 20;
	printf("users list, first page: %.3f ms\n", time_query(st, &q, 200, &rows));
	for (i = 0; i < KD_NELEM(texts); i++) {
		q.search = texts[i];
		t = time_query(st, &q, 200, &rows);
		printf("search \"%s\": %.3f ms, %zu rows (target < 1 ms)\n",
		    texts[i], t, rows);
	}
}

/* Processes, each the median of 9 runs (the first warms the cache). */
static void
bench_processes(const char *kd, const char *db, const char *lines)
{
	char q[1024];
	char *cli[] = { (char *)kd, "--db", (char *)db, "user", "list",
	    "--search", "zoe r", "--limit", "50", NULL };
	char *sq[] = { "sqlite3", (char *)db, q, NULL };
	char *tui[] = { (char *)kd, "--db", (char *)db, NULL };
	char *less[] = { "less", "-P", "LESSREADY", (char *)lines, NULL };
	double a[9], b[9];
	long rss, peak = 0;
	int k;

	/* What keydesk runs for "zoe r": the range of "zoe" in the word
	 * index, each row's user, the name checked for a word "r...". */
	snprintf(q, sizeof(q), "SELECT u.id, u.user_id, u.name, u.email, "
	    "u.username, u.status FROM user_words w CROSS JOIN users u ON "
	    "u.id = w.user WHERE w.word >= 'zoe' AND w.word < 'zoe\xf4\x8f"
	    "\xbf\xbf' AND (' ' || u.name) LIKE '%% r%%' ORDER BY w.word, "
	    "w.user LIMIT 51");
	for (k = 0; k < 9; k++) {
		a[k] = run_cmd(cli, NULL, &rss);
		peak = rss > peak ? rss : peak;
		b[k] = run_cmd(sq, NULL, &rss);
	}
	ratio("user list --search \"zoe r\" --limit 50", median9(a),
	    "sqlite3 CLI, same query", median9(b));
	printf("  keydesk peak RSS %.1f MiB\n", peak / 1024.0);
	peak = 0;
	for (k = 0; k < 9; k++) {
		a[k] = run_tui(tui, "Quit", &rss);
		peak = rss > peak ? rss : peak;
		b[k] = run_tui(less, "LESSREADY", &rss);
	}
	ratio("TUI start to first full frame (count too)", median9(a),
	    "less on the 1M-line file", median9(b));
	printf("  TUI peak RSS %.1f MiB\n", peak / 1024.0);
}

int
main(int argc, char **argv)
{
	struct kd_store *st;
	struct kd_err e;
	char csv[512], lines[512], peer[512], script[1024], dbarg[600];
	char *imp[] = { argv[1], "--db", dbarg, "import", "users", csv,
	    "--create-groups", NULL };
	char *sq[] = { "sqlite3", peer, NULL };
	double t, tp;
	long rss, rssp;
	int n = argc > 3 ? atoi(argv[3]) : 1000000;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_users KEYDESK DBPATH [N]\n");
		return 2;
	}
	snprintf(dbarg, sizeof(dbarg), "%s", argv[2]);
	snprintf(csv, sizeof(csv), "%s.csv", argv[2]);
	snprintf(lines, sizeof(lines), "%s.txt", argv[2]);
	snprintf(peer, sizeof(peer), "%s.peer", argv[2]);
	snprintf(script, sizeof(script), "%s.sql", argv[2]);
	unlink(argv[2]);
	unlink(peer);
	if (write_csv(csv, lines, n) != 0 || (f = fopen(script, "w")) == NULL)
		return 1;
	fprintf(f, peer_sql, csv);
	fclose(f);
	t = run_cmd(imp, NULL, &rss);
	tp = run_cmd(sq, script, &rssp);
	printf("== %d users, 1-2 groups each, an audit row each ==\n", n);
	ratio("import users (CSV, all or nothing)", t, "sqlite3 .import", tp);
	printf("  import peak RSS %.1f MiB (target < 64), sqlite3 %.1f MiB\n",
	    rss / 1024.0, rssp / 1024.0);
	if (store_open(&st, argv[2], &e) != KD_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	bench_search(st);
	store_close(&st);
	bench_processes(argv[1], argv[2], lines);
	unlink(csv);
	unlink(lines);
	unlink(peer);
	unlink(script);
	return 0;
}
