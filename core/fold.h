/* Folding names for search: lower case, accents off, one space between
 * words.  The store indexes every word of a name folded this way, and a
 * search text is folded the same way, so "MÜLLER", "mül" and "muller"
 * all find "Jörg Müller".
 *
 * Covered: ASCII, Latin-1 Supplement and Latin Extended-A (case and
 * accents folded, ß -> ss, æ -> ae, œ -> oe, þ -> th, ĳ -> ij), Greek and
 * Cyrillic capitals (case only).  Other letters are kept as they are and
 * still make words; ASCII punctuation, Latin-1 symbols and white space
 * separate words. */
#ifndef KD_FOLD_H
#define KD_FOLD_H

#include <stddef.h>

/* Longest word kept in the index, in bytes (longer ones are cut). */
#define FOLD_WORD_MAX 64

/* Writes the folded words of `in` to `out`, separated by one space, and
 * returns the length (always NUL-terminated, cut at `len`).  Invalid
 * UTF-8 bytes separate words. */
size_t	fold_words(const char *in, char *out, size_t len);

/* The next word of a fold_words() result: *p moves past it.  Returns
 * its length, 0 at the end. */
size_t	fold_next(const char **p, const char **word);

/* 1 if some word of folded text `words` starts with `prefix`
 * (`plen` bytes), else 0. */
int	fold_has_prefix(const char *words, const char *prefix, size_t plen);

#endif
