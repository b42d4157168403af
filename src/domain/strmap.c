/*
 * strmap.c -- a string map for the import and export (import.h): open
 * addressing, keys the caller keeps alive, values its pointers. Tens of
 * thousands of codes are looked up once each; no deletes.
 */
#include "base/base.h"
#include "domain/import.h"

static size_t
hash_str(const char *s)
{
	uint32_t	h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void *
strmap_get(const struct strmap *m, const char *key)
{
	size_t	i;

	if (m->cap == 0)
		return NULL;
	for (i = hash_str(key) & (m->cap - 1); m->key[i] != NULL;
	    i = (i + 1) & (m->cap - 1))
		if (strcmp(m->key[i], key) == 0)
			return m->val[i];
	return NULL;
}

static void
grow(struct strmap *m)
{
	struct strmap	old = *m;
	size_t		i;

	m->cap = old.cap ? old.cap * 2 : 1024;
	m->key = xcalloc(m->cap, sizeof(*m->key));
	m->val = xcalloc(m->cap, sizeof(*m->val));
	m->n = 0;
	for (i = 0; i < old.cap; i++)
		if (old.key[i] != NULL)
			strmap_put(m, old.key[i], old.val[i]);
	free(old.key);
	free(old.val);
}

/* Add key, which is not in m yet. */
void
strmap_put(struct strmap *m, const char *key, void *val)
{
	size_t	i;

	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	for (i = hash_str(key) & (m->cap - 1); m->key[i] != NULL;
	    i = (i + 1) & (m->cap - 1))
		;
	m->key[i] = key;
	m->val[i] = val;
	m->n++;
}

void
strmap_free(struct strmap *m)
{
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}
