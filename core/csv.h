/* RFC 4180 CSV: a reader that keeps line numbers for error reports and a
 * writer.  UTF-8 only; a leading byte-order mark is skipped. */
#ifndef KD_CSV_H
#define KD_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "core/kd.h"

#define CSV_MAX_FIELDS 32

struct csv_record {
	int	 line;		/* where the record starts, 1-based */
	size_t	 n;
	char	*field[CSV_MAX_FIELDS];
};

struct csv_reader;

int	csv_reader_new(struct csv_reader **, const char *data, size_t len);
void	csv_reader_free(struct csv_reader **);
/* Next record: KD_OK, KD_ERR_NOTFOUND at the end, KD_ERR_INVALID with a
 * message naming the line (bad quoting, not UTF-8, a NUL byte, too many
 * fields).  A quoted field that starts with the ' csv_write_field adds
 * before a formula loses exactly that '. */
int	csv_read(struct csv_reader *, struct csv_record *, struct kd_err *);
void	csv_record_clear(struct csv_record *);

/* Writes one field, quoted when it needs to be; a field a spreadsheet
 * would run as a formula (=, +, -, @ first, also after apostrophes) is
 * quoted and prefixed with one more '. */
void	csv_write_field(FILE *, const char *, int last);

#endif
