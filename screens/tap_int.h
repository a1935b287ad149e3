/* The tap screen's state, shared by its logic (tap.c) and its drawing
 * (tap_draw.c).  Nothing else includes this. */
#ifndef KD_SCREENS_TAP_INT_H
#define KD_SCREENS_TAP_INT_H

#include "screens/tap.h"
#include "tui/widget.h"

#include <pthread.h>
#include <stdatomic.h>

#define NPATHS		16

enum phase {
	PH_RUN,		/* the thread runs tap_run */
	PH_STOP,	/* Esc: cancelling, then close */
	PH_FAILED,	/* a message; Enter retries */
	PH_ASK_PIN,	/* the card has a PIN: current PIN or reset */
	PH_ACTIVE,	/* committed */
};

struct tapscr {
	struct tui_screen	 base;
	const struct tui_app	*app;
	struct tap_job		 job;
	struct kd_tap		 tap;
	enum phase		 phase;
	/* the worker */
	pthread_t		 thread;
	int			 joinable;
	atomic_int		 running;
	atomic_int		 state;		/* enum kd_tap_state, -1 none */
	pthread_mutex_t		 mu;		/* guards device and paths */
	char			 device[256];
	char			 paths[NPATHS][256];
	int			 npaths;
	int			 rc;		/* tap_run's, read after join */
	struct kd_err		 err;
	/* the screen */
	char			 path[256];	/* "" any */
	int			 switching;	/* restart on the new path */
	int64_t			 started, active_at, last;
	unsigned		 spin;
	char			 head[64], msg[600];
	char			 note[128];	/* r found nothing else */
	/* the has-PIN dialog */
	struct tui_radio	 choice;
	struct tui_field	 pin;
	struct tui_dialog	 reset;
	char			 pin_err[256];
};

/* The screen's draw op (tap_draw.c). */
void	tap_draw(struct tui_screen *, const struct tui_app *);

#endif
