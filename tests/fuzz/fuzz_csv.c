/*
 * libFuzzer harness for core/csv.c: the reader behind `keydesk import
 * users` (quotes, doubled quotes, line ends, the export guard, NUL bytes,
 * UTF-8, the field limit).
 *
 * Input: the file's bytes.  Every record is read until the end or the
 * first error; a record that reads must be writable and read back to the
 * same fields (the export/import round trip).  See tests/fuzz/README.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Writes `rec` as csv_write_field does for an export and reads it back. */
static void
round_trip(const struct csv_record *rec)
{
	struct csv_reader *r;
	struct csv_record back;
	struct kd_err e;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	if (rec->n == 0 || (f = open_memstream(&buf, &len)) == NULL)
		return;
	/* A header first, as export writes: a byte-order mark is skipped
	 * at the start of a file only. */
	fputs("h\r\n", f);
	for (i = 0; i < rec->n; i++)
		csv_write_field(f, rec->field[i], i + 1 == rec->n);
	fclose(f);
	if (csv_reader_new(&r, buf, len) != KD_OK) {
		free(buf);
		return;
	}
	if (csv_read(r, &back, &e) != KD_OK)
		abort();
	csv_record_clear(&back);
	/* A record of one empty field writes as a blank line: nothing. */
	if (csv_read(r, &back, &e) == KD_OK) {
		if (back.n != rec->n)
			abort();
		for (i = 0; i < rec->n; i++)
			if (strcmp(back.field[i], rec->field[i]) != 0)
				abort();
		csv_record_clear(&back);
	} else if (!(rec->n == 1 && rec->field[0][0] == '\0'))
		abort();
	csv_reader_free(&r);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_reader *r;
	struct csv_record rec;
	struct kd_err e;
	int n = 0;

	if (csv_reader_new(&r, (const char *)data, size) != KD_OK)
		return 0;
	while (n++ < 1000 && csv_read(r, &rec, &e) == KD_OK) {
		if (rec.line < 1)
			abort();
		round_trip(&rec);
		csv_record_clear(&rec);
	}
	csv_reader_free(&r);
	return 0;
}
