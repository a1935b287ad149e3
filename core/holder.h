/* Who holds a lease (an outbox claim, a workflow run): the host, the
 * process id and that process's start time, so a lease whose holder died
 * (kill -9, power cut of a kiosk session) can be taken over at once
 * instead of waiting for it to time out.  A recycled pid has another
 * start time, so it does not keep a dead holder's lease alive. */
#ifndef KD_HOLDER_H
#define KD_HOLDER_H

#include <stdint.h>

struct kd_holder {
	char	 host[128];
	int64_t	 pid;
	int64_t	 start;		/* clock ticks since boot (/proc), or 0 */
};

/* This process. */
void	holder_self(struct kd_holder *);
/* 1 when the holder is a process on another host (it can only time out),
 * or a live process here with the same start time; 0 when it is gone. */
int	holder_alive(const char *host, int64_t pid, int64_t start);

#endif
