/*
 * The link to pcscd's vpcd driver.  vpcd listens on loopback TCP (35963
 * for reader "Virtual PCD 00 00", 35964 for "... 00 01"); the card
 * connects.  Both ways a message is a 2-byte big-endian length and a
 * payload.  From vpcd a 1-byte payload is a control: 00 power off, 01
 * power on, 02 reset (no reply), 04 get ATR (reply: the ATR).  Anything
 * longer is a command APDU; the reply is the response APDU.  Closing the
 * socket is "card removed".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vcard.h"

#define CTRL_OFF   0x00
#define CTRL_ON    0x01
#define CTRL_RESET 0x02
#define CTRL_ATR   0x04

#define FRAME_MS 5000 /* a started frame must complete within this */

/*
 * ATR of an ISO 14443-4 card as PC/SC part 3 builds it: 3B 8n 80 01,
 * n historical bytes (here the ASCII "keydesk vcard"), then TCK.
 */
static const uint8_t atr[] = {
	0x3b, 0x8d, 0x80, 0x01, 'k', 'e', 'y', 'd', 'e', 's', 'k', ' ',
	'v', 'c', 'a', 'r', 'd', 0x00 /* TCK, filled in */
};

struct vc_link {
	struct vcard *vc;
	int port;
	int fd;
	struct vc_apdu *apdu;
	int accepted;
	uint8_t atr[sizeof(atr)];
};

struct vc_link *
vc_link_new(struct vcard *vc, int port)
{
	struct vc_link *l;
	size_t i;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if ((l->apdu = vc_apdu_new()) == NULL) {
		free(l);
		return NULL;
	}
	l->vc = vc;
	l->port = port;
	l->fd = -1;
	memcpy(l->atr, atr, sizeof(atr));
	for (i = 1; i < sizeof(atr) - 1; i++) /* TCK: XOR of T0..last */
		l->atr[sizeof(atr) - 1] ^= atr[i];
	return l;
}

void
vc_link_free(struct vc_link **lp)
{
	if (*lp == NULL)
		return;
	vc_link_close(*lp);
	vc_apdu_free(&(*lp)->apdu);
	free(*lp);
	*lp = NULL;
}

int
vc_link_fd(const struct vc_link *l)
{
	return l->fd;
}

int
vc_link_connect(struct vc_link *l)
{
	struct sockaddr_in sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)l->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	l->fd = fd;
	l->accepted = 0;
	vc_log(l->vc, "event connect port=%d", l->port);
	return 0;
}

/* The card leaves the field: it loses power and everything volatile. */
void
vc_link_close(struct vc_link *l)
{
	if (l->fd < 0)
		return;
	close(l->fd);
	l->fd = -1;
	vc_apdu_power(l->apdu);
	vc_session_power(l->vc);
	vc_log(l->vc, "event disconnect");
}

/* Reads exactly n bytes within FRAME_MS; -1 on EOF, error or timeout. */
static int
read_full(int fd, uint8_t *p, size_t n)
{
	struct timespec start;
	struct pollfd pfd;
	ssize_t r;
	long left;
	int pr;

	vc_now(&start);
	while (n > 0) {
		if ((left = FRAME_MS - vc_ms_since(&start)) <= 0)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if ((pr = poll(&pfd, 1, (int)left)) < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return -1;
		if ((r = read(fd, p, n)) < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int
write_frame(int fd, const uint8_t *p, size_t n)
{
	uint8_t hdr[2] = { (uint8_t)(n >> 8), (uint8_t)n };
	ssize_t r;
	size_t off = 0;

	if (n > 0xffff || send(fd, hdr, 2, MSG_NOSIGNAL | MSG_MORE) != 2)
		return -1;
	while (off < n) {
		if ((r = send(fd, p + off, n - off, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)r;
	}
	return 0;
}

static int
control(struct vc_link *l, uint8_t c)
{
	static const char *names[] = { "power-off", "power-on", "reset" };

	if (c == CTRL_ATR)
		return write_frame(l->fd, l->atr, sizeof(l->atr));
	if (c <= CTRL_RESET) {
		vc_apdu_power(l->apdu);
		vc_session_power(l->vc);
		vc_log(l->vc, "event %s", names[c]);
	} else
		vc_log(l->vc, "event unknown-control %02x", c);
	return 0;
}

/*
 * Serves one message from vpcd.  Returns 0, -1 when the link broke, or
 * VC_APDU_PULL when the card must leave the field now.
 */
int
vc_link_serve_one(struct vc_link *l)
{
	uint8_t hdr[2], *msg = NULL;
	struct vc_buf out = { 0 };
	size_t n;
	int r = -1;

	if (read_full(l->fd, hdr, 2) < 0)
		goto fail;
	/*
	 * vpcd accepts one card per slot; a second card's connection waits
	 * in the listen queue and hears nothing.  The first message means
	 * the reader really has this card (tests wait for this line).
	 */
	if (!l->accepted) {
		l->accepted = 1;
		vc_log(l->vc, "event accepted port=%d", l->port);
	}
	n = (size_t)hdr[0] << 8 | hdr[1];
	if (n == 0 || (msg = malloc(n)) == NULL || read_full(l->fd, msg,
	    n) < 0)
		goto fail;
	if (n == 1) {
		r = control(l, msg[0]);
		goto fail;
	}
	if ((r = vc_apdu_handle(l->vc, l->apdu, msg, n, &out)) != 0)
		goto fail;
	r = write_frame(l->fd, out.ptr, out.len);
fail:
	if (msg != NULL)
		explicit_bzero(msg, n);
	free(msg);
	vc_buf_free(&out);
	return r;
}
