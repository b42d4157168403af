/*
 * tpl.h -- Mustache templates: spec v1.4 core plus inheritance (parents and
 * blocks); no lambdas, no dynamic names. A compiled template is immutable
 * and owned by whoever compiled it; tpl_render() only appends to the
 * caller's buffer and allocates nothing else.
 */
#ifndef TPL_H
#define TPL_H

#include <stddef.h>

#include <json-c/json.h>

struct buf;
struct vm;		/* base/vm.h */

/* Limits of one render, against recursion and template bombs. */
#define TPL_MAXDEPTH	64		/* nested section, partial, block */
#define TPL_MAXSTEPS	(1L << 20)	/* of them entered */
#define TPL_MAXOUT	(64UL << 20)	/* bytes appended */

struct tpl;		/* a compiled template, immutable after compile */

/*
 * Finds a partial or parent by name ("partials/nav", "layout/base");
 * returns a compiled template owned by the resolver (cached), or NULL if
 * none.
 */
typedef const struct tpl *(*tpl_resolve_fn)(void *arg, const char *name);

/*
 * Compile src (len bytes). On error returns NULL and writes a message like
 * "line 12: unclosed section 'items'" into err (errlen bytes). The returned
 * template owns its memory; tpl_free() releases it.
 */
struct tpl	*tpl_compile(const char *src, size_t len, char *err,
		    size_t errlen);
void		 tpl_free(struct tpl *);

/*
 * Render with a context stack: stack[0] is the outermost context (e.g.
 * globals), stack[depth-1] the innermost (the page's view model); name
 * lookup searches from the innermost outward as the Mustache spec says.
 * Appends to out. Partials/parents are looked up through resolve (may be
 * NULL: then every partial is empty). Returns 0, or -1 if nesting goes
 * deeper than TPL_MAXDEPTH partial/section levels (recursion guard), or
 * it enters more than TPL_MAXSTEPS of them or writes more than TPL_MAXOUT
 * bytes (a template bomb), with what was rendered so far left in out.
 */
int		 tpl_render(const struct tpl *, json_object **stack, int depth,
		    tpl_resolve_fn resolve, void *arg, struct buf *out);
/* The same with an arena view model (vm.h) as the innermost context. */
int		 tpl_render_vm(const struct tpl *, json_object **stack,
		    int depth, const struct vm *top, tpl_resolve_fn resolve,
		    void *arg, struct buf *out);

#endif /* TPL_H */
