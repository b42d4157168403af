/*
 * vm.h -- a view model built in the request arena (http/vm.c): objects,
 * arrays, strings, integers, booleans and null, for the hot pages that
 * json-c's malloc'd, hashed tree made slow. Keys and strings are borrowed,
 * not copied: they must live as long as the request (literals, the arena,
 * a cached catalog). tpl_render_vm() renders one, vm_json() writes it as
 * json-c would. Uses base only.
 */
#ifndef HTTP_VM_H
#define HTTP_VM_H

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
	union {
		struct vm_kv	*kv;
		struct vm_val	*v;
	} u;
};

struct vm	*vm_obj(struct arena *, uint32_t);
struct vm	*vm_arr(struct arena *, uint32_t);
void		 vm_set_strn(struct arena *, struct vm *, const char *,
		     const char *, size_t);
void		 vm_set_str(struct arena *, struct vm *, const char *,
		     const char *);
void		 vm_set_i64(struct arena *, struct vm *, const char *, int64_t);
void		 vm_set_bool(struct arena *, struct vm *, const char *, int);
void		 vm_set(struct arena *, struct vm *, const char *, struct vm *);
void		 vm_push(struct arena *, struct vm *, struct vm *);
const struct vm_val *vm_get(const struct vm *, const char *, size_t);
int		 vm_truthy(const struct vm_val *);
void		 vm_json(struct buf *, const struct vm *);

#endif /* HTTP_VM_H */
