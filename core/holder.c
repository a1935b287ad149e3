/* Lease holders: host, pid and process start time (see holder.h). */
#include "core/holder.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Field 22 of /proc/PID/stat (starttime), or 0 when it cannot be read.
 * The command name (field 2) may hold spaces and parentheses: skip to the
 * last ')'. */
static int64_t
proc_start(int64_t pid)
{
	char path[64], buf[1024], *p;
	long long v = 0;
	size_t n;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%lld/stat", (long long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return 0;
	/* After ")": field 3 is the state; starttime is 19 fields later. */
	for (i = 0, p++; i < 19 && p != NULL; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p, " %lld", &v) != 1)
		return 0;
	return (int64_t)v;
}

void
holder_self(struct kd_holder *h)
{
	memset(h, 0, sizeof(*h));
	if (gethostname(h->host, sizeof(h->host) - 1) != 0)
		snprintf(h->host, sizeof(h->host), "localhost");
	h->pid = (int64_t)getpid();
	h->start = proc_start(h->pid);
}

int
holder_alive(const char *host, int64_t pid, int64_t start)
{
	struct kd_holder self;
	int64_t now_start;

	holder_self(&self);
	if (host == NULL || pid <= 0)
		return 1;	/* an older keydesk did not say: time out */
	if (strcmp(host, self.host) != 0)
		return 1;
	if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
		return 0;
	/* Alive, unless the pid now belongs to a later process. */
	now_start = proc_start(pid);
	return start == 0 || now_start == 0 || now_start == start;
}
