/* Inside core/fido: one opened authenticator (card through our PC/SC
 * transport, or USB key through libfido2's HID), shared by enroll, list
 * and assertions.  Not for use outside core/fido_*.c. */
#ifndef KD_FIDO_INT_H
#define KD_FIDO_INT_H

#include <fido.h>
#include <pthread.h>

#include "core/fido.h"
#include "core/pcsc.h"

#define FDEV_WAIT_DEFAULT_MS	60000
#define FDEV_TOUCH_DEFAULT_MS	30000

struct fdev {
	fido_dev_t		*dev;	/* owned by nfc for cards */
	struct ctapnfc		*nfc;
	struct pcsc_ctx		*pcsc;
	char			*path;	/* "pcsc:<reader>" or hidraw path */
	char			*name;	/* reader name or hidraw path */
	int			 usb;
	fido_cbor_info_t	*info;
	volatile int		*cancel;
	kd_tap_progress_fn	*progress;
	void			*progress_arg;
	int			 touch_ms;
	long			 nreaders;	/* last seen while waiting */
	/* USB keys: a thread that turns *cancel into fido_dev_cancel while
	 * the worker is blocked in libfido2. */
	pthread_t		 watcher;
	int			 watching;
	volatile int		 watch_stop;
};

struct fdev_args {
	const char		*path;
	int			 timeout_ms;
	int			 touch_ms;
	volatile int		*cancel;
	kd_tap_progress_fn	*progress;
	void			*progress_arg;
};

/* Finds the device the path names (waiting, bounded, for a card), opens
 * it and reads its getInfo. */
int	fdev_acquire(const struct fdev_args *, struct fdev **, struct kd_err *);
void	fdev_release(struct fdev **);
int	fdev_refresh_info(struct fdev *, struct kd_err *);
void	fdev_progress(struct fdev *, enum kd_tap_state);

/* Around a libfido2 call that waits on the user (touch) or the card. */
void	fdev_busy_begin(struct fdev *);
void	fdev_busy_end(struct fdev *);

/* A failed libfido2 call → keydesk status with a message that says what
 * happened ("wrong PIN (5 tries left)", "card removed ..."). */
int	fdev_err(struct fdev *, int fido_rc, const char *what,
	    struct kd_err *);

/* getInfo helpers. */
int	fdev_info_option(const fido_cbor_info_t *, const char *name);
					/* 1 true, 0 false, -1 absent */
int	fdev_info_min_pin(const fido_cbor_info_t *);
int	fdev_info_can_force(const fido_cbor_info_t *);
void	fdev_info_versions(const fido_cbor_info_t *, char *, size_t);
void	fdev_info_aaguid_hex(const fido_cbor_info_t *, char out[33]);
char	*fdev_info_json(const fido_cbor_info_t *);

/* A getAssertion on an opened device (allow list of one when cred_id). */
int	fdev_assert(struct fdev *, const char *rp_id,
	    const unsigned char *cred_id, size_t cred_id_len, const char *pin,
	    struct kd_assertion *, struct kd_err *);

/* Unwraps a CBOR byte string (libfido2 hands authdata that way). */
int	fdev_cbor_bstr(const unsigned char *, size_t,
	    const unsigned char **, size_t *);

#endif
