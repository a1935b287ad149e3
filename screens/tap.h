/* "Activate now" screens (issue 3): the tap screen that runs one tap
 * session (tap.c), a phone's QR code (phone_qr.c), kiosk redemption of
 * an emailed code (redeem.c) and the readers diagnostics (readers.c).
 * Kept apart from screens.h, as screens/admin.h is, so each group of
 * screens declares its own. */
#ifndef KD_SCREENS_TAP_H
#define KD_SCREENS_TAP_H

#include "core/tap.h"
#include "screens/screens.h"

/* What a tap screen activates, and how the verified credential is kept.
 * The screen copies the job; `arg` must outlive it (it is the screen
 * below, which does). */
struct tap_job {
	char	 title[128];		/* header: "New user: Activate now" */
	char	 who[512];		/* "Ada Lovelace (E1042)" */
	char	 what[512];		/* "Contactless Card "Ada's card", ..." */
	enum kd_key_type type;		/* card or FIDO2 key: the prompt */
	enum kd_verification verification;
	char	 user_name[KD_DRAFT_TEXT];	/* for the credential */
	char	 display_name[KD_DRAFT_TEXT];
	/* Runs on the UI thread once the credential is verified: store it
	 * (one transaction).  KD_OK shows "Active" and closes the screen;
	 * an error is shown and nothing was stored. */
	int	(*commit)(void *arg, const struct kd_tap *, struct kd_err *);
	void	*arg;
};

/* Starts the session at once (a worker thread runs tap_run).  Esc
 * cancels; the screen below learns the outcome from its resume (the
 * commit callback ran or it did not). */
struct tui_screen *screen_tap_new(const struct tui_app *,
	    const struct tap_job *);

/* A smartphone's "Activate now": the screen issues a fresh link for the
 * pending key (activate_link_issue), shows it as a QR code with the code
 * to type on the page, and polls the key's status (another process, the
 * portal, activates it) until it reads Active.  The screen copies the
 * job; `arg` must outlive it. */
struct phone_job {
	char	 title[128];		/* header: "New user: Activate now" */
	char	 who[512];		/* "Ada Lovelace (E1042)" */
	char	 what[512];		/* "Smartphone "Ada's phone"" */
	int64_t	 key;			/* the pending key */
	int	 owner;			/* the key's user is at the screen
					 * (kiosk), not an operator */
	/* Runs on the UI thread when the key reads Active; the screen then
	 * shows "Active" and closes.  Closing without it (Esc) leaves the
	 * key Pending. */
	void	(*active)(void *arg);
	void	*arg;
};

struct tui_screen *screen_phone_qr_new(const struct tui_app *,
	    const struct phone_job *);

/* A centred, boxed one-line prompt, `height` rows tall, starting at row
 * y: the "Tap the card on the reader" banner (also redeem's "Your key is
 * active"). */
void	tap_banner_draw(int y, int height, enum tui_role, const char *text);

/* The device KEYDESK_READER names, as the CLI's --reader takes it (a
 * reader's name, "pcsc:NAME" or a USB key's path) turned into a path for
 * core/fido; 0 when it is not set. */
int	tap_env_path(char *buf, size_t len);

/* The kiosk's start screen: type the emailed code, tap, active. */
struct tui_screen *screen_redeem_new(const struct tui_app *);
/* pcscd, readers, cards and USB keys, probed every 2 s. */
struct tui_screen *screen_readers_new(const struct tui_app *);

#endif
