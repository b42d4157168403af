/*
 * fuzz_arena.c -- a drop-in replacement for src/arena.c used only by the
 * fuzzers (build.sh links it instead of arena.c unless ARENA=real).
 *
 * The real arena carves every allocation out of 16 KB chunks, so an
 * overflow of an arena string by a few bytes lands in the next string
 * and AddressSanitizer never sees it. Here every arena_alloc() is its own
 * malloc() of exactly n bytes, so ASan catches the first byte out of
 * bounds. The semantics are the same: everything is released by
 * arena_reset(), destructors first, last registered first.
 */
#include "dinghuo.h"

struct defer {
	struct defer	*next;
	void		(*fn)(void *);
	void		*arg;
};

struct arena {
	void		**ptr;
	size_t		  n;
	size_t		  cap;
	struct defer	 *defers;
};

struct arena *
arena_new(size_t chunk_size)
{
	(void)chunk_size;
	return xcalloc(1, sizeof(struct arena));
}

void
arena_reset(struct arena *a)
{
	struct defer	*d;
	size_t		 i;

	while ((d = a->defers) != NULL) {
		a->defers = d->next;
		d->fn(d->arg);
		free(d);
	}
	for (i = 0; i < a->n; i++)
		free(a->ptr[i]);
	a->n = 0;
}

void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	arena_reset(a);
	free(a->ptr);
	free(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	void	*p;

	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->ptr = xrealloc(a->ptr, a->cap * sizeof(*a->ptr));
	}
	/* malloc(0) under ASan is a valid pointer with no usable byte. */
	if ((p = malloc(n)) == NULL && n > 0)
		abort();
	a->ptr[a->n++] = p;
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char	*p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list	 ap2;
	char	*p;
	int	 n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return arena_strdup(a, "");
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void
arena_defer(struct arena *a, void (*fn)(void *), void *arg)
{
	struct defer	*d = xmalloc(sizeof(*d));

	d->fn = fn;
	d->arg = arg;
	d->next = a->defers;
	a->defers = d;
}

static void
json_put(void *o)
{
	json_object_put(o);
}

json_object *
arena_defer_json(struct arena *a, json_object *o)
{
	arena_defer(a, json_put, o);
	return o;
}
