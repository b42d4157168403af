/*
 * vm.h -- a view model built in the request arena (base/vm.c): objects,
 * arrays, strings, integers, booleans and null, for the hot pages that
 * json-c's malloc'd, hashed tree made slow. Keys and strings are borrowed,
 * not copied: they must live as long as the request (literals, the arena,
 * a cached catalog). tpl_render_vm() renders one, vm_json() writes it as
 * json-c would. Uses base only.
 */
#ifndef BASE_VM_H
#define BASE_VM_H

#include "base/base.h"

enum vm_type { VM_NULL, VM_BOOL, VM_INT, VM_STR, VM_ARR, VM_OBJ };

struct vm;

struct vm_val {
	uint8_t		 type;		/* enum vm_type */
	uint32_t	 len;		/* VM_STR */
	union {
		int64_t		 i;	/* VM_BOOL, VM_INT */
		const char	*s;	/* VM_STR */
		struct vm	*c;	/* VM_ARR, VM_OBJ */
	} u;
};
struct vm_kv {
	const char	*k;
	uint32_t	 klen;
	struct vm_val	 v;
};
/* An object (kv) or an array (v), grown in the arena. */
struct vm {
	uint8_t		 type;		/* VM_ARR or VM_OBJ */
	uint32_t	 n;
	uint32_t	 cap;
	uint64_t	 mask;		/* vm_bit() of every key: misses */
	union {
		struct vm_kv	*kv;
		struct vm_val	*v;
	} u;
};

struct vm	*vm_obj(struct arena *, uint32_t);
struct vm	*vm_arr(struct arena *, uint32_t);
void		 vm_grow(struct arena *, struct vm *);
void		 vm_push(struct arena *, struct vm *, struct vm *);
const struct vm_val *vm_get(const struct vm *, const char *, size_t);
int		 vm_truthy(const struct vm_val *);
void		 vm_json(struct buf *, const struct vm *);

/*
 * The setters are inline so that a literal key's strlen() is folded by
 * the compiler. A key's bit in the object's mask makes most lookups of
 * names the object does not have (the template's globals) one test.
 */
static inline uint64_t
vm_bit(const char *k, size_t n)
{
	return n == 0 ? 1 : 1ULL << (((unsigned char)k[0] * 31u +
	    (unsigned)n * 7u + (unsigned char)k[n - 1]) & 63);
}

static inline struct vm_val *
vm_slot(struct arena *a, struct vm *o, const char *k, size_t klen)
{
	struct vm_kv	*kv;

	if (o->n == o->cap)
		vm_grow(a, o);
	kv = &o->u.kv[o->n++];
	kv->k = k;
	kv->klen = (uint32_t)klen;
	o->mask |= vm_bit(k, klen);
	return &kv->v;
}

/* s (n bytes), or null when s is NULL. */
static inline void
vm_set_strn(struct arena *a, struct vm *o, const char *k, const char *s,
    size_t n)
{
	struct vm_val	*v = vm_slot(a, o, k, strlen(k));

	v->type = s ? VM_STR : VM_NULL;
	v->len = s ? (uint32_t)n : 0;
	v->u.s = s;
}

static inline void
vm_set_str(struct arena *a, struct vm *o, const char *k, const char *s)
{
	vm_set_strn(a, o, k, s, s ? strlen(s) : 0);
}

static inline void
vm_set_i64(struct arena *a, struct vm *o, const char *k, int64_t i)
{
	struct vm_val	*v = vm_slot(a, o, k, strlen(k));

	v->type = VM_INT;
	v->u.i = i;
}

static inline void
vm_set_bool(struct arena *a, struct vm *o, const char *k, int b)
{
	struct vm_val	*v = vm_slot(a, o, k, strlen(k));

	v->type = VM_BOOL;
	v->u.i = b != 0;
}

/* An object or array as a member; NULL is null. */
static inline void
vm_set(struct arena *a, struct vm *o, const char *k, struct vm *c)
{
	struct vm_val	*v = vm_slot(a, o, k, strlen(k));

	v->type = c ? c->type : VM_NULL;
	v->u.c = c;
}

#endif /* BASE_VM_H */
