/* RFC 4180 reading and writing. */
#include "core/csv.h"

#include <stdlib.h>
#include <string.h>

struct csv_reader {
	const char	*p, *end;
	int		 line;
};

int
csv_reader_new(struct csv_reader **out, const char *data, size_t len)
{
	struct csv_reader *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return KD_ERR_NOMEM;
	r->p = data;
	r->end = data + len;
	r->line = 1;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		r->p += 3;
	*out = r;
	return KD_OK;
}

void
csv_reader_free(struct csv_reader **r)
{
	free(*r);
	*r = NULL;
}

void
csv_record_clear(struct csv_record *rec)
{
	size_t i;

	for (i = 0; i < rec->n; i++)
		free(rec->field[i]);
	memset(rec, 0, sizeof(*rec));
}

/* Appends one byte to a growing buffer. */
static int
put(char **b, size_t *n, size_t *cap, char c)
{
	char *nb;

	if (*n + 2 > *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if ((nb = realloc(*b, *cap)) == NULL)
			return KD_ERR_NOMEM;
		*b = nb;
	}
	(*b)[(*n)++] = c;
	(*b)[*n] = '\0';
	return KD_OK;
}

/* A value a spreadsheet would run as a formula (=, +, -, @ first), also
 * behind apostrophes: export guards those with one more ' and import
 * takes exactly that one away again, so every value survives a round
 * trip, "'=x" included. */
static int
formula_like(const char *s)
{
	while (*s == '\'')
		s++;
	return *s == '=' || *s == '+' || *s == '-' || *s == '@';
}

/* Undoes csv_write_field's guard: only quoted fields carry one. */
static void
unguard(char *b, size_t *n)
{
	if (b[0] == '\'' && formula_like(b + 1)) {
		memmove(b, b + 1, *n);	/* with the terminating NUL */
		(*n)--;
	}
}

/* One field; stops before the delimiter or line end that follows it. */
static int
read_field(struct csv_reader *r, char **out, struct kd_err *e)
{
	char *b = NULL;
	size_t n = 0, cap = 0;
	int quoted = r->p < r->end && *r->p == '"', start = r->line;

	if (put(&b, &n, &cap, '\0') != KD_OK)
		return kd_err_set(e, KD_ERR_NOMEM, "out of memory");
	n = 0;
	if (quoted)
		r->p++;
	while (r->p < r->end) {
		char c = *r->p;

		if (quoted && c == '"') {
			if (r->p + 1 < r->end && r->p[1] == '"') {
				r->p += 2;
				if (put(&b, &n, &cap, '"') != KD_OK)
					goto nomem;
				continue;
			}
			r->p++;
			quoted = -1;	/* closed: only , or a line end may follow */
			break;
		}
		if (!quoted && (c == ',' || c == '\n' || c == '\r'))
			break;
		if (!quoted && c == '"') {
			free(b);
			return kd_err_set(e, KD_ERR_INVALID, "line %d: a quote inside "
			    "an unquoted field (quote the whole field and double "
			    "the quote)", r->line);
		}
		if (c == '\0') {
			/* A C string would end here and drop the rest. */
			free(b);
			return kd_err_set(e, KD_ERR_INVALID, "line %d: a NUL "
			    "byte inside a field", r->line);
		}
		if (c == '\n')
			r->line++;
		if (put(&b, &n, &cap, c) != KD_OK)
			goto nomem;
		r->p++;
	}
	if (quoted == 1) {
		free(b);
		return kd_err_set(e, KD_ERR_INVALID, "line %d: a quoted field is "
		    "never closed", start);
	}
	if (quoted == -1 && r->p < r->end && *r->p != ',' && *r->p != '\n' &&
	    *r->p != '\r') {
		free(b);
		return kd_err_set(e, KD_ERR_INVALID, "line %d: text after a "
		    "closing quote", r->line);
	}
	if (quoted == -1)
		unguard(b, &n);
	*out = b;
	return KD_OK;
nomem:
	free(b);
	return kd_err_set(e, KD_ERR_NOMEM, "out of memory");
}

int
csv_read(struct csv_reader *r, struct csv_record *rec, struct kd_err *e)
{
	char *f = NULL;
	int ret;

	memset(rec, 0, sizeof(*rec));
	/* Blank lines between records are skipped. */
	while (r->p < r->end && (*r->p == '\n' || *r->p == '\r')) {
		if (*r->p == '\n')
			r->line++;
		r->p++;
	}
	if (r->p >= r->end)
		return KD_ERR_NOTFOUND;
	rec->line = r->line;
	for (;;) {
		if ((ret = read_field(r, &f, e)) != KD_OK)
			goto fail;
		if (rec->n == CSV_MAX_FIELDS) {
			free(f);
			ret = kd_err_set(e, KD_ERR_INVALID, "line %d: more than %d "
			    "fields", rec->line, CSV_MAX_FIELDS);
			goto fail;
		}
		if (!kd_utf8_valid(f)) {
			free(f);
			ret = kd_err_set(e, KD_ERR_INVALID, "line %d: not UTF-8 "
			    "(save the file as UTF-8)", rec->line);
			goto fail;
		}
		rec->field[rec->n++] = f;
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		break;
	}
	if (r->p < r->end && *r->p == '\r')
		r->p++;
	if (r->p < r->end && *r->p == '\n') {
		r->p++;
		r->line++;
	}
	return KD_OK;
fail:
	csv_record_clear(rec);
	return ret;
}

void
csv_write_field(FILE *f, const char *s, int last)
{
	const char *p;
	int formula = formula_like(s);

	if (strpbrk(s, ",\"\r\n") != NULL || formula) {
		fputc('"', f);
		if (formula)
			fputc('\'', f);
		for (p = s; *p != '\0'; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	} else
		fputs(s, f);
	fputs(last ? "\r\n" : ",", f);
}
