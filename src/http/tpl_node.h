/*
 * tpl_node.h -- a compiled template as tpl.c builds it and tpl_render.c
 * walks it: a flat array of nodes, text pointing into the template's own
 * copy of its source. For those two files only.
 */
#ifndef HTTP_TPL_NODE_H
#define HTTP_TPL_NODE_H

#define TPL_MAXPARTS	255		/* parts of a dotted name */

enum ntype {
	N_TEXT,
	N_VAR,			/* {{x}}, HTML-escaped */
	N_RAW,			/* {{{x}}} and {{&x}} */
	N_SECTION,		/* {{#x}} */
	N_INVERTED,		/* {{^x}} */
	N_PARTIAL,		/* {{>x}} */
	N_PARENT,		/* {{<x}}, its children are the overrides */
	N_BLOCK			/* {{$x}} */
};

/*
 * A node's children are the nodes up to its end. Text may span lines: with
 * an indentation in force, each line of it gets the prefix.
 */
struct node {
	uint8_t		 type;
	uint8_t		 bol;		/* text: starts a line of the source */
	uint8_t		 alone;		/* tag on a standalone line */
	uint8_t		 nparts;	/* parts of a dotted name, 0 for "." */
	uint32_t	 end;		/* index past the last child */
	uint32_t	 off;		/* text: in src; tags: name in names */
	uint32_t	 len;		/* text length; block: name length */
	uint32_t	 ind;		/* indentation: offset in src */
	uint32_t	 indlen;
	uint32_t	 strip;		/* block: indentation its lines drop */
};

struct tpl {
	struct node	*nodes;
	uint32_t	 nnodes;
	char		*src;		/* text and indentation point here */
	char		*names;		/* NUL-terminated, dotted ones split */
	size_t		 textlen;	/* bytes of text, to presize output */
};

/* Spaces and tabs that start s, at most max. */
static inline size_t
tpl_blanks(const char *s, size_t n, size_t max)
{
	size_t	i;

	for (i = 0; i < n && i < max && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	return i;
}

#endif /* HTTP_TPL_NODE_H */
