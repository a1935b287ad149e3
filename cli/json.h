/* A small streaming JSON writer for --json output: one document on stdout. */
#ifndef KD_JSON_H
#define KD_JSON_H

#include <stdint.h>
#include <stdio.h>

struct json {
	FILE	*f;
	int	 depth;
	int	 first[32];	/* no comma needed yet at this depth */
	int	 after_key;
};

void	json_init(struct json *, FILE *);
void	json_obj_begin(struct json *);
void	json_obj_end(struct json *);
void	json_arr_begin(struct json *);
void	json_arr_end(struct json *);
void	json_key(struct json *, const char *);
void	json_str(struct json *, const char *);	/* NULL writes null */
void	json_int(struct json *, int64_t);
void	json_bool(struct json *, int);
void	json_null(struct json *);
void	json_time(struct json *, int64_t);	/* ISO 8601, 0 writes null */
void	json_end(struct json *);		/* final newline */

/* key + value in one call */
void	json_kstr(struct json *, const char *, const char *);
void	json_kint(struct json *, const char *, int64_t);
void	json_kbool(struct json *, const char *, int);
void	json_ktime(struct json *, const char *, int64_t);

#endif
