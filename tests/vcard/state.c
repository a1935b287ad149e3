/*
 * The card's persistent state, optionally kept in a file (--state) so a
 * test can stop the card ("pull it out"), start it again and find the
 * same PIN, retries and credentials.  A line-based text file, written to
 * a temporary file, fsync'd and renamed so a crash never leaves half a
 * card.  It holds key material: it is a test fixture, mode 0600.
 *
 *   vcard-state 1
 *   wrapkey HEX
 *   pin 0|1 HASHHEX CODEPOINTS
 *   retries N / force 0|1 / minpin N / counter N / serial N
 *   cred SERIAL IDHEX RPHASHHEX USERIDHEX NAMEHEX DISPLAYHEX   ("-" = empty)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vcard.h"

#define STATE_MAGIC "vcard-state 1"

static void
hex_put(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	if (n == 0)
		fputc('-', f);
	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

/* Decodes hex ("-" is empty) into at most max bytes. */
static int
hex_get(const char *s, uint8_t *p, size_t max, size_t *n)
{
	size_t i, len;
	unsigned v;

	if (s == NULL)
		return -1;
	if (strcmp(s, "-") == 0) {
		*n = 0;
		return 0;
	}
	len = strlen(s);
	if (len % 2 != 0 || len / 2 > max)
		return -1;
	for (i = 0; i < len / 2; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		p[i] = (uint8_t)v;
	}
	*n = len / 2;
	return 0;
}

static int
hex_exact(const char *s, uint8_t *p, size_t want)
{
	size_t n;

	return hex_get(s, p, want, &n) == 0 && n == want ? 0 : -1;
}

static void
state_write(FILE *f, const struct vc_state *st)
{
	const struct vc_cred *c;
	size_t i;

	fprintf(f, "%s\nwrapkey ", STATE_MAGIC);
	hex_put(f, st->wrap_key, sizeof(st->wrap_key));
	fprintf(f, "\npin %d ", st->pin_set);
	hex_put(f, st->pin_hash, sizeof(st->pin_hash));
	fprintf(f, " %u\nretries %u\nforce %d\nminpin %u\ncounter %lu\n"
	    "serial %lu\n", st->pin_len, st->retries, st->force_change,
	    st->min_pin, (unsigned long)st->sign_count,
	    (unsigned long)st->next_serial);
	for (i = 0; i < VC_SLOTS; i++) {
		c = &st->creds[i];
		if (!c->used)
			continue;
		fprintf(f, "cred %lu ", (unsigned long)c->serial);
		hex_put(f, c->id, sizeof(c->id));
		fputc(' ', f);
		hex_put(f, c->rp_hash, sizeof(c->rp_hash));
		fputc(' ', f);
		hex_put(f, c->user_id, c->user_id_len);
		fputc(' ', f);
		hex_put(f, (const uint8_t *)c->user_name, strlen(c->user_name));
		fputc(' ', f);
		hex_put(f, (const uint8_t *)c->display_name,
		    strlen(c->display_name));
		fputc('\n', f);
	}
}

int
vc_state_save(struct vcard *vc)
{
	char tmp[4096];
	FILE *f = NULL;
	int fd = -1, ok = -1;

	if (vc->o.state_path == NULL)
		return 0;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", vc->o.state_path,
	    (long)getpid()) >= sizeof(tmp))
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL)
		goto fail;
	fd = -1;
	state_write(f, &vc->st);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		goto fail;
	if (fclose(f) != 0) {
		f = NULL;
		goto fail;
	}
	f = NULL;
	if (rename(tmp, vc->o.state_path) != 0)
		goto fail;
	ok = 0;
fail:
	if (f != NULL)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (ok < 0) {
		unlink(tmp);
		vc_log(vc, "event state-save-failed errno=%d", errno);
	}
	return ok;
}

static int
parse_cred(struct vc_state *st, char *args)
{
	struct vc_cred *c = NULL;
	char *tok[6];
	size_t i, n;
	unsigned long serial;

	for (i = 0; i < VC_SLOTS && c == NULL; i++)
		if (!st->creds[i].used)
			c = &st->creds[i];
	if (c == NULL)
		return -1;
	for (i = 0; i < 6; i++)
		if ((tok[i] = strtok(i ? NULL : args, " \n")) == NULL)
			return -1;
	if (sscanf(tok[0], "%lu", &serial) != 1 ||
	    hex_exact(tok[1], c->id, sizeof(c->id)) < 0 ||
	    hex_exact(tok[2], c->rp_hash, sizeof(c->rp_hash)) < 0 ||
	    hex_get(tok[3], c->user_id, sizeof(c->user_id),
	    &c->user_id_len) < 0 ||
	    hex_get(tok[4], (uint8_t *)c->user_name, VC_NAME_MAX, &n) < 0)
		return -1;
	c->user_name[n] = '\0';
	if (hex_get(tok[5], (uint8_t *)c->display_name, VC_NAME_MAX, &n) < 0)
		return -1;
	c->display_name[n] = '\0';
	c->serial = (uint32_t)serial;
	c->used = 1;
	return 0;
}

static int
parse_line(struct vc_state *st, char *line)
{
	char *sp, hash[64], key[64];
	unsigned long v;

	if ((sp = strchr(line, ' ')) == NULL)
		return -1;
	*sp++ = '\0';
	if (strcmp(line, "wrapkey") == 0)
		return hex_exact(strtok(sp, " \n"), st->wrap_key, 32);
	if (strcmp(line, "pin") == 0) {
		if (sscanf(sp, "%d %63s %u", &st->pin_set, hash,
		    &st->pin_len) != 3)
			return -1;
		return hex_exact(hash, st->pin_hash, 16);
	}
	if (strcmp(line, "cred") == 0)
		return parse_cred(st, sp);
	if (sscanf(sp, "%lu", &v) != 1 || strlen(line) >= sizeof(key))
		return -1;
	if (strcmp(line, "retries") == 0 && v <= VC_PIN_RETRIES)
		st->retries = (unsigned)v;
	else if (strcmp(line, "force") == 0)
		st->force_change = v != 0;
	else if (strcmp(line, "minpin") == 0 && v >= 4 && v <= 63)
		st->min_pin = (unsigned)v;
	else if (strcmp(line, "counter") == 0)
		st->sign_count = (uint32_t)v;
	else if (strcmp(line, "serial") == 0)
		st->next_serial = (uint32_t)v;
	else
		return -1;
	return 0;
}

static int
state_load(struct vcard *vc, FILE *f)
{
	char line[1024];
	int n = 0;

	memset(&vc->st, 0, sizeof(vc->st));
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (n++ == 0) {
			if (strcmp(line, STATE_MAGIC) != 0)
				return -1;
			continue;
		}
		if (line[0] != '\0' && parse_line(&vc->st, line) < 0)
			return -1;
	}
	explicit_bzero(line, sizeof(line));
	return n > 0 ? 0 : -1;
}

/* Factory state: what authenticatorReset leaves behind. */
int
vc_state_factory(struct vcard *vc)
{
	explicit_bzero(&vc->st, sizeof(vc->st));
	vc->st.retries = VC_PIN_RETRIES;
	vc->st.min_pin = vc->o.min_pin;
	return vc_rand(vc->st.wrap_key, sizeof(vc->st.wrap_key));
}

/* Stores a PIN already checked against the policy. */
int
vc_state_set_pin(struct vcard *vc, const uint8_t *pin, size_t len)
{
	uint8_t h[32];
	unsigned cp = 0;
	size_t i;

	for (i = 0; i < len; i++)
		if ((pin[i] & 0xc0) != 0x80)
			cp++; /* count UTF-8 code points, not bytes */
	vc_sha256(pin, len, h);
	memcpy(vc->st.pin_hash, h, 16);
	explicit_bzero(h, sizeof(h));
	vc->st.pin_set = 1;
	vc->st.pin_len = cp;
	vc->st.retries = VC_PIN_RETRIES;
	return 0;
}

/*
 * Loads --state if it exists; otherwise starts from factory state (with
 * --pin set, "a card that already has a PIN") and writes it.
 */
int
vc_state_init(struct vcard *vc)
{
	FILE *f;
	int r;

	if (vc->o.state_path != NULL &&
	    (f = fopen(vc->o.state_path, "r")) != NULL) {
		r = state_load(vc, f);
		fclose(f);
		if (r < 0)
			fprintf(stderr, "vcard: %s: bad state file\n",
			    vc->o.state_path);
		return r;
	}
	if (vc->o.state_path != NULL && errno != ENOENT) {
		perror(vc->o.state_path);
		return -1;
	}
	if (vc_state_factory(vc) < 0)
		return -1;
	if (vc->o.pin != NULL && vc_state_set_pin(vc,
	    (const uint8_t *)vc->o.pin, strlen(vc->o.pin)) < 0)
		return -1;
	return vc_state_save(vc);
}

unsigned
vc_slots_capacity(const struct vcard *vc)
{
	return vc->o.full ? 0 : VC_SLOTS;
}

unsigned
vc_slots_free(const struct vcard *vc)
{
	unsigned i, used = 0, cap = vc_slots_capacity(vc);

	for (i = 0; i < VC_SLOTS; i++)
		used += vc->st.creds[i].used != 0;
	return used >= cap ? 0 : cap - used;
}

struct vc_cred *
vc_slot_find(struct vcard *vc, const uint8_t *id, size_t len)
{
	size_t i;

	if (len != VC_CRED_ID_LEN)
		return NULL;
	for (i = 0; i < VC_SLOTS; i++)
		if (vc->st.creds[i].used &&
		    memcmp(vc->st.creds[i].id, id, len) == 0)
			return &vc->st.creds[i];
	return NULL;
}

struct vc_cred *
vc_slot_for_user(struct vcard *vc, const uint8_t rp_hash[32],
    const uint8_t *uid, size_t uid_len)
{
	struct vc_cred *c;
	size_t i;

	for (i = 0; i < VC_SLOTS; i++) {
		c = &vc->st.creds[i];
		if (c->used && memcmp(c->rp_hash, rp_hash, 32) == 0 &&
		    c->user_id_len == uid_len &&
		    memcmp(c->user_id, uid, uid_len) == 0)
			return c;
	}
	return NULL;
}

struct vc_cred *
vc_slot_alloc(struct vcard *vc)
{
	size_t i;

	if (vc_slots_free(vc) == 0)
		return NULL;
	for (i = 0; i < VC_SLOTS; i++)
		if (!vc->st.creds[i].used)
			return &vc->st.creds[i];
	return NULL;
}

/* Slot indexes of the RP's credentials, newest first. */
size_t
vc_slots_for_rp(struct vcard *vc, const uint8_t rp_hash[32], int *idx,
    size_t max)
{
	size_t i, j, n = 0;
	int t;

	for (i = 0; i < VC_SLOTS && n < max; i++)
		if (vc->st.creds[i].used &&
		    memcmp(vc->st.creds[i].rp_hash, rp_hash, 32) == 0)
			idx[n++] = (int)i;
	for (i = 1; i < n; i++) /* insertion sort by serial, descending */
		for (j = i; j > 0 && vc->st.creds[idx[j - 1]].serial <
		    vc->st.creds[idx[j]].serial; j--) {
			t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	return n;
}
