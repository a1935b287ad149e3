/* The access lists: YAML sequences of OS user names. */
#include "config/config_int.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static int
name_ok(const char *s)
{
	const char *p;

	if (*s == '\0' || strlen(s) > 64)
		return 0;
	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("._-", *p) != NULL))
			return 0;
	return 1;
}

/* Stored as "a,b,c" (NULL when empty): names cannot hold commas. */
int
config_parse_names(struct config_walk *w, const struct config_field *f,
    const struct config_node *n, void *dst)
{
	const struct config_node *item;
	char buf[4096];
	size_t o = 0;

	buf[0] = '\0';
	if (config_node_is_null(n))
		return config_store(w, dst, NULL, 0);
	if (n->kind != CONFIG_SEQ)
		return config_bad_value(w, f, n, "a list of OS user names, "
		    "like [alice, bob]");
	for (item = n->child; item != NULL; item = item->next) {
		if (item->kind != CONFIG_SCALAR || !name_ok(item->value))
			return config_bad_value(w, f, item, "an OS user name "
			    "(letters, digits, . _ -)");
		if (o + strlen(item->value) + 2 >= sizeof(buf))
			return config_bad_value(w, f, item, "a shorter list");
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
		    o ? "," : "", item->value);
	}
	return config_store(w, dst, o ? buf : NULL, 0);
}
