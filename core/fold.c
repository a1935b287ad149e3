/* Folding names into search words (see fold.h for what is covered).
 * Tables rather than towlower(): the C library's answer depends on the
 * locale, and the index must be the same for every process that writes. */
#include "core/fold.h"

#include <stdint.h>
#include <string.h>

/* U+00C0..U+00FF and U+0100..U+017F: the base letter, '-' for a word
 * separator (U+00D7, U+00F7), upper case for two letters (see expand). */
static const char latin1[] =
    "aaaaaaEceeeeiiiidnooooo-ouuuuyTS"
    "aaaaaaEceeeeiiiidnooooo-ouuuuyTy";
static const char latin_ext_a[] =
    "aaaaaa" "cccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh"
    "iiiiiiiiii" "JJ" "jj" "kkk" "llllllllll" "nnnnnnn" "nn" "oooooo"
    "OO" "rrrrrr" "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww" "yyy" "zzzzzz"
    "s";
_Static_assert(sizeof(latin1) == 65, "latin1 covers U+00C0..U+00FF");
_Static_assert(sizeof(latin_ext_a) == 129, "covers U+0100..U+017F");

static const char *
expand(char c)
{
	switch (c) {
	case 'E': return "ae";
	case 'T': return "th";
	case 'S': return "ss";
	case 'O': return "oe";
	case 'J': return "ij";
	default: return NULL;
	}
}

/* Decodes one UTF-8 sequence; returns its length, or 0 if it is not
 * valid (overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	size_t n, i;
	uint32_t c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, c &= 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

static size_t
utf8_encode(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

static int
is_separator(uint32_t c)
{
	if (c < 0x80)
		return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'));
	return c < 0xc0 || c == 0xd7 || c == 0xf7 ||
	    (c >= 0x2000 && c <= 0x206f) || c == 0x3000 || c == 0xfeff;
}

/* The folded form of code point `c` as UTF-8 in `out` (up to 4 bytes). */
static size_t
fold_char(uint32_t c, char *out)
{
	const char *two;
	char b;

	if (c >= 'A' && c <= 'Z')
		c += 'a' - 'A';
	else if (c >= 0xc0 && c <= 0x17f) {
		b = c < 0x100 ? latin1[c - 0xc0] : latin_ext_a[c - 0x100];
		if ((two = expand(b)) != NULL) {
			memcpy(out, two, 2);
			return 2;
		}
		out[0] = b;
		return 1;
	} else if (c >= 0x391 && c <= 0x3a9 && c != 0x3a2)
		c += 0x20;			/* Greek capitals */
	else if (c >= 0x410 && c <= 0x42f)
		c += 0x20;			/* Cyrillic А..Я */
	else if (c >= 0x400 && c <= 0x40f)
		c += 0x50;			/* Cyrillic Ѐ..Џ */
	return utf8_encode(c, out);
}

size_t
fold_words(const char *in, char *out, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, word = 0, n, k;
	uint32_t c;
	char buf[4];

	if (len == 0)
		return 0;
	while (*s != '\0') {
		if ((n = utf8_decode(s, &c)) == 0) {
			n = 1;
			c = ' ';
		}
		s += n;
		if (is_separator(c)) {
			word = 0;
			continue;
		}
		k = fold_char(c, buf);
		/* A space before each word but the first. */
		if (word == 0 && o > 0 && o + 1 < len)
			out[o++] = ' ';
		if (word + k > FOLD_WORD_MAX || o + k >= len) {
			word += k;	/* cut: the rest of this word is dropped */
			continue;
		}
		memcpy(out + o, buf, k);
		o += k;
		word += k;
	}
	/* A word cut to nothing at the end of `out` leaves a space. */
	if (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return o;
}

size_t
fold_next(const char **p, const char **word)
{
	const char *s = *p, *e;

	while (*s == ' ')
		s++;
	for (e = s; *e != '\0' && *e != ' '; e++)
		;
	*word = s;
	*p = e;
	return (size_t)(e - s);
}

int
fold_has_prefix(const char *words, const char *prefix, size_t plen)
{
	const char *w;
	size_t n;

	while ((n = fold_next(&words, &w)) > 0)
		if (n >= plen && memcmp(w, prefix, plen) == 0)
			return 1;
	return 0;
}
