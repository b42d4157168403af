/*
 * arena.c -- per-request memory. Everything a request allocates comes from
 * its arena and is released at once by arena_reset() after the response;
 * arena_defer() runs destructors (json-c trees, results) at that moment.
 * The first chunk is kept across resets so a steady worker does not malloc.
 *
 * Built with -DARENA_STRICT (the ASan build and the fuzzers), every
 * allocation is its own chunk of exactly the size asked for, so a sanitizer
 * sees the first byte past an arena string instead of the next string.
 */
#include "base/base.h"

struct chunk {
	struct chunk	*next;
	size_t		 size;
	size_t		 used;
	char		 data[];
};

struct defer {
	struct defer	*next;
	void		(*fn)(void *);
	void		*arg;
};

struct arena {
	struct chunk	*head;
	struct chunk	*first;
	struct defer	*defers;
	size_t		 chunk_size;
};

static struct chunk *
chunk_new(size_t size)
{
	struct chunk	*ch = xmalloc(sizeof(*ch) + size);

	ch->next = NULL;
	ch->size = size;
	ch->used = 0;
	return ch;
}

struct arena *
arena_new(size_t chunk_size)
{
	struct arena	*a = xcalloc(1, sizeof(*a));

	a->chunk_size = chunk_size ? chunk_size : 16384;
	a->first = a->head = chunk_new(a->chunk_size);
	return a;
}

void
arena_reset(struct arena *a)
{
	struct chunk	*ch, *next;
	struct defer	*d;

	/* Destructors first: they may read memory from the chunks. */
	while ((d = a->defers) != NULL) {
		a->defers = d->next;
		d->fn(d->arg);
	}
	for (ch = a->head; ch != a->first; ch = next) {
		next = ch->next;
		free(ch);
	}
	a->head = a->first;
	a->first->used = 0;
}

void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	arena_reset(a);
	free(a->first);
	free(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct chunk	*ch = a->head;
	size_t		 size;
	void		*p;

#ifdef ARENA_STRICT
	ch = chunk_new(n);
	ch->used = n;
	ch->next = a->head;
	a->head = ch;
	return ch->data;
#endif
	n = (n + 15) & ~(size_t)15;
	if (ch->size - ch->used < n) {
		size = n > a->chunk_size ? n : a->chunk_size;
		ch = chunk_new(size);
		ch->next = a->head;
		a->head = ch;
	}
	p = ch->data + ch->used;
	ch->used += n;
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

/* n objects of size bytes, zeroed; overflow aborts like running out. */
void *
arena_calloc(struct arena *a, size_t n, size_t size)
{
	void	*p;

	if (size != 0 && n > SIZE_MAX / size)
		fatalx("arena_calloc: %zu x %zu bytes", n, size);
	p = arena_alloc(a, n * size);
	memset(p, 0, n * size);
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
	struct defer	*d = arena_alloc(a, sizeof(*d));

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

/* Release a json-c tree with the request. */
json_object *
arena_defer_json(struct arena *a, json_object *o)
{
	arena_defer(a, json_put, o);
	return o;
}
