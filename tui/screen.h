/* The screen stack.  A screen is a struct that starts with struct
 * tui_screen and a table of functions (as tmux's cmd-*.c): draw the
 * whole screen, handle one key and say what happened.  The loop in
 * loop.c owns the stack, resizing, the "too small" notice and polling;
 * no screen has an event loop of its own. */
#ifndef KD_TUI_SCREEN_H
#define KD_TUI_SCREEN_H

#include "config/config.h"
#include "core/outbox.h"
#include "core/store.h"
#include "tui/keys.h"
#include "tui/term.h"
#include "tui/tui.h"

struct tui_worker;
struct tui_app;

/* Who is working: the OS user, "kiosk", or the operator who signed in
 * (issue 5).  Only the sign-in screen, sign-out and the idle lock change
 * it. */
struct tui_session {
	char		 actor[128];	/* app->actor points here */
	int		 role;		/* enum kd_role */
	int		 signed_in;	/* an operator (--kiosk, access.signin) */
	char		 base_actor[128];	/* after a sign-out */
	int		 base_role;
	/* "not allowed for the operator role": a refused key says why on
	 * the status line until the next key (tui_permit). */
	char		 notice[160];
};

/* What screens get: the configuration, the store and who is working.
 * Screens read it; none of them changes it but through tui_session. */
struct tui_app {
	const struct kd_config	*cfg;
	struct kd_store		*st;
	const struct tui_opts	*opts;
	const char		*actor;
	struct tui_worker	*worker;	/* outbox delivery */
	struct tui_session	*sess;
	/* The start screen (redemption with --kiosk, the sign-in with
	 * access.signin, else the users list), opened again by the idle
	 * lock. */
	struct tui_screen	*(*home)(const struct tui_app *);
};

/* The session's role allows `perm` (enum kd_perm). */
int	tui_allows(const struct tui_app *, int perm);
/* The same for a key pressed: when not allowed, the status line says
 * "Not allowed for the ROLE role" instead of nothing happening. */
int	tui_permit(const struct tui_app *, int perm);
/* An operator signed in / out: the audit actor and the role change. */
void	tui_signin(const struct tui_app *, const char *name, int role);
void	tui_signout(const struct tui_app *);
/* The key bar without the hints the role may not use: perms[i] is the
 * enum kd_perm hint i needs, or -1 (n at most 32). */
struct tui_keyhint;
void	tui_keybar_role(const struct tui_app *, const struct tui_keyhint *,
	    const int *perms, size_t n);

enum tui_do {
	TUI_STAY = 0,	/* redraw, keep going */
	TUI_PUSH,	/* open *next on top of this screen */
	TUI_REPLACE,	/* close this screen, open *next instead */
	TUI_POP,	/* close this screen */
	TUI_QUIT,	/* leave the program */
	TUI_IDLE,	/* from tick: nothing changed, no redraw */
};

struct tui_screen;
struct tui_screen_ops {
	const char *name;
	void	(*draw)(struct tui_screen *, const struct tui_app *);
	enum tui_do (*key)(struct tui_screen *, const struct tui_app *,
		    const struct tui_key *, struct tui_screen **next);
	/* Called on every poll timeout (may be NULL): worker progress,
	 * deferred work.  TUI_IDLE when there is nothing new to draw. */
	enum tui_do (*tick)(struct tui_screen *, const struct tui_app *);
	/* The screen is on top again (may be NULL): reload what changed. */
	void	(*resume)(struct tui_screen *, const struct tui_app *);
	/* Non-zero while a job runs that someone is waiting on (a card tap,
	 * a workflow run); may be NULL.  The idle lock does not count that
	 * time, so it never cancels the job under them. */
	int	(*busy)(struct tui_screen *);
	void	(*free)(struct tui_screen *);
};

struct tui_screen {
	const struct tui_screen_ops *ops;
	struct tui_screen *below;	/* the stack, owned by the loop */
};

/* F1 on any screen: every key its key bar was given (help.c). */
struct tui_screen *tui_help_new(void);

/* Runs the stack until it is empty, a screen quits or a signal arrives.
 * Returns 0, or 128 + the signal number. */
int	tui_loop(struct tui_screen *first, const struct tui_app *);

/* The header line: "keydesk  Title" on the left, `right` (e.g. "Step 2
 * of 7") on the right. */
void	tui_header_draw(const char *title, const char *right);
/* The line above the key bar, for a one-line status or error. */
void	tui_status_draw(enum tui_role, const char *msg);
/* First and last rows screens may use between header and status line. */
#define TUI_TOP 2
#define TUI_BOTTOM (LINES - 3)

/* Outbox delivery in a worker thread with its own store handle
 * (worker.c).  The worker never touches curses; screens poll it. */
struct tui_delivery {
	int	 rc;		/* outbox_deliver's status */
	struct kd_outbox_result res;
	struct kd_err err;
	int	 done, total;	/* progress while running */
};
enum tui_worker_state {
	TUI_WORKER_IDLE = 0,
	TUI_WORKER_RUNNING,
	TUI_WORKER_DONE,	/* result ready (once, then IDLE) */
};
struct tui_worker *tui_worker_new(const struct kd_config *, const char *db);
void	tui_worker_free(struct tui_worker **);	/* cancels and joins */
/* Starts a delivery; returns a run number (> 0), or 0 while one runs. */
unsigned tui_worker_start(struct tui_worker *);
/* The state of run `run`; when DONE copies its result into `out`. */
enum tui_worker_state tui_worker_poll(struct tui_worker *, unsigned run,
	    struct tui_delivery *out);
/* One line for the operator: "sent", "waiting in the outbox: ...". */
void	tui_delivery_describe(const struct tui_delivery *, char *, size_t);

#endif
