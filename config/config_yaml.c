/* YAML text -> a small tree of config_node, built from libyaml events.
 *
 * The event API (rather than yaml_parser_load) lets us refuse aliases and
 * anchors outright, cap nesting depth and node count before anything is
 * allocated for them, and keep every node's line and column for errors. */
#include "config/config_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct tree {
	yaml_parser_t	 parser;
	const char	*name;
	const char	*text;
	size_t		 len;
	struct kd_err	*err;
	int		 nodes;
};

int
config_node_err(struct kd_err *err, const char *name,
    const struct config_node *n, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return kd_err_set(err, KD_ERR_CONFIG, "%s:%d:%d: %s", name,
	    n != NULL ? n->line : 1, n != NULL ? n->col : 1, msg);
}

static int
mark_err(struct tree *t, const yaml_mark_t *m, const char *msg)
{
	struct config_node at;

	memset(&at, 0, sizeof(at));
	at.line = (int)m->line + 1;
	at.col = (int)m->column + 1;
	return config_node_err(t->err, t->name, &at, "%s", msg);
}

/* Reader errors (bad UTF-8, control characters) carry a byte offset and
 * no mark: count lines and characters up to it ourselves. */
static void
offset_mark(const char *text, size_t len, size_t off, yaml_mark_t *m)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			m->line++;
			m->column = 0;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80)
			m->column++;
	}
}

/* The byte at a mark's line and column (0 past the end). */
static char
char_at(const char *text, size_t len, const yaml_mark_t *m)
{
	size_t i = 0, line = 0, col = 0;

	while (i < len && line < m->line)
		if (text[i++] == '\n')
			line++;
	for (; i < len && col < m->column && text[i] != '\n'; col++)
		do
			i++;
		while (i < len && ((unsigned char)text[i] & 0xc0) == 0x80);
	return i < len ? text[i] : '\0';
}

static int
parser_err(struct tree *t)
{
	yaml_parser_t *p = &t->parser;
	const char *problem = p->problem ? p->problem : "syntax error";
	yaml_mark_t m = p->problem_mark;
	char msg[300];

	if (p->error == YAML_MEMORY_ERROR)
		return kd_err_set(t->err, KD_ERR_NOMEM, "%s: out of memory",
		    t->name);
	if (p->error == YAML_READER_ERROR) {
		offset_mark(t->text, t->len, p->problem_offset, &m);
		return mark_err(t, &m, problem);
	}
	if (p->context != NULL)
		snprintf(msg, sizeof(msg), "%s (%s at line %d, column %d)",
		    problem, p->context, (int)p->context_mark.line + 1,
		    (int)p->context_mark.column + 1);
	else
		snprintf(msg, sizeof(msg), "%s", problem);
	/* The most common mistake by far; libyaml does not say it. */
	if (char_at(t->text, t->len, &m) == '\t' &&
	    strstr(msg, "tab") == NULL)
		strncat(msg, "; tabs are not allowed for indentation, use "
		    "spaces", sizeof(msg) - strlen(msg) - 1);
	return mark_err(t, &m, msg);
}

/* Next event, with aliases and anchors refused here once for all. */
static int
next_event(struct tree *t, yaml_event_t *ev)
{
	const yaml_char_t *anchor = NULL;

	if (!yaml_parser_parse(&t->parser, ev))
		return parser_err(t);
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		mark_err(t, &ev->start_mark, "aliases are not supported");
		yaml_event_delete(ev);
		return KD_ERR_CONFIG;
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		break;
	default:
		break;
	}
	if (anchor != NULL) {
		mark_err(t, &ev->start_mark,
		    "anchors and aliases are not supported");
		yaml_event_delete(ev);
		return KD_ERR_CONFIG;
	}
	return KD_OK;
}

static struct config_node *
node_new(struct tree *t, enum config_node_kind kind, const yaml_mark_t *m)
{
	struct config_node *n;

	if ((n = calloc(1, sizeof(*n))) == NULL) {
		kd_err_set(t->err, KD_ERR_NOMEM, "%s: out of memory", t->name);
		return NULL;
	}
	n->kind = kind;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	return n;
}

static void
node_append(struct config_node *parent, struct config_node *kid)
{
	if (parent->last != NULL)
		parent->last->next = kid;
	else
		parent->child = kid;
	parent->last = kid;
}

void
config_node_free(struct config_node *n)
{
	struct config_node *kid, *next;

	if (n == NULL)
		return;
	for (kid = n->child; kid != NULL; kid = next) {
		next = kid->next;
		config_node_free(kid);
	}
	if (n->value != NULL) {
		kd_wipe(n->value, n->len);
		free(n->value);
	}
	free(n);
}

static int
scalar_node(struct tree *t, const yaml_event_t *ev, struct config_node *n)
{
	size_t len = ev->data.scalar.length;

	/* "\0" in a double-quoted scalar would cut the C string short. */
	if (memchr(ev->data.scalar.value, '\0', len) != NULL)
		return config_node_err(t->err, t->name, n,
		    "NUL characters are not allowed");
	if ((n->value = malloc(len + 1)) == NULL)
		return kd_err_set(t->err, KD_ERR_NOMEM, "%s: out of memory",
		    t->name);
	memcpy(n->value, ev->data.scalar.value, len);
	n->value[len] = '\0';
	n->len = len;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return KD_OK;
}

static int build(struct tree *, yaml_event_t *, int, struct config_node **);

/* Reads the children of a mapping or sequence up to its end event. */
static int
build_children(struct tree *t, struct config_node *n, int depth)
{
	yaml_event_type_t end = n->kind == CONFIG_MAP ?
	    YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
	struct config_node *kid;
	yaml_event_t ev;
	int r, done;

	for (;;) {
		if ((r = next_event(t, &ev)) != KD_OK)
			return r;
		done = ev.type == end;
		kid = NULL;
		r = done ? KD_OK : build(t, &ev, depth, &kid);
		yaml_event_delete(&ev);
		if (kid != NULL)
			node_append(n, kid);
		if (r != KD_OK || done)
			return r;
	}
}

/* Builds the node that starts with `ev` (owned by the caller). */
static int
build(struct tree *t, yaml_event_t *ev, int depth, struct config_node **out)
{
	enum config_node_kind kind;
	struct config_node *n;
	int r;

	*out = NULL;
	if (ev->type == YAML_SCALAR_EVENT)
		kind = CONFIG_SCALAR;
	else if (ev->type == YAML_MAPPING_START_EVENT)
		kind = CONFIG_MAP;
	else if (ev->type == YAML_SEQUENCE_START_EVENT)
		kind = CONFIG_SEQ;
	else
		return mark_err(t, &ev->start_mark, "unexpected YAML event");
	if (++t->nodes > CONFIG_MAX_NODES)
		return mark_err(t, &ev->start_mark, "too many YAML nodes");
	if (kind != CONFIG_SCALAR && depth >= CONFIG_MAX_DEPTH) {
		char msg[64];

		snprintf(msg, sizeof(msg), "nested deeper than %d levels",
		    CONFIG_MAX_DEPTH);
		return mark_err(t, &ev->start_mark, msg);
	}
	if ((n = node_new(t, kind, &ev->start_mark)) == NULL)
		return KD_ERR_NOMEM;
	*out = n;
	if (kind == CONFIG_SCALAR)
		r = scalar_node(t, ev, n);
	else
		r = build_children(t, n, depth + 1);
	return r;
}

/* Expects an event of `type`; a second document gets its own message. */
static int
expect(struct tree *t, yaml_event_type_t type)
{
	yaml_event_t ev;
	int r;

	if ((r = next_event(t, &ev)) != KD_OK)
		return r;
	if (ev.type == type)
		r = KD_OK;
	else if (ev.type == YAML_DOCUMENT_START_EVENT)
		r = mark_err(t, &ev.start_mark,
		    "more than one YAML document (only one is allowed)");
	else
		r = mark_err(t, &ev.start_mark, "unexpected YAML event");
	yaml_event_delete(&ev);
	return r;
}

static int
parse_stream(struct tree *t, struct config_node **rootp)
{
	yaml_event_t ev;
	int r;

	if ((r = expect(t, YAML_STREAM_START_EVENT)) != KD_OK)
		return r;
	if ((r = next_event(t, &ev)) != KD_OK)
		return r;
	if (ev.type == YAML_STREAM_END_EVENT) {	/* empty, or comments */
		yaml_event_delete(&ev);
		return KD_OK;
	}
	if (ev.type != YAML_DOCUMENT_START_EVENT) {
		r = mark_err(t, &ev.start_mark, "unexpected YAML event");
		yaml_event_delete(&ev);
		return r;
	}
	yaml_event_delete(&ev);
	if ((r = next_event(t, &ev)) != KD_OK)
		return r;
	r = build(t, &ev, 0, rootp);
	yaml_event_delete(&ev);
	if (r != KD_OK)
		return r;
	if ((r = expect(t, YAML_DOCUMENT_END_EVENT)) != KD_OK)
		return r;
	return expect(t, YAML_STREAM_END_EVENT);
}

int
config_yaml_parse(const char *name, const char *text, size_t len,
    struct config_node **rootp, struct kd_err *err)
{
	struct tree t;
	int r;

	*rootp = NULL;
	if (len > CONFIG_MAX_SIZE)
		return kd_err_set(err, KD_ERR_CONFIG,
		    "%s: file too large (over %d bytes)", name,
		    CONFIG_MAX_SIZE);
	memset(&t, 0, sizeof(t));
	t.name = name;
	t.text = text;
	t.len = len;
	t.err = err;
	if (!yaml_parser_initialize(&t.parser))
		return kd_err_set(err, KD_ERR_NOMEM, "%s: out of memory",
		    name);
	yaml_parser_set_input_string(&t.parser,
	    (const unsigned char *)text, len);
	if ((r = parse_stream(&t, rootp)) != KD_OK) {
		config_node_free(*rootp);
		*rootp = NULL;
	}
	yaml_parser_delete(&t.parser);
	return r;
}

int
config_node_is_null(const struct config_node *n)
{
	static const char *nulls[] = { "", "~", "null", "Null", "NULL" };
	size_t i;

	if (n == NULL)
		return 1;
	if (n->kind != CONFIG_SCALAR || !n->plain)
		return 0;
	for (i = 0; i < KD_NELEM(nulls); i++)
		if (strcmp(n->value, nulls[i]) == 0)
			return 1;
	return 0;
}

void
config_node_describe(const struct config_node *n, char *buf, size_t len)
{
	char safe[64];

	if (n->kind == CONFIG_MAP)
		snprintf(buf, len, "a mapping");
	else if (n->kind == CONFIG_SEQ)
		snprintf(buf, len, "a list");
	else if (config_node_is_null(n))
		snprintf(buf, len, "nothing");
	else {
		kd_sanitize(n->value, safe, sizeof(safe));
		snprintf(buf, len, "\"%s%s\"", safe,
		    strlen(n->value) >= sizeof(safe) - 1 ? "..." : "");
	}
}
