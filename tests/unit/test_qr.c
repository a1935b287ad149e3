/* core/qr: sizes of the links keydesk shows, the quiet zone, blocks as
 * the dark modules (the finder pattern), determinism and bad input.
 * Decoding the text back is tests/e2e/tui_phone.sh's (zbarimg). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/qr.h"
#include "tests/lib/tap.h"

#define UPPER	"\xe2\x96\x80"
#define LOWER	"\xe2\x96\x84"
#define FULL	"\xe2\x96\x88"

/* The example config's link: base_url + a 43-character token (74). */
static const char link74[] = "https://keydesk.local/activate/"
    "q3N5-0aZk_8rT2bWc9LmXy4vEo1uHs6gJd7fPiR0tKe";
/* The note's 90-character link. */
static const char link90[] = "https://enroll.keydesk.example.com/activate/"
    "q3N5-0aZk_8rT2bWc9LmXy4vEo1uHs6gJd7fPiR0tKeAbC";

/* The cell at column `col` of a line (each is " " or a 3-byte block),
 * or NULL past the end. */
static const char *
cell_at(const char *line, int col, size_t *len)
{
	int c;

	for (c = 0; *line != '\0'; c++) {
		*len = *line == ' ' ? 1 : 3;
		if (c == col)
			return line;
		line += *len;
	}
	return NULL;
}

static int
cell_is(const char *line, int col, const char *want)
{
	size_t len = 0;
	const char *p = cell_at(line, col, &len);

	return p != NULL && len == strlen(want) && memcmp(p, want, len) == 0;
}

/* Columns of a line, if it is made of spaces and the three blocks only. */
static int
line_cols(const char *line)
{
	int n = 0;

	while (*line != '\0') {
		if (*line == ' ')
			line++;
		else if (strncmp(line, UPPER, 3) == 0 ||
		    strncmp(line, LOWER, 3) == 0 || strncmp(line, FULL, 3) == 0)
			line += 3;
		else
			return -1;
		n++;
	}
	return n;
}

static int
all_lines_are(const struct kd_qr *q, int width)
{
	int i;

	for (i = 0; i < q->height; i++)
		if (line_cols(q->lines[i]) != width)
			return 0;
	return 1;
}

/* Every cell of the quiet zone is a space: 4 modules on each side. */
static int
quiet_zone_blank(const struct kd_qr *q)
{
	int y, x, top_rows = QR_QUIET / 2;
	/* Text rows whose both modules lie below the code. */
	int first_bottom = (QR_QUIET + q->modules + 1) / 2;

	for (y = 0; y < q->height; y++)
		for (x = 0; x < q->width; x++) {
			if (y >= top_rows && y < first_bottom && x >= QR_QUIET &&
			    x < QR_QUIET + q->modules)
				continue;
			if (!cell_is(q->lines[y], x, " "))
				return 0;
		}
	return 1;
}

/* The top-left finder pattern: module rows 4 and 5 are text row 2 (the
 * top half and the bottom half).  Row 4 is 7 dark modules; row 5 is
 * dark, 5 light, dark: so the cells are full, 5 upper halves, full. */
static int
finder_is_dark(const struct kd_qr *q)
{
	int x;

	if (!cell_is(q->lines[2], QR_QUIET, FULL) ||
	    !cell_is(q->lines[2], QR_QUIET + 6, FULL))
		return 0;
	for (x = QR_QUIET + 1; x < QR_QUIET + 6; x++)
		if (!cell_is(q->lines[2], x, UPPER))
			return 0;
	return 1;
}

static void
test_sizes_of_the_links(void)
{
	struct kd_qr *q = NULL;
	struct kd_err e;

	CHECK(strlen(link74) == 74 && strlen(link90) == 90);
	CHECK(qr_render(link74, &q, &e) == KD_OK && q != NULL);
	if (q != NULL) {
		CHECK(q->version == 4 && q->modules == 33);
		CHECK(q->width == 41 && q->height == 21);
		CHECK(all_lines_are(q, 41));
	}
	qr_free(&q);
	CHECK(q == NULL);
	CHECK(qr_render(link90, &q, &e) == KD_OK && q != NULL);
	if (q != NULL) {
		CHECK(q->version == 5 && q->modules == 37);
		CHECK(q->width == 45 && q->height == 23);
		CHECK(all_lines_are(q, 45));
	}
	qr_free(&q);
	qr_free(&q);	/* twice is fine */
}

static void
test_quiet_zone_and_dark_modules(void)
{
	struct kd_qr *q = NULL;
	struct kd_err e;

	CHECK(qr_render(link90, &q, &e) == KD_OK);
	if (q == NULL)
		return;
	CHECK(quiet_zone_blank(q));
	CHECK(finder_is_dark(q));
	qr_free(&q);
	CHECK(qr_render(link74, &q, &e) == KD_OK);
	if (q == NULL)
		return;
	CHECK(quiet_zone_blank(q));
	CHECK(finder_is_dark(q));
	qr_free(&q);
}

static void
test_deterministic(void)
{
	struct kd_qr *a = NULL, *b = NULL, *c = NULL;
	struct kd_err e;
	int i, same = 1, differ = 0;

	CHECK(qr_render(link74, &a, &e) == KD_OK);
	CHECK(qr_render(link74, &b, &e) == KD_OK);
	/* One character more of token: another code of the same size. */
	CHECK(qr_render("https://keydesk.local/activate/"
	    "q3N5-0aZk_8rT2bWc9LmXy4vEo1uHs6gJd7fPiR0tKf", &c, &e) == KD_OK);
	if (a == NULL || b == NULL || c == NULL)
		goto out;
	CHECK(a->height == b->height && a->width == b->width);
	CHECK(c->height == a->height && c->width == a->width);
	for (i = 0; i < a->height; i++) {
		same &= strcmp(a->lines[i], b->lines[i]) == 0;
		differ |= strcmp(a->lines[i], c->lines[i]) != 0;
	}
	CHECK(same);
	CHECK(differ);
out:
	qr_free(&a);
	qr_free(&b);
	qr_free(&c);
}

static void
test_bad_input(void)
{
	struct kd_qr *q = NULL;
	struct kd_err e;
	char *big;

	CHECK(qr_render("", &q, &e) == KD_ERR_INVALID && q == NULL);
	CHECK(qr_render(NULL, &q, &e) == KD_ERR_INVALID && q == NULL);
	if ((big = malloc(2000)) == NULL)
		return;
	memset(big, 'a', 1999);
	big[1999] = '\0';
	CHECK(qr_render(big, &q, &e) == KD_ERR_INVALID && q == NULL);
	CHECK(strstr(e.msg, "1024") != NULL);
	/* The longest accepted text still makes a code (version 40 holds
	 * 2953 bytes at level L). */
	big[1024] = '\0';
	CHECK(qr_render(big, &q, &e) == KD_OK && q != NULL);
	if (q != NULL)
		CHECK(q->width == q->modules + 2 * QR_QUIET);
	qr_free(&q);
	free(big);
}

int
main(void)
{
	RUN(test_sizes_of_the_links);
	RUN(test_quiet_zone_and_dark_modules);
	RUN(test_deterministic);
	RUN(test_bad_input);
	return tap_done();
}
