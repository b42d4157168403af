/*
 * vm.c -- view models in the request arena (vm.h): nothing is malloc'd
 * or freed, keys and strings are borrowed, an object's keys are searched
 * in order (the hot pages' objects have a score of them: a hash would
 * cost more than it saves). Each key is set once per object: a second
 * one would show twice in JSON. vm_json() writes what json-c writes for
 * the same tree (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
 * so a handler may move from one to the other without its API changing.
 */
#include "base/base.h"
#include "base/vm.h"

static struct vm *
container(struct arena *a, int type, uint32_t cap)
{
	struct vm	*c = arena_alloc(a, sizeof(*c));
	size_t		 sz = type == VM_OBJ ? sizeof(struct vm_kv) :
			    sizeof(struct vm_val);

	c->type = type;
	c->n = 0;
	c->mask = 0;
	c->cap = cap ? cap : 4;
	c->u.v = arena_alloc(a, c->cap * sz);
	return c;
}

struct vm *
vm_obj(struct arena *a, uint32_t cap)
{
	return container(a, VM_OBJ, cap);
}

struct vm *
vm_arr(struct arena *a, uint32_t cap)
{
	return container(a, VM_ARR, cap);
}

/* Room for one more member; the old items stay in the arena, unused. */
void
vm_grow(struct arena *a, struct vm *c)
{
	size_t	 sz = c->type == VM_OBJ ? sizeof(struct vm_kv) :
		    sizeof(struct vm_val);
	void	*p;

	if (c->n < c->cap)
		return;
	p = arena_alloc(a, (size_t)c->cap * 2 * sz);
	memcpy(p, c->u.v, (size_t)c->n * sz);
	c->u.v = p;
	c->cap *= 2;
}

void
vm_push(struct arena *a, struct vm *arr, struct vm *c)
{
	struct vm_val	*v;

	if (arr->n == arr->cap)
		vm_grow(a, arr);
	v = &arr->u.v[arr->n++];
	v->type = c->type;
	v->u.c = c;
}

/*
 * The member named key (klen bytes) of an object, or an array's element
 * by a decimal index ("rows.0"), as the renderer asks; NULL if none.
 */
const struct vm_val *
vm_get(const struct vm *c, const char *key, size_t klen)
{
	const struct vm_kv	*kv;
	uint32_t		 i, idx;

	if (c->type == VM_ARR) {
		if (klen == 0 || klen > 9)
			return NULL;
		for (i = 0, idx = 0; i < klen; i++) {
			if (key[i] < '0' || key[i] > '9')
				return NULL;
			idx = idx * 10 + (uint32_t)(key[i] - '0');
		}
		return idx < c->n ? &c->u.v[idx] : NULL;
	}
	if ((c->mask & vm_bit(key, klen)) == 0)
		return NULL;
	for (i = 0, kv = c->u.kv; i < c->n; i++, kv++)
		if (kv->klen == klen && kv->k[0] == key[0] &&
		    memcmp(kv->k, key, klen) == 0)
			return &kv->v;
	return NULL;
}

/* Mustache's truth: not null, false, an empty list or "". */
int
vm_truthy(const struct vm_val *v)
{
	switch (v->type) {
	case VM_NULL:
		return 0;
	case VM_BOOL:
		return v->u.i != 0;
	case VM_STR:
		return v->len > 0;
	case VM_ARR:
		return v->u.c->n > 0;
	default:
		return 1;
	}
}

/* As json-c 0.16 escapes: \uXXXX in lower case, '/' as it is. */
static void
json_str(struct buf *b, const char *s, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	const char		*start = s, *end = s + n;
	unsigned char		 ch;
	char			 u[6] = { '\\', 'u', '0', '0', 0, 0 };

	buf_addc(b, '"');
	for (; s < end; s++) {
		ch = (unsigned char)*s;
		if (ch >= ' ' && ch != '"' && ch != '\\')
			continue;
		buf_add(b, start, (size_t)(s - start));
		start = s + 1;
		switch (ch) {
		case '\b': buf_add(b, "\\b", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		case '\t': buf_add(b, "\\t", 2); break;
		case '\f': buf_add(b, "\\f", 2); break;
		case '"': buf_add(b, "\\\"", 2); break;
		case '\\': buf_add(b, "\\\\", 2); break;
		default:
			u[4] = hex[ch >> 4];
			u[5] = hex[ch & 0xf];
			buf_add(b, u, 6);
		}
	}
	buf_add(b, start, (size_t)(end - start));
	buf_addc(b, '"');
}

static void
json_i64(struct buf *b, int64_t i)
{
	char		 d[24], *p = d + sizeof(d);
	uint64_t	 u = i < 0 ? -(uint64_t)i : (uint64_t)i;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (i < 0)
		*--p = '-';
	buf_add(b, p, (size_t)(d + sizeof(d) - p));
}

static void
json_val(struct buf *b, const struct vm_val *v)
{
	switch (v->type) {
	case VM_BOOL:
		if (v->u.i)
			buf_add(b, "true", 4);
		else
			buf_add(b, "false", 5);
		break;
	case VM_INT:
		json_i64(b, v->u.i);
		break;
	case VM_STR:
		json_str(b, v->u.s, v->len);
		break;
	case VM_ARR:
	case VM_OBJ:
		vm_json(b, v->u.c);
		break;
	default:
		buf_add(b, "null", 4);
	}
}

void
vm_json(struct buf *b, const struct vm *c)
{
	uint32_t	i;

	buf_addc(b, c->type == VM_OBJ ? '{' : '[');
	for (i = 0; i < c->n; i++) {
		if (i > 0)
			buf_addc(b, ',');
		if (c->type == VM_OBJ) {
			json_str(b, c->u.kv[i].k, c->u.kv[i].klen);
			buf_addc(b, ':');
			json_val(b, &c->u.kv[i].v);
		} else
			json_val(b, &c->u.v[i]);
	}
	buf_addc(b, c->type == VM_OBJ ? '}' : ']');
}
