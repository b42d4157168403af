/*
 * field_errors.c -- the list a domain check fills with the fields it
 * refuses (field_errors.h). Memory is the caller's arena; a zeroed
 * struct field_errors is empty.
 */
#include "base/base.h"
#include "domain/field_errors.h"

/* Add why for field (of row, -1: none); the first reason for one wins. */
void
field_error_add(struct arena *a, struct field_errors *fe, int field, int row,
    const char *fmt, ...)
{
	struct field_error	*v;
	va_list			 ap;

	if (field_error_has(fe, field, row))
		return;
	if (fe->n == fe->cap) {
		fe->cap = fe->cap ? fe->cap * 2 : 16;
		v = arena_alloc(a, (size_t)fe->cap * sizeof(*v));
		if (fe->n > 0)
			memcpy(v, fe->v, (size_t)fe->n * sizeof(*v));
		fe->v = v;
	}
	v = &fe->v[fe->n++];
	v->field = field;
	v->row = row;
	va_start(ap, fmt);
	v->why = arena_vprintf(a, fmt, ap);
	va_end(ap);
}

int
field_error_has(const struct field_errors *fe, int field, int row)
{
	int	i;

	for (i = 0; i < fe->n; i++)
		if (fe->v[i].field == field && fe->v[i].row == row)
			return 1;
	return 0;
}
