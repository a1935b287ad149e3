/* JSON writer: strings are escaped so any byte from the database is safe;
 * invalid UTF-8 is replaced, never passed through. */
#include "cli/json.h"

#include <stdlib.h>
#include <string.h>

#include "core/kd.h"

void
json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = 1;
}

/* Writes the comma a value needs before it (not after a key). */
static void
sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = 0;
}

static void
open_(struct json *j, int c)
{
	sep(j);
	fputc(c, j->f);
	if (j->depth < 31)
		j->depth++;
	j->first[j->depth] = 1;
}

static void
close_(struct json *j, int c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void json_obj_begin(struct json *j) { open_(j, '{'); }
void json_obj_end(struct json *j) { close_(j, '}'); }
void json_arr_begin(struct json *j) { open_(j, '['); }
void json_arr_end(struct json *j) { close_(j, ']'); }

static void
write_string(FILE *f, const char *s)
{
	const unsigned char *p;
	char *clean;

	/* Invalid UTF-8 would make the document invalid: replace it. */
	clean = kd_utf8_valid(s) ? NULL : kd_sanitize_dup(s);
	fputc('"', f);
	for (p = (const unsigned char *)(clean ? clean : s); *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
	free(clean);
}

void
json_key(struct json *j, const char *k)
{
	sep(j);
	write_string(j->f, k);
	fputc(':', j->f);
	j->after_key = 1;
}

void
json_str(struct json *j, const char *s)
{
	sep(j);
	if (s == NULL)
		fputs("null", j->f);
	else
		write_string(j->f, s);
}

void
json_int(struct json *j, int64_t v)
{
	sep(j);
	fprintf(j->f, "%lld", (long long)v);
}

void
json_bool(struct json *j, int v)
{
	sep(j);
	fputs(v ? "true" : "false", j->f);
}

void
json_null(struct json *j)
{
	sep(j);
	fputs("null", j->f);
}

void
json_time(struct json *j, int64_t t)
{
	char buf[32];

	if (t <= 0) {
		json_null(j);
		return;
	}
	kd_time_iso(t, buf, sizeof(buf));
	json_str(j, buf);
}

void
json_end(struct json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}

void json_kstr(struct json *j, const char *k, const char *v) { json_key(j, k); json_str(j, v); }
void json_kint(struct json *j, const char *k, int64_t v) { json_key(j, k); json_int(j, v); }
void json_kbool(struct json *j, const char *k, int v) { json_key(j, k); json_bool(j, v); }
void json_ktime(struct json *j, const char *k, int64_t v) { json_key(j, k); json_time(j, v); }
